"""Another local user on this machine, for the attacks that come from one: a throwaway
account (and its own group) made with useradd for one test and removed after it, and a
shared directory under /tmp that both users can reach.

Creating an account needs root, which CI has; elsewhere the tests that need one skip.
Test modules import the fixtures with `from local_users import *`."""

import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class LocalUser:
    name: str
    uid: int
    gid: int

    def run(self, argv, **kwargs) -> subprocess.CompletedProcess:
        """Run `argv` as this user (no other group), with a plain environment."""
        kwargs.setdefault("env", {"PATH": "/usr/bin:/bin", "HOME": "/", "LC_ALL": "C"})
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("text", True)
        kwargs.setdefault("timeout", 60)
        return subprocess.run(
            argv, user=self.uid, group=self.gid, extra_groups=[], check=False, **kwargs
        )

    def start(self, argv, **kwargs) -> subprocess.Popen:
        kwargs.setdefault("env", {"PATH": "/usr/bin:/bin", "HOME": "/", "LC_ALL": "C"})
        return subprocess.Popen(argv, user=self.uid, group=self.gid, extra_groups=[], **kwargs)


def _admin(argv) -> None:
    """Run a user-administration command; others running at once may hold the lock on
    /etc/passwd for a moment (exit 10), so it is tried again."""
    for _ in range(50):
        done = subprocess.run(argv, capture_output=True, text=True)
        if done.returncode == 0:
            return
        if "lock" not in done.stderr and done.returncode != 10:
            break
        time.sleep(0.2)
    raise RuntimeError("%s failed: %s" % (" ".join(argv), done.stderr.strip()))


# Every process's arguments, as any local user reads them, each new command line once.
POLL_CMDLINES = r"""
import os, sys
seen = set()
while True:
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                line = f.read()
        except OSError:
            continue
        if line and line not in seen:
            seen.add(line)
            sys.stdout.write(line.replace(b"\0", b" ").decode("utf-8", "replace") + "\n")
            sys.stdout.flush()
"""


class CmdlinePoller:
    """`user` reading /proc/*/cmdline over and over while the block runs: `lines` is every
    command line it saw."""

    def __init__(self, user: LocalUser):
        self.user = user
        self.lines = []
        self._lock = threading.Lock()

    def __enter__(self) -> "CmdlinePoller":
        self.proc = self.user.start(
            ["/usr/bin/python3", "-I", "-c", POLL_CMDLINES],
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            cwd="/",
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        # Polling once it has seen its own command line.
        self.wait_for(lambda line: "POLL_CMDLINES" in line or "seen = set()" in line)
        return self

    def _read(self):
        for raw in iter(self.proc.stdout.readline, b""):
            with self._lock:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def wait_for(self, predicate, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for line in self.lines:
                    if predicate(line):
                        return line
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise AssertionError("the poller saw no such command line in %d lines" % len(self.lines))

    def __exit__(self, *exc) -> None:
        self.proc.kill()
        self.proc.wait(10)
        self._reader.join(10)


@pytest.fixture
def other_user():
    """A second local user, with a group of its own of the same name."""
    if os.geteuid() != 0:
        pytest.skip("a second local user needs root to create it (CI runs as root)")
    name = "ssoenvt" + secrets.token_hex(4)
    _admin(["useradd", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
            "--shell", "/usr/sbin/nologin", name])  # fmt: skip
    try:
        entry = pwd.getpwnam(name)
        yield LocalUser(name, entry.pw_uid, entry.pw_gid)
    finally:
        _admin(["userdel", name])
        subprocess.run(["groupdel", name], capture_output=True)  # if userdel left it


@pytest.fixture
def shared_dir():
    """A directory under /tmp that every local user can reach (not write): pytest's own
    directories are private to the user running the tests."""
    path = Path(tempfile.mkdtemp(prefix="ssoenv-shared-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


__all__ = ["CmdlinePoller", "LocalUser", "other_user", "shared_dir"]
