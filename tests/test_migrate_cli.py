"""`ssoenv migrate`: the legacy config from the blog post our users start from, rewritten to
an sso-session, with the cached login still working afterwards."""
# ruff: noqa: F405

import hashlib
import json
import os
import sys

import pytest
import zygote
from sso_fixtures import *  # noqa: F403 - fixtures and constants

LEGACY = f"""\
; old config, don't use it
[profile my-old-profile]
sso_start_url = {START_URL}
sso_region = {REGION}
sso_account_id = {ACCOUNT}
sso_role_name = {ROLE}
credential_process = aws-sso-util credential-process --profile my-old-profile

[profile static]
region = us-east-1
"""

MIGRATED = f"""\
; old config, don't use it
[profile my-old-profile]
sso_session = example
sso_account_id = {ACCOUNT}
sso_role_name = {ROLE}

[sso-session example]
sso_start_url = {START_URL}
sso_region = {REGION}
sso_registration_scopes = sso:account:access

# ssoenv migrate: removed, botocore reads sso_session itself: credential_process = aws-sso-util credential-process --profile my-old-profile

[profile static]
region = us-east-1
"""


def config_path():
    return os.environ["AWS_CONFIG_FILE"]


def read_config():
    with open(config_path(), encoding="utf-8") as f:
        return f.read()


def run(*args):
    return zygote.run(["migrate", *args], env=dict(os.environ, PYTHONPATH=ROOT), timeout=60)


@pytest.fixture
def legacy(aws_home):
    with open(config_path(), "w") as f:
        f.write(LEGACY)
    return aws_home


def test_dry_run_prints_summary_and_diff_and_writes_nothing(legacy):
    result = run("--dry-run")
    assert result.returncode == 0, result.stderr
    assert "add [sso-session example]" in result.stderr
    assert "removed credential_process = aws-sso-util" in result.stderr
    assert "-credential_process = aws-sso-util" in result.stdout
    assert "+sso_session = example" in result.stdout
    assert read_config() == LEGACY
    assert not os.path.exists(config_path() + ".ssoenv-backup")


def test_without_terminal_or_yes_nothing_is_written(legacy):
    result = run()
    assert result.returncode == 2
    assert "--yes" in result.stderr
    assert read_config() == LEGACY


def test_yes_writes_and_the_legacy_login_keeps_working(emulator, legacy_session):
    with open(config_path(), "w") as f:
        f.write(LEGACY)
    token = issue_token(emulator, legacy_session)
    result = run("--yes")
    assert result.returncode == 0, result.stderr
    assert read_config() == MIGRATED
    with open(config_path() + ".ssoenv-backup") as f:
        assert f.read() == LEGACY
    assert "sso-session example: kept the current login" in result.stderr
    # The token is now where botocore looks for the sso-session's: sha1 of its name.
    cache_dir = os.path.join(os.environ["HOME"], ".aws", "sso", "cache")
    copied = os.path.join(cache_dir, hashlib.sha1(b"example").hexdigest() + ".json")
    assert json.load(open(copied))["accessToken"] == token["accessToken"]
    check = run_python(
        """
        import boto3
        print(boto3.Session(profile_name="my-old-profile").get_credentials().access_key)
        """
    )
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip() == emulator.issued_credentials[-1]["accessKeyId"]
    assert emulator.calls["CreateToken:device_code"] == 0  # no new sign-in
    for secret in secrets_of(token):
        assert secret not in result.stdout + result.stderr


def test_session_name_can_be_chosen(legacy):
    result = run("--yes", "--session-name", f"{START_URL}=corp")
    assert result.returncode == 0, result.stderr
    text = read_config()
    assert "[sso-session corp]" in text and "sso_session = corp" in text


def test_a_second_run_has_nothing_to_do(legacy):
    assert run("--yes").returncode == 0
    again = run("--yes")
    assert again.returncode == 0
    assert "nothing to migrate" in again.stderr
    assert read_config() == MIGRATED


def test_dashed_keys_from_the_blog_post_are_fixed(aws_home):
    with open(config_path(), "w") as f:
        f.write(
            "[profile my-new-profile]\nsso-session = myorg\nsso-account-id = 123456789012\n"
            "sso-role-name = AdministratorAccess\n\n[sso-session myorg]\n"
            "sso-start-url = https://myorg.awsapps.com/start\nsso-region = us-east-1\n"
            "sso-registration-scopes = sso:account:access\n"
        )
    result = run("--yes")
    assert result.returncode == 0, result.stderr
    assert "sso-session -> sso_session" in result.stderr
    assert read_config() == (
        "[profile my-new-profile]\nsso_session = myorg\nsso_account_id = 123456789012\n"
        "sso_role_name = AdministratorAccess\n\n[sso-session myorg]\n"
        "sso_start_url = https://myorg.awsapps.com/start\nsso_region = us-east-1\n"
        "sso_registration_scopes = sso:account:access\n"
    )


def test_bad_session_name_option_is_a_usage_error(legacy):
    result = run("--session-name", "nonsense")
    assert result.returncode == 2
    assert "URL=NAME" in result.stderr


def test_on_a_terminal_it_asks_before_writing(legacy):
    import pexpect

    def ask(answer):
        child = pexpect.spawn(
            sys.executable,
            ["-m", "ssoenv", "migrate"],
            env=dict(os.environ, PYTHONPATH=ROOT),
            encoding="utf-8",
            timeout=30,
        )
        child.expect(r"Write these changes to .*\? \[Y/n\]")
        child.sendline(answer)
        child.expect(pexpect.EOF)
        child.close()
        return child

    assert ask("n").exitstatus == 0
    assert read_config() == LEGACY
    assert ask("y").exitstatus == 0
    assert read_config() == MIGRATED
