"""Running `ssoenv` as a user does (a fresh `python -m ssoenv` against the emulator) and
checking that nothing it prints holds a token, client secret or role key.

Test modules import it with `from sso_cli_world import *` after `from sso_fixtures import *`."""

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request

import allowing
import pytest
import zygote
from sso_fixtures import ROOT, SESSION_NAME, START_URL

from ssoenv.sso import cache

OTHER_SESSION = "other"
OTHER_START_URL = "https://other.awsapps.com/start"

# More of the user's config: a second profile of the same session, a second session, and a
# profile whose keys come from `ssoenv credential-process`.
EXTRA_CONFIG = f"""
[profile dev-admin]
sso_session = {SESSION_NAME}
sso_account_id = 111111111111
sso_role_name = Admin

[sso-session {OTHER_SESSION}]
sso_start_url = {OTHER_START_URL}
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile other-dev]
sso_session = {OTHER_SESSION}
sso_account_id = 222222222222
sso_role_name = ReadOnly

[profile viaproc]
credential_process = {sys.executable} -m ssoenv credential-process --profile dev
"""

# Keys of the cache files whose values are secrets.
SECRET_KEYS = (
    "accessToken",
    "refreshToken",
    "clientSecret",
    "SecretAccessKey",
    "SessionToken",
)


def token_path(name=SESSION_NAME, start_url=START_URL) -> str:
    return cache.token_cache_path(name, start_url)


def read_json(path):
    with open(path) as f:
        return json.load(f)


def ssoenv_lines(text: str) -> list:
    return [line for line in text.splitlines() if line.startswith("ssoenv:")]


def export_json(world, directory, env=None):
    """`ssoenv export json` in `directory` (with `env`): (changes, its `ssoenv:` lines)."""
    result = world.run("export", "json", cwd=directory, env=env, secret_stdout=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), ssoenv_lines(result.stderr)


def applied(env: dict, changes: dict) -> dict:
    """`env` after a shell applied `changes` ({name: value, or None to unset})."""
    env = dict(env)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


_held_ports = []


def closed_port() -> int:
    """A port on 127.0.0.1 that refuses connections: bound and never listening, and held for
    the rest of the run, so no server of a test running beside this one can take it."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    _held_ports.append(sock)
    return sock.getsockname()[1]


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now, for a server of ssoenv's to take."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    """What a person's browser does with `url`: GET it, following redirects."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=15) as response:
        return response.read().decode("utf-8", "replace")


def put_token_in_refresh_window(path: str, seconds: int = 300) -> dict:
    """Make a cached token expire in `seconds` (or have expired, when negative), as time
    would; the refresh token and registration stay what the login wrote."""
    token = read_json(path)
    token["expiresAt"] = cache.format_time(time.time() + seconds)
    with open(path, "w") as f:
        json.dump(token, f)
    return token


class Running:
    """A started `ssoenv` whose stderr is collected as it comes."""

    def __init__(self, proc: subprocess.Popen, world: "World"):
        self.proc = proc
        self.world = world
        self.stderr = ""
        self.stdout = ""
        self._lock = threading.Lock()
        self._readers = [
            threading.Thread(target=self._read, args=(proc.stderr, "stderr"), daemon=True),
            threading.Thread(target=self._read, args=(proc.stdout, "stdout"), daemon=True),
        ]
        for t in self._readers:
            t.start()

    def _read(self, stream, name):
        for line in iter(stream.readline, ""):
            with self._lock:
                setattr(self, name, getattr(self, name) + line)

    def wait_for(self, pattern: str, timeout: float = 20) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = re.search(pattern, self.stderr)
            if found:
                return found
            if self.proc.poll() is not None:
                time.sleep(0.2)  # let the readers finish
                with self._lock:
                    found = re.search(pattern, self.stderr)
                if found:
                    return found
                raise AssertionError(
                    "ssoenv ended without printing %r: %s" % (pattern, self.stderr)
                )
            time.sleep(0.05)
        raise AssertionError("no %r within %ss: %s" % (pattern, timeout, self.stderr))

    def finish(self, timeout: float = 30) -> int:
        rc = self.proc.wait(timeout)
        for t in self._readers:
            t.join(5)
        self.world.record(self.stdout, self.stderr)
        return rc


class World:
    """The user's machine: HOME with the AWS config, the emulator, and `ssoenv` to run."""

    def __init__(self, home, emulator, tmp_path):
        self.home = str(home)
        self.emulator = emulator
        self.tmp_path = tmp_path
        self.outputs = []  # texts that must hold no secret
        self.seen_secrets = set()
        with open(os.path.join(self.home, ".aws", "config"), "a") as f:
            f.write(EXTRA_CONFIG)

    # -- running ssoenv ---------------------------------------------------------------
    def env(self, **changes) -> dict:
        env = dict(os.environ)
        env["PYTHONPATH"] = ROOT
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return applied(env, changes)

    def run(self, *args, cwd=None, env=None, timeout=60, secret_stdout=False, child_of_test=False):
        """`ssoenv ARGS` without a terminal, forked by a zygote (tests/zygote.py) unless
        `child_of_test`; its output is checked for secrets at the end of the test (stdout
        too, unless the user asked for secrets on it)."""
        cwd = cwd or self.home
        env = dict(env or self.env())
        env["PWD"] = cwd
        self.harvest()
        result = zygote.run(args, env=env, cwd=cwd, timeout=timeout, direct=child_of_test)
        self.record("" if secret_stdout else result.stdout, result.stderr)
        return result

    def start(self, *args, cwd=None, env=None) -> Running:
        cwd = cwd or self.home
        env = dict(env or self.env())
        env["PWD"] = cwd
        proc = subprocess.Popen(
            [sys.executable, "-m", "ssoenv", *args],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        return Running(proc, self)

    def project(self, name: str, text: str, allow: bool = True) -> str:
        directory = os.path.join(self.home, name)
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, ".ssoenv"), "w") as f:
            f.write(text)
        if allow:
            allowing.allow(self.env(), directory)
        return directory

    def login(self, *args):
        result = self.run("login", *args)
        assert result.returncode == 0, result.stderr
        return result

    # -- secrets ------------------------------------------------------------------------
    def record(self, *texts) -> None:
        self.harvest()
        self.outputs.extend(t for t in texts if t)

    def harvest(self) -> None:
        """Every secret the emulator issued and every one in the AWS caches so far (a
        logout makes the emulator forget its access tokens: collect them before)."""
        emu = self.emulator
        with emu.lock:
            found = set(emu.access_tokens) | set(emu.refresh_tokens)
            found |= {c["secret"] for c in emu.clients.values()}
            for creds in emu.issued_credentials:
                found |= {creds["secretAccessKey"], creds["sessionToken"]}
        for directory in ("sso/cache", "cli/cache"):
            base = os.path.join(self.home, ".aws", directory)
            for name in os.listdir(base) if os.path.isdir(base) else ():
                try:
                    data = read_json(os.path.join(base, name))
                except (OSError, ValueError):
                    continue
                for holder in (data, data.get("Credentials") or {}):
                    for key in SECRET_KEYS:
                        if isinstance(holder.get(key), str) and holder[key]:
                            found.add(holder[key])
        self.seen_secrets |= found

    def assert_no_secrets(self) -> None:
        self.harvest()
        for text in self.outputs:
            for secret in self.seen_secrets:
                assert secret not in text, "a secret was printed: %s" % text[:300]


@pytest.fixture
def world(aws_home, emulator, tmp_path):
    w = World(aws_home, emulator, tmp_path)
    yield w
    w.assert_no_secrets()


__all__ = [
    "EXTRA_CONFIG",
    "OTHER_SESSION",
    "OTHER_START_URL",
    "Running",
    "World",
    "applied",
    "closed_port",
    "export_json",
    "fetch",
    "free_port",
    "put_token_in_refresh_window",
    "read_json",
    "ssoenv_lines",
    "token_path",
    "world",
]
