"""Waiting for what a test needs (a file, a process's state, a socket) rather than
sleeping a fixed time."""

import time


def wait_until(condition, timeout=15.0, what="the condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "%s did not happen within %ss" % (what, timeout)
        time.sleep(0.1)
