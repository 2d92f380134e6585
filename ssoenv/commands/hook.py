"""`ssoenv hook SHELL`: the shell's hook script, followed by the first export for the
current directory, so that a new shell in a project starts no second process."""

import os
import sys

from ssoenv import shells
from ssoenv.base import paths
from ssoenv.base.errors import SsoenvError
from ssoenv.base.safetext import escape
from ssoenv.prompt import locate


def executable_path() -> str:
    """The absolute path of the ssoenv executable that the hook will run."""
    argv0 = sys.argv[0] if sys.argv else ""
    if os.path.basename(argv0).startswith("ssoenv") and os.access(argv0, os.X_OK):
        return os.path.abspath(argv0)
    import shutil
    import sysconfig

    candidate = os.path.join(sysconfig.get_path("scripts"), "ssoenv")
    if os.access(candidate, os.X_OK):
        return candidate
    found = shutil.which("ssoenv")
    if found:
        return os.path.abspath(found)
    raise SsoenvError("cannot find the ssoenv executable; install ssoenv with pip")


def text(name: str) -> str:
    """The hook for the shell `name`, then the statements its first prompt would run."""

    shell = shells.get(name, hook=True)
    script = shell.hook(executable_path())
    return shell.loaded(script + first_export(shell))


def first_export(shell) -> str:
    """What `ssoenv export` would print at the first prompt here, and its messages as
    statements that print them from the interactive top-level shell only (a fish reads
    config.fish for scripts too, and there the hook does nothing at all). When nothing needs
    applying, only what the shell keeps to compare at its next prompt (tcsh and elvish keep
    their own record; the others nothing); "" whenever anything goes wrong, for the first
    prompt to run and report it."""
    if shell.name == "direnv":
        return ""
    if "SSOENV_FILE" not in os.environ and _nearest_here() is None:
        # The common case, decided before loading the export's modules.
        return shell.first_statements("", "")
    from ssoenv.prompt import export  # start-up: the export's modules, only in a project

    try:
        if not export.prompt_would_export(os.environ):
            return shell.first_statements("", "")
        paths.check_stores()  # a store others can change: the first prompt says so
        changes, messages = export.compute()
        statements = shell.render(changes)
    except Exception:
        return ""
    said = "".join(shell.say("ssoenv: " + escape(line)) for line in messages)
    return shell.first_statements(said, statements)


def _nearest_here():
    try:
        cwd = locate.logical_cwd()
    except Exception:
        return None
    return locate.nearest(cwd) if os.path.isdir(cwd) else None


def main(argv) -> int:
    """Entry for `ssoenv hook [SHELL]`; raises SsoenvError for the caller to report."""

    name = argv[0] if argv else shells.detect()
    out = text(name)
    sys.stdout.buffer.write(out.encode("utf-8", "surrogateescape"))
    sys.stdout.flush()
    return 0
