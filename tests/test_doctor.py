"""`ssoenv doctor`: one line per problem with its fix, exit 1 when there is any."""

import os

import pytest

from ssoenv import doctor

pytestmark = pytest.mark.usefixtures("ssoenv_env")

CLEAN = """\
[sso-session myorg]
sso_start_url = https://myorg.awsapps.com/start
sso_region = eu-central-1
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = myorg
sso_account_id = 111111111111
sso_role_name = Developer
region = eu-central-1
"""

KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def run_doctor(world, **extra):
    env = world.base_env()
    # The hook of the shell that runs us (pytest stands in for it).
    env["SSOENV_HOOK"] = "bash %d" % os.getpid()
    env.update(extra)
    for name, value in list(env.items()):
        if value is None:
            del env[name]
    return world.run("doctor", env=env)


def test_clean_config_exits_zero_with_a_short_line(ssoenv_env):
    ssoenv_env.write_aws_config(CLEAN, credentials=None)
    ssoenv_env.write_token(expires_in=8 * 3600, refreshToken="r", clientId="c", clientSecret="s")
    result = run_doctor(ssoenv_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "ssoenv doctor: no problems found"
    assert "ok: [sso-session myorg]: logged in until" in result.stdout
    assert "aoa-example-token" not in result.stdout


@pytest.mark.parametrize(
    "config, expected",
    [
        (
            CLEAN.replace("sso_session = myorg", "sso-session = myorg"),
            "error: ~/.aws/config [profile dev]: sso-session is ignored by the AWS tools; "
            "it is spelt sso_session (run `ssoenv migrate` to fix it)",
        ),
        (
            CLEAN.replace("sso_session = myorg", "sso_session = nope"),
            'The specified sso-session does not exist: "nope"',
        ),
        (
            CLEAN + "\n[profile old]\nsso_start_url = https://old.awsapps.com/start\n"
            "sso_region = us-east-1\nsso_account_id = 333333333333\nsso_role_name = Admin\n",
            "warning: ~/.aws/config [profile old]: legacy SSO settings",
        ),
    ],
    ids=["dashed-key", "missing-session", "legacy-profile"],
)
def test_config_findings_are_reported_with_their_fix(ssoenv_env, config, expected):
    ssoenv_env.write_aws_config(config, credentials=None)
    result = run_doctor(ssoenv_env)
    assert result.returncode == 1
    assert expected in result.stdout
    assert "problem" in result.stdout.splitlines()[-1]


def test_long_term_keys_are_reported_without_secrets(ssoenv_env):
    ssoenv_env.write_aws_config(
        CLEAN,
        credentials=f"[legacy-user]\naws_access_key_id = {KEY_ID}\n"
        f"aws_secret_access_key = {SECRET}\n",
    )
    result = run_doctor(ssoenv_env)
    assert result.returncode == 1
    assert "~/.aws/credentials [legacy-user]: long-term access key AKIA…MPLE" in result.stdout
    assert KEY_ID not in result.stdout + result.stderr
    assert SECRET not in result.stdout + result.stderr


def test_access_key_in_the_environment_is_reported(ssoenv_env):
    ssoenv_env.write_aws_config(CLEAN, credentials=None)
    result = run_doctor(ssoenv_env, AWS_ACCESS_KEY_ID=KEY_ID, AWS_SECRET_ACCESS_KEY=SECRET)
    assert result.returncode == 1
    assert "environment: AWS_ACCESS_KEY_ID (AKIA…MPLE) is set: it overrides every profile" in (
        result.stdout
    )
    assert KEY_ID not in result.stdout and SECRET not in result.stdout


def test_not_allowed_dotfile_is_reported(ssoenv_env):
    ssoenv_env.write_aws_config(CLEAN, credentials=None)
    ssoenv_env.write_dotfile("profile: dev\n")
    result = run_doctor(ssoenv_env)
    assert result.returncode == 1
    assert "warning: ~/work/project/.ssoenv: not allowed" in result.stdout
    assert "ssoenv allow" in result.stdout


def test_allowed_dotfile_is_fine(ssoenv_env):
    ssoenv_env.write_aws_config(CLEAN, credentials=None)
    ssoenv_env.allow(ssoenv_env.write_dotfile("profile: dev\n"))
    result = run_doctor(ssoenv_env)
    assert result.returncode == 0, result.stdout


def test_expired_login_is_reported(ssoenv_env):
    ssoenv_env.write_aws_config(CLEAN, credentials=None)
    ssoenv_env.write_token(expires_in=-3600)
    result = run_doctor(ssoenv_env)
    assert result.returncode == 1
    assert "warning: [sso-session myorg]: the login expired at" in result.stdout
    assert "run: ssoenv login --sso-session myorg" in result.stdout


def test_expired_but_refreshable_login_is_not_a_problem(ssoenv_env):
    ssoenv_env.write_aws_config(CLEAN, credentials=None)
    ssoenv_env.write_token(expires_in=-60, refreshToken="r", clientId="c", clientSecret="s")
    result = run_doctor(ssoenv_env)
    assert result.returncode == 0, result.stdout
    assert "refreshed on its next use" in result.stdout


def test_missing_hook_is_reported(ssoenv_env):
    ssoenv_env.write_aws_config(CLEAN, credentials=None)
    result = run_doctor(ssoenv_env, SSOENV_HOOK=None, SHELL="/bin/zsh")
    assert result.returncode == 1
    assert "the ssoenv hook is not installed in this shell" in result.stdout
    assert 'eval "$(ssoenv hook zsh)"' in result.stdout


def test_hook_of_another_shell_does_not_count():
    env = {"SSOENV_HOOK": "fish 4242"}
    assert doctor.check_hook(env, parent_pid=4242) == []
    (finding,) = doctor.check_hook(env, parent_pid=1)
    assert "only a parent shell has it" in finding.message
    assert "ssoenv hook fish | source" in finding.message


def test_missing_config_is_not_a_crash(ssoenv_env):
    result = run_doctor(ssoenv_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no problems found" in result.stdout
