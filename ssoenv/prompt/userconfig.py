"""The user's own settings: $XDG_CONFIG_HOME/ssoenv/config.yaml."""

import os

from ssoenv.base import cache, paths
from ssoenv.base.errors import SsoenvError
from ssoenv.prompt import envrule

KEYS = (
    "trusted_prefixes",
    "allowed_variables",
    "quiet",
    "login",
    "console_isolate",
    "console_browser",
    "console_mode",
)
DEFAULTS = {
    "trusted_prefixes": [],
    "allowed_variables": [],
    "quiet": False,
    "login": "hint",
    "console_isolate": False,
    "console_browser": None,
    "console_mode": "federation",
}
# Named for what the parse checks: a new check must not be skipped by an old entry.
CACHE_KIND = "userconfig-3"


def load(path=None) -> dict:
    """The settings as a dict with every key present, and "problems": one line for each
    setting that was ignored (an unknown key, a bad value), the others still applying.
    Raises SsoenvError when the file cannot be read as a mapping at all, or when someone
    other than the user can have written it (paths.check_settings). Cached on the
    file's identity, so the hook's path imports no YAML parser while it is unchanged."""
    path = path or paths.user_config_file()
    paths.check_settings(path)  # settings someone else could write are not the user's
    key = cache.file_key(path)
    if key is None:
        return dict(DEFAULTS)
    cached = cache.get(CACHE_KIND, path, key)
    if cached is not None:
        return cached
    settings = _parse(path)
    cache.put(CACHE_KIND, path, key, settings)
    return settings


def load_or_defaults():
    """(settings, problem): a broken settings file must not stop the hook, so it gives the
    defaults and its one-line error to show."""
    try:
        settings = load()
    except SsoenvError as e:
        return dict(DEFAULTS), str(e)
    problems = settings.get("problems") or []
    if len(problems) > 1:
        return settings, "%s (and %d more; run: ssoenv doctor)" % (problems[0], len(problems) - 1)
    return settings, problems[0] if problems else None


def _parse(path: str) -> dict:
    import yaml

    shown = paths.display(path)
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f.read(1 << 20))
    except (OSError, UnicodeDecodeError) as e:
        raise SsoenvError("%s: cannot read: %s" % (shown, e)) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = ": line %d" % (mark.line + 1) if mark is not None else ""
        raise SsoenvError(
            "%s%s: invalid YAML: %s" % (shown, where, getattr(e, "problem", e))
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SsoenvError("%s: expected a mapping of settings" % shown)
    # One bad setting never takes the others down (trusted_prefixes above all): it is
    # left at its default and named in "problems".
    settings = dict(DEFAULTS)
    problems = []
    for key, value in data.items():
        if key not in KEYS:
            problems.append("%s: %s" % (shown, _unknown(key)))
            continue
        try:
            settings[key] = CHECKS[key](value)
        except ValueError as e:
            problems.append("%s: %s" % (shown, e))
    settings["problems"] = problems
    return settings


def _unknown(key) -> str:
    import difflib

    close = difflib.get_close_matches(str(key), KEYS, n=1, cutoff=0.6)
    hint = '; did you mean "%s"?' % close[0] if close else ""
    return 'unknown setting "%s"%s (known: %s)' % (key, hint, ", ".join(KEYS))


def _prefixes(value):
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise ValueError("trusted_prefixes must be a list of directories")
    expanded = []
    for prefix in value:
        full = os.path.expanduser(prefix)
        if not os.path.isabs(full):
            # A relative or empty prefix resolves against whatever directory the shell is
            # in, and so would trust every directory.
            raise ValueError(
                'trusted_prefixes: "%s" is not an absolute directory; write it as /... or ~/...'
                % prefix
            )
        expanded.append(full)
    return expanded


def _allowed_variables(value):
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(
        isinstance(n, str) and envrule.is_name(n) for n in value
    ):
        raise ValueError("allowed_variables must be a list of variable names")
    for name in value:
        if not envrule.permittable(name):
            raise ValueError(
                "allowed_variables: %s belongs to ssoenv itself and cannot be permitted" % name
            )
    return value


def _quiet(value):
    if not isinstance(value, bool):
        raise ValueError("quiet must be true or false")
    return value


def _login(value):
    if value not in ("hint", "auto", "never"):
        raise ValueError("login must be one of: hint, auto, never")
    return value


def _console_isolate(value):
    if not isinstance(value, bool):
        raise ValueError("console_isolate must be true or false")
    return value


def _console_browser(value):
    if value is not None and not (isinstance(value, str) and value.strip()):
        raise ValueError("console_browser must be a browser command, e.g. firefox")
    return value


def _console_mode(value):
    if value not in ("federation", "portal"):
        raise ValueError("console_mode must be federation or portal")
    return value


# How each setting is checked: a new setting adds its key to KEYS, DEFAULTS and here.
CHECKS = {
    "trusted_prefixes": _prefixes,
    "allowed_variables": _allowed_variables,
    "quiet": _quiet,
    "login": _login,
    "console_isolate": _console_isolate,
    "console_browser": _console_browser,
    "console_mode": _console_mode,
}


def trusts_everything(settings: dict) -> bool:
    """A trusted prefix of / makes every `.ssoenv` anywhere apply without an allow."""
    return any(os.path.realpath(p) == "/" for p in settings.get("trusted_prefixes") or ())


def everything_warning() -> str:
    return (
        "trusted_prefixes in %s includes /, so every .ssoenv on this machine applies "
        "without an allow; name your project directories instead"
        % paths.display(paths.user_config_file())
    )
