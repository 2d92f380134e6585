"""An IAM user's long-term access keys: list them, deactivate and re-activate (never delete)."""

import dataclasses
import datetime
from typing import List, Optional

from ssoenv.aws import awsconfig
from ssoenv.base import paths
from ssoenv.base.botoerrors import line_for
from ssoenv.base.errors import SsoenvError


@dataclasses.dataclass(frozen=True)
class KeyInfo:
    key_id: str
    status: str  # Active or Inactive
    created: Optional[datetime.datetime]
    last_used: Optional[datetime.datetime]
    last_service: Optional[str]


def _error(exc: Exception, action: str) -> SsoenvError:
    code, message = None, str(exc)
    if not hasattr(exc, "response"):
        message = line_for(exc) or type(exc).__name__
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        err = response.get("Error") or {}
        code, message = err.get("Code"), err.get("Message") or message
    if code in ("InvalidClientTokenId", "SignatureDoesNotMatch"):
        message = "the key was refused (inactive or deleted?); use --as with another profile"
    return SsoenvError(f"{action} failed: {message}")


def _session(profile: str):
    import boto3

    awsconfig.load().profile(profile)  # a missing one is named as everywhere else
    return boto3.Session(profile_name=profile)


def user_profiles(config) -> List[str]:
    """The profiles that sign with an IAM user's long-term access key."""
    return [
        p.name
        for p in config.profiles.values()
        if p.kind == awsconfig.STATIC and not p.values.get("aws_session_token")
    ]


def check_user_profile(profile: str) -> None:
    """Refuse, in one line naming the profiles that would do, a profile that is not an IAM
    user's: its keys belong to no user whose keys could be listed."""
    config = awsconfig.load()
    kind = config.profile(profile).kind
    if profile in user_profiles(config):
        return
    what = {
        awsconfig.SSO_SESSION: "an IAM Identity Center profile",
        awsconfig.LEGACY_SSO: "an IAM Identity Center profile",
        awsconfig.ASSUME_ROLE: "a role profile",
        awsconfig.WEB_IDENTITY: "a web-identity role profile",
        awsconfig.PROCESS: "a credential_process profile",
        awsconfig.STATIC: "a profile with temporary keys",
    }.get(kind, "a profile without keys of its own")
    users = user_profiles(config)
    known = (
        "the IAM-user profiles: %s" % ", ".join(sorted(users))
        if users
        else "no profile in %s has one" % paths.display(config.credentials_path)
    )
    raise SsoenvError(
        f"ssoenv keys is for IAM-user profiles (a long-term access key); {profile} is {what} "
        f"({known}); or name the user: --user NAME"
    )


def _iam(session):
    # IAM is global: a profile without a region signs for us-east-1, as the AWS CLI does.
    return session.client("iam", region_name=session.region_name or "us-east-1")


def _key_id(session) -> Optional[str]:
    """The access key id of a session's credentials (resolving them; no network for keys)."""
    try:
        creds = session.get_credentials()
        # Resolving them may happen only here: an SSO login, a role assumed.
        return creds.access_key if creds is not None else None
    except Exception as exc:  # botocore raises many kinds here
        raise _error(exc, f"getting the credentials of profile {session.profile_name}") from None


@dataclasses.dataclass
class KeyContext:
    """The profile whose keys are managed, the IAM client that makes the calls, the user."""

    profile: str
    client: object
    user: str
    profile_key_id: Optional[str]  # the key the profile itself signs with
    caller_key_id: Optional[str]  # the key the IAM calls are signed with

    @classmethod
    def open(cls, profile: str, as_profile: Optional[str] = None, user: Optional[str] = None):
        if not user:
            check_user_profile(profile)
        own = _session(profile)
        caller = _session(as_profile) if as_profile else own
        profile_key = _key_id(own)
        caller_key = _key_id(caller) if as_profile else profile_key
        client = _iam(caller)
        if not user:
            user = _user_name(own, client, profile_key, profile)
        return cls(profile, client, user, profile_key, caller_key)

    def list(self) -> List[KeyInfo]:
        out = []
        try:
            pages = self.client.get_paginator("list_access_keys").paginate(UserName=self.user)
            for page in pages:
                for meta in page.get("AccessKeyMetadata") or []:
                    last = self.client.get_access_key_last_used(AccessKeyId=meta["AccessKeyId"])
                    used = last.get("AccessKeyLastUsed") or {}
                    service = used.get("ServiceName")
                    out.append(
                        KeyInfo(
                            meta["AccessKeyId"],
                            meta.get("Status", "?"),
                            meta.get("CreateDate"),
                            used.get("LastUsedDate"),
                            None if service in (None, "N/A") else service,
                        )
                    )
        except SsoenvError:
            raise
        except Exception as exc:
            raise _error(exc, f"listing the access keys of IAM user {self.user}") from None
        return out

    def set_status(self, key_id: str, status: str) -> None:
        try:
            self.client.update_access_key(UserName=self.user, AccessKeyId=key_id, Status=status)
        except Exception as exc:
            raise _error(
                exc, f"setting {key_id} of IAM user {self.user} {status.lower()}"
            ) from None


def _user_name(own_session, caller_client, own_key: Optional[str], profile: str) -> str:
    """The IAM user behind the profile's key: GetUser with the key itself, else (when that
    key no longer works) GetAccessKeyLastUsed on it through the caller."""
    first = None
    try:
        return _iam(own_session).get_user()["User"]["UserName"]
    except Exception as exc:
        first = exc
    if own_key:
        try:
            name = caller_client.get_access_key_last_used(AccessKeyId=own_key).get("UserName")
            if name:
                return name
        except Exception:
            pass
    raise SsoenvError(
        f"cannot tell which IAM user profile {profile} belongs to "
        f"({_error(first, 'GetUser')}); name it: --user NAME"
    )


def _age(when: Optional[datetime.datetime], now: datetime.datetime) -> str:
    if when is None:
        return "-"
    days = (now - when).days
    return f"{days} day{'s' if days != 1 else ''}"


def table(rows: List[KeyInfo], own_key: Optional[str] = None, now=None) -> str:
    """A plain table: key id, status, age, last use; the profile's own key is marked."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if not rows:
        return "no access keys"
    lines = [("KEY ID", "STATUS", "AGE", "LAST USED", "")]
    for r in rows:
        if r.last_used:
            used = r.last_used.strftime("%Y-%m-%d")
            if r.last_service:
                used += f" ({r.last_service})"
        else:
            used = "never"
        mark = "this profile's key" if own_key and r.key_id == own_key else ""
        lines.append((r.key_id, r.status, _age(r.created, now), used, mark))
    widths = [max(len(line[i]) for line in lines) for i in range(5)]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip() for line in lines
    )
