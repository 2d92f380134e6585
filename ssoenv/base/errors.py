"""Exceptions that carry a one-line, user-facing message."""


class SsoenvError(Exception):
    """A problem the user can fix; str(err) is the whole message, without the prefix."""

    exit_code = 1


class UsageError(SsoenvError):
    exit_code = 2


class ConfigError(SsoenvError):
    """The AWS config or credentials file is missing, malformed or inconsistent."""


class DotfileError(SsoenvError):
    """A `.ssoenv` file cannot be read or is invalid."""


class TrustError(SsoenvError):
    """A `.ssoenv` file is not allowed (or is denied)."""


class SsoError(SsoenvError):
    """Logging in, refreshing or fetching credentials failed."""
