"""A shell started in a project: the hook line brings the project's variables itself, so the
first prompt starts no second process, and the user sees what a `cd` there would show."""

import ast
import os
import subprocess

import pytest
from live_shell import NEW_SHELLS, SHELLS, ssoenv_executable
from test_shells_live import ProcessCounter, ssoenv_lines

VARIABLES = (
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "TF_VAR_stage",
    "SSOENV_FILE",
    "SSOENV_STAMP",
    "SSOENV_TRUST",
    "SSOENV_TSTAMP",
    "SSOENV_DIFF",
)


def launches(lines):
    """The export processes among the processes started: the hook runs `python -IS
    launch.py`."""
    return [line for line in lines if "execve(" in line and "launch.py" in line]


@pytest.mark.parametrize("shell", SHELLS + NEW_SHELLS)
@pytest.mark.parametrize("allowed", [True, False], ids=["allowed", "not-allowed"])
def test_hook_line_in_a_project_applies_it_and_the_first_prompt_starts_nothing(
    sandbox, open_shell, shell, allowed
):
    proj = sandbox.project(
        "shop", "profile: dev\nregion: eu-central-1\nenv:\n  TF_VAR_stage: dev\n", allow=allowed
    )
    # What the hook did before: installed elsewhere, then `cd` into the project.
    before = open_shell(shell, hook=False)
    before.hook()
    counter = ProcessCounter(before, sandbox)
    expected = before.run("cd %s" % proj)
    assert len(launches(counter.stop())) == 1  # the count sees an export when there is one

    sh = open_shell(shell, hook=False)
    sh.run("cd %s" % proj)
    counter = ProcessCounter(sh, sandbox)
    printed = sh.hook()
    for _ in range(3):
        sh.run(sh.noop)
    started = counter.stop()
    assert any("execve(" in line and '"hook"' in line for line in started)  # the hook line ran
    assert launches(started) == []
    assert ssoenv_lines(printed) == ssoenv_lines(expected)
    assert ssoenv_lines(printed), "the hook line said nothing"
    for name in VARIABLES:
        assert sh.get(name) == before.get(name), name
    # The hook keeps working after that: leaving and coming back.
    assert ssoenv_lines(sh.run("cd /")) == ssoenv_lines(before.run("cd /"))
    assert ssoenv_lines(sh.run("cd %s" % proj)) == ssoenv_lines(before.run("cd %s" % proj))
    for name in VARIABLES:
        assert sh.get(name) == before.get(name), name


def hook_output(sandbox, shell, cwd, env=None, unwrap=True):
    """`ssoenv hook SHELL` in `cwd`; its stdout the script the hook line runs (`unwrap`)."""
    result = subprocess.run(
        [ssoenv_executable(), "hook", shell],
        env=dict(sandbox.env(), PWD=cwd, **(env or {})),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    if unwrap:
        result.stdout = unwrapped(shell, result.stdout)
    return result


def unwrapped(shell, out: str) -> str:
    """The script a hook line runs: for xonsh, one line that has CPython compile it."""
    if shell != "xonsh":
        return out
    assert out.endswith("\n") and out.count("\n") == 1
    (statement,) = ast.parse(out).body
    run = statement.value
    assert ast.unparse(run.func) == "__import__('builtins').exec"
    (compiled,) = run.args
    assert ast.unparse(compiled.func) == "__import__('builtins').compile"
    script, name, mode = (arg.value for arg in compiled.args)
    assert (name, mode) == ("ssoenv hook xonsh", "exec")
    return script


def rendered_hook(sandbox, shell) -> str:
    """The hook script alone, as the installed ssoenv renders it."""
    exe = ssoenv_executable()
    with open(exe, encoding="utf-8") as f:
        interpreter = f.readline()[2:].strip()  # the console script's own Python
    return subprocess.run(
        [
            interpreter,
            "-c",
            "import sys; from ssoenv import shells; "
            "sys.stdout.write(shells.get(sys.argv[1], hook=True).hook(sys.argv[2]))",
            shell,
            exe,
        ],
        env=sandbox.env(),
        cwd=sandbox.home,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


# tcsh and elvish keep their own record of what the next prompt compares: the hook line
# ends with the statement that makes it, in a project or not.
RECORD = {
    "tcsh": "if ( $?prompt ) $_ssoenv_source $_ssoenv_src:q record ;\n",
    "elvish": "_ssoenv_record\n",
}


@pytest.mark.parametrize("shell", SHELLS + NEW_SHELLS)
def test_hook_output_is_the_script_alone_where_the_first_prompt_would_do_nothing(sandbox, shell):
    proj = sandbox.project("shop", "profile: dev\n")
    outside = hook_output(sandbox, shell, sandbox.home)
    assert outside.stderr == ""
    assert outside.stdout == rendered_hook(sandbox, shell) + RECORD.get(shell, "")
    inside = hook_output(sandbox, shell, proj)
    assert inside.stdout.startswith(rendered_hook(sandbox, shell))
    assert inside.stdout.endswith(RECORD.get(shell, ""))
    assert inside.stdout != outside.stdout
    # The messages are statements too, so that only an interactive top-level shell prints
    # them (fish reads config.fish for scripts as well).
    assert inside.stderr == ""
    tail = inside.stdout[len(rendered_hook(sandbox, shell)) :]
    assert "ssoenv: loaded ~/shop/.ssoenv (profile dev)" in tail
    assert 'ssoenv: session "myorg" is not logged in; run: ssoenv login' in tail
    # A shell started from one that already has the project (a tmux pane, a subshell)
    # inherits its state: its hook line prints the script alone, as its first prompt
    # would start nothing.
    exported = subprocess.run(
        [ssoenv_executable(), "export", "json"],
        env=dict(sandbox.env(), PWD=proj),
        cwd=proj,
        capture_output=True,
        text=True,
        timeout=60,
    )
    import json

    state = {k: v for k, v in json.loads(exported.stdout).items() if v is not None}
    assert state["SSOENV_FILE"] == os.path.join(proj, ".ssoenv")
    nested = hook_output(sandbox, shell, proj, state)
    assert (nested.stdout, nested.stderr) == (outside.stdout, "")


@pytest.mark.parametrize("shell", SHELLS + NEW_SHELLS)
def test_hook_without_a_name_detects_the_shell_it_runs_in(sandbox, shell):
    named = hook_output(sandbox, shell, sandbox.home, unwrap=False).stdout
    argv = {
        "bash": ["bash", "--norc", "--noprofile", "-c"],
        "zsh": ["zsh", "-f", "-c"],
        "fish": ["fish", "--no-config", "-c"],
        "tcsh": ["tcsh", "-f", "-c"],
        "elvish": ["elvish", "-norc", "-c"],
        "xonsh": ["xonsh", "--no-rc", "-c"],
    }[shell]
    detected = subprocess.run(
        argv + ["%s hook; true" % ssoenv_executable()],
        env=dict(sandbox.env(), PWD=sandbox.home),
        cwd=sandbox.home,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (detected.returncode, detected.stderr) == (0, "")
    assert detected.stdout == named


@pytest.mark.parametrize("shell", SHELLS + NEW_SHELLS)
def test_hook_outside_a_project_is_exactly_the_rendered_hook_script(sandbox, shell):
    rendered = rendered_hook(sandbox, shell)
    assert "_ssoenv_hook" in rendered or "ssoenv.tcsh" in rendered
    expected = rendered + RECORD.get(shell, "")
    assert hook_output(sandbox, shell, sandbox.home).stdout == expected


def test_hook_line_in_a_project_does_nothing_in_a_fish_script(sandbox):
    """fish reads config.fish for `fish -c` too: there the hook line neither applies the
    project nor says anything."""
    proj = sandbox.project("shop", "profile: dev\n")
    line = "%s hook fish | source" % ssoenv_executable()
    result = subprocess.run(
        ["fish", "--no-config", "-c", line + '; echo "profile=$AWS_PROFILE"'],
        env=dict(sandbox.env(), PWD=proj),
        cwd=proj,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "profile=\n"
    assert result.stderr == ""
