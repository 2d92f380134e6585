"""The `ssoenv` command line, run as users run it: a process, its output and exit status."""

import json
import os
import shutil
import stat
import subprocess
import sys

import pytest
from conftest import ROOT

import ssoenv
from ssoenv import shells
from ssoenv.prompt import locate, trust

pytestmark = pytest.mark.usefixtures("ssoenv_env")


def ok(result, stderr=None):
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    if stderr is not None:
        assert result.stderr == stderr
    return result


def fails(result, code, stderr):
    assert "Traceback" not in result.stderr
    assert (result.returncode, result.stderr) == (code, stderr)
    return result


def trust_of(path):
    path = str(path)
    return trust.status(path, locate.content_hash(path, locate.read_bytes(path)))


# ---- init ---------------------------------------------------------------------------------


def test_init_writes_the_file_and_allows_it(ssoenv_env):
    ssoenv_env.write_aws_config()
    ok(
        ssoenv_env.run("init", "dev", "--region", "eu-central-1"),
        "ssoenv: wrote and allowed ~/work/project/.ssoenv\n",
    )
    f = ssoenv_env.project / ".ssoenv"
    assert f.read_text() == "profile: dev\nregion: eu-central-1\n"
    assert trust_of(f) == trust.ALLOWED


def test_init_leaves_the_project_directory_permissions_alone(ssoenv_env):
    ssoenv_env.write_aws_config()
    ssoenv_env.project.chmod(0o755)
    ok(ssoenv_env.run("init", "dev"))
    assert stat.S_IMODE(os.stat(ssoenv_env.project).st_mode) == 0o755
    assert stat.S_IMODE(os.stat(ssoenv_env.project / ".ssoenv").st_mode) == 0o644


def test_init_refuses_to_overwrite_without_force(ssoenv_env):
    ssoenv_env.write_aws_config()
    f = ssoenv_env.write_dotfile("profile: prod\n")
    fails(
        ssoenv_env.run("init", "dev"),
        1,
        "ssoenv: ~/work/project/.ssoenv already exists; use --force to replace it\n",
    )
    assert f.read_text() == "profile: prod\n"
    ok(ssoenv_env.run("init", "dev", "--force"))
    assert f.read_text() == "profile: dev\n"
    assert trust_of(f) == trust.ALLOWED


def test_init_checks_that_the_profile_exists(ssoenv_env):
    ssoenv_env.write_aws_config()
    fails(
        ssoenv_env.run("init", "nope"),
        1,
        'ssoenv: profile "nope" is not in ~/.aws/config; run: ssoenv profiles\n',
    )
    assert not os.path.lexists(ssoenv_env.project / ".ssoenv")


def test_init_refuses_a_bad_region_before_writing(ssoenv_env):
    ssoenv_env.write_aws_config()
    result = ssoenv_env.run("init", "dev", "--region", "Europe")
    fails(
        result,
        1,
        'ssoenv: ~/work/project/.ssoenv: line 2: "Europe" is not an AWS region '
        "(such as eu-central-1)\n",
    )
    assert not os.path.lexists(ssoenv_env.project / ".ssoenv")


def test_init_quotes_a_profile_name_yaml_would_misread(ssoenv_env):
    ssoenv_env.write_aws_config("[profile yes]\nregion = eu-west-1\n", None)
    ok(ssoenv_env.run("init", "yes"))
    from ssoenv.prompt import dotfile

    f = str(ssoenv_env.project / ".ssoenv")
    assert dotfile.load_text(f, locate.read_bytes(f)).profile == "yes"


# ---- allow and deny -----------------------------------------------------------------------


@pytest.mark.parametrize("form", ["file", "directory", "relative directory"])
def test_allow_takes_a_file_or_a_directory(ssoenv_env, form):
    ssoenv_env.write_aws_config()  # the profile exists: no warning
    other = ssoenv_env.home / "other"
    f = ssoenv_env.write_dotfile("profile: dev\n", other)
    arg = {"file": str(f), "directory": str(other), "relative directory": "../../other"}[form]
    ok(
        ssoenv_env.run("allow", arg),
        "ssoenv: allowed ~/other/.ssoenv\n  profile: dev (account 111111111111, role Developer)\n",
    )
    assert trust_of(f) == trust.ALLOWED


def test_allow_without_path_takes_the_nearest(ssoenv_env):
    f = ssoenv_env.write_dotfile("profile: dev\n")
    (ssoenv_env.project / "sub").mkdir()
    ok(ssoenv_env.run("allow", cwd=ssoenv_env.project / "sub"))
    assert trust_of(f) == trust.ALLOWED


@pytest.mark.parametrize("form", ["file", "directory"])
def test_deny_takes_a_file_or_a_directory(ssoenv_env, form):
    other = ssoenv_env.home / "other"
    f = ssoenv_env.write_dotfile("profile: dev\n", other)
    ssoenv_env.allow(f)
    ok(ssoenv_env.run("deny", str(f if form == "file" else other)))
    assert trust_of(f) == trust.DENIED
    ok(ssoenv_env.run("allow", str(other)))
    assert trust_of(f) == trust.ALLOWED


def test_deny_works_on_a_file_that_cannot_be_parsed(ssoenv_env):
    (ssoenv_env.project / ".ssoenv").mkdir()
    ok(ssoenv_env.run("deny"), "ssoenv: denied ~/work/project/.ssoenv\n")


def test_allow_refuses_an_invalid_file(ssoenv_env):
    f = ssoenv_env.write_dotfile("profile: dev\nregoin: x\n")
    fails(
        ssoenv_env.run("allow"),
        1,
        'ssoenv: ~/work/project/.ssoenv: line 2: unknown key "regoin"; did you mean "region"?\n',
    )
    assert trust_of(f) == trust.UNKNOWN


def test_allow_names_a_path_that_does_not_exist(ssoenv_env):
    fails(
        ssoenv_env.run("allow", str(ssoenv_env.home / "nowhere")),
        1,
        "ssoenv: ~/nowhere does not exist\n",
    )


def test_allow_with_no_file_anywhere_says_how_to_make_one(ssoenv_env):
    fails(
        ssoenv_env.run("allow"),
        1,
        "ssoenv: no .ssoenv here or in any parent directory; create one: ssoenv init\n",
    )


# ---- status and profiles ------------------------------------------------------------------


def test_status_json_describes_the_project(ssoenv_env):
    ssoenv_env.write_aws_config()
    ssoenv_env.write_token("myorg")
    ssoenv_env.allow(ssoenv_env.write_dotfile("profile: dev\nregion: eu-west-1\n"))
    info = json.loads(ok(ssoenv_env.run("status", "--json")).stdout)
    token = info.pop("token")
    assert info == {
        "file": str(ssoenv_env.project / ".ssoenv"),
        "trust": "allowed",
        "errors": [],
        "warnings": [],
        "profile": "dev",
        "kind": "sso-session",
        "session": "myorg",
        "wanted": {
            "AWS_PROFILE": "dev",
            "AWS_DEFAULT_PROFILE": None,
            "AWS_REGION": "eu-west-1",
            "AWS_DEFAULT_REGION": "eu-west-1",
        },
        "applied": {},
        "changed": {},
        "applied_file": None,
        "hook_active": False,
    }
    assert token["state"] == "valid"
    assert token["refreshable"] is False
    assert token["cache_file"].startswith("~/.aws/sso/cache/")
    assert token["expires_in"].startswith("in 7h")


def test_status_json_reports_what_the_hook_applied(ssoenv_env):
    ssoenv_env.write_aws_config()
    ssoenv_env.allow(ssoenv_env.write_dotfile("profile: dev\n"))
    env = ssoenv_env.base_env()
    env["PWD"] = str(ssoenv_env.project)
    applied = json.loads(ssoenv_env.run("export", "json", env=dict(env)).stdout)
    env.update(applied)
    info = json.loads(ok(ssoenv_env.run("status", "--json", env=env)).stdout)
    assert info["applied"] == {"AWS_PROFILE": "dev"}
    assert info["applied_file"] == str(ssoenv_env.project / ".ssoenv")
    assert info["hook_active"] is True
    assert info["token"]["state"] == "missing"


def test_status_json_lists_problems(ssoenv_env):
    ssoenv_env.write_dotfile("profile: dev\n")
    info = json.loads(ok(ssoenv_env.run("status", "--json")).stdout)
    assert info["trust"] == "not allowed"
    assert info["errors"] == ["~/work/project/.ssoenv is not allowed; run: ssoenv allow"]
    assert info["profile"] is None


def test_status_without_any_file(ssoenv_env):
    info = json.loads(ok(ssoenv_env.run("status", "--json")).stdout)
    assert (info["file"], info["errors"], info["wanted"]) == (None, [], {})
    text = ok(ssoenv_env.run("status")).stdout
    assert "file:     none here or above" in text


def test_profiles_json_lists_every_profile(ssoenv_env):
    ssoenv_env.write_aws_config()
    rows = json.loads(ok(ssoenv_env.run("profiles", "--json")).stdout)
    assert {r["name"]: r for r in rows} == {
        "dev": {
            "name": "dev",
            "kind": "sso-session",
            "sso_session": "myorg",
            "account": "111111111111",
            "role": "Developer",
            "region": "eu-central-1",
        },
        "prod": {
            "name": "prod",
            "kind": "sso-session",
            "sso_session": "myorg",
            "account": "222222222222",
            "role": "ReadOnly",
            "region": "us-east-1",
        },
        "legacy": {
            "name": "legacy",
            "kind": "legacy-sso",
            "sso_session": None,
            "account": "333333333333",
            "role": "Admin",
            "region": None,
        },
        "static": {
            "name": "static",
            "kind": "static-keys",
            "sso_session": None,
            "account": None,
            "role": None,
            "region": "eu-west-1",
        },
        "assumer": {
            "name": "assumer",
            "kind": "assume-role",
            "sso_session": None,
            "account": None,
            "role": None,
            "region": None,
        },
    }


def test_profiles_table_has_a_row_per_profile(ssoenv_env):
    ssoenv_env.write_aws_config()
    lines = ok(ssoenv_env.run("profiles")).stdout.splitlines()
    assert lines[0].split() == ["PROFILE", "KIND", "SESSION", "ACCOUNT", "ROLE", "REGION"]
    assert sorted(line.split()[0] for line in lines[1:]) == [
        "assumer",
        "dev",
        "legacy",
        "prod",
        "static",
    ]


def test_profiles_without_config_says_so(ssoenv_env):
    ok(ssoenv_env.run("profiles"), "no profiles in ~/.aws/config\n")


def test_profiles_with_malformed_config_is_one_line(ssoenv_env):
    ssoenv_env.write_aws_config("[profile a]\nregion = x\ngarbage\n", None)
    fails(
        ssoenv_env.run("profiles"),
        1,
        "ssoenv: ~/.aws/config: line 3: not an INI line (expected key = value)\n",
    )


# ---- hook ---------------------------------------------------------------------------------


@pytest.fixture
def awkward_executable(tmp_path):
    """An `ssoenv` executable whose path needs quoting in every shell."""
    directory = tmp_path / 'it\'s a "bin" $dir'
    directory.mkdir()
    exe = directory / "ssoenv"
    exe.write_text(
        "#!%s\nimport sys\nsys.path.insert(0, %r)\nfrom ssoenv.entry import main\nmain()\n"
        % (sys.executable, str(ROOT))
    )
    exe.chmod(0o755)
    return exe


# Interactive, as the hook only speaks (and fish's only loads) in an interactive shell.
SHELLS = {
    "bash": (["bash", "--noprofile", "--norc", "-i", "-c"], 'source "$1"; cd "$2"; _ssoenv_hook'),
    "zsh": (["zsh", "-f", "-i", "-c"], 'source "$1"; cd "$2"; _ssoenv_hook'),
    "fish": (["fish", "--no-config", "-i", "-c"], "source $argv[1]; cd $argv[2]; _ssoenv_hook"),
}
PRINT = '; printf "%s" "$AWS_PROFILE"'


@pytest.mark.parametrize("shell_name", ["bash", "zsh", "fish"])
def test_hook_embeds_the_absolute_executable_path_quoted(
    ssoenv_env, awkward_executable, shell_name
):
    env = ssoenv_env.base_env()
    result = subprocess.run(
        [str(awkward_executable), "hook", shell_name],
        env=env,
        cwd=str(ssoenv_env.project),
        capture_output=True,
        text=True,
        timeout=30,
    )
    ok(result, "")
    assert shells.get(shell_name).quote(str(awkward_executable)) in result.stdout
    assert "@SSOENV@" not in result.stdout

    # The real shell runs that path: the project's profile arrives through it.
    ssoenv_env.write_aws_config()
    ssoenv_env.write_token("myorg")
    ssoenv_env.allow(ssoenv_env.write_dotfile("profile: dev\n"))
    hook = ssoenv_env.home / ("hook." + shell_name)
    hook.write_text(result.stdout)
    argv, script = SHELLS[shell_name]
    extra = ["sh"] if shell_name != "fish" else []
    run = subprocess.run(
        argv + [script + PRINT] + extra + [str(hook), str(ssoenv_env.project)],
        env=env,
        cwd=str(ssoenv_env.home),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.stdout == "dev", run.stderr
    # (bash -i without a terminal first says it has no job control.)
    assert [line for line in run.stderr.splitlines() if not line.startswith("bash: ")] == [
        "ssoenv: loaded ~/work/project/.ssoenv (profile dev)"
    ]


def test_hook_via_python_m_names_an_absolute_executable(ssoenv_env):
    text = ok(ssoenv_env.run("hook", "bash")).stdout
    line = next(line for line in text.splitlines() if "eval" in line and "launch.py" in line)
    python, flag, launcher = line.split("$(", 1)[1].split(" ")[:3]
    assert flag == "-IS"  # isolated: no working directory, no PYTHON* variables
    for path in (python.strip("'"), launcher.strip("'")):
        assert os.path.isabs(path) and os.path.exists(path)
    assert os.access(python.strip("'"), os.X_OK)


@pytest.mark.parametrize("name", ["nushell", "json", "powershell"])
def test_hook_for_an_unsupported_shell_lists_the_supported_ones(ssoenv_env, name):
    fails(
        ssoenv_env.run("hook", name),
        2,
        'ssoenv: unsupported shell "%s"; supported: bash, zsh, fish, tcsh, elvish, xonsh, direnv\n'
        % name,
    )


# ---- the rest -----------------------------------------------------------------------------


def test_version(ssoenv_env):
    assert ok(ssoenv_env.run("--version")).stdout == "ssoenv, version 0.1.0\n"


@pytest.mark.parametrize("shell_name", ["bash", "zsh", "fish"])
def test_completion_script_is_printed(ssoenv_env, shell_name):
    script = ok(ssoenv_env.run("completion", shell_name)).stdout
    assert "ssoenv __complete %s" % shell_name in script


def test_completion_of_profile_names(ssoenv_env, awkward_executable):
    ssoenv_env.write_aws_config()
    env = ssoenv_env.base_env()
    env.update(_SSOENV_COMPLETE="bash_complete", COMP_WORDS="ssoenv init p", COMP_CWORD="2")
    result = subprocess.run(
        [str(awkward_executable)], env=env, capture_output=True, text=True, timeout=30
    )
    # bash_complete prints TYPE,VALUE per candidate.
    assert ok(result).stdout.split() == ["plain,prod"]


@pytest.mark.parametrize(
    "args",
    [
        ["init"],
        ["nonsense"],
        ["status", "--bogus"],
        ["completion", "nushell"],
    ],
)
def test_usage_errors_exit_2_without_traceback(ssoenv_env, args):
    result = ssoenv_env.run(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip()


ROOT_EXECUTABLE = shutil.which("ssoenv", path=os.path.dirname(sys.executable))


@pytest.mark.parametrize("args", [["hook", "bash"], ["completion", "zsh"]])
def test_an_installation_without_its_scripts_says_so_in_one_line(tmp_path, args):
    # ssoenv's package alone, without the shell/ and completions/ folders beside it.
    package = os.path.dirname(os.path.abspath(ssoenv.__file__))
    shutil.copytree(package, tmp_path / "ssoenv", ignore=shutil.ignore_patterns("__pycache__"))
    result = subprocess.run(
        [
            sys.executable,
            "-I",
            "-S",
            "-c",
            "import sys; sys.path.insert(0, %r); from ssoenv.entry import main; main()"
            % str(tmp_path),
            *args,
        ],
        cwd=tmp_path,
        # The ssoenv command is installed: only the scripts are gone.
        env=dict(os.environ, PATH=os.path.dirname(ROOT_EXECUTABLE) + ":/usr/bin:/bin"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("ssoenv: the ")
    assert "scripts are missing from ssoenv's installation at %s" % (tmp_path / "ssoenv") in (
        result.stderr
    )
    assert result.stderr.endswith("; reinstall ssoenv\n")


# Each command loads the module of its own group of commands, not every other one's.
_GROUP_PROBE = """
import json, sys
import click
from ssoenv.cli import main

name = sys.argv[1]
command = main.get_command(click.Context(main), name)
loaded = sorted(m for m in sys.modules if m.startswith("ssoenv.cli."))
print(json.dumps({"found": command is not None and command.name == name, "loaded": loaded}))
"""
GROUPS = {
    "project": ("hook", "export", "allow", "deny", "init", "status", "profiles", "completion"),
    "sso": ("login", "logout", "credential-process", "exec"),
    "config": ("configure", "populate", "migrate", "doctor", "keys"),
    "console": ("console",),
    "demo": ("demo",),
}


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_a_command_loads_its_own_group_of_commands_only(group):
    # console uses sso's way to a fresh token.
    expected = {"ssoenv.cli." + group} | ({"ssoenv.cli.sso"} if group == "console" else set())
    for name in GROUPS[group]:
        out = subprocess.run(
            [sys.executable, "-c", _GROUP_PROBE, name],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
        seen = json.loads(out)
        assert seen["found"], name
        assert set(seen["loaded"]) == expected, name


def test_every_command_is_in_the_table_of_groups_and_help_lists_them_all():
    import importlib

    import click

    from ssoenv.cli import main

    table = {name: group for group, names in GROUPS.items() for name in names}
    for group in GROUPS:
        module = importlib.import_module("ssoenv.cli." + group)
        assert sorted(c.name for c in module.COMMANDS) == sorted(
            GROUPS[group] + (("help",) if group == "project" else ())
        )
    assert main.list_commands(click.Context(main)) == sorted([*table, "help"])
