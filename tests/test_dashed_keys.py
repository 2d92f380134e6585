"""A key spelt with dashes (`sso-session = myorg`, as some articles show) is ignored by
the AWS CLI. Every command that meets the broken profile names that fix, not botocore's
`missing required configuration`."""

import os

import pytest

pytestmark = pytest.mark.usefixtures("ssoenv_env")

CONFIG = """\
[sso-session myorg]
sso_start_url = https://myorg.awsapps.com/start
sso_region = eu-central-1
sso_registration_scopes = sso:account:access

[profile dashed]
sso-session = myorg
sso_account_id = 111111111111
sso_role_name = Developer
"""

FIX = 'key "sso-session" is ignored by the AWS CLI; write it sso_session'
BOTOCORE = "missing required configuration"


@pytest.fixture
def dashed(ssoenv_env):
    ssoenv_env.write_aws_config(CONFIG, credentials=None)
    ssoenv_env.write_token("myorg")
    dotfile = ssoenv_env.write_dotfile("profile: dashed\n")
    ssoenv_env.allow(dotfile)
    return ssoenv_env


def run(world, *args):
    env = world.base_env()
    env["SSOENV_HOOK"] = "bash %d" % os.getpid()
    result = world.run(*args, env=env, child_of_test=True)
    assert "Traceback" not in result.stderr
    assert BOTOCORE not in result.stdout + result.stderr, result.stdout + result.stderr
    return result


def test_the_hook_names_the_dashed_key(dashed):
    result = run(dashed, "export", "json")
    lines = result.stderr.splitlines()
    assert lines == ['ssoenv: ~/work/project/.ssoenv: profile "dashed": ' + FIX], lines
    assert "AWS_PROFILE" not in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("login",),
        ("status", "--check"),
        ("login", "--profile", "dashed"),
        ("credential-process", "--profile", "dashed"),
        ("exec", "--", "true"),
        ("exec", "--profile", "dashed", "--", "true"),
    ],
    ids=["login-here", "status-check", "login", "credential-process", "exec", "exec-profile"],
)
def test_commands_name_the_dashed_key_in_one_line(dashed, args):
    result = run(dashed, *args)
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("ssoenv: ") and line.endswith('profile "dashed": ' + FIX), line


def test_status_names_the_dashed_key(dashed):
    result = run(dashed, "status")
    assert 'problem:  ~/work/project/.ssoenv: profile "dashed": ' + FIX in result.stdout


def test_doctor_names_the_dashed_key_once_at_the_aws_config(dashed):
    result = run(dashed, "doctor")
    assert result.returncode == 1
    problems = [line for line in result.stdout.splitlines() if line.startswith("problem:")]
    assert problems == [
        "problem: ~/.aws/config [profile dashed]: " + FIX + " (or run: ssoenv migrate)"
    ], result.stdout


def test_a_dashed_key_in_the_session_is_named_with_its_section(ssoenv_env):
    ssoenv_env.write_aws_config(
        CONFIG.replace("sso-session = myorg", "sso_session = myorg").replace(
            "sso_region = eu", "sso-region = eu"
        ),
        credentials=None,
    )
    ssoenv_env.allow(ssoenv_env.write_dotfile("profile: dashed\n"))
    result = run(ssoenv_env, "login", "--profile", "dashed")
    assert result.stderr == (
        'ssoenv: profile "dashed": sso-session "myorg": key "sso-region" is ignored by the '
        "AWS CLI; write it sso_region\n"
    )
