"""`ssoenv configure` never loses a profile without saying so, and `--dry-run` writes
nothing at all: not the config, not a token, not a client registration."""
# ruff: noqa: F405

import os

import pexpect
import pytest
from sso_fixtures import *  # noqa: F403
from terminal_wait import press_ctrl_c
from test_configure import (
    GOLDEN,
    config_path,
    read_config,
    run,
    spawn_wizard,
    write_config,
)


@pytest.fixture
def logged_in(emulator, session):
    write_config(GOLDEN)
    issue_token(emulator, session)
    return emulator


SHOP_DEV = f"""

[profile shop-dev]
sso_session = {SESSION_NAME}
sso_account_id = 111111111111
sso_role_name = ReadOnly
region = eu-central-1
"""

TO_PROD = [
    "configure",
    "--sso-session",
    SESSION_NAME,
    "--account-id",
    "222222222222",
    "--role-name",
    "ReadOnly",
    "--output",
    "",
    "--no-write-dotfile",
]

CHANGE = (
    'profile "shop-dev" is account 111111111111 (dev), role ReadOnly, sso-session my-sso; '
    "it would become account 222222222222 (prod), role ReadOnly, sso-session my-sso"
)


def sso_cache_files(home) -> list:
    base = os.path.join(home, ".aws", "sso", "cache")
    return sorted(os.listdir(base)) if os.path.isdir(base) else []


def test_overwriting_a_profile_without_a_terminal_needs_force(logged_in, tmp_path):
    write_config(GOLDEN + SHOP_DEV)
    refused = run(*TO_PROD, "--profile-name", "shop-dev", cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr == f"ssoenv: {CHANGE}; overwriting it needs --force\n"
    assert read_config() == GOLDEN + SHOP_DEV

    forced = run(*TO_PROD, "--profile-name", "shop-dev", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert f"ssoenv: {CHANGE}\n" in forced.stderr
    # No --region: the profile keeps its own, not the SSO region.
    assert read_config() == GOLDEN + SHOP_DEV.replace("111111111111", "222222222222")


def test_the_same_account_and_role_again_asks_nothing(logged_in, tmp_path):
    write_config(GOLDEN + SHOP_DEV)
    args = ["configure", "--sso-session", SESSION_NAME, "--account-id", "111111111111"]
    result = run(*args, "--role-name", "ReadOnly", "--profile-name", "shop-dev", "--output", "")
    assert result.returncode == 0, result.stderr
    assert "would become" not in result.stderr
    assert read_config() == GOLDEN + SHOP_DEV  # region kept from the profile


def test_at_a_terminal_overwriting_asks_with_no_as_the_default(logged_in, tmp_path):
    write_config(GOLDEN + SHOP_DEV)
    child = spawn_wizard(tmp_path, *TO_PROD[1:], "--profile-name", "shop-dev")
    child.expect_exact(CHANGE)
    child.expect_exact("Overwrite profile shop-dev? [y/N]")
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert 'nothing written; profile "shop-dev" is left as it was' in child.before
    assert read_config() == GOLDEN + SHOP_DEV


def test_at_a_terminal_a_refused_name_is_asked_again(logged_in, tmp_path):
    write_config(GOLDEN + SHOP_DEV)
    child = spawn_wizard(tmp_path, *TO_PROD[1:])
    child.expect_exact("Profile name [prod.readonly]")
    child.sendline("shop-dev")
    child.expect_exact("Overwrite profile shop-dev? [y/N]")
    child.sendline("n")
    child.expect_exact("Profile name [prod.readonly]")
    child.sendline("shop-dev")
    child.expect_exact("Overwrite profile shop-dev? [y/N]")
    child.sendline("y")
    # The region the profile had is the default now.
    child.expect_exact("Default client region [eu-central-1]")
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert read_config() == GOLDEN + SHOP_DEV.replace("111111111111", "222222222222")


def test_dry_run_with_a_new_session_signs_in_to_nothing(emulator, tmp_path):
    write_config(GOLDEN)
    home = os.environ["HOME"]
    result = run(
        "configure",
        "--start-url",
        "https://corp.awsapps.com/start",
        "--sso-region",
        "us-east-1",
        "--output",
        "",
        "--dry-run",
        "--use-device-code",
        "--no-browser",
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert result.stderr == (
        "ssoenv: listing accounts needs a sign-in to the new sso-session corp, and a dry run "
        "writes nothing (no token, no registration); pass --account-id (its number) and "
        "--role-name, or run without --dry-run\n"
    )
    assert emulator.requests == []
    assert sso_cache_files(home) == []
    assert read_config() == GOLDEN


def test_dry_run_of_a_session_not_logged_in_says_to_log_in_first(emulator, tmp_path):
    write_config(GOLDEN)
    result = run("configure", "--sso-session", SESSION_NAME, "--dry-run", cwd=tmp_path)
    assert result.returncode == 1
    assert "ssoenv login --sso-session my-sso" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert emulator.requests == []
    assert sso_cache_files(os.environ["HOME"]) == []


def test_dry_run_with_a_login_lists_accounts_and_writes_nothing(logged_in, tmp_path):
    home = os.environ["HOME"]
    before = {
        name: os.stat(os.path.join(home, ".aws", "sso", "cache", name)).st_mtime_ns
        for name in sso_cache_files(home)
    }
    result = run(*TO_PROD[:4], "prod", "--output", "", "--dry-run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "+[profile prod.readonly]" in result.stdout
    assert read_config() == GOLDEN
    after = {
        name: os.stat(os.path.join(home, ".aws", "sso", "cache", name)).st_mtime_ns
        for name in sso_cache_files(home)
    }
    assert after == before
    assert not os.path.exists(os.path.join(home, ".cache", "ssoenv", "account-names.json"))


def test_without_a_terminal_the_message_names_the_flag_not_the_menu(logged_in, tmp_path):
    result = run("configure", "--sso-session", SESSION_NAME, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "ssoenv: no terminal to ask for the account on; pass --account-id\n"


def test_the_wizard_explains_an_empty_answer(emulator, tmp_path):
    write_config(GOLDEN)
    child = spawn_wizard(tmp_path, "--sso-session", "corp", "--no-write-dotfile")
    child.expect_exact("SSO start URL: ")
    child.sendline("")
    child.expect_exact(
        "ssoenv: an answer is needed; the address of your AWS access portal, "
        "e.g. https://myorg.awsapps.com/start"
    )
    child.expect_exact("SSO start URL: ")
    child.sendline("https://corp.awsapps.com/start")
    child.expect_exact("SSO region: ")
    child.sendline("")
    child.expect_exact(
        "ssoenv: an answer is needed; the region IAM Identity Center runs in, e.g. us-east-1"
    )
    child.expect_exact("SSO region: ")
    press_ctrl_c(child)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert read_config() == GOLDEN
    assert config_path()
