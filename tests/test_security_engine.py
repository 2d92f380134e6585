"""Attacks on ssoenv's engine, each as a test: code planted in a project directory or a
PYTHON* variable, half-written JSON, planted stores, a local process talking to the login
listener, a full disk, and a text browser taking over the terminal.

Real shells where the attack goes through a shell, the emulator for the token and the
listener."""
# ruff: noqa: F405, F811

import json
import os
import sys
import time

import pytest
from live_shell import SHELLS
from sso_cli_world import *  # noqa: F403
from sso_fixtures import *  # noqa: F403
from test_hook_login import clean, open_shell, token_refreshed  # noqa: F401
from waiting import wait_until

from ssoenv.base import launch

# -- 1. no process ssoenv starts imports from the working directory or PYTHON* -----------

# Modules a Python process may import after start-up; shadowing any of them runs our code.
SHADOWED = (
    "dataclasses",
    "json",
    "argparse",
    "warnings",
    "importlib",
    "typing",
    "hashlib",
    "fcntl",
    "subprocess",
    "shlex",
    "contextlib",
    "datetime",
    "uuid",
    "base64",
    "random",
    "tempfile",
    "urllib",
    "http",
    "email",
    "logging",
    "enum",
    "re",
)


def plant(directory: str, marker: str) -> None:
    """Code that records where it ran in `marker`, under every name ssoenv might import:
    the standard library's modules and an `ssoenv` package of its own."""
    os.makedirs(os.path.join(directory, "ssoenv", "sso"), exist_ok=True)
    payload = (
        "import os as _o\n"
        "with open(%r, 'a') as _f:\n"
        "    _f.write(__name__ + ' ' + str(_o.getpid()) + '\\n')\n" % marker
    )
    for name in SHADOWED:
        with open(os.path.join(directory, name + ".py"), "w") as f:
            f.write(payload)
    for rel in ("ssoenv/__init__.py", "ssoenv/__main__.py", "ssoenv/sso/__init__.py"):
        with open(os.path.join(directory, rel), "w") as f:
            f.write(payload)
    with open(os.path.join(directory, "ssoenv", "sso", "refresh.py"), "w") as f:
        f.write(payload + "raise SystemExit(0)\n")


def _export_var(shell: str, name: str, value: str) -> str:
    if shell == "fish":
        return "set -gx %s %s" % (name, value)
    return "export %s=%s" % (name, value)


@pytest.mark.parametrize("shell", SHELLS)
def test_background_refresh_runs_nothing_from_the_project_or_pythonpath(
    world, browser, open_shell, shell, tmp_path
):
    world.emulator.configure(access_token_ttl=300)
    world.login("--profile", PROFILE)
    old = read_json(token_path())
    project = world.project("proj", f"profile: {PROFILE}\n")
    inside = os.path.join(project, "src", "app")
    marker = str(tmp_path / "planted-code-ran")
    plant(inside, marker)
    # A variable a project (or anything else) left behind: PYTHONPATH naming a planted tree.
    elsewhere = str(tmp_path / "elsewhere")
    plant(elsewhere, marker)
    world.emulator.configure(access_token_ttl=8 * 3600)
    world.emulator.reset_counters()
    sh = open_shell(shell)
    sh.run(_export_var(shell, "PYTHONPATH", elsewhere + ":" + ROOT))
    sh.run(_export_var(shell, "PYTHONWARNINGS", "ignore::warnings.Warning"))
    out = clean(sh.run("cd %s" % inside))
    assert out == ["ssoenv: loaded ~/proj/.ssoenv (profile dev)"]
    wait_until(token_refreshed(old), what="the background refresh")
    assert world.emulator.refresh_calls == 1
    time.sleep(0.5)  # let the refresh process end
    assert not os.path.exists(marker), open(marker).read()


def test_modules_ssoenv_starts_import_nothing_from_their_directory_or_pythonpath(tmp_path):
    import subprocess

    planted = str(tmp_path / "planted")
    marker = str(tmp_path / "ran")
    plant(planted, marker)
    env = dict(os.environ, PYTHONPATH=planted, PYTHONSTARTUP=os.path.join(planted, "json.py"))
    # `python -m json.tool` imports json: from the planted directory, if it were on the path.
    done = subprocess.run(
        launch.command("json.tool"),
        cwd=planted,
        env=env,
        input='{"a": 1}',
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["{", '"a":', "1", "}"]
    assert not os.path.exists(marker)
    for entry in launch.search_path().split(os.pathsep):
        assert os.path.isabs(entry) and not entry.startswith(str(tmp_path))


# -- 7. half-written JSON is a ValueError, and the prompt keeps its state ---------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from ssoenv.base import fastjson  # noqa: E402

_scalars = st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False)
_documents = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


def _json_accepts(text) -> bool:
    import json

    try:
        json.loads(text)
        return True
    except ValueError:
        return False


@settings(max_examples=400, deadline=None)
@given(_documents, st.sampled_from([None, 1]), st.booleans(), st.data())
def test_every_truncation_of_a_json_document_is_a_value_error_or_what_json_reads(
    doc, indent, ascii_only, data
):
    import json

    text = json.dumps(doc, indent=indent, ensure_ascii=ascii_only)
    raw = text.encode("utf-8")
    cut = data.draw(st.integers(min_value=0, max_value=len(text)))
    cut_bytes = data.draw(st.integers(min_value=0, max_value=len(raw)))
    # A file read while it is being written: cut anywhere, also inside a UTF-8 sequence.
    for piece in (text[:cut], raw[:cut_bytes]):
        try:
            value = fastjson.loads(piece)
        except ValueError:
            assert not _json_accepts(piece)
        else:
            assert json.loads(piece) == value


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='{}[]",:0123456789.eE+-tfrunalsx \\/u\n', max_size=40))
def test_any_text_is_a_json_document_or_a_value_error(text):
    try:
        value = fastjson.loads(text)
    except ValueError:
        assert not _json_accepts(text)
    else:
        assert _json_accepts(text) and value == value


def test_malformed_json_is_a_value_error_where_the_json_module_was_never_imported():
    """The hook's export never imports `json`: the C scanner's errors must still be
    ValueErrors there (and nesting must not escape as a RecursionError)."""
    import subprocess

    code = (
        "import sys\n"
        "from ssoenv.base import fastjson\n"
        "assert 'json' not in sys.modules\n"
        "for text in sys.argv[1:]:\n"
        "    try:\n"
        "        fastjson.loads(text)\n"
        "    except ValueError:\n"
        "        print('refused')\n"
    )
    samples = ['{"accessToken": "x", "expiresAt": "2026', '{"a', "[1, 2", '"\\u12', "[" * 100000]
    done = subprocess.run(
        [*launch.python(), "-c", code, *samples],
        cwd="/",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["refused"] * len(samples)


def test_a_half_written_token_file_gives_no_traceback_and_keeps_the_profile(world):
    world.login("--profile", PROFILE)
    project = world.project("proj", f"profile: {PROFILE}\n")
    path = token_path()
    with open(path, "rb") as f:
        whole = f.read()
    # What a read sees while the AWS CLI is writing the file in place.
    with open(path, "wb") as f:
        f.write(whole[: len(whole) // 2])
    exported = world.run("export", "json", cwd=project, secret_stdout=True)
    assert exported.returncode == 0, exported.stderr
    assert "internal error" not in exported.stderr
    assert json.loads(exported.stdout)["AWS_PROFILE"] == PROFILE
    status = world.run("status", cwd=project)
    assert "Traceback" not in status.stderr + status.stdout
    assert "internal error" not in status.stderr


def test_export_fail_safe_unloads_even_with_a_corrupt_record(tmp_path):
    import subprocess

    env = dict(
        os.environ,
        HOME=str(tmp_path),
        SSOENV_DIFF='{"AWS_PROFILE": [null, "de',
        SSOENV_FILE=str(tmp_path / "p" / ".ssoenv"),
    )
    code = "import sys\nfrom ssoenv.prompt import export\nsys.exit(export.fail_safe(['bash']))\n"
    done = subprocess.run(
        [*launch.python(), "-c", code], cwd="/", env=env, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "unset SSOENV_FILE;" in done.stdout and "unset SSOENV_DIFF;" in done.stdout


@pytest.mark.parametrize("shell", SHELLS)
def test_a_corrupt_record_in_the_shell_costs_no_prompt(world, open_shell, shell):
    world.login("--profile", PROFILE)
    project = world.project("proj", f"profile: {PROFILE}\n")
    sh = open_shell(shell)
    assert clean(sh.run("cd %s" % project)) == ["ssoenv: loaded ~/proj/.ssoenv (profile dev)"]
    half = sh.get("SSOENV_DIFF")[:9]
    sh.run(_export_var(shell, "SSOENV_DIFF", "'%s'" % half))
    out = clean(sh.run("touch .ssoenv"))
    assert not [line for line in out if "internal error" in line], out
    assert sh.get("AWS_PROFILE") == PROFILE
    assert sh.get("SSOENV_FILE") == os.path.join(project, ".ssoenv")


# -- 5. stores: created private whatever the umask, refused when others can change them ---


def _mode(path) -> int:
    return os.stat(path).st_mode & 0o7777


def _umask_000():
    os.umask(0)


def test_at_umask_000_ssoenv_creates_no_directory_others_can_write(world, browser, tmp_path):
    import subprocess

    home = world.home
    env = {k: v for k, v in world.env().items() if not k.startswith("XDG_")}
    env["PWD"] = home
    project = os.path.join(home, "proj")
    os.makedirs(project)
    with open(os.path.join(project, ".ssoenv"), "w") as f:
        f.write(f"profile: {PROFILE}\ncredentials: true\n")
    for args in (["allow", project], ["login", "--profile", PROFILE], ["export", "json"]):
        done = subprocess.run(
            [sys.executable, "-m", "ssoenv", *args],
            cwd=project,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
            preexec_fn=_umask_000,
        )
        world.record(done.stderr)
        assert done.returncode == 0, done.stderr
    private = [
        ".local/share/ssoenv",
        ".cache/ssoenv",
        ".aws/sso",
        ".aws/sso/cache",
        ".aws/cli",
        ".aws/cli/cache",
    ]
    parents = [".local", ".local/share", ".cache"]
    for rel in private:
        assert _mode(os.path.join(home, rel)) == 0o700, rel
    for rel in parents:
        assert _mode(os.path.join(home, rel)) & 0o022 == 0, rel
    for root, dirs, files in os.walk(home):
        for name in dirs:
            path = os.path.join(root, name)
            if path.startswith(project):
                continue
            assert _mode(path) & 0o022 == 0, path
        for name in files:
            assert _mode(os.path.join(root, name)) & 0o022 == 0, os.path.join(root, name)


STORES = {
    "trust records": ".local/share/ssoenv",
    "ssoenv cache": ".cache/ssoenv",
    "token cache": ".aws/sso/cache",
    "role key cache": ".aws/cli/cache",
}


@pytest.mark.parametrize("how", ["writable", "foreign"])
@pytest.mark.parametrize("store", sorted(STORES))
def test_a_store_others_can_change_is_refused_in_one_line(world, store, how):
    world.login("--profile", PROFILE)
    project = world.project("proj", f"profile: {PROFILE}\ncredentials: true\n")
    assert world.run("export", "json", cwd=project, secret_stdout=True).returncode == 0
    rel = STORES[store]
    directory = os.path.join(world.home, rel)
    if how == "writable":
        os.chmod(directory, 0o777)
    else:
        os.chown(directory, 65534, 65534)
    env = world.env(XDG_DATA_HOME=None, XDG_CACHE_HOME=None)
    exported = world.run("export", "json", cwd=project, env=env, secret_stdout=True)
    lines = ssoenv_lines(exported.stderr)
    assert len(lines) == 1, exported.stderr
    assert "~/" + rel in lines[0] and "chmod 700 ~/" + rel in lines[0], lines
    assert "Traceback" not in exported.stderr
    assert "AWS_PROFILE" not in json.loads(exported.stdout)
    # Commands that need the store refuse it with the same line; the others go on.
    needs = {
        "status": store != "role key cache",
        "exec": True,
        "login": store == "token cache",
    }
    for command in (["status"], ["exec", "--", "true"], ["login", "--profile", PROFILE]):
        done = world.run(*command, cwd=project, env=env)
        said = done.stdout + done.stderr
        assert "Traceback" not in said
        if needs[command[0]]:
            assert "chmod 700 ~/" + rel in said, (command, said)
            assert command[0] == "status" or done.returncode != 0, (command, said)
        else:
            assert done.returncode == 0, (command, said)


def _loose_trust_records(home: str) -> None:
    """What another local user can do once the trust store is 0777: plant an allow record
    of their own (here: ssoenv's own record, handed to uid 65534)."""
    data = os.path.join(home, ".local", "share", "ssoenv")
    for root, _dirs, files in os.walk(data):
        os.chmod(root, 0o777)
        for name in files:
            os.chown(os.path.join(root, name), 65534, 65534)


@pytest.mark.parametrize("shell", SHELLS)
def test_an_allow_record_planted_by_another_user_is_not_applied(world, open_shell, shell):
    world.login("--profile", PROFILE)
    project = world.project("proj", f"profile: {PROFILE}\nenv:\n  PLANTED: 'yes'\n")
    _loose_trust_records(world.home)
    sh = open_shell(shell)
    out = clean(sh.run("cd %s" % project))
    assert sh.get("PLANTED") is None
    assert sh.get("AWS_PROFILE") is None
    # zsh's hook runs at chpwd and precmd: the same one line at each run, until fixed.
    assert len(set(out)) == 1 and "chmod 700 ~/.local/share/ssoenv" in out[0], out
    # Fixed as the line says, the store is used again, but not what another user put in it.
    sh.run("chmod 700 %s" % os.path.join(world.home, ".local", "share", "ssoenv"))
    sh.run("cd %s" % world.home)
    assert clean(sh.run("cd %s" % project)) == [
        "ssoenv: ~/proj/.ssoenv is not allowed; run: ssoenv allow"
    ]
    assert sh.get("AWS_PROFILE") is None and sh.get("PLANTED") is None


def test_a_token_planted_by_another_user_counts_as_not_logged_in(world):
    world.login("--profile", PROFILE)
    project = world.project("proj", f"profile: {PROFILE}\n")
    os.chown(token_path(), 65534, 65534)
    done = world.run("exec", "--", "true", cwd=project)
    assert done.returncode != 0
    assert ssoenv_lines(done.stderr) == [
        'ssoenv: not logged in to sso-session "my-sso"; log in: ssoenv login'
    ], done.stderr
    assert world.emulator.calls["GetRoleCredentials"] == 0


# -- 6. the login listener: any local process can connect to it --------------------------

import io  # noqa: E402
import re  # noqa: E402
import socket  # noqa: E402
import threading  # noqa: E402
import urllib.request  # noqa: E402

from ssoenv.base.errors import SsoError  # noqa: E402
from ssoenv.sso import login as sso_login  # noqa: E402


class _LoginInThread:
    """`login()` with the URL printed, not opened: the test plays the local attacker and
    then the user's browser."""

    def __init__(self, session, timeout=60.0):
        self.out = io.StringIO()
        self.result = self.error = None
        self.thread = threading.Thread(target=self._run, args=(session, timeout), daemon=True)
        self.thread.start()

    def _run(self, session, timeout):
        try:
            self.result = sso_login.login(
                session, open_browser=False, out=self.out, timeout=timeout
            )
        except SsoError as e:
            self.error = e

    def url(self) -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = re.search(r"(http://\S+/authorize\?\S+)", self.out.getvalue())
            if found:
                return found.group(1)
            assert self.thread.is_alive(), self.error
            time.sleep(0.05)
        raise AssertionError("no sign-in URL printed: %r" % self.out.getvalue())

    def port(self) -> int:
        return int(re.search(r"redirect_uri=http%3A%2F%2F127.0.0.1%3A(\d+)", self.url()).group(1))

    def finish(self, timeout=60.0):
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the login did not end"


def _get(port: int, path: str):
    """(status, page) of a GET to the listener, as any local process can send it."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open("http://127.0.0.1:%d%s" % (port, path), timeout=15) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@pytest.mark.parametrize("stall", [False, True], ids=["forged", "stalled-and-forged"])
def test_the_login_listener_survives_stalls_and_forged_answers(emulator, session, stall):
    emulator.configure(approval="browser")
    running = _LoginInThread(session)
    url, port = running.url(), running.port()
    state = re.search(r"[?&]state=([^&]+)", url).group(1)
    stalled = socket.create_connection(("127.0.0.1", port))
    slow = socket.create_connection(("127.0.0.1", port))
    if stall:
        # One local process sends half a request and keeps the connection open (another
        # connects and sends nothing)...
        stalled.sendall(b"GET /oauth/callback?code=x HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    else:
        stalled.close()
        slow.close()
    try:
        # ...another forges answers: an error without the state, codes with a wrong one.
        forged = [
            "/oauth/callback?error=access_denied",
            "/oauth/callback?error=access_denied&state=wrong",
            "/oauth/callback?code=forged&state=%s-but-not" % state,
            "/oauth/callback?code=forged&state=%C3%A9",
            "/oauth/callback?state=" + state,
        ]
        for path in forged:
            status, page = _get(port, path)
            assert status == 400 and "sign-in is complete" not in page, (path, page)
        assert running.thread.is_alive() and running.error is None
        # Then the user's browser: the emulator redirects it to the listener with the code.
        page = fetch(url)
        assert "sign-in is complete" in page
        running.finish()
    finally:
        stalled.close()
        slow.close()
    assert running.error is None, running.error
    assert running.result.access_token in emulator.access_tokens
    assert emulator.calls["CreateToken:authorization_code"] == 1


def test_the_services_own_denial_still_ends_the_login(emulator, session):
    emulator.configure(approval="deny")
    running = _LoginInThread(session)
    url = running.url()
    fetch(url)
    running.finish()
    assert "the sign-in was denied" in str(running.error)


def test_a_stalled_connection_does_not_stop_the_login_time_limit(emulator, session):
    running = _LoginInThread(session, timeout=3.0)
    stalled = socket.create_connection(("127.0.0.1", running.port()))
    try:
        stalled.sendall(b"GET /oauth/callback?co")
        running.finish(timeout=60)
    finally:
        stalled.close()
    assert "timed out waiting for the browser sign-in" in str(running.error)


# -- 9. OS errors: one line naming the path and the error, nothing half-written ----------

import resource  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402


class FullDisk:
    """A HOME whose disk fills up: a 64 KiB tmpfs (mounting needs root, as developers and
    CI are here) or, with `limit="fsize"`, any HOME with RLIMIT_FSIZE at 0 bytes so that
    every write fails with EFBIG (SIGXFSZ ignored)."""

    def __init__(self, tmp_path, limit: str):
        self.limit = limit
        self.mount = str(tmp_path / "disk")

    def setup(self, emulator_url: str) -> None:
        from sso_fixtures import CONFIG

        os.makedirs(self.mount)
        if self.limit == "tmpfs":
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", self.mount],
                check=True,
            )
        self.home = os.path.join(self.mount, "home")
        os.makedirs(os.path.join(self.home, ".aws"), mode=0o755)
        with open(os.path.join(self.home, ".aws", "config"), "w") as f:
            f.write(CONFIG)
        self.project = os.path.join(self.home, "proj")
        os.makedirs(self.project)
        with open(os.path.join(self.project, ".ssoenv"), "w") as f:
            f.write(f"profile: {PROFILE}\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "XDG_"))}
        env.update(
            HOME=self.home,
            PYTHONPATH=ROOT,
            PYTHONDONTWRITEBYTECODE="1",
            AWS_ENDPOINT_URL_SSO_OIDC=emulator_url,
            AWS_ENDPOINT_URL_SSO=emulator_url,
            NO_PROXY="127.0.0.1,localhost",
        )
        env.pop("BROWSER", None)
        self.env = env

    def fill(self) -> None:
        if self.limit != "tmpfs":
            return
        with open(os.path.join(self.mount, "filler"), "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * 4096)
                    f.flush()
            except OSError:
                pass

    def _limits(self):
        if self.limit == "fsize":
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    def run(self, *args, cwd=None, limited=True):
        return subprocess.run(
            [sys.executable, "-m", "ssoenv", *args],
            cwd=cwd or self.project,
            env=dict(self.env, PWD=cwd or self.project),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
            preexec_fn=self._limits if limited else None,
        )

    def files(self) -> list:
        return sorted(
            os.path.relpath(os.path.join(d, n), self.home)
            for d, _dirs, names in os.walk(self.home)
            for n in names
        )

    def close(self) -> None:
        if self.limit == "tmpfs" and os.path.ismount(self.mount):
            subprocess.run(["umount", "-l", self.mount], check=False)


@pytest.fixture(params=["tmpfs", "fsize"])
def full_disk(request, tmp_path, emulator):
    disk = FullDisk(tmp_path, request.param)
    try:
        disk.setup(emulator.url)
        yield disk
    finally:
        disk.close()


ERRORS = {"tmpfs": "No space left on device", "fsize": "File too large"}


def _one_line(done, *expected):
    """The command failed with one `ssoenv:` line saying why (after what it said before it
    began, e.g. "logging in to ..."): its last line."""
    assert done.returncode != 0, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("ssoenv: "), done.stderr
    for text in expected:
        assert text in lines[-1], (text, done.stderr)
        assert sum(text in line for line in lines) == 1, done.stderr
    return lines[-1]


def test_a_full_disk_gives_one_line_per_command_and_no_half_written_file(full_disk):
    before = full_disk.files()
    full_disk.fill()
    error = ERRORS[full_disk.limit]
    _one_line(full_disk.run("allow"), "cannot ", "~/.local/share/ssoenv", error)
    _one_line(full_disk.run("deny"), "cannot ", "~/.local/share/ssoenv", error)
    _one_line(full_disk.run("login", "--profile", PROFILE), "cannot ", "~/.aws/sso/cache", error)
    elsewhere = os.path.join(full_disk.home, "other")
    os.makedirs(elsewhere)
    _one_line(full_disk.run("init", PROFILE, cwd=elsewhere), "cannot write ~/other/.ssoenv", error)
    configure = full_disk.run(
        "configure",
        "--sso-session",
        SESSION_NAME,
        "--account-id",
        ACCOUNT,
        "--role-name",
        ROLE,
        "--profile-name",
        "new",
        "--region",
        REGION,
        "--no-write-dotfile",
        "--no-browser",
    )
    _one_line(configure, "cannot write ~/.aws/", error)  # it logs in first
    # Nothing new but the session's lock file (empty, and kept by design): no temporary
    # file, no empty record, no empty token, no half a config.
    assert [f for f in full_disk.files() if not f.endswith(".lock")] == before
    with open(os.path.join(full_disk.home, ".aws", "config")) as f:
        assert "[profile new]" not in f.read()


def test_the_hook_on_a_full_disk_still_loads_an_allowed_project(full_disk):
    assert full_disk.run("allow", limited=False).returncode == 0
    full_disk.fill()
    done = full_disk.run("export", "json")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert json.loads(done.stdout)["AWS_PROFILE"] == PROFILE
    assert ssoenv_lines(done.stderr)[0] == "ssoenv: loaded ~/proj/.ssoenv (profile dev)"


def test_a_symlink_at_the_lock_path_is_refused_in_one_line(world, tmp_path):
    target = tmp_path / "not-a-lock"
    lock = token_path()[: -len(".json")] + ".lock"
    os.makedirs(os.path.dirname(lock), mode=0o700, exist_ok=True)
    os.symlink(target, lock)
    done = world.run("login", "--profile", PROFILE)
    line = _one_line(done, "cannot open the lock file ~/.aws/sso/cache/", ".lock")
    assert "symbolic links" in line
    assert not target.exists()
    assert not os.path.exists(token_path())


def test_a_file_where_a_store_directory_belongs_is_one_line(world):
    project = world.project("proj", f"profile: {PROFILE}\n", allow=False)
    data = os.path.join(world.home, ".local", "share", "ssoenv")
    os.makedirs(os.path.dirname(data))
    with open(data, "w") as f:
        f.write("not a directory\n")
    _one_line(world.run("allow", project), "~/.local/share/ssoenv")


# -- 11. never a text browser: it would take over the terminal the login waits in ---------


def _fake_text_browsers(directory, marker: str) -> str:
    """A bin directory whose lynx, w3m and www-browser only record that they ran."""
    bin_dir = os.path.join(directory, "textbin")
    os.makedirs(bin_dir)
    for name in ("lynx", "w3m", "www-browser", "links", "elinks"):
        path = os.path.join(bin_dir, name)
        with open(path, "w") as f:
            f.write('#!/bin/sh\necho "%s $*" >> %s\n' % (name, marker))
        os.chmod(path, 0o755)
    return bin_dir


@pytest.mark.parametrize("browsers", ["failing", "failing-then-lynx"])
def test_a_login_whose_browser_fails_prints_the_url_and_runs_no_text_browser(
    world, tmp_path, browsers
):
    marker = str(tmp_path / "text-browser-ran")
    bin_dir = _fake_text_browsers(str(tmp_path), marker)
    failing = tmp_path / "failing-browser"
    failing.write_text("#!/bin/sh\nexit 3\n")
    failing.chmod(0o755)
    browser = str(failing) + (":lynx" if browsers == "failing-then-lynx" else "")
    # A terminal (for console browsers) with lynx, w3m... on PATH and nothing else.
    env = world.env(PATH=bin_dir, BROWSER=browser, DISPLAY=":0", TERM="xterm")
    running = world.start("login", "--profile", PROFILE, env=env)
    found = running.wait_for(r"(http://127\.0\.0\.1:\d+/\S*authorize\?\S+)")
    running.wait_for(r"open the URL above in a browser on this computer")
    fetch(found.group(1))  # the user opens it, as the line asks
    assert running.finish() == 0, running.stderr
    assert not os.path.exists(marker), open(marker).read()
    assert "ssoenv never uses a text browser" in running.stderr


def test_where_only_text_browsers_exist_none_is_opened(tmp_path, monkeypatch):
    import webbrowser

    marker = str(tmp_path / "text-browser-ran")
    monkeypatch.setenv("PATH", _fake_text_browsers(str(tmp_path), marker))
    monkeypatch.delenv("BROWSER", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})
    assert not sso_login._open("http://127.0.0.1:9/authorize?x=1")
    assert not os.path.exists(marker), open(marker).read()


def test_a_browser_variable_naming_only_a_text_browser_means_no_browser():
    from ssoenv.sso.login import browser_available

    assert not browser_available({"BROWSER": "lynx", "SSH_TTY": "/dev/pts/1"}, "linux")
    assert not browser_available({"BROWSER": "w3m:www-browser %s"}, "linux")
    assert browser_available({"BROWSER": "lynx:firefox"}, "linux")
