"""Write one profile per account and role of an sso-session into a block ssoenv owns."""

import dataclasses
import re
from typing import Dict, Iterable, List, Optional, Set, Tuple

from ssoenv.aws.configedit import ConfigDocument, quote_name, section_header
from ssoenv.base.errors import ConfigError

DEFAULT_TEMPLATE = "{account_name}.{role_name}"
TEMPLATE_FIELDS = ("account_name", "account_id", "role_name", "session")
NOTICE = "# Written by ssoenv populate: edits inside this block are replaced on the next run."

_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
# IAM role names: [\w+=,.@-]+ (the portal only returns those).
_ROLE_NAME = re.compile(r"^[\w+=,.@-]+$", re.ASCII)


def block_tag(session_name: str) -> str:
    """The text after `# BEGIN ` / `# END ` that marks the session's block."""
    return f"ssoenv populate {session_name}"


def block_profiles(text: str, session_name: str) -> dict:
    """{profile name: its keys} of the session's populated block in `text`."""
    content = ConfigDocument(text).block_content(block_tag(session_name))
    if content is None:
        return {}
    return {s.name: s.as_dict() for s in ConfigDocument(content).iter_profiles()}


def slug(text: str) -> str:
    """Lower-case, keep `[a-z0-9._-]`, turn each run of anything else into one `-`."""
    return re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-")


@dataclasses.dataclass(frozen=True)
class Assignment:
    account_id: str
    account_name: str
    role_name: str


@dataclasses.dataclass(frozen=True)
class PopulatedProfile:
    name: str
    account_id: str
    role_name: str
    region: Optional[str] = None


def _assignments(accounts_roles: Iterable[dict]) -> List[Assignment]:
    out = {}
    for item in accounts_roles:
        account_id = str(item.get("accountId", "")).strip()
        role = str(item.get("roleName", "")).strip()
        if not _ACCOUNT_ID.match(account_id):
            raise ConfigError(f"the portal returned an invalid account id: {account_id!r}")
        if not _ROLE_NAME.match(role):
            raise ConfigError(f"the portal returned an invalid role name: {role!r}")
        name = " ".join(str(item.get("accountName") or account_id).split())
        out[(account_id, role)] = Assignment(account_id, name, role)
    return sorted(out.values(), key=lambda a: (a.account_name.lower(), a.account_id, a.role_name))


def _base_name(template: str, a: Assignment, session: str) -> str:
    try:
        # Each field is slugged on its own first: "Data Lake (EU)" + "." + "Analyst"
        # gives data-lake-eu.analyst, not data-lake-eu-.analyst.
        raw = template.format(
            account_name=slug(a.account_name),
            account_id=a.account_id,
            role_name=slug(a.role_name),
            session=slug(session),
        )
    except (KeyError, IndexError, ValueError, AttributeError):
        fields = ", ".join("{" + f + "}" for f in TEMPLATE_FIELDS)
        raise ConfigError(
            f"invalid profile name template {template!r}; it may use {fields}"
        ) from None
    return slug(raw) or slug(f"{a.account_id}.{a.role_name}")


def _free_name(base: str, account_id: str, used: Set[str]) -> str:
    # Deterministic: the plain name, then with the account id, then a counter.
    if base not in used:
        return base
    name = f"{base}-{account_id}"
    n = 2
    while name in used:
        name = f"{base}-{account_id}-{n}"
        n += 1
    return name


def plan_profiles(
    session_name: str,
    accounts_roles: Iterable[dict],
    *,
    template: str = DEFAULT_TEMPLATE,
    region: Optional[str] = None,
    existing_names: Iterable[str] = (),
    previous: Optional[Dict[Tuple[str, str], PopulatedProfile]] = None,
    keep_unlisted: bool = False,
) -> List[PopulatedProfile]:
    """The profiles for a block, sorted by name.

    `existing_names` are never used (`default` never is). A (account, role) found in
    `previous` keeps its name when it is still free, so re-running never renames profiles;
    with `keep_unlisted`, previous profiles no longer listed are kept too. `region` applies
    to listed profiles; when None they keep the region they had."""
    previous = previous or {}
    used: Set[str] = set(existing_names) | {"default"}
    wanted = _assignments(accounts_roles)
    result: Dict[Tuple[str, str], PopulatedProfile] = {}
    listed = {(a.account_id, a.role_name) for a in wanted}
    carried = [k for k in previous if keep_unlisted and k not in listed]
    # Names already given out keep precedence, in a stable order.
    for key in sorted(listed | set(carried)):
        old = previous.get(key)
        if old is not None and old.name not in used:
            reg = (region or old.region) if key in listed else old.region
            result[key] = PopulatedProfile(old.name, key[0], key[1], reg)
            used.add(old.name)
    for a in wanted:
        key = (a.account_id, a.role_name)
        if key in result:
            continue
        old = previous.get(key)
        name = _free_name(_base_name(template, a, session_name), a.account_id, used)
        used.add(name)
        result[key] = PopulatedProfile(
            name, a.account_id, a.role_name, region or (old and old.region)
        )
    for key in carried:
        if key not in result:
            old = previous[key]
            name = _free_name(slug(old.name) or slug(f"{key[0]}.{key[1]}"), key[0], used)
            used.add(name)
            result[key] = PopulatedProfile(name, key[0], key[1], old.region)
    return sorted(result.values(), key=lambda p: p.name)


def _render(session_name: str, profiles: List[PopulatedProfile], nl: str = "\n") -> str:
    quote_name(session_name)  # refuses names no header could hold
    out = [NOTICE + nl]
    for i, p in enumerate(profiles):
        if i:
            out.append(nl)
        out.append(section_header("profile", p.name) + nl)
        out.append(f"sso_session = {session_name}{nl}")
        out.append(f"sso_account_id = {p.account_id}{nl}")
        out.append(f"sso_role_name = {p.role_name}{nl}")
        if p.region:
            out.append(f"region = {p.region}{nl}")
    return "".join(out)


def render_populate_block(
    session_name: str,
    accounts_roles: Iterable[dict],
    *,
    template: str = DEFAULT_TEMPLATE,
    region: Optional[str] = None,
    existing_names: Iterable[str] = frozenset(),
) -> str:
    """The whole block, `# BEGIN ssoenv populate <session>` to `# END ...`, with one
    `[profile]` per (account, role) of `accounts_roles` (ListAccounts/ListAccountRoles
    items: `{"accountId", "accountName", "roleName"}`).

    Names come from `template` (fields: account_name, account_id, role_name, session),
    slugged; a name in `existing_names` or already given gets `-<account id>`, then a
    counter. Raises ConfigError on an invalid template, account id or role name."""
    profiles = plan_profiles(
        session_name,
        accounts_roles,
        template=template,
        region=region,
        existing_names=existing_names,
    )
    tag = block_tag(session_name)
    return f"# BEGIN {tag}\n" + _render(session_name, profiles) + f"# END {tag}\n"


def _previous(doc: ConfigDocument, span) -> Dict[Tuple[str, str], PopulatedProfile]:
    if span is None:
        return {}
    inner = ConfigDocument("".join(doc.lines[span[0] + 1 : span[1]]))
    out = {}
    for s in inner.iter_profiles():
        account, role = s.get("sso_account_id"), s.get("sso_role_name")
        if account and role:
            out[(account, role)] = PopulatedProfile(s.name, account, role, s.get("region"))
    return out


def previous_profiles(
    text: str, session_name: str
) -> Optional[Dict[Tuple[str, str], PopulatedProfile]]:
    """The profiles of the session's block, by (account, role); None when there is no block
    (the session was never populated)."""
    doc = ConfigDocument(text)
    span = doc.find_block(block_tag(session_name))
    return None if span is None else _previous(doc, span)


@dataclasses.dataclass
class OrgChanges:
    """What the organisation gained and lost since the last populate, by account."""

    accounts_added: List[Tuple[str, List[str]]]  # (account id, roles)
    accounts_removed: List[Tuple[str, List[str]]]
    roles_added: List[Tuple[str, str]]  # (account id, role)
    roles_removed: List[Tuple[str, str]]

    def summary(self) -> str:
        if not (
            self.accounts_added or self.accounts_removed or self.roles_added or self.roles_removed
        ):
            return "since the last populate: no account or role added or removed"

        def count(n: int, what: str) -> str:
            return "%d %s%s" % (n, what, "" if n == 1 else "s")

        return "since the last populate: %s added, %d removed; %s added, %d removed" % (
            count(len(self.accounts_added), "account"),
            len(self.accounts_removed),
            count(len(self.roles_added), "role"),
            len(self.roles_removed),
        )

    def lines(
        self,
        names: Dict[str, str],
        previous: Dict[Tuple[str, str], PopulatedProfile],
        pruned: bool,
    ) -> List[str]:
        """One line per account added or removed and per role added or removed, by name."""

        def account(aid: str) -> str:
            name = names.get(aid)
            return "%s (%s)" % (name, aid) if name and name != aid else aid

        def fate(keys) -> str:
            profiles = [previous[k].name for k in keys if k in previous]
            if not profiles:
                return ""
            them = "profile%s %s" % ("" if len(profiles) == 1 else "s", ", ".join(profiles))
            if pruned:
                return " (%s removed)" % them
            return " (%s kept; --prune removes %s)" % (them, "it" if len(profiles) == 1 else "them")

        out = []
        for aid, roles in self.accounts_added:
            out.append("account added: %s: %s" % (account(aid), ", ".join(roles)))
        for aid, roles in self.accounts_removed:
            keys = [(aid, r) for r in roles]
            out.append("account removed: %s: %s%s" % (account(aid), ", ".join(roles), fate(keys)))
        for aid, role in self.roles_added:
            out.append("role added: %s: %s" % (account(aid), role))
        for aid, role in self.roles_removed:
            out.append("role removed: %s: %s%s" % (account(aid), role, fate([(aid, role)])))
        return out


def org_changes(previous: Iterable[Tuple[str, str]], accounts_roles: Iterable[dict]) -> OrgChanges:
    """Compare the (account, role) pairs of the last populate with a fresh listing."""
    before: Dict[str, Set[str]] = {}
    for aid, role in previous:
        before.setdefault(aid, set()).add(role)
    now: Dict[str, Set[str]] = {}
    for a in _assignments(accounts_roles):
        now.setdefault(a.account_id, set()).add(a.role_name)
    changes = OrgChanges([], [], [], [])
    for aid in sorted(set(before) | set(now)):
        old, new = before.get(aid, set()), now.get(aid, set())
        if not old:
            changes.accounts_added.append((aid, sorted(new)))
        elif not new:
            changes.accounts_removed.append((aid, sorted(old)))
        else:
            changes.roles_added += [(aid, r) for r in sorted(new - old)]
            changes.roles_removed += [(aid, r) for r in sorted(old - new)]
    return changes


def apply_populate(
    text: str,
    session_name: str,
    accounts_roles: Iterable[dict],
    *,
    prune: bool = False,
    template: str = DEFAULT_TEMPLATE,
    region: Optional[str] = None,
) -> str:
    """Update (or append) the session's block in `text` and return the new text.

    Profiles already in the block keep their names. Without `prune`, profiles of
    assignments no longer listed stay in the block; with it they go. Profiles outside
    the block are never redefined: a clashing name gets `-<account id>`. Raises
    ConfigError when the `[sso-session]` is missing or the block's markers are damaged."""
    doc = ConfigDocument(text)
    if doc.section("sso-session", session_name) is None:
        raise ConfigError(
            f'the sso-session "{session_name}" is not in the AWS config; add it first'
        )
    tag = block_tag(session_name)
    span = doc.find_block(tag)
    outside = {
        s.name for s in doc.iter_profiles() if span is None or not span[0] < s.start < span[1]
    }
    profiles = plan_profiles(
        session_name,
        accounts_roles,
        template=template,
        region=region,
        existing_names=outside,
        previous=_previous(doc, span),
        keep_unlisted=not prune,
    )
    doc.set_block(tag, _render(session_name, profiles, doc.newline))
    return doc.text
