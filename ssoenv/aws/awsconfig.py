"""Read ~/.aws/config and ~/.aws/credentials the way botocore does, and classify profiles."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping

from ssoenv.base import paths
from ssoenv.base.errors import ConfigError
from ssoenv.base.record import Factory, Record

# Profile kinds, in the order botocore's credential chain would pick them.
ASSUME_ROLE = "assume-role"
WEB_IDENTITY = "web-identity"
SSO_SESSION = "sso-session"
LEGACY_SSO = "legacy-sso"
STATIC = "static-keys"
PROCESS = "credential-process"
OTHER = "other"

# Keys the AWS CLI understands only with underscores; blog posts often show them dashed.
SSO_KEYS = (
    "sso_session",
    "sso_account_id",
    "sso_role_name",
    "sso_start_url",
    "sso_region",
    "sso_registration_scopes",
)
DASHED_KEYS = {k.replace("_", "-"): k for k in SSO_KEYS}


class SsoSessionSection(Record):
    name: str
    start_url: str | None
    region: str | None
    scopes: tuple[str, ...]
    values: dict[str, object]


class Profile(Record):
    name: str
    kind: str
    values: dict[str, object]
    sso_session: str | None = None
    account_id: str | None = None
    role_name: str | None = None
    start_url: str | None = None
    sso_region: str | None = None
    region: str | None = None
    # What botocore would refuse when the profile is used, in botocore's words.
    problems: tuple[str, ...] = ()
    # What botocore silently ignores but the user almost certainly meant.
    warnings: tuple[str, ...] = ()

    @property
    def is_sso(self) -> bool:
        return self.kind in (SSO_SESSION, LEGACY_SSO)

    def token_key(self) -> tuple[str | None, str | None]:
        """(sso-session name, start URL): what names this profile's token in the cache."""
        if self.kind == SSO_SESSION:
            return self.sso_session, None
        return None, self.start_url


class Profiles(Mapping):
    """The profiles by name, in botocore's order, each classified when first read: resolving
    one profile of a config of thousands classifies the few profiles it involves."""

    def __init__(self, raw: dict[str, dict[str, object]], sessions: dict[str, dict[str, object]]):
        self._raw = raw
        self._sessions = sessions
        self._classified: dict[str, Profile] = {}

    def __getitem__(self, name: str) -> Profile:
        profile = self._classified.get(name)
        if profile is None:
            profile = classify(name, self._raw[name], self._sessions)
            self._classified[name] = profile
        return profile

    def __contains__(self, name) -> bool:
        return name in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def where(self, keep: Callable[[dict[str, object]], bool]) -> Iterator[Profile]:
        """The profiles, in order, whose option values `keep` accepts; the others are not
        classified."""
        for name, values in self._raw.items():
            if keep(values):
                yield self[name]


class AwsConfig(Record, frozen=False):
    config_path: str
    credentials_path: str
    profiles: Mapping = Factory(dict)  # name -> Profile
    sso_sessions: dict[str, SsoSessionSection] = Factory(dict)
    services: dict[str, dict[str, object]] = Factory(dict)
    config_exists: bool = True

    def profile(self, name: str) -> Profile:
        try:
            return self.profiles[name]
        except KeyError:
            raise ConfigError(
                'profile "%s" is not in %s; run: ssoenv profiles'
                % (name, paths.display(self.config_path))
            ) from None


def _parse_nested(text: str) -> dict[str, str]:
    parsed = {}
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if "=" not in line:
            raise ValueError("nested value without '=': %r" % line)
        key, value = line.split("=", 1)
        parsed[key.strip()] = value.strip()
    return parsed


def raw_parse(path: str) -> dict[str, dict[str, object]]:
    """Sections to options, as botocore's `raw_config_parse`; raises ConfigError."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, ValueError):  # not UTF-8, among others
        text = None  # configparser's own reading says what is wrong, and where
    read = _read_ini(text) if text is not None else None
    if read is None:
        return parse_with_configparser(path)
    config, nested = read
    for section, option in nested:
        try:
            config[section][option] = _parse_nested(config[section][option])
        except ValueError as e:
            raise ConfigError(
                "%s: [%s] %s: %s" % (paths.display(path), section, option, e)
            ) from None
    return config


def _read_ini(text: str):
    """(sections to options, the (section, option) pairs whose value starts with a newline,
    in file order) as configparser's RawConfigParser reads `text`, or None for a text it
    reads otherwise: one it refuses, or one with a [DEFAULT] section. Its steps mirror
    configparser's, line by line, without a regular expression per line: a config of
    thousands of profiles costs ten times less. The text is what a file opened in text mode
    gives, so its lines end at "\n" alone, as the lines configparser reads do."""
    config: dict[str, dict[str, object]] = {}
    nested = []
    section = name = None
    option = None  # the option a deeper indented line continues, or None
    blanks = 0  # blank lines since that option's last line: part of its value if continued
    indent_level = 0
    # An option line reads the same wherever it is: the lines a config repeats (a session,
    # a role, a region in every profile) are split once.
    known: dict[str, tuple[str, str]] = {}
    for line in text.split("\n"):
        if not line:
            blanks += 1
            continue
        first = line[0]
        # What str.strip() and configparser's indent measure see as whitespace is at or
        # below " " or from "\x85" on: between the two, a line starts with its content.
        if " " < first < "\x85":
            if first == "#" or first == ";":
                continue
            indent_level = 0  # never a continuation: it is not deeper than any line
            read = known.get(line)
            if read is not None:
                option, value = read
                if section is None or option in section:
                    return None
                section[option] = value
                blanks = 0
                continue
        else:
            value = line.strip()
            if not value:
                blanks += 1
                continue
            first = value[0]
            if first == "#" or first == ";":
                continue
            indent = len(line) - len(line.lstrip())
            if option is not None and indent > indent_level:
                if not section[option]:
                    nested.append((name, option))
                section[option] += "\n" * (blanks + 1) + value
                blanks = 0
                continue
            indent_level = indent
            line = value
        blanks = 0
        if first == "[":
            end = line.rfind("]")
            if end >= 2:  # configparser's \[(?P<header>.+)\]
                name = line[1:end]
                if name in config or name == "DEFAULT":
                    return None
                section = config[name] = {}
                option = None
                continue
        if section is None:
            return None
        key, delimiter, value = line.partition("=")
        if ":" in key:
            key, delimiter, value = line.partition(":")
        option = key.rstrip().lower()
        if not delimiter or not option or option in section:
            return None
        section[option] = value = value.strip()
        known[line] = option, value
    return config, nested


def parse_with_configparser(path: str) -> dict[str, dict[str, object]]:
    """raw_parse by configparser itself: what botocore runs, for every file _read_ini
    leaves to it, and the errors in configparser's own terms; raises ConfigError."""
    import configparser

    cp = configparser.RawConfigParser()
    try:
        with open(path, encoding="utf-8") as f:
            cp.read_file(f, source=path)
    except (configparser.Error, UnicodeDecodeError, ValueError) as e:
        raise ConfigError("%s: %s" % (paths.display(path), _configparser_message(e))) from None
    except OSError as e:
        raise ConfigError("%s: cannot read: %s" % (paths.display(path), e.strerror)) from None
    config: dict[str, dict[str, object]] = {}
    defaults = cp.defaults()
    for section in cp.sections():
        # What cp.options() and cp.get() give (a RawConfigParser does no interpolation),
        # read in one step.
        raw = dict(defaults)
        raw.update(cp._sections[section])
        values: dict[str, object] = {}
        for option, value in raw.items():
            if value is None:  # a key without "=": allow_no_value is off, so never here
                continue
            if value.startswith("\n"):
                try:
                    value = _parse_nested(value)
                except ValueError as e:
                    raise ConfigError(
                        "%s: [%s] %s: %s" % (paths.display(path), section, option, e)
                    ) from None
            values[option] = value
        config[section] = values
    return config


def _configparser_message(e: Exception) -> str:
    import configparser

    if isinstance(e, configparser.DuplicateSectionError):
        return "line %s: section [%s] appears twice; merge them" % (e.lineno, e.section)
    if isinstance(e, configparser.DuplicateOptionError):
        return "line %s: key %r appears twice in [%s]; keep one" % (e.lineno, e.option, e.section)
    if isinstance(e, configparser.MissingSectionHeaderError):
        return "line %s: text before the first [section] header" % e.lineno
    if isinstance(e, configparser.ParsingError):
        lines = [str(lineno) for lineno, _ in e.errors[:3]]
        return "line %s: not an INI line (expected key = value)" % ", ".join(lines)
    if isinstance(e, UnicodeDecodeError):
        return "not UTF-8 text"
    return str(e).splitlines()[0]


def section_kind(key: str) -> tuple[str | None, str | None]:
    """("profile" | "sso-session" | "services", name) for a section header, or (None,
    None): the same prefix tests as botocore's build_profile_map, quirks included."""
    if key == "default":
        return "profile", "default"
    for kind in ("profile", "sso-session", "services"):
        if key.startswith(kind):
            name = _split_section(key)
            return (kind, name) if name is not None else (None, None)
    return None, None


def _split_section(key: str) -> str | None:
    if "'" not in key and '"' not in key and "\\" not in key:
        parts = key.split()  # what shlex gives for a header without quotes or escapes
        return parts[1] if len(parts) == 2 else None
    import shlex

    try:
        parts = shlex.split(key)
    except ValueError:
        return None
    return parts[1] if len(parts) == 2 else None


def _sections(config_path: str, credentials_path: str, parse):
    """(config exists, profiles, sso-sessions, services) as raw option dicts."""
    raw: dict[str, dict[str, object]] = {}
    exists = os.path.isfile(config_path)
    if exists:
        raw = parse(config_path)
    profiles_raw: dict[str, dict[str, object]] = {}
    sessions_raw: dict[str, dict[str, object]] = {}
    services: dict[str, dict[str, object]] = {}
    kinds = {"profile": profiles_raw, "sso-session": sessions_raw, "services": services}
    for key, values in raw.items():
        kind, name = section_kind(key)
        if kind is not None:
            kinds[kind][name] = values
    if os.path.isfile(credentials_path):
        for name, values in parse(credentials_path).items():
            profiles_raw.setdefault(name, {}).update(values)
    return exists, profiles_raw, sessions_raw, services


def _headers(path: str) -> list[str]:
    """The section headers of an INI file, read line by line without configparser: a
    header is a line that starts with `[` and ends with `]`, as configparser finds it."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        if line.startswith("["):
            line = line.rstrip()
            if line.endswith("]") and len(line) > 2:
                out.append(line[1:-1])
    return out


def names(config_path: str, credentials_path: str) -> tuple[list[str], list[str]]:
    """(profile names, sso-session names) for tab completion: fast enough for thousands of
    profiles, by reading only the section headers, with botocore's rules for them."""
    profiles: dict[str, None] = {}
    sessions: dict[str, None] = {}
    kinds = {"profile": profiles, "sso-session": sessions, "services": {}}
    for key in _headers(config_path):
        kind, name = section_kind(key)
        if kind is not None:
            kinds[kind][name] = None
    for key in _headers(credentials_path):
        profiles.setdefault(key, None)
    return list(profiles), list(sessions)


def build(config_path: str, credentials_path: str, parse=raw_parse) -> AwsConfig:
    """The AWS config from both files, each read by `parse` (raw_parse, or
    parse_with_configparser to read them as botocore does, step by step)."""
    exists, profiles_raw, sessions_raw, services = _sections(config_path, credentials_path, parse)
    config = AwsConfig(config_path, credentials_path, services=services, config_exists=exists)
    for name, values in sessions_raw.items():
        scopes = values.get("sso_registration_scopes")
        config.sso_sessions[name] = SsoSessionSection(
            name=name,
            start_url=_str(values.get("sso_start_url")),
            region=_str(values.get("sso_region")),
            scopes=tuple(s.strip() for s in scopes.split(",") if s.strip())
            if isinstance(scopes, str)
            else (),
            values=values,
        )
    config.profiles = Profiles(profiles_raw, sessions_raw)
    return config


def load(config_path: str | None = None, credentials_path: str | None = None) -> AwsConfig:
    return build(
        config_path or paths.aws_config_file(), credentials_path or paths.aws_credentials_file()
    )


def _str(value) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def dashed_key_fix(key: str) -> str:
    """What to say about a dashed key, wherever ssoenv finds one."""
    return 'key "%s" is ignored by the AWS CLI; write it %s' % (key, DASHED_KEYS[key])


def _dashed_warnings(kind: str, name: str, values: dict[str, object]) -> list[str]:
    """What to say about the dashed keys of a profile or sso-session `name`."""
    return [
        '%s "%s": %s' % (kind, name, dashed_key_fix(key)) for key in values if key in DASHED_KEYS
    ]


def _dashed_cause(missing: list[str], values: dict[str, object]) -> list[str]:
    """The dashed keys that explain why botocore finds `missing` keys missing: the key
    itself spelt with dashes, or a dashed sso-session that would have supplied it."""
    from_session = {"sso_start_url", "sso_region"}
    return [
        key
        for key in values
        if key in DASHED_KEYS
        and (DASHED_KEYS[key] in missing or (key == "sso-session" and from_session & set(missing)))
    ]


def classify(
    name: str, values: dict[str, object], sessions: dict[str, dict[str, object]]
) -> Profile:
    """A Profile with its kind and, for SSO, the resolved session values and botocore's
    validation results."""
    warnings = _dashed_warnings("profile", name, values)
    session_name = _str(values.get("sso_session"))
    if session_name and session_name in sessions:
        warnings += _dashed_warnings("sso-session", session_name, sessions[session_name])
    problems: list[str] = []
    region = _str(values.get("region"))
    common = dict(name=name, values=values, region=region, warnings=tuple(warnings))

    if "role_arn" in values:
        return Profile(kind=ASSUME_ROLE, **common)
    if "web_identity_token_file" in values:
        return Profile(kind=WEB_IDENTITY, **common)
    uses_sso_credentials = "sso_role_name" in values or "sso_account_id" in values
    if uses_sso_credentials or session_name is not None or "sso_start_url" in values:
        resolved = dict(values)
        required = ["sso_role_name", "sso_account_id", "sso_start_url", "sso_region"]
        kind = LEGACY_SSO
        if session_name is not None:
            kind = SSO_SESSION
            required.append("sso_session")
            if session_name not in sessions:
                problems.append('The specified sso-session does not exist: "%s"' % session_name)
            else:
                for key, val in sessions[session_name].items():
                    if resolved.get(key, val) != val:
                        problems.append(
                            "The value for %s is inconsistent between profile (%s) and "
                            "sso-session (%s)." % (key, resolved[key], val)
                        )
                    resolved[key] = val
        missing = [k for k in required if k not in resolved]
        if missing and not problems and uses_sso_credentials:
            # botocore's "missing required configuration" hides the real fix: say that.
            fixes = [dashed_key_fix(key) for key in _dashed_cause(missing, values)]
            if session_name in sessions:
                fixes += [
                    'sso-session "%s": %s' % (session_name, dashed_key_fix(key))
                    for key in _dashed_cause(missing, sessions[session_name])
                ]
            if fixes:
                problems.extend(fixes)
                said = {'profile "%s": %s' % (name, f) for f in fixes} | set(fixes)
                common["warnings"] = tuple(w for w in common["warnings"] if w not in said)
            elif missing:
                problems.append(
                    'The profile "%s" is configured to use SSO but is missing required '
                    "configuration: %s" % (name, ", ".join(missing))
                )
        return Profile(
            kind=kind,
            sso_session=session_name,
            account_id=_str(resolved.get("sso_account_id")),
            role_name=_str(resolved.get("sso_role_name")),
            start_url=_str(resolved.get("sso_start_url")),
            sso_region=_str(resolved.get("sso_region")),
            problems=tuple(problems),
            **common,
        )
    if "aws_access_key_id" in values:
        return Profile(kind=STATIC, **common)
    if "credential_process" in values:
        return Profile(kind=PROCESS, **common)
    return Profile(kind=OTHER, **common)


# -- role chains ---------------------------------------------------------------------------


class RoleHop(Record):
    """One AssumeRole of a chain: the profile that names the role, and its settings."""

    profile: str
    role_arn: str
    role_session_name: str | None = None
    external_id: str | None = None
    mfa_serial: str | None = None
    duration_seconds: int | None = None
    # The profile in use when botocore assumes this role: its [services] name the STS
    # endpoint (the profile asked for, or the one an ssoenv credential_process names).
    client_profile: str | None = None


class SsoChain(Record):
    """How a profile's credentials come from an SSO login: the SSO profile at the root,
    then the roles assumed in turn (first hop first). `via` names every profile followed,
    from the one asked for to the root."""

    root: Profile
    hops: tuple[RoleHop, ...]
    via: tuple[str, ...]


_STATIC_KEYS = ("aws_access_key_id", "aws_secret_access_key")


def ssoenv_process_target(command: object) -> str | None:
    """The profile X of a credential_process that runs `ssoenv credential-process
    --profile X` (or `python -m ssoenv ...`), else None."""
    if not isinstance(command, str):
        return None
    import shlex

    try:
        argv = shlex.split(command)
    except ValueError:
        return None
    if not argv:
        return None
    program = os.path.basename(argv[0])
    if program == "ssoenv":
        rest = argv[1:]
    elif program.startswith("python"):
        # python [-I] [-P] ... -m ssoenv ARGS
        try:
            at = argv.index("-m")
        except ValueError:
            return None
        if argv[at + 1 : at + 2] != ["ssoenv"] or any(not a.startswith("-") for a in argv[1:at]):
            return None
        rest = argv[at + 2 :]
    else:
        return None
    if not rest or rest[0] != "credential-process":
        return None
    for i, arg in enumerate(rest):
        if arg == "--profile" and i + 1 < len(rest):
            return rest[i + 1]
        if arg.startswith("--profile="):
            return arg.split("=", 1)[1]
    return None


def _assumes_role(values: dict[str, object]) -> bool:
    # botocore's AssumeRoleProvider._has_assume_role_config_vars
    return "role_arn" in values and "web_identity_token_file" not in values


def _hop(name: str, values: dict[str, object], client_profile: str) -> RoleHop:
    duration = None
    if values.get("duration_seconds") is not None:
        try:
            duration = int(values["duration_seconds"])  # botocore ignores what is not an int
        except (TypeError, ValueError):
            duration = None
    return RoleHop(
        profile=name,
        role_arn=str(values["role_arn"]),
        role_session_name=_opt(values.get("role_session_name")),
        external_id=_opt(values.get("external_id")),
        mfa_serial=_opt(values.get("mfa_serial")),
        duration_seconds=duration,
        client_profile=client_profile,
    )


def _opt(value) -> str | None:
    return value if isinstance(value, str) else None


def sso_chain(config: AwsConfig, name: str) -> SsoChain | None:
    """How profile `name` gets its credentials from an SSO login, by botocore's rules: a
    role chain (`role_arn` + `source_profile`, any number of hops) or a credential_process
    running `ssoenv credential-process`, down to a profile with sso_ keys. None when the
    credentials come from elsewhere (keys, credential_source, another process).
    Raises ConfigError where botocore would refuse the chain (a loop, a missing profile)."""
    profile = config.profile(name)
    visited = [name]
    hops: list[RoleHop] = []
    current = profile
    top = True
    in_use = name
    while True:
        values = current.values
        if _assumes_role(values) and (top or not any(k in values for k in _STATIC_KEYS)):
            source, error = _source_of(config, current.name, values, visited)
            if error:
                raise ConfigError(error)
            if source is None:  # credential_source, or a profile sourcing its own keys
                return None
            hops.append(_hop(current.name, values, in_use))
            visited.append(source)
            current = config.profiles[source]
            top = False
            continue
        if "role_arn" in values and "web_identity_token_file" in values:
            return None
        has_sso_role = "sso_account_id" in values or "sso_role_name" in values
        if (top and current.is_sso) or has_sso_role:
            # botocore's SSO provider comes before keys in a profile's own chain.
            root = current
            if not root.is_sso:  # a source profile with keys and role_arn besides
                sessions = {n: s.values for n, s in config.sso_sessions.items()}
                rest = {k: v for k, v in values.items() if k != "role_arn"}
                root = classify(current.name, rest, sessions)
            return SsoChain(root, tuple(reversed(hops)), tuple(visited))
        if any(k in values for k in _STATIC_KEYS):
            return None
        target = ssoenv_process_target(values.get("credential_process"))
        if target is not None:
            if target in visited:
                raise ConfigError(
                    'profile "%s": its credential_process runs ssoenv for profile "%s", '
                    "which leads back to it (%s)"
                    % (current.name, target, " -> ".join(visited + [target]))
                )
            if target not in config.profiles:
                raise ConfigError(
                    'profile "%s": its credential_process names profile "%s", which is not '
                    "in %s" % (current.name, target, paths.display(config.config_path))
                )
            visited.append(target)
            current = config.profiles[target]
            in_use = target
            top = True  # ssoenv resolves it as a profile of its own
            continue
        if "credential_process" in values or top:
            return None
        raise ConfigError('The source profile "%s" must have credentials.' % current.name)


def _source_of(config: AwsConfig, name: str, values: dict[str, object], visited: list[str]):
    """(source profile, error) as botocore's AssumeRoleProvider validates them; (None,
    None) when the credentials do not come from another profile's SSO login."""
    source = _opt(values.get("source_profile"))
    credential_source = values.get("credential_source")
    if credential_source is not None and source is not None:
        return None, 'The profile "%s" contains both source_profile and credential_source.' % name
    if credential_source is not None:
        return None, None
    if source is None:
        return None, 'profile "%s" has role_arn but no source_profile or credential_source' % name
    if source not in config.profiles:
        return None, (
            'The source_profile "%s" referenced in the profile "%s" does not exist.'
            % (source, name)
        )
    if source in visited:
        # A profile may name itself to use its own keys; any other return is a loop.
        if source == name and any(k in config.profiles[source].values for k in _STATIC_KEYS):
            return None, None
        return None, (
            'profile "%s": source_profile leads back to "%s" (%s); botocore refuses a loop'
            % (name, source, " -> ".join(visited + [source]))
        )
    return source, None
