"""`ssoenv doctor`: one line per finding with its fix, at three levels (ok, warning,
problem); exit 1 only when there is a problem."""

import os
import re

import pytest

from ssoenv.commands import doctor

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
    return world.run("doctor", env=env, child_of_test=True)


def test_clean_config_exits_zero_with_a_short_line(ssoenv_env):
    ssoenv_env.write_aws_config(CLEAN, credentials=None)
    ssoenv_env.write_token(expires_in=8 * 3600, refreshToken="r", clientId="c", clientSecret="s")
    result = run_doctor(ssoenv_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "ssoenv doctor: no problems found"
    assert "ok: [sso-session myorg]: valid for 7 h 59 min, renewable" in result.stdout
    assert "aoa-example-token" not in result.stdout


@pytest.mark.parametrize(
    "config, expected",
    [
        (
            CLEAN.replace("sso_session = myorg", "sso-session = myorg"),
            'problem: ~/.aws/config [profile dev]: key "sso-session" is ignored by the AWS '
            "CLI; write it sso_session (or run: ssoenv migrate)",
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
    assert expected in result.stdout
    if expected.startswith("warning:"):
        assert result.returncode == 0, result.stdout
        assert result.stdout.splitlines()[-1].startswith("ssoenv doctor: no problems, ")
    else:
        assert result.returncode == 1, result.stdout
        assert re.match(r"ssoenv doctor: \d+ problems?", result.stdout.splitlines()[-1])


def test_long_term_keys_are_reported_without_secrets(ssoenv_env):
    ssoenv_env.write_aws_config(
        CLEAN,
        credentials=f"[legacy-user]\naws_access_key_id = {KEY_ID}\n"
        f"aws_secret_access_key = {SECRET}\n",
    )
    result = run_doctor(ssoenv_env)
    assert result.returncode == 0, result.stdout  # a warning, not a problem
    assert "~/.aws/credentials [legacy-user]: long-term access key AKIA…MPLE" in result.stdout
    assert KEY_ID not in result.stdout + result.stderr
    assert SECRET not in result.stdout + result.stderr


def test_access_key_in_the_environment_is_reported(ssoenv_env):
    ssoenv_env.write_aws_config(CLEAN, credentials=None)
    result = run_doctor(ssoenv_env, AWS_ACCESS_KEY_ID=KEY_ID, AWS_SECRET_ACCESS_KEY=SECRET)
    assert result.returncode == 0, result.stdout  # a warning, not a problem
    assert "environment: AWS_ACCESS_KEY_ID (AKIA…MPLE) is set: it overrides every profile" in (
        result.stdout
    )
    assert KEY_ID not in result.stdout and SECRET not in result.stdout


def test_two_profile_variables_naming_different_profiles_are_reported(ssoenv_env):
    ssoenv_env.write_aws_config(CLEAN, credentials=None)
    result = run_doctor(ssoenv_env, AWS_PROFILE="dev", AWS_DEFAULT_PROFILE="prod")
    assert result.returncode == 0, result.stdout  # a warning, not a problem
    assert (
        "environment: AWS_DEFAULT_PROFILE=prod outranks AWS_PROFILE=dev for the AWS CLI and "
        "boto3 (other SDKs take AWS_PROFILE); unset AWS_DEFAULT_PROFILE"
    ) in result.stdout
    result = run_doctor(ssoenv_env, AWS_PROFILE="dev", AWS_DEFAULT_PROFILE="dev")
    assert "AWS_DEFAULT_PROFILE" not in result.stdout


def test_not_allowed_dotfile_is_reported(ssoenv_env):
    ssoenv_env.write_aws_config(CLEAN, credentials=None)
    ssoenv_env.write_dotfile("profile: dev\n")
    result = run_doctor(ssoenv_env)
    assert result.returncode == 0, result.stdout  # a warning, not a problem
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
    assert result.returncode == 0, result.stdout  # a warning, not a problem
    assert "warning: [sso-session myorg]: expired 1 h ago; run: ssoenv login" in result.stdout
    assert "run: ssoenv login --sso-session myorg" in result.stdout


def test_expired_but_refreshable_login_is_not_a_problem(ssoenv_env):
    ssoenv_env.write_aws_config(CLEAN, credentials=None)
    ssoenv_env.write_token(expires_in=-60, refreshToken="r", clientId="c", clientSecret="s")
    result = run_doctor(ssoenv_env)
    assert result.returncode == 0, result.stdout
    assert "expired 1 min ago; renewed at its next use" in result.stdout


def test_missing_hook_is_reported(ssoenv_env):
    ssoenv_env.write_aws_config(CLEAN, credentials=None)
    result = run_doctor(ssoenv_env, SSOENV_HOOK=None, SHELL="/bin/zsh")
    assert result.returncode == 0, result.stdout  # a warning, not a problem
    assert "the ssoenv hook is not installed in this shell" in result.stdout
    assert 'eval "$(ssoenv hook zsh)"' in result.stdout


def test_hook_of_another_shell_does_not_count():
    env = {"SSOENV_HOOK": "fish 4242"}
    assert doctor.check_hook(env, parent_pid=4242) == []
    (finding,) = doctor.check_hook(env, parent_pid=1)
    assert "only a parent shell has it" in finding.message
    assert "ssoenv hook fish | source" in finding.message


@pytest.mark.parametrize(
    "shell, line",
    [
        ("tcsh", 'eval "`ssoenv hook tcsh`"` to ~/.tcshrc'),
        ("elvish", "eval (ssoenv hook elvish | slurp)` to ~/.config/elvish/rc.elv"),
        ("xonsh", "execx($(ssoenv hook xonsh))` to ~/.xonshrc"),
    ],
)
def test_missing_hook_names_the_rc_line_of_the_shell(shell, line):
    (finding,) = doctor.check_hook({"SSOENV_HOOK": "%s 4242" % shell}, parent_pid=1)
    assert line in finding.message


def test_missing_config_is_not_a_crash(ssoenv_env):
    result = run_doctor(ssoenv_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no problems found" in result.stdout


def levels(result):
    """{level: [lines]} of doctor's output, without the summary."""
    out = {"ok": [], "warning": [], "problem": []}
    for line in result.stdout.splitlines()[:-1]:
        level, _, rest = line.partition(": ")
        out[level].append(rest)
    return out


def test_warnings_alone_exit_zero_and_are_counted_apart(ssoenv_env):
    ssoenv_env.write_aws_config(CLEAN, credentials=None)  # not logged in: a warning
    result = run_doctor(ssoenv_env, AWS_ACCESS_KEY_ID=KEY_ID)
    assert result.returncode == 0, result.stdout
    found = levels(result)
    assert found["problem"] == []
    assert (
        "[sso-session myorg]: not logged in; run: ssoenv login --sso-session myorg"
        in (found["warning"])
    )
    assert result.stdout.splitlines()[-1] == "ssoenv doctor: no problems, 2 warnings found"


def test_an_unparsable_aws_config_is_blamed_on_the_config_not_the_ssoenv(ssoenv_env):
    ssoenv_env.write_aws_config(CLEAN + "this line is junk\n", credentials=None)
    ssoenv_env.allow(ssoenv_env.write_dotfile("profile: dev\n"))
    result = run_doctor(ssoenv_env)
    assert result.returncode == 1
    found = levels(result)
    assert len(found["problem"]) == 1, result.stdout
    assert found["problem"][0].startswith("~/.aws/config line 11: botocore cannot parse")
    assert (
        "~/work/project/.ssoenv: not applied while ~/.aws/config has the problem named above"
        in found["warning"]
    )
    for line in result.stdout.splitlines():
        assert line.count(".ssoenv") <= 1 and line.count("~/.aws/config") <= 1, line
    assert result.stdout.splitlines()[-1].startswith("ssoenv doctor: 1 problem")


def test_a_profile_botocore_refuses_is_the_configs_problem_named_once(ssoenv_env):
    ssoenv_env.write_aws_config(
        CLEAN.replace("sso_session = myorg", "sso_session = nope"), credentials=None
    )
    ssoenv_env.allow(ssoenv_env.write_dotfile("profile: dev\n"))
    result = run_doctor(ssoenv_env)
    assert result.returncode == 1
    found = levels(result)
    assert found["problem"] == [
        '~/.aws/config [profile dev]: The specified sso-session does not exist: "nope"; '
        "add [sso-session nope] or fix the name"
    ], result.stdout
    assert (
        "~/work/project/.ssoenv: not applied while ~/.aws/config [profile dev] has the "
        "problem named above" in found["warning"]
    )


def test_an_ssoenv_naming_a_missing_profile_is_the_ssoenvs_problem(ssoenv_env):
    ssoenv_env.write_aws_config(CLEAN, credentials=None)
    ssoenv_env.allow(ssoenv_env.write_dotfile("profile: nosuch\n"))
    result = run_doctor(ssoenv_env)
    assert result.returncode == 1
    (line,) = levels(result)["problem"]
    assert line.startswith('~/work/project/.ssoenv: profile "nosuch" is not in ~/.aws/config')


def test_a_broken_settings_file_is_named_once(ssoenv_env):
    ssoenv_env.write_aws_config(CLEAN, credentials=None)
    ssoenv_env.write_user_config("quiet: maybe\n")
    result = run_doctor(ssoenv_env)
    assert result.returncode == 1
    assert "problem: ~/.config/ssoenv/config.yaml: quiet must be true or false" in (
        result.stdout.splitlines()
    )


def test_prompt_order_is_named_only_for_the_shell_that_reported_it():
    env = {"SSOENV_ORDER": "zsh 4242 _mise_hook"}
    (finding,) = doctor.check_order(env, parent_pid=4242)
    assert finding.severity == "warning"
    assert str(finding) == (
        "shell: mise's hook (_mise_hook) runs after ssoenv's at each prompt, so what it sets "
        "for AWS_* wins over the .ssoenv; load mise's hook line after ssoenv's in ~/.zshrc, "
        "then open a new shell"
    )
    # Inherited by a child shell, or damaged: nothing to say.
    assert doctor.check_order(env, parent_pid=1) == []
    assert doctor.check_order({"SSOENV_ORDER": "zsh 4242"}, parent_pid=4242) == []
    assert doctor.check_order({}, parent_pid=4242) == []
