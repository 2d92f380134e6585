"""`ssoenv configure`: flags or a terminal in, a profile botocore resolves out, every other
line of the AWS config kept byte for byte."""
# ruff: noqa: F405

import io
import json
import os
import subprocess
import sys
import time

import pexpect
import pytest
import zygote
from sso_fixtures import *  # noqa: F403 - fixtures and constants
from terminal_wait import press_ctrl_c

from ssoenv.base.errors import ConfigError
from ssoenv.commands import configure

# Comments, odd spacing, unrelated sections and no final newline: all must survive.
GOLDEN = f"""\
# My AWS config. Hands off, tools.
[default]
region = eu-central-1   ; trailing comment stays
output=json

;; the company portal
[sso-session {SESSION_NAME}]
sso_start_url = {START_URL}
sso_region = {REGION}
sso_registration_scopes = sso:account:access

[profile static]
aws_access_key_id = AKIAEXAMPLEEXAMPLE00
s3 =
  max_concurrent_requests = 20

[services local]
dynamodb =
  endpoint_url = http://localhost:8000

# the end"""

ADDED_PROD = f"""

[profile prod.readonly]
sso_session = {SESSION_NAME}
sso_account_id = 222222222222
sso_role_name = ReadOnly
region = us-east-1
output = json
"""


def config_path():
    return os.environ["AWS_CONFIG_FILE"]


def read_config():
    with open(config_path(), encoding="utf-8") as f:
        return f.read()


def write_config(text):
    with open(config_path(), "w", encoding="utf-8") as f:
        f.write(text)


def run(*args, cwd=None, timeout=60):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return zygote.run(args, env=env, cwd=cwd, timeout=timeout)


def botocore_profile(profile):
    """What botocore itself makes of the profile: its settings and role credentials."""
    result = run_python(
        f"""
        import json, botocore.session
        s = botocore.session.Session(profile={profile!r})
        c = s.get_scoped_config()
        creds = s.get_credentials().get_frozen_credentials()
        keys = ("sso_session", "sso_account_id", "sso_role_name", "region", "output")
        print(json.dumps({{"config": {{k: c.get(k) for k in keys}}, "key": creds.access_key}}))
        """
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def logged_in(emulator, session):
    write_config(GOLDEN)
    issue_token(emulator, session)
    return emulator


def test_non_interactive_adds_profile_and_keeps_every_other_byte(logged_in, tmp_path):
    result = run(
        "configure",
        "--sso-session",
        SESSION_NAME,
        "--account-id",
        "222222222222",
        "--role-name",
        "ReadOnly",
        "--region",
        "us-east-1",
        "--output",
        "json",
        "--no-write-dotfile",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert read_config() == GOLDEN + ADDED_PROD
    assert "wrote [profile prod.readonly]" in result.stderr
    assert os.path.exists(config_path() + ".ssoenv-backup")
    seen = botocore_profile("prod.readonly")
    assert seen["config"] == {
        "sso_session": SESSION_NAME,
        "sso_account_id": "222222222222",
        "sso_role_name": "ReadOnly",
        "region": "us-east-1",
        "output": "json",
    }
    issued = logged_in.issued_credentials[-1]
    assert (issued["accountId"], issued["roleName"]) == ("222222222222", "ReadOnly")
    assert issued["accessKeyId"] == seen["key"]


def test_new_session_then_second_profile_asks_nothing_about_url_or_region(
    emulator, browser, tmp_path
):
    write_config(GOLDEN)
    first = run(
        "configure",
        "--sso-session",
        "corp",
        "--start-url",
        "https://corp.awsapps.com/start",
        "--sso-region",
        "us-west-2",
        "--account-id",
        "111111111111",
        "--role-name",
        "Admin",
        "--region",
        "",
        "--output",
        "",
        "--use-device-code",
        "--no-browser",
        cwd=tmp_path,
    )
    assert first.returncode == 0, first.stderr
    assert "logging in" in first.stderr
    text = read_config()
    assert text.startswith(GOLDEN)
    assert text[len(GOLDEN) :] == (
        "\n\n[profile dev.admin]\n"
        "sso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\n"
        "\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
        "sso_region = us-west-2\nsso_registration_scopes = sso:account:access\n"
    )
    # No --start-url, --sso-region or --scopes, no terminal: the session supplies them,
    # and the cached login is reused (no new sign-in).
    emulator.reset_counters()
    second = run(
        "configure",
        "--sso-session",
        "corp",
        "--account-id",
        "222222222222",
        "--role-name",
        "ReadOnly",
        "--output",
        "",
        cwd=tmp_path,
    )
    assert second.returncode == 0, second.stderr
    assert "logging in" not in second.stderr
    assert emulator.calls["StartDeviceAuthorization"] == 0
    assert read_config().count("[sso-session corp]") == 1
    assert botocore_profile("prod.readonly")["config"]["region"] == "us-west-2"


def test_without_terminal_a_missing_answer_names_its_flag(logged_in, tmp_path):
    result = run("configure", "--sso-session", SESSION_NAME, cwd=tmp_path)
    assert result.returncode == 2
    assert "--account-id" in result.stderr
    assert read_config() == GOLDEN
    result = run("configure", cwd=tmp_path)
    assert "--sso-session" in result.stderr
    result = run("configure", "--sso-session", "brand-new", cwd=tmp_path)
    assert "--start-url" in result.stderr
    assert read_config() == GOLDEN


def test_single_role_is_taken_without_asking(logged_in, tmp_path):
    # prod has one role: no --role-name needed even without a terminal.
    result = run(
        "configure",
        "--sso-session",
        SESSION_NAME,
        "--account-id",
        "222222222222",
        "--region",
        "",
        "--output",
        "",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "sso_role_name = ReadOnly" in read_config()


def test_dry_run_prints_diff_and_writes_nothing(logged_in, tmp_path):
    result = run(
        "configure",
        "--sso-session",
        SESSION_NAME,
        "--account-id",
        "222222222222",
        "--role-name",
        "ReadOnly",
        "--output",
        "",
        "--write-dotfile",
        "--dry-run",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    # Nothing to choose, so no login: without a remembered name the id names the profile.
    assert "+[profile 222222222222.readonly]" in result.stdout
    assert "logging in" not in result.stderr
    assert read_config() == GOLDEN
    assert not os.path.exists(config_path() + ".ssoenv-backup")
    assert not (tmp_path / ".ssoenv").exists()


def test_write_dotfile_writes_and_allows_it(logged_in, tmp_path):
    project = tmp_path / "proj"
    project.mkdir()
    result = run(
        "configure",
        "--sso-session",
        SESSION_NAME,
        "--account-id",
        "111111111111",
        "--role-name",
        "ReadOnly",
        "--output",
        "",
        "--profile-name",
        "dev-ro",
        "--write-dotfile",
        cwd=project,
    )
    assert result.returncode == 0, result.stderr
    assert (project / ".ssoenv").read_text() == "profile: dev-ro\n"
    status = subprocess.run(
        [sys.executable, "-m", "ssoenv", "status", "--json"],
        env=dict(os.environ, PYTHONPATH=ROOT, PWD=str(project)),
        cwd=project,
        capture_output=True,
        text=True,
    )
    info = json.loads(status.stdout)
    assert "allowed" in json.dumps(info)
    assert "not allowed" not in json.dumps(info)


def test_reconfiguring_the_same_account_and_role_updates_the_profile(logged_in, tmp_path):
    args = ["configure", "--sso-session", SESSION_NAME, "--account-id", "222222222222"]
    assert run(*args, "--region", "us-east-1", "--output", "", cwd=tmp_path).returncode == 0
    again = run(*args, "--region", "eu-west-3", "--output", "", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    text = read_config()
    assert text.count("[profile prod.readonly]") == 1
    assert "region = eu-west-3" in text and "region = us-east-1" not in text


def test_from_dotfile_prefills_and_picks_the_session_by_start_url(logged_in, tmp_path):
    project = tmp_path / "shared"
    project.mkdir()
    (project / ".ssoenv").write_text(
        f'account: "222222222222"\nrole: ReadOnly\nsso_start_url: {START_URL}/#\n'
        "region: ap-south-1\n"
    )
    result = run("configure", "--from-dotfile", "--output", "", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "now finds profile prod.readonly" in result.stderr
    assert "is not allowed; to use it, run: ssoenv allow" in result.stderr
    seen = botocore_profile("prod.readonly")["config"]
    assert seen["sso_session"] == SESSION_NAME
    assert seen["region"] == "ap-south-1"
    assert read_config().count("[sso-session") == 1


def test_account_names_are_remembered_for_portable_files(logged_in, tmp_path):
    from ssoenv.aws import accounts

    run("configure", "--sso-session", SESSION_NAME, "--account-id", "222222222222", cwd=tmp_path)
    assert accounts.load_names()["222222222222"] == "prod"


# ---- the logic, without a process -------------------------------------------------


def test_apply_configure_refuses_a_profile_inside_a_populate_block():
    text = (
        "[sso-session s]\nsso_start_url = u\nsso_region = r\n\n"
        "# BEGIN ssoenv populate s\n[profile p]\nsso_session = s\n# END ssoenv populate s\n"
    )
    choice = configure.SessionChoice("s", "u", "r", "", False)
    with pytest.raises(ConfigError, match="populate"):
        configure.apply_configure(
            text, profile="p", session=choice, account_id="1" * 12, role_name="R"
        )


def test_apply_configure_turns_a_legacy_profile_into_a_session_one():
    text = "[profile old]\nsso_start_url = u\nsso_region = r\nsso_account_id = 1\nregion = x\n"
    choice = configure.SessionChoice("s", "u", "r", "sso:account:access", True)
    new = configure.apply_configure(
        text, profile="old", session=choice, account_id="111111111111", role_name="R"
    )
    assert new == (
        "[profile old]\nsso_account_id = 111111111111\nregion = x\nsso_session = s\n"
        "sso_role_name = R\n\n[sso-session s]\nsso_start_url = u\nsso_region = r\n"
        "sso_registration_scopes = sso:account:access\n"
    )


def test_suggested_name_avoids_taken_names():
    text = "[profile prod.readonly]\nregion = x\n"
    name = configure.suggest_profile_name(text, "s", "222222222222", "Prod", "ReadOnly")
    assert name == "prod.readonly-222222222222"


# ---- the wizard on a terminal ----------------------------------------------------------


def spawn_wizard(tmp_path, *args):
    env = dict(os.environ, PYTHONPATH=ROOT, TERM="xterm", COLUMNS="100", LINES="30")
    return pexpect.spawn(
        sys.executable,
        ["-m", "ssoenv", "configure", *args],
        env=env,
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=30,
        dimensions=(30, 100),
    )


@pytest.fixture
def many_accounts(emulator, session):
    write_config(GOLDEN)
    emulator.generate_accounts(300)
    issue_token(emulator, session)
    return emulator


def test_wizard_arrow_keys_and_filter_choose_account_and_role(many_accounts, tmp_path):
    child = spawn_wizard(tmp_path, "--output", "", "--no-write-dotfile")
    # One existing session plus "a new sso-session…": a menu.
    child.expect("SSO session")
    child.send("\r")
    child.expect(r"300 of 300")
    child.send("ACCOUNT-27")  # case-insensitive: account-270 .. account-279
    child.expect(r" 10 of 300")
    child.send("\x1b[B\x1b[B")  # down twice
    child.send("\x7f")  # Backspace: "account-2" widens the filter
    child.expect(r" 100 of 300")
    child.send("7\x1b[B\x1b[B")  # "account-27" again; the cursor starts at the top
    child.expect(r" 10 of 300")
    time.sleep(0.3)
    child.send("\r")
    child.expect("Role")
    child.send("\x0e\r")  # Ctrl-N: the second role (sorted: Admin, ReadOnly)
    child.expect("Profile name")
    child.expect(r"account-272\.readonly")
    child.sendline("")
    child.expect("Default client region")
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    text = read_config()
    assert text.startswith(GOLDEN)
    assert (
        "[profile account-272.readonly]\nsso_session = my-sso\nsso_account_id = 100000000272\n"
        "sso_role_name = ReadOnly\nregion = eu-west-1\n"
    ) in text


def test_wizard_shows_a_window_not_hundreds_of_lines(many_accounts, tmp_path):
    child = spawn_wizard(tmp_path, "--sso-session", SESSION_NAME)
    child.expect(r"300 of 300")
    screen = child.before
    assert "account-000" in screen and "account-050" not in screen
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()


def test_the_menu_shows_the_listings_age_and_ctrl_r_lists_again(many_accounts, tmp_path):
    first = spawn_wizard(tmp_path, "--sso-session", SESSION_NAME)
    first.expect(r"Account \(300, listed just now; Ctrl-R lists again\)")
    first.sendcontrol("c")
    first.expect(pexpect.EOF)
    first.close()
    # The organisation grows after the listing was cached: the menu shows the cached
    # listing, says how old it is, and Ctrl-R lists afresh.
    many_accounts.generate_accounts(301)
    calls = many_accounts.calls["ListAccounts"]
    child = spawn_wizard(tmp_path, "--sso-session", SESSION_NAME)
    child.expect(r"Account \(300, listed (just now|1 min ago); Ctrl-R lists again\)")
    child.expect(r"300 of 300")
    assert many_accounts.calls["ListAccounts"] == calls
    child.sendcontrol("r")
    child.expect(r"Account \(301, listed just now; Ctrl-R lists again\)")
    child.expect(r"301 of 301")
    child.send("account-300\r")
    child.expect("Role")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert many_accounts.calls["ListAccounts"] > calls


def test_ctrl_c_in_the_menu_leaves_the_config_byte_identical(many_accounts, tmp_path):
    before = os.stat(config_path())
    child = spawn_wizard(tmp_path, "--sso-session", SESSION_NAME)
    child.expect(r"300 of 300")
    child.send("acc\x1b[B")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert read_config() == GOLDEN
    assert os.stat(config_path()).st_mtime_ns == before.st_mtime_ns
    assert not os.path.exists(config_path() + ".ssoenv-backup")


def test_ctrl_c_at_a_prompt_leaves_the_config_byte_identical(many_accounts, tmp_path):
    child = spawn_wizard(tmp_path, "--sso-session", SESSION_NAME, "--account-id", "100000000001")
    child.expect("Role")
    child.send("\r")
    child.expect("Profile name")
    child.sendline("")
    child.expect("Default client region")
    press_ctrl_c(child)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert read_config() == GOLDEN


def test_wizard_asks_every_question_and_writes_the_dotfile(many_accounts, tmp_path):
    project = tmp_path / "proj"
    (project / ".git").mkdir(parents=True)  # a checkout: a .ssoenv belongs here
    child = spawn_wizard(project, "--sso-session", SESSION_NAME)
    child.logfile_read = transcript = io.StringIO()
    child.expect(r"300 of 300")
    child.send("account-150")
    child.expect(r" 1 of 300")
    child.send("\r")
    child.expect("Role")
    child.send("\r")  # the first: Admin
    child.expect(r"Profile name \[account-150\.admin\]")
    child.sendline("ops")
    child.expect(r"Default client region \[eu-west-1\]")
    child.sendline("ap-northeast-1")
    child.expect(r"Default output format .*empty: none\): ")
    child.sendline("")  # none
    child.expect(r"Write .*\.ssoenv so this directory uses ops\? \[Y/n\]")
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    # A known session: nothing is asked about its start URL or region.
    assert "start URL" not in transcript.getvalue() and "SSO region" not in transcript.getvalue()
    text = read_config()
    assert text == GOLDEN + (
        "\n\n[profile ops]\nsso_session = my-sso\nsso_account_id = 100000000150\n"
        "sso_role_name = Admin\nregion = ap-northeast-1\n"
    )
    assert (project / ".ssoenv").read_text() == "profile: ops\n"


def test_an_account_you_cannot_access_is_an_error(logged_in, tmp_path):
    result = run(
        "configure", "--sso-session", SESSION_NAME, "--account-id", "999999999999", cwd=tmp_path
    )
    assert result.returncode == 1
    assert result.stderr == (
        'ssoenv: account 999999999999 is not among the 2 accounts sso-session "my-sso" can access\n'
    )
    assert read_config() == GOLDEN


def test_fresh_machine_without_a_config_gets_one(emulator, tmp_path):
    os.unlink(config_path())
    result = run(
        "configure",
        "--start-url",
        "https://corp.awsapps.com/start/#",
        "--sso-region",
        "us-east-2",
        "--account-id",
        "222222222222",
        "--output",
        "",
        "--use-device-code",
        "--no-browser",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    # The session is named after the portal; region defaults to the SSO region.
    assert read_config() == (
        "[profile prod.readonly]\nsso_session = corp\nsso_account_id = 222222222222\n"
        "sso_role_name = ReadOnly\nregion = us-east-2\n\n[sso-session corp]\n"
        "sso_start_url = https://corp.awsapps.com/start/#\nsso_region = us-east-2\n"
        "sso_registration_scopes = sso:account:access\n"
    )
    assert os.stat(config_path()).st_mode & 0o777 == 0o600
    assert botocore_profile("prod.readonly")["config"]["sso_session"] == "corp"


def test_wizard_creates_a_new_session_and_logs_in(emulator, tmp_path):
    write_config(GOLDEN)
    child = spawn_wizard(tmp_path, "--use-device-code", "--no-browser", "--no-write-dotfile")
    child.expect("SSO session")
    child.send("\x1b[B\r")  # "a new sso-session…"
    child.expect(r"SSO session name \(new\): ")
    child.sendline("corp")
    child.expect("SSO start URL: ")
    child.sendline("https://corp.awsapps.com/start")
    child.expect("SSO region: ")
    child.sendline("us-west-2")
    child.expect(r"SSO registration scopes \[sso:account:access\]: ")
    child.sendline("")
    child.expect('logging in to sso-session "corp"')
    child.expect(r"Account \(2, listed just now; Ctrl-R lists again\)")
    child.send("prod\r")
    child.expect("Profile name")  # prod has one role: not asked
    child.sendline("")
    child.expect("Default client region")
    child.sendline("")
    child.expect("Default output format")
    child.sendline("json")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert read_config() == GOLDEN + (
        "\n\n[profile prod.readonly]\nsso_session = corp\nsso_account_id = 222222222222\n"
        "sso_role_name = ReadOnly\nregion = us-west-2\noutput = json\n\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
        "sso_region = us-west-2\nsso_registration_scopes = sso:account:access\n"
    )


@pytest.mark.parametrize("where", ["home", "no-vcs", "root"])
def test_outside_a_project_the_dotfile_question_defaults_to_no(many_accounts, tmp_path, where):
    directory = {"home": os.environ["HOME"], "no-vcs": str(tmp_path / "notes"), "root": "/"}
    os.makedirs(directory[where], exist_ok=True)
    args = ["--sso-session", SESSION_NAME, "--account-id", "100000000001", "--role-name"]
    child = spawn_wizard(directory[where], *args, "Admin", "--profile-name", "ops")
    child.expect("Default client region")
    child.sendline("")
    child.expect("Default output format")
    child.sendline("")
    child.expect(r"Write .*\.ssoenv so this directory uses ops\? \(([^)]*)\) \[y/N\]")
    assert {"home": "home directory", "no-vcs": "no version control", "root": "this is /"}[
        where
    ] in child.match.group(1)
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert not os.path.exists(os.path.join(directory[where], ".ssoenv"))
    assert "[profile ops]" in read_config()


@pytest.mark.parametrize(
    "flag, written", [("--write-dotfile", True), ("--no-write-dotfile", False)]
)
def test_the_dotfile_flags_decide_without_asking(many_accounts, tmp_path, flag, written):
    notes = tmp_path / "notes"  # not a project: the flag decides all the same
    notes.mkdir()
    args = ["--sso-session", SESSION_NAME, "--account-id", "100000000001", "--role-name"]
    child = spawn_wizard(notes, *args, "Admin", "--profile-name", "ops", "--region", "", flag)
    child.expect("Default output format")
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "Write " not in child.before
    assert (notes / ".ssoenv").exists() == written
