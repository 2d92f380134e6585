"""A profile's role credentials: the one source `exec --serve` and `console` get them from."""

from typing import Callable, Tuple

from ssoenv.sso.credentials import RoleCredentials


def for_profile(profile: str) -> Tuple[Callable[[], RoleCredentials], Callable[[], object]]:
    """(source, keep_signed_in) for `profile`: `source()` returns fresh RoleCredentials (an
    SSO role's, or the last role of a chain on one); `keep_signed_in()` renews the sign-in
    behind them. The one place the endpoint gets its credentials from, and `console` too.
    No MFA code is asked for here: the endpoint renews while another command owns the
    terminal (`ssoenv exec --profile P -- true` enters one and caches the role)."""
    from ssoenv import awsconfig, sessions
    from ssoenv.sso import chain, refresh

    config = awsconfig.load()
    target = sessions.target(config, profile)
    if target is None:
        sessions.from_profile(config, profile)  # says why its keys are not from SSO

    def source():
        return chain.target_credentials(target)

    def keep_signed_in():
        return refresh.ensure_fresh(target.session)

    return source, keep_signed_in
