"""`ssoenv exec --serve -- CMD`: a credential endpoint for the life of CMD, used by boto3
inside CMD, against the emulator."""
# ruff: noqa: F405

import json
import os
import socket
import sys
import textwrap

import pytest
from chain_world import *  # noqa: F403
from sso_cli_world import *  # noqa: F403
from sso_fixtures import *  # noqa: F403

from ssoenv.sso import cache, chain


def python_command(code: str) -> list:
    return [sys.executable, "-c", textwrap.dedent(code)]


def issued_keys(emulator, role=None):
    with emulator.lock:
        return [
            c["accessKeyId"] for c in emulator.issued_credentials if role in (None, c["roleName"])
        ]


def last_json_line(text: str) -> dict:
    return json.loads(text.strip().splitlines()[-1])


BOTO3_CREDENTIALS = """
    import json, os, sys, boto3
    creds = boto3.Session().get_credentials()
    frozen = creds.get_frozen_credentials()
    print(json.dumps({
        "method": creds.method,
        "key": frozen.access_key,
        "has_secret": bool(frozen.secret_key and frozen.token),
        "region": boto3.Session().region_name,
        "env": sorted(k for k in os.environ if k.startswith("AWS_")),
        "uri": os.environ.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
    }))
    sys.exit(3)
"""


def test_boto3_in_the_command_gets_the_profiles_role_from_the_endpoint(world, browser):
    world.login("--profile", PROFILE)
    cmd = python_command(BOTO3_CREDENTIALS)
    result = world.run("exec", "--serve", "--profile", "dev-admin", "--", *cmd)
    assert result.returncode == 3, result.stderr
    assert result.stderr == ""
    out = last_json_line(result.stdout)
    assert out["method"] == "container-role"
    assert out["has_secret"]
    assert out["key"] in issued_keys(world.emulator, "Admin")
    assert out["uri"].startswith("http://127.0.0.1:") and out["uri"].endswith("/")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        assert name not in out["env"]
    assert "AWS_CONTAINER_AUTHORIZATION_TOKEN" in out["env"]


def test_the_projects_role_and_region_without_keys_even_when_the_file_asks_for_them(world, browser):
    world.login("--profile", PROFILE)
    project = world.project(
        "proj", f"profile: {PROFILE}\nregion: eu-central-1\ncredentials: true\n"
    )
    result = world.run("exec", "--serve", "--", *python_command(BOTO3_CREDENTIALS), cwd=project)
    assert result.returncode == 3, result.stderr
    out = last_json_line(result.stdout)
    assert out["method"] == "container-role"
    assert out["key"] in issued_keys(world.emulator, ROLE)
    assert out["region"] == "eu-central-1"
    assert "AWS_ACCESS_KEY_ID" not in out["env"]


def test_the_profiles_region_comes_along_without_aws_profile(world, browser):
    world.login("--profile", PROFILE)
    result = world.run(
        "exec", "--serve", "--profile", PROFILE, "--", *python_command(BOTO3_CREDENTIALS)
    )
    assert last_json_line(result.stdout)["region"] == REGION


CALLER = """
    import json, boto3
    session = boto3.Session()
    creds = session.get_credentials()
    print(json.dumps({
        "method": creds.method,
        "key": creds.get_frozen_credentials().access_key,
        "arn": session.client("sts").get_caller_identity()["Arn"],
        "region": session.region_name,
    }))
"""


def test_boto3_in_the_command_runs_as_the_last_role_of_a_chain(chains, browser):
    chains.login("--profile", PROFILE)
    cmd = python_command(CALLER)
    result = chains.run("exec", "--serve", "--profile", "chained", "--", *cmd)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = last_json_line(result.stdout)
    assert out["method"] == "container-role"
    # STS (moto, through AWS_ENDPOINT_URL_STS) knows the keys as the second hop's role.
    assert out["arn"].startswith("arn:aws:sts::333333333333:assumed-role/Workload/")
    assert out["region"] == "eu-central-1"
    # What was served is what the chain cached for the AWS CLI, not the SSO role's keys.
    entry = read_json(chain.cache_path(hops_of("chained")[1]))
    assert out["key"] == entry["Credentials"]["AccessKeyId"]
    assert out["key"] not in issued_keys(chains.emulator)


@pytest.mark.parametrize(
    "profile, endpoint, message",
    [
        (
            "chained",
            "AWS_ENDPOINT_URL_STS",
            'ssoenv: assuming role arn:aws:iam::222222222222:role/Deployer (profile "hop1") '
            "failed: cannot reach STS at 127.0.0.1:",
        ),
        (
            PROFILE,
            "AWS_ENDPOINT_URL_SSO",
            "ssoenv: getting credentials for role ReadOnly in account 111111111111 failed: "
            "cannot reach IAM Identity Center at 127.0.0.1:",
        ),
    ],
)
def test_no_credentials_to_start_with_is_one_line_and_runs_nothing(
    chains, browser, tmp_path, profile, endpoint, message
):
    chains.login("--profile", PROFILE)
    marker = tmp_path / "ran"
    env = chains.env(**{endpoint: "http://127.0.0.1:%d" % closed_port()})
    result = chains.run(
        "exec", "--serve", "--profile", profile, "--", "touch", str(marker), env=env
    )
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(message)
    assert "renewing" not in result.stderr
    assert not marker.exists()


ASK_ENDPOINT = """
    import json, os, urllib.request, urllib.error
    uri = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
    token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    def ask(headers, url=uri):
        try:
            with opener.open(urllib.request.Request(url, headers=headers), timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())
    results = {
        "none": ask({}),
        "wrong": ask({"Authorization": "not-" + token}),
        "empty": ask({"Authorization": ""}),
        "other_path": ask({"Authorization": token}, uri + "latest/meta-data/"),
        "right": ask({"Authorization": token}),
    }
    print(json.dumps({k: [s, sorted(b)] for k, (s, b) in results.items()}))
    print(json.dumps({"key": results["right"][1].get("AccessKeyId"),
                      "expiration": results["right"][1].get("Expiration")}))
"""


def test_the_endpoint_refuses_requests_without_the_token(world, browser):
    world.login("--profile", PROFILE)
    result = world.run("exec", "--serve", "--profile", PROFILE, "--", *python_command(ASK_ENDPOINT))
    assert result.returncode == 0, result.stderr
    answers, right = [json.loads(line) for line in result.stdout.strip().splitlines()[-2:]]
    assert answers["none"] == [401, ["message"]]
    assert answers["empty"] == [401, ["message"]]
    assert answers["wrong"] == [403, ["message"]]
    assert answers["other_path"] == [404, ["message"]]
    assert answers["right"] == [
        200,
        ["AccessKeyId", "AccountId", "Expiration", "SecretAccessKey", "Token"],
    ]
    issued = [c for c in world.emulator.issued_credentials if c["accessKeyId"] == right["key"]]
    assert len(issued) == 1 and issued[0]["roleName"] == ROLE
    assert right["expiration"] == cache.format_time(issued[0]["expiration"] / 1000.0)


RENEWAL = """
    import json, os, sys, time, boto3
    from datetime import datetime, timezone
    # Time passing for the sign-in: the cached token now has 5 minutes left.
    path = sys.argv[1]
    with open(path) as f:
        token = json.load(f)
    token["expiresAt"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 300))
    with open(path, "w") as f:
        json.dump(token, f)
    creds = boto3.Session().get_credentials()
    seen = []
    deadline = time.time() + 45
    while time.time() < deadline:
        frozen = creds.get_frozen_credentials()
        left = creds._expiry_time - datetime.now(timezone.utc)
        seen.append([frozen.access_key, left.total_seconds()])
        time.sleep(1)
    print(json.dumps(seen))
"""


def test_short_role_credentials_and_the_sign_in_are_renewed_while_the_command_runs(world, browser):
    world.emulator.configure(role_credentials_ttl=60)
    world.login("--profile", PROFILE)
    world.emulator.reset_counters()
    cmd = python_command(RENEWAL) + [token_path()]
    result = world.run("exec", "--serve", "--profile", PROFILE, "--", *cmd, timeout=120)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    keys = [key for key, _ in seen]
    # 45 seconds of one-minute credentials: renewed at least once, never expired.
    assert len(set(keys)) >= 2, keys
    assert set(keys) <= set(issued_keys(world.emulator, ROLE))
    assert min(left for _, left in seen) > 0
    # The sign-in was renewed through its refresh token, once.
    assert world.emulator.refresh_calls == 1
    assert cache.token_status(cache.read_token(token_path())) == "valid"


def test_listen_serves_on_the_given_address_and_ends_with_the_command(world, browser):
    world.login("--profile", PROFILE)
    port = free_port()
    code = "import os; print(os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI']); raise SystemExit(5)"
    result = world.run(
        "exec",
        "--listen",
        "0.0.0.0:%d" % port,
        "--profile",
        PROFILE,
        "--",
        sys.executable,
        "-c",
        code,
    )
    assert result.returncode == 5, result.stderr
    assert result.stdout == "http://127.0.0.1:%d/\n" % port
    assert result.stderr == (
        "ssoenv: serving the role credentials of profile dev on http://127.0.0.1:%d/\n" % port
    )
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_listen_on_a_port_in_use_is_one_line_and_runs_nothing(world, browser, tmp_path):
    world.login("--profile", PROFILE)
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    marker = tmp_path / "ran"
    try:
        result = world.run(
            "exec",
            "--listen",
            "127.0.0.1:%d" % port,
            "--profile",
            PROFILE,
            "--",
            "touch",
            str(marker),
        )
    finally:
        busy.close()
    assert result.returncode == 1
    assert result.stderr == "ssoenv: cannot listen on 127.0.0.1:%d: Address already in use\n" % port
    assert not marker.exists()


@pytest.mark.parametrize(
    "value, message",
    [
        (
            "9911",
            "--listen 9911: expected ADDR:PORT with a port from 1 to 65535, e.g. 127.0.0.1:9911",
        ),
        (
            "127.0.0.1:0",
            "--listen 127.0.0.1:0: expected ADDR:PORT with a port from 1 to 65535, e.g. 127.0.0.1:9911",
        ),
        (
            "127.0.0.1:99999",
            "--listen 127.0.0.1:99999: expected ADDR:PORT with a port from 1 to 65535, e.g. 127.0.0.1:9911",
        ),
        (
            "localhost:9911",
            "--listen localhost:9911: localhost is not an IP address; give one, e.g. 0.0.0.0:9911",
        ),
    ],
)
def test_a_bad_listen_address_is_one_line(world, browser, value, message):
    world.login("--profile", PROFILE)
    result = world.run("exec", "--listen", value, "--profile", PROFILE, "--", "true")
    assert result.returncode == 2
    assert result.stderr == "ssoenv: %s\n" % message


def test_serve_when_not_logged_in_is_one_line_and_runs_nothing(world, tmp_path):
    marker = tmp_path / "ran"
    result = world.run("exec", "--serve", "--profile", PROFILE, "--", "touch", str(marker))
    assert result.returncode == 1
    assert result.stderr.startswith('ssoenv: not logged in to sso-session "my-sso"')
    assert len(result.stderr.splitlines()) == 1
    assert not marker.exists()


def test_serve_a_missing_command_is_one_line_with_status_127(world, browser):
    world.login("--profile", PROFILE)
    result = world.run("exec", "--serve", "--profile", PROFILE, "--", "no-such-command-xyz")
    assert result.returncode == 127
    assert result.stderr == "ssoenv: no-such-command-xyz: command not found\n"


def test_serve_for_a_profile_without_identity_center_is_one_line(world, tmp_path):
    with open(os.path.join(world.home, ".aws", "config"), "a") as f:
        f.write("\n[profile static]\nregion = eu-west-1\n")
    result = world.run("exec", "--serve", "--profile", "static", "--", "true")
    assert result.returncode == 1
    assert result.stderr == 'ssoenv: profile "static" does not use IAM Identity Center\n'


def test_a_killed_command_gives_128_plus_the_signal(world, browser):
    world.login("--profile", PROFILE)
    result = world.run("exec", "--serve", "--profile", PROFILE, "--", "sh", "-c", "kill -TERM $$")
    assert result.returncode == 128 + 15


def test_a_role_that_needs_mfa_asks_for_the_code_at_a_terminal_before_the_command(chains, browser):
    chains.login("--profile", PROFILE)
    args = ["exec", "--serve", "--profile", "mfa", "--", *python_command(CALLER)]
    # The profile names no region: the command gets one from the environment.
    env = chains.env(AWS_DEFAULT_REGION="eu-central-1")
    status, said = at_a_terminal_with_mfa(chains, args, env=env)
    assert status == 0, said
    out = last_json_line(said.replace("\r", ""))
    assert out["method"] == "container-role"
    assert out["arn"].startswith("arn:aws:sts::444444444444:assumed-role/")
