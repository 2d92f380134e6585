"""`use ssoenv` in a direnv `.envrc`: bash statements applying the nearest `.ssoenv`, or a
profile, within the environment direnv evaluates.

direnv records and undoes what an `.envrc` changed, so ssoenv's own bookkeeping variables
(SSOENV_*) stay out: each evaluation starts from the environment before the `.envrc`."""

import os
import sys

from ssoenv import shells
from ssoenv.aws import profiles
from ssoenv.base import paths
from ssoenv.base.errors import SsoenvError
from ssoenv.base.safetext import escape
from ssoenv.prompt import alongside, export, locate, signin, trust, userconfig

USAGE = "usage: use ssoenv [PROFILE]"


# Bookkeeping that belongs to the shell hook, never to an `.envrc`: ssoenv's records, and
# direnv's own state, which the hook reads to work beside direnv (inside an `.envrc` there
# is nothing to work beside: direnv undoes whatever the `.envrc` changed).
_NOT_HERE = export.STATE_VARS + (alongside.MEMO,) + alongside.DIRENV_OWN


def for_dotfile(env) -> tuple:
    """(changes, messages, status) for the nearest `.ssoenv`, as the hook would enter it."""
    clean = {k: v for k, v in env.items() if k not in _NOT_HERE}
    changes, messages = export.compute(clean)
    changes = {k: v for k, v in changes.items() if k not in _NOT_HERE}
    return changes, messages, 0


def for_profile(env, name: str) -> tuple:
    """(changes, messages, status) for `use ssoenv PROFILE`: the profile and its region."""
    settings, problem = userconfig.load_or_defaults()
    messages = [problem] if problem else []
    try:
        info = profiles.profile_info(name)
    except SsoenvError as e:
        return {}, messages + ["use ssoenv %s: %s" % (name, e)], 1
    if info["problems"]:
        line = 'use ssoenv %s: profile "%s": %s' % (name, name, info["problems"][0])
        return {}, messages + [line] + info["warnings"], 1
    wanted = profiles.profile_variables(name)
    if info["region"]:
        wanted["AWS_REGION"] = wanted["AWS_DEFAULT_REGION"] = info["region"]
    if not settings.get("quiet"):
        region = " (region %s)" % info["region"] if info["region"] else ""
        messages.append("loaded profile %s%s" % (name, region))
    messages.extend(info["warnings"])
    messages.extend(signin.login_step(info, settings.get("login") or "hint"))
    if env.get("AWS_ACCESS_KEY_ID"):
        messages.append(
            "AWS_ACCESS_KEY_ID is set in this shell, so AWS tools ignore AWS_PROFILE; "
            "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN"
        )
    changes = {k: v for k, v in wanted.items() if env.get(k) != v}
    return changes, messages, 0


def watched(env) -> list:
    """The files whose change should make direnv evaluate the `.envrc` again."""
    cwd = locate.logical_cwd(env)
    nearest = locate.nearest(cwd) or os.path.join(cwd, locate.FILENAME)
    return [
        nearest,
        trust.ensure_generation_file(),
        paths.user_config_file(),
        paths.aws_config_file(),
        paths.aws_credentials_file(),
    ]


def main(argv) -> int:
    if len(argv) > 1 or argv[:1] in (["-h"], ["--help"]):
        sys.stderr.write("ssoenv: %s\n" % USAGE)
        return 2
    env = os.environ
    try:
        files = watched(env)
    except SsoenvError as e:
        sys.stderr.write("ssoenv: %s\n" % escape(e))
        return 1
    if argv:
        changes, messages, status = for_profile(env, argv[0])
    else:
        if locate.nearest(locate.logical_cwd(env)) is None:
            changes, status = {}, 1
            messages = [
                "use ssoenv: no .ssoenv in %s or any parent directory; create one "
                "(ssoenv init PROFILE) or name a profile: use ssoenv PROFILE"
                % paths.display(locate.logical_cwd(env))
            ]
        else:
            changes, messages, status = for_dotfile(env)
    bash = shells.get("bash")
    text = bash.render(changes)
    text += "watch_file %s;\n" % " ".join(bash.quote(f) for f in files)
    # Escaped as the hook's are: a `.ssoenv` nobody allowed, or the profile an `.envrc`
    # names, may hold what a terminal acts on, and direnv passes stderr straight through.
    for line in messages:
        sys.stderr.write("ssoenv: %s\n" % escape(line))
    sys.stderr.flush()
    sys.stdout.buffer.write(text.encode("utf-8", "surrogateescape"))
    sys.stdout.flush()
    return status
