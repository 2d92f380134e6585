"""`ssoenv hook SHELL`: the shell's hook script, followed by the first export for the
current directory, so that a new shell in a project starts no second process."""

import os
import sys

from ssoenv.errors import SsoenvError


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
    from ssoenv import shells

    shell = shells.get(name, hook=True)
    script = shell.hook(executable_path())
    return script + first_export(shell)


def first_export(shell) -> str:
    """What `ssoenv export` would print at the first prompt here, and its messages as
    statements that print them from the interactive top-level shell only (a fish reads
    config.fish for scripts too, and there the hook does nothing at all); "" when the first
    prompt would start no process, and whenever anything goes wrong, for the first prompt
    to run and report it."""
    if shell.name not in ("bash", "zsh", "fish"):
        return ""
    if "SSOENV_FILE" not in os.environ and _nearest_here() is None:
        return ""  # the common case, decided before loading the export's modules
    from ssoenv import export, paths
    from ssoenv.safetext import escape

    try:
        if not prompt_would_export(os.environ):
            return ""
        paths.check_stores()  # a store others can change: the first prompt says so
        changes, messages = export.compute()
        statements = shell.render(changes)
    except Exception:
        return ""
    said = "".join(
        "builtin printf '%%s\\n' %s >&2\n" % shell.quote("ssoenv: " + escape(line))
        for line in messages
    )
    if shell.name == "fish":
        return "if status is-interactive\n" + said + statements + "end\n"
    interactive = {
        "bash": "[[ $- == *i* ]] && ((BASH_SUBSHELL == 0))",
        "zsh": "[[ -o interactive ]] && (( ! ZSH_SUBSHELL ))",
    }[shell.name]
    if said:
        said = "if %s; then\n%sfi\n" % (interactive, said)
    return said + statements


def _nearest_here():
    from ssoenv import locate

    try:
        cwd = locate.logical_cwd()
    except Exception:
        return None
    return locate.nearest(cwd) if os.path.isdir(cwd) else None


def _mtime_ns(path):
    try:
        return os.stat(path).st_mtime_ns if path else None
    except OSError:
        return None


def prompt_would_export(env) -> bool:
    """The test the hook scripts in shell/ make with builtins before running the export:
    another nearest .ssoenv, that file or the trust records touched, keys due, or another
    profile in effect than the one whose keys the shell holds."""
    import time

    from ssoenv import export, locate

    try:
        cwd = locate.logical_cwd(env)
    except Exception:
        cwd = None
    # As the hook scripts: a deleted current directory counts as no project.
    found = (locate.nearest(cwd) if cwd and os.path.isdir(cwd) else None) or ""
    if found != env.get(export.FILE, ""):
        return True
    if not found:
        return False
    if _mtime_ns(found) != _mtime_ns(env.get(export.STAMP, "")):
        return True
    if _mtime_ns(env.get(export.TRUST, "")) != _mtime_ns(env.get(export.TSTAMP, "")):
        return True
    keys_for = env.get(export.KEYS)
    if keys_for and export.profile_in_effect(env)[0] != keys_for:
        return True
    renew = "".join(c for c in env.get(export.RENEW_AT, "") if c.isdigit())
    return bool(env.get(export.RENEW_AT)) and time.time() >= int(renew or 0)


def main(argv) -> int:
    """Entry for `ssoenv hook [SHELL]`; raises SsoenvError for the caller to report."""
    from ssoenv import shells

    name = argv[0] if argv else shells.detect()
    out = text(name)
    sys.stdout.buffer.write(out.encode("utf-8", "surrogateescape"))
    sys.stdout.flush()
    return 0
