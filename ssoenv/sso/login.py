"""Logging in to IAM Identity Center the AWS CLI v2's way: authorization code with PKCE, or device code."""

import base64
import hashlib
import os
import secrets
import string
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import ThreadingMixIn
from typing import Optional
from urllib.parse import parse_qs, urlsplit

from ssoenv.base import browserpage
from ssoenv.base.botoerrors import unreachable_line
from ssoenv.base.errors import SsoenvError, SsoError
from ssoenv.sso import cache, tokens
from ssoenv.sso.clients import Network, create_client, endpoint_of, error_code, explain
from ssoenv.sso.lock import session_lock
from ssoenv.sso.refresh import TokenState, clear_refresh_failure
from ssoenv.sso.session import DEFAULT_AUTH_CODE_SCOPE, SsoSession

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
REDIRECT_URI_WITHOUT_PORT = "http://127.0.0.1/oauth/callback"
CALLBACK_PATH = "/oauth/callback"
DEFAULT_LOGIN_TIMEOUT = 600.0  # the AWS CLI waits 10 minutes for the browser too
CONNECTION_TIMEOUT = 10.0  # for one connection to the login listener to send its request
SLOW_DOWN_SECONDS = 5
DEFAULT_INTERVAL = 5
_VERIFIER_ALPHABET = string.ascii_letters + string.digits + "-._~"

CLOSE_TAB_PAGE = (
    b"<!doctype html><meta charset=utf-8><title>ssoenv</title>"
    b"<p>ssoenv: the sign-in is complete. You can close this tab and return to the terminal.</p>"
)
NOT_THIS_LOGIN_PAGE = (
    b"<!doctype html><meta charset=utf-8><title>ssoenv</title>"
    b"<p>ssoenv: this is not the answer to the sign-in ssoenv is waiting for.</p>"
)
FAILED_PAGE = (
    b"<!doctype html><meta charset=utf-8><title>ssoenv</title>"
    b"<p>ssoenv: the sign-in did not complete. Return to the terminal for details.</p>"
)


def browser_available(environ=None, platform: Optional[str] = None) -> bool:
    """Whether a browser can open on this machine for the person at the terminal.

    A BROWSER naming a graphical browser counts (ssoenv runs it); a text browser never
    does. Otherwise SSH sessions, Linux without a display and containers cannot."""
    env = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if any(not is_text_browser(e) for e in _browser_entries(env)):
        return True
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return False
    if platform.startswith("linux"):
        if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
            return False
        if os.path.exists("/.dockerenv") or os.path.exists("/run/.containerenv"):
            return False
    return True


def login(
    session: SsoSession,
    *,
    use_device_code: bool = False,
    open_browser: bool = True,
    out=None,
    timeout: Optional[float] = None,
    network: Optional[Network] = None,
    say_wait: bool = True,
) -> TokenState:
    """Log in and store the token where the AWS CLI and botocore find it.

    sso-sessions use the authorization-code flow with PKCE unless `use_device_code`, or no
    browser can open here; legacy profiles always use the device-code flow. What the user
    must open (and the code to enter) is written to `out` (default stderr). Raises SsoError
    when the sign-in is denied, expires, times out or the service cannot be reached."""
    out = sys.stderr if out is None else out
    timeout = default_timeout() if timeout is None else timeout
    can_open = open_browser and browser_available()
    device = uses_device_code(session, use_device_code=use_device_code, open_browser=open_browser)
    action = f"logging in to {session.label}"
    client = None
    flow = _device_flow if device else _auth_code_flow
    if not say_wait:
        out = _QuietWait(out)
    try:
        client = create_client(session, "sso-oidc", network)
        try:
            response, registration = flow(session, client, out, can_open, timeout, network)
        except Exception as exc:
            if error_code(exc) != "InvalidClientException":
                raise
            # The service no longer knows the cached registration: register again, once.
            _forget_registration(session)
            response, registration = flow(session, client, out, can_open, timeout, network)
    except SsoenvError:  # ours already say what is wrong (an unsafe store too)
        raise
    except Exception as exc:
        raise explain(exc, action, endpoint_of(client) if client else None) from None
    finally:
        _remove_pages()
    token = tokens.token_from_response(session, response, registration)
    with session_lock(session.lock_path(), label=session.label):
        tokens.save_token(session, token)
    clear_refresh_failure(session)
    return TokenState(token["accessToken"], cache.parse_time(token["expiresAt"]), refreshed=True)


def default_timeout(env=None, default: float = DEFAULT_LOGIN_TIMEOUT) -> float:
    """Seconds a sign-in may take: SSOENV_LOGIN_TIMEOUT when set, else `default` (10
    minutes for a command's login)."""
    env = os.environ if env is None else env
    try:
        value = float(env.get("SSOENV_LOGIN_TIMEOUT", ""))
    except ValueError:
        return default
    return value if value > 0 else default


def uses_device_code(
    session: SsoSession, *, use_device_code: bool = False, open_browser: bool = True
) -> bool:
    """Whether a login signs in with a device code (else in the browser, with PKCE)."""
    if session.is_legacy or use_device_code:
        return True
    return open_browser and not browser_available()


def flow_name(device: bool) -> str:
    return "device-code sign-in" if device else "browser sign-in"


def duration_text(seconds: float) -> str:
    if seconds < 90:
        return "%d s" % round(seconds)
    return "%d min" % round(seconds / 60)


class _QuietWait:
    """`out` for a caller that said itself how long it waits, and for which flow."""

    def __init__(self, out):
        self.out = out
        self.quiet_wait = True

    def write(self, text):
        return self.out.write(text)

    def flush(self):
        return self.out.flush()


def _say_waiting(out, what: str, seconds: float) -> None:
    if getattr(out, "quiet_wait", False):
        return
    out.write(f"Waiting up to {duration_text(seconds)} for the {what}; Ctrl-C to stop.\n")
    out.flush()


def _check_reachable(base_url: str, network: Optional[Network]) -> None:
    """Raise SsoError naming `base_url` unless it answers within the network's limits: a
    sign-in must not wait minutes on a page whose service is down. Any answer counts (an
    HTTP error, a certificate only botocore's CA bundle trusts); proxies apply as usual."""
    import ssl
    import urllib.error
    import urllib.request

    network = network or Network()
    limit = min(network.connect_timeout, network.read_timeout)
    request = urllib.request.Request(base_url + "/", headers={"User-Agent": "ssoenv"})
    try:
        with urllib.request.urlopen(request, timeout=limit) as response:
            response.read(0)
    except urllib.error.HTTPError:
        return
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, ssl.SSLError):
            return
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            # urllib wraps a connect that timed out; a read that did comes bare.
            stage = "connect" if isinstance(exc, urllib.error.URLError) else "read"
            reason = TimeoutError("%s timed out" % stage)
        raise SsoError(unreachable_line(base_url, reason)) from None


def _forget_registration(session: SsoSession) -> None:
    with session_lock(session.lock_path(), label=session.label):
        try:
            os.unlink(session.registration_path())
        except FileNotFoundError:
            pass


def _registration(session: SsoSession, client, auth_code: bool) -> dict:
    registration = tokens.load_registration(session, auth_code)
    if registration is not None:
        return registration
    client_name = f"botocore-client-{session.name or int(time.time())}"
    kwargs = {"clientName": client_name, "clientType": "public"}
    scopes = session.registration_scopes
    grant_types = None
    if auth_code:
        scopes = scopes or [DEFAULT_AUTH_CODE_SCOPE]
        grant_types = list(tokens.AUTH_CODE_GRANT_TYPES)
        kwargs.update(
            grantTypes=grant_types,
            redirectUris=[REDIRECT_URI_WITHOUT_PORT],
            issuerUrl=session.start_url,
            scopes=scopes,
        )
    elif scopes:
        kwargs["scopes"] = scopes
    response = client.register_client(**kwargs)
    registration = tokens.registration_from_response(response, scopes, grant_types)
    with session_lock(session.lock_path(), label=session.label):
        tokens.save_registration(session, registration)
    return registration


# Browsers that run in the terminal: opened by a login, they would take over the very
# terminal that waits for it (Python's webbrowser falls back to them when BROWSER fails).
TEXT_BROWSERS = frozenset(
    {"www-browser", "links", "links2", "elinks", "lynx", "w3m", "browsh", "carbonyl"}
)
# How long a BROWSER command may take to say whether it opened the page; one still
# running then is taken to be the browser itself.
BROWSER_WAIT_SECONDS = 10.0


def _browser_entries(env=None) -> list:
    env = os.environ if env is None else env
    return [e for e in (env.get("BROWSER") or "").split(os.pathsep) if e.strip()]


def is_text_browser(command: str) -> bool:
    """Whether `command` (a BROWSER entry or a browser's name) runs in the terminal."""
    import shlex
    import shutil

    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    if not words:
        return True
    program = words[0]
    names = {os.path.basename(program)}
    found = shutil.which(program)
    if found:  # www-browser and friends are often symlinks to the real one
        names.add(os.path.basename(os.path.realpath(found)))
    return bool(names & TEXT_BROWSERS)


def _run_browser(entry: str, url: str) -> bool:
    """Run one BROWSER entry the way Python's webbrowser does (`%s` is the URL, else it is
    appended; a trailing `&` does not wait); True when it opened the page."""
    import shlex
    import subprocess

    try:
        words = shlex.split(entry)
    except ValueError:
        return False
    background = bool(words) and words[-1] == "&"
    if background:
        words = words[:-1]
    if not words:
        return False
    argv = [w.replace("%s", url) for w in words] if "%s" in entry else words + [url]
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, close_fds=True)
    except OSError:
        return False
    if background:
        return True
    try:
        return proc.wait(BROWSER_WAIT_SECONDS) == 0
    except subprocess.TimeoutExpired:
        return True


def _open(url: str) -> bool:
    """Open `url` in a graphical browser; False when none could be opened. Never a text
    browser: not one named in BROWSER, and not as a fallback when the others fail."""
    # The browser gets a private local page that sends it on, never the URL: it holds the
    # login's `state`, and every local user can read a command line. The login waits for
    # the browser, so the page goes when the login is over, however it ends.
    page = browserpage.Page(url)
    if not _open_in_browser(page.url):
        page.remove()
        return False
    _pages.append(page)
    return True


_pages = []


def _remove_pages() -> None:
    while _pages:
        _pages.pop().remove()


def _open_in_browser(url: str) -> bool:
    entries = _browser_entries()
    if entries:
        return any(_run_browser(e, url) for e in entries if not is_text_browser(e))
    import webbrowser

    try:
        webbrowser.get()  # registers what this platform has
        names = list(webbrowser._tryorder or ())
    except Exception:
        return False
    for name in names:
        if is_text_browser(name):
            continue
        try:
            browser = webbrowser.get(name)
            if isinstance(browser, webbrowser.GenericBrowser) and is_text_browser(browser.name):
                continue
            if browser.open(url, new=2):
                return True
        except Exception:  # a broken browser must not break the login: the URL is printed
            continue
    return False


def _say_not_opened(out, where: str) -> None:
    out.write(
        "No browser could be opened here (ssoenv never uses a text browser); "
        f"open the URL above in a browser {where}.\n\n"
    )
    out.flush()


# -- authorization code with PKCE -------------------------------------------------------


def pkce_pair():
    """(verifier, challenge): 64 characters of [A-Za-z0-9-._~] and its S256 challenge."""
    verifier = "".join(secrets.choice(_VERIFIER_ALPHABET) for _ in range(64))
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def _oidc_base_url(client) -> str:
    """The endpoint botocore resolved for sso-oidc, for the unmodelled /authorize page.

    Like the AWS CLI: let botocore build a RegisterClient request and stop it before it
    is sent, so every endpoint setting (env, [services], FIPS...) is honoured."""
    from botocore.awsrequest import AWSResponse

    captured = {}

    def capture(params, **kwargs):
        parts = urlsplit(params["url"])
        captured["base"] = f"{parts.scheme}://{parts.netloc}"
        return AWSResponse(None, 200, {}, None), {}

    client.meta.events.register("before-call", capture, unique_id="ssoenv-capture-endpoint")
    try:
        client.register_client(clientName="ssoenv-endpoint-probe", clientType="public")
    finally:
        client.meta.events.unregister("before-call", unique_id="ssoenv-capture-endpoint")
    return captured["base"]


class _CallbackServer(ThreadingMixIn, HTTPServer):
    """The one-shot listener for the browser's redirect. Any local process can connect to
    it, so each connection is served in a thread of its own with a time limit (one that
    sends half a request stalls nobody), and only an answer carrying this login's `state`
    counts: a forged `?error=...` or a stray `code` is refused and the login keeps waiting."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, expected_state: str):
        super().__init__(("127.0.0.1", 0), _CallbackHandler)
        self.expected_state = expected_state.encode("utf-8")
        self.result: Optional[dict] = None
        self.done = threading.Event()
        self._lock = threading.Lock()

    def offer(self, result: dict) -> bool:
        """Take `result` if it answers this login (its state matches) and none came before."""
        state = result.get("state", "").encode("utf-8", "surrogateescape")
        if not secrets.compare_digest(state, self.expected_state):
            return False
        if "code" not in result and "error" not in result:
            return False
        with self._lock:
            if self.result is not None:
                return False
            self.result = result
        self.done.set()
        return True

    def handle_error(self, request, client_address):
        # A client that misbehaves is its own problem: never a traceback on the terminal.
        pass


class _CallbackHandler(BaseHTTPRequestHandler):
    server_version = "ssoenv"
    # Seconds a connection may take to send its request (and to read the answer).
    timeout = CONNECTION_TIMEOUT

    def log_message(self, format, *args):  # noqa: A002
        pass

    def do_GET(self):
        parts = urlsplit(self.path)
        if parts.path != CALLBACK_PATH:
            self._answer(404, b"")
            return
        query = parse_qs(parts.query)
        result = {k: v[0] for k, v in query.items() if v}
        if not self.server.offer(result):
            self._answer(400, NOT_THIS_LOGIN_PAGE)
            return
        ok = "code" in result and "error" not in result
        self._answer(200, CLOSE_TAB_PAGE if ok else FAILED_PAGE)

    def _answer(self, status: int, page: bytes) -> None:
        self.send_response(status)
        if page:
            self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(page)
        self.close_connection = True


def _auth_code_flow(session: SsoSession, client, out, can_open: bool, timeout: float, network):
    registration = _registration(session, client, auth_code=True)
    from botocore.utils import percent_encode_sequence

    verifier, challenge = pkce_pair()
    expected_state = str(uuid.uuid4())
    # One-shot listener on loopback only (the AWS CLI listens on all interfaces).
    server = _CallbackServer(expected_state)
    server.timeout = 0.2
    try:
        redirect_uri = f"http://127.0.0.1:{server.server_address[1]}{CALLBACK_PATH}"
        params = {
            "response_type": "code",
            "client_id": registration["clientId"],
            "redirect_uri": redirect_uri,
            "state": expected_state,
            "code_challenge_method": "S256",
            "scopes": " ".join(session.registration_scopes or [DEFAULT_AUTH_CODE_SCOPE]),
        }
        base_url = _oidc_base_url(client)
        # With the registration cached nothing was sent yet: know now that it answers.
        try:
            _check_reachable(base_url, network)
        except SsoError as e:
            raise SsoError(f"logging in to {session.label} failed: {e}") from None
        url = f"{base_url}/authorize?{percent_encode_sequence(params)}&code_challenge={challenge}"
        if can_open:
            out.write(
                "Opening the IAM Identity Center sign-in page in your browser.\n"
                "If it does not open, open this URL on this computer:\n\n"
                f"{url}\n\n"
            )
        else:
            out.write(f"Open this URL in a browser on this computer to sign in:\n\n{url}\n\n")
        out.flush()
        if can_open and not _open(url):
            _say_not_opened(out, "on this computer")
        _say_waiting(out, flow_name(False), timeout)
        deadline = time.monotonic() + timeout
        while not server.done.is_set():
            if time.monotonic() >= deadline:
                raise SsoError(
                    f"logging in to {session.label} timed out waiting for the browser sign-in"
                )
            # Accepts at most one connection and hands it to a thread of its own.
            server.handle_request()
        result = server.result
    finally:
        server.server_close()

    # Only an answer with this login's state gets here: its error is the service's.
    if result.get("error") or not result.get("code"):
        if result.get("error") == "access_denied":
            raise SsoError(f"logging in to {session.label} failed: the sign-in was denied")
        raise SsoError(f"logging in to {session.label} failed: no authorization code was returned")
    response = client.create_token(
        grantType="authorization_code",
        clientId=registration["clientId"],
        clientSecret=registration["clientSecret"],
        redirectUri=redirect_uri,
        codeVerifier=verifier,
        code=result["code"],
    )
    return response, registration


# -- device code ----------------------------------------------------------------------------


def _device_flow(session: SsoSession, client, out, can_open: bool, timeout: float, network):
    registration = _registration(session, client, auth_code=False)
    authorization = client.start_device_authorization(
        clientId=registration["clientId"],
        clientSecret=registration["clientSecret"],
        startUrl=session.start_url,
    )
    interval = authorization.get("interval") or DEFAULT_INTERVAL
    expires_in = authorization.get("expiresIn") or timeout
    deadline = time.monotonic() + min(float(expires_in), float(timeout))

    # Like the CLI: one attempt before asking the user, who may already be signed in.
    response, interval = _poll_once(session, client, registration, authorization, interval)
    if response is not None:
        return response, registration
    out.write(
        "To sign in, open this URL in a browser (on any device):\n\n"
        f"{authorization['verificationUri']}\n\n"
        f"and enter the code:\n\n{authorization['userCode']}\n\n"
        "Or open this URL, which fills in the code:\n\n"
        f"{authorization['verificationUriComplete']}\n\n"
    )
    out.flush()
    if can_open and not _open(authorization["verificationUriComplete"]):
        _say_not_opened(out, "on any device")
    _say_waiting(out, flow_name(True), max(0.0, deadline - time.monotonic()))
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise SsoError(
                f"logging in to {session.label} failed: the sign-in request expired before "
                "it was approved; run ssoenv login again"
            )
        time.sleep(min(interval, remaining))
        response, interval = _poll_once(session, client, registration, authorization, interval)
        if response is not None:
            return response, registration


def _poll_once(session, client, registration, authorization, interval):
    from botocore.exceptions import ClientError

    try:
        response = client.create_token(
            grantType=DEVICE_GRANT,
            clientId=registration["clientId"],
            clientSecret=registration["clientSecret"],
            deviceCode=authorization["deviceCode"],
        )
        return response, interval
    except ClientError as exc:
        code = error_code(exc)
        if code == "AuthorizationPendingException":
            return None, interval
        if code == "SlowDownException":
            return None, interval + SLOW_DOWN_SECONDS
        if code == "ExpiredTokenException":
            raise SsoError(
                f"logging in to {session.label} failed: the sign-in request expired before "
                "it was approved; run ssoenv login again"
            ) from None
        if code == "AccessDeniedException":
            raise SsoError(
                f"logging in to {session.label} failed: the sign-in was denied"
            ) from None
        raise
