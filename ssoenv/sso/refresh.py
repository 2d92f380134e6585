"""Keep a session's access token fresh with the refresh_token grant, once across processes.

Also the entry point of the detached background refresh the shell hook starts:
`python -m ssoenv.sso.refresh --start-url URL --region R [--session-name N] ...`."""

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Optional

from ssoenv.base import launch, paths
from ssoenv.base.errors import SsoenvError, SsoError
from ssoenv.sso import cache, tokens
from ssoenv.sso.clients import LOGIN_AGAIN, Network, create_client, endpoint_of, explain
from ssoenv.sso.lock import DEFAULT_LOCK_TIMEOUT, session_lock
from ssoenv.sso.session import SsoSession

REFRESH_GRANT = "refresh_token"
# The hook may ask on every prompt; one background attempt a minute is plenty (botocore
# also refreshes at most once a minute).
BACKGROUND_THROTTLE_SECONDS = 60
# After a failed refresh of a still-valid token, commands use it for a minute before
# trying again.
FAILURE_BACKOFF_SECONDS = 60


@dataclass(frozen=True)
class TokenState:
    """A usable access token. `problem` says why a refresh that was due did not happen."""

    access_token: str = field(repr=False)
    expires_at: float
    refreshed: bool = False
    problem: Optional[str] = None

    @property
    def seconds_left(self) -> float:
        return self.expires_at - time.time()


def _state(token: dict, refreshed: bool = False, problem: Optional[str] = None) -> TokenState:
    return TokenState(token["accessToken"], token["_expires_epoch"], refreshed, problem)


def _can_refresh(session: SsoSession, token: Optional[dict], now: float) -> bool:
    # botocore never refreshes legacy (start-URL) tokens; neither do we.
    return (
        token is not None
        and not session.is_legacy
        and bool(token.get("refreshToken"))
        and bool(token.get("clientId"))
        and bool(token.get("clientSecret"))
        and tokens.registration_is_live(token, now)
    )


def _not_usable(session: SsoSession, status: str) -> SsoError:
    if status == "missing":
        return SsoError(f"not logged in to {session.label}; log in: ssoenv login")
    return SsoError(f"the sign-in to {session.label} has expired; {LOGIN_AGAIN}")


def _without_refresh(session: SsoSession):
    """(token, status, state): `state` is what to return without refreshing (None when a
    refresh is due and possible). Raises SsoError when there is no usable token."""
    now = time.time()
    token = tokens.load_token(session)
    status = cache.token_status(token, now)
    if status == "valid":
        return token, status, _state(token)
    if not _can_refresh(session, token, now):
        if status == "refresh":
            return token, status, _state(token, problem=_cannot_refresh_reason(session, token))
        raise _not_usable(session, status)
    return token, status, None


def ensure_fresh(
    session: SsoSession,
    *,
    background_ok: bool = False,
    network: Optional[Network] = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> TokenState:
    """A valid access token for `session`, refreshing it when under 15 minutes remain.

    With `background_ok`, a token that is still valid is returned at once and the refresh
    runs in a detached process. Raises SsoError when there is no usable token: not logged
    in, expired and not refreshable, or the refresh of an expired token failed. A failed
    refresh of a still-valid token keeps the old one and reports it in `problem`."""
    token, status, ready = _without_refresh(session)
    if ready is not None:
        return ready
    if status == "refresh":
        recent = _recent_failure(session)
        if recent:
            # A refresh failed under a minute ago; the token still works, so do not make
            # every command wait on a dead endpoint again.
            return _state(token, problem=recent)
        if background_ok:
            start_background_refresh(session)
            return _state(token)

    with session_lock(session.lock_path(), lock_timeout, session.label):
        # Another process may have refreshed while we waited for the lock.
        token, status, ready = _without_refresh(session)
        if ready is not None:
            return ready
        try:
            new_token = _refresh(session, token, network)
        except SsoError as err:
            _record_failure(session, str(err))
            if status == "refresh":
                return _state(token, problem=str(err))
            raise
        tokens.save_token(session, new_token)
        clear_refresh_failure(session)
    new_token["_expires_epoch"] = cache.parse_time(new_token["expiresAt"])
    return _state(new_token, refreshed=True)


def _cannot_refresh_reason(session: SsoSession, token: dict) -> str:
    return f"the sign-in to {session.label} expires soon and cannot be refreshed; {LOGIN_AGAIN}"


def _refresh(session: SsoSession, token: dict, network: Optional[Network]) -> dict:
    action = f"refreshing the sign-in to {session.label}"
    client = None
    try:
        client = create_client(session, "sso-oidc", network)
        response = client.create_token(
            grantType=REFRESH_GRANT,
            clientId=token["clientId"],
            clientSecret=token["clientSecret"],
            refreshToken=token["refreshToken"],
        )
    except SsoenvError:  # ours already say what is wrong (an unsafe store too)
        raise
    except Exception as exc:
        raise explain(exc, action, endpoint_of(client) if client else None) from None
    registration = {
        "clientId": token["clientId"],
        "clientSecret": token["clientSecret"],
        "expiresAt": token["registrationExpiresAt"],
    }
    return tokens.token_from_response(session, response, registration)


def _stamp_path(session: SsoSession) -> str:
    key = cache.token_cache_key(session.name, session.start_url)
    return os.path.join(paths.cache_dir(), f"refresh-{key}.stamp")


def _failure_path(session: SsoSession) -> str:
    return _failure_path_for(session.name, session.start_url)


def _failure_path_for(session_name, start_url) -> str:
    key = cache.token_cache_key(session_name, start_url)
    return os.path.join(paths.cache_dir(), f"refresh-{key}.failed")


def renewal_failure(session_name, start_url) -> Optional[str]:
    """Why the last renewal of this login failed, for `status` and `doctor`; None when
    none failed since the login was written (a new login, ours or the AWS CLI's, counts)."""
    path = _failure_path_for(session_name, start_url)
    try:
        if (
            os.stat(path).st_mtime
            < os.stat(cache.token_cache_path(session_name, start_url)).st_mtime
        ):
            return None
        with open(path, encoding="utf-8") as f:
            return f.read(2000).strip() or None
    except OSError:
        return None


def needs_login(failure: str) -> bool:
    """Whether a renewal failure means the sign-in itself is gone (not a network fault)."""
    return failure.endswith(LOGIN_AGAIN)


def _record_failure(session: SsoSession, message: str) -> None:
    try:
        paths.write_private(_failure_path(session), message)
    except OSError:
        pass


def clear_refresh_failure(session: SsoSession) -> None:
    try:
        os.unlink(_failure_path(session))
    except OSError:
        pass


def _recent_failure(session: SsoSession) -> Optional[str]:
    """The message of a refresh that failed less than a minute ago, if any."""
    path = _failure_path(session)
    try:
        if time.time() - os.stat(path).st_mtime >= FAILURE_BACKOFF_SECONDS:
            return None
        with open(path, encoding="utf-8") as f:
            return f.read(2000).strip() or None
    except OSError:
        return None


def last_refresh_failure(session: SsoSession, newer_than: Optional[float] = None) -> Optional[str]:
    """Why the last refresh (e.g. a background one) failed, if it did and none has
    succeeded since; for the hook or `ssoenv status` to show. With `newer_than` (epoch
    seconds), only a failure recorded since then counts."""
    path = _failure_path(session)
    try:
        if newer_than is not None and os.stat(path).st_mtime < newer_than:
            return None
        with open(path, encoding="utf-8") as f:
            return f.read(2000).strip() or None
    except OSError:
        return None


def start_background_refresh(session: SsoSession, *, force: bool = False) -> Optional[int]:
    """Start a detached, isolated `python -m ssoenv.sso.refresh` for `session` and return its pid,
    or None when one was started less than a minute ago (unless `force`)."""
    stamp = _stamp_path(session)
    if not force:
        try:
            if time.time() - os.stat(stamp).st_mtime < BACKGROUND_THROTTLE_SECONDS:
                return None
        except OSError:
            pass
    try:
        paths.write_private(stamp, str(int(time.time())))
    except OSError:
        return None  # a full disk, say: the refresh could not write the token either

    # This same ssoenv, isolated: the hook runs in whatever directory the user is in, and
    # a project's own json.py or ssoenv/ package must never run with the token cache at hand.
    with open(os.devnull, "r+b") as devnull:
        proc = subprocess.Popen(
            launch.command("ssoenv.sso.refresh", *session_arguments(session)),
            cwd="/",
            stdin=devnull,
            stdout=devnull,
            stderr=devnull,
            start_new_session=True,
            close_fds=True,
        )
    return proc.pid


def session_arguments(session: SsoSession) -> list:
    args = ["--start-url", session.start_url, "--region", session.region]
    if session.name:
        args += ["--session-name", session.name]
    for scope in session.scopes:
        args += ["--scope", scope]
    if session.profile:
        args += ["--profile", session.profile]
    return args


def session_from_arguments(argv=None) -> SsoSession:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m ssoenv.sso.refresh")
    parser.add_argument("--start-url", required=True)
    parser.add_argument("--region", required=True)
    parser.add_argument("--session-name")
    parser.add_argument("--scope", action="append", default=[])
    parser.add_argument("--profile")
    args = parser.parse_args(argv)
    return SsoSession(
        name=args.session_name,
        start_url=args.start_url,
        region=args.region,
        scopes=tuple(args.scope),
        profile=args.profile,
    )


def main(argv=None) -> int:
    session = session_from_arguments(argv)
    try:
        state = ensure_fresh(session)
    except SsoError:
        return 1
    return 0 if state.problem is None else 1


if __name__ == "__main__":
    sys.exit(main())
