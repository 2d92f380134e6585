"""What `ssoenv allow` approves, in the words the user reviews: the profile with the account
and role it resolves to, the region, and each variable with its value, marked as data, as
refused, or as changing how programs run where the user's settings permit it."""

from typing import List, Optional, Tuple

from ssoenv.aws import accounts, profiles
from ssoenv.base import paths
from ssoenv.base.errors import SsoenvError
from ssoenv.prompt import envrule


def role_of_arn(arn: str) -> Tuple[Optional[str], Optional[str]]:
    """(account, role name) of `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`."""
    parts = (arn or "").split(":", 5)
    if len(parts) == 6 and parts[5].startswith("role/"):
        return parts[4], parts[5].rsplit("/", 1)[1]
    return None, None


def _account(account_id: str, names: dict) -> str:
    name = names.get(account_id)
    return "account %s %s" % (account_id, name) if name else "account %s" % account_id


def final_role(info: dict) -> Tuple[Optional[str], Optional[str]]:
    """(account, role) the profile's keys act as: the last role a chain assumes."""
    if info.get("hops"):
        return role_of_arn(info["hops"][-1]["role_arn"])
    return info.get("account_id"), info.get("role_name")


def profile_words(info: dict, names: Optional[dict] = None) -> str:
    """`dev (account 111111111111 Dev, role ReadOnly)`: the account and role a profile's
    keys act as, for a role chain the role assumed last."""
    names = accounts.load_names() if names is None else names
    account, role = final_role(info)
    target = []
    if account:
        target.append(_account(account, names))
    if role:
        target.append("role %s" % role)
    if not target:
        return "%s (%s)" % (info["name"], info.get("kind"))
    chain = ", a role chain:" if info.get("hops") else ""
    return "%s (%s)%s" % (info["name"], ", ".join(target), chain)


def chain_lines(info: dict, names: Optional[dict] = None) -> List[str]:
    """For a role chain, each step down to the role its keys act as, with its account:
    `1. dev-ro signs in to account 111111111111 as role ReadOnly`, then
    `2. deployer assumes role Deployer in account 123456789012 prod`."""
    if not info.get("hops"):
        return []
    names = accounts.load_names() if names is None else names
    root = (info.get("via") or [info["name"]])[-1]
    first = "1. %s signs in to %s as role %s" % (
        root,
        _account(info.get("account_id") or "?", names),
        info.get("role_name") or "?",
    )
    out = [first]
    for number, hop in enumerate(info["hops"], 2):
        account, role = role_of_arn(hop["role_arn"])
        if account is None:
            what = hop["role_arn"]
        else:
            what = "role %s in %s" % (role, _account(account, names))
        out.append("%d. %s assumes %s" % (number, hop["profile"], what))
    return out


def lines(dot: dict, settings: dict) -> List[str]:
    out = []
    try:
        if dot.get("profile"):
            info = profiles.profile_info(dot["profile"])
        else:
            found = profiles.portable_info(dot["account"], dot["role"], dot.get("sso_start_url"))
            if "match" not in found:
                raise SsoenvError(
                    "account %s is not known by name yet; it is looked up when the hook or a "
                    "command needs it" % dot["account"]
                )
            info = found["match"]
        out.append("profile: %s" % profile_words(info))
        out.extend("  " + line for line in chain_lines(info))
    except SsoenvError:
        # `allow` says why on a warning line of its own.
        named = dot.get("profile") or "account %s, role %s" % (dot.get("account"), dot.get("role"))
        out.append("profile: %s" % named)
    if dot.get("region"):
        out.append("region:  %s" % dot["region"])
    if dot.get("credentials"):
        out.append("keys:    role credentials are exported as AWS_ACCESS_KEY_ID and friends")
    allowed = settings.get("allowed_variables") or ()
    settings_file = paths.display(paths.user_config_file())
    for name, value in (dot.get("env") or {}).items():
        shown = "%s=%s" % (name, envrule.masked(name, value))
        why = envrule.reason(name)
        if why is None:
            shown += " (data)"
        elif name in allowed and envrule.permittable(name):
            # The user's own settings let it through: say so, so the approval is informed.
            shown += " (changes how programs run: %s; permitted by allowed_variables in %s)" % (
                why,
                settings_file,
            )
        else:
            shown += " (%s)" % envrule.not_set(name, why, settings_file)
        out.append("env:     %s" % shown)
    return out
