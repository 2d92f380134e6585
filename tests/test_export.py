"""`ssoenv export`: what the hook applies at each prompt, in-process and as a subprocess."""

import json
import os
import subprocess
import sys

import pytest

from ssoenv.prompt import envdiff, export

STATE = ("SSOENV_FILE", "SSOENV_STAMP", "SSOENV_TRUST", "SSOENV_TSTAMP", "SSOENV_DIFF")
NOT_LOGGED_IN = 'session "myorg" is not logged in; run: ssoenv login'


class Shell:
    """A shell with the hook: its environment, its directory, and what one prompt does."""

    def __init__(self, world, how):
        self.world = world
        self.how = how
        self.env = world.base_env() if how == "subprocess" else dict(os.environ)
        self.cwd = str(world.project)
        self.delete_cwd = False

    def cd(self, path):
        self.cwd = str(path)
        return self

    def prompt(self):
        """Run export once, apply its changes; the stderr lines without the prefix."""
        self.env["PWD"] = self.cwd
        if self.how == "compute":
            os.chdir(self.cwd)
            if self.delete_cwd:
                os.rmdir(self.cwd)
            changes, messages = export.compute(self.env)
        else:
            cwd = self.cwd
            result = subprocess.run(
                [sys.executable, "-m", "ssoenv", "export", "json"],
                env=self.env,
                cwd=cwd,
                capture_output=True,
                text=True,
                timeout=30,
                # Runs after the child's chdir: the shell sits in a directory that is gone.
                preexec_fn=(lambda: os.rmdir(cwd)) if self.delete_cwd else None,
            )
            assert result.returncode == 0, result.stderr
            assert "Traceback" not in result.stderr
            changes = json.loads(result.stdout)
            lines = result.stderr.splitlines()
            assert all(line.startswith("ssoenv: ") for line in lines), lines
            messages = [line[len("ssoenv: ") :] for line in lines]
        for name, value in changes.items():
            if value is None:
                self.env.pop(name, None)
            else:
                self.env[name] = value
        self.last_changes = changes
        return messages

    def aws(self):
        """The variables a project can set (the AWS file locations are the fixture's)."""
        return {
            k: v
            for k, v in self.env.items()
            if k.startswith(("AWS_", "TF_VAR_"))
            and k not in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
        }


@pytest.fixture(params=["compute", "subprocess"])
def shell(request, ssoenv_env):
    ssoenv_env.write_aws_config()
    return Shell(ssoenv_env, request.param)


def project(world, name, text, allow=True):
    directory = world.home / "work" / name
    f = world.write_dotfile(text, directory)
    if allow:
        world.allow(f)
    return directory


DEV = "profile: dev\nregion: eu-central-1\nenv:\n  TF_VAR_stage: development\n"
PROD = "profile: prod\nregion: us-east-1\n"


# ---- entering, moving, leaving, switching ---------------------------------------------


def test_entering_a_project_sets_profile_region_env_and_state(shell, ssoenv_env):
    a = project(ssoenv_env, "a", DEV)
    messages = shell.cd(a).prompt()

    assert shell.aws() == {
        "AWS_PROFILE": "dev",
        "AWS_REGION": "eu-central-1",
        "AWS_DEFAULT_REGION": "eu-central-1",
        "TF_VAR_stage": "development",
    }
    assert messages == [
        "loaded ~/work/a/.ssoenv (profile dev, region eu-central-1)",
        NOT_LOGGED_IN,
    ]
    env = shell.env
    assert env["SSOENV_FILE"] == str(a / ".ssoenv")
    assert os.stat(env["SSOENV_STAMP"]).st_mtime_ns == os.stat(a / ".ssoenv").st_mtime_ns
    assert os.stat(env["SSOENV_TSTAMP"]).st_mtime_ns == os.stat(env["SSOENV_TRUST"]).st_mtime_ns
    assert envdiff.decode(env["SSOENV_DIFF"]) == {
        "AWS_PROFILE": [None, "dev"],
        "AWS_DEFAULT_PROFILE": [None, None],
        "AWS_REGION": [None, "eu-central-1"],
        "AWS_DEFAULT_REGION": [None, "eu-central-1"],
        "TF_VAR_stage": [None, "development"],
    }


def test_moving_inside_a_project_changes_nothing(shell, ssoenv_env):
    a = project(ssoenv_env, "a", DEV)
    shell.cd(a).prompt()
    (a / "src" / "deep").mkdir(parents=True)
    messages = shell.cd(a / "src" / "deep").prompt()
    assert shell.last_changes == {}
    assert messages == []


def test_leaving_restores_what_was_there_before(shell, ssoenv_env):
    a = project(ssoenv_env, "a", DEV)
    shell.env["AWS_PROFILE"] = "personal"
    before = dict(shell.env)
    shell.cd(a).prompt()
    messages = shell.cd(ssoenv_env.home).prompt()
    assert messages == ["unloaded ~/work/a/.ssoenv"]
    before["PWD"] = str(ssoenv_env.home)
    assert shell.env == before


def test_switching_projects_applies_the_new_one(shell, ssoenv_env):
    a = project(ssoenv_env, "a", DEV)
    b = project(ssoenv_env, "b", PROD)
    shell.cd(a).prompt()
    messages = shell.cd(b).prompt()
    assert shell.aws() == {
        "AWS_PROFILE": "prod",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    assert messages[:2] == [
        "unloaded ~/work/a/.ssoenv",
        "loaded ~/work/b/.ssoenv (profile prod, region us-east-1)",
    ]
    assert shell.env["SSOENV_FILE"] == str(b / ".ssoenv")
    shell.cd(ssoenv_env.home).prompt()
    assert shell.aws() == {}


def test_nested_project_wins_and_leaving_it_returns_to_the_outer_one(shell, ssoenv_env):
    a = project(ssoenv_env, "a", DEV)
    inner = a / "infra"
    ssoenv_env.allow(ssoenv_env.write_dotfile(PROD, inner))
    shell.cd(a).prompt()
    shell.cd(inner).prompt()
    assert shell.env["AWS_PROFILE"] == "prod"
    assert "TF_VAR_stage" not in shell.env
    shell.cd(a).prompt()
    assert shell.env["AWS_PROFILE"] == "dev"
    assert shell.env["TF_VAR_stage"] == "development"


def test_variable_edited_by_hand_survives_leaving(shell, ssoenv_env):
    a = project(ssoenv_env, "a", DEV)
    shell.cd(a).prompt()
    shell.env["AWS_PROFILE"] = "chosen-by-hand"
    shell.cd(ssoenv_env.home).prompt()
    assert shell.aws() == {"AWS_PROFILE": "chosen-by-hand"}


def test_edited_dotfile_must_be_allowed_again_and_unloads_meanwhile(shell, ssoenv_env):
    a = project(ssoenv_env, "a", DEV)
    shell.cd(a).prompt()
    (a / ".ssoenv").write_text(PROD)
    messages = shell.prompt()
    assert shell.aws() == {}
    assert messages == [
        "unloaded ~/work/a/.ssoenv",
        "~/work/a/.ssoenv is not allowed; run: ssoenv allow",
    ]


def test_allowed_edit_is_applied_at_the_next_prompt(shell, ssoenv_env):
    a = project(ssoenv_env, "a", DEV)
    shell.cd(a).prompt()
    (a / ".ssoenv").write_text(PROD)
    ssoenv_env.allow(a / ".ssoenv")
    shell.prompt()
    assert shell.env["AWS_PROFILE"] == "prod"
    assert "TF_VAR_stage" not in shell.env


# ---- trust ------------------------------------------------------------------------------


def test_not_allowed_file_sets_nothing_and_says_how_to_allow(shell, ssoenv_env):
    a = project(ssoenv_env, "a", DEV, allow=False)
    messages = shell.cd(a).prompt()
    assert shell.aws() == {}
    assert messages == ["~/work/a/.ssoenv is not allowed; run: ssoenv allow"]
    # The hook's own test sees this file as handled and does not ask again.
    assert shell.env["SSOENV_FILE"] == str(a / ".ssoenv")


def test_denied_file_sets_nothing(shell, ssoenv_env):
    from ssoenv.prompt import locate, trust

    a = project(ssoenv_env, "a", DEV)
    f = str(a / ".ssoenv")
    trust.deny(f, locate.content_hash(f, locate.read_bytes(f)))
    messages = shell.cd(a).prompt()
    assert shell.aws() == {}
    assert messages == ["~/work/a/.ssoenv is denied; to use it, run: ssoenv allow"]


def test_entering_an_untrusted_project_unloads_the_loaded_one(shell, ssoenv_env):
    a = project(ssoenv_env, "a", DEV)
    b = project(ssoenv_env, "b", PROD, allow=False)
    shell.cd(a).prompt()
    messages = shell.cd(b).prompt()
    assert shell.aws() == {}
    assert messages == [
        "unloaded ~/work/a/.ssoenv",
        "~/work/b/.ssoenv is not allowed; run: ssoenv allow",
    ]


def test_trusted_prefix_applies_without_allow(shell, ssoenv_env):
    ssoenv_env.write_user_config("trusted_prefixes: [~/work]\n")
    a = project(ssoenv_env, "a", DEV, allow=False)
    shell.cd(a).prompt()
    assert shell.env["AWS_PROFILE"] == "dev"


# ---- errors -----------------------------------------------------------------------------


def broken(world, kind):
    """A project directory whose .ssoenv (or AWS config) is broken in the given way, and
    the one error line expected for it."""
    d = world.home / "work" / "broken"
    d.mkdir(parents=True)
    f = d / ".ssoenv"
    shown = "~/work/broken/.ssoenv"
    if kind == "bad yaml":
        f.write_text("profile: dev\nregion: [eu-west-1\n")
        return d, shown + ": line 3: invalid YAML: "
    if kind == "empty":
        f.write_text("")
        return d, shown + ": the file is empty; write: profile: NAME"
    if kind == "unknown profile":
        f.write_text("profile: nope\n")
        world.allow(f)
        return d, shown + ': profile "nope" is not in ~/.aws/config; run: ssoenv profiles'
    if kind == "oversize":
        f.write_text("#" * (70 * 1024))
        return d, shown + " is too large (71680 bytes, the limit is 65536)"
    if kind == "fifo":
        os.mkfifo(f)
        return d, shown + " is not a regular file; remove or rename it"
    if kind == "directory":
        f.mkdir()
        return d, shown + " is a directory; remove or rename it"
    if kind == "missing aws config":
        f.write_text("profile: dev\n")
        world.allow(f)
        world.aws_config.unlink()
        world.aws_credentials.unlink()
        return d, (
            shown + ': profile "dev" not found: ~/.aws/config does not exist; run: ssoenv configure'
        )
    if kind == "malformed aws config":
        f.write_text("profile: dev\n")
        world.allow(f)
        line = len(world.aws_config.read_text().splitlines()) + 1
        with open(world.aws_config, "a") as out:
            out.write("[profile dev]\nregion = x\n")
        return d, shown + ": ~/.aws/config: line %d: section [profile dev] appears twice" % line
    raise AssertionError(kind)


ERRORS = [
    "bad yaml",
    "empty",
    "unknown profile",
    "oversize",
    "fifo",
    "directory",
    "missing aws config",
    "malformed aws config",
]


@pytest.mark.parametrize("kind", ERRORS)
def test_broken_file_is_one_line_naming_it(shell, ssoenv_env, kind):
    d, expected = broken(ssoenv_env, kind)
    messages = shell.cd(d).prompt()
    assert len(messages) == 1, messages
    assert messages[0].startswith(expected)
    assert shell.aws() == {}
    # The hook remembers the file, so the error is not repeated at every prompt.
    assert shell.env["SSOENV_FILE"] == str(d / ".ssoenv")


@pytest.mark.parametrize("kind", ERRORS)
def test_broken_file_unloads_the_previous_project(shell, ssoenv_env, kind):
    a = project(ssoenv_env, "a", DEV)
    shell.env["AWS_REGION"] = "ap-south-1"
    shell.cd(a).prompt()
    d, expected = broken(ssoenv_env, kind)
    messages = shell.cd(d).prompt()
    assert messages[0] == "unloaded ~/work/a/.ssoenv"
    assert len(messages) == 2 and messages[1].startswith(expected)
    assert shell.aws() == {"AWS_REGION": "ap-south-1"}
    assert "SSOENV_DIFF" not in shell.env


def test_loaded_file_that_breaks_is_unloaded(shell, ssoenv_env):
    a = project(ssoenv_env, "a", DEV)
    shell.cd(a).prompt()
    (a / ".ssoenv").write_text("profile: dev\nenv: [\n")
    messages = shell.prompt()
    assert shell.aws() == {}
    assert messages[0] == "unloaded ~/work/a/.ssoenv"
    assert messages[1].startswith("~/work/a/.ssoenv: line ")
    assert len(messages) == 2


def test_deleted_current_directory_unloads_and_says_so(shell, ssoenv_env):
    a = project(ssoenv_env, "a", DEV)
    gone = a / "gone"
    gone.mkdir()
    shell.cd(gone).prompt()
    assert shell.env["AWS_PROFILE"] == "dev"
    shell.delete_cwd = True
    messages = shell.prompt()
    assert messages == [
        "unloaded ~/work/a/.ssoenv",
        "the current directory ~/work/a/gone no longer exists; cd to another directory",
    ]
    assert shell.aws() == {}


def test_profile_with_a_botocore_problem_is_not_applied(shell, ssoenv_env):
    with open(ssoenv_env.aws_config, "a") as out:
        out.write("[profile orphan]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = r\n")
    a = project(ssoenv_env, "a", "profile: orphan\n")
    messages = shell.cd(a).prompt()
    assert shell.aws() == {}
    assert messages == [
        '~/work/a/.ssoenv: profile "orphan": The specified sso-session does not exist: "nope"'
    ]


def test_broken_user_config_is_reported_and_defaults_apply(shell, ssoenv_env):
    ssoenv_env.write_user_config("quiet: maybe\n")
    a = project(ssoenv_env, "a", DEV)
    messages = shell.cd(a).prompt()
    assert messages[0] == "~/.config/ssoenv/config.yaml: quiet must be true or false"
    assert shell.env["AWS_PROFILE"] == "dev"


# ---- hints and warnings -----------------------------------------------------------------


def test_valid_token_means_no_login_hint(shell, ssoenv_env):
    ssoenv_env.write_token("myorg")
    a = project(ssoenv_env, "a", DEV)
    assert shell.cd(a).prompt() == ["loaded ~/work/a/.ssoenv (profile dev, region eu-central-1)"]


def test_expired_token_without_refresh_says_when_it_expired(shell, ssoenv_env):
    ssoenv_env.write_token("myorg", expires_in=-3600)
    a = project(ssoenv_env, "a", DEV)
    messages = shell.cd(a).prompt()
    assert messages[-1] == 'session "myorg" expired 1 h ago; run: ssoenv login'


def test_legacy_profile_hint_names_the_profile(shell, ssoenv_env):
    a = project(ssoenv_env, "a", "profile: legacy\n")
    assert shell.cd(a).prompt()[-1] == 'profile "legacy" is not logged in; run: ssoenv login'


def test_legacy_profile_token_is_found_by_its_start_url(shell, ssoenv_env):
    ssoenv_env.write_token("https://legacy.awsapps.com/start")
    a = project(ssoenv_env, "a", "profile: legacy\n")
    assert shell.cd(a).prompt() == ["loaded ~/work/a/.ssoenv (profile legacy)"]


def test_login_never_silences_the_hint(shell, ssoenv_env):
    a = project(ssoenv_env, "a", "profile: dev\nlogin: never\n")
    assert shell.cd(a).prompt() == ["loaded ~/work/a/.ssoenv (profile dev)"]


def test_static_keys_in_the_shell_are_warned_about(shell, ssoenv_env):
    ssoenv_env.write_token("myorg")
    shell.env["AWS_ACCESS_KEY_ID"] = "AKIAINSHELL"
    a = project(ssoenv_env, "a", DEV)
    messages = shell.cd(a).prompt()
    assert messages[-1] == (
        "AWS_ACCESS_KEY_ID is set in this shell, so AWS tools ignore AWS_PROFILE; "
        "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN"
    )


def test_dashed_key_warning_is_shown_on_load(shell, ssoenv_env):
    ssoenv_env.write_token("myorg")
    with open(ssoenv_env.aws_config, "a") as out:
        out.write("[profile dashed]\nsso_session = myorg\nsso-region = eu-central-1\n")
        out.write("sso_account_id = 1\nsso_role_name = r\n")
    a = project(ssoenv_env, "a", "profile: dashed\n")
    messages = shell.cd(a).prompt()
    assert shell.env["AWS_PROFILE"] == "dashed"
    assert messages == [
        "loaded ~/work/a/.ssoenv (profile dashed)",
        'profile "dashed": key "sso-region" is ignored by the AWS CLI; write it sso_region',
    ]


def test_dashed_key_that_breaks_the_profile_is_named_with_the_error(shell, ssoenv_env):
    with open(ssoenv_env.aws_config, "a") as out:
        out.write("[profile dashed]\nsso_session = myorg\nsso-account-id = 1\n")
        out.write("sso_role_name = r\n")
    a = project(ssoenv_env, "a", "profile: dashed\n")
    messages = shell.cd(a).prompt()
    assert shell.aws() == {}
    assert messages == [
        '~/work/a/.ssoenv: profile "dashed": key "sso-account-id" is ignored by the AWS CLI; '
        "write it sso_account_id",
    ]


def test_quiet_silences_load_and_unload_but_not_errors(shell, ssoenv_env):
    ssoenv_env.write_user_config("quiet: true\n")
    ssoenv_env.write_token("myorg")
    a = project(ssoenv_env, "a", DEV)
    assert shell.cd(a).prompt() == []
    assert shell.env["AWS_PROFILE"] == "dev"
    d, expected = broken(ssoenv_env, "bad yaml")
    messages = shell.cd(d).prompt()
    assert len(messages) == 1 and messages[0].startswith(expected)
    assert shell.aws() == {}
    b = project(ssoenv_env, "b", PROD, allow=False)
    assert shell.cd(b).prompt() == ["~/work/b/.ssoenv is not allowed; run: ssoenv allow"]


# ---- the hook's path stays light ---------------------------------------------------------

PROBE = """\
import json, sys
from ssoenv.prompt import export
changes, messages = export.compute()
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("boto3", "botocore", "click"))
print(json.dumps(heavy))
"""


def test_export_never_imports_boto3_botocore_or_click(ssoenv_env):
    ssoenv_env.write_aws_config()
    a = project(ssoenv_env, "a", DEV)
    env = ssoenv_env.base_env()
    env["PWD"] = str(a)
    for attempt in ("cold cache", "warm cache"):
        result = subprocess.run(
            [sys.executable, "-c", PROBE], env=env, cwd=str(a), capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == [], attempt


def test_export_command_imports_no_heavy_module(ssoenv_env):
    ssoenv_env.write_aws_config()
    a = project(ssoenv_env, "a", DEV)
    env = ssoenv_env.base_env()
    env["PWD"] = str(a)
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ssoenv", "export", "bash"],
        env=env,
        cwd=str(a),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()]
    assert "ssoenv.prompt.export" in imported  # the probe sees imports at all
    assert [m for m in imported if m.split(".")[0] in ("boto3", "botocore", "click")] == []
    assert "export AWS_PROFILE='dev';" in result.stdout


@pytest.mark.parametrize(
    "text, needs_yaml",
    [(DEV, False), (PROD, False), ("# the team's\n" + DEV, True)],
    ids=["env", "plain", "comment"],
)
def test_an_export_that_reads_the_aws_config_and_the_dotfile_anew_stays_light(
    ssoenv_env, text, needs_yaml
):
    # A new project, or an edited AWS config, makes the hook's export parse the .ssoenv and
    # the config again: that costs it YAML (and with it re) where the file is more than
    # plain `key: value` lines and an `env:` of them, but never dataclasses (with inspect
    # and ast) or typing, which would cost more than its own work.
    from ssoenv.base.launch import launcher, search_path

    ssoenv_env.write_aws_config()
    a = project(ssoenv_env, "a", text)
    env = ssoenv_env.base_env()
    env["PWD"] = str(a)
    argv = [sys.executable, "-X", "importtime", "-I", "-S", launcher(), search_path(), "bash"]
    result = subprocess.run(argv, env=env, cwd=str(a), capture_output=True, text=True)
    profile = text.split("profile: ")[1].split()[0]
    assert "export AWS_PROFILE='%s';" % profile in result.stdout, result.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    # What it read anew: the probe sees the imports of a cold export.
    assert {"ssoenv.prompt.dotfile", "ssoenv.aws.awsconfig"} <= imported
    assert ("yaml" in imported) == needs_yaml
    assert ("re" in imported) == needs_yaml
    assert imported & {"dataclasses", "typing", "inspect", "ast"} == set()


def test_export_usage_errors_exit_2(ssoenv_env):
    result = ssoenv_env.run("export")
    assert (result.returncode, result.stderr) == (
        2,
        "usage: ssoenv export bash|zsh|fish|tcsh|elvish|xonsh|json\n",
    )
    result = ssoenv_env.run("export", "pwsh")
    assert result.returncode == 2
    assert result.stderr == (
        'ssoenv: unsupported shell "pwsh"; supported: bash, zsh, fish, tcsh, elvish, xonsh, json\n'
    )


def test_unexpected_failure_unloads_and_says_one_line(ssoenv_env):
    ssoenv_env.write_aws_config()
    ssoenv_env.write_token("myorg")
    a = project(ssoenv_env, "a", DEV)
    sh = Shell(ssoenv_env, "subprocess")
    sh.env["AWS_PROFILE"] = "personal"
    sh.cd(a).prompt()
    assert sh.env["AWS_PROFILE"] == "dev"
    # ssoenv's data directory turns into a file: export cannot record its state.
    data = ssoenv_env.data_home / "ssoenv"
    for root, dirs, files in os.walk(data, topdown=False):
        for name in files:
            os.unlink(os.path.join(root, name))
        for name in dirs:
            os.rmdir(os.path.join(root, name))
    data.rmdir()
    data.write_text("")
    (a / ".ssoenv").write_text(PROD)
    env = dict(sh.env, PWD=str(a))
    result = subprocess.run(
        [sys.executable, "-m", "ssoenv", "export", "json"],
        env=env,
        cwd=str(a),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines == ["ssoenv: cannot create ~/.local/share/ssoenv: Not a directory"]
    changes = json.loads(result.stdout)
    assert changes["AWS_PROFILE"] == "personal"
    assert changes["TF_VAR_stage"] is None
    assert all(changes[name] is None for name in STATE)
