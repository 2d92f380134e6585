"""Role credentials from IAM Identity Center, cached in `~/.aws/cli/cache` as the AWS CLI does."""

import json
import time
from dataclasses import dataclass, field
from typing import Optional

from ssoenv.base.errors import SsoenvError, SsoError
from ssoenv.sso import cache
from ssoenv.sso.clients import Network, create_client, endpoint_of, error_code, explain
from ssoenv.sso.refresh import ensure_fresh
from ssoenv.sso.session import SsoSession

# The AWS CLI treats cached role credentials with under 15 minutes left as expired.
CREDENTIALS_WINDOW_SECONDS = 15 * 60


@dataclass(frozen=True)
class RoleCredentials:
    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)
    expiration: str  # "%Y-%m-%dT%H:%M:%SZ", UTC
    account_id: str

    @property
    def expires_epoch(self) -> float:
        return cache.parse_time(self.expiration)

    def environment(self) -> dict:
        """The variables every SDK reads these credentials from."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_SESSION_TOKEN": self.session_token,
            "AWS_CREDENTIAL_EXPIRATION": self.expiration,
        }


def _from_cache_entry(data) -> Optional[RoleCredentials]:
    if not isinstance(data, dict) or data.get("ProviderType") != "sso":
        return None
    creds = data.get("Credentials")
    if not isinstance(creds, dict):
        return None
    try:
        result = RoleCredentials(
            access_key_id=creds["AccessKeyId"],
            secret_access_key=creds["SecretAccessKey"],
            session_token=creds["SessionToken"],
            expiration=creds["Expiration"],
            account_id=creds.get("AccountId", ""),
        )
        result.expires_epoch  # noqa: B018 - validates the timestamp
    except (KeyError, TypeError, ValueError):
        return None
    return result


def cached_role_credentials(session: SsoSession, account_id: str, role_name: str):
    """Credentials from the AWS CLI cache with more than 15 minutes left, else None."""
    path = cache.role_credentials_cache_path(account_id, role_name, session.name, session.start_url)
    creds = _from_cache_entry(cache.read_json(path))
    if creds is None or creds.expires_epoch - time.time() <= CREDENTIALS_WINDOW_SECONDS:
        return None
    return creds


def get_role_credentials(
    session: SsoSession,
    account_id: str,
    role_name: str,
    *,
    network: Optional[Network] = None,
    use_cache: bool = True,
) -> RoleCredentials:
    """Credentials for `role_name` in `account_id`, from the shared cache while they have
    more than 15 minutes left, else from GetRoleCredentials (refreshing the sign-in first
    if due). Raises SsoError when not logged in or the call fails."""
    if use_cache:
        cached = cached_role_credentials(session, account_id, role_name)
        if cached is not None:
            return cached
    token = ensure_fresh(session, network=network)
    action = f"getting credentials for role {role_name} in account {account_id}"
    client = None
    try:
        client = create_client(session, "sso", network)
        response = client.get_role_credentials(
            accessToken=token.access_token, accountId=account_id, roleName=role_name
        )
    except SsoenvError:  # ours already say what is wrong (an unsafe store too)
        raise
    except Exception as exc:
        if (
            error_code(exc) == "ForbiddenException"
            or error_code(exc) == "ResourceNotFoundException"
        ):
            raise SsoError(f"{action} failed: {session.label} has no access to that role") from None
        raise explain(exc, action, endpoint_of(client) if client else None) from None
    raw = response["roleCredentials"]
    creds = RoleCredentials(
        access_key_id=raw["accessKeyId"],
        secret_access_key=raw["secretAccessKey"],
        session_token=raw["sessionToken"],
        expiration=cache.format_time(raw["expiration"] / 1000.0),
        account_id=account_id,
    )
    entry = {
        "ProviderType": "sso",
        "Credentials": {
            "AccessKeyId": creds.access_key_id,
            "SecretAccessKey": creds.secret_access_key,
            "SessionToken": creds.session_token,
            "Expiration": creds.expiration,
            "AccountId": account_id,
        },
    }
    path = cache.role_credentials_cache_path(account_id, role_name, session.name, session.start_url)
    cache.write_json(path, entry)
    return creds


def credential_process_output(creds: RoleCredentials) -> str:
    """The JSON a `credential_process` prints (Version 1)."""
    return json.dumps(
        {
            "Version": 1,
            "AccessKeyId": creds.access_key_id,
            "SecretAccessKey": creds.secret_access_key,
            "SessionToken": creds.session_token,
            "Expiration": creds.expiration,
        }
    )
