"""`use ssoenv` in a direnv `.envrc`, with real direnv: the library `ssoenv hook direnv`
prints, installed where direnv loads libraries from, then `direnv allow` and `direnv exec`."""
# ruff: noqa: F405

import json
import os
import shutil
import subprocess
import time

import pytest
from sso_cli_world import *  # noqa: F403
from sso_fixtures import *  # noqa: F403

DIRENV = shutil.which("direnv")


@pytest.fixture
def direnv(world, monkeypatch):
    """direnv with the ssoenv library installed as the README says, in the test's HOME."""
    assert DIRENV, "direnv is not installed (apt-get install direnv)"
    for name in list(os.environ):
        if name.startswith("DIRENV_") or name.startswith("SSOENV_"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    result = world.run("hook", "direnv")
    assert result.returncode == 0, result.stderr
    lib = os.path.join(world.home, ".config", "direnv", "lib")
    os.makedirs(lib)
    with open(os.path.join(lib, "ssoenv.sh"), "w") as f:
        f.write(result.stdout)
    return Direnv(world)


class Direnv:
    def __init__(self, world):
        self.world = world

    def run(self, *args, cwd=None, env=None):
        env = dict(env or self.world.env())
        env["PWD"] = cwd or self.world.home
        result = subprocess.run(
            [DIRENV, *args],
            env=env,
            cwd=cwd or self.world.home,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.world.record(result.stdout, result.stderr)
        return result

    def project(self, name, envrc, ssoenv=None, allow_ssoenv=True):
        directory = os.path.join(self.world.home, name)
        os.makedirs(directory, exist_ok=True)
        if ssoenv is not None:
            self.world.project(name, ssoenv, allow=allow_ssoenv)
        with open(os.path.join(directory, ".envrc"), "w") as f:
            f.write(envrc)
        result = self.run("allow", directory)
        assert result.returncode == 0, result.stderr
        return directory

    def exec_env(self, directory, env=None):
        """(environment, ssoenv's stderr lines) of a command run by `direnv exec`."""
        result = self.run("exec", directory, "env", "-0", cwd=directory, env=env)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        env = dict(item.split("=", 1) for item in result.stdout.split("\0") if "=" in item)
        return env, ssoenv_lines(result.stderr)


def test_use_ssoenv_applies_the_allowed_ssoenv_with_the_hooks_messages(direnv, world, browser):
    world.login("--profile", PROFILE)
    project = direnv.project(
        "shop",
        "use ssoenv\n",
        ssoenv=f"profile: {PROFILE}\nregion: eu-central-1\nenv:\n  TF_VAR_stage: dev\n",
    )
    env, lines = direnv.exec_env(project)
    assert env["AWS_PROFILE"] == PROFILE
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-central-1"
    assert env["TF_VAR_stage"] == "dev"
    # direnv records and undoes the changes; ssoenv's own bookkeeping stays out.
    from ssoenv.prompt.export import STATE_VARS

    assert not [name for name in STATE_VARS if name in env]
    assert lines == ["ssoenv: loaded ~/shop/.ssoenv (profile dev, region eu-central-1)"]


def test_use_ssoenv_refuses_a_ssoenv_that_ssoenv_has_not_allowed(direnv, world):
    project = direnv.project(
        "shop", "use ssoenv\n", ssoenv=f"profile: {PROFILE}\n", allow_ssoenv=False
    )
    env, lines = direnv.exec_env(project)
    assert "AWS_PROFILE" not in env
    assert lines == ["ssoenv: ~/shop/.ssoenv is not allowed; run: ssoenv allow"]


def test_use_ssoenv_gives_the_login_hint_under_direnvs_strict_mode(direnv, world):
    project = direnv.project("shop", "strict_env\nuse ssoenv\n", ssoenv=f"profile: {PROFILE}\n")
    env, lines = direnv.exec_env(project)
    assert env["AWS_PROFILE"] == PROFILE
    assert lines == [
        "ssoenv: loaded ~/shop/.ssoenv (profile dev)",
        f'ssoenv: session "{SESSION_NAME}" is not logged in; run: ssoenv login',
    ]


def test_use_ssoenv_with_a_portable_file_finds_the_users_profile(direnv, world):
    project = direnv.project("team", "use ssoenv\n", ssoenv=f'account: "{ACCOUNT}"\nrole: Admin\n')
    env, _ = direnv.exec_env(project, env=world.env(AWS_DEFAULT_PROFILE=PROFILE))
    assert env["AWS_PROFILE"] == "dev-admin" and "AWS_DEFAULT_PROFILE" not in env


def test_use_ssoenv_profile_sets_the_profile_and_its_region(direnv, world, browser):
    world.login("--profile", PROFILE)
    project = direnv.project("plain", f"use ssoenv {PROFILE}\n")
    # botocore would take AWS_DEFAULT_PROFILE first: it is unset in the project.
    env, lines = direnv.exec_env(project, env=world.env(AWS_DEFAULT_PROFILE="dev-admin"))
    assert env["AWS_PROFILE"] == PROFILE and "AWS_DEFAULT_PROFILE" not in env
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == REGION
    assert lines == [f"ssoenv: loaded profile {PROFILE} (region {REGION})"]


def test_use_ssoenv_profile_without_a_region_sets_none(direnv, world):
    project = direnv.project("plain", "use ssoenv dev-admin\n")
    env, lines = direnv.exec_env(project)
    assert env["AWS_PROFILE"] == "dev-admin"
    assert "AWS_REGION" not in env and "AWS_DEFAULT_REGION" not in env
    assert lines == [
        "ssoenv: loaded profile dev-admin",
        f'ssoenv: session "{SESSION_NAME}" is not logged in; run: ssoenv login',
    ]


def test_use_ssoenv_with_an_unknown_profile_is_one_line(direnv, world):
    project = direnv.project("plain", "use ssoenv nope\n")
    env, lines = direnv.exec_env(project)
    assert "AWS_PROFILE" not in env
    assert lines == [
        'ssoenv: use ssoenv nope: profile "nope" is not in ~/.aws/config; run: ssoenv profiles'
    ]


def test_use_ssoenv_without_a_ssoenv_says_what_to_do(direnv, world):
    project = direnv.project("plain", "use ssoenv\n")
    env, lines = direnv.exec_env(project)
    assert "AWS_PROFILE" not in env
    assert lines == [
        "ssoenv: use ssoenv: no .ssoenv in ~/plain or any parent directory; create one "
        "(ssoenv init PROFILE) or name a profile: use ssoenv PROFILE"
    ]


def test_use_ssoenv_with_two_arguments_is_one_line(direnv, world):
    project = direnv.project("plain", "use ssoenv dev prod\n")
    env, lines = direnv.exec_env(project)
    assert "AWS_PROFILE" not in env
    assert lines == [
        "ssoenv: use ssoenv takes one profile name at most; write: use ssoenv [PROFILE]"
    ]


def _export(direnv, directory, env):
    """One prompt of a shell with direnv's hook: `direnv export json` applied to `env`."""
    result = direnv.run("export", "json", cwd=directory, env=env)
    assert result.returncode == 0, result.stderr
    if result.stdout.strip():
        for name, value in json.loads(result.stdout).items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
    return ssoenv_lines(result.stderr)


def next_second():
    """direnv compares the watched files' modification times in whole seconds."""
    time.sleep(1.05 - time.time() % 1)


def test_allowing_or_editing_the_ssoenv_reloads_direnv(direnv, world):
    project = direnv.project(
        "shop", "use ssoenv\n", ssoenv=f"profile: {PROFILE}\n", allow_ssoenv=False
    )
    env = world.env()
    assert _export(direnv, project, env) == [
        "ssoenv: ~/shop/.ssoenv is not allowed; run: ssoenv allow"
    ]
    assert "AWS_PROFILE" not in env
    assert _export(direnv, project, env) == []  # nothing changed: direnv does not reload
    next_second()
    assert world.run("allow", project).returncode == 0
    assert _export(direnv, project, env)[0] == "ssoenv: loaded ~/shop/.ssoenv (profile dev)"
    assert env["AWS_PROFILE"] == PROFILE
    # An edit needs a new allow, as in the shell hook; direnv notices the edit.
    next_second()
    with open(os.path.join(project, ".ssoenv"), "a") as f:
        f.write("region: eu-central-1\n")
    assert _export(direnv, project, env) == [
        "ssoenv: ~/shop/.ssoenv is not allowed; run: ssoenv allow"
    ]
    assert "AWS_PROFILE" not in env


def test_direnv_is_a_hook_not_an_export_shell(world):
    result = world.run("export", "direnv")
    assert result.returncode == 2
    assert "unsupported shell" in result.stderr and "Traceback" not in result.stderr


def test_use_ssoenv_reads_no_python_variable_a_project_exports(direnv, world):
    """A PYTHONHOME that an .envrc exports before `use ssoenv` (a cloned repository's, or a
    tool's) must not decide which code ssoenv's Python runs: here it points at a copy of
    the standard library whose `encodings` package, imported at every start, leaves a mark."""
    import sysconfig

    marker = os.path.join(world.home, "ran")
    stdlib = sysconfig.get_path("stdlib")
    home = os.path.join(world.home, "cloned", "pyhome")
    planted = os.path.join(home, os.path.relpath(stdlib, sysconfig.get_config_var("prefix")))
    os.makedirs(planted)
    for entry in os.listdir(stdlib):
        if entry != "encodings":
            os.symlink(os.path.join(stdlib, entry), os.path.join(planted, entry))
    shutil.copytree(os.path.join(stdlib, "encodings"), os.path.join(planted, "encodings"))
    with open(os.path.join(planted, "encodings", "__init__.py"), "a") as f:
        f.write("\nopen(%r, 'a').write('planted\\n')\n" % marker)
    project = direnv.project(
        "cloned",
        "export PYTHONHOME=$PWD/pyhome\nuse ssoenv\n",
        ssoenv=f"profile: {PROFILE}\n",
    )
    env, _ = direnv.exec_env(project)
    assert env["AWS_PROFILE"] == PROFILE
    assert not os.path.exists(marker)


def test_use_ssoenv_keeps_ssoenvs_bookkeeping_out_after_an_edit_and_allow(direnv, world):
    project = direnv.project("shop", "use ssoenv\n", ssoenv=f"profile: {PROFILE}\n")
    env = world.env()
    assert _export(direnv, project, env)[0] == "ssoenv: loaded ~/shop/.ssoenv (profile dev)"
    next_second()
    with open(os.path.join(project, ".ssoenv"), "w") as f:
        f.write("profile: legacy\n")
    assert world.run("allow", project).returncode == 0
    assert _export(direnv, project, env)[0] == "ssoenv: loaded ~/shop/.ssoenv (profile legacy)"
    assert env["AWS_PROFILE"] == "legacy"
    assert sorted(name for name in env if name.startswith("SSOENV_")) == []
    assert _export(direnv, world.home, env) == []
    assert "AWS_PROFILE" not in env
