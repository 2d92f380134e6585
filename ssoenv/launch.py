"""Runs `ssoenv export SHELL` for the shell hook, started as `python -S launch.py PATHS SHELL`.

Python's site step (processing every `.pth` file in site-packages, some of which import
whole packages) can cost more than all of ssoenv's own work, and the export needs none of
it: `ssoenv hook` passes the module search path it had, ready made."""

import os
import sys


def main() -> None:
    if len(sys.argv) != 3:
        sys.stderr.write("usage: python -S launch.py PATHS SHELL\n")
        sys.exit(2)
    paths, shell = sys.argv[1], sys.argv[2]
    # Replace this file's own directory (sys.path[0]) with the path `ssoenv hook` saw.
    sys.path[0:1] = [p for p in paths.split(os.pathsep) if p]
    sys.argv = ["ssoenv", "export", shell]
    from ssoenv.entry import main as entry_main

    entry_main()


if __name__ == "__main__":
    main()
