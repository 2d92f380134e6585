"""direnv: a library for `~/.config/direnv/lib/` that defines `use ssoenv`; bash quoting."""

from ssoenv.shells.posix import Bash


class Direnv(Bash):
    name = "direnv"
    hook_file = "ssoenv.direnv"
