"""Every command and subcommand, taken from the click tree so a new one is covered too, run
as a user runs it in three homes where the login is not usable: logged out, expired and
revoked by the service. None may print a traceback; one that fails ends in one `ssoenv:`
line (or click's usage error) and a non-zero exit status."""
# ruff: noqa: F405

import concurrent.futures
import json
import os
import shutil
import subprocess

import pytest
import zygote
from sso_cli_world import *  # noqa: F403
from sso_fixtures import *  # noqa: F403

# Plausible arguments for each command path; a command not named here runs without any.
ARGUMENTS = {
    "hook": ["bash"],
    "export": ["bash"],
    "init": ["dev"],
    "completion": ["bash"],
    "help": ["keys", "list"],
    "login": ["--no-browser"],
    "logout": [],
    "credential-process": ["--profile", "dev"],
    "exec": ["--profile", "deployer", "--", "true"],
    "configure": ["--sso-session", SESSION_NAME, "--no-browser"],
    "populate": ["--sso-session", SESSION_NAME, "--no-browser"],
    "migrate": ["--dry-run"],
    "keys list": ["--profile", "dev"],
    "keys deactivate": ["--profile", "dev", "AKIAIOSFODNN7EXAMPLE", "--yes"],
    "keys activate": ["--profile", "dev", "AKIAIOSFODNN7EXAMPLE"],
    "console": ["--profile", "dev", "--print"],
    "demo": [],
}

# A role chain on the SSO profile, with STS where nothing listens.
CHAIN = """
[profile deployer]
role_arn = arn:aws:iam::123456789012:role/Deployer
source_profile = dev
"""

# Further runs where one command has two ways to meet the login.
MORE = [["keys", "list", "--profile", "dev", "--user", "alice"]]

STATES = ("logged-out", "expired", "revoked")


def command_paths():
    """Every command path of the click tree (groups and their subcommands alike), as the
    completion table walks it."""
    from completion_tree import table_from_click

    return list(table_from_click())


def make_state(world, state):
    """Bring the world's login to `state`."""
    world.login("--sso-session", SESSION_NAME, "--use-device-code")
    if state == "logged-out":
        world.run("logout")
    elif state == "expired":
        token = put_token_in_refresh_window(token_path(), -3600)
        token.pop("refreshToken", None)
        with open(token_path(), "w") as f:
            json.dump(token, f)
    else:
        world.emulator.expire_access_tokens()
        world.emulator.revoke_refresh_tokens()


def run_one(world, project, base_home, args, tmp):
    """`ssoenv ARGS` in a copy of the home of its own, with no terminal."""
    home = os.path.join(tmp, "-".join(args).replace("/", "_") or "main")
    shutil.copytree(base_home, home, symlinks=True)
    env = world.env(
        HOME=home,
        AWS_CONFIG_FILE=os.path.join(home, ".aws", "config"),
        AWS_SHARED_CREDENTIALS_FILE=os.path.join(home, ".aws", "credentials"),
        XDG_DATA_HOME=os.path.join(home, ".local", "share"),
        XDG_CONFIG_HOME=os.path.join(home, ".config"),
        XDG_CACHE_HOME=os.path.join(home, ".cache"),
        SSOENV_LOGIN_TIMEOUT="1",
        PWD=project,
    )
    try:
        result = zygote.run(args, env=env, cwd=project, timeout=120)
    except subprocess.TimeoutExpired as e:
        return args, None, "", "still running after %ss: %s" % (e.timeout, e.stderr)
    return args, result.returncode, result.stdout, result.stderr


@pytest.mark.long
@pytest.mark.parametrize("state", STATES)
def test_every_command_answers_in_one_line_without_a_traceback(
    world, state, tmp_path, browser, monkeypatch
):
    closed = "http://127.0.0.1:%d" % closed_port()
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", closed)
    monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", closed)
    with open(os.path.join(world.home, ".aws", "config"), "a") as f:
        f.write(CHAIN)
    project = str(tmp_path / "project")
    os.makedirs(project)
    with open(os.path.join(project, ".ssoenv"), "w") as f:
        f.write("profile: dev\n")
    assert world.run("allow", project).returncode == 0
    make_state(world, state)
    monkeypatch.delenv("BROWSER")  # no sign-in completes from here on
    paths = command_paths()
    assert set(ARGUMENTS) <= set(paths), set(ARGUMENTS) - set(paths)
    runs = [(p.split() if p else []) + ARGUMENTS.get(p, []) for p in paths] + MORE
    homes = str(tmp_path / "homes")
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda a: run_one(world, project, world.home, a, homes), runs))
    wrong = []
    for args, status, stdout, stderr in results:
        world.record(stdout, stderr)
        shown = "ssoenv %s: exit %s\n%s" % (" ".join(args), status, stderr)
        lines = [line for line in stderr.splitlines() if line.strip()]
        if status is None or "Traceback" in stdout + stderr or "internal error" in stderr:
            wrong.append(shown)
        elif status != 0:
            last = lines[-1] if lines else ""
            usage = any(x.startswith("Usage:") for x in (stdout + stderr).splitlines())
            if not (usage or (last.startswith("ssoenv: ") and "warning:" not in last)):
                wrong.append(shown)
            elif "exceptions." in last or "Error(" in last:
                wrong.append(shown)
    assert not wrong, "\n\n".join(wrong)


@pytest.mark.parametrize(
    "name, fields, line",
    [
        (
            "SSOTokenLoadError",
            {"error_msg": "Token for corp does not exist"},
            "not logged in to IAM Identity Center (Token for corp does not exist); "
            "run: ssoenv login",
        ),
        (
            "UnauthorizedSSOTokenError",
            {},
            "IAM Identity Center no longer accepts the login; run: ssoenv login",
        ),
        (
            "ProfileNotFound",
            {"profile": "nosuch"},
            'profile "nosuch" is not in ~/.aws/config; run: ssoenv profiles',
        ),
        (
            "ParamValidationError",
            {"report": "Invalid length for parameter Secret, value: hunter2"},
            "AWS SDK error: a request had invalid parameters",
        ),
    ],
)
def test_botocores_exceptions_are_one_line_without_what_was_sent(ssoenv_env, name, fields, line):
    import botocore.exceptions

    from ssoenv.base.botoerrors import line_for

    assert line_for(getattr(botocore.exceptions, name)(**fields)) == line
