"""fish: its own single quotes (backslash escapes `\\` and `'`), `set -gx` and `set -e`."""

from ssoenv.shells.base import Shell


class Fish(Shell):
    name = "fish"
    hook_file = "ssoenv.fish"

    def quote(self, value: str) -> str:
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def export(self, name: str, value: str) -> str:
        return "set -gx %s %s;\n" % (name, self.quote(value))

    def unset(self, name: str) -> str:
        return "set -e -g %s;\n" % name

    def first_statements(self, said: str, statements: str) -> str:
        # A fish reads config.fish for scripts too; there the hook does nothing at all.
        if not said + statements:
            return ""
        return "if status is-interactive\n" + said + statements + "end\n"
