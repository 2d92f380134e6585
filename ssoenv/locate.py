"""Find the nearest `.ssoenv` and read it safely, exactly as the shell hook looks for it."""

import os
import stat

from ssoenv import paths
from ssoenv.errors import DotfileError

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


def read_bytes(path: str) -> bytes:
    """The file's content; never blocks on a FIFO, never reads more than MAX_SIZE."""
    shown = paths.display(path)
    try:
        st = os.stat(path)
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
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        raise DotfileError("%s: cannot read: %s" % (shown, e.strerror)) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped after the check above
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
    return data


def content_hash(path: str, data: bytes) -> str:
    """sha256 of the file's real path and its content: what an allow record is keyed on."""
    try:
        from _sha256 import sha256
    except ImportError:  # pragma: no cover
        from hashlib import sha256
    real = os.path.realpath(path)
    return sha256(real.encode("utf-8", "surrogateescape") + b"\0" + data).hexdigest()
