"""The accounts and roles an sso-session gives access to: from ssoenv's private cache while
it is fresh, else from the portal (and then cached).

`populate`, the `configure` menu and the lookup of account names in portable `.ssoenv` files
share it, so a big organisation is listed once, not on each of them. One file per
sso-session (0600, in ssoenv's 0700 cache directory); `logout` deletes it."""

import json
import os
import time
from typing import Dict, List, Optional

from ssoenv.aws import accounts as account_names
from ssoenv.base import paths
from ssoenv.sso import cache, portal
from ssoenv.sso.session import SsoSession

# How long a listing stays good. Assignments change seldom; `--refresh` asks again.
TTL_SECONDS = 12 * 3600
VERSION = 1
PREFIX = "portal-"


def cache_path(session: SsoSession) -> str:
    key = cache.token_cache_key(session.name, session.start_url)
    return os.path.join(paths.cache_dir(), f"{PREFIX}{key}.json")


def _load(session: SsoSession) -> dict:
    """The session's cache file as a dict ({} when missing, damaged or for another
    start URL)."""
    try:
        with open(cache_path(session), "rb") as f:
            data = json.loads(f.read())
    except (OSError, ValueError):
        return {}
    if (
        not isinstance(data, dict)
        or data.get("version") != VERSION
        or data.get("startUrl") != session.start_url
        or data.get("region") != session.region
    ):
        return {}
    return data


def _fresh(entry, now: float, ttl: float) -> bool:
    at = entry.get("at") if isinstance(entry, dict) else None
    return isinstance(at, (int, float)) and 0 <= now - at < ttl


def cached_accounts(session: SsoSession, ttl: float = TTL_SECONDS) -> Optional[List[dict]]:
    entry = _load(session).get("accounts")
    if _fresh(entry, time.time(), ttl) and isinstance(entry.get("items"), list):
        return entry["items"]
    return None


def accounts_listed_at(session: SsoSession, ttl: float = TTL_SECONDS) -> Optional[float]:
    """When the cached account listing was made (epoch seconds), while it is fresh."""
    entry = _load(session).get("accounts")
    return entry["at"] if _fresh(entry, time.time(), ttl) else None


def cached_roles(
    session: SsoSession, account_ids: List[str], ttl: float = TTL_SECONDS
) -> Dict[str, List[str]]:
    """{account id: role names} for those of `account_ids` with a fresh entry."""
    roles = _load(session).get("roles")
    if not isinstance(roles, dict):
        return {}
    now = time.time()
    out = {}
    for account_id in account_ids:
        entry = roles.get(account_id)
        if _fresh(entry, now, ttl) and isinstance(entry.get("names"), list):
            out[account_id] = entry["names"]
    return out


def _store(session: SsoSession, accounts=None, roles: Optional[Dict[str, List[str]]] = None):
    data = _load(session) or {}
    now = int(time.time())
    data.update(
        version=VERSION, session=session.name, startUrl=session.start_url, region=session.region
    )
    if accounts is not None:
        keep = ("accountId", "accountName", "emailAddress")
        data["accounts"] = {
            "at": now,
            "items": [{k: a[k] for k in keep if k in a} for a in accounts],
        }
    if roles:
        table = data.get("roles") if isinstance(data.get("roles"), dict) else {}
        for account_id, names in roles.items():
            table[account_id] = {"at": now, "names": list(names)}
        data["roles"] = table
    try:
        paths.write_private(cache_path(session), json.dumps(data, sort_keys=True))
    except OSError:
        pass  # a cache that cannot be written only costs the next listing


def forget(session: Optional[SsoSession] = None) -> int:
    """Delete the session's cached listing (every session's without one); how many files."""
    if session is not None:
        names = [os.path.basename(cache_path(session))]
    else:
        try:
            names = [n for n in os.listdir(paths.cache_dir()) if n.startswith(PREFIX)]
        except OSError:
            return 0
    removed = 0
    for name in names:
        try:
            os.unlink(os.path.join(paths.cache_dir(), name))
            removed += 1
        except OSError:
            pass
    return removed


def accounts(
    session: SsoSession, *, refresh: bool = False, pacing=None, store: bool = True
) -> List[dict]:
    """Every account of the session: cached, else ListAccounts (and the names remembered
    for portable files). `store=False` (a dry run) reads the cache but writes nothing."""

    if not refresh:
        found = cached_accounts(session)
        if found is not None:
            if store:
                account_names.remember_names(found)
            return found

    listed = portal.list_accounts(session, pacing=pacing)
    if store:
        _store(session, accounts=listed)
        account_names.remember_names(listed)
    return listed


def roles(
    session: SsoSession, account_id: str, *, refresh: bool = False, pacing=None, store: bool = True
) -> List[str]:
    """The role names of one account: cached, else ListAccountRoles."""
    if not refresh:
        found = cached_roles(session, [account_id])
        if account_id in found:
            return found[account_id]

    names = [r["roleName"] for r in portal.list_account_roles(session, account_id, pacing=pacing)]
    if store:
        _store(session, roles={account_id: names})
    return names


def assignments(
    session: SsoSession,
    listed: List[dict],
    *,
    refresh: bool = False,
    pacing=None,
    progress=None,
    workers: int = 8,
    store: bool = True,
) -> List[dict]:
    """`{"accountId", "accountName", "roleName"}` for every role of every account in
    `listed`; only accounts without fresh cached roles are asked about. The cache is
    written once, when every account has been listed (never with `store=False`)."""

    ids = list(dict.fromkeys(a["accountId"] for a in listed))
    known = {} if refresh else cached_roles(session, ids)
    missing = [a for a in ids if a not in known]
    fetched = {}
    if missing:
        if known and progress is not None:
            base = len(known)
            roles_known = sum(len(v) for v in known.values())
            outer = progress

            def progress(done, total, found):
                outer(done + base, total + base, found + roles_known)

        try:
            fetched = portal.list_roles_of(
                session, missing, workers=workers, pacing=pacing, progress=progress
            )
        except portal.ListingError as e:
            e.done += len(known)
            e.total += len(known)
            e.roles += sum(len(v) for v in known.values())
            raise
        if store:
            _store(session, roles=fetched)
    table = dict(known, **fetched)
    return [
        {"accountId": a["accountId"], "accountName": a.get("accountName"), "roleName": r}
        for a in {a["accountId"]: a for a in listed}.values()
        for r in table[a["accountId"]]
    ]
