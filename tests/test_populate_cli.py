"""`ssoenv populate`: one profile per account and role, in a block updated in place."""
# ruff: noqa: F405

import os
import subprocess
import sys

import pytest
import zygote
from sso_fixtures import *  # noqa: F403 - fixtures and constants

from ssoenv.emulator import DEFAULT_ACCOUNTS

BEFORE = f"""\
# hand-written, keep
[sso-session {SESSION_NAME}]
sso_start_url = {START_URL}
sso_region = {REGION}
sso_registration_scopes = sso:account:access

; my own dev profile
[profile dev]
sso_session = {SESSION_NAME}
sso_account_id = {ACCOUNT}
sso_role_name = {ROLE}
"""
AFTER = "\n# trailing notes, keep\n[profile other]\nregion = us-east-1\n"


def config_path():
    return os.environ["AWS_CONFIG_FILE"]


def read_config():
    with open(config_path(), encoding="utf-8") as f:
        return f.read()


def run(*args):
    return zygote.run(
        ["populate", "--sso-session", SESSION_NAME, *args],
        env=dict(os.environ, PYTHONPATH=ROOT),
        timeout=60,
    )


def block(text):
    begin = text.index(f"# BEGIN ssoenv populate {SESSION_NAME}")
    end = text.index(f"# END ssoenv populate {SESSION_NAME}")
    return text[:begin], text[begin:end], text[end:]


@pytest.fixture
def populated(emulator, session):
    with open(config_path(), "w") as f:
        f.write(BEFORE)
    issue_token(emulator, session)
    result = run("--region", "eu-west-1")
    assert result.returncode == 0, result.stderr
    return result


def test_first_run_adds_a_profile_per_account_and_role(populated):
    assert "3 added, 0 updated, 0 removed, 0 unchanged" in populated.stderr
    text = read_config()
    head, inner, _ = block(text)
    assert head == BEFORE + "\n"
    for name, account, role in (
        ("dev.admin", "111111111111", "Admin"),
        ("dev.readonly", "111111111111", "ReadOnly"),
        ("prod.readonly", "222222222222", "ReadOnly"),
    ):
        assert (
            f"[profile {name}]\nsso_session = {SESSION_NAME}\nsso_account_id = {account}\n"
            f"sso_role_name = {role}\nregion = eu-west-1\n"
        ) in inner


def test_second_run_is_idempotent_and_updates_in_place(populated):
    first = read_config()
    with open(config_path(), "a") as f:
        f.write(AFTER)
    again = run()
    assert again.returncode == 0, again.stderr
    assert "0 added, 0 updated, 0 removed, 3 unchanged" in again.stderr
    assert read_config() == first + AFTER
    changed = run("--region", "us-east-2")
    assert "0 added, 3 updated, 0 removed" in changed.stderr
    head, inner, tail = block(read_config())
    assert head == BEFORE + "\n"
    assert tail.endswith(AFTER)
    assert inner.count("region = us-east-2") == 3


def test_prune_removes_profiles_of_accounts_no_longer_listed(populated, emulator):
    with open(config_path(), "a") as f:
        f.write(AFTER)
    emulator.configure(accounts=[a for a in DEFAULT_ACCOUNTS if a["accountName"] == "dev"])
    kept = run()
    assert "0 removed" in kept.stderr
    assert "[profile prod.readonly]" in read_config()
    pruned = run("--prune", "--yes")
    assert pruned.returncode == 0, pruned.stderr
    assert "1 removed" in pruned.stderr
    head, inner, tail = block(read_config())
    assert "prod.readonly" not in inner and "[profile dev.admin]" in inner
    assert head == BEFORE + "\n" and tail.endswith(AFTER)


def test_dry_run_prints_the_diff_and_writes_nothing(emulator, session):
    with open(config_path(), "w") as f:
        f.write(BEFORE)
    issue_token(emulator, session)
    result = run("--dry-run")
    assert result.returncode == 0, result.stderr
    assert "+[profile prod.readonly]" in result.stdout
    assert "dry run: 3 added" in result.stderr
    assert read_config() == BEFORE
    assert not os.path.exists(config_path() + ".ssoenv-backup")


def test_populated_profile_resolves_in_botocore(populated, emulator):
    result = run_python(
        """
        import boto3
        print(boto3.Session(profile_name="prod.readonly").get_credentials().access_key)
        """
    )
    assert result.returncode == 0, result.stderr
    issued = emulator.issued_credentials[-1]
    assert (issued["accountId"], issued["roleName"]) == ("222222222222", "ReadOnly")
    assert result.stdout.strip() == issued["accessKeyId"]


def test_logs_in_when_needed_and_names_unknown_sessions(emulator):
    with open(config_path(), "w") as f:
        f.write(BEFORE)
    result = run("--use-device-code", "--no-browser")
    assert result.returncode == 0, result.stderr
    assert "logging in" in result.stderr and "3 added" in result.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "ssoenv", "populate", "--sso-session", "nope"],
        env=dict(os.environ, PYTHONPATH=ROOT),
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 1
    assert missing.stderr.startswith('ssoenv: sso-session "nope" is not in')


def test_hundreds_of_accounts(emulator, session):
    with open(config_path(), "w") as f:
        f.write(BEFORE)
    emulator.generate_accounts(250)
    issue_token(emulator, session)
    result = run()
    assert result.returncode == 0, result.stderr
    assert "500 added" in result.stderr and "for 250 accounts" in result.stderr
    _, inner, _ = block(read_config())
    assert inner.count("[profile account-") == 500
    assert "[profile account-249.admin]" in inner


def test_lists_afresh_and_names_what_the_org_gained_and_lost(populated, emulator):
    # The org changed right after the last populate: its listing is still in the cache,
    # yet populate shows the org as it is now.
    staging = {
        "accountId": "333333333333",
        "accountName": "staging",
        "emailAddress": "staging@example.com",
        "roles": ["Admin"],
    }
    dev = [dict(a) for a in DEFAULT_ACCOUNTS if a["accountName"] == "dev"]
    dev[0]["roles"] = ["Admin", "PowerUser"]
    emulator.configure(accounts=dev + [staging])
    result = run()
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert (
        "ssoenv: since the last populate: 1 account added, 1 removed; 1 role added, 1 removed"
        in lines
    )
    assert "ssoenv: account added: staging (333333333333): Admin" in lines
    assert (
        "ssoenv: account removed: prod (222222222222): ReadOnly "
        "(profile prod.readonly kept; --prune removes it)" in lines
    )
    assert "ssoenv: role added: dev (111111111111): PowerUser" in lines
    assert (
        "ssoenv: role removed: dev (111111111111): ReadOnly "
        "(profile dev.readonly kept; --prune removes it)" in lines
    )
    _, inner, _ = block(read_config())
    assert "[profile staging.admin]" in inner and "[profile dev.poweruser]" in inner
    assert "[profile prod.readonly]" in inner


def test_an_unchanged_org_says_so(populated):
    again = run()
    assert again.returncode == 0, again.stderr
    assert "ssoenv: since the last populate: no account or role added or removed" in again.stderr


def test_prune_without_a_terminal_needs_yes_and_changes_nothing(populated, emulator):
    before = read_config()
    emulator.configure(accounts=[a for a in DEFAULT_ACCOUNTS if a["accountName"] == "dev"])
    refused = run("--prune")
    assert refused.returncode == 2
    assert refused.stderr.splitlines()[-1] == (
        "ssoenv: --prune would remove 1 profile from %s: prod.readonly; "
        "pass --yes to remove it, or --dry-run to see the change"
        % config_path().replace(os.environ["HOME"], "~")
    )
    assert read_config() == before
    dry = run("--prune", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "-[profile prod.readonly]" in dry.stdout
    assert "dry run: 0 added, 0 updated, 1 removed" in dry.stderr
    assert read_config() == before


def test_prune_at_a_terminal_lists_and_asks(populated, emulator):
    pexpect = pytest.importorskip("pexpect")
    before = read_config()
    emulator.configure(accounts=[a for a in DEFAULT_ACCOUNTS if a["accountName"] == "dev"])
    argv = ["-m", "ssoenv", "populate", "--sso-session", SESSION_NAME, "--prune"]
    env = dict(os.environ, PYTHONPATH=ROOT)
    child = pexpect.spawn(sys.executable, argv, env=env, encoding="utf-8", timeout=60)
    child.expect_exact("--prune removes 1 profile: prod.readonly")
    child.expect_exact("Remove it from")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "nothing written" in child.before
    assert read_config() == before
    child = pexpect.spawn(sys.executable, argv, env=env, encoding="utf-8", timeout=60)
    child.expect_exact("Remove it from")
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "1 removed" in child.before
    assert "[profile prod.readonly]" not in read_config()
