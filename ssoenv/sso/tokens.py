"""Reading and writing a session's token and client registration exactly as the AWS CLI v2 does."""

import os
import time
from typing import Optional

from ssoenv.sso import cache
from ssoenv.sso.session import SsoSession

# The AWS CLI renews a registration expiring within 15 minutes.
REGISTRATION_WINDOW_SECONDS = 15 * 60

AUTH_CODE_GRANT_TYPES = ["authorization_code", "refresh_token"]

_INTERNAL_KEYS = ("_expires_epoch",)


def load_token(session: SsoSession) -> Optional[dict]:
    """The cached token (with `_expires_epoch` added), or None when not logged in."""
    return cache.read_token(session.token_path())


def save_token(session: SsoSession, token: dict) -> None:
    data = {k: v for k, v in token.items() if k not in _INTERNAL_KEYS}
    cache.write_json(session.token_path(), data)


def token_from_response(
    session: SsoSession, response: dict, registration: dict, now: Optional[float] = None
) -> dict:
    """The token file's content after a CreateToken: the keys and order botocore writes."""
    now = time.time() if now is None else now
    token = {
        "startUrl": session.start_url,
        "region": session.region,
        "accessToken": response["accessToken"],
        "expiresAt": cache.format_time(now + int(response["expiresIn"])),
        "clientId": registration["clientId"],
        "clientSecret": registration["clientSecret"],
        "registrationExpiresAt": registration["expiresAt"],
    }
    if response.get("refreshToken"):
        token["refreshToken"] = response["refreshToken"]
    return token


def is_auth_code_registration(registration: dict) -> bool:
    # The CLI wrote no grantTypes before the authorization-code flow existed.
    return "authorization_code" in (registration.get("grantTypes") or ())


def load_registration(session: SsoSession, auth_code: bool, now: Optional[float] = None):
    """The cached registration if it is usable for this flow and lives 15 more minutes."""
    data = cache.read_json(session.registration_path())
    if not data or not data.get("clientId") or not data.get("clientSecret"):
        return None
    if is_auth_code_registration(data) != auth_code:
        return None
    now = time.time() if now is None else now
    try:
        if cache.parse_time(data.get("expiresAt")) - now < REGISTRATION_WINDOW_SECONDS:
            return None
    except ValueError:
        return None
    return data


def registration_from_response(response: dict, scopes, grant_types=None) -> dict:
    registration = {
        "clientId": response["clientId"],
        "clientSecret": response["clientSecret"],
        "expiresAt": cache.format_time(int(response["clientSecretExpiresAt"])),
    }
    if scopes:
        registration["scopes"] = list(scopes)
    if grant_types:
        registration["grantTypes"] = list(grant_types)
    return registration


def save_registration(session: SsoSession, registration: dict) -> None:
    cache.write_json(session.registration_path(), registration)


def registration_is_live(token: dict, now: Optional[float] = None) -> bool:
    """Whether the registration stored alongside a token can still refresh it."""
    now = time.time() if now is None else now
    try:
        return cache.parse_time(token.get("registrationExpiresAt")) > now
    except ValueError:
        return False


def remove_token(session: SsoSession) -> bool:
    try:
        os.unlink(session.token_path())
        return True
    except FileNotFoundError:
        return False
