"""Rewrite legacy SSO profiles to the `[sso-session]` style, and fix dashed SSO keys."""

import dataclasses
import os
import re
import shlex
from typing import Dict, List, NamedTuple, Optional, Tuple

from ssoenv.aws.configedit import ConfigDocument, Section
from ssoenv.base import paths
from ssoenv.base.errors import ConfigError
from ssoenv.sso.cache import read_token, token_cache_key, token_status

DEFAULT_SCOPES = "sso:account:access"

# Written by hand (or copied from blog posts, see the article our users start from):
# botocore reads these as unknown keys and silently ignores them.
DASHED_KEYS = {
    "sso-session": "sso_session",
    "sso-account-id": "sso_account_id",
    "sso-role-name": "sso_role_name",
    "sso-start-url": "sso_start_url",
    "sso-region": "sso_region",
    "sso-registration-scopes": "sso_registration_scopes",
}

# credential_process commands that only re-implement SSO for SDKs that could not do it:
# (program, subcommand or flag that must appear). Anything else is left alone, because a
# credential_process may do more than SSO (keychains, MFA, other identity providers).
SSO_CREDENTIAL_PROCESSES = (
    ("aws-sso-util", "credential-process"),  # benkehoe/aws-sso-util
    ("aws-sso-credential-process", None),  # its predecessor
    ("aws-sso", "process"),  # synfinatic/aws-sso-cli
    ("granted", "credential-process"),  # common-fate/granted
    ("aws2-wrap", "--process"),  # linaro-its/aws2-wrap
)

REMOVED_PROCESS_COMMENT = "# ssoenv migrate: removed, botocore reads sso_session itself: "


@dataclasses.dataclass(frozen=True)
class SessionPlan:
    """One `[sso-session]` the migrated profiles point at."""

    name: str
    start_url: str
    region: str
    profiles: Tuple[str, ...]
    # The start URLs as the legacy profiles spelt them: their token cache keys.
    legacy_start_urls: Tuple[str, ...]
    reused: bool  # an `[sso-session]` with this URL and region was already there


@dataclasses.dataclass(frozen=True)
class MigrationSummary:
    sessions: Tuple[SessionPlan, ...] = ()
    renamed_keys: Tuple[Tuple[str, str, str], ...] = ()  # (section label, old key, new key)
    removed_processes: Tuple[Tuple[str, str], ...] = ()  # (profile, command)
    warnings: Tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.sessions or self.renamed_keys or self.removed_processes)

    def lines(self) -> List[str]:
        """One line per change or warning, for the user."""
        out = []
        for label, old, new in self.renamed_keys:
            out.append(f"[{label}]: {old} -> {new} (botocore ignores dashed keys)")
        for s in self.sessions:
            verb = "reuse" if s.reused else "add"
            out.append(f"{verb} [sso-session {s.name}] ({s.start_url}, {s.region})")
            for p in s.profiles:
                out.append(f"[profile {p}]: sso_start_url, sso_region -> sso_session = {s.name}")
        for p, cmd in self.removed_processes:
            out.append(f"[profile {p}]: removed credential_process = {cmd} (kept as a comment)")
        out.extend("warning: " + w for w in self.warnings)
        return out


class MigrationPlan(NamedTuple):
    new_text: str
    summary: MigrationSummary


def normalize_start_url(url: str) -> str:
    """`https://MyOrg.awsapps.com/start/#` and `https://myorg.awsapps.com/start` are one portal."""
    from urllib.parse import urlsplit, urlunsplit

    url = url.strip()
    parts = urlsplit(url)
    if not parts.netloc:
        return url.rstrip("/#")
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def session_name_from_url(url: str) -> str:
    """`https://myorg.awsapps.com/start` -> `myorg`; `https://d-1234567890.awsapps.com/start/#`
    -> `d-1234567890`; GovCloud's `https://start.us-gov-home.awsapps.com/directory/d-x` -> `d-x`."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    host = (parts.hostname or "").split(".")[0]
    if host in ("", "start", "www", "portal"):
        segments = [s for s in parts.path.split("/") if s and s != "start"]
        host = segments[-1] if segments else host
    slug = re.sub(r"[^a-z0-9._-]+", "-", host.lower()).strip("-.")
    return slug or "sso"


def sso_only_process(command: str, profile: str) -> bool:
    """Whether a credential_process command is one of SSO_CREDENTIAL_PROCESSES for `profile`."""
    try:
        argv = shlex.split(command)
    except ValueError:
        return False
    if not argv:
        return False
    program = os.path.basename(argv[0])
    for name, marker in SSO_CREDENTIAL_PROCESSES:
        if program == name and (marker is None or marker in argv[1:]):
            break
    else:
        return False
    # It must be about this profile (or name none), not wrap another one.
    for i, arg in enumerate(argv):
        if arg == "--profile" and i + 1 < len(argv):
            return argv[i + 1] == profile
        if arg.startswith("--profile="):
            return arg.split("=", 1)[1] == profile
    return True


def _label(s: Section) -> str:
    return "default" if s.kind == "default" else f"{s.kind} {s.name}"


def _fix_dashed_keys(doc: ConfigDocument, renamed: list, warnings: list) -> None:
    edits = []
    for s in doc.sections:
        if s.kind in ("profile", "default", "sso-session"):
            if any(k.key in DASHED_KEYS for k in s.keys):
                sub = doc.section_document(s)
                _fix_dashed_in(sub, renamed, warnings)
                edits.append((s.start, s.end, sub.text))
    if edits:
        doc.replace_ranges(edits)


def _fix_dashed_in(sub: ConfigDocument, renamed: list, warnings: list) -> None:
    """Fix the dashed keys of the single section in `sub`."""
    while True:
        s = sub.sections[0]
        k = next((k for k in s.keys if k.key in DASHED_KEYS), None)
        if k is None:
            return
        new = DASHED_KEYS[k.key]
        have = s.find(new)
        body = sub.lines[k.start].rstrip("\r\n").strip()
        if have is None:
            sub.rename_key_at(k.start, new)
            renamed.append((_label(s), k.key, new))
        elif have.value == k.value:
            sub.replace_lines(k.start, k.end, "")
            renamed.append((_label(s), k.key, new))
        else:
            nl = sub.newline
            sub.replace_lines(
                k.start, k.end, f"# ssoenv migrate: ignored, {new} is set: {body}{nl}"
            )
            warnings.append(f"[{_label(s)}]: kept {new} = {have.value}, commented out {body}")


def plan_migration(text: str, *, session_names: Optional[Dict[str, str]] = None) -> MigrationPlan:
    """Rewrite legacy SSO profiles in `text` to use `[sso-session]` sections.

    `session_names` overrides the chosen names; its keys may be a start URL (any spelling)
    or the name ssoenv would have picked. Returns `(new_text, summary)`; the text is
    unchanged when there is nothing to do. Raises ConfigError when an override names an
    existing sso-session with another start URL or region."""
    overrides = {}
    for key, name in (session_names or {}).items():
        overrides[normalize_start_url(key) if "://" in key else key] = name
    doc = ConfigDocument(text)
    renamed: List[Tuple[str, str, str]] = []
    warnings: List[str] = []
    _fix_dashed_keys(doc, renamed, warnings)

    existing: Dict[str, Tuple[str, str]] = {}
    for s in doc.iter_sections("sso-session"):
        existing[s.name] = (
            normalize_start_url(s.get("sso_start_url", "")),
            s.get("sso_region", "").strip().lower(),
        )

    # Legacy profiles, grouped by portal and region in order of first appearance.
    groups: Dict[Tuple[str, str], dict] = {}
    for s in doc.iter_profiles():
        if doc.section("profile", s.name) is not s:
            if s.get("sso_start_url") or s.get("sso_region"):
                warnings.append(f"[{_label(s)}]: repeated profile; only the last one is migrated")
            continue
        url, region = s.get("sso_start_url"), s.get("sso_region")
        if s.get("sso_session"):
            sess = existing.get(s.get("sso_session"))
            if sess and (url or region):
                if (url and normalize_start_url(url) != sess[0]) or (
                    region and region.lower() != sess[1]
                ):
                    warnings.append(
                        f"[{_label(s)}]: its sso_start_url/sso_region disagree with "
                        f"[sso-session {s.get('sso_session')}]; botocore refuses this profile"
                    )
            continue
        if not url and not region:
            continue
        if not url or not region:
            warnings.append(
                f"[{_label(s)}]: has only one of sso_start_url and sso_region; left as is"
            )
            continue
        key = (normalize_start_url(url), region.strip().lower())
        g = groups.setdefault(
            key, {"urls": [], "profiles": [], "region": region.strip(), "scopes": None}
        )
        if url not in g["urls"]:
            g["urls"].append(url)
        g["profiles"].append(s.name)
        if s.get("sso_registration_scopes") and g["scopes"] is None:
            g["scopes"] = s.get("sso_registration_scopes")

    # Names.
    # A name some profile already points at is taken even without its section: giving
    # it a portal would silently change what that (now broken) profile means.
    taken = set(existing) | {s.get("sso_session") for s in doc.iter_profiles()} - {None}
    plans: List[SessionPlan] = []
    for (norm, region), g in groups.items():
        derived = session_name_from_url(g["urls"][0])
        name = overrides.get(norm) or overrides.get(derived)
        reused = False
        if name is not None:
            if name in existing:
                if existing[name] != (norm, region):
                    raise ConfigError(
                        f'the sso-session "{name}" already exists with another start URL '
                        "or region; choose another name"
                    )
                reused = True
            elif name in {p.name for p in plans}:
                raise ConfigError(f'the name "{name}" was chosen for two different start URLs')
        else:
            match = [n for n, v in existing.items() if v == (norm, region)]
            if match:
                name, reused = match[0], True
            else:
                name, n = derived, 2
                while name in taken:
                    name, n = f"{derived}-{n}", n + 1
        taken.add(name)
        plans.append(
            SessionPlan(
                name=name,
                start_url=g["urls"][0].strip(),
                region=g["region"],
                profiles=tuple(g["profiles"]),
                legacy_start_urls=tuple(g["urls"]),
                reused=reused,
            )
        )

    # Each profile is edited on its own copy and all are put back in one go: files
    # with hundreds of legacy profiles stay fast.
    removed: List[Tuple[str, str]] = []
    edits = []
    late = []
    spans = doc.block_spans()
    for plan in plans:
        scopes = groups[(normalize_start_url(plan.start_url), plan.region.lower())]["scopes"]
        sections = [_section(doc, p) for p in plan.profiles]
        last = max(sections, key=lambda s: s.start)
        here = not plan.reused and doc.inside_block(last.body_end - 1, spans) is None
        if not plan.reused and not here:
            late.append((plan, scopes))
        for profile, s in zip(plan.profiles, sections):
            sub = doc.section_document(s)
            _rewrite_profile(sub, profile, plan.name, removed, warnings)
            if here and s is last:
                _insert_session(sub, plan, scopes or DEFAULT_SCOPES, s.end == len(doc.lines))
            edits.append((s.start, s.end, sub.text))
    doc.replace_ranges(edits)
    for plan, scopes in late:
        _add_session(doc, plan, scopes or DEFAULT_SCOPES)

    summary = MigrationSummary(tuple(plans), tuple(renamed), tuple(removed), tuple(warnings))
    return MigrationPlan(doc.text, summary)


def _section(doc: ConfigDocument, profile: str) -> Section:
    return doc.section("profile", profile)


def _rewrite_profile(doc, profile, session, removed, warnings) -> None:
    s = _section(doc, profile)
    kind = s.kind
    old = sorted(
        (k for k in s.keys if k.key in ("sso_start_url", "sso_region")), key=lambda k: k.start
    )
    doc.rename_key_at(old[0].start, "sso_session")
    doc.set(kind, profile, "sso_session", session)
    for k in ("sso_start_url", "sso_region", "sso_registration_scopes"):
        doc.remove(kind, profile, k)
    s = _section(doc, profile)
    proc = s.find("credential_process")
    if proc is not None:
        if sso_only_process(proc.value, profile):
            body = doc.lines[proc.start].rstrip("\r\n").strip()
            doc.replace_lines(proc.start, proc.end, REMOVED_PROCESS_COMMENT + body + doc.newline)
            removed.append((profile, proc.value))
        else:
            warnings.append(
                f"[{_label(s)}]: credential_process = {proc.value} left as is; "
                "botocore uses the SSO settings instead of it"
            )


def _session_values(plan: SessionPlan, scopes: str) -> Dict[str, str]:
    return {
        "sso_start_url": plan.start_url,
        "sso_region": plan.region,
        "sso_registration_scopes": scopes,
    }


def _insert_session(sub: ConfigDocument, plan: SessionPlan, scopes: str, at_eof: bool) -> None:
    """Put the new session right after the keys of the profile in `sub`."""
    nl = sub.newline
    at = sub.sections[0].body_end
    text = sub.section_text("sso-session", plan.name, _session_values(plan, scopes))
    if at >= len(sub.lines):
        if at_eof:
            sub.append_text(text)
        else:
            sub.insert_lines(at, nl + text + nl)
        return
    after_blank = sub.line_kind(at) == "blank"
    sub.insert_lines(at, nl + text + ("" if after_blank else nl))


def _add_session(doc: ConfigDocument, plan: SessionPlan, scopes: str) -> None:
    """Put the new session after the ssoenv block that holds its last profile: never
    inside one, where the next run of that command would drop it."""
    last = max((_section(doc, p) for p in plan.profiles), key=lambda s: s.start)
    block = doc.inside_block(last.body_end - 1)
    at = block[1] + 1 if block else last.body_end
    nl = doc.newline
    text = doc.section_text("sso-session", plan.name, _session_values(plan, scopes))
    if at >= len(doc.lines):
        doc.append_text(text)
        return
    after_blank = doc.line_kind(at) == "blank"
    doc.insert_lines(at, nl + text + ("" if after_blank else nl))


class TokenCarryOver(NamedTuple):
    session: str
    source: str
    destination: str


def carry_over_tokens(plan, *, cache_dir: Optional[str] = None, now: Optional[float] = None):
    """Copy each migrated session's newest valid legacy token to the session's cache file.

    Legacy profiles' tokens are cached under sha1(start URL as written), sso-session ones
    under sha1(session name); without this copy the first use after migrating needs a new
    login. A session that already has a valid token is left alone. Copies are atomic and
    0600, byte for byte. `plan` is what `plan_migration` returned (or its summary).
    Returns the copies made."""

    summary = plan.summary if isinstance(plan, MigrationPlan) else plan
    cache_dir = cache_dir or paths.sso_cache_dir()
    done = []
    for s in summary.sessions:
        dest = os.path.join(cache_dir, token_cache_key(s.name, None) + ".json")
        if token_status(read_token(dest), now) in ("valid", "refresh"):
            continue
        best = None
        for url in s.legacy_start_urls:
            src = os.path.join(cache_dir, token_cache_key(None, url) + ".json")
            token = read_token(src)
            if token_status(token, now) in ("valid", "refresh"):
                if best is None or token["_expires_epoch"] > best[1]:
                    best = (src, token["_expires_epoch"])
        if best is None:
            continue
        with open(best[0], "rb") as f:
            data = f.read()
        paths.write_private(dest, data)
        done.append(TokenCarryOver(s.name, best[0], dest))
    return done
