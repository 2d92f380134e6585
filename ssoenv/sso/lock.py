"""An inter-process lock per SSO session, so concurrent ssoenv processes refresh once."""

import contextlib
import fcntl
import os
import time

from ssoenv.base import paths
from ssoenv.base.errors import SsoError

DEFAULT_LOCK_TIMEOUT = 30.0


@contextlib.contextmanager
def session_lock(lock_path: str, timeout: float = DEFAULT_LOCK_TIMEOUT, label: str = "the login"):
    """Hold an exclusive flock on `lock_path` (created 0600); wait at most `timeout` seconds.

    The lock file is never deleted: removing it would let two processes lock different
    inodes under the same name."""
    paths.ensure_private_dir(os.path.dirname(lock_path))
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError as e:
        # A symlink there (ELOOP: never followed), no permission, a full disk...
        raise SsoError(
            "cannot open the lock file %s: %s" % (paths.display(lock_path), e.strerror or e)
        ) from None
    try:
        deadline = time.monotonic() + timeout
        delay = 0.01
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise SsoError(
                        f"another ssoenv process is still updating {label}; try again shortly"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.2)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
