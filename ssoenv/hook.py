"""`ssoenv hook SHELL`: the shell's hook script, followed by the first export for the
current directory, so that a new shell in a project starts no second process."""

import os
import sys

from ssoenv import locate, paths, shells
from ssoenv.errors import SsoenvError
from ssoenv.safetext import escape


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
    from ssoenv import export  # start-up: see above

    try:
        if not export.prompt_would_export(os.environ):
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
    if said and shell.name == "zsh":
        # Under powerlevel10k's instant prompt, output before its first real prompt shows as
        # a warning: the messages wait for the line editor to start under that prompt, and
        # print above it.
        said = (
            "_ssoenv_say() {\n%s}\n"
            "_ssoenv_say_later() {\n"
            "\\builtin zle -I\n_ssoenv_say\n"
            "add-zle-hook-widget -d line-init _ssoenv_say_later\n"
            "\\builtin unfunction _ssoenv_say _ssoenv_say_later\n}\n"
            "if (( ${+__p9k_instant_prompt_active} )) && [[ -o zle ]] &&\n"
            "  \\builtin autoload -Uz add-zle-hook-widget 2>/dev/null; then\n"
            "add-zle-hook-widget line-init _ssoenv_say_later\nelse\n"
            "_ssoenv_say\n\\builtin unfunction _ssoenv_say _ssoenv_say_later\nfi\n" % said
        )
    if said:
        said = "if %s; then\n%sfi\n" % (interactive, said)
    return said + statements


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
