"""Whatever order the rc file loads them in, each prompt runs direnv's hook, then ssoenv's,
then what draws the prompt: what the prompt shows is what is in effect.

bash-preexec runs from CI as the stand-in in bash_preexec_standin.bash; set
SSOENV_TEST_BASH_PREEXEC=/path/to/bash-preexec.sh to run the same tests against the original."""

import pytest
from live_shell import bash_preexec
from prompt_route import Route, bracket_shown, rc_env_marker, write_rc

BASH_PROMPT = "_prompt() { PS1=\"[${AWS_PROFILE-}|${AWS_REGION-}]$__m\"$'\\n'; }"
ZSH_PROMPT = BASH_PROMPT
FISH_PROMPT = (
    'function fish_prompt; printf \'[%s|%s]%s%s\\n\' "$AWS_PROFILE" "$AWS_REGION" $__m $__t_n; end'
)


def load(sh, route, sandbox, order, prompt_install):
    """Source an rc file holding, in `order`, the lines named "bp" (bash-preexec), "direnv"
    and "ssoenv" (the hook lines), then the prompt; return what the first prompt printed."""
    lines = {
        "bp": "source %s" % bash_preexec(),
        # A tool that puts its prompt function in front of those it finds.
        "other": {
            "bash": '_other() { :; }; PROMPT_COMMAND="_other${PROMPT_COMMAND:+;$PROMPT_COMMAND}"',
            "zsh": "_other() { :; }; precmd_functions=(_other $precmd_functions); "
            "chpwd_functions=(_other $chpwd_functions)",
        }.get(sh.name),
        "direnv": route.direnv_line(sh.name),
        "ssoenv": route.hook_line(sh.name),
    }
    prompt = {"bash": BASH_PROMPT, "zsh": ZSH_PROMPT, "fish": FISH_PROMPT}[sh.name]
    rc = [rc_env_marker(sh), prompt] + [lines[name] for name in order] + list(prompt_install)
    path = write_rc(sandbox, "rc." + sh.name, rc)
    return sh.run("source %s" % path)


BASH_PREEXEC_ORDERS = [
    ("bp", "direnv", "ssoenv"),
    ("bp", "ssoenv", "direnv"),
    ("direnv", "ssoenv", "bp"),
    ("ssoenv", "bp", "direnv"),
]


@pytest.mark.parametrize("order", BASH_PREEXEC_ORDERS, ids="-".join)
def test_bash_preexec_and_direnv_in_any_order_show_the_profile_in_effect(
    sandbox, open_shell, order
):
    route = Route(sandbox, direnv=True)
    sh = open_shell("bash", hook=False)
    first = load(sh, route, sandbox, order, ["precmd_functions+=(_prompt)"])
    assert bracket_shown(first) == (None, None)
    route.walk(sh, bracket_shown)


@pytest.mark.parametrize("order", [("direnv", "ssoenv"), ("ssoenv", "direnv")], ids="-".join)
@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_direnv_in_either_order_shows_the_profile_in_effect(sandbox, open_shell, shell, order):
    route = Route(sandbox, direnv=True)
    sh = open_shell(shell, hook=False)
    install = {
        "bash": ["PROMPT_COMMAND+=(_prompt)"],
        "zsh": ["precmd_functions+=(_prompt)"],
        "fish": [],
    }[shell]
    load(sh, route, sandbox, order, install)
    route.walk(sh, bracket_shown)


@pytest.mark.parametrize("order", [("bp", "ssoenv"), ("ssoenv", "bp")], ids="-".join)
def test_the_order_check_starts_no_process_at_an_unchanged_prompt(sandbox, open_shell, order):
    from test_shells_live import ProcessCounter

    route = Route(sandbox, direnv=False)

    def count(lines):
        sh = open_shell("bash", hook=False)
        load(sh, route, sandbox, lines, ["precmd_functions+=(_prompt)"])
        sh.run("cd %s" % route.directory("beta"))
        sh.run("true")
        counter = ProcessCounter(sh, sandbox)
        for _ in range(3):
            sh.run("true")
        sh.run("precmd_functions+=(_prompt2); _prompt2() { :; }")
        sh.run("true")
        started = counter.stop()
        return sh, started

    # bash-preexec itself may fork at each command (the original reads `history 1` in a
    # command substitution): the hook adds nothing to what it starts without the hook.
    _, baseline = count(["bp"])
    sh, started = count(order)
    assert not any("execve(" in line for line in started), started
    assert len(started) == len(baseline), (started, baseline)
    assert bracket_shown(sh.run("true")) == ("shop-prod", None)


MISE_LIKE = (
    # A hook named as mise's, loaded before ssoenv's: it sets AWS_PROFILE at each prompt.
    "_mise_hook() { export AWS_PROFILE=shop-prod; }; "
    'PROMPT_COMMAND="_mise_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"'
)


def test_doctor_names_a_hook_that_runs_after_ssoenvs_and_sets_aws_variables(sandbox, open_shell):
    route = Route(sandbox, direnv=True)
    sh = open_shell("bash", hook=False)
    rc = write_rc(sandbox, "rc.bash", [MISE_LIKE, route.hook_line("bash")])
    sh.run("source %s" % rc)
    out = sh.run("ssoenv doctor")
    assert (
        "warning: shell: mise's hook (_mise_hook) runs after ssoenv's at each prompt, so what "
        "it sets for AWS_* wins over the .ssoenv; load mise's hook line after ssoenv's in "
        "~/.bashrc, then open a new shell"
    ) in out.replace("\r", "")
    # direnv's hook made read-only after ssoenv's: named, with what it sets here.
    sh.run(route.direnv_line("bash"))
    sh.run("cd %s" % route.directory("mixed"))
    sh.run("PROMPT_COMMAND+=$'\\n_direnv_hook'; readonly PROMPT_COMMAND")
    out = sh.run("ssoenv doctor").replace("\r", "")
    assert (
        "direnv's hook (_direnv_hook) runs after ssoenv's at each prompt, so what it sets for "
        "AWS_* wins over the .ssoenv (here it sets AWS_REGION)"
    ) in out


@pytest.mark.parametrize("order", [("direnv", "ssoenv"), ("ssoenv", "direnv")], ids="-".join)
@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_doctor_sees_no_prompt_order_problem_once_direnv_runs_first(
    sandbox, open_shell, shell, order
):
    route = Route(sandbox, direnv=True)
    sh = open_shell(shell, hook=False)
    load(sh, route, sandbox, order, [])
    sh.run("cd %s" % route.directory("mixed"))
    out = sh.run("ssoenv doctor")
    assert "runs after ssoenv's" not in out
    assert "ssoenv doctor:" in out
