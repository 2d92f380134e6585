"""A profile's role credentials: the one source `exec --serve` and `console` get them from."""

from typing import Callable, Tuple

from ssoenv.errors import SsoenvError
from ssoenv.sso.credentials import RoleCredentials


def for_profile(profile: str) -> Tuple[Callable[[], RoleCredentials], Callable[[], object]]:
    """(source, keep_signed_in) for `profile`: `source()` returns fresh RoleCredentials;
    `keep_signed_in()` renews the sign-in behind them. The one place the endpoint gets
    its credentials from, and `console` too."""
    from ssoenv import awsconfig, sessions
    from ssoenv.sso import credentials, refresh

    config = awsconfig.load()
    session = sessions.from_profile(config, profile)
    p = config.profile(profile)
    if not (p.account_id and p.role_name):
        raise SsoenvError(
            'profile "%s" names no account and role (sso_account_id, sso_role_name)' % profile
        )

    def source():
        return credentials.get_role_credentials(session, p.account_id, p.role_name)

    def keep_signed_in():
        return refresh.ensure_fresh(session)

    return source, keep_signed_in
