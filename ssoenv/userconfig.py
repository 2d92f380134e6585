"""The user's own settings: $XDG_CONFIG_HOME/ssoenv/config.yaml."""

import os

from ssoenv import cache, envrule, paths
from ssoenv.errors import SsoenvError

KEYS = ("trusted_prefixes", "allowed_variables", "quiet", "login")
DEFAULTS = {"trusted_prefixes": [], "allowed_variables": [], "quiet": False, "login": "hint"}
# Named for what the parse checks: a new check must not be skipped by an old entry.
CACHE_KIND = "userconfig-2"


def load(path=None) -> dict:
    """The settings as a dict with every key present. Cached on the file's identity, so the
    hook's path imports no YAML parser while the file is unchanged."""
    path = path or paths.user_config_file()
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
        return load(), None
    except SsoenvError as e:
        return dict(DEFAULTS), str(e)


def _parse(path: str) -> dict:
    import yaml

    from ssoenv.dotfile import NAME_RE

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
    settings = dict(DEFAULTS)
    for key, value in data.items():
        if key not in KEYS:
            raise SsoenvError('%s: unknown setting "%s"; known: %s' % (shown, key, ", ".join(KEYS)))
        settings[key] = value
    prefixes = settings["trusted_prefixes"]
    if isinstance(prefixes, str):
        prefixes = [prefixes]
    if not isinstance(prefixes, list) or not all(isinstance(p, str) for p in prefixes):
        raise SsoenvError("%s: trusted_prefixes must be a list of directories" % shown)
    expanded = []
    for prefix in prefixes:
        full = os.path.expanduser(prefix)
        if not os.path.isabs(full):
            # A relative or empty prefix resolves against whatever directory the shell is
            # in, and so would trust every directory.
            raise SsoenvError(
                '%s: trusted_prefixes: "%s" is not an absolute directory; write it as /... or ~/...'
                % (shown, prefix)
            )
        expanded.append(full)
    settings["trusted_prefixes"] = expanded
    names = settings["allowed_variables"]
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list) or not all(
        isinstance(n, str) and NAME_RE.match(n) for n in names
    ):
        raise SsoenvError("%s: allowed_variables must be a list of variable names" % shown)
    for name in names:
        if not envrule.permittable(name):
            raise SsoenvError(
                "%s: allowed_variables: %s belongs to ssoenv itself and cannot be permitted"
                % (shown, name)
            )
    settings["allowed_variables"] = names
    if not isinstance(settings["quiet"], bool):
        raise SsoenvError("%s: quiet must be true or false" % shown)
    if settings["login"] not in ("hint", "auto", "never"):
        raise SsoenvError("%s: login must be one of: hint, auto, never" % shown)
    return settings


def trusts_everything(settings: dict) -> bool:
    """A trusted prefix of / makes every `.ssoenv` anywhere apply without an allow."""
    return any(os.path.realpath(p) == "/" for p in settings.get("trusted_prefixes") or ())


def everything_warning() -> str:
    return (
        "trusted_prefixes in %s includes /, so every .ssoenv on this machine applies "
        "without an allow; name your project directories instead"
        % paths.display(paths.user_config_file())
    )
