"""A private local page that sends the browser on to a URL, so that the URL itself (a
console sign-in token, a login's `state`) is never on a command line: every local user can
read every process's arguments in /proc, but not a 0600 file in a 0700 directory."""

import html
import json
import os
import shutil
import stat
import tempfile
import urllib.parse

from ssoenv.base import paths

# How long a page outlives the command that wrote it when nothing waits for the browser
# (`ssoenv console`): time enough for a browser to start cold and read it.
LIFETIME_SECONDS = 60.0
PREFIX = "ssoenv-page-"
# A page older than this is left over from a command that was killed (a login waits ten
# minutes at most): the next page removes it.
STALE_SECONDS = 20 * 60

_TEMPLATE = """<!doctype html>
<html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0;url={attr}">
<title>ssoenv</title>
<script>window.location.replace({js});</script>
</head><body><p>ssoenv: opening <a href="{attr}" rel="noreferrer">the page</a>…</p></body></html>
"""


class Page:
    """The page for `url`: `.url` is what to give the browser (a file:// URL). Removed by
    `remove()` (or at the end of a `with` block), or by `remove_later()`."""

    def __init__(self, url: str):
        _remove_stale()
        try:
            self.directory = tempfile.mkdtemp(prefix=PREFIX)  # 0700, made afresh
        except OSError as e:
            where = paths.display(paths.os_filename(e, tempfile.gettempdir()))
            raise paths.WriteError(
                e, "cannot make a page for the browser in %s: %s" % (where, e.strerror or e)
            ) from None
        self.path = os.path.join(self.directory, "open.html")
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
            with os.fdopen(os.open(self.path, flags, 0o600), "w", encoding="utf-8") as f:
                f.write(page_text(url))
        except OSError as e:
            self.remove()
            raise paths.WriteError(
                e, "cannot write %s: %s" % (paths.display(self.path), e.strerror or e)
            ) from None
        self.url = "file://" + urllib.parse.quote(self.path)

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def remove_later(self, seconds: float = LIFETIME_SECONDS) -> None:
        """Leave the page for `seconds` more, then remove it, from a detached process
        that holds none of this one's files (the caller need not wait)."""
        if not hasattr(os, "fork"):
            return  # left for the system's cleaning of temporary files
        try:
            pid = os.fork()
        except OSError:
            return
        if pid:
            try:
                os.waitpid(pid, 0)  # the first child exits at once
            except ChildProcessError:
                pass
            return
        try:
            os.setsid()
            if os.fork():
                os._exit(0)
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            os.closerange(3, _max_fd())
            import time

            time.sleep(seconds)
            self.remove()
        finally:
            os._exit(0)

    def __enter__(self) -> "Page":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def _remove_stale() -> None:
    """Remove the user's own pages that a killed command left behind."""
    import time

    base = tempfile.gettempdir()
    try:
        names = [n for n in os.listdir(base) if n.startswith(PREFIX)]
    except OSError:
        return
    too_old = time.time() - STALE_SECONDS
    for name in names:
        path = os.path.join(base, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if st.st_uid == os.geteuid() and stat.S_ISDIR(st.st_mode) and st.st_mtime < too_old:
            shutil.rmtree(path, ignore_errors=True)


def page_text(url: str) -> str:
    # `</` would end the script early; json.dumps leaves it, so escape the slash.
    js = json.dumps(url).replace("</", "<\\/")
    return _TEMPLATE.format(attr=html.escape(url, quote=True), js=js)


def _max_fd() -> int:
    try:
        return os.sysconf("SC_OPEN_MAX")
    except (ValueError, OSError):
        return 1024
