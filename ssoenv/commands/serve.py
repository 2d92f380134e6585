"""`ssoenv exec --serve`: run a command with a credential endpoint instead of keys, for as
long as the command runs, and end with the command's exit status."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from typing import Optional, Tuple

from ssoenv.aws import awsconfig
from ssoenv.base import paths
from ssoenv.base.errors import SsoenvError, UsageError
from ssoenv.sso import rolecredentials
from ssoenv.sso.server import CredentialServer

FULL_URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
AUTH_TOKEN = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
# What would win over the endpoint in an SDK's credential chain, or point it elsewhere.
REMOVED = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_SESSION_NAME",
    "AWS_CREDENTIAL_FILE",
)
# Without a profile named, botocore takes [default] of the config and credentials files,
# then ~/.boto (or BOTO_CONFIG), all before the endpoint: the command reads private files
# instead, which hold no credentials.
PRIVATE_FILES = {
    "AWS_CONFIG_FILE": "config",
    "AWS_SHARED_CREDENTIALS_FILE": "credentials",
    "BOTO_CONFIG": "credentials",
}
# Client settings the command keeps in its [default], the served profile's over the user's
# [default]'s: none of them is, or leads to, a credential.
CARRIED_SETTINGS = (
    "region",
    "ca_bundle",
    "output",
    "retry_mode",
    "max_attempts",
    "defaults_mode",
    "sts_regional_endpoints",
    "use_fips_endpoint",
    "use_dualstack_endpoint",
    "parameter_validation",
    "tcp_keepalive",
    "cli_pager",
    "cli_binary_format",
    "cli_timestamp_format",
)


def parse_listen(text: Optional[str]) -> Tuple[str, int]:
    """(host, port) of `--listen ADDR:PORT` (`[::1]:PORT` for IPv6); 127.0.0.1 and a free
    port without it."""
    if not text:
        return "127.0.0.1", 0
    host, sep, port_text = text.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not sep or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise UsageError(
            "--listen %s: expected ADDR:PORT with a port from 1 to 65535, e.g. 127.0.0.1:9911"
            % text
        )
    import ipaddress

    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise UsageError(
            "--listen %s: %s is not an IP address; give one, e.g. 0.0.0.0:%s"
            % (text, host, port_text)
        ) from None
    return host, int(port_text)


def endpoint_url(host: str, port: int) -> str:
    """The URL the command reaches the endpoint at: on this machine, an address that
    listens on every interface is reached through the loopback."""
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return "http://%s:%d/" % ("[%s]" % host if ":" in host else host, port)


def default_section(config, profile: str) -> str:
    """The [default] the command's config file holds: the carried settings only."""
    values = {}
    for name in ("default", profile):
        held = config.profiles.get(name)
        for key in CARRIED_SETTINGS:
            value = held.values.get(key) if held is not None else None
            if isinstance(value, str) and value and "\n" not in value:
                values[key] = value
    return "[default]\n" + "".join("%s = %s\n" % item for item in values.items())


def write_private_files(directory: str, config, profile: str) -> dict:
    """Write the command's AWS files into `directory` (made 0700 by the caller), each 0600;
    {variable: path}."""
    texts = {"config": default_section(config, profile), "credentials": ""}
    for name, text in texts.items():
        path = os.path.join(directory, name)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as e:
            raise SsoenvError(
                "cannot write %s: %s" % (paths.display(path), e.strerror or e)
            ) from None
    return {var: os.path.join(directory, name) for var, name in PRIVATE_FILES.items()}


def command_environment(
    env: dict, url: str, token: str, region: Optional[str], files: Optional[dict] = None
) -> dict:
    env = {k: v for k, v in env.items() if k not in REMOVED}
    env.update(files or {})
    env[FULL_URI] = url
    env[AUTH_TOKEN] = token
    # Without AWS_PROFILE the SDKs no longer read the profile's region: pass it on.
    if region and not env.get("AWS_REGION"):
        env["AWS_REGION"] = region
    if region and not env.get("AWS_DEFAULT_REGION"):
        env["AWS_DEFAULT_REGION"] = env["AWS_REGION"]
    return env


def run(command, env: dict, profile: str, listen: Optional[str] = None) -> int:
    """Serve `profile`'s role credentials while `command` runs with `env`; its status."""

    host, port = parse_listen(listen)
    source, keep_signed_in = rolecredentials.for_profile(profile, ask_first=sys.stdin.isatty())
    config = awsconfig.load()
    region = config.profile(profile).region
    server = CredentialServer(
        source, host=host, port=port, keep_signed_in=keep_signed_in, err=sys.stderr
    )
    server.current()  # a problem is one line before the command starts, not inside it
    server.start()
    try:
        url = endpoint_url(*server.address)
        if listen:
            sys.stderr.write(
                "ssoenv: serving the role credentials of profile %s on %s\n" % (profile, url)
            )
            sys.stderr.flush()
        private = _private_dir()
        try:
            files = write_private_files(private, config, profile)
            return _run_child(command, command_environment(env, url, server.token, region, files))
        finally:
            shutil.rmtree(private, ignore_errors=True)
    finally:
        server.stop()


def _private_dir() -> str:
    """A fresh 0700 directory for the command's AWS files; one line when there is none."""
    try:
        return tempfile.mkdtemp(prefix="ssoenv-exec-")
    except OSError as e:
        where = paths.display(paths.os_filename(e, tempfile.gettempdir()))
        raise SsoenvError("cannot make a directory in %s: %s" % (where, e.strerror or e)) from None


def _run_child(command, env: dict) -> int:
    try:
        child = subprocess.Popen(list(command), env=env)
    except FileNotFoundError:
        raise _exec_error("%s: command not found" % command[0], 127) from None
    except PermissionError:
        raise _exec_error("%s: permission denied" % command[0], 126) from None
    except OSError as e:
        raise _exec_error("%s: %s" % (command[0], e.strerror or e), 126) from None

    # The terminal sends Ctrl-C to the command too: it decides; other signals that would
    # end ssoenv are passed on, so the command never outlives its endpoint unknowingly.
    def forward(signum, frame):
        try:
            child.send_signal(signum)
        except OSError:
            pass

    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        previous[signum] = signal.signal(
            signum, signal.SIG_IGN if signum == signal.SIGINT else forward
        )
    try:
        status = child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return status if status >= 0 else 128 - status


def _exec_error(message: str, code: int) -> SsoenvError:
    err = SsoenvError(message)
    err.exit_code = code
    return err
