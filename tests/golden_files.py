"""Golden files: expected outputs kept in tests/golden; SSOENV_UPDATE_GOLDEN=1 rewrites them."""

import os

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")


def golden(name):
    with open(os.path.join(GOLDEN, name), encoding="utf-8", newline="") as f:
        return f.read()


def check_golden(name, actual):
    path = os.path.join(GOLDEN, name)
    if os.environ.get("SSOENV_UPDATE_GOLDEN"):
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(actual)
    assert actual == golden(name)
