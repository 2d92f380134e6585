"""The profile, and the SSO session, a command acts on when none is named: the nearest
allowed `.ssoenv`'s, else the one the profile variables name."""

import os
from typing import Optional, Tuple

from ssoenv.aws import awsconfig, profiles
from ssoenv.base import paths
from ssoenv.base.errors import SsoenvError
from ssoenv.prompt import export, userconfig
from ssoenv.sso import sessions
from ssoenv.sso.session import SsoSession


def current_profile(env=None) -> Tuple[Optional[str], str]:
    """(profile name, where it came from): the nearest allowed `.ssoenv`, else the profile
    variable the AWS CLI takes (AWS_DEFAULT_PROFILE, then AWS_PROFILE)."""
    env = os.environ if env is None else env
    settings, _ = userconfig.load_or_defaults()
    out = export.evaluate(env, settings)
    if out.profile:
        return out.profile["name"], paths.display(out.file)
    if out.file is not None and out.errors:
        # The .ssoenv here is meant, but broken: say why rather than act on another.
        raise SsoenvError(out.errors[0])
    return profiles.profile_in_effect(env)


def resolve(config: awsconfig.AwsConfig, *, profile=None, sso_session=None, env=None) -> SsoSession:
    """The session named by --sso-session, or --profile's, or the current directory's."""
    if sso_session:
        return sessions.from_session_name(config, sso_session)
    if profile:
        return sessions.from_profile(config, profile)
    name, _ = current_profile(env)
    if name:
        return sessions.from_profile(config, name)
    if len(config.sso_sessions) == 1:
        return sessions.from_session_name(config, next(iter(config.sso_sessions)))
    raise SsoenvError(
        "no profile here (no allowed .ssoenv, no AWS_PROFILE); "
        "name one: --profile NAME or --sso-session NAME"
    )
