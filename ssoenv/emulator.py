"""A local IAM Identity Center (sso-oidc + sso portal) that speaks botocore's wire protocol.

Tests and `ssoenv demo` point `AWS_ENDPOINT_URL_SSO_OIDC` and `AWS_ENDPOINT_URL_SSO` at it.
Only the standard library is used, so it also runs as `python -m ssoenv.emulator --port N`.
"""

import argparse
import base64
import collections
import hashlib
import json
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List, Optional
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

OIDC_NAMESPACE = "http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
PORTAL_NAMESPACE = "http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/"

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
AUTH_CODE_GRANT = "authorization_code"
REFRESH_GRANT = "refresh_token"

# Approval modes: how the (simulated) user answers a login.
APPROVAL_MODES = ("auto", "browser", "deny", "never")


class _ApiError(Exception):
    def __init__(self, status: int, code: str, description: str = "", portal: bool = False):
        super().__init__(code)
        self.status = status
        self.code = code
        self.description = description or code
        self.portal = portal


def _oidc_error(code: str, description: str = "", status: int = 400) -> _ApiError:
    if code == "InvalidClient":
        status = 401
    elif code == "InternalServer":
        status = 500
    return _ApiError(status, code, description)


def _portal_error(code: str, message: str, status: int) -> _ApiError:
    return _ApiError(status, code, message, portal=True)


def _snake(code: str) -> str:
    out = ""
    for i, ch in enumerate(code):
        if ch.isupper() and i:
            out += "_"
        out += ch.lower()
    return out


def _token(prefix: str, nbytes: int = 48) -> str:
    return prefix + secrets.token_urlsafe(nbytes)


def _upper_random(n: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return "".join(secrets.choice(alphabet) for _ in range(n))


def make_accounts(count: int, roles=("ReadOnly", "Admin")) -> List[dict]:
    """`count` accounts with 12-digit ids, each assigned `roles` (for pagination tests)."""
    return [
        {
            "accountId": f"{100000000000 + i:012d}",
            "accountName": f"account-{i:03d}",
            "emailAddress": f"aws+{i:03d}@example.com",
            "roles": list(roles),
        }
        for i in range(count)
    ]


DEFAULT_ACCOUNTS = [
    {
        "accountId": "111111111111",
        "accountName": "dev",
        "emailAddress": "dev@example.com",
        "roles": ["ReadOnly", "Admin"],
    },
    {
        "accountId": "222222222222",
        "accountName": "prod",
        "emailAddress": "prod@example.com",
        "roles": ["ReadOnly"],
    },
]


class Emulator:
    """An Identity Center on 127.0.0.1. Use as a context manager, or `.start()` / `.stop()`.

    Settings are plain attributes and may be changed while it runs (under `.lock` when
    it matters); `configure(**settings)` sets several at once."""

    def __init__(
        self,
        *,
        port: int = 0,
        accounts: Optional[List[dict]] = None,
        access_token_ttl: int = 8 * 3600,
        registration_ttl: int = 90 * 86400,
        role_credentials_ttl: int = 3600,
        device_code_ttl: int = 600,
        device_interval: int = 1,
        issue_refresh_tokens: bool = True,
        approval: str = "auto",
        page_size: int = 20,
        latency: float = 0.0,
        throttle: float = 0.0,
    ):
        self.port = port
        self.accounts = [dict(a) for a in (accounts if accounts is not None else DEFAULT_ACCOUNTS)]
        self.access_token_ttl = access_token_ttl
        self.registration_ttl = registration_ttl
        self.role_credentials_ttl = role_credentials_ttl
        self.device_code_ttl = device_code_ttl
        self.device_interval = device_interval
        self.issue_refresh_tokens = issue_refresh_tokens
        if approval not in APPROVAL_MODES:
            raise ValueError(f"approval must be one of {APPROVAL_MODES}")
        self.approval = approval
        self.page_size = page_size
        self.latency = latency
        # Portal calls (ListAccounts, ListAccountRoles, GetRoleCredentials, Logout) allowed
        # per second and per operation, as AWS's token bucket: a second's worth may come
        # at once, beyond that TooManyRequestsException (429). 0: no limit.
        self.throttle = throttle
        self._buckets: Dict[str, list] = {}

        self.lock = threading.RLock()
        self.clients: Dict[str, dict] = {}
        self.devices: Dict[str, dict] = {}
        self.user_codes: Dict[str, str] = {}
        self.auth_codes: Dict[str, dict] = {}
        self.access_tokens: Dict[str, dict] = {}
        self.refresh_tokens: Dict[str, dict] = {}
        self.issued_credentials: List[dict] = []
        self.calls: collections.Counter = collections.Counter()
        self.requests: List[str] = []
        # Fault injection.
        self._fail_next = 0
        self._fail_status = 500
        self._fail_operations: Optional[set] = None
        self._slow_down_next = 0
        # Open unless held: a held emulator answers nothing until released.
        self._gate = threading.Event()
        self._gate.set()

        self._server: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    # -- lifecycle ---------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "Emulator":
        handler = type("Handler", (_Handler,), {"emulator": self})
        server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        # Polled every 50 ms, so that stop() returns at once rather than half a second later.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="sso-emulator"
        )
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- configuration and faults --------------------------------------------------------
    _SETTINGS = (
        "access_token_ttl",
        "registration_ttl",
        "role_credentials_ttl",
        "device_code_ttl",
        "device_interval",
        "issue_refresh_tokens",
        "approval",
        "page_size",
        "latency",
        "throttle",
        "accounts",
    )

    def hold(self) -> None:
        """Answer no request until `release()` (each waits at most a minute): what a
        client does while the service has not answered yet."""
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    def configure(self, **settings) -> None:
        for key, value in settings.items():
            if key not in self._SETTINGS:
                raise ValueError(f"unknown emulator setting: {key}")
            if key == "approval" and value not in APPROVAL_MODES:
                raise ValueError(f"approval must be one of {APPROVAL_MODES}")
        with self.lock:
            for key, value in settings.items():
                setattr(self, key, value)

    def generate_accounts(self, count: int, roles=("ReadOnly", "Admin")) -> None:
        with self.lock:
            self.accounts = make_accounts(count, roles)

    def fail_next(self, count: int = 1, status: int = 500, operations=None) -> None:
        """The next `count` API requests (of `operations`, if given) answer `status`."""
        with self.lock:
            self._fail_next = count
            self._fail_status = status
            self._fail_operations = set(operations) if operations else None

    def slow_down_next(self, count: int = 1) -> None:
        """The next `count` device-code polls answer SlowDownException."""
        with self.lock:
            self._slow_down_next = count

    def revoke_refresh_tokens(self) -> None:
        with self.lock:
            for record in self.refresh_tokens.values():
                record["valid"] = False

    def expire_device_codes(self) -> None:
        with self.lock:
            for record in self.devices.values():
                record["expires"] = 0

    def expire_access_tokens(self) -> None:
        with self.lock:
            for record in self.access_tokens.values():
                record["expires"] = 0

    def approve_all(self) -> None:
        """Approve every pending device authorization, as if the user clicked 'Allow'."""
        with self.lock:
            for record in self.devices.values():
                if record["state"] == "pending":
                    record["state"] = "approved"

    def reset_counters(self) -> None:
        with self.lock:
            self.calls.clear()
            del self.requests[:]
            self._buckets.clear()

    @property
    def refresh_calls(self) -> int:
        """How many CreateToken calls used the refresh_token grant."""
        return self.calls["CreateToken:refresh_token"]

    def snapshot(self) -> dict:
        """Counters and settings as JSON-able data (no tokens or secrets)."""
        with self.lock:
            return {
                "url": self.url,
                "calls": dict(self.calls),
                "requests": list(self.requests),
                "refresh_calls": self.refresh_calls,
                "clients": len(self.clients),
                "live_access_tokens": sum(
                    1 for t in self.access_tokens.values() if t["expires"] > time.time()
                ),
                "settings": {k: getattr(self, k) for k in self._SETTINGS if k != "accounts"},
                "accounts": len(self.accounts),
            }

    # Methods a test in another process may call through POST /_emulator/<name>.
    _CONTROL = (
        "configure",
        "generate_accounts",
        "fail_next",
        "slow_down_next",
        "revoke_refresh_tokens",
        "expire_device_codes",
        "expire_access_tokens",
        "approve_all",
        "reset_counters",
    )

    # -- bookkeeping -----------------------------------------------------------------------
    def _record(self, operation: str) -> None:
        with self.lock:
            self.calls[operation] += 1
            self.requests.append(operation)

    def _maybe_throttle(self, operation: str) -> None:
        """Refuse a portal call beyond `throttle` calls per second of its operation; each
        refusal is counted as `<operation>:throttled`."""
        with self.lock:
            rate = float(self.throttle or 0)
            if rate <= 0 or operation not in _PORTAL_OPERATIONS:
                return
            now = time.monotonic()
            capacity = max(rate, 1.0)
            tokens, last = self._buckets.get(operation, (capacity, now))
            tokens = min(capacity, tokens + (now - last) * rate)
            if tokens < 1.0:
                self._buckets[operation] = [tokens, now]
                self.calls[operation + ":throttled"] += 1
                throttled = True
            else:
                self._buckets[operation] = [tokens - 1.0, now]
                throttled = False
        if throttled:
            raise _portal_error("TooManyRequestsException", "Rate exceeded", 429)

    def _maybe_fail(self, operation: str) -> None:
        with self.lock:
            if self._fail_next <= 0:
                return
            if self._fail_operations and operation.split(":")[0] not in self._fail_operations:
                return
            self._fail_next -= 1
            status = self._fail_status
        if status == 429:
            raise _portal_error("TooManyRequestsException", "Rate exceeded", 429)
        raise _ApiError(status, "InternalServer", "injected fault")

    def _issue_tokens(self, client_id: str) -> dict:
        client = self.clients[client_id]
        access = _token("aoa", 96)
        self.access_tokens[access] = {
            "expires": time.time() + self.access_token_ttl,
            "clientId": client_id,
        }
        result = {
            "accessToken": access,
            "tokenType": "Bearer",
            "expiresIn": int(self.access_token_ttl),
        }
        wants_refresh = bool(client["scopes"]) or REFRESH_GRANT in (client["grantTypes"] or ())
        if self.issue_refresh_tokens and wants_refresh:
            refresh = _token("aor", 96)
            self.refresh_tokens[refresh] = {"clientId": client_id, "valid": True}
            result["refreshToken"] = refresh
        return result

    def _client(self, body: dict) -> dict:
        client = self.clients.get(body.get("clientId") or "")
        if client is None or not secrets.compare_digest(
            client["secret"], str(body.get("clientSecret") or "")
        ):
            raise _oidc_error("InvalidClient", "Invalid client credentials")
        if client["expires"] <= time.time():
            raise _oidc_error("InvalidClient", "Client registration has expired")
        return client

    # -- sso-oidc ------------------------------------------------------------------------
    def register_client(self, body: dict) -> dict:
        if not body.get("clientName") or body.get("clientType") != "public":
            raise _oidc_error("InvalidRequest", "clientName and clientType=public are required")
        grant_types = body.get("grantTypes") or None
        if grant_types:
            unknown = set(grant_types) - {DEVICE_GRANT, AUTH_CODE_GRANT, REFRESH_GRANT}
            if unknown:
                raise _oidc_error("UnsupportedGrantType", "Unsupported grant types")
            if AUTH_CODE_GRANT in grant_types and not (
                body.get("redirectUris") and body.get("issuerUrl")
            ):
                raise _oidc_error("InvalidRequest", "redirectUris and issuerUrl are required")
        now = int(time.time())
        client_id = _token("", 16)
        secret = _token("", 96)
        with self.lock:
            self.clients[client_id] = {
                "secret": secret,
                "name": body["clientName"],
                "expires": now + self.registration_ttl,
                "scopes": list(body.get("scopes") or []),
                "grantTypes": list(grant_types) if grant_types else None,
                "redirectUris": list(body.get("redirectUris") or []),
                "issuerUrl": body.get("issuerUrl"),
            }
        return {
            "clientId": client_id,
            "clientSecret": secret,
            "clientIdIssuedAt": now,
            "clientSecretExpiresAt": now + int(self.registration_ttl),
        }

    def start_device_authorization(self, body: dict, base_url: str) -> dict:
        with self.lock:
            client = self._client(body)
            if client["grantTypes"] and DEVICE_GRANT not in client["grantTypes"]:
                raise _oidc_error("UnauthorizedClient", "Client is not allowed the device grant")
            if not body.get("startUrl"):
                raise _oidc_error("InvalidRequest", "startUrl is required")
            device_code = _token("", 48)
            user_code = f"{_upper_random(4)}-{_upper_random(4)}"
            self.devices[device_code] = {
                "clientId": body["clientId"],
                "userCode": user_code,
                "expires": time.time() + self.device_code_ttl,
                "state": "approved" if self.approval == "auto" else "pending",
            }
            self.user_codes[user_code] = device_code
        return {
            "deviceCode": device_code,
            "userCode": user_code,
            "verificationUri": base_url + "/device",
            "verificationUriComplete": base_url + "/device?user_code=" + user_code,
            "expiresIn": int(self.device_code_ttl),
            "interval": int(self.device_interval),
        }

    def create_token(self, body: dict) -> dict:
        grant = body.get("grantType")
        with self.lock:
            client = self._client(body)
            allowed = client["grantTypes"]
            if grant == DEVICE_GRANT:
                if allowed and DEVICE_GRANT not in allowed:
                    raise _oidc_error("UnauthorizedClient", "Client is not allowed this grant")
                return self._device_grant(body)
            if grant == AUTH_CODE_GRANT:
                if not allowed or AUTH_CODE_GRANT not in allowed:
                    raise _oidc_error("UnauthorizedClient", "Client is not allowed this grant")
                return self._auth_code_grant(body)
            if grant == REFRESH_GRANT:
                return self._refresh_grant(body)
        raise _oidc_error("UnsupportedGrantType", "Unsupported grant type")

    def _device_grant(self, body: dict) -> dict:
        record = self.devices.get(body.get("deviceCode") or "")
        if record is None or record["clientId"] != body["clientId"]:
            raise _oidc_error("InvalidGrant", "Invalid device code provided")
        if record["expires"] <= time.time():
            raise _oidc_error("ExpiredToken", "Device code has expired")
        if self._slow_down_next > 0:
            self._slow_down_next -= 1
            raise _oidc_error("SlowDown", "Client is polling too quickly")
        if record["state"] == "denied":
            raise _oidc_error("AccessDenied", "The user denied the authorization request")
        if record["state"] != "approved":
            raise _oidc_error("AuthorizationPending", "Authorization is still pending")
        del self.devices[body["deviceCode"]]
        self.user_codes.pop(record["userCode"], None)
        return self._issue_tokens(body["clientId"])

    def _auth_code_grant(self, body: dict) -> dict:
        for key in ("code", "redirectUri", "codeVerifier"):
            if not body.get(key):
                raise _oidc_error("InvalidRequest", f"{key} is required")
        record = self.auth_codes.pop(body["code"], None)
        if record is None or record["clientId"] != body["clientId"]:
            raise _oidc_error("InvalidGrant", "Invalid authorization code")
        if record["expires"] <= time.time():
            raise _oidc_error("InvalidGrant", "Authorization code has expired")
        if record["redirectUri"] != body["redirectUri"]:
            raise _oidc_error("InvalidGrant", "redirectUri does not match the authorization")
        digest = hashlib.sha256(body["codeVerifier"].encode("ascii", "replace")).digest()
        challenge = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
        if not secrets.compare_digest(challenge, record["codeChallenge"]):
            raise _oidc_error("InvalidGrant", "Code verifier does not match the challenge")
        return self._issue_tokens(body["clientId"])

    def _refresh_grant(self, body: dict) -> dict:
        token = body.get("refreshToken") or ""
        record = self.refresh_tokens.get(token)
        if record is None or not record["valid"] or record["clientId"] != body["clientId"]:
            raise _oidc_error("InvalidGrant", "Invalid refresh token provided")
        record["valid"] = False  # rotation: a refresh token works once
        return self._issue_tokens(body["clientId"])

    def authorize(self, query: dict) -> str:
        """The browser page of the authorization-code flow; returns where to redirect."""

        def one(name):
            values = query.get(name) or [""]
            return values[0]

        redirect_uri = one("redirect_uri")
        with self.lock:
            client = self.clients.get(one("client_id"))
            if (
                client is None
                or not client["grantTypes"]
                or AUTH_CODE_GRANT not in client["grantTypes"]
            ):
                raise _oidc_error("InvalidClient", "Unknown client")
            if not _loopback_redirect_allowed(redirect_uri, client["redirectUris"]):
                raise _oidc_error("InvalidRequest", "redirect_uri is not registered")
            if one("response_type") != "code" or one("code_challenge_method") != "S256":
                raise _oidc_error("InvalidRequest", "response_type=code and S256 are required")
            if not one("code_challenge") or not one("state"):
                raise _oidc_error("InvalidRequest", "code_challenge and state are required")
            if self.approval == "never":
                return ""
            params = {"state": one("state")}
            if self.approval == "deny":
                params["error"] = "access_denied"
                params["error_description"] = "The user denied the request"
            else:
                code = _token("", 32)
                self.auth_codes[code] = {
                    "clientId": one("client_id"),
                    "redirectUri": redirect_uri,
                    "codeChallenge": one("code_challenge"),
                    "expires": time.time() + 600,
                }
                params = {"code": code, "state": one("state")}
        parts = urlsplit(redirect_uri)
        query_string = (parts.query + "&" if parts.query else "") + urlencode(params)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query_string, ""))

    def verify_device(self, user_code: str) -> str:
        """The device verification page: a browser GET is the user's answer."""
        with self.lock:
            device_code = self.user_codes.get(user_code)
            record = self.devices.get(device_code) if device_code else None
            if record is None:
                return "unknown"
            if self.approval == "never":
                return "pending"
            if record["state"] == "pending":
                record["state"] = "denied" if self.approval == "deny" else "approved"
            return record["state"]

    # -- sso portal ------------------------------------------------------------------------
    def _bearer(self, headers) -> dict:
        token = headers.get("x-amz-sso_bearer_token") or ""
        with self.lock:
            record = self.access_tokens.get(token)
            if record is None or record["expires"] <= time.time():
                raise _portal_error(
                    "UnauthorizedException", "Session token not found or invalid", 401
                )
            return record

    def _page(self, items: list, query: dict, key: str) -> dict:
        try:
            limit = int((query.get("max_result") or [self.page_size])[0])
        except ValueError:
            raise _portal_error("InvalidRequestException", "Invalid max_result", 400) from None
        limit = max(1, min(limit, 100))
        next_token = (query.get("next_token") or [""])[0]
        start = 0
        if next_token:
            try:
                start = int(base64.urlsafe_b64decode(next_token.encode("ascii")).decode("ascii"))
            except ValueError:
                raise _portal_error("InvalidRequestException", "Invalid next_token", 400) from None
        result = {key: items[start : start + limit]}
        if start + limit < len(items):
            result["nextToken"] = base64.urlsafe_b64encode(str(start + limit).encode()).decode()
        return result

    def _account(self, account_id: str) -> dict:
        for account in self.accounts:
            if account["accountId"] == account_id:
                return account
        raise _portal_error("ResourceNotFoundException", "No access", 404)

    def list_accounts(self, headers, query) -> dict:
        self._bearer(headers)
        with self.lock:
            items = [
                {k: a[k] for k in ("accountId", "accountName", "emailAddress")}
                for a in self.accounts
            ]
        return self._page(items, query, "accountList")

    def list_account_roles(self, headers, query) -> dict:
        self._bearer(headers)
        with self.lock:
            account = self._account((query.get("account_id") or [""])[0])
            if account.get("accessRemoved"):
                # Access taken away between ListAccounts and this call, as happens mid-listing.
                raise _portal_error("ResourceNotFoundException", "No access", 404)
            items = [{"roleName": r, "accountId": account["accountId"]} for r in account["roles"]]
        return self._page(items, query, "roleList")

    def get_role_credentials(self, headers, query) -> dict:
        self._bearer(headers)
        account_id = (query.get("account_id") or [""])[0]
        role_name = (query.get("role_name") or [""])[0]
        with self.lock:
            account = self._account(account_id)
            if role_name not in account["roles"]:
                raise _portal_error("ResourceNotFoundException", "No access", 404)
            creds = {
                "accessKeyId": "ASIA" + _upper_random(16),
                "secretAccessKey": secrets.token_urlsafe(30),
                "sessionToken": _token("IQoJ", 120),
                "expiration": int((time.time() + self.role_credentials_ttl) * 1000),
            }
            self.issued_credentials.append(dict(creds, accountId=account_id, roleName=role_name))
        return {"roleCredentials": creds}

    def logout(self, headers) -> dict:
        token = headers.get("x-amz-sso_bearer_token") or ""
        self._bearer(headers)
        with self.lock:
            self.access_tokens.pop(token, None)
        return {}


def _loopback_redirect_allowed(redirect_uri: str, registered: List[str]) -> bool:
    # RFC 8252 7.3: for loopback redirects the port is not part of the match.
    try:
        asked = urlsplit(redirect_uri)
        for uri in registered:
            reg = urlsplit(uri)
            if (asked.scheme, asked.hostname, asked.path) == (reg.scheme, reg.hostname, reg.path):
                if reg.port is None or reg.port == asked.port:
                    return True
    except ValueError:
        return False
    return False


_PORTAL_OPERATIONS = ("ListAccounts", "ListAccountRoles", "GetRoleCredentials", "Logout")

_ROUTES = {
    ("POST", "/client/register"): "RegisterClient",
    ("POST", "/device_authorization"): "StartDeviceAuthorization",
    ("POST", "/token"): "CreateToken",
    ("GET", "/assignment/accounts"): "ListAccounts",
    ("GET", "/assignment/roles"): "ListAccountRoles",
    ("GET", "/federation/credentials"): "GetRoleCredentials",
    ("POST", "/logout"): "Logout",
    ("GET", "/authorize"): "Authorize",
    ("GET", "/device"): "VerifyDevice",
}


class _Handler(BaseHTTPRequestHandler):
    emulator: Emulator = None  # set on the per-server subclass
    server_version = "ssoenv-emulator"

    def log_message(self, format, *args):  # noqa: A002 - quiet by design
        pass

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def _base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return {}
        try:
            data = json.loads(raw)
        except ValueError:
            raise _oidc_error("InvalidRequest", "Body is not JSON") from None
        if not isinstance(data, dict):
            raise _oidc_error("InvalidRequest", "Body is not a JSON object")
        return data

    def _dispatch(self, method: str) -> None:
        emu = self.emulator
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        if parts.path.startswith("/_emulator/"):
            self._control(method, parts.path[len("/_emulator/") :])
            return
        operation = _ROUTES.get((method, parts.path))
        if operation is None:
            self._send_json(404, {"message": "Not found"})
            return
        try:
            body = self._body() if method == "POST" else {}
            name = operation
            if operation == "CreateToken":
                grant = body.get("grantType") or ""
                name = "CreateToken:" + {DEVICE_GRANT: "device_code"}.get(grant, grant)
            emu._record(name)
            emu._gate.wait(60)
            if emu.latency:
                time.sleep(emu.latency)
            if operation not in ("Authorize", "VerifyDevice"):
                emu._maybe_throttle(name)
                emu._maybe_fail(name)
            self._route(operation, body, query)
        except _ApiError as err:
            self._send_error(err)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _route(self, operation: str, body: dict, query: dict) -> None:
        emu = self.emulator
        if operation == "RegisterClient":
            self._send_json(200, emu.register_client(body))
        elif operation == "StartDeviceAuthorization":
            self._send_json(200, emu.start_device_authorization(body, self._base_url()))
        elif operation == "CreateToken":
            self._send_json(200, emu.create_token(body))
        elif operation == "ListAccounts":
            self._send_json(200, emu.list_accounts(self.headers, query))
        elif operation == "ListAccountRoles":
            self._send_json(200, emu.list_account_roles(self.headers, query))
        elif operation == "GetRoleCredentials":
            self._send_json(200, emu.get_role_credentials(self.headers, query))
        elif operation == "Logout":
            emu.logout(self.headers)
            self._send(200, b"", "application/json")
        elif operation == "Authorize":
            location = emu.authorize(query)
            if not location:
                self._send_html(200, "Waiting for you to approve this request.")
                return
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif operation == "VerifyDevice":
            state = emu.verify_device((query.get("user_code") or [""])[0])
            self._send_html(200 if state != "unknown" else 404, f"Request {state}.")

    def _control(self, method: str, name: str) -> None:
        emu = self.emulator
        try:
            if method == "GET" and name == "state":
                self._send_json(200, emu.snapshot())
                return
            if method != "POST" or name not in Emulator._CONTROL:
                self._send_json(404, {"message": f"unknown control {name}"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            kwargs = json.loads(self.rfile.read(length) or b"{}") if length else {}
            getattr(emu, name)(**kwargs)
            self._send_json(200, emu.snapshot())
        except (TypeError, ValueError) as err:
            self._send_json(400, {"message": str(err)})

    def _send_error(self, err: _ApiError) -> None:
        if err.portal:
            namespace = PORTAL_NAMESPACE
            code = err.code
            payload = {"message": err.description}
        else:
            namespace = OIDC_NAMESPACE
            code = err.code + "Exception"
            payload = {"error": _snake(err.code), "error_description": err.description}
        data = json.dumps(payload).encode()
        self.send_response(err.status)
        self.send_header("x-amzn-ErrorType", f"{code}:{namespace}")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_json(self, status: int, payload: dict) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _send_html(self, status: int, text: str) -> None:
        page = f"<!doctype html><title>IAM Identity Center</title><p>{text}</p>"
        self._send(status, page.encode(), "text/html; charset=utf-8")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ssoenv.emulator", description="A local IAM Identity Center for testing."
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: pick one)")
    parser.add_argument("--accounts", type=int, default=0, help="generate this many accounts")
    parser.add_argument("--approval", choices=APPROVAL_MODES, default="auto")
    parser.add_argument("--access-token-ttl", type=int, default=8 * 3600)
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds every request takes (0.06: 60 ms)"
    )
    parser.add_argument(
        "--throttle",
        type=float,
        default=0.0,
        help="portal calls per second per operation before TooManyRequestsException (0: none)",
    )
    args = parser.parse_args(argv)
    emulator = Emulator(
        port=args.port,
        accounts=make_accounts(args.accounts) if args.accounts else None,
        approval=args.approval,
        access_token_ttl=args.access_token_ttl,
        latency=args.latency,
        throttle=args.throttle,
    )
    emulator.start()
    print(emulator.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
