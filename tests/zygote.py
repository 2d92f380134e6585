"""`python -m ssoenv ARGS` as a new process, without paying for Python's imports each time.

Most of what one `ssoenv` command costs a test is importing click and botocore (a quarter of
a second of CPU, for a command that then runs in a few milliseconds against the emulator).
A zygote is a Python that has imported those libraries, and nothing of ssoenv, and then
forks once per command: the child takes the command's argv, environment, working directory,
umask and standard streams, runs `ssoenv` as `python -m ssoenv` would (`runpy`, with the
working directory first on sys.path), and exits with its status. Each command is still a
process of its own, with ssoenv's modules imported afresh in it: only the libraries' module
objects are shared, as they would be from disk.

What Python reads from the environment only when it starts (PYTHON* variables, the locale,
TZ) is part of the zygote's key: a command whose environment differs there gets a zygote
started with that environment. Anything that is not a plain run of `-m ssoenv` with pipes
(a terminal, flags to Python, Popen) is not routed here; those tests start Python as usual.
"""

import atexit
import json
import locale
import os
import runpy
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

# What the zygote imports before forking: libraries only. Importing one of ssoenv's own
# modules here would carry module state from the zygote into every command.
PRELOAD = (
    "click",
    "botocore.session",
    "botocore.client",
    "botocore.config",
    "botocore.exceptions",
    "botocore.credentials",
    "yaml",
    "shellingham",
)

# What a Python process reads from the environment at start-up, and never again.
STARTUP = ("LANG", "LANGUAGE", "TZ")


def _startup_key(env):
    return tuple(
        sorted((k, v) for k, v in env.items() if k.startswith(("PYTHON", "LC_")) or k in STARTUP)
    )


# ---------------------------------------------------------------------------------------
# The zygote's side.


def _serve(listener_fd):
    for name in PRELOAD:
        __import__(name)
    listener = socket.socket(fileno=listener_fd)
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ, None)
    waiting = {}  # pidfd -> (pid, connection)
    while True:
        for key, _ in sel.select():
            if key.fileobj is listener:
                conn, _ = listener.accept()
                try:
                    pid = _start(conn, listener)
                except (OSError, ValueError, EOFError):  # a test that went away: the next
                    conn.close()
                    continue
                pidfd = os.pidfd_open(pid)
                waiting[pidfd] = (pid, conn)
                sel.register(pidfd, selectors.EVENT_READ, None)
                try:
                    # The test stops a command by this descriptor, never by its pid: once
                    # the zygote has reaped it, the pid may be another process's.
                    socket.send_fds(conn, [b"+"], [pidfd])
                except OSError:
                    pass
            else:
                pidfd = key.fileobj
                sel.unregister(pidfd)
                pid, conn = waiting.pop(pidfd)
                os.close(pidfd)
                _, status = os.waitpid(pid, 0)
                try:
                    conn.sendall(b"%d\n" % os.waitstatus_to_exitcode(status))
                except OSError:
                    pass
                conn.close()


def _receive(conn):
    data = b""
    fds = []
    while not data.endswith(b"\n"):
        msg, got, _flags, _addr = socket.recv_fds(conn, 1 << 20, 3)
        if not msg:
            raise EOFError("the test closed the connection")
        data += msg
        fds += got
    return json.loads(data), fds


def _start(conn, listener):
    request, fds = _receive(conn)
    pid = os.fork()
    if pid:
        for fd in fds:
            os.close(fd)
        return pid
    code = 1
    try:
        listener.close()
        conn.close()
        _become(request, fds)
        code = _run(request["module"])
    except BaseException:  # the child must never return into the zygote's loop
        traceback.print_exc()
    finally:
        os._exit(code)


def _become(request, fds):
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    # What subprocess leaves open in a new process: the three streams alone.
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    os.umask(request["umask"])
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = ["-m", *request["args"]]
    # `python -m` puts the working directory first on the path, where the zygote has its own.
    sys.path[0] = os.getcwd()


def _run(module):
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as e:
        code = _exit_code(e.code)
    except KeyboardInterrupt:
        # Python ends on an uncaught Ctrl-C by the signal itself.
        traceback.print_exc()
        _flush()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        code = 130
    except BaseException:
        traceback.print_exc()
        code = 1
    atexit._run_exitfuncs()
    if not _flush():
        code = code or 120  # as Python exits when its last flush fails
    return code


def _flush():
    done = True
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            done = False
    return done


def _exit_code(value):
    if value is None:
        return 0
    if isinstance(value, int):
        return value & 0xFF
    sys.stderr.write("%s\n" % (value,))
    return 1


# ---------------------------------------------------------------------------------------
# The test's side.

_zygotes = {}  # startup key -> (process, socket path)
_lock = threading.Lock()
_root = None


def _zygote_for(env):
    global _root
    key = _startup_key(env)
    with _lock:
        found = _zygotes.get(key)
        if found and found[0].poll() is None:
            return found[1]
        if _root is None:
            _root = tempfile.mkdtemp(prefix="ssoenv-zygote-")
            atexit.register(_stop_all)
        path = os.path.join(_root, "z%d.sock" % len(_zygotes))
        # Bound and listening before the zygote starts: a command asked for while it still
        # imports waits in the backlog.
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        listener.listen(16)
        start_env = {k: v for k, v in env.items() if not k.startswith(("PYTHON", "LC_"))}
        start_env.update(dict(key))
        # Its own streams are files, as a command's are pipes: neither is a terminal, so
        # Python buffers the commands' output as it would in a process of their own.
        with listener, open(path + ".log", "ab") as log:
            process = subprocess.Popen(
                [sys.executable, __file__, str(listener.fileno())],
                env=start_env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                cwd=_root,
                pass_fds=[listener.fileno()],
            )
        _zygotes[key] = (process, path)
    return path


def _stop_all():
    for process, _path in _zygotes.values():
        process.kill()
        process.wait()
    # The sockets and the zygotes' logs.
    shutil.rmtree(_root, ignore_errors=True)


def run(args, *, env, cwd=None, input=None, timeout=None, text=True, direct=False, module="ssoenv"):
    """Like `subprocess.run([sys.executable, "-m", module, *args], capture_output=True,
    stdin=DEVNULL or input, ...)`. `direct`: started by this process itself rather than
    forked by a zygote, for a test that stands in for the shell running ssoenv (its pid is
    then the command's parent's). `cwd`: as subprocess's, this process's own when None."""
    command = [sys.executable, "-m", module, *args]
    if direct:
        return subprocess.run(
            command,
            env=env,
            cwd=cwd,
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            text=text,
            timeout=timeout,
        )
    path = _zygote_for(env)
    umask = os.umask(0o022)
    os.umask(umask)
    if input is not None:
        in_r, in_w = os.pipe()
    else:
        in_r, in_w = os.open(os.devnull, os.O_RDONLY), None
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    cwd = os.getcwd() if cwd is None else str(cwd)
    request = {"module": module, "args": list(args), "env": dict(env), "cwd": cwd}
    request["umask"] = umask
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(path)
    with conn:
        try:
            socket.send_fds(conn, [json.dumps(request).encode() + b"\n"], [in_r, out_w, err_w])
        finally:
            for fd in (in_r, out_w, err_w):
                os.close(fd)
        _msg, (pidfd,), _flags, _addr = socket.recv_fds(conn, 1, 1)
        try:
            stdout, stderr, finished = _communicate(pidfd, in_w, input, out_r, err_r, timeout)
        finally:
            os.close(pidfd)
        if not finished:
            # What subprocess.run gives on a timeout: the bytes read so far, or None.
            raise subprocess.TimeoutExpired(
                command, timeout, output=stdout or None, stderr=stderr or None
            )
        status = b""
        while not status.endswith(b"\n"):
            status += conn.recv(64) or b"\n"
        code = int(status)
    return subprocess.CompletedProcess(
        command, code, _decoded(stdout, text), _decoded(stderr, text)
    )


def _decoded(data, text):
    """As subprocess reads text: in the locale's encoding, with universal newlines."""
    if not text:
        return data
    decoded = data.decode(locale.getpreferredencoding(False))
    return decoded.replace("\r\n", "\n").replace("\r", "\n")


def _communicate(pidfd, in_w, input, out_r, err_r, timeout):
    """(stdout, stderr, True) once both are closed; when `timeout` passes first, the
    command is killed and what it wrote so far comes with False."""
    deadline = None if timeout is None else time.monotonic() + timeout
    chunks = {out_r: [], err_r: []}
    sel = selectors.DefaultSelector()
    for fd in chunks:
        sel.register(fd, selectors.EVENT_READ)
    pending = b""
    if in_w is not None:
        pending = input.encode() if isinstance(input, str) else bytes(input)
        if pending:
            os.set_blocking(in_w, False)
            sel.register(in_w, selectors.EVENT_WRITE)
        else:
            os.close(in_w)
            in_w = None
    try:
        while sel.get_map():
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            events = sel.select(wait)
            if not events and deadline is not None and time.monotonic() >= deadline:
                try:
                    signal.pidfd_send_signal(pidfd, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                return b"".join(chunks[out_r]), b"".join(chunks[err_r]), False
            for key, _ in events:
                fd = key.fd
                if fd == in_w:
                    try:
                        n = os.write(in_w, pending[:65536])
                    except BrokenPipeError:
                        n = len(pending)
                    pending = pending[n:]
                    if not pending:
                        sel.unregister(in_w)
                        os.close(in_w)
                        in_w = None
                    continue
                data = os.read(fd, 65536)
                if data:
                    chunks[fd].append(data)
                else:
                    sel.unregister(fd)
    finally:
        sel.close()
        for fd in (out_r, err_r):
            os.close(fd)
        if in_w is not None:
            os.close(in_w)
    return b"".join(chunks[out_r]), b"".join(chunks[err_r]), True


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
