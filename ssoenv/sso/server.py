"""A container-credentials endpoint: role credentials over HTTP for the SDKs inside a command.

The SDKs read `AWS_CONTAINER_CREDENTIALS_FULL_URI` and send
`AWS_CONTAINER_AUTHORIZATION_TOKEN` as the Authorization header; they ask again before
what they got expires, and this server renews the credentials (and through them the
sign-in) before they run out, so a job of many hours never holds expired keys."""

import json
import secrets
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional, TextIO

from ssoenv.base.errors import SsoenvError
from ssoenv.sso.credentials import RoleCredentials

# Credentials are renewed once under this much is left (botocore renews its own at 15
# minutes too), or once half their life is gone for short ones.
RENEW_AHEAD_SECONDS = 15 * 60
# The keeper wakes at least this often to keep the sign-in fresh.
KEEPER_MAX_SLEEP_SECONDS = 5 * 60
KEEPER_MIN_SLEEP_SECONDS = 1.0
# Any local process can connect: a connection is closed after this long, whatever it sent
# (an SDK asks and reads in milliseconds; botocore itself gives up after 2 seconds), and no
# more than this many are served at once: the oldest is closed to make room for a new one.
CONNECTION_SECONDS = 5.0
MAX_CONNECTIONS = 16


class CredentialServer:
    """Serves what `source()` returns (RoleCredentials) on `host:port` to holders of the
    token. `keep_signed_in()`, when given, is called by the keeper between renewals.
    Use as a context manager, or `.start()` / `.stop()`."""

    def __init__(
        self,
        source: Callable[[], RoleCredentials],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: Optional[str] = None,
        keep_signed_in: Optional[Callable[[], object]] = None,
        err: Optional[TextIO] = None,
    ):
        self.source = source
        self.host = host
        self.port = port
        self.token = token or secrets.token_urlsafe(32)
        self.keep_signed_in = keep_signed_in
        self.err = err
        self._lock = threading.Lock()
        self._creds: Optional[RoleCredentials] = None
        self._fetched_at = 0.0
        self._reported: Optional[str] = None
        self._stop = threading.Event()
        self._server: Optional[ThreadingHTTPServer] = None
        self._threads = []

    # -- what is served -------------------------------------------------------------------
    def _renew_at(self) -> float:
        creds = self._creds
        if creds is None:
            return 0.0
        life = creds.expires_epoch - self._fetched_at
        return creds.expires_epoch - min(RENEW_AHEAD_SECONDS, life / 2)

    def current(self) -> RoleCredentials:
        """Credentials that are not due for renewal; renewed first when they are. When a
        renewal fails, the current ones are served while they last, and the failure is
        said once on `err`. Raises SsoenvError when there are none left to serve (and
        leaves saying it to the caller, so that it is said once)."""
        with self._lock:
            now = time.time()
            if self._creds is not None and now < self._renew_at():
                return self._creds
            try:
                creds = self.source()
            except SsoenvError as e:
                if self._creds is not None and self._creds.expires_epoch > now:
                    self._report("renewing the role credentials failed: %s" % e)
                    return self._creds
                raise
            self._creds, self._fetched_at = creds, now
            self._reported = None
            return creds

    def _report(self, message: str) -> None:
        if self.err is not None and message != self._reported:
            self._reported = message
            try:
                self.err.write("ssoenv: %s\n" % message)
                self.err.flush()
            except (OSError, ValueError):
                pass

    def _keep(self) -> None:
        """Renew ahead of time, so that no request waits on the network for it."""
        while not self._stop.is_set():
            try:
                if self.keep_signed_in is not None:
                    self.keep_signed_in()
                self.current()
            except SsoenvError as e:
                self._report(str(e))
            except Exception as e:  # the keeper must outlive a surprise; say it once
                self._report("renewing the role credentials failed: %s" % e)
            with self._lock:
                wait = self._renew_at() - time.time()
            wait = min(max(wait, KEEPER_MIN_SLEEP_SECONDS), KEEPER_MAX_SLEEP_SECONDS)
            self._stop.wait(wait)

    # -- HTTP ---------------------------------------------------------------------------------
    @property
    def address(self):
        if self._server is None:
            raise RuntimeError("the credential server is not running")
        return self._server.server_address[:2]

    def start(self) -> "CredentialServer":
        handler = type("Handler", (_Handler,), {"owner": self})
        server_class = _BoundedServer
        if ":" in self.host:
            server_class = type("Server6", (_BoundedServer,), {"address_family": socket.AF_INET6})
        try:
            server = server_class((self.host, self.port), handler)
        except OSError as e:
            raise SsoenvError(
                "cannot listen on %s: %s" % (_join(self.host, self.port), e.strerror or e)
            ) from None
        self._server = server
        # Polled ten times a second: the time limit below is kept that closely, and the
        # command's exit is not held up half a second by stop().
        serve = ((server.serve_forever, {"poll_interval": 0.1}, "serve"), (self._keep, {}, "keep"))
        for target, kwargs, name in serve:
            thread = threading.Thread(
                target=target, kwargs=kwargs, name="ssoenv-credentials-" + name
            )
            thread.daemon = True
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for thread in self._threads:
            thread.join(5)

    def __enter__(self) -> "CredentialServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class _BoundedServer(ThreadingHTTPServer):
    """A thread per connection, at most MAX_CONNECTIONS of them, none for longer than
    CONNECTION_SECONDS: connections that send nothing, or half a request, cannot pile up
    threads or keep a request from the command waiting."""

    daemon_threads = True
    block_on_close = False
    # Connections the kernel holds until they are accepted (socketserver's 5 makes a burst
    # of them wait a second each for the client to retry).
    request_queue_size = 64

    def __init__(self, *args, **kwargs):
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._open = {}  # connection -> when it was accepted (monotonic)
        self._open_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address):
        if not self._slots.acquire(blocking=False):
            with self._open_lock:
                oldest = min(self._open, key=self._open.get, default=None)
            _hang_up(oldest)
            # Its thread ends as soon as it sees the connection closed.
            if not self._slots.acquire(timeout=CONNECTION_SECONDS):
                self.shutdown_request(request)
                return
        with self._open_lock:
            self._open[request] = time.monotonic()
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._done(request)
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._done(request)

    def _done(self, request) -> None:
        with self._open_lock:
            if self._open.pop(request, None) is None:
                return
        self._slots.release()

    def service_actions(self):
        # Called by serve_forever between polls: the time limit.
        too_old = time.monotonic() - CONNECTION_SECONDS
        with self._open_lock:
            late = [conn for conn, since in self._open.items() if since < too_old]
        for conn in late:
            _hang_up(conn)

    def handle_error(self, request, client_address):
        # A client that misbehaves is its own problem: never a traceback on the terminal.
        pass


def _hang_up(conn) -> None:
    """End a connection another thread serves: its reads and writes fail at once, and that
    thread closes it."""
    if conn is None:
        return
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _join(host: str, port: int) -> str:
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)


def response_body(creds: RoleCredentials) -> dict:
    """The container-credentials format the SDKs read."""
    body = {
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key,
        "Token": creds.session_token,
        "Expiration": creds.expiration,
    }
    if creds.account_id:
        body["AccountId"] = creds.account_id
    return body


class _Handler(BaseHTTPRequestHandler):
    owner: CredentialServer = None  # set on the per-server subclass
    server_version = "ssoenv"
    sys_version = ""
    timeout = CONNECTION_SECONDS  # for each read and write; the server limits the total

    def log_message(self, format, *args):  # noqa: A002 - nothing of a request is logged
        pass

    def do_GET(self):
        given = self.headers.get("Authorization")
        if not given:
            self._send(401, {"message": "missing Authorization header"})
            return
        if not secrets.compare_digest(given.encode("utf-8", "replace"), self.owner.token.encode()):
            self._send(403, {"message": "wrong authorization token"})
            return
        if self.path.split("?", 1)[0] != "/":
            self._send(404, {"message": "not found"})
            return
        try:
            creds = self.owner.current()
        except SsoenvError as e:
            self._send(503, {"message": "ssoenv: %s" % e})
            return
        self._send(200, response_body(creds))

    def do_POST(self):
        self._send(405, {"message": "method not allowed"})

    do_PUT = do_DELETE = do_PATCH = do_POST

    def _send(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
