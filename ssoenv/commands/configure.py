"""`ssoenv configure`: the `aws configure sso` questions, answered by flags or at the terminal."""

import dataclasses
import os
import re
import sys
import time
from typing import Callable, Dict, List, Optional, Sequence

from ssoenv.aws import accounts, configedit
from ssoenv.aws import accounts as account_names
from ssoenv.aws.accounts import normalize_start_url
from ssoenv.aws.configedit import ConfigDocument
from ssoenv.base import paths
from ssoenv.base.errors import ConfigError, SsoenvError, SsoError, UsageError
from ssoenv.base.safetext import escape
from ssoenv.commands import menu
from ssoenv.commands.migrate import session_name_from_url
from ssoenv.commands.populate import slug
from ssoenv.prompt import dotfile, export, locate, trust, userconfig
from ssoenv.prompt import export as export_module
from ssoenv.sso import assignments, cache, login, portal, refresh, tokens
from ssoenv.sso.session import SsoSession, parse_scopes

DEFAULT_SCOPES = "sso:account:access"
OUTPUT_FORMATS = ("json", "yaml", "yaml-stream", "text", "table")
SESSION_HINT = "a name for the [sso-session] section, e.g. myorg"
# Keys of a legacy SSO profile; they would contradict the sso-session a profile now uses.
LEGACY_KEYS = ("sso_start_url", "sso_region", "sso_registration_scopes")
# How long the account menu keeps waiting while IAM Identity Center throttles its listing.
MENU_DEADLINE_SECONDS = 120.0


@dataclasses.dataclass
class Options:
    """Every answer the wizard may be given up front; None means ask (or fail without a
    terminal)."""

    sso_session: Optional[str] = None
    start_url: Optional[str] = None
    sso_region: Optional[str] = None
    scopes: Optional[str] = None
    account_id: Optional[str] = None
    role_name: Optional[str] = None
    region: Optional[str] = None
    output: Optional[str] = None
    profile_name: Optional[str] = None
    write_dotfile: Optional[bool] = None
    dry_run: bool = False
    force: bool = False  # overwrite a profile that points elsewhere without asking
    use_device_code: bool = False
    no_browser: bool = False
    from_dotfile: bool = False
    refresh: bool = False


class Asker:
    """Questions at the terminal, or, without one, an error naming the flag to pass."""

    def __init__(self, interactive: bool, choose: Optional[Callable] = None):
        self.interactive = interactive
        self._choose = choose

    def _missing(self, flag: str, what: str):
        # The question without a menu's count: "Account (300)" asks for the account.
        what = re.sub(r"\s*\(\d+[^()]*\)$", "", what)
        return UsageError(f"no terminal to ask for the {what} on; pass {flag}")

    def text(
        self, label: str, flag: str, default: Optional[str] = None, hint: Optional[str] = None
    ) -> str:
        if not self.interactive:
            if default is None:
                raise self._missing(flag, label.lower())
            return default
        import click

        while True:
            # An empty default ("none") is accepted with Enter but not shown as `[]`. Without
            # a default, click would ask again in silence: take the empty answer and say why.
            value = click.prompt(
                label,
                default="" if default is None else default,
                err=True,
                show_default=bool(default),
            )
            value = (value or "").strip()
            if value or default == "":
                return value
            click.echo(f"ssoenv: an answer is needed{'; ' + hint if hint else ''}", err=True)

    def pick(self, label: str, flag: str, items: Sequence[str], refreshable: bool = False) -> int:
        """The index of the item chosen; raises menu.Refresh on Ctrl-R when `refreshable`."""
        if len(items) == 1:
            return 0
        if not self.interactive:
            raise self._missing(flag, label.lower())
        if self._choose is None:
            return menu.choose(items, label, refreshable=refreshable)
        return self._choose(items, label)

    def confirm(self, label: str, flag: str, default: bool) -> bool:
        if not self.interactive:
            return default
        import click

        return click.confirm(label, default=default, err=True)


@dataclasses.dataclass(frozen=True)
class SessionChoice:
    name: str
    start_url: str
    region: str
    scopes: str
    new: bool


@dataclasses.dataclass(frozen=True)
class Result:
    profile: str
    session: SessionChoice
    account_id: str
    account_name: str
    role_name: str
    region: str
    output: str
    diff: str
    dotfile: Optional[str] = None  # the .ssoenv written (or that would be)


def existing_sessions(text: str) -> Dict[str, SessionChoice]:
    """The `[sso-session]` sections of the config text, as botocore reads them."""

    doc = ConfigDocument(text)
    out = {}
    for s in doc.iter_sections("sso-session"):
        if doc.section("sso-session", s.name) is s:
            out[s.name] = SessionChoice(
                s.name,
                s.get("sso_start_url", ""),
                s.get("sso_region", ""),
                s.get("sso_registration_scopes", ""),
                False,
            )
    return out


def suggest_profile_name(
    text: str, session: str, account_id: str, account_name: str, role_name: str
) -> str:
    """A profile that already is this session, account and role keeps its name; otherwise
    `<account name>.<role>` slugged like populate, made unique with the account id."""

    doc = ConfigDocument(text)
    spans = doc.block_spans()
    for s in doc.iter_profiles():
        if (
            doc.section("profile", s.name) is s
            and doc.inside_block(s.start, spans) is None
            and s.get("sso_session") == session
            and s.get("sso_account_id") == account_id
            and s.get("sso_role_name") == role_name
        ):
            return s.name
    base = slug(f"{slug(account_name or account_id)}.{slug(role_name)}") or account_id
    used = set(doc.profile_names()) | {"default"}
    name, n = base, 2
    if name in used:
        name = f"{base}-{account_id}"
    while name in used:
        name, n = f"{base}-{account_id}-{n}", n + 1
    return name


def apply_configure(
    text: str,
    *,
    profile: str,
    session: SessionChoice,
    account_id: str,
    role_name: str,
    region: str = "",
    output: str = "",
) -> str:
    """The config text with the profile set to the session, account and role (and the
    session added when new). Every other line stays as it was."""

    doc = ConfigDocument(text)
    kind = "default" if profile == "default" else "profile"
    values = {"sso_session": session.name, "sso_account_id": account_id, "sso_role_name": role_name}
    if region:
        values["region"] = region
    if output:
        values["output"] = output
    if session.new:
        if doc.section("sso-session", session.name) is not None:
            raise ConfigError(f'the sso-session "{session.name}" is already in the AWS config')
    existing = doc.section("profile", profile)
    if existing is not None:
        if doc.inside_block(existing.start) is not None:
            raise ConfigError(
                f'profile "{profile}" is written by ssoenv populate, which would replace '
                "your edit; choose another name (--profile-name)"
            )
        kind = existing.kind
        for key in LEGACY_KEYS:
            doc.remove(kind, existing.name, key)
        for key, value in values.items():
            doc.set(kind, existing.name, key, value)
    else:
        doc.add_section(kind, None if kind == "default" else profile, values)
    if session.new:
        doc.add_section(
            "sso-session",
            session.name,
            {
                "sso_start_url": session.start_url,
                "sso_region": session.region,
                "sso_registration_scopes": session.scopes,
            },
        )
    return doc.text


def ensure_login(session, *, use_device_code: bool = False, open_browser: bool = True, out=None):
    """A usable token for `session`: the cached one (refreshed when due), else a login."""

    out = sys.stderr if out is None else out
    try:
        return refresh.ensure_fresh(session)
    except SsoError:
        if cache.token_status(tokens.load_token(session)) not in ("missing", "expired"):
            raise

    out.write(escape(f"ssoenv: logging in to {session.label}") + "\n")
    out.flush()
    return login.login(session, use_device_code=use_device_code, open_browser=open_browser, out=out)


def dotfile_prefill(opts: Options) -> Optional[str]:
    """Fill account, role, start URL and region from the nearest portable `.ssoenv`;
    returns its path."""

    found = locate.nearest(locate.logical_cwd())
    if found is None:
        raise SsoenvError("no .ssoenv here or in any parent directory for --from-dotfile")
    _, data = export.dotfile_data(found)
    if not (data.get("account") and data.get("role")):
        raise SsoenvError(
            f"{paths.display(found)} names a profile, not an account and role; "
            "--from-dotfile needs a portable .ssoenv (account:, role:)"
        )

    # Checked again here, not only when parsed: these values go into ~/.aws/config.
    for key in ("account", "role", "sso_start_url", "region"):
        problem = dotfile.portable_problem(key, data.get(key))
        if problem:
            raise SsoenvError(f"{paths.display(found)}: {problem}; fix the file")
    opts.account_id = opts.account_id or str(data["account"])
    opts.role_name = opts.role_name or data["role"]
    opts.start_url = opts.start_url or data.get("sso_start_url")
    if opts.region is None and data.get("region"):
        opts.region = data["region"]
    return found


def choose_session(text: str, opts: Options, ask: Asker) -> SessionChoice:
    known = existing_sessions(text)
    name = opts.sso_session
    if name is None and opts.start_url:
        wanted = normalize_start_url(opts.start_url)
        same = [s for s in known.values() if normalize_start_url(s.start_url) == wanted]
        if opts.sso_region:
            same = [s for s in same if s.region.lower() == opts.sso_region.lower()] or same
        if same:
            name = same[0].name
        else:
            base = session_name_from_url(opts.start_url)
            name, n = base, 2
            while name in known:
                name, n = f"{base}-{n}", n + 1
            if ask.interactive:
                name = ask.text("SSO session name", "--sso-session", name)
    if name is None:
        if not known or not ask.interactive:
            if not ask.interactive:
                raise ask._missing("--sso-session", "sso-session name")
            name = ask.text("SSO session name (new)", "--sso-session", hint=SESSION_HINT)
        else:
            names = sorted(known)
            width = max(len(n) for n in names)
            items = [f"{n.ljust(width)}  {known[n].start_url}" for n in names]
            items.append("a new sso-session…")
            i = ask.pick("SSO session", "--sso-session", items)
            if i == len(names):
                name = ask.text("SSO session name (new)", "--sso-session", hint=SESSION_HINT)
            else:
                name = names[i]
    if name in known:
        s = known[name]
        if opts.start_url and normalize_start_url(opts.start_url) != normalize_start_url(
            s.start_url
        ):
            raise UsageError(
                f'the sso-session "{name}" has the start URL {s.start_url}, not {opts.start_url}'
            )
        if not (s.start_url and s.region):
            raise ConfigError(f"[sso-session {name}] lacks sso_start_url or sso_region; fix it")
        return s
    start_url = opts.start_url or ask.text(
        "SSO start URL",
        "--start-url",
        hint="the address of your AWS access portal, e.g. https://myorg.awsapps.com/start",
    )
    region = opts.sso_region or ask.text(
        "SSO region", "--sso-region", hint="the region IAM Identity Center runs in, e.g. us-east-1"
    )
    scopes = opts.scopes
    if scopes is None:
        scopes = ask.text("SSO registration scopes", "--scopes", DEFAULT_SCOPES)
    return SessionChoice(name, start_url.strip(), region.strip(), scopes.strip(), True)


def listing_age(seconds: float) -> str:
    """`listed just now`, `listed 5 min ago`, `listed 3 h ago`."""
    minutes = int(max(0, seconds) // 60)
    if minutes < 1:
        return "listed just now"
    if minutes < 60:
        return "listed %d min ago" % minutes
    return "listed %d h ago" % (minutes // 60)


def _pick_account(
    accounts: List[dict], wanted: Optional[str], ask: Asker, label: str, age: Optional[str] = None
) -> dict:
    """The account wanted, or the one chosen from a menu whose title says the listing's
    `age`; raises menu.Refresh when the user asks to list again."""
    accounts = sorted(
        accounts, key=lambda a: ((a.get("accountName") or "").lower(), a["accountId"])
    )
    if wanted:
        key = wanted.strip()
        for a in accounts:
            if a["accountId"] == key or (not key.isdigit() and a.get("accountName") == key):
                return a
        if key.isdigit() and len(key) <= 12:
            for a in accounts:
                if a["accountId"] == key.zfill(12):
                    return a
        raise SsoenvError(
            f"account {wanted} is not among the {len(accounts)} accounts {label} can access"
        )
    if not accounts:
        raise SsoenvError(f"{label} gives access to no account")
    width = max(len(a.get("accountName") or "") for a in accounts)
    items = [
        f"{(a.get('accountName') or '').ljust(width)}  {a['accountId']}  {a.get('emailAddress') or ''}".rstrip()
        for a in accounts
    ]
    if age is None:
        return accounts[ask.pick(f"Account ({len(accounts)})", "--account-id", items)]
    title = f"Account ({len(accounts)}, {age}; Ctrl-R lists again)"
    return accounts[ask.pick(title, "--account-id", items, refreshable=True)]


def _pick_role(roles: List[str], wanted: Optional[str], ask: Asker, account: str) -> str:
    roles = sorted(roles)
    if wanted:
        if wanted not in roles:
            raise SsoenvError(
                f"role {wanted} is not yours in account {account} (yours: {', '.join(roles) or 'none'})"
            )
        return wanted
    if not roles:
        raise SsoenvError(f"no role of yours in account {account}")
    return roles[ask.pick("Role", "--role-name", roles)]


def run(opts: Options, ask: Asker, out=None) -> Result:
    """Ask, log in if needed, list, and write the profile. `out` gets the progress lines."""

    out = sys.stderr if out is None else out
    from_file = dotfile_prefill(opts) if opts.from_dotfile else None
    if opts.output and opts.output not in OUTPUT_FORMATS:
        raise UsageError(f"--output must be one of {', '.join(OUTPUT_FORMATS)}")
    snap = configedit.read_config()
    choice = choose_session(snap.text, opts, ask)
    session = SsoSession(choice.name, choice.start_url, choice.region, parse_scopes(choice.scopes))

    if opts.dry_run and opts.account_id and opts.role_name and opts.account_id.isdigit():
        # Nothing to choose: a dry run needs no login.
        account_id = opts.account_id.zfill(12)
        account = {
            "accountId": account_id,
            "accountName": account_names.load_names().get(account_id, ""),
        }
        role = opts.role_name
    else:
        if opts.dry_run:
            dry_run_token(session, choice)
        else:
            ensure_login(
                session,
                use_device_code=opts.use_device_code,
                open_browser=not opts.no_browser,
                out=out,
            )
        # From the cache `populate` and earlier menus fill, so a big organisation's menu
        # opens at once; listed (at the portal's pace) when missing, stale or --refresh.
        pacing = portal.Pacing(deadline_seconds=MENU_DEADLINE_SECONDS)
        store = not opts.dry_run
        refresh = opts.refresh
        while True:
            listed_at = None if refresh else assignments.accounts_listed_at(session)
            listed = assignments.accounts(session, refresh=refresh, pacing=pacing, store=store)
            age = listing_age(time.time() - (listed_at or time.time()))
            try:
                account = _pick_account(listed, opts.account_id, ask, session.label, age)
                break
            except menu.Refresh:
                refresh = True
        roles = assignments.roles(
            session, account["accountId"], refresh=refresh, pacing=pacing, store=store
        )
        role = _pick_role(roles, opts.role_name, ask, account["accountId"])

    suggested = suggest_profile_name(
        snap.text, choice.name, account["accountId"], account.get("accountName") or "", role
    )
    while True:
        profile = opts.profile_name or ask.text("Profile name", "--profile-name", suggested)
        before = existing_profile(snap.text, profile)
        if overwrite_ok(before, profile, choice.name, account, role, opts, ask, out):
            break
        if opts.profile_name:
            raise SsoenvError(f'nothing written; profile "{profile}" is left as it was')
    region = opts.region
    if region is None:
        # Reconfiguring a profile keeps its region unless told otherwise.
        region = ask.text("Default client region", "--region", before.get("region", choice.region))
    output = opts.output
    if output is None:
        output = ask.text(
            f"Default output format ({', '.join(OUTPUT_FORMATS)}; empty: none)",
            "--output",
            before.get("output", ""),
        )
    if output and output not in OUTPUT_FORMATS:
        raise UsageError(f"output format must be one of {', '.join(OUTPUT_FORMATS)}")

    def edit(text: str) -> str:
        return apply_configure(
            text,
            profile=profile,
            session=choice,
            account_id=account["accountId"],
            role_name=role,
            region=region or "",
            output=output or "",
        )

    diff = configedit.update_config(edit, dry_run=opts.dry_run)
    written = None
    if not from_file:
        written = _maybe_dotfile(opts, ask, profile, out)
    elif not opts.dry_run:
        out.write(escape(f"ssoenv: {paths.display(from_file)} now finds profile {profile}") + "\n")
        _hint_allow(from_file, out)
    return Result(
        profile,
        choice,
        account["accountId"],
        account.get("accountName") or "",
        role,
        region or "",
        output or "",
        diff,
        written,
    )


def existing_profile(text: str, name: str) -> Dict[str, str]:
    """The values of the profile `name` as botocore reads it; {} when there is none."""

    doc = ConfigDocument(text)
    section = doc.section("profile", name)
    if section is None:
        return {}
    return {k: v for k, v in section.as_dict().items() if isinstance(v, str)}


def _describe(values: Dict[str, str], names: Dict[str, str]) -> str:
    account = values.get("sso_account_id") or "none"
    name = names.get(account)
    where = values.get("sso_session") or values.get("sso_start_url")
    return "account %s%s, role %s%s" % (
        account,
        f" ({name})" if name else "",
        values.get("sso_role_name") or "none",
        f", {'sso-session ' if values.get('sso_session') else ''}{where}" if where else "",
    )


def overwrite_ok(
    before: Dict[str, str], profile: str, session: str, account: dict, role: str, opts, ask, out
) -> bool:
    """Whether to write `profile` when it exists and points elsewhere: at a terminal the
    user says so (default no), without one --force does. Showing old and new first."""

    new = {"sso_session": session, "sso_account_id": account["accountId"], "sso_role_name": role}
    if not before or all(before.get(k) == v for k, v in new.items()):
        return True  # a new profile, or the same one again: nothing is lost
    names = accounts.load_names()
    if account.get("accountName"):
        names = dict(names, **{account["accountId"]: account["accountName"]})
    change = f'profile "{profile}" is {_describe(before, names)}; it would become {_describe(new, names)}'
    if opts.force or opts.dry_run:
        out.write(f"ssoenv: {change}\n")
        return True
    if not ask.interactive:
        raise UsageError(f"{change}; overwriting it needs --force")
    out.write(f"ssoenv: {change}\n")
    out.flush()
    return ask.confirm(f"Overwrite profile {profile}?", "--force", False)


def dry_run_token(session, choice: SessionChoice) -> None:
    """A dry run lists accounts only with a login that works as it is: it signs in to
    nothing, renews nothing and registers nothing, since each would write a file."""

    token = None if choice.new else tokens.load_token(session)
    if cache.token_status(token) in ("valid", "refresh"):
        return
    if choice.new:
        need = f"listing accounts needs a sign-in to the new sso-session {choice.name}"
    else:
        need = f"listing accounts needs a sign-in to {session.label}, which is not logged in"
    fix = "pass --account-id (its number) and --role-name, or run without --dry-run"
    if not choice.new:
        fix = f"log in first (ssoenv login --sso-session {choice.name}), or " + fix
    raise SsoenvError(f"{need}, and a dry run writes nothing (no token, no registration); {fix}")


VCS_MARKERS = (".git", ".hg", ".svn", ".bzr", ".jj", "_darcs", ".fossil", "_FOSSIL_", ".pijul")


def _vcs_root(directory: str) -> Optional[str]:
    """The nearest directory at or above `directory`, below $HOME, that a version control
    system keeps (a home directory kept in git makes no project of everything under it)."""
    home = os.path.realpath(os.path.expanduser("~"))
    current = os.path.realpath(directory)
    while current not in (home, os.path.dirname(current)):
        if any(os.path.lexists(os.path.join(current, m)) for m in VCS_MARKERS):
            return current
        current = os.path.dirname(current)
    return None


def looks_like_project(directory: str) -> bool:
    """Whether a `.ssoenv` belongs in `directory` by default: inside a version-controlled
    tree, and neither $HOME nor /, where it would apply to everything below."""
    return not_a_project_reason(directory) is None


def not_a_project_reason(directory: str) -> Optional[str]:
    real = os.path.realpath(directory)
    if real == os.path.realpath(os.path.expanduser("~")):
        return "this is your home directory: it would apply everywhere in it"
    if real == os.path.dirname(real):
        return "this is /: it would apply everywhere"
    if _vcs_root(directory) is None:
        return "no version control here, so this may not be a project"
    return None


def _maybe_dotfile(opts: Options, ask: Asker, profile: str, out) -> Optional[str]:
    target = os.path.join(locate.logical_cwd(), locate.FILENAME)
    exists = os.path.lexists(target)
    wanted = opts.write_dotfile
    if wanted is None:
        if exists:
            return None
        here = os.path.dirname(target)
        project = looks_like_project(here)
        why = "" if project else f" ({not_a_project_reason(here)})"
        wanted = ask.confirm(
            f"Write {paths.display(target)} so this directory uses {profile}?{why}",
            "--write-dotfile",
            project and ask.interactive,
        )
    if not wanted:
        return None
    if exists and not ask.confirm(f"Replace {paths.display(target)}?", "--write-dotfile", False):
        raise SsoenvError(
            f"{paths.display(target)} already exists; the profile was written, "
            f"the .ssoenv left alone (replace it: ssoenv init --force {profile})"
        )
    text = dotfile.example(profile, None)
    if opts.dry_run:
        out.write(escape(f"ssoenv: would write and allow {paths.display(target)}") + "\n")
        return target
    dotfile.parse(text, target)
    paths.write_atomic(target, text, mode=0o644)
    digest, _ = export_module.dotfile_data(target)
    trust.allow(target, digest)
    return target


def _hint_allow(path: str, out) -> None:
    try:
        digest, _ = export.dotfile_data(path)
        state = trust.status(path, digest, userconfig.load().get("trusted_prefixes"))
    except SsoenvError:
        return
    if state != trust.ALLOWED and state != trust.TRUSTED_PREFIX:
        out.write(
            escape(f"ssoenv: {paths.display(path)} is {state}; to use it, run: ssoenv allow") + "\n"
        )
