"""The identity of one IAM Identity Center login: an sso-session, or a legacy SSO profile."""

from dataclasses import dataclass
from typing import Optional, Tuple

from ssoenv.sso import cache

DEFAULT_AUTH_CODE_SCOPE = "sso:account:access"


@dataclass(frozen=True)
class SsoSession:
    name: Optional[str]  # the [sso-session NAME]; None for a legacy profile
    start_url: str
    region: str  # sso_region
    scopes: Tuple[str, ...] = ()  # sso_registration_scopes; () for legacy or when unset
    profile: Optional[str] = None  # a profile using it: botocore clients then honour its [services]

    @property
    def is_legacy(self) -> bool:
        return not self.name

    @property
    def label(self) -> str:
        """How messages name the session."""
        return f'sso-session "{self.name}"' if self.name else f"start URL {self.start_url}"

    @property
    def registration_scopes(self):
        """Scopes as the AWS CLI passes them: a list, or None when none are configured."""
        return list(self.scopes) if self.scopes else None

    def token_path(self) -> str:
        return cache.token_cache_path(self.name, self.start_url)

    def registration_path(self) -> str:
        return cache.registration_cache_path(
            self.start_url, self.region, self.registration_scopes, self.name or None
        )

    def lock_path(self) -> str:
        return self.token_path()[: -len(".json")] + ".lock"


def parse_scopes(raw: Optional[str]) -> Tuple[str, ...]:
    """`sso_registration_scopes` the AWS CLI's way: comma-split, stripped, empties dropped."""
    if not raw:
        return ()
    return tuple(s.strip() for s in raw.split(",") if s.strip())
