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


@pytest.mark.parametrize("var", ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"])
def test_a_profile_set_by_hand_in_a_project_with_keys_is_the_role_served(world, browser, var):
    world.login("--profile", PROFILE)
    project = world.project("proj", f"profile: {PROFILE}\ncredentials: true\n")
    changes, _ = export_json(world, project)
    env = applied(world.env(), changes)  # the shell in the project, keys exported
    assert env["AWS_ACCESS_KEY_ID"]
    env[var] = "dev-admin"  # by hand, on the command line
    cmd = python_command(BOTO3_CREDENTIALS)
    result = world.run("exec", "--serve", "--", *cmd, cwd=project, env=env)
    assert result.returncode == 3, result.stderr
    out = last_json_line(result.stdout)
    assert out["method"] == "container-role"
    assert out["key"] in issued_keys(world.emulator, "Admin")
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
            "failed: cannot reach http://127.0.0.1:",
        ),
        (
            PROFILE,
            "AWS_ENDPOINT_URL_SSO",
            "ssoenv: getting credentials for role ReadOnly in account 111111111111 failed: "
            "cannot reach http://127.0.0.1:",
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
    deadline = time.time() + 16
    while time.time() < deadline:
        frozen = creds.get_frozen_credentials()
        left = creds._expiry_time - datetime.now(timezone.utc)
        seen.append([frozen.access_key, left.total_seconds()])
        time.sleep(1)
    print(json.dumps(seen))
"""


@pytest.mark.long("waits")
def test_short_role_credentials_and_the_sign_in_are_renewed_while_the_command_runs(world, browser):
    world.emulator.configure(role_credentials_ttl=20)
    world.login("--profile", PROFILE)
    world.emulator.reset_counters()
    cmd = python_command(RENEWAL) + [token_path()]
    result = world.run("exec", "--serve", "--profile", PROFILE, "--", *cmd, timeout=120)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    keys = [key for key, _ in seen]
    # 16 seconds of 20-second credentials (renewed halfway): renewed at least once, never
    # expired.
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


DEFAULTS = {
    "an SSO [default] in the config": (
        "config",
        f"\n[default]\nsso_session = {SESSION_NAME}\nsso_account_id = {ACCOUNT}\n"
        "sso_role_name = Admin\nregion = us-west-2\n",
    ),
    "keys in [default] of the credentials file": (
        "credentials",
        "[default]\naws_access_key_id = AKIADEFAULTDEFAULT00\n"
        "aws_secret_access_key = defaultdefaultdefaultdefaultdefault00000\n",
    ),
    "keys in [default] of the config": (
        "config",
        "\n[default]\naws_access_key_id = AKIADEFAULTCONFIG000\n"
        "aws_secret_access_key = defaultdefaultdefaultdefaultdefault00000\n",
    ),
    "a credential_process in [default]": (
        "config",
        '\n[default]\ncredential_process = %s -c "print(\'{\\"Version\\": 1, '
        '\\"AccessKeyId\\": \\"AKIADEFAULTPROCESS00\\", '
        '\\"SecretAccessKey\\": \\"x\\"}\')"\n' % sys.executable,
    ),
    "keys in the file AWS_CREDENTIAL_FILE names": (
        "ec2-credentials",
        "AWSAccessKeyId=AKIADEFAULTEC2000000\nAWSSecretKey=defaultdefaultdefault\n",
    ),
    "keys in ~/.boto": (
        ".boto",
        "[Credentials]\naws_access_key_id = AKIADEFAULTBOTO00000\n"
        "aws_secret_access_key = defaultdefaultdefaultdefaultdefault00000\n",
    ),
}


@pytest.mark.parametrize("default", list(DEFAULTS))
def test_the_command_runs_as_the_served_role_whatever_default_holds(chains, browser, default):
    where, text = DEFAULTS[default]
    path = os.path.join(chains.home, where if where[0] in ".e" else os.path.join(".aws", where))
    with open(path, "a") as f:
        f.write(text)
    chains.login("--profile", PROFILE)
    env = chains.env(AWS_CREDENTIAL_FILE=path) if where == "ec2-credentials" else None
    args = ["exec", "--serve", "--profile", "chained", "--", *python_command(CALLER)]
    result = chains.run(*args, env=env)
    assert result.returncode == 0, result.stderr
    out = last_json_line(result.stdout)
    assert out["method"] == "container-role"
    assert out["arn"].startswith("arn:aws:sts::333333333333:assumed-role/Workload/")
    assert out["region"] == "eu-central-1"


PRIVATE_FILES = """
    import json, os, stat
    files = {v: os.environ[v] for v in
             ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "BOTO_CONFIG")}
    modes = {v: oct(stat.S_IMODE(os.stat(p).st_mode)) for v, p in files.items()}
    directory = os.path.dirname(files["AWS_CONFIG_FILE"])
    with open(files["AWS_CONFIG_FILE"]) as f:
        config = f.read()
    print(json.dumps({"files": files, "modes": modes, "config": config,
                      "dir": oct(stat.S_IMODE(os.stat(directory).st_mode))}))
"""


def test_the_commands_aws_files_are_private_hold_no_keys_and_go_with_it(world, browser):
    with open(os.path.join(world.home, ".aws", "config"), "a") as f:
        f.write("\n[default]\naws_access_key_id = AKIADEFAULTCONFIG000\nca_bundle = /etc/ca.pem\n")
    world.login("--profile", PROFILE)
    result = world.run(
        "exec", "--serve", "--profile", PROFILE, "--", *python_command(PRIVATE_FILES)
    )
    assert result.returncode == 0, result.stderr
    out = last_json_line(result.stdout)
    assert set(out["modes"].values()) == {"0o600"} and out["dir"] == "0o700"
    assert out["config"] == "[default]\nca_bundle = /etc/ca.pem\nregion = %s\n" % REGION
    for path in out["files"].values():
        assert not os.path.exists(os.path.dirname(path))


IDLE_CONNECTIONS = """
    import json, os, socket, time, urllib.request
    from urllib.parse import urlsplit
    uri = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
    token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
    address = (urlsplit(uri).hostname, urlsplit(uri).port)
    tasks = "/proc/%d/task" % os.getppid()  # ssoenv, which serves the endpoint

    def threads():
        # The count that holds over 20 ms: a thread that has given its connection back
        # ends within moments, and may be caught ending on a busy machine.
        counts = []
        for _ in range(3):
            counts.append(len(os.listdir(tasks)))
            time.sleep(0.01)
        return min(counts)

    idle = []
    for _ in range(120):
        conn = socket.create_connection(address, timeout=60)
        idle.append(conn)
    # Half a request on some, nothing at all on the others.
    for conn in idle[::2]:
        conn.sendall(b"GET / HTTP/1.1\\r\\nAuthorization: ")
    most = 0
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    answered = []
    for _ in range(3):
        most = max(most, threads())
        request = urllib.request.Request(uri, headers={"Authorization": token})
        with opener.open(request, timeout=60) as r:
            answered.append(r.status)
        most = max(most, threads())
    # Wait (up to a minute in all) for the endpoint to close each one.
    closed = 0
    deadline = time.monotonic() + 60
    for conn in idle:
        try:
            conn.settimeout(max(0.1, deadline - time.monotonic()))
            while conn.recv(4096):
                pass
            closed += 1
        except ConnectionResetError:
            closed += 1
        except socket.timeout:
            pass
        most = max(most, threads())
    print(json.dumps({"most": most, "answered": answered, "closed": closed}))
"""


@pytest.mark.long("waits")
def test_idle_connections_hold_no_thread_for_long_and_stall_no_request(world, browser):
    from ssoenv.sso.server import MAX_CONNECTIONS

    world.login("--profile", PROFILE)
    cmd = python_command(IDLE_CONNECTIONS)
    result = world.run("exec", "--serve", "--profile", PROFILE, "--", *cmd, timeout=180)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = last_json_line(result.stdout)
    assert out["answered"] == [200, 200, 200]
    # ssoenv's own threads (main, the listener, the keeper) and one per open connection.
    assert out["most"] <= MAX_CONNECTIONS + 4, out
    # Every idle connection was closed by the endpoint, none outlived the command.
    assert out["closed"] == 120
