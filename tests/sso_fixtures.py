"""Fixtures for the SSO tests: a clean temporary HOME, the emulator wired in through
AWS_ENDPOINT_URL_SSO_OIDC / AWS_ENDPOINT_URL_SSO, and a BROWSER that fetches URLs.

Test modules import them with `from sso_fixtures import *`."""

import json
import os
import subprocess
import sys
import textwrap
import time
import webbrowser

import pytest

from ssoenv.emulator import Emulator
from ssoenv.sso import cache
from ssoenv.sso.session import SsoSession

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SESSION_NAME = "my-sso"
START_URL = "https://example.awsapps.com/start"
REGION = "eu-west-1"
ACCOUNT = "111111111111"
ROLE = "ReadOnly"
PROFILE = "dev"

CONFIG = f"""\
[sso-session {SESSION_NAME}]
sso_start_url = {START_URL}
sso_region = {REGION}
sso_registration_scopes = sso:account:access

[profile {PROFILE}]
sso_session = {SESSION_NAME}
sso_account_id = {ACCOUNT}
sso_role_name = {ROLE}
region = {REGION}

[profile legacy]
sso_start_url = {START_URL}
sso_region = {REGION}
sso_account_id = {ACCOUNT}
sso_role_name = {ROLE}
region = {REGION}
"""

BROWSER_SCRIPT = """\
#!{python} -IS
# A test browser: returns at once (webbrowser waits for it) and fetches the URL, following
# redirects, in a detached child. A local file:// page is read and followed as a browser
# does, by its meta refresh. Each URL it goes to is appended to $SSOENV_TEST_BROWSER_LOG.
# With $SSOENV_TEST_BROWSER_LINGER, the child stays until that file exists (at most a
# minute), so that a test can see it running. It loads little (a plain HTTP/1.0 client on
# a socket rather than urllib.request): the tests start it hundreds of times.
import os, sys, time
url = sys.argv[-1]

if url.startswith("file://"):
    import html.parser, urllib.parse

    class Refresh(html.parser.HTMLParser):
        target = None
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
                self.target = attrs["content"].split("url=", 1)[1]

    page = Refresh()
    with open(urllib.parse.unquote(urllib.parse.urlsplit(url).path), encoding="utf-8") as f:
        page.feed(f.read())
    url = page.target
log = os.environ.get("SSOENV_TEST_BROWSER_LOG")
if log:
    with open(log, "a") as f:
        f.write(url + "\\n")


def get(url):
    # One GET over HTTP/1.0; the URL a redirect names, or None.
    import socket, urllib.parse
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http":
        return None
    target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    with socket.create_connection((parts.hostname, parts.port or 80), timeout=15) as conn:
        conn.sendall(("GET %s HTTP/1.0\\r\\nHost: %s\\r\\n\\r\\n" % (target, parts.netloc)).encode())
        reply = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            reply += chunk
    head = reply.split(b"\\r\\n\\r\\n", 1)[0].decode("iso-8859-1").split("\\r\\n")
    if head[0].split()[1:2] in (["301"], ["302"], ["303"], ["307"], ["308"]):
        for line in head[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "location":
                return urllib.parse.urljoin(url, value.strip())
    return None


if os.fork() == 0:
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    try:
        for _ in range(10):
            url = get(url)
            if url is None:
                break
    except Exception:
        pass
    linger = os.environ.get("SSOENV_TEST_BROWSER_LINGER")
    deadline = time.monotonic() + 60
    while linger and not os.path.exists(linger) and time.monotonic() < deadline:
        time.sleep(0.05)
    os._exit(0)
"""


def follow_page(url: str) -> str:
    """Where a browser given `url` goes: a local file:// page is followed by its meta
    refresh, as a browser does; any other URL is where it goes."""
    import html.parser
    import urllib.parse

    if not url.startswith("file://"):
        return url
    found = []

    class Refresh(html.parser.HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
                found.append(attrs["content"].split("url=", 1)[1])

    with open(urllib.parse.unquote(urllib.parse.urlsplit(url).path), encoding="utf-8") as f:
        Refresh().feed(f.read())
    [target] = found
    return target


@pytest.fixture
def aws_home(tmp_path, monkeypatch):
    """A temporary HOME with an AWS config holding an sso-session, a profile using it and a
    legacy SSO profile; no AWS_* variables or proxies from the machine."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name.lower() in ("http_proxy", "https_proxy", "all_proxy"):
            monkeypatch.delenv(name, raising=False)
    # No real browser may open: tests that want one install the fetching BROWSER.
    for name in (
        "SSH_CONNECTION",
        "SSH_TTY",
        "BROWSER",
        "DISPLAY",
        "WAYLAND_DISPLAY",
        "XDG_CACHE_HOME",
        "XDG_CONFIG_HOME",
    ):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    config = home / ".aws" / "config"
    config.write_text(CONFIG)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("PYTHONPATH", ROOT)
    return home


@pytest.fixture
def emulator(aws_home, monkeypatch):
    with Emulator() as emu:
        monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", emu.url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", emu.url)
        yield emu


@pytest.fixture
def browser(tmp_path, monkeypatch):
    """Install the fetching BROWSER; returns the path of the log of opened URLs."""
    script = tmp_path / "browser"
    script.write_text(BROWSER_SCRIPT.format(python=sys.executable))
    script.chmod(0o755)
    log = tmp_path / "browser.log"
    monkeypatch.setenv("BROWSER", str(script))
    monkeypatch.setenv("SSOENV_TEST_BROWSER_LOG", str(log))
    # webbrowser reads BROWSER once per process; make it read ours.
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})
    return log


@pytest.fixture
def session():
    return SsoSession(
        name=SESSION_NAME,
        start_url=START_URL,
        region=REGION,
        scopes=("sso:account:access",),
        profile=PROFILE,
    )


@pytest.fixture
def legacy_session():
    return SsoSession(name=None, start_url=START_URL, region=REGION, profile="legacy")


def issue_token(emu, session, expires_in=None, refresh=True):
    """Log in straight through the emulator's API (no ssoenv code) and write the token file
    the way the AWS CLI does; returns the token dict. `expires_in` overrides the lifetime
    written to the file (e.g. 300 puts it in the refresh window)."""
    import boto3
    import botocore
    from botocore.config import Config

    config = Config(signature_version=botocore.UNSIGNED, retries={"total_max_attempts": 1})
    oidc = boto3.client("sso-oidc", endpoint_url=emu.url, region_name=session.region, config=config)
    reg = oidc.register_client(
        clientName=f"botocore-client-{session.name}",
        clientType="public",
        scopes=list(session.scopes) if refresh else [],
    )
    auth = oidc.start_device_authorization(
        clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=session.start_url
    )
    response = oidc.create_token(
        grantType="urn:ietf:params:oauth:grant-type:device_code",
        clientId=reg["clientId"],
        clientSecret=reg["clientSecret"],
        deviceCode=auth["deviceCode"],
    )
    lifetime = response["expiresIn"] if expires_in is None else expires_in
    token = {
        "startUrl": session.start_url,
        "region": session.region,
        "accessToken": response["accessToken"],
        "expiresAt": cache.format_time(time.time() + lifetime),
        "clientId": reg["clientId"],
        "clientSecret": reg["clientSecret"],
        "registrationExpiresAt": cache.format_time(reg["clientSecretExpiresAt"]),
    }
    if "refreshToken" in response:
        token["refreshToken"] = response["refreshToken"]
    path = session.token_path()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(token, f)
    emu.reset_counters()
    return token


def run_python(code: str, timeout: float = 60, **kwargs) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter (botocore reads HOME when imported) with this
    process's environment, importing ssoenv from this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


def secrets_of(*dicts) -> list:
    keys = ("accessToken", "refreshToken", "clientSecret", "secretAccessKey", "sessionToken")
    found = []
    for d in dicts:
        for key in keys:
            if isinstance(d, dict) and d.get(key):
                found.append(d[key])
    return found


__all__ = [
    "ACCOUNT",
    "PROFILE",
    "REGION",
    "ROLE",
    "ROOT",
    "SESSION_NAME",
    "START_URL",
    "aws_home",
    "browser",
    "emulator",
    "follow_page",
    "issue_token",
    "legacy_session",
    "run_python",
    "secrets_of",
    "session",
]
