"""`ssoenv status` and `ssoenv profiles`: what applies here, and every profile."""

import os
import time

from ssoenv.aws import awsconfig, profiles
from ssoenv.base import conditions, paths
from ssoenv.base.errors import SsoenvError
from ssoenv.commands import approval
from ssoenv.prompt import envdiff, envrule, export, here, locate, userconfig
from ssoenv.sso import cache as token_cache
from ssoenv.sso.clients import LOGIN_AGAIN


def relative(seconds: float) -> str:
    """`in 3h 12m` / `5m ago`."""
    future = seconds >= 0
    s = int(abs(seconds))
    if s < 60:
        text = "%ds" % s
    elif s < 3600:
        text = "%dm" % (s // 60)
    elif s < 86400:
        text = "%dh %dm" % (s // 3600, s % 3600 // 60)
    else:
        text = "%dd %dh" % (s // 86400, s % 86400 // 3600)
    return "in " + text if future else text + " ago"


def token_info(session_name, start_url) -> dict:
    path = token_cache.token_cache_path(session_name, start_url)
    token = token_cache.read_token(path)
    state = token_cache.token_status(token)
    info = {"state": state, "cache_file": paths.display(path)}
    if token is None:
        info["level"], info["words"] = conditions.token_condition(state)
    else:
        from ssoenv.sso import refresh  # start-up: subprocess, when there is a token

        info["expires_at"] = token["expiresAt"]
        info["expires_in"] = relative(token["_expires_epoch"] - time.time())
        failure = refresh.renewal_failure(session_name, start_url)
        info["renewal_failed"] = failure
        # Legacy (start URL) logins are never renewed, refresh token or not.
        info["refreshable"] = bool(
            session_name
            and token.get("refreshToken")
            and not (failure and refresh.needs_login(failure))
        )
        info["level"], info["words"] = conditions.token_condition(
            state,
            token["_expires_epoch"],
            refreshable=info["refreshable"],
            renewable_until=token.get("registrationExpiresAt") if info["refreshable"] else None,
            failure=why(failure) if failure else None,
            failure_needs_login=bool(failure and refresh.needs_login(failure)),
        )
    return info


def why(failure: str) -> str:
    """The reason in a recorded renewal failure, without its action and its advice."""

    reason = failure.split(" failed: ", 1)[-1]
    if reason.endswith("; " + LOGIN_AGAIN):
        reason = reason[: -len("; " + LOGIN_AGAIN)]
    return reason


def check() -> bool:
    """`status --check`: whether the session `ssoenv login` would sign in to is logged in."""

    session = here.resolve(awsconfig.load())
    return logged_in(token_info(session.name, session.start_url))


def logged_in(token) -> bool:
    """For `status --check`: a login that works now, or that renews without a sign-in."""
    if not token or token["state"] == "missing":
        return False
    return token["state"] != "expired" or token["refreshable"]


def masked(name: str, value):
    """A value as status shows it: "(secret)" for a secret (`envrule.secret`)."""
    return "(secret)" if value is not None and envrule.secret(name, value) else value


def hook_runs_here(env, parent_pid=None) -> bool:
    """The hook exports SSOENV_HOOK="<shell> <pid>": it runs in the shell that started us
    when that pid is our parent's (a subshell or a new shell inherits the variable only)."""
    parent_pid = os.getppid() if parent_pid is None else parent_pid
    parts = env.get("SSOENV_HOOK", "").split()
    return len(parts) == 2 and parts[1] == str(parent_pid)


def collect(env=None, parent_pid=None) -> dict:
    env = os.environ if env is None else env
    settings, _ = userconfig.load_or_defaults()
    out = export.evaluate(env, settings)
    info = {
        "file": out.file,
        "trust": out.trust,
        "errors": out.errors + out.notices + out.warnings,
        "warnings": list(out.warnings),  # those of the errors that are warnings
        "profile": None,
        "session": None,
        "token": None,
        # Masked as `applied` is: a secret is never shown, whether set yet or not.
        "wanted": {name: masked(name, value) for name, value in out.wanted.items()},
        "applied": {},
        "changed": {},
        "applied_file": env.get(export.FILE) or None,
        "hook_active": export.FILE in env or hook_runs_here(env, parent_pid),
    }
    # What the shell holds, not what the record says ssoenv set: a value changed by hand
    # since is shown as such.
    for name, (old, new) in envdiff.decode(env.get(export.DIFF)).items():
        held = env.get(name)
        if old is None and new is None and held is None:
            continue  # kept unset, as it was: nothing to say
        shown = masked(name, held)
        if envdiff.recorded(name, held) == new:
            info["applied"][name] = shown
        else:
            info["changed"][name] = shown
    if out.dotfile and out.dotfile.get("credentials") and env.get(export.FILE) == out.file:
        named, var = profiles.profile_in_effect(env)
        if named != out.wanted.get("AWS_PROFILE"):
            info["keys"] = (
                "none: %s=%s is not the project's profile %s; to get them back, cd into the "
                "project again"
                % (var or "AWS_PROFILE", named or "(unset)", out.wanted.get("AWS_PROFILE"))
            )
    disagreement = conditions.profile_disagreement(env)
    if disagreement:
        level, words = disagreement
        info["errors"].append(words)
        if level == conditions.WARNING:
            info["warnings"].append(words)
    if out.file is not None and out.trust is None:
        # Readable but not valid YAML or keys: "invalid", with the error among the problems.

        try:
            locate.read_bytes(out.file)
            info["trust"] = "invalid"
        except SsoenvError:
            info["trust"] = "unreadable"
    if out.profile:
        p = out.profile
        info["profile"] = p["name"]
        info["kind"] = p["kind"]
        info["session"] = p["sso_session"]
        if p.get("via"):
            info["via"] = p["via"]
        if p.get("hops"):
            info["profile_words"] = approval.profile_words(p)
            info["chain"] = approval.chain_lines(p)
        if p["sso_session"] or p["start_url"]:
            info["token"] = token_info(p["sso_session"], p["start_url"])
    return info


def render(info: dict) -> str:
    lines = []
    if info["file"] is None:
        lines.append("file:     none here or above")
    else:
        lines.append(
            "file:     %s (%s)" % (paths.display(info["file"]), info["trust"] or "unreadable")
        )
    if info.get("chain"):
        lines.append("profile:  %s" % info["profile_words"])
        lines.extend("chain:    %s" % line for line in info["chain"])
    elif info["profile"]:
        lines.append("profile:  %s (%s)" % (info["profile"], info["kind"]))
        if info.get("via"):
            lines.append("via:      %s" % " -> ".join(info["via"]))
    if info["session"]:
        lines.append("session:  %s" % info["session"])
    token = info["token"]
    if token:
        lines.append("token:    %s" % token["words"])
    if info["applied"]:
        lines.append(
            "applied:  "
            + ", ".join(
                "%s=%s" % (name, "(unset)" if value is None else value)
                for name, value in sorted(info["applied"].items())
            )
        )
    elif info["hook_active"]:
        lines.append("applied:  nothing")
    else:
        lines.append("applied:  nothing (the hook is not active in this shell)")
    if info["changed"]:
        lines.append(
            "changed:  "
            + ", ".join(
                "%s=%s" % (name, "(unset)" if value is None else value)
                for name, value in sorted(info["changed"].items())
            )
            + " (by hand since ssoenv set it; kept when you leave)"
        )
    if info.get("keys"):
        lines.append("keys:     %s" % info["keys"])
    for text in info["errors"]:
        level = conditions.WARNING if text in info["warnings"] else conditions.PROBLEM
        lines.append("%-9s %s" % (level + ":", text))
    return "\n".join(lines)


def profile_rows() -> list:
    config = awsconfig.load()
    rows = []
    for p in config.profiles.values():
        row = {
            "name": p.name,
            "kind": p.kind,
            "sso_session": p.sso_session,
            "account": p.account_id,
            "role": p.role_name,
            "region": p.region,
        }
        if not p.is_sso:
            row.update(_chain_columns(config, p))
        rows.append(row)
    return rows


def _chain_columns(config, p) -> dict:
    """A role chain on an SSO login shows the session it signs in with and the account and
    role it ends in (the last hop's role ARN)."""

    try:
        chain = awsconfig.sso_chain(config, p.name)
    except SsoenvError:
        return {}
    if chain is None:
        return {}
    out = {"sso_session": chain.root.sso_session}
    if chain.hops:
        # arn:PARTITION:iam::ACCOUNT:role/PATH/NAME
        parts = chain.hops[-1].role_arn.split(":", 5)
        if len(parts) == 6 and parts[5].startswith("role/"):
            out["account"] = parts[4]
            out["role"] = parts[5].rsplit("/", 1)[1]
    else:
        out.update(account=chain.root.account_id, role=chain.root.role_name)
    return out


def table(rows: list) -> str:
    columns = ("name", "kind", "sso_session", "account", "role", "region")
    headers = ("PROFILE", "KIND", "SESSION", "ACCOUNT", "ROLE", "REGION")
    cells = [headers] + [tuple([r[c] or "-" for c in columns]) for r in rows]
    widths = [max(map(len, column)) for column in zip(*cells)]
    # Each cell left-justified to its column's width, as str.ljust pads: one format for a
    # row, so thousands of profiles list fast.
    line = "  ".join("%%-%ds" % w for w in widths)
    return "\n".join((line % row).rstrip() for row in cells)
