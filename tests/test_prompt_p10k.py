"""powerlevel10k's instant prompt and oh-my-zsh, real ones: neither is packaged, so these
run against checkouts named by SSOENV_TEST_P10K and SSOENV_TEST_OHMYZSH (of
romkatv/powerlevel10k and ohmyzsh/ohmyzsh). Where those are unset the tests are deselected,
and the run's summary says so (see conftest's `original` marker)."""

import os
import re
import shutil

import pexpect
import pytest
from live_shell import LiveShell, ssoenv_executable
from prompt_route import SHOP_PROFILES, STOPS, Route, prompt_line, rc_env_marker, write_rc

P10K = os.environ.get("SSOENV_TEST_P10K")
OHMYZSH = os.environ.get("SSOENV_TEST_OHMYZSH")
needs_p10k = pytest.mark.original("SSOENV_TEST_P10K", "powerlevel10k")
needs_omz = pytest.mark.original("SSOENV_TEST_OHMYZSH", "oh-my-zsh")

INSTANT_PROMPT = """\
if [[ -r "${XDG_CACHE_HOME:-$HOME/.cache}/p10k-instant-prompt-${(%):-%n}.zsh" ]]; then
  source "${XDG_CACHE_HOME:-$HOME/.cache}/p10k-instant-prompt-${(%):-%n}.zsh"
fi"""

# powerlevel10k with its aws segment, drawn as <aws:PROFILE>, and a segment that ends the
# prompt with a mark the tests wait for. gitstatus would download a binary: off.
P10K_SETTINGS = """\
POWERLEVEL9K_DISABLE_CONFIGURATION_WIZARD=true
POWERLEVEL9K_DISABLE_GITSTATUS=true
POWERLEVEL9K_MODE=ascii
POWERLEVEL9K_LEFT_PROMPT_ELEMENTS=(aws mark)
POWERLEVEL9K_RIGHT_PROMPT_ELEMENTS=()
POWERLEVEL9K_AWS_CONTENT_EXPANSION='<aws:${P9K_AWS_PROFILE}>'
prompt_mark() { p10k segment -t 'PROMPT''MARK' }
"""


def start_zsh(sandbox, cwd):
    zsh = shutil.which("zsh")
    assert zsh, "zsh is not installed; .ci/run installs it with apt-get"
    env = sandbox.env()
    env.update(TERM="xterm-256color", ZDOTDIR=sandbox.home)
    return pexpect.spawn(
        zsh, ["-i"], env=env, cwd=cwd, encoding="utf-8", timeout=30, dimensions=(40, 200)
    )


def session(sandbox, cwd, command):
    """What a new zsh in `cwd` reading ~/.zshrc printed, from its first prompt (the instant
    one, when there is one) to the end of `command`, typed at once."""
    child = start_zsh(sandbox, cwd)
    child.expect_exact("PROMPTMARK")
    text = child.before + "PROMPTMARK"
    child.sendline(command + "; exit")
    child.expect(pexpect.EOF)
    text += child.before
    child.close(force=True)
    return text


def zshrc(sandbox, recipe: bool, theme_lines):
    exe = ssoenv_executable()
    lines = []
    if recipe:
        lines.append('emulate zsh -c "$(%s export zsh)"' % exe)
    lines += [
        # What is in effect as the instant prompt is drawn.
        'print -r -- "${AWS_PROFILE-}" > ~/at-instant-prompt',
        INSTANT_PROMPT,
    ]
    lines += theme_lines
    lines.append('eval "$(%s hook zsh)"' % exe)
    sandbox.write(".zshrc", "\n".join(lines) + "\n")


@pytest.fixture
def sandbox(sandbox):
    """The shared sandbox, with the shop's profiles added to its AWS config."""
    with open(sandbox.path(".aws/config"), "a", encoding="utf-8") as f:
        f.write(SHOP_PROFILES)
    return sandbox


@needs_p10k
@pytest.mark.parametrize("recipe", [True, False], ids=["recipe", "hook-only"])
def test_p10k_instant_prompt_sees_no_console_output_and_the_profile_in_effect(sandbox, recipe):
    alpha = sandbox.project("work/alpha", "profile: shop-dev\n")
    zshrc(sandbox, recipe, [P10K_SETTINGS, "source %s/powerlevel10k.zsh-theme" % P10K])
    # The first shell here writes the instant prompt that the next ones here draw at once.
    session(sandbox, alpha, "true")
    assert os.path.exists(sandbox.path(".cache/p10k-instant-prompt-%s.zsh" % sandbox.env()["USER"]))
    out = session(sandbox, alpha, "print -r -- in-effect:${AWS_PROFILE-}:")
    assert "Console output during zsh initialization" not in out
    assert "in-effect:shop-dev:" in out
    # Every prompt drawn shows the profile in effect (the instant one has no aws segment).
    assert set(re.findall(r"<aws:([^>]*)>", out)) == {"shop-dev"}
    # The hook's messages are said once, at the first prompt or before the instant prompt.
    assert out.count("ssoenv: loaded ~/work/alpha/.ssoenv (profile shop-dev)") == 1
    with open(sandbox.path("at-instant-prompt")) as f:
        assert f.read().strip() == ("shop-dev" if recipe else "")


def omz_shown(text):
    """(profile, region) as oh-my-zsh's aws_prompt_info drew them."""
    line = prompt_line(text)
    profile = re.findall(r"<aws:([^>]*)>", line)
    region = re.findall(r"<region:([^>]*)>", line)
    return (profile[-1] if profile else None), (region[-1] if region else None)


@needs_omz
@pytest.mark.parametrize("direnv", [True, False], ids=["direnv", "no-direnv"])
@pytest.mark.parametrize("where", ["before", "after"])
def test_oh_my_zsh_aws_plugin_shows_the_profile_in_effect(sandbox, where, direnv):
    route = Route(sandbox, direnv=direnv)
    sh = LiveShell("zsh", sandbox, extra_env={"TERM": "xterm-256color"})
    try:
        omz = [
            "export ZSH=%s; ZSH_THEME=''; plugins=(aws); DISABLE_AUTO_UPDATE=true; "
            "ZSH_DISABLE_COMPFIX=true; ZSH_CACHE_DIR=~/.cache/omz" % OHMYZSH,
            "source $ZSH/oh-my-zsh.sh",
            # The plugin's segment, drawn on the left: the harness runs zsh without its line
            # editor, which draws RPROMPT.
            "PROMPT='$(aws_prompt_info)'",
        ]
        rc = [rc_env_marker(sh)]
        if direnv:
            rc.append(route.direnv_line("zsh"))
        if where == "before":
            rc += omz + [route.hook_line("zsh")]
        else:
            rc += [route.hook_line("zsh")] + omz
        rc.append(
            '_t_mark() { [[ $PS1 == *"$__m"* ]] || PS1+="$__m"$\'\\n\'; }; '
            "precmd_functions+=(_t_mark)"
        )
        sh.run("source %s" % write_rc(sandbox, "rc.zsh", rc))
        sh.run("true")
        route.walk(sh, omz_shown)
    finally:
        sh.close()


@needs_p10k
@pytest.mark.parametrize("direnv", [True, False], ids=["direnv", "no-direnv"])
def test_p10k_aws_segment_shows_the_profile_in_effect_along_the_walk(sandbox, direnv):
    route = Route(sandbox, direnv=direnv)
    theme = [P10K_SETTINGS]
    if direnv:
        theme.append(route.direnv_line("zsh"))
    theme.append("source %s/powerlevel10k.zsh-theme" % P10K)
    zshrc(sandbox, True, theme)
    child = start_zsh(sandbox, sandbox.home)
    try:
        child.expect_exact("PROMPTMARK")
        for stop in STOPS:
            child.sendline("cd %s" % route.directory(stop))
            child.expect_exact("PROMPTMARK")
            drawn = [re.findall(r"<aws:([^>]*)>", child.before)]
            child.sendline("print -r -- EFF:${AWS_PROFILE-}:${AWS_REGION-}:")
            child.expect(r"EFF:([^:$\s]*):([^:$\s]*):")
            effect = (child.match.group(1) or None, child.match.group(2) or None)
            child.expect_exact("PROMPTMARK")
            drawn.append(re.findall(r"<aws:([^>]*)>", child.before))
            want = route.expected(stop)
            assert effect == want, (stop, drawn)
            for found in drawn:
                assert (found[-1] if found else None) == want[0], (stop, drawn, effect)
    finally:
        child.close(force=True)
