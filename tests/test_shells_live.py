"""The hook in real interactive shells (bash, zsh, fish, tcsh, elvish, xonsh): what a user sees
after each `cd`."""

import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
from live_shell import NEW_SHELLS, SHELLS, ShellDied, bash_preexec, ssoenv_executable

POSIX = ("bash", "zsh")
EVERY = SHELLS + NEW_SHELLS

# Where a case of bash, zsh and fish does not exist in tcsh, elvish or xonsh, and why:
# - exit status, elvish: no `$?`; a failing command raises an exception, shown before the
#   next prompt (test_elvish_failure_is_shown_once_and_the_hook_adds_nothing).
# - `set -u`, tcsh: always on (an undefined variable is an error), so every tcsh test runs
#   under it; elvish: an error is always an exception, so every elvish test runs under it.
# - subshells, elvish and xonsh: neither has a subshell of its own (`( )` groups nothing in
#   elvish; xonsh's `$(...)` runs a command, not a copy of the shell).
# - strict flags for a rendered hook (`-euo pipefail`): bash and zsh only; the strict
#   settings tcsh and xonsh have are in test_hook_works_under_the_shells_strict_settings.
# - hook inert outside an interactive shell, elvish: it reads rc.elv in an interactive
#   elvish only (`elvish script` and `elvish -c` never read it).
# - direnv beside ssoenv, xonsh: direnv has no xonsh hook.
# - aliases, tcsh: an alias can take any builtin but `alias` and `unalias`. A quote inside
#   a command's name keeps an alias away and still runs the builtin (`""unset`; `\unset`
#   is looked for on PATH): the hook and what `ssoenv export tcsh` prints write `unset`,
#   `@`, `setenv`, `unsetenv`, `printenv` and `break` so, and run `source` and `eval` by a
#   variable's value (test_tcsh_aliases_of_builtins_do_not_break_the_hook). No such escape
#   exists for `set` (tcsh takes the `( )` of a list only after the plain word), `if`,
#   `while`, `foreach` (the same), `else`, `endif` and `end` (found by their plain
#   spelling when tcsh skips a block): an alias of one of those still breaks the hook.
# - PROMPT_COMMAND, bash-preexec, pipelines' statuses, precmd_functions: bash and zsh only;
#   tcsh's precmd alias has its own test (test_tcsh_keeps_the_users_precmd_after_the_hook_once).


def clean(text: str) -> str:
    """Printed lines without the terminal's carriage returns and fish's end-of-line mark."""
    lines = []
    # elvish draws with terminal escapes whatever TERM says.
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    for line in text.replace("\r", "").split("\n"):
        line = line.replace("⏎", "").strip()
        if line:
            lines.append(line)
    return "\n".join(lines)


def ssoenv_lines(text: str):
    return [line for line in clean(text).split("\n") if line.startswith("ssoenv:")]


@pytest.mark.parametrize(
    "line, how", [("exit 3", "exit status 3"), ("kill -KILL $$", "killed by signal 9")]
)
def test_a_shell_that_ends_under_a_test_is_reported_with_how_it_ended(open_shell, line, how):
    # A shell must never exit under its user: when one does in a test, the failure says
    # how it ended and what it printed last.
    sh = open_shell("bash", hook=False)
    sh.run("echo last-words")
    with pytest.raises(ShellDied) as died:
        sh.run(line)
    assert ("bash ended (%s)" % how) in str(died.value)
    assert "last-words" in str(died.value)


@pytest.mark.parametrize("shell", EVERY)
def test_entering_project_sets_profile_region_and_env(sandbox, open_shell, shell):
    proj = sandbox.project(
        "shop", "profile: dev\nregion: eu-central-1\nenv:\n  TF_VAR_stage: dev\n"
    )
    sh = open_shell(shell)
    out = sh.run("cd %s" % proj)
    assert "ssoenv: loaded ~/shop/.ssoenv (profile dev, region eu-central-1)" in clean(out)
    assert sh.get("AWS_PROFILE") == "dev"
    assert sh.get("AWS_REGION") == "eu-central-1"
    assert sh.get("AWS_DEFAULT_REGION") == "eu-central-1"
    assert sh.get("TF_VAR_stage") == "dev"


@pytest.mark.parametrize("shell", EVERY)
def test_moving_inside_project_changes_and_prints_nothing(sandbox, open_shell, shell):
    proj = sandbox.project("shop", "profile: dev\n")
    sh = open_shell(shell)
    sh.run("cd %s" % proj)
    assert ssoenv_lines(sh.run("cd sub/deeper")) == []
    assert ssoenv_lines(sh.run("cd ..")) == []
    assert sh.get("AWS_PROFILE") == "dev"


@pytest.mark.parametrize("shell", EVERY)
def test_leaving_project_restores_previous_values(sandbox, open_shell, shell):
    proj = sandbox.project("shop", "profile: dev\nregion: eu-central-1\n")
    sh = open_shell(shell, extra_env={"AWS_PROFILE": "before", "AWS_REGION": "us-east-1"})
    sh.run("cd %s/sub" % proj)
    assert sh.get("AWS_PROFILE") == "dev"
    out = sh.run("cd %s" % sandbox.home)
    assert "ssoenv: unloaded ~/shop/.ssoenv" in clean(out)
    assert sh.get("AWS_PROFILE") == "before"
    assert sh.get("AWS_REGION") == "us-east-1"
    assert sh.get("AWS_DEFAULT_REGION") is None
    assert sh.get("SSOENV_DIFF") is None
    assert sh.get("SSOENV_FILE") is None


@pytest.mark.parametrize("shell", EVERY)
def test_switching_projects_is_leaving_one_and_entering_the_other(sandbox, open_shell, shell):
    a = sandbox.project("a", "profile: dev\nregion: eu-west-1\nenv:\n  ONLY_A: x\n")
    b = sandbox.project("b", "profile: prod\nenv:\n  ONLY_B: y\n")
    sh = open_shell(shell)
    sh.run("cd %s" % a)
    out = clean(sh.run("cd %s" % b))
    assert "ssoenv: unloaded ~/a/.ssoenv" in out
    assert "ssoenv: loaded ~/b/.ssoenv (profile prod)" in out
    assert sh.get("AWS_PROFILE") == "prod"
    assert sh.get("AWS_REGION") is None
    assert sh.get("ONLY_A") is None
    assert sh.get("ONLY_B") == "y"
    sh.run("cd /")
    assert [sh.get(n) for n in ("AWS_PROFILE", "ONLY_A", "ONLY_B")] == [None, None, None]


@pytest.mark.parametrize("shell", EVERY)
def test_value_changed_by_hand_survives_leaving(sandbox, open_shell, shell):
    proj = sandbox.project("shop", "profile: dev\nregion: eu-central-1\n")
    sh = open_shell(shell)
    sh.run("cd %s" % proj)
    sh.run(set_var(shell, "AWS_REGION", "ap-south-1"))
    sh.run("cd /")
    assert sh.get("AWS_REGION") == "ap-south-1"
    assert sh.get("AWS_PROFILE") is None


@pytest.mark.parametrize("shell", EVERY)
def test_untrusted_project_unloads_loaded_one_and_says_so_once(sandbox, open_shell, shell):
    a = sandbox.project("a", "profile: dev\n")
    b = sandbox.project("b", "profile: prod\n", allow=False)
    sh = open_shell(shell)
    sh.run("cd %s" % a)
    out = ssoenv_lines(sh.run("cd %s" % b))
    assert out == [
        "ssoenv: unloaded ~/a/.ssoenv",
        "ssoenv: ~/b/.ssoenv is not allowed; run: ssoenv allow",
    ]
    assert sh.get("AWS_PROFILE") is None
    assert ssoenv_lines(sh.run(sh.noop)) == []
    assert ssoenv_lines(sh.run("cd sub")) == []


@pytest.mark.parametrize("shell", EVERY)
def test_edit_needs_new_allow_and_allow_elsewhere_applies_at_next_prompt(
    sandbox, open_shell, shell
):
    proj = sandbox.project("shop", "profile: dev\n")
    sh = open_shell(shell)
    sh.run("cd %s" % proj)
    sandbox.write("shop/.ssoenv", "profile: prod\n")
    out = ssoenv_lines(sh.run(sh.noop))
    assert "ssoenv: ~/shop/.ssoenv is not allowed; run: ssoenv allow" in out
    assert sh.get("AWS_PROFILE") is None
    sandbox.ssoenv("allow", proj)  # as from another terminal
    out = ssoenv_lines(sh.run(sh.noop))
    assert out[:1] == ["ssoenv: loaded ~/shop/.ssoenv (profile prod)"]
    assert sh.get("AWS_PROFILE") == "prod"


@pytest.mark.parametrize("shell", EVERY)
def test_deny_holds_across_edits(sandbox, open_shell, shell):
    proj = sandbox.project("shop", "profile: dev\n")
    sh = open_shell(shell)
    sh.run("cd %s" % proj)
    assert sh.get("AWS_PROFILE") == "dev"
    sh.run("ssoenv deny")
    assert sh.get("AWS_PROFILE") is None
    sandbox.write("shop/.ssoenv", "profile: prod\n")
    sh.run(sh.noop)
    assert sh.get("AWS_PROFILE") is None


@pytest.mark.parametrize("shell", SHELLS + ("tcsh", "xonsh"))
def test_exit_status_is_kept_for_the_prompt(sandbox, open_shell, shell):
    proj = sandbox.project("shop", "profile: dev\n")
    sh = open_shell(shell)
    assert sh.status("false") == "1"
    # The hook runs export here (the directory changed) and still returns the status.
    assert sh.status("cd %s; false" % proj) == "1"
    assert sh.get("AWS_PROFILE") == "dev"
    assert sh.status("cd /; sh -c 'exit 3'") == "3"
    assert sh.status("true") == "0"


def test_elvish_failure_is_shown_once_and_the_hook_adds_nothing(sandbox, open_shell):
    proj = sandbox.project("shop", "profile: dev\n")
    sh = open_shell("elvish")
    # The hook runs on the cd and before the prompt; the failure after it stays the user's.
    out = clean(sh.run("cd %s; fail boom" % proj)).splitlines()
    assert [line for line in out if line.startswith("Exception")] == ["Exception: boom"], out
    assert "ssoenv: loaded ~/shop/.ssoenv (profile dev)" in out
    assert sh.get("AWS_PROFILE") == "dev"
    out = clean(sh.run("cd /; fail again")).splitlines()
    assert [line for line in out if line.startswith("Exception")] == ["Exception: again"], out
    assert "Exception" not in clean(sh.run(sh.noop))
    assert sh.get("AWS_PROFILE") is None


# A prompt like starship's: it reads $?, the pipeline's statuses and AWS_PROFILE into PS1.
# The marker comes from a variable, so the typed line never contains it.
BASH_PROMPT = (
    '_prompt() { local s=$? p=("${BP_PIPESTATUS[@]:-${PIPESTATUS[@]}}"); '
    "PS1=\"[${AWS_PROFILE-}|$s|${p[*]}]$__m\"$'\\n'; }"
)
ZSH_PROMPT = "_prompt() { local s=$? p=($pipestatus); PS1=\"[${AWS_PROFILE-}|$s|$p]$__m\"$'\\n'; }"
# bash-preexec: the stand-in, or the original named by SSOENV_TEST_BASH_PREEXEC.
BASH_PREEXEC = ["source %s" % bash_preexec()]


def prompt_shell(open_shell, shell, order):
    """A shell whose prompt reads AWS_PROFILE, $? and the pipeline's statuses, loaded before
    or after the hook line (`order`: "before", "after", "preexec-before", "preexec-after")."""
    sh = open_shell(shell, hook=False)
    half = len(sh.marker) // 2
    assign = "set -g __m '%s''%s'" if shell == "fish" else "__m='%s''%s'"
    sh.run(assign % (sh.marker[:half], sh.marker[half:]))
    if shell == "fish":
        sh.run(
            "function fish_prompt; set -l s $status; set -l p $pipestatus; "
            'printf \'[%s|%s|%s]%s%s\\n\' "$AWS_PROFILE" $s "$p" $__m $__t_n; end'
        )
        sh.hook()
        return sh
    define = BASH_PROMPT if shell == "bash" else ZSH_PROMPT
    if shell == "zsh":
        install = ["precmd_functions+=(_prompt)"]
    elif order.startswith("preexec"):
        install = BASH_PREEXEC + ["precmd_functions+=(_prompt)"]
    elif order == "before":
        install = ["PROMPT_COMMAND=_prompt"]
    else:
        # starship's own way when loaded after another PROMPT_COMMAND user: it keeps that
        # one and runs it from its function, after reading the statuses.
        define = BASH_PROMPT.replace('}"); ', '}"); eval "${_PRESERVED_PROMPT_COMMAND-}"; ', 1)
        install = ["_PRESERVED_PROMPT_COMMAND=${PROMPT_COMMAND-}; PROMPT_COMMAND=_prompt"]
    if order.endswith("after"):
        sh.hook()
    sh.run(define)
    for line in install:
        sh.run(line)
    if order.endswith("before"):
        sh.hook()
    sh.run(sh.noop)
    return sh


def shown(text: str) -> str:
    """What the prompt showed: the last [profile|status|pipestatus] before the marker."""
    found = re.findall(r"\[([^\[\]\n]*)\]$", clean(text), re.M)
    assert found, text
    return found[-1]


@pytest.mark.parametrize(
    "shell,order",
    [
        ("bash", "before"),
        ("bash", "after"),
        ("bash", "preexec-before"),
        ("bash", "preexec-after"),
        ("zsh", "before"),
        ("zsh", "after"),
        ("fish", "before"),
    ],
)
def test_prompt_shows_the_profile_in_effect_and_the_commands_statuses(
    sandbox, open_shell, shell, order
):
    a = sandbox.project("shop", "profile: dev\n")
    b = sandbox.project("web", "profile: prod\n")
    sh = prompt_shell(open_shell, shell, order)
    pipeline = "false | true | sh -c 'exit 4'"
    assert shown(sh.run("cd %s; %s" % (a, pipeline))) == "dev|4|1 0 4"
    assert shown(sh.run("cd %s" % b)) == "prod|0|0"
    assert shown(sh.run("false")) == "prod|1|1"
    # Not only a cd: a deny, an allow and an edit show at the very next prompt.
    assert shown(sh.run("ssoenv deny")) == "|0|0"
    assert shown(sh.run("ssoenv allow")) == "prod|0|0"
    sandbox.write("web/.ssoenv", "profile: dev\n")
    sandbox.ssoenv("allow", b)
    assert shown(sh.run("true | false")) == "dev|1|0 1"
    assert shown(sh.run("cd /")) == "|0|0"
    if shell == "bash" and order == "after":
        # Loaded again, the hook goes in front, and out of what starship runs for it.
        sh.hook()
        assert shown(sh.run("cd %s; %s" % (a, pipeline))) == "dev|4|1 0 4"
        assert sh.get("PROMPT_COMMAND").startswith("_ssoenv_hook;")
        assert sh.get("_PRESERVED_PROMPT_COMMAND") == ""
        sh.run("cd /")
    if order == "preexec-after":
        # The hook moved into precmd_functions, in front, and out of PROMPT_COMMAND.
        sh.run(
            'printf \'%%s,\' "${precmd_functions[@]}" "${PROMPT_COMMAND[@]}" > %s'
            % sandbox.path("pc")
        )
        with open(sandbox.path("pc")) as f:
            entries = f.read().split(",")
        # bash-preexec adds `precmd` at its first prompt, here before _prompt.
        assert entries[:3] == ["_ssoenv_hook", "precmd", "_prompt"]
        assert not any("_ssoenv" in e for e in entries[3:])
        assert entries[-3:] == ['__bp_precmd_invoke_cmd "$_"', "__bp_interactive_mode", ""]
    if shell == "bash":
        # `! cmd` and pipefail are replayed as they were.
        assert shown(sh.run("! true")) == "|1|0"
        sh.run("set -o pipefail")
        assert shown(sh.run("false | true")) == "|1|1 0"


def test_xonsh_prompt_shows_the_profile_in_effect(sandbox, open_shell):
    a = sandbox.project("shop", "profile: dev\n")
    b = sandbox.project("web", "profile: prod\n")
    sh = open_shell("xonsh")
    # The prompt reads AWS_PROFILE each time it is drawn; the marker comes from a variable.
    half = len(sh.marker) // 2
    sh.run("__m = '%s' '%s'" % (sh.marker[:half], sh.marker[half:]))
    sh.run(
        "$PROMPT = lambda: '[' + __xonsh__.env.get('AWS_PROFILE', '') + ']\\n' + __m + "
        "str(__t_n[0]) + '\\n'"
    )
    assert shown(sh.run("cd %s" % a)) == "dev"
    assert shown(sh.run("cd %s" % b)) == "prod"
    # Not only a cd: a deny, an allow and an edit show at the very next prompt.
    assert shown(sh.run("ssoenv deny")) == ""
    assert shown(sh.run("ssoenv allow")) == "prod"
    sandbox.write("web/.ssoenv", "profile: dev\n")
    sandbox.ssoenv("allow", b)
    assert shown(sh.run(sh.noop)) == "dev"
    assert shown(sh.run("cd /")) == ""


def test_elvish_prompt_shows_the_profile_in_effect(sandbox, open_shell):
    a = sandbox.project("shop", "profile: dev\n")
    b = sandbox.project("web", "profile: prod\n")
    sh = open_shell("elvish")
    # elvish redraws only what changed in its prompt: what the prompt function read each
    # time it ran goes to a file, a line each. The marker comes from a variable.
    drawn = sandbox.path("drawn")
    half = len(sh.marker) // 2
    sh.run("var __m = '%s'\"%s\"" % (sh.marker[:half], sh.marker[half:]))
    sh.run("var __f = '%s'" % drawn)
    sh.run(
        "set edit:prompt = { print (if (has-env AWS_PROFILE) { get-env AWS_PROFILE } "
        'else { put none })"\\n" >> $__f; print [x y][(% $__t_n 2)](to-string $__t_n)$__m"\\n" }'
    )

    def at_prompt(line):
        sh.run(line)
        with open(drawn) as f:
            return f.read().splitlines()[-1]

    assert at_prompt("cd %s" % a) == "dev"
    assert at_prompt("cd %s" % b) == "prod"
    # Not only a cd: a deny, an allow and an edit show at the very next prompt.
    assert at_prompt("ssoenv deny") == "none"
    assert at_prompt("ssoenv allow") == "prod"
    sandbox.write("web/.ssoenv", "profile: dev\n")
    sandbox.ssoenv("allow", b)
    assert at_prompt(sh.noop) == "dev"
    assert at_prompt("cd /") == "none"


def test_bash_hook_sourced_again_stays_first_once(sandbox, open_shell):
    proj = sandbox.project("shop", "profile: dev\n")
    sh = open_shell("bash", hook=False, setup=["PROMPT_COMMAND=': first'"])
    sh.hook()
    sh.run("PROMPT_COMMAND+=$'\\n: later'")
    sh.hook()
    sh.run("cd %s" % proj)
    assert sh.get("AWS_PROFILE") == "dev"
    lines = sh.get("PROMPT_COMMAND").split("\n")
    assert lines[0].startswith("_ssoenv_hook;")
    assert lines[1:] == [": first", ": later"]
    assert sh.get("PROMPT_COMMAND").count("_ssoenv_hook") == 1


def test_bash_array_prompt_command_gets_the_hook_first_once(sandbox, open_shell):
    proj = sandbox.project("shop", "profile: dev\n")
    sh = open_shell("bash", hook=False, setup=["PROMPT_COMMAND=(': first' ': second')"])
    sh.hook()
    sh.hook()
    sh.run("cd %s" % proj)
    assert sh.get("AWS_PROFILE") == "dev"
    sh.run("printf '%%s,' \"${PROMPT_COMMAND[@]}\" > %s" % sandbox.path("pc"))
    with open(sandbox.path("pc")) as f:
        entries = f.read().split(",")
    assert entries[0].startswith("_ssoenv_hook;")
    assert entries[1:] == [": first", ": second", ""]


def test_bash_preexec_users_get_the_first_precmd_function(sandbox, open_shell):
    proj = sandbox.project("shop", "profile: dev\n")
    sh = open_shell("bash", hook=False, setup=BASH_PREEXEC + ["precmd_functions+=(_other)"])
    sh.run("_other() { :; }")
    sh.hook()
    sh.hook()
    sh.run("cd %s" % proj)
    assert sh.get("AWS_PROFILE") == "dev"
    sh.run("printf '%%s,' \"${PROMPT_COMMAND[@]}\" > %s" % sandbox.path("pc"))
    with open(sandbox.path("pc")) as f:
        assert f.read() == '__bp_precmd_invoke_cmd "$_",__bp_interactive_mode,'
    sh.run("printf '%%s,' \"${precmd_functions[@]}\" > %s" % sandbox.path("pf"))
    with open(sandbox.path("pf")) as f:
        assert f.read() == "_ssoenv_hook,precmd,_other,"


@pytest.mark.parametrize("shell", EVERY)
def test_hook_sourced_twice_runs_once(sandbox, open_shell, shell):
    proj = sandbox.project("shop", "profile: dev\n")
    sh = open_shell(shell)
    sh.hook()
    out = ssoenv_lines(sh.run("cd %s" % proj))
    assert out.count("ssoenv: loaded ~/shop/.ssoenv (profile dev)") == 1
    if shell == "bash":
        assert sh.get("PROMPT_COMMAND").count("_ssoenv_hook") == 1
    elif shell == "zsh":
        sh.run('printf "%%s," $precmd_functions $chpwd_functions > %s' % sandbox.path("hooks"))
        with open(sandbox.path("hooks")) as f:
            assert f.read() == "_ssoenv_hook,_ssoenv_hook,"


@pytest.mark.parametrize("shell", POSIX)
def test_hook_works_under_set_u(sandbox, open_shell, shell):
    a = sandbox.project("a", "profile: dev\n")
    b = sandbox.project("b", "profile: prod\n", allow=False)
    sh = open_shell(shell, setup=["set -u"])
    text = sh.run("cd %s" % a) + sh.run("cd %s" % b) + sh.run("cd /") + sh.run(sh.noop)
    assert "unbound" not in text and "parameter not set" not in text
    sh.run("cd %s" % a)
    assert sh.get("AWS_PROFILE") == "dev"


# What each shell has of `set -u`, `set -e` and friends that the hook could trip on.
STRICT_SETTINGS = {
    # noclobber: `>` refuses an existing file; noglob: no file name expansion.
    "tcsh": ["set noclobber", "set noglob"],
    # A failing command, or one that cannot start, raises; tracebacks in full.
    "xonsh": ["$RAISE_SUBPROC_ERROR = True", "$XONSH_SHOW_TRACEBACK = True"],
}


@pytest.mark.parametrize("shell", ["tcsh", "xonsh"])
def test_hook_works_under_the_shells_strict_settings(sandbox, open_shell, shell):
    a = sandbox.project("a", "profile: dev\n")
    b = sandbox.project("b", "profile: prod\n", allow=False)
    sh = open_shell(shell, hook=False, setup=STRICT_SETTINGS[shell])
    sh.hook()
    text = sh.run("cd %s" % a) + sh.run(sh.noop) + sh.run("cd %s" % b) + sh.run("cd /")
    text += sh.run(sh.noop)
    for error in ("Undefined variable", "File exists", "No match", "Traceback", "Error"):
        assert error not in text
    assert ssoenv_lines(text) == [
        "ssoenv: loaded ~/a/.ssoenv (profile dev)",
        'ssoenv: session "myorg" is not logged in; run: ssoenv login',
        "ssoenv: unloaded ~/a/.ssoenv",
        "ssoenv: ~/b/.ssoenv is not allowed; run: ssoenv allow",
    ]
    sh.run("cd %s" % a)
    assert sh.get("AWS_PROFILE") == "dev"


@pytest.mark.parametrize("shell", SHELLS)
def test_aliases_named_like_builtins_do_not_break_the_hook(sandbox, open_shell, shell):
    proj = sandbox.project("shop", "profile: dev\n")
    if shell == "fish":
        setup = [
            "function source; echo HIJACKED; end",
            "function test; echo HIJACKED; end",
            "function string; echo HIJACKED; end",
        ]
    else:
        setup = [
            "alias eval='echo HIJACKED'",
            "alias cd='echo HIJACKED; builtin cd'",
            "alias printf='echo HIJACKED'",
            "alias local='echo HIJACKED'",
            "alias return='echo HIJACKED'",
        ]
    sh = open_shell(shell, hook=False, setup=setup)
    exe = ssoenv_executable()
    # The user's own rc line must dodge such an alias too; the hook's body then needs nothing.
    if shell == "fish":
        sh.run("%s hook fish | builtin source" % exe)
    else:
        sh.run('builtin eval "$(%s hook %s)"' % (exe, shell))
    out = sh.run("builtin cd %s" % proj) + sh.run("builtin cd sub")
    assert "HIJACKED" not in out
    assert sh.get("AWS_PROFILE") == "dev"


# The builtins the tcsh hook runs that a user's alias can take and that it escapes, and a
# line that shows the alias in force. (tcsh refuses an alias of `alias`; for `set`, `if`,
# `else`, `endif`, `while`, `foreach` and `end`, which have no escape, see the top.)
TCSH_BUILTINS = {
    "source": "source /dev/null",
    "eval": "eval :",
    "unset": "unset x",
    "@": "@ x = 1",
    "setenv": "setenv X 1",
    "unsetenv": "unsetenv X",
    "printenv": "printenv X",
    "break": "break",
}


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("name", sorted(TCSH_BUILTINS))
def test_tcsh_aliases_of_builtins_do_not_break_the_hook(sandbox, open_shell, name, when):
    proj = sandbox.project("shop", "profile: dev\nenv:\n  STAGE: dev\n")
    alias = "alias %s 'echo HIJACKED'" % name
    sh = open_shell("tcsh", hook=False, setup=[alias] if when == "before" else [])
    # The user's own rc line must dodge an alias of eval; the hook's lines then need nothing.
    sh.run('""eval "`%s hook tcsh`"' % ssoenv_executable())
    # tcsh expands aliases when a line runs: ones defined after the hook line count too.
    if when == "after":
        sh.run(alias)
    assert "HIJACKED" in sh.run(TCSH_BUILTINS[name])
    out = sh.run("chdir %s" % proj) + sh.run("chdir sub") + sh.run(":") + sh.run("chdir /")
    out += sh.run("chdir %s" % proj)
    assert "HIJACKED" not in out
    assert "ssoenv: loaded ~/shop/.ssoenv (profile dev)" in ssoenv_lines(out)
    sh.run("unalias %s" % name)
    assert sh.get("STAGE") == "dev"


# Functions of the user's, in rc.elv before the hook line, named like builtins the hook
# uses; the harness's own (print, has-env, get-env) stay.
ELVISH_NAMES = ("slurp", "put", "each", "nop", "eq", "not-eq", "set-env", "unset-env", "echo")


def test_elvish_functions_named_like_builtins_do_not_break_the_hook(sandbox, open_shell):
    proj = sandbox.project("shop", "profile: dev\nenv:\n  STAGE: dev\n")
    setup = ["fn %s {|@a| print HIJACKED }" % name for name in ELVISH_NAMES + ("eval",)]
    sh = open_shell("elvish", hook=False, setup=setup)
    assert "HIJACKED" in sh.run("echo x")
    # The user's own rc line must dodge them too, through the builtin module.
    sh.run("use builtin; builtin:eval (%s hook elvish | builtin:slurp)" % ssoenv_executable())
    out = sh.run("cd %s" % proj) + sh.run("cd sub") + sh.run("builtin:nop") + sh.run("cd /")
    out += sh.run("cd %s" % proj)
    assert "HIJACKED" not in out
    assert "Exception" not in out
    assert sh.get("STAGE") == "dev"
    # A shell started in the project: the hook line applies it at once.
    sh = open_shell("elvish", hook=False, setup=["cd %s" % proj] + setup)
    out = sh.run("use builtin; builtin:eval (%s hook elvish | builtin:slurp)" % ssoenv_executable())
    assert "HIJACKED" not in out + sh.run("builtin:nop")
    assert "ssoenv: loaded ~/shop/.ssoenv (profile dev)" in ssoenv_lines(out)
    assert sh.get("STAGE") == "dev"


# xonsh looks a name up when the hook runs: the user's own Python names, defined before or
# after the hook line, must not take the place of the builtins the hook calls.
XONSH_NAMES = (
    "exec",
    "compile",
    "print",
    "getattr",
    "list",
    "bool",
    "int",
    "OSError",
    "ValueError",
)


@pytest.mark.parametrize("when", ["before", "after"])
def test_xonsh_names_defined_beside_the_hook_do_not_break_it(sandbox, open_shell, when):
    proj = sandbox.project("shop", "profile: dev\nenv:\n  STAGE: dev\n")
    sh = open_shell("xonsh", hook=when == "after")
    sh.run("import sys as __t_sys")
    for name in XONSH_NAMES:
        sh.run("%s = lambda *a, **k: __t_sys.stdout.write('HIJACKED\\n')" % name)
    if when == "before":
        sh.hook()
    # They are in effect where the user types.
    assert "HIJACKED" in sh.run("print('x')")
    out = sh.run("cd %s" % proj) + sh.run("cd sub") + sh.run("cd /")
    out += sh.run("cd %s" % proj)
    assert "HIJACKED" not in out
    assert "Traceback" not in out
    assert sh.get("STAGE") == "dev"


@pytest.mark.parametrize("shell", EVERY)
def test_uninstalled_ssoenv_leaves_prompt_working_with_one_error_line(sandbox, open_shell, shell):
    proj = sandbox.project("shop", "profile: dev\n")
    # An installation of ssoenv that is removed while the shell runs.
    install = os.path.join(sandbox.root, "install")
    # ssoenv's package and the scripts beside it, as a checkout lays them out (the
    # checkout's virtual environment would cost hundreds of megabytes to copy).
    checkout = os.path.dirname(os.path.dirname(os.path.abspath(__import__("ssoenv").__file__)))
    for part in ("ssoenv", "shell", "completions"):
        shutil.copytree(
            os.path.join(checkout, part),
            os.path.join(install, part),
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    sh = open_shell(shell, hook=False, extra_env={"PYTHONPATH": install})
    sh.load("%s -m ssoenv hook %s" % (sys.executable, shell))
    sh.run("cd %s" % proj)
    assert sh.get("AWS_PROFILE") == "dev"
    shutil.rmtree(install)
    out = ssoenv_lines(sh.run("cd /"))
    assert len(out) == 1
    assert out[0].startswith("ssoenv: cannot run ssoenv (installed as ")
    assert out[0].endswith(
        "); reinstall it or remove its hook from %s"
        % {
            "bash": "~/.bashrc",
            "zsh": "~/.zshrc",
            "fish": "config.fish",
            "tcsh": "~/.tcshrc",
            "elvish": "rc.elv",
            "xonsh": "~/.xonshrc",
        }[shell]
    )
    assert ssoenv_lines(sh.run(sh.noop)) == []
    if shell not in ("elvish", "xonsh"):  # exceptions or objects, not an exit status
        assert sh.status("false") == "1"


@pytest.mark.parametrize("shell", EVERY)
def test_bad_file_prints_one_line_and_unloads_previous_project(sandbox, open_shell, shell):
    a = sandbox.project("a", "profile: dev\n")
    # Shown whether or not it is allowed: an invalid file cannot be allowed.
    b = sandbox.project("b", "profile: dev\nregion: [oops\n", allow=False)
    sh = open_shell(shell)
    sh.run("cd %s" % a)
    out = ssoenv_lines(sh.run("cd %s" % b))
    assert out[0] == "ssoenv: unloaded ~/a/.ssoenv"
    assert out[1].startswith("ssoenv: ~/b/.ssoenv: line 3: invalid YAML")
    assert len(out) == 2
    assert "Traceback" not in sh.output
    assert sh.get("AWS_PROFILE") is None


@pytest.mark.parametrize("shell", EVERY)
def test_deleted_current_directory_unloads_and_says_so(sandbox, open_shell, shell):
    proj = sandbox.project("shop", "profile: dev\n")
    sh = open_shell(shell)
    sh.run("cd %s/sub/deeper" % proj)
    assert sh.get("AWS_PROFILE") == "dev"
    shutil.rmtree(os.path.join(proj, "sub"))
    out = ssoenv_lines(sh.run(sh.noop))
    assert any("no longer exists" in line for line in out), out
    assert sh.get("AWS_PROFILE") is None
    assert ssoenv_lines(sh.run(sh.noop)) == []
    sh.run("cd %s" % proj)
    assert sh.get("AWS_PROFILE") == "dev"


@pytest.mark.parametrize("shell", EVERY)
def test_awkward_values_arrive_exactly_and_execute_nothing(sandbox, open_shell, shell):
    canary = sandbox.path("canary")
    value = (
        'it\'s "$HOME" `touch %s` $(touch %s) \\ back\\\\slash\nline2\ttab ünïcødé ✓ \x1b[1m'
        % (
            canary,
            canary,
        )
    )
    import json

    proj = sandbox.project("shop", "profile: dev\nenv:\n  WEIRD: %s\n" % json.dumps(value))
    sh = open_shell(shell)
    sh.run("cd %s" % proj)
    assert sh.get("WEIRD") == value
    assert not os.path.exists(canary)
    sh.run("cd /")
    assert sh.get("WEIRD") is None


DIRENV_SHELLS = SHELLS + ("tcsh", "elvish")


def direnv_hook_line(sandbox, shell) -> str:
    """The rc-file line that loads direnv's hook in `shell`. Debian 12's direnv 2.32 prints an
    elvish hook with `except e`, which its elvish 0.19 refuses (0.19 spells it `catch e`): the
    line loads a copy of direnv's own hook with that one word corrected, as a user must."""
    direnv = shutil.which("direnv")
    assert direnv, "direnv is not installed; .ci/run installs it with apt-get"
    if shell == "fish":
        return "%s hook fish | source" % direnv
    if shell == "tcsh":
        return 'eval "`%s hook tcsh`"' % direnv
    if shell == "elvish":
        text = subprocess.run(
            [direnv, "hook", "elvish"], env=sandbox.env(), capture_output=True, text=True
        ).stdout
        return "eval (slurp < %s)" % sandbox.write("direnv-hook.elv", elvish_019(text))
    return 'eval "$(%s hook %s)"' % (direnv, shell)


def elvish_019(direnv_hook: str) -> str:
    """direnv's elvish hook as elvish 0.19 reads it (`catch e` for `except e`)."""
    return direnv_hook.replace("} except e {", "} catch e {")


@pytest.mark.parametrize("shell", DIRENV_SHELLS)
def test_direnv_and_ssoenv_hooks_coexist(sandbox, open_shell, shell):
    direnv = shutil.which("direnv")
    assert direnv, "direnv is not installed; .ci/run installs it with apt-get"
    proj = sandbox.project("shop", "profile: dev\n")
    sandbox.write("shop/.envrc", "export FROM_DIRENV=yes\n")
    subprocess.run([direnv, "allow", proj], env=sandbox.env(), check=True, capture_output=True)
    sh = open_shell(shell, hook=False)
    sh.run(direnv_hook_line(sandbox, shell))
    sh.hook()
    sh.run("cd %s" % proj)
    sh.run(sh.noop)
    assert sh.get("FROM_DIRENV") == "yes"
    assert sh.get("AWS_PROFILE") == "dev"
    sh.run("cd /")
    sh.run(sh.noop)
    assert sh.get("FROM_DIRENV") is None
    assert sh.get("AWS_PROFILE") is None


class ProcessCounter:
    """Counts the processes a shell starts, threads aside, by tracing it with strace."""

    def __init__(self, sh, sandbox):
        strace = shutil.which("strace")
        assert strace, "strace is not installed; .ci/run installs it with apt-get"
        self.log = sandbox.path("strace-%d.log" % sh.child.pid)
        self.proc = subprocess.Popen(
            [
                strace,
                "-f",
                # Whole strings: a long checkout path must not cut `launch.py` off.
                "-s",
                "4096",
                "-e",
                "trace=execve,fork,vfork,clone,clone3",
                "-o",
                self.log,
                "-p",
                str(sh.child.pid),
            ],
            stderr=subprocess.PIPE,
            text=True,
        )
        # strace says it is attached before it traces anything.
        assert "attached" in self.proc.stderr.readline()

    def stop(self) -> list:
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=10)
        started = []
        with open(self.log) as f:
            for line in f:
                if re.search(r"\b(execve|vfork|fork)\(", line):
                    started.append(line.strip())
                elif re.search(r"\bclone3?\(", line) and "CLONE_THREAD" not in line:
                    started.append(line.strip())
        return started


@pytest.mark.parametrize("shell", EVERY)
def test_unchanged_prompt_and_moves_inside_a_project_start_no_process(sandbox, open_shell, shell):
    proj = sandbox.project("shop", "profile: dev\n")
    sh = open_shell(shell)
    sh.run("cd %s" % proj)
    assert sh.get("AWS_PROFILE") == "dev"
    counter = ProcessCounter(sh, sandbox)
    for _ in range(5):
        sh.run(sh.noop)
    sh.run("cd sub")
    sh.run("cd deeper")
    sh.run("cd %s" % proj)
    assert counter.stop() == []
    # The same count sees the export process when something did change.
    counter = ProcessCounter(sh, sandbox)
    sh.run("cd /")
    assert len(counter.stop()) >= 1
    assert sh.get("AWS_PROFILE") is None


def set_var(shell: str, name: str, value: str) -> str:
    return {
        "fish": "set -gx %s %s",
        "tcsh": "setenv %s %s",
        "elvish": "set-env %s %s",
        "xonsh": "$%s = '%s'",
    }.get(shell, "export %s=%s") % (name, value)


@pytest.mark.parametrize("shell", EVERY)
def test_entering_a_project_applies_it_over_a_hand_set_profile(sandbox, open_shell, shell):
    shop = sandbox.project("shop", "profile: dev\n")
    web = sandbox.project("web", "profile: dev\n")
    sh = open_shell(shell)
    sh.run("cd %s" % shop)
    sh.run(set_var(shell, "AWS_PROFILE", "prod"))
    status = clean(sh.run("ssoenv status"))
    assert "changed:  AWS_PROFILE=prod (by hand since ssoenv set it; kept when you leave)" in status
    assert "applied:  nothing" in status
    out = ssoenv_lines(sh.run("cd %s" % web))
    assert "ssoenv: loaded ~/web/.ssoenv (profile dev)" in out
    assert sh.get("AWS_PROFILE") == "dev"
    assert "applied:  AWS_PROFILE=dev" in clean(sh.run("ssoenv status"))
    # Leaving puts back what entering found: the value set by hand.
    sh.run("cd %s" % sandbox.home)
    assert sh.get("AWS_PROFILE") == "prod"


@pytest.mark.parametrize("shell", EVERY)
def test_a_default_profile_set_by_hand_never_outranks_the_project(sandbox, open_shell, shell):
    # botocore (the AWS CLI, boto3) takes AWS_DEFAULT_PROFILE before AWS_PROFILE: left
    # alone, it would run every command inside the project as prod under a prompt saying dev.
    proj = sandbox.project("shop", "profile: dev\n")
    sh = open_shell(shell)
    sh.run(set_var(shell, "AWS_DEFAULT_PROFILE", "prod"))
    sh.run("cd %s" % proj)
    assert sh.get("AWS_PROFILE") == "dev"
    assert sh.get("AWS_DEFAULT_PROFILE") is None
    botocore = "import botocore.session as s; print(s.Session().profile)"
    said = clean(sh.run("%s -c '%s'" % (sys.executable, botocore))).splitlines()
    assert said[-1] == "dev"
    status = clean(sh.run("ssoenv status"))
    assert "applied:  AWS_DEFAULT_PROFILE=(unset), AWS_PROFILE=dev" in status
    assert "problem:" not in status
    # A profile then set by hand is the one every tool uses, as the prompt shows.
    sh.run(set_var(shell, "AWS_PROFILE", "stage"))
    said = clean(sh.run("%s -c '%s'" % (sys.executable, botocore))).splitlines()
    assert said[-1] == "stage"
    # Leaving puts back what entering found, and keeps what was set by hand since; the two
    # variables now disagree, and status says which one the AWS CLI takes.
    sh.run("cd %s" % sandbox.home)
    assert sh.get("AWS_DEFAULT_PROFILE") == "prod"
    assert sh.get("AWS_PROFILE") == "stage"
    assert (
        "warning:  AWS_DEFAULT_PROFILE=prod outranks AWS_PROFILE=stage for the AWS CLI and "
        "boto3 (other SDKs take AWS_PROFILE); unset AWS_DEFAULT_PROFILE"
    ) in clean(sh.run("ssoenv status"))


def direnv_shell(sandbox, open_shell, shell, order):
    """A shell with direnv's hook loaded before or after ssoenv's, and two directories
    whose .envrc and .ssoenv overlap (`direnv_projects`)."""
    line = direnv_projects(sandbox, shell)
    sh = open_shell(shell, hook=False)
    if order == "direnv first":
        sh.run(line)
        sh.hook()
    else:
        sh.hook()
        sh.run(line)
    sh.run(sh.noop)
    return sh


def direnv_projects(sandbox, shell) -> str:
    """Two directories whose .envrc and .ssoenv overlap, both allowed: both/ (STAGE; dev in
    eu-central-1) and both2/ (direnv: prod in us-west-2; ssoenv: dev). Returns the line
    that loads direnv's hook in `shell`."""
    direnv = shutil.which("direnv")
    assert direnv, "direnv is not installed; .ci/run installs it with apt-get"
    sandbox.project("both", "profile: dev\nregion: eu-central-1\n")
    sandbox.write("both/.envrc", "export STAGE=both\n")
    sandbox.project("both2", "profile: dev\n")
    sandbox.write(
        "both2/.envrc", "export AWS_PROFILE=prod AWS_DEFAULT_PROFILE=prod AWS_REGION=us-west-2\n"
    )
    for name in ("both", "both2"):
        subprocess.run(
            [direnv, "allow", sandbox.path(name)],
            env=sandbox.env(),
            check=True,
            capture_output=True,
        )
    return direnv_hook_line(sandbox, shell)


AWS_VARS = ("AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "STAGE", "AWS_DEFAULT_PROFILE")


@pytest.mark.parametrize("order", ["direnv first", "ssoenv first"])
@pytest.mark.parametrize("shell", DIRENV_SHELLS)
@pytest.mark.parametrize("path", [("both", "both2"), ("both2", "both"), ("both2",)])
def test_direnv_alongside_ssoenv_wins_for_aws_and_leaving_restores_both(
    sandbox, open_shell, shell, order, path
):
    sh = direnv_shell(sandbox, open_shell, shell, order)
    # Set in the shell's rc: botocore takes it before AWS_PROFILE, so projects unset it.
    sh.run(set_var(shell, "AWS_DEFAULT_PROFILE", "orig"))
    sh.run(sh.noop)
    for name in path:
        out = ssoenv_lines(sh.run("cd %s" % sandbox.path(name)) + sh.run(sh.noop))
        if name == "both2":
            line = (
                "ssoenv: ~/both2/.envrc also sets AWS_DEFAULT_PROFILE, AWS_PROFILE; "
                "~/both2/.ssoenv's values win"
            )
            assert out.count(line) == 1, out
            assert [sh.get(v) for v in AWS_VARS] == ["dev", "us-west-2", None, None, None]
        else:
            assert not any("also sets" in line for line in out), out
            assert [sh.get(v) for v in AWS_VARS] == [
                "dev",
                "eu-central-1",
                "eu-central-1",
                "both",
                None,
            ]
    # Said once per directory: moving inside says nothing again.
    assert ssoenv_lines(sh.run("cd sub") + sh.run(sh.noop) + sh.run("cd ..")) == []
    sh.run("cd %s" % sandbox.home)
    sh.run(sh.noop)
    assert [sh.get(v) for v in AWS_VARS] == [None, None, None, None, "orig"]


@pytest.mark.parametrize("shell", DIRENV_SHELLS)
def test_direnv_loaded_after_ssoenv_in_a_project_is_overridden_at_the_first_prompt(
    sandbox, open_shell, shell
):
    # A terminal opened in a project, with direnv's hook line after ssoenv's in the rc file:
    # the very first prompt already shows ssoenv's profile, not the .envrc's.
    line = direnv_projects(sandbox, shell)
    sh = open_shell(shell, hook=False)
    sh.run("cd %s" % sandbox.path("both2"))
    if shell in ("tcsh", "elvish"):
        # As the rc file runs them: both lines before the first prompt. Typed at two
        # prompts, the hook takes its place after direnv's at the second one: tcsh cannot
        # read its precmd alias without starting a process, so it looks when the last
        # prompt did not run the hook; elvish's hook looks at its first prompt only.
        hook = {"tcsh": 'eval "`%s hook tcsh`"', "elvish": "eval (%s hook elvish | slurp)"}
        sh.run((hook[shell] % ssoenv_executable()) + "; " + line)
    else:
        sh.hook()
        sh.run(line)
    assert [sh.get(v) for v in AWS_VARS] == ["dev", "us-west-2", None, None, None]
    sh.run("cd %s" % sandbox.home)
    sh.run(sh.noop)
    assert [sh.get(v) for v in AWS_VARS] == [None, None, None, None, None]


OPS_PROFILE = """
[profile ops]
sso_session = myorg
sso_account_id = 333333333333
sso_role_name = Admin
"""


@pytest.mark.parametrize("shell", EVERY)
@pytest.mark.parametrize("kind", ["portable", "named", "account name"])
def test_adding_the_missing_profile_applies_at_the_next_prompt(sandbox, open_shell, shell, kind):
    text = {
        "portable": 'account: "333333333333"\nrole: Admin\n',
        "named": "profile: ops\n",
        "account name": "account: shop-ops\nrole: Admin\n",
    }[kind]
    if kind == "account name":
        # The profile is there; the account's name is not known yet.
        with open(sandbox.path(".aws/config"), "a") as f:
            f.write(OPS_PROFILE)
    proj = sandbox.project("shop", text)
    sh = open_shell(shell)
    out = ssoenv_lines(sh.run("cd %s" % proj))
    assert out and out[0].startswith("ssoenv: ~/shop/.ssoenv: "), out
    if kind == "account name" and len(out) == 2:
        # A shell that checks at `cd` and again at its prompt (zsh, fish, elvish) may show,
        # before that prompt, how a lookup that ended at once went.
        assert "(looking up account names: not logged in" in out[1], out
    else:
        assert len(out) == 1, out
    assert sh.get("AWS_PROFILE") is None
    if kind == "account name":
        # The lookup the first prompt started in the background (it fails: not logged in)
        # rewrites the names file as it ends: let it end before writing the names over it.
        names = sandbox.path(".cache/ssoenv/account-names.json")
        deadline = time.monotonic() + 60
        while not os.path.exists(names):
            assert time.monotonic() < deadline, "the background lookup never ended"
            time.sleep(0.05)
        # What `ssoenv configure` or `populate` records from the account list.
        sandbox.write(".cache/ssoenv/account-names.json", '{"333333333333": "shop-ops"}')
    else:
        with open(sandbox.path(".aws/config"), "a") as f:
            f.write(OPS_PROFILE)
    assert ssoenv_lines(sh.run(sh.noop))[:1] == ["ssoenv: loaded ~/shop/.ssoenv (profile ops)"]
    assert sh.get("AWS_PROFILE") == "ops"
    # And with nothing changed since, no process at the prompts that follow.
    counter = ProcessCounter(sh, sandbox)
    sh.run(sh.noop)
    sh.run("cd sub")
    assert counter.stop() == []


@pytest.mark.parametrize("shell", EVERY)
def test_project_renamed_while_inside_says_so_in_one_line_and_then_starts_nothing(
    sandbox, open_shell, shell
):
    proj = sandbox.project("shop", "profile: dev\n")
    sh = open_shell(shell)
    sh.run("cd %s/sub" % proj)
    assert sh.get("AWS_PROFILE") == "dev"
    os.rename(proj, sandbox.path("shop2"))
    out = ssoenv_lines(sh.run(sh.noop))
    if shell == "xonsh":
        # xonsh follows the rename: $PWD is the new path at the next prompt.
        assert out == [
            "ssoenv: unloaded ~/shop/.ssoenv",
            "ssoenv: ~/shop2/.ssoenv is not allowed; run: ssoenv allow",
        ]
    else:
        assert out == [
            "ssoenv: unloaded ~/shop/.ssoenv, since ~/shop/sub was moved or renamed; "
            "to load it again, run: cd ~/shop2/sub",
        ]
    assert sh.get("AWS_PROFILE") is None
    counter = ProcessCounter(sh, sandbox)
    for _ in range(3):
        assert ssoenv_lines(sh.run(sh.noop)) == []
    assert counter.stop() == []
    if shell == "xonsh":
        return
    # A file at a new path is not allowed until allowed again.
    assert ssoenv_lines(sh.run("cd %s" % sandbox.path("shop2/sub"))) == [
        "ssoenv: ~/shop2/.ssoenv is not allowed; run: ssoenv allow"
    ]
    assert ssoenv_lines(sh.run(sh.noop)) == []


# What each shell does with a cd inside one command line or a subshell: zsh, fish, elvish
# and xonsh apply the project on the cd itself; bash and tcsh only at the next prompt
# (documented in the README).
ONE_LINER = {
    "bash": None,
    "zsh": "dev",
    "fish": "dev",
    "tcsh": None,
    "elvish": "dev",
    "xonsh": "dev",
}
# elvish has no `&&`: a failing cd raises, which ends the line all the same.
CD_AND_PRINT = {"elvish": "cd %s; printenv AWS_PROFILE > %s"}


@pytest.mark.parametrize("shell", EVERY)
def test_cd_in_a_one_liner_applies_the_project_where_the_shell_can(sandbox, open_shell, shell):
    proj = sandbox.project("shop", "profile: dev\n")
    seen = sandbox.path("seen")
    sandbox.write("seen", "")
    sh = open_shell(shell)
    line = CD_AND_PRINT.get(shell, "cd %s && printenv AWS_PROFILE > %s; true")
    out = sh.run(line % (proj, seen))
    with open(seen) as f:
        assert (f.read().strip() or None) == ONE_LINER[shell]
    # Said once, by the top-level shell, whichever of the cd or the prompt applied it.
    assert ssoenv_lines(out)[:1] == ["ssoenv: loaded ~/shop/.ssoenv (profile dev)"]
    assert [line for line in ssoenv_lines(out) if "loaded" in line] == [
        "ssoenv: loaded ~/shop/.ssoenv (profile dev)"
    ]
    assert sh.get("AWS_PROFILE") == "dev"


@pytest.mark.parametrize("shell", POSIX + ("tcsh",))
def test_subshell_cd_is_silent_and_leaves_the_shell_as_it_was(sandbox, open_shell, shell):
    proj = sandbox.project("shop", "profile: dev\n")
    seen = sandbox.path("seen")
    sh = open_shell(shell)
    out = sh.run("(cd %s && printenv AWS_PROFILE > %s; true)" % (proj, seen))
    if shell == "tcsh":
        # tcsh's subshell runs no precmd: the project is not applied in it at all.
        assert ONE_LINER[shell] is None
    with open(seen) as f:
        assert (f.read().strip() or None) == ONE_LINER[shell]
    assert ssoenv_lines(out) == []
    assert sh.get("AWS_PROFILE") is None
    assert sh.get("SSOENV_FILE") is None


def test_fish_hook_is_inert_when_not_interactive(sandbox):
    proj = sandbox.project("shop", "profile: dev\n")
    hook = subprocess.run(
        [ssoenv_executable(), "hook", "fish"], env=sandbox.env(), capture_output=True, text=True
    ).stdout
    # As config.fish would load it, without the documented is-interactive guard.
    sandbox.write(".config/fish/config.fish", hook)
    run = subprocess.run(
        [
            "fish",
            "-c",
            "cd %s; printf '%%s|' \"$AWS_PROFILE\"; functions -q _ssoenv_hook; "
            "and echo defined; or echo none" % proj,
        ],
        env=sandbox.env(),
        cwd=sandbox.home,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.stdout == "|none\n"
    assert run.stderr == ""


STRICT = {
    "bash": ["bash", "--noprofile", "--norc", "-i", "-euo", "pipefail", "-c"],
    "zsh": ["zsh", "--no-rcs", "-i", "-euo", "pipefail", "-c"],
}


@pytest.mark.parametrize("shell", POSIX)
def test_rendered_hook_runs_under_strict_mode_and_prints_only_its_line(sandbox, shell):
    proj = sandbox.project("shop", "profile: dev\n")
    hook = sandbox.write(
        "hook." + shell,
        subprocess.run(
            [ssoenv_executable(), "hook", shell], env=sandbox.env(), capture_output=True, text=True
        ).stdout,
    )
    script = (
        "source %s; source %s; cd %s; _ssoenv_hook; true | true; _ssoenv_hook; "
        'printf "%%s|" "$AWS_PROFILE"; cd /; _ssoenv_hook; printf "%%s" "${AWS_PROFILE-none}"'
        % (hook, hook, proj)
    )
    run = subprocess.run(
        STRICT[shell] + [script],
        env=sandbox.env(),
        cwd=sandbox.home,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == "dev|none"
    lines = [line for line in run.stderr.splitlines() if not line.startswith("bash: ")]
    assert lines == [
        "ssoenv: loaded ~/shop/.ssoenv (profile dev)",
        'ssoenv: session "myorg" is not logged in; run: ssoenv login',
        "ssoenv: unloaded ~/shop/.ssoenv",
    ]


@pytest.mark.parametrize("shell", EVERY)
def test_status_outside_a_project_says_the_hook_is_active_and_nothing_applies(
    sandbox, open_shell, shell
):
    sh = open_shell(shell)
    status = clean(sh.run("ssoenv status"))
    assert "applied:  nothing" in status.splitlines()
    assert "not active" not in status
    # A child shell without the hook line inherits the marker but not the hook.
    inner = {
        "bash": "bash --norc -c",
        "zsh": "zsh -f -c",
        "fish": "fish --no-config -c",
        "tcsh": "tcsh -f -c",
        "elvish": "elvish -norc -c",
        "xonsh": "xonsh --no-rc -c",
    }[shell]
    status = clean(sh.run("%s 'ssoenv status; true'" % inner))
    assert "applied:  nothing (the hook is not active in this shell)" in status


def test_xonsh_hook_loads_none_of_ssoenv_yaml_boto3_or_click_into_the_shell(sandbox, open_shell):
    proj = sandbox.project("shop", "profile: dev\nenv:\n  STAGE: dev\n")
    sh = open_shell("xonsh")
    sh.run("cd %s" % proj)
    assert sh.get("STAGE") == "dev"
    sh.run("cd /")
    assert sh.get("STAGE") is None
    seen = sandbox.path("modules")
    sh.run(
        "import sys as __t_sys; open(%r, 'w').write(' '.join(sorted({m.split('.')[0] for m in "
        "__t_sys.modules} & {'ssoenv', 'yaml', 'boto3', 'botocore', 'click'})) + '|')" % seen
    )
    with open(seen) as f:
        assert f.read() == "|"


@pytest.mark.parametrize("shell", ["tcsh", "xonsh"])
def test_hook_is_inert_in_a_script_that_reads_the_rc_file(sandbox, shell):
    proj = sandbox.project("shop", "profile: dev\n")
    exe = ssoenv_executable()
    # As the rc file would load it in a script started in the project, then a cd.
    script = {
        "tcsh": [
            "tcsh",
            "-f",
            "-c",
            'eval "`%s hook tcsh`"; cd sub; echo "[`printenv AWS_PROFILE`]"; alias precmd' % exe,
        ],
        "xonsh": [
            "xonsh",
            "--no-rc",
            "-c",
            "execx($(%s hook xonsh)); cd sub; print('[%%s]' %% __xonsh__.env.get('AWS_PROFILE', ''))"
            % exe,
        ],
    }[shell]
    run = subprocess.run(
        script, env=sandbox.env(), cwd=proj, capture_output=True, text=True, timeout=60
    )
    assert (run.stdout, run.stderr) == ("[]\n", "")


def precmd_words(sh, sandbox) -> list:
    """The words of tcsh's precmd alias, as `alias precmd` prints it."""
    listing = sandbox.path("alias")
    sh.run("alias precmd >! %s" % listing)
    with open(listing) as f:
        return f.read().split()


# A prompt-drawing command the user appends to tcsh's precmd alias.
USER_PRECMD = "alias precmd \"`alias precmd` ; echo DRAW'N' ; printenv AWS_PROFILE\""


def test_tcsh_keeps_the_users_precmd_after_the_hook_once(sandbox, open_shell):
    proj = sandbox.project("shop", "profile: dev\n")
    # (An undefined variable would be an error, after which tcsh drops the alias.)
    sh = open_shell(
        "tcsh", hook=False, setup=["alias precmd 'echo USER''PRECMD ; printenv AWS_PROFILE'"]
    )
    sh.hook()
    sh.hook()
    out = clean(sh.run("cd %s" % proj))
    # The user's precmd runs after the hook, and sees the project's profile.
    assert out.splitlines()[-2:] == ["USERPRECMD", "dev"]
    assert "ssoenv: loaded ~/shop/.ssoenv (profile dev)" in out
    assert precmd_words(sh, sandbox).count("_ssoenv_precmd") == 1
    assert sh.status("false") == "1"


@pytest.mark.parametrize("order", ["direnv first", "ssoenv first"])
def test_tcsh_precmd_added_after_direnv_and_the_hook_sees_the_project(sandbox, open_shell, order):
    # direnv's tcsh hook sets precmd to its own command alone; a prompt-drawing command the
    # user then appends must run after ssoenv's hook, whichever hook line came first.
    line = direnv_projects(sandbox, "tcsh")
    sh = open_shell("tcsh", hook=False)
    # As in ~/.tcshrc, the user's line comes before the hook has put itself back.
    if order == "direnv first":
        sh.run(line)
    sh.hook()
    if order == "ssoenv first":
        sh.run(line)
    sh.run(USER_PRECMD)
    out = clean(sh.run("cd %s" % sandbox.path("both2")))
    assert out.splitlines()[-2:] == ["DRAWN", "dev"], out
    # Back in place, the hook looks no more: an unchanged prompt starts direnv alone.
    counter = ProcessCounter(sh, sandbox)
    sh.run(":")
    sh.run(":")
    started = [each for each in counter.stop() if "execve(" in each]
    assert started and all("direnv" in each.split(",")[0] for each in started), started
    out = clean(sh.run("cd %s" % sandbox.home) + sh.run(":"))
    assert out.splitlines()[-1] == "DRAWN", out
    words = precmd_words(sh, sandbox)
    # direnv's command, then the hook, once, then the user's.
    assert words[:2] == ["eval", "`%s" % line.split("`")[1].split()[0]], words
    assert words.count("_ssoenv_precmd") == 1
    assert words.index("_ssoenv_precmd") < words.index("DRAW'N'"), words
    assert sh.status("false") == "1"


@pytest.mark.parametrize("order", ["no direnv", "direnv first", "ssoenv first"])
def test_tcsh_precmd_appended_in_tcshrc_after_the_hook_stays_and_sees_the_project(
    sandbox, open_shell, order
):
    # ~/.tcshrc runs every line before the first prompt: the hook's, direnv's, then the
    # user's own precmd command appended to what they made. It must run at every prompt,
    # after ssoenv's hook.
    direnv_line = direnv_projects(sandbox, "tcsh")
    hook_line = 'eval "`%s hook tcsh`"' % ssoenv_executable()
    lines = {
        "no direnv": [hook_line],
        "direnv first": [direnv_line, hook_line],
        "ssoenv first": [hook_line, direnv_line],
    }[order]
    rc = sandbox.write("tcshrc", "\n".join(lines + [USER_PRECMD]) + "\n")
    sh = open_shell("tcsh", hook=False)
    assert clean(sh.run("source %s" % rc)).splitlines()[-1:] == ["DRAWN"]
    for _ in range(2):
        assert clean(sh.run(":")).splitlines()[-1:] == ["DRAWN"]
    out = clean(sh.run("cd %s" % sandbox.path("both2")))
    assert out.splitlines()[-2:] == ["DRAWN", "dev"], out
    words = precmd_words(sh, sandbox)
    assert words.count("_ssoenv_precmd") == 1, words
    assert words.index("_ssoenv_precmd") < words.index("DRAW'N'"), words
