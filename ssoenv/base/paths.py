"""Where ssoenv and the AWS tools keep their files, and how ssoenv writes them safely."""

import errno
import os

from ssoenv.base.errors import SsoenvError

# Kept free of heavy imports: the hook's export path uses this module.


def home() -> str:
    return os.path.expanduser("~")


def display(path: str) -> str:
    """`path` with the home directory shown as `~`, for messages."""
    h = home().rstrip("/")
    if h and (path == h or path.startswith(h + "/")):
        return "~" + path[len(h) :]
    return path


def _xdg(var: str, default: str) -> str:
    value = os.environ.get(var, "")
    # The XDG spec says relative values are invalid and must be ignored.
    if value and os.path.isabs(value):
        return value
    return os.path.join(home(), default)


def data_dir() -> str:
    return os.path.join(_xdg("XDG_DATA_HOME", ".local/share"), "ssoenv")


def cache_dir() -> str:
    return os.path.join(_xdg("XDG_CACHE_HOME", ".cache"), "ssoenv")


def user_config_file() -> str:
    return os.path.join(_xdg("XDG_CONFIG_HOME", ".config"), "ssoenv", "config.yaml")


def aws_config_file() -> str:
    return os.path.expanduser(os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config")


def aws_credentials_file() -> str:
    return os.path.expanduser(os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials")


def sso_cache_dir() -> str:
    return os.path.join(home(), ".aws", "sso", "cache")


def cli_cache_dir() -> str:
    return os.path.join(home(), ".aws", "cli", "cache")


# Missing parents are created no looser than this, whatever the umask (at umask 000,
# os.makedirs would make them 0777 and let any local user swap what is below them).
PARENT_MODE = 0o755


class UnsafeStoreError(SsoenvError):
    """A directory ssoenv keeps trust records, caches or tokens in can be changed by
    someone other than the user; like ssh, ssoenv refuses to use it."""


_checked = {}


def check_store(directory: str) -> None:
    """Refuse (UnsafeStoreError) a store directory that the user does not own or that group
    or others can write; one stat per directory and process. A missing one is fine: ssoenv
    creates it private."""
    if directory in _checked:
        if _checked[directory]:
            raise UnsafeStoreError(_checked[directory])
        return
    problem = ""
    try:
        st = os.stat(directory)
    except OSError:
        st = None
    if st is not None:
        problem = unsafe(directory, st)
    # Only a missing directory is checked again: this process may create it.
    if st is not None:
        _checked[directory] = problem
    if problem:
        raise UnsafeStoreError(problem)


def unsafe(path: str, st: os.stat_result, mode_fix: str = "700") -> str:
    """Why ssoenv will not use `path` (its `st`): another user owns it, or group or others
    can write it; "" when neither. Names the command that fixes it, as ssh does."""
    if st.st_uid == os.geteuid() and not st.st_mode & 0o022:
        return ""  # the common case, with no quoting (shlex imports re) for a message
    shown = display(path)
    fix = _quoted(shown)
    if st.st_uid != os.geteuid():
        return (
            "%s belongs to uid %d, not to you; ssoenv will not use it: remove it, or run: "
            "chown %d %s && chmod %s %s" % (shown, st.st_uid, os.geteuid(), fix, mode_fix, fix)
        )
    if st.st_mode & 0o022:
        return (
            "%s can be written by other users (mode %03o); ssoenv will not use it until "
            "you run: chmod %s %s" % (shown, st.st_mode & 0o7777, mode_fix, fix)
        )
    return ""


def check_settings(path: str) -> None:
    """Refuse (UnsafeStoreError) the settings file at `path` when someone else can have
    written it: it must be the user's and not writable by group or others, and so must
    every directory above it up to HOME (the top first). A missing file is fine."""
    try:
        own = os.stat(path)
    except OSError:
        return
    chain = []
    top = home().rstrip("/")
    directory = os.path.dirname(path)
    while True:
        chain.append(directory)
        parent = os.path.dirname(directory)
        if directory == top or not directory.startswith(top + "/") or parent == directory:
            break
        directory = parent
    for directory in reversed(chain):
        try:
            problem = unsafe(directory, os.stat(directory), "go-w")
        except OSError:
            continue
        if problem:
            break
    else:
        problem = unsafe(path, own, "go-w")
    if problem:
        raise UnsafeStoreError("%s is not used: %s" % (display(path), problem))


def is_own(st: os.stat_result) -> bool:
    """Whether a file's stat says only the user can have written it (as ssh asks of keys):
    a record or cache entry that another user planted counts as missing."""
    return st.st_uid == os.geteuid() and not st.st_mode & 0o022


def own_file_exists(path: str) -> bool:
    try:
        return is_own(os.stat(path))
    except OSError:
        return False


def _quoted(shown: str) -> str:
    """`shown` (a path as `display` gives it) quoted for a POSIX shell, `~/` kept."""
    import shlex

    if shown == "~":
        return shown
    if shown.startswith("~/"):
        return "~/" + shlex.quote(shown[2:])
    return shlex.quote(shown)


def stores() -> list:
    """Every directory whose content ssoenv trusts: trust records, its cache (parsed files,
    stamps, refresh stamps) and the AWS tools' token and role-credential caches."""
    return [data_dir(), cache_dir(), sso_cache_dir(), cli_cache_dir()]


def check_stores() -> None:
    for directory in stores():
        check_store(directory)


def make_dirs(path: str, mode: int = 0o700) -> str:
    """Create `path` with `mode` and every missing parent no looser than 0755 (whatever the
    umask). `~/.aws/sso` and `~/.aws/cli`, which hold only caches of secrets, are made 0700."""
    path = os.path.abspath(path)
    missing = []
    head = path
    while head and not os.path.isdir(head):
        missing.append(head)
        parent = os.path.dirname(head)
        if parent == head:
            break
        head = parent
    private = stores() + [os.path.dirname(sso_cache_dir()), os.path.dirname(cli_cache_dir())]
    for directory in reversed(missing):
        own = any(directory == p or directory.startswith(p + "/") for p in private)
        want = mode if directory == path or own else PARENT_MODE
        try:
            # The umask can only take bits away from `want`, never add any.
            os.mkdir(directory, want)
        except FileExistsError:
            if not os.path.isdir(directory):
                # A file (or a dangling symlink) where the directory belongs.
                raise NotADirectoryError(
                    errno.ENOTDIR, os.strerror(errno.ENOTDIR), directory
                ) from None
            continue
        if want != PARENT_MODE:
            os.chmod(directory, want)  # exactly: even a umask like 0277 leaves it usable
    return path


def os_filename(err: OSError, default: str) -> str:
    return os.fsdecode(err.filename) if err.filename is not None else default


def ensure_private_dir(path: str) -> str:
    """Create `path` (0700, parents no looser than 0755); refuse it when it exists and
    someone other than the user can change it."""
    if not os.path.isdir(path):
        try:
            make_dirs(path, 0o700)
        except OSError as e:
            raise WriteError(
                e, "cannot create %s: %s" % (display(os_filename(e, path)), e.strerror or e)
            ) from None
    for root in stores():
        if path.startswith(root + "/"):
            check_store(root)
    check_store(path)
    return path


def write_private(path: str, data, mode: int = 0o600) -> None:
    """Atomically replace `path` with `data`, in a directory made private (0700)."""
    ensure_private_dir(os.path.dirname(path) or ".")
    write_atomic(path, data, mode)


class WriteError(OSError, SsoenvError):
    """Writing a file or making a directory failed (a full disk, a symlink where none may
    be, no permission...): an OSError still, whose text is the one line for the user."""

    def __init__(self, err: OSError, message: str):
        super().__init__(err.errno, err.strerror)
        self.filename = err.filename
        self.message = message

    def __str__(self) -> str:
        return self.message


def os_error_line(err: OSError, doing: str = "") -> str:
    """One line for `err`: what was being done (e.g. "cannot write"), the path, the error."""
    if isinstance(err, WriteError):
        return err.message
    what = err.strerror or str(err) or type(err).__name__
    if err.filename is not None:
        where = display(os.fsdecode(err.filename))
        return "%s%s: %s" % (doing + " " if doing else "", where, what)
    return (doing + ": " if doing else "") + what


def write_atomic(path: str, data, mode: int, before_replace=None) -> None:
    """Atomically replace `path` with `data` (str or bytes): temp file in the same
    directory, fsync, rename. Readers see the old file or the new one, never half of one.
    The directory is left as it is: it may be the user's own (a project).
    `before_replace()` runs last before the rename; what it raises leaves `path` alone.
    An OSError (a full disk...) is raised as WriteError naming `path`."""
    try:
        _write_atomic(path, data, mode, before_replace)
    except WriteError:
        raise
    except OSError as e:
        raise WriteError(e, "cannot write %s: %s" % (display(path), e.strerror or e)) from None


def _write_atomic(path: str, data, mode: int, before_replace) -> None:
    directory = os.path.dirname(path) or "."
    if isinstance(data, str):
        data = data.encode("utf-8")
    tmp = os.path.join(directory, ".%s.%s.tmp" % (os.path.basename(path), os.urandom(6).hex()))
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    try:
        try:
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
