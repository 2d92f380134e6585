"""`ssoenv login` keeps a good login, `status --check` says whether there is one, and a
failed renewal shows in `status` and `doctor` until the next sign-in: a fresh process
against the emulator, as a user runs them."""
# ruff: noqa: F405

import json
import os

from sso_cli_world import *  # noqa: F403
from sso_fixtures import *  # noqa: F403

from ssoenv.sso import cache


def sign_ins(emulator) -> int:
    return (
        emulator.calls["CreateToken:authorization_code"] + emulator.calls["CreateToken:device_code"]
    )


def test_login_while_the_token_is_good_says_so_and_does_not_sign_in(world, browser):
    world.login("--profile", PROFILE)
    token = read_json(token_path())
    result = world.login("--profile", PROFILE)
    assert result.stderr.startswith(
        'ssoenv: already logged in to sso-session "my-sso" until %s (in ' % token["expiresAt"]
    ), result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert sign_ins(world.emulator) == 1
    with open(browser) as f:
        assert len(f.read().splitlines()) == 1  # the browser opened for the first login only
    assert read_json(token_path()) == token


def test_login_renews_a_token_that_can_be_refreshed_without_a_browser(world, browser):
    world.login("--profile", PROFILE)
    put_token_in_refresh_window(token_path(), -60)
    result = world.login("--profile", PROFILE)
    assert result.stderr.startswith('ssoenv: renewed the login to sso-session "my-sso" until ')
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert world.emulator.refresh_calls == 1
    assert sign_ins(world.emulator) == 1
    assert cache.token_status(cache.read_token(token_path())) == "valid"


def test_login_signs_in_again_when_the_renewal_fails(world, browser):
    world.login("--profile", PROFILE)
    put_token_in_refresh_window(token_path(), -60)
    world.emulator.revoke_refresh_tokens()
    result = world.login("--profile", PROFILE)
    assert (
        'ssoenv: refreshing the sign-in to sso-session "my-sso" failed: the sign-in is no '
        "longer valid; signing in again" in result.stderr
    )
    assert 'ssoenv: logged in to sso-session "my-sso" until ' in result.stderr
    assert sign_ins(world.emulator) == 2


def test_login_force_signs_in_while_the_token_is_good(world, browser):
    world.login("--profile", PROFILE)
    result = world.login("--profile", PROFILE, "--force")
    assert 'ssoenv: logged in to sso-session "my-sso" until ' in result.stderr
    assert "already" not in result.stderr
    assert sign_ins(world.emulator) == 2


def test_login_signs_in_when_a_legacy_login_expired(world, browser):
    world.login("--profile", "legacy")
    put_token_in_refresh_window(token_path(None, START_URL), -60)
    result = world.login("--profile", "legacy")
    assert "has expired; signing in again" in result.stderr
    assert "logged in to" in result.stderr
    assert world.emulator.refresh_calls == 0


def test_status_check_exit_status_says_whether_logged_in(world, browser):
    project = world.project("proj", f"profile: {PROFILE}\n")
    first = world.run("status", "--check", cwd=project)
    assert first.returncode == 1 and first.stdout == "", first.stderr
    world.login("--profile", PROFILE)
    logged = world.run("status", "--check", cwd=project)
    assert logged.returncode == 0 and logged.stdout + logged.stderr == ""
    # Expired, but the refresh token renews it without a sign-in.
    put_token_in_refresh_window(token_path(), -60)
    assert world.run("status", "--check", cwd=project).returncode == 0
    # Once its renewal failed for good, a sign-in is needed.
    world.emulator.revoke_refresh_tokens()
    assert world.run("exec", "--profile", PROFILE, "--", "true").returncode != 0
    assert world.run("status", "--check", cwd=project).returncode == 1
    # AWS_PROFILE counts too, as for `ssoenv login`.
    env = world.env(AWS_PROFILE="other-dev")
    assert world.run("status", "--check", env=env).returncode == 1


def test_failed_renewal_shows_in_status_and_doctor_until_the_next_login(world, browser):
    project = world.project("proj", f"profile: {PROFILE}\n")
    world.login("--profile", PROFILE)
    put_token_in_refresh_window(token_path(), -60)
    env = world.env(SSOENV_HOOK="bash %d" % os.getpid())

    before = json.loads(world.run("status", "--json", cwd=project).stdout)
    assert before["token"]["refreshable"] is True
    doctor = world.run("doctor", cwd=project, env=env, child_of_test=True)
    assert "renewed at its next use" in doctor.stdout
    assert doctor.returncode == 0, doctor.stdout

    world.emulator.revoke_refresh_tokens()
    assert world.run("exec", "--profile", PROFILE, "--", "true").returncode != 0

    text = world.run("status", cwd=project).stdout
    assert (
        "token:    expired 1 min ago; renewal failed (the sign-in is no longer valid); "
        "run: ssoenv login" in text.splitlines()
    ), text
    info = json.loads(world.run("status", "--json", cwd=project).stdout)
    assert info["token"]["refreshable"] is False
    assert "no longer valid" in info["token"]["renewal_failed"]
    doctor = world.run("doctor", cwd=project, env=env, child_of_test=True)
    assert doctor.returncode == 1, doctor.stdout
    assert (
        "problem: [sso-session my-sso]: expired 1 min ago; renewal failed "
        "(the sign-in is no longer valid); run: ssoenv login --sso-session my-sso"
    ) in doctor.stdout.splitlines(), doctor.stdout
    assert "renewed at its next use" not in doctor.stdout

    world.login("--profile", PROFILE)
    assert "renewal" not in world.run("status", cwd=project).stdout
    assert json.loads(world.run("status", "--json", cwd=project).stdout)["token"]["refreshable"]
    assert world.run("doctor", cwd=project, env=env, child_of_test=True).returncode == 0


def test_a_login_by_the_aws_cli_clears_the_failed_renewal(world, browser):
    project = world.project("proj", f"profile: {PROFILE}\n")
    world.login("--profile", PROFILE)
    put_token_in_refresh_window(token_path(), -60)
    world.emulator.revoke_refresh_tokens()
    world.run("exec", "--profile", PROFILE, "--", "true")
    assert "renewal failed" in world.run("status", cwd=project).stdout
    # `aws sso login` writes a new token without telling ssoenv.
    token = read_json(token_path())
    token["expiresAt"] = cache.format_time(cache.time.time() + 3600)
    with open(token_path() + ".new", "w") as f:
        json.dump(token, f)
    os.replace(token_path() + ".new", token_path())
    assert "renewal" not in world.run("status", cwd=project).stdout
