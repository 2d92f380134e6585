"""Smaller things a new user meets: what `status` calls a broken file, a deny that holds
through a broken edit, `export --help` and `ssoenv help`, exec's exit status, a typo in
the settings, and `allow` of a file whose profile does not exist. The real CLI each time."""

import json
import os
import subprocess
import sys

import pytest

from ssoenv.prompt import userconfig

pytestmark = pytest.mark.usefixtures("ssoenv_env")


@pytest.fixture
def world(ssoenv_env):
    ssoenv_env.write_aws_config()
    return ssoenv_env


def status(world):
    result = world.run("status")
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.parametrize(
    "text, error",
    [
        ("profile: [dev\n", "invalid YAML"),
        ("profil: dev\n", '"profil"'),
    ],
    ids=["yaml", "key"],
)
def test_status_calls_a_readable_broken_file_invalid_and_shows_why(world, text, error):
    world.write_dotfile(text)
    lines = status(world)
    assert lines[0] == "file:     ~/work/project/.ssoenv (invalid)"
    problems = [line for line in lines if line.startswith("problem:")]
    assert len(problems) == 1 and error in problems[0], lines
    assert json.loads(world.run("status", "--json").stdout)["trust"] == "invalid"


def test_status_calls_a_file_it_cannot_read_unreadable(world):
    (world.project / ".ssoenv").mkdir()
    assert status(world)[0] == "file:     ~/work/project/.ssoenv (unreadable)"


def test_a_denied_file_that_breaks_stays_denied(world):
    dotfile = world.write_dotfile("profile: dev\n")
    assert world.run("deny").returncode == 0
    dotfile.write_text("profile: [dev\n")
    lines = status(world)
    assert lines[0] == "file:     ~/work/project/.ssoenv (denied)"
    assert not any("invalid YAML" in line for line in lines), lines
    hook = world.run("export", "json")
    assert hook.stderr == "ssoenv: ~/work/project/.ssoenv is denied; to use it, run: ssoenv allow\n"


def test_export_help_is_real_help_without_click(world):
    code = (
        "import sys\n"
        "sys.argv = ['ssoenv', 'export', '--help']\n"
        "from ssoenv import entry\n"
        "try:\n"
        "    entry.main()\n"
        "except SystemExit as e:\n"
        "    sys.stderr.write('exit %s click %s' % (e.code, 'click' in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=world.base_env(), capture_output=True, text=True
    )
    assert result.stderr == "exit 0 click False", result.stderr
    assert result.stdout.startswith(
        "Usage: ssoenv export bash|zsh|fish|tcsh|elvish|xonsh|json\n\n  Print what"
    )
    assert "-h, --help" in result.stdout
    assert world.run("export", "-h").stdout == result.stdout


@pytest.mark.parametrize(
    "words", [(), ("login",), ("keys", "list"), ("export",), ("status",)], ids=" ".join
)
def test_help_command_prints_the_commands_own_help(world, words):
    via_help = world.run("help", *words)
    via_flag = world.run(*words, "--help")
    assert via_help.returncode == via_flag.returncode == 0, via_help.stderr
    assert via_help.stdout == via_flag.stdout
    assert via_help.stdout.startswith("Usage: ssoenv " + " ".join(words))


def test_help_of_an_unknown_command_is_one_line(world):
    result = world.run("help", "nope")
    assert result.returncode == 2
    assert result.stderr == 'ssoenv: no command "nope"; run: ssoenv help\n'


def test_exec_exits_as_a_shell_does_for_a_missing_or_unrunnable_command(world, tmp_path):
    world.write_token("myorg")
    missing = world.run("exec", "--profile", "dev", "--", "no-such-command-xyz")
    assert (missing.returncode, missing.stderr) == (
        127,
        "ssoenv: no-such-command-xyz: command not found\n",
    )
    script = tmp_path / "not-executable"
    script.write_text("#!/bin/sh\necho ran\n")
    os.chmod(script, 0o644)
    denied = world.run("exec", "--profile", "dev", "--", str(script))
    assert (denied.returncode, denied.stderr) == (126, f"ssoenv: {script}: permission denied\n")
    ran = world.run("exec", "--profile", "dev", "--", "sh", "-c", "exit 7")
    assert ran.returncode == 7


def test_a_typo_in_the_settings_suggests_the_key_and_keeps_the_others(world):
    world.write_user_config("quite: true\ntrusted_prefixes: [~/work]\n")
    world.write_dotfile("profile: dev\n")  # not allowed, but under a trusted prefix
    hook = world.run("export", "json")
    assert hook.returncode == 0
    assert json.loads(hook.stdout)["AWS_PROFILE"] == "dev"
    assert (
        'ssoenv: ~/.config/ssoenv/config.yaml: unknown setting "quite"; did you mean "quiet"? '
        "(known: %s)" % ", ".join(userconfig.KEYS) in hook.stderr.splitlines()
    ), hook.stderr
    env = world.base_env()
    env["SSOENV_HOOK"] = "bash %d" % os.getpid()
    doctor = world.run("doctor", env=env, child_of_test=True)
    assert doctor.returncode == 1
    assert 'problem: ~/.config/ssoenv/config.yaml: unknown setting "quite"' in doctor.stdout


def test_a_bad_value_leaves_only_that_setting_at_its_default(world):
    world.write_user_config("quiet: maybe\ntrusted_prefixes: [~/work]\n")
    world.write_dotfile("profile: dev\n")
    hook = world.run("export", "json")
    assert json.loads(hook.stdout)["AWS_PROFILE"] == "dev"
    assert "ssoenv: ~/.config/ssoenv/config.yaml: quiet must be true or false" in hook.stderr


def test_credential_process_profile_option_has_help(world):
    result = world.run("credential-process", "--help")
    assert "--profile TEXT  The profile whose role credentials to print" in result.stdout


def test_allow_warns_when_the_profile_does_not_exist(world):
    world.write_dotfile("profile: nosuch\n")
    result = world.run("allow")
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        "ssoenv: allowed ~/work/project/.ssoenv",
        "  profile: nosuch",
        'ssoenv: warning: profile "nosuch" is not in ~/.aws/config; run: ssoenv profiles',
    ]
    world.write_dotfile("profile: dev\n")
    assert world.run("allow").stderr.splitlines() == [
        "ssoenv: allowed ~/work/project/.ssoenv",
        "  profile: dev (account 111111111111, role Developer)",
    ]
    # An AWS config botocore cannot read is named as such, once.
    with open(world.aws_config, "a") as f:
        f.write("junk\n")
    world.write_dotfile("profile: prod\n")
    warnings = [
        line for line in world.run("allow").stderr.splitlines() if line.startswith("ssoenv: warn")
    ]
    assert len(warnings) == 1 and warnings[0].startswith("ssoenv: warning: ~/.aws/config: line ")
