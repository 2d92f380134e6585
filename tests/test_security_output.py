"""Attacks on what ssoenv writes: terminal controls in messages, names read back from the
shell's record, secrets in status and in the record, completion that would run a profile
name, and stores that grow without bound.

Real direnv, real bash, zsh and fish; the emulator where a login is needed."""
# ruff: noqa: F405, F811

import json
import os
import shutil
import subprocess
import time

import pytest
from live_shell import SHELLS, Sandbox
from sso_cli_world import *  # noqa: F403
from sso_fixtures import *  # noqa: F403
from test_completion import Pane, setup_lines
from test_console import federation  # noqa: F401
from test_direnv import direnv  # noqa: F401
from test_hook_login import clean, open_shell  # noqa: F401

from ssoenv.base import cache, paths

# -- `use ssoenv`: messages escaped as the hook's are -------------------------------------

# What a terminal acts on: ESC (OSC 52 sets the clipboard, CSI 2J clears the screen), BEL,
# the C1 controls and carriage returns, written as YAML's double-quoted escapes.
OSC52 = "\\e]52;c;aWQ+L3RtcC9wd25lZA==\\a\\e[2J\\e[H\\rssoenv: forged\\x9b"


def raw_controls(text: str) -> list:
    """The control characters in ssoenv's lines of `text` (direnv's own lines left out),
    other than the line breaks between them."""
    ours = "\n".join(
        line for line in text.split("\n") if not line.startswith(("\x1b[mdirenv: ", "direnv: "))
    )
    return sorted({c for c in ours if c != "\n" and (ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0)})


def direnv_stderr(direnv, *args, cwd):
    """direnv's stderr exactly as a terminal gets it: no newline translation."""
    env = dict(direnv.world.env(), PWD=cwd)
    result = subprocess.run(
        [shutil.which("direnv"), *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
    )
    direnv.world.record(
        result.stdout.decode(errors="replace"), result.stderr.decode(errors="replace")
    )
    assert result.returncode == 0, result.stderr
    return result.stderr.decode("utf-8", "surrogateescape")


@pytest.mark.parametrize(
    "text",
    [
        'profile: %s\nregion: "eu-west-1%s"\n' % (PROFILE, OSC52),
        'profile: "%s%s"\n' % (PROFILE, OSC52),
        'profile: %s\nenv:\n  "X%s": y\n' % (PROFILE, OSC52),
    ],
    ids=["region", "profile", "env-name"],
)
def test_use_ssoenv_writes_no_terminal_control_from_a_never_allowed_ssoenv(direnv, world, text):
    project = direnv.project("evil", "use ssoenv\n", ssoenv=text, allow_ssoenv=False)
    # direnv's own export, as its hook runs it at a prompt: stderr reaches the terminal.
    said = direnv_stderr(direnv, "export", "bash", cwd=project)
    assert ssoenv_lines(said), said
    assert raw_controls(said) == [], repr(said)
    said = direnv_stderr(direnv, "exec", project, "true", cwd=project)
    assert ssoenv_lines(said), said
    assert raw_controls(said) == [], repr(said)
    assert "\\e]52;c;" in said  # shown, not acted on


def test_use_ssoenv_profile_writes_no_terminal_control_from_its_argument(direnv, world):
    name = OSC52.replace("\\a", "\\007").replace("\\x9b", "")
    project = direnv.project("evil", "use ssoenv $'nope%s'\n" % name)
    said = direnv_stderr(direnv, "export", "bash", cwd=project)
    assert ssoenv_lines(said), said
    assert raw_controls(said) == [], repr(said)
    # Shown, not acted on.
    assert "\\e]52;c;" in said


# -- names read back from SSOENV_DIFF are names ---------------------------------------------


def forged_record(marker: str) -> str:
    """A record whose names are commands: leaving would put back their "old" values."""
    return json.dumps(
        {
            "AWS_PROFILE": [None, PROFILE],
            "x;touch %s;y" % marker: ["a", None],
            "$(touch %s)" % marker: ["b", None],
        }
    )


@pytest.mark.parametrize("shell", SHELLS)
def test_a_forged_record_runs_nothing_when_the_shell_leaves(world, open_shell, shell, tmp_path):
    marker = str(tmp_path / "ran")
    project = world.project("proj", f"profile: {PROFILE}\n")
    sh = open_shell(shell)
    sh.run("cd %s" % project)
    assert sh.get("AWS_PROFILE") == PROFILE
    forged = forged_record(marker)
    assert "'" not in forged and "\\" not in forged
    if shell == "fish":
        sh.run("set -gx SSOENV_DIFF '%s'" % forged)
    else:
        sh.run("export SSOENV_DIFF='%s'" % forged)
    sh.run("cd %s" % world.home)
    sh.run("cd %s" % project)
    sh.run("cd %s" % world.home)
    assert not os.path.exists(marker)
    assert sh.get("SSOENV_DIFF") is None


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "json"])
def test_export_writes_no_name_that_is_not_a_variable_name(world, shell, tmp_path):
    marker = str(tmp_path / "ran")
    project = world.project("proj", f"profile: {PROFILE}\n")
    env = world.env(SSOENV_DIFF=forged_record(marker), SSOENV_FILE=project + "/.ssoenv")
    result = world.run("export", shell, cwd=world.home, env=env)
    assert result.returncode == 0, result.stderr
    assert "touch" not in result.stdout, result.stdout


# -- secrets: masked in status, digests in the record ---------------------------------------

DB_URL = "postgres://app:s3cr3t-pass@db.internal:5432/shop"
HOOK_URL = "https://hooks.slack.com/services/T00000000/B00000000/Xq81kQ2mVn7pLr4TtY9wZz0a"
TOKEN = "ghp_" + "k" * 36
SECRETS = ("s3cr3t-pass", "Xq81kQ2mVn7pLr4TtY9wZz0a", TOKEN)
SECRET_FILE = (
    f"profile: {PROFILE}\n"
    f"env:\n  DATABASE_URL: {DB_URL}\n  SLACK_WEBHOOK_URL: {HOOK_URL}\n"
    f"  GITHUB_TOKEN: {TOKEN}\n  PLAIN_LINK: https://example.com/api/v1\n"
)


def test_status_json_masks_secrets_it_wants_as_those_it_applied(world):
    project = world.project("proj", SECRET_FILE)
    changes, _ = export_json(world, project)
    env = applied(world.env(), changes)
    result = world.run("status", "--json", cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert not [s for s in SECRETS if s in result.stdout], result.stdout
    for part in ("wanted", "applied"):
        assert info[part]["GITHUB_TOKEN"] == "(secret)", info[part]
        assert info[part]["DATABASE_URL"] == "(secret)", info[part]
        assert info[part]["SLACK_WEBHOOK_URL"] == "(secret)", info[part]
        assert info[part]["PLAIN_LINK"] == "https://example.com/api/v1"


def test_a_credential_in_a_url_is_a_digest_in_the_record_and_leaving_restores_exactly(world):
    project = world.project("proj", SECRET_FILE)
    # What the shell held before: plain values, put back byte for byte.
    before = world.env(DATABASE_URL="postgres://localhost/dev\n\u00e9 'x'", PLAIN_LINK="old")
    before.pop("SLACK_WEBHOOK_URL", None)
    changes, _ = export_json(world, project, env=before)
    inside = applied(before, changes)
    assert inside["DATABASE_URL"] == DB_URL and inside["SLACK_WEBHOOK_URL"] == HOOK_URL
    record = inside["SSOENV_DIFF"]
    assert not [s for s in SECRETS if s in record], record
    assert json.loads(record)["DATABASE_URL"][1].startswith("sha256:")
    changes, _ = export_json(world, world.home, env=inside)
    after = applied(inside, changes)
    for name in ("DATABASE_URL", "SLACK_WEBHOOK_URL", "GITHUB_TOKEN", "PLAIN_LINK"):
        assert after.get(name) == before.get(name), name
    assert "SSOENV_DIFF" not in after


# -- console: the "opened" line is escaped ---------------------------------------------------


def test_console_opened_line_writes_no_terminal_control(world, federation, browser, tmp_path):
    world.login("--profile", PROFILE)
    # A browser whose file name holds what a terminal acts on.
    named = tmp_path / "firefox\x1b]52;c;aWQ=\x07\x1b[2J\x08\x9b"
    named.symlink_to(os.fspath(browser.parent / "browser"))
    project = world.project("proj", f"profile: {PROFILE}\n")
    env = world.env(BROWSER=os.fspath(named))
    result = world.run("console", cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    assert raw_controls(result.stderr) == [], repr(result.stderr)
    assert result.stderr.startswith("ssoenv: opened the AWS console for profile dev in firefox\\e")


# -- bash completion quotes what it inserts, as zsh's and fish's do ---------------------------


@pytest.mark.parametrize("how", ["committed", "printed"])
def test_bash_completion_quotes_a_profile_name_and_enter_runs_nothing(tmp_path, how):
    sandbox = Sandbox(tmp_path)
    with open(sandbox.path(".aws/config"), "a") as f:
        f.write("\n[profile zz$(id>ran1)`id>ran2`;id>ran3]\nregion = eu-west-1\n")
    pane = Pane("bash", sandbox, setup_lines("bash", how))
    markers = [sandbox.path(name) for name in ("ran1", "ran2", "ran3")]
    quoted = "zz\\$\\(id\\>ran1\\)\\`id\\>ran2\\`\\;id\\>ran3"
    try:
        for typed in ("ssoenv exec --profile zz", "ssoenv exec --profile=zz", "ssoenv init z"):
            shown = pane.tab(typed, typed.rstrip("z") + "zz", "ran3")
            # Run the completed line as a word of `:`, which does nothing with it.
            pane.keys("C-a")
            pane.keys("-l", ": ")
            pane.keys("C-e")
            pane.keys("-l", "; echo fin'ished'")
            pane.keys("Enter")
            pane.wait_for("finished")
            assert [m for m in markers if os.path.exists(m)] == []
            assert typed.rstrip("z") + quoted in shown, shown
        # A name typed with its quotes completes the same way.
        pane.tab("ssoenv init zz\\$\\(", "ssoenv init " + quoted)
    finally:
        pane.close()


# -- stamps: bounded, the stale ones removed ---------------------------------------------


def stamps_dir() -> str:
    return os.path.join(paths.cache_dir(), "stamps")


def test_stamps_stay_bounded_and_the_ones_in_use_stay(aws_home):
    edited = os.path.join(aws_home, "edited")
    steady = os.path.join(aws_home, "steady")
    for path in (edited, steady):
        open(path, "w").close()
    os.utime(steady, ns=(0, 1_600_000_000_123_456_789))
    counts = []
    for i in range(5 * cache.STAMPS_KEPT):
        mtime_ns = 1_700_000_000_000_000_000 + i * 1_000_003
        os.utime(edited, ns=(mtime_ns, mtime_ns))
        stamp = cache.stamp_for(edited)
        assert os.stat(stamp).st_mtime_ns == mtime_ns
        # One file that never changes, used at every step (a trust record, say).
        assert os.stat(cache.stamp_for(steady)).st_mtime_ns == 1_600_000_000_123_456_789
        counts.append(len(os.listdir(stamps_dir())))
    assert max(counts) <= cache.STAMPS_KEPT, max(counts)
    assert os.path.exists(stamp)


def test_stamps_unused_for_a_day_are_removed_at_the_next_sweep(aws_home):
    old = os.path.join(aws_home, "old")
    open(old, "w").close()
    forgotten = []
    for i in range(cache.STAMPS_KEPT):
        os.utime(old, ns=(0, 1_500_000_000_000_000_000 + i))
        forgotten.append(cache.stamp_for(old))
        # Last used two days ago.
        os.utime(forgotten[-1], ns=(time.time_ns() - 2 * 86400 * 10**9, os.stat(old).st_mtime_ns))
    edited = os.path.join(aws_home, "edited")
    open(edited, "w").close()
    fresh = cache.stamp_for(edited)
    assert os.listdir(stamps_dir()) == [os.path.basename(fresh)]


def test_a_live_shell_notices_every_edit_after_many_stamps(world, open_shell):
    stamps = os.path.join(world.home, ".cache", "ssoenv", "stamps")
    filler = os.path.join(world.home, "filler")
    open(filler, "w").close()
    for i in range(3 * cache.STAMPS_KEPT):
        os.utime(filler, ns=(0, 1_700_000_000_000_000_000 + i))
        cache.stamp_for(filler)
    project = world.project("proj", f"profile: {PROFILE}\nregion: eu-west-1\n")
    sh = open_shell("bash")
    sh.run("cd %s" % project)
    assert sh.get("AWS_REGION") == "eu-west-1"
    for i, region in enumerate(["eu-central-1", "us-east-1", "ap-south-1", "eu-north-1"] * 3):
        with open(os.path.join(project, ".ssoenv"), "w") as f:
            f.write(f"profile: {PROFILE}\nregion: {region}\n")
        # A new mtime each time, whatever the clock's resolution.
        mtime_ns = 1_800_000_000_000_000_000 + i * 10**9
        os.utime(os.path.join(project, ".ssoenv"), ns=(mtime_ns, mtime_ns))
        assert world.run("allow", project).returncode == 0
        sh.run("true")
        assert sh.get("AWS_REGION") == region
        assert len(os.listdir(stamps)) <= cache.STAMPS_KEPT


def test_use_ssoenv_passes_a_value_with_controls_through_without_writing_them(direnv, world):
    project = direnv.project(
        "odd", "use ssoenv\n", ssoenv=f'profile: {PROFILE}\nenv:\n  TF_VAR_x: "{OSC52}"\n'
    )
    env = dict(world.env(), PWD=project)
    done = subprocess.run(
        [shutil.which("direnv"), "export", "bash"], env=env, cwd=project, capture_output=True
    )
    assert done.returncode == 0, done.stderr
    for text in (done.stdout, done.stderr):
        text = text.decode("utf-8", "surrogateescape")
        assert "TF_VAR_x" in text
        assert raw_controls(text) == [], repr(text)
    # The value itself arrives whole: only what is written to the terminal is escaped.
    inside, _ = direnv.exec_env(project)  # read as text: "\r" comes back as "\n"
    expected = "\x1b]52;c;aWQ+L3RtcC9wd25lZA==\x07\x1b[2J\x1b[H\nssoenv: forged\x9b"
    assert inside["TF_VAR_x"] == expected
