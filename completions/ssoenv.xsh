# ssoenv tab completion for xonsh. Load it from ~/.xonshrc with:
#   execx($(ssoenv completion xonsh))
#
# Each TAB runs `ssoenv __complete xonsh INDEX WORD...`, which answers with what to offer;
# for files (allow, deny) and after `exec`, xonsh's own completers answer.


def _ssoenv_define_completer():
    import subprocess

    from xonsh.completers.completer import add_one_completer
    from xonsh.completers.tools import RichCompletion, contextual_command_completer_for

    @contextual_command_completer_for("ssoenv")
    def _ssoenv_complete(context):
        words = [arg.value for arg in context.args[: context.arg_index]] + [context.prefix]
        try:
            out = subprocess.run(
                ["ssoenv", "__complete", "xonsh", str(context.arg_index), *words],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL,
                env=__xonsh__.env.detype(),
                text=True,
            ).stdout.splitlines()
        except OSError:
            return None
        if not out or out[0] != "words":
            return None
        found = set()
        for line in out[1:]:
            value, _, description = line.partition("\t")
            # xonsh keeps what a completer returns: only those that fit what is typed.
            if value.startswith(context.prefix):
                found.add(RichCompletion(value, description=description, append_space=True))
        return found

    add_one_completer("ssoenv", _ssoenv_complete, "start")


_ssoenv_define_completer()
del _ssoenv_define_completer
