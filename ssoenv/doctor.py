"""`ssoenv doctor`: the AWS files, the environment, the hook, the .ssoenv here and the logins."""

import dataclasses
import os
import time
from typing import List, Mapping, Optional

from ssoenv.doctor_checks import ERROR, WARNING, Finding, mask_key_id

OK = "ok"  # a line of information, not a problem


@dataclasses.dataclass
class Report:
    findings: List[Finding] = dataclasses.field(default_factory=list)

    @property
    def problems(self) -> List[Finding]:
        return [f for f in self.findings if f.severity in (ERROR, WARNING)]

    def lines(self) -> List[str]:
        out = [f"{f.severity}: {f}" for f in self.findings]
        if not self.problems:
            out.append("ssoenv doctor: no problems found")
        else:
            n = len(self.problems)
            out.append(f"ssoenv doctor: {n} problem{'s' if n != 1 else ''} found")
        return out


def _read(path: str, findings: List[Finding]) -> Optional[str]:
    from ssoenv import paths

    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return None
    except OSError as e:
        findings.append(
            Finding(ERROR, "unreadable", paths.display(path), f"cannot read it: {e.strerror}")
        )
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        findings.append(
            Finding(ERROR, "not-utf8", paths.display(path), "not UTF-8 text; save it as UTF-8")
        )
        return None


def check_environment(env: Mapping[str, str]) -> List[Finding]:
    out = []
    key = env.get("AWS_ACCESS_KEY_ID")
    if key:
        out.append(
            Finding(
                WARNING,
                "env-keys",
                "environment",
                f"AWS_ACCESS_KEY_ID ({mask_key_id(key)}) is set: it overrides every profile, "
                "AWS_PROFILE and .ssoenv included; run: unset AWS_ACCESS_KEY_ID "
                "AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN",
            )
        )
    return out


def check_hook(env: Mapping[str, str], parent_pid: Optional[int] = None) -> List[Finding]:
    """The hook exports SSOENV_HOOK="<shell> <pid>"; it runs in this shell when that pid is
    the process that started us."""
    parent_pid = os.getppid() if parent_pid is None else parent_pid
    value = env.get("SSOENV_HOOK", "")
    parts = value.split()
    shell = parts[0] if parts else os.path.basename(env.get("SHELL", "")) or "bash"
    if len(parts) == 2 and parts[1] == str(parent_pid):
        return []
    if shell == "fish":
        fix = "add `status is-interactive; and ssoenv hook fish | source` to config.fish"
    elif shell == "zsh":
        fix = 'add `eval "$(ssoenv hook zsh)"` to ~/.zshrc'
    else:
        fix = 'add `eval "$(ssoenv hook bash)"` to ~/.bashrc'
    why = (
        "only a parent shell has it (a subshell or a new terminal does not)"
        if value
        else "cd does not switch profiles"
    )
    return [
        Finding(
            WARNING,
            "no-hook",
            "shell",
            f"the ssoenv hook is not installed in this shell ({why}); {fix}, then open a new shell",
        )
    ]


def check_dotfile(env: Mapping[str, str]) -> List[Finding]:
    from ssoenv import export, paths, trust, userconfig
    from ssoenv.errors import SsoenvError

    try:
        settings = userconfig.load()
    except SsoenvError as e:
        return [Finding(ERROR, "user-config", paths.display(paths.user_config_file()), str(e))]
    outcome = export.evaluate(env, settings)
    where = paths.display(outcome.file) if outcome.file else ".ssoenv"
    out = []
    for note in outcome.notices:
        if outcome.trust == trust.DENIED:
            message = "denied, so it is not applied; to use it, run: ssoenv allow"
            out.append(Finding(WARNING, "denied", where, message))
        elif outcome.trust == trust.UNKNOWN:
            message = "not allowed, so it is not applied; review it, then run: ssoenv allow"
            out.append(Finding(WARNING, "not-allowed", where, message))
        else:
            out.append(Finding(OK, "dotfile-note", where, note))
    for error in outcome.errors:
        out.append(Finding(ERROR, "dotfile", where, error))
    return out


def check_tokens(config_text: Optional[str], now: Optional[float] = None) -> List[Finding]:
    """One line per sso-session (and legacy start URL) on its cached login."""
    from ssoenv.configedit import ConfigDocument
    from ssoenv.sso import cache

    if not config_text:
        return []
    now = time.time() if now is None else now
    doc = ConfigDocument(config_text)
    targets = []
    for s in doc.iter_sections("sso-session"):
        if doc.section("sso-session", s.name) is s:
            targets.append((f"[sso-session {s.name}]", s.name, None, "--sso-session " + s.name))
    legacy = []
    for s in doc.iter_profiles():
        url = s.get("sso_start_url")
        if url and not s.get("sso_session") and url not in legacy:
            legacy.append(url)
            targets.append((f"start URL {url}", None, url, "--profile " + s.name))
    out = []
    for where, name, url, flag in targets:
        token = cache.read_token(cache.token_cache_path(name, url))
        status = cache.token_status(token, now)
        if status == "missing":
            out.append(Finding(OK, "token", where, f"not logged in (log in: ssoenv login {flag})"))
            continue
        expires = token["expiresAt"]
        refreshable = bool(name and token.get("refreshToken") and token.get("clientSecret"))
        if status == "expired":
            if refreshable:
                out.append(
                    Finding(
                        OK,
                        "token",
                        where,
                        f"token expired at {expires}; it is refreshed on its next use",
                    )
                )
            else:
                out.append(
                    Finding(
                        WARNING,
                        "token-expired",
                        where,
                        f"the login expired at {expires}; run: ssoenv login {flag}",
                    )
                )
            continue
        left = token["_expires_epoch"] - now
        hours, minutes = int(left // 3600), int(left % 3600 // 60)
        note = "" if refreshable or not name else " (no refresh token: log in again then)"
        out.append(
            Finding(
                OK, "token", where, f"logged in until {expires} ({hours}h{minutes:02d}m left){note}"
            )
        )
    return out


def examine(env: Optional[Mapping[str, str]] = None, parent_pid: Optional[int] = None) -> Report:
    from ssoenv import doctor_checks, paths

    env = os.environ if env is None else env
    findings: List[Finding] = []
    config_path, creds_path = paths.aws_config_file(), paths.aws_credentials_file()
    config_text = _read(config_path, findings)
    creds_text = _read(creds_path, findings)
    for f in doctor_checks.check_files(config_text, creds_text):
        if f.where.startswith("credentials"):
            where = paths.display(creds_path) + f.where[len("credentials") :]
        else:
            rest = f.where[len("config ") :] if f.where.startswith("config ") else f.where
            where = f"{paths.display(config_path)} {rest}"
        findings.append(dataclasses.replace(f, where=where))
    findings.extend(check_environment(env))
    findings.extend(check_hook(env, parent_pid))
    findings.extend(check_dotfile(env))
    findings.extend(check_tokens(config_text))
    # Problems first, information after.
    order = {ERROR: 0, WARNING: 1, OK: 2}
    findings.sort(key=lambda f: order.get(f.severity, 3))
    return Report(findings)
