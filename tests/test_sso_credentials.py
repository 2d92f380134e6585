"""Role credentials, portal listings and logout against the emulator."""
# ruff: noqa: F405

import io
import json
import os
import stat

import pytest
from sso_fixtures import *  # noqa: F403 - fixtures and constants

from ssoenv.base.errors import SsoError
from ssoenv.sso import cache
from ssoenv.sso.credentials import credential_process_output, get_role_credentials
from ssoenv.sso.login import login
from ssoenv.sso.logout import logout
from ssoenv.sso.portal import list_account_roles, list_accounts


def cli_cache_path(session, account=ACCOUNT, role=ROLE):
    return cache.role_credentials_cache_path(account, role, session.name, session.start_url)


def test_role_credentials_are_cached_the_aws_cli_way_and_reused(emulator, session):
    issue_token(emulator, session)
    creds = get_role_credentials(session, ACCOUNT, ROLE)
    issued = emulator.issued_credentials[-1]
    assert creds.access_key_id == issued["accessKeyId"]
    entry = json.loads(open(cli_cache_path(session)).read())
    assert entry == {
        "ProviderType": "sso",
        "Credentials": {
            "AccessKeyId": issued["accessKeyId"],
            "SecretAccessKey": issued["secretAccessKey"],
            "SessionToken": issued["sessionToken"],
            "Expiration": cache.format_time(issued["expiration"] / 1000),
            "AccountId": ACCOUNT,
        },
    }
    assert stat.S_IMODE(os.stat(cli_cache_path(session)).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(cli_cache_path(session))).st_mode) == 0o700
    again = get_role_credentials(session, ACCOUNT, ROLE)
    assert again == creds and emulator.calls["GetRoleCredentials"] == 1
    assert issued["secretAccessKey"] not in repr(creds)
    assert issued["sessionToken"] not in repr(creds)


def test_credentials_near_expiry_are_fetched_again(emulator, session):
    issue_token(emulator, session)
    emulator.configure(role_credentials_ttl=600)  # under the 15-minute window
    get_role_credentials(session, ACCOUNT, ROLE)
    get_role_credentials(session, ACCOUNT, ROLE)
    assert emulator.calls["GetRoleCredentials"] == 2


def test_credential_process_output_is_version_1(emulator, session):
    issue_token(emulator, session)
    creds = get_role_credentials(session, ACCOUNT, ROLE)
    data = json.loads(credential_process_output(creds))
    assert data == {
        "Version": 1,
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key,
        "SessionToken": creds.session_token,
        "Expiration": creds.expiration,
    }


def test_role_without_access_and_rejected_token(emulator, session):
    token = issue_token(emulator, session)
    with pytest.raises(SsoError, match="no access to that role"):
        get_role_credentials(session, "222222222222", "Admin")
    emulator.expire_access_tokens()
    with pytest.raises(SsoError, match="log in again") as err:
        get_role_credentials(session, ACCOUNT, ROLE)
    assert token["accessToken"] not in str(err.value)


def test_not_logged_in(emulator, session):
    with pytest.raises(SsoError, match="not logged in"):
        get_role_credentials(session, ACCOUNT, ROLE)


def test_list_accounts_reads_every_page(emulator, session):
    emulator.generate_accounts(300)
    issue_token(emulator, session)
    accounts = list_accounts(session)
    assert len(accounts) == 300 and len({a["accountId"] for a in accounts}) == 300
    assert emulator.calls["ListAccounts"] > 1
    roles = list_account_roles(session, accounts[5]["accountId"])
    assert [r["roleName"] for r in roles] == ["ReadOnly", "Admin"]


def test_boto3_fetches_its_own_role_credentials_with_our_token(emulator, browser, session):
    login(session, out=io.StringIO(), timeout=30)
    creds = get_role_credentials(session, ACCOUNT, ROLE)
    result = run_python(
        f"""
        import boto3
        c = boto3.Session(profile_name={PROFILE!r}).get_credentials().get_frozen_credentials()
        print(c.access_key)
        """
    )
    assert result.returncode == 0, result.stderr
    # boto3 fetched its own set with our token (it caches elsewhere than the AWS CLI).
    assert result.stdout.strip() in {c["accessKeyId"] for c in emulator.issued_credentials}
    assert result.stdout.strip() != creds.access_key_id


def test_logout_all_removes_tokens_and_sso_credentials_but_keeps_registrations(
    emulator, browser, session, legacy_session
):
    login(session, out=io.StringIO(), timeout=30)
    issue_token(emulator, legacy_session)
    get_role_credentials(session, ACCOUNT, ROLE)
    other = os.path.join(os.path.dirname(cli_cache_path(session)), "assume-role.json")
    with open(other, "w") as f:
        json.dump({"Credentials": {}, "ProviderType": "assume-role"}, f)
    tokens_before = [
        json.loads(open(p).read()) for p in (session.token_path(), legacy_session.token_path())
    ]
    assert logout() == 2
    assert not os.path.exists(session.token_path())
    assert not os.path.exists(legacy_session.token_path())
    assert not os.path.exists(cli_cache_path(session))
    assert os.path.exists(other)
    assert os.path.exists(session.registration_path())
    assert emulator.calls["Logout"] == 2
    for token in tokens_before:
        assert token["accessToken"] not in emulator.access_tokens


def test_logout_one_session_leaves_the_others(emulator, browser, session, legacy_session):
    issue_token(emulator, session)
    issue_token(emulator, legacy_session)
    get_role_credentials(session, ACCOUNT, ROLE)
    get_role_credentials(legacy_session, ACCOUNT, ROLE)
    assert logout(session) == 1
    assert not os.path.exists(session.token_path())
    assert not os.path.exists(cli_cache_path(session))
    assert os.path.exists(legacy_session.token_path())
    assert os.path.exists(cli_cache_path(legacy_session))


def test_logout_with_the_endpoint_down_still_deletes(emulator, session, monkeypatch):
    issue_token(emulator, session)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9")
    assert logout(session) == 1
    assert not os.path.exists(session.token_path())
