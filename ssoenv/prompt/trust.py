"""Allow and deny records for `.ssoenv` files.

An allow is keyed on where the file was found, the file that path resolves to, and its
content (an edit needs a new allow; a copy or a link elsewhere is not allowed); a deny on
the paths alone (it holds across edits). Each change
touches a generation file, which the shell hook compares with a builtin `-nt` test so that
an allow in another terminal applies at the next prompt."""

import os
import stat

from ssoenv.base import paths
from ssoenv.prompt import locate

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
    path: str,
    content_hash: str,
    trusted_prefixes=(),
    where=None,
    real=None,
    owner=None,
    mode=None,
) -> str:
    """The trust of a `.ssoenv`. `where` and `real` (from locate.read) are the place it was
    found and the file read; a trusted prefix must hold both, so a link from elsewhere into
    a trusted directory, or out of it, is not trusted. Nor is a file that someone else can
    have written (`owner` and `mode` of the file read; see `prefix_refusal`)."""
    paths.check_store(paths.data_dir())  # records that others could plant count for nothing
    if where is None or real is None:
        where, real = locate.where(path), os.path.realpath(path)
    if is_denied(path, where, real):
        return DENIED
    if paths.own_file_exists(_allow_record(content_hash)):
        return ALLOWED
    if not covered(where, real, trusted_prefixes):
        return UNKNOWN
    if owner is None or mode is None:  # not read through locate.read: ask the file
        try:
            st = os.stat(real)
        except OSError:
            return UNKNOWN
        owner = st.st_uid if owner is None else owner
        mode = st.st_mode if mode is None else mode
    if prefix_refusal(where, real, trusted_prefixes, owner, mode):
        return UNKNOWN
    return TRUSTED_PREFIX


def covered(where: str, real: str, trusted_prefixes) -> bool:
    """Whether the trusted prefixes hold both the place a file was found and the file."""
    return under_prefix(where, trusted_prefixes, resolved=True) and under_prefix(
        real, trusted_prefixes, resolved=True
    )


def prefix_refusal(where: str, real: str, trusted_prefixes, owner=None, mode=None) -> str:
    """Why a trusted prefix that holds a file does not cover it ("" when one does), as ssh
    asks of its files: the file (`owner` and `mode` from the descriptor it was read
    through) and every directory from the prefix down to it, and to the place it was
    found, must be the user's or root's and not writable by group or others. Anyone else
    who can change it needs the user's own allow, which pins its content."""
    if foreign(owner):
        return "another user (uid %d) owns it, and trusted_prefixes covers only your own files" % (
            owner
        )
    problem = ""
    if mode is not None and mode & 0o022:
        problem = _writable(real, mode)
    problem = problem or _chain_problem(real, trusted_prefixes)
    problem = problem or _chain_problem(where, trusted_prefixes)
    if problem:
        return problem + ", and trusted_prefixes covers only files no one else can change"
    return ""


def _chain_problem(path: str, prefixes) -> str:
    """ "" when, below some prefix that holds `path`, no directory down to `path` can be
    changed by someone else; otherwise what can (for the first prefix)."""
    problems = []
    for prefix in prefixes or ():
        prefix = os.path.expanduser(prefix)
        if not os.path.isabs(prefix):
            continue
        prefix = os.path.realpath(prefix).rstrip("/") or "/"
        if not path.startswith(prefix.rstrip("/") + "/"):
            continue
        problem = _unsafe_below(prefix, path)
        if not problem:
            return ""
        problems.append(problem)
    return problems[0] if problems else ""


def _unsafe_below(prefix: str, path: str) -> str:
    """What, from `prefix` down to the directory holding `path` (both resolved), someone
    other than the user and root can change."""
    chain = [os.path.dirname(path)]
    while len(chain[-1]) > len(prefix):
        chain.append(os.path.dirname(chain[-1]))
    for directory in reversed(chain):
        try:
            st = os.lstat(directory)
        except OSError as e:
            return "%s cannot be checked (%s)" % (paths.display(directory), e.strerror)
        if foreign(st.st_uid):
            return "another user (uid %d) owns %s" % (st.st_uid, paths.display(directory))
        # In a sticky directory (/tmp) others can add entries of their own, which fail the
        # owner test, but cannot rename or remove the user's.
        if st.st_mode & 0o022 and not st.st_mode & stat.S_ISVTX:
            return _writable(directory, st.st_mode)
    return ""


def _writable(path: str, mode: int) -> str:
    return "other users can write %s (mode %o)" % (paths.display(path), mode & 0o7777)


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
