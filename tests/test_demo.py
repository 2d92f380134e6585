"""`ssoenv demo`: the whole job end to end, with no AWS account, leaving nothing behind."""

import os
import re
import signal
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SENTINEL_CONFIG = b"[profile sentinel]\nregion = ap-southeast-2\n# the user's own config\n"

# Shapes of what the emulator issues: none may ever be printed.
SECRET_PATTERNS = (
    re.compile(r"ASIA[A-Z2-7]{16}"),  # a whole access key id
    re.compile(r"IQoJ[A-Za-z0-9_-]{20,}"),  # a session token
    re.compile(r"\bao[ar][A-Za-z0-9_-]{40,}"),  # an access or refresh token
)


@pytest.fixture
def user(tmp_path):
    """A user's HOME with their own AWS config, AWS and ssoenv settings in the
    environment, and a TMPDIR of its own so what the demo leaves there can be seen."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "config").write_bytes(SENTINEL_CONFIG)
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "SSOENV_", "XDG_"))
    }
    env.update(
        HOME=str(home),
        TMPDIR=str(tmpdir),
        PYTHONPATH=ROOT,
        AWS_PROFILE="sentinel",
        AWS_CONFIG_FILE=str(home / ".aws" / "config"),
        AWS_ACCESS_KEY_ID="AKIASENTINELSENTINEL",
        SSOENV_FILE=str(home / "sentinel" / ".ssoenv"),
        XDG_DATA_HOME=str(home / "sentinel-data"),
    )
    return {"home": home, "tmpdir": tmpdir, "env": env}


def run_demo(user, *args, **env):
    return subprocess.run(
        [sys.executable, "-m", "ssoenv", "demo", *args],
        env=dict(user["env"], **env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def files_under(path) -> list:
    return sorted(
        os.path.relpath(os.path.join(d, n), path)
        for d, dirs, names in os.walk(path)
        for n in dirs + names
    )


def processes_mentioning(text: str) -> list:
    """Processes whose environment holds `text` (Linux); the demo's all have its HOME."""
    if not os.path.isdir("/proc/self"):
        return []
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/environ" % pid, "rb") as f:
                if text.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


def assert_nothing_left(user):
    assert (user["home"] / ".aws" / "config").read_bytes() == SENTINEL_CONFIG
    assert files_under(user["home"]) == [".aws", ".aws/config"]
    assert os.listdir(user["tmpdir"]) == []
    assert processes_mentioning(str(user["tmpdir"])) == []


def test_demo_shows_login_profile_switching_and_credentials_then_leaves_nothing(user):
    done = run_demo(user)
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert done.stderr == ""
    for step in range(1, 6):
        assert "[%d/5]" % step in out
    assert 'logged in to sso-session "demo"' in out
    lines = [line.strip() for line in out.splitlines()]
    profiles = [line.split()[0] for line in lines if line.startswith("AWS_PROFILE=")]
    # Before, in each project, and after leaving: the starting profile comes back.
    assert profiles == [
        "AWS_PROFILE=sandbox",
        "AWS_PROFILE=shop-dev",
        "AWS_PROFILE=shop-prod",
        "AWS_PROFILE=sandbox",
    ]
    assert "ssoenv: loaded ~/projects/shop-web/.ssoenv (profile shop-dev)" in lines
    assert "ssoenv: unloaded ~/projects/shop-web/.ssoenv" in lines
    assert (
        "ssoenv: loaded ~/projects/shop-infra/.ssoenv (profile shop-prod, region us-east-1)"
        in lines
    )
    assert "ssoenv: unloaded ~/projects/shop-infra/.ssoenv" in lines
    for profile in ("shop-dev", "shop-prod"):
        assert re.search(r"boto3: profile %s access key ASIA\.\.\.[A-Z2-7]{4}\n" % profile, out)
    assert "account 111111111111 (shop-dev), role Developer" in out
    assert "account 222222222222 (shop-prod), role ReadOnly" in out
    # Nothing secret, and nothing of the user's own settings, reaches the screen.
    for pattern in SECRET_PATTERNS:
        assert not pattern.search(out), pattern.pattern
    for word in ("aws_secret", "secretAccessKey", "sessionToken", "accessToken", "sentinel"):
        assert word.lower() not in out.lower()
    assert_nothing_left(user)


def test_demo_failure_names_the_step_and_still_cleans_up(user, tmp_path):
    empty = tmp_path / "empty-path"
    empty.mkdir()
    done = run_demo(user, PATH=str(empty))  # no bash to be found
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "ssoenv: demo failed at step 4: bash is not installed"
    ]
    assert "emulator stopped" in done.stdout
    assert_nothing_left(user)


def test_demo_interrupted_cleans_up(user):
    proc = subprocess.Popen(
        [sys.executable, "-m", "ssoenv", "demo"],
        env=user["env"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if line.lstrip().startswith("$ cd ~/projects/shop-web"):
                proc.send_signal(signal.SIGINT)
                break
        rest, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, "".join(seen) + rest
    assert "Interrupted at step 4." in rest
    assert "emulator stopped" in rest
    time.sleep(0.1)
    assert_nothing_left(user)


def test_demo_keep_leaves_the_directory_and_says_where(user):
    done = run_demo(user, "--keep")
    assert done.returncode == 0, done.stdout + done.stderr
    kept = re.search(r"kept (\S+)", done.stdout).group(1)
    try:
        assert os.path.isfile(os.path.join(kept, "home", "projects", "shop-web", ".ssoenv"))
        assert processes_mentioning(str(user["tmpdir"])) == []
    finally:
        import shutil

        shutil.rmtree(kept)
    assert_nothing_left(user)


def test_demo_whose_reader_goes_away_still_cleans_up(user):
    proc = subprocess.Popen(
        [sys.executable, "-m", "ssoenv", "demo"],
        env=user["env"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        proc.stdout.readline()  # like `ssoenv demo | head -1`
        proc.stdout.close()
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert err == b""
    assert_nothing_left(user)
