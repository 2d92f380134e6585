"""direnv beside the hook, in real interactive shells: at every stop of a walk through
`.ssoenv` and `.envrc` files, the profile in effect is the one the README's rule names.

The rule, per variable: the nearest `.ssoenv` if it is allowed and sets it; else the
nearest `.envrc` if it sets it; else what the shell started with. A value set by hand
stays until a file that sets the variable is entered, left or changed (see `Model`)."""

import os
import shutil
import subprocess

import pytest
from live_shell import SHELLS, LiveShell, Sandbox, ssoenv_executable

DIRENV = shutil.which("direnv")
ORDERS = ("direnv first", "ssoenv first")
PROFILES = ("shop-dev", "shop-prod", "shop-stage")
WATCHED = ("AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_PROFILE")


def shop_profiles() -> str:
    return "".join(
        "\n[profile %s]\nsso_session = myorg\nsso_account_id = %012d\n"
        "sso_role_name = Developer\n" % (name, 100000000001 + i)
        for i, name in enumerate(PROFILES)
    )


class World:
    """A sandbox HOME with the shop-* profiles, direnv's and ssoenv's hooks written once to
    files that each shell sources, and helpers to lay out `.ssoenv` and `.envrc` files."""

    def __init__(self, root):
        assert DIRENV, "direnv is not installed; .ci/run installs it with apt-get"
        self.sandbox = Sandbox(root)
        with open(self.sandbox.path(".aws/config"), "a") as f:
            f.write(shop_profiles())
        self.hooks = {}
        # Edits get mtimes a second apart: direnv compares whole seconds.
        self.clock = int(os.path.getmtime(self.sandbox.home)) - 100000

    def path(self, rel: str) -> str:
        return self.sandbox.path(rel)

    def touch(self, path: str) -> None:
        self.clock += 1
        os.utime(path, (self.clock, self.clock))

    def ssoenv_file(self, rel: str, text: str, allow: bool) -> None:
        path = self.sandbox.write(os.path.join(rel, ".ssoenv"), text)
        self.touch(path)
        if allow:
            self.sandbox.ssoenv("allow", self.path(rel))

    def envrc(self, rel: str, text: str) -> None:
        path = self.sandbox.write(os.path.join(rel, ".envrc"), text)
        self.touch(path)
        subprocess.run(
            [DIRENV, "allow", self.path(rel)],
            env=self.sandbox.env(),
            check=True,
            capture_output=True,
        )

    def hook_file(self, tool: str, shell: str) -> str:
        """The hook text `tool hook SHELL` prints in HOME, saved once for every shell."""
        key = (tool, shell)
        if key not in self.hooks:
            exe = DIRENV if tool == "direnv" else ssoenv_executable()
            text = subprocess.run(
                [exe, "hook", shell],
                env=self.sandbox.env(),
                cwd=self.sandbox.home,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            path = self.path(".%s-hook.%s" % (tool, shell))
            with open(path, "w") as f:
                f.write(text)
            self.hooks[key] = path
        return self.hooks[key]

    def shell(self, shell: str, order: str, start=None) -> LiveShell:
        """An interactive shell that started with `start` in its environment, with direnv's
        hook line before or after ssoenv's (`order`)."""
        sh = LiveShell(shell, self.sandbox, extra_env=start or {})
        tools = ("direnv", "ssoenv") if order == "direnv first" else ("ssoenv", "direnv")
        for tool in tools:
            sh.run("source %s" % self.hook_file(tool, shell))
        sh.run("true")
        return sh


@pytest.fixture
def world(tmp_path):
    return World(tmp_path)


@pytest.fixture
def shells():
    started = []
    yield started
    for sh in started:
        sh.close()


def walk(world, sh, stops):
    """cd to each (directory, expected AWS_PROFILE); returns what was in effect at each."""
    seen = []
    for rel, _ in stops:
        sh.run("cd %s" % world.path(rel))
        seen.append((rel, sh.get_many("AWS_PROFILE")["AWS_PROFILE"]))
    return seen


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("shell", SHELLS)
def test_leaving_an_envrc_inside_a_project_keeps_the_projects_profile(world, shells, shell, order):
    world.ssoenv_file("a", "profile: shop-dev\n", allow=True)
    world.envrc("a/b", "export AWS_PROFILE=shop-prod\n")
    sh = world.shell(shell, order, start={"AWS_PROFILE": "base"})
    shells.append(sh)
    stops = [("a/b", "shop-dev"), ("a", "shop-dev"), (".", "base")]
    assert walk(world, sh, stops) == stops


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("shell", SHELLS)
def test_leaving_every_project_for_one_not_allowed_puts_back_the_start(world, shells, shell, order):
    world.ssoenv_file("a", "profile: shop-dev\n", allow=True)
    world.envrc("a/b", "export AWS_PROFILE=shop-prod\n")
    world.envrc("c", "export AWS_PROFILE=envrc-c\n")
    world.ssoenv_file("c/d", "profile: shop-prod\n", allow=True)
    world.ssoenv_file("e", "profile: shop-prod\n", allow=False)
    sh = world.shell(shell, order, start={"AWS_PROFILE": "base"})
    shells.append(sh)
    stops = [("a", "shop-dev"), ("a/b", "shop-dev"), ("c/d", "shop-prod"), ("e", "base")]
    assert walk(world, sh, stops) == stops
