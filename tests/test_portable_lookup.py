"""A portable `.ssoenv` naming its account by name works on a fresh setup: commands look
the name up with ListAccounts, the hook has a detached process do it and applies the
result at a later prompt."""
# ruff: noqa: F405

import os
import subprocess
import sys
import time

from sso_cli_world import *  # noqa: F403
from sso_fixtures import *  # noqa: F403
from waiting import wait_until

from ssoenv.aws import accounts
from ssoenv.emulator import DEFAULT_ACCOUNTS

PORTABLE = "account: dev\nrole: Admin\n"  # dev is 111111111111; profile dev-admin has Admin
NOTICE = (
    "ssoenv: ~/proj/.ssoenv: looking up account %s in the background; it applies at a later prompt"
)


def exec_profile(world, project):
    """`ssoenv exec` in `project` of a command that prints the AWS_PROFILE it was given."""
    command = [sys.executable, "-c", "import os; print(os.environ['AWS_PROFILE'])"]
    return world.run("exec", "--", *command, cwd=project)


def lookup_finished(world):
    base = os.path.join(world.home, ".cache", "ssoenv")
    return lambda: (
        any(n.startswith("lookup-") and n.endswith(".done") for n in os.listdir(base))
        and os.path.exists(accounts.names_file())
    )


def test_commands_look_an_account_name_up_on_a_fresh_setup(world, session):
    issue_token(world.emulator, session)
    project = world.project("proj", PORTABLE)
    assert not os.path.exists(accounts.names_file())
    result = exec_profile(world, project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "dev-admin\n"
    assert world.emulator.calls["ListAccounts"] >= 1
    assert accounts.load_names()["111111111111"] == "dev"
    status = world.run("status", cwd=project)
    assert "dev-admin" in status.stdout, status.stdout + status.stderr


def test_a_command_says_why_a_name_could_not_be_looked_up(world):
    project = world.project("proj", PORTABLE)
    result = world.run("exec", "--", "true", cwd=project)
    assert result.returncode == 1
    assert result.stderr == (
        "ssoenv: ~/proj/.ssoenv: no profile of yours is for account dev and role Admin; run: "
        "ssoenv configure --from-dotfile (looking up account names: not logged in to "
        'sso-session "my-sso"; log in: ssoenv login)\n'
    )


def test_the_hook_looks_the_name_up_in_the_background_and_applies_it_later(world, session):
    issue_token(world.emulator, session)
    project = world.project("proj", PORTABLE)
    # A slow portal: were the hook to list accounts itself, the names would exist on return.
    world.emulator.configure(latency=1.5)
    changes, lines = export_json(world, project)
    assert lines == [NOTICE % "dev"]
    assert "AWS_PROFILE" not in changes
    assert not os.path.exists(accounts.names_file())
    wait_until(lookup_finished(world), timeout=30.0, what="the background lookup")
    assert world.emulator.calls["ListAccounts"] >= 1
    # The next prompt: the name file changed, so the hook runs again and applies it.
    later, lines = export_json(world, project, env=applied(world.env(), changes))
    assert later["AWS_PROFILE"] == "dev-admin"
    assert lines == ["ssoenv: loaded ~/proj/.ssoenv (profile dev-admin)"]


def test_an_unknown_name_ends_in_the_usual_error_after_the_lookup(world, session):
    issue_token(world.emulator, session)
    project = world.project("proj", "account: nosuch\nrole: Admin\n")
    changes, lines = export_json(world, project)
    assert lines == [NOTICE % "nosuch"]
    wait_until(lookup_finished(world), timeout=30.0, what="the background lookup")
    _, lines = export_json(world, project, env=applied(world.env(), changes))
    assert lines == [
        "ssoenv: ~/proj/.ssoenv: no profile of yours is for account nosuch and role Admin; "
        "run: ssoenv configure --from-dotfile"
    ]
    # Within the minute, no second lookup starts.
    world.emulator.reset_counters()
    export_json(world, project)
    time.sleep(1)
    assert world.emulator.calls["ListAccounts"] == 0


def test_a_failed_background_lookup_says_why_at_the_next_prompt(world):
    project = world.project("proj", PORTABLE)
    changes, lines = export_json(world, project)
    assert lines == [NOTICE % "dev"]
    wait_until(lookup_finished(world), timeout=30.0, what="the background lookup")
    _, lines = export_json(world, project, env=applied(world.env(), changes))
    assert lines == [
        "ssoenv: ~/proj/.ssoenv: no profile of yours is for account dev and role Admin; run: "
        "ssoenv configure --from-dotfile (looking up account names: not logged in to "
        'sso-session "my-sso"; log in: ssoenv login)'
    ]


def test_the_background_lookup_runs_none_of_the_projects_modules(world, session):
    issue_token(world.emulator, session)
    project = world.project("proj", PORTABLE)
    marker = os.path.join(world.home, "hijacked")
    for name in ("json.py", "subprocess.py", "ssoenv.py"):
        with open(os.path.join(project, name), "w") as f:
            f.write("open(%r, 'a').write(%r)\n" % (marker, name + "\n"))
    # As the hook runs it: the installed entry point, not `python -m` in the project.
    exe = os.path.join(os.path.dirname(sys.executable), "ssoenv")
    env = world.env(PWD=project)

    result = subprocess.run(
        [exe, "export", "json"], cwd=project, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert NOTICE % "dev" in result.stderr
    wait_until(lookup_finished(world), timeout=30.0, what="the background lookup")
    assert accounts.load_names()["111111111111"] == "dev"
    assert not os.path.exists(marker), open(marker).read()


def an_org_that_grew_after_its_listing_was_cached(world, session):
    """A fresh cached listing of dev and prod; then the organisation gains staging, and the
    user has a profile for it. Returns a project naming staging and the ListAccounts count."""
    issue_token(world.emulator, session)
    first = world.run("exec", "--", "true", cwd=world.project("proj", PORTABLE))
    assert first.returncode == 0, first.stderr
    staging = {
        "accountId": "333333333333",
        "accountName": "staging",
        "emailAddress": "staging@example.com",
        "roles": ["Admin"],
    }
    world.emulator.configure(accounts=[*DEFAULT_ACCOUNTS, staging])
    with open(os.environ["AWS_CONFIG_FILE"], "a") as f:
        f.write(
            f"\n[profile staging-admin]\nsso_session = {SESSION_NAME}\n"
            "sso_account_id = 333333333333\nsso_role_name = Admin\n"
        )
    project = world.project("stage", "account: staging\nrole: Admin\n")
    return project, world.emulator.calls["ListAccounts"]


def test_a_command_lists_afresh_a_name_the_cached_listing_lacks(world, session):
    project, calls = an_org_that_grew_after_its_listing_was_cached(world, session)
    result = exec_profile(world, project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "staging-admin\n"
    assert world.emulator.calls["ListAccounts"] == calls + 1


def test_the_hook_lists_afresh_a_name_the_cached_listing_lacks(world, session):
    project, calls = an_org_that_grew_after_its_listing_was_cached(world, session)
    changes, lines = export_json(world, project)
    assert lines == [(NOTICE % "staging").replace("~/proj/", "~/stage/")]
    wait_until(lookup_finished(world), timeout=30.0, what="the background lookup")
    later, lines = export_json(world, project, env=applied(world.env(), changes))
    assert later["AWS_PROFILE"] == "staging-admin"
    assert lines == ["ssoenv: loaded ~/stage/.ssoenv (profile staging-admin)"]
    assert world.emulator.calls["ListAccounts"] == calls + 1
