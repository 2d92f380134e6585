"""What another local user can do to ssoenv's user, with a real second account: rewrite a
shared checkout's `.ssoenv`, plant settings, read command lines."""
# ruff: noqa: F405

import json
import os
import stat

import pytest
from local_users import *  # noqa: F403
from sso_cli_world import *  # noqa: F403
from sso_fixtures import *  # noqa: F403
from test_console import federation  # noqa: F401

# ---- a trusted prefix covers only files no one else can change ----------------------------


def _export(ssoenv_env, directory):
    env = ssoenv_env.base_env()
    env["PWD"] = str(directory)
    return ssoenv_env.run("export", "json", cwd=directory, env=env)


def test_a_trusted_prefix_does_not_cover_a_file_another_user_can_rewrite(
    ssoenv_env, other_user, shared_dir
):
    # A checkout shared with a group: the directory setgid and group-writable, the file
    # 0664 and still the user's own after another member of the group rewrote it.
    ssoenv_env.write_aws_config()
    ssoenv_env.write_user_config("trusted_prefixes: [%s]\n" % shared_dir)
    checkout = shared_dir / "checkout"
    checkout.mkdir()
    os.chown(checkout, os.geteuid(), other_user.gid)
    checkout.chmod(0o2775)
    dotfile = checkout / ".ssoenv"
    dotfile.write_text("profile: dev\n")
    os.chown(dotfile, os.geteuid(), other_user.gid)
    dotfile.chmod(0o664)
    rewrite = other_user.run(["sh", "-c", "printf 'profile: prod\\n' > .ssoenv"], cwd=checkout)
    assert rewrite.returncode == 0, rewrite.stderr
    assert dotfile.read_text() == "profile: prod\n" and dotfile.stat().st_uid == os.geteuid()

    result = _export(ssoenv_env, checkout)
    assert result.returncode == 0, result.stderr
    assert "AWS_PROFILE" not in json.loads(result.stdout)
    assert result.stderr == (
        "ssoenv: %s is not allowed: other users can write %s (mode 664), and "
        "trusted_prefixes covers only files no one else can change; to use it, run: "
        "ssoenv allow\n" % (dotfile, dotfile)
    )
    # What the user allowed, having read it, applies.
    assert ssoenv_env.run("allow", str(dotfile)).returncode == 0
    assert json.loads(_export(ssoenv_env, checkout).stdout)["AWS_PROFILE"] == "prod"


# ---- the settings file is the user's own ---------------------------------------------------


def _fake_browser(path):
    """A browser that records the URL it is given."""
    log = str(path) + ".log"
    path.write_text("#!/bin/sh\nprintf '%%s\\n' \"$*\" >> %s\n" % log)
    path.chmod(0o755)
    return log


@pytest.mark.usefixtures("federation")
def test_settings_another_user_could_write_are_refused_in_one_line(
    world, browser, other_user, tmp_path
):
    # At umask 000, `mkdir -p ~/.config/direnv/lib` left ~/.config 0777: another user made
    # ~/.config/ssoenv/config.yaml there, naming a browser of theirs for the console.
    world.login("--profile", PROFILE)
    theirs = tmp_path / "their-browser"
    log = _fake_browser(theirs)
    config = os.path.join(world.home, ".config")
    os.makedirs(os.path.join(config, "ssoenv"))
    os.chmod(config, 0o777)
    settings = os.path.join(config, "ssoenv", "config.yaml")
    with open(settings, "w") as f:
        f.write("console_browser: %s\ntrusted_prefixes: [/]\n" % theirs)
    for path in (os.path.dirname(settings), settings):
        os.chown(path, other_user.uid, other_user.gid)
    opened = browser.read_text() if browser.exists() else ""

    result = world.run("console", "--profile", PROFILE)
    assert result.returncode == 1
    assert result.stderr == (
        "ssoenv: ~/.config/ssoenv/config.yaml is not used: ~/.config can be written by other "
        "users (mode 777); ssoenv will not use it until you run: chmod go-w ~/.config\n"
    )
    assert not os.path.exists(log)
    assert (browser.read_text() if browser.exists() else "") == opened
    # Nor does the hook take their trusted_prefixes: [/]; it says why and goes on.
    project = world.project("proj", "profile: %s\n" % PROFILE, allow=False)
    result = world.run("export", "json", cwd=project)
    assert "AWS_PROFILE" not in json.loads(result.stdout)
    assert (
        "ssoenv: ~/.config/ssoenv/config.yaml is not used: ~/.config can be written by other "
        "users (mode 777); ssoenv will not use it until you run: chmod go-w ~/.config"
    ) in result.stderr.splitlines()

    # The next problem, once that one is fixed: the file is not the user's.
    os.chmod(config, 0o755)
    result = world.run("console", "--profile", PROFILE)
    assert result.returncode == 1
    assert result.stderr == (
        "ssoenv: ~/.config/ssoenv/config.yaml is not used: ~/.config/ssoenv belongs to uid "
        "%d, not to you; ssoenv will not use it: remove it, or run: chown %d ~/.config/ssoenv"
        " && chmod go-w ~/.config/ssoenv\n" % (other_user.uid, os.geteuid())
    )
    assert not os.path.exists(log)


@pytest.mark.parametrize(
    "what, mode, shown",
    [
        ("file", 0o666, "~/.config/ssoenv/config.yaml"),
        ("ssoenv", 0o775, "~/.config/ssoenv"),
        ("home", 0o757, "~"),
    ],
)
def test_settings_group_or_others_can_write_are_not_used(ssoenv_env, what, mode, shown):
    ssoenv_env.write_aws_config()
    settings = ssoenv_env.write_user_config("trusted_prefixes: [~/work]\n")
    ssoenv_env.write_dotfile("profile: dev\n")
    target = {"file": settings, "ssoenv": settings.parent, "home": ssoenv_env.home}[what]
    target.chmod(mode)
    try:
        result = ssoenv_env.run("export", "json")
    finally:
        target.chmod(0o755)
    assert "AWS_PROFILE" not in json.loads(result.stdout)
    fix = "~/.config/ssoenv/config.yaml is not used: %s can be written by other users " % shown
    fix += "(mode %03o); ssoenv will not use it until you run: chmod go-w %s" % (mode, shown)
    assert "ssoenv: " + fix in result.stderr.splitlines()
    assert json.loads(ssoenv_env.run("export", "json").stdout)["AWS_PROFILE"] == "dev"


# ---- nothing secret on a command line --------------------------------------------------------


def _page_path(line: str) -> str:
    """The local page a browser was given, from its command line."""
    from urllib.parse import unquote, urlsplit

    [url] = [word for word in line.split() if word.startswith("file://")]
    return unquote(urlsplit(url).path)


def test_the_console_sign_in_token_is_on_no_command_line(
    world, browser, other_user, tmp_path, request
):
    from test_console import wait_for

    fed = request.getfixturevalue("federation")
    world.login("--profile", PROFILE)
    script = os.environ["BROWSER"]
    linger = tmp_path / "browser-may-go"
    with CmdlinePoller(other_user) as poller:
        env = world.env(SSOENV_TEST_BROWSER_LINGER=str(linger))
        result = world.run("console", "--profile", PROFILE, env=env)
        assert result.returncode == 0, result.stderr
        # The browser follows the page to the federation endpoint's login, and the other
        # user saw it running, with whatever it was given.
        assert wait_for(lambda: fed.logins)
        seen = poller.wait_for(lambda line: script in line)
        linger.touch()
    token = fed.tokens[-1]
    assert fed.logins[-1]["SigninToken"] == token
    assert [line for line in poller.lines if token in line] == []
    # (Other people's tests may run browsers too: only ours are looked at for the name.)
    assert [line for line in poller.lines if script in line and "SigninToken" in line] == []
    # What it was given: a page only the user can read.
    page = _page_path(seen)
    assert stat.S_IMODE(os.stat(page).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(page)).st_mode) == 0o700
    assert other_user.run(["cat", page]).returncode != 0


def test_the_logins_state_is_on_no_command_line(world, browser, other_user, tmp_path):
    from urllib.parse import parse_qs, urlsplit

    script = os.environ["BROWSER"]
    linger = tmp_path / "browser-may-go"
    with CmdlinePoller(other_user) as poller:
        env = world.env(SSOENV_TEST_BROWSER_LINGER=str(linger))
        result = world.run("login", "--profile", PROFILE, env=env)
        assert result.returncode == 0, result.stderr
        seen = poller.wait_for(lambda line: script in line)
        linger.touch()
    [authorize] = [u for u in browser.read_text().splitlines() if "/authorize?" in u]
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    assert len(state) >= 32
    assert [line for line in poller.lines if state in line] == []
    assert [line for line in poller.lines if script in line and "state=" in line] == []
    # The page is gone once the login is done.
    assert not os.path.exists(os.path.dirname(_page_path(seen)))
