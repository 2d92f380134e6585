"""botocore's exceptions and unreachable endpoints as the one line a user reads, without the
service's message or the request's parameters, which can hold secrets."""

from ssoenv.base import paths


def line_for(exc: BaseException) -> "str | None":
    """The one line for an exception from botocore that no command turned into its own
    message, or None for any other kind. A service's message and the request's parameters
    are never quoted (they can hold secrets): only the class, the error code, the endpoint,
    and botocore's own words about the configuration."""
    module = type(exc).__module__ or ""
    if not module.startswith("botocore"):
        return None
    from botocore import exceptions as b

    fields = getattr(exc, "kwargs", {}) or {}
    if isinstance(exc, b.ProfileNotFound):
        return 'profile "%s" is not in %s; run: ssoenv profiles' % (
            fields.get("profile"),
            paths.display(paths.aws_config_file()),
        )
    if isinstance(exc, b.SSOTokenLoadError):
        return "not logged in to IAM Identity Center (%s); run: ssoenv login" % (
            str(fields.get("error_msg") or "no token").rstrip(".")
        )
    if isinstance(exc, b.UnauthorizedSSOTokenError):
        return "IAM Identity Center no longer accepts the login; run: ssoenv login"
    if isinstance(exc, (b.ConnectTimeoutError, b.ReadTimeoutError, b.EndpointConnectionError)):
        return unreachable_line(fields.get("endpoint_url"), exc)
    if isinstance(exc, b.NoCredentialsError):
        return "no AWS credentials found; name a profile (--profile) or log in: ssoenv login"
    if isinstance(exc, b.NoRegionError):
        return "no region is set; add `region = ...` to the profile or set AWS_REGION"
    if isinstance(exc, b.ClientError):
        code = (exc.response.get("Error") or {}).get("Code") or "an error"
        return "AWS answered %s to %s" % (code, getattr(exc, "operation_name", "a request"))
    if isinstance(exc, b.ParamValidationError):  # its text quotes the values sent
        return "AWS SDK error: a request had invalid parameters"
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return "AWS SDK error: %s" % text


def unreachable_line(endpoint, exc: BaseException) -> str:
    """`cannot reach URL: connection refused` / `URL did not answer within 15s`."""
    where = endpoint or "the AWS endpoint"
    reason = _network_reason(exc)
    if reason == "timed out reading":
        return "%s did not answer in time; try again later" % where
    return "cannot reach %s: %s" % (where, reason)


def _network_reason(exc: BaseException) -> str:
    """What went wrong on the wire, in a few words, from the exception and its causes."""
    seen = 0
    while exc is not None and seen < 8:
        name = type(exc).__name__
        text = str(exc).lower()
        if isinstance(exc, ConnectionRefusedError) or "connection refused" in text:
            return "connection refused"
        if "readtimeout" in name.lower() or "read timed out" in text:
            return "timed out reading"
        if "timeout" in name.lower() or "timed out" in text:
            return "no connection within the time limit"
        if "name or service not known" in text or "nodename nor servname" in text:
            return "unknown host"
        if isinstance(exc, OSError) and exc.strerror:
            return exc.strerror.lower()
        exc = exc.__cause__ or exc.__context__ or getattr(exc, "kwargs", {}).get("error")
        seen += 1
    return "no connection"
