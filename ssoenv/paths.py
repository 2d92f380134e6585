"""Where ssoenv and the AWS tools keep their files, and how ssoenv writes them safely."""

import os

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


def ensure_private_dir(path: str) -> str:
    """Create `path` (and parents) as 0700; tighten it if it already exists and is ours."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    try:
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, 0o700)
    except PermissionError:
        pass
    return path


def write_private(path: str, data, mode: int = 0o600) -> None:
    """Atomically replace `path` with `data`, in a directory made private (0700)."""
    ensure_private_dir(os.path.dirname(path) or ".")
    write_atomic(path, data, mode)


def write_atomic(path: str, data, mode: int, before_replace=None) -> None:
    """Atomically replace `path` with `data` (str or bytes): temp file in the same
    directory, fsync, rename. Readers see the old file or the new one, never half of one.
    The directory is left as it is: it may be the user's own (a project).
    `before_replace()` runs last before the rename; what it raises leaves `path` alone."""
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
