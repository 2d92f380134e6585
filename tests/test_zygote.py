"""The zygote that forks the tests' `python -m ssoenv` commands (tests/zygote.py) must give
each command what a Python process of its own gets: the same argv, working directory,
environment, umask, streams, exit status and start-up settings. A probe module reports what
it sees, started both ways."""

import json
import os
import subprocess
import textwrap

import pytest
import zygote

PROBE = textwrap.dedent(
    """\
    import json, os, sys, time

    def fds():
        names = os.listdir("/proc/self/fd")  # the listing's own fd is gone once listed
        return sorted(int(n) for n in names if os.path.exists("/proc/self/fd/" + n))

    what = sys.argv[1]
    if what == "report":
        umask = os.umask(0)
        report = {
            "name": __name__,
            "argv": sys.argv[1:],
            "argv0": os.path.basename(sys.argv[0]),
            "cwd": os.getcwd(),
            "path0": sys.path[0],
            "path": [p for p in sys.path[1:] if "site-packages" not in p],
            "env": dict(os.environ),
            "umask": umask,
            "fds": fds(),
            "stdin": sys.stdin.read(),
            "encoding": [sys.stdout.encoding, sys.stderr.encoding, sys.stdin.encoding],
            "buffering": [sys.stdout.line_buffering, sys.stderr.line_buffering],
            "tty": [os.isatty(0), os.isatty(1), os.isatty(2)],
            "bytecode": sys.dont_write_bytecode,
            "tz": list(time.tzname),
            "ssoenv loaded": any(m.split(".")[0] == "ssoenv" for m in sys.modules),
            "child env": __import__("subprocess").run(
                ["env", "-0"], capture_output=True
            ).stdout.decode().split("\\0"),
        }
        sys.stderr.write("to stderr\\r\\n")
        print(json.dumps(report, sort_keys=True))
    elif what == "exit":
        sys.exit(int(sys.argv[2]))
    elif what == "exit-text":
        sys.exit("a message")
    elif what == "raise":
        raise ValueError("raised")
    elif what == "atexit":
        import atexit

        atexit.register(lambda: print("at exit"))
        print("before", end="")
    elif what == "sleep":
        print("started", flush=True)
        time.sleep(60)
    """
)


@pytest.fixture
def probe_dir(tmp_path):
    (tmp_path / "zprobe.py").write_text(PROBE)
    return tmp_path


def both(probe_dir, *args, env=None, **kwargs):
    env = dict(os.environ if env is None else env)
    env["PYTHONPATH"] = str(probe_dir.parent)
    runs = []
    for direct in (True, False):
        runs.append(
            zygote.run(
                list(args),
                env=env,
                cwd=str(probe_dir),
                direct=direct,
                module="zprobe",
                timeout=30,
                **kwargs,
            )
        )
    return runs


@pytest.mark.parametrize(
    "env",
    [
        {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"},
        {"LANG": "C", "LC_ALL": "C", "TZ": "Asia/Tokyo"},
        {"LC_ALL": "en_US.ISO-8859-1", "PYTHONDONTWRITEBYTECODE": "1", "TZ": "UTC"},
    ],
    ids=["utf-8", "c-locale", "latin-1"],
)
def test_a_forked_command_sees_what_its_own_process_would(probe_dir, env, monkeypatch):
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    full = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "TZ"))}
    full.update(env, ODD="a b\nc", EMPTY="")
    both(probe_dir, "exit", "0", env=full)  # the zygote starts under the usual umask
    old = os.umask(0o027)
    try:
        direct, forked = both(probe_dir, "report", "x y", env=full, input="given input")
    finally:
        os.umask(old)
    assert direct.returncode == forked.returncode == 0, direct.stderr + forked.stderr
    assert forked.stdout == direct.stdout
    assert forked.stderr == direct.stderr == "to stderr\n"
    seen = json.loads(forked.stdout)
    assert seen["argv"] == ["report", "x y"]
    assert seen["name"] == "__main__"
    assert seen["path0"] == str(probe_dir)
    assert seen["env"] == {**full, "PYTHONPATH": str(probe_dir.parent)}
    assert seen["umask"] == 0o027
    assert seen["fds"] == [0, 1, 2]
    assert seen["stdin"] == "given input"
    assert seen["ssoenv loaded"] is False


def test_without_input_stdin_is_empty(probe_dir):
    direct, forked = both(probe_dir, "report")
    assert forked.stdout == direct.stdout
    assert '"stdin": ""' in forked.stdout


@pytest.mark.parametrize(
    "args,code",
    [
        (("exit", "3"), 3),
        (("exit", "0"), 0),
        (("exit-text",), 1),
        (("raise",), 1),
        (("atexit",), 0),
    ],
)
def test_exit_status_and_last_words_are_a_processs_own(probe_dir, args, code):
    direct, forked = both(probe_dir, *args)
    assert direct.returncode == forked.returncode == code
    assert forked.stdout == direct.stdout
    if args == ("raise",):
        # The frames above the module's are the zygote's rather than runpy's alone.
        assert forked.stderr.startswith("Traceback (most recent call last):\n")
        assert forked.stderr.splitlines()[-2:] == direct.stderr.splitlines()[-2:]
    else:
        assert forked.stderr == direct.stderr


@pytest.mark.long("waits")
def test_a_command_past_its_timeout_is_killed_with_what_it_printed(probe_dir):
    for direct in (True, False):
        with pytest.raises(subprocess.TimeoutExpired) as caught:
            zygote.run(
                ["sleep"],
                env=dict(os.environ, PYTHONPATH=str(probe_dir.parent)),
                cwd=str(probe_dir),
                direct=direct,
                module="zprobe",
                timeout=2,
            )
        assert caught.value.output == b"started\n"  # bytes, as subprocess.run leaves it
