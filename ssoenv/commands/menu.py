"""A small terminal menu: arrow keys, type to filter, Enter chooses, Ctrl-C or Esc aborts."""

import os
import select
import sys
from typing import List, Optional, Sequence

# Keys as the menu understands them, after escape sequences are decoded.
UP, DOWN, PAGE_UP, PAGE_DOWN, HOME, END = "up", "down", "page-up", "page-down", "home", "end"
ENTER, BACKSPACE, CLEAR, ABORT = "enter", "backspace", "clear", "abort"
REFRESH = "refresh"


class Refresh(Exception):
    """The user asked for the items to be listed again (Ctrl-R, where the menu offers it)."""


_CONTROL = {
    "\r": ENTER,
    "\n": ENTER,
    "\x7f": BACKSPACE,
    "\x08": BACKSPACE,
    "\x0e": DOWN,  # Ctrl-N
    "\x10": UP,  # Ctrl-P
    "\x15": CLEAR,  # Ctrl-U
    "\x12": REFRESH,  # Ctrl-R
    "\x03": ABORT,  # Ctrl-C (raw mode delivers it as a byte)
    "\x04": ABORT,  # Ctrl-D
    "\x1b": ABORT,  # Esc on its own
}
_SEQUENCES = {
    "[A": UP,
    "[B": DOWN,
    "OA": UP,
    "OB": DOWN,
    "[5~": PAGE_UP,
    "[6~": PAGE_DOWN,
    "[H": HOME,
    "[F": END,
    "OH": HOME,
    "OF": END,
    "[1~": HOME,
    "[4~": END,
}


class MenuState:
    """What the menu shows: the filter, the matching items and the cursor among them."""

    def __init__(self, items: Sequence[str], height: int = 10, refreshable: bool = False):
        self.items = list(items)
        self.refreshable = refreshable
        self.height = max(1, height)
        self.filter = ""
        self.matches: List[int] = list(range(len(self.items)))
        self.cursor = 0  # index into matches
        self.top = 0  # first match shown

    def _refilter(self) -> None:
        needle = self.filter.lower()
        self.matches = [i for i, text in enumerate(self.items) if needle in text.lower()]
        self.cursor = 0
        self.top = 0

    def _move(self, delta: int) -> None:
        if not self.matches:
            return
        self.cursor = max(0, min(len(self.matches) - 1, self.cursor + delta))
        if self.cursor < self.top:
            self.top = self.cursor
        elif self.cursor >= self.top + self.height:
            self.top = self.cursor - self.height + 1

    def handle(self, key: str) -> Optional[int]:
        """Apply one key; returns the chosen item's index on Enter, else None.

        Raises KeyboardInterrupt on Ctrl-C, Ctrl-D or Esc, and Refresh on Ctrl-R in a menu
        that offers it (elsewhere Ctrl-R does nothing)."""
        if key == ABORT:
            raise KeyboardInterrupt
        if key == REFRESH:
            if self.refreshable:
                raise Refresh
            return None
        if key == ENTER:
            return self.matches[self.cursor] if self.matches else None
        if key == UP:
            self._move(-1)
        elif key == DOWN:
            self._move(1)
        elif key == PAGE_UP:
            self._move(-self.height)
        elif key == PAGE_DOWN:
            self._move(self.height)
        elif key == HOME:
            self._move(-len(self.items))
        elif key == END:
            self._move(len(self.items))
        elif key == BACKSPACE:
            if self.filter:
                self.filter = self.filter[:-1]
                self._refilter()
        elif key == CLEAR:
            if self.filter:
                self.filter = ""
                self._refilter()
        elif len(key) == 1 and key.isprintable():
            self.filter += key
            self._refilter()
        return None

    def lines(self, title: str, width: int = 80) -> List[str]:
        """The screen: title and filter, a window of matches around the cursor, a count."""
        out = [_fit(f"{title} (type to filter, ↑/↓ to move, Enter to choose)", width)]
        out.append(_fit(f"filter: {self.filter}", width))
        shown = self.matches[self.top : self.top + self.height]
        for offset, i in enumerate(shown):
            mark = "> " if self.top + offset == self.cursor else "  "
            out.append(_fit(mark + self.items[i], width))
        if not self.matches:
            out.append("  (nothing matches; Backspace to widen)")
        out.append(f"  {len(self.matches)} of {len(self.items)}")
        return out


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def decode(read) -> str:
    """One key from `read(n) -> str`; `read` returns '' when nothing more is waiting."""
    ch = read(1)
    if ch != "\x1b":
        return _CONTROL.get(ch, ch)
    seq = ""
    while len(seq) < 4:
        more = read(1)
        if not more:
            break
        seq += more
        if seq in _SEQUENCES:
            return _SEQUENCES[seq]
        if len(seq) >= 2 and (seq[-1].isalpha() or seq[-1] == "~"):
            return "ignored"
    return ABORT if not seq else "ignored"


def choose(
    items: Sequence[str], title: str, *, height: Optional[int] = None, refreshable: bool = False
) -> int:
    """Let the user pick one of `items` on the terminal; returns its index.

    Draws on stderr and reads the keys from stdin in raw mode, restoring the terminal
    whatever happens. Raises KeyboardInterrupt when the user aborts, and Refresh on Ctrl-R
    when `refreshable`."""
    import shutil
    import termios
    import tty

    fd = sys.stdin.fileno()
    size = shutil.get_terminal_size((80, 24))
    if height is None:
        height = max(3, min(15, size.lines - 5))
    state = MenuState(items, height, refreshable)
    err = sys.stderr
    saved = termios.tcgetattr(fd)
    drawn = 0

    def read(n: int) -> str:
        if n and not select.select([fd], [], [], 0.05 if n == 1 else 0)[0]:
            return ""
        return os.read(fd, n).decode("utf-8", "replace")

    def draw(lines: List[str]) -> None:
        nonlocal drawn
        # Back to the first line drawn last time, clear to the end, draw again.
        up = f"\x1b[{drawn - 1}A" if drawn > 1 else ""
        err.write(up + "\r\x1b[J" + "\r\n".join(lines))
        err.flush()
        drawn = len(lines)

    def first_key() -> str:
        # Blocks for the first byte of a key; the rest of a sequence follows at once.
        raw = os.read(fd, 1)
        if raw and raw[0] >= 0xC0:  # the first byte of a multi-byte UTF-8 character
            raw += os.read(fd, 1 if raw[0] < 0xE0 else 2 if raw[0] < 0xF0 else 3)
        ch = raw.decode("utf-8", "replace")
        pending = [ch]

        def reader(n):
            if pending:
                return pending.pop()
            return read(n)

        return decode(reader)

    try:
        tty.setraw(fd)
        while True:
            draw(state.lines(title, size.columns - 1))
            chosen = state.handle(first_key())
            if chosen is not None:
                draw([_fit(f"{title}: {items[chosen]}", size.columns - 1)])
                return chosen
    except KeyboardInterrupt:
        draw([f"{title}: aborted"])
        raise
    except Refresh:
        draw([f"{title}: listing again"])
        raise
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        err.write("\r\n")
        err.flush()
