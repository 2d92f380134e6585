"""An allowed `.ssoenv` sets data, never code: attacks through variables that another tool
hooked into the shell (direnv), or the shell itself (zsh), reads as code or as where to find
code, each run in a real shell with the real tool."""

import os
import shutil

import pytest


def messages(text: str) -> list:
    return [line.strip() for line in text.replace("\r", "").split("\n") if "ssoenv:" in line]


def refused(out: list, name: str) -> bool:
    return any(": env: %s is not set: " % name in line for line in out)


def _direnv_attack(sandbox, open_shell, shell, settings=None):
    """A project whose `.ssoenv` points direnv at a direnv.toml that whitelists "/", next
    to an `.envrc` nobody allowed: (ssoenv's lines, the shell, the file the .envrc makes)."""
    # direnv reads direnv.toml from $DIRENV_CONFIG at each prompt, after ssoenv exported it.
    direnv = shutil.which("direnv")
    assert direnv, "direnv is not installed; .ci/run installs it with apt-get"
    marker = sandbox.path("pwned")
    proj = sandbox.path("shop")
    if settings is not None:
        sandbox.write(".config/ssoenv/config.yaml", settings)
    sandbox.write("shop/dconf/direnv.toml", '[whitelist]\nprefix = [ "/" ]\n')
    sandbox.write("shop/.envrc", "touch %s\n" % marker)
    sandbox.project(
        "shop", "profile: dev\nenv:\n  DIRENV_CONFIG: %s/dconf\n  TF_VAR_stage: dev\n" % proj
    )
    sh = open_shell(shell, setup=['eval "$(%s hook %s)"' % (direnv, shell)])
    out = messages(sh.run("cd %s" % proj))
    # The .envrc changes (a pull, say): direnv evaluates it again at the next prompt, and a
    # whitelisted one runs with no `direnv allow`.
    sh.run("touch -d '+1 minute' .envrc")
    sh.run("true")
    assert sh.get("TF_VAR_stage") == "dev"
    return out, sh, marker


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_a_direnv_config_set_by_an_allowed_file_never_loads_an_unallowed_envrc(
    sandbox, open_shell, shell
):
    out, sh, marker = _direnv_attack(sandbox, open_shell, shell)
    assert not os.path.exists(marker)
    assert refused(out, "DIRENV_CONFIG"), out
    assert sh.get("DIRENV_CONFIG") is None


def test_the_direnv_config_attack_runs_when_the_user_permits_the_variable(sandbox, open_shell):
    # The same project with DIRENV_CONFIG permitted in the user's own settings: direnv runs
    # the .envrc, so the test above sees the refusal and not a direnv that loads nothing.
    _, sh, marker = _direnv_attack(
        sandbox, open_shell, "bash", "allowed_variables: [DIRENV_CONFIG]\n"
    )
    assert os.path.exists(marker)


def test_module_path_set_by_an_allowed_file_never_reaches_zsh(sandbox, open_shell):
    # MODULE_PATH is tied to module_path: `zmodload`, `[[ =~ ]]` and completion load
    # zsh/*.so from it.
    proj = sandbox.path("shop")
    sandbox.write("shop/mods/zsh/.keep", "")
    sandbox.project("shop", "profile: dev\nenv:\n  MODULE_PATH: %s/mods\n" % proj)
    sh = open_shell("zsh")
    before = sh.get("MODULE_PATH")
    out = messages(sh.run("cd %s" % proj))
    sh.run("[[ abc =~ b ]]")
    sh.run("builtin print -r -- ${(j.:.)module_path} > %s" % sandbox.path("mp"))
    with open(sandbox.path("mp")) as f:
        assert proj not in f.read()
    assert sh.get("MODULE_PATH") == before
    assert refused(out, "MODULE_PATH"), out


def test_prompt_eol_mark_set_by_an_allowed_file_never_runs_in_zsh_with_prompt_subst(
    sandbox, open_shell
):
    # oh-my-zsh sets prompt_subst: the mark zsh prints before each prompt is expanded, and
    # a $(...) in it runs at every prompt.
    marker = sandbox.path("pwned")
    proj = sandbox.project(
        "shop", 'profile: dev\nenv:\n  PROMPT_EOL_MARK: "$(touch %s)%%"\n' % marker
    )
    sh = open_shell("zsh", setup=["setopt prompt_cr prompt_sp prompt_subst"])
    out = messages(sh.run("cd %s" % proj))
    sh.run("true")
    sh.run("true")
    assert not os.path.exists(marker)
    assert refused(out, "PROMPT_EOL_MARK"), out
    assert sh.get("PROMPT_EOL_MARK") is None


def test_the_prompt_eol_mark_attack_runs_when_the_user_permits_the_variable(sandbox, open_shell):
    # The same file, with the variable permitted in the user's own settings: the payload
    # runs, so the test above sees the refusal and not a shell that never shows the mark.
    marker = sandbox.path("pwned")
    sandbox.write(".config/ssoenv/config.yaml", "allowed_variables: [PROMPT_EOL_MARK]\n")
    proj = sandbox.project(
        "shop", 'profile: dev\nenv:\n  PROMPT_EOL_MARK: "$(touch %s)%%"\n' % marker
    )
    sh = open_shell("zsh", setup=["setopt prompt_cr prompt_sp prompt_subst"])
    sh.run("cd %s" % proj)
    sh.run("true")
    sh.run("true")
    assert os.path.exists(marker)
