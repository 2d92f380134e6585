"""Listing big organisations at the pace IAM Identity Center allows: the emulator's throttle,
adaptive back-off, the deadline, progress on stderr, and the cache of accounts and roles."""
# ruff: noqa: F405

import io
import json
import os
import re
import signal
import stat
import subprocess
import sys

import boto3
import botocore
import pexpect
import pytest
import zygote
from botocore.config import Config
from botocore.exceptions import ClientError
from sso_fixtures import *  # noqa: F403 - fixtures and constants

from ssoenv.base.errors import SsoError
from ssoenv.sso import assignments, portal

UNSIGNED = Config(signature_version=botocore.UNSIGNED, retries={"total_max_attempts": 1})

CONFIG_WITH_SESSION = f"""\
[sso-session {SESSION_NAME}]
sso_start_url = {START_URL}
sso_region = {REGION}
sso_registration_scopes = sso:account:access
"""


def populate(*args, timeout=120):
    return zygote.run(
        ["populate", "--sso-session", SESSION_NAME, *args],
        env=dict(os.environ, PYTHONPATH=ROOT),
        timeout=timeout,
    )


def config_text():
    with open(os.environ["AWS_CONFIG_FILE"], encoding="utf-8") as f:
        return f.read()


def portal_calls(emu) -> int:
    return emu.calls["ListAccounts"] + emu.calls["ListAccountRoles"]


@pytest.fixture
def org(emulator, session):
    """A signed-in user of an organisation of 60 accounts with two roles each."""
    with open(os.environ["AWS_CONFIG_FILE"], "w") as f:
        f.write(CONFIG_WITH_SESSION)
    emulator.generate_accounts(60)
    issue_token(emulator, session)
    return emulator


# ---- the emulator's throttle ----------------------------------------------------------


def test_emulator_throttles_each_operation_beyond_its_rate(emulator, session):
    token = issue_token(emulator, session)["accessToken"]
    sso = boto3.client("sso", endpoint_url=emulator.url, region_name=REGION, config=UNSIGNED)
    emulator.configure(throttle=2)
    answers = []
    for _ in range(6):
        try:
            sso.list_accounts(accessToken=token)
            answers.append("ok")
        except ClientError as e:
            assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 429
            answers.append(e.response["Error"]["Code"])
    assert answers[:2] == ["ok", "ok"]  # a second's worth at once
    assert "TooManyRequestsException" in answers[2:]
    assert emulator.calls["ListAccounts:throttled"] == answers.count("TooManyRequestsException")
    # Each operation has its own allowance.
    sso.list_account_roles(accessToken=token, accountId=ACCOUNT)
    emulator.configure(throttle=0)
    assert all(sso.list_accounts(accessToken=token) for _ in range(5))


# ---- pages, back-off and the deadline ----------------------------------------------------


@pytest.mark.long("waits")
def test_throttled_pages_are_retried_until_every_page_is_listed(emulator, session):
    emulator.generate_accounts(450)
    issue_token(emulator, session)
    emulator.configure(throttle=1)  # one call a second: every page after the first waits
    accounts = portal.list_accounts(session)
    assert [a["accountId"] for a in accounts] == ["%012d" % (100000000000 + i) for i in range(450)]
    assert emulator.calls["ListAccounts:throttled"] >= 1
    assert emulator.calls["ListAccounts"] - emulator.calls["ListAccounts:throttled"] == 5


@pytest.mark.long("waits")
def test_back_off_settles_near_the_portals_pace(org):
    org.configure(throttle=10)
    pacing = portal.Pacing()
    roles = portal.list_roles_of(_session(), [a["accountId"] for a in org.accounts], pacing=pacing)
    assert len(roles) == 60 and all(names == ["ReadOnly", "Admin"] for names in roles.values())
    throttled = org.calls["ListAccountRoles:throttled"]
    # Eight threads at full speed would meet hundreds of 429s; the shared pace keeps them few.
    assert 1 <= throttled <= 30
    assert pacing.throttled == throttled
    rate = pacing.limiters["list_account_roles"].rate
    assert rate is not None and portal.MIN_RATE <= rate < 20


@pytest.mark.long("waits")
def test_throttling_is_retried_until_the_deadline_not_twice(emulator, session):
    issue_token(emulator, session)
    emulator.fail_next(10_000, status=429, operations=["ListAccounts"])
    # Room for several tries after a first call that a busy machine makes slow.
    with pytest.raises(SsoError) as err:
        portal.list_accounts(session, pacing=portal.Pacing(deadline_seconds=8))
    assert str(err.value) == (
        f'listing accounts of sso-session "{SESSION_NAME}" failed: IAM Identity Center still '
        "throttled the calls after 8 s; try again later"
    )
    # Not the two attempts of before: it kept trying, ever more slowly.
    assert emulator.calls["ListAccounts"] >= 3


def test_other_failures_are_not_retried_for_ever(emulator, session):
    issue_token(emulator, session)
    emulator.fail_next(10_000, status=500, operations=["ListAccounts"])
    with pytest.raises(SsoError, match="had an error \\(HTTP 500\\)"):
        portal.list_accounts(session)
    assert emulator.calls["ListAccounts"] == 2


# ---- populate: progress, failure, interruption --------------------------------------------


@pytest.mark.long("waits")
def test_populate_under_throttling_completes_and_logs_progress_without_a_terminal(org):
    org.configure(throttle=10, latency=0.02)
    result = populate("--region", REGION)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    progress = [
        line
        for line in lines
        if line.startswith(f'ssoenv: listing roles of sso-session "{SESSION_NAME}": ')
    ]
    assert progress, result.stderr
    assert all(re.search(r": \d+/60 accounts, \d+ roles found$", line) for line in progress)
    assert "\r" not in result.stderr and "\x1b" not in result.stderr
    assert lines[-1].endswith("120 added, 0 updated, 0 removed, 0 unchanged")
    assert org.calls["ListAccountRoles:throttled"] >= 1
    assert config_text().count("[profile account-") == 120


@pytest.mark.long("waits")
def test_populate_at_a_terminal_draws_one_live_line_and_keeps_stdout_clean(org, tmp_path):
    org.configure(throttle=10)
    out = tmp_path / "stdout.txt"
    command = (
        f"{sys.executable} -m ssoenv populate --sso-session {SESSION_NAME} > {out}; echo exit=$?"
    )
    child = pexpect.spawn(
        "bash",
        ["--noprofile", "--norc", "-c", command],
        env=dict(os.environ, PYTHONPATH=ROOT, TERM="xterm"),
        encoding="utf-8",
        timeout=90,
        dimensions=(24, 160),
    )
    screen = io.StringIO()
    child.logfile_read = screen
    seen = []
    while True:
        index = child.expect(
            [r"\r\x1b\[K[^\r\n]*?(\d+)/60 accounts, (\d+) roles? found", r"exit=(\d+)"]
        )
        if index == 1:
            break
        seen.append((int(child.match.group(1)), int(child.match.group(2))))
    assert child.match.group(1) == "0", screen.getvalue()
    child.expect(pexpect.EOF)
    assert len(seen) >= 3, seen
    assert seen == sorted(seen)  # redrawn in place, counts only grow
    assert all(roles == 2 * done for done, roles in seen)
    # The live line is taken away and the summary takes its place, on a line of its own.
    assert re.search(r"\r\x1b\[Kssoenv: my-sso: 120 profiles for 60 accounts", screen.getvalue())
    assert out.read_text() == ""
    assert config_text().count("[profile account-") == 120


def test_failed_populate_writes_nothing_and_says_how_far_it_got(org):
    before = config_text()
    # An account the user loses access to between the listing of accounts and of its roles.
    gone = {
        "accountId": "999999999999",
        "accountName": "gone",
        "emailAddress": "gone@example.com",
        "roles": ["Admin"],
        "accessRemoved": True,
    }
    org.configure(accounts=org.accounts + [gone])
    org.reset_counters()
    result = populate()
    assert result.returncode == 1
    # A listing that takes a few seconds (a busy machine) logs how far it got before failing.
    stderr = re.sub(
        r'(?m)^ssoenv: listing roles of sso-session "my-sso": \d+/61 accounts, \d+ roles found\n',
        "",
        result.stderr,
    )
    found = re.fullmatch(
        r'ssoenv: listing roles of sso-session "my-sso" failed: IAM Identity Center at '
        r"127\.0\.0\.1:\d+ answered ResourceNotFoundException; stopped after (\d+) of 61 accounts "
        r"\((\d+) roles found\); ~/\.aws/config not changed\n",
        stderr,
    )
    assert found, result.stderr
    done, roles = int(found.group(1)), int(found.group(2))
    assert done < 61 and roles == 2 * done
    assert config_text() == before


def test_interrupted_populate_writes_nothing_and_says_how_far_it_got(org):
    org.configure(throttle=5)
    before = config_text()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ssoenv", "populate", "--sso-session", SESSION_NAME],
        env=dict(os.environ, PYTHONPATH=ROOT),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = proc.stderr.readline()  # the first progress line, a few seconds in
    assert re.search(r": \d+/60 accounts", first), first
    proc.send_signal(signal.SIGINT)
    stdout, rest = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert stdout == ""
    assert re.search(
        r'ssoenv: listing roles of sso-session "my-sso" was interrupted; stopped after \d+ of '
        r"60 accounts \(\d+ roles found\); ~/\.aws/config not changed",
        rest,
    ), rest
    assert "Traceback" not in rest
    assert config_text() == before
    assert not os.path.exists(assignments.cache_path(_session())) or not assignments.cached_roles(
        _session(), [a["accountId"] for a in org.accounts]
    )


# ---- the cache --------------------------------------------------------------------------


def _session():
    from ssoenv.sso.session import SsoSession

    return SsoSession(
        name=SESSION_NAME, start_url=START_URL, region=REGION, scopes=("sso:account:access",)
    )


@pytest.mark.long("waits")
def test_every_populate_lists_afresh_and_keeps_the_listing_for_the_menu(org):
    assert populate().returncode == 0
    path = assignments.cache_path(_session())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
    org.reset_counters()
    again = populate()
    assert again.returncode == 0, again.stderr
    assert "0 added, 0 updated, 0 removed, 120 unchanged" in again.stderr
    assert (org.calls["ListAccounts"], org.calls["ListAccountRoles"]) == (1, 60)
    # A new account appears at the next populate, with no flag to ask for it.
    org.configure(
        accounts=org.accounts + [dict(org.accounts[0], accountId="999999999999", accountName="new")]
    )
    org.reset_counters()
    grown = populate()
    assert "2 added" in grown.stderr, grown.stderr
    assert org.calls["ListAccountRoles"] == 61
    assert "999999999999" in {a["accountId"] for a in assignments.cached_accounts(_session())}


def test_cache_expires_after_its_ttl(org):
    assert populate().returncode == 0
    path = assignments.cache_path(_session())
    with open(path) as f:
        data = json.load(f)
    old = data["accounts"]["at"] - assignments.TTL_SECONDS - 1
    data["accounts"]["at"] = old
    for entry in data["roles"].values():
        entry["at"] = old
    with open(path, "w") as f:
        json.dump(data, f)
    org.reset_counters()
    assert populate().returncode == 0
    assert org.calls["ListAccounts"] >= 1 and org.calls["ListAccountRoles"] == 60


def test_configure_menu_reads_the_cache_populate_filled(org):
    assert populate().returncode == 0
    org.reset_counters()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ssoenv",
            "configure",
            "--sso-session",
            SESSION_NAME,
            "--account-id",
            "account-042",
            "--role-name",
            "Admin",
            "--region",
            "",
            "--output",
            "",
            "--profile-name",
            "picked",
            "--no-write-dotfile",
        ],
        env=dict(os.environ, PYTHONPATH=ROOT),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "sso_account_id = 100000000042" in config_text()
    assert portal_calls(org) == 0


@pytest.mark.parametrize("which", ["session", "all"])
def test_logout_forgets_the_cached_listing(org, which):
    assert populate().returncode == 0
    path = assignments.cache_path(_session())
    assert os.path.exists(path)
    args = ["--sso-session", SESSION_NAME] if which == "session" else []
    result = subprocess.run(
        [sys.executable, "-m", "ssoenv", "logout", *args],
        env=dict(os.environ, PYTHONPATH=ROOT),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert not os.path.exists(path)


def test_cache_of_another_start_url_is_not_used(org):
    assert populate().returncode == 0
    from ssoenv.sso.session import SsoSession

    moved = SsoSession(
        name=SESSION_NAME, start_url="https://elsewhere.awsapps.com/start", region=REGION
    )
    assert assignments.cached_accounts(moved) is None
    assert assignments.cached_accounts(_session()) is not None


def test_configure_refresh_lists_accounts_the_cache_does_not_know(org):
    assert populate().returncode == 0
    org.configure(
        accounts=org.accounts
        + [dict(org.accounts[0], accountId="999999999999", accountName="brand-new")]
    )

    def configure(*extra):
        return subprocess.run(
            [
                sys.executable, "-m", "ssoenv", "configure", "--sso-session", SESSION_NAME,
                "--account-id", "brand-new", "--role-name", "Admin", "--region", "",
                "--output", "", "--profile-name", "fresh", "--no-write-dotfile", *extra,
            ],
            env=dict(os.environ, PYTHONPATH=ROOT),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )  # fmt: skip

    stale = configure()
    assert stale.returncode == 1
    assert "account brand-new is not among the 60 accounts" in stale.stderr
    fresh = configure("--refresh")
    assert fresh.returncode == 0, fresh.stderr
    assert "sso_account_id = 999999999999" in config_text()
