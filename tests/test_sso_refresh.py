"""Refreshing the access token: once across processes, compatible with botocore, and
failing clearly and safely."""
# ruff: noqa: F405

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from sso_fixtures import *  # noqa: F403 - fixtures and constants

from ssoenv.base.errors import SsoError
from ssoenv.sso import cache
from ssoenv.sso.clients import Network
from ssoenv.sso.refresh import ensure_fresh, start_background_refresh

FAST = Network(connect_timeout=1, read_timeout=1, max_attempts=1)


def read(path):
    with open(path) as f:
        return json.load(f)


def test_valid_token_is_used_without_calls(emulator, session):
    token = issue_token(emulator, session)
    state = ensure_fresh(session)
    assert state.access_token == token["accessToken"] and not state.refreshed
    assert emulator.requests == []


def test_token_written_the_cli_way_is_refreshed_with_rotation(emulator, session):
    old = issue_token(emulator, session, expires_in=300)
    state = ensure_fresh(session)
    assert state.refreshed and state.problem is None
    assert state.access_token != old["accessToken"]
    assert emulator.refresh_calls == 1
    new = read(session.token_path())
    assert new["accessToken"] == state.access_token
    assert new["refreshToken"] != old["refreshToken"]
    assert new["refreshToken"] in emulator.refresh_tokens
    assert not emulator.refresh_tokens[old["refreshToken"]]["valid"]
    assert {k: new[k] for k in ("clientId", "clientSecret", "registrationExpiresAt")} == {
        k: old[k] for k in ("clientId", "clientSecret", "registrationExpiresAt")
    }
    assert cache.token_status(cache.read_token(session.token_path())) == "valid"


def test_expired_token_with_refresh_token_is_refreshed(emulator, session):
    issue_token(emulator, session, expires_in=-60)
    assert ensure_fresh(session).refreshed
    assert emulator.refresh_calls == 1


def test_missing_and_expired_tokens_ask_to_log_in(emulator, session, legacy_session):
    with pytest.raises(SsoError, match="not logged in .*ssoenv login"):
        ensure_fresh(session)
    issue_token(emulator, legacy_session, expires_in=-5)
    with pytest.raises(SsoError, match="expired; log in again: ssoenv login"):
        ensure_fresh(legacy_session)


def test_legacy_token_is_never_refreshed(emulator, legacy_session):
    issue_token(emulator, legacy_session, expires_in=300)
    state = ensure_fresh(legacy_session)
    assert not state.refreshed and "cannot be refreshed" in state.problem
    assert emulator.refresh_calls == 0


def test_botocore_refreshes_a_token_ssoenv_wrote(emulator, session):
    issue_token(emulator, session)
    ensure_fresh(session)  # ssoenv reads and rewrites nothing; now put it in the window
    token = read(session.token_path())
    token["expiresAt"] = cache.format_time(time.time() + 300)
    from ssoenv.sso import tokens

    tokens.save_token(session, token)
    result = run_python(
        f"""
        import boto3
        creds = boto3.Session(profile_name={PROFILE!r}).get_credentials().get_frozen_credentials()
        print(creds.access_key)
        """
    )
    assert result.returncode == 0, result.stderr
    assert emulator.refresh_calls == 1
    refreshed = read(session.token_path())
    assert refreshed["accessToken"] != token["accessToken"]
    assert refreshed["refreshToken"] != token["refreshToken"]
    state = ensure_fresh(session)
    assert state.access_token == refreshed["accessToken"] and not state.refreshed


def test_twenty_processes_refresh_exactly_once(emulator, session, tmp_path):
    issue_token(emulator, session, expires_in=300)
    path = session.token_path()
    bad = []
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            try:
                with open(path) as f:
                    json.load(f)
            except (OSError, ValueError) as exc:
                bad.append(repr(exc))

    watcher = threading.Thread(target=watch)
    watcher.start()
    code = f"""
        from ssoenv.sso.refresh import ensure_fresh
        from ssoenv.sso.session import SsoSession
        session = SsoSession({SESSION_NAME!r}, {START_URL!r}, {REGION!r}, ("sso:account:access",), {PROFILE!r})
        state = ensure_fresh(session)
        print(state.access_token[:8], state.problem)
    """
    env = dict(os.environ, PYTHONPATH=ROOT)
    try:
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", textwrap.dedent(code)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(20)
        ]
        results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    finally:
        stop.set()
        watcher.join()
    assert all(rc == 0 for _, _, rc in results), [err for _, err, _ in results]
    assert all(out.decode().split()[1] == "None" for out, _, _ in results)
    assert emulator.refresh_calls == 1
    assert bad == []
    assert cache.token_status(cache.read_token(path)) == "valid"


def test_background_refresh_runs_detached_and_is_throttled(emulator, session):
    issue_token(emulator, session, expires_in=300)
    state = ensure_fresh(session, background_ok=True)
    assert not state.refreshed  # answered at once with the old, still valid token
    deadline = time.monotonic() + 30
    while emulator.refresh_calls == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    while cache.token_status(cache.read_token(session.token_path())) != "valid":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert emulator.refresh_calls == 1
    assert start_background_refresh(session) is None  # started less than a minute ago


def closed_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.mark.parametrize("expires_in", [300, -60], ids=["in-window", "expired"])
def test_unreachable_endpoint(emulator, session, monkeypatch, expires_in):
    issue_token(emulator, session, expires_in=expires_in)
    before = open(session.token_path()).read()
    port = closed_port()
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", f"http://127.0.0.1:{port}")
    message = f"cannot reach http://127.0.0.1:{port}: connection refused"
    if expires_in > 0:
        state = ensure_fresh(session, network=FAST)
        assert message in state.problem and not state.refreshed
    else:
        with pytest.raises(SsoError, match=message):
            ensure_fresh(session, network=FAST)
    assert open(session.token_path()).read() == before


def test_server_errors_keep_the_old_token(emulator, session):
    issue_token(emulator, session, expires_in=300)
    before = open(session.token_path()).read()
    emulator.fail_next(5, status=500)
    state = ensure_fresh(session, network=Network(max_attempts=2))
    assert "had an error (HTTP 500)" in state.problem
    assert emulator.refresh_calls == 2  # one retry, then give up
    assert open(session.token_path()).read() == before


def test_slow_endpoint_times_out(emulator, session):
    issue_token(emulator, session, expires_in=-1)
    before = open(session.token_path()).read()
    # The answer comes after 3 s: only the 1 s read timeout makes this fail, and it fails
    # once, with no second try.
    emulator.configure(latency=3)
    with pytest.raises(SsoError, match="did not answer in time"):
        ensure_fresh(session, network=FAST)
    assert emulator.refresh_calls == 1
    assert open(session.token_path()).read() == before


def test_revoked_refresh_token_asks_to_log_in_again(emulator, session):
    token = issue_token(emulator, session, expires_in=-1)
    emulator.revoke_refresh_tokens()
    with pytest.raises(SsoError, match="log in again: ssoenv login") as err:
        ensure_fresh(session)
    assert read(session.token_path()) == token
    for secret in secrets_of(token):
        assert secret not in str(err.value)


def test_expired_registration_is_not_used_to_refresh(emulator, session):
    token = issue_token(emulator, session, expires_in=-1)
    token["registrationExpiresAt"] = cache.format_time(time.time() - 1)
    from ssoenv.sso import tokens

    tokens.save_token(session, token)
    with pytest.raises(SsoError, match="expired"):
        ensure_fresh(session)
    assert emulator.refresh_calls == 0


def test_lock_wait_is_bounded(emulator, session):
    from ssoenv.sso.lock import session_lock

    issue_token(emulator, session, expires_in=-1)
    with session_lock(session.lock_path()):
        # The lock stays held: only the wait's own bound ends it.
        with pytest.raises(SsoError, match="another ssoenv process"):
            ensure_fresh(session, lock_timeout=0.5)


def test_failed_refresh_is_not_retried_for_a_minute_and_login_clears_it(emulator, browser, session):
    from ssoenv.sso.login import login
    from ssoenv.sso.refresh import last_refresh_failure

    issue_token(emulator, session, expires_in=300)
    emulator.revoke_refresh_tokens()
    first = ensure_fresh(session)
    assert "log in again" in first.problem
    second = ensure_fresh(session)
    assert second.problem == first.problem and second.access_token == first.access_token
    assert emulator.refresh_calls == 1
    assert last_refresh_failure(session) == first.problem
    import io

    login(session, out=io.StringIO(), timeout=30)
    assert last_refresh_failure(session) is None
    assert ensure_fresh(session).problem is None
