"""A test's project allowed in the test's own process: the records `ssoenv allow` writes,
by the functions it calls, under the test's HOME. The command itself is tested in
test_trust.py and test_cli.py; a process per project would cost the suite a minute of CPU."""

import contextlib
import os

from ssoenv.prompt import export, locate, trust


@contextlib.contextmanager
def environment(env: dict):
    """os.environ is `env` inside (ssoenv reads its paths from it at each call)."""
    saved = os.environ.copy()
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def allow(env: dict, path: str) -> None:
    """What `ssoenv allow PATH` records, for the user whose environment is `env`."""
    with environment(env):
        target = locate.nearest_from_path(path)
        digest, _ = export.dotfile_data(target)
        trust.allow(target, digest)
