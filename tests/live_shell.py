"""Drive real interactive bash, zsh and fish through a pseudo-terminal, with ssoenv's hook."""

import os
import re
import shutil
import subprocess
import sys
import textwrap
import uuid

import pexpect

SHELLS = ("bash", "zsh", "fish")

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
            self.ssoenv("allow", directory)
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
        self.output = ""
        half = len(self.marker) // 2
        a, b = self.marker[:half], self.marker[half:]
        # fish repaints the prompt while a line is typed, so its prompt also shows how many
        # commands have run: a prompt counts only once the command sent has run.
        self.count = None
        if name == "fish":
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
        self.child.sendline(line)

    def _wait(self) -> str:
        if self.name != "fish":
            self.child.expect_exact(self.marker)
            text = self.child.before
        else:
            text = ""
            pattern = re.escape(self.marker) + r"(\d+)"
            while True:
                self.child.expect(pattern)
                text += self.child.before
                seen = int(self.child.match.group(1))
                if self.count is None or seen > self.count:
                    self.count = seen
                    break
                text = ""  # a repaint of the previous prompt: what came before is echo
        self.output += text
        return text

    def run(self, line: str) -> str:
        """Type `line`, wait for the next prompt, and return what was printed (the
        hook's messages included)."""
        self._send(line)
        return self._wait()

    def hook(self) -> str:
        exe = ssoenv_executable()
        if self.name == "fish":
            return self.run("%s hook fish | source" % exe)
        return self.run('eval "$(%s hook %s)"' % (exe, self.name))

    def get(self, name: str):
        """The variable's value, or None when unset — read with builtins, byte-exact."""
        flag, value = self.dump + ".set", self.dump + ".val"
        if self.name == "fish":
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
        """Run `command` and read back `$?` as the next prompt sees it."""
        self.run(command)
        var = "$status" if self.name == "fish" else "$?"
        self.run("builtin printf '%%s' %s > %s" % (var, self.dump + ".rc"))
        with open(self.dump + ".rc") as f:
            return f.read()

    def close(self) -> None:
        try:
            self.child.sendline("exit")
            self.child.expect(pexpect.EOF, timeout=5)
        except (pexpect.TIMEOUT, pexpect.EOF, OSError):
            pass
        self.child.close(force=True)


def python() -> str:
    return sys.executable
