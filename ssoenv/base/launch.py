"""Starts ssoenv's own Python processes isolated from where they run: `python -I -S launch.py
PATHS SHELL` runs `ssoenv export SHELL` for the shell hook, `... PATHS -m MODULE ARGS...`
runs a module (the background refresh, the demo's ssoenv) and `... PATHS -c CODE ARGS...`
a command (the demo's python).

`-I` keeps the working directory and every PYTHON* variable (PYTHONPATH, PYTHONSTARTUP,
PYTHONWARNINGS, which imports modules) away from the import path: a project's own
`json.py` or `ssoenv/` package must never run as the user. `-S` skips the site step
(processing every `.pth` file, some of which import whole packages, can cost more than all
of ssoenv's own work): PATHS, the module search path of the process that started this one,
is passed ready made."""

import os
import sys

# The module the hook's export runs (see main).
ENTRY = "ssoenv.entry"


def launcher() -> str:
    return os.path.abspath(__file__)


def search_path() -> str:
    """The module search path ssoenv needs, as this process has it: ssoenv's own directory
    first, then what the site step added (site-packages, editable installs); never the
    working directory, the standard library (Python adds that itself) or a relative entry."""
    import sysconfig

    base = os.path.dirname(os.path.abspath(__file__))
    package_parent = os.path.dirname(os.path.dirname(base))
    stdlib = {sysconfig.get_path("stdlib"), sysconfig.get_path("platstdlib")}
    entries = [package_parent]
    # Without -I/-P, sys.path[0] is the script's directory or, for `python -m` and `-c`,
    # the working directory: never pass it on.
    isolated = sys.flags.isolated or getattr(sys.flags, "safe_path", False)
    for entry in sys.path if isolated else sys.path[1:]:
        if not entry or not os.path.isabs(entry) or entry in entries or entry in stdlib:
            continue
        if entry.endswith(("lib-dynload", ".zip")) or not os.path.isdir(entry):
            continue
        entries.append(entry)
    return os.pathsep.join(entries)


def command(module: str, *args: str) -> list:
    """argv that runs `python -m MODULE ARGS` with this ssoenv, isolated; start it with
    cwd="/" where it can, so that nothing relative resolves against a user's directory."""
    return [*python(), "-m", module, *args]


def python() -> list:
    """argv of a Python with this ssoenv's module path and nothing else: add `-m MODULE`
    or `-c CODE` and arguments."""
    return [sys.executable, "-I", "-S", launcher(), search_path()]


def main() -> None:
    run = sys.argv[2] if len(sys.argv) >= 4 and sys.argv[2] in ("-m", "-c") else None
    if run is None and (len(sys.argv) != 3 or sys.argv[2] in ("-m", "-c")):
        sys.stderr.write("usage: python -I -S launch.py PATHS (SHELL | -m MODULE | -c CODE) ...\n")
        sys.exit(2)
    paths = sys.argv[1]
    # Without -I, sys.path[0] is this file's own directory (ssoenv's base, whose
    # module names must not shadow the standard library's); with it, nothing to drop.
    if sys.path and sys.path[0] == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]
    sys.path[0:0] = [p for p in paths.split(os.pathsep) if p and os.path.isabs(p)]
    if run == "-m":
        import runpy

        sys.argv = sys.argv[3:]
        runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
        return
    if run == "-c":
        code = sys.argv[3]
        sys.argv = ["-c", *sys.argv[4:]]
        exec(
            compile(code, "<string>", "exec"),
            {"__name__": "__main__", "__builtins__": __builtins__},
        )
        return
    # The hook's `SHELL` is short for `-m ssoenv.entry export SHELL`: the command line is
    # started by its module's name, as -m starts one, so the spawner imports nothing above it.
    sys.argv = ["ssoenv", "export", sys.argv[2]]
    __import__(ENTRY, fromlist=["main"]).main()


if __name__ == "__main__":
    main()
