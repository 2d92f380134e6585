"""elvish: single quotes (a quote doubled), `set-env` and `unset-env`, for `eval`."""

from ssoenv.shells.base import Shell


class Elvish(Shell):
    name = "elvish"
    hook_file = "ssoenv.elv"

    def quote(self, value: str) -> str:
        # Inside single quotes nothing is special but the quote itself, written twice.
        return "'" + value.replace("'", "''") + "'"

    def export(self, name: str, value: str) -> str:
        return "set-env %s %s\n" % (name, self.quote(value))

    def unset(self, name: str) -> str:
        return "unset-env %s\n" % name

    def say(self, line: str) -> str:
        return "echo >&2 %s\n" % self.quote(line)

    def first_statements(self, said: str, statements: str) -> str:
        # rc.elv is read by the interactive elvish only. The statements run inside the hook,
        # out of reach of the user's functions; then the hook keeps what it compares at the
        # next prompt.
        code = said + statements
        return ("_ssoenv_apply %s\n" % self.quote(code) if code else "") + "_ssoenv_record\n"
