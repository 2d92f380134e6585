"""Which of the user's profiles is for a given account and role, and the account names
ssoenv has seen in IAM Identity Center (so a portable `.ssoenv` may name an account)."""

import os

from ssoenv.base import fastjson, paths


def names_file() -> str:
    return os.path.join(paths.cache_dir(), "account-names.json")


def load_names() -> dict:
    """{account id: account name} as last listed by configure or populate."""
    try:
        with open(names_file(), "rb") as f:
            data = fastjson.loads(f.read())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remember_names(accounts) -> None:
    """Record the names of accounts from a ListAccounts answer."""
    names = load_names()
    before = dict(names)
    for account in accounts:
        if account.get("accountId") and account.get("accountName"):
            names[account["accountId"]] = account["accountName"]
    if names != before:
        import json

        paths.write_private(names_file(), json.dumps(names, sort_keys=True, indent=1))


def normalize_start_url(url) -> str:
    """Start URLs as people write them: trailing `/`, `#` and `/#/` make no difference."""
    url = (url or "").strip()
    while url and url[-1] in "/#":
        url = url[:-1]
    return url.lower()


def account_ids(account: str) -> set:
    """The ids an `account:` value may mean: the id itself, or the ids of accounts with
    that name."""
    if account.isdigit():
        return {account.zfill(12)}
    return {aid for aid, name in load_names().items() if name == account}


def may_have(values: dict, key: str, wanted) -> bool:
    """Whether a profile with these option values can resolve `key` to one of `wanted`: it
    names one, or leaves the key to its sso-session. (A value it names itself is the one
    it resolves to, or its sso-session names another and the profile has a problem.) Only
    the profiles this lets through are classified, a few of thousands."""
    if key not in values:
        return True
    value = values[key]
    return isinstance(value, str) and value in wanted


def matching_profiles(config, account: str, role: str, start_url=None) -> list:
    """SSO profiles (sso-session or legacy) for the account and role, in file order."""
    ids = account_ids(account)
    wanted_url = normalize_start_url(start_url) if start_url else None
    out = []
    roles = (role,)

    def keep(values):
        return may_have(values, "sso_role_name", roles) and may_have(values, "sso_account_id", ids)

    for profile in config.profiles.where(keep):
        if not profile.is_sso or profile.problems:
            continue
        if profile.account_id not in ids or profile.role_name != role:
            continue
        if wanted_url and normalize_start_url(profile.start_url) != wanted_url:
            continue
        out.append(profile)
    return out


def sessions_with_role(config, role: str, start_url=None) -> list:
    """The sso-sessions (as `[name, start URL, region, scopes, profile]`) of the SSO profiles
    with `role`, at `start_url` when given: where an account name may be looked up."""
    wanted_url = normalize_start_url(start_url) if start_url else None
    out, seen = [], set()
    roles = (role,)
    for profile in config.profiles.where(lambda values: may_have(values, "sso_role_name", roles)):
        if not profile.is_sso or profile.problems or profile.role_name != role:
            continue
        if wanted_url and normalize_start_url(profile.start_url) != wanted_url:
            continue
        name, _ = profile.token_key()
        url, region = profile.start_url, profile.sso_region
        section = config.sso_sessions.get(name) if name else None
        if (name, url) in seen or not (url and region):
            continue
        seen.add((name, url))
        out.append([name, url, region, list(section.scopes) if section else [], profile.name])
    return out
