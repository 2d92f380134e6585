"""Tab completion: ssoenv's own scripts and protocol, pressed with real TABs in bash, zsh
and fish, with the committed scripts and the printed ones alike."""

import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest
from completion_tree import table_from_click
from live_shell import Sandbox, require_shell, ssoenv_executable

from ssoenv.commands import completion, completion_table

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILES = completion.FILES

EXTRA_CONFIG = """
[default]
region = eu-west-1

[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 333333333333
sso_role_name = Admin

[profile sessiononly]
sso_session = myorg

[profile assumed]
role_arn = arn:aws:iam::444444444444:role/Deploy
source_profile = static
sso_session = myorg
"""

CREDENTIALS = "[static]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n"


def sandbox_with_profiles(tmp_path) -> Sandbox:
    sandbox = Sandbox(tmp_path)
    with open(sandbox.path(".aws/config"), "a") as f:
        f.write(EXTRA_CONFIG)
    sandbox.write(".aws/credentials", CREDENTIALS)
    return sandbox


# ---- the scripts and the table -------------------------------------------------------------


@pytest.mark.parametrize("shell", sorted(FILES))
def test_committed_completion_script_is_what_ssoenv_prints(shell):
    for argv in ([ssoenv_executable()], [sys.executable, "-m", "ssoenv"]):
        generated = subprocess.run(
            argv + ["completion", shell], capture_output=True, check=True
        ).stdout
        with open(os.path.join(ROOT, "completions", FILES[shell]), "rb") as f:
            assert f.read() == generated


def test_completion_of_an_unknown_shell_is_a_usage_error():
    result = subprocess.run(
        [ssoenv_executable(), "completion", "pwsh"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "'pwsh' is not one of 'bash', 'zsh', 'fish', 'tcsh', 'elvish', 'xonsh'" in result.stderr


def test_completion_table_matches_the_click_commands():
    assert completion_table.TABLE == table_from_click(), (
        "ssoenv/commands/completion_table.py is stale; run: "
        "python tests/completion_tree.py > ssoenv/commands/completion_table.py && ruff format"
    )


def test_every_value_taking_option_and_argument_has_a_kind():
    wanted = set()
    for path, entry in completion_table.TABLE.items():
        wanted.update((path, opt[0][0]) for opt in entry["options"] if opt[1])
        wanted.update((path, arg) for arg in entry["args"])
    wanted.add(("", "--version"))
    assert set(completion.KINDS) == wanted


# ---- the protocol ---------------------------------------------------------------------------


def answer(sandbox, shell, *words):
    result = subprocess.run(
        [ssoenv_executable(), "__complete", shell, str(len(words) - 1), *words],
        env=sandbox.env(),
        cwd=sandbox.home,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    lines = result.stdout.splitlines()
    return lines[0], lines[1:]


def test_each_command_offers_only_the_profiles_it_accepts(tmp_path):
    sandbox = sandbox_with_profiles(tmp_path)
    everything = ["dev", "prod", "default", "legacy", "sessiononly", "assumed", "static"]
    assert answer(sandbox, "bash", "ssoenv", "init", "") == ("words", everything)
    assert answer(sandbox, "bash", "ssoenv", "exec", "--profile", "") == ("words", everything)
    sso = ["dev", "prod", "legacy", "sessiononly"]
    assert answer(sandbox, "bash", "ssoenv", "login", "--profile", "") == ("words", sso)
    assert answer(sandbox, "bash", "ssoenv", "credential-process", "--profile", "") == (
        "words",
        ["dev", "prod", "legacy"],
    )


AWKWARD_CONFIG = """
[profile upper]
SSO_SESSION = myorg
SSO_ACCOUNT_ID = 555555555555
Sso_Role_Name = Dev

[profile colon]
sso_session: myorg

[profile empty-session]
sso_session =

[profile commented]
# sso_session = myorg
region = eu-west-1

[profile nested]
s3 =
  sso_session = myorg
region = eu-west-1

[profile "quoted name"]
sso_session = myorg

[profile web]
web_identity_token_file = /tmp/token
sso_session = myorg
"""


def test_the_sso_profiles_offered_are_those_awsconfig_classifies_as_sso(tmp_path):
    from ssoenv.aws import awsconfig

    sandbox = sandbox_with_profiles(tmp_path)
    with open(sandbox.path(".aws/config"), "a") as f:
        f.write(AWKWARD_CONFIG)
    config = awsconfig.load(sandbox.path(".aws/config"), sandbox.path(".aws/credentials"))
    sso = [p.name for p in config.profiles.values() if p.is_sso]
    assert "upper" in sso and "nested" not in sso
    assert answer(sandbox, "fish", "ssoenv", "login", "--profile", "")[1] == sso
    with_role = [
        p.name for p in config.profiles.values() if p.is_sso and p.account_id and p.role_name
    ]
    assert answer(sandbox, "fish", "ssoenv", "credential-process", "--profile", "")[1] == with_role


def test_profile_completion_follows_config_edits(tmp_path):
    sandbox = Sandbox(tmp_path)
    assert answer(sandbox, "bash", "ssoenv", "init", "st") == ("words", [])
    with open(sandbox.path(".aws/config"), "a") as f:
        f.write("\n[profile staging]\nregion = eu-west-1\n")
    assert answer(sandbox, "bash", "ssoenv", "init", "st") == ("words", ["staging"])


def test_bash_gets_the_value_after_an_equals_sign_and_the_others_the_whole_word(tmp_path):
    sandbox = Sandbox(tmp_path)
    # bash splits `--profile=pr` into three words and replaces only the last.
    assert answer(sandbox, "bash", "ssoenv", "exec", "--profile", "=", "pr") == (
        "words",
        ["prod"],
    )
    assert answer(sandbox, "bash", "ssoenv", "exec", "--profile", "=") == ("words", ["dev", "prod"])
    assert answer(sandbox, "zsh", "ssoenv", "exec", "--profile=pr")[1] == [
        "--profile=dev",
        "--profile=prod",
    ]


def test_exec_defers_from_the_command_word_on(tmp_path):
    sandbox = Sandbox(tmp_path)
    assert answer(sandbox, "fish", "ssoenv", "exec", "--", "pyth") == ("defer 3", [])
    assert answer(sandbox, "fish", "ssoenv", "exec", "--profile", "dev", "aws", "s3") == (
        "defer 4",
        [],
    )
    assert answer(sandbox, "bash", "ssoenv", "exec", "--profile", "=", "dev", "aws", "") == (
        "defer 5",
        [],
    )


def test_descriptions_keep_their_commas(tmp_path):
    sandbox = Sandbox(tmp_path)
    _, lines = answer(sandbox, "fish", "ssoenv", "")
    assert (
        "doctor\tCheck the AWS files, the environment, the hook, the .ssoenv here and the logins."
        in lines
    )


def test_no_answer_beyond_the_arguments(tmp_path):
    sandbox = Sandbox(tmp_path)
    assert answer(sandbox, "bash", "ssoenv", "status", "x") == ("words", [])
    assert answer(sandbox, "bash", "ssoenv", "nosuch", "") == ("words", [])


def test_usage_of_the_protocol_is_checked(tmp_path):
    result = subprocess.run(
        [ssoenv_executable(), "__complete", "pwsh", "1", "ssoenv"], capture_output=True, text=True
    )
    assert result.returncode == 2 and result.stderr.startswith("usage: ssoenv __complete")


def test_tcsh_reads_the_line_from_command_line(tmp_path):
    sandbox = sandbox_with_profiles(tmp_path)
    os.makedirs(sandbox.path("projects/app"))

    def offered(line):
        env = dict(sandbox.env(), COMMAND_LINE=line)
        return subprocess.run(
            [ssoenv_executable(), "__complete", "tcsh"],
            env=env,
            cwd=sandbox.home,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()

    assert offered("ssoenv do") == ["doctor"]
    assert offered("ssoenv hook ") == ["bash", "zsh", "fish", "tcsh", "elvish", "xonsh", "direnv"]
    assert offered("ssoenv allow pro") == ["projects/"]
    assert offered("ssoenv allow projects/") == ["projects/app/"]


PROBE = """\
import runpy, sys
sys.argv = ["ssoenv"] + sys.argv[1:]
try:
    from ssoenv.entry import main
    main()
except SystemExit:
    pass
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("boto3", "botocore", "click", "yaml", "shellingham"))
sys.stderr.write("HEAVY=%r\\n" % heavy)
"""


@pytest.mark.parametrize(
    "argv",
    [
        ["hook", "bash"],
        ["hook", "zsh"],
        ["hook", "fish"],
        ["hook", "tcsh"],
        ["hook", "elvish"],
        ["hook", "xonsh"],
        ["completion", "bash"],
        ["completion", "zsh"],
        ["completion", "fish"],
        ["__complete", "bash", "2", "ssoenv", "init", ""],
        ["__complete", "zsh", "3", "ssoenv", "init", "dev", "--region", ""],
        ["__complete", "fish", "3", "ssoenv", "login", "--profile", ""],
    ],
)
def test_hook_and_completion_import_no_click_boto3_yaml_or_shellingham(tmp_path, argv):
    sandbox = Sandbox(tmp_path)
    project = sandbox.project("proj", "profile: dev\n")
    env = dict(sandbox.env(), PWD=project)
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], env=env, cwd=project, capture_output=True, text=True
    )
    assert "HEAVY=[]" in result.stderr.splitlines(), result.stderr
    assert result.stdout


# ---- real TAB presses -----------------------------------------------------------------------


class Pane:
    """One interactive shell in a tmux pane: keys go in, the screen comes out."""

    def __init__(self, shell, sandbox, setup):
        self.socket = "ssoenv-" + uuid.uuid4().hex[:10]
        self.shell = shell
        exe = require_shell(shell)
        argv = {
            "bash": [exe, "--noprofile", "--norc", "-i"],
            "zsh": [exe, "--no-rcs", "--no-globalrcs", "-i"],
            "fish": [exe, "--no-config", "-i"],
            "tcsh": [exe, "-f", "-i"],
            "elvish": [exe, "-norc", "-i"],
            "xonsh": [exe, "--no-rc", "-i", "--shell-type", "readline"],
        }[shell]
        env = sandbox.env()
        env["PATH"] = sandbox.path("bin") + ":" + env["PATH"]
        env["TERM"] = "screen"
        env_args = ["env", "-i"] + ["%s=%s" % kv for kv in env.items()]
        self.tmux(
            "new-session", "-d", "-x", "250", "-y", "50", "-c", sandbox.home, *env_args, *argv
        )
        prompt = {
            "bash": "PS1='$ '",
            "zsh": "PS1='$ '",
            "fish": "function fish_prompt; printf '$ '; end; set -g fish_autosuggestion_enabled 0",
            "tcsh": "set prompt = '$ '",
            "elvish": "set edit:prompt = { put '$ ' }; set edit:rprompt = { }",
            "xonsh": "$PROMPT = '$ '; $RIGHT_PROMPT = ''; $TITLE = ''",
        }[shell]
        self.line(prompt)
        for line in setup:
            self.line(line)
        self.clear()

    def tmux(self, *args):
        return subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-J")

    def keys(self, *keys):
        self.tmux("send-keys", *keys)

    def line(self, text):
        marker = "done-" + uuid.uuid4().hex[:6]
        if self.shell == "xonsh":
            self.keys("-l", "%s; print('%s' + '%s')" % (text, marker[:5], marker[5:]))
        else:
            self.keys("-l", "%s; echo %s'%s'" % (text, marker[:5], marker[5:]))
        self.keys("Enter")
        self.wait_for(marker)

    def clear(self):
        """Drop the line and listing a TAB left, and clear the screen. One Ctrl-C at a time,
        each seen through to a fresh prompt: a second one still pending could land in the
        middle of the next line typed."""

        def last_line(text):
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            return lines[-1] if lines else ""

        tries = 0
        while last_line(self.screen()) != "$":
            tries += 1
            if tries > 3:
                raise AssertionError(
                    "%s: no prompt after Ctrl-C:\n%s" % (self.shell, self.screen())
                )
            self.keys("C-c")
            try:
                self.wait(lambda text: last_line(text) == "$", "a prompt", timeout=10)
            except AssertionError:
                continue
        self.keys("-l", "clear")
        self.keys("Enter")
        self.wait(lambda s: s.strip() == "$", "an empty screen")

    def wait(self, ok, what, timeout=40):
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if ok(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(
                    "%s: waited for %s; the screen:\n%s" % (self.shell, what, text)
                )
            time.sleep(0.05)

    def wait_for(self, *texts, timeout=40):
        return self.wait(lambda s: all(t in s for t in texts), " and ".join(map(repr, texts)))

    def tab(self, typed, *expected, absent=(), twice=False):
        """Type `typed`, press TAB (twice to list in bash), and wait for `expected`."""
        self.clear()
        self.keys("-l", typed)
        self.keys("Tab")
        if twice and self.shell == "bash":
            time.sleep(0.3)
            self.keys("Tab")
        text = self.wait_for(*expected)
        if absent:
            time.sleep(0.3)  # a listing is drawn at once; anything else would be there by now
            text = self.screen()
        for word in absent:
            assert word not in text.split(), "%s offered %r:\n%s" % (self.shell, word, text)
        return text

    def close(self):
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def setup_lines(shell, how):
    """Load the completion in `shell`: from the committed file, or as `ssoenv completion`
    prints it, the way the README says."""
    committed = os.path.join(ROOT, "completions", FILES[shell])
    mytool = {
        "bash": "complete -W 'alpha beta' mytool",
        "zsh": "_mytool() { compadd alpha beta }; compdef _mytool mytool",
        "fish": "complete -c mytool -f -a 'alpha beta'",
    }[shell]
    if shell == "bash" and how == "bash-completion":
        # The package's loader, as ~/.bashrc on Debian and Ubuntu sources it, and the file
        # where the README puts it: loaded on the first TAB, with the package's
        # _command_offset for `exec --`.
        return [
            "source %s" % BASH_COMPLETION,
            "mkdir -p ~/.local/share/bash-completion/completions",
            "ssoenv completion bash > ~/.local/share/bash-completion/completions/ssoenv",
            mytool,
        ]
    if shell == "bash":
        load = "source " + committed if how == "committed" else 'eval "$(ssoenv completion bash)"'
        return [load, mytool]
    if shell == "zsh":
        if how == "committed":  # on $fpath, autoloaded by compinit
            return [
                "fpath=(%s $fpath)" % os.path.dirname(committed),
                "autoload -Uz compinit && compinit -u -D",
                mytool,
            ]
        return [
            "autoload -Uz compinit && compinit -u -D",
            'eval "$(ssoenv completion zsh)"',
            mytool,
        ]
    load = "source " + committed if how == "committed" else "ssoenv completion fish | source"
    return [load, mytool]


BASH_COMPLETION = "/usr/share/bash-completion/bash_completion"


@pytest.mark.long("waits")
@pytest.mark.parametrize(
    "shell_name, how",
    [
        (shell, how)
        for shell in ("bash", "zsh", "fish")
        for how in ("committed", "printed") + (("bash-completion",) if shell == "bash" else ())
    ],
)
def test_tab_completes_every_kind_of_word(tmp_path, shell_name, how):
    if shutil.which("tmux") is None:
        raise RuntimeError("tmux is not installed; .ci/run installs it with apt-get")
    if how == "bash-completion" and not os.path.exists(BASH_COMPLETION):
        raise RuntimeError("bash-completion is not installed; .ci/run installs it with apt-get")
    sandbox = sandbox_with_profiles(tmp_path)
    os.makedirs(sandbox.path("projects/app"))
    tool = sandbox.write("bin/mytool", "#!/bin/sh\n")
    os.chmod(tool, 0o755)
    pane = Pane(shell_name, sandbox, setup_lines(shell_name, how))
    described = shell_name != "bash"  # bash shows no descriptions
    try:
        # Commands, and with zsh and fish their whole descriptions, commas and all.
        pane.tab("ssoenv doc", "ssoenv doctor")
        pane.tab(
            "ssoenv d",
            "deny",
            "doctor",
            *(["Check the AWS files, the environment, the hook"] if described else []),
            twice=True,
        )
        pane.tab("ssoenv keys l", "ssoenv keys list")
        # Options, with descriptions.
        pane.tab(
            "ssoenv login --",
            "--profile",
            "--sso-session",
            "--use-device-code",
            *(["Log in to this profile's session."] if described else []),
            twice=True,
        )
        # Profiles: as an argument, after --profile, after --profile=.
        pane.tab("ssoenv init pr", "ssoenv init prod")
        pane.tab("ssoenv exec --profile pr", "ssoenv exec --profile prod")
        pane.tab("ssoenv exec --profile=pr", "ssoenv exec --profile=prod")
        # Only the profiles each command accepts.
        pane.tab("ssoenv exec --profile ", "static", "default", "assumed", twice=True)
        pane.tab(
            "ssoenv login --profile ",
            "dev",
            "prod",
            "legacy",
            "sessiononly",
            absent=("static", "default", "assumed", "--profile=static"),
            twice=True,
        )
        pane.tab(
            "ssoenv credential-process --profile ",
            "dev",
            "prod",
            "legacy",
            absent=("static", "default", "sessiononly", "assumed"),
            twice=True,
        )
        # sso-sessions, shells, regions, output formats.
        pane.tab("ssoenv login --sso-session my", "ssoenv login --sso-session myorg")
        pane.tab("ssoenv hook f", "ssoenv hook fish")
        pane.tab("ssoenv export js", "ssoenv export json")
        pane.tab("ssoenv completion z", "ssoenv completion zsh")
        pane.tab("ssoenv init dev --region sa-ea", "ssoenv init dev --region sa-east-1")
        pane.tab("ssoenv configure --output yaml-s", "ssoenv configure --output yaml-stream")
        # Files and directories for allow and deny.
        pane.tab("ssoenv allow proj", "ssoenv allow projects/")
        pane.tab("ssoenv deny projects/a", "ssoenv deny projects/app/")
        # exec: the command, then the command's own completion.
        pane.tab("ssoenv exec -- mytoo", "ssoenv exec -- mytool")
        pane.tab("ssoenv exec -- mytool al", "ssoenv exec -- mytool alpha")
        pane.tab("ssoenv exec --profile dev mytool be", "ssoenv exec --profile dev mytool beta")
    finally:
        pane.close()


def test_zsh_script_without_compinit_says_what_to_add(tmp_path):
    sandbox = Sandbox(tmp_path)
    result = subprocess.run(
        ["zsh", "-f", "-c", 'eval "$(ssoenv completion zsh)"'],
        env=sandbox.env(),
        cwd=sandbox.home,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stderr == (
        "ssoenv: zsh completion needs compinit; put  autoload -Uz compinit && compinit  "
        "before this line in ~/.zshrc\n"
    )
    assert "compdef" not in result.stderr


# How the README loads the completion in each of the other shells.
OTHER_SETUP = {
    "tcsh": 'eval "`ssoenv completion tcsh`"',
    "elvish": "eval (ssoenv completion elvish | slurp)",
    "xonsh": "execx($(ssoenv completion xonsh))",
}


@pytest.mark.parametrize("shell_name", sorted(OTHER_SETUP))
def test_tab_completes_commands_values_and_files_in_the_other_shells(tmp_path, shell_name):
    if shutil.which("tmux") is None:
        raise RuntimeError("tmux is not installed; .ci/run installs it with apt-get")
    sandbox = sandbox_with_profiles(tmp_path)
    os.makedirs(sandbox.path("projects/app"))
    pane = Pane(shell_name, sandbox, [OTHER_SETUP[shell_name]])
    try:
        pane.tab("ssoenv doc", "ssoenv doctor")
        pane.tab("ssoenv keys l", "ssoenv keys list")
        pane.tab("ssoenv init pr", "ssoenv init prod")
        pane.tab("ssoenv login --sso-session my", "ssoenv login --sso-session myorg")
        pane.tab("ssoenv hook tc", "ssoenv hook tcsh")
        pane.tab("ssoenv allow proj", "ssoenv allow projects/")
    finally:
        pane.close()
