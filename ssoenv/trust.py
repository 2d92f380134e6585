"""Allow and deny records for `.ssoenv` files.

An allow is keyed on the file's real path and content (an edit needs a new allow; a copy
elsewhere is not allowed); a deny on the path alone (it holds across edits). Each change
touches a generation file, which the shell hook compares with a builtin `-nt` test so that
an allow in another terminal applies at the next prompt."""

import os

from ssoenv import paths

ALLOWED = "allowed"
DENIED = "denied"
UNKNOWN = "not allowed"
TRUSTED_PREFIX = "trusted prefix"


def _digest(text: str) -> str:
    try:
        from _sha256 import sha256
    except ImportError:  # pragma: no cover
        from hashlib import sha256
    return sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def generation_file() -> str:
    return os.path.join(paths.data_dir(), "trust-generation")


def ensure_generation_file() -> str:
    """The generation file, created if missing: the hook's `-ot` test needs it to exist."""
    path = generation_file()
    if not os.path.exists(path):
        paths.write_private(path, "")
    return path


def _allow_record(content_hash: str) -> str:
    return os.path.join(paths.data_dir(), "allow", content_hash)


def _deny_record(path: str) -> str:
    return os.path.join(paths.data_dir(), "deny", _digest(os.path.realpath(path)))


def under_prefix(path: str, prefixes) -> bool:
    real = os.path.realpath(path)
    for prefix in prefixes or ():
        prefix = os.path.realpath(os.path.expanduser(prefix)).rstrip("/")
        if real.startswith(prefix + "/"):
            return True
    return False


def is_denied(path: str) -> bool:
    return os.path.exists(_deny_record(path))


def status(path: str, content_hash: str, trusted_prefixes=()) -> str:
    paths.check_store(paths.data_dir())  # records that others could plant count for nothing
    if is_denied(path):
        return DENIED
    if paths.own_file_exists(_allow_record(content_hash)):
        return ALLOWED
    if under_prefix(path, trusted_prefixes):
        return TRUSTED_PREFIX
    return UNKNOWN


def _bump_generation() -> None:
    # New content each time so the mtime moves even within one clock tick's granularity.
    paths.write_private(generation_file(), os.urandom(8).hex() + "\n")


def allow(path: str, content_hash: str) -> None:
    try:
        os.unlink(_deny_record(path))
    except FileNotFoundError:
        pass
    paths.write_private(_allow_record(content_hash), os.path.realpath(path) + "\n")
    _bump_generation()


def deny(path: str, content_hash: str) -> None:
    try:
        os.unlink(_allow_record(content_hash))
    except FileNotFoundError:
        pass
    paths.write_private(_deny_record(path), os.path.realpath(path) + "\n")
    _bump_generation()
