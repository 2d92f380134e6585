"""`ssoenv doctor`: the AWS files, the environment, the hook, the .ssoenv here and the logins."""

import dataclasses
import os
import time
from typing import List, Mapping, Optional

from ssoenv.aws import awsconfig
from ssoenv.aws.configedit import ConfigDocument
from ssoenv.base import conditions, paths
from ssoenv.base.conditions import worded
from ssoenv.base.errors import SsoenvError
from ssoenv.commands import doctor_checks
from ssoenv.commands.doctor_checks import OK, PROBLEM, WARNING, Finding, mask_key_id
from ssoenv.commands.status import hook_runs_here, why
from ssoenv.prompt import alongside, export, trust, userconfig
from ssoenv.sso import cache, refresh

ERROR = PROBLEM  # the earlier name


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'s' if n != 1 else ''}"


@dataclasses.dataclass
class Report:
    findings: List[Finding] = dataclasses.field(default_factory=list)

    @property
    def problems(self) -> List[Finding]:
        """What does not work; only these make `ssoenv doctor` exit 1."""
        return [f for f in self.findings if f.severity == PROBLEM]

    @property
    def warnings(self) -> List[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    def lines(self) -> List[str]:
        out = [worded(f.severity, str(f)) for f in self.findings]
        found = _count(len(self.problems), "problem") if self.problems else "no problems"
        if self.warnings:
            found += ", " + _count(len(self.warnings), "warning")
        out.append(f"ssoenv doctor: {found} found")
        return out


def _read(path: str, findings: List[Finding]) -> Optional[str]:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return None
    except OSError as e:
        findings.append(
            Finding(PROBLEM, "unreadable", paths.display(path), f"cannot read it: {e.strerror}")
        )
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        findings.append(
            Finding(PROBLEM, "not-utf8", paths.display(path), "not UTF-8 text; save it as UTF-8")
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

    disagreement = conditions.profile_disagreement(env)
    if disagreement:
        out.append(Finding(disagreement[0], "env-profiles", "environment", disagreement[1]))
    return out


def check_hook(env: Mapping[str, str], parent_pid: Optional[int] = None) -> List[Finding]:
    """The hook exports SSOENV_HOOK="<shell> <pid>"; it runs in this shell when that pid is
    the process that started us."""
    value = env.get("SSOENV_HOOK", "")
    parts = value.split()
    shell = parts[0] if parts else os.path.basename(env.get("SHELL", "")) or "bash"
    if hook_runs_here(env, parent_pid):
        return []
    if shell == "fish":
        fix = "add `status is-interactive; and ssoenv hook fish | source` to config.fish"
    elif shell == "tcsh":
        fix = 'add `eval "`ssoenv hook tcsh`"` to ~/.tcshrc'
    elif shell == "elvish":
        fix = "add `eval (ssoenv hook elvish | slurp)` to ~/.config/elvish/rc.elv"
    elif shell == "xonsh":
        fix = "add `execx($(ssoenv hook xonsh))` to ~/.xonshrc"
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


# Hooks known to set variables at each prompt, by function name, as the hook reports them.
ORDER_HOOKS = {"_direnv_hook": "direnv", "_mise_hook": "mise"}


def check_order(env: Mapping[str, str], parent_pid: Optional[int] = None) -> List[Finding]:
    """The hook exports SSOENV_ORDER="<shell> <pid> <hook>..." when hooks that set variables
    still run after its own at each prompt, where it could not put them in front: what they
    set for AWS_* then wins over the .ssoenv, under a prompt drawn before they ran."""
    parts = env.get("SSOENV_ORDER", "").split()
    parent_pid = os.getppid() if parent_pid is None else parent_pid
    if len(parts) < 3 or parts[1] != str(parent_pid):
        return []
    shell, names = parts[0], parts[2:]
    rc = {"bash": "~/.bashrc", "zsh": "~/.zshrc"}.get(shell, "your shell's rc file")
    out = []
    for name in names:
        tool = ORDER_HOOKS.get(name, name)
        sets = ""
        if name == "_direnv_hook":
            state = alongside.read(env)
            aws = sorted(n for n in (state.next if state else {}) if n.startswith("AWS_"))
            if aws:
                sets = " (here it sets %s)" % ", ".join(aws)
        out.append(
            Finding(
                WARNING,
                "prompt-order",
                "shell",
                f"{tool}'s hook ({name}) runs after ssoenv's at each prompt, so what it sets "
                f"for AWS_* wins over the .ssoenv{sets}; load {tool}'s hook line after ssoenv's in "
                f"{rc}, then open a new shell",
            )
        )
    return out


def check_dotfile(env: Mapping[str, str], aws_findings: List[Finding] = ()) -> List[Finding]:
    """The .ssoenv here. An error that lies in the AWS config (a profile botocore refuses,
    a file it cannot parse) is the config's: named there once, not blamed on the .ssoenv."""

    settings_file = paths.display(paths.user_config_file())
    try:
        settings = userconfig.load()
    except SsoenvError as e:
        return [Finding(PROBLEM, "user-config", settings_file, str(e))]
    out = [
        Finding(PROBLEM, "user-config", settings_file, p) for p in settings.get("problems") or []
    ]
    outcome = export.evaluate(env, settings)
    where = paths.display(outcome.file) if outcome.file else ".ssoenv"
    if userconfig.trusts_everything(settings) and outcome.trust != trust.TRUSTED_PREFIX:
        out.append(Finding(WARNING, "trust-all", settings_file, userconfig.everything_warning()))
    for note in outcome.notices:
        if outcome.trust == trust.DENIED:
            message = "denied, so it is not applied; to use it, run: ssoenv allow"
            out.append(Finding(OK, "denied", where, message))
        elif outcome.trust == trust.UNKNOWN:
            message = "not allowed, so it is not applied; review it, then run: ssoenv allow"
            out.append(Finding(WARNING, "not-allowed", where, message))
        else:
            out.append(Finding(OK, "dotfile-note", where, _after(note, where)))
    blamed = set()
    for error in outcome.errors:
        message = _after(error, where)
        aws_where, rest = _aws_location(message)
        if aws_where is None:
            out.append(Finding(PROBLEM, "dotfile", where, message))
            continue
        if aws_where not in blamed:
            blamed.add(aws_where)
            out.append(
                Finding(
                    WARNING,
                    "dotfile-blocked",
                    where,
                    f"not applied while {aws_where} has the problem named "
                    + ("above" if _reported(aws_where, aws_findings) else "here"),
                )
            )
        if not _reported(aws_where, aws_findings):
            out.append(Finding(PROBLEM, "aws-config", aws_where, rest))
    for warning in outcome.warnings:
        out.append(Finding(WARNING, "dotfile-refused", where, _after(warning, where)))
    return out


def _after(message: str, where: str) -> str:
    return message[len(where) + 2 :] if message.startswith(where + ": ") else message


def _aws_location(message: str):
    """(location in the AWS files, the rest) when `message` is about them, else (None, _)."""
    import re

    for path in (paths.aws_config_file(), paths.aws_credentials_file()):
        shown = paths.display(path)
        if message.startswith(shown + ": "):
            return shown, message[len(shown) + 2 :]
    found = re.match(r'(?:profile|sso-session) "([^"]+)": (.*)', message)
    if found and not found.group(2).startswith("profile "):
        kind = "sso-session" if message.startswith("sso-session") else "profile"
        header = "default" if found.group(1) == "default" and kind == "profile" else None
        section = f"[{header or kind + ' ' + found.group(1)}]"
        return f"{paths.display(paths.aws_config_file())} {section}", found.group(2)
    return None, message


def _reported(aws_where: str, findings) -> bool:
    """Whether the file checks already named a problem at `aws_where` (or in its file,
    for a file botocore cannot parse at all)."""
    for f in findings:
        if f.severity == PROBLEM and (f.where == aws_where or f.where.startswith(aws_where + " ")):
            return True
    return False


def check_tokens(config_text: Optional[str], now: Optional[float] = None) -> List[Finding]:
    """One line per sso-session (and legacy start URL) on its cached login."""

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
        login = f"ssoenv login {flag}"
        if status == "missing":
            level, words = conditions.token_condition(status, login=login)
            out.append(Finding(level, "token", where, words))
            continue
        refreshable = bool(name and token.get("refreshToken") and token.get("clientSecret"))
        failure = refresh.renewal_failure(name, url) if refreshable else None
        needs_login = bool(failure and refresh.needs_login(failure))
        level, words = conditions.token_condition(
            status,
            token["_expires_epoch"],
            refreshable=refreshable and not needs_login,
            renewable_until=token.get("registrationExpiresAt") if refreshable else None,
            failure=why(failure) if failure else None,
            failure_needs_login=needs_login,
            login=login,
            now=now,
        )
        code = "renewal-failed" if failure else "token"
        out.append(Finding(level, code, where, words))
    return out


def check_chains() -> List[Finding]:
    """Role chains (and ssoenv credential_process profiles) that botocore would refuse:
    a source_profile loop, a missing profile, a source without credentials."""

    try:
        config = awsconfig.load()
    except SsoenvError:
        return []  # check_files reports why the files cannot be read
    out = []
    for p in config.profiles.values():
        if "role_arn" not in p.values and not awsconfig.ssoenv_process_target(
            p.values.get("credential_process")
        ):
            continue
        try:
            awsconfig.sso_chain(config, p.name)
        except SsoenvError as e:
            header = "default" if p.name == "default" else "profile " + p.name
            where = "%s [%s]" % (paths.display(config.config_path), header)
            message = str(e)
            own = 'profile "%s": ' % p.name
            message = message[len(own) :] if message.startswith(own) else message
            out.append(Finding(PROBLEM, "role-chain", where, message))
    return out


def examine(env: Optional[Mapping[str, str]] = None, parent_pid: Optional[int] = None) -> Report:
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
    # A broken role chain is the config's problem: named there, before the .ssoenv that
    # uses it says only that it is not applied.
    findings.extend(check_chains())
    findings.extend(check_environment(env))
    findings.extend(check_hook(env, parent_pid))
    findings.extend(check_order(env, parent_pid))
    findings.extend(check_dotfile(env, list(findings)))
    findings.extend(check_tokens(config_text))
    # Problems first, information after.
    order = {PROBLEM: 0, WARNING: 1, OK: 2}
    findings.sort(key=lambda f: order.get(f.severity, 3))
    return Report(findings)
