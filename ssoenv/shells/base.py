"""What every shell does the same way; subclasses override only what differs."""

import os

from ssoenv.base.errors import SsoenvError

# How the hook starts Python, isolated from the user's directory.
from ssoenv.base.launch import launcher, search_path


def is_variable_name(name) -> bool:
    """A name every shell takes as a plain variable name: `[A-Za-z_][A-Za-z0-9_]*`. Names
    come from the environment and from ssoenv's record in it, which anyone can forge, and a
    statement is written with the name as it is."""
    return isinstance(name, str) and name.isascii() and name.isidentifier()


class Shell:
    name = ""
    hook_file = ""
    # A condition that holds in the interactive top-level shell only.
    interactive = ""

    def quote(self, value: str) -> str:
        raise NotImplementedError

    def export(self, name: str, value: str) -> str:
        raise NotImplementedError

    def unset(self, name: str) -> str:
        raise NotImplementedError

    def render(self, changes: dict) -> str:
        """Statements that apply `changes` ({name: value or None}), in a stable order; a
        name that is not a variable name is left out."""
        out = []
        for name in sorted(n for n in changes if is_variable_name(n)):
            value = changes[name]
            out.append(self.unset(name) if value is None else self.export(name, value))
        return "".join(out)

    def say(self, line: str) -> str:
        """A statement printing `line` on stderr with builtins."""
        return "builtin printf '%%s\\n' %s >&2\n" % self.quote(line)

    def loaded(self, text: str) -> str:
        """What `ssoenv hook` prints for the hook script and first statements `text`."""
        return text

    def first_statements(self, said: str, statements: str) -> str:
        """What the hook text ends with in a project: the messages `said` (from `say`), for
        the interactive top-level shell only, then the first export's `statements`."""
        if said:
            said = "if %s; then\n%sfi\n" % (self.interactive, said)
        return said + statements

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


def scripts_dir(folder: str, what: str) -> str:
    """ssoenv's `folder` of scripts (`shell`, `completions`): inside the installed package,
    or beside it in a source tree; `what` names them in the error."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for candidate in (
        os.path.join(package, folder),
        os.path.join(os.path.dirname(package), folder),
    ):
        if os.path.isdir(candidate):
            return candidate
    raise SsoenvError(
        "the %s scripts are missing from ssoenv's installation at %s; reinstall ssoenv"
        % (what, package)
    )


def hook_dir() -> str:
    """The hook scripts."""
    return scripts_dir("shell", "hook")
