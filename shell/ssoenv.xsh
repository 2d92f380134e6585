# ssoenv hook for xonsh. Load it from ~/.xonshrc with:  execx($(ssoenv hook xonsh))
#
# Before every prompt and on every directory change this finds the nearest .ssoenv and
# compares file times in xonsh itself, as the other shells' hooks do with their builtins,
# and runs `ssoenv export xonsh` only when that file, its trust or the AWS files changed.
# It loads nothing but the standard library's os, signal, subprocess and time: ssoenv's
# own modules (YAML, boto3) load in the export's process only. It is plain Python, with
# no xonsh syntax: `ssoenv hook xonsh` prints it inside one line that has Python compile it.


def _ssoenv_define():
    import os
    import signal
    import subprocess
    import time

    python = @PYTHON@
    launcher = @LAUNCHER@
    search = @PATHS@
    executable = @SSOENV@
    # What direnv had applied at the last export, and the .ssoenv a missing ssoenv was
    # last reported for.
    state = {"direnv": __xonsh__.env.get("DIRENV_DIFF", ""), "missing": None}

    def mtime(path):
        try:
            return os.stat(path).st_mtime_ns if path else None
        except OSError:
            return None

    def nearest(cwd):
        # A deleted current directory counts as no project: leave whatever was loaded.
        if not cwd or not os.path.isdir(cwd):
            return ""
        d = cwd.rstrip("/")
        while True:
            if os.path.lexists(d + "/.ssoenv"):
                return d + "/.ssoenv"
            if not d:
                return ""
            d = d.rpartition("/")[0]

    def due(env, found):
        if found != env.get("SSOENV_FILE", ""):
            return True
        if not found:
            # No project: nothing to do, unless direnv changed a variable ssoenv watches.
            return bool(env.get("SSOENV_DIRENV")) and env.get("DIRENV_DIFF", "") != state["direnv"]
        # Unchanged: the .ssoenv, the trust records, what direnv applied, the AWS files.
        if mtime(found) != mtime(env.get("SSOENV_STAMP")):
            return True
        if mtime(env.get("SSOENV_TRUST")) != mtime(env.get("SSOENV_TSTAMP")):
            return True
        if env.get("DIRENV_DIFF", "") != state["direnv"]:
            return True
        stamp = mtime(env.get("SSOENV_WSTAMP"))
        for path in env.get("SSOENV_WATCH", "").split("\n"):
            seen = mtime(path)
            if seen is not None and (stamp is None or seen > stamp):
                return True
        # Exported role credentials are renewed once their time comes.
        renew = "".join(c for c in env.get("SSOENV_RENEW_AT", "") if c.isdigit())
        return bool(renew) and time.time() >= int(renew)

    def _ssoenv_hook(**_):
        env = __xonsh__.env
        # A script that reads ~/.xonshrc gets nothing from the hook.
        if not env.get("XONSH_INTERACTIVE"):
            return
        found = nearest(env.get("PWD", ""))
        if not due(env, found):
            return
        if not (os.access(python, os.X_OK) and os.path.isfile(launcher)):
            if state["missing"] != found:
                state["missing"] = found
                print(
                    "ssoenv: cannot run ssoenv (installed as %s); reinstall it or remove "
                    "its hook from ~/.xonshrc" % executable,
                    file=__import__("sys").stderr,
                )
            return
        state["missing"] = None
        # Ctrl-C belongs to the export while it runs (it skips a `login: auto` sign-in), so
        # that xonsh still applies what it prints.
        try:
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        except ValueError:  # not the main thread
            previous = None
        try:
            out = subprocess.run(
                [python, "-IS", launcher, search, "xonsh"],
                stdout=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                env=env.detype(),
            ).stdout
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
        exec(out.decode("utf-8", "surrogateescape"), {"__xonsh__": __xonsh__})
        state["direnv"] = env.get("DIRENV_DIFF", "")

    # Sourcing this twice installs the hook once. xonsh formats the prompt before it fires
    # on_pre_prompt: the hook runs on on_pre_prompt_format, so that the prompt shows what
    # is in effect.
    for event in (events.on_pre_prompt, events.on_pre_prompt_format, events.on_chdir):
        for handler in list(event):
            if getattr(handler, "__name__", "") == "_ssoenv_hook":
                event.discard(handler)
    for event in (events.on_pre_prompt_format, events.on_chdir):
        event(_ssoenv_hook)
    # Tells `ssoenv doctor` which shell process has the hook.
    __xonsh__.env["SSOENV_HOOK"] = "xonsh %d" % os.getpid()


_ssoenv_define()
del _ssoenv_define
