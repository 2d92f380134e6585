"""Drive real interactive shells (bash, zsh, fish, tcsh, elvish, xonsh) through a
pseudo-terminal, with ssoenv's hook."""

import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
import uuid

import allowing
import pexpect

SHELLS = ("bash", "zsh", "fish")
# The shells with a hook that bash, zsh and fish's whole live suite does not run: each gets
# the tests of tests/test_shells_live.py that NEW_SHELLS names.
NEW_SHELLS = ("tcsh", "elvish", "xonsh")

AWS_CONFIG = textwrap.dedent(
    """\
    [sso-session myorg]
    sso_start_url = https://myorg.awsapps.com/start
    sso_region = eu-west-1
    sso_registration_scopes = sso:account:access

    [profile dev]
    sso_session = myorg
    sso_account_id = 111111111111
    sso_role_name = Developer
    region = eu-west-1

    [profile prod]
    sso_session = myorg
    sso_account_id = 222222222222
    sso_role_name = ReadOnly
    """
)


def ssoenv_executable() -> str:
    """The installed console script (what users' hooks run)."""
    import sysconfig

    path = os.path.join(sysconfig.get_path("scripts"), "ssoenv")
    if not os.access(path, os.X_OK):
        raise RuntimeError("ssoenv is not installed; run: pip install -e '.[test]'")
    return path


def require_shell(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        # Never a skip: CI installs every shell, so a missing one is a failure to see.
        raise RuntimeError("%s is not installed; .ci/run installs it with apt-get" % name)
    return path


class Sandbox:
    """A HOME with an AWS config and project directories, isolated from the machine's."""

    def __init__(self, root):
        self.root = str(root)
        self.home = os.path.join(self.root, "home")
        os.makedirs(os.path.join(self.home, ".aws"), exist_ok=True)
        self.write(".aws/config", AWS_CONFIG)

    def path(self, rel: str) -> str:
        return os.path.join(self.home, rel)

    def write(self, rel: str, text: str) -> str:
        path = self.path(rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def project(self, rel: str, text: str, allow: bool = True) -> str:
        """A directory holding a `.ssoenv` with `text`, allowed unless told otherwise."""
        directory = self.path(rel)
        os.makedirs(os.path.join(directory, "sub", "deeper"), exist_ok=True)
        self.write(os.path.join(rel, ".ssoenv"), text)
        if allow:
            allowing.allow(self.env(), directory)
        return directory

    def env(self) -> dict:
        env = {
            "HOME": self.home,
            "PATH": os.path.dirname(ssoenv_executable()) + ":/usr/local/bin:/usr/bin:/bin",
            "TERM": "dumb",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "USER": os.environ.get("USER", "root"),
        }
        return env

    def ssoenv(self, *args, check=True):
        result = subprocess.run(
            [ssoenv_executable(), *args],
            env=self.env(),
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if check and result.returncode != 0:
            raise AssertionError("ssoenv %s failed: %s" % (" ".join(args), result.stderr))
        return result


class ShellDied(AssertionError):
    """The interactive shell under test ended where a prompt was awaited."""


class LiveShell:
    """One interactive shell. `run` types a command line and waits for the next prompt;
    `get` reads a variable exactly, through the shell's own builtins."""

    def __init__(self, name: str, sandbox: Sandbox, *, prefix=(), extra_env=None, setup=()):
        self.name = name
        self.sandbox = sandbox
        self.marker = "@@" + uuid.uuid4().hex[:8] + "@@"
        self.dump = os.path.join(sandbox.root, "dump-" + uuid.uuid4().hex[:8])
        env = sandbox.env()
        env.update(extra_env or {})
        exe = require_shell(name)
        argv = {
            "bash": [exe, "--noprofile", "--norc", "-i"],
            "zsh": [exe, "--no-rcs", "--no-globalrcs", "-i"],
            "fish": [exe, "--no-config", "-i"],
            "tcsh": [exe, "-f", "-i"],
            "elvish": [exe, "-norc", "-i"],
            "xonsh": [exe, "--no-rc", "-i", "--shell-type", "readline"],
        }[name]
        argv = list(prefix) + argv
        self.child = pexpect.spawn(
            argv[0],
            argv[1:],
            env=env,
            cwd=sandbox.home,
            encoding="utf-8",
            codec_errors="replace",
            timeout=30,
            dimensions=(50, 400),
        )
        # Each line waits for the prompt before it, never for a pause before typing.
        self.child.delaybeforesend = None
        self.output = ""
        self.reader = False  # elvish's __t_get, once defined
        # A command line that does nothing and starts no process.
        self.noop = {"tcsh": ":", "elvish": "nop", "xonsh": "pass"}.get(name, "true")
        half = len(self.marker) // 2
        a, b = self.marker[:half], self.marker[half:]
        # fish repaints the prompt while a line is typed, so its prompt also shows how many
        # commands have run: a prompt counts only once the command sent has run.
        self.count = None
        if name == "elvish":
            # elvish also repaints its prompt while a line is typed: count as for fish. It
            # rewrites only what changed in it, so the prompt starts with x or y in turn.
            self._send(
                "var __t_n = 0; set edit:after-command = [$@edit:after-command {|_| set __t_n = (+ $__t_n 1) }]; "
                "set edit:rprompt = { }; "
                "set edit:prompt = { print [x y][(%% $__t_n 2)](to-string $__t_n)'%s'; print '%s'\"\\n\" }"
                % (a, b)
            )
        elif name == "xonsh":
            # Each line the tests type keeps its value (`__t_r = ...`): xonsh would show a
            # value in colour, and in a new HOME that first builds pygments' cache (half a
            # second of each session), which a user's xonsh has long since built.
            self._send(
                "__t_n = [0]; __t_r = events.on_postcommand(lambda **kw: "
                "__t_n.append(__t_n.pop() + 1)); "
                "$PROMPT = lambda: '%s' '%s' + str(__t_n[0]) + '\\n'; $RIGHT_PROMPT = ''; "
                "$BOTTOM_TOOLBAR = ''; $TITLE = ''" % (a, b)
            )
        elif name == "tcsh":
            self._send("unset edit ; set prompt = '%s''%s' ; set prompt2 = ''" % (a, b))
        elif name == "fish":
            self._send(
                "set -g __t_n 0; function __t_post --on-event fish_postexec; "
                "set -g __t_n (math $__t_n + 1); end; "
                "function fish_prompt; printf '%%s%%s%%s\\n' '%s' '%s' $__t_n; end" % (a, b)
            )
        elif name == "bash":
            self._send("PS1='%s''%s'$'\\n'; PS2=''" % (a, b))
        else:
            self._send("PS1='%s''%s'$'\\n'; PS2=''; unsetopt zle prompt_cr prompt_sp" % (a, b))
        self._wait()
        for line in setup:
            self.run(line)

    def _send(self, line: str) -> None:
        if self.name == "elvish":
            # elvish highlights the whole line again at each key typed, which costs a long
            # line a tenth of a second: the line is pasted (bracketed paste), then entered.
            self.child.send("\x1b[200~" + line + "\x1b[201~\r")
        else:
            self.child.sendline(line)

    def _wait(self) -> str:
        try:
            return self._wait_for_prompt()
        except pexpect.EOF:
            raise ShellDied(self._death()) from None

    def _death(self) -> str:
        """How the shell ended, and the last of what it printed: a shell must never exit
        under the user, so a test that sees it end says as much as can be known."""
        tail = (self.output + (self.child.before or ""))[-1500:]
        try:
            self.child.close(force=False)
        except pexpect.ExceptionPexpect:  # its terminal is gone but it runs on
            self.child.close(force=True)
            return "%s closed its terminal and ran on; its last output:\n%s" % (self.name, tail)
        if self.child.signalstatus is not None:
            how = "killed by signal %d" % self.child.signalstatus
        else:
            how = "exit status %s" % self.child.exitstatus
        return "%s ended (%s); its last output:\n%s" % (self.name, how, tail)

    def _wait_for_prompt(self) -> str:
        if self.name not in ("fish", "elvish", "xonsh"):
            self.child.expect_exact(self.marker)
            text = self.child.before
        else:
            text = ""
            pattern = re.escape(self.marker) + r"(\d+)"
            if self.name == "elvish":
                half = len(self.marker) // 2
                pattern = "[xy]" + r"(\d+)" + re.escape(self.marker[:half])
                pattern += re.escape(self.marker[half:])
            while True:
                self.child.expect(pattern)
                text += self.child.before
                seen = int(self.child.match.group(1))
                if self.count is None or seen > self.count:
                    self.count = seen
                    break
                # A repaint of the previous prompt: what came before is echo. elvish also
                # shows the previous prompt until the new one is ready: keep what it printed.
                if self.name != "elvish":
                    text = ""
        self.output += text
        return text

    def run(self, line: str) -> str:
        """Type `line`, wait for the next prompt, and return what was printed (the
        hook's messages included)."""
        self._send(line)
        return self._wait()

    def hook(self) -> str:
        return self.load("%s hook %s" % (ssoenv_executable(), self.name))

    def load(self, command: str) -> str:
        """Run what `command` prints, as the shell's rc-file line for the hook does."""
        line = {
            "fish": "%s | source",
            "tcsh": 'eval "`%s`"',
            "elvish": "eval (%s | slurp)",
            "xonsh": "execx($(%s))",
        }.get(self.name, 'eval "$(%s)"')
        return self.run(line % command)

    def get(self, name: str):
        """The variable's value, or None when unset — read with builtins, byte-exact."""
        flag, value = self.dump + ".set", self.dump + ".val"
        if self.name == "tcsh":
            # printenv prints the value and a line break, and nothing at all when unset.
            self.run("printenv %s >! %s" % (name, value))
            with open(value, "rb") as f:
                raw = f.read().decode("utf-8", "surrogateescape")
            return raw[:-1] if raw else None
        if self.name == "elvish":
            if not self.reader:
                # Typed once: elvish draws its line again at each character it reads, so a
                # long line typed for every read would cost tens of milliseconds each time.
                self.run(
                    "fn __t_get {|n| if (has-env $n) { print set > %s; print (get-env $n) > %s "
                    "} else { print '' > %s; print '' > %s } }" % (flag, value, flag, value)
                )
                self.reader = True
            self.run("__t_get %s" % name)
        elif self.name == "xonsh":
            # What xonsh passes to the commands it runs.
            self.run(
                "__t_e = __xonsh__.env.detype(); __t_r = open(%r, 'w').write('set' if %r in "
                "__t_e else ''); __t_r = open(%r, 'wb').write(__t_e.get(%r, '').encode('utf-8', "
                "'surrogateescape'))" % (flag, name, value, name)
            )
        elif self.name == "fish":
            self.run(
                "if set -q %s; builtin printf set > %s; else; builtin printf '' > %s; end; "
                "builtin printf '%%s' \"$%s\" > %s" % (name, flag, flag, name, value)
            )
        else:
            self.run(
                "builtin printf '%%s' \"${%s+set}\" > %s; builtin printf '%%s' \"${%s-}\" > %s"
                % (name, flag, name, value)
            )
        with open(flag, encoding="utf-8") as f:
            is_set = f.read() == "set"
        with open(value, "rb") as f:
            raw = f.read().decode("utf-8", "surrogateescape")
        return raw if is_set else None

    def status(self, command: str) -> str:
        """Run `command` and read back `$?` as the next prompt sees it: xonsh's is the return
        code of `_`, the last command it ran (elvish has none: a failure is an exception)."""
        self.run(command)
        if self.name == "tcsh":
            self.run("echo $status >! %s" % (self.dump + ".rc"))
        elif self.name == "xonsh":
            self.run("__t_r = open(%r, 'w').write(str(_.rtn))" % (self.dump + ".rc"))
        else:
            var = "$status" if self.name == "fish" else "$?"
            self.run("builtin printf '%%s' %s > %s" % (var, self.dump + ".rc"))
        with open(self.dump + ".rc") as f:
            return f.read().strip()

    def close(self) -> None:
        try:
            self.child.sendline("exit")
            self.child.expect(pexpect.EOF, timeout=5)
        except (pexpect.TIMEOUT, pexpect.EOF, OSError):
            pass
        else:
            # The shell has closed its terminal and is exiting: wait for that, rather than
            # the tenth of a second pexpect sleeps on every close before it looks.
            deadline = time.monotonic() + 2
            while self.child.isalive() and time.monotonic() < deadline:
                time.sleep(0.005)
        # Whatever still runs is ended by pexpect's signals, as before.
        self.child.ptyproc.delayafterclose = 0
        self.child.close(force=True)


def python() -> str:
    return sys.executable


def bash_preexec() -> str:
    """The bash-preexec the tests load: the original when SSOENV_TEST_BASH_PREEXEC names its
    bash-preexec.sh, else the stand-in beside this file (what CI runs)."""
    path = os.environ.get("SSOENV_TEST_BASH_PREEXEC")
    if path:
        if not os.path.isfile(path):
            raise RuntimeError("SSOENV_TEST_BASH_PREEXEC=%s is not a file" % path)
        return os.path.abspath(path)
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "bash_preexec_standin.bash")
