"""`ssoenv export SHELL`: what the current directory needs, as statements for the shell.

This is the hook's path: it imports neither click nor boto3, and parses YAML or the AWS
config only when a cached result no longer matches the files."""

import os
import time

from ssoenv import alongside, cache, envdiff, locate, paths, trust, userconfig
from ssoenv.errors import SsoenvError

# ssoenv's own bookkeeping, kept in each shell's environment.
FILE = "SSOENV_FILE"  # the nearest .ssoenv last looked at ("" or unset: none)
STAMP = "SSOENV_STAMP"  # a file with that .ssoenv's mtime then
TRUST = "SSOENV_TRUST"  # the trust generation file
TSTAMP = "SSOENV_TSTAMP"  # a file with the generation file's mtime then
DIFF = "SSOENV_DIFF"  # the record of what ssoenv set, and what was there before
RENEW_AT = "SSOENV_RENEW_AT"  # epoch seconds when exported role credentials need renewing
WATCH = "SSOENV_WATCH"  # files the profile came from, one a line (AWS config, credentials...)
WSTAMP = "SSOENV_WSTAMP"  # a file with the newest mtime among them then
STATE_VARS = (FILE, STAMP, TRUST, TSTAMP, DIFF, RENEW_AT, WATCH, WSTAMP)
# How long a shell without the keys it wants waits before the hook asks again.
KEYS_RETRY_SECONDS = 60
KEY_VARS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
)


class Outcome:
    """What the current directory needs and what to tell the user about it."""

    def __init__(self):
        self.file = None  # the nearest .ssoenv path, or None
        self.dotfile = None  # its parsed content (a dict), when readable and valid
        self.profile = None  # the resolved profile (a dict), when applied
        self.trust = None
        self.wanted = {}  # variables to apply
        self.errors = []  # one line each
        self.notices = []  # not-allowed and similar, shown even when quiet
        self.token_file = None  # the token cache file to watch while keys wait for a login


def dotfile_data(path: str):
    """(content hash, parsed dict) of a `.ssoenv`; raises SsoenvError. Cached on content."""
    data = locate.read_bytes(path)
    digest = locate.content_hash(path, data)
    cached = cache.get("dotfile", path, digest)
    if cached is None:
        from ssoenv import dotfile

        try:
            cached = {"value": dotfile.load_text(path, data).to_json()}
        except SsoenvError as e:
            cached = {"error": str(e)}
        cache.put("dotfile", path, digest, cached)
    if "error" in cached:
        raise SsoenvError(cached["error"])
    return digest, cached["value"]


def _profile_value(p, config) -> dict:
    session_name, start_url = p.token_key()
    session = None
    if p.kind == "sso-session" and session_name in config.sso_sessions:
        section = config.sso_sessions[session_name]
        session = [session_name, section.start_url, section.region, list(section.scopes)]
    elif p.kind == "legacy-sso":
        session = [None, p.start_url, p.sso_region, []]
    return {
        "session": session,
        "name": p.name,
        "kind": p.kind,
        "sso_session": session_name,
        "start_url": start_url,
        "account_id": p.account_id,
        "role_name": p.role_name,
        "region": p.region,
        "problems": list(p.problems),
        "warnings": list(p.warnings),
    }


def _cached_on_aws_files(kind: str, name: str, compute):
    """compute(config) -> value, cached on the identity of both AWS files (and of the
    account names ssoenv has seen, which portable files may use)."""
    from ssoenv import accounts

    config_path, creds_path = paths.aws_config_file(), paths.aws_credentials_file()
    names_path = accounts.names_file()
    key = [
        config_path,
        cache.file_key(config_path),
        creds_path,
        cache.file_key(creds_path),
        cache.file_key(names_path),
    ]
    cached = cache.get(kind, config_path + "\0" + name, key)
    if cached is None:
        from ssoenv import awsconfig

        try:
            cached = {"value": compute(awsconfig.build(config_path, creds_path))}
        except SsoenvError as e:
            cached = {"error": str(e)}
        cache.put(kind, config_path + "\0" + name, key, cached)
    if "error" in cached:
        raise SsoenvError(cached["error"])
    return cached["value"]


def profile_info(name: str) -> dict:
    """What the hook needs of a named profile."""

    def compute(config):
        if not config.config_exists and name not in config.profiles:
            raise SsoenvError(
                'profile "%s" not found: %s does not exist; run: ssoenv configure'
                % (name, paths.display(config.config_path))
            )
        return _profile_value(config.profile(name), config)

    return _cached_on_aws_files("profile", name, compute)


def portable_info(account: str, role: str, start_url) -> dict:
    """The user's own profile for what a portable `.ssoenv` names: {"match": profile value,
    "others": [names of further matches]}; SsoenvError when there is none."""
    from ssoenv import accounts

    def compute(config):
        matches = accounts.matching_profiles(config, account, role, start_url)
        if not matches:
            where = " at %s" % start_url if start_url else ""
            raise SsoenvError(
                "no profile of yours is for account %s and role %s%s; "
                "run: ssoenv configure --from-dotfile" % (account, role, where)
            )
        return {
            "match": _profile_value(matches[0], config),
            "others": [p.name for p in matches[1:]],
        }

    return _cached_on_aws_files("portable", "\0".join([account, role, start_url or ""]), compute)


def variables(dot: dict) -> dict:
    out = {}
    if dot.get("profile"):
        out["AWS_PROFILE"] = dot["profile"]
    if dot.get("region"):
        out["AWS_REGION"] = dot["region"]
        out["AWS_DEFAULT_REGION"] = dot["region"]
    out.update(dot.get("env") or {})
    return out


def evaluate(env, settings) -> Outcome:
    """Everything about the current directory, errors included; never raises SsoenvError."""
    out = Outcome()
    pwd = env.get("PWD", "")
    if pwd.startswith("/") and not os.path.isdir(pwd):
        try:
            now = os.getcwd()
        except OSError:
            now = None
        if now:
            # The hook's own search sees no project here, as long as $PWD names nothing:
            # say so once, rather than load the file at the new path behind its back.
            out.errors.append(
                "the current directory %s was moved or renamed; to use its .ssoenv, run: cd %s"
                % (paths.display(pwd), paths.display(now))
            )
            return out
    try:
        cwd = locate.logical_cwd(env)
    except SsoenvError as e:
        # The hook's own search also counts a deleted directory as no project.
        out.errors.append(str(e))
        return out
    out.file = locate.nearest(cwd)
    if out.file is None:
        return out
    shown = paths.display(out.file)
    try:
        digest, dot = dotfile_data(out.file)
    except SsoenvError as e:
        out.errors.append(str(e))
        return out
    out.trust = trust.status(out.file, digest, settings.get("trusted_prefixes"))
    if out.trust == trust.DENIED:
        out.notices.append("%s is denied; to use it, run: ssoenv allow" % shown)
        return out
    if out.trust == trust.UNKNOWN:
        out.notices.append("%s is not allowed; run: ssoenv allow" % shown)
        return out
    out.dotfile = dot
    try:
        if dot.get("profile"):
            info = profile_info(dot["profile"])
        else:
            found = portable_info(dot["account"], dot["role"], dot.get("sso_start_url"))
            info = found["match"]
            if found["others"]:
                out.notices.append(
                    "%s: profiles %s match too; using %s, the first in your config"
                    % (shown, ", ".join(found["others"]), info["name"])
                )
    except SsoenvError as e:
        out.errors.append("%s: %s" % (shown, e))
        return out
    if info["problems"]:
        out.errors.append('%s: profile "%s": %s' % (shown, info["name"], info["problems"][0]))
        # A dashed key is often why a required key is missing: say so with the error.
        out.errors.extend(info["warnings"])
        return out
    out.profile = info
    out.wanted = variables(dict(dot, profile=info["name"]))
    return out


def _sso_session(profile: dict):
    from ssoenv.sso.session import SsoSession

    name, start_url, region, scopes = profile["session"]
    return SsoSession(
        name=name, start_url=start_url, region=region, scopes=tuple(scopes), profile=profile["name"]
    )


def login_step(profile: dict, mode: str) -> list:
    """What the hook does about the profile's sign-in, and the lines that say so.

    A token inside the refresh window (or expired, with a refresh token) is refreshed by a
    detached process, so the prompt never waits on the network. A missing or dead one gets
    the hint, or with `login: auto` at a terminal, the login itself."""
    session = profile.get("session")
    if not session or not session[1] or not session[2]:
        return []
    from ssoenv.sso import cache as token_cache

    name, start_url = session[0], session[1]
    path = token_cache.token_cache_path(name, start_url)
    token = token_cache.read_token(path)
    state = token_cache.token_status(token)
    if state == "valid":
        return []
    what = 'session "%s"' % name if name else 'profile "%s"' % profile["name"]
    if token is not None and name and token.get("refreshToken"):
        from ssoenv.sso import refresh, tokens

        if state != "expired" or tokens.registration_is_live(token):
            sso = _sso_session(profile)
            refresh.start_background_refresh(sso)
            if state != "expired":
                return []
            # Promise a renewal only while none has failed since this token was written;
            # after that, the hint (or the login) says what will work.
            if not refresh.last_refresh_failure(sso, _mtime(path)):
                return ["%s expired; renewing it in the background" % what]
    if state == "refresh" or mode == "never":
        return []  # still valid for a while, or the user asked for silence
    if state == "expired":
        hint = "%s expired at %s; run: ssoenv login" % (what, token["expiresAt"])
    else:
        hint = "%s is not logged in; run: ssoenv login" % what
    if mode == "auto" and _at_terminal():
        from ssoenv import autologin
        from ssoenv.errors import SsoError

        def token_is_valid():
            return token_cache.token_status(token_cache.read_token(path)) in ("valid", "refresh")

        try:
            result = autologin.run(_sso_session(profile), token_is_valid)
        except SsoError as e:
            return [str(e), hint]
        if result == autologin.LOGGED_IN:
            return ["logged in to %s" % what]
        if result == autologin.SIGNED_IN_ELSEWHERE:
            return ["logged in to %s (by another shell)" % what]
        if result == autologin.SKIPPED:
            return ["skipped the login until you cd here again; %s" % hint]
        return ["the login in another shell ended without signing in; %s" % hint]
    return [hint]


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def _at_terminal() -> bool:
    return os.isatty(0) and os.isatty(2)


def credentials_step(profile: dict):
    """(variables, renew at, problem): role credentials for a `credentials: true` file,
    from the AWS CLI's cache while they last, else from GetRoleCredentials."""
    if not profile.get("session") or not (profile.get("account_id") and profile.get("role_name")):
        return (
            {},
            None,
            'profile "%s" has no SSO account and role to get keys for' % profile["name"],
        )
    from ssoenv.errors import SsoError
    from ssoenv.sso import credentials

    try:
        creds = credentials.get_role_credentials(
            _sso_session(profile), profile["account_id"], profile["role_name"]
        )
    except SsoError as e:
        return {}, None, "no keys exported: %s" % e
    return (
        creds.environment(),
        int(creds.expires_epoch - credentials.CREDENTIALS_WINDOW_SECONDS),
        None,
    )


def _overlay(env, changes: dict) -> dict:
    after = dict(env)
    for name, value in changes.items():
        if value is None:
            after.pop(name, None)
        else:
            after[name] = value
    return after


def watched_files(out: Outcome) -> list:
    """The files whose edits can change what the project applies: the AWS config and
    credentials files and the account names (portable files resolve through them), and
    the token cache while keys wait for a login."""
    from ssoenv import accounts

    files = [paths.aws_config_file(), paths.aws_credentials_file(), accounts.names_file()]
    if out.token_file:
        files.append(out.token_file)
    return [f for f in files if "\n" not in f]


def compute(env=None):
    """(changes, messages): the variables to change ({name: value or None}) and the lines
    for stderr, without the `ssoenv: ` prefix."""
    env = os.environ if env is None else env
    settings, problem = userconfig.load_or_defaults()
    messages = [problem] if problem else []
    quiet = bool(settings.get("quiet"))

    out = evaluate(env, settings)
    record = envdiff.decode(env.get(DIFF))
    previous = env.get(FILE) or None
    switching = previous != out.file
    applied = {name: pair[1] for name, pair in record.items() if name not in KEY_VARS}
    real_env = env
    direnv = memo = None
    if env.get("DIRENV_DIFF") or env.get(alongside.MEMO):
        # direnv's hook ran just before: see through what it changed since.
        direnv = alongside.read(env)
        memo = alongside.decode_memo(env.get(alongside.MEMO))
        env, record, memo["ghosts"] = alongside.reconcile(
            env, record, memo["ghosts"], direnv, skip=KEY_VARS
        )
    # Another file than last time: leave the old one first (a value set by hand stays),
    # then enter the new one from there, so that entering always applies its values.
    left = envdiff.plan(env, record, {})[0] if switching else {}
    start = _overlay(env, left) if left else env
    current = {} if switching else record
    base = {name: envdiff.recorded(name, v) for name, v in out.wanted.items()}
    entering = bool(out.wanted) and (switching or applied != base)

    # The sign-in first: with `login: auto` it may log in here, and the keys need it.
    login_messages = []
    if entering:
        mode = out.dotfile.get("login") or settings.get("login") or "hint"
        login_messages = login_step(out.profile, mode)

    renew_at = None
    keys_wait = False
    if out.wanted and out.dotfile.get("credentials"):
        keys, renew_at, problem = credentials_step(out.profile)
        if problem:
            # Looked at again when the token cache file changes (a login), or in a minute.
            renew_at = int(time.time()) + KEYS_RETRY_SECONDS
            out.token_file = _token_file(out.profile)
            keys_wait = True
            if entering and not login_messages:  # a login hint already says why
                messages.append("%s: %s" % (paths.display(out.file), problem))
        elif (
            not entering
            and not quiet
            and "AWS_ACCESS_KEY_ID" in current
            and current["AWS_ACCESS_KEY_ID"][1] != keys["AWS_ACCESS_KEY_ID"]
        ):
            # Only new keys are news: the hook also runs when the file is touched or
            # another project is allowed, and then the cached keys are the same.
            messages.append(
                "renewed keys for profile %s (until %s)"
                % (out.profile["name"], keys["AWS_CREDENTIAL_EXPIRATION"])
            )
        out.wanted.update(keys)

    entered, new_record = envdiff.plan(start, current, out.wanted)
    after = _overlay(start, entered)
    changes = {}
    for name in set(left) | set(entered) | {n for n in env if env[n] != real_env.get(n)}:
        if real_env.get(name) != after.get(name):
            changes[name] = after.get(name)
    for name in set(real_env) - set(env):
        if name not in after:
            changes[name] = None
    env = real_env
    if record and (not out.wanted or switching) and not quiet:
        messages.append("unloaded %s" % paths.display(previous or "the previous .ssoenv"))
    messages.extend(out.errors)
    messages.extend(out.notices)
    if entering:
        profile = out.profile
        if not quiet:
            messages.append(loaded_line(out, after, keys_wait))
        messages.extend(profile.get("warnings") or [])
        messages.extend(login_messages)
        if after.get("AWS_ACCESS_KEY_ID") and "AWS_ACCESS_KEY_ID" not in out.wanted:
            messages.append(
                "AWS_ACCESS_KEY_ID is set in this shell, so AWS tools ignore AWS_PROFILE; "
                "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN"
            )

    if memo is not None:
        # Once per directory: which variables both an .envrc and the .ssoenv set.
        said = "%s\n%s" % (out.file, direnv.directory) if (out.wanted and direnv) else ""
        if said and said != memo["said"]:
            line = alongside.overlap_line(
                direnv, out.wanted, paths.display(out.file), paths.display
            )
            if line:
                messages.append(line)
        memo["said"] = said
        text = alongside.encode_memo(memo)
        if env.get(alongside.MEMO) != text:
            changes[alongside.MEMO] = text

    state = {name: None for name in STATE_VARS}
    if out.file is not None:
        generation = trust.ensure_generation_file()
        state[FILE] = out.file
        state[STAMP] = cache.stamp_for(out.file) or ""
        state[TRUST] = generation
        state[TSTAMP] = cache.stamp_for(generation) or ""
        watched = watched_files(out)
        state[WATCH] = "\n".join(watched)
        newest = max(watched, key=_mtime_ns)
        state[WSTAMP] = (cache.stamp_for(newest) if _mtime_ns(newest) else None) or ""
    if new_record:
        state[DIFF] = envdiff.encode(new_record)
    if renew_at is not None:
        state[RENEW_AT] = str(renew_at)
    for name, value in state.items():
        if env.get(name) != value:
            changes[name] = value
    return changes, messages


def loaded_line(out: Outcome, after: dict, keys_wait: bool) -> str:
    """`loaded FILE (profile P, region R, keys)`, from the values the shell will hold."""
    held = after.get("AWS_PROFILE")
    parts = ["profile %s" % held]
    if held != out.wanted.get("AWS_PROFILE"):
        parts[0] += " (the file says %s)" % out.wanted.get("AWS_PROFILE")
    region = after.get("AWS_REGION") if "AWS_REGION" in out.wanted else None
    if region:
        parts.append("region %s" % region)
    if after.get("AWS_ACCESS_KEY_ID") and after.get("AWS_ACCESS_KEY_ID") == out.wanted.get(
        "AWS_ACCESS_KEY_ID"
    ):
        parts.append("keys")
    elif keys_wait:
        parts.append("keys after the login")
    return "loaded %s (%s)" % (paths.display(out.file), ", ".join(parts))


def _mtime_ns(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return 0


def _token_file(profile: dict):
    session = profile.get("session")
    if not session or not session[1]:
        return None
    from ssoenv.sso import cache as token_cache

    return token_cache.token_cache_path(session[0], session[1])


def main(argv) -> int:
    """Entry for `ssoenv export SHELL`; prints statements on stdout, messages on stderr."""
    import sys

    from ssoenv import shells

    if len(argv) != 1 or argv[0] in ("-h", "--help"):
        sys.stderr.write("usage: ssoenv export bash|zsh|fish|json\n")
        return 2
    try:
        shell = shells.get(argv[0])
    except SsoenvError as e:
        sys.stderr.write("ssoenv: %s\n" % e)
        return 2
    changes, messages = compute()
    text = shell.render(changes)
    for line in messages:
        sys.stderr.write("ssoenv: %s\n" % line)
    sys.stderr.flush()
    sys.stdout.buffer.write(text.encode("utf-8", "surrogateescape"))
    sys.stdout.flush()
    return 0


def fail_safe(argv) -> int:
    """After an unexpected error: put back what ssoenv set and forget its state, so the
    shell never keeps a project's variables because of a bug."""
    import sys

    from ssoenv import shells

    try:
        env = os.environ
        changes, _ = envdiff.plan(env, envdiff.decode(env.get(DIFF)), {})
        for name in STATE_VARS + (alongside.MEMO,):
            if name in env:
                changes[name] = None
        text = shells.get(argv[0]).render(changes)
        sys.stdout.buffer.write(text.encode("utf-8", "surrogateescape"))
    except Exception:
        pass
    return 1
