"""The credential endpoint on its own: what it serves while renewals fail, and that it
renews ahead of time without being asked."""

import io
import json
import time
import urllib.error
import urllib.request

import pytest

from ssoenv.base.errors import SsoError
from ssoenv.sso import cache
from ssoenv.sso.credentials import RoleCredentials
from ssoenv.sso.server import CredentialServer


class Source:
    """Issues credentials that last `life` seconds, or fails while `failing` is set."""

    def __init__(self, life: float):
        self.life = life
        self.failing = False
        self.issued = []

    def __call__(self) -> RoleCredentials:
        if self.failing:
            raise SsoError("the sign-in has expired; log in again: ssoenv login")
        n = len(self.issued)
        creds = RoleCredentials(
            access_key_id="ASIA%016d" % n,
            secret_access_key="secret-%d" % n,
            session_token="token-%d" % n,
            expiration=cache.format_time(time.time() + self.life),
            account_id="111111111111",
        )
        self.issued.append(creds)
        return creds


def ask(server, token):
    host, port = server.address
    headers = {"Authorization": token} if token is not None else {}
    request = urllib.request.Request("http://%s:%d/" % (host, port), headers=headers)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def wait_until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.long("waits")
def test_a_failed_renewal_serves_the_current_credentials_and_says_why_once():
    source = Source(life=6)
    err = io.StringIO()
    with CredentialServer(source, err=err) as server:
        status, first = ask(server, server.token)
        assert status == 200 and first["AccessKeyId"] == source.issued[0].access_key_id
        source.failing = True
        time.sleep(3.2)  # past half of their life: renewal is due, and fails
        for _ in range(3):
            status, body = ask(server, server.token)
            assert (status, body["AccessKeyId"]) == (200, first["AccessKeyId"])
        assert err.getvalue() == (
            "ssoenv: renewing the role credentials failed: "
            "the sign-in has expired; log in again: ssoenv login\n"
        )
        # Once they have expired there is nothing left to serve: the SDK is told why.
        time.sleep(3.2)
        status, body = ask(server, server.token)
        assert status == 503
        assert body == {"message": "ssoenv: the sign-in has expired; log in again: ssoenv login"}
        # A renewal that works again serves new credentials.
        source.failing = False
        status, body = ask(server, server.token)
        assert status == 200 and body["AccessKeyId"] == source.issued[-1].access_key_id
        assert len(source.issued) == 2


def test_the_keeper_renews_ahead_of_time_without_requests():
    source = Source(life=4)
    with CredentialServer(source) as server:
        assert wait_until(lambda: len(source.issued) >= 3, timeout=15), source.issued
        _, body = ask(server, server.token)
    # What is served always had time left, and is one the source issued.
    assert body["AccessKeyId"] in [c.access_key_id for c in source.issued]
    assert cache.parse_time(body["Expiration"]) > time.time()


@pytest.mark.parametrize("token, status", [(None, 401), ("", 401), ("nope", 403), ("é", 403)])
def test_requests_without_the_token_are_refused(token, status):
    source = Source(life=3600)
    with CredentialServer(source, token="the-token") as server:
        code, body = ask(server, token)
    assert code == status and list(body) == ["message"]


def test_the_keeper_stops_with_the_server():
    source = Source(life=2)
    server = CredentialServer(source).start()
    server.stop()
    count = len(source.issued)
    time.sleep(2.5)
    assert len(source.issued) == count
