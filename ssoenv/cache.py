"""Results of parsing files, cached on disk and keyed on the files' identity (inode, size,
mtime), so the hook's export path re-reads nothing that did not change."""

import os

from ssoenv import fastjson, paths


def file_key(path: str):
    """What identifies a version of `path`: [inode, size, mtime_ns], or None when missing."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_ino, st.st_size, st.st_mtime_ns]


def sha1_hex(text: str) -> str:
    """The SHA-1 of `text` in hex, as the AWS CLI names its cache files."""
    try:
        from _sha1 import sha1  # the builtin module: importing hashlib costs ~4 ms
    except ImportError:  # pragma: no cover - interpreters without it
        from hashlib import sha1
    return sha1(text.encode("utf-8")).hexdigest()


def _entry_path(kind: str, name: str) -> str:
    return os.path.join(paths.cache_dir(), kind, sha1_hex(name) + ".json")


def get(kind: str, name: str, key):
    """The cached value for `name` if it was stored with this `key`, else None.
    Raises UnsafeStoreError when others could have planted what the cache holds."""
    paths.check_store(paths.cache_dir())
    try:
        with open(_entry_path(kind, name), "rb") as f:
            if not paths.is_own(os.fstat(f.fileno())):
                return None
            entry = fastjson.loads(f.read())
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    return entry.get("value")


def put(kind: str, name: str, key, value) -> None:
    """Store `value`; a cache that cannot be written only costs speed (one that others
    can write is refused: UnsafeStoreError)."""
    try:
        paths.write_private(_entry_path(kind, name), fastjson.dumps({"key": key, "value": value}))
    except OSError:
        pass


def stamp_for(path: str):
    """A file whose mtime equals `path`'s, for the shell hook's builtin `-nt`/`-ot` test.

    Named by the mtime, so one stamp serves every file with that mtime and a stamp never
    changes once made. Returns None when `path` does not exist or no stamp can be made."""
    try:
        mtime_ns = os.stat(path).st_mtime_ns
    except OSError:
        return None
    stamp = os.path.join(paths.cache_dir(), "stamps", str(mtime_ns))
    try:
        if os.stat(stamp).st_mtime_ns == mtime_ns:
            return stamp
    except OSError:
        pass
    try:
        paths.ensure_private_dir(os.path.dirname(stamp))
        fd = os.open(stamp, os.O_WRONLY | os.O_CREAT, 0o600)
        os.close(fd)
        os.utime(stamp, ns=(mtime_ns, mtime_ns))
    except OSError:
        return None
    return stamp
