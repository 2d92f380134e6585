"""Problems in the AWS config and credentials files, each with its fix, as pure functions."""

import dataclasses
from typing import Dict, List, Optional, Tuple

from ssoenv.aws.awsconfig import dashed_key_fix
from ssoenv.aws.configedit import ConfigDocument, Section

# The three levels of a finding, as every report words them (doctor takes OK from here).
from ssoenv.base.conditions import OK, PROBLEM, WARNING  # noqa: F401
from ssoenv.commands.migrate import DASHED_KEYS, sso_only_process

ERROR = PROBLEM  # the earlier name

SESSION_KEYS = ("sso_start_url", "sso_region", "sso_registration_scopes")


@dataclasses.dataclass(frozen=True)
class Finding:
    severity: str
    code: str
    where: str  # `[profile dev]`, `line 12`, `~/.aws/credentials [default]`
    message: str  # one line: what is wrong and how to fix it

    def __str__(self) -> str:
        # Each location once: a message that already starts with it keeps its own.
        if not self.where or self.message.startswith(self.where + ": "):
            return self.message
        return f"{self.where}: {self.message}"


def _where(s: Section) -> str:
    return "[default]" if s.kind == "default" else f"[{s.header}]"


def mask_key_id(key_id: str) -> str:
    """`AKIAIOSFODNN7EXAMPLE` -> `AKIA…MPLE`: enough to recognise a key, not to use it."""
    key_id = key_id.strip()
    if len(key_id) <= 8:
        return "…"
    return f"{key_id[:4]}…{key_id[-4:]}"


def _parse_problems(doc: ConfigDocument, label: str) -> List[Finding]:
    out = []
    for i in doc.junk_lines():
        out.append(
            Finding(
                ERROR,
                "unparsable-line",
                f"{label} line {i + 1}",
                "botocore cannot parse this line (no [section] above it, or no '=' in it), "
                "so it refuses the whole file; fix or remove the line",
            )
        )
    seen: Dict[str, Section] = {}
    for s in doc.sections:
        if s.header in seen:
            out.append(
                Finding(
                    ERROR,
                    "duplicate-section",
                    f"{label} [{s.header}]",
                    f"section repeated (lines {seen[s.header].start + 1} and {s.start + 1}); "
                    "botocore refuses the whole file: merge them",
                )
            )
        seen[s.header] = s
        keys: Dict[str, int] = {}
        for k in s.keys:
            if k.key in keys:
                out.append(
                    Finding(
                        ERROR,
                        "duplicate-key",
                        f"{label} [{s.header}]",
                        f"{k.key} is set twice (lines {keys[k.key] + 1} and {k.start + 1}); "
                        "botocore refuses the whole file: keep one",
                    )
                )
            keys[k.key] = k.start
    return out


def check_config(text: str) -> List[Finding]:
    """Findings for the text of ~/.aws/config, in file order within each kind."""
    doc = ConfigDocument(text)
    out = _parse_problems(doc, "config")

    # The same profile or session under two spellings: the later one silently wins.
    names: Dict[Tuple[str, str], Section] = {}
    for s in doc.sections:
        kind = "profile" if s.kind == "default" else s.kind
        if kind in ("profile", "sso-session", "services"):
            first = names.get((kind, s.name))
            if first is not None and first.header != s.header:
                out.append(
                    Finding(
                        WARNING,
                        "shadowed-section",
                        _where(s),
                        f"defines the same {kind} as {_where(first)} (line {first.start + 1}); "
                        "botocore uses only the later one: merge them",
                    )
                )
            names[(kind, s.name)] = s

    sessions = {s.name: s for s in doc.iter_sections("sso-session")}
    for s in doc.sections:
        if s.kind not in ("profile", "default", "sso-session"):
            continue
        for k in s.keys:
            if k.key in DASHED_KEYS:
                out.append(
                    Finding(
                        ERROR,
                        "dashed-key",
                        _where(s),
                        f"{dashed_key_fix(k.key)} (or run: ssoenv migrate)",
                    )
                )

    for s in sessions.values():
        missing = [k for k in ("sso_start_url", "sso_region") if not s.get(k)]
        if missing:
            out.append(
                Finding(
                    ERROR,
                    "incomplete-session",
                    _where(s),
                    f"missing {', '.join(missing)}; add it to the section",
                )
            )
        elif not s.get("sso_registration_scopes"):
            out.append(
                Finding(
                    WARNING,
                    "no-scopes",
                    _where(s),
                    "no sso_registration_scopes, so its logins cannot be refreshed; add "
                    "`sso_registration_scopes = sso:account:access` and log in again",
                )
            )

    for s in doc.iter_profiles():
        if doc.section("profile", s.name) is not s:
            continue  # reported above; botocore reads only the last one
        out.extend(_check_profile(s, sessions))
    return out


def _check_profile(s: Section, sessions: Dict[str, Section]) -> List[Finding]:
    out = []
    where = _where(s)
    session_name = s.get("sso_session")
    uses_sso = s.get("sso_account_id") is not None or s.get("sso_role_name") is not None
    if session_name is not None:
        session = sessions.get(session_name)
        if session is None:
            out.append(
                Finding(
                    ERROR,
                    "missing-session",
                    where,
                    f'The specified sso-session does not exist: "{session_name}"; add '
                    f"[sso-session {session_name}] or fix the name",
                )
            )
        else:
            for key, value in session.as_dict().items():
                mine = s.get(key)
                if mine is not None and mine != value:
                    out.append(
                        Finding(
                            ERROR,
                            "inconsistent-value",
                            where,
                            f"The value for {key} is inconsistent between profile ({mine}) "
                            f"and sso-session ({value}); remove {key} from the profile",
                        )
                    )
    elif s.get("sso_start_url") or s.get("sso_region"):
        out.append(
            Finding(
                WARNING,
                "legacy-sso",
                where,
                "legacy SSO settings (sso_start_url and sso_region in the profile): its "
                "token is never refreshed; run `ssoenv migrate` to use an [sso-session]",
            )
        )
    if uses_sso:
        needed = ["sso_account_id", "sso_role_name"]
        if session_name is None:
            needed += ["sso_start_url", "sso_region"]
        missing = [k for k in needed if not s.get(k)]
        dashed = {DASHED_KEYS[k.key] for k in s.keys if k.key in DASHED_KEYS}
        if "sso_session" in dashed:
            dashed |= {"sso_start_url", "sso_region"}  # the session would supply them
        if missing and not set(missing) <= dashed:  # else the dashed key is the fix
            out.append(
                Finding(
                    ERROR,
                    "incomplete-profile",
                    where,
                    f"configured to use SSO but missing {', '.join(missing)}; add "
                    f"{'it' if len(missing) == 1 else 'them'} or remove the other sso_ keys",
                )
            )
        process = s.get("credential_process")
        if process is not None:
            fix = (
                "it only re-implements SSO: remove it"
                if sso_only_process(process, s.name)
                else "remove it or the sso_ keys"
            )
            out.append(
                Finding(
                    WARNING,
                    "shadowed-credential-process",
                    where,
                    f"credential_process is never run: the AWS tools use the sso_ settings "
                    f"first; {fix}",
                )
            )
    if s.get("aws_access_key_id") and not s.get("aws_session_token"):
        out.append(_long_term_key(where, s.get("aws_access_key_id"), "config"))
    return out


def _long_term_key(where: str, key_id: str, file: str) -> Finding:
    return Finding(
        WARNING,
        "long-term-key",
        where,
        f"long-term access key {mask_key_id(key_id)} in the {file} file; use an SSO profile "
        "instead, then deactivate the key in IAM",
    )


def check_credentials(text: str, label: str = "credentials") -> List[Finding]:
    """Findings for ~/.aws/credentials. Secrets are never included; key ids are masked."""
    doc = ConfigDocument(text)
    out = _parse_problems(doc, label)
    for s in doc.sections:
        key_id = s.get("aws_access_key_id")
        if key_id and not s.get("aws_session_token"):
            out.append(_long_term_key(f"{label} [{s.header}]", key_id, "credentials"))
    return out


def check_files(config_text: Optional[str], credentials_text: Optional[str]) -> List[Finding]:
    """Both checks; a file that is missing is passed as None."""
    out = []
    if config_text is not None:
        out.extend(check_config(config_text))
    if credentials_text is not None:
        out.extend(check_credentials(credentials_text))
    return out
