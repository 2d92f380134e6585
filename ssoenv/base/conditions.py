"""The words for each condition ssoenv reports, and its level, the same in status, doctor
and the hook: a login's state as a person would say it, two profile variables that disagree."""

import time

# No typing import: it pulls in `re`, which the hook's path (the prompt's login hint) does
# without.

# The three levels; only problems make `ssoenv doctor` exit 1.
PROBLEM = "problem"  # something does not work: botocore refuses it, a login is gone
WARNING = "warning"  # works, but not as the user probably thinks, or needs a step soon
OK = "ok"  # a line of information

LOGIN = "ssoenv login"


def worded(level: str, text: str) -> str:
    """`warning: TEXT`: how every report shows a condition's level."""
    return "%s: %s" % (level, text)


def span(seconds: float) -> str:
    """`40 s`, `12 min`, `7 h 59 min`, `3 days`: a length of time as a person says it."""
    s = int(abs(seconds))
    if s < 60:
        return "%d s" % s
    if s < 3600:
        return "%d min" % (s // 60)
    if s < 86400:
        hours, minutes = s // 3600, s % 3600 // 60
        return "%d h %d min" % (hours, minutes) if minutes else "%d h" % hours
    days = s // 86400
    return "%d day%s" % (days, "" if days == 1 else "s")


def profile_disagreement(env) -> "tuple[str, str] | None":
    """(level, words) when the two profile variables name different profiles: the AWS CLI
    and boto3 still work, with another profile than AWS_PROFILE says: a warning."""
    default, profile = env.get("AWS_DEFAULT_PROFILE"), env.get("AWS_PROFILE")
    if default and profile and default != profile:
        return WARNING, (
            "AWS_DEFAULT_PROFILE=%s outranks AWS_PROFILE=%s for the AWS CLI and boto3 "
            "(other SDKs take AWS_PROFILE); unset AWS_DEFAULT_PROFILE" % (default, profile)
        )
    return None


def token_condition(
    state: str,
    expires_epoch: "float | None" = None,
    *,
    refreshable: bool = False,
    renewable_until: "str | None" = None,
    failure: "str | None" = None,
    failure_needs_login: bool = False,
    login: str = LOGIN,
    now: "float | None" = None,
) -> "tuple[str, str]":
    """(level, words) of a cached login: `valid for 7 h 59 min, renewable until …`,
    `expires in 12 min`, `expired 5 min ago; run: ssoenv login`.

    `state` is the cache's (missing, valid, refresh, expired); `failure` the reason of a
    renewal that failed since the token was written, `failure_needs_login` when only a new
    sign-in can fix it."""
    if state == "missing" or expires_epoch is None:
        return WARNING, "not logged in; run: %s" % login
    now = time.time() if now is None else now
    left = expires_epoch - now
    if state == "expired":
        when = "expired %s ago" % span(left)
    elif state == "refresh":
        when = "expires in %s" % span(left)
    else:
        when = "valid for %s" % span(left)
    until = " (renewable until %s)" % renewable_until if renewable_until else ""
    if failure and failure_needs_login:
        return PROBLEM, "%s; renewal failed (%s); run: %s" % (when, failure, login)
    if failure:
        return WARNING, "%s; the last renewal failed (%s); it is tried again at its next use" % (
            when,
            failure,
        )
    if refreshable:
        if state == "valid":
            return OK, "%s, renewable%s" % (
                when,
                " until %s" % renewable_until if renewable_until else "",
            )
        return OK, "%s; renewed at its next use%s" % (when, until)
    if state == "expired":
        return WARNING, "%s; run: %s" % (when, login)
    if state == "refresh":
        return WARNING, "%s and cannot be renewed; then run: %s" % (when, login)
    return OK, "%s; then run: %s" % (when, login)
