import os
import stat
import tempfile

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ssoenv.aws import configedit
from ssoenv.aws.configedit import ConfigDocument, read_config, split_lines, write_config
from ssoenv.base.errors import ConfigError

GOLDEN = os.path.join(os.path.dirname(__file__), "golden")


def botocore_raw(text, directory=None):
    """What botocore's own parser makes of `text` (written to a real file, as it reads it):
    in `directory`, the file there replaced, or else in a directory of its own."""
    from botocore.configloader import raw_config_parse

    if directory is None:
        with tempfile.TemporaryDirectory() as d:
            return botocore_raw(text, d)
    path = os.path.join(directory, "config")
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    return raw_config_parse(path, parse_subsections=False)


def botocore_profiles(text, directory=None):
    from botocore.configloader import build_profile_map

    return build_profile_map(botocore_raw(text, directory))


# -- round trip ------------------------------------------------------------------------
FIXTURES = [
    "",
    "\n",
    "[default]\nregion = us-east-1",
    "[default]\r\nregion = us-east-1\r\n\r\n[profile a]\r\nregion=eu-west-1\r\n",
    "# top\n; also top\n\n[profile a b]\n  region   =   x   \n\t\n[sso-session s]\n",
    "[profile dev]\ns3 =\n  addressing_style = path\n\n  signature_version = s3v4\n# c\n",
    "[profile x]\rregion = y\r",
    "junk before any section\n[profile a]\nnot a key line\n",
    "[profile 'q']\nkey: value with = sign\nKEY2 = Upper\n   \n",
]


@pytest.mark.parametrize("text", FIXTURES)
def test_untouched_file_round_trips_byte_for_byte(text):
    assert ConfigDocument(text).text == text


def test_golden_inputs_round_trip_byte_for_byte():
    names = [n for n in os.listdir(GOLDEN) if n.endswith(".input")]
    assert names
    for name in names:
        with open(os.path.join(GOLDEN, name), encoding="utf-8", newline="") as f:
            text = f.read()
        assert ConfigDocument(text).text == text


@given(st.text(alphabet=st.sampled_from(list("[]=:#; \t\r\nabp\"'x-_.\x0c")), max_size=200))
def test_any_text_round_trips(text):
    assert ConfigDocument(text).text == text
    assert "".join(split_lines(text)) == text


line_pieces = st.one_of(
    st.sampled_from(
        [
            "[default]",
            "[profile a]",
            "[profile b]",
            '[profile "c d"]',
            "[sso-session s]",
            "[services svc]",
            "[preview]",
            "# comment",
            "; comment",
            "",
            "   ",
            "region = us-east-1",
            "Region=eu-west-1",
            "output: json",
            "s3 =",
            "  addressing_style = path",
            "    max_attempts = 3",
            "\tsignature_version = s3v4",
            "sso_start_url = https://x.awsapps.com/start#",
            "k = v = w",
        ]
    ),
    st.builds(
        lambda k, v: f"{k} = {v}", st.sampled_from(["x", "y", "z"]), st.text("abc ", max_size=5)
    ),
)
config_texts = st.builds(
    lambda lines, eols, last: (
        "".join(x + e for x, e in zip(lines, eols))[: None if last else -1] or ""
    ),
    st.lists(line_pieces, max_size=25),
    st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=25, max_size=25),
    st.booleans(),
)


HEADERS = [
    "[default]",
    "[profile a]",
    "[ profile b ]",
    '[profile "c d"]',
    "[sso-session s]",
    "[services t]",
    "[preview]",
]
BODY = ["# c", "; c", "", "  ", "\t# indented comment", "  [not a header]"]
KEYS = ["region", "output", "s3", "sso_role_name", "Mixed_Case", "x"]


# The strategies valid_configs draws from, built once: building them at each draw costs
# more than the drawing.
_EOLS = st.sampled_from(["\n", "\r\n", "\r"])
_TOP_LINES = st.lists(st.sampled_from(["# top", "", "; top"]), max_size=2)
_HEADER_LISTS = st.lists(st.sampled_from(HEADERS), unique=True, max_size=4)
_INDENTS = st.sampled_from(["", "", "", " ", "\t"])
_KEY_LISTS = st.lists(st.sampled_from(KEYS), unique_by=str.lower, max_size=4)
_BETWEEN_KEYS = st.lists(st.sampled_from(BODY[:4]), max_size=2)
_SEPARATORS = st.sampled_from([" = ", "=", ": ", "   =\t"])
_VALUES = st.text("ab/:=# ", max_size=6)
_COIN = st.booleans()
_NESTED = st.lists(st.sampled_from(["  k = v", "    deeper", "", "# between"]), max_size=3)
_AFTER_SECTION = st.lists(st.sampled_from(BODY), max_size=2)


@st.composite
def valid_configs(draw):
    eol = draw(_EOLS)
    out = draw(_TOP_LINES)
    for header in draw(_HEADER_LISTS):
        out.append(draw(_INDENTS) + header)
        for key in draw(_KEY_LISTS):
            out.extend(draw(_BETWEEN_KEYS))
            sep = draw(_SEPARATORS)
            value = draw(_VALUES)
            out.append(key + sep + value)
            if draw(_COIN):
                out.extend(draw(_NESTED))
        out.extend(draw(_AFTER_SECTION))
    text = eol.join(out)
    return text + (eol if draw(_COIN) else "")


def _parses(text, directory):
    import botocore.exceptions

    try:
        return botocore_raw(text, directory)
    except botocore.exceptions.ConfigParseError:
        return None


@pytest.mark.long
@settings(
    max_examples=300, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(st.one_of(config_texts, valid_configs()))
def test_model_reads_sections_and_values_like_botocore(scratch, text):
    doc = ConfigDocument(text)
    assert doc.text == text
    raw = _parses(text, scratch)
    assume(raw is not None)
    mine = {s.header: s.as_dict() for s in doc.sections}
    assert mine == raw
    assert doc.junk_lines() == []


@pytest.mark.long
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    valid_configs(),
    st.sampled_from(["region", "output", "s3", "new_key", "x"]),
    st.text("abcxyz-.:/ =#", min_size=0, max_size=8),
)
def test_set_changes_only_that_key_as_botocore_sees_it(scratch, text, key, value):
    raw = _parses(text, scratch)
    assume(raw)
    doc = ConfigDocument(text)
    header = list(raw)[-1]
    target = [s for s in doc.sections if s.header == header][-1]
    doc.set(target.kind, target.name, key, value)
    after = _parses(doc.text, scratch)
    assert after is not None
    expected = {h: dict(v) for h, v in raw.items()}
    # Sections botocore files under the same (kind, name) are the same section to us.
    for s in doc.sections:
        if (s.kind, s.name) == (target.kind, target.name) and s.kind not in ("other",):
            header = s.header
    expected[header][key] = value.strip()
    assert after == expected


@given(st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), min_size=1, max_size=12))
def test_new_headers_quote_names_so_botocore_reads_them_back(scratch, name):
    text = configedit.section_header("profile", name) + "\nregion = x\n"
    assert botocore_profiles(text, scratch)["profiles"] == {name: {"region": "x"}}
    assert [(s.kind, s.name) for s in ConfigDocument(text).sections] == [("profile", name)]


# -- edits -----------------------------------------------------------------------------
BASE = """\
# my config
[default]
region = us-east-1

; work
[profile dev]
sso_session=myorg
sso_account_id = 111111111111\t\t
# the role we use
sso_role_name = Admin
s3 =
  addressing_style = path

# next comes the session
[sso-session myorg]
sso_start_url = https://myorg.awsapps.com/start
sso_region = us-east-1
"""


def test_setting_an_existing_key_keeps_its_place_spacing_and_comments():
    doc = ConfigDocument(BASE)
    doc.set("profile", "dev", "sso_role_name", "ReadOnly")
    doc.set("profile", "dev", "SSO_SESSION", "other")
    doc.set("profile", "dev", "sso_account_id", "222222222222")
    assert doc.text == BASE.replace("Admin", "ReadOnly").replace(
        "sso_session=myorg", "sso_session=other"
    ).replace("111111111111", "222222222222")


def test_a_new_key_goes_after_the_last_key_before_trailing_comments():
    doc = ConfigDocument(BASE)
    doc.set("profile", "dev", "region", "eu-west-1")
    assert doc.text == BASE.replace(
        "  addressing_style = path\n", "  addressing_style = path\nregion = eu-west-1\n"
    )
    assert botocore_profiles(doc.text)["profiles"]["dev"]["region"] == "eu-west-1"


def test_setting_a_nested_key_to_a_plain_value_drops_its_nested_lines():
    doc = ConfigDocument(BASE)
    doc.set("profile", "dev", "s3", "plain")
    assert "addressing_style" not in doc.text
    assert "s3 = plain\n\n# next comes" in doc.text


def test_setting_a_nested_value_writes_indented_lines():
    doc = ConfigDocument("[profile a]\nregion = x\n")
    doc.set("profile", "a", "s3", "\naddressing_style = path\nmax = 2")
    assert doc.text == "[profile a]\nregion = x\ns3 = \n  addressing_style = path\n  max = 2\n"
    from botocore.configloader import build_profile_map

    raw = botocore_raw(doc.text)
    raw = {k: {o: v for o, v in d.items()} for k, d in raw.items()}
    assert build_profile_map(raw)["profiles"]["a"]["s3"].strip().splitlines() == [
        "addressing_style = path",
        "max = 2",
    ]


def test_get_reads_values_with_folded_keys():
    doc = ConfigDocument(BASE)
    assert doc.get("profile", "dev", "SSO_Role_Name") == "Admin"
    assert doc.get("profile", "dev", "sso_account_id") == "111111111111"
    assert doc.get("profile", "default", "region") == "us-east-1"
    assert doc.get("profile", "nope", "region", "d") == "d"


def test_remove_key_takes_its_nested_lines_and_nothing_else():
    doc = ConfigDocument(BASE)
    assert doc.remove("profile", "dev", "s3")
    assert doc.text == BASE.replace("s3 =\n  addressing_style = path\n", "")
    assert not doc.remove("profile", "dev", "s3")


def test_rename_key_keeps_value_and_spacing():
    doc = ConfigDocument("[profile a]\nsso-session   =  myorg  \n")
    assert doc.rename_key("profile", "a", "sso-session", "sso_session")
    assert doc.text == "[profile a]\nsso_session   =  myorg  \n"


def test_add_section_appends_after_one_blank_line():
    doc = ConfigDocument("[default]\nregion = x")
    doc.add_section("profile", "a b", {"region": "y"})
    assert doc.text == '[default]\nregion = x\n\n[profile "a b"]\nregion = y\n'
    assert botocore_profiles(doc.text)["profiles"]["a b"] == {"region": "y"}


def test_add_section_before_another_goes_above_its_comments():
    doc = ConfigDocument(BASE)
    doc.add_section("sso-session", "new", {"sso_region": "eu-west-1"}, before=("profile", "dev"))
    assert "\n[sso-session new]\nsso_region = eu-west-1\n\n; work\n[profile dev]" in doc.text


def test_add_section_refuses_a_duplicate():
    with pytest.raises(ConfigError):
        ConfigDocument(BASE).add_section("profile", "dev")


def test_new_lines_follow_the_files_line_endings():
    doc = ConfigDocument("[default]\r\nregion = x\r\n")
    doc.set("default", "default", "output", "json")
    doc.add_section("profile", "a", {"region": "y"})
    assert (
        doc.text == "[default]\r\nregion = x\r\noutput = json\r\n\r\n[profile a]\r\nregion = y\r\n"
    )


def test_remove_section_keeps_the_next_sections_comments():
    doc = ConfigDocument(BASE)
    assert doc.remove_section("profile", "dev")
    assert doc.text == (
        "# my config\n[default]\nregion = us-east-1\n\n; work\n\n# next comes the session\n"
        "[sso-session myorg]\nsso_start_url = https://myorg.awsapps.com/start\n"
        "sso_region = us-east-1\n"
    )


def test_sections_are_classified_like_botocore():
    text = '[profile "a b"]\n[profile]\n[profile x y]\n[sso-session s]\n[services t]\n[default]\n[plugins]\n'
    doc = ConfigDocument(text)
    assert [(s.kind, s.name) for s in doc.sections] == [
        ("profile", "a b"),
        ("ignored", None),
        ("ignored", None),
        ("sso-session", "s"),
        ("services", "t"),
        ("default", "default"),
        ("other", "plugins"),
    ]
    prof = botocore_profiles(text)
    assert set(prof["profiles"]) == {"a b", "default"}
    assert [s.name for s in doc.iter_profiles()] == ["a b", "default"]


def test_marked_block_is_replaced_in_place_and_nothing_outside_changes():
    text = (
        BASE
        + "\n# BEGIN ssoenv populate myorg\n[profile old]\nregion = x\n# END ssoenv populate myorg\n# after\n"
    )
    doc = ConfigDocument(text)
    doc.set_block("ssoenv populate myorg", "[profile new]\nregion = y\n")
    assert doc.text == text.replace("[profile old]\nregion = x\n", "[profile new]\nregion = y\n")
    assert doc.block_content("ssoenv populate myorg") == "[profile new]\nregion = y\n"


def test_marked_block_is_appended_when_missing():
    doc = ConfigDocument("[default]\nregion = x")
    doc.set_block("ssoenv populate s", "[profile p]\nregion = y")
    assert doc.text == (
        "[default]\nregion = x\n\n# BEGIN ssoenv populate s\n[profile p]\nregion = y\n"
        "# END ssoenv populate s\n"
    )


def test_damaged_block_is_refused():
    doc = ConfigDocument("# BEGIN ssoenv populate s\n[profile p]\n")
    with pytest.raises(ConfigError, match="damaged"):
        doc.set_block("ssoenv populate s", "")


# -- writing ---------------------------------------------------------------------------
@pytest.fixture
def cfg(tmp_path):
    d = tmp_path / "aws"
    d.mkdir(mode=0o755)
    p = d / "config"
    p.write_text("[default]\nregion = us-east-1\n")
    os.chmod(p, 0o640)
    return p


def test_write_replaces_file_keeps_mode_and_makes_a_backup(cfg):
    snap = read_config(str(cfg))
    diff = write_config(str(cfg), "[default]\nregion = eu-west-1\n", based_on=snap)
    assert "-region = us-east-1" in diff and "+region = eu-west-1" in diff
    assert cfg.read_text() == "[default]\nregion = eu-west-1\n"
    assert stat.S_IMODE(os.stat(cfg).st_mode) == 0o640
    backup = cfg.parent / "config.ssoenv-backup"
    assert backup.read_text() == "[default]\nregion = us-east-1\n"
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    assert sorted(os.listdir(cfg.parent)) == ["config", "config.ssoenv-backup"]


def test_backup_is_one_file_overwritten_each_time(cfg):
    write_config(str(cfg), "[default]\nregion = a\n")
    write_config(str(cfg), "[default]\nregion = b\n")
    assert (cfg.parent / "config.ssoenv-backup").read_text() == "[default]\nregion = a\n"
    assert sorted(os.listdir(cfg.parent)) == ["config", "config.ssoenv-backup"]


def test_dry_run_writes_nothing_and_returns_the_diff(cfg):
    before = os.stat(cfg)
    diff = write_config(str(cfg), "[default]\nregion = eu-west-1\n", dry_run=True)
    assert diff.startswith("--- ")
    assert "+region = eu-west-1" in diff
    assert cfg.read_text() == "[default]\nregion = us-east-1\n"
    assert os.stat(cfg).st_mtime_ns == before.st_mtime_ns
    assert os.listdir(cfg.parent) == ["config"]


def test_unchanged_text_writes_nothing(cfg):
    assert write_config(str(cfg), cfg.read_text()) == ""
    assert os.listdir(cfg.parent) == ["config"]


def test_new_file_is_private_in_a_private_new_directory(tmp_path):
    path = tmp_path / "home" / ".aws" / "config"
    write_config(str(path), "[default]\n")
    assert path.read_text() == "[default]\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert os.listdir(path.parent) == ["config"]


def test_existing_directory_mode_is_left_alone(cfg):
    write_config(str(cfg), "[default]\n")
    assert stat.S_IMODE(os.stat(cfg.parent).st_mode) == 0o755


def test_a_failed_write_leaves_the_old_file_whole(cfg, monkeypatch):
    def boom(*a):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError):
        write_config(str(cfg), "[default]\nregion = eu-west-1\n" * 100)
    assert cfg.read_text() == "[default]\nregion = us-east-1\n"
    assert not [n for n in os.listdir(cfg.parent) if n.endswith(".tmp")]


def test_a_failed_rename_leaves_the_old_file_whole(cfg, monkeypatch):
    real_replace = os.replace

    def fail_on_config(src, dst):
        if dst.endswith("config"):
            raise PermissionError(13, "Permission denied")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_on_config)
    with pytest.raises(OSError, match=r"^cannot write .*config: Permission denied$"):
        write_config(str(cfg), "[default]\nregion = eu-west-1\n")
    assert cfg.read_text() == "[default]\nregion = us-east-1\n"
    assert not [n for n in os.listdir(cfg.parent) if n.endswith(".tmp")]


def test_refuses_when_the_file_changed_since_it_was_read(cfg):
    snap = read_config(str(cfg))
    cfg.write_text("[default]\nregion = ap-south-1\n")
    with pytest.raises(ConfigError, match="changed while ssoenv was editing it"):
        write_config(str(cfg), "[default]\nregion = eu-west-1\n", based_on=snap)
    assert cfg.read_text() == "[default]\nregion = ap-south-1\n"
    assert str(ConfigError("x")).count("\n") == 0


def test_refuses_when_the_file_appeared_since_it_was_read(tmp_path):
    path = tmp_path / "config"
    snap = read_config(str(path))
    path.write_text("[default]\n")
    with pytest.raises(ConfigError):
        write_config(str(path), "[profile a]\n", based_on=snap)


def test_refuses_when_the_file_changes_during_the_write(cfg, monkeypatch):
    snap = read_config(str(cfg))
    real_fsync = os.fsync

    def meddle(fd):
        real_fsync(fd)
        if not cfg.read_text().startswith("[x]"):
            with open(cfg, "a") as f:
                f.write("[x]\n")

    monkeypatch.setattr(os, "fsync", meddle)
    with pytest.raises(ConfigError):
        write_config(str(cfg), "[default]\nregion = eu-west-1\n", based_on=snap)
    assert "region = us-east-1" in cfg.read_text()
    assert not [n for n in os.listdir(cfg.parent) if n.endswith(".tmp")]


def test_a_symlinked_config_is_written_through_the_link(tmp_path):
    target = tmp_path / "dotfiles" / "aws-config"
    target.parent.mkdir()
    target.write_text("[default]\n")
    link = tmp_path / "config"
    link.symlink_to(target)
    write_config(str(link), "[default]\nregion = x\n")
    assert link.is_symlink()
    assert target.read_text() == "[default]\nregion = x\n"


def test_diff_marks_a_missing_final_newline():
    diff = configedit.unified_diff("[default]", "[default]\nregion = x\n", "config")
    assert "\\ No newline at end of file" in diff


def test_update_config_reads_edits_and_writes(tmp_path, monkeypatch):
    from ssoenv.commands.populate import apply_populate

    path = tmp_path / ".aws" / "config"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
    write_config(str(path), "[sso-session s]\nsso_start_url = u\nsso_region = r\n")
    accounts = [{"accountId": "111111111111", "accountName": "A", "roleName": "R"}]
    diff = configedit.update_config(lambda t: apply_populate(t, "s", accounts), dry_run=True)
    assert "+[profile a.r]" in diff
    assert "[profile a.r]" not in path.read_text()
    configedit.update_config(lambda t: apply_populate(t, "s", accounts))
    assert "[profile a.r]" in path.read_text()


def test_update_config_refuses_if_the_file_changes_during_the_edit(cfg):
    def edit(text):
        cfg.write_text(text + "[profile other]\n")
        return text + "[profile mine]\n"

    with pytest.raises(ConfigError):
        configedit.update_config(edit, path=str(cfg))
    assert cfg.read_text().endswith("[profile other]\n")
