"""tcsh: `setenv`/`unsetenv` for `eval "`...`"`, whose output reaches the shell as one line.

A line break in a value cannot be written inside quotes there, so it comes from the shell
variable `_ssoenv_nl` that the hook defines; `!` is quoted against history substitution,
which tcsh makes even inside single quotes and inside `eval`."""

from ssoenv.shells.base import Shell, hook_dir, launcher, search_path


class Tcsh(Shell):
    name = "tcsh"
    hook_file = "ssoenv.tcsh"

    def quote(self, value: str) -> str:
        pieces = value.split("\n")
        out = []
        for i, piece in enumerate(pieces):
            quoted = piece.replace("'", "'\\''").replace("!", "\\!")
            # A backslash right before the line break would escape it: tcsh takes one away.
            if i < len(pieces) - 1 and piece.endswith("\\"):
                quoted += "\\"
            out.append("'" + quoted + "'")
        return '"$_ssoenv_nl:q"'.join(out)

    # `""setenv`: a quote in a command's name keeps a user's alias of it away, and tcsh
    # still runs its builtin when the name's first letter is not quoted (`\setenv` would
    # be looked for on PATH). The hook file writes its builtins the same way.
    def export(self, name: str, value: str) -> str:
        return '""setenv %s %s ;\n' % (name, self.quote(value))

    def unset(self, name: str) -> str:
        return '""unsetenv %s ;\n' % name

    def say(self, line: str) -> str:
        # printenv prints the value as it is; echo would read backslash escapes in it.
        return (
            'if ( $?prompt ) ""setenv _SSOENV_SAY %s ; if ( $?prompt ) ""printenv _SSOENV_SAY '
            '>! /dev/stderr ; ""unsetenv _SSOENV_SAY ;\n' % self.quote(line)
        )

    def hook(self, executable: str) -> str:
        """One line, as `eval` reads it: the paths the hook runs, then `source` of the hook
        file, which tcsh's `eval` cannot hold (it needs lines of its own)."""
        import os
        import sys

        options = {
            "_ssoenv_python": sys.executable,
            "_ssoenv_launcher": launcher(),
            "_ssoenv_paths": search_path(),
            "_ssoenv_exe": executable,
            "_ssoenv_src": os.path.join(hook_dir(), self.hook_file),
            # Commands named by a variable escape the user's aliases (see the hook file).
            "_ssoenv_source": "source",
            "_ssoenv_eval": "eval",
        }
        text = "".join("set %s = %s ; " % (k, self.quote(v)) for k, v in options.items())
        return text + "$_ssoenv_source $_ssoenv_src:q ;\n"

    def first_statements(self, said: str, statements: str) -> str:
        # ~/.tcshrc is read by scripts too: only the interactive shell applies anything.
        # Then the hook keeps what it compares at the next prompt.
        lines = [line + "\n" for line in statements.split("\n") if line]
        lines.append("$_ssoenv_source $_ssoenv_src:q record ;\n")
        return said + "".join("if ( $?prompt ) " + line for line in lines)
