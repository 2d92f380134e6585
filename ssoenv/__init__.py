"""ssoenv: per-directory AWS profiles and fresh IAM Identity Center logins."""

__version__ = "0.1.0"
