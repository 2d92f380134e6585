"""ssoenv's fast reading of the AWS files changes nothing: every file reads as configparser
reads it (botocore's parser), errors included, and every profile resolves as it does from
configparser's reading with every profile classified. Checked on generated config and
credentials files with role chains, sso-sessions, quirky headers and malformed lines."""

import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssoenv.aws import accounts, awsconfig, profiles
from ssoenv.base.errors import SsoenvError

pytestmark = pytest.mark.usefixtures("ssoenv_env")

# The fixture's HOME is only read (for `~` in messages); each example writes its own files.
EXAMPLES = settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])

PROFILES = ("a", "b", "far", "default", "x y", "Dev")
SESSIONS = ("s", "t", "x y")
ACCOUNT_IDS = ("111111111111", "222222222222", "012345678901", "12345678901")
ROLES = ("Developer", "Admin")
START_URLS = ("https://s.awsapps.com/start", "https://t.awsapps.com/start/#/")

CONFIG_HEADERS = (
    *("[profile %s]" % n for n in PROFILES),
    *('[profile "%s"]' % n for n in PROFILES),
    *("[%s]" % n for n in PROFILES),
    *("[sso-session %s]" % s for s in SESSIONS),
    '[sso-session "x y"]',
    "[profile  far]",
    "[profilefar b]",
    "[profile]",
    "[services local]",
    "[preview]",
    "[profile a]  ",
    "[profile 'b']",
    "[profile a\\\\b]",
)
CREDENTIALS_HEADERS = (*("[%s]" % n for n in PROFILES), "[profile a]", "[profile far]")
KEYS = (
    *awsconfig.SSO_KEYS,
    *awsconfig.DASHED_KEYS,
    "region",
    "Region",
    "SSO_ROLE_NAME",
    "role_arn",
    "source_profile",
    "credential_source",
    "credential_process",
    "aws_access_key_id",
    "aws_secret_access_key",
    "web_identity_token_file",
    "duration_seconds",
    "role_session_name",
    "external_id",
    "mfa_serial",
    "s3",
    "output",
)
ARNS = ("arn:aws:iam::111111111111:role/Deploy", "arn:aws:iam::222222222222:role/path/Admin")
PROCESSES = (
    "ssoenv credential-process --profile a",
    "python3 -I -m ssoenv credential-process --profile=far",
    "/bin/echo {}",
)
# The values a key takes most of the time, so that chains and sessions resolve; any value
# the rest of the time.
VALUES_OF = {
    "sso_session": SESSIONS,
    "sso_account_id": ACCOUNT_IDS,
    "sso_role_name": ROLES,
    "sso_start_url": START_URLS,
    "sso_region": ("eu-west-1", "us-east-1"),
    "sso_registration_scopes": ("sso:account:access, sso:other", "sso:account:access"),
    "source_profile": PROFILES,
    "role_arn": ARNS,
    "credential_process": PROCESSES,
    "credential_source": ("Environment",),
    "aws_access_key_id": ("AKIAEXAMPLE",),
    "duration_seconds": ("3600", "an hour"),
    "s3": ("", "", "x"),
}
VALUES = (
    *PROFILES,
    *SESSIONS,
    *ACCOUNT_IDS,
    *ROLES,
    *START_URLS,
    *ARNS,
    *PROCESSES,
    "eu-west-1",
    "3600",
    "a = b",
    "",
)
# What an sso-session section holds most of the time.
SESSION_KEYS = (
    "sso_start_url",
    "sso_start_url",
    "sso_region",
    "sso_region",
    "sso_registration_scopes",
    "sso_role_name",
    "sso_account_id",
    "sso-region",
    "region",
)
DELIMITERS = (" = ", "=", " =", "= ", " : ", ":", "\t=\t", " =  ")
TRAILING = ("", "", "", " ", "\t")
# Lines that keep a file plain: blank lines and comments, anywhere.
FILLERS = (
    "",
    "",
    "   ",
    "\t",
    "# a comment",
    "; a comment",
    "  # indented comment",
    "#[profile a]",
)
# Lines deeper than the option before them: its value goes on.
CONTINUATIONS = ("  max_concurrent_requests = 20", "\taddressing_style = path", "    x=y")
# Lines that make configparser refuse the file, or read it in a way of its own.
ODD_LINES = (
    "garbage",
    "= x",
    ": x",
    "=",
    "  nonsense",
    "  [profile b]",
    "[DEFAULT]",
    "[]",
    "[x",
    "[]]",
    "[profile a] # header with a comment",
    "\x0c",
    "\xa0",
    "\u3000region = x",
    "region\x85= y",
    "\ufeff[profile a]",
    "\u2028",
    "  # comment",
    "\x85region = x",
    "\x85",
    "  region = z",
    "\tsso_role_name = Admin",
    "region = x",
    "REGION = y",
    "[profile a]",
    "[profile far]",
    "[sso-session s]",
    "x\x1c = 1",
)


def section_name(header: str) -> str:
    header = header.strip()
    return header[1 : header.rfind("]")]


# The strategies ini_files draws from, built once: building them at each draw costs more
# than the drawing.
_FILLER_LINES = st.lists(st.sampled_from(FILLERS), max_size=2)
_ONE_FILLER = st.lists(st.sampled_from(FILLERS), max_size=1)
_KEY_LISTS = {
    pool: st.lists(st.sampled_from(pool), unique_by=str.lower, max_size=6)
    for pool in (SESSION_KEYS, KEYS)
}
_VALUES = {values: st.sampled_from(values) for values in (VALUES, *VALUES_OF.values())}
_QUARTER = st.integers(0, 3)
_TENTH = st.integers(0, 9)
_INDENTS = st.sampled_from(("", "", "", " ", "\t"))
_DELIMITERS = st.sampled_from(DELIMITERS)
_TRAILING = st.sampled_from(TRAILING)
_MORE = st.lists(st.sampled_from(CONTINUATIONS + FILLERS), min_size=1, max_size=3)
_ODD = st.lists(st.sampled_from(ODD_LINES), max_size=3)
_BLANKS = st.lists(st.sampled_from(("", "  ")), max_size=2)
_DEEPER = st.lists(st.sampled_from(CONTINUATIONS), max_size=1)
_ENDINGS = st.sampled_from(("\n", "\n", "\r\n"))
# Headers unique by the section they name: two sections of one name are an error.
_HEADER_LISTS = {
    headers: st.lists(st.sampled_from(headers), unique_by=section_name, max_size=7)
    for headers in (CONFIG_HEADERS, CREDENTIALS_HEADERS)
}


@st.composite
def ini_files(draw, headers, odd: bool) -> str:
    """An AWS config or credentials file: sections with options in any order; with `odd`,
    indented options, and lines configparser refuses or reads its own way, anywhere."""
    lines = list(draw(_FILLER_LINES))
    for header in draw(_HEADER_LISTS[headers]):
        lines.append(header)
        pool = SESSION_KEYS if header.startswith("[sso-session") else KEYS
        for key in draw(_KEY_LISTS[pool]):
            values = VALUES_OF.get(key.lower(), VALUES)
            value = draw(_VALUES[values if draw(_QUARTER) else VALUES])
            indent = draw(_INDENTS) if odd else ""
            lines.append(indent + key + draw(_DELIMITERS) + value)
            lines[-1] += draw(_TRAILING)
            if key == "s3" or draw(_TENTH) == 0:
                lines.extend(draw(_MORE))
            lines.extend(draw(_ONE_FILLER))
    if odd:
        for line in draw(_ODD):
            lines.insert(draw(st.integers(0, len(lines))), line)
        # A line again elsewhere (a second section or key of one name, or the same option
        # in another section), between blank lines, then a deeper line or not.
        for _ in range(draw(_QUARTER) if lines else 0):
            at = draw(st.integers(0, len(lines)))
            again = draw(_BLANKS) + [draw(st.sampled_from(lines))] + draw(_BLANKS)
            again += draw(_DEEPER)
            lines[at:at] = again
    ending = draw(_ENDINGS)
    return ending.join(lines) + draw(st.sampled_from(("", ending)))


def write(directory: str, name: str, text) -> str:
    """`text` in the file `name`, the file there before replaced; None: no file."""
    path = os.path.join(directory, name)
    if text is not None:
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    elif os.path.lexists(path):
        os.remove(path)
    return path


def ordered(value):
    """Dicts as lists of items, all the way down: equal only in the same order."""
    if isinstance(value, dict):
        return [(k, ordered(v)) for k, v in value.items()]
    if isinstance(value, (list, tuple)):
        return [ordered(v) for v in value]
    return value


def outcome(call, *args):
    try:
        return "value", call(*args)
    except SsoenvError as e:
        return "error", str(e)


def config_view(config) -> list:
    return ordered(
        {
            "exists": config.config_exists,
            "profiles": {name: vars(p) for name, p in config.profiles.items()},
            "sso_sessions": {name: vars(s) for name, s in config.sso_sessions.items()},
            "services": config.services,
        }
    )


@EXAMPLES
@given(text=ini_files(CONFIG_HEADERS, odd=True))
def test_a_file_reads_as_configparser_reads_it_or_fails_with_its_error(scratch, text):
    path = write(scratch, "config", text)
    fast = outcome(awsconfig.raw_parse, path)
    full = outcome(awsconfig.parse_with_configparser, path)
    assert ordered(fast) == ordered(full)


@EXAMPLES
@given(text=ini_files(CONFIG_HEADERS, odd=False))
def test_a_plain_file_is_read_without_configparser(scratch, text):
    """The fast reading is the one taken for a file without odd lines (so the test above
    compares it, not configparser with itself)."""
    path = write(scratch, "config", text)
    with open(path, encoding="utf-8") as f:
        read = awsconfig._read_ini(f.read())
    full = outcome(awsconfig.parse_with_configparser, path)
    assert full[0] == "value"
    assert read is not None
    sections, _ = read
    assert list(sections) == list(full[1])


@EXAMPLES
@given(
    config=st.one_of(st.none(), ini_files(CONFIG_HEADERS, odd=True)),
    credentials=st.one_of(st.none(), ini_files(CREDENTIALS_HEADERS, odd=True)),
)
def test_every_profile_resolves_as_from_the_full_parse(scratch, config, credentials):
    config_path = write(scratch, "config", config)
    credentials_path = write(scratch, "credentials", credentials)
    fast = outcome(awsconfig.build, config_path, credentials_path)
    full = outcome(
        awsconfig.build, config_path, credentials_path, awsconfig.parse_with_configparser
    )
    assert fast[0] == full[0]
    if full[0] == "error":
        assert fast == full
        return
    fast, full = fast[1], full[1]
    # Classified lazily or all at once, the same profiles in the same order.
    assert config_view(fast) == config_view(full)
    for name in {*PROFILES, *full.profiles, "unknown"}:
        assert ordered(outcome(profiles.profile_value, fast, name)) == ordered(
            outcome(profiles.profile_value, full, name)
        ), name
    for account in (*ACCOUNT_IDS[:2], "an-account-name"):
        for role in ROLES:
            for start_url in (None, *START_URLS):
                args = (account, role, start_url)
                assert ordered(outcome(profiles.portable_value, fast, *args)) == ordered(
                    outcome(profiles.portable_value, full, *args)
                ), args
    # portable_value classifies only the profiles may_have lets through: it must let through
    # every profile that can match.
    for p in full.profiles.values():
        if p.is_sso and not p.problems and p.account_id and p.role_name:
            assert accounts.may_have(p.values, "sso_role_name", (p.role_name,)), p
            assert accounts.may_have(p.values, "sso_account_id", {p.account_id}), p


BIG = "".join(
    "[profile p%04d]\nsso_session = s\nsso_account_id = %012d\nsso_role_name = Developer\n\n"
    % (i, i)
    for i in range(2000)
)


def test_a_switch_after_the_config_changed_reads_a_big_config_without_configparser(ssoenv_env):
    """The first export after an edit of a config of thousands of profiles reads it in one
    pass of its own."""
    ssoenv_env.write_aws_config(
        "[sso-session s]\nsso_start_url = https://s.awsapps.com/start\nsso_region = eu-west-1\n"
        + BIG,
        None,
    )
    probe = (
        "import sys\n"
        "from ssoenv.aws import profiles\n"
        "info = profiles.profile_info('p1998')\n"
        "print(info['account_id'], info['start_url'], 'configparser' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=ssoenv_env.base_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["000000001998", "None", "False"]


def test_a_profile_whose_sso_session_names_the_role_matches_a_portable_file(tmp_path):
    """An sso-session's sso_role_name is its profiles' role (botocore merges the session's
    keys into the profile): such a profile is among the few portable_value classifies."""
    config = tmp_path / "config"
    config.write_text(
        "[sso-session s]\nsso_start_url = https://s.awsapps.com/start\nsso_region = eu-west-1\n"
        "sso_role_name = Admin\n"
        "[profile other]\nsso_session = s\nsso_account_id = 111111111111\n"
        "sso_role_name = Developer\n"
        "[profile p]\nsso_session = s\nsso_account_id = 111111111111\n"
    )
    built = awsconfig.build(str(config), str(tmp_path / "credentials"))
    found = profiles.portable_value(built, "111111111111", "Admin", None)
    assert (found["match"]["name"], found["match"]["role_name"], found["others"]) == (
        "p",
        "Admin",
        [],
    )
