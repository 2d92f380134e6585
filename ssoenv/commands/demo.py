"""`ssoenv demo`: the whole job in a throwaway HOME, against a local Identity Center.

A person on a fresh machine, with no AWS account, sees what ssoenv does: a login approved
in a (scripted) browser, a real interactive bash whose hook switches AWS_PROFILE on `cd`,
and boto3 resolving role credentials from that login. Nothing outside the temporary
directory is read or written, and nothing is left running afterwards.
"""

import glob
import os
import pty
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import List, Optional

from ssoenv.base import launch
from ssoenv.base.errors import SsoenvError
from ssoenv.emulator import Emulator

STEPS = 5
SESSION = "demo"
START_URL = "https://demo-org.awsapps.com/start"
SSO_REGION = "eu-west-1"

ACCOUNTS = [
    {
        "accountId": "111111111111",
        "accountName": "shop-dev",
        "emailAddress": "shop-dev@example.com",
        "roles": ["Developer", "ReadOnly"],
    },
    {
        "accountId": "222222222222",
        "accountName": "shop-prod",
        "emailAddress": "shop-prod@example.com",
        "roles": ["ReadOnly"],
    },
    {
        "accountId": "333333333333",
        "accountName": "sandbox",
        "emailAddress": "sandbox@example.com",
        "roles": ["Admin"],
    },
]

# profile name -> (account id, role, region)
PROFILES = {
    "sandbox": ("333333333333", "Admin", "eu-west-1"),
    "shop-dev": ("111111111111", "Developer", "eu-west-1"),
    "shop-prod": ("222222222222", "ReadOnly", "us-east-1"),
}

# project directory (under ~/projects) -> .ssoenv content
PROJECTS = {
    "shop-web": "profile: shop-dev\n",
    "shop-infra": "profile: shop-prod\nregion: us-east-1\n",
}

# The shell starts with this profile, so leaving a project visibly puts it back.
STARTING_PROFILE = "sandbox"

BROWSER_SCRIPT = """\
#!{python} -I
# The demo's browser: it returns at once (Python's webbrowser waits for it) and fetches
# the URL, following redirects, in a detached child -- the user clicking "Allow". ssoenv
# gives a browser a private local page that sends it on: it follows the page's meta
# refresh, as a browser does.
import html.parser, os, sys, urllib.parse, urllib.request
url = sys.argv[-1]
if url.startswith("file://"):
    class Page(html.parser.HTMLParser):
        target = None
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
                self.target = (attrs.get("content") or "").split("url=", 1)[-1]
    page = Page()
    with open(urllib.parse.unquote(url[len("file://"):]), encoding="utf-8") as f:
        page.feed(f.read())
    url = page.target or url
with open({log!r}, "a") as f:
    f.write(url + "\\n")
if os.fork() == 0:
    os.setsid()
    with open({pids!r}, "a") as f:
        f.write("%d\\n" % os.getpid())
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({{}}))
        opener.open(url, timeout=15).read()
    except Exception:
        pass
    os._exit(0)
"""

# What a user would run in a project to see which credentials the AWS tools get.
CREDENTIALS_COMMAND = (
    "python -c 'import boto3; s = boto3.Session(); "
    "c = s.get_credentials().get_frozen_credentials(); "
    'print("boto3: profile", s.profile_name, "access key", c.access_key[:4] + "..." + '
    "c.access_key[-4:])'"
)
CREDENTIALS_LINE = re.compile(r"boto3: profile (\S+) access key (ASIA)\.\.\.([A-Z2-7]{4})\b")
SHOW_PROFILE = 'echo "AWS_PROFILE=${AWS_PROFILE-(unset)} AWS_REGION=${AWS_REGION-(unset)}"'

PROMPT = "__ssoenv_demo_prompt__"
COMMAND_TIMEOUT = 60.0
LOGIN_TIMEOUT = 60.0

# Variables from the user's shell that would change what the demo's bash or ssoenv does.
DROPPED_VARIABLES = (
    "PROMPT_COMMAND",
    "BASH_ENV",
    "ENV",
    "CDPATH",
    "PS1",
    "PS2",
    "PS4",
    "HISTFILE",
    "INPUTRC",
    "BROWSER",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "SSH_CONNECTION",
    "SSH_TTY",
    "SHELLOPTS",
    "BASHOPTS",
    "POSIXLY_CORRECT",
    "TMOUT",
    "IGNOREEOF",
    "__bp_imported",
    "bash_preexec_imported",
)


class DemoError(SsoenvError):
    def __init__(self, step: int, message: str):
        super().__init__("demo failed at step %d: %s" % (step, message))
        self.step = step


def ssoenv_command() -> List[str]:
    """This very ssoenv, also when it is imported from a checkout, as `python -m ssoenv`
    isolated from the directory it runs in and from PYTHON* variables."""

    return launch.command("ssoenv")


def clean_environment(base: dict, home: str, emulator_url: str, bin_dir: str) -> dict:
    """The environment of every process the demo starts: the temporary HOME, nothing of
    the user's AWS or ssoenv settings, and the SSO endpoints pointing at the emulator."""
    env = {
        name: value
        for name, value in base.items()
        if not name.startswith(("AWS_", "SSOENV_", "XDG_", "BASH_FUNC_", "PYTHON"))
        and name not in DROPPED_VARIABLES
    }
    no_proxy = [p for p in (base.get("NO_PROXY") or base.get("no_proxy") or "").split(",") if p]
    env.update(
        HOME=home,
        XDG_CONFIG_HOME=os.path.join(home, ".config"),
        XDG_DATA_HOME=os.path.join(home, ".local", "share"),
        XDG_CACHE_HOME=os.path.join(home, ".cache"),
        XDG_STATE_HOME=os.path.join(home, ".local", "state"),
        AWS_CONFIG_FILE=os.path.join(home, ".aws", "config"),
        AWS_SHARED_CREDENTIALS_FILE=os.path.join(home, ".aws", "credentials"),
        AWS_ENDPOINT_URL_SSO_OIDC=emulator_url,
        AWS_ENDPOINT_URL_SSO=emulator_url,
        AWS_EC2_METADATA_DISABLED="true",
        NO_PROXY=",".join(no_proxy + ["127.0.0.1", "localhost"]),
        PATH=bin_dir + os.pathsep + base.get("PATH", os.defpath),
        HISTFILE="",
        TERM="dumb",
        PS1=PROMPT + "\n",
        PS2="",
    )
    env["no_proxy"] = env["NO_PROXY"]
    return env


def aws_config() -> str:
    lines = [
        "[sso-session %s]" % SESSION,
        "sso_start_url = %s" % START_URL,
        "sso_region = %s" % SSO_REGION,
        "sso_registration_scopes = sso:account:access",
    ]
    for name, (account, role, region) in PROFILES.items():
        lines += [
            "",
            "[profile %s]" % name,
            "sso_session = %s" % SESSION,
            "sso_account_id = %s" % account,
            "sso_role_name = %s" % role,
            "region = %s" % region,
        ]
    return "\n".join(lines) + "\n"


class Demo:
    def __init__(self, out=None, keep: bool = False):
        self.out = sys.stdout if out is None else out
        self.keep = keep
        self.step = 0
        self.emulator = None
        self.root: Optional[str] = None
        self.home = ""
        self.env: dict = {}
        self.ssoenv = ssoenv_command()
        self.bash: Optional[_Bash] = None

    # -- output --------------------------------------------------------------------------
    def say(self, text: str = "") -> None:
        if self.out is None:
            return
        try:
            self.out.write(self._redact(text) + "\n")
            self.out.flush()
        except OSError:
            # The reader went away (`ssoenv demo | head`): finish quietly, so the clean-up
            # still runs, and keep Python from complaining at exit.
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), self.out.fileno())
            except (OSError, ValueError, AttributeError):
                pass
            self.out = None

    def show(self, text: str, indent: str = "    ") -> None:
        for line in text.rstrip("\n").splitlines():
            self.say(indent + line if line else "")

    def begin(self, step: int, title: str) -> None:
        self.step = step
        self.say("")
        self.say("[%d/%d] %s" % (step, STEPS, title))

    def fail(self, message: str) -> DemoError:
        return DemoError(self.step, message)

    def _redact(self, text: str) -> str:
        # Belt and braces: whatever a step prints, the emulator's secrets never show.
        emu = self.emulator
        if emu is None:
            return text
        with emu.lock:
            found = list(emu.access_tokens) + list(emu.refresh_tokens)
            found += [c.get("secret", "") for c in emu.clients.values()]
            for creds in emu.issued_credentials:
                found += [creds["accessKeyId"], creds["secretAccessKey"], creds["sessionToken"]]
        for secret in found:
            if secret and secret in text:
                text = text.replace(secret, "<redacted>")
        return text

    # -- the run ---------------------------------------------------------------------------
    def run(self) -> None:
        previous = {}
        for signum in (signal.SIGTERM, signal.SIGHUP):
            try:
                previous[signum] = signal.signal(signum, _raise_interrupt)
            except (ValueError, OSError):  # not the main thread, or no such signal
                pass
        started = time.monotonic()
        finished = False
        try:
            self.start_emulator()
            self.make_home()
            self.log_in()
            self.shell_session()
            finished = True
        except OSError as e:
            raise self.fail(str(e)) from None
        except KeyboardInterrupt:
            self.say("")
            self.say("Interrupted at step %d." % self.step)
            raise
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            self.clean_up(finished)
        self.say("")
        self.say("Done in %.1f seconds. To use ssoenv for real:" % (time.monotonic() - started))
        self.say('    add  eval "$(ssoenv hook bash)"  to ~/.bashrc (zsh: the same with zsh;')
        self.say("    fish: status is-interactive; and ssoenv hook fish | source),")
        self.say("    then in a project: ssoenv init PROFILE")

    def start_emulator(self) -> None:
        self.begin(1, "Starting a local IAM Identity Center on 127.0.0.1")
        try:
            self.emulator = Emulator(accounts=ACCOUNTS, approval="browser").start()
        except OSError as e:
            raise self.fail("cannot listen on 127.0.0.1: %s" % e) from None
        self.say("    %s  (sign-ins wait for the browser, as with AWS)" % self.emulator.url)
        for account in ACCOUNTS:
            self.say(
                "    account %s  %-10s roles: %s"
                % (account["accountId"], account["accountName"], ", ".join(account["roles"]))
            )

    def make_home(self) -> None:
        self.begin(2, "Making a throwaway HOME (your own ~/.aws is never read or touched)")
        self.root = os.path.realpath(tempfile.mkdtemp(prefix="ssoenv-demo-"))
        self.home = os.path.join(self.root, "home")
        bin_dir = os.path.join(self.root, "bin")
        os.makedirs(os.path.join(self.home, ".aws"))
        os.makedirs(bin_dir)
        self.env = clean_environment(os.environ, self.home, self.emulator.url, bin_dir)
        self.say("    HOME=%s" % self.home)
        self.say("    (AWS_* and SSOENV_* of your shell removed; the SSO endpoints point at the")
        self.say("    emulator through AWS_ENDPOINT_URL_SSO_OIDC and AWS_ENDPOINT_URL_SSO)")

        # What the bash session types as `ssoenv` and `python`: this ssoenv, this Python.
        self._write_script(bin_dir, "ssoenv", '#!/bin/sh\nexec %s "$@"\n' % _sh(self.ssoenv))

        self._write_script(bin_dir, "python", '#!/bin/sh\nexec %s "$@"\n' % _sh(launch.python()))
        self._write_script(
            self.root,
            "browser",
            BROWSER_SCRIPT.format(
                python=sys.executable,
                log=os.path.join(self.root, "browser.log"),
                pids=os.path.join(self.root, "browser.pids"),
            ),
        )
        self.env["BROWSER"] = os.path.join(self.root, "browser")

        config = aws_config()
        with open(self.env["AWS_CONFIG_FILE"], "w") as f:
            f.write(config)
        self.say("")
        self.say("    ~/.aws/config:")
        self.show(config, indent="      ")
        for name, content in PROJECTS.items():
            project = os.path.join(self.home, "projects", name)
            os.makedirs(project)
            with open(os.path.join(project, ".ssoenv"), "w") as f:
                f.write(content)
            self.say("")
            self.say("    ~/projects/%s/.ssoenv:" % name)
            self.show(content, indent="      ")
        self.say("")
        for name in PROJECTS:
            self.run_ssoenv(["allow", os.path.join("~", "projects", name)], cwd=self.home)

    def _write_script(self, directory: str, name: str, text: str) -> None:
        path = os.path.join(directory, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o755)

    def run_ssoenv(self, args: List[str], cwd: str, timeout: float = 30.0) -> str:
        """Run ssoenv in the demo's environment, showing the command and what it says."""
        shown = ["ssoenv"] + args
        self.say("    $ " + " ".join(shlex.quote(a) if a[:1] != "~" else a for a in shown))
        args = [self.home + a[1:] if a[:1] == "~" else a for a in args]
        try:
            done = subprocess.run(
                self.ssoenv + args,
                cwd=cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            raise self.fail("ssoenv %s did not finish in %d seconds" % (args[0], timeout)) from None
        except OSError as e:
            raise self.fail("cannot run %s: %s" % (self.ssoenv[0], e)) from None
        text = done.stdout.decode("utf-8", "replace")
        self.show(text, indent="      ")
        if done.returncode != 0:
            last = text.strip().splitlines()[-1] if text.strip() else "no output"
            raise self.fail("ssoenv %s exited %d: %s" % (args[0], done.returncode, last))
        return text

    def log_in(self) -> None:
        self.begin(3, "Logging in, approved in a scripted browser as you would click 'Allow'")
        self.run_ssoenv(["login", "--sso-session", SESSION], cwd=self.home, timeout=LOGIN_TIMEOUT)
        try:
            with open(os.path.join(self.root, "browser.log")) as f:
                opened = [line.strip() for line in f if line.strip()]
        except FileNotFoundError:
            opened = []
        for url in opened:
            self.say("    (the browser opened %s?... and the user approved)" % url.split("?")[0])
        tokens = glob.glob(os.path.join(self.home, ".aws", "sso", "cache", "*.json"))
        if not tokens:
            raise self.fail("the login wrote no token to ~/.aws/sso/cache")
        for path in sorted(tokens):
            self.say("    %-20s ~/%s" % (_cache_kind(path) + ":", os.path.relpath(path, self.home)))
        self.say("    (the AWS CLI v2's own cache: the aws CLI and every SDK use this login too)")

    def shell_session(self) -> None:
        bash = shutil.which("bash", path=self.env["PATH"])
        if bash is None:
            self.begin(4, "A bash session with the hook")
            raise self.fail("bash is not installed")
        self.begin(4, "A real interactive bash on a pseudo-terminal, with the hook")
        self.say("    %s --noprofile --norc --noediting -i: the hook runs from" % bash)
        self.say("    PROMPT_COMMAND before each prompt, as in your own shell")
        self.bash = _Bash([bash, "--noprofile", "--norc", "--noediting", "-i"], self.env, self.home)
        try:
            self.bash.start(COMMAND_TIMEOUT)
            # Quiet plumbing: no echo of typed lines, no job control (one process group).
            self.bash.run("stty -echo 2>/dev/null; set +m", COMMAND_TIMEOUT)
        except _ShellError as e:
            raise self.fail("bash: %s" % e) from None

        self.type("export AWS_PROFILE=%s" % STARTING_PROFILE)
        self.type('eval "$(ssoenv hook bash)"')
        names = list(PROJECTS)
        self.type(SHOW_PROFILE, expect="AWS_PROFILE=%s " % STARTING_PROFILE)
        for name in names:
            profile = PROJECTS[name].split()[1]
            output = self.type("cd ~/projects/%s" % name)
            if "loaded ~/projects/%s/.ssoenv (profile %s" % (name, profile) not in output:
                raise self.fail("entering ~/projects/%s did not load its .ssoenv" % name)
            self.type(SHOW_PROFILE, expect="AWS_PROFILE=%s " % profile)
            self.check_credentials(self.type(CREDENTIALS_COMMAND), profile)
        output = self.type("cd ~")
        if "unloaded ~/projects/%s/.ssoenv" % names[-1] not in output:
            raise self.fail("leaving the project did not unload its .ssoenv")
        self.type(SHOW_PROFILE, expect="AWS_PROFILE=%s AWS_REGION=(unset)" % STARTING_PROFILE)
        try:
            self.bash.exit(10.0)
        except _ShellError as e:
            raise self.fail("bash: %s" % e) from None

    def type(self, line: str, expect: Optional[str] = None) -> str:
        """Type `line` at the prompt; show it and what the shell printed until the next one."""
        self.say("    $ " + line)
        try:
            output = self.bash.run(line, COMMAND_TIMEOUT)
        except _ShellError as e:
            raise self.fail("bash, at `%s`: %s" % (line, e)) from None
        self.show(output, indent="      ")
        if expect is not None and expect not in output:
            raise self.fail("expected %r after `%s`" % (expect, line))
        return output

    def check_credentials(self, output: str, profile: str) -> None:
        match = CREDENTIALS_LINE.search(output)
        if match is None or match.group(1) != profile:
            raise self.fail("boto3 resolved no SSO credentials for profile %s" % profile)
        account, role, _ = PROFILES[profile]
        with self.emulator.lock:
            issued = [
                c
                for c in self.emulator.issued_credentials
                if c["accessKeyId"].endswith(match.group(3))
                and (c["accountId"], c["roleName"]) == (account, role)
            ]
        if not issued:
            raise self.fail(
                "the key boto3 got for %s was not issued for %s/%s" % (profile, account, role)
            )
        name = next(a["accountName"] for a in ACCOUNTS if a["accountId"] == account)
        self.say(
            "      (GetRoleCredentials from the login: account %s (%s), role %s)"
            % (account, name, role)
        )

    def clean_up(self, finished: bool) -> None:
        # A second Ctrl-C must not leave a process or the directory behind.
        try:
            interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
        except ValueError:  # not the main thread
            interrupt = None
        try:
            self._clean_up(finished)
        finally:
            if interrupt is not None:
                signal.signal(signal.SIGINT, interrupt)

    def _clean_up(self, finished: bool) -> None:
        self.say("")
        self.say("[%d/%d] Cleaning up" % (STEPS, STEPS) if finished else "Cleaning up")
        if self.bash is not None:
            self.bash.kill()
            self.bash = None
        if self.root:
            _stop_browsers(os.path.join(self.root, "browser.pids"))
        if self.emulator is not None:
            self.emulator.stop()
            self.say("    emulator stopped")
        if self.root and os.path.isdir(self.root):
            if self.keep:
                self.say("    kept %s (remove it when done: rm -rf %s)" % (self.root, self.root))
                self.say("    to look around: HOME=%s bash --norc" % self.home)
            else:
                shutil.rmtree(self.root, ignore_errors=True)
                self.say("    removed %s" % self.root)


def _cache_kind(path: str) -> str:
    import json

    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return "cache file"
    return "login token" if "accessToken" in data else "client registration"


def _sh(argv: List[str]) -> str:
    return " ".join(shlex.quote(a) for a in argv)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def _stop_browsers(pid_file: str, wait: float = 5.0) -> None:
    """The scripted browser's detached fetches end with the login; make sure of it."""
    try:
        with open(pid_file) as f:
            pids = [int(line) for line in f if line.strip().isdigit()]
    except FileNotFoundError:
        return
    deadline = time.monotonic() + wait
    for pid in pids:
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _ShellError(Exception):
    pass


class _Bash:
    """An interactive bash on a pseudo-terminal, driven line by line with the stdlib alone
    (pexpect may not be installed where the demo runs)."""

    def __init__(self, argv: List[str], env: dict, cwd: str):
        self.argv = argv
        self.env = env
        self.cwd = cwd
        self.pid = 0
        self.fd = -1
        self.prompt = (PROMPT + "\n").encode()

    def start(self, timeout: float) -> str:
        pid, fd = pty.fork()
        if pid == 0:  # the child: only exec, whatever happens
            try:
                os.chdir(self.cwd)
                os.execve(self.argv[0], self.argv, self.env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        return self._read_prompt(timeout)

    def run(self, line: str, timeout: float) -> str:
        os.write(self.fd, line.encode() + b"\n")
        output = self._read_prompt(timeout)
        # Until `stty -echo` takes effect the terminal echoes the typed line.
        if output.startswith(line + "\n"):
            output = output[len(line) + 1 :]
        return output

    def _read_prompt(self, timeout: float) -> str:
        data = b""
        deadline = time.monotonic() + timeout
        while True:
            data = data.replace(b"\r\n", b"\n")
            if data.endswith(self.prompt):
                return data[: -len(self.prompt)].decode("utf-8", "replace")
            left = deadline - time.monotonic()
            if left <= 0:
                raise _ShellError("no prompt within %d seconds" % timeout)
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.5))
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                raise _ShellError("bash exited unexpectedly: %s" % data.decode("utf-8", "replace"))
            data += chunk

    def exit(self, timeout: float) -> None:
        os.write(self.fd, b"exit\n")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.pid = 0
                return
            try:  # drain, so bash never blocks writing to the terminal
                if select.select([self.fd], [], [], 0.05)[0]:
                    os.read(self.fd, 65536)
            except OSError:
                pass
        raise _ShellError("did not exit")

    def kill(self) -> None:
        if self.pid:
            for signum in (signal.SIGHUP, signal.SIGKILL):
                try:
                    os.killpg(self.pid, signum)  # bash leads its own session and group
                except OSError:
                    pass
                deadline = time.monotonic() + 2.0
                while time.monotonic() < deadline:
                    try:
                        if os.waitpid(self.pid, os.WNOHANG)[0]:
                            self.pid = 0
                            break
                    except ChildProcessError:
                        self.pid = 0
                        break
                    time.sleep(0.02)
                if not self.pid:
                    break
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def run(out=None, keep: bool = False) -> None:
    """Run the demo; raises DemoError (after cleaning up) when a step fails."""
    Demo(out=out, keep=keep).run()
