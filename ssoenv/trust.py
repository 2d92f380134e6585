"""Allow and deny records for `.ssoenv` files.

An allow is keyed on where the file was found, the file that path resolves to, and its
content (an edit needs a new allow; a copy or a link elsewhere is not allowed); a deny on
the paths alone (it holds across edits). Each change
touches a generation file, which the shell hook compares with a builtin `-nt` test so that
an allow in another terminal applies at the next prompt."""

import os

from ssoenv import locate, paths

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


def _deny_records(path: str, where=None, real=None):
    """A deny holds for the file and for the place it was found (a link to a denied file
    is denied too)."""
    records = [_deny_record(real or path)]
    if where is not None and where != real:
        records.append(os.path.join(paths.data_dir(), "deny", _digest(where)))
    return records


def under_prefix(path: str, prefixes, resolved: bool = False) -> bool:
    """Whether `path` is below one of `prefixes`; `resolved` when `path` is resolved already
    (resolving it again could see a link changed since)."""
    real = path if resolved else os.path.realpath(path)
    for prefix in prefixes or ():
        prefix = os.path.expanduser(prefix)
        if not os.path.isabs(prefix):
            continue  # never relative to wherever the shell happens to be
        prefix = os.path.realpath(prefix).rstrip("/")
        if real.startswith(prefix + "/"):
            return True
    return False


def is_denied(path: str, where=None, real=None) -> bool:
    """A deny holds for the file and for the place it was found."""
    if where is None or real is None:
        where, real = locate.where(path), os.path.realpath(path)
    return any(os.path.exists(r) for r in _deny_records(path, where, real))


def foreign(owner) -> bool:
    """Whether a file owned by `owner` (a uid, None when not known) is another user's: not
    the user's own and not root's, who could change anything anyway."""
    return owner is not None and owner not in (os.geteuid(), 0)


def status(
    path: str, content_hash: str, trusted_prefixes=(), where=None, real=None, owner=None
) -> str:
    """The trust of a `.ssoenv`. `where` and `real` (from locate.read) are the place it was
    found and the file read; a trusted prefix must hold both, so a link from elsewhere into
    a trusted directory, or out of it, is not trusted. Nor is a file another user owns
    (`owner`): a trusted prefix covers the user's own files only."""
    paths.check_store(paths.data_dir())  # records that others could plant count for nothing
    if where is None or real is None:
        where, real = locate.where(path), os.path.realpath(path)
    if is_denied(path, where, real):
        return DENIED
    if paths.own_file_exists(_allow_record(content_hash)):
        return ALLOWED
    if covered(where, real, trusted_prefixes) and not foreign(owner):
        return TRUSTED_PREFIX
    return UNKNOWN


def covered(where: str, real: str, trusted_prefixes) -> bool:
    """Whether the trusted prefixes hold both the place a file was found and the file."""
    return under_prefix(where, trusted_prefixes, resolved=True) and under_prefix(
        real, trusted_prefixes, resolved=True
    )


def _bump_generation() -> None:
    # New content each time so the mtime moves even within one clock tick's granularity.
    paths.write_private(generation_file(), os.urandom(8).hex() + "\n")


def allow(path: str, content_hash: str) -> None:
    for record in _deny_records(path, locate.where(path), os.path.realpath(path)):
        try:
            os.unlink(record)
        except FileNotFoundError:
            pass
    paths.write_private(_allow_record(content_hash), os.path.realpath(path) + "\n")
    _bump_generation()


def deny(path: str, content_hash: str) -> None:
    try:
        os.unlink(_allow_record(content_hash))
    except FileNotFoundError:
        pass
    where, real = locate.where(path), os.path.realpath(path)
    for record in _deny_records(path, where, real):
        paths.write_private(record, real + "\n")
    _bump_generation()
