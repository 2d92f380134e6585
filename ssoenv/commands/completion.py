"""Tab completion: the scripts `ssoenv completion SHELL` prints, and the candidates they ask for.

The scripts in completions/ call `ssoenv __complete SHELL INDEX WORD...` and read back one
line saying what to do, then the candidates. That small protocol is ssoenv's own, so the
scripts keep working whatever click version is installed, and a TAB loads neither click,
boto3 nor yaml: the commands and options come from completion_table.py, which a test keeps
equal to the click commands.

Answers, first line:
    words               then one candidate a line: VALUE, or VALUE<TAB>DESCRIPTION
    files               complete a file or directory name, as the shell does
    defer N             the words from index N on are a command line of their own
                        (`ssoenv exec -- CMD ...`): complete it like the shell would
"""

import os
import sys

from ssoenv import shells
from ssoenv.base import cache, paths
from ssoenv.commands.completion_table import TABLE
from ssoenv.shells.base import scripts_dir

SHELLS = ("bash", "zsh", "fish", "tcsh", "elvish", "xonsh")
FILES = {
    "bash": "ssoenv.bash",
    "zsh": "_ssoenv",
    "fish": "ssoenv.fish",
    "tcsh": "ssoenv.tcsh",
    "elvish": "ssoenv.elv",
    "xonsh": "ssoenv.xsh",
}

# What an option's value or a positional argument is: (command, option or argument) -> kind.
# A test checks that every option taking a value and every argument has an entry here.
KINDS = {
    ("", "--version"): None,
    ("allow", "PATH"): "path",
    ("deny", "PATH"): "path",
    ("completion", "SHELL"): "completion-shell",
    ("hook", "SHELL"): "hook-shell",
    ("export", "SHELL"): "export-shell",
    ("init", "PROFILE"): "profile",
    ("init", "--region"): "region",
    ("exec", "--profile"): "profile",
    ("exec", "COMMAND"): "command",
    # login and credential-process refuse profiles that do not use IAM Identity Center.
    ("login", "--profile"): "sso-profile",
    ("login", "--sso-session"): "session",
    ("logout", "--sso-session"): "session",
    ("credential-process", "--profile"): "sso-role-profile",
    ("configure", "--sso-session"): "session",
    ("configure", "--start-url"): None,
    ("configure", "--sso-region"): "region",
    ("configure", "--scopes"): None,
    ("configure", "--account-id"): None,
    ("configure", "--role-name"): None,
    ("configure", "--region"): "region",
    ("configure", "--output"): "output",
    ("configure", "--profile-name"): None,
    ("populate", "--sso-session"): "session",
    ("populate", "--template"): None,
    ("populate", "--region"): "region",
    ("migrate", "--session-name"): None,
    ("keys list", "--profile"): "profile",
    ("keys list", "--as"): "profile",
    ("keys list", "--user"): None,
    ("keys deactivate", "--profile"): "profile",
    ("keys deactivate", "--as"): "profile",
    ("keys deactivate", "--user"): None,
    ("keys deactivate", "KEY_ID"): None,
    ("keys activate", "--profile"): "profile",
    ("keys activate", "--as"): "profile",
    ("keys activate", "--user"): None,
    ("keys activate", "KEY_ID"): None,
    ("exec", "--listen"): None,
    ("console", "--profile"): "profile",
    ("console", "--service"): "service",
    ("console", "--region"): "region",
    ("console", "--duration"): None,
    ("populate", "--timeout"): None,
    ("help", "COMMAND"): "subcommand",
}

# The consoles `ssoenv console --service` offers: the path under the console's address.
CONSOLE_SERVICES = (
    ("acm", "Certificate Manager"),
    ("apigateway", "API Gateway"),
    ("athena", "Athena"),
    ("billing", "Billing and Cost Management"),
    ("cloudformation", "CloudFormation"),
    ("cloudfront", "CloudFront"),
    ("cloudtrail", "CloudTrail"),
    ("cloudwatch", "CloudWatch"),
    ("codebuild", "CodeBuild"),
    ("codepipeline", "CodePipeline"),
    ("cognito", "Cognito"),
    ("dynamodbv2", "DynamoDB"),
    ("ec2", "EC2"),
    ("ecr", "Elastic Container Registry"),
    ("ecs", "Elastic Container Service"),
    ("eks", "Elastic Kubernetes Service"),
    ("elasticache", "ElastiCache"),
    ("events", "EventBridge"),
    ("iam", "IAM"),
    ("kms", "Key Management Service"),
    ("lambda", "Lambda"),
    ("organizations", "Organizations"),
    ("rds", "RDS"),
    ("route53", "Route 53"),
    ("s3", "S3"),
    ("secretsmanager", "Secrets Manager"),
    ("sns", "SNS"),
    ("sqs", "SQS"),
    ("ssm", "Systems Manager"),
    ("states", "Step Functions"),
    ("vpc", "VPC"),
)

OUTPUT_FORMATS = (
    ("json", "JSON"),
    ("yaml", "YAML"),
    ("yaml-stream", "YAML, streamed"),
    ("text", "tab-separated text"),
    ("table", "a table"),
)


# ---- the scripts -------------------------------------------------------------------------


def script_dir() -> str:
    """The completion scripts."""
    return scripts_dir("completions", "completion")


def script(shell: str) -> bytes:
    with open(os.path.join(script_dir(), FILES[shell]), "rb") as f:
        return f.read()


def main(argv) -> int:
    """`ssoenv completion SHELL`: 2 (and nothing printed) when SHELL is not one we know, so
    the caller can let click say so."""
    if len(argv) != 1 or argv[0] not in SHELLS:
        return 2
    sys.stdout.buffer.write(script(argv[0]))
    sys.stdout.flush()
    return 0


# ---- names from the AWS files ------------------------------------------------------------

_SSO_KEYS = ("sso_session", "sso_start_url", "sso_account_id", "sso_role_name")
_OTHER_KEYS = ("role_arn", "web_identity_token_file")
_SSO_CREDENTIAL_KEYS = ("sso_start_url", "sso_account_id", "sso_role_name")


_LINES = None
_KEYS = {k: k for k in _SSO_KEYS + _OTHER_KEYS}
_QUOTES = frozenset("'\"\\")


def _scan(path: str, headers_are_profiles: bool, sections: dict, sessions: dict) -> None:
    """Add each section of an INI file to `sections` (profile name -> the few keys that
    decide its kind) or `sessions`: one regular expression finds the headers and those keys
    (at the start of a line, as configparser reads them), so thousands of profiles take
    milliseconds."""
    global _LINES
    import re

    from ssoenv.aws import (
        awsconfig,  # start-up: the TAB key's path: dataclasses only on a stale cache
    )

    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return
    if _LINES is None:
        _LINES = re.compile(
            r"^(?:\[(.+)\][ \t\r\f\v]*|(%s)[ \t]*[=:][ \t]*([^\n]*))$"
            % "|".join(_SSO_KEYS + _OTHER_KEYS),
            re.M | re.I,
        )
    current = None
    for header, key, value in _LINES.findall(text):
        if header:
            current = None
            if headers_are_profiles:
                current = sections.setdefault(header, {})
                continue
            parts = header.split()
            if len(parts) == 2 and parts[0] == "profile" and not _QUOTES.intersection(header):
                kind, name = "profile", parts[1]  # the common case, as section_kind has it
            else:
                kind, name = awsconfig.section_kind(header)
            if kind == "profile":
                current = sections.setdefault(name, {})
            elif kind == "sso-session":
                current = sessions.setdefault(name, {})
        elif current is not None:
            current[_KEYS.get(key) or key.lower()] = value.strip()


def _read_names(config_path: str, creds_path: str) -> dict:
    profiles: dict = {}
    sessions: dict = {}
    _scan(config_path, False, profiles, sessions)
    _scan(creds_path, True, profiles, sessions)
    sso, sso_role = [], []
    for name, keys in profiles.items():
        if not keys or not keys.keys().isdisjoint(_OTHER_KEYS):
            continue  # no SSO key; or botocore takes the role or web identity first
        if not (keys.get("sso_session") or not keys.keys().isdisjoint(_SSO_CREDENTIAL_KEYS)):
            continue  # as awsconfig.classify decides
        sso.append(name)
        resolved = dict(sessions.get(keys.get("sso_session") or "", {}))
        resolved.update(keys)
        if resolved.get("sso_account_id") and resolved.get("sso_role_name"):
            sso_role.append(name)
    return {
        "profiles": list(profiles),
        "sessions": list(sessions),
        "sso": sso,
        "sso-role": sso_role,
    }


def names(kind: str) -> list:
    """Profile names ("profiles", "sso", "sso-role") or sso-session names ("sessions"),
    cached on the AWS files' identity."""

    config_path, creds_path = paths.aws_config_file(), paths.aws_credentials_file()
    key = [config_path, cache.file_key(config_path), creds_path, cache.file_key(creds_path)]
    found = cache.get("completion-names", config_path, key)
    if not isinstance(found, dict) or kind not in found:
        found = _read_names(config_path, creds_path)
        cache.put("completion-names", config_path, key, found)
    return found[kind]


def regions() -> list:
    """[(region, description)] from botocore's endpoint data, found without importing
    botocore and cached on that file's identity."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("botocore")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        return []
    path = os.path.join(list(spec.submodule_search_locations)[0], "data", "endpoints.json")
    key = [path, cache.file_key(path)]
    found = cache.get("completion-regions", path, key)
    if not isinstance(found, list):
        import json

        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
            found = [
                [region, info.get("description", "")]
                for partition in data.get("partitions", [])
                for region, info in partition.get("regions", {}).items()
            ]
        except (OSError, ValueError, AttributeError):
            return []
        cache.put("completion-regions", path, key, found)
    return [tuple(pair) for pair in found]


def _shell_names(kind: str) -> list:
    if kind == "completion-shell":
        return list(SHELLS)
    if kind == "hook-shell":
        hook = list(shells.HOOK_SHELLS)
        return hook + [n for n in ("direnv",) if n in shells.REGISTRY and n not in hook]
    return [n for n in shells.REGISTRY if n != "direnv"]


def values(kind) -> list:
    """[(value, description)] for a kind of value."""
    if kind == "profile":
        return [(n, "") for n in names("profiles")]
    if kind == "sso-profile":
        return [(n, "") for n in names("sso")]
    if kind == "sso-role-profile":
        return [(n, "") for n in names("sso-role")]
    if kind == "session":
        return [(n, "") for n in names("sessions")]
    if kind == "region":
        return regions()
    if kind == "output":
        return list(OUTPUT_FORMATS)
    if kind == "service":
        return list(CONSOLE_SERVICES)
    if kind == "subcommand":
        # start-up: the TAB key's path: the table for subcommands only
        from ssoenv.commands.completion_table import TABLE

        return [(n, TABLE[n]["help"]) for n in TABLE if n and " " not in n]
    if kind in ("completion-shell", "hook-shell", "export-shell"):
        return [(n, "") for n in _shell_names(kind)]
    return []


# ---- reading the command line ------------------------------------------------------------


def _option(entry: dict, name: str):
    for opt in entry["options"]:
        if name in opt[0]:
            return opt
    return None


def _join_bash_words(words, index):
    """bash splits `--profile=x` into `--profile`, `=`, `x`: put them back together.
    Returns (words, index, where each word starts among bash's)."""
    out, origin = [], []
    new_index = None
    i = 0
    while i < len(words):
        w = words[i]
        if (
            w == "="
            and out
            and out[-1].startswith("--")
            and "=" not in out[-1]
            and origin[-1] == i - 1
        ):
            out[-1] += "="
            if i == index:
                new_index = len(out) - 1
            if i + 1 < len(words) and i + 1 <= index:
                out[-1] += words[i + 1]
                if i + 1 == index:
                    new_index = len(out) - 1
                i += 2
            else:
                i += 1
            continue
        if i == index:
            new_index = len(out)
        out.append(w)
        origin.append(i)
        i += 1
    if new_index is None:
        new_index = len(out)
    return out, new_index, origin


def candidates(shell: str, index: int, words: list):
    """(directive, [(value, description)]) for the word at `index` of `words` (words[0] is
    the program)."""
    origin = list(range(len(words)))
    if shell == "bash":
        words, index, origin = _join_bash_words(words, index)
    words = list(words[: index + 1])
    while len(words) <= index:
        words.append("")
    current = words[index]

    path = ""
    entry = TABLE[path]
    used = set()
    positional = 0
    expecting = None
    dashdash = False
    i = 1
    while i < index:
        w = words[i]
        i += 1
        if expecting is not None:
            expecting = None
            continue
        if not dashdash and w == "--":
            dashdash = True
            continue
        if not dashdash and w.startswith("-") and len(w) > 1:
            name, eq, _ = w.partition("=")
            opt = _option(entry, name)
            if opt is not None:
                used.add(opt[0][0])
                if opt[1] and not eq:
                    expecting = (path, opt)
            continue
        child = (path + " " + w).strip()
        if not dashdash and positional == 0 and child in TABLE:
            path, entry, used = child, TABLE[child], set()
            continue
        args = entry["args"]
        if not args and _children(path):
            return "words", []  # a command ssoenv does not have
        if positional < len(args) and KINDS.get((path, args[positional])) == "command":
            return "defer %d" % origin[i - 1], []
        positional += 1

    if expecting is not None:
        return _values_for(shell, "", KINDS.get((expecting[0], expecting[1][0][0])))
    if not dashdash and current.startswith("--") and "=" in current:
        name, _, _ = current.partition("=")
        opt = _option(entry, name)
        if opt is None or not opt[1]:
            return "words", []
        kind = KINDS.get((path, opt[0][0]))
        # bash replaces only what follows the `=`; zsh and fish the whole word.
        return _values_for(shell, "" if shell == "bash" else name + "=", kind)
    args = entry["args"]
    if (dashdash or not current.startswith("-")) and positional < len(args):
        kind = KINDS.get((path, args[min(positional, len(args) - 1)]))
        if kind == "command":
            return "defer %d" % (origin[index] if index < len(origin) else index), []
        if kind == "path":
            return "files", []
        return _values_for(shell, "", kind)
    children = _children(path)
    if not current.startswith("-") and children:
        return "words", children
    if dashdash:
        return "words", []
    out = []
    for opt in entry["options"]:
        if opt[0][0] in used and not opt[3]:
            continue
        for name in opt[0]:
            if current.startswith("--") and not name.startswith("--"):
                continue
            out.append((name, opt[2]))
    return "words", out


def _children(path: str) -> list:
    """[(name, help)] of the subcommands of `path`."""
    depth = len(path.split()) + 1
    return [
        (name.split()[-1], TABLE[name]["help"])
        for name in TABLE
        if name
        and len(name.split()) == depth
        and (name + " ").startswith(path + " " if path else "")
    ]


def _values_for(shell, prefix, kind):
    if kind == "path":
        return "files", []
    return "words", [(prefix + value, help) for value, help in values(kind)]


def _bash_unquoted(word: str) -> str:
    """The text of a word as bash gives it to a completion, quotes and all (`zz\\$`, `'a b`):
    what it stands for, so that it matches the value it begins."""
    out, quote, i = [], None, 0
    while i < len(word):
        c = word[i]
        i += 1
        if quote == "'":
            if c == "'":
                quote = None
            else:
                out.append(c)
        elif c == "\\" and i < len(word) and (quote is None or word[i] in '$`"\\'):
            out.append(word[i])
            i += 1
        elif c in "'\"" and quote is None:
            quote = c
        elif c == '"' and quote == '"':
            quote = None
        else:
            out.append(c)
    return "".join(out)


def complete_main(argv) -> int:
    """`ssoenv __complete SHELL INDEX WORD...`, called by the completion scripts; tcsh's
    (`ssoenv __complete tcsh`) reads the line from COMMAND_LINE."""
    if argv == ["tcsh"]:
        return _complete_tcsh(os.environ.get("COMMAND_LINE", ""))
    if len(argv) < 2 or argv[0] not in SHELLS or not argv[1].isdigit():
        sys.stderr.write("usage: ssoenv __complete %s INDEX WORD...\n" % "|".join(SHELLS))
        return 2
    shell, index, words = argv[0], int(argv[1]), argv[2:]
    directive, found = candidates(shell, index, words)
    lines = [directive]
    if shell == "bash":
        current = _join_bash_words(words, index)
        current = current[0][current[1]] if current[1] < len(current[0]) else ""
        typed = _bash_unquoted(
            current.partition("=")[2] if current.startswith("--") and "=" in current else current
        )
        lines.extend(value for value, _ in found if value.startswith(typed))
    else:
        for value, help in found:
            help = " ".join(help.split())
            lines.append("%s\t%s" % (value, help) if help else value)
    sys.stdout.write("".join(line.replace("\n", " ") + "\n" for line in lines))
    sys.stdout.flush()
    return 0


def _complete_tcsh(line: str) -> int:
    """The words tcsh offers for the line up to the cursor: only words, so files are
    listed here and tcsh keeps those that start with what is typed."""
    words = line.split()
    if not line or line[-1].isspace():
        words.append("")
    index = len(words) - 1
    directive, found = candidates("tcsh", index, words)
    current = words[index]
    if directive == "words":
        out = [value for value, _ in found if value.startswith(current)]
    else:
        out = _files(current)
    sys.stdout.write("".join(word + "\n" for word in out))
    sys.stdout.flush()
    return 0


def _files(current: str) -> list:
    """Files and directories (with a slash) whose path starts with `current`, as typed."""
    typed_dir, _, start = current.rpartition("/")
    prefix = typed_dir + "/" if "/" in current else ""
    directory = os.path.expanduser(typed_dir or ".") if prefix or not current else "."
    if prefix and not typed_dir:
        directory = "/"
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    out = []
    for name in names:
        if name.startswith(start) and (start.startswith(".") or not name.startswith(".")):
            slash = "/" if os.path.isdir(os.path.join(directory, name)) else ""
            out.append(prefix + name + slash)
    return out
