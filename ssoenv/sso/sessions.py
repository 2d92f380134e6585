"""From the AWS config to the SSO session a command acts on."""

from dataclasses import dataclass
from typing import List, Optional, Tuple

from ssoenv.aws import awsconfig
from ssoenv.base import paths
from ssoenv.base.errors import ConfigError, SsoenvError
from ssoenv.sso.session import SsoSession


def from_session_name(config: awsconfig.AwsConfig, name: str, profile=None) -> SsoSession:
    section = config.sso_sessions.get(name)
    if section is None:
        known = ", ".join(sorted(config.sso_sessions)) or "none"
        raise ConfigError(
            'sso-session "%s" is not in %s (known: %s)'
            % (name, paths.display(config.config_path), known)
        )
    missing = [
        k
        for k, v in (("sso_start_url", section.start_url), ("sso_region", section.region))
        if not v
    ]
    if missing:
        raise ConfigError(
            "[sso-session %s] in %s is missing %s"
            % (name, paths.display(config.config_path), " and ".join(missing))
        )
    if profile is None:
        profile = next((p.name for p in profiles_of(config, name)), None)
    return SsoSession(
        name=name,
        start_url=section.start_url,
        region=section.region,
        scopes=section.scopes,
        profile=profile,
    )


def from_profile(config: awsconfig.AwsConfig, name: str) -> SsoSession:
    """The login a profile uses: its own, or the SSO root of its role chain."""
    p = config.profile(name)
    if not p.is_sso:
        chain = awsconfig.sso_chain(config, name)
        if chain is not None:
            p = chain.root
    return _from_sso_profile(config, p)


def _from_sso_profile(config: awsconfig.AwsConfig, p: awsconfig.Profile) -> SsoSession:
    name = p.name
    if p.is_sso and p.problems:
        raise ConfigError('profile "%s": %s' % (name, p.problems[0]))
    if p.kind == awsconfig.SSO_SESSION:
        return from_session_name(config, p.sso_session, profile=name)
    if p.kind == awsconfig.LEGACY_SSO:
        if not (p.start_url and p.sso_region):
            raise ConfigError(
                'profile "%s" is configured to use SSO but is missing required '
                "configuration: sso_start_url, sso_region" % name
            )
        return SsoSession(name=None, start_url=p.start_url, region=p.sso_region, profile=name)
    hint = " (%s)" % p.warnings[0] if p.warnings else ""
    raise SsoenvError('profile "%s" does not use IAM Identity Center%s' % (name, hint))


@dataclass(frozen=True)
class Target:
    """Where a profile's keys come from: an SSO role, then the roles assumed on top."""

    profile: str  # the profile asked for
    session: SsoSession
    account_id: str
    role_name: str
    hops: Tuple[awsconfig.RoleHop, ...]


def target(config: awsconfig.AwsConfig, name: str) -> Optional[Target]:
    """The SSO role (and role chain) behind profile `name`; None when its keys do not come
    from IAM Identity Center. Raises SsoenvError when the chain or its root is broken."""
    chain = awsconfig.sso_chain(config, name)
    if chain is None:
        return None
    root = chain.root
    session = _from_sso_profile(config, root)
    if not (root.account_id and root.role_name):
        raise SsoenvError(
            'profile "%s" names no account and role (sso_account_id, sso_role_name)' % root.name
        )
    return Target(name, session, root.account_id, root.role_name, chain.hops)


def profiles_of(config: awsconfig.AwsConfig, session_name: str) -> List[awsconfig.Profile]:
    return [p for p in config.profiles.values() if p.sso_session == session_name]
