import hashlib
import itertools
import json
import os
import stat
import time

import pytest
from golden_files import check_golden, golden
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssoenv.aws.configedit import ConfigDocument, quote_name
from ssoenv.base.errors import ConfigError
from ssoenv.commands.migrate import (
    carry_over_tokens,
    normalize_start_url,
    plan_migration,
    session_name_from_url,
    sso_only_process,
)


@pytest.fixture
def botocore_view(tmp_path, monkeypatch):
    """profile -> (account, role, start URL, region) as botocore's SSO provider resolves it."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(var, raising=False)
    counter = itertools.count()

    def view(text, strict=True):
        import botocore.exceptions
        import botocore.session
        from botocore.credentials import SSOProvider

        path = tmp_path / f"config{next(counter)}"
        path.write_bytes(text.encode("utf-8"))
        monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
        # Reading the config emits no event: the handlers for requests, registered anew in
        # each session, would cost more than the read.
        session = botocore.session.Session(include_builtin_handlers=False)
        full = session.full_config
        out = {}
        for name in full["profiles"]:
            provider = SSOProvider(
                load_config=lambda: full, client_creator=None, profile_name=name, cache={}
            )
            try:
                conf = provider._load_sso_config()
            except botocore.exceptions.InvalidConfigError:
                if strict:
                    raise
                out[name] = "refused"
                continue
            if conf:
                out[name] = (
                    conf["sso_account_id"],
                    conf["sso_role_name"],
                    normalize_start_url(conf["sso_start_url"]),
                    conf["sso_region"],
                    conf.get("sso_session"),
                )
        return out

    return view


def _without_session(view):
    return {k: v if isinstance(v, str) else v[:4] for k, v in view.items()}


def test_legacy_config_matches_golden_and_resolves_the_same(botocore_view):
    text = golden("migrate_legacy.input")
    new_text, summary = plan_migration(text)
    check_golden("migrate_legacy.expected", new_text)
    before, after = botocore_view(text), botocore_view(new_text)
    assert set(before) == {"default", "acme-dev", "partner admin", "legacy-with-other-process"}
    assert _without_session(after) == _without_session(before)
    assert {v[4] for v in after.values()} == {"acme-2", "d-1234567890"}
    assert [(s.name, s.reused) for s in summary.sessions] == [
        ("acme-2", False),
        ("d-1234567890", False),
    ]
    assert summary.sessions[0].legacy_start_urls == (
        "https://acme.awsapps.com/start",
        "https://acme.awsapps.com/start/",
    )
    assert [p for p, _ in summary.removed_processes] == ["acme-dev", "partner admin"]
    assert any("legacy-with-other-process" in w for w in summary.warnings)
    assert any("[profile half]" in w for w in summary.warnings)


def test_article_config_matches_golden_and_resolves(botocore_view):
    text = golden("migrate_article.input")
    new_text, summary = plan_migration(text)
    check_golden("migrate_article.expected", new_text)
    # Before: the dashed profile is invisible to botocore.
    assert set(botocore_view(text)) == {"my-old-profile"}
    expected = ("123456789012", "AdministratorAccess", "https://myorg.awsapps.com/start")
    after = botocore_view(new_text)
    assert after == {
        "my-new-profile": expected + ("us-east-1", "myorg"),
        "my-old-profile": expected + ("us-east-1", "myorg"),
    }
    assert [(s.name, s.reused) for s in summary.sessions] == [("myorg", True)]
    assert ("sso-session myorg", "sso-start-url", "sso_start_url") in summary.renamed_keys
    assert summary.removed_processes == (
        ("my-old-profile", "aws-sso-util credential-process --profile my-old-profile"),
    )


def test_migrating_twice_changes_nothing_more():
    for name in ("migrate_legacy.input", "migrate_article.input"):
        once = plan_migration(golden(name)).new_text
        again = plan_migration(once)
        assert again.new_text == once
        assert not again.summary.changed


def test_crlf_file_stays_crlf():
    text = golden("migrate_legacy.input").replace("\n", "\r\n")
    new_text, _ = plan_migration(text)
    assert new_text == golden("migrate_legacy.expected").replace("\n", "\r\n")


def test_unrelated_lines_survive_byte_for_byte():
    text = golden("migrate_legacy.input")
    new_text = plan_migration(text).new_text
    new_lines = new_text.splitlines()
    touched = ("sso_start_url", "sso_region", "credential_process")
    for line in text.splitlines():
        if not line.replace(" ", "").startswith(touched):
            assert line in new_lines


def test_session_name_overrides_by_url_or_by_derived_name(botocore_view):
    text = golden("migrate_legacy.input")
    new_text, summary = plan_migration(
        text,
        session_names={"https://ACME.awsapps.com/start/": "work", "d-1234567890": "partner"},
    )
    assert [s.name for s in summary.sessions] == ["work", "partner"]
    assert "[sso-session work]" in new_text and "[sso-session partner]" in new_text
    assert _without_session(botocore_view(new_text)) == _without_session(botocore_view(text))


def test_override_naming_a_different_existing_session_is_refused():
    with pytest.raises(ConfigError, match='"acme" already exists'):
        plan_migration(
            golden("migrate_legacy.input"), session_names={"https://acme.awsapps.com/start": "acme"}
        )


def test_existing_session_with_same_portal_is_reused():
    text = (
        "[profile a]\nsso_start_url = https://x.awsapps.com/start/#\nsso_region = eu-west-1\n"
        "sso_account_id = 1\nsso_role_name = R\n\n"
        "[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n"
    )
    new_text, summary = plan_migration(text)
    assert new_text == text.replace(
        "sso_start_url = https://x.awsapps.com/start/#\nsso_region = eu-west-1\n",
        "sso_session = corp\n",
        1,
    )
    assert summary.sessions[0].reused


def test_new_session_goes_after_the_last_of_its_profiles():
    text = (
        "[profile a]\nsso_region = r\nsso_start_url = https://o.awsapps.com/start\n"
        "sso_account_id = 1\nsso_role_name = R\n"
        "# about b\n[profile b]\nregion = r\n"
    )
    new_text, _ = plan_migration(text)
    assert new_text == (
        "[profile a]\nsso_session = o\nsso_account_id = 1\nsso_role_name = R\n\n"
        "[sso-session o]\nsso_start_url = https://o.awsapps.com/start\nsso_region = r\n"
        "sso_registration_scopes = sso:account:access\n\n"
        "# about b\n[profile b]\nregion = r\n"
    )


def test_dashed_key_next_to_its_underscore_twin():
    text = "[profile a]\nsso_role_name = A\nsso-role-name = A\nsso_account_id = 1\nsso-account-id = 2\n"
    new_text, summary = plan_migration(text)
    assert new_text == (
        "[profile a]\nsso_role_name = A\nsso_account_id = 1\n"
        "# ssoenv migrate: ignored, sso_account_id is set: sso-account-id = 2\n"
    )
    assert any("sso-account-id = 2" in w for w in summary.warnings)


def test_nothing_to_do_returns_the_same_text():
    text = "[default]\nregion = x\n[profile a]\nsso_session = s\n"
    result = plan_migration(text)
    assert result.new_text == text
    assert not result.summary.changed


@pytest.mark.parametrize(
    "url, name",
    [
        ("https://myorg.awsapps.com/start", "myorg"),
        ("https://d-1234567890.awsapps.com/start/#", "d-1234567890"),
        ("https://My_Org.awsapps.com/start", "my_org"),
        ("https://start.us-gov-home.awsapps.com/directory/d-9067000000", "d-9067000000"),
        ("https://ssoins-7223a5b5c5e0aaaa.portal.us-east-1.app.aws", "ssoins-7223a5b5c5e0aaaa"),
        ("", "sso"),
        ("https://-.awsapps.com/", "sso"),
    ],
)
def test_session_names_come_from_the_start_url(url, name):
    assert session_name_from_url(url) == name


@pytest.mark.parametrize(
    "command, expected",
    [
        ("aws-sso-util credential-process --profile p", True),
        ("/usr/local/bin/aws-sso-util credential-process --profile=p", True),
        ("aws-sso-util credential-process --profile other", False),
        ("aws-sso-credential-process --profile p", True),
        ("aws-sso -S Default process --arn arn:aws:iam::1:role/R", True),
        ("granted credential-process --profile p", True),
        ("aws2-wrap --process --profile p", True),
        ("aws-vault exec p --json", False),
        ("aws-sso-util login", False),
        ("my-helper", False),
        ("unbalanced 'quote", False),
    ],
)
def test_recognised_sso_credential_processes(command, expected):
    assert sso_only_process(command, "p") is expected


def test_result_has_no_dashed_sso_keys_and_no_parser_errors():
    for name in ("migrate_legacy.input", "migrate_article.input"):
        doc = ConfigDocument(plan_migration(golden(name)).new_text)
        assert doc.junk_lines() == []
        for s in doc.sections:
            assert not [k for k in s.keys if k.key.startswith("sso-")]


# -- token carry-over ------------------------------------------------------------------
def _sha1(text):
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _token(expires_in, url="https://acme.awsapps.com/start"):
    return {
        "startUrl": url,
        "region": "eu-west-1",
        "accessToken": f"tok-{expires_in}",
        "expiresAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + expires_in)),
    }


def _write(cache, key, data):
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / (_sha1(key) + ".json")
    path.write_text(json.dumps(data))
    return path


def test_carry_over_copies_the_newest_valid_legacy_token(tmp_path):
    cache = tmp_path / "cache"
    plan = plan_migration(golden("migrate_legacy.input"))
    older = _write(cache, "https://acme.awsapps.com/start", _token(3600))
    newer = _write(cache, "https://acme.awsapps.com/start/", _token(7200))
    done = carry_over_tokens(plan, cache_dir=str(cache))
    assert [(d.session, d.source) for d in done] == [("acme-2", str(newer))]
    dest = cache / (_sha1("acme-2") + ".json")
    assert dest.read_bytes() == newer.read_bytes()
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    assert older.exists() and newer.exists()

    # botocore's own loader finds it for the sso-session.
    from botocore.utils import JSONFileCache, SSOTokenLoader

    loaded = SSOTokenLoader(cache=JSONFileCache(str(cache)))(
        "https://acme.awsapps.com/start", session_name="acme-2"
    )
    assert loaded["accessToken"] == "tok-7200"


def test_carry_over_skips_expired_tokens_and_keeps_a_valid_session_token(tmp_path):
    cache = tmp_path / "cache"
    plan = plan_migration(golden("migrate_legacy.input"))
    _write(cache, "https://d-1234567890.awsapps.com/start/#", _token(-60))
    _write(cache, "https://acme.awsapps.com/start", _token(7200))
    mine = _write(cache, "acme-2", _token(3600))
    before = mine.read_bytes()
    assert carry_over_tokens(plan.summary, cache_dir=str(cache)) == []
    assert mine.read_bytes() == before
    assert not (cache / (_sha1("d-1234567890") + ".json")).exists()


def test_carry_over_replaces_an_expired_session_token(tmp_path):
    cache = tmp_path / "cache"
    plan = plan_migration(golden("migrate_legacy.input"))
    _write(cache, "acme-2", _token(-10))
    src = _write(cache, "https://acme.awsapps.com/start", _token(7200))
    done = carry_over_tokens(plan, cache_dir=str(cache))
    assert [d.source for d in done] == [str(src)]


# -- doctor checks (they point at `ssoenv migrate`) -------------------------------------
DOCTOR = """\
[default]
region = eu-west-1
[profile dashed]
sso-session = s
[profile ghost]
sso_session = nowhere
sso_account_id = 1
sso_role_name = R
[profile mismatch]
sso_session = s
sso_region = us-east-1
sso_account_id = 1
sso_role_name = R
[profile legacy]
sso_start_url = https://x.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 1
sso_role_name = R
credential_process = aws-sso-util credential-process --profile legacy
[profile partial]
sso_session = s
sso_account_id = 1
[profile keys]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
[sso-session s]
sso_start_url = https://x.awsapps.com/start
sso_region = eu-west-1
[sso-session bare]
sso_region = eu-west-1
"""


def _codes(findings):
    return sorted((f.code, f.where) for f in findings)


def test_doctor_finds_each_problem_with_its_fix():
    from ssoenv.commands.doctor_checks import check_config

    found = check_config(DOCTOR)
    assert _codes(found) == sorted(
        [
            ("dashed-key", "[profile dashed]"),
            ("missing-session", "[profile ghost]"),
            ("inconsistent-value", "[profile mismatch]"),
            ("legacy-sso", "[profile legacy]"),
            ("shadowed-credential-process", "[profile legacy]"),
            ("incomplete-profile", "[profile partial]"),
            ("long-term-key", "[profile keys]"),
            ("no-scopes", "[sso-session s]"),
            ("incomplete-session", "[sso-session bare]"),
        ]
    )
    for f in found:
        assert "\n" not in str(f)
        assert "wJalr" not in str(f) and "AKIAIOSFODNN7EXAMPLE" not in str(f)
    by_code = {f.code: f.message for f in found}
    assert "ssoenv migrate" in by_code["legacy-sso"]
    assert "AKIA…MPLE" in by_code["long-term-key"]


def test_doctor_messages_match_botocores(botocore_view):
    import botocore.exceptions

    from ssoenv.commands.doctor_checks import check_config

    by_code = {f.code: f.message for f in check_config(DOCTOR)}
    for profile, code in (("ghost", "missing-session"), ("mismatch", "inconsistent-value")):
        text = DOCTOR.replace("[profile dashed]\nsso-session = s\n", "")
        with pytest.raises(botocore.exceptions.InvalidConfigError) as err:
            only = text.split(f"[profile {profile}]")[1].split("[profile")[0]
            botocore_view(f"[profile {profile}]{only}" + text[text.index("[sso-session s]") :])
        assert str(err.value).rstrip(".") in by_code[code]


def test_doctor_finds_parse_errors_and_duplicates():
    from ssoenv.commands.doctor_checks import check_config

    text = (
        'stray\n[profile a]\nregion = x\nRegion = y\nno equals here\n[profile a]\n[profile "a"]\n'
    )
    assert _codes(check_config(text)) == sorted(
        [
            ("unparsable-line", "config line 1"),
            ("unparsable-line", "config line 5"),
            ("duplicate-key", "config [profile a]"),
            ("duplicate-section", "config [profile a]"),
            ("shadowed-section", '[profile "a"]'),
        ]
    )


def test_doctor_is_quiet_about_a_migrated_config():
    from ssoenv.commands.doctor_checks import check_config

    assert check_config(plan_migration(golden("migrate_article.input")).new_text) == []


def test_doctor_masks_long_term_keys_in_the_credentials_file():
    from ssoenv.commands.doctor_checks import check_credentials

    text = (
        "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
        "[temp]\naws_access_key_id = ASIAXXXXXXXXXXXXXXXX\naws_secret_access_key = s\n"
        "aws_session_token = t\n"
    )
    found = check_credentials(text)
    assert [str(f) for f in found] == [
        "credentials [default]: long-term access key AKIA…MPLE in the credentials file; "
        "use an SSO profile instead, then deactivate the key in IAM"
    ]


def test_a_session_for_a_profile_inside_an_ssoenv_block_goes_after_the_block():
    text = (
        "# BEGIN ssoenv populate x\n[profile a]\nsso_start_url = https://o.awsapps.com/start\n"
        "sso_region = r\nsso_account_id = 1\nsso_role_name = R\n# END ssoenv populate x\n"
        "[profile b]\nregion = r\n"
    )
    new_text, _ = plan_migration(text)
    assert new_text == (
        "# BEGIN ssoenv populate x\n[profile a]\nsso_session = o\nsso_account_id = 1\n"
        "sso_role_name = R\n# END ssoenv populate x\n\n[sso-session o]\n"
        "sso_start_url = https://o.awsapps.com/start\nsso_region = r\n"
        "sso_registration_scopes = sso:account:access\n\n[profile b]\nregion = r\n"
    )


URLS = [
    "https://acme.awsapps.com/start",
    "https://acme.awsapps.com/start/#",
    "https://d-1234567890.awsapps.com/start",
    "https://acme-old.awsapps.com/start",
]


# The strategies legacy_configs draws from, built once: building them at each draw costs
# more than the drawing.
_NAMES = ["a", "b", "c d", "acme", "default", "x-1"]
_NAME_LISTS = st.lists(st.sampled_from(_NAMES), unique=True)
_COIN = st.booleans()
_REMARKS = {name: st.sampled_from(["# about " + name, "", "; note"]) for name in _NAMES}
_ACCOUNTS = st.sampled_from(["111111111111", "222222222222"])
_ROLES = st.sampled_from(["Admin", "ReadOnly"])
_URLS = st.sampled_from(URLS)
_REGIONS = st.sampled_from(["eu-west-1", "us-east-1"])
_SESSIONS = st.sampled_from(["acme", "other"])
_PROCESSES = {
    name: st.sampled_from(
        [f"aws-sso-util credential-process --profile {quote_name(name)}", "helper"]
    )
    for name in _NAMES
}
# An order of the keys, drawn as an order of their places: st.permutations draws the same
# choices for any list of one length.
_ORDERS = {n: st.permutations(range(n)) for n in (4, 5, 6)}
_FIFTH = st.integers(0, 4)
_SEPARATORS = st.sampled_from([" = ", "=", "  =  "])
_EOLS = st.sampled_from(["\n", "\r\n"])
_LAST_EOLS = {eol: st.sampled_from(["", eol]) for eol in ("\n", "\r\n")}


@st.composite
def legacy_configs(draw):
    out = []
    names = draw(_NAME_LISTS)
    for name in names:
        if draw(_COIN):
            out.append(draw(_REMARKS[name]))
        out.append("[default]" if name == "default" else f"[profile {quote_name(name)}]")
        keys = {
            "sso_account_id": draw(_ACCOUNTS),
            "sso_role_name": draw(_ROLES),
            "region": "eu-west-1",
        }
        if draw(_COIN):
            keys["sso_start_url"] = draw(_URLS)
            keys["sso_region"] = draw(_REGIONS)
        else:
            keys["sso_session"] = draw(_SESSIONS)
        if draw(_COIN):
            keys["credential_process"] = draw(_PROCESSES[name])
        pairs = list(keys.items())
        items = [pairs[i] for i in draw(_ORDERS[len(pairs)])]
        for key, value in items:
            if key.startswith("sso_") and draw(_FIFTH) == 0:
                key = key.replace("_", "-")
            out.append(f"{key}{draw(_SEPARATORS)}{value}")
    for session, url in (("acme", URLS[0]), ("other", URLS[3])):
        if draw(_COIN):
            out += [
                "",
                f"[sso-session {session}]",
                f"sso_start_url = {url}",
                "sso_region = eu-west-1",
            ]
    eol = draw(_EOLS)
    return eol.join(out) + draw(_LAST_EOLS[eol])


@pytest.mark.long
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(legacy_configs())
def test_migration_keeps_what_every_profile_resolves_to(botocore_view, text):
    new_text, summary = plan_migration(text)
    # What the user meant: the dashed keys spelt right.
    meant = "".join(
        line.split("=", 1)[0].replace("-", "_") + "=" + line.split("=", 1)[1]
        if line.startswith("sso-")
        else line
        for line in text.splitlines(keepends=True)
    )
    # Profiles botocore refused (a session that is not there) are still refused.
    before = botocore_view(meant, strict=False)
    assert _without_session(botocore_view(new_text, strict=False)) == _without_session(before)
    assert bool(summary.renamed_keys) == (meant != text)
    again = plan_migration(new_text)
    assert again.new_text == new_text
    doc = ConfigDocument(new_text)
    assert doc.junk_lines() == []
    for s in doc.iter_profiles():
        assert not (s.get("sso_start_url") and not s.get("sso_session"))


def test_registration_scopes_move_from_the_profile_to_the_session():
    text = (
        "[profile a]\nsso_start_url = https://o.awsapps.com/start\nsso_region = r\n"
        "sso_registration_scopes = sso:account:access,codecatalyst:read_write\n"
        "sso_account_id = 1\nsso_role_name = R\n"
    )
    new_text, _ = plan_migration(text)
    assert new_text == (
        "[profile a]\nsso_session = o\nsso_account_id = 1\nsso_role_name = R\n\n"
        "[sso-session o]\nsso_start_url = https://o.awsapps.com/start\nsso_region = r\n"
        "sso_registration_scopes = sso:account:access,codecatalyst:read_write\n"
    )


def test_summary_lines_tell_the_user_what_changed():
    lines = plan_migration(golden("migrate_article.input")).summary.lines()
    assert (
        "[sso-session myorg]: sso-start-url -> sso_start_url (botocore ignores dashed keys)"
        in lines
    )
    assert "reuse [sso-session myorg] (https://myorg.awsapps.com/start, us-east-1)" in lines
    assert "[profile my-old-profile]: sso_start_url, sso_region -> sso_session = myorg" in lines
    assert all("\n" not in line for line in lines)
