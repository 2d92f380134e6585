"""Logging in with both flows against the emulator, and what botocore makes of the result."""
# ruff: noqa: F405

import io
import json
import os
import stat
import subprocess
import sys
import threading
import time

import pytest
from sso_fixtures import *  # noqa: F403 - fixtures and constants

from ssoenv.base.errors import SsoError
from ssoenv.sso import cache, tokens
from ssoenv.sso.login import browser_available, login, pkce_pair


def test_auth_code_login_with_browser_writes_cli_token_and_registration(emulator, browser, session):
    out = io.StringIO()
    state = login(session, out=out, timeout=30)
    assert state.access_token in emulator.access_tokens
    opened = browser.read_text().split()
    assert len(opened) == 1 and opened[0].startswith(emulator.url + "/authorize?")
    assert "code_challenge_method=S256" in opened[0]
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in opened[0]
    assert opened[0] in out.getvalue()

    token = json.loads(open(session.token_path()).read())
    assert list(token) == [
        "startUrl",
        "region",
        "accessToken",
        "expiresAt",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
        "refreshToken",
    ]
    assert token["startUrl"] == START_URL and token["region"] == REGION
    cache.parse_time(token["expiresAt"])
    assert token["expiresAt"].endswith("Z")
    registration = json.loads(open(session.registration_path()).read())
    assert registration["grantTypes"] == ["authorization_code", "refresh_token"]
    assert registration["scopes"] == ["sso:account:access"]
    assert registration["clientId"] == token["clientId"]
    assert token["registrationExpiresAt"] == registration["expiresAt"]
    assert emulator.calls["CreateToken:authorization_code"] == 1


def test_files_are_private(emulator, browser, session):
    login(session, out=io.StringIO(), timeout=30)
    for path in (session.token_path(), session.registration_path(), session.lock_path()):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(session.token_path())).st_mode) == 0o700


def test_second_login_reuses_the_registration(emulator, browser, session):
    login(session, out=io.StringIO(), timeout=30)
    login(session, out=io.StringIO(), timeout=30)
    assert emulator.calls["RegisterClient"] == 1  # the endpoint probes are never sent
    assert len(emulator.clients) == 1


def test_device_and_auth_code_flows_do_not_share_a_registration(emulator, browser, session):
    login(session, use_device_code=True, out=io.StringIO(), timeout=30)
    device_reg = json.loads(open(session.registration_path()).read())
    assert "grantTypes" not in device_reg
    login(session, out=io.StringIO(), timeout=30)
    auth_reg = json.loads(open(session.registration_path()).read())
    assert auth_reg["clientId"] != device_reg["clientId"]
    login(session, use_device_code=True, out=io.StringIO(), timeout=30)
    assert len(emulator.clients) == 3


def test_expiring_registration_is_renewed(emulator, browser, session):
    login(session, out=io.StringIO(), timeout=30)
    registration = json.loads(open(session.registration_path()).read())
    registration["expiresAt"] = cache.format_time(time.time() + 600)
    tokens.save_registration(session, registration)
    login(session, out=io.StringIO(), timeout=30)
    assert len(emulator.clients) == 2


def test_device_code_login_prints_url_and_code_and_opens_browser(emulator, browser, session):
    emulator.configure(approval="browser")
    out = io.StringIO()
    state = login(session, use_device_code=True, out=out, timeout=30)
    assert state.access_token in emulator.access_tokens
    text = out.getvalue()
    assert emulator.url + "/device\n" in text
    user_code = browser.read_text().strip().rsplit("=", 1)[1]
    assert f"\n{user_code}\n" in text
    assert emulator.calls["CreateToken:device_code"] >= 2


def test_print_only_device_login_waits_for_approval_elsewhere(emulator, browser, session):
    emulator.configure(approval="browser")
    out = io.StringIO()
    once_polled(emulator, emulator.approve_all)
    login(session, use_device_code=True, open_browser=False, out=out, timeout=30)
    assert not browser.exists()
    assert "enter the code" in out.getvalue()


def test_legacy_profile_always_uses_device_code(emulator, browser, legacy_session):
    login(legacy_session, out=io.StringIO(), timeout=30)
    assert emulator.calls["StartDeviceAuthorization"] == 1
    assert "CreateToken:authorization_code" not in emulator.calls
    token = json.loads(open(legacy_session.token_path()).read())
    assert (
        os.path.basename(legacy_session.token_path())
        == cache.token_cache_key(None, START_URL) + ".json"
    )
    assert "refreshToken" not in token  # no scopes: the service issues none


def test_no_display_over_ssh_falls_back_to_device_code(emulator, session, monkeypatch):
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5555 10.0.0.2 22")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    out = io.StringIO()
    login(session, out=out, timeout=30)  # emulator approves device codes at once
    assert emulator.calls["StartDeviceAuthorization"] == 1


def test_browser_detection():
    assert browser_available({"BROWSER": "x", "SSH_TTY": "/dev/pts/1"}, "linux")
    assert not browser_available({"SSH_CONNECTION": "a b c d", "DISPLAY": ":0"}, "linux")
    assert not browser_available({}, "linux")
    assert browser_available({}, "darwin")
    assert not browser_available({"SSH_TTY": "/dev/pts/0"}, "darwin")


def test_pkce_pair_matches_the_cli_shape():
    import base64
    import hashlib

    verifier, challenge = pkce_pair()
    assert len(verifier) == 64
    assert set(verifier) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    )
    digest = hashlib.sha256(verifier.encode()).digest()
    assert challenge == base64.urlsafe_b64encode(digest).decode().rstrip("=")
    assert pkce_pair()[0] != verifier


def test_denied_browser_sign_in_fails_clearly_and_writes_no_token(emulator, browser, session):
    emulator.configure(approval="deny")
    with pytest.raises(SsoError, match="denied"):
        login(session, out=io.StringIO(), timeout=30)
    assert not os.path.exists(session.token_path())


def test_denied_device_sign_in_fails_clearly(emulator, browser, session):
    emulator.configure(approval="deny")
    with pytest.raises(SsoError, match="denied"):
        login(session, use_device_code=True, out=io.StringIO(), timeout=30)
    assert not os.path.exists(session.token_path())


def once_polled(emulator, action):
    """Run `action` in a thread as soon as the login has polled for its token once: only
    then does its device authorization exist to approve or expire."""

    def wait_then_act():
        deadline = time.monotonic() + 60
        while emulator.calls["CreateToken:device_code"] < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        action()

    thread = threading.Thread(target=wait_then_act, daemon=True)
    thread.start()
    return thread


def test_expired_device_code_ends_the_login(emulator, session):
    emulator.configure(approval="never", device_code_ttl=600)
    once_polled(emulator, emulator.expire_device_codes)
    # The expired code ends the login, not its own time limit (whose message differs).
    with pytest.raises(SsoError, match="expired before it was approved"):
        login(session, use_device_code=True, open_browser=False, out=io.StringIO(), timeout=120)
    assert not os.path.exists(session.token_path())


def test_unapproved_browser_login_times_out(emulator, browser, session):
    emulator.configure(approval="never")
    with pytest.raises(SsoError, match="timed out"):
        login(session, out=io.StringIO(), timeout=2)


@pytest.mark.long("waits")
def test_slow_down_adds_five_seconds_to_the_interval(emulator, session):
    emulator.configure(approval="browser")
    emulator.slow_down_next(1)
    once_polled(emulator, emulator.approve_all)
    started = time.monotonic()
    login(session, use_device_code=True, open_browser=False, out=io.StringIO(), timeout=30)
    # The first poll (immediate) answers SlowDown: the next waits 1 + 5 seconds.
    assert time.monotonic() - started >= 6
    assert emulator.calls["CreateToken:device_code"] == 2


def test_unreachable_endpoint_fails_fast_with_the_host(aws_home, session, monkeypatch):
    import socket

    # Bound and never listening: refuses connections, and no other test's server takes it.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", f"http://127.0.0.1:{port}")
        with pytest.raises(
            SsoError, match=f"cannot reach http://127.0.0.1:{port}: connection refused"
        ):
            login(session, use_device_code=True, out=io.StringIO())


def test_after_login_boto3_gets_the_emulators_role_credentials(emulator, browser, session):
    login(session, out=io.StringIO(), timeout=30)
    result = run_python(
        f"""
        import boto3
        creds = boto3.Session(profile_name={PROFILE!r}).get_credentials().get_frozen_credentials()
        print(creds.access_key)
        """
    )
    assert result.returncode == 0, result.stderr
    issued = {c["accessKeyId"] for c in emulator.issued_credentials}
    assert result.stdout.strip() in issued


def test_secrets_never_appear_in_output(emulator, browser, session, capfd):
    out = io.StringIO()
    login(session, out=out, timeout=30)
    emulator.configure(approval="deny")
    with pytest.raises(SsoError) as err:
        login(session, out=out, timeout=30)
    token = json.loads(open(session.token_path()).read())
    registration = json.loads(open(session.registration_path()).read())
    captured = capfd.readouterr()
    text = out.getvalue() + str(err.value) + captured.out + captured.err
    for secret in secrets_of(token, registration):
        assert secret not in text


def test_ctrl_c_while_waiting_leaves_nothing_half_written(emulator, browser, session):
    import signal
    import subprocess
    import sys
    import textwrap

    emulator.configure(approval="never")
    code = textwrap.dedent(
        f"""
        import io
        from ssoenv.sso.login import login
        from ssoenv.sso.session import SsoSession
        session = SsoSession({SESSION_NAME!r}, {START_URL!r}, {REGION!r}, ("sso:account:access",), {PROFILE!r})
        login(session, out=io.StringIO(), timeout=60)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        env=dict(os.environ, PYTHONPATH=ROOT),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not (browser.exists() and browser.read_text()):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=15)
    assert proc.returncode != 0 and "KeyboardInterrupt" in err
    cache_dir = os.path.dirname(session.token_path())
    assert not os.path.exists(session.token_path())
    assert [n for n in os.listdir(cache_dir) if n.endswith(".tmp")] == []
    json.loads(open(session.registration_path()).read())  # whole, or not there at all


def add_profile_via_services(aws_home, url):
    """Add profile `via-services`, whose [services] section sends both SSO services to
    `url`; returns the config's path."""
    config = aws_home / ".aws" / "config"
    config.write_text(
        config.read_text()
        + f"""
[profile via-services]
sso_session = {SESSION_NAME}
sso_account_id = {ACCOUNT}
sso_role_name = {ROLE}
services = local

[services local]
sso_oidc =
  endpoint_url = {url}
sso =
  endpoint_url = {url}
"""
    )
    return config


def test_services_section_of_the_profile_sets_the_endpoints(aws_home, browser, monkeypatch):
    from ssoenv.emulator import Emulator
    from ssoenv.sso.credentials import get_role_credentials
    from ssoenv.sso.session import SsoSession

    with Emulator() as emu:
        add_profile_via_services(aws_home, emu.url)
        session = SsoSession(
            SESSION_NAME, START_URL, REGION, ("sso:account:access",), "via-services"
        )
        login(session, out=io.StringIO(), timeout=30)
        creds = get_role_credentials(session, ACCOUNT, ROLE)
        assert creds.access_key_id == emu.issued_credentials[-1]["accessKeyId"]
        assert emu.calls["CreateToken:authorization_code"] == 1


def test_a_registration_the_service_forgot_is_replaced(emulator, session):
    login(session, use_device_code=True, out=io.StringIO(), timeout=30)
    old = json.loads(open(session.registration_path()).read())
    with emulator.lock:
        emulator.clients.clear()
    login(session, use_device_code=True, out=io.StringIO(), timeout=30)
    new = json.loads(open(session.registration_path()).read())
    assert new["clientId"] != old["clientId"]
    assert emulator.calls["RegisterClient"] == 2


# Run in a process of its own: which of botocore's model files the clients open.
_CLIENTS_PROBE = """
import json, os, sys
import botocore
from ssoenv.sso.clients import create_client
from ssoenv.sso.session import SsoSession

data = os.path.join(os.path.dirname(botocore.__file__), "data") + os.sep
opened, listed = [], []


def audit(event, args):
    path = args[0] if args and isinstance(args[0], str) else ""
    if event == "open" and path.startswith(data):
        opened.append(os.path.relpath(path, data))
    elif event == "os.listdir" and (path + os.sep).startswith(data):
        listed.append(os.path.relpath(path, data))


sys.addaudithook(audit)
session = SsoSession(*json.loads(sys.argv[1]))
endpoints = []
for service in ("sso-oidc", "sso", "sso-oidc", "sso"):
    endpoints.append(create_client(session, service).meta.endpoint_url)
    if len(endpoints) == 2:  # a later client must see this edit
        with open(sys.argv[2]) as f:
            text = f.read().replace("services = local", "services = moved")
        with open(sys.argv[2], "w") as f:
            f.write(text + "\\n[services moved]\\nsso =\\n  endpoint_url = http://127.0.0.2:9\\n")
print(json.dumps({"opened": opened, "listed": listed, "endpoints": endpoints}))
"""


def test_clients_read_botocores_model_files_once_and_the_aws_files_each_time(aws_home):
    # Each client starts from a fresh botocore session, so that it reads the AWS config and
    # the environment as they are; botocore's own model files do not change and are read
    # once per process (reading them again cost each client most of its start). Of
    # botocore's 400 and more service directories, only the clients' own are listed; of
    # endpoints.json, only the clients' part, from ssoenv's cache once it holds it.
    config = add_profile_via_services(aws_home, "http://127.0.0.1:9")
    args = [SESSION_NAME, START_URL, REGION, ["sso:account:access"], "via-services"]

    def probe():
        out = subprocess.run(
            [sys.executable, "-c", _CLIENTS_PROBE, json.dumps(args), str(config)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return json.loads(out)

    original = config.read_text()
    seen = probe()
    assert seen["opened"], "no model file was read: the probe sees nothing"
    assert "endpoints.json" in seen["opened"]
    twice = sorted({p for p in seen["opened"] if seen["opened"].count(p) > 1})
    assert twice == []
    assert "sso-oidc" in seen["listed"]  # the probe sees the listings
    assert set(seen["listed"]) <= {".", "sso-oidc", "sso"}
    assert seen["endpoints"] == [
        "http://127.0.0.1:9",
        "http://127.0.0.1:9",
        # The profile's services section changed: sso-oidc has no endpoint there now.
        "https://oidc.%s.amazonaws.com" % REGION,
        "http://127.0.0.2:9",
    ]
    # The next process finds the clients' part of endpoints.json in ssoenv's cache.
    config.write_text(original)
    again = probe()
    assert "sso-oidc/2019-06-10/service-2.json.gz" in again["opened"]
    assert "endpoints.json" not in again["opened"]
    assert again["endpoints"] == seen["endpoints"]


def _handler_table(bsession) -> dict:
    """Every handler a botocore session's events call, by event, in the order they run."""
    emitter = bsession._original_handler
    table = {}

    def walk(node, path):
        if node.get("values"):
            lists = node["values"]
            table[path] = (list(lists.first), list(lists.middle), list(lists.last))
        for chunk, child in node["children"].items():
            walk(child, path + (chunk,))

    walk(emitter._handlers._root, ())
    return {"events": table, "unique": dict(emitter._unique_id_handlers)}


def test_a_fresh_session_has_the_handlers_botocore_gives_a_new_session(aws_home, monkeypatch):
    import botocore.session

    from ssoenv.sso import clients

    monkeypatch.setattr(clients, "_HANDLERS", [])  # this process's first session, then others
    theirs = _handler_table(botocore.session.Session())
    assert ("choose-service-name",) in theirs["events"]  # the walk sees built-in handlers
    made = [clients.fresh_session(profile="dev") for _ in range(3)]
    for bsession in made:
        assert _handler_table(bsession) == theirs
        assert bsession.profile == "dev"
    # Each has handlers of its own: one registered on a session reaches no other.
    made[1].register("before-call.sso.*", lambda **kwargs: None)
    assert _handler_table(made[1]) != theirs
    for bsession in (made[0], made[2], clients.fresh_session()):
        assert _handler_table(bsession) == theirs
