"""Role chains on an SSO login: `role_arn` + `source_profile` down to an SSO profile, and
profiles whose credential_process runs ssoenv. The SSO part against the emulator, the roles
against moto's STS server, the cache against botocore's own assume-role code."""
# ruff: noqa: F405

import json
import os
import sys
import textwrap
import time

import pytest
from chain_world import *  # noqa: F403
from live_shell import LiveShell, Sandbox
from sso_cli_world import *  # noqa: F403
from sso_fixtures import *  # noqa: F403
from sso_fixtures import CONFIG

from ssoenv.aws import awsconfig
from ssoenv.base.errors import ConfigError
from ssoenv.sso import cache, chain


def env_of(text: str) -> dict:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def one_error_line(result, *, contains=""):
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ssoenv: ") and contains in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


# -- resolving the chain, by botocore's rules ------------------------------------------------


def test_a_two_hop_chain_resolves_to_its_sso_root_first_hop_first(chains):
    found = awsconfig.sso_chain(awsconfig.load(), "chained")
    assert found.root.name == PROFILE and found.root.sso_session == SESSION_NAME
    assert found.via == ("chained", "hop1", PROFILE)
    assert [h.role_arn for h in found.hops] == [HOP1_ARN, HOP2_ARN]
    first, second = found.hops
    assert (first.role_session_name, first.external_id, first.duration_seconds) == (
        "alice-deploy",
        None,
        None,
    )
    assert (second.external_id, second.duration_seconds) == ("shop-ext-1", 1800)
    # botocore's client for every hop is the one of the profile in use.
    assert {h.client_profile for h in found.hops} == {"chained"}


def test_an_ssoenv_credential_process_resolves_to_the_profile_it_names(chains):
    found = awsconfig.sso_chain(awsconfig.load(), "chainproc")
    assert found.via == ("chainproc", "chained", "hop1", PROFILE)
    assert [h.client_profile for h in found.hops] == ["chained", "chained"]
    assert awsconfig.sso_chain(awsconfig.load(), "viaproc").hops == ()


@pytest.mark.parametrize(
    "command, target",
    [
        ("ssoenv credential-process --profile dev", "dev"),
        ("/usr/local/bin/ssoenv credential-process --profile=dev", "dev"),
        ("python3 -I -m ssoenv credential-process --profile dev", "dev"),
        ("aws-sso-util credential-process --profile dev", None),
        ("ssoenv exec --profile dev -- true", None),
        ("python3 script.py -m ssoenv credential-process --profile dev", None),
        ("ssoenv credential-process --profile 'unterminated", None),
    ],
)
def test_which_credential_processes_are_ssoenv(command, target):
    assert awsconfig.ssoenv_process_target(command) == target


def config_with(tmp_path, text: str, credentials: str = "") -> awsconfig.AwsConfig:
    path = tmp_path / "config"
    path.write_text(CONFIG + textwrap.dedent(text))
    creds = tmp_path / "credentials"
    creds.write_text(textwrap.dedent(credentials))
    return awsconfig.build(str(path), str(creds))


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n"
            "[profile b]\nrole_arn = arn:aws:iam::1:role/B\nsource_profile = a\n",
            'source_profile leads back to "a" (a -> b -> a)',
        ),
        (
            "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = a\n",
            'source_profile leads back to "a"',
        ),
        (
            "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = gone\n",
            'The source_profile "gone" referenced in the profile "a" does not exist.',
        ),
        (
            "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = dev\n"
            "credential_source = Environment\n",
            'The profile "a" contains both source_profile and credential_source.',
        ),
        (
            "[profile a]\nrole_arn = arn:aws:iam::1:role/A\n",
            "no source_profile or credential_source",
        ),
        (
            "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n[profile b]\n"
            "region = eu-west-1\n",
            'The source profile "b" must have credentials.',
        ),
        (
            "[profile a]\ncredential_process = ssoenv credential-process --profile b\n"
            "[profile b]\ncredential_process = ssoenv credential-process --profile a\n",
            "leads back to it (a -> b -> a)",
        ),
    ],
)
def test_chains_botocore_refuses_are_errors_in_its_words(tmp_path, text, message):
    config = config_with(tmp_path, text)
    with pytest.raises(ConfigError) as e:
        awsconfig.sso_chain(config, "a")
    assert message in str(e.value)


def test_chains_that_do_not_end_at_sso_are_none(tmp_path):
    config = config_with(
        tmp_path,
        """
        [profile envsrc]
        role_arn = arn:aws:iam::1:role/A
        credential_source = Environment
        [profile keysrc]
        role_arn = arn:aws:iam::1:role/A
        source_profile = keys
        [profile self]
        role_arn = arn:aws:iam::1:role/A
        source_profile = self
        [profile keyed-role]
        role_arn = arn:aws:iam::1:role/A
        source_profile = keyed-source
        [profile keyed-source]
        role_arn = arn:aws:iam::1:role/B
        source_profile = dev
        """,
        credentials="""
        [keys]
        aws_access_key_id = AKIAEXAMPLEEXAMPLE00
        aws_secret_access_key = x
        [self]
        aws_access_key_id = AKIAEXAMPLEEXAMPLE01
        aws_secret_access_key = y
        [keyed-source]
        aws_access_key_id = AKIAEXAMPLEEXAMPLE02
        aws_secret_access_key = z
        """,
    )
    for name in ("envsrc", "keysrc", "self", "keys"):
        assert awsconfig.sso_chain(config, name) is None, name
    # A source profile's own keys beat its role_arn (botocore's profile chain).
    assert awsconfig.sso_chain(config, "keyed-role") is None


# -- the cache key and file, as botocore writes and reads them -------------------------------


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"role_session_name": "alice"},
        {"role_session_name": ""},
        {"external_id": "ext:1/2", "duration_seconds": 900},
        {"mfa_serial": "arn:aws:iam::1:mfa/alice", "role_session_name": "s"},
    ],
)
def test_cache_key_is_botocores(settings):
    from botocore.credentials import AssumeRoleCredentialFetcher

    hop = awsconfig.RoleHop(profile="p", role_arn="arn:aws:iam::123456789012:role/R", **settings)
    # botocore's provider passes what the profile sets (None-valued keys left out).
    extra = {}
    for key, arg in (
        ("role_session_name", "RoleSessionName"),
        ("external_id", "ExternalId"),
        ("mfa_serial", "SerialNumber"),
        ("duration_seconds", "DurationSeconds"),
    ):
        if key in settings:
            extra[arg] = settings[key]
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=None,
        source_credentials=None,
        role_arn=hop.role_arn,
        extra_args=extra,
        cache={},
    )
    assert chain.cache_key(hop) == fetcher._cache_key


AWS_CLI_CREDENTIALS = """
import json, os, sys
import botocore.session
from botocore.utils import JSONFileCache
session = botocore.session.Session(profile=sys.argv[1])
# What the AWS CLI does at start (awscli.customizations.assumerole): assumed-role keys in
# ~/.aws/cli/cache, through botocore's own provider.
provider = session.get_component("credential_provider").get_provider("assume-role")
provider.cache = JSONFileCache(os.path.expanduser("~/.aws/cli/cache"))
creds = session.get_credentials().get_frozen_credentials()
print(json.dumps({"AWS_ACCESS_KEY_ID": creds.access_key,
                  "AWS_SECRET_ACCESS_KEY": creds.secret_key,
                  "AWS_SESSION_TOKEN": creds.token}))
"""


def aws_cli_keys(profile: str) -> dict:
    import subprocess

    result = subprocess.run(
        [sys.executable, "-c", AWS_CLI_CREDENTIALS, profile],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, PYTHONPATH=ROOT),
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def credential_process(world, profile: str) -> dict:
    result = world.run("credential-process", "--profile", profile, secret_stdout=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    data = json.loads(result.stdout)
    return {
        "AWS_ACCESS_KEY_ID": data["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": data["SecretAccessKey"],
        "AWS_SESSION_TOKEN": data["SessionToken"],
        "Expiration": data["Expiration"],
    }


def test_credential_process_assumes_each_role_and_boto3_sees_the_chained_role(chains, browser):
    chains.login("--profile", PROFILE)
    keys = credential_process(chains, "chained")
    arn = identity(keys, chains.sts_url)
    assert arn.startswith("arn:aws:sts::333333333333:assumed-role/Workload/")
    # The first hop ran with the SSO role's keys, under the name the profile gives it.
    first = read_json(chain.cache_path(hops_of("chained")[0]))
    assert first["AssumedRoleUser"]["Arn"] == (
        "arn:aws:sts::222222222222:assumed-role/Deployer/alice-deploy"
    )
    assert first["Credentials"]["AccountId"] == "222222222222"
    # duration_seconds reached STS: the keys last 30 minutes, not an hour.
    left = cache.parse_time(keys["Expiration"]) - time.time()
    assert 1700 < left <= 1800
    assert chains.emulator.calls["GetRoleCredentials"] == 1


def test_the_aws_cli_uses_the_keys_ssoenv_cached(chains, browser):
    chains.login("--profile", PROFILE)
    keys = credential_process(chains, "chained")
    path = chain.cache_path(hops_of("chained")[1])
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    # botocore's provider with the CLI's cache finds the same keys: same file name, same
    # format, so it calls neither IAM Identity Center nor STS.
    chains.emulator.reset_counters()
    cli = aws_cli_keys("chained")
    assert cli["AWS_ACCESS_KEY_ID"] == keys["AWS_ACCESS_KEY_ID"]
    assert cli["AWS_SESSION_TOKEN"] == keys["AWS_SESSION_TOKEN"]
    assert chains.emulator.requests == []


def test_ssoenv_uses_the_keys_the_aws_cli_cached(chains, browser):
    chains.login("--profile", PROFILE)
    cli = aws_cli_keys("chained")
    chains.emulator.reset_counters()
    keys = credential_process(chains, "chained")
    assert keys["AWS_ACCESS_KEY_ID"] == cli["AWS_ACCESS_KEY_ID"]
    assert keys["AWS_SESSION_TOKEN"] == cli["AWS_SESSION_TOKEN"]
    assert chains.emulator.requests == []


def test_expired_hop_keys_are_assumed_again(chains, browser):
    chains.login("--profile", PROFILE)
    first = credential_process(chains, "chained")
    path = chain.cache_path(hops_of("chained")[1])
    entry = read_json(path)
    entry["Credentials"]["Expiration"] = cache.format_time(time.time() + 600)
    with open(path, "w") as f:
        json.dump(entry, f)
    again = credential_process(chains, "chained")
    assert again["AWS_ACCESS_KEY_ID"] != first["AWS_ACCESS_KEY_ID"]
    assert identity(again, chains.sts_url).startswith("arn:aws:sts::333333333333:")
    # The first hop was still cached: IAM Identity Center was not asked again.
    assert chains.emulator.calls["GetRoleCredentials"] == 1


def test_services_section_names_the_sts_endpoint(chains, browser, monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL_STS")
    with open(os.path.join(chains.home, ".aws", "config"), "a") as f:
        f.write(
            "\n[profile served]\nrole_arn = %s\nsource_profile = %s\nservices = local\n"
            "\n[services local]\nsts =\n  endpoint_url = %s\n" % (HOP1_ARN, PROFILE, chains.sts_url)
        )
    chains.login("--profile", PROFILE)
    keys = credential_process(chains, "served")
    assert identity(keys, chains.sts_url).startswith("arn:aws:sts::222222222222:")


def test_an_unreachable_sts_is_one_line(chains, browser):
    chains.login("--profile", PROFILE)
    env = chains.env(AWS_ENDPOINT_URL_STS="http://127.0.0.1:%d" % closed_port())
    result = chains.run("credential-process", "--profile", "chained", env=env)
    line = one_error_line(result, contains='assuming role %s (profile "hop1")' % HOP1_ARN)
    assert "cannot reach http://127.0.0.1:" in line
    assert result.stdout == ""


@pytest.mark.parametrize(
    "setting, said",
    [
        (
            "duration_seconds = 20",
            "invalid value for parameter DurationSeconds, value: 20, valid min value: 900; "
            "fix duration_seconds in [profile odd] of ~/.aws/config",
        ),
        (
            "external_id = x",
            "invalid length for parameter ExternalId, value: 1, valid min length: 2; "
            "fix external_id in [profile odd] of ~/.aws/config",
        ),
    ],
)
def test_settings_sts_would_refuse_are_one_line_naming_the_setting(chains, browser, setting, said):
    with open(os.path.join(chains.home, ".aws", "config"), "a") as f:
        f.write(
            "\n[profile odd]\nrole_arn = %s\nsource_profile = %s\n%s\n"
            % (HOP1_ARN, PROFILE, setting)
        )
    chains.login("--profile", PROFILE)
    result = chains.run("credential-process", "--profile", "odd")
    line = one_error_line(result, contains='assuming role %s (profile "odd") failed: ' % HOP1_ARN)
    assert line.endswith(" failed: " + said)
    assert result.stdout == ""


# -- exec ----------------------------------------------------------------------------------


def test_exec_with_keys_runs_as_the_chained_role(chains, browser):
    chains.login("--profile", PROFILE)
    project = chains.project("proj", "profile: chained\ncredentials: true\n")
    result = chains.run("exec", "--", "env", cwd=project, secret_stdout=True)
    assert result.returncode == 0, result.stderr
    env = env_of(result.stdout)
    assert env["AWS_PROFILE"] == "chained"
    assert identity(env, chains.sts_url).startswith("arn:aws:sts::333333333333:assumed-role/")


def test_exec_of_a_chain_when_logged_out_names_the_root_session(chains):
    result = chains.run("exec", "--profile", "chained", "--", "true")
    one_error_line(result, contains='not logged in to sso-session "my-sso"')


@pytest.mark.long("waits")
def test_exec_of_a_chain_without_keys_leaves_them_to_the_aws_tools(chains, browser):
    chains.login("--profile", PROFILE)
    code = (
        "import boto3; print(boto3.Session().client('sts', region_name='us-east-1')"
        ".get_caller_identity()['Arn'])"
    )
    env = chains.env(PYTHONPATH=ROOT)
    result = chains.run("exec", "--profile", "chainproc", "--", sys.executable, "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("arn:aws:sts::333333333333:assumed-role/Workload/")


def test_mfa_without_a_terminal_names_what_is_needed(chains, browser):
    chains.login("--profile", PROFILE)
    result = chains.run("credential-process", "--profile", "mfa")
    line = one_error_line(
        result, contains="needs an MFA code for arn:aws:iam::111111111111:mfa/alice"
    )
    assert line.endswith("to enter it at a terminal, run: ssoenv exec --profile mfa -- true")


def test_mfa_code_is_asked_for_at_a_terminal_and_the_keys_then_serve_without_one(chains, browser):
    chains.login("--profile", PROFILE)
    args = ["exec", "--profile", "mfa", "--", "echo", "ran-$AWS_PROFILE"]
    status, said = at_a_terminal_with_mfa(chains, args)
    assert status == 0, said
    entry = read_json(chain.cache_path(hops_of("mfa")[0]))
    assert entry["AssumedRoleUser"]["Arn"].startswith("arn:aws:sts::444444444444:")
    # Without a terminal now: the cached keys serve, no code is needed.
    keys = credential_process(chains, "mfa")
    assert keys["AWS_ACCESS_KEY_ID"] == entry["Credentials"]["AccessKeyId"]


def test_an_mfa_code_too_short_is_one_line_that_says_to_enter_the_code(chains, browser):
    chains.login("--profile", PROFILE)
    status, said = at_a_terminal_with_mfa(chains, ["exec", "--profile", "mfa", "--", "true"], "98")
    assert status == 1, said
    assert said.strip().splitlines() == [
        'ssoenv: assuming role arn:aws:iam::444444444444:role/Guarded (profile "mfa") failed: '
        "invalid length for parameter TokenCode, value: 2, valid min length: 6; "
        "enter the code your MFA device shows"
    ]


# -- login, status, the hook ---------------------------------------------------------------


def test_login_in_a_chained_project_logs_in_to_the_root_session(chains, browser):
    project = chains.project("proj", "profile: chained\n")
    result = chains.run("login", cwd=project)
    assert result.returncode == 0, result.stderr
    assert 'logged in to sso-session "my-sso"' in result.stderr
    assert cache.token_status(cache.read_token(token_path())) == "valid"


def test_login_with_a_credential_process_profile_logs_in_to_its_session(chains, browser):
    result = chains.run("login", "--profile", "chainproc")
    assert result.returncode == 0, result.stderr
    assert 'logged in to sso-session "my-sso"' in result.stderr


def test_status_of_a_chained_project_shows_the_session_and_token(chains, browser):
    project = chains.project("proj", "profile: chained\n")
    out = chains.run("status", cwd=project).stdout
    assert "session:  my-sso" in out
    assert "token:    not logged in; run: ssoenv login" in out
    assert out.splitlines()[1:5] == [
        "profile:  chained (account 333333333333, role Workload), a role chain:",
        "chain:    1. dev signs in to account 111111111111 as role ReadOnly",
        "chain:    2. hop1 assumes role Deployer in account 222222222222",
        "chain:    3. chained assumes role Workload in account 333333333333",
    ]
    chains.login("--profile", PROFILE)
    out = chains.run("status", cwd=project).stdout
    assert "token:    valid for 7 h 59 min, renewable until " in out


def test_allow_shows_every_hop_down_to_the_role_assumed(chains):
    from ssoenv.aws import accounts

    accounts.remember_names([{"accountId": "222222222222", "accountName": "staging"}])
    directory = chains.project("proj", "profile: chained\nregion: eu-west-1\n", allow=False)
    result = chains.run("allow", directory)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[1:] == [
        "  profile: chained (account 333333333333, role Workload), a role chain:",
        "    1. dev signs in to account 111111111111 as role ReadOnly",
        "    2. hop1 assumes role Deployer in account 222222222222 staging",
        "    3. chained assumes role Workload in account 333333333333",
        "  region:  eu-west-1",
    ]


def test_profiles_lists_a_chain_with_its_session_and_last_role(chains):
    result = chains.run("profiles", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert {k: rows["chained"][k] for k in ("sso_session", "account", "role")} == {
        "sso_session": "my-sso",
        "account": "333333333333",
        "role": "Workload",
    }
    # An ssoenv credential_process ends where the profile it names does.
    assert rows["chainproc"]["account"] == "333333333333"
    assert rows["chainproc"]["role"] == "Workload"


def test_hook_hints_at_login_for_a_chained_profile(chains):
    project = chains.project("proj", "profile: chained\n")
    result = chains.run("export", "json", cwd=project)
    assert result.returncode == 0, result.stderr
    assert 'ssoenv: session "my-sso" is not logged in; run: ssoenv login' in result.stderr


def test_hook_refreshes_the_root_session_in_the_background(chains, browser):
    chains.emulator.configure(access_token_ttl=300)
    chains.login("--profile", PROFILE)
    old = read_json(token_path())
    chains.emulator.configure(access_token_ttl=8 * 3600)
    project = chains.project("proj", "profile: chained\n")
    result = chains.run("export", "json", cwd=project)
    assert result.returncode == 0, result.stderr
    deadline = time.monotonic() + 20
    while read_json(token_path())["accessToken"] == old["accessToken"]:
        assert time.monotonic() < deadline, "no background refresh"
        time.sleep(0.1)


def test_doctor_reports_a_loop_in_a_project_profile(chains):
    with open(os.path.join(chains.home, ".aws", "config"), "a") as f:
        f.write("\n[profile loop]\nrole_arn = %s\nsource_profile = loop\n" % HOP1_ARN)
    project = chains.project("proj", "profile: loop\n")
    result = chains.run("doctor", cwd=project)
    assert result.returncode == 1
    assert 'source_profile leads back to "loop"' in result.stdout
    # Where it is wrong, too: the AWS config.
    assert "problem: ~/.aws/config [profile loop]: source_profile leads back" in result.stdout, (
        result.stdout
    )
    # The .ssoenv is not blamed for it, and the config's problem is named once.
    assert result.stdout.count("source_profile leads back") == 1, result.stdout
    assert "~/proj/.ssoenv: not applied while ~/.aws/config [profile loop]" in result.stdout


class ChainSandbox(Sandbox):
    """The shell's HOME is the world's, with its AWS config; STS and SSO are local."""

    def __init__(self, root, world):
        with open(os.path.join(world.home, ".aws", "config")) as f:
            config = f.read()
        super().__init__(root)
        assert self.home == world.home
        self.world = world
        with open(self.path(".aws/config"), "w") as f:
            f.write(config)

    def env(self) -> dict:
        env = super().env()
        env.update(
            PYTHONPATH=ROOT,
            PYTHONDONTWRITEBYTECODE="1",
            AWS_ENDPOINT_URL_SSO_OIDC=self.world.emulator.url,
            AWS_ENDPOINT_URL_SSO=self.world.emulator.url,
            AWS_ENDPOINT_URL_STS=self.world.sts_url,
            NO_PROXY="127.0.0.1,localhost",
        )
        return env


def test_credentials_true_in_a_real_shell_exports_the_chained_roles_keys(chains, browser, tmp_path):
    chains.login("--profile", PROFILE)
    project = chains.project("proj", "profile: chained\ncredentials: true\n")
    sh = LiveShell("bash", ChainSandbox(tmp_path, chains))
    try:
        sh.hook()
        out = sh.run("cd %s" % project)
        assert "ssoenv: loaded ~/proj/.ssoenv (profile chained, keys)" in out
        keys = {
            name: sh.get(name)
            for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
        }
        assert identity(keys, chains.sts_url).startswith(
            "arn:aws:sts::333333333333:assumed-role/Workload/"
        )
        entry = read_json(chain.cache_path(hops_of("chained")[1]))
        assert keys["AWS_ACCESS_KEY_ID"] == entry["Credentials"]["AccessKeyId"]
        assert sh.get("AWS_PROFILE") == "chained"
    finally:
        sh.close()
        chains.record(sh.output)


def test_hook_asks_for_no_mfa_code_and_says_how_to_give_one(chains, browser):
    chains.login("--profile", PROFILE)
    project = chains.project("proj", "profile: mfa\ncredentials: true\n")
    result = chains.run("export", "json", cwd=project)
    assert result.returncode == 0, result.stderr
    changes = json.loads(result.stdout)
    assert "AWS_ACCESS_KEY_ID" not in changes and changes["AWS_PROFILE"] == "mfa"
    assert (
        "ssoenv: ~/proj/.ssoenv: no keys exported: assuming role "
        'arn:aws:iam::444444444444:role/Guarded (profile "mfa") needs an MFA code for '
        "arn:aws:iam::111111111111:mfa/alice; to enter it at a terminal, run: "
        "ssoenv exec --profile mfa -- true"
    ) in result.stderr.splitlines()
