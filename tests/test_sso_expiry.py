"""SSOENV_SSO_EXPIRES: when the project's IAM Identity Center sign-in ends, for any prompt
to show, kept up to date at the next prompt when another process renews or replaces the
login (the background refresh, `aws sso login`, an SDK)."""
# ruff: noqa: F405

import json
import os

import pytest
from live_shell import NEW_SHELLS, SHELLS
from sso_cli_world import *  # noqa: F403
from sso_fixtures import *  # noqa: F403
from test_hook_login import open_shell as open_shell  # the fixture

from ssoenv.sso import cache

EXPIRES = "SSOENV_SSO_EXPIRES"


def test_export_sets_the_sessions_end_in_utc_and_unsets_it_on_leaving(world, session):
    token = issue_token(world.emulator, session)
    # The AWS CLI's older `UTC` suffix too: the variable is always ISO 8601 with `Z`.
    path = session.token_path()
    token["expiresAt"] = token["expiresAt"].replace("Z", "UTC")
    with open(path, "w") as f:
        json.dump(token, f)
    project = world.project("proj", f"profile: {PROFILE}\n")
    changes, _ = export_json(world, project)
    assert changes[EXPIRES] == cache.format_time(cache.parse_time(token["expiresAt"]))
    assert changes[EXPIRES].endswith("Z") and "T" in changes[EXPIRES]
    left, _ = export_json(world, world.home, env=applied(world.env(), changes))
    assert left[EXPIRES] is None


def test_without_a_login_nothing_claims_an_end(world):
    project = world.project("proj", f"profile: {PROFILE}\n")
    changes, _ = export_json(world, project)
    assert changes.get(EXPIRES) is None


@pytest.mark.parametrize("shell", SHELLS + NEW_SHELLS)
def test_a_login_from_another_terminal_shows_at_the_next_prompt(world, session, open_shell, shell):
    first = issue_token(world.emulator, session, expires_in=3600)
    project = world.project("proj", f"profile: {PROFILE}\n")
    sh = open_shell(shell)
    sh.run("cd %s" % project)
    assert sh.get(EXPIRES) == first["expiresAt"]
    # Another terminal signs in again (as `aws sso login` does: the same cache file).
    before = os.stat(session.token_path()).st_mtime_ns
    second = issue_token(world.emulator, session, expires_in=7200)
    # A later mtime than the one the hook recorded, whatever the file system's resolution.
    later = max(os.stat(session.token_path()).st_mtime_ns, before + 10**9)
    os.utime(session.token_path(), ns=(later, later))
    assert second["expiresAt"] != first["expiresAt"]
    sh.run(sh.noop)
    assert sh.get(EXPIRES) == second["expiresAt"]
    sh.run("cd %s" % world.home)
    assert sh.get(EXPIRES) is None
    assert os.path.exists(session.token_path())
