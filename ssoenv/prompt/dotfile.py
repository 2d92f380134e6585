"""Parse and validate a `.ssoenv` file (YAML) into a frozen Dotfile."""

from __future__ import annotations

from ssoenv.base import paths
from ssoenv.base.errors import DotfileError
from ssoenv.base.record import Factory, Record
from ssoenv.prompt.envrule import is_name

# Every variable whose name starts with this belongs to ssoenv's own bookkeeping.
STATE_PREFIX = "SSOENV_"

LOGIN_MODES = ("hint", "auto", "never")
KEYS = ("profile", "region", "env", "credentials", "login", "account", "role", "sso_start_url")
# The keys whose value is its text as written (an account id keeps its leading zeros).
TEXT_KEYS = ("profile", "region", "login", "account", "role", "sso_start_url")

# The checks below are sets of characters rather than regular expressions: `re` costs a
# project's first prompt a fifth of its time, and a pattern's `$` also matches before a
# final line break, which no name or value here may end with.
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_LETTERS = _LOWER | {c.upper() for c in _LOWER}
_DIGITS = frozenset("0123456789")
_ALNUM = _LETTERS | _DIGITS
_REGION_PART = _LOWER | _DIGITS
# IAM's rule for role names: letters, digits and +=,.@_- (ASCII).
_ROLE_CHARS = _ALNUM | frozenset("_+=,.@-")
# Control characters (C0, DEL, C1) and bidi controls: never part of a name, an account, a
# URL or a region, and a way to write extra lines into the AWS config.
_CONTROL = frozenset(
    [chr(c) for c in range(0x20)]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + ["\u061c", "\u200e", "\u200f"]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
)


def has_control(text: str) -> bool:
    return not _CONTROL.isdisjoint(text)


def _is_region(text: str) -> bool:
    """Two letters, one or more -parts of lowercase letters and digits, then -digits: the
    shape of every AWS region (eu-central-1, us-gov-west-1)."""
    parts = text.split("-")
    return (
        len(parts) >= 3
        and len(parts[0]) == 2
        and _LOWER.issuperset(parts[0])
        and all(part and _REGION_PART.issuperset(part) for part in parts[1:-1])
        and parts[-1] != ""
        and _DIGITS.issuperset(parts[-1])
    )


def _is_account_id(text: str) -> bool:
    return len(text) == 12 and _DIGITS.issuperset(text)


def _is_role_name(text: str) -> bool:
    return 0 < len(text) <= 64 and _ROLE_CHARS.issuperset(text)


# Set through `profile:` and `region:`, so never through `env:`.
MANAGED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION")


class Dotfile(Record):
    path: str
    profile: str | None = None
    region: str | None = None
    env: dict[str, str] = Factory(dict)
    credentials: bool = False
    login: str | None = None
    # A portable file names what the profile points at instead of the profile.
    account: str | None = None
    role: str | None = None
    sso_start_url: str | None = None

    def to_json(self) -> dict:
        return self.as_dict()

    @classmethod
    def from_json(cls, data: dict) -> Dotfile:
        return cls(**data)


def _loader():
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader), yaml


def parse(text: str, path: str) -> Dotfile:
    """Parse the file's text; DotfileError names the file and, where known, the line."""
    plain = _plain(text, path)
    return plain if plain is not None else _parse_yaml(text, path)


# Words YAML reads as true, false or null (in any case; y and n in some YAML readers).
_YAML_WORDS = ("yes", "no", "true", "false", "on", "off", "null", "y", "n")

# A line of the files `ssoenv init` writes, and most people keep: a known key, one space,
# and a value of characters that YAML reads as written, bare or in double quotes. A value
# may hold `:` but not end with one, which YAML would read as a mapping.
_PLAIN_CHARS = _ALNUM | frozenset("._/@+=,:-")


def _plain_value(value: str) -> str | None:
    if value[:1] == '"':
        inner = value[1:-1]
        if len(value) >= 3 and value[-1] == '"' and _PLAIN_CHARS.issuperset(inner):
            return inner
        return None
    if value[:1] in _ALNUM and value[-1] != ":" and _PLAIN_CHARS.issuperset(value):
        return value
    return None


def _plain_name(name: str) -> bool:
    """A name under `env:` that PyYAML reads as this text and ssoenv lets a file set."""
    return name.lower() not in _YAML_WORDS and env_name_problem(name) is None


class _NotPlain(Exception):
    pass


def _not_plain(message: str, node=None):
    raise _NotPlain


def _plain_env(written: str) -> str | None:
    """A value under `env:` that PyYAML reads as this text: not a word it reads as true,
    false or null, nor one that starts as a date (2024-01-31), which it reads as a
    timestamp. Those go to PyYAML, which refuses them with the reason."""
    value = _plain_value(written)
    if value is None or written[:1] == '"':
        return value
    if value.lower() in _YAML_WORDS or (_DIGITS.issuperset(value[:4]) and value[4:5] == "-"):
        return None
    return value


def _plain(text: str, path: str) -> Dotfile | None:
    """The Dotfile of a file of plain `key: value` lines alone, and an `env:` of plain
    `  NAME: value` lines, without PyYAML, whose import costs a project's first prompt over
    half of its time; None for anything else (comments, blank lines, other quoting or
    indentation, a key twice, a value the checks refuse), which PyYAML then reads and, where
    it must, explains."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    fields: dict[str, object] = {}
    env: dict[str, str] | None = None  # the `env:` block being read
    for line in lines:
        if env is not None and line[:2] == "  ":
            name, sep, written = line[2:].partition(": ")
            value = _plain_env(written) if sep else None
            if value is None or not _plain_name(name) or name in env:
                return None
            env[name] = value
            continue
        if env is not None and not env:
            return None  # `env:` and nothing under it
        env = None
        key, sep, written = line.partition(": ")
        if key == "credentials" and written in ("true", "false"):
            value: object = written == "true"
        elif sep and key in TEXT_KEYS:
            value = _plain_value(written)
            if value is None:
                return None
        elif line == "env:":
            key, value = "env", {}
            env = value
        else:
            return None
        if key in fields:
            return None
        fields[key] = value
    if not fields or env == {}:
        return None
    try:
        return _validated(Dotfile(path=path, **fields), _not_plain, None)
    except _NotPlain:
        return None


def _parse_yaml(text: str, path: str) -> Dotfile:
    shown = paths.display(path)
    Loader, yaml = _loader()

    def fail(message: str, node=None):
        where = "" if node is None else ": line %d" % (node.start_mark.line + 1)
        raise DotfileError("%s%s: %s" % (shown, where, message))

    def invalid(e):
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        where = ": line %d" % (mark.line + 1) if mark is not None else ""
        raise DotfileError("%s%s: invalid YAML: %s" % (shown, where, problem)) from None

    try:
        loader = Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError as e:
        invalid(e)
    try:
        return _from_node(node, path, yaml, fail)
    except yaml.YAMLError as e:  # a tag (!foo, <<) that no safe constructor knows
        invalid(e)


def _from_node(node, path: str, yaml, fail) -> Dotfile:
    if node is None:
        fail("the file is empty; write: profile: NAME")
    if isinstance(node, yaml.ScalarNode):
        value = node.value
        if not value.strip() or "\n" in value.strip():
            fail("expected a profile name or a mapping such as: profile: NAME", node)
        return _validated(Dotfile(path=path, profile=value.strip()), fail, node)
    if not isinstance(node, yaml.MappingNode):
        fail("expected a mapping such as: profile: NAME", node)

    values: dict[str, object] = {}
    nodes = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            fail("keys must be plain names", key_node)
        key = _scalar(yaml, key_node)
        if not isinstance(key, str):
            fail("keys must be names, got %r" % (key,), key_node)
        if key in values:
            fail('"%s" appears twice' % key, key_node)
        if key not in KEYS:
            fail(_unknown_key(key), key_node)
        nodes[key] = value_node
        values[key] = value_node

    fields: dict[str, object] = {}
    for key in TEXT_KEYS:
        if key in values:
            value = nodes[key].value if isinstance(nodes[key], yaml.ScalarNode) else None
            if not isinstance(value, str) or not value.strip():
                fail('"%s" must be a non-empty string' % key, nodes[key])
            fields[key] = value.strip()
    if "credentials" in values:
        value = _scalar(yaml, nodes["credentials"])
        if not isinstance(value, bool):
            fail('"credentials" must be true or false', nodes["credentials"])
        fields["credentials"] = value
    if "env" in values:
        fields["env"] = _env(yaml, nodes["env"], fail)
    return _validated(Dotfile(path=path, **fields), fail, node, nodes)


def _validated(dot: Dotfile, fail, node, nodes=None) -> Dotfile:
    """`nodes` maps keys to their value nodes, so that an error names the key's own line."""

    def at(key):
        return (nodes or {}).get(key, node)

    if not dot.profile and not (dot.account and dot.role):
        fail('"profile" is missing; write: profile: NAME', node)
    if dot.profile and any(c.isspace() for c in dot.profile):
        fail('profile "%s" has white space in its name' % dot.profile, at("profile"))
    if dot.profile and has_control(dot.profile):
        fail('profile "%s" has a control character in its name' % dot.profile, at("profile"))
    for key in ("region", "account", "role", "sso_start_url"):
        problem = portable_problem(key, getattr(dot, key))
        if problem:
            fail(problem, at(key))
    if dot.login is not None and dot.login not in LOGIN_MODES:
        fail('"login" must be one of: %s' % ", ".join(LOGIN_MODES), at("login"))
    return dot


def portable_problem(key: str, value) -> str | None:
    """What is wrong with a value a portable `.ssoenv` may carry into the AWS config (by
    `configure --from-dotfile`), or None. One rule for the parser and for configure."""
    if value is None:
        return None
    value = str(value)
    if key == "region":
        if not _is_region(value):
            return '"%s" is not an AWS region (such as eu-central-1)' % value
    elif key == "account":
        if has_control(value) or not value.strip() or len(value) > 50:
            return '"account" must be a 12-digit account id or an account name on one line'
        if value.isdigit() and not _is_account_id(value):
            return '"account" %s is not a 12-digit account id' % value
    elif key == "role":
        if not _is_role_name(value):
            return (
                '"role" %s is not a role name (letters, digits and +=,.@_- only, '
                "at most 64)" % value
            )
    elif key == "sso_start_url":
        if (
            not value.startswith("https://")
            or len(value) <= len("https://")
            or has_control(value)
            or any(c.isspace() for c in value)
        ):
            return '"sso_start_url" must be an https:// URL without spaces or control characters'
    return None


def _scalar(yaml, node):
    if not isinstance(node, yaml.ScalarNode):
        return node  # the caller rejects it as not a string
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def env_name_problem(name) -> str | None:
    """What is wrong with a name under `env:`, or None. One rule for both readers: the
    plain one leaves to PyYAML's any name this refuses, which then says why."""
    if not isinstance(name, str) or not is_name(name):
        return 'env: "%s" is not a valid variable name' % (name,)
    if name.startswith(STATE_PREFIX):
        return "env: %s belongs to ssoenv's own bookkeeping and cannot be set" % name
    if name in MANAGED:
        return "env: set %s with %s" % (
            name,
            '"profile:"' if name.endswith("_PROFILE") else '"region:"',
        )
    return None


def _env(yaml, node, fail) -> dict[str, str]:
    if not isinstance(node, yaml.MappingNode):
        fail('"env" must be a mapping of NAME: value', node)
    env: dict[str, str] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            fail("env: variable names must be plain names", key_node)
        name = _scalar(yaml, key_node)
        problem = env_name_problem(name)
        if problem:
            fail(problem, key_node)
        if name in env:
            fail('env: "%s" appears twice' % name, key_node)
        value = _scalar(yaml, value_node)
        if isinstance(value, bool) or value is None or not isinstance(value, (str, int, float)):
            fail(
                'env: %s must be a string; quote it, e.g. %s: "%s"'
                % (name, name, value_node.value if isinstance(value_node.value, str) else "...")
                if isinstance(value_node, yaml.ScalarNode)
                else "env: %s must be a string" % name,
                value_node,
            )
        if isinstance(value, str) and "\0" in value:
            fail("env: %s contains a NUL character" % name, value_node)
        # A number keeps the text as written: 0123 stays 0123, not the octal 83.
        env[name] = value if isinstance(value, str) else value_node.value
    return env


def _unknown_key(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, KEYS, n=1, cutoff=0.5)
    hint = '; did you mean "%s"?' % close[0] if close else "; valid keys: " + ", ".join(KEYS)
    return 'unknown key "%s"%s' % (key, hint)


def load_text(path: str, data: bytes) -> Dotfile:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DotfileError("%s: not UTF-8 text" % paths.display(path)) from None
    return parse(text, path)


def example(profile: str, region: str | None) -> str:
    lines = ["profile: %s" % _yaml_str(profile)]
    if region:
        lines.append("region: %s" % _yaml_str(region))
    return "\n".join(lines) + "\n"


def portable_example(account: str, role: str, start_url, region) -> str:
    lines = ['account: "%s"' % account, "role: %s" % _yaml_str(role)]
    if start_url:
        lines.append("sso_start_url: %s" % _yaml_str(start_url))
    if region:
        lines.append("region: %s" % _yaml_str(region))
    return "\n".join(lines) + "\n"


# What `example` writes without quotes, but for the words YAML reads as another type.
_BARE_CHARS = _ALNUM | frozenset("._/@+:-")


def _yaml_str(value: str) -> str:
    bare = value[:1] in _ALNUM and _BARE_CHARS.issuperset(value)
    if bare and value.lower() not in _YAML_WORDS:
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
