"""Prompt frameworks from Debian's packages, loaded before and after the hook line, with and
without direnv: at every prompt of a walk through .envrc and .ssoenv projects, the profile
the framework drew is the one in effect, and the right one (prompt_route.Route).

The test harness types into the shell with zsh's line editor off, as the other live-shell
tests do; zsh-autosuggestions, which works inside the line editor, is loaded all the same,
and must not change what the prompt shows."""

import contextlib
import json
import os
import shutil
import socket as socket_module
import subprocess

import pytest
from live_shell import LiveShell
from prompt_route import Route, bracket_shown, profile_shown, rc_env_marker, write_rc
from waiting import wait_until

LIQUIDPROMPT = "/usr/share/liquidprompt/liquidprompt"
POWERLINE = "/usr/share/powerline/bindings"
POWERLEVEL9K = "/usr/share/powerlevel9k/powerlevel9k.zsh-theme"
AUTOSUGGESTIONS = "/usr/share/zsh-autosuggestions/zsh-autosuggestions.zsh"

# A prompt function for frameworks that draw none (zoxide, zsh-autosuggestions).
PLAIN_PROMPT = {
    "fish": 'function fish_prompt; printf \'[%s|%s]\' "$AWS_PROFILE" "$AWS_REGION"; end',
    "bash": '_prompt() { PS1="[${AWS_PROFILE-}|${AWS_REGION-}]"; }',
    "zsh": '_prompt() { PS1="[${AWS_PROFILE-}|${AWS_REGION-}]"; }',
}
PLAIN_INSTALL = {
    "fish": "true",
    "bash": "PROMPT_COMMAND=\"${PROMPT_COMMAND:+$PROMPT_COMMAND$'\\n'}_prompt\"",
    "zsh": "precmd_functions+=(_prompt)",
}
# Last at each prompt: the mark the tests wait for, after what the framework drew.
MARK = {
    # fish draws the prompt after every fish_prompt event handler, hooks included; the
    # mark also counts the commands run (see LiveShell). The framework's prompt is taken
    # whole before the mark is printed: fish may put a builtin's output (printf's) ahead
    # of what an external command (powerline's client) wrote before it.
    "fish": "functions -c fish_prompt _t_prompt; function fish_prompt; "
    "printf '%s' (_t_prompt | string collect --no-trim-newlines); "
    "printf '%s%s\\n' $__m $__t_n; end",
    "bash": '_t_mark() { [[ $PS1 == *"$__m"* ]] || PS1+="$__m"$\'\\n\'; }; '
    "if [[ ${PROMPT_COMMAND@a} == *a* ]]; then PROMPT_COMMAND+=(_t_mark); "
    "else PROMPT_COMMAND+=$'\\n_t_mark'; fi",
    "zsh": '_t_mark() { [[ $PS1 == *"$__m"* ]] || PS1+="$__m"$\'\\n\'; }; '
    "precmd_functions+=(_t_mark)",
}


def powerline_config(sandbox):
    """A powerline shell theme showing AWS_PROFILE alone."""
    theme = {
        "segments": {
            "left": [
                {
                    "function": "powerline.segments.common.env.environment",
                    "args": {"variable": "AWS_PROFILE"},
                }
            ],
            "right": [],
        }
    }
    sandbox.write(".config/powerline/themes/shell/ssoenv_test.json", json.dumps(theme))
    config = {"ext": {"shell": {"theme": "ssoenv_test"}}}
    sandbox.write(".config/powerline/config.json", json.dumps(config))


def powerline_socket(sandbox) -> str:
    return sandbox.path("powerline.sock")


def listening(name: str) -> bool:
    """Whether the daemon listens: on Linux it names its socket in the abstract namespace."""
    with socket_module.socket(socket_module.AF_UNIX, socket_module.SOCK_STREAM) as probe:
        try:
            probe.connect("\0" + name)
        except OSError:
            return False
    return True


@contextlib.contextmanager
def powerline_daemon(sandbox):
    """powerline's daemon, as its documentation has users start it: the prompt's client
    sends it the shell's environment and working directory, and it draws the prompt
    without starting Python at every prompt. One per test, on a socket of its own, so
    tests running side by side never draw each other's prompts."""
    socket = powerline_socket(sandbox)
    daemon = subprocess.Popen(
        ["powerline-daemon", "--foreground", "--socket", socket],
        env=sandbox.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(
            lambda: listening(socket) or daemon.poll() is not None,
            30.0,
            what="powerline-daemon listening",
        )
        assert daemon.poll() is None, "powerline-daemon exited at start"
        yield
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


def framework_lines(name, shell, sandbox):
    """(lines that load the framework, lines that set up its prompt, how the prompt reads)."""
    if name == "liquidprompt":
        return (
            [
                "LP_ENABLE_GIT=0; LP_ENABLE_RUNTIME=0; LP_ENABLE_AWS_PROFILE=1",
                "source %s" % LIQUIDPROMPT,
            ],
            [],
            profile_shown,
        )
    if name == "powerline":
        powerline_config(sandbox)
        # The client talks to this test's own daemon (see powerline_daemon).
        socket = "--socket %s" % powerline_socket(sandbox)
        if shell == "fish":
            load = [
                "set -g POWERLINE_COMMAND_ARGS %s" % socket,
                "source %s/fish/powerline-setup.fish; powerline-setup" % POWERLINE,
            ]
        else:
            binding = {"bash": "bash/powerline.sh", "zsh": "zsh/powerline.zsh"}[shell]
            load = ["POWERLINE_COMMAND_ARGS='%s'" % socket, "source %s/%s" % (POWERLINE, binding)]
        return (load, [], profile_shown)
    if name == "powerlevel9k":
        return (
            [
                "POWERLEVEL9K_MODE=compatible; POWERLEVEL9K_LEFT_PROMPT_ELEMENTS=(aws); "
                "POWERLEVEL9K_RIGHT_PROMPT_ELEMENTS=()",
                "source %s" % POWERLEVEL9K,
            ],
            [],
            profile_shown,
        )
    if name == "zoxide":
        return (
            ['eval "$(zoxide init %s)"' % shell],
            [PLAIN_PROMPT[shell], PLAIN_INSTALL[shell]],
            bracket_shown,
        )
    if name == "zsh-autosuggestions":
        return (
            ["source %s" % AUTOSUGGESTIONS],
            [PLAIN_PROMPT[shell], PLAIN_INSTALL[shell]],
            bracket_shown,
        )
    raise AssertionError(name)


CASES = [
    ("liquidprompt", "bash"),
    ("liquidprompt", "zsh"),
    ("powerline", "bash"),
    ("powerline", "zsh"),
    ("powerline", "fish"),
    ("powerlevel9k", "zsh"),
    ("zoxide", "bash"),
    ("zoxide", "zsh"),
    ("zoxide", "fish"),
    ("zsh-autosuggestions", "zsh"),
]


@pytest.mark.parametrize("direnv", [True, False], ids=["direnv", "no-direnv"])
@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("framework,shell", CASES, ids=["-".join(c) for c in CASES])
def test_framework_prompt_shows_the_profile_in_effect(sandbox, framework, shell, where, direnv):
    for path in (LIQUIDPROMPT, POWERLINE, POWERLEVEL9K, AUTOSUGGESTIONS):
        assert os.path.exists(path), "%s is missing; .ci/run installs it with apt-get" % path
    assert shutil.which("zoxide"), "zoxide is not installed; .ci/run installs it with apt-get"
    route = Route(sandbox, direnv=direnv)
    with contextlib.ExitStack() as stack:
        if framework == "powerline":
            stack.enter_context(powerline_daemon(sandbox))
        walk_with(sandbox, route, framework, shell, where, direnv)


def walk_with(sandbox, route, framework, shell, where, direnv):
    # liquidprompt draws nothing for TERM=dumb.
    sh = LiveShell(shell, sandbox, extra_env={"TERM": "xterm-256color"})
    try:
        load, prompt, drawn = framework_lines(framework, shell, sandbox)
        rc = [rc_env_marker(sh)]
        if direnv:
            rc.append(route.direnv_line(shell))
        framework_rc = load + prompt
        if where == "before":
            rc += framework_rc + [route.hook_line(shell)]
        else:
            rc += [route.hook_line(shell)] + framework_rc
        rc.append(MARK[shell])
        sh.run("source %s" % write_rc(sandbox, "rc." + shell, rc))
        sh.run("true")
        route.walk(sh, drawn)
    finally:
        sh.close()
