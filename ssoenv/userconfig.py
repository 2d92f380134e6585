"""The user's own settings: $XDG_CONFIG_HOME/ssoenv/config.yaml."""

import os

from ssoenv import cache, paths
from ssoenv.errors import SsoenvError

KEYS = ("trusted_prefixes", "quiet", "login", "console_isolate", "console_browser")
DEFAULTS = {
    "trusted_prefixes": [],
    "quiet": False,
    "login": "hint",
    "console_isolate": False,
    "console_browser": None,
}


def load(path=None) -> dict:
    """The settings as a dict with every key present. Cached on the file's identity, so the
    hook's path imports no YAML parser while the file is unchanged."""
    path = path or paths.user_config_file()
    key = cache.file_key(path)
    if key is None:
        return dict(DEFAULTS)
    cached = cache.get("userconfig", path, key)
    if cached is not None:
        return cached
    settings = _parse(path)
    cache.put("userconfig", path, key, settings)
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
    settings["trusted_prefixes"] = [os.path.expanduser(p) for p in prefixes]
    if not isinstance(settings["quiet"], bool):
        raise SsoenvError("%s: quiet must be true or false" % shown)
    if settings["login"] not in ("hint", "auto", "never"):
        raise SsoenvError("%s: login must be one of: hint, auto, never" % shown)
    if not isinstance(settings["console_isolate"], bool):
        raise SsoenvError("%s: console_isolate must be true or false" % shown)
    browser = settings["console_browser"]
    if browser is not None and not (isinstance(browser, str) and browser.strip()):
        raise SsoenvError("%s: console_browser must be a browser command, e.g. firefox" % shown)
    return settings
