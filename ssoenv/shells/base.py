"""What every shell does the same way; subclasses override only what differs."""

import os


class Shell:
    name = ""
    hook_file = ""

    def quote(self, value: str) -> str:
        raise NotImplementedError

    def export(self, name: str, value: str) -> str:
        raise NotImplementedError

    def unset(self, name: str) -> str:
        raise NotImplementedError

    def render(self, changes: dict) -> str:
        """Statements that apply `changes` ({name: value or None}), in a stable order."""
        out = []
        for name in sorted(changes):
            value = changes[name]
            out.append(self.unset(name) if value is None else self.export(name, value))
        return "".join(out)

    def hook(self, executable: str) -> str:
        """The hook script for this shell, with the paths it runs quoted for it."""
        import sys

        with open(os.path.join(hook_dir(), self.hook_file), encoding="utf-8") as f:
            template = f.read()
        return (
            template.replace("@PYTHON@", self.quote(sys.executable))
            .replace("@LAUNCHER@", self.quote(launcher()))
            .replace("@PATHS@", self.quote(search_path()))
            .replace("@SSOENV@", self.quote(executable))
        )


def hook_dir() -> str:
    """The hook scripts: inside the installed package, or beside it in a source tree."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for candidate in (
        os.path.join(package, "shell"),
        os.path.join(os.path.dirname(package), "shell"),
    ):
        if os.path.isdir(candidate):
            return candidate
    raise FileNotFoundError("the ssoenv hook scripts are missing from the installation")


def launcher() -> str:
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "launch.py")


def search_path() -> str:
    """The module search path the export needs, as this process has it: ssoenv's own
    directory first, then what the site step added (site-packages, editable installs)."""
    import sys
    import sysconfig

    package_parent = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    stdlib = {sysconfig.get_path("stdlib"), sysconfig.get_path("platstdlib")}
    entries = [package_parent]
    for entry in sys.path[1:]:
        if entry and entry not in entries and entry not in stdlib and os.path.isdir(entry):
            if not entry.endswith(("lib-dynload", ".zip")):
                entries.append(entry)
    return os.pathsep.join(entries)
