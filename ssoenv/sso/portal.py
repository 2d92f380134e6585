"""What the IAM Identity Center portal offers a signed-in user: accounts and their roles.

The portal throttles each operation (about 20 calls a second; beyond, TooManyRequestsException,
HTTP 429). Calls start at full speed; after a throttled one, every thread listing for the
session shares one pace that is cut on each wave of 429s and grows back while calls succeed
(additive increase, multiplicative decrease), and the throttled call waits a jittered,
growing while before it tries again. Throttling is retried until a deadline; other transient
failures (5xx, a dropped connection) as often as the Network allows."""

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

from ssoenv.base.errors import SsoenvError, SsoError
from ssoenv.sso.clients import Network, create_client, endpoint_of, error_code, explain
from ssoenv.sso.refresh import ensure_fresh
from ssoenv.sso.session import SsoSession

# How long a listing may keep waiting out throttling before it gives up.
DEFAULT_DEADLINE_SECONDS = 600.0
# Largest page the portal serves (fewer ListAccounts calls for big organisations).
PAGE_SIZE = 100
# The slowest pace the shared limiter falls to, in calls per second.
MIN_RATE = 0.5
# Backoff of one throttled call: a random wait in [0, min(CAP, BASE * 2**n)].
BACKOFF_BASE = 0.1
BACKOFF_CAP = 5.0
THROTTLE_CODES = ("TooManyRequestsException", "ThrottlingException", "Throttling")


class Stopped(Exception):
    """The listing was cancelled (another thread failed, or the user interrupted)."""


class ListingError(SsoError):
    """Listing failed part way: the message says why, `done`/`total`/`roles` how far it got."""

    def __init__(
        self, message: str, done: int = 0, total: int = 0, roles: int = 0, interrupted=False
    ):
        super().__init__(message)
        self.done, self.total, self.roles = done, total, roles
        self.interrupted = interrupted


class RateLimiter:
    """One pace shared by the threads calling one operation: unlimited until the portal
    first throttles, then additive increase (one more call a second, each second) and a cut
    to three quarters on each wave of 429s."""

    def __init__(self):
        self.rate: Optional[float] = None
        self._next_at = 0.0
        self._last_cut = -1e9
        self._successes: deque = deque()
        self._lock = threading.Lock()

    def wait(self, stop: threading.Event) -> None:
        with self._lock:
            if self.rate is None:
                return
            now = time.monotonic()
            at = max(now, self._next_at)
            self._next_at = at + 1.0 / self.rate
        if at > now and stop.wait(at - now):
            raise Stopped()

    def succeeded(self) -> None:
        with self._lock:
            now = time.monotonic()
            self._successes.append(now)
            while self._successes and self._successes[0] < now - 1.0:
                self._successes.popleft()
            if self.rate is not None:
                self.rate += 1.0 / self.rate

    def throttled(self) -> None:
        with self._lock:
            now = time.monotonic()
            # Calls already in flight answer 429 too: one cut per wave.
            if now - self._last_cut < 0.5:
                return
            self._last_cut = now
            while self._successes and self._successes[0] < now - 1.0:
                self._successes.popleft()
            seen = float(len(self._successes))
            base = self.rate if self.rate is not None else max(seen, 2 * MIN_RATE)
            if seen:
                base = min(base, max(seen, MIN_RATE))
            self.rate = max(MIN_RATE, base * 0.75)
            self._next_at = max(self._next_at, now + 1.0 / self.rate)


@dataclass
class Pacing:
    """What the calls of one listing share: the deadline, a limiter per operation, and a
    stop flag that ends waits at once."""

    deadline_seconds: float = DEFAULT_DEADLINE_SECONDS
    network: Optional[Network] = None
    started: float = field(default_factory=time.monotonic)
    stop: threading.Event = field(default_factory=threading.Event)
    limiters: Dict[str, RateLimiter] = field(default_factory=dict)
    throttled: int = 0  # 429s seen, for reports
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def deadline(self) -> float:
        return self.started + self.deadline_seconds

    def limiter(self, operation: str) -> RateLimiter:
        return self.limiters.setdefault(operation, RateLimiter())


def _network(pacing: Pacing) -> Network:
    base = pacing.network or Network()
    # Retries are ours (throttling until the deadline); botocore makes one attempt.
    return Network(base.connect_timeout, base.read_timeout, max_attempts=1)


def _is_throttle(exc: BaseException) -> bool:
    if error_code(exc) in THROTTLE_CODES:
        return True
    response = getattr(exc, "response", None)
    status = (response or {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status == 429


def _is_transient(exc: BaseException) -> bool:
    from botocore.exceptions import (
        ConnectionClosedError,
        ReadTimeoutError,
    )

    if isinstance(exc, (ConnectionClosedError, ReadTimeoutError)):
        return True
    response = getattr(exc, "response", None)
    status = (response or {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
    return bool(status and status >= 500)


def call(client, operation: str, pacing: Pacing, what: str, **params) -> dict:
    """`client.<operation>(**params)`, paced; throttling retried with jittered backoff
    until the pacing's deadline. Raises SsoError (or Stopped)."""
    method = getattr(client, operation)
    limiter = pacing.limiter(operation)
    network = pacing.network or Network()
    throttles = failures = 0
    while True:
        if pacing.stop.is_set():
            raise Stopped()
        limiter.wait(pacing.stop)
        try:
            result = method(**params)
        except Exception as exc:
            if _is_throttle(exc):
                limiter.throttled()
                with pacing._lock:
                    pacing.throttled += 1
                import random

                delay = random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**throttles))
                throttles += 1
                if time.monotonic() + delay > pacing.deadline:
                    raise SsoError(
                        f"{what} failed: IAM Identity Center still throttled the calls after "
                        f"{pacing.deadline_seconds:g} s; try again later"
                    ) from None
                if pacing.stop.wait(delay):
                    raise Stopped() from None
                continue
            failures += 1
            if _is_transient(exc) and failures < network.max_attempts:
                continue
            raise explain(exc, what, endpoint_of(client)) from None
        limiter.succeeded()
        return result


def _client(session: SsoSession, pacing: Pacing):
    token = ensure_fresh(session, network=pacing.network)
    return token.access_token, create_client(session, "sso", _network(pacing))


def _pages(client, operation, key, pacing, what, **params) -> List[dict]:
    items: List[dict] = []
    next_token = None
    while True:
        extra = {"nextToken": next_token} if next_token else {}
        page = call(client, operation, pacing, what, maxResults=PAGE_SIZE, **params, **extra)
        items.extend(page.get(key) or [])
        next_token = page.get("nextToken")
        if not next_token:
            return items


def list_accounts(
    session: SsoSession,
    network: Optional[Network] = None,
    pacing: Optional[Pacing] = None,
) -> List[dict]:
    """Every account the user may access (all pages): dicts with accountId, accountName,
    emailAddress."""
    pacing = pacing or Pacing(network=network)
    token, client = _client(session, pacing)
    try:
        return _pages(
            client,
            "list_accounts",
            "accountList",
            pacing,
            f"listing accounts of {session.label}",
            accessToken=token,
        )
    except Stopped:
        raise SsoError(f"listing accounts of {session.label} was interrupted") from None


def list_account_roles(
    session: SsoSession,
    account_id: str,
    network: Optional[Network] = None,
    pacing: Optional[Pacing] = None,
) -> List[dict]:
    """The roles the user may assume in `account_id` (all pages): dicts with roleName,
    accountId."""
    pacing = pacing or Pacing(network=network)
    token, client = _client(session, pacing)
    try:
        return _pages(
            client,
            "list_account_roles",
            "roleList",
            pacing,
            f"listing roles of {session.label}",
            accessToken=token,
            accountId=account_id,
        )
    except Stopped:
        raise SsoError(f"listing roles of {session.label} was interrupted") from None


Progress = Callable[[int, int, int], None]  # (accounts done, accounts in all, roles found)


def list_roles_of(
    session: SsoSession,
    account_ids: List[str],
    *,
    workers: int = 8,
    pacing: Optional[Pacing] = None,
    progress: Optional[Progress] = None,
) -> Dict[str, List[str]]:
    """{account id: role names} for every id, a few requests at a time.

    Raises ListingError saying how far it got when a call fails for good, and on Ctrl-C
    (KeyboardInterrupt) stops the other requests and raises ListingError too."""
    import concurrent.futures

    pacing = pacing or Pacing()
    account_ids = list(dict.fromkeys(account_ids))
    token, client = _client(session, pacing)
    what = f"listing roles of {session.label}"
    found: Dict[str, List[str]] = {}
    count = {"roles": 0}
    lock = threading.Lock()
    total = len(account_ids)

    def roles(account_id: str) -> None:
        names = [
            r["roleName"]
            for r in _pages(
                client,
                "list_account_roles",
                "roleList",
                pacing,
                what,
                accessToken=token,
                accountId=account_id,
            )
        ]
        with lock:
            found[account_id] = names
            count["roles"] += len(names)
            done, roles_found = len(found), count["roles"]
        if progress is not None:
            progress(done, total, roles_found)

    def stopped(reason: str, interrupted: bool = False) -> ListingError:
        with lock:
            done, roles_found = len(found), count["roles"]
        return ListingError(reason, done, total, roles_found, interrupted)

    if progress is not None:
        progress(0, total, 0)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        futures = [pool.submit(roles, a) for a in account_ids]
        for future in concurrent.futures.as_completed(futures):
            try:
                future.result()
            except Stopped:
                continue
            except SsoenvError as exc:  # ours already say what is wrong (an unsafe store too)
                pacing.stop.set()
                raise stopped(str(exc)) from None
            except Exception as exc:
                pacing.stop.set()
                raise stopped(str(explain(exc, what, endpoint_of(client)))) from None
    except KeyboardInterrupt:
        pacing.stop.set()
        raise stopped(f"{what} was interrupted", interrupted=True) from None
    finally:
        # After a failure the other requests end at their next wait; do not wait for them.
        pool.shutdown(wait=not pacing.stop.is_set(), cancel_futures=True)
    return {a: found[a] for a in account_ids}


def list_assignments(
    session: SsoSession,
    accounts: List[dict],
    workers: int = 8,
    network: Optional[Network] = None,
    pacing: Optional[Pacing] = None,
    progress: Optional[Progress] = None,
) -> List[dict]:
    """`{"accountId", "accountName", "roleName"}` for every role in every account."""
    pacing = pacing or Pacing(network=network)
    roles = list_roles_of(
        session,
        [a["accountId"] for a in accounts],
        workers=workers,
        pacing=pacing,
        progress=progress,
    )
    return [
        {"accountId": a["accountId"], "accountName": a.get("accountName"), "roleName": r}
        for a in {a["accountId"]: a for a in accounts}.values()
        for r in roles[a["accountId"]]
    ]
