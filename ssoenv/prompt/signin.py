"""What the prompt does about a profile's sign-in and keys: the hint, the refresh in the
background, the login itself with `login: auto`, and role credentials for a
`credentials: true` file."""

import os

from ssoenv.base import conditions
from ssoenv.base.errors import SsoError
from ssoenv.sso import cache as token_cache


def _sso_session(profile: dict):
    from ssoenv.sso.session import SsoSession  # start-up: dataclasses, only when signing in

    name, start_url, region, scopes = profile["session"]
    return SsoSession(
        name=name, start_url=start_url, region=region, scopes=tuple(scopes), profile=profile["name"]
    )


def login_step(profile: dict, mode: str) -> list:
    """What the hook does about the profile's sign-in, and the lines that say so.

    A token inside the refresh window (or expired, with a refresh token) is refreshed by a
    detached process, so the prompt never waits on the network. A missing or dead one gets
    the hint, or with `login: auto` at a terminal, the login itself."""
    session = profile.get("session")
    if not session or not session[1] or not session[2]:
        return []
    name, start_url = session[0], session[1]
    path = token_cache.token_cache_path(name, start_url)
    token = token_cache.read_token(path)
    state = token_cache.token_status(token)
    if state == "valid":
        return []
    what = 'session "%s"' % name if name else 'profile "%s"' % profile["name"]
    if token is not None and name and token.get("refreshToken"):
        # start-up: the refresh (and its botocore) only for a token that needs it.
        from ssoenv.sso import refresh, tokens

        if state != "expired" or tokens.registration_is_live(token):
            sso = _sso_session(profile)
            refresh.start_background_refresh(sso)
            if state != "expired":
                return []
            # Promise a renewal only while none has failed since this token was written;
            # after that, the hint (or the login) says what will work.
            if not refresh.last_refresh_failure(sso, _mtime(path)):
                return ["%s expired; renewing it in the background" % what]
    if state == "refresh" or mode == "never":
        return []  # still valid for a while, or the user asked for silence
    words = conditions.token_condition(state, token and token["_expires_epoch"])[1]
    hint = "%s %s%s" % (what, "is " if state == "missing" else "", words)
    if mode == "auto" and _at_terminal():
        from ssoenv.prompt import autologin  # start-up: only when it logs in at the prompt

        def token_is_valid():
            return token_cache.token_status(token_cache.read_token(path)) in ("valid", "refresh")

        try:
            result = autologin.run(_sso_session(profile), token_is_valid)
        except SsoError as e:
            return [str(e), hint]
        if result == autologin.LOGGED_IN:
            return ["logged in to %s" % what]
        if result == autologin.SIGNED_IN_ELSEWHERE:
            return ["logged in to %s (by another shell)" % what]
        if result == autologin.SKIPPED:
            return ["skipped the login until you cd here again; %s" % hint]
        return ["the login in another shell ended without signing in; %s" % hint]
    return [hint]


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def _at_terminal() -> bool:
    return os.isatty(0) and os.isatty(2)


def credentials_step(profile: dict):
    """(variables, renew at, problem): role credentials for a `credentials: true` file,
    from the AWS CLI's cache while they last, else from GetRoleCredentials (and AssumeRole
    for each role of a chain)."""
    if not profile.get("session") or not (profile.get("account_id") and profile.get("role_name")):
        return (
            {},
            None,
            'profile "%s" has no SSO account and role to get keys for' % profile["name"],
        )
    # start-up: botocore's clients and the role cache, for `credentials: true` files only.
    from ssoenv.sso import credentials

    def root():
        return credentials.get_role_credentials(
            _sso_session(profile), profile["account_id"], profile["role_name"]
        )

    try:
        if profile.get("hops"):
            # A role chain: each hop from the AWS CLI's cache while it lasts. The prompt
            # asks for no MFA code; a command at the terminal does (see chain.assume).
            from ssoenv.aws.awsconfig import RoleHop  # start-up: as credentials, above
            from ssoenv.sso import chain  # start-up: as RoleHop, above

            hops = [RoleHop(**hop) for hop in profile["hops"]]
            creds = chain.chain_credentials(root, hops)
        else:
            creds = root()
    except SsoError as e:
        return {}, None, "no keys exported: %s" % e
    return (
        creds.environment(),
        int(creds.expires_epoch - credentials.CREDENTIALS_WINDOW_SECONDS),
        None,
    )


def token_file(profile: dict):
    session = profile.get("session")
    if not session or not session[1]:
        return None
    return token_cache.token_cache_path(session[0], session[1])
