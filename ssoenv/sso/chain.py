"""Role chains on an SSO login: AssumeRole hop by hop, cached where the AWS CLI caches them.

The key and the file of each hop are botocore's (`AssumeRoleCredentialFetcher` with the AWS
CLI's `JSONFileCache` on `~/.aws/cli/cache`), so the AWS CLI and ssoenv share the keys."""

import json
import os
import re
import time
from typing import Callable, Optional, Sequence

from ssoenv.base import paths
from ssoenv.base.botoerrors import unreachable_line
from ssoenv.base.cache import sha1_hex
from ssoenv.base.errors import SsoError
from ssoenv.sso import cache
from ssoenv.sso.clients import DEFAULT_NETWORK, Network, error_code, fresh_session
from ssoenv.sso.credentials import CREDENTIALS_WINDOW_SECONDS, RoleCredentials, get_role_credentials

# What botocore asks, and how the user's answer is read: getpass uses the terminal itself.
MFA_PROMPT = "Enter MFA code for %s: "


def assume_role_args(hop) -> dict:
    """AssumeRole's arguments for a hop, as botocore's AssumeRoleProvider builds them,
    without a generated RoleSessionName (which botocore leaves out of the cache key)."""
    args = {"RoleArn": hop.role_arn}
    if hop.role_session_name:  # botocore generates one for an empty name too
        args["RoleSessionName"] = hop.role_session_name
    if hop.external_id is not None:
        args["ExternalId"] = hop.external_id
    if hop.mfa_serial is not None:
        args["SerialNumber"] = hop.mfa_serial
    if hop.duration_seconds is not None:
        args["DurationSeconds"] = hop.duration_seconds
    return args


def cache_key(hop) -> str:
    """botocore's `BaseAssumeRoleCredentialFetcher._create_cache_key`: sha1 of the
    sort_keys JSON (default separators) of the arguments, made safe for a file name."""
    text = json.dumps(assume_role_args(hop), sort_keys=True)
    return sha1_hex(text).replace(":", "_").replace("/", "_")


def cache_path(hop) -> str:
    return os.path.join(paths.cli_cache_dir(), cache_key(hop) + ".json")


def _serialize(value):
    # botocore's JSONFileCache: datetimes as `%Y-%m-%dT%H:%M:%S%Z` (`...UTC`).
    import datetime

    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S%Z")
    return value


def _credentials(response: dict) -> Optional[RoleCredentials]:
    """RoleCredentials from an AssumeRole response (or its cached JSON), else None."""
    creds = response.get("Credentials") if isinstance(response, dict) else None
    if not isinstance(creds, dict):
        return None
    expiration = creds.get("Expiration")
    try:
        if not isinstance(expiration, str):
            expiration = _serialize(expiration)
        epoch = cache.parse_time(expiration)
        return RoleCredentials(
            access_key_id=creds["AccessKeyId"],
            secret_access_key=creds["SecretAccessKey"],
            session_token=creds["SessionToken"],
            expiration=cache.format_time(epoch),
            account_id=str(creds.get("AccountId") or ""),
        )
    except (KeyError, TypeError, ValueError):
        return None


def cached_credentials(hop) -> Optional[RoleCredentials]:
    """The hop's cached keys while more than 15 minutes are left (botocore's window)."""
    creds = _credentials(cache.read_json(cache_path(hop)))
    if creds is None or creds.expires_epoch - time.time() <= CREDENTIALS_WINDOW_SECONDS:
        return None
    return creds


def _account_of(arn) -> Optional[str]:
    parts = arn.split(":") if isinstance(arn, str) else []
    return parts[4] if len(parts) > 5 and parts[0] == "arn" and parts[4] else None


def _sts_client(profile: str, source: RoleCredentials, network: Network):
    """An STS client as botocore's assume-role provider makes one: in a botocore session
    of the profile in use, so AWS_ENDPOINT_URL_STS and its [services] section apply."""
    from botocore.config import Config

    session = fresh_session(profile=profile)
    config = Config(
        connect_timeout=network.connect_timeout,
        read_timeout=network.read_timeout,
        retries={"total_max_attempts": network.max_attempts, "mode": "standard"},
    )
    # botocore signs for the region of the client that needs the keys; without one
    # configured, STS's global endpoint signs for us-east-1.
    region = session.get_config_variable("region") or "us-east-1"
    return session.create_client(
        "sts",
        region_name=region,
        config=config,
        aws_access_key_id=source.access_key_id,
        aws_secret_access_key=source.secret_access_key,
        aws_session_token=source.session_token,
    )


# The profile settings behind AssumeRole's parameters, to say which one to fix.
SETTING_OF_PARAMETER = {
    "RoleArn": "role_arn",
    "RoleSessionName": "role_session_name",
    "ExternalId": "external_id",
    "SerialNumber": "mfa_serial",
    "DurationSeconds": "duration_seconds",
}
# botocore's report of a value out of range: a string's length, never the string itself.
_OUT_OF_RANGE = re.compile(
    r"Invalid (value|length) for parameter (\w+), value: \d+, valid (min|max) (value|length): \d+"
)


def _invalid(exc, action: str, hop) -> SsoError:
    """A setting botocore refuses to send (its check of AssumeRole's parameters)."""
    report = str(getattr(exc, "kwargs", {}).get("report") or "")
    found = next(filter(None, map(_OUT_OF_RANGE.fullmatch, report.splitlines())), None)
    if found is None:
        return SsoError("%s failed: STS's parameters are not valid" % action)
    said = found.group(0)[0].lower() + found.group(0)[1:]
    setting = SETTING_OF_PARAMETER.get(found.group(2))
    if setting is None:  # TokenCode: what was typed at the prompt
        return SsoError("%s failed: %s; enter the code your MFA device shows" % (action, said))
    return SsoError(
        "%s failed: %s; fix %s in [profile %s] of %s"
        % (action, said, setting, hop.profile, paths.display(paths.aws_config_file()))
    )


def _failure(exc: BaseException, action: str, client, hop=None) -> SsoError:
    """What failed, from the error code and the endpoint's host only: STS messages can
    quote request parameters."""
    from urllib.parse import urlsplit

    from botocore.exceptions import (
        ClientError,
        ConnectionClosedError,
        ConnectTimeoutError,
        EndpointConnectionError,
        ParamValidationError,
        ReadTimeoutError,
    )

    if isinstance(exc, ParamValidationError) and hop is not None:
        return _invalid(exc, action, hop)
    endpoint = getattr(getattr(client, "meta", None), "endpoint_url", None)
    host = urlsplit(endpoint).netloc if endpoint else ""
    at = " at %s" % host if host else ""
    if isinstance(exc, (ReadTimeoutError, EndpointConnectionError, ConnectTimeoutError)):
        url = "%s://%s" % (urlsplit(endpoint).scheme, host) if host else None
        return SsoError("%s failed: %s" % (action, unreachable_line(url, exc)))
    if isinstance(exc, ConnectionClosedError):
        return SsoError("%s failed: STS%s closed the connection" % (action, at))
    if isinstance(exc, ClientError):
        code = error_code(exc) or "unknown error"
        if code == "AccessDenied":
            return SsoError("%s failed: access denied; check the role's trust policy" % action)
        return SsoError("%s failed: STS%s answered %s" % (action, at, code))
    return SsoError("%s failed: %s" % (action, type(exc).__name__))


def assume(
    hop,
    source: RoleCredentials,
    *,
    ask: Optional[Callable[[str], str]] = None,
    network: Optional[Network] = None,
) -> RoleCredentials:
    """AssumeRole for one hop with `source`'s keys; writes the response to the AWS CLI's
    cache as the CLI does. `ask` reads an MFA code; without one an MFA role is an error."""
    network = network or DEFAULT_NETWORK
    action = 'assuming role %s (profile "%s")' % (hop.role_arn, hop.profile)
    kwargs = assume_role_args(hop)
    if "RoleSessionName" not in kwargs:
        kwargs["RoleSessionName"] = "botocore-session-%d" % int(time.time())
    if hop.mfa_serial is not None:
        if ask is None:
            raise SsoError(
                "%s needs an MFA code for %s; to enter it at a terminal, run: "
                "ssoenv exec --profile %s -- true" % (action, hop.mfa_serial, hop.profile)
            )
        code = ask(MFA_PROMPT % hop.mfa_serial).strip()
        if not code:
            raise SsoError("%s: no MFA code given for %s" % (action, hop.mfa_serial))
        kwargs["TokenCode"] = code
    client = None
    try:
        client = _sts_client(hop.client_profile or hop.profile, source, network)
        response = client.assume_role(**kwargs)
    except SsoError:
        raise
    except Exception as exc:
        raise _failure(exc, action, client, hop) from None
    account = _account_of((response.get("AssumedRoleUser") or {}).get("Arn"))
    if account:
        response["Credentials"]["AccountId"] = account
    creds = _credentials(response)
    if creds is None:
        raise SsoError("%s failed: STS answered without credentials" % action)
    paths.write_private(cache_path(hop), json.dumps(response, default=_serialize))
    return creds


def terminal_prompt(prompt: str) -> str:
    """Read a code at the terminal without echo, as botocore does."""
    import getpass

    try:
        return getpass.getpass(prompt)
    except (EOFError, KeyboardInterrupt):
        return ""


def chain_credentials(
    root: Callable[[], RoleCredentials],
    hops: Sequence,
    *,
    ask: Optional[Callable[[str], str]] = None,
    network: Optional[Network] = None,
) -> RoleCredentials:
    """The keys of the last hop: from the cache while they last; else from the outermost
    hop still cached, or from `root()` (the SSO role's keys), assuming each role after it."""
    start, creds = 0, None
    for i in range(len(hops) - 1, -1, -1):
        creds = cached_credentials(hops[i])
        if creds is not None:
            start = i + 1
            break
    if creds is None:
        creds = root()
    for hop in hops[start:]:
        creds = assume(hop, creds, ask=ask, network=network)
    return creds


def target_credentials(target, *, interactive: bool = False, network: Optional[Network] = None):
    """The keys of a `sessions.Target`: the SSO role's, then each role of its chain;
    at a terminal an MFA code is asked for, as the AWS CLI does."""

    def root() -> RoleCredentials:
        return get_role_credentials(
            target.session, target.account_id, target.role_name, network=network
        )

    if not target.hops:
        return root()
    ask = terminal_prompt if interactive else None
    return chain_credentials(root, target.hops, ask=ask, network=network)
