"""The terminal menu: keys, filtering, the window around the cursor, and a real terminal."""

import os
import sys
import textwrap

import pexpect
import pytest

from ssoenv.commands import menu

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ITEMS = [f"account-{i:03d}" for i in range(300)]


def keys(state, *pressed):
    chosen = None
    for key in pressed:
        chosen = state.handle(key)
    return chosen


def test_arrows_move_and_enter_chooses():
    state = menu.MenuState(ITEMS, height=5)
    assert keys(state, menu.DOWN, menu.DOWN, menu.UP, menu.ENTER) == 1


def test_cursor_stops_at_both_ends():
    state = menu.MenuState(["a", "b"], height=5)
    assert keys(state, menu.UP, menu.ENTER) == 0
    assert keys(state, menu.DOWN, menu.DOWN, menu.DOWN, menu.ENTER) == 1


def test_typing_filters_case_insensitively_and_backspace_widens():
    state = menu.MenuState(ITEMS + ["Prod-Account"], height=5)
    keys(state, *"PROD")
    assert [state.items[i] for i in state.matches] == ["Prod-Account"]
    keys(state, menu.BACKSPACE, menu.BACKSPACE, menu.BACKSPACE, menu.BACKSPACE)
    assert len(state.matches) == 301
    keys(state, *"account-29")
    assert keys(state, menu.DOWN, menu.ENTER) == 291


def test_enter_with_nothing_matching_chooses_nothing():
    state = menu.MenuState(ITEMS, height=5)
    assert keys(state, *"zzz", menu.ENTER) is None
    assert "nothing matches" in "\n".join(state.lines("Account"))


def test_window_follows_the_cursor_and_stays_small():
    state = menu.MenuState(ITEMS, height=10)
    keys(state, *[menu.DOWN] * 25)
    lines = state.lines("Account")
    shown = [line for line in lines if "account-" in line]
    assert len(shown) == 10
    assert "> account-025" in lines
    assert shown[-1].endswith("account-025")
    keys(state, menu.PAGE_DOWN, menu.END)
    assert "> account-299" in state.lines("Account")
    keys(state, menu.HOME)
    assert "> account-000" in state.lines("Account")
    assert state.lines("Account")[-1] == "  300 of 300"


def test_ctrl_n_ctrl_p_and_ctrl_u():
    state = menu.MenuState(ITEMS, height=5)
    for ch in "\x0e\x0e\x10":
        state.handle(menu.decode(lambda n, ch=ch: ch))
    assert keys(state, menu.ENTER) == 1
    keys(state, *"9", menu.CLEAR)
    assert state.filter == "" and len(state.matches) == 300


@pytest.mark.parametrize("key", ["\x03", "\x04", "\x1b"])
def test_ctrl_c_ctrl_d_and_esc_abort(key):
    state = menu.MenuState(ITEMS)
    pending = [key]

    def read(n):
        return pending.pop(0) if pending else ""

    with pytest.raises(KeyboardInterrupt):
        state.handle(menu.decode(read))


@pytest.mark.parametrize(
    "sequence, key",
    [("\x1b[A", menu.UP), ("\x1b[B", menu.DOWN), ("\x1bOA", menu.UP), ("\x1b[6~", menu.PAGE_DOWN)],
)
def test_escape_sequences_decode(sequence, key):
    pending = list(sequence)
    assert menu.decode(lambda n: pending.pop(0) if pending else "") == key


def test_unknown_escape_sequences_are_ignored():
    pending = list("\x1b[C")  # right arrow
    assert menu.decode(lambda n: pending.pop(0) if pending else "") == "ignored"


SCRIPT = textwrap.dedent(
    """
    import sys
    from ssoenv.commands import menu
    items = [f"account-{i:03d}" for i in range(300)]
    try:
        print("CHOSE", items[menu.choose(items, "Account")])
    except KeyboardInterrupt:
        print("ABORTED")
        sys.exit(130)
    """
)


def spawn():
    env = dict(os.environ, PYTHONPATH=ROOT, TERM="xterm")
    return pexpect.spawn(
        sys.executable,
        ["-c", SCRIPT],
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(24, 80),
    )


def test_real_terminal_filter_arrows_enter():
    child = spawn()
    child.expect("300 of 300")
    child.send("acc")
    child.send("ount-1")
    child.expect(" 100 of 300")
    child.send("\x1b[B\x1b[B\x1b[A")
    child.send("\r")
    child.expect("CHOSE account-101")
    child.expect(pexpect.EOF)


def test_real_terminal_ctrl_c_aborts_and_restores_the_terminal():
    child = spawn()
    child.expect("300 of 300")
    child.sendcontrol("c")
    child.expect("ABORTED")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130


def test_real_terminal_esc_aborts():
    child = spawn()
    child.expect("300 of 300")
    child.send("\x1b")
    child.expect("ABORTED")
    child.expect(pexpect.EOF)


def test_ctrl_r_asks_for_a_new_listing_only_where_the_menu_offers_it():
    ctrl_r = menu.decode(lambda n: "\x12")
    assert ctrl_r == menu.REFRESH
    plain = menu.MenuState(["a", "b"])
    assert keys(plain, ctrl_r, menu.DOWN, menu.ENTER) == 1
    refreshable = menu.MenuState(["a", "b"], refreshable=True)
    with pytest.raises(menu.Refresh):
        refreshable.handle(ctrl_r)
