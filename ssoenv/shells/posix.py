"""bash and zsh: POSIX single quotes, `export` and `unset`."""

from ssoenv.shells.base import Shell


class Posix(Shell):
    def quote(self, value: str) -> str:
        # Inside single quotes nothing is special but the quote itself.
        return "'" + value.replace("'", "'\\''") + "'"

    def export(self, name: str, value: str) -> str:
        return "export %s=%s;\n" % (name, self.quote(value))

    def unset(self, name: str) -> str:
        return "unset %s;\n" % name


class Bash(Posix):
    name = "bash"
    hook_file = "ssoenv.bash"
    interactive = "[[ $- == *i* ]] && ((BASH_SUBSHELL == 0))"


class Zsh(Posix):
    name = "zsh"
    hook_file = "ssoenv.zsh"
    interactive = "[[ -o interactive ]] && (( ! ZSH_SUBSHELL ))"
