"""`login: auto` at the prompt: one browser sign-in per session however many shells enter
at once, a time limit, and Ctrl-C to skip it with the prompt back at once.

The hooks ignore SIGINT while `ssoenv export` runs, so that the shell keeps what it
prints; this process takes Ctrl-C back only while it waits for the sign-in."""

import contextlib
import fcntl
import os
import signal
import sys
import time

from ssoenv.base import paths
from ssoenv.base.errors import SsoError

WAITING = "waiting up to %s for the %s; Ctrl-C to skip"
DEFAULT_TIMEOUT = 180.0  # seconds; SSOENV_LOGIN_TIMEOUT overrides it
LOGGED_IN, SIGNED_IN_ELSEWHERE, SKIPPED, ENDED_ELSEWHERE = (
    "logged in",
    "signed in elsewhere",
    "skipped",
    "ended elsewhere",
)


def login_lock_path(session) -> str:
    """Beside the session's token lock: held for the whole sign-in, which itself takes the
    token lock to save the token."""
    return session.lock_path()[: -len(".lock")] + ".login.lock"


@contextlib.contextmanager
def _interruptible():
    """Ctrl-C raises KeyboardInterrupt here, whatever this process inherited."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run(session, token_is_valid, env=None, err=None) -> str:
    """Log in, or wait for the sign-in another shell started for the same session.

    Returns LOGGED_IN, SIGNED_IN_ELSEWHERE, SKIPPED (Ctrl-C) or ENDED_ELSEWHERE (the other
    sign-in ended without a token: no second browser opens). Raises SsoError on failure
    or when the time limit passes."""
    # start-up: the login's http.server and hashlib, when a login starts
    from ssoenv.sso import login

    err = sys.stderr if err is None else err
    limit = login.default_timeout(env, DEFAULT_TIMEOUT)
    lock_path = login_lock_path(session)
    paths.ensure_private_dir(os.path.dirname(lock_path))
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    flow = login.flow_name(login.uses_device_code(session))
    try:
        err.write("ssoenv: %s\n" % (WAITING % (login.duration_text(limit), flow)))
        err.flush()
        with _interruptible():
            try:
                waited = _lock(fd, time.monotonic() + limit)
                if waited is None:
                    raise SsoError(
                        "logging in to %s timed out waiting for the %s" % (session.label, flow)
                    )
                if waited:
                    return SIGNED_IN_ELSEWHERE if token_is_valid() else ENDED_ELSEWHERE
                if token_is_valid():
                    return SIGNED_IN_ELSEWHERE
                login.login(session, out=err, timeout=limit, say_wait=False)
                return LOGGED_IN
            except KeyboardInterrupt:
                err.write("\n")
                return SKIPPED
    finally:
        os.close(fd)  # releases the lock


def _lock(fd: int, deadline: float):
    """Take the lock: False at once, True after waiting for another holder, None when the
    deadline passed first."""
    waited = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return waited
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return None
            waited = True
            time.sleep(0.1)
