"""The emulator answers real boto3 sso-oidc and sso clients as IAM Identity Center does."""
# ruff: noqa: F405

import base64
import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request

import boto3
import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from sso_fixtures import *  # noqa: F403 - fixtures and constants

from ssoenv.emulator import Emulator, make_accounts

DEVICE = "urn:ietf:params:oauth:grant-type:device_code"
UNSIGNED = Config(signature_version=botocore.UNSIGNED, retries={"total_max_attempts": 1})
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


NO_REDIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def clients(emu, via_env=False):
    if via_env:
        return (
            boto3.client("sso-oidc", region_name="eu-west-1", config=UNSIGNED),
            boto3.client("sso", region_name="eu-west-1", config=UNSIGNED),
        )
    return (
        boto3.client("sso-oidc", endpoint_url=emu.url, region_name="eu-west-1", config=UNSIGNED),
        boto3.client("sso", endpoint_url=emu.url, region_name="eu-west-1", config=UNSIGNED),
    )


def register(oidc, **extra):
    kwargs = {"clientName": "test", "clientType": "public", "scopes": ["sso:account:access"]}
    kwargs.update(extra)
    return oidc.register_client(**kwargs)


def device_token(oidc, reg):
    auth = oidc.start_device_authorization(
        clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL
    )
    return oidc.create_token(
        grantType=DEVICE,
        clientId=reg["clientId"],
        clientSecret=reg["clientSecret"],
        deviceCode=auth["deviceCode"],
    )


def code_of(exc_info):
    return exc_info.value.response["Error"]["Code"]


@pytest.mark.parametrize("via_env", [False, True], ids=["endpoint_url", "env"])
def test_device_flow_and_portal_operations_work_with_boto3(emulator, via_env):
    oidc, sso = clients(emulator, via_env)
    reg = register(oidc)
    assert reg["clientSecretExpiresAt"] > reg["clientIdIssuedAt"]
    token = device_token(oidc, reg)
    assert token["tokenType"] == "Bearer" and token["expiresIn"] > 0 and token["refreshToken"]
    accounts = sso.list_accounts(accessToken=token["accessToken"])["accountList"]
    assert [a["accountId"] for a in accounts] == ["111111111111", "222222222222"]
    roles = sso.list_account_roles(accessToken=token["accessToken"], accountId="111111111111")
    assert {r["roleName"] for r in roles["roleList"]} == {"ReadOnly", "Admin"}
    creds = sso.get_role_credentials(
        accessToken=token["accessToken"], accountId="111111111111", roleName="Admin"
    )["roleCredentials"]
    assert creds["accessKeyId"].startswith("ASIA") and creds["sessionToken"]
    assert creds["expiration"] > 1e12  # epoch milliseconds
    sso.logout(accessToken=token["accessToken"])
    with pytest.raises(ClientError) as err:
        sso.list_accounts(accessToken=token["accessToken"])
    assert code_of(err) == "UnauthorizedException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401
    assert emulator.calls["Logout"] == 1


def test_pagination_returns_every_account_once(emulator):
    emulator.generate_accounts(300)
    oidc, sso = clients(emulator)
    token = device_token(oidc, register(oidc))
    pages = list(sso.get_paginator("list_accounts").paginate(accessToken=token["accessToken"]))
    ids = [a["accountId"] for p in pages for a in p["accountList"]]
    assert len(pages) == 15 and len(ids) == 300 and len(set(ids)) == 300
    first = sso.list_accounts(accessToken=token["accessToken"], maxResults=7)
    assert len(first["accountList"]) == 7 and first["nextToken"]


def test_role_pagination(emulator):
    emulator.configure(accounts=make_accounts(1, roles=[f"Role{i}" for i in range(45)]))
    oidc, sso = clients(emulator)
    token = device_token(oidc, register(oidc))
    pages = sso.get_paginator("list_account_roles").paginate(
        accessToken=token["accessToken"],
        accountId="100000000000",
        PaginationConfig={"PageSize": 10},
    )
    names = [r["roleName"] for p in pages for r in p["roleList"]]
    assert names == [f"Role{i}" for i in range(45)]


def test_pending_slow_down_denied_and_expired_device_codes(emulator):
    oidc, _ = clients(emulator)
    reg = register(oidc)
    emulator.configure(approval="browser")
    auth = oidc.start_device_authorization(
        clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL
    )
    poll = dict(
        grantType=DEVICE,
        clientId=reg["clientId"],
        clientSecret=reg["clientSecret"],
        deviceCode=auth["deviceCode"],
    )
    with pytest.raises(ClientError) as err:
        oidc.create_token(**poll)
    assert code_of(err) == "AuthorizationPendingException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    emulator.slow_down_next(1)
    with pytest.raises(oidc.exceptions.SlowDownException):
        oidc.create_token(**poll)
    NO_PROXY.open(auth["verificationUriComplete"]).read()
    assert oidc.create_token(**poll)["accessToken"]
    with pytest.raises(ClientError) as err:  # a device code works once
        oidc.create_token(**poll)
    assert code_of(err) == "InvalidGrantException"

    emulator.configure(approval="deny")
    auth = oidc.start_device_authorization(
        clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL
    )
    NO_PROXY.open(auth["verificationUriComplete"]).read()
    with pytest.raises(oidc.exceptions.AccessDeniedException):
        oidc.create_token(**dict(poll, deviceCode=auth["deviceCode"]))

    auth = oidc.start_device_authorization(
        clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL
    )
    emulator.expire_device_codes()
    with pytest.raises(oidc.exceptions.ExpiredTokenException):
        oidc.create_token(**dict(poll, deviceCode=auth["deviceCode"]))


def test_invalid_client_is_401_with_oidc_error_body(emulator):
    oidc, _ = clients(emulator)
    reg = register(oidc)
    with pytest.raises(ClientError) as err:
        oidc.start_device_authorization(
            clientId=reg["clientId"], clientSecret="wrong", startUrl=START_URL
        )
    assert code_of(err) == "InvalidClientException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401
    request = urllib.request.Request(
        emulator.url + "/token",
        data=json.dumps({"clientId": "x", "clientSecret": "y", "grantType": DEVICE}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as http:
        NO_PROXY.open(request)
    assert http.value.headers["x-amzn-ErrorType"] == (
        "InvalidClientException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
    )
    assert json.loads(http.value.read())["error"] == "invalid_client"


def authorize(
    emulator, reg, challenge, state="s-1", redirect="http://127.0.0.1:5555/oauth/callback"
):
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": reg["clientId"],
            "redirect_uri": redirect,
            "state": state,
            "code_challenge_method": "S256",
            "scopes": "sso:account:access",
            "code_challenge": challenge,
        }
    )
    with pytest.raises(urllib.error.HTTPError) as redirect_error:
        NO_REDIRECT.open(emulator.url + "/authorize?" + query)
    assert redirect_error.value.code == 302
    location = urllib.parse.urlsplit(redirect_error.value.headers["Location"])
    return location, dict(urllib.parse.parse_qsl(location.query))


def auth_code_client(oidc):
    return register(
        oidc,
        grantTypes=["authorization_code", "refresh_token"],
        redirectUris=["http://127.0.0.1/oauth/callback"],
        issuerUrl=START_URL,
    )


def challenge_of(verifier):
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def test_authorization_code_flow_checks_pkce_and_redirect_uri(emulator):
    oidc, _ = clients(emulator)
    reg = auth_code_client(oidc)
    verifier = "v" * 64
    location, params = authorize(emulator, reg, challenge_of(verifier), state="abc")
    assert (location.hostname, location.port, location.path) == (
        "127.0.0.1",
        5555,
        "/oauth/callback",
    )
    assert params["state"] == "abc" and params["code"]
    base = dict(
        grantType="authorization_code",
        clientId=reg["clientId"],
        clientSecret=reg["clientSecret"],
        redirectUri="http://127.0.0.1:5555/oauth/callback",
    )
    with pytest.raises(ClientError) as err:
        oidc.create_token(code=params["code"], codeVerifier="w" * 64, **base)
    assert code_of(err) == "InvalidGrantException"

    _, params = authorize(emulator, reg, challenge_of(verifier))
    with pytest.raises(ClientError) as err:
        oidc.create_token(
            code=params["code"],
            codeVerifier=verifier,
            **dict(base, redirectUri="http://127.0.0.1:6666/oauth/callback"),
        )
    assert code_of(err) == "InvalidGrantException"

    _, params = authorize(emulator, reg, challenge_of(verifier))
    token = oidc.create_token(code=params["code"], codeVerifier=verifier, **base)
    assert token["accessToken"] and token["refreshToken"]
    with pytest.raises(ClientError) as err:  # codes are single-use
        oidc.create_token(code=params["code"], codeVerifier=verifier, **base)
    assert code_of(err) == "InvalidGrantException"


def test_denied_authorization_redirects_with_access_denied(emulator):
    oidc, _ = clients(emulator)
    reg = auth_code_client(oidc)
    emulator.configure(approval="deny")
    _, params = authorize(emulator, reg, challenge_of("x" * 64), state="st")
    assert params["error"] == "access_denied" and params["state"] == "st" and "code" not in params


def test_grant_types_separate_device_and_auth_code_registrations(emulator):
    oidc, _ = clients(emulator)
    reg = auth_code_client(oidc)
    with pytest.raises(ClientError) as err:
        oidc.start_device_authorization(
            clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL
        )
    assert code_of(err) == "UnauthorizedClientException"
    device_reg = register(oidc)
    with pytest.raises(ClientError) as err:
        oidc.create_token(
            grantType="authorization_code",
            clientId=device_reg["clientId"],
            clientSecret=device_reg["clientSecret"],
            code="c",
            redirectUri="http://127.0.0.1:1/oauth/callback",
            codeVerifier="v" * 64,
        )
    assert code_of(err) == "UnauthorizedClientException"


def test_refresh_tokens_rotate_and_can_be_revoked(emulator):
    oidc, sso = clients(emulator)
    reg = register(oidc)
    first = device_token(oidc, reg)
    args = dict(
        grantType="refresh_token", clientId=reg["clientId"], clientSecret=reg["clientSecret"]
    )
    second = oidc.create_token(refreshToken=first["refreshToken"], **args)
    assert second["refreshToken"] != first["refreshToken"]
    assert second["accessToken"] != first["accessToken"]
    with pytest.raises(ClientError) as err:
        oidc.create_token(refreshToken=first["refreshToken"], **args)
    assert code_of(err) == "InvalidGrantException"
    emulator.revoke_refresh_tokens()
    with pytest.raises(ClientError) as err:
        oidc.create_token(refreshToken=second["refreshToken"], **args)
    assert code_of(err) == "InvalidGrantException"
    assert emulator.refresh_calls == 3
    assert sso.list_accounts(accessToken=second["accessToken"])["accountList"]


def test_no_refresh_token_without_scopes_or_when_disabled(emulator):
    oidc, _ = clients(emulator)
    assert "refreshToken" not in device_token(oidc, register(oidc, scopes=[]))
    emulator.configure(issue_refresh_tokens=False)
    assert "refreshToken" not in device_token(oidc, register(oidc))


def test_issued_secrets_are_random_and_distinct(emulator):
    oidc, sso = clients(emulator)
    values = []
    for _ in range(3):
        reg = register(oidc)
        token = device_token(oidc, reg)
        creds = sso.get_role_credentials(
            accessToken=token["accessToken"], accountId="111111111111", roleName="ReadOnly"
        )["roleCredentials"]
        values += [reg["clientId"], reg["clientSecret"], token["accessToken"]]
        values += [token["refreshToken"], creds["secretAccessKey"], creds["sessionToken"]]
    assert len(set(values)) == len(values)
    assert all(len(v) >= 16 for v in values)


def test_injected_faults_and_expired_access_tokens(emulator):
    oidc, sso = clients(emulator)
    emulator.fail_next(1, status=500)
    with pytest.raises(ClientError) as err:
        register(oidc)
    assert code_of(err) == "InternalServerException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    token = device_token(oidc, register(oidc))
    emulator.fail_next(1, status=429, operations=["ListAccounts"])
    with pytest.raises(ClientError) as err:
        sso.list_accounts(accessToken=token["accessToken"])
    assert code_of(err) == "TooManyRequestsException"
    emulator.expire_access_tokens()
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.list_accounts(accessToken=token["accessToken"])


def test_unknown_account_and_role_are_not_found(emulator):
    oidc, sso = clients(emulator)
    token = device_token(oidc, register(oidc))
    with pytest.raises(sso.exceptions.ResourceNotFoundException):
        sso.get_role_credentials(
            accessToken=token["accessToken"], accountId="999999999999", roleName="ReadOnly"
        )
    with pytest.raises(sso.exceptions.ResourceNotFoundException):
        sso.get_role_credentials(
            accessToken=token["accessToken"], accountId="222222222222", roleName="Admin"
        )


def test_latency_is_added_and_bounded_by_client_timeouts(emulator):
    emulator.configure(latency=2.0)
    config = Config(
        signature_version=botocore.UNSIGNED, read_timeout=0.5, retries={"total_max_attempts": 1}
    )
    oidc = boto3.client(
        "sso-oidc", endpoint_url=emulator.url, region_name="eu-west-1", config=config
    )
    with pytest.raises(botocore.exceptions.ReadTimeoutError):
        register(oidc)


def test_control_endpoint_drives_the_emulator_from_another_process(emulator):
    def post(name, payload):
        request = urllib.request.Request(
            f"{emulator.url}/_emulator/{name}",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        return json.loads(NO_PROXY.open(request).read())

    state = post("configure", {"approval": "deny", "access_token_ttl": 120})
    assert state["settings"]["approval"] == "deny" and emulator.access_token_ttl == 120
    post("generate_accounts", {"count": 42})
    assert len(emulator.accounts) == 42
    post("fail_next", {"count": 2, "status": 503})
    oidc, _ = clients(emulator)
    with pytest.raises(ClientError):
        register(oidc)
    state = json.loads(NO_PROXY.open(emulator.url + "/_emulator/state").read())
    assert state["calls"]["RegisterClient"] == 1
    with pytest.raises(urllib.error.HTTPError) as err:
        post("stop", {})
    assert err.value.code == 404


def test_emulator_runs_as_a_module():
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "ssoenv.emulator", "--port", "0", "--accounts", "3"],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(__import__("os").environ, PYTHONPATH=ROOT),
    )
    try:
        url = proc.stdout.readline().strip()
        state = json.loads(NO_PROXY.open(url + "/_emulator/state", timeout=5).read())
        assert state["accounts"] == 3
    finally:
        proc.terminate()
        proc.wait(10)


def test_emulator_context_manager_frees_its_port():
    with Emulator() as emu:
        url = emu.url
    with pytest.raises(urllib.error.URLError):
        NO_PROXY.open(url + "/_emulator/state", timeout=2)
