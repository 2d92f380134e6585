"""The shells ssoenv speaks: how each quotes, sets and unsets variables, and its hook.

They may use the base only; the prompt path and the commands use them."""

from ssoenv.base.errors import UsageError

# name -> "module:Class"; imported on use so the export path loads one small module.
REGISTRY = {
    "bash": "ssoenv.shells.posix:Bash",
    "zsh": "ssoenv.shells.posix:Zsh",
    "fish": "ssoenv.shells.fish:Fish",
    "json": "ssoenv.shells.jsonshell:Json",
    "direnv": "ssoenv.shells.direnv:Direnv",
    "tcsh": "ssoenv.shells.tcsh:Tcsh",
    "elvish": "ssoenv.shells.elvish:Elvish",
    "xonsh": "ssoenv.shells.xonsh:Xonsh",
}
# `ssoenv hook NAME` takes these, `ssoenv export NAME` those. direnv has a hook only: a
# library defining `use ssoenv`, which applies bash statements.
HOOK_SHELLS = ("bash", "zsh", "fish", "tcsh", "elvish", "xonsh", "direnv")
EXPORT_SHELLS = ("bash", "zsh", "fish", "tcsh", "elvish", "xonsh", "json")


def get(name: str, *, hook: bool = False):
    names = HOOK_SHELLS if hook else EXPORT_SHELLS
    if name not in names:
        raise UsageError('unsupported shell "%s"; supported: %s' % (name, ", ".join(names)))
    module_name, _, class_name = REGISTRY[name].partition(":")
    import importlib

    return getattr(importlib.import_module(module_name), class_name)()


def detect() -> str:
    """The shell ssoenv runs under, via shellingham; UsageError when it is unsupported."""
    retitled = _retitled_parent()
    if retitled:
        return retitled
    import shellingham

    try:
        name, _ = shellingham.detect_shell()
    except shellingham.ShellDetectionFailure:
        raise UsageError(
            "cannot detect your shell; name it: ssoenv hook bash|zsh|fish|tcsh|elvish|xonsh"
        ) from None
    return name


def _retitled_parent():
    """The parent shell's name when it rewrote its command line into one string (xonsh does,
    as "xonsh --no-rc -i"), which shellingham passes over for the shell above it."""
    import os

    try:
        with open("/proc/%d/cmdline" % os.getppid(), "rb") as f:
            first = f.read().split(b"\0")[0].decode("utf-8", "replace")
    except OSError:
        return None
    words = first.split()
    if len(words) < 2:
        return None
    name = os.path.basename(words[0])
    return name if name in HOOK_SHELLS and name != "direnv" else None
