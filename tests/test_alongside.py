"""direnv beside the hook, in real interactive shells: at every stop of a walk through
`.ssoenv` and `.envrc` files, the profile in effect is the one the README's rule names.

The rule, per variable: the nearest `.ssoenv` if it is allowed and sets it; else the
nearest `.envrc` if it sets it; else what the shell started with. A value set by hand
stays until a file that sets the variable is entered, left or changed (see `Model`)."""

import os
import re
import shutil
import subprocess

import allowing
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from live_shell import SHELLS, LiveShell, Sandbox, ssoenv_executable
from waiting import wait_until

DIRENV = shutil.which("direnv")
# A checkout of bash-preexec (rcaloras/bash-preexec's bash-preexec.sh), for a local run.
BASH_PREEXEC = os.environ.get("SSOENV_TEST_BASH_PREEXEC")
ORDERS = ("direnv first", "ssoenv first")
# The shells with a direnv hook: direnv has none for xonsh.
ALONGSIDE = SHELLS + ("tcsh", "elvish")
ORDERED = [(shell, order) for shell in ALONGSIDE for order in ORDERS]
PROFILES = ("shop-dev", "shop-prod", "shop-stage")
# Per shell and hook order: enough to find a two-step walk in a random tree at once, few
# enough for CI (each example starts a shell and lays out a tree). Each run draws new walks;
# SSOENV_TEST_WALKS=100 searches further.
EXAMPLES = int(os.environ.get("SSOENV_TEST_WALKS", "10"))
STEPS = 20


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
            allowing.allow(self.sandbox.env(), self.path(rel))

    def envrc(self, rel: str, text: str) -> None:
        path = self.sandbox.write(os.path.join(rel, ".envrc"), text)
        self.touch(path)
        self.direnv_allow(rel)

    def direnv_allow(self, rel: str) -> None:
        subprocess.run(
            [DIRENV, "allow", self.path(rel)],
            env=self.sandbox.env(),
            check=True,
            capture_output=True,
        )

    def own_trust_store(self, monkeypatch) -> None:
        """This process's ssoenv modules use the sandbox's HOME, as its shells do."""
        for name in list(os.environ):
            if name.startswith(("XDG_", "AWS_", "SSOENV_")):
                monkeypatch.delenv(name)
        monkeypatch.setenv("HOME", self.sandbox.home)

    def trust(self, rel: str, allow: bool) -> None:
        """What `ssoenv allow` or `ssoenv deny` does, without starting a process for it."""
        from ssoenv.prompt import locate, trust

        path = os.path.join(self.path(rel), ".ssoenv")
        act = trust.allow if allow else trust.deny
        act(path, locate.content_hash(path, locate.read_bytes(path)))

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
            if key == ("direnv", "elvish"):
                from test_shells_live import elvish_019

                text = elvish_019(text)
            path = self.path(".%s-hook.%s" % (tool, shell))
            with open(path, "w") as f:
                f.write(text)
            self.hooks[key] = path
        return self.hooks[key]

    def shell(self, shell: str, order: str, start=None, setup=()) -> LiveShell:
        """An interactive shell that started with `start` in its environment and ran the
        lines of `setup`, with direnv's hook line before or after ssoenv's (`order`)."""
        sh = LiveShell(shell, self.sandbox, extra_env=start or {}, setup=setup)
        tools = ("direnv", "ssoenv") if order == "direnv first" else ("ssoenv", "direnv")
        if order == "bash-preexec":
            tools = ("direnv", BASH_PREEXEC, "ssoenv")
        if shell == "elvish":
            # As rc.elv runs them: both lines before the first prompt.
            sh.run("; ".join("eval (slurp < %s)" % self.hook_file(t, shell) for t in tools))
            show_in_elvish_prompt(sh)
        else:
            # As an rc file runs them: the hooks, then the prompt, before the first prompt.
            lines = [
                "source %s" % (tool if tool == BASH_PREEXEC else self.hook_file(tool, shell))
                for tool in tools
            ]
            sh.run("; ".join(lines + prompt_lines(sh)))
        sh.run(sh.noop)
        return sh


def prompt_lines(sh: LiveShell) -> list:
    """The lines that make a prompt draw VARS ("@": unset) before the shell's marker, so
    that each command's output ends with what is in effect at the prompt after it."""
    if sh.name == "tcsh":
        return [tcsh_prompt_line(sh)]
    half = len(sh.marker) // 2
    if sh.name == "fish":
        shown = " ".join("(set -q %s; and echo $%s; or echo @)" % (n, n) for n in VARS)
        return [
            "set -g __m '%s''%s'" % (sh.marker[:half], sh.marker[half:]),
            "function fish_prompt; printf '{%s}%%s%%s\\n' %s $__m $__t_n; end"
            % ("|".join(["%s"] * len(VARS)), shown),
        ]
    lines = ["__m='%s''%s'" % (sh.marker[:half], sh.marker[half:])]
    if sh.name == "zsh":
        lines.append("setopt prompt_subst")
    shown = "|".join("${%s-@}" % name for name in VARS)
    return lines + ["PS1='{%s}${__m}'$'\\n'" % shown]


def tcsh_prompt_line(sh: LiveShell) -> str:
    """tcsh's prompt holds no expansion of a variable that may be unset: a file that the
    precmd alias sources after the hooks sets it, with builtins only."""
    lines = []
    for i, name in enumerate(VARS):
        lines += [
            'set __v%d = "@"' % i,
            "if ( $?%s ) then" % name,
            '  set __v%d = "$%s"' % (i, name),
            "endif",
        ]
    shown = "|".join("$__v%d" % i for i in range(len(VARS)))
    lines.append('set prompt = "{%s}\\\n%s"' % (shown, sh.marker))
    path = sh.sandbox.write("draw-prompt.tcsh", "\n".join(lines) + "\n")
    # After what the hooks put in the alias; the marker comes from a file, never typed.
    return 'alias precmd "`alias precmd` ; source %s"' % path


def show_in_elvish_prompt(sh: LiveShell) -> None:
    """elvish redraws its prompt in place, so what it draws is not read from the terminal:
    the prompt function first adds a line to a file that `after` reads, with VARS as the
    environment that commands get holds them. It appends, since elvish may draw a prompt
    again while `after` reads.

    elvish computes its prompt in a goroutine of its own, and again at the first key typed
    after a cd, beside the command typed: that evaluation may read VARS before the command
    runs and LiveShell's count after it.
    So each line ends with a number read before VARS: that of the last command whose
    before-readline hooks, direnv's and ssoenv's, had all run."""
    sh.drawn = sh.sandbox.path("drawn-%d" % sh.child.pid)
    shown = " ".join("(if (has-env %s) { get-env %s } else { put @ })" % (n, n) for n in VARS)
    sh.run("use str; var __t_p = $edit:prompt; var __t_h = $__t_n")
    sh.run("set edit:before-readline = [$@edit:before-readline { set __t_h = $__t_n }]")
    sh.run(
        "set edit:prompt = { var h = $__t_h; echo '{'(str:join '|' [%s])'}'$h >> %s; $__t_p }"
        % (shown, sh.drawn)
    )


def after(sh: LiveShell, line: str) -> dict:
    """Type `line`; what is in effect at the prompt after it."""
    output = sh.run(line)
    if sh.name == "elvish":
        # Drawn for the prompt that came after `line`, not an earlier one. The prompt on the
        # terminal may be from an evaluation that began before `line` ran: the one begun
        # after the hooks comes after it.
        mark = "}%d" % sh.count

        def drawn():
            with open(sh.drawn) as f:
                return [each for each in f.read().split("\n")[:-1] if each.endswith(mark)]

        wait_until(drawn, what="a prompt line ending with %s" % mark)
        output = drawn()[-1][: -len(mark) + 1]
    return in_effect(output)


def in_effect(output: str) -> dict:
    """What the prompt drew after a command: {name: value, or None when unset}."""
    found = re.findall(r"\{([^{}\n]*)\}$", output.replace("\r", ""), re.M)
    assert found, output
    values = found[-1].split("|")
    return {name: None if value == "@" else value for name, value in zip(VARS, values)}


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
        seen.append((rel, after(sh, "cd %s" % world.path(rel))["AWS_PROFILE"]))
    return seen


@pytest.mark.parametrize("shell,order", ORDERED)
def test_leaving_an_envrc_inside_a_project_keeps_the_projects_profile(world, shells, shell, order):
    world.ssoenv_file("a", "profile: shop-dev\n", allow=True)
    world.envrc("a/b", "export AWS_PROFILE=shop-prod\n")
    sh = world.shell(shell, order, start={"AWS_PROFILE": "base"})
    shells.append(sh)
    stops = [("a/b", "shop-dev"), ("a", "shop-dev"), (".", "base")]
    assert walk(world, sh, stops) == stops


@pytest.mark.parametrize("shell,order", ORDERED)
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


@pytest.mark.parametrize("shell,order", ORDERED)
def test_an_envrc_loaded_again_inside_a_project_leaves_the_projects_profile(
    world, shells, shell, order
):
    world.ssoenv_file("a", "profile: shop-dev\n", allow=True)
    world.envrc("a", "export AWS_PROFILE=envrc-a-1\n")
    sh = world.shell(shell, order, start={"AWS_PROFILE": "base"})
    shells.append(sh)
    assert after(sh, "cd %s" % world.path("a"))["AWS_PROFILE"] == "shop-dev"
    world.envrc("a", "export AWS_PROFILE=envrc-a-2\n")
    assert after(sh, sh.noop)["AWS_PROFILE"] == "shop-dev"
    assert after(sh, "cd ..")["AWS_PROFILE"] == "base"


@pytest.mark.parametrize("shell,order", ORDERED)
def test_an_envrc_written_after_a_hand_edit_in_a_project_leaves_the_projects_profile(
    world, shells, shell, order
):
    # The hand-set value was in effect when direnv loaded the .envrc: direnv puts it back
    # when the .envrc goes, and it is what lies below the project from then on.
    world.ssoenv_file("a/b", "profile: shop-dev\n", allow=True)
    sh = world.shell(shell, order, start={"AWS_PROFILE": "base"})
    shells.append(sh)
    sh.run("cd %s" % world.path("a/b"))
    assert after(sh, set_line(shell, "AWS_PROFILE", "by-hand"))["AWS_PROFILE"] == "by-hand"
    world.envrc("a/b", "export AWS_PROFILE=envrc-b\n")
    assert after(sh, sh.noop)["AWS_PROFILE"] == "shop-dev"
    assert after(sh, "cd ..")["AWS_PROFILE"] == "by-hand"


# zsh applies both hooks on the cd itself, so there no export sees the directory left.
@pytest.mark.parametrize("shell", ["bash", "fish"])
def test_the_overlap_line_names_only_an_envrc_direnv_applied_here(world, shells, shell):
    world.ssoenv_file("mixed", "profile: shop-dev\n", allow=True)
    world.envrc("mixed", "export AWS_PROFILE=shop-prod AWS_REGION=us-west-2\n")
    world.ssoenv_file("alpha", "profile: shop-dev\n", allow=True)
    sh = world.shell(shell, "direnv first")
    shells.append(sh)
    said = sh.run("cd %s" % world.path("mixed"))
    assert "ssoenv: ~/mixed/.envrc also sets AWS_PROFILE; ~/mixed/.ssoenv's value wins" in said
    # An export that runs after a cd and before direnv's hook (a new shell's first one, or
    # one in a command line) sees what direnv applied in the directory left.
    err = world.path("err")
    sh.run("cd %s && ssoenv export json >/dev/null 2>%s" % (world.path("alpha"), err))
    with open(err) as f:
        lines = f.read().splitlines()
    assert "ssoenv: loaded ~/alpha/.ssoenv (profile shop-dev)" in lines
    assert not [line for line in lines if "also sets" in line], lines
    assert "also sets" not in sh.run("true")


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("shell", ALONGSIDE)
def test_unchanged_prompts_beside_direnv_start_no_process(world, shells, shell, order):
    from test_shells_live import ProcessCounter

    world.ssoenv_file("a", "profile: shop-dev\n", allow=True)
    world.envrc("a", "export AWS_PROFILE=envrc-a\n")
    world.envrc("a/b", "export AWS_PROFILE=envrc-b\n")
    sh = world.shell(shell, order, start={"AWS_PROFILE": "base"})
    shells.append(sh)
    for rel in ("a/b", "a", "."):
        sh.run("cd %s" % world.path(rel))
        counter = ProcessCounter(sh, world.sandbox)
        sh.run(sh.noop)
        sh.run(sh.noop)
        # direnv's own hook starts `direnv export` at every prompt; ssoenv's starts nothing.
        started = [line for line in counter.stop() if "execve(" in line]
        assert started and all(DIRENV in line.split(",")[0] for line in started), started


def test_an_elvish_prompt_drawn_while_a_hand_edit_runs_is_not_read_for_it(world, shells):
    # elvish computes its prompt in a goroutine of its own, and again at the first key typed
    # after a cd: that evaluation runs beside the command typed. With get-env slowed after
    # it reads, it reads AWS_PROFILE before `set-env` and goes on past it.
    slow = "fn get-env {|name| var value = (builtin:get-env $name); sleep 0.3; put $value }"
    os.makedirs(world.path("a"))
    sh = world.shell("elvish", "direnv first", start={"AWS_PROFILE": "base"}, setup=[slow])
    shells.append(sh)
    sh.run("cd %s" % world.path("a"))
    assert after(sh, "set-env AWS_PROFILE by-hand")["AWS_PROFILE"] == "by-hand"


# ---- the model ------------------------------------------------------------------------

# Nested three deep, and side by side.
DIRS = ("a", "a/b", "a/b/c", "d", "d/e")
STOPS = (".",) + DIRS
START = {"AWS_PROFILE": "base", "AWS_REGION": "r-base"}
VARS = ("AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_DEFAULT_PROFILE")
REGIONS = ("eu-west-1", "us-east-2")


def nearest(files: dict, rel: str):
    """The directory of the nearest file among `files` ({directory: ...}) from `rel`."""
    while True:
        if rel in files:
            return rel
        if rel == ".":
            return None
        rel = os.path.dirname(rel) or "."


class Model:
    """What is in effect, per variable: the value set by hand while a file sets it, else the
    nearest `.ssoenv`'s if it is allowed and sets it, else the nearest `.envrc`'s if it sets
    it, else the value below both (what the shell started with, or set by hand where no
    file sets the variable).

    A value set by hand where a file sets the variable stays until a file that sets it is
    entered, left or changed. Then, when an `.envrc` that set it is left or loaded again,
    direnv puts back what it found, and the hand value is gone; when a `.ssoenv` that sets
    it is entered or left, the hand value stays below it (leaving keeps it, as the README
    says) until the `.envrc` it sits on goes."""

    def __init__(self, start: dict):
        self.below = {name: start.get(name) for name in VARS}  # below both tools
        self.envrc = dict.fromkeys(VARS)  # the loaded .envrc's layer (None: sets nothing)
        self.hand = dict.fromkeys(VARS)
        self.at_envrc = None  # (directory, version) of the .envrc direnv has loaded
        self.at_ssoenv = dict.fromkeys(VARS, (None, None))  # (directory, value) per variable

    def step(self, envrc_key, envrc_values: dict, ssoenv_dir, ssoenv_values: dict) -> None:
        """The prompt after a cd or an edit: direnv's hook first, then ssoenv's."""
        for name in VARS:
            new = envrc_values.get(name)
            if envrc_key != self.at_envrc and (self.envrc[name] is not None or new is not None):
                if self.envrc[name] is None and self.hand[name] is not None:
                    self.below[name] = self.hand[name]  # what direnv found, and keeps
                self.hand[name] = None
                self.envrc[name] = new
            key = (ssoenv_dir, ssoenv_values.get(name))
            if key != self.at_ssoenv[name] and (
                key[1] is not None or self.at_ssoenv[name][1] is not None
            ):
                if self.hand[name] is not None:
                    layer = self.envrc if self.envrc[name] is not None else self.below
                    layer[name] = self.hand[name]
                    self.hand[name] = None
            self.at_ssoenv[name] = key
        self.at_envrc = envrc_key
        self.ssoenv_values = ssoenv_values

    def set_by_hand(self, name: str, value: str) -> None:
        if self.ssoenv_values.get(name) is None and self.envrc[name] is None:
            self.below[name] = value
        else:
            self.hand[name] = value

    def in_effect(self) -> dict:
        out = {}
        for name in VARS:
            for layer in (self.hand, self.ssoenv_values, self.envrc, self.below):
                if layer.get(name) is not None:
                    out[name] = layer[name]
                    break
            else:
                out[name] = None
        return out


ENVRC_SETS = ("AWS_PROFILE", "both", "AWS_REGION")


def mostly(strategy):
    """`strategy` three times in four, else None (what an example shrinks to)."""
    return st.tuples(st.booleans(), st.booleans(), strategy).map(
        lambda drawn: drawn[2] if drawn[0] or drawn[1] else None
    )


# (profile, region, allowed) and what an .envrc sets: most directories hold both files.
SSOENV_FILES = mostly(
    st.tuples(
        st.sampled_from(PROFILES),
        st.none() | st.sampled_from(REGIONS),
        st.tuples(st.booleans(), st.booleans()).map(lambda drawn: not all(drawn)),
    )
)
ENVRC_FILES = mostly(st.sampled_from(ENVRC_SETS))
LAYOUTS = st.fixed_dictionaries({d: st.tuples(SSOENV_FILES, ENVRC_FILES) for d in DIRS})


def ssoenv_text(profile: str, region) -> str:
    return "profile: %s\n" % profile + ("region: %s\n" % region if region else "")


def set_line(shell: str, name: str, value: str) -> str:
    if shell == "fish":
        return "set -gx %s %s" % (name, value)
    if shell == "tcsh":
        return "setenv %s %s" % (name, value)
    if shell == "elvish":
        return "set-env %s %s" % (name, value)
    return "export %s=%s" % (name, value)


def walks(world: World, shell: str, order: str):
    """The state machine class for one shell and hook order, in `world`."""

    class Walks(RuleBasedStateMachine):
        examples = 0

        def __init__(self):
            super().__init__()
            Walks.examples += 1
            self.root = "t%d" % Walks.examples
            # As ssoenv's trust records: an allow is for a file's path and content (an edit
            # back to allowed content is allowed again); a deny is for its path, and holds
            # across edits until an allow.
            self.ssoenvs = {}  # directory: [text, values]
            self.allowed = set()  # (directory, text)
            self.denied = set()  # directories
            self.envrcs = {}  # directory: [values, version]
            self.cwd = "."
            self.sh = None
            self.hands = 0
            self.trail = []

        def rel(self, directory: str) -> str:
            return os.path.normpath(os.path.join(self.root, directory))

        def trusted(self, directory, allow: bool) -> None:
            entry = (directory, self.ssoenvs[directory][0])
            if allow:
                self.allowed.add(entry)
                self.denied.discard(directory)
            else:
                self.allowed.discard(entry)
                self.denied.add(directory)

        def write_ssoenv(self, directory, profile, region) -> bool:
            """Writes the file; True when its content is what it was."""
            text = ssoenv_text(profile, region)
            old = self.ssoenvs.get(directory)
            values = {"AWS_PROFILE": profile}
            if region:
                values["AWS_REGION"] = values["AWS_DEFAULT_REGION"] = region
            world.ssoenv_file(self.rel(directory), text, allow=False)
            self.ssoenvs[directory] = [text, values]
            return bool(old) and old[0] == text

        def write_envrc(self, directory, sets, keep=False) -> None:
            old = self.envrcs.get(directory)
            version = old[1] + 1 if old else 1
            if keep and old:
                values = old[0]
            else:
                tag = "%s-%d" % (directory.replace("/", "-"), version)
                names = ("AWS_PROFILE", "AWS_REGION") if sets == "both" else (sets,)
                values = {
                    name: ("envrc-" if name == "AWS_PROFILE" else "r-") + tag for name in names
                }
            text = "# version %d\n" % version + "".join(
                "export %s=%s\n" % item for item in sorted(values.items())
            )
            self.envrcs[directory] = [values, version]
            path = world.sandbox.write(os.path.join(self.rel(directory), ".envrc"), text)
            world.touch(path)

        @initialize(layout=LAYOUTS)
        def tree(self, layout):
            os.makedirs(world.path(self.root))
            for directory in DIRS:
                os.makedirs(world.path(self.rel(directory)), exist_ok=True)
            for directory, (dot, envrc) in layout.items():
                if dot:
                    profile, region, allowed = dot
                    self.write_ssoenv(directory, profile, region)
                    if allowed:
                        world.trust(self.rel(directory), allow=True)
                        self.trusted(directory, True)
                if envrc:
                    self.write_envrc(directory, envrc)
                    world.direnv_allow(self.rel(directory))
            self.sh = world.shell(shell, order, start=START)
            self.model = Model(START)
            self.act("cd %s" % world.path(self.root), "start in %s" % self.root)

        @rule(stop=st.sampled_from(STOPS))
        def cd(self, stop):
            self.cwd = stop
            self.act("cd %s" % world.path(self.rel(stop)), "cd %s" % stop)

        @precondition(lambda self: self.cwd != ".")
        @rule()
        def cd_up(self):
            self.cwd = os.path.dirname(self.cwd) or "."
            self.act("cd ..", "cd ..")

        @precondition(lambda self: self.ssoenvs)
        @rule(data=st.data(), allow=st.booleans())
        def allow_or_deny(self, data, allow):
            directory = data.draw(st.sampled_from(sorted(self.ssoenvs)), label="directory")
            world.trust(self.rel(directory), allow)
            self.trusted(directory, allow)
            self.act("true", "ssoenv %s %s" % ("allow" if allow else "deny", directory))

        @rule(
            directory=st.sampled_from(DIRS),
            profile=st.sampled_from(PROFILES),
            region=st.none() | st.sampled_from(REGIONS),
            allow=st.booleans(),
        )
        def edit_ssoenv(self, directory, profile, region, allow):
            self.write_ssoenv(directory, profile, region)
            what = "write %s/.ssoenv: %s" % (
                directory,
                ssoenv_text(profile, region).strip().replace("\n", ", "),
            )
            if allow:
                world.trust(self.rel(directory), allow=True)
                self.trusted(directory, True)
                what += "; ssoenv allow"
            self.act("true", what)

        @rule(
            directory=st.sampled_from(DIRS),
            sets=st.sampled_from(ENVRC_SETS + ("the same",)),
        )
        def edit_envrc(self, directory, sets):
            same = sets == "the same" and directory in self.envrcs
            self.write_envrc(directory, "AWS_PROFILE" if sets == "the same" else sets, same)
            values = " ".join("%s=%s" % v for v in sorted(self.envrcs[directory][0].items()))
            self.act(
                "%s allow %s" % (DIRENV, world.path(self.rel(directory))),
                "write %s/.envrc: %s; direnv allow" % (directory, values),
            )

        @rule()
        def set_profile_by_hand(self):
            self.hands += 1
            value = "hand-%d" % self.hands
            self.model.set_by_hand("AWS_PROFILE", value)
            self.act(set_line(shell, "AWS_PROFILE", value), "AWS_PROFILE=%s by hand" % value)

        def act(self, line: str, what: str) -> None:
            """Type `line`; at the prompt after it, compare what is in effect with the
            model."""
            got = after(self.sh, line)
            envrc = nearest(self.envrcs, self.cwd)
            dot = nearest(self.ssoenvs, self.cwd)
            allowed = (
                dot is not None
                and dot not in self.denied
                and (dot, self.ssoenvs[dot][0]) in self.allowed
            )
            self.model.step(
                (envrc, self.envrcs[envrc][1]) if envrc else None,
                self.envrcs[envrc][0] if envrc else {},
                dot,
                self.ssoenvs[dot][1] if allowed else {},
            )
            want = self.model.in_effect()
            self.trail.append("%s (in %s): %s" % (what, self.cwd, got["AWS_PROFILE"]))
            assert got == want, "after %s in %s: %r, the model says %r\n%s" % (
                what,
                self.cwd,
                got,
                want,
                "\n".join(self.trail),
            )

        def teardown(self):
            if self.sh is not None:
                self.sh.close()

    return Walks


CONFIGS = list(ORDERED)
if BASH_PREEXEC:
    # A local check with the real bash-preexec, loaded between direnv's hook and ssoenv's.
    CONFIGS.append(("bash", "bash-preexec"))


@pytest.mark.long
@pytest.mark.parametrize("shell,order", CONFIGS)
def test_every_walk_ends_where_the_model_says(tmp_path, monkeypatch, shell, order):
    world = World(tmp_path)
    world.own_trust_store(monkeypatch)
    run_state_machine_as_test(
        walks(world, shell, order),
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
