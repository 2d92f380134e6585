"""Pressing Ctrl-C at a prompt only when the program is really waiting for the answer.

A program that has printed its prompt is not yet reading: between the last check Python
makes for signals and the `read` that then blocks lies a moment in which a SIGINT only
sets Python's flag, and `read` goes on to wait for a line that never comes (a person
presses Ctrl-C again; a test would time out). A test that presses Ctrl-C at a prompt
first waits here until the kernel shows the program blocked in `read` on its terminal.
"""

import platform

from waiting import wait_until

# The number of the `read` system call, as /proc/PID/syscall gives it.
READ = {"x86_64": 0, "aarch64": 63, "riscv64": 63, "ppc64le": 3, "s390x": 3}


def blocked_reading_stdin(pid: int) -> bool:
    number = READ.get(platform.machine())
    if number is None:  # a machine not listed here: press at once
        return True
    try:
        with open(f"/proc/{pid}/syscall") as f:
            fields = f.read().split()
    except OSError:
        return False
    # "running" while on a CPU; otherwise the call's number, then its arguments.
    return len(fields) > 1 and fields[0] == str(number) and int(fields[1], 16) == 0


def until_reading(child, timeout: float = 30.0) -> None:
    """Wait until pexpect's `child` is blocked reading its standard input."""
    wait_until(
        lambda: blocked_reading_stdin(child.pid) or not child.isalive(),
        timeout,
        what=f"process {child.pid} waiting for input",
    )
    assert child.isalive(), f"process {child.pid} ended instead of waiting for input"


def press_ctrl_c(child) -> None:
    until_reading(child)
    child.sendcontrol("c")
