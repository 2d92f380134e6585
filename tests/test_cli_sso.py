"""`ssoenv login`, `logout`, `exec` and `credential-process` as a user runs them: a fresh
process against the emulator, the AWS CLI's own cache, and botocore reading the result."""
# ruff: noqa: F405

import json
import os
import sys
import threading
import time

import pytest
from sso_cli_world import *  # noqa: F403
from sso_fixtures import *  # noqa: F403

from ssoenv.prompt import envdiff
from ssoenv.sso import cache


def legacy_token_path() -> str:
    return token_path(None, START_URL)


def boto3_credentials(profile: str):
    """The access key botocore resolves for `profile` in a fresh interpreter."""
    result = run_python(
        f"""
        import boto3
        creds = boto3.Session(profile_name={profile!r}).get_credentials()
        print(creds.get_frozen_credentials().access_key)
        """
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def issued_keys(emulator, role=None):
    return [c["accessKeyId"] for c in emulator.issued_credentials if role in (None, c["roleName"])]


def registrations(home):
    base = os.path.join(home, ".aws", "sso", "cache")
    found = []
    for name in sorted(os.listdir(base)):
        data = read_json(os.path.join(base, name)) if name.endswith(".json") else {}
        if "clientSecret" in data and "accessToken" not in data:
            found.append(name)
    return found


def one_error_line(result, *, contains=""):
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ssoenv: ") and contains in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def last_error_line(result):
    """After printing what to open, a failed login ends with one `ssoenv: ` line."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = ssoenv_lines(result.stderr)
    assert len(lines) == 1 and result.stderr.strip().endswith(lines[0]), result.stderr
    return lines[0]


# -- login --------------------------------------------------------------------------------


def test_login_opens_the_browser_and_botocore_uses_the_token(world, browser):
    result = world.login("--profile", PROFILE)
    assert 'ssoenv: logged in to sso-session "my-sso" until ' in result.stderr
    assert world.emulator.calls["CreateToken:authorization_code"] == 1
    with open(browser) as f:
        assert "/authorize?" in f.read()
    token = read_json(token_path())
    assert token["refreshToken"] and token["clientSecret"]
    # Nothing else configured: botocore finds the login through the AWS CLI's cache.
    assert boto3_credentials(PROFILE) in issued_keys(world.emulator, ROLE)


def test_one_login_serves_every_profile_of_the_session(world, browser):
    world.login("--sso-session", SESSION_NAME)
    world.emulator.reset_counters()
    assert boto3_credentials(PROFILE) in issued_keys(world.emulator, "ReadOnly")
    assert boto3_credentials("dev-admin") in issued_keys(world.emulator, "Admin")
    assert world.emulator.calls["GetRoleCredentials"] == 2
    assert not any(call.startswith("CreateToken") for call in world.emulator.requests)


def test_login_with_device_code_opens_the_verification_page(world, browser):
    world.emulator.configure(approval="browser")
    result = world.login("--profile", PROFILE, "--use-device-code")
    assert world.emulator.calls["CreateToken:device_code"] >= 2
    assert world.emulator.calls["CreateToken:authorization_code"] == 0
    with open(browser) as f:
        assert "/device?user_code=" in f.read()
    assert "enter the code" in result.stderr
    assert boto3_credentials(PROFILE) in issued_keys(world.emulator)


def test_login_without_browser_prints_the_url_for_the_user_to_open(world):
    running = world.start("login", "--profile", PROFILE, "--no-browser")
    found = running.wait_for(r"(http://127\.0\.0\.1:\d+/authorize\?\S+)")
    assert "Open this URL in a browser" in running.stderr
    assert "the sign-in is complete" in fetch(found.group(1))
    assert running.finish() == 0, running.stderr
    assert "logged in to" in running.stderr
    assert world.emulator.calls["CreateToken:authorization_code"] == 1
    assert cache.token_status(cache.read_token(token_path())) == "valid"


def test_device_code_without_browser_prints_url_and_code(world):
    world.emulator.configure(approval="browser")
    running = world.start("login", "--profile", PROFILE, "--use-device-code", "--no-browser")
    found = running.wait_for(r"(http://127\.0\.0\.1:\d+/device)\n\nand enter the code:\n\n(\S+)")
    url, code = found.group(1), found.group(2)
    assert code in world.emulator.user_codes
    assert "approved" in fetch(url + "?user_code=" + code)  # the person types the code
    assert running.finish() == 0, running.stderr
    assert cache.token_status(cache.read_token(token_path())) == "valid"


def test_login_without_options_uses_the_nearest_allowed_ssoenv(world, browser):
    project = world.project("other-project", "profile: other-dev\n")
    inside = os.path.join(project, "sub")
    os.makedirs(inside)
    result = world.run("login", cwd=inside, env=world.env(AWS_PROFILE=PROFILE))
    assert result.returncode == 0, result.stderr
    assert 'logged in to sso-session "other"' in result.stderr
    assert os.path.exists(token_path(OTHER_SESSION, OTHER_START_URL))
    assert not os.path.exists(token_path())


def test_login_without_options_falls_back_to_aws_profile(world, browser):
    # A .ssoenv that is not allowed does not count.
    project = world.project("untrusted", "profile: other-dev\n", allow=False)
    result = world.run("login", cwd=project, env=world.env(AWS_PROFILE=PROFILE))
    assert result.returncode == 0, result.stderr
    assert 'logged in to sso-session "my-sso"' in result.stderr
    assert os.path.exists(token_path())
    assert not os.path.exists(token_path(OTHER_SESSION, OTHER_START_URL))


def test_login_without_options_takes_the_profile_the_aws_cli_takes(world, browser):
    # botocore reads AWS_DEFAULT_PROFILE first: `aws` would use other-dev here.
    env = world.env(AWS_PROFILE=PROFILE, AWS_DEFAULT_PROFILE="other-dev")
    result = world.run("login", env=env)
    assert result.returncode == 0, result.stderr
    assert 'logged in to sso-session "other"' in result.stderr
    assert not os.path.exists(token_path())


def test_login_without_options_or_profile_says_what_to_name(world):
    result = world.run("login", env=world.env(AWS_PROFILE=None))
    one_error_line(result, contains="--profile NAME or --sso-session NAME")


def test_legacy_profile_logs_in_with_device_code(world, browser):
    result = world.login("--profile", "legacy")
    assert f"logged in to start URL {START_URL}" in result.stderr
    assert world.emulator.calls["CreateToken:device_code"] == 1
    assert world.emulator.calls["CreateToken:authorization_code"] == 0
    token = read_json(legacy_token_path())
    assert token["startUrl"] == START_URL
    assert boto3_credentials("legacy") in issued_keys(world.emulator)


# -- logout -------------------------------------------------------------------------------


def logged_in_everywhere(world):
    world.login("--profile", PROFILE)
    world.login("--profile", "legacy")
    for profile in (PROFILE, "legacy"):
        result = world.run("credential-process", "--profile", profile, secret_stdout=True)
        assert result.returncode == 0, result.stderr
    cli_cache = os.path.join(world.home, ".aws", "cli", "cache")
    # An entry of another provider, which logout must leave alone.
    with open(os.path.join(cli_cache, "assume-role.json"), "w") as f:
        json.dump({"ProviderType": "assume-role", "Credentials": {}}, f)
    assert len(os.listdir(cli_cache)) == 3
    return cli_cache


def test_logout_removes_every_token_and_sso_role_credentials_but_keeps_registrations(
    world, browser
):
    cli_cache = logged_in_everywhere(world)
    kept = registrations(world.home)
    assert kept
    project = world.project("proj", f"profile: {PROFILE}\n")
    result = world.run("logout")
    assert result.returncode == 0, result.stderr
    assert result.stderr == "ssoenv: logged out of every session (2 tokens removed)\n"
    assert world.emulator.calls["Logout"] == 2
    assert not os.path.exists(token_path()) and not os.path.exists(legacy_token_path())
    assert os.listdir(cli_cache) == ["assume-role.json"]
    assert registrations(world.home) == kept
    status = world.run("status", cwd=project)
    assert "token:    not logged in; run: ssoenv login" in status.stdout


def test_logout_of_one_session_leaves_the_others(world, browser):
    cli_cache = logged_in_everywhere(world)
    legacy_entry = cache.role_credentials_cache_path(ACCOUNT, ROLE, None, START_URL)
    result = world.run("logout", "--sso-session", SESSION_NAME)
    assert result.returncode == 0, result.stderr
    assert 'logged out of sso-session "my-sso" (1 token removed)' in result.stderr
    assert not os.path.exists(token_path())
    assert os.path.exists(legacy_token_path())
    assert sorted(os.listdir(cli_cache)) == sorted(
        ["assume-role.json", os.path.basename(legacy_entry)]
    )
    project = world.project("proj", f"profile: {PROFILE}\n")
    assert "not logged in" in world.run("status", cwd=project).stdout


# -- credential-process ---------------------------------------------------------------------


def test_credential_process_prints_version_1_json_that_botocore_uses(world, browser):
    world.login("--profile", PROFILE)
    result = world.run("credential-process", "--profile", PROFILE, secret_stdout=True)
    assert result.returncode == 0 and result.stderr == ""
    data = json.loads(result.stdout)
    assert data["Version"] == 1
    assert set(data) == {"Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
    assert data["AccessKeyId"] in issued_keys(world.emulator, ROLE)
    assert cache.parse_time(data["Expiration"]) > time.time() + 3000
    # A profile that gets its keys from `ssoenv credential-process` (served from the cache).
    assert boto3_credentials("viaproc") == data["AccessKeyId"]


def test_credential_process_when_not_logged_in_is_one_line(world):
    result = world.run("credential-process", "--profile", PROFILE)
    one_error_line(result, contains="not logged in")
    assert result.stdout == ""


# -- exec -----------------------------------------------------------------------------------


def test_exec_runs_the_command_with_the_projects_variables_and_its_status(world, browser):
    world.login("--profile", PROFILE)
    project = world.project(
        "proj", f"profile: {PROFILE}\nregion: eu-central-1\nenv:\n  TF_VAR_stage: dev\n"
    )
    script = 'echo "$AWS_PROFILE $AWS_REGION $TF_VAR_stage"; exit 7'
    result = world.run("exec", "--", "sh", "-c", script, cwd=project)
    assert result.returncode == 7, result.stderr
    assert result.stdout == "dev eu-central-1 dev\n"
    assert result.stderr == ""


def test_exec_with_a_profile_outside_any_project(world, browser):
    world.login("--profile", "legacy")
    result = world.run("exec", "--profile", "legacy", "--", "env", secret_stdout=True)
    assert result.returncode == 0, result.stderr
    env = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    assert env["AWS_PROFILE"] == "legacy" and env["AWS_REGION"] == REGION


def test_exec_with_keys_exports_the_role_credentials(world, browser):
    world.login("--profile", PROFILE)
    project = world.project("proj", f"profile: {PROFILE}\ncredentials: true\n")
    result = world.run("exec", "--", "env", cwd=project, secret_stdout=True)
    assert result.returncode == 0, result.stderr
    env = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    entry = read_json(cache.role_credentials_cache_path(ACCOUNT, ROLE, SESSION_NAME, START_URL))
    assert env["AWS_ACCESS_KEY_ID"] == entry["Credentials"]["AccessKeyId"]
    assert env["AWS_SECRET_ACCESS_KEY"] == entry["Credentials"]["SecretAccessKey"]
    assert env["AWS_SESSION_TOKEN"] == entry["Credentials"]["SessionToken"]


def test_exec_refreshes_a_token_in_the_refresh_window_first(world, browser):
    world.login("--profile", PROFILE)
    old = put_token_in_refresh_window(token_path())
    world.emulator.reset_counters()
    result = world.run("exec", "--profile", PROFILE, "--", "true")
    assert result.returncode == 0, result.stderr
    assert world.emulator.refresh_calls == 1
    new = read_json(token_path())
    assert new["accessToken"] != old["accessToken"]
    assert cache.token_status(cache.read_token(token_path())) == "valid"


def test_exec_when_not_logged_in_without_a_terminal_is_one_line(world):
    result = world.run("exec", "--profile", PROFILE, "--", "true")
    line = one_error_line(result, contains='not logged in to sso-session "my-sso"')
    assert line.endswith("ssoenv login")
    assert world.emulator.requests == []


def test_exec_of_a_missing_command_is_one_line(world, browser):
    world.login("--profile", PROFILE)
    result = world.run("exec", "--profile", PROFILE, "--", "no-such-command-xyz")
    assert one_error_line(result) == "ssoenv: no-such-command-xyz: command not found"


def test_exec_outside_a_project_without_profile_says_what_to_do(world):
    result = world.run("exec", "--", "true")
    one_error_line(result, contains="--profile")


def test_twenty_concurrent_execs_refresh_exactly_once(world, browser):
    world.emulator.configure(access_token_ttl=300)  # a login that lands in the refresh window
    world.login("--profile", PROFILE)
    world.emulator.configure(access_token_ttl=8 * 3600)
    path = token_path()
    before = read_json(path)
    assert cache.token_status(cache.read_token(path)) == "refresh"
    world.emulator.reset_counters()
    world.emulator.configure(latency=0.5)  # the others arrive while the refresh is on the wire
    bad, reads = [], [0]
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            try:
                with open(path) as f:
                    json.load(f)
                reads[0] += 1
            except (OSError, ValueError) as exc:
                bad.append(repr(exc))

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        running = [world.start("exec", "--profile", PROFILE, "--", "true") for _ in range(20)]
        codes = [r.finish(timeout=90) for r in running]
    finally:
        stop.set()
        watcher.join()
    assert codes == [0] * 20, [r.stderr for r in running]
    assert world.emulator.refresh_calls == 1
    assert world.emulator.calls["CreateToken:refresh_token"] == 1
    assert bad == [] and reads[0] > 0
    after = read_json(path)
    assert after["accessToken"] != before["accessToken"]
    assert cache.token_status(cache.read_token(path)) == "valid"


# -- faults -----------------------------------------------------------------------------------


def cache_listing(home):
    base = os.path.join(home, ".aws", "sso", "cache")
    if not os.path.isdir(base):
        return {}
    out = {}
    for name in os.listdir(base):
        with open(os.path.join(base, name), "rb") as f:
            out[name] = f.read()
    return out


@pytest.mark.parametrize("flow", [[], ["--use-device-code"]], ids=["auth-code", "device-code"])
def test_login_with_the_endpoint_down(world, browser, flow):
    port = closed_port()
    env = world.env(AWS_ENDPOINT_URL_SSO_OIDC=f"http://127.0.0.1:{port}")
    result = world.run("login", "--profile", PROFILE, *flow, env=env)
    one_error_line(result, contains=f"cannot reach http://127.0.0.1:{port}: connection refused")
    assert cache_listing(world.home) == {}


def test_refresh_with_the_endpoint_down_keeps_the_token(world, browser):
    world.login("--profile", PROFILE)
    put_token_in_refresh_window(token_path(), -60)
    before = cache_listing(world.home)
    port = closed_port()
    env = world.env(AWS_ENDPOINT_URL_SSO_OIDC=f"http://127.0.0.1:{port}")
    result = world.run("exec", "--profile", PROFILE, "--", "true", env=env)
    one_error_line(result, contains='refreshing the sign-in to sso-session "my-sso" failed')
    assert f"cannot reach http://127.0.0.1:{port}: connection refused" in result.stderr
    assert cache_listing(world.home) == before


def test_login_when_the_service_answers_500(world, browser):
    world.emulator.fail_next(10, status=500)
    result = world.run("login", "--profile", PROFILE, "--use-device-code")
    one_error_line(result, contains="had an error (HTTP 500)")
    assert world.emulator.calls["RegisterClient"] == 2  # one retry, then give up
    assert cache_listing(world.home) == {}


def test_refresh_when_the_service_answers_500_keeps_the_token(world, browser):
    world.login("--profile", PROFILE)
    put_token_in_refresh_window(token_path(), -60)
    before = cache_listing(world.home)
    world.emulator.fail_next(10, status=500)
    result = world.run("exec", "--profile", PROFILE, "--", "true")
    one_error_line(result, contains="had an error (HTTP 500)")
    assert cache_listing(world.home) == before


def test_revoked_refresh_token_asks_to_log_in_again(world, browser):
    world.login("--profile", PROFILE)
    put_token_in_refresh_window(token_path(), -60)
    before = cache_listing(world.home)
    world.emulator.revoke_refresh_tokens()
    result = world.run("exec", "--profile", PROFILE, "--", "true")
    one_error_line(result, contains="the sign-in is no longer valid; log in again: ssoenv login")
    assert cache_listing(world.home) == before
    # And the login it asks for works.
    world.login("--profile", PROFILE)
    assert world.run("exec", "--profile", PROFILE, "--", "true").returncode == 0


@pytest.mark.parametrize("flow", [[], ["--use-device-code"]], ids=["auth-code", "device-code"])
def test_denied_sign_in_is_one_line_and_stores_nothing(world, browser, flow):
    world.emulator.configure(approval="deny")
    result = world.run("login", "--profile", PROFILE, *flow)
    assert last_error_line(result).endswith("failed: the sign-in was denied")
    assert not os.path.exists(token_path())


# -- secrets ------------------------------------------------------------------------------------


def test_export_records_role_keys_only_as_digests(world, browser):
    world.login("--profile", PROFILE)
    project = world.project("proj", f"profile: {PROFILE}\ncredentials: true\n")
    result = world.run("export", "json", cwd=project, secret_stdout=True)
    assert result.returncode == 0, result.stderr
    changes = json.loads(result.stdout)
    secret, session_token = changes["AWS_SECRET_ACCESS_KEY"], changes["AWS_SESSION_TOKEN"]
    assert secret and session_token
    diff = changes["SSOENV_DIFF"]
    assert secret not in diff and session_token not in diff
    record = envdiff.decode(diff)
    assert record["AWS_SECRET_ACCESS_KEY"][1] == envdiff.recorded("AWS_SECRET_ACCESS_KEY", secret)
    assert record["AWS_SESSION_TOKEN"][1].startswith("sha256:")
    assert record["AWS_ACCESS_KEY_ID"][1] == changes["AWS_ACCESS_KEY_ID"]


SHOW_PROFILE_AND_KEY = (
    "import json, os; print(json.dumps([os.environ.get(n) for n in "
    "('AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_ACCESS_KEY_ID')]))"
)


@pytest.mark.parametrize("var", ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"])
def test_exec_after_a_profile_set_by_hand_runs_that_profile_without_the_projects_keys(
    world, browser, var
):
    world.login("--profile", PROFILE)
    world.login("--profile", "legacy")
    project = world.project("proj", f"profile: {PROFILE}\ncredentials: true\n")
    changes, _ = export_json(world, project)
    env = applied(world.env(), changes)  # the shell in the project, keys exported
    assert env["AWS_ACCESS_KEY_ID"]
    # Set by hand on the very command line, before any prompt takes the keys away.
    env[var] = "legacy"
    result = world.run(
        "exec", "--", sys.executable, "-c", SHOW_PROFILE_AND_KEY, cwd=project, env=env
    )
    assert result.returncode == 0, result.stderr
    named = {"AWS_PROFILE": ["legacy", None], "AWS_DEFAULT_PROFILE": [PROFILE, "legacy"]}[var]
    assert json.loads(result.stdout.splitlines()[-1]) == named + [None]


def test_status_and_messages_never_show_secrets(world, browser):
    world.login("--profile", PROFILE)
    project = world.project("proj", f"profile: {PROFILE}\ncredentials: true\n")
    for args in (("status",), ("status", "--json"), ("export", "bash")):
        # export's stdout holds the keys on purpose; its stderr and status must not.
        world.run(*args, cwd=project, secret_stdout=args[0] == "export")
    assert world.seen_secrets  # the fixture then checks every output against them


def test_help_of_the_sso_commands(world):
    for command in ("login", "logout", "exec", "credential-process"):
        result = world.run(command, "--help")
        assert result.returncode == 0 and "Usage: ssoenv " + command in result.stdout


# -- more of what users run into ----------------------------------------------------------------


def test_logout_with_the_endpoint_down_still_removes_the_files(world, browser):
    cli_cache = logged_in_everywhere(world)
    env = world.env(AWS_ENDPOINT_URL_SSO="http://127.0.0.1:%d" % closed_port())
    result = world.run("logout", env=env)
    assert result.returncode == 0, result.stderr
    assert "(2 tokens removed)" in result.stderr
    assert not os.path.exists(token_path()) and not os.path.exists(legacy_token_path())
    assert os.listdir(cli_cache) == ["assume-role.json"]


def test_logout_when_logged_out_removes_nothing(world):
    result = world.run("logout")
    assert result.returncode == 0
    assert result.stderr == "ssoenv: logged out of every session (0 tokens removed)\n"


def test_logout_of_an_unknown_session_is_one_line(world):
    one_error_line(world.run("logout", "--sso-session", "nope"), contains='sso-session "nope"')


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["login", "--profile", "otherproc"],
            'profile "otherproc" does not use IAM Identity Center',
        ),
        (["login", "--profile", "nope"], "nope"),
        (["exec", "--profile", "nope", "--", "true"], "nope"),
        (["credential-process", "--profile", "otherproc"], "does not use IAM Identity Center"),
    ],
)
def test_profiles_that_cannot_log_in_are_one_line(world, args, message):
    # A credential_process that is not ssoenv's: its keys come from elsewhere.
    with open(os.path.join(world.home, ".aws", "config"), "a") as f:
        f.write("\n[profile otherproc]\ncredential_process = /bin/false\n")
    one_error_line(world.run(*args), contains=message)
    assert world.emulator.requests == []


def test_exec_in_a_project_that_is_not_allowed_says_so(world, browser):
    world.login("--profile", PROFILE)
    project = world.project("proj", f"profile: {PROFILE}\n", allow=False)
    result = world.run("exec", "--", "true", cwd=project)
    one_error_line(result, contains="is not allowed; run: ssoenv allow")


def test_exec_at_a_terminal_logs_in_first_when_needed(world, browser, tmp_path):
    import pexpect

    child = pexpect.spawn(
        sys.executable,
        ["-m", "ssoenv", "exec", "--profile", PROFILE, "--", "sh", "-c", "echo ran-$AWS_PROFILE"],
        env=world.env(),
        cwd=world.home,
        encoding="utf-8",
        timeout=30,
    )
    child.expect(pexpect.EOF)
    child.close()
    world.record(child.before)
    assert child.exitstatus == 0, child.before
    assert 'ssoenv: sso-session "my-sso" needs a login' in child.before
    assert "ran-dev" in child.before
    assert world.emulator.calls["CreateToken:authorization_code"] == 1
    assert cache.token_status(cache.read_token(token_path())) == "valid"


def shell_env_in(world, project):
    """The environment of a shell whose hook has loaded `project`."""
    result = world.run("export", "json", cwd=project, secret_stdout=True)
    assert result.returncode == 0, result.stderr
    env = world.env()
    for name, value in json.loads(result.stdout).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def env_of(result):
    return dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)


def test_exec_with_another_profile_drops_the_keys_the_hook_exported(world, browser):
    world.login("--profile", PROFILE)
    keyed = world.project("keyed", f"profile: {PROFILE}\ncredentials: true\n")
    env = shell_env_in(world, keyed)
    assert env["AWS_ACCESS_KEY_ID"]
    # Keys in the environment beat AWS_PROFILE: left there, they would run the command as
    # the project's role instead of dev-admin's.
    result = world.run("exec", "--profile", "dev-admin", "--", "env", env=env, secret_stdout=True)
    assert result.returncode == 0, result.stderr
    seen = env_of(result)
    assert seen["AWS_PROFILE"] == "dev-admin"
    assert not any(name in seen for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"))
    assert "AWS_SESSION_TOKEN" not in seen


def test_exec_in_another_project_drops_the_keys_of_the_loaded_one(world, browser):
    world.login("--profile", PROFILE)
    keyed = world.project("keyed", f"profile: {PROFILE}\ncredentials: true\nenv:\n  ONLY_A: x\n")
    plain = world.project("plain", "profile: dev-admin\n")
    env = shell_env_in(world, keyed)
    # A script that changes directory: no prompt, so no hook, between the two.
    result = world.run("exec", "--", "env", cwd=plain, env=env, secret_stdout=True)
    assert result.returncode == 0, result.stderr
    seen = env_of(result)
    assert seen["AWS_PROFILE"] == "dev-admin"
    assert "AWS_ACCESS_KEY_ID" not in seen and "ONLY_A" not in seen


def test_credential_process_refreshes_in_the_foreground_and_prints_only_json(world, browser):
    world.emulator.configure(access_token_ttl=300)
    world.login("--profile", PROFILE)
    world.emulator.configure(access_token_ttl=8 * 3600)
    world.emulator.reset_counters()
    result = world.run("credential-process", "--profile", PROFILE, secret_stdout=True)
    assert result.returncode == 0 and result.stderr == ""
    assert json.loads(result.stdout)["Version"] == 1
    assert world.emulator.refresh_calls == 1
    assert cache.token_status(cache.read_token(token_path())) == "valid"


def test_exec_runs_on_a_still_valid_token_when_its_refresh_fails(world, browser):
    world.login("--profile", PROFILE)
    put_token_in_refresh_window(token_path(), 300)
    before = cache_listing(world.home)
    env = world.env(AWS_ENDPOINT_URL_SSO_OIDC="http://127.0.0.1:%d" % closed_port())
    result = world.run("exec", "--profile", PROFILE, "--", "echo", "ran", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ran\n"
    assert cache_listing(world.home) == before


# botocore, and so the AWS CLI and boto3, take AWS_DEFAULT_PROFILE before AWS_PROFILE.
BOTOCORE_PROFILE = "import botocore.session as s; print(s.Session().profile)"


def test_exec_outranks_a_default_profile_the_shell_holds(world, browser):
    world.login("--profile", PROFILE)
    env = dict(world.env(), AWS_DEFAULT_PROFILE="legacy")
    project = world.project("proj", "profile: %s\n" % PROFILE)
    for args, cwd in ((("--profile", PROFILE), None), ((), project)):
        command = ("exec",) + args + ("--", sys.executable, "-c", BOTOCORE_PROFILE)
        result = world.run(*command, cwd=cwd, env=env)
        assert result.returncode == 0, result.stderr
        assert result.stdout == PROFILE + "\n"


def test_status_and_doctor_word_the_two_profile_variables_alike(world):
    env = dict(world.env(), AWS_PROFILE=PROFILE, AWS_DEFAULT_PROFILE="legacy")
    words = (
        "AWS_DEFAULT_PROFILE=legacy outranks AWS_PROFILE=dev for the AWS CLI and "
        "boto3 (other SDKs take AWS_PROFILE); unset AWS_DEFAULT_PROFILE"
    )
    status = world.run("status", env=env).stdout
    doctor = world.run("doctor", env=env).stdout
    assert "warning:  " + words in status.splitlines(), status
    assert "warning: environment: " + words in doctor.splitlines(), doctor
    result = world.run(
        "status", env=dict(world.env(), AWS_PROFILE="dev", AWS_DEFAULT_PROFILE="dev")
    )
    assert result.returncode == 0 and "outranks" not in result.stdout, result.stdout


def test_status_and_doctor_word_a_login_alike(world, browser):
    project = world.project("proj", f"profile: {PROFILE}\n")
    world.login("--profile", PROFILE)
    for seconds, words in (
        (12 * 60 + 30, "expires in 12 min; renewed at its next use"),
        (-3600, "expired 1 h ago; renewed at its next use"),
    ):
        put_token_in_refresh_window(token_path(), seconds)
        status = world.run("status", cwd=project).stdout
        doctor = world.run("doctor", cwd=project).stdout
        assert any(line.startswith("token:    " + words) for line in status.splitlines()), status
        assert any(
            line.startswith("ok: [sso-session my-sso]: " + words) for line in doctor.splitlines()
        ), doctor
    token = read_json(token_path())
    del token["refreshToken"]
    with open(token_path(), "w") as f:
        json.dump(token, f)
    status = world.run("status", cwd=project).stdout
    assert "token:    expired 1 h ago; run: ssoenv login" in status.splitlines(), status
