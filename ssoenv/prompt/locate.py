"""Find the nearest `.ssoenv` and read it safely, exactly as the shell hook looks for it."""

import os
import stat

from ssoenv.base import paths
from ssoenv.base.errors import DotfileError

FILENAME = ".ssoenv"
MAX_SIZE = 64 * 1024


def logical_cwd(env=None) -> str:
    """The shell's idea of the current directory ($PWD, symlinks kept), as the hook's own
    search uses it. Raises DotfileError when the directory no longer exists."""
    env = os.environ if env is None else env
    pwd = env.get("PWD", "")
    if pwd.startswith("/"):
        try:
            here = os.stat(".")
            there = os.stat(pwd)
            if (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino):
                return pwd
        except OSError:
            pass
    try:
        return os.getcwd()
    except OSError:
        raise DotfileError(
            "the current directory %s no longer exists; cd to another directory"
            % (paths.display(pwd) if pwd else "")
        ) from None


def _parent(directory: str) -> str:
    # The shell strips the last component with ${d%/*}; "/a" becomes "" which means "/".
    head = directory.rsplit("/", 1)[0]
    return head


def nearest(directory: str):
    """The nearest `.ssoenv` at or above `directory`, or None. Anything by that name counts
    (a directory or FIFO too), so that the error about it is shown rather than skipped."""
    d = directory.rstrip("/")
    while True:
        candidate = d + "/" + FILENAME
        if os.path.lexists(candidate):
            return candidate
        if not d:
            return None
        d = _parent(d)


def nearest_from_path(path: str) -> str:
    """A `.ssoenv` named by the user: the file itself, or a directory that holds one."""
    path = os.path.abspath(os.path.expanduser(path))
    if os.path.isdir(path) and os.path.basename(path) != FILENAME:
        path = os.path.join(path, FILENAME)
    if not os.path.lexists(path):
        raise DotfileError("%s does not exist" % paths.display(path))
    return path


class Found:
    """A `.ssoenv` as read: `path` as found, `where` (its directory resolved, its own name
    kept), `real` (every link resolved: the file that was read), its bytes, and the user
    who owns the file read and its mode (None when not known)."""

    __slots__ = ("path", "where", "real", "data", "owner", "mode")

    def __init__(self, path: str, where: str, real: str, data: bytes, owner=None, mode=None):
        self.path, self.where, self.real, self.data = path, where, real, data
        self.owner, self.mode = owner, mode


def where(path: str) -> str:
    """The place a `.ssoenv` was found: its directory with links resolved, its name kept.
    A link named `.ssoenv` is a different place from the file it points to."""
    path = os.path.abspath(path)
    return os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))


def _open_resolved(real: str) -> int:
    """Open the file at the resolved path `real` without following any link on the way: a
    link swapped in after resolving fails (ELOOP or ENOTDIR) instead of being followed."""
    parts = [p for p in real.split("/") if p]
    if not parts:
        raise IsADirectoryError(21, "Is a directory")
    fd = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts[:-1]:
            step = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = step
        return os.open(parts[-1], os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW, dir_fd=fd)
    finally:
        os.close(fd)


def read(path: str) -> Found:
    """Resolve `path` once and read exactly the file resolved: what the trust check tests
    (its resolved path) is what was read, whatever links change meanwhile. Never blocks on
    a FIFO, never reads more than MAX_SIZE."""
    import errno

    shown = paths.display(path)
    real = os.path.realpath(path)
    try:
        # Before opening: opening a device or FIFO can have effects of its own.
        st = os.stat(real)
    except FileNotFoundError:
        raise DotfileError("%s: file does not exist (a broken link?)" % shown) from None
    except OSError as e:
        raise DotfileError("%s: cannot read: %s" % (shown, e.strerror)) from None
    if not stat.S_ISREG(st.st_mode):
        what = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise DotfileError("%s is %s; remove or rename it" % (shown, what))
    if st.st_size > MAX_SIZE:
        raise DotfileError(
            "%s is too large (%d bytes, the limit is %d)" % (shown, st.st_size, MAX_SIZE)
        )
    try:
        fd = _open_resolved(real)
    except OSError as e:
        if e.errno in (errno.ELOOP, errno.ENOTDIR, errno.ENOENT):
            raise DotfileError(
                "%s changed while it was read (a link was replaced); not applied" % shown
            ) from None
        raise DotfileError("%s: cannot read: %s" % (shown, e.strerror)) from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):  # swapped after the check above
            raise DotfileError("%s is not a regular file; remove or rename it" % shown)
        chunks = []
        size = 0
        while size <= MAX_SIZE:
            chunk = os.read(fd, MAX_SIZE + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as e:
        raise DotfileError("%s: cannot read: %s" % (shown, e.strerror)) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > MAX_SIZE:
        raise DotfileError("%s is too large (the limit is %d bytes)" % (shown, MAX_SIZE))
    return Found(path, where(path), real, data, opened.st_uid, opened.st_mode)


def read_bytes(path: str) -> bytes:
    """The file's content (see `read`)."""
    return read(path).data


def digest(found: Found) -> str:
    """What an allow record is keyed on: sha256 of where the file was found, the file it
    resolves to and its content. A file found where it is keeps the key of its path and
    content alone, as before links were told apart."""
    try:
        from _sha256 import sha256
    except ImportError:  # pragma: no cover
        from hashlib import sha256
    names = [found.real] if found.where == found.real else [found.where, found.real]
    key = b"\0".join(n.encode("utf-8", "surrogateescape") for n in names)
    return sha256(key + b"\0" + found.data).hexdigest()


def content_hash(path: str, data: bytes) -> str:
    """The allow key of the `.ssoenv` at `path` with content `data` (see `digest`)."""
    return digest(Found(path, where(path), os.path.realpath(path), data))
