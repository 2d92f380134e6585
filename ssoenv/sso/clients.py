"""botocore clients for sso-oidc and the sso portal, and what their failures mean to a user."""

from dataclasses import dataclass
from typing import Optional
from urllib.parse import urlsplit

from ssoenv.base.botoerrors import line_for, unreachable_line
from ssoenv.base.errors import SsoError

LOGIN_AGAIN = "log in again: ssoenv login"


@dataclass(frozen=True)
class Network:
    """Bounds on every request: a dead endpoint must not hang a prompt or a command."""

    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    max_attempts: int = 2  # botocore's total_max_attempts: first try plus one retry


DEFAULT_NETWORK = Network()


def create_client(session, service: str, network: Optional[Network] = None):
    """A botocore client for `service` ("sso-oidc" or "sso") in the session's region.

    A fresh botocore session each time, so AWS_ENDPOINT_URL_SSO_OIDC / AWS_ENDPOINT_URL_SSO,
    AWS_ENDPOINT_URL and the profile's [services] section are read as botocore reads them."""
    import botocore
    from botocore.config import Config
    from botocore.exceptions import ProfileNotFound

    network = network or DEFAULT_NETWORK
    config = Config(
        region_name=session.region,
        signature_version=botocore.UNSIGNED,
        connect_timeout=network.connect_timeout,
        read_timeout=network.read_timeout,
        retries={"total_max_attempts": network.max_attempts, "mode": "standard"},
    )
    try:
        if session.profile:
            bsession = fresh_session(profile=session.profile)
        else:
            # Ignore AWS_PROFILE: it may name a profile that does not exist, and the SSO
            # calls need none. Endpoint settings from the environment still apply.
            bsession = fresh_session(session_vars={"profile": (None, None, None, None)})
        return bsession.create_client(service, config=config)
    except ProfileNotFound as exc:
        raise SsoError(line_for(exc)) from None


# botocore's built-in event handlers, as the process's first session registered them.
_HANDLERS: list = []


def fresh_session(**kwargs):
    """A new botocore session, as `botocore.session.Session(**kwargs)` makes one, with the
    data loader an earlier one used (share_data_loader). Raises botocore's ProfileNotFound
    for a profile the AWS config lacks.

    Its event handlers are a copy (botocore's own, as each client gets) of those the
    process's first session registered: registering botocore's 250 built-in handlers again
    costs each later session 7 ms, a copy of them under 1."""
    import copy

    import botocore.session
    from botocore.hooks import HierarchicalEmitter

    if _HANDLERS:
        handlers = copy.copy(_HANDLERS[0])
        bsession = botocore.session.Session(
            event_hooks=handlers, include_builtin_handlers=False, **kwargs
        )
    else:
        handlers = HierarchicalEmitter()
        bsession = botocore.session.Session(event_hooks=handlers, **kwargs)
        _HANDLERS.append(copy.copy(handlers))
    share_data_loader(bsession)
    return bsession


# botocore's data loaders by their search path (AWS_DATA_PATH, a profile's data_path).
_LOADERS: dict = {}


def share_data_loader(bsession) -> None:
    """Give the fresh session the loader an earlier one used with the same search path.

    A loader keeps what it read of botocore's model files (the endpoints, the services'
    models and rules), which do not change while ssoenv runs, and reading them again costs
    each client most of its start; it is a ServiceLoader, which finds the client's service
    without listing all of botocore's. The session itself stays fresh: the AWS files and
    the environment are read again for each client."""
    from ssoenv.sso.botoloader import ServiceLoader  # start-up: it imports botocore

    data_path = bsession.get_config_variable("data_path")
    loader = _LOADERS.get(data_path)
    if loader is None:
        loader = _LOADERS[data_path] = ServiceLoader.like(bsession.get_component("data_loader"))
    bsession.register_component("data_loader", loader)


def error_code(exc) -> Optional[str]:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return (response.get("Error") or {}).get("Code")
    return None


def explain(exc: BaseException, action: str, endpoint: Optional[str] = None) -> SsoError:
    """An SsoError saying what failed during `action`, never quoting tokens or secrets.

    Only the error code and the endpoint's host are used: service messages and botocore's
    reprs are not echoed, since a request's parameters can hold secrets."""
    from botocore.exceptions import (
        ClientError,
        ConnectionClosedError,
        ConnectTimeoutError,
        EndpointConnectionError,
        ReadTimeoutError,
    )

    where = _host(endpoint) or _host(getattr(exc, "kwargs", {}).get("endpoint_url"))
    at = f" at {where}" if where else ""
    if isinstance(exc, (ReadTimeoutError, EndpointConnectionError, ConnectTimeoutError)):
        url = _base(getattr(exc, "kwargs", {}).get("endpoint_url")) or _base(endpoint)
        return SsoError(f"{action} failed: {unreachable_line(url, exc)}")
    if isinstance(exc, ConnectionClosedError):
        return SsoError(f"{action} failed: IAM Identity Center{at} closed the connection")
    if isinstance(exc, ClientError):
        code = error_code(exc) or "unknown error"
        status = (exc.response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
        if code in ("InvalidGrantException", "ExpiredTokenException"):
            return SsoError(f"{action} failed: the sign-in is no longer valid; {LOGIN_AGAIN}")
        if code in ("InvalidClientException", "UnauthorizedClientException"):
            return SsoError(f"{action} failed: the client registration was rejected; {LOGIN_AGAIN}")
        if code == "UnauthorizedException":
            return SsoError(f"{action} failed: the access token was rejected; {LOGIN_AGAIN}")
        if code == "AccessDeniedException":
            return SsoError(f"{action} failed: the request was denied")
        if status and status >= 500:
            return SsoError(
                f"{action} failed: IAM Identity Center{at} had an error (HTTP {status})"
            )
        return SsoError(f"{action} failed: IAM Identity Center{at} answered {code}")
    return SsoError(f"{action} failed: {type(exc).__name__}")


def _host(url) -> Optional[str]:
    if not url:
        return None
    try:
        return urlsplit(url).netloc or None
    except ValueError:
        return None


def _base(url) -> Optional[str]:
    """`https://host[:port]` of a request URL: where, without what was asked."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def endpoint_of(client) -> Optional[str]:
    return getattr(client.meta, "endpoint_url", None)
