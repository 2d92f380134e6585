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

    def first_statements(self, said: str, statements: str) -> str:
        if said:
            # Under powerlevel10k's instant prompt, output before its first real prompt shows
            # as a warning: the messages wait for the line editor to start under that prompt,
            # and print above it.
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
        return super().first_statements(said, statements)
