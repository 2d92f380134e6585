"""Attacks on ssoenv's engine, each as a test: code planted in a project directory or a
PYTHON* variable, half-written JSON, planted stores, a local process talking to the login
listener, a full disk, and a text browser taking over the terminal.

Real shells where the attack goes through a shell, the emulator for the token and the
listener."""
# ruff: noqa: F405, F811

import os
import time

import pytest
from live_shell import SHELLS
from sso_cli_world import *  # noqa: F403
from sso_fixtures import *  # noqa: F403
from test_hook_login import clean, open_shell, token_refreshed, wait_until  # noqa: F401

from ssoenv import launch

# -- 1. no process ssoenv starts imports from the working directory or PYTHON* -----------

# Modules a Python process may import after start-up; shadowing any of them runs our code.
SHADOWED = (
    "dataclasses",
    "json",
    "argparse",
    "warnings",
    "importlib",
    "typing",
    "hashlib",
    "fcntl",
    "subprocess",
    "shlex",
    "contextlib",
    "datetime",
    "uuid",
    "base64",
    "random",
    "tempfile",
    "urllib",
    "http",
    "email",
    "logging",
    "enum",
    "re",
)


def plant(directory: str, marker: str) -> None:
    """Code that records where it ran in `marker`, under every name ssoenv might import:
    the standard library's modules and an `ssoenv` package of its own."""
    os.makedirs(os.path.join(directory, "ssoenv", "sso"), exist_ok=True)
    payload = (
        "import os as _o\n"
        "with open(%r, 'a') as _f:\n"
        "    _f.write(__name__ + ' ' + str(_o.getpid()) + '\\n')\n" % marker
    )
    for name in SHADOWED:
        with open(os.path.join(directory, name + ".py"), "w") as f:
            f.write(payload)
    for rel in ("ssoenv/__init__.py", "ssoenv/__main__.py", "ssoenv/sso/__init__.py"):
        with open(os.path.join(directory, rel), "w") as f:
            f.write(payload)
    with open(os.path.join(directory, "ssoenv", "sso", "refresh.py"), "w") as f:
        f.write(payload + "raise SystemExit(0)\n")


def _export_var(shell: str, name: str, value: str) -> str:
    if shell == "fish":
        return "set -gx %s %s" % (name, value)
    return "export %s=%s" % (name, value)


@pytest.mark.parametrize("shell", SHELLS)
def test_background_refresh_runs_nothing_from_the_project_or_pythonpath(
    world, browser, open_shell, shell, tmp_path
):
    world.emulator.configure(access_token_ttl=300)
    world.login("--profile", PROFILE)
    old = read_json(token_path())
    project = world.project("proj", f"profile: {PROFILE}\n")
    inside = os.path.join(project, "src", "app")
    marker = str(tmp_path / "planted-code-ran")
    plant(inside, marker)
    # A variable a project (or anything else) left behind: PYTHONPATH naming a planted tree.
    elsewhere = str(tmp_path / "elsewhere")
    plant(elsewhere, marker)
    world.emulator.configure(access_token_ttl=8 * 3600)
    world.emulator.reset_counters()
    sh = open_shell(shell)
    sh.run(_export_var(shell, "PYTHONPATH", elsewhere + ":" + ROOT))
    sh.run(_export_var(shell, "PYTHONWARNINGS", "ignore::warnings.Warning"))
    out = clean(sh.run("cd %s" % inside))
    assert out == ["ssoenv: loaded ~/proj/.ssoenv (profile dev)"]
    wait_until(token_refreshed(old), what="the background refresh")
    assert world.emulator.refresh_calls == 1
    time.sleep(0.5)  # let the refresh process end
    assert not os.path.exists(marker), open(marker).read()


def test_modules_ssoenv_starts_import_nothing_from_their_directory_or_pythonpath(tmp_path):
    import subprocess

    planted = str(tmp_path / "planted")
    marker = str(tmp_path / "ran")
    plant(planted, marker)
    env = dict(os.environ, PYTHONPATH=planted, PYTHONSTARTUP=os.path.join(planted, "json.py"))
    # `python -m json.tool` imports json: from the planted directory, if it were on the path.
    done = subprocess.run(
        launch.command("json.tool"),
        cwd=planted,
        env=env,
        input='{"a": 1}',
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["{", '"a":', "1", "}"]
    assert not os.path.exists(marker)
    for entry in launch.search_path().split(os.pathsep):
        assert os.path.isabs(entry) and not entry.startswith(str(tmp_path))
