"""Every wait on the network has a limit and says so: the sign-in page's service, the
device-code polling and the portal's listings, each against a port where nothing listens
and against one that accepts connections but never answers."""
# ruff: noqa: F405

import io
import socket
import threading

import pytest
from sso_cli_world import *  # noqa: F403
from sso_fixtures import *  # noqa: F403

from ssoenv.base.errors import SsoError
from ssoenv.sso import assignments, portal
from ssoenv.sso.clients import Network
from ssoenv.sso.login import login

FAST = Network(connect_timeout=1, read_timeout=1, max_attempts=1)


class Silent:
    """A listener on 127.0.0.1 that accepts every connection and never answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.held = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def silent():
    listener = Silent()
    yield listener
    listener.close()


@pytest.fixture(params=["closed", "silent"])
def dead_endpoint(request):
    """(URL, the words the error line ends in) of an endpoint that never serves."""
    if request.param == "closed":
        url = "http://127.0.0.1:%d" % closed_port()
        yield url, "cannot reach %s: connection refused" % url
    else:
        listener = Silent()
        url = "http://127.0.0.1:%d" % listener.port
        yield url, "%s did not answer in time; try again later" % url
        listener.close()


@pytest.mark.long("waits")
def test_login_with_a_cached_registration_names_the_dead_endpoint(world, browser, dead_endpoint):
    url, words = dead_endpoint
    world.login("--profile", PROFILE)  # the client registration is cached from here on
    env = world.env(AWS_ENDPOINT_URL_SSO_OIDC=url)
    result = world.run("login", "--force", "--no-browser", "--profile", PROFILE, env=env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith('ssoenv: logging in to sso-session "my-sso" failed: '), lines
    assert lines[-1].endswith(words), lines
    assert "/authorize?" not in result.stderr  # no URL to open for a service that is down


@pytest.mark.parametrize("device", [False, True], ids=["browser", "device-code"])
def test_login_against_a_dead_endpoint_ends_in_one_line(
    aws_home, session, dead_endpoint, device, monkeypatch
):
    url, words = dead_endpoint
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", url)
    with pytest.raises(SsoError) as caught:
        login(session, use_device_code=device, out=io.StringIO(), timeout=30, network=FAST)
    assert str(caught.value).endswith(words)


def test_device_code_polling_has_a_limit_and_says_it(emulator, session):
    emulator.configure(approval="never")
    out = io.StringIO()
    with pytest.raises(SsoError, match="expired before it was approved"):
        login(session, use_device_code=True, out=out, timeout=2)
    assert "Waiting up to 2 s for the device-code sign-in; Ctrl-C to stop." in out.getvalue()


def test_browser_sign_in_has_a_limit_and_says_it(emulator, session):
    out = io.StringIO()
    with pytest.raises(SsoError, match="timed out waiting for the browser sign-in"):
        login(session, out=out, open_browser=False, timeout=1)
    assert "Waiting up to 1 s for the browser sign-in; Ctrl-C to stop." in out.getvalue()


def test_the_portal_listing_against_a_dead_endpoint_is_one_line(
    emulator, session, dead_endpoint, monkeypatch
):
    url, words = dead_endpoint
    issue_token(emulator, session)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", url)
    pacing = portal.Pacing(deadline_seconds=5, network=FAST)
    with pytest.raises(SsoError) as caught:
        assignments.accounts(session, refresh=True, pacing=pacing)
    assert str(caught.value).endswith(words)
    assert "\n" not in str(caught.value)
