"""What the hook does about the sign-in when a user enters a project: refresh in the
background, hint or stay quiet, log in when asked, export role keys and renew them.

Through `ssoenv export json` as the hook runs it, and in real interactive shells."""
# ruff: noqa: F405

import json
import os
import re
import time

import pytest
from live_shell import SHELLS, LiveShell, Sandbox
from sso_cli_world import *  # noqa: F403
from sso_fixtures import *  # noqa: F403
from waiting import wait_until

from ssoenv.sso import cache
from ssoenv.sso.session import SsoSession

HINT = 'ssoenv: session "my-sso" is not logged in; run: ssoenv login'
KEYS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
)


def role_entry(account=ACCOUNT, role=ROLE) -> str:
    return cache.role_credentials_cache_path(account, role, SESSION_NAME, START_URL)


def token_refreshed(old: dict):
    def check():
        token = cache.read_token(token_path())
        return (
            token is not None
            and token["accessToken"] != old["accessToken"]
            and cache.token_status(token) == "valid"
        )

    return check


# -- through `ssoenv export` ---------------------------------------------------------------


def test_entering_a_project_in_the_refresh_window_refreshes_in_the_background(world, browser):
    world.emulator.configure(access_token_ttl=300)
    world.login("--profile", PROFILE)
    old = read_json(token_path())
    project = world.project("proj", f"profile: {PROFILE}\n")
    world.emulator.configure(access_token_ttl=8 * 3600)
    world.emulator.reset_counters()
    # The service answers nothing until released: the export returns all the same.
    world.emulator.hold()
    try:
        changes, lines = export_json(world, project)
        assert read_json(token_path()) == old  # the prompt did not wait for the refresh...
        assert changes["AWS_PROFILE"] == PROFILE
        assert lines == ["ssoenv: loaded ~/proj/.ssoenv (profile dev)"]
    finally:
        world.emulator.release()
    wait_until(token_refreshed(old), what="the background refresh")  # ...which still came
    assert world.emulator.refresh_calls == 1


def test_entering_with_an_expired_refreshable_token_says_it_is_being_renewed(world, browser):
    world.login("--profile", PROFILE)
    old = put_token_in_refresh_window(token_path(), -60)
    project = world.project("proj", f"profile: {PROFILE}\n")
    world.emulator.reset_counters()
    _, lines = export_json(world, project)
    assert 'ssoenv: session "my-sso" expired; renewing it in the background' in lines
    wait_until(token_refreshed(old), what="the background refresh")
    assert world.emulator.refresh_calls == 1


@pytest.mark.parametrize("where", ["dotfile", "user config"])
def test_login_never_silences_the_hint(world, where):
    text = f"profile: {PROFILE}\n"
    if where == "dotfile":
        text += "login: never\n"
    else:
        config = os.path.join(world.home, ".config", "ssoenv", "config.yaml")
        os.makedirs(os.path.dirname(config))
        with open(config, "w") as f:
            f.write("login: never\n")
    project = world.project("proj", text)
    _, lines = export_json(world, project)
    assert lines == ["ssoenv: loaded ~/proj/.ssoenv (profile dev)"]
    assert world.emulator.requests == []


def test_not_logged_in_gives_the_hint_and_login_auto_without_a_terminal_too(world):
    project = world.project("proj", f"profile: {PROFILE}\n")
    assert HINT in export_json(world, project)[1]
    auto = world.project("auto", f"profile: {PROFILE}\nlogin: auto\n")
    assert HINT in export_json(world, auto)[1]
    assert world.emulator.requests == []


def test_credentials_true_exports_keys_from_the_cli_cache_and_unsets_them_on_leaving(
    world, browser
):
    world.login("--profile", PROFILE)
    project = world.project("proj", f"profile: {PROFILE}\ncredentials: true\n")
    env = world.env()
    changes, lines = export_json(world, project, env)
    assert lines == ["ssoenv: loaded ~/proj/.ssoenv (profile dev, keys)"]
    creds = read_json(role_entry())["Credentials"]
    assert changes["AWS_ACCESS_KEY_ID"] == creds["AccessKeyId"]
    assert changes["AWS_SECRET_ACCESS_KEY"] == creds["SecretAccessKey"]
    assert changes["AWS_SESSION_TOKEN"] == creds["SessionToken"]
    assert changes["AWS_CREDENTIAL_EXPIRATION"] == creds["Expiration"]
    renew_at = int(changes["SSOENV_RENEW_AT"])
    assert renew_at == int(cache.parse_time(creds["Expiration"])) - 15 * 60
    # Again at the next prompt: the cached keys serve, nothing is asked of the service.
    world.emulator.reset_counters()
    inside = applied(env, changes)
    assert export_json(world, project, inside) == ({}, [])
    assert world.emulator.requests == []
    left, lines = export_json(world, world.home, inside)
    assert {name: left[name] for name in KEYS + ("SSOENV_RENEW_AT",)} == dict.fromkeys(
        KEYS + ("SSOENV_RENEW_AT",)
    )
    assert lines == ["ssoenv: unloaded ~/proj/.ssoenv"]


# -- real shells ---------------------------------------------------------------------------


class WorldSandbox(Sandbox):
    """The shells' HOME is the world's; they run this worktree's ssoenv against the
    emulator."""

    def __init__(self, root, world, extra=None):
        super().__init__(root)
        assert self.home == world.home
        self.world = world
        self.extra = dict(extra or {})
        # Sandbox writes its own AWS config: put the world's back.
        with open(self.path(".aws/config"), "w") as f:
            f.write(CONFIG_TEXT)

    def env(self) -> dict:
        env = super().env()
        env.update(
            PYTHONPATH=ROOT,
            PYTHONDONTWRITEBYTECODE="1",
            AWS_ENDPOINT_URL_SSO_OIDC=self.world.emulator.url,
            AWS_ENDPOINT_URL_SSO=self.world.emulator.url,
            NO_PROXY="127.0.0.1,localhost",
        )
        env.update(self.extra)
        return env


def _config_text():
    from sso_fixtures import CONFIG

    return CONFIG + EXTRA_CONFIG


CONFIG_TEXT = _config_text()


@pytest.fixture
def open_shell(world, tmp_path):
    """Start a real interactive shell with the hook, in the world's HOME."""
    shells = []

    def start(name, **extra):
        sandbox = WorldSandbox(tmp_path, world, extra)
        sh = LiveShell(name, sandbox)
        shells.append(sh)
        sh.hook()
        return sh

    yield start
    for sh in shells:
        sh.close()
        world.record(sh.output)


def clean(text: str) -> list:
    return [
        line.replace("⏎", "").strip()
        for line in text.replace("\r", "").split("\n")
        if line.replace("⏎", "").strip().startswith("ssoenv:")
    ]


@pytest.mark.parametrize("shell", SHELLS)
def test_credentials_true_sets_the_keys_in_the_shell_and_leaving_unsets_them(
    world, browser, open_shell, shell
):
    world.login("--profile", PROFILE)
    project = world.project("proj", f"profile: {PROFILE}\ncredentials: true\n")
    sh = open_shell(shell)
    out = clean(sh.run("cd %s" % project))
    assert out == ["ssoenv: loaded ~/proj/.ssoenv (profile dev, keys)"]
    creds = read_json(role_entry())["Credentials"]
    assert [sh.get(name) for name in KEYS] == [
        creds["AccessKeyId"],
        creds["SecretAccessKey"],
        creds["SessionToken"],
        creds["Expiration"],
    ]
    assert sh.get("AWS_PROFILE") == PROFILE
    diff = sh.get("SSOENV_DIFF")
    assert creds["SecretAccessKey"] not in diff and creds["SessionToken"] not in diff
    # The hook runs export again for a touched file; the same keys are no news.
    assert clean(sh.run("touch .ssoenv")) == []
    assert sh.get("AWS_ACCESS_KEY_ID") == creds["AccessKeyId"]
    assert "ssoenv: unloaded ~/proj/.ssoenv" in clean(sh.run("cd %s" % world.home))
    assert [sh.get(name) for name in KEYS + ("SSOENV_RENEW_AT",)] == [None] * 5


def set_line(shell: str, name: str, value: str) -> str:
    return ("set -gx %s %s" if shell == "fish" else "export %s=%s") % (name, value)


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("var", ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"])
def test_a_profile_set_by_hand_takes_the_projects_keys_away_at_the_next_prompt(
    world, browser, open_shell, shell, var
):
    world.login("--profile", PROFILE)
    project = world.project("proj", f"profile: {PROFILE}\ncredentials: true\n")
    sh = open_shell(shell)
    sh.run("cd %s" % project)
    assert sh.get("AWS_ACCESS_KEY_ID")
    out = clean(sh.run(set_line(shell, var, "legacy")))
    assert out == [
        "ssoenv: %s=legacy is not ~/proj/.ssoenv's profile dev: removed its keys from this "
        "shell; to get them back, cd into the project again" % var
    ]
    assert [sh.get(name) for name in KEYS] == [None] * 4
    assert "ssoenv:" not in sh.run("true")  # said once
    report = os.path.join(world.home, "status")
    sh.run("ssoenv status > %s 2>&1" % report)
    with open(report) as f:
        assert (
            "keys:     none: %s=legacy is not the project's profile dev; to get them back, "
            "cd into the project again" % var
        ) in f.read().splitlines()
    # Leaving restores as ever: what was set by hand stays; entering again applies the
    # project, keys included.
    sh.run("cd %s" % world.home)
    assert sh.get(var) == "legacy"
    assert [sh.get(name) for name in KEYS] == [None] * 4
    sh.run("cd %s" % project)
    assert sh.get("AWS_PROFILE") == PROFILE and sh.get("AWS_DEFAULT_PROFILE") is None
    assert sh.get("AWS_ACCESS_KEY_ID")


@pytest.mark.parametrize("shell", SHELLS)
def test_keys_whose_renewal_time_has_passed_are_renewed_at_the_prompt(
    world, browser, open_shell, shell
):
    world.login("--profile", PROFILE)
    project = world.project("proj", f"profile: {PROFILE}\ncredentials: true\n")
    sh = open_shell(shell)
    sh.run("cd %s" % project)
    first = sh.get("AWS_ACCESS_KEY_ID")
    assert first and int(sh.get("SSOENV_RENEW_AT")) > time.time() + 2500
    # Time passes: the cached keys now have under 15 minutes left and their renewal
    # time (which the hook compares with the shell's clock) is behind us.
    entry = read_json(role_entry())
    entry["Credentials"]["Expiration"] = cache.format_time(time.time() + 600)
    with open(role_entry(), "w") as f:
        json.dump(entry, f)
    past = int(time.time() - 5)
    sh.run("set -gx SSOENV_RENEW_AT %d" % past if shell == "fish" else "SSOENV_RENEW_AT=%d" % past)
    out = clean(sh.run("true" if shell == "fish" else ""))  # fish counts only commands
    renewed = read_json(role_entry())["Credentials"]
    assert renewed["AccessKeyId"] != first
    assert sh.get("AWS_ACCESS_KEY_ID") == renewed["AccessKeyId"]
    assert sh.get("AWS_SESSION_TOKEN") == renewed["SessionToken"]
    assert int(sh.get("SSOENV_RENEW_AT")) > time.time() + 2500
    assert sh.get("AWS_PROFILE") == PROFILE
    everything = out + clean(sh.output)
    assert any(line.startswith("ssoenv: renewed keys for profile dev") for line in everything)
    assert world.emulator.calls["GetRoleCredentials"] == 2


def test_hint_is_gone_after_logging_in_from_another_terminal(world, browser, open_shell):
    project = world.project("proj", f"profile: {PROFILE}\n")
    sh = open_shell("bash")
    assert HINT in clean(sh.run("cd %s" % project))
    world.login("--profile", PROFILE)  # in another process, as from another terminal
    sh.run("cd %s" % world.home)
    out = clean(sh.run("cd %s" % project))
    assert out == ["ssoenv: loaded ~/proj/.ssoenv (profile dev)"]


def test_background_refresh_from_the_prompt_does_not_wait_for_the_network(
    world, browser, open_shell
):
    world.emulator.configure(access_token_ttl=300)
    world.login("--profile", PROFILE)
    old = read_json(token_path())
    project = world.project("proj", f"profile: {PROFILE}\n")
    world.emulator.configure(access_token_ttl=8 * 3600)
    world.emulator.reset_counters()
    sh = open_shell("bash")
    # The service answers nothing until released: the prompt comes back all the same.
    world.emulator.hold()
    try:
        out = clean(sh.run("cd %s" % project))
        assert read_json(token_path()) == old
        assert out == ["ssoenv: loaded ~/proj/.ssoenv (profile dev)"]
    finally:
        world.emulator.release()
    wait_until(token_refreshed(old), what="the background refresh")
    assert world.emulator.refresh_calls == 1


def test_login_auto_at_a_terminal_logs_in_right_there(world, browser, open_shell):
    project = world.project("proj", f"profile: {PROFILE}\nlogin: auto\n")
    sh = open_shell(
        "bash",
        BROWSER=os.environ["BROWSER"],
        SSOENV_TEST_BROWSER_LOG=os.environ["SSOENV_TEST_BROWSER_LOG"],
    )
    out = clean(sh.run("cd %s" % project))
    assert 'ssoenv: logged in to session "my-sso"' in out
    assert HINT not in out
    assert world.emulator.calls["CreateToken:authorization_code"] == 1
    assert cache.token_status(cache.read_token(token_path())) == "valid"
    assert sh.get("AWS_PROFILE") == PROFILE


def test_hint_comes_back_after_logging_out_elsewhere(world, browser):
    world.login("--profile", PROFILE)
    project = world.project("proj", f"profile: {PROFILE}\n")
    assert HINT not in export_json(world, project)[1]
    assert world.run("logout").returncode == 0
    assert HINT in export_json(world, project)[1]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_login_auto_in_other_shells(world, browser, open_shell, shell):
    project = world.project("proj", f"profile: {PROFILE}\nlogin: auto\n")
    sh = open_shell(
        shell,
        BROWSER=os.environ["BROWSER"],
        SSOENV_TEST_BROWSER_LOG=os.environ["SSOENV_TEST_BROWSER_LOG"],
    )
    out = clean(sh.run("cd %s" % project))
    assert 'ssoenv: logged in to session "my-sso"' in out
    assert cache.token_status(cache.read_token(token_path())) == "valid"


RENEWING = 'ssoenv: session "my-sso" expired; renewing it in the background'


def expired_hint(lines):
    return [line for line in lines if re.search('session "my-sso" expired [^;]* ago; run: ', line)]


def test_expired_token_whose_refresh_failed_gets_the_login_hint(world, browser):
    world.login("--profile", PROFILE)
    put_token_in_refresh_window(token_path(), -60)
    world.emulator.revoke_refresh_tokens()
    project = world.project("proj", f"profile: {PROFILE}\n")
    assert RENEWING in export_json(world, project)[1]
    from ssoenv.sso import refresh

    session = SsoSession(SESSION_NAME, START_URL, REGION, ("sso:account:access",), PROFILE)
    wait_until(lambda: refresh.last_refresh_failure(session), what="the failed refresh")
    # Entering again: the renewal it promised cannot happen; say how to log in instead.
    lines = export_json(world, project)[1]
    assert RENEWING not in lines
    assert expired_hint(lines) and expired_hint(lines)[0].endswith("; run: ssoenv login")
    world.login("--profile", PROFILE)
    assert export_json(world, project)[1] == ["ssoenv: loaded ~/proj/.ssoenv (profile dev)"]


def test_expired_token_whose_registration_lapsed_gets_the_login_hint(world, browser):
    world.login("--profile", PROFILE)
    token = put_token_in_refresh_window(token_path(), -60)
    token["registrationExpiresAt"] = cache.format_time(time.time() - 60)
    with open(token_path(), "w") as f:
        json.dump(token, f)
    project = world.project("proj", f"profile: {PROFILE}\n")
    world.emulator.reset_counters()
    lines = export_json(world, project)[1]
    assert RENEWING not in lines and expired_hint(lines)
    time.sleep(1)
    assert world.emulator.requests == []


def test_an_old_refresh_failure_does_not_stop_renewing_a_newer_token(world, browser):
    world.login("--profile", PROFILE)
    put_token_in_refresh_window(token_path(), -60)
    world.emulator.revoke_refresh_tokens()
    project = world.project("proj", f"profile: {PROFILE}\n")
    assert world.run("exec", "--profile", PROFILE, "--", "true").returncode != 0
    # Then the AWS CLI logs in (it knows nothing of ssoenv's record of the failure), and
    # hours later that token has expired too.
    time.sleep(0.05)
    session = SsoSession(SESSION_NAME, START_URL, REGION, ("sso:account:access",), PROFILE)
    old = issue_token(world.emulator, session, expires_in=-60)
    assert RENEWING in export_json(world, project)[1]
    wait_until(token_refreshed(old), what="the background refresh")


def test_login_auto_logs_in_once_the_refresh_token_is_refused(world, browser, open_shell):
    world.login("--profile", PROFILE)
    put_token_in_refresh_window(token_path(), -60)
    world.emulator.revoke_refresh_tokens()
    assert world.run("exec", "--profile", PROFILE, "--", "true").returncode != 0
    world.emulator.reset_counters()
    project = world.project("proj", f"profile: {PROFILE}\nlogin: auto\n")
    sh = open_shell(
        "bash",
        BROWSER=os.environ["BROWSER"],
        SSOENV_TEST_BROWSER_LOG=os.environ["SSOENV_TEST_BROWSER_LOG"],
    )
    out = clean(sh.run("cd %s" % project))
    assert 'ssoenv: logged in to session "my-sso"' in out
    assert world.emulator.calls["CreateToken:authorization_code"] == 1
    assert cache.token_status(cache.read_token(token_path())) == "valid"


def test_login_auto_with_credentials_true_exports_the_keys_right_away(world, browser, open_shell):
    project = world.project("proj", f"profile: {PROFILE}\ncredentials: true\nlogin: auto\n")
    sh = open_shell(
        "bash",
        BROWSER=os.environ["BROWSER"],
        SSOENV_TEST_BROWSER_LOG=os.environ["SSOENV_TEST_BROWSER_LOG"],
    )
    out = clean(sh.run("cd %s" % project))
    assert 'ssoenv: logged in to session "my-sso"' in out
    assert "ssoenv: loaded ~/proj/.ssoenv (profile dev, keys)" in out
    assert not any("no keys exported" in line for line in out)
    creds = read_json(role_entry())["Credentials"]
    assert sh.get("AWS_ACCESS_KEY_ID") == creds["AccessKeyId"]
    assert sh.get("SSOENV_RENEW_AT")


@pytest.mark.parametrize("shell", SHELLS)
def test_keys_arrive_at_the_first_prompt_after_logging_in(world, browser, open_shell, shell):
    project = world.project("proj", f"profile: {PROFILE}\ncredentials: true\n")
    sh = open_shell(shell)
    out = clean(sh.run("cd %s" % project))
    # The loaded line says the keys follow the login; the hint says how to log in.
    assert out == ["ssoenv: loaded ~/proj/.ssoenv (profile dev, keys after the login)", HINT]
    assert sh.get("AWS_ACCESS_KEY_ID") is None
    assert clean(sh.run("true")) == []
    world.login("--profile", PROFILE)  # writes the token cache file the hook watches
    assert clean(sh.run("true")) == []
    creds = read_json(role_entry())["Credentials"]
    assert sh.get("AWS_ACCESS_KEY_ID") == creds["AccessKeyId"]
    assert int(sh.get("SSOENV_RENEW_AT")) > time.time() + 2500


# -- `login: auto` with a browser that never answers ----------------------------------------

SILENT_BROWSER = """\
#!/bin/sh
# Opens nothing and never answers: it only notes the URL it was given.
printf '%s\\n' "$1" >> "$SSOENV_TEST_BROWSER_LOG"
"""
WAITING = "ssoenv: waiting up to 3 min for the browser sign-in; Ctrl-C to skip"
SKIPPED = "ssoenv: skipped the login until you cd here again; " + HINT[len("ssoenv: ") :]


@pytest.fixture
def silent_browser(tmp_path):
    script = tmp_path / "silent-browser"
    script.write_text(SILENT_BROWSER)
    script.chmod(0o755)
    log = tmp_path / "silent-browser.log"
    return {"BROWSER": str(script), "SSOENV_TEST_BROWSER_LOG": str(log)}, log


def opened(log) -> list:
    return log.read_text().splitlines() if log.exists() else []


def start_line(sh, line: str) -> None:
    """Type `line` without waiting for the prompt."""
    sh._send(line)


def see_waiting_line(sh) -> None:
    sh.child.expect_exact("Ctrl-C to skip")
    assert (sh.child.before + "Ctrl-C to skip").replace("\r", "").endswith("\n" + WAITING)


@pytest.mark.parametrize("shell", SHELLS)
def test_login_auto_says_how_to_skip_and_ctrl_c_skips_until_the_next_cd(
    world, open_shell, silent_browser, shell
):
    extra, log = silent_browser
    project = world.project("proj", f"profile: {PROFILE}\nlogin: auto\n")
    os.makedirs(os.path.join(project, "sub"))
    sh = open_shell(shell, **extra)
    start_line(sh, "cd %s" % project)
    see_waiting_line(sh)
    wait_until(lambda: len(opened(log)) == 1, what="the browser opening")
    sh.child.sendintr()
    out = clean(sh._wait())
    assert SKIPPED in out
    assert "ssoenv: loaded ~/proj/.ssoenv (profile dev)" in out
    assert sh.get("AWS_PROFILE") == PROFILE  # the shell applied what the export printed
    # No new sign-in at the following prompts, nor moving inside the project.
    assert clean(sh.run("true") + sh.run("cd sub") + sh.run("cd ..")) == []
    assert len(opened(log)) == 1
    # Entering again tries again.
    sh.run("cd %s" % world.home)
    start_line(sh, "cd %s" % project)
    see_waiting_line(sh)
    wait_until(lambda: len(opened(log)) == 2, what="the browser opening again")
    sh.child.sendintr()
    assert SKIPPED in clean(sh._wait())
    assert len(opened(log)) == 2
    assert world.emulator.calls["CreateToken:authorization_code"] == 0


def test_login_auto_gives_up_after_its_time_limit(world, open_shell, silent_browser):
    extra, log = silent_browser
    project = world.project("proj", f"profile: {PROFILE}\nlogin: auto\n")
    sh = open_shell("bash", SSOENV_LOGIN_TIMEOUT="2", **extra)
    out = clean(sh.run("cd %s" % project))
    assert WAITING.replace("3 min", "2 s") in out
    assert any(
        line.startswith("ssoenv: logging in to ")
        and line.endswith(" timed out waiting for the browser sign-in")
        for line in out
    ), out
    assert HINT in out
    assert sh.get("AWS_PROFILE") == PROFILE
    assert len(opened(log)) == 1


def test_login_auto_without_a_browser_says_it_waits_for_the_device_code(world, open_shell):
    project = world.project("proj", f"profile: {PROFILE}\nlogin: auto\n")
    sh = open_shell("bash", SSOENV_LOGIN_TIMEOUT="2")
    out = clean(sh.run("cd %s" % project))
    assert "ssoenv: waiting up to 2 s for the device-code sign-in; Ctrl-C to skip" in out, out
    assert 'ssoenv: logged in to session "my-sso"' in out, out


def test_shells_entering_at_once_share_one_browser_sign_in(world, open_shell, silent_browser):
    extra, log = silent_browser
    project = world.project("proj", f"profile: {PROFILE}\nlogin: auto\n")
    shells = [open_shell(name, **extra) for name in SHELLS]
    for sh in shells:
        start_line(sh, "cd %s" % project)
    for sh in shells:
        see_waiting_line(sh)
    wait_until(lambda: len(opened(log)) == 1, what="the browser opening")
    time.sleep(1)  # the others are waiting, not opening a browser of their own
    assert len(opened(log)) == 1
    fetch(follow_page(opened(log)[0]))  # the user signs in, once
    outs = [clean(sh._wait()) for sh in shells]
    everything = sum(outs, [])
    assert everything.count('ssoenv: logged in to session "my-sso"') == 1
    assert everything.count('ssoenv: logged in to session "my-sso" (by another shell)') == 2
    assert all(HINT not in out for out in outs)
    assert len(opened(log)) == 1
    assert world.emulator.calls["CreateToken:authorization_code"] == 1
    assert [sh.get("AWS_PROFILE") for sh in shells] == [PROFILE] * 3
