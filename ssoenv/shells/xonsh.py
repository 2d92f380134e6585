"""xonsh: Python statements on `__xonsh__.env`, each value a Python string literal."""

from ssoenv.shells.base import Shell


class Xonsh(Shell):
    name = "xonsh"
    hook_file = "ssoenv.xsh"

    def quote(self, value: str) -> str:
        # A Python literal: repr() writes every character back exactly, escapes included.
        return repr(value)

    def export(self, name: str, value: str) -> str:
        return "__xonsh__.env[%r] = %s\n" % (name, self.quote(value))

    def unset(self, name: str) -> str:
        # A statement: xonsh would print the value of an expression such as pop().
        return "if %r in __xonsh__.env: del __xonsh__.env[%r]\n" % (name, name)

    def say(self, line: str) -> str:
        return "__import__('sys').stderr.write(%s)\n" % self.quote(line + "\n")

    def loaded(self, text: str) -> str:
        # The hook and its first statements are plain Python: one line has CPython compile
        # them, in the namespace `execx` runs it in. xonsh's own parser took 70 ms of each
        # new shell for them. The builtins are named through their module, so that a
        # function of the user's called exec or compile does not take their place.
        return "__import__('builtins').exec(__import__('builtins').compile(%r, %r, 'exec'))\n" % (
            text,
            "ssoenv hook xonsh",
        )

    def first_statements(self, said: str, statements: str) -> str:
        if not said + statements:
            return ""
        # ~/.xonshrc may be read by a script too: only the interactive xonsh applies them.
        body = "".join("    " + line + "\n" for line in (said + statements).split("\n") if line)
        return "if __xonsh__.env.get('XONSH_INTERACTIVE'):\n" + body
