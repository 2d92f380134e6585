"""Results of parsing files, cached on disk and keyed on the files' identity (inode, size,
mtime), so the hook's export path re-reads nothing that did not change."""

import os
import time

from ssoenv.base import fastjson, paths

# Each edit of a watched file makes a stamp (they are named by mtime): the directory keeps the
# STAMPS_KEPT used last and drops any unused for a day. A shell whose stamp went away runs
# its export once more at the next prompt, which makes the stamp again.
STAMPS_KEPT = 64
STAMP_UNUSED_NS = 86400 * 10**9


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

    Named by the mtime, so one stamp serves every file with that mtime and a stamp's mtime
    never changes once made; its atime says when it was last handed out. Returns None when
    `path` does not exist or no stamp can be made."""
    try:
        mtime_ns = os.stat(path).st_mtime_ns
    except OSError:
        return None
    directory = os.path.join(paths.cache_dir(), "stamps")
    stamp = os.path.join(directory, str(mtime_ns))
    now = time.time_ns()
    try:
        if os.stat(stamp).st_mtime_ns == mtime_ns:
            os.utime(stamp, ns=(now, mtime_ns))  # in use: kept by the sweep
            return stamp
    except OSError:
        pass
    try:
        paths.ensure_private_dir(directory)
        fd = os.open(stamp, os.O_WRONLY | os.O_CREAT, 0o600)
        os.close(fd)
        os.utime(stamp, ns=(now, mtime_ns))
    except OSError:
        return None
    _sweep_stamps(directory, now)
    return stamp


def _sweep_stamps(directory: str, now: int) -> None:
    """Past STAMPS_KEPT stamps: remove those unused for a day, then the least recently
    used down to half of STAMPS_KEPT. Another shell's sweep may remove the same ones."""
    try:
        names = os.listdir(directory)
    except OSError:
        return
    if len(names) <= STAMPS_KEPT:
        return
    used = []
    for name in names:
        try:
            used.append((os.stat(os.path.join(directory, name)).st_atime_ns, name))
        except OSError:
            continue
    used.sort(reverse=True)
    keep = STAMPS_KEPT // 2
    for i, (atime_ns, name) in enumerate(used):
        if i >= keep or now - atime_ns > STAMP_UNUSED_NS:
            try:
                os.unlink(os.path.join(directory, name))
            except OSError:
                pass
