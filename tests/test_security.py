"""Attacks on ssoenv, each as its attacker would try it: through real shells where the
attack goes through a shell, through `ssoenv export` as the hook runs it, and against the
local Identity Center emulator where a token could be sent elsewhere."""
# ruff: noqa: F405

import http.server
import json
import os
import shutil
import subprocess
import sys
import threading

import pytest
from live_shell import SHELLS
from sso_cli_world import *  # noqa: F403
from sso_fixtures import *  # noqa: F403

from ssoenv.sso import cache


def clean(text: str) -> list:
    """The `ssoenv:` lines a shell printed."""
    lines = []
    for line in text.replace("\r", "").split("\n"):
        line = line.replace("⏎", "").strip()
        if line.startswith("ssoenv:"):
            lines.append(line)
    return lines


class Listener:
    """An attacker's HTTP server on 127.0.0.1 that keeps every request's headers."""

    def __init__(self):
        seen = self.requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self):
                seen.append({k.lower(): v for k, v in self.headers.items()})
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_PUT = _any

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


# ---- an allowed .ssoenv sets only what cannot run code or send credentials elsewhere ------

# What each refused variable would have done, with a value that shows it.
DANGEROUS = {
    "PROMPT_COMMAND": "touch /tmp/ssoenv-pwned",
    "PATH": "/tmp/evil:/usr/bin:/bin",
    "LD_PRELOAD": "/tmp/evil.so",
    "DYLD_INSERT_LIBRARIES": "/tmp/evil.dylib",
    "BASH_ENV": "/tmp/evil.sh",
    "ENV": "/tmp/evil.sh",
    "PYTHONPATH": "/tmp/evil",
    "PYTHONSTARTUP": "/tmp/evil.py",
    "IFS": "x",
    "PS1": "$(touch /tmp/ssoenv-pwned)",
    "PS4": "$(touch /tmp/ssoenv-pwned)",
    "HOME": "/tmp/evil",
    "SHELL": "/tmp/evil",
    "ZDOTDIR": "/tmp/evil",
    "precmd_functions": "evil",
    "fish_function_path": "/tmp/evil",
    # xonsh's settings live in its environment: its prompt, history file, tracebacks.
    "PROMPT": "{BOLD_RED}evil",
    "XONSH_HISTORY_FILE": "/tmp/evil",
    "UPDATE_OS_ENVIRON": "1",
    "NODE_OPTIONS": "--require /tmp/evil.js",
    "PERL5OPT": "-Mevil",
    "RUBYOPT": "-revil",
    "GIT_SSH_COMMAND": "/tmp/evil",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:1",
    "AWS_ENDPOINT_URL_SSO": "http://127.0.0.1:1",
    "AWS_CONFIG_FILE": "/tmp/evil-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/tmp/evil-credentials",
    "AWS_CA_BUNDLE": "/tmp/evil.pem",
    "AWS_ACCESS_KEY_ID": "AKIAEVIL",
    "AWS_SECRET_ACCESS_KEY": "evil",
    "AWS_SESSION_TOKEN": "evil",
    "HTTPS_PROXY": "http://127.0.0.1:1",
    "XDG_CONFIG_HOME": "/tmp/evil",
    # Other tools' plugins, settings and servers.
    "KUBECONFIG": "/tmp/evil-kubeconfig",
    "KUBECTL_EXTERNAL_DIFF": "/tmp/evil",
    "DOCKER_CONFIG": "/tmp/evil-docker",
    "DOCKER_HOST": "tcp://127.0.0.1:1",
    "HELM_PLUGINS": "/tmp/evil",
    "TF_CLI_CONFIG_FILE": "/tmp/evil.tfrc",
    "TF_CLI_ARGS_init": "-plugin-dir=/tmp/evil",
    "VAULT_ADDR": "http://127.0.0.1:1",
    "CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE": "http://127.0.0.1:1/",
    "GOOGLE_APPLICATION_CREDENTIALS": "/tmp/evil.json",
    "GH_CONFIG_DIR": "/tmp/evil",
    "PSQLRC": "/tmp/evil.psqlrc",
    "CURL_HOME": "/tmp/evil",
    "WGETRC": "/tmp/evil.wgetrc",
    "HGRCPATH": "/tmp/evil.hgrc",
    # Tools hooked into the shell, the shells' own variables, programs to run, switches.
    "DIRENV_CONFIG": "/tmp/evil-direnv",
    "DIRENV_BASH": "/tmp/evil",
    "MODULE_PATH": "/tmp/evil",
    "PROMPT_EOL_MARK": "$(touch /tmp/ssoenv-pwned)%",
    "GIO_EXTRA_MODULES": "/tmp/evil",
    "_OLD_VIRTUAL_PATH": "/tmp/evil:/usr/bin",
    "FCEDIT": "/tmp/evil",
    "HISTFILESIZE": "0",
    "Https_Proxy": "http://127.0.0.1:1",
    "NODE_TLS_REJECT_UNAUTHORIZED": "0",
    "GOINSECURE": "*",
    "GONOSUMDB": "*",
    "GOSUMDB": "off",
    "STARSHIP_CONFIG": "/tmp/evil.toml",
    "OPENAI_BASE_URL": "http://127.0.0.1:1",
}


def _env_block(values: dict) -> str:
    return "env:\n" + "".join("  %s: %s\n" % (k, json.dumps(v)) for k, v in values.items())


def test_export_refuses_every_variable_that_runs_code_or_redirects_aws(ssoenv_env):
    ssoenv_env.write_aws_config()
    f = ssoenv_env.write_dotfile("profile: dev\n" + _env_block(dict(DANGEROUS, TF_VAR_ok="yes")))
    ssoenv_env.allow(f)
    result = ssoenv_env.run("export", "json")
    assert result.returncode == 0, result.stderr
    changes = json.loads(result.stdout)
    assert changes["AWS_PROFILE"] == "dev"
    assert changes["TF_VAR_ok"] == "yes"
    assert [name for name in DANGEROUS if name in changes] == []
    lines = result.stderr.splitlines()
    for name in DANGEROUS:
        prefix = "ssoenv: ~/work/project/.ssoenv: env: %s is not set: " % name
        (line,) = [x for x in lines if x.startswith(prefix)]
        assert line.endswith(
            "to permit it, add %s to allowed_variables in ~/.config/ssoenv/config.yaml" % name
        )


def test_trusted_prefixes_do_not_permit_a_refused_variable_but_allowed_variables_does(
    ssoenv_env,
):
    ssoenv_env.write_aws_config()
    ssoenv_env.write_user_config("trusted_prefixes: [~/work]\n")
    ssoenv_env.write_dotfile("profile: dev\nenv:\n  NODE_OPTIONS: --max-old-space-size=4096\n")
    changes = json.loads(ssoenv_env.run("export", "json").stdout)
    assert changes["AWS_PROFILE"] == "dev"
    assert "NODE_OPTIONS" not in changes
    ssoenv_env.write_user_config("trusted_prefixes: [~/work]\nallowed_variables: [NODE_OPTIONS]\n")
    result = ssoenv_env.run("export", "json")
    assert json.loads(result.stdout)["NODE_OPTIONS"] == "--max-old-space-size=4096"
    assert "NODE_OPTIONS" not in result.stderr


def test_ssoenv_own_variables_cannot_be_permitted(ssoenv_env):
    ssoenv_env.write_user_config("allowed_variables: [SSOENV_DIFF]\n")
    result = ssoenv_env.run("export", "json")
    assert result.stderr == (
        "ssoenv: ~/.config/ssoenv/config.yaml: allowed_variables: SSOENV_DIFF belongs to "
        "ssoenv itself and cannot be permitted\n"
    )


def test_a_variable_name_ending_with_a_line_break_cannot_be_permitted(ssoenv_env):
    ssoenv_env.write_user_config('allowed_variables: ["NODE_OPTIONS\\n"]\n')
    result = ssoenv_env.run("export", "json")
    assert result.stderr == (
        "ssoenv: ~/.config/ssoenv/config.yaml: allowed_variables must be a list of variable names\n"
    )


@pytest.mark.parametrize("shell", SHELLS)
def test_an_allowed_file_runs_nothing_in_a_real_shell_and_leaving_still_unloads(
    sandbox, open_shell, shell, tmp_path
):
    marker = tmp_path / "pwned"
    evil = {
        "PROMPT_COMMAND": "touch %s" % marker,
        "BASH_ENV": str(tmp_path / "evil.sh"),
        "PATH": str(tmp_path) + ":/usr/bin:/bin",
        "LD_PRELOAD": str(tmp_path / "evil.so"),
        "fish_function_path": str(tmp_path),
        "AWS_ENDPOINT_URL_SSO": "http://127.0.0.1:1",
    }
    proj = sandbox.project("shop", "profile: dev\n" + _env_block(dict(evil, TF_VAR_stage="dev")))
    sh = open_shell(shell)
    before = {name: sh.get(name) for name in evil}
    out = clean(sh.run("cd %s" % proj))
    sh.run("true")
    assert sh.get("TF_VAR_stage") == "dev"
    assert sh.get("AWS_PROFILE") == "dev"
    assert {name: sh.get(name) for name in evil} == before
    assert not marker.exists()
    assert sum(": env: " in line and " is not set: " in line for line in out) == len(evil)
    assert "ssoenv: unloaded ~/shop/.ssoenv" in clean(sh.run("cd /"))
    assert sh.get("AWS_PROFILE") is None
    assert sh.get("TF_VAR_stage") is None


@pytest.mark.parametrize("shell", SHELLS)
def test_an_allowed_file_cannot_hand_curl_a_settings_file_that_writes_anywhere(
    sandbox, open_shell, shell
):
    # curl reads $CURL_HOME/.curlrc; one shipped in a repository can send any download
    # to a file of the attacker's choosing, such as the user's shell rc.
    assert shutil.which("curl"), "curl is not installed; .ci/run installs it with apt-get"
    target = sandbox.path("pwned")
    proj = sandbox.project("shop", "profile: dev\nenv:\n  CURL_HOME: .\n")
    sandbox.write("shop/.curlrc", 'output = "%s"\n' % target)
    sandbox.write("shop/page.txt", "hello from the page\n")
    sh = open_shell(shell)
    out = clean(sh.run("cd %s" % proj))
    assert any("env: CURL_HOME is not set: " in line for line in out), out
    assert sh.get("CURL_HOME") is None
    assert "hello from the page" in sh.run("curl -s file://%s/page.txt" % proj)
    assert not os.path.exists(target)


def test_an_endpoint_set_by_a_dotfile_never_gets_the_access_token(world, browser, listener):
    """The hook renews role keys with the shell's environment: a `.ssoenv` that could set
    AWS_ENDPOINT_URL_SSO would have the IAM Identity Center access token sent to it."""
    world.login("--profile", PROFILE)
    token = cache.read_token(token_path())["accessToken"]
    project = world.project(
        "proj",
        "profile: %s\ncredentials: true\nenv:\n  AWS_ENDPOINT_URL_SSO: %s\n"
        "  AWS_ENDPOINT_URL: %s\n" % (PROFILE, listener.url, listener.url),
    )
    env = world.env()
    changes, lines = export_json(world, project, env)
    inside = applied(env, changes)
    # The keys need renewing: the next prompt asks for new ones with the token.
    os.unlink(cache.role_credentials_cache_path(ACCOUNT, ROLE, SESSION_NAME, START_URL))
    inside["SSOENV_RENEW_AT"] = "1"
    renewed, _ = export_json(world, project, inside)
    assert [r for r in listener.requests if token in json.dumps(r)] == []
    assert listener.requests == []
    assert renewed.get("AWS_ACCESS_KEY_ID")
    assert inside["AWS_ENDPOINT_URL_SSO"] == world.emulator.url  # the user's own, kept
    assert any("env: AWS_ENDPOINT_URL_SSO is not set" in line for line in lines)


def test_allow_shows_what_it_approves_with_secrets_masked(ssoenv_env):
    ssoenv_env.write_aws_config()
    ssoenv_env.write_dotfile(
        "profile: dev\nregion: eu-west-1\nenv:\n  TF_VAR_stage: dev\n"
        "  GITHUB_TOKEN: ghp_abcdefghijklmnop\n  PATH: /tmp/evil\n"
    )
    result = ssoenv_env.run("allow")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "ssoenv: allowed ~/work/project/.ssoenv",
        "  profile: dev (account 111111111111, role Developer)",
        "  region:  eu-west-1",
        "  env:     TF_VAR_stage=dev (data)",
        "  env:     GITHUB_TOKEN=<secret, 20 characters> (data)",
        "  env:     PATH=/tmp/evil (not set: it changes which programs and code run; to "
        "permit it, add PATH to allowed_variables in ~/.config/ssoenv/config.yaml)",
    ]


def test_allow_marks_a_variable_the_users_settings_let_through_as_changing_how_programs_run(
    ssoenv_env,
):
    ssoenv_env.write_aws_config()
    ssoenv_env.write_user_config("allowed_variables: [NODE_OPTIONS, Direnv_Config]\n")
    ssoenv_env.write_dotfile(
        "profile: dev\nenv:\n  NODE_OPTIONS: --max-old-space-size=4096\n"
        "  DIRENV_CONFIG: ./dconf\n  LOG_LEVEL: debug\n"
    )
    result = ssoenv_env.run("allow")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[2:] == [
        "  env:     NODE_OPTIONS=--max-old-space-size=4096 (changes how programs run: it "
        "changes which programs and code run; permitted by allowed_variables in "
        "~/.config/ssoenv/config.yaml)",
        # allowed_variables permits a name as written; another spelling stays refused.
        "  env:     DIRENV_CONFIG=./dconf (not set: it belongs to a tool that hooks your shell "
        "or prompt; to permit it, add DIRENV_CONFIG to allowed_variables in "
        "~/.config/ssoenv/config.yaml)",
        "  env:     LOG_LEVEL=debug (data)",
    ]


# ---- no secret in any SSOENV_* variable ---------------------------------------------------


def _ssoenv_variables(sh, tmp_path) -> str:
    """Every SSOENV_* variable the shell exports, as `env` shows them to its children."""
    dump = tmp_path / ("env-" + sh.name)
    sh.run("env > %s" % dump)
    return "\n".join(line for line in dump.read_text().splitlines() if "SSOENV_" in line)


@pytest.mark.parametrize("shell", SHELLS)
def test_a_secret_the_shell_holds_is_never_copied_into_ssoenv_variables(
    sandbox, open_shell, shell, tmp_path
):
    token = "ghp_" + "s3cr3t" * 6
    proj = sandbox.project(
        "shop",
        'profile: dev\nenv:\n  GITHUB_TOKEN: ""\n  TF_VAR_db_password: project-pw-1234\n'
        "  TF_VAR_stage: dev\n",
    )
    sh = open_shell(shell, extra_env={"GITHUB_TOKEN": token})
    out = clean(sh.run("cd %s" % proj))
    assert sh.get("TF_VAR_stage") == "dev"
    assert sh.get("TF_VAR_db_password") == "project-pw-1234"
    recorded = _ssoenv_variables(sh, tmp_path)
    assert "TF_VAR_stage" in recorded  # the record is there...
    assert token not in recorded  # ...without the shell's secret
    assert "project-pw-1234" not in recorded  # ...or the project's
    assert sh.get("GITHUB_TOKEN") == token
    assert (
        "ssoenv: ~/shop/.ssoenv: env: GITHUB_TOKEN is not set: this shell holds a secret in "
        "it, and ssoenv keeps no copy of a secret to put back; to use the project's value, "
        "unset GITHUB_TOKEN first" in out
    )
    sh.run("cd /")
    assert sh.get("GITHUB_TOKEN") == token
    assert sh.get("TF_VAR_db_password") is None
    assert sh.get("SSOENV_DIFF") is None


def test_long_term_keys_in_the_shell_are_not_copied_into_ssoenv_variables(world, browser):
    world.login("--profile", PROFILE)
    project = world.project("proj", "profile: %s\ncredentials: true\n" % PROFILE)
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    env = world.env(AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY=secret)
    changes, lines = export_json(world, project, env)
    inside = applied(env, changes)
    assert [
        name for name, value in inside.items() if name.startswith("SSOENV_") and secret in value
    ] == []
    assert inside["AWS_SECRET_ACCESS_KEY"] == secret
    assert inside["AWS_ACCESS_KEY_ID"] == "AKIAIOSFODNN7EXAMPLE"
    assert "AWS_SESSION_TOKEN" not in inside
    assert inside["AWS_PROFILE"] == PROFILE
    assert any(line.startswith("ssoenv: AWS_ACCESS_KEY_ID is set in this shell") for line in lines)
    left, _ = export_json(world, world.home, inside)
    assert applied(inside, left)["AWS_SECRET_ACCESS_KEY"] == secret


# ---- trust: the file checked is the file read ---------------------------------------------


def _flip_forever(link: str, targets, stop: threading.Event) -> None:
    """Swap `link` between `targets` atomically, as fast as possible, until `stop`."""
    tmp = link + ".flip"
    i = 0
    while not stop.is_set():
        try:
            os.symlink(targets[i % len(targets)], tmp)
            os.replace(tmp, link)
        except OSError:
            pass
        i += 1


def test_a_symlink_flipped_during_export_never_applies_untrusted_content(ssoenv_env):
    """A repository under a trusted prefix whose `.ssoenv` links outside it, to a link the
    attacker keeps flipping between their own file and the repository's."""
    from ssoenv.prompt import export

    ssoenv_env.write_aws_config()
    home = ssoenv_env.home
    ssoenv_env.write_user_config("trusted_prefixes: [~/trusted]\n")
    repo = home / "trusted" / "repo"
    repo.mkdir(parents=True)
    (repo / "team.ssoenv").write_text("profile: dev\n")
    evil = home / "tmp-evil"
    evil.mkdir()
    (evil / "payload").write_text("profile: prod\nenv:\n  EVIL: applied\n")
    link = str(evil / "link")
    os.symlink(str(repo / "team.ssoenv"), link)
    os.symlink(link, str(repo / ".ssoenv"))
    env = dict(os.environ, PWD=str(repo))
    os.chdir(repo)
    stop = threading.Event()
    flipper = threading.Thread(
        target=_flip_forever, args=(link, [str(evil / "payload"), str(repo / "team.ssoenv")], stop)
    )
    flipper.start()
    outcomes = {"trusted": 0, "untrusted applied": 0, "refused": 0}
    try:
        for _ in range(400):
            changes, _ = export.compute(env)
            if changes.get("EVIL") or changes.get("AWS_PROFILE") == "prod":
                outcomes["untrusted applied"] += 1
            elif changes.get("AWS_PROFILE") == "dev":
                outcomes["trusted"] += 1
            else:
                outcomes["refused"] += 1
    finally:
        stop.set()
        flipper.join()
    assert outcomes["untrusted applied"] == 0, outcomes
    assert outcomes["trusted"] > 0, outcomes


def test_a_symlink_elsewhere_to_an_allowed_file_is_not_allowed(ssoenv_env):
    ssoenv_env.write_aws_config()
    f = ssoenv_env.write_dotfile("profile: dev\n")
    ssoenv_env.allow(f)
    elsewhere = ssoenv_env.home / "elsewhere"
    elsewhere.mkdir()
    os.symlink(str(f), str(elsewhere / ".ssoenv"))
    result = ssoenv_env.run(
        "export", "json", cwd=elsewhere, env=dict(ssoenv_env.base_env(), PWD=str(elsewhere))
    )
    assert "AWS_PROFILE" not in json.loads(result.stdout)
    assert result.stderr == "ssoenv: ~/elsewhere/.ssoenv is not allowed; run: ssoenv allow\n"
    # Allowed there, it applies there; the original stays allowed where it is.
    assert ssoenv_env.run("allow", str(elsewhere)).returncode == 0
    result = ssoenv_env.run(
        "export", "json", cwd=elsewhere, env=dict(ssoenv_env.base_env(), PWD=str(elsewhere))
    )
    assert json.loads(result.stdout)["AWS_PROFILE"] == "dev"
    assert json.loads(ssoenv_env.run("export", "json").stdout)["AWS_PROFILE"] == "dev"


def test_a_trusted_prefix_does_not_cover_a_link_into_it_from_elsewhere(ssoenv_env):
    ssoenv_env.write_aws_config()
    ssoenv_env.write_user_config("trusted_prefixes: [~/work]\n")
    f = ssoenv_env.write_dotfile("profile: dev\n")
    elsewhere = ssoenv_env.home / "elsewhere"
    elsewhere.mkdir()
    os.symlink(str(f), str(elsewhere / ".ssoenv"))
    result = ssoenv_env.run(
        "export", "json", cwd=elsewhere, env=dict(ssoenv_env.base_env(), PWD=str(elsewhere))
    )
    assert "AWS_PROFILE" not in json.loads(result.stdout)
    assert json.loads(ssoenv_env.run("export", "json").stdout)["AWS_PROFILE"] == "dev"


def test_a_trusted_prefix_covers_only_the_users_own_files(ssoenv_env):
    # Another local user who can write below a trusted prefix (a shared checkout, a group
    # directory) must not get a file applied without the user's own allow.
    if os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root (CI runs as root)")
    ssoenv_env.write_aws_config()
    ssoenv_env.write_user_config("trusted_prefixes: [~/work]\n")
    f = ssoenv_env.write_dotfile("profile: dev\n")
    os.chown(str(f), 65534, 65534)
    result = ssoenv_env.run("export", "json")
    assert "AWS_PROFILE" not in json.loads(result.stdout)
    assert result.stderr == (
        "ssoenv: ~/work/project/.ssoenv is not allowed: another user (uid 65534) owns it, and "
        "trusted_prefixes covers only your own files; to use it, run: ssoenv allow\n"
    )
    assert ssoenv_env.run("allow", str(f)).returncode == 0
    assert json.loads(ssoenv_env.run("export", "json").stdout)["AWS_PROFILE"] == "dev"


# ---- trusted prefixes are absolute ------------------------------------------------------


@pytest.mark.parametrize("prefix", [".", "", "work", "./work"])
def test_a_relative_or_empty_trusted_prefix_is_rejected_and_trusts_nothing(ssoenv_env, prefix):
    ssoenv_env.write_aws_config()
    ssoenv_env.write_user_config("trusted_prefixes: [%s]\n" % json.dumps(prefix))
    ssoenv_env.write_dotfile("profile: dev\n")
    result = ssoenv_env.run("export", "json")
    assert "AWS_PROFILE" not in json.loads(result.stdout)
    assert result.stderr.splitlines() == [
        'ssoenv: ~/.config/ssoenv/config.yaml: trusted_prefixes: "%s" is not an absolute '
        "directory; write it as /... or ~/..." % prefix,
        "ssoenv: ~/work/project/.ssoenv is not allowed; run: ssoenv allow",
    ]


def test_a_trusted_prefix_of_the_root_warns(ssoenv_env):
    ssoenv_env.write_aws_config()
    ssoenv_env.write_user_config("trusted_prefixes: [/]\n")
    ssoenv_env.write_dotfile("profile: dev\n")
    warning = (
        "ssoenv: trusted_prefixes in ~/.config/ssoenv/config.yaml includes /, so every "
        ".ssoenv on this machine applies without an allow; name your project directories "
        "instead"
    )
    result = ssoenv_env.run("export", "json")
    assert json.loads(result.stdout)["AWS_PROFILE"] == "dev"
    assert warning in result.stderr.splitlines()
    doctor = ssoenv_env.run("doctor")
    assert warning[len("ssoenv: ") :] in doctor.stdout + doctor.stderr


# ---- terminal escapes ---------------------------------------------------------------------

# Sets the clipboard (OSC 52), clears the screen, reverses the text after it, and forges a
# line of its own.
HOSTILE = "\x1b]52;c;cGF5bG9hZA==\x07\x1b[2J\u202e\nssoenv: loaded ~/safe/.ssoenv (profile safe)"
RAW = ("\x1b", "\x07", "\u202e", "\x9b")


@pytest.mark.parametrize("shell", SHELLS)
def test_a_never_allowed_file_writes_no_escape_sequence_to_the_terminal(sandbox, open_shell, shell):
    proj = sandbox.project("shop", "profile: dev\nregion: %s\n" % json.dumps(HOSTILE), allow=False)
    sh = open_shell(shell)
    out = sh.run("cd %s" % proj)
    lines = clean(out)
    assert lines and all(not any(c in line for c in RAW) for line in lines), lines
    assert "ssoenv: loaded ~/safe/.ssoenv (profile safe)" not in lines
    assert any("\\e]52;c;cGF5bG9hZA==\\x07\\e[2J\\u202e\\nssoenv: loaded" in line for line in lines)


def test_profile_names_and_paths_are_escaped_in_every_message(ssoenv_env):
    evil_profile = "dev\x1b[2J\u202e"
    ssoenv_env.write_aws_config(
        "[profile %s]\nregion = eu-west-1\ncredential_process = /bin/false\n" % evil_profile
    )
    directory = ssoenv_env.home / "work" / "shop\u202egnp.exe"
    f = ssoenv_env.write_dotfile("profile: %s\n" % json.dumps(evil_profile), directory)
    env = dict(ssoenv_env.base_env(), PWD=str(directory))
    outputs = [
        ssoenv_env.run("export", "json", cwd=directory, env=env).stderr,
        ssoenv_env.run("allow", cwd=directory, env=env).stderr,
    ]
    outputs.append(ssoenv_env.run("export", "json", cwd=directory, env=env).stderr)
    status = ssoenv_env.run("status", cwd=directory, env=env)
    outputs += [status.stdout, status.stderr]
    profiles = ssoenv_env.run("profiles", cwd=directory, env=env)
    outputs += [profiles.stdout, profiles.stderr]
    outputs.append(ssoenv_env.run("exec", "--", "true", cwd=directory, env=env).stderr)
    outputs.append(ssoenv_env.run("deny", str(f), cwd=directory, env=env).stderr)
    for text in outputs:
        assert not any(c in text for c in RAW), text
    joined = "\n".join(outputs)
    assert "shop\\u202egnp.exe" in joined
    assert "dev\\e[2J\\u202e" in joined


# ---- a teammate's file cannot write lines into ~/.aws/config ------------------------------

INJECTED = "\n[profile evil]\ncredential_process = sh -c 'touch /tmp/ssoenv-pwned'"


@pytest.mark.parametrize(
    "field, value",
    [
        ("sso_start_url", "https://evil.awsapps.com/start" + INJECTED),
        ("sso_start_url", "http://evil.awsapps.com/start"),
        ("sso_start_url", "https://evil.awsapps.com/start x"),
        ("account", "222222222222" + INJECTED),
        ("account", "2222"),
        ("role", "ReadOnly" + INJECTED),
        ("role", "Read Only"),
        ("region", "us-east-1" + INJECTED),
    ],
)
def test_configure_from_dotfile_writes_nothing_a_file_smuggles_in(aws_home, tmp_path, field, value):
    values = {
        "account": "222222222222",
        "role": "ReadOnly",
        "sso_start_url": "https://evil.awsapps.com/start",
        "region": "us-east-1",
    }
    values[field] = value
    project = tmp_path / "shared"
    project.mkdir()
    (project / ".ssoenv").write_text(
        "".join("%s: %s\n" % (k, json.dumps(v)) for k, v in values.items())
    )
    config = aws_home / ".aws" / "config"
    before = config.read_text()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ssoenv",
            "configure",
            "--from-dotfile",
            "--sso-session",
            "evil",
            "--sso-region",
            "eu-west-1",
            "--scopes",
            "sso:account:access",
            "--output",
            "",
            "--profile-name",
            "shared",
            "--dry-run",
        ],
        env=dict(os.environ, PYTHONPATH=ROOT, PWD=str(project)),
        cwd=str(project),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert config.read_text() == before
    assert "[profile evil]" not in result.stdout  # the diff a dry run prints
    assert result.returncode != 0
    (line,) = result.stderr.splitlines()
    assert line.startswith("ssoenv: %s/.ssoenv: line " % project) or line.startswith(
        "ssoenv: %s/.ssoenv: " % project
    )
    assert field in line or "region" in line
    assert "Traceback" not in result.stderr


def test_status_doctor_and_exec_apply_the_same_rule_as_the_hook(ssoenv_env):
    ssoenv_env.write_aws_config()
    f = ssoenv_env.write_dotfile(
        "profile: static\nenv:\n  TF_VAR_stage: dev\n  PATH: /tmp/evil\n  BASH_ENV: /tmp/evil.sh\n"
    )
    ssoenv_env.allow(f)
    line = (
        "~/work/project/.ssoenv: env: PATH is not set: it changes which programs and code "
        "run; to permit it, add PATH to allowed_variables in ~/.config/ssoenv/config.yaml"
    )
    status = ssoenv_env.run("status", "--json")
    info = json.loads(status.stdout)
    assert info["wanted"] == {
        "AWS_PROFILE": "static",
        "AWS_DEFAULT_PROFILE": None,
        "TF_VAR_stage": "dev",
    }
    assert line in info["errors"]
    doctor = ssoenv_env.run("doctor")
    assert line in doctor.stdout + doctor.stderr
    ran = ssoenv_env.run(
        "exec", "--", sys.executable, "-c", "import os, json; print(json.dumps(dict(os.environ)))"
    )
    assert ran.returncode == 0, ran.stderr
    child = json.loads(ran.stdout)
    assert child["TF_VAR_stage"] == "dev"
    assert child["PATH"] == os.environ["PATH"]
    assert "BASH_ENV" not in child
    assert "ssoenv: " + line in ran.stderr.splitlines()


def test_escaped_text_is_one_line_without_control_or_bidi_characters():
    import unicodedata

    from hypothesis import given
    from hypothesis import strategies as st

    from ssoenv.base.safetext import escape

    @given(st.text())
    def check(text):
        shown = escape(text)
        assert "\n" not in shown and "\r" not in shown
        for c in shown:
            assert unicodedata.category(c) != "Cc", repr(shown)
            assert unicodedata.bidirectional(c) not in (
                "RLO",
                "LRO",
                "RLE",
                "LRE",
                "PDF",
                "RLI",
                "LRI",
                "FSI",
                "PDI",
            ), repr(shown)
        # Printable text is left exactly as it was.
        if all(c.isprintable() for c in text):
            assert shown == text

    check()
