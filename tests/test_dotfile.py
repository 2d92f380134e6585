"""`.ssoenv` files: parsing, validation messages, and finding and reading the nearest one."""

import os
import pwd
import subprocess
import sys
import tempfile
import threading

import pytest
import yaml
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssoenv.base.errors import DotfileError
from ssoenv.prompt import dotfile, locate

pytestmark = pytest.mark.usefixtures("ssoenv_env")


def path():
    return os.path.expanduser("~/work/project/.ssoenv")


def parse(text: str) -> dotfile.Dotfile:
    return dotfile.parse(text, path())


def error(text: str) -> str:
    with pytest.raises(DotfileError) as info:
        parse(text)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("~/work/project/.ssoenv")
    return message


# ---- valid files ------------------------------------------------------------------------


def test_bare_profile_name_is_the_whole_file():
    assert parse("dev\n").profile == "dev"


def test_bare_profile_name_may_carry_a_comment():
    assert parse("# the team's account\ndev  # dev account\n").profile == "dev"


def test_full_form_reads_every_key():
    dot = parse(
        "profile: dev\n"
        "region: eu-central-1\n"
        "credentials: true\n"
        "login: auto\n"
        "env:\n"
        "  TF_VAR_stage: 'dev stage'\n"
        "  RETRIES: 5\n"
    )
    assert dot == dotfile.Dotfile(
        path=path(),
        profile="dev",
        region="eu-central-1",
        env={"TF_VAR_stage": "dev stage", "RETRIES": "5"},
        credentials=True,
        login="auto",
    )


def test_account_and_role_without_profile_keep_leading_zeros():
    dot = parse("account: 012345678901\nrole: Developer\n")
    assert (dot.profile, dot.account, dot.role) == (None, "012345678901", "Developer")


@pytest.mark.parametrize(
    "written, value",
    [("012345678901", "012345678901"), ("0123", "0123"), ("1.50", "1.50"), ("0x1F", "0x1F")],
)
def test_unquoted_number_in_env_is_kept_as_written(written, value):
    assert parse("profile: dev\nenv:\n  ACCOUNT: %s\n" % written).env == {"ACCOUNT": value}


def test_dotfile_round_trips_through_json():
    dot = parse("profile: dev\nregion: us-east-1\nenv:\n  A: b\n")
    assert dotfile.Dotfile.from_json(dot.to_json()) == dot


@pytest.mark.parametrize(
    "profile, region",
    [("dev", None), ("dev", "eu-west-1"), ("yes", None), ("my.profile/x@y", "us-gov-west-1")],
)
def test_init_example_parses_back_to_the_same_profile(profile, region):
    dot = parse(dotfile.example(profile, region))
    assert (dot.profile, dot.region) == (profile, region)


# ---- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, line",
    [
        ("profile: dev\nregion: 'eu-west-1\n", 3),
        ("profile: dev\n\tregion: eu-west-1\n", 2),
        ("profile: dev\nenv:\n  A: [1,\n  B: c\n", 5),
        ("profile: dev\n---\nprofile: prod\n", 2),
    ],
)
def test_bad_yaml_names_file_and_line(text, line):
    message = error(text)
    assert message.startswith("~/work/project/.ssoenv: line %d: invalid YAML: " % line)


@pytest.mark.parametrize(
    "text, line, problem",
    [
        ("profile: dev\nenv:\n  A: !foo bar\n", 3, "the tag '!foo'"),
        ("profile: dev\nenv:\n  A: !!python/object:os.system x\n", 3, "python/object"),
        ("profile: dev\nenv:\n  <<: {A: b}\n", 3, "merge"),
        ("profile: dev\ncredentials: !yes x\n", 2, "the tag '!yes'"),
    ],
)
def test_unknown_yaml_tag_is_invalid_yaml_with_its_line(text, line, problem):
    message = error(text)
    assert message.startswith("~/work/project/.ssoenv: line %d: invalid YAML: " % line)
    assert problem in message


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[a]: dev\n", "line 1: keys must be plain names"),
        ("profile: dev\nenv:\n  ? [a]\n  : b\n", "line 3: env: variable names must be plain names"),
    ],
)
def test_complex_key_is_refused_in_words(text, expected):
    message = error(text)
    assert expected in message
    assert "Node(" not in message


@pytest.mark.parametrize("text", ["", "\n\n", "# just a comment\n# and another\n"])
def test_empty_or_comment_only_file_says_what_to_write(text):
    assert error(text) == "~/work/project/.ssoenv: the file is empty; write: profile: NAME"


def test_unknown_key_suggests_the_close_one():
    assert error("profile: dev\nregoin: eu-west-1\n") == (
        '~/work/project/.ssoenv: line 2: unknown key "regoin"; did you mean "region"?'
    )


def test_unknown_key_with_nothing_close_lists_valid_keys():
    message = error("profile: dev\nzzz: 1\n")
    assert message.startswith('~/work/project/.ssoenv: line 2: unknown key "zzz"; valid keys: ')
    assert "profile, region, env" in message


def test_duplicate_key_names_its_second_line():
    assert error("profile: dev\nregion: eu-west-1\nprofile: prod\n") == (
        '~/work/project/.ssoenv: line 3: "profile" appears twice'
    )


def test_duplicate_env_name_names_its_second_line():
    assert error("profile: dev\nenv:\n  A: x\n  A: y\n") == (
        '~/work/project/.ssoenv: line 4: env: "A" appears twice'
    )


@pytest.mark.parametrize("value", ["[1, 2]", "{a: b}"])
def test_non_string_env_value_is_refused(value):
    assert error("profile: dev\nenv:\n  A: %s\n" % value).startswith(
        "~/work/project/.ssoenv: line 3: env: A must be a string"
    )


def test_block_list_env_value_names_the_line_where_it_starts():
    assert error("profile: dev\nenv:\n  A:\n    - x\n").startswith(
        "~/work/project/.ssoenv: line 4: env: A must be a string"
    )


@pytest.mark.parametrize("value", ["yes", "true", "off", "No"])
def test_bool_env_value_asks_for_quotes(value):
    assert error("profile: dev\nenv:\n  FLAG: %s\n" % value) == (
        '~/work/project/.ssoenv: line 3: env: FLAG must be a string; quote it, e.g. FLAG: "%s"'
        % value
    )


def test_null_env_value_is_refused():
    assert "env: A must be a string" in error("profile: dev\nenv:\n  A:\n")


@pytest.mark.parametrize("name", ["1A", "A-B", "A B", "é"])
def test_invalid_variable_name_is_refused(name):
    assert error('profile: dev\nenv:\n  "%s": x\n' % name) == (
        '~/work/project/.ssoenv: line 3: env: "%s" is not a valid variable name' % name
    )


# Names and values are checked by their characters: a regular expression's `$` also takes a
# name that ends with a line break, and its `\d` the digits of every script.
@pytest.mark.parametrize("name", ["FOO\n", "_\n"])
def test_a_variable_name_that_ends_with_a_line_break_is_refused(name):
    with pytest.raises(DotfileError) as info:
        parse('profile: dev\nenv:\n  "%s": x\n' % name.replace("\n", "\\n"))
    assert str(info.value) == (
        '~/work/project/.ssoenv: line 3: env: "%s" is not a valid variable name' % name
    )


def test_an_account_id_of_other_digits_is_refused():
    account = "\u0661" * 12  # ARABIC-INDIC DIGIT ONE: a digit, but not one of AWS's
    assert error('account: "%s"\nrole: Admin\n' % account) == (
        '~/work/project/.ssoenv: line 1: "account" %s is not a 12-digit account id' % account
    )


def test_ssoenv_bookkeeping_variable_cannot_be_set():
    assert error("profile: dev\nenv:\n  SSOENV_DIFF: x\n") == (
        "~/work/project/.ssoenv: line 3: env: SSOENV_DIFF belongs to ssoenv's own "
        "bookkeeping and cannot be set"
    )


@pytest.mark.parametrize(
    "name, key",
    [
        ("AWS_PROFILE", "profile:"),
        ("AWS_DEFAULT_PROFILE", "profile:"),
        ("AWS_REGION", "region:"),
        ("AWS_DEFAULT_REGION", "region:"),
    ],
)
def test_managed_variables_point_to_their_key(name, key):
    assert error("profile: dev\nenv:\n  %s: x\n" % name) == (
        '~/work/project/.ssoenv: line 3: env: set %s with "%s"' % (name, key)
    )


@pytest.mark.parametrize(
    "region", ["Europe", "eu-west", "EU-WEST-1", "eu_west_1", "eu-west-\u0661", "eu--1", "e-west-1"]
)
def test_bad_region_names_its_line(region):
    assert error("profile: dev\nregion: %s\n" % region) == (
        '~/work/project/.ssoenv: line 2: "%s" is not an AWS region (such as eu-central-1)' % region
    )


def test_bad_login_mode_names_its_line():
    assert error("profile: dev\nlogin: sometimes\n") == (
        '~/work/project/.ssoenv: line 2: "login" must be one of: hint, auto, never'
    )


def test_list_at_top_level_is_refused():
    assert error("- profile: dev\n") == (
        "~/work/project/.ssoenv: line 1: expected a mapping such as: profile: NAME"
    )


def test_missing_profile_is_refused():
    assert error("region: eu-west-1\n") == (
        '~/work/project/.ssoenv: line 1: "profile" is missing; write: profile: NAME'
    )


@pytest.mark.parametrize("text", ["profile:\n", "profile: ''\n", "profile: [a]\n"])
def test_empty_or_non_string_profile_is_refused(text):
    assert error(text) == '~/work/project/.ssoenv: line 1: "profile" must be a non-empty string'


def test_profile_with_white_space_names_its_line():
    assert error("region: eu-west-1\nprofile: my dev\n") == (
        '~/work/project/.ssoenv: line 2: profile "my dev" has white space in its name'
    )


def test_credentials_must_be_a_boolean():
    assert error("profile: dev\ncredentials: maybe\n") == (
        '~/work/project/.ssoenv: line 2: "credentials" must be true or false'
    )


def test_nul_in_env_value_is_refused():
    assert "env: A contains a NUL character" in error('profile: dev\nenv:\n  A: "a\\0b"\n')


def test_non_utf8_file_is_refused():
    with pytest.raises(DotfileError) as info:
        dotfile.load_text(path(), b"profile: d\xffev\n")
    assert str(info.value) == "~/work/project/.ssoenv: not UTF-8 text"


# ---- property: env values survive YAML ---------------------------------------------------


def variable_names(longest_tail: int):
    """[A-Z_][A-Z0-9_]{0,longest_tail}, built from its parts: st.from_regex costs a third
    of the drawing."""
    return st.builds(
        str.__add__,
        st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ_"),
        st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", max_size=longest_tail),
    )


env_values = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.dictionaries(variable_names(8), env_values))
def test_env_values_written_by_safe_dump_parse_back_unchanged(values):
    values = {k: v for k, v in values.items() if not k.startswith(("SSOENV_", "AWS_"))}
    text = yaml.safe_dump({"profile": "dev", "env": values} if values else {"profile": "dev"})
    assert parse(text).env == values


# ---- property: plain files read without PyYAML read as PyYAML reads them ---------------------

# Files of plain `key: value` lines, each key once with a value that mostly passes the
# checks, written bare or in double quotes; then the same across the edges of the plain form:
# a line changed or added (other spacing and quoting, YAML's indicators and escapes, values
# YAML reads as something else, comments, blank lines, documents, nested mappings, a key
# twice) or other line ends. Each example is read both ways.
_safe = "abcdefghijklmnopqrstuvwxyzABCDEFXYZ0123456789._/@+=,:-"
_odd = "#'\" !&*%`?{}[]|>\\\t\r~ \u00e9\u2028\x85\ufeff\x00\x7f"
_any = st.text(st.sampled_from(_safe), min_size=1, max_size=14)
# Values YAML reads as another type, or cuts short, or refuses; and spaces, quotes, escapes.
_TRICKY = (
    "true false True yes no null ~ on 1e3 0x1f 1:20 2024-01-01 a: :a a#b -a = << a,b a:b 1 "
    "0123 .inf #a a'b a\"b a\\b".split()
    + ["a #b", "a b", "a  b", "a # b", "a\tb", "a: b", "a\u00e9", " a", "a "]
)
_tricky = st.sampled_from(_TRICKY)
_pools = {
    "profile": st.one_of(st.sampled_from(["dev", "team.admin@corp", "a:b"]), _any, _tricky),
    "region": st.one_of(st.sampled_from(["eu-west-1", "us-east-1", "ap-southeast-2"]), _any),
    "login": st.one_of(st.sampled_from(dotfile.LOGIN_MODES), _tricky),
    "account": st.one_of(st.sampled_from(["012345678901", "Sales", "0123"]), _any, _tricky),
    "role": st.one_of(st.sampled_from(["Admin", "Read.Only", "a=b,c@d"]), _any, _tricky),
    "sso_start_url": st.one_of(
        st.sampled_from(["https://my.awsapps.com/start", "https://h:8443/a,b"]),
        _tricky.map(lambda value: "https://h/" + value),
    ),
    "credentials": st.sampled_from(["true", "false", "True", "yes", "off", '"true"']),
}
# Variable names under `env:`: names, names YAML reads as another type, names ssoenv refuses.
_ENV_NAMES = (
    "A B_C _x PATH_2 a Y n y N ON On on OFF yes YES No NO TRUE true False null NULL Null "
    "SSOENV_X AWS_PROFILE AWS_DEFAULT_REGION AWS_X 1A A-B A.B"
).split()
_env_names = st.one_of(st.sampled_from(_ENV_NAMES), variable_names(5))
# (value, written in double quotes); a file with a profile, or with any keys at all.
_fields = {key: st.tuples(pool, st.booleans()) for key, pool in _pools.items()}
_fields["env"] = st.lists(
    st.tuples(_env_names, st.one_of(_any, _tricky), st.booleans()), min_size=1, max_size=4
)


def _field_lines(key, field) -> list:
    if key == "env":
        return ["env:"] + [
            "  %s: %s" % (name, '"%s"' % value if quoted else value)
            for name, value, quoted in field
        ]
    value, quoted = field
    return ["%s: %s" % (key, '"%s"' % value if quoted and key != "credentials" else value)]


_plain_lines = st.one_of(
    st.fixed_dictionaries(
        {"profile": _fields["profile"]},
        optional={key: field for key, field in _fields.items() if key != "profile"},
    ),
    st.fixed_dictionaries({}, optional=_fields),
).map(lambda fields: [line for key, f in fields.items() for line in _field_lines(key, f)])
_odd_line = st.one_of(
    st.builds(
        lambda key, value, quote: "%s: %s%s%s" % (key, quote, value, quote),
        st.sampled_from([key for key in _pools if key != "credentials"]),
        _tricky,
        st.sampled_from(["", '"', "'"]),
    ),
    st.sampled_from(
        [
            "",
            " ",
            "# a comment",
            "---",
            "...",
            "env:",
            "  AWS_X: y",
            "  A: b",
            " A: b",
            "   A: b",
            "    A: b",
            "\tA: b",
            "  A:b",
            "  A:  b",
            "  A : b",
            "  - A",
            "  A: b # c",
            "  # c",
            "env: {}",
            "env: {A: b}",
            "profile: dev # c",
            "profile: dev",
            "profile:dev",
            "profile:  dev",
            "profile : dev",
            "profile: 'dev'",
            "Profile: dev",
            "- profile: dev",
            "? profile",
            "profile: dev\t",
            "profile: dev ",
        ]
    ),
    st.builds(
        lambda key, sep, value: key + sep + value,
        st.sampled_from(list(_pools) + ["env", "x"]),
        st.sampled_from([": ", ":", ":  ", " : ", ":\t"]),
        st.text(st.sampled_from(_safe + _odd), max_size=10),
    ),
)
PLAIN_TEXTS = st.one_of(
    st.builds(lambda lines: "\n".join(lines) + "\n", _plain_lines),
    st.builds(
        lambda lines, odd, at, end: "\n".join(lines[:at] + [odd] + lines[at:]) + end,
        _plain_lines,
        _odd_line,
        st.integers(0, 7),
        st.sampled_from(["\n", "", "\r\n", "\n\n"]),
    ),
)


@settings(max_examples=500, deadline=None)
@given(text=PLAIN_TEXTS)
def test_a_file_read_without_yaml_reads_as_yaml_reads_it(text):
    plain = dotfile._plain(text, path())
    if plain is not None:
        assert dotfile._parse_yaml(text, path()) == plain


def test_every_tricky_value_of_every_key_reads_as_yaml_reads_it():
    # Each value that YAML reads as another type, cuts short or refuses, bare and quoted,
    # under each key, beside a profile: every one, not a random few.
    for key in _pools:
        for value in _TRICKY:
            for quote in ("", '"', "'"):
                beside = "" if key == "profile" else "profile: dev\n"
                text = beside + "%s: %s%s%s\n" % (key, quote, value, quote)
                plain = dotfile._plain(text, path())
                if plain is not None:
                    assert dotfile._parse_yaml(text, path()) == plain, text


def test_every_tricky_name_and_value_under_env_reads_as_yaml_reads_it():
    for name in _ENV_NAMES:
        for value in _TRICKY + ["x", "0123", "1.5", "a-b"]:
            for quote in ("", '"', "'"):
                text = "profile: dev\nenv:\n  %s: %s%s%s\n" % (name, quote, value, quote)
                plain = dotfile._plain(text, path())
                if plain is not None:
                    assert dotfile._parse_yaml(text, path()) == plain, text


@pytest.mark.parametrize(
    "text",
    [
        'profile: dev\nenv:\n  A: x\n  B_2: "y.z@q"\nregion: eu-west-1\n',
        "env:\n  TF_VAR_stage: dev\n  NUM: 0123\nprofile: shop-dev\n",
    ],
)
def test_a_plain_env_block_is_read_without_yaml(text):
    plain = dotfile._plain(text, path())
    assert plain is not None and plain == dotfile._parse_yaml(text, path())
    assert plain.env and all(isinstance(v, str) for v in plain.env.values())


@pytest.mark.parametrize(
    "text",
    [
        "profile: dev\nenv:\nregion: eu-west-1\n",
        "profile: dev\nenv:\n",
        "env:\nprofile: dev\n",
        "profile: dev\nenv:\n  A: b\nenv:\n  C: d\n",
        "profile: dev\nenv:\n  A: b\n   C: d\n",
        "profile: dev\nenv:\n  A: 2024-01-31\n",
        "profile: dev\nenv:\n  On: x\n",
    ],
)
def test_an_env_block_yaml_refuses_is_left_to_yaml(text):
    assert dotfile._plain(text, path()) is None
    with pytest.raises(DotfileError):
        dotfile._parse_yaml(text, path())


@pytest.mark.parametrize(
    "text",
    [
        dotfile.example("dev", None),
        dotfile.example("dev", "eu-west-1"),
        dotfile.example("team.admin@corp", "us-east-1"),
        dotfile.portable_example("012345678901", "Admin", "https://my.awsapps.com/start", None),
        dotfile.portable_example("Sales", "ReadOnly", None, "eu-central-1"),
        "profile: dev\ncredentials: true\nlogin: auto\n",
        "profile: dev",
    ],
)
def test_the_files_ssoenv_writes_are_read_without_yaml(text):
    plain = dotfile._plain(text, path())
    assert plain is not None and plain == dotfile._parse_yaml(text, path())


# ---- finding the nearest .ssoenv --------------------------------------------------------


def test_nearest_is_found_from_a_deep_subdirectory(ssoenv_env):
    f = ssoenv_env.write_dotfile("dev\n")
    deep = ssoenv_env.project / "a" / "b" / "c" / "d"
    deep.mkdir(parents=True)
    assert locate.nearest(str(deep)) == str(f)


def test_nearest_wins_over_a_parents(ssoenv_env):
    ssoenv_env.write_dotfile("dev\n")
    inner = ssoenv_env.write_dotfile("prod\n", ssoenv_env.project / "sub")
    (ssoenv_env.project / "sub" / "x").mkdir()
    assert locate.nearest(str(ssoenv_env.project / "sub" / "x")) == str(inner)


def test_nearest_is_none_without_any_file(ssoenv_env):
    assert locate.nearest(str(ssoenv_env.project)) is None


def test_nearest_keeps_the_logical_path_through_a_symlink(ssoenv_env, tmp_path):
    f = ssoenv_env.write_dotfile("dev\n")
    link = tmp_path / "link"
    link.symlink_to(ssoenv_env.project)
    assert locate.nearest(str(link)) == str(link / ".ssoenv")
    assert os.path.samefile(locate.nearest(str(link)), f)


def test_logical_cwd_prefers_pwd_when_it_is_the_same_directory(ssoenv_env, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(ssoenv_env.project)
    assert locate.logical_cwd({"PWD": str(link)}) == str(link)
    assert locate.logical_cwd({"PWD": "/"}) == os.getcwd()


def read_with_timeout(p, seconds=5):
    """read_bytes in a thread; a read that blocks fails the test instead of hanging it."""
    result = {}

    def target():
        try:
            result["data"] = locate.read_bytes(p)
        except Exception as e:  # handed to the test thread
            result["error"] = e

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), "read_bytes blocked on %s" % p
    if "error" in result:
        raise result["error"]
    return result["data"]


def test_fifo_named_ssoenv_is_an_error_not_a_hang(ssoenv_env):
    fifo = ssoenv_env.project / ".ssoenv"
    os.mkfifo(fifo)
    with pytest.raises(DotfileError) as info:
        read_with_timeout(str(fifo))
    assert str(info.value) == ("~/work/project/.ssoenv is not a regular file; remove or rename it")


def test_directory_named_ssoenv_is_found_and_refused(ssoenv_env):
    (ssoenv_env.project / ".ssoenv").mkdir()
    found = locate.nearest(str(ssoenv_env.project))
    assert found == str(ssoenv_env.project / ".ssoenv")
    with pytest.raises(DotfileError) as info:
        read_with_timeout(found)
    assert str(info.value) == "~/work/project/.ssoenv is a directory; remove or rename it"


def test_oversize_file_is_refused_and_exactly_the_limit_is_read(ssoenv_env):
    f = ssoenv_env.project / ".ssoenv"
    f.write_bytes(b"#" * locate.MAX_SIZE)
    assert len(read_with_timeout(str(f))) == locate.MAX_SIZE
    f.write_bytes(b"#" * (locate.MAX_SIZE + 1))
    with pytest.raises(DotfileError) as info:
        read_with_timeout(str(f))
    assert str(info.value) == (
        "~/work/project/.ssoenv is too large (65537 bytes, the limit is 65536)"
    )


def test_broken_symlink_is_found_and_refused(ssoenv_env):
    (ssoenv_env.project / ".ssoenv").symlink_to(ssoenv_env.project / "gone")
    found = locate.nearest(str(ssoenv_env.project / "."))
    assert found == str(ssoenv_env.project / ".ssoenv")
    with pytest.raises(DotfileError) as info:
        read_with_timeout(found)
    assert str(info.value) == "~/work/project/.ssoenv: file does not exist (a broken link?)"


def test_symlink_to_a_file_is_read_through(ssoenv_env, tmp_path):
    real = tmp_path / "shared.ssoenv"
    real.write_text("dev\n")
    (ssoenv_env.project / ".ssoenv").symlink_to(real)
    assert read_with_timeout(str(ssoenv_env.project / ".ssoenv")) == b"dev\n"


def unprivileged_user():
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        return None


def test_unreadable_file_is_a_one_line_error():
    """Root reads anything, so when the tests run as root the check runs as `nobody` in a
    child process, on a copy of the package that `nobody` can read (the checkout may live
    where it cannot); as any other user, chmod 000 alone makes the file unreadable."""
    import shutil

    nobody = unprivileged_user()
    assert os.geteuid() != 0 or nobody is not None, "running as root without a `nobody` user"
    base = tempfile.mkdtemp(prefix="ssoenv-unreadable-")
    try:
        os.chmod(base, 0o755)
        lib = os.path.join(base, "lib")
        shutil.copytree(
            os.path.join(str(ROOT), "ssoenv"),
            os.path.join(lib, "ssoenv"),
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        f = os.path.join(base, ".ssoenv")
        with open(f, "w") as out:
            out.write("dev\n")
        os.chmod(f, 0)
        code = (
            "import sys; from ssoenv.prompt import locate\n"
            "try:\n    locate.read_bytes(sys.argv[1])\n"
            "except Exception as e:\n    print(type(e).__name__ + ': ' + str(e))\n"
        )
        kwargs = {}
        if os.geteuid() == 0:
            kwargs["preexec_fn"] = lambda: (os.setgid(nobody.pw_gid), os.setuid(nobody.pw_uid))
        env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": lib, "HOME": "/nonexistent"}
        # The test interpreter may live under /root, which nobody cannot enter.
        python = sys.executable if os.geteuid() != 0 else shutil.which("python3", path="/usr/bin")
        assert python, "no /usr/bin/python3 to run as nobody"
        result = subprocess.run(
            [python, "-c", code, f],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            cwd="/",
            **kwargs,
        )
        assert result.stdout == "DotfileError: %s: cannot read: Permission denied\n" % f, (
            result.stderr
        )
    finally:
        os.chmod(os.path.join(base, ".ssoenv"), 0o600)
        shutil.rmtree(base)
