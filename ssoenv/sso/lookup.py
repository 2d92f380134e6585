"""Account names in portable `.ssoenv` files (`account: shop-prod`): looked up with
ListAccounts now by commands, or by a detached process the hook starts.

The names land in the account-name file of `ssoenv.aws.accounts`; the hook's cache is keyed on
that file's identity, so the prompt after the lookup finished sees them. The detached
process is `python -I -c ... ROOT '<sessions as JSON>'`, started in `/`: nothing in the
user's directory or environment can put its own modules in its place."""

import os
import sys
import time
from typing import List, Optional

from ssoenv.aws import accounts
from ssoenv.base import paths
from ssoenv.base.errors import SsoenvError
from ssoenv.sso import assignments, cache, portal
from ssoenv.sso.session import SsoSession

# The hook starts at most one lookup a minute per sso-session.
BACKGROUND_THROTTLE_SECONDS = 60
# A lookup waits out the portal's throttling this long.
DEADLINE_SECONDS = 60.0

_RUN = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from ssoenv.sso.lookup import main; sys.exit(main(sys.argv[2:]))"
)


def session_values(session: SsoSession) -> list:
    return [session.name, session.start_url, session.region, list(session.scopes), session.profile]


def from_values(value: list) -> SsoSession:
    name, start_url, region, scopes, profile = value
    return SsoSession(
        name=name, start_url=start_url, region=region, scopes=tuple(scopes), profile=profile
    )


def _base(session_value: list) -> str:
    key = cache.token_cache_key(session_value[0], session_value[1])
    return os.path.join(paths.cache_dir(), f"lookup-{key}")


def _mtime(path: str) -> Optional[float]:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None


def _names(listed: List[dict], account: str) -> bool:
    return any(account in (a.get("accountName"), a.get("accountId")) for a in listed)


def look_up_now(sessions: List[list], account: Optional[str] = None) -> Optional[str]:
    """List the accounts of each session (the cached listing while fresh) and remember their
    names; returns why a session could not be listed (the first such reason), else None.

    When no listing has `account`, the sessions whose listing came from the cache are
    listed afresh, once: the account may be newer than the cache."""

    problem = None
    found = False
    from_cache = []
    for value in sessions:
        session = from_values(value)
        try:
            cached = assignments.cached_accounts(session)
            listed = assignments.accounts(
                session, pacing=portal.Pacing(deadline_seconds=DEADLINE_SECONDS)
            )
        except SsoenvError as e:
            problem = problem or str(e)
            continue
        accounts.remember_names(listed)
        if cached is not None:
            from_cache.append(session)
        found = found or (account is not None and _names(listed, account))
    if account is None or found:
        return problem
    for session in from_cache:
        try:
            listed = assignments.accounts(
                session, refresh=True, pacing=portal.Pacing(deadline_seconds=DEADLINE_SECONDS)
            )
        except SsoenvError as e:
            problem = problem or str(e)
            continue
        accounts.remember_names(listed)
    return problem


def in_background(account: str, sessions: List[list]) -> Optional[str]:
    """For the hook: start (or wait for) a detached lookup of the sessions' account names.

    Returns the line to show meanwhile, or None when a lookup finished in the last minute
    (the name is then not among them); `last_problem` says why, when it failed."""
    started = []
    for value in sessions:
        base = _base(value)
        stamp, done = _mtime(base + ".stamp"), _mtime(base + ".done")
        if stamp is not None and time.time() - stamp < BACKGROUND_THROTTLE_SECONDS:
            if done is None or done < stamp:
                started.append(value)  # still running
            continue
        try:
            paths.write_private(base + ".stamp", str(int(time.time())))
            _start(value, account)
        except OSError:
            continue  # no lookup then: the hook shows why the file does not apply
        started.append(value)
    if not started:
        return None
    return "looking up account %s in the background; it applies at a later prompt" % account


def last_problem(sessions: List[list]) -> Optional[str]:
    """Why the last background lookup of one of the sessions failed, if it did."""
    for value in sessions:
        try:
            with open(_base(value) + ".done", encoding="utf-8") as f:
                text = f.read(2000).strip()
        except OSError:
            continue
        if text:
            return text
    return None


def _start(value: list, account: str) -> int:
    import json
    import subprocess

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.devnull, "r+b") as devnull:
        proc = subprocess.Popen(
            [sys.executable, "-I", "-c", _RUN, root, json.dumps([value]), account],
            stdin=devnull,
            stdout=devnull,
            stderr=devnull,
            cwd="/",
            start_new_session=True,
            close_fds=True,
        )
    return proc.pid


def main(argv=None) -> int:
    """The detached lookup: list, remember the names, record the outcome, then replace the
    name file (even unchanged) so the hook runs again at the next prompt."""
    import json

    argv = sys.argv[1:] if argv is None else argv
    try:
        sessions = json.loads(argv[0])
        problem = look_up_now(sessions, argv[1] if len(argv) > 1 else None)
    except Exception as e:  # a detached process has nobody to show a traceback to
        sessions, problem = [], "looking up account names failed: %s" % type(e).__name__
    for value in sessions:
        paths.write_private(_base(value) + ".done", problem or "")
    names = accounts.load_names()
    paths.write_private(accounts.names_file(), json.dumps(names, sort_keys=True, indent=1))
    return 1 if problem else 0
