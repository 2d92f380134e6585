"""`ssoenv console`: an AWS console sign-in URL from a profile's role credentials, through
the federation endpoint, or the access portal's shortcut link; and a graphical browser to
open it in (one per profile if asked)."""

import json
import os
import re
import shlex
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Optional

from ssoenv.base import browserpage, paths
from ssoenv.base.errors import SsoenvError, UsageError
from ssoenv.sso.credentials import RoleCredentials

FEDERATION_ENDPOINTS = {
    "aws": "https://signin.aws.amazon.com/federation",
    "aws-us-gov": "https://signin.amazonaws-us-gov.com/federation",
    "aws-cn": "https://signin.amazonaws.cn/federation",
}
CONSOLES = {
    "aws": "https://console.aws.amazon.com",
    "aws-us-gov": "https://console.amazonaws-us-gov.com",
    "aws-cn": "https://console.amazonaws.cn",
}
FEDERATION_URL_VARIABLE = "SSOENV_FEDERATION_URL"
ISSUER = "ssoenv"
# The federation endpoint takes console sessions of 15 minutes to 12 hours.
MIN_DURATION, MAX_DURATION = 15 * 60, 12 * 3600
TIMEOUT_SECONDS = 15
# A sign-in URL must never end up in a terminal browser (nor in its history and logs).
TEXT_BROWSERS = frozenset(
    ("lynx", "w3m", "links", "links2", "elinks", "www-browser", "browsh", "netrik", "edbrowse")
)
SERVICE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")


# -- the URL ----------------------------------------------------------------------------------
def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def federation_endpoint(region: str, env=None) -> str:
    env = os.environ if env is None else env
    return env.get(FEDERATION_URL_VARIABLE) or FEDERATION_ENDPOINTS[partition(region)]


def check_service(service: Optional[str]) -> None:
    if service is not None and not SERVICE.match(service):
        raise UsageError(
            "--service %s: expected a console name such as s3, ec2 or cloudformation" % service
        )


def check_region(region: Optional[str], source: Optional[str] = None) -> None:
    """`source` names where a region that is not from --region came from."""
    if region is not None and not REGION.match(region):
        if source:
            raise UsageError(
                "the region %s of %s is not a region name such as eu-west-1" % (region, source)
            )
        raise UsageError("--region %s: expected a region such as eu-west-1" % region)


def destination(service: Optional[str], region: Optional[str], part: str) -> str:
    """The console page to land on: the service's (default: the console home), in the region."""
    url = "%s/%s/home" % (CONSOLES[part], service or "console")
    return url + ("?region=" + region if region else "")


def portal_url(
    start_url: str,
    account_id: str,
    role_name: str,
    service: Optional[str],
    region: Optional[str],
    partition_region: Optional[str] = None,
) -> str:
    """The access portal's shortcut link to the console as `role_name` in `account_id`:
    `<start URL>/#/console?account_id=…&role_name=…&destination=<console URL>`. The browser's
    own portal sign-in opens it; no key or token is in it."""
    base = start_url.strip()
    while base and base[-1] in "/#":
        base = base[:-1]
    part = partition(region or partition_region or "")
    query = urllib.parse.urlencode(
        {
            "account_id": account_id,
            "role_name": role_name,
            "destination": destination(service, region, part),
        }
    )
    return base + "/#/console?" + query


def parse_duration(text: str) -> int:
    """Seconds from `3600`, `90m`, `2h` or `1h30m`, between 15 minutes and 12 hours."""
    found = re.fullmatch(r"\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s?)?\s*", text or "")
    if not text or not text.strip() or not found or not any(found.groups()):
        raise UsageError("--duration %s: expected seconds or a time like 90m, 2h, 1h30m" % text)
    hours, minutes, seconds = (int(g) if g else 0 for g in found.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if not MIN_DURATION <= total <= MAX_DURATION:
        raise UsageError("--duration %s: a console session lasts from 15m to 12h" % text)
    return total


def signin_token(endpoint: str, creds: RoleCredentials, duration: Optional[int] = None) -> str:
    """The federation endpoint's getSigninToken for these credentials."""
    session = json.dumps(
        {
            "sessionId": creds.access_key_id,
            "sessionKey": creds.secret_access_key,
            "sessionToken": creds.session_token,
        }
    )
    params = {"Action": "getSigninToken"}
    if duration:
        params["SessionDuration"] = str(duration)
    params["Session"] = session
    url = endpoint + ("&" if "?" in endpoint else "?") + urllib.parse.urlencode(params)
    # Never name the request's URL in a message: it holds the keys.
    action = "getting a console sign-in token from %s" % endpoint
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            body = response.read(1 << 20)
    except urllib.error.HTTPError as e:
        raise SsoenvError("%s failed: HTTP %d %s" % (action, e.code, e.reason)) from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", None) or e
        raise SsoenvError("%s failed: %s" % (action, reason)) from None
    try:
        token = json.loads(body)["SigninToken"]
        if not isinstance(token, str) or not token:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise SsoenvError("%s failed: the answer holds no SigninToken" % action) from None
    return token


def login_url(endpoint: str, token: str, dest: str) -> str:
    params = {"Action": "login", "Issuer": ISSUER, "Destination": dest, "SigninToken": token}
    return endpoint + ("&" if "?" in endpoint else "?") + urllib.parse.urlencode(params)


def sign_in_url(
    creds: RoleCredentials,
    *,
    region: Optional[str],
    partition_region: str,
    service: Optional[str] = None,
    duration: Optional[int] = None,
    env=None,
) -> str:
    """The console sign-in URL for `creds`, landing on `service` in `region`.
    `partition_region` (the region, else the sign-in's) picks the partition."""
    part_region = region or partition_region
    endpoint = federation_endpoint(part_region, env)
    token = signin_token(endpoint, creds, duration)
    return login_url(endpoint, token, destination(service, region, partition(part_region)))


# -- the browser ------------------------------------------------------------------------------
def _argv(entry: str) -> list:
    try:
        args = shlex.split(entry)
    except ValueError:
        args = []
    if not args:
        raise SsoenvError("cannot parse the browser command %r" % entry)
    return args


def _command(entry: str, url: str) -> list:
    """A BROWSER-style entry as argv: `%s` stands for the URL, else it is appended."""
    args = _argv(entry)
    if any("%s" in a for a in args):
        return [a.replace("%s", url) for a in args]
    return args + [url]


def is_text_browser(entry: str) -> bool:
    try:
        first = shlex.split(entry)[0]
    except (ValueError, IndexError):
        return False
    return os.path.basename(first) in TEXT_BROWSERS


def browser_kind(entry: str) -> Optional[str]:
    """The kind of browser ssoenv can keep one per profile in: "firefox", "chromium" or None."""
    try:
        name = os.path.basename(shlex.split(entry)[0]).lower()
    except (ValueError, IndexError):
        return None
    if "firefox" in name or "librewolf" in name:
        return "firefox"
    if any(n in name for n in ("chrom", "brave", "msedge", "microsoft-edge", "vivaldi")):
        return "chromium"
    return None


def _launch(argv: list) -> bool:
    try:
        subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError:
        return False
    return True


def container_url(url: str, profile: str) -> str:
    """The URL the "Open external links in a container" Firefox extension opens in the
    container named after the profile."""
    return "ext+container:" + urllib.parse.urlencode({"name": profile, "url": url})


def profile_browser_dir(profile: str) -> str:
    """A Chromium user-data directory of the profile's own, private to the user."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", profile)
    if safe != profile or safe in (".", ".."):
        from hashlib import sha256

        safe = "%s-%s" % (safe.strip("."), sha256(profile.encode()).hexdigest()[:8])
    base = paths.ensure_private_dir(os.path.join(paths.data_dir(), "browsers"))
    return paths.ensure_private_dir(os.path.join(base, safe))


def isolated_command(entry: str, url: str, profile: str) -> list:
    kind = browser_kind(entry)
    if kind == "firefox":
        return _command(entry, container_url(url, profile))
    if kind == "chromium":
        flags = [
            "--user-data-dir=" + profile_browser_dir(profile),
            "--no-first-run",
            "--no-default-browser-check",
        ]
        return [a for a in _argv(entry) if a != "%s"] + flags + [url]
    raise SsoenvError(
        "cannot keep profiles apart in %s: that works with Firefox (with the extension "
        '"Open external links in a container") or a Chromium-based browser; '
        "set console_browser in %s" % (entry, paths.display(paths.user_config_file()))
    )


def open_url(
    url: str,
    profile: str,
    *,
    isolate: bool = False,
    browser: Optional[str] = None,
    env=None,
    secret: bool = True,
) -> str:
    """Open the sign-in URL in a graphical browser: `browser` (the console_browser setting),
    else each BROWSER entry, else the system's opener; never a text browser. The browser is
    given a private local page that sends it on (browserpage), never a `secret` URL itself,
    which holds the sign-in token: every local user can read a command line. Returns what
    opened it; raises SsoenvError when nothing could."""
    env = os.environ if env is None else env
    entries = [browser] if browser else [e for e in env.get("BROWSER", "").split(os.pathsep) if e]
    refused = [e for e in entries if is_text_browser(e)]
    entries = [e for e in entries if not is_text_browser(e)]
    if isolate and not entries:
        raise SsoenvError(
            "keeping profiles apart needs a browser: set console_browser (firefox, chromium "
            "or google-chrome) in %s" % paths.display(paths.user_config_file())
        )
    if isolate and browser_kind(entries[0]) == "firefox":
        # The container extension opens only web pages, so it gets the URL itself.
        argv = isolated_command(entries[0], url, profile)
        if _launch(argv):
            return argv[0]
        raise SsoenvError("cannot run the browser %s" % argv[0])
    if not secret:
        return _open_page(url, profile, entries, refused, isolate, env)
    page = browserpage.Page(url)
    opened = None
    try:
        opened = _open_page(page.url, profile, entries, refused, isolate, env)
        return opened
    finally:
        if opened:
            page.remove_later()  # ssoenv ends now; the browser may take a while to start
        else:
            page.remove()


def _open_page(url: str, profile: str, entries, refused, isolate: bool, env) -> str:
    if isolate:
        argv = isolated_command(entries[0], url, profile)
        if _launch(argv):
            return argv[0]
        raise SsoenvError("cannot run the browser %s" % argv[0])
    for entry in entries:
        argv = _command(entry, url)
        if _launch(argv):
            return argv[0]
    if not entries and not refused:
        opened = _system_open(url, env)
        if opened:
            return opened
    why = "text browsers are never used for it; " if refused else ""
    raise SsoenvError(
        "no graphical browser to open the console in (%sset BROWSER), "
        "or print the URL: ssoenv console --print" % why
    )


def _system_open(url: str, env) -> Optional[str]:
    if sys.platform == "darwin":
        return "open" if _launch(["open", url]) else None
    if sys.platform.startswith("win"):
        try:
            os.startfile(url)  # noqa: S606 - the user's default browser
        except OSError:
            return None
        return "the default browser"
    # Without a display, xdg-open would fall back to a text browser.
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        return None
    import shutil

    for argv in (["xdg-open"], ["gio", "open"]):
        if shutil.which(argv[0]) and _launch(argv + [url]):
            return argv[0]
    return None
