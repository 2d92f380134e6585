"""Tab completion: the committed scripts are current, and profile names complete."""

import os
import subprocess
import sys

import pytest
from live_shell import LiveShell, Sandbox

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILES = {"bash": "ssoenv.bash", "zsh": "_ssoenv", "fish": "ssoenv.fish"}


@pytest.mark.parametrize("shell", sorted(FILES))
def test_committed_completion_script_is_current(shell):
    generated = subprocess.run(
        [sys.executable, "-m", "ssoenv", "completion", shell],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    with open(os.path.join(ROOT, "completions", FILES[shell]), encoding="utf-8") as f:
        committed = f.read()
    assert committed == generated, (
        "completions/%s is stale; run: ssoenv completion %s > completions/%s"
        % (FILES[shell], shell, FILES[shell])
    )


def complete(sandbox, words, cword):
    env = dict(sandbox.env(), COMP_WORDS=words, COMP_CWORD=str(cword))
    env["_SSOENV_COMPLETE"] = "bash_complete"
    out = subprocess.run(
        [sys.executable, "-m", "ssoenv"], env=env, capture_output=True, text=True, timeout=60
    )
    return [line.split(",", 1)[1] for line in out.stdout.splitlines() if line]


def test_profile_names_complete_for_init_and_profile_options(tmp_path):
    sandbox = Sandbox(tmp_path)
    assert complete(sandbox, "ssoenv init ", 2) == ["dev", "prod"]
    assert complete(sandbox, "ssoenv init p", 2) == ["prod"]


def test_profile_completion_follows_config_edits(tmp_path):
    sandbox = Sandbox(tmp_path)
    assert complete(sandbox, "ssoenv init st", 2) == []
    with open(sandbox.path(".aws/config"), "a") as f:
        f.write("\n[profile staging]\nregion = eu-west-1\n")
    assert complete(sandbox, "ssoenv init st", 2) == ["staging"]


def test_tab_in_real_bash_completes_a_profile_name(tmp_path):
    sandbox = Sandbox(tmp_path)
    sh = LiveShell("bash", sandbox)
    try:
        sh.run("source %s" % os.path.join(ROOT, "completions", "ssoenv.bash"))
        sh.child.send("ssoenv init pr\t")
        sh.child.expect_exact("ssoenv init prod")
        sh.child.sendcontrol("c")
        sh._wait()
    finally:
        sh.close()
