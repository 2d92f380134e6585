"""The lowest version of each runtime dependency that pyproject.toml allows.

`lowest-constraints.py pyproject.toml` prints them as a pip constraints file, so CI can prove
the lower bounds true; `--check` (run by the environment's own Python) fails unless exactly
those versions are installed."""

import re
import sys

import tomllib


def lowest(pyproject: str):
    with open(pyproject, "rb") as f:
        dependencies = tomllib.load(f)["project"]["dependencies"]
    for requirement in dependencies:
        match = re.fullmatch(
            r"\s*([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*>=\s*([^,;\s]+)\s*", requirement
        )
        if match is None:
            sys.exit("pyproject.toml: %r has no single lower bound (NAME>=VERSION)" % requirement)
        yield match.groups()


def check(pyproject: str) -> int:
    from importlib.metadata import version

    from pip._vendor.packaging.version import Version

    wrong = [
        "%s: %s installed, %s pinned" % (name, version(name), low)
        for name, low in lowest(pyproject)
        if Version(version(name)) != Version(low)
    ]
    for line in wrong:
        print(line, file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--check"]:
        sys.exit(check(args[1] if len(args) > 1 else "pyproject.toml"))
    for name, low in lowest(args[0] if args else "pyproject.toml"):
        print("%s==%s" % (name, low))
