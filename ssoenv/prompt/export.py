"""`ssoenv export SHELL`: what the current directory needs, as statements for the shell.

This is the hook's path: it imports neither click nor boto3, and parses YAML or the AWS
config only when a cached result no longer matches the files."""

import os
import time

from ssoenv import shells
from ssoenv.aws import accounts, profiles
from ssoenv.base import cache, paths
from ssoenv.base.errors import SsoenvError
from ssoenv.base.safetext import escape
from ssoenv.prompt import alongside, envdiff, envrule, locate, signin, trust, userconfig
from ssoenv.sso import cache as token_cache

# ssoenv's own bookkeeping, kept in each shell's environment.
FILE = "SSOENV_FILE"  # the nearest .ssoenv last looked at ("" or unset: none)
STAMP = "SSOENV_STAMP"  # a file with that .ssoenv's mtime then
TRUST = "SSOENV_TRUST"  # the trust generation file
TSTAMP = "SSOENV_TSTAMP"  # a file with the generation file's mtime then
DIFF = "SSOENV_DIFF"  # the record of what ssoenv set, and what was there before
RENEW_AT = "SSOENV_RENEW_AT"  # epoch seconds when exported role credentials need renewing
WATCH = "SSOENV_WATCH"  # files the profile came from, one a line (AWS config, credentials...)
WSTAMP = "SSOENV_WSTAMP"  # a file with the newest mtime among them then
KEYS = "SSOENV_KEYS"  # the profile whose role keys the shell holds, while it is in effect
# For prompts: when the project's IAM Identity Center sign-in (its cached token) ends, in
# UTC. The token file is watched, so a renewal shows at the next prompt.
SSO_EXPIRES = "SSOENV_SSO_EXPIRES"
STATE_VARS = (FILE, STAMP, TRUST, TSTAMP, DIFF, RENEW_AT, WATCH, WSTAMP, KEYS, SSO_EXPIRES)
# How long a shell without the keys it wants waits before the hook asks again.
KEYS_RETRY_SECONDS = 60
# Named for what parsing checks: a check added later must not be skipped by an old entry.
DOTFILE_CACHE = "dotfile-2"
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
        # Variables the file names but may not set, and like warnings: shown on entering,
        # the rest of the file still applies.
        self.warnings = []
        self.token_file = None  # the token cache file to watch while keys wait for a login
        self.moved = None  # (the current directory as $PWD names it, where it is now)


def dotfile_data(path: str):
    """(content hash, parsed dict) of a `.ssoenv`; raises SsoenvError. Cached on content."""
    _, digest, value = dotfile_read(path)
    return digest, value


def dotfile_read(path: str):
    """(locate.Found, content hash, parsed dict): the file read once, so that its trust is
    judged on exactly what was read."""
    found = locate.read(path)
    digest = locate.digest(found)
    cached = cache.get(DOTFILE_CACHE, path, digest)
    if cached is None:
        from ssoenv.prompt import dotfile  # start-up: on a cache miss only; YAML if not plain

        try:
            cached = {"value": dotfile.load_text(path, found.data).to_json()}
        except SsoenvError as e:
            cached = {"error": str(e)}
        cache.put(DOTFILE_CACHE, path, digest, cached)
    if "error" in cached:
        raise SsoenvError(cached["error"])
    return found, digest, cached["value"]


def _portable_with_lookup(dot: dict, lookup: str) -> dict:
    """portable_info, looking an unknown account name up: now (commands), or in the
    background (the hook: a notice meanwhile, in {"notice": ...})."""
    # start-up: botocore's clients, for an unseen account name only
    from ssoenv.sso import lookup as name_lookup

    account, role, start_url = dot["account"], dot["role"], dot.get("sso_start_url")
    found = profiles.portable_info(account, role, start_url)
    if "lookup" not in found:
        return found
    if lookup == "background":
        notice = name_lookup.in_background(account, found["lookup"])
        if notice:
            return {"notice": notice}
        problem = name_lookup.last_problem(found["lookup"])
    else:
        problem = name_lookup.look_up_now(found["lookup"], account)
        found = profiles.portable_info(account, role, start_url)
        if "lookup" not in found:
            return found
    message = profiles.no_profile_for(account, role, start_url)
    if problem:
        message += " (looking up account names: %s)" % problem
    raise SsoenvError(message)


def variables(dot: dict, allowed=()):
    """(variables to apply, [(name, reason)] refused): `env:` passes through the rule of
    what a `.ssoenv` may set, with the names the user permitted in their own settings."""
    out = {}
    if dot.get("profile"):
        out.update(profiles.profile_variables(dot["profile"]))
    if dot.get("region"):
        out["AWS_REGION"] = dot["region"]
        out["AWS_DEFAULT_REGION"] = dot["region"]
    kept, refused = envrule.split(dot.get("env") or {}, allowed)
    out.update(kept)
    return out, refused


def evaluate(env, settings, lookup: str = "now") -> Outcome:
    """Everything about the current directory, errors included; never raises SsoenvError.

    A portable file's account name that ssoenv has not seen is looked up with ListAccounts
    (`lookup="now"`, for commands) or by a detached process (`"background"`, for the hook,
    which never waits on the network)."""
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
            out.moved = (paths.display(pwd), paths.display(now))
            out.errors.append(
                "the current directory %s was moved or renamed; to use its .ssoenv, run: cd %s"
                % out.moved
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
        found, digest, dot = dotfile_read(out.file)
    except SsoenvError as e:
        # A deny holds across edits, even one that breaks the file.
        if trust.is_denied(out.file):
            out.trust = trust.DENIED
            out.notices.append("%s is denied; to use it, run: ssoenv allow" % shown)
        else:
            out.errors.append(str(e))
        return out
    prefixes = settings.get("trusted_prefixes")
    out.trust = trust.status(
        out.file,
        digest,
        prefixes,
        where=found.where,
        real=found.real,
        owner=found.owner,
        mode=found.mode,
    )
    if out.trust == trust.DENIED:
        out.notices.append("%s is denied; to use it, run: ssoenv allow" % shown)
        return out
    refusal = out.trust == trust.UNKNOWN and (
        trust.covered(found.where, found.real, prefixes)
        and trust.prefix_refusal(found.where, found.real, prefixes, found.owner, found.mode)
    )
    if refusal:
        out.notices.append("%s is not allowed: %s; to use it, run: ssoenv allow" % (shown, refusal))
        return out
    if out.trust == trust.UNKNOWN:
        out.notices.append("%s is not allowed; run: ssoenv allow" % shown)
        return out
    out.dotfile = dot
    if out.trust == trust.TRUSTED_PREFIX and userconfig.trusts_everything(settings):
        out.warnings.append(userconfig.everything_warning())
    try:
        if dot.get("profile"):
            info = profiles.profile_info(dot["profile"])
        else:
            portable = _portable_with_lookup(dot, lookup)
            if "notice" in portable:
                out.notices.append("%s: %s" % (shown, portable["notice"]))
                return out
            info = portable["match"]
            if portable["others"]:
                out.notices.append(
                    "%s: profiles %s match too; using %s, the first in your config"
                    % (shown, ", ".join(portable["others"]), info["name"])
                )
    except SsoenvError as e:
        out.errors.append("%s: %s" % (shown, e))
        return out
    if info["problems"]:
        problem = info["problems"][0]
        own = 'profile "%s": ' % info["name"]
        # A problem that names the profile already (a role chain's) is not named twice.
        problem = problem if problem.startswith(own) else own + problem
        out.errors.append("%s: %s" % (shown, problem))
        # A dashed key is often why a required key is missing: say so with the error.
        out.errors.extend(info["warnings"])
        return out
    out.profile = info
    out.wanted, refused = variables(
        dict(dot, profile=info["name"]), settings.get("allowed_variables") or ()
    )
    settings_file = paths.display(paths.user_config_file())
    for name, why in refused:
        out.warnings.append(envrule.refusal(shown, name, why, settings_file))
    for name in envdiff.held(env, envdiff.decode(env.get(DIFF)), out.wanted):
        if out.wanted.pop(name) == env.get(name):
            continue  # the shell has the very value: nothing to say
        out.warnings.append(
            "%s: env: %s is not set: this shell holds a secret in it, and ssoenv keeps no "
            "copy of a secret to put back; to use the project's value, unset %s first"
            % (shown, name, name)
        )
    return out


def watched_files(out: Outcome) -> list:
    """The files whose edits can change what the project applies: the AWS config and
    credentials files and the account names (portable files resolve through them), and
    the profile's token cache file (keys waiting for a login, the session's end)."""
    files = [paths.aws_config_file(), paths.aws_credentials_file(), accounts.names_file()]
    token_file = out.token_file or (signin.token_file(out.profile) if out.profile else None)
    if token_file:
        files.append(token_file)
    return [f for f in files if "\n" not in f]


def compute(env=None):
    """(changes, messages): the variables to change ({name: value or None}) and the lines
    for stderr, without the `ssoenv: ` prefix."""
    env = os.environ if env is None else env
    settings, problem = userconfig.load_or_defaults()
    messages = [problem] if problem else []
    quiet = bool(settings.get("quiet"))

    out = evaluate(env, settings, lookup="background")
    record = envdiff.decode(env.get(DIFF))
    previous = env.get(FILE) or None
    switching = previous != out.file
    applied = {name: pair[1] for name, pair in record.items() if name not in KEY_VARS}
    real_env = env
    had_record = bool(record)
    direnv = memo = ghosts = None
    if env.get("DIRENV_DIFF") or env.get(alongside.MEMO):
        # direnv's hook ran just before: see through what it changed since.
        direnv = alongside.read(env)
        memo = alongside.decode_memo(env.get(alongside.MEMO))
        env, record, ghosts = alongside.reconcile(env, record, memo, direnv)
    # Another file than last time: leave the old one first (a value set by hand stays),
    # then enter the new one from there, so that entering always applies its values.
    left = envdiff.plan(env, record, {})[0] if switching else {}
    start = envdiff.applied(env, left) if left else env
    current = {} if switching else record
    base = {name: envdiff.recorded(name, v) for name, v in out.wanted.items()}
    entering = bool(out.wanted) and (switching or applied != base)

    # The sign-in first: with `login: auto` it may log in here, and the keys need it.
    login_messages = []
    if entering:
        mode = out.dotfile.get("login") or settings.get("login") or "hint"
        login_messages = signin.login_step(out.profile, mode)

    renew_at = None
    keys_wait = False
    keyed = bool(out.wanted) and bool(out.dotfile.get("credentials"))
    if keyed:
        preview = envdiff.applied(start, envdiff.plan(start, current, out.wanted)[0])
        named, var = profiles.profile_in_effect(preview)
    if keyed and named != out.wanted.get("AWS_PROFILE"):
        # A profile set by hand since: the project's role keys would outrank it and sign
        # as the project's role under its name. They go (the plan puts back what was
        # below them); entering again brings them back.
        if envdiff.recorded("AWS_ACCESS_KEY_ID", env.get("AWS_ACCESS_KEY_ID")) == current.get(
            "AWS_ACCESS_KEY_ID", [None, None]
        )[1] and env.get("AWS_ACCESS_KEY_ID"):
            messages.append(
                "%s=%s is not %s's profile %s: removed its keys from this shell; to get "
                "them back, cd into the project again"
                % (
                    var or "AWS_PROFILE",
                    named or "(unset)",
                    paths.display(out.file),
                    out.wanted.get("AWS_PROFILE"),
                )
            )
    elif keyed:
        keys, renew_at, problem = signin.credentials_step(out.profile)
        if problem:
            # Looked at again when the token cache file changes (a login), or in a minute.
            renew_at = int(time.time()) + KEYS_RETRY_SECONDS
            out.token_file = signin.token_file(out.profile)
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
        # Keys the shell holds itself stay (the line about AWS_ACCESS_KEY_ID says so):
        # replacing them would mean keeping a copy of them to put back.
        for name in envdiff.held(env, record, keys):
            del keys[name]
        out.wanted.update(keys)

    entered, new_record = envdiff.plan(start, current, out.wanted)
    after = envdiff.applied(start, entered)
    changes = {}
    for name in set(left) | set(entered) | {n for n in env if env[n] != real_env.get(n)}:
        if real_env.get(name) != after.get(name):
            changes[name] = after.get(name)
    for name in set(real_env) - set(env):
        if name not in after:
            changes[name] = None
    env = real_env
    unloaded = paths.display(previous or "the previous .ssoenv")
    if had_record and (not out.wanted or switching) and out.moved and not quiet:
        # One line says both: what was left, and why, with the way back.
        messages.append(
            "unloaded %s, since %s was moved or renamed; to load it again, run: cd %s"
            % ((unloaded,) + out.moved)
        )
        out.errors = out.errors[1:]
    elif had_record and (not out.wanted or switching) and not quiet:
        messages.append("unloaded %s" % unloaded)
    messages.extend(out.errors)
    messages.extend(out.notices)
    if entering:
        messages.extend(out.warnings)
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
        alongside.remember(memo, env, new_record, ghosts, direnv)
        # Once per directory: which variables both an .envrc and the .ssoenv set. An .envrc
        # direnv has not yet undone after a cd (its hook runs after this one) is not here.
        here = direnv if direnv and _covers_cwd(direnv, env) else None
        said = "%s\n%s" % (out.file, here.file) if (out.wanted and here) else ""
        if said and said != memo["said"]:
            line = alongside.overlap_line(here, out.wanted, paths.display(out.file), paths.display)
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
    if out.wanted and out.profile:
        state[SSO_EXPIRES] = sso_expires(out.profile)
    if after.get("AWS_ACCESS_KEY_ID") and after.get("AWS_ACCESS_KEY_ID") == out.wanted.get(
        "AWS_ACCESS_KEY_ID"
    ):
        state[KEYS] = out.wanted["AWS_PROFILE"]
    for name, value in state.items():
        if env.get(name) != value:
            changes[name] = value
    return changes, messages


def _covers_cwd(direnv, env) -> bool:
    if direnv.covers(env.get("PWD", "")):
        return True
    try:
        return direnv.covers(os.getcwd())  # direnv names the physical directory
    except OSError:
        return False


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


def sso_expires(profile: dict):
    """When the profile's cached sign-in ends, as `2026-01-01T00:00:00Z`; None without one."""
    path = signin.token_file(profile)
    if not path:
        return None

    try:
        token = token_cache.read_token(path)
        return (
            token_cache.format_time(token_cache.parse_time(token["expiresAt"])) if token else None
        )
    except (SsoenvError, ValueError, TypeError):
        return None  # an unsafe or damaged cache: the hook's hint says what to do


def prompt_would_export(env) -> bool:
    """The test the hook scripts in shell/ make with builtins before running the export:
    another nearest .ssoenv, that file or the trust records touched, keys due, or another
    profile in effect than the one whose keys the shell holds."""
    try:
        cwd = locate.logical_cwd(env)
    except Exception:
        cwd = None
    # As the hook scripts: a deleted current directory counts as no project.
    found = (locate.nearest(cwd) if cwd and os.path.isdir(cwd) else None) or ""
    if found != env.get(FILE, ""):
        return True
    if not found:
        return False
    if _mtime_ns_or_none(found) != _mtime_ns_or_none(env.get(STAMP, "")):
        return True
    if _mtime_ns_or_none(env.get(TRUST, "")) != _mtime_ns_or_none(env.get(TSTAMP, "")):
        return True
    keys_for = env.get(KEYS)
    if keys_for and profiles.profile_in_effect(env)[0] != keys_for:
        return True
    renew = "".join(c for c in env.get(RENEW_AT, "") if c.isdigit())
    return bool(env.get(RENEW_AT)) and time.time() >= int(renew or 0)


def _mtime_ns_or_none(path):
    try:
        return os.stat(path).st_mtime_ns if path else None
    except OSError:
        return None


# The help of `ssoenv export`, kept here: the hook's path never loads click.
HELP = """\
Usage: ssoenv export bash|zsh|fish|tcsh|elvish|xonsh|json

  Print what takes this shell to what the current directory needs: statements
  that set (or put back) AWS_PROFILE, the region and the .ssoenv's variables,
  for the shell named. The hook runs this at a prompt when something changed;
  you rarely need to run it yourself.

  json prints one object for other tools: each variable that changes, to its new
  value or null (unset), ssoenv's own SSOENV_* records included. Messages
  (loaded, unloaded, not allowed, login hints) go to stderr.

  eval "$(ssoenv export bash)"     # by hand, in bash or zsh
  ssoenv export fish | source      # by hand, in fish
  eval (ssoenv export elvish | slurp)  # by hand, in elvish
  execx($(ssoenv export xonsh))    # by hand, in xonsh
  (tcsh: its hook applies what this prints; a line break in a value needs the hook's
  _ssoenv_nl)

Options:
  -h, --help  Show this message and exit.
"""


def main(argv) -> int:
    """Entry for `ssoenv export SHELL`; prints statements on stdout, messages on stderr."""
    import sys

    if argv[:1] in (["-h"], ["--help"]):
        sys.stdout.write(HELP)
        return 0
    if len(argv) != 1:
        sys.stderr.write("usage: ssoenv export bash|zsh|fish|tcsh|elvish|xonsh|json\n")
        return 2
    try:
        shell = shells.get(argv[0])
    except SsoenvError as e:
        sys.stderr.write("ssoenv: %s\n" % e)
        return 2
    try:
        # Trust records, caches and tokens that others can change are not used at all.
        paths.check_stores()
    except paths.UnsafeStoreError as e:
        sys.stderr.write("ssoenv: %s\n" % e)
        return fail_safe(argv)
    changes, messages = compute()
    text = shell.render(changes)

    for line in messages:
        sys.stderr.write("ssoenv: %s\n" % escape(line))
    sys.stderr.flush()
    sys.stdout.buffer.write(text.encode("utf-8", "surrogateescape"))
    sys.stdout.flush()
    return 0


def fail_safe(argv) -> int:
    """After an unexpected error: put back what ssoenv set and forget its state, so the
    shell never keeps a project's variables because of a bug."""
    import sys

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
