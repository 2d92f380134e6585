"""Logging out like `aws sso logout`: revoke and delete tokens and cached SSO role credentials."""

import os
from typing import Iterable, Optional, Tuple

from ssoenv.base import paths
from ssoenv.sso import assignments, cache
from ssoenv.sso.clients import Network, create_client
from ssoenv.sso.session import SsoSession

# Logout must not hang on a dead endpoint: the files are deleted either way.
LOGOUT_NETWORK = Network(connect_timeout=3.0, read_timeout=5.0, max_attempts=1)


def logout(
    session: Optional[SsoSession] = None,
    *,
    roles: Iterable[Tuple[str, str]] = (),
    network: Optional[Network] = None,
) -> int:
    """Sign out and return how many tokens were removed. Registrations are kept.

    The cached listing of accounts and roles goes too (every session's, without `session`).

    Without `session`: every cached token (Logout called in its region, errors ignored)
    and every `ProviderType: sso` entry in `~/.aws/cli/cache`, as the AWS CLI does.
    With `session`: only its token, and only the role credentials cached for it, found by
    the cache keys of `roles` ((account_id, role_name) pairs, e.g. from the profiles using
    the session) plus those of the profiles in the AWS config that use it."""

    network = network or LOGOUT_NETWORK
    removed = 0
    # What the portal listed for a signed-out user is not kept either.
    assignments.forget(session)
    if session is None:
        for path in _json_files(paths.sso_cache_dir()):
            data = cache.read_json(path)
            if data and "accessToken" in data:
                _revoke(data, None, network)
                removed += _unlink(path)
        for path in _json_files(paths.cli_cache_dir()):
            data = cache.read_json(path)
            if data and data.get("ProviderType") == "sso":
                _unlink(path)
        return removed

    path = session.token_path()
    data = cache.read_json(path)
    if data and "accessToken" in data:
        _revoke(data, session, network)
        removed += _unlink(path)
    pairs = set(roles) | set(_configured_roles(session))
    for account_id, role_name in pairs:
        cli_path = cache.role_credentials_cache_path(
            account_id, role_name, session.name, session.start_url
        )
        entry = cache.read_json(cli_path)
        if entry and entry.get("ProviderType") == "sso":
            _unlink(cli_path)
    return removed


def _json_files(directory: str):
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    return [os.path.join(directory, n) for n in names if n.endswith(".json")]


def _unlink(path: str) -> int:
    try:
        os.unlink(path)
        return 1
    except FileNotFoundError:
        return 0


def _revoke(token: dict, session: Optional[SsoSession], network: Network) -> None:
    region = token.get("region")
    if not region or not isinstance(token.get("accessToken"), str):
        return
    target = SsoSession(
        name=session.name if session else None,
        start_url=token.get("startUrl") or "",
        region=region,
        profile=session.profile if session else None,
    )
    try:
        client = create_client(target, "sso", network)
        client.logout(accessToken=token["accessToken"])
    except Exception:
        # Like the AWS CLI: the token may already be invalid; deleting it is what matters.
        pass


def _configured_roles(session: SsoSession):
    """(account, role) pairs of the profiles in the AWS config that use this session."""
    import configparser

    parser = configparser.RawConfigParser()
    try:
        parser.read(paths.aws_config_file(), encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return []
    pairs = []
    for section in parser.sections():
        values = dict(parser.items(section))
        account, role = values.get("sso_account_id"), values.get("sso_role_name")
        if not account or not role:
            continue
        if session.name:
            if values.get("sso_session", "").strip() == session.name:
                pairs.append((account.strip(), role.strip()))
        elif values.get("sso_start_url", "").strip() == session.start_url:
            pairs.append((account.strip(), role.strip()))
    return pairs
