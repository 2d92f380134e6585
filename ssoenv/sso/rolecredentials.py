"""A profile's role credentials: the one source `exec --serve` and `console` get them from."""

from typing import Callable, Tuple

from ssoenv.aws import awsconfig
from ssoenv.sso import chain, refresh, sessions
from ssoenv.sso.credentials import RoleCredentials


def for_profile(
    profile: str, *, ask_first: bool = False
) -> Tuple[Callable[[], RoleCredentials], Callable[[], object]]:
    """(source, keep_signed_in) for `profile`: `source()` returns fresh RoleCredentials (an
    SSO role's, or the last role of a chain on one); `keep_signed_in()` renews the sign-in
    behind them. The one place the endpoint gets its credentials from, and `console` too.
    With `ask_first` (at a terminal), the first call asks for an MFA code a role needs, as
    the AWS CLI does; later ones never do: the endpoint renews while another command owns
    the terminal, so a role that needs a new code then says how to give it."""

    config = awsconfig.load()
    target = sessions.target(config, profile)
    if target is None:
        sessions.from_profile(config, profile)  # says why its keys are not from SSO

    asked = []

    def source():
        interactive = ask_first and not asked
        asked.append(True)
        return chain.target_credentials(target, interactive=interactive)

    def keep_signed_in():
        return refresh.ensure_fresh(target.session)

    return source, keep_signed_in
