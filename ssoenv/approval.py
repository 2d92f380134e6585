"""What `ssoenv allow` approves, in the words the user reviews: the profile with the account
and role it resolves to, the region, and each variable with its value."""

from typing import List

from ssoenv import envrule, paths, profiles
from ssoenv.errors import SsoenvError


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
        target = []
        if info.get("account_id"):
            target.append("account %s" % info["account_id"])
        if info.get("role_name"):
            target.append("role %s" % info["role_name"])
        resolved = " (%s)" % ", ".join(target) if target else " (%s)" % info.get("kind")
        out.append("profile: %s%s" % (info["name"], resolved))
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
        if why is not None and not (name in allowed and envrule.permittable(name)):
            shown += " (%s)" % envrule.not_set(name, why, settings_file)
        out.append("env:     %s" % shown)
    return out
