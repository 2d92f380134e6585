"""Shared fixtures: every test gets its own HOME, XDG directories, AWS files and project.

`ssoenv_env` is not autouse; a test module opts in with
`pytestmark = pytest.mark.usefixtures("ssoenv_env")` or by naming the fixture."""

import compileall
import hashlib
import json
import os
import signal
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional

import pytest
import zygote
from hypothesis import HealthCheck, settings
from live_shell import LiveShell, Sandbox

# Property tests check results, not speed: a machine busy with other tests must not fail them.
settings.register_profile("ssoenv", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ssoenv")

# The source tree under test (this worktree), ahead of any installed copy of ssoenv.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SSO_CONFIG = """\
[sso-session myorg]
sso_start_url = https://myorg.awsapps.com/start
sso_region = eu-central-1
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = myorg
sso_account_id = 111111111111
sso_role_name = Developer
region = eu-central-1

[profile prod]
sso_session = myorg
sso_account_id = 222222222222
sso_role_name = ReadOnly
region = us-east-1

[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-west-2
sso_account_id = 333333333333
sso_role_name = Admin

[profile static]
region = eu-west-1

[profile assumer]
role_arn = arn:aws:iam::444444444444:role/Deploy
source_profile = static
"""

CREDENTIALS = """\
[static]
aws_access_key_id = AKIAEXAMPLEEXAMPLE00
aws_secret_access_key = secretsecretsecretsecretsecretsecret0000
"""


@dataclass
class SsoenvEnv:
    """The isolated world one test runs in."""

    home: Path
    project: Path
    aws_config: Path
    aws_credentials: Path

    @property
    def data_home(self) -> Path:
        return self.home / ".local" / "share"

    @property
    def cache_home(self) -> Path:
        return self.home / ".cache"

    @property
    def config_home(self) -> Path:
        return self.home / ".config"

    def write_aws_config(self, config: str = SSO_CONFIG, credentials: str = CREDENTIALS) -> None:
        """The AWS config with sso-session `myorg`, profiles dev and prod (sso-session),
        `legacy` (legacy SSO), `static` (keys in the credentials file) and `assumer`
        (assume-role from `static`)."""
        self.aws_config.parent.mkdir(parents=True, exist_ok=True)
        self.aws_config.write_text(textwrap.dedent(config))
        if credentials is not None:
            self.aws_credentials.write_text(textwrap.dedent(credentials))

    def write_dotfile(self, text: str, directory: Optional[Path] = None) -> Path:
        directory = self.project if directory is None else Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / ".ssoenv"
        path.write_text(text)
        return path

    def write_user_config(self, text: str) -> Path:
        path = self.config_home / "ssoenv" / "config.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def write_token(
        self, session_name: str = "myorg", expires_in: float = 8 * 3600, **extra
    ) -> Path:
        """A token cache file as the AWS CLI writes it after `aws sso login`."""
        cache = self.home / ".aws" / "sso" / "cache"
        cache.mkdir(parents=True, exist_ok=True)
        path = cache / (hashlib.sha1(session_name.encode("utf-8")).hexdigest() + ".json")
        expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + expires_in))
        token = {
            "startUrl": "https://myorg.awsapps.com/start",
            "region": "eu-central-1",
            "accessToken": "aoa-example-token",
            "expiresAt": expires,
        }
        token.update(extra)
        path.write_text(json.dumps(token))
        return path

    def allow(self, dotfile: Path) -> None:
        from ssoenv.prompt import locate, trust

        data = locate.read_bytes(str(dotfile))
        trust.allow(str(dotfile), locate.content_hash(str(dotfile), data))

    def base_env(self) -> Dict[str, str]:
        """The environment a subprocess gets: this test's world and the worktree's code."""
        # The fixture already removed every other AWS_* and SSOENV_* variable.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env["PYTHONPATH"] = str(ROOT)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env

    def run(self, *args, env=None, cwd=None, timeout=30, input=None, child_of_test=False):
        """`python -m ssoenv ARGS` from the worktree, with `env` (default: base_env()), in a
        process forked by a zygote (tests/zygote.py). `child_of_test`: this process starts
        it, for a test that stands in for the shell running ssoenv (SSOENV_HOOK naming
        os.getpid())."""
        env = self.base_env() if env is None else env
        cwd = str(self.project if cwd is None else cwd)
        env.setdefault("PWD", cwd)
        return zygote.run(
            args, env=env, cwd=cwd, timeout=timeout, input=input, direct=child_of_test
        )


@pytest.fixture
def ssoenv_env(tmp_path, monkeypatch) -> SsoenvEnv:
    """A fresh HOME with XDG directories and AWS file locations inside it, no AWS_* or
    SSOENV_* variable, and cwd/PWD in an empty project directory under HOME."""
    home = tmp_path / "home"
    project = home / "work" / "project"
    project.mkdir(parents=True)
    world = SsoenvEnv(
        home=home,
        project=project,
        aws_config=home / ".aws" / "config",
        aws_credentials=home / ".aws" / "credentials",
    )
    for name in list(os.environ):
        if name.startswith(("AWS_", "SSOENV_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(world.data_home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(world.cache_home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(world.config_home))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(world.aws_config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(world.aws_credentials))
    monkeypatch.chdir(project)
    monkeypatch.setenv("PWD", str(project))
    return world


@pytest.fixture(scope="module")
def moto_url():
    """moto's server (IAM, STS, ...) on 127.0.0.1 at a free port, one per test module."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> str:
    """One directory for all the examples of a module's properties, each example writing
    every file it reads: a directory per example costs more than the reading."""
    return str(tmp_path_factory.mktemp("scratch"))


@pytest.fixture
def sandbox(tmp_path) -> Sandbox:
    """A HOME of the test's own for live shells (tests/live_shell.py)."""
    return Sandbox(tmp_path)


@pytest.fixture
def open_shell(sandbox):
    """`open_shell(name, hook=True, **kwargs)`: a live shell in `sandbox` (kwargs go to
    LiveShell), with ssoenv's hook loaded unless hook=False; each is closed at the end."""
    shells = []

    def start(name, hook=True, **kwargs):
        sh = LiveShell(name, sandbox, **kwargs)
        shells.append(sh)
        if hook:
            sh.hook()
        return sh

    yield start
    for sh in shells:
        sh.close()


# Tests that run against the original of a project Debian does not package (its code is
# never part of this repository): each names the variable that points at a checkout.
ORIGINALS = {"SSOENV_TEST_P10K": "powerlevel10k", "SSOENV_TEST_OHMYZSH": "oh-my-zsh"}


def pytest_configure(config):
    # A shell that starts the suite in the background (`... &`) hands it SIGINT ignored,
    # and every process it starts would inherit that: the tests that press Ctrl-C need the
    # default, which a handler here gives each program the tests start.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    config.addinivalue_line(
        "markers",
        "original(variable, project): runs against a checkout of a project that is not "
        "packaged, named by the environment variable; deselected where that is unset",
    )
    config.addinivalue_line(
        "markers",
        "long: takes many times an ordinary test, keeping a CPU busy (walks, quoting, "
        'properties), or mostly waiting on timers with long("waits"); started early, so that '
        "the parallel run does not end waiting for one of them",
    )
    if not hasattr(config, "workerinput"):
        # Once, before the workers start: ssoenv's modules compiled, as pip compiles an
        # installed copy. The commands the tests start write no bytecode
        # (PYTHONDONTWRITEBYTECODE), and would otherwise compile each module they import.
        compileall.compile_dir(str(ROOT / "ssoenv"), quiet=1)
    # The test modules, as pytest rewrites their asserts, are kept compiled too, even where
    # PYTHONDONTWRITEBYTECODE is set: each worker collects the whole suite, and rewriting
    # it again costs each run seconds of CPU per worker.
    sys.dont_write_bytecode = False


def pytest_collection_modifyitems(config, items):
    """Deselect (not skip) the tests whose original project has no checkout here."""
    keep, dropped = [], []
    for item in items:
        mark = item.get_closest_marker("original")
        (dropped if mark and not os.environ.get(mark.args[0]) else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    # The long tests that keep a CPU busy (walks, quoting, properties) go first, so that the
    # run does not end waiting for one of them, their modules taking turns. Those that mostly
    # wait on timers (`long("waits")`: renewals, back-off, deadlines) are spread through the
    # first three quarters of the others, one at a time: where several wait at once, the
    # cores idle. The rest keep their order.
    busy, waiting, rest = {}, {}, []
    for item in keep:
        mark = item.get_closest_marker("long")
        if mark is None:
            rest.append(item)
        else:
            kind = waiting if mark.args == ("waits",) else busy
            kind.setdefault(item.module.__name__, []).append(item)
    waits = _alternate(list(waiting.values()))
    step = len(rest) * 3 // 4 // (len(waits) + 1)
    for i, item in enumerate(waits):
        rest.insert((i + 1) * step + i, item)
    items[:] = _alternate(list(busy.values())) + rest


def _alternate(queues):
    """One from each queue in turn, until all are empty."""
    queues = [list(queue) for queue in queues if queue]
    taken = []
    while queues:
        taken += [queue.pop(0) for queue in queues]
        queues = [queue for queue in queues if queue]
    return taken


def pytest_terminal_summary(terminalreporter):
    for variable, project in ORIGINALS.items():
        if not os.environ.get(variable):
            terminalreporter.write_line(
                "tests against the original %s deselected: set %s to a checkout to run them"
                % (project, variable)
            )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI every test must run: a skip there (a missing shell, say) is a failure."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = "skipped under CI, where every test must run: %s" % (report.longrepr,)
