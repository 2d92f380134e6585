"""The AWS CLI v2's SSO token cache: file names and reading, with the standard library only."""

import os
import time

from ssoenv.base import fastjson, paths
from ssoenv.base.cache import sha1_hex

# botocore refreshes when fewer than 15 minutes remain; so do we.
REFRESH_WINDOW_SECONDS = 15 * 60


def token_cache_key(session_name, start_url) -> str:
    """sha1 of the sso-session name (new style) or of the start URL as written (legacy)."""
    return sha1_hex(session_name if session_name else start_url)


def token_cache_path(session_name, start_url) -> str:
    return os.path.join(paths.sso_cache_dir(), token_cache_key(session_name, start_url) + ".json")


def _days_from_civil(y: int, m: int, d: int) -> int:
    # Howard Hinnant's algorithm; avoids importing datetime/calendar on the hook's path.
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def parse_time(text) -> float:
    """Parse the cache's UTC timestamps to epoch seconds.

    Accepts `2024-01-01T00:00:00Z` (botocore), the old `...UTC` suffix, fractional seconds
    and a `+00:00` offset. Raises ValueError on anything else."""
    if not isinstance(text, str) or len(text) < 19 or text[4] != "-" or text[10] not in "T ":
        raise ValueError(f"not a timestamp: {text!r}")
    date, clock, rest = text[:10], text[11:19], text[19:]
    y, mo, d = (int(x) for x in date.split("-"))
    hh, mm, ss = (int(x) for x in clock.split(":"))
    frac = 0.0
    if rest.startswith("."):
        digits = ""
        for ch in rest[1:]:
            if not ch.isdigit():
                break
            digits += ch
        frac = float("0." + digits) if digits else 0.0
        rest = rest[1 + len(digits) :]
    rest = rest.strip()
    if rest not in ("Z", "UTC", "+00:00", "+0000", ""):
        raise ValueError(f"not a UTC timestamp: {text!r}")
    if not (1 <= mo <= 12 and 1 <= d <= 31 and hh < 24 and mm < 60 and ss < 61):
        raise ValueError(f"not a timestamp: {text!r}")
    return _days_from_civil(y, mo, d) * 86400 + hh * 3600 + mm * 60 + ss + frac


def format_time(epoch: float) -> str:
    """The format botocore and the AWS CLI write: `%Y-%m-%dT%H:%M:%SZ`, UTC."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))


def read_token(path: str):
    """The cached token as a dict, or None when missing, unreadable, not JSON, or lacking
    `accessToken`/`expiresAt` (all of which mean: not logged in). Raises
    UnsafeStoreError when others can change the directory it is in."""
    paths.check_store(os.path.dirname(path))
    try:
        with open(path, "rb") as f:
            if not paths.is_own(os.fstat(f.fileno())):
                return None  # planted by another user: not ours to use
            data = fastjson.loads(f.read(1 << 20))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    if not isinstance(data.get("accessToken"), str) or not data.get("accessToken"):
        return None
    try:
        data["_expires_epoch"] = parse_time(data.get("expiresAt"))
    except (ValueError, TypeError):
        return None
    return data


def token_status(token, now=None) -> str:
    """One of: `missing`, `expired`, `refresh` (valid, inside the refresh window), `valid`."""
    if token is None:
        return "missing"
    now = time.time() if now is None else now
    left = token["_expires_epoch"] - now
    if left <= 0:
        return "expired"
    if left < REFRESH_WINDOW_SECONDS:
        return "refresh"
    return "valid"


def registration_cache_key(start_url: str, region: str, scopes, session_name) -> str:
    """The AWS CLI v2's name for a client registration (`BaseSSOTokenFetcher`): sha1 of the
    sort_keys JSON of tool, startUrl, region, scopes (a list, or None when not configured)
    and session_name (None for legacy profiles), with json's default separators."""
    args = {
        "tool": "botocore",
        "startUrl": start_url,
        "region": region,
        "scopes": list(scopes) if scopes is not None else None,
        "session_name": session_name,
    }
    import json

    return sha1_hex(json.dumps(args, sort_keys=True))


def registration_cache_path(start_url: str, region: str, scopes, session_name) -> str:
    key = registration_cache_key(start_url, region, scopes, session_name)
    return os.path.join(paths.sso_cache_dir(), key + ".json")


def role_credentials_cache_key(account_id: str, role_name: str, session_name, start_url) -> str:
    """botocore's `SSOCredentialFetcher` key for `~/.aws/cli/cache`: compact sort_keys JSON."""
    args = {"accountId": account_id, "roleName": role_name}
    if session_name:
        args["sessionName"] = session_name
    else:
        args["startUrl"] = start_url
    return sha1_hex(fastjson.dumps(args, sort_keys=True))


def role_credentials_cache_path(account_id: str, role_name: str, session_name, start_url) -> str:
    key = role_credentials_cache_key(account_id, role_name, session_name, start_url)
    return os.path.join(paths.cli_cache_dir(), key + ".json")


def read_json(path: str):
    """A JSON object from `path`, or None when missing, unreadable or not an object.
    Raises UnsafeStoreError when others can change the directory it is in."""
    paths.check_store(os.path.dirname(path))
    try:
        with open(path, "rb") as f:
            if not paths.is_own(os.fstat(f.fileno())):
                return None  # planted by another user: not ours to use
            data = fastjson.loads(f.read(1 << 20))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_json(path: str, data: dict) -> None:
    """Atomically write `data` as the AWS tools do (plain json.dumps), 0600 in a 0700 dir."""
    import json

    paths.write_private(path, json.dumps(data))
