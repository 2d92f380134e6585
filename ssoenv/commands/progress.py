"""How far a long listing has got, on stderr: one live line at a terminal, else a line
every few seconds. Nothing goes to stdout (it may be piped into a file)."""

import sys
import threading
import time
from typing import Optional

# Without a terminal: the first line after this long, then one this often.
LOG_EVERY_SECONDS = 3.0
# At a terminal: redraws at most this often.
REDRAW_SECONDS = 0.1


class RoleProgress:
    """A callback for `portal.list_roles_of`: (accounts done, accounts in all, roles found)."""

    def __init__(self, label: str, stream=None, interactive: Optional[bool] = None):
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        if interactive is None:
            isatty = getattr(self.stream, "isatty", None)
            interactive = bool(isatty and isatty())
        self.interactive = interactive
        self.started = time.monotonic()
        self._last = 0.0 if interactive else self.started
        self._drawn = False
        self._state = (0, 0, 0)
        self._lock = threading.Lock()

    def text(self) -> str:
        done, total, roles = self._state
        return "ssoenv: %s: %d/%d accounts, %d role%s found" % (
            self.label,
            done,
            total,
            roles,
            "" if roles == 1 else "s",
        )

    def __call__(self, done: int, total: int, roles: int) -> None:
        with self._lock:
            self._state = (done, total, roles)
            now = time.monotonic()
            every = REDRAW_SECONDS if self.interactive else LOG_EVERY_SECONDS
            if now - self._last < every and done < total:
                return
            if not self.interactive and done >= total:
                return  # the summary says the rest
            self._last = now
            if self.interactive:
                self.stream.write("\r\033[K" + self.text())
                self._drawn = True
            else:
                self.stream.write(self.text() + "\n")
            self.stream.flush()

    def close(self) -> None:
        """Take the live line away (the caller's summary replaces it)."""
        with self._lock:
            if self._drawn:
                self.stream.write("\r\033[K")
                self.stream.flush()
                self._drawn = False
