"""`ssoenv console` against the emulator and a small federation endpoint of the tests' own:
the session it is sent, the sign-in URL, and the browser that opens it."""
# ruff: noqa: F405

import json
import os
import secrets
import stat
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from chain_world import *  # noqa: F403
from sso_cli_world import *  # noqa: F403
from sso_fixtures import *  # noqa: F403

from ssoenv.commands import console
from ssoenv.sso import chain


class Federation:
    """The federation endpoint's two actions: getSigninToken (answers a fresh token for
    the session sent) and login (a browser landing there)."""

    def __init__(self):
        self.sessions = []  # (session JSON, SessionDuration or None)
        self.tokens = []
        self.logins = []  # query of each Action=login
        self.fail_status = None
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path != "/federation":
                    return self._answer(404, b"not found")
                if owner.fail_status:
                    return self._answer(owner.fail_status, b"<html>no</html>")
                if query.get("Action") == "getSigninToken":
                    owner.sessions.append(
                        (json.loads(query["Session"]), query.get("SessionDuration"))
                    )
                    token = "signin-" + secrets.token_urlsafe(24)
                    owner.tokens.append(token)
                    return self._answer(200, json.dumps({"SigninToken": token}).encode())
                if query.get("Action") == "login":
                    owner.logins.append(query)
                    return self._answer(200, b"<html>console</html>")
                return self._answer(400, b"bad action")

            def _answer(self, status, body):
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        self.url = "http://127.0.0.1:%d/federation" % self.server.server_address[1]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def federation(monkeypatch):
    fed = Federation()
    monkeypatch.setenv("SSOENV_FEDERATION_URL", fed.url)
    yield fed
    fed.stop()


def issued(emulator, key):
    with emulator.lock:
        return [c for c in emulator.issued_credentials if c["accessKeyId"] == key]


def login_query(url: str, federation) -> dict:
    parts = urlsplit(url)
    assert "%s://%s%s" % (parts.scheme, parts.netloc, parts.path) == federation.url
    query = parse_qs(parts.query)
    assert all(len(v) == 1 for v in query.values())
    return {k: v[0] for k, v in query.items()}


def wait_for(predicate, timeout=15):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_print_gives_only_the_sign_in_url_for_the_profiles_role(world, federation, browser):
    world.login("--profile", PROFILE)
    opened = browser.read_text()
    result = world.run(
        "console",
        "--profile",
        "dev-admin",
        "--service",
        "s3",
        "--region",
        "eu-central-1",
        "--print",
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.count("\n") == 1
    query = login_query(result.stdout.strip(), federation)
    assert query == {
        "Action": "login",
        "Issuer": "ssoenv",
        "Destination": "https://console.aws.amazon.com/s3/home?region=eu-central-1",
        "SigninToken": federation.tokens[-1],
    }
    # The session sent holds the Admin role's credentials, and no duration was asked for.
    [(session, duration)] = federation.sessions
    assert duration is None
    [creds] = issued(world.emulator, session["sessionId"])
    assert creds["roleName"] == "Admin" and creds["accountId"] == ACCOUNT
    assert session == {
        "sessionId": creds["accessKeyId"],
        "sessionKey": creds["secretAccessKey"],
        "sessionToken": creds["sessionToken"],
    }
    assert browser.read_text() == opened and federation.logins == []


def test_a_chained_profile_signs_in_as_the_last_role_of_its_chain(chains, federation, browser):
    chains.login("--profile", PROFILE)
    result = chains.run("console", "--profile", "chained", "--print")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    query = login_query(result.stdout.strip(), federation)
    assert query["SigninToken"] == federation.tokens[-1]
    assert query["Destination"] == (
        "https://console.aws.amazon.com/console/home?region=eu-central-1"
    )
    # The session sent holds the second hop's keys: STS (moto) knows them as its role, and
    # they are the ones the chain cached; the SSO role's keys never reach the endpoint.
    [(session, duration)] = federation.sessions
    keys = {
        "AWS_ACCESS_KEY_ID": session["sessionId"],
        "AWS_SECRET_ACCESS_KEY": session["sessionKey"],
        "AWS_SESSION_TOKEN": session["sessionToken"],
    }
    assert identity(keys, chains.sts_url).startswith(
        "arn:aws:sts::333333333333:assumed-role/Workload/"
    )
    assert issued(chains.emulator, session["sessionId"]) == []
    creds = read_json(chain.cache_path(hops_of("chained")[1]))["Credentials"]
    assert session == {
        "sessionId": creds["AccessKeyId"],
        "sessionKey": creds["SecretAccessKey"],
        "sessionToken": creds["SessionToken"],
    }


def test_console_opens_the_browser_on_the_projects_profile_and_region(world, federation, browser):
    world.login("--profile", PROFILE)
    opened = len(browser.read_text().splitlines())
    project = world.project("proj", f"profile: {PROFILE}\nregion: eu-central-1\n")
    result = world.run("console", "--duration", "2h", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == "ssoenv: opened the AWS console for profile dev in browser\n"
    # The browser starts detached: wait for the line it writes.
    assert wait_for(lambda: len(browser.read_text().splitlines()) > opened)
    [url] = browser.read_text().splitlines()[opened:]
    query = login_query(url, federation)
    assert query["Destination"] == "https://console.aws.amazon.com/console/home?region=eu-central-1"
    [(session, duration)] = federation.sessions
    assert duration == "7200"
    assert issued(world.emulator, session["sessionId"])[0]["roleName"] == ROLE
    # The browser follows the URL to the federation endpoint's login.
    assert wait_for(lambda: federation.logins)
    assert federation.logins[0]["SigninToken"] == query["SigninToken"]


def test_without_a_region_the_profiles_is_used(world, federation, browser):
    world.login("--profile", PROFILE)
    result = world.run("console", "--profile", PROFILE, "--service", "ec2", "--print")
    query = login_query(result.stdout.strip(), federation)
    assert query["Destination"] == f"https://console.aws.amazon.com/ec2/home?region={REGION}"


def test_a_profile_without_a_region_lands_on_the_console_home(world, federation, browser):
    world.login("--profile", PROFILE)
    result = world.run("console", "--profile", "dev-admin", "--print")
    query = login_query(result.stdout.strip(), federation)
    assert query["Destination"] == "https://console.aws.amazon.com/console/home"


@pytest.mark.parametrize(
    "region, endpoint, home",
    [
        ("eu-west-1", "https://signin.aws.amazon.com/federation", "https://console.aws.amazon.com"),
        (
            "us-gov-west-1",
            "https://signin.amazonaws-us-gov.com/federation",
            "https://console.amazonaws-us-gov.com",
        ),
        ("cn-north-1", "https://signin.amazonaws.cn/federation", "https://console.amazonaws.cn"),
    ],
)
def test_each_partition_has_its_federation_endpoint_and_console(region, endpoint, home):
    assert console.federation_endpoint(region, env={}) == endpoint
    part = console.partition(region)
    assert console.destination("s3", region, part) == f"{home}/s3/home?region={region}"
    assert console.federation_endpoint(region, env={"SSOENV_FEDERATION_URL": "http://x/f"}) == (
        "http://x/f"
    )


@pytest.mark.parametrize(
    "text, seconds", [("900", 900), ("90m", 5400), ("2h", 7200), ("1h30m", 5400), ("12h", 43200)]
)
def test_durations(text, seconds):
    assert console.parse_duration(text) == seconds


@pytest.mark.parametrize(
    "args, message",
    [
        (["--duration", "5m"], "--duration 5m: a console session lasts from 15m to 12h"),
        (["--duration", "13h"], "--duration 13h: a console session lasts from 15m to 12h"),
        (
            ["--duration", "soon"],
            "--duration soon: expected seconds or a time like 90m, 2h, 1h30m",
        ),
        (
            ["--service", "s3/../x"],
            "--service s3/../x: expected a console name such as s3, ec2 or cloudformation",
        ),
        (["--region", "mars"], "--region mars: expected a region such as eu-west-1"),
    ],
)
def test_bad_options_are_one_line_and_ask_nothing(world, federation, args, message):
    result = world.run("console", "--profile", PROFILE, "--print", *args)
    assert (result.returncode, result.stderr, result.stdout) == (2, "ssoenv: %s\n" % message, "")
    assert world.emulator.requests == [] and federation.sessions == []


def test_not_logged_in_is_one_line(world, federation):
    result = world.run("console", "--profile", PROFILE, "--print")
    assert result.returncode == 1
    assert result.stderr == (
        'ssoenv: not logged in to sso-session "my-sso"; log in: ssoenv login\n'
    )
    assert federation.sessions == []


def test_a_refusing_federation_endpoint_is_one_line_without_the_keys(world, federation, browser):
    world.login("--profile", PROFILE)
    federation.fail_status = 400
    result = world.run("console", "--profile", PROFILE, "--print")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "ssoenv: getting a console sign-in token from %s failed: HTTP 400 Bad Request\n"
        % federation.url
    )


def test_an_unreachable_federation_endpoint_is_one_line(world, monkeypatch, browser):
    world.login("--profile", PROFILE)
    url = "http://127.0.0.1:%d/federation" % closed_port()
    result = world.run(
        "console", "--profile", PROFILE, "--print", env=world.env(SSOENV_FEDERATION_URL=url)
    )
    assert result.returncode == 1
    assert result.stderr.startswith(
        "ssoenv: getting a console sign-in token from %s failed: " % url
    )
    assert len(result.stderr.splitlines()) == 1


def test_outside_a_project_without_a_profile_says_what_to_do(world, federation):
    result = world.run("console")
    assert result.returncode == 1
    assert result.stderr == (
        "ssoenv: no .ssoenv here or above, and no AWS_PROFILE; "
        "name a profile: ssoenv console --profile P\n"
    )


# -- browsers ---------------------------------------------------------------------------------


def fake_browser(directory, name: str):
    """An executable called `name` that records its arguments as JSON lines."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    log = path + ".log"
    with open(path, "w") as f:
        f.write(
            "#!%s\nimport json, sys\nwith open(%r, 'a') as f:\n"
            "    f.write(json.dumps(sys.argv[1:]) + '\\n')\n" % (sys.executable, log)
        )
    os.chmod(path, 0o755)
    return path, log


def calls(log, count=1):
    assert wait_for(lambda: os.path.exists(log) and len(open(log).readlines()) >= count)
    return [json.loads(line) for line in open(log)]


def test_a_text_browser_is_never_used(world, federation, browser, tmp_path):
    world.login("--profile", PROFILE)
    lynx, lynx_log = fake_browser(tmp_path / "bin", "lynx")
    w3m, w3m_log = fake_browser(tmp_path / "bin", "w3m")
    world_env = world.env(BROWSER=lynx + os.pathsep + w3m)
    result = world.run("console", "--profile", PROFILE, env=world_env)
    assert result.returncode == 1
    assert result.stderr == (
        "ssoenv: no graphical browser to open the console in (text browsers are never used "
        "for it; set BROWSER), or print the URL: ssoenv console --print\n"
    )
    assert not os.path.exists(lynx_log) and not os.path.exists(w3m_log)


def test_browser_entries_after_a_text_browser_are_used(world, federation, browser, tmp_path):
    world.login("--profile", PROFILE)
    w3m, w3m_log = fake_browser(tmp_path / "bin", "w3m")
    good, good_log = fake_browser(tmp_path / "bin", "good-browser")
    env = world.env(BROWSER=w3m + os.pathsep + good)
    result = world.run("console", "--profile", PROFILE, env=env)
    assert result.returncode == 0, result.stderr
    [[url]] = calls(good_log)
    assert url.startswith("file://")  # a page only the user can read: not the token
    assert login_query(follow_page(url), federation)["SigninToken"] == federation.tokens[-1]
    assert not os.path.exists(w3m_log)


def write_settings(world, text):
    directory = os.path.join(world.home, ".config", "ssoenv")
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "config.yaml"), "w") as f:
        f.write(text)


def test_firefox_opens_a_container_named_after_the_profile(world, federation, browser, tmp_path):
    world.login("--profile", PROFILE)
    firefox, log = fake_browser(tmp_path / "bin", "firefox")
    write_settings(world, f"console_isolate: true\nconsole_browser: {firefox}\n")
    result = world.run("console", "--profile", "dev-admin")
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "ssoenv: opened the AWS console for profile dev-admin in firefox "
        "(a browser profile of its own)\n"
    )
    [[arg]] = calls(log)
    assert arg.startswith("ext+container:")
    query = {k: v[0] for k, v in parse_qs(arg[len("ext+container:") :]).items()}
    assert query["name"] == "dev-admin"
    assert login_query(query["url"], federation)["SigninToken"] == federation.tokens[-1]


def test_chromium_gets_a_private_user_data_directory_per_profile(
    world, federation, browser, tmp_path
):
    world.login("--profile", PROFILE)
    chromium, log = fake_browser(tmp_path / "bin", "chromium")
    env = world.env(BROWSER=chromium)
    for profile in (PROFILE, "dev-admin"):
        result = world.run("console", "--profile", profile, "--isolate", env=env)
        assert result.returncode == 0, result.stderr
    first, second = calls(log, 2)
    base = os.path.join(world.home, ".local", "share", "ssoenv", "browsers")
    for argv, profile in ((first, PROFILE), (second, "dev-admin")):
        directory = os.path.join(base, profile)
        assert argv[:3] == [
            "--user-data-dir=" + directory,
            "--no-first-run",
            "--no-default-browser-check",
        ]
        assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
        assert login_query(follow_page(argv[3]), federation)["Action"] == "login"


def test_isolation_with_another_browser_says_which_work(world, federation, browser, tmp_path):
    world.login("--profile", PROFILE)
    other, log = fake_browser(tmp_path / "bin", "otherbrowser")
    result = world.run("console", "--profile", PROFILE, "--isolate", env=world.env(BROWSER=other))
    assert result.returncode == 1
    assert result.stderr.startswith("ssoenv: cannot keep profiles apart in %s: " % other)
    assert "Open external links in a container" in result.stderr
    assert not os.path.exists(log)


def test_a_bad_console_setting_is_one_line_and_left_at_its_default(world, federation, browser):
    world.login("--profile", PROFILE)
    write_settings(world, "console_isolate: sometimes\n")
    result = world.run("console", "--profile", PROFILE, "--print")
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "ssoenv: warning: ~/.config/ssoenv/config.yaml: console_isolate must be true or false\n"
    )
    assert login_query(result.stdout.strip(), federation)["Action"] == "login"


def test_without_browser_or_display_it_says_to_print_the_url(world, federation, browser):
    world.login("--profile", PROFILE)
    env = world.env(BROWSER=None, DISPLAY=None, WAYLAND_DISPLAY=None)
    result = world.run("console", "--profile", PROFILE, env=env)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "ssoenv: no graphical browser to open the console in (set BROWSER), "
        "or print the URL: ssoenv console --print\n"
    )


def test_a_role_that_needs_mfa_asks_for_the_code_at_a_terminal(chains, federation, browser):
    chains.login("--profile", PROFILE)
    status, said = at_a_terminal_with_mfa(chains, ["console", "--profile", "mfa", "--print"])
    assert status == 0, said
    [(session, _)] = federation.sessions
    keys = {
        "AWS_ACCESS_KEY_ID": session["sessionId"],
        "AWS_SECRET_ACCESS_KEY": session["sessionKey"],
        "AWS_SESSION_TOKEN": session["sessionToken"],
    }
    assert identity(keys, chains.sts_url).startswith("arn:aws:sts::444444444444:assumed-role/")


# ---- --portal: the access portal's shortcut link ------------------------------------------


def portal_query(url: str) -> dict:
    """The shortcut link's parts: `<start URL>/#/console?account_id=…&role_name=…&destination=…`."""
    base, sep, fragment = url.partition("/#/console?")
    assert sep and base == START_URL, url
    query = parse_qs(fragment, strict_parsing=True)
    assert all(len(v) == 1 for v in query.values())
    return {k: v[0] for k, v in query.items()}


def test_portal_prints_the_shortcut_link_without_a_login_or_a_federation_call(world, federation):
    # Logged out: the portal link needs no token, no role keys and no federation endpoint.
    result = world.run(
        "console",
        "--portal",
        "--profile",
        PROFILE,
        "--service",
        "s3",
        "--region",
        "us-east-1",
        "--print",
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert portal_query(result.stdout.strip()) == {
        "account_id": ACCOUNT,
        "role_name": ROLE,
        "destination": "https://console.aws.amazon.com/s3/home?region=us-east-1",
    }
    assert federation.sessions == [] and world.emulator.issued_credentials == []


def test_portal_quotes_the_destination_so_it_stays_one_parameter(world, federation):
    result = world.run("console", "--portal", "--profile", PROFILE, "--print")
    link = result.stdout.strip()
    # The destination's own `?` and `=` are escaped: the portal sees three parameters.
    assert "destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fconsole%2Fhome%3Fregion%3D" in link
    assert portal_query(link)["destination"] == (
        f"https://console.aws.amazon.com/console/home?region={REGION}"
    )


@pytest.mark.parametrize(
    "start_url",
    [
        "https://example.awsapps.com/start",
        "https://example.awsapps.com/start/",
        "https://example.awsapps.com/start#",
        "https://example.awsapps.com/start/#/",
    ],
)
@pytest.mark.parametrize(
    "region, home",
    [
        ("eu-west-1", "https://console.aws.amazon.com"),
        ("us-gov-west-1", "https://console.amazonaws-us-gov.com"),
        ("cn-north-1", "https://console.amazonaws.cn"),
    ],
)
def test_portal_links_for_each_partition_and_start_url_form(start_url, region, home):
    link = console.portal_url(start_url, "123456789012", "Admin+Ops=1,x.y@z-w", "ec2", region)
    base, sep, fragment = link.partition("/#/console?")
    assert (base, sep) == ("https://example.awsapps.com/start", "/#/console?")
    assert {k: v[0] for k, v in parse_qs(fragment).items()} == {
        "account_id": "123456789012",
        "role_name": "Admin+Ops=1,x.y@z-w",
        "destination": f"{home}/ec2/home?region={region}",
    }
    # `+` in a role name must not turn into a space.
    assert "role_name=Admin%2BOps%3D1%2Cx.y%40z-w&" in fragment


def test_portal_for_a_chained_profile_opens_its_sso_role_and_says_so(chains, federation, tmp_path):
    # A browser that only records: the link is never fetched (it names a real portal host).
    recorder, log = fake_browser(tmp_path / "bin", "browser")
    result = chains.run(
        "console", "--portal", "--profile", "chained", env=chains.env(BROWSER=recorder)
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "ssoenv: opened the AWS console through the access portal in browser as account "
        f"{ACCOUNT}, role {ROLE}: the IAM Identity Center role that profile chained starts "
        "from, not the role it assumes (arn:aws:iam::333333333333:role/Workload); "
        "for that role: ssoenv console --federation\n"
    )
    [[url]] = calls(log)
    assert portal_query(url)["account_id"] == ACCOUNT
    assert portal_query(url)["destination"] == (
        "https://console.aws.amazon.com/console/home?region=eu-central-1"
    )
    assert federation.sessions == []


def test_console_mode_portal_makes_it_the_default(world, federation, browser, tmp_path):
    firefox, log = fake_browser(tmp_path / "bin", "firefox")
    write_settings(
        world, f"console_mode: portal\nconsole_isolate: true\nconsole_browser: {firefox}\n"
    )
    result = world.run("console", "--profile", "dev-admin")
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "ssoenv: opened the AWS console through the access portal in firefox (a browser "
        "profile of its own) as account 111111111111, role Admin\n"
    )
    [[arg]] = calls(log)
    query = {k: v[0] for k, v in parse_qs(arg[len("ext+container:") :]).items()}
    assert query["name"] == "dev-admin"
    assert portal_query(query["url"])["role_name"] == "Admin"
    # --federation still signs in through the federation endpoint.
    world.login("--profile", PROFILE)
    printed = world.run("console", "--profile", PROFILE, "--federation", "--print")
    assert login_query(printed.stdout.strip(), federation)["SigninToken"] == federation.tokens[-1]


def test_portal_with_a_duration_is_one_line(world, federation):
    result = world.run("console", "--portal", "--profile", PROFILE, "--duration", "2h")
    assert result.returncode == 2
    assert result.stderr == (
        "ssoenv: --duration sets the length of a federation sign-in; with --portal the "
        "permission set's session duration applies\n"
    )
