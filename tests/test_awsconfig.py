"""ssoenv reads the AWS config the way botocore does: checked against botocore itself."""

import textwrap

import botocore.session
import pytest
from botocore.exceptions import InvalidConfigError

from ssoenv.aws import awsconfig
from ssoenv.base.errors import ConfigError

pytestmark = pytest.mark.usefixtures("ssoenv_env")

QUIRKY_CONFIG = """\
[default]
region = us-east-1
output = json

[profile "a b"]
region = eu-west-1
s3 =
  max_concurrent_requests = 20
  addressing_style = path

[sso-session "x y"]
sso_start_url = https://xy.awsapps.com/start
sso_region = us-east-1

[sso-session myorg]
sso_start_url = https://myorg.awsapps.com/start
sso_region = eu-central-1
sso_registration_scopes = sso:account:access, sso:other

[profile spaced]
sso_session = x y
sso_account_id = 012345678901
sso_role_name = Dev

[profile dev]
sso_session = myorg
sso_account_id = 111111111111
sso_role_name = Developer

[profile merged]
region = ap-southeast-2

[services local]
s3 =
  endpoint_url = http://127.0.0.1:9000

[profileless]
region = ignored

[preview]
cloudfront = true

[profile]
region = also-ignored

[profile "unbalanced]
region = ignored-too
"""

QUIRKY_CREDENTIALS = """\
[default]
aws_access_key_id = AKIADEFAULT
aws_secret_access_key = defaultsecret

[merged]
aws_access_key_id = AKIAMERGED
aws_secret_access_key = mergedsecret

[only-in-credentials]
aws_access_key_id = AKIAONLY
aws_secret_access_key = onlysecret

[profile dev]
note = a credentials section named "profile dev" is a profile of that whole name
"""


def botocore_config() -> dict:
    return botocore.session.Session().full_config


def botocore_problem(profile: str) -> str:
    with pytest.raises(InvalidConfigError) as info:
        botocore.session.Session(profile=profile).get_credentials()
    return str(info.value)


def test_profiles_and_values_equal_botocores(ssoenv_env):
    ssoenv_env.write_aws_config(QUIRKY_CONFIG, QUIRKY_CREDENTIALS)
    ours = awsconfig.load()
    theirs = botocore_config()

    assert {name: p.values for name, p in ours.profiles.items()} == theirs["profiles"]
    assert {name: s.values for name, s in ours.sso_sessions.items()} == theirs["sso_sessions"]
    assert ours.services == theirs["services"]


def test_quoted_section_names_lose_their_quotes(ssoenv_env):
    ssoenv_env.write_aws_config(QUIRKY_CONFIG, QUIRKY_CREDENTIALS)
    config = awsconfig.load()

    assert "a b" in config.profiles
    assert "x y" in config.sso_sessions
    spaced = config.profiles["spaced"]
    assert (spaced.start_url, spaced.sso_region) == ("https://xy.awsapps.com/start", "us-east-1")
    assert spaced.problems == ()


def test_nested_values_are_dicts_and_sso_scopes_are_split(ssoenv_env):
    ssoenv_env.write_aws_config(QUIRKY_CONFIG, QUIRKY_CREDENTIALS)
    config = awsconfig.load()

    assert config.profiles["a b"].values["s3"] == {
        "max_concurrent_requests": "20",
        "addressing_style": "path",
    }
    assert config.sso_sessions["myorg"].scopes == ("sso:account:access", "sso:other")


def test_credentials_file_keys_merge_onto_config_profiles(ssoenv_env):
    ssoenv_env.write_aws_config(QUIRKY_CONFIG, QUIRKY_CREDENTIALS)
    config = awsconfig.load()

    merged = config.profiles["merged"]
    assert merged.values["region"] == "ap-southeast-2"
    assert merged.values["aws_access_key_id"] == "AKIAMERGED"
    assert merged.kind == awsconfig.STATIC
    assert config.profiles["only-in-credentials"].kind == awsconfig.STATIC


def test_account_id_keeps_leading_zero(ssoenv_env):
    ssoenv_env.write_aws_config(QUIRKY_CONFIG, QUIRKY_CREDENTIALS)
    assert awsconfig.load().profiles["spaced"].account_id == "012345678901"


def test_standard_fixture_profiles_have_expected_kinds(ssoenv_env):
    ssoenv_env.write_aws_config()
    config = awsconfig.load()

    kinds = {name: p.kind for name, p in config.profiles.items()}
    assert kinds == {
        "dev": awsconfig.SSO_SESSION,
        "prod": awsconfig.SSO_SESSION,
        "legacy": awsconfig.LEGACY_SSO,
        "static": awsconfig.STATIC,
        "assumer": awsconfig.ASSUME_ROLE,
    }
    assert all(p.problems == () for p in config.profiles.values())
    assert config.profiles["dev"].token_key() == ("myorg", None)
    assert config.profiles["legacy"].token_key() == (None, "https://legacy.awsapps.com/start")


@pytest.mark.parametrize(
    "profile, method",
    [
        ("dev", "sso"),
        ("prod", "sso"),
        ("legacy", "sso"),
        ("static", "shared-credentials-file"),
        ("assumer", "assume-role"),
    ],
)
def test_kind_matches_the_credential_provider_botocore_picks(ssoenv_env, profile, method):
    ssoenv_env.write_aws_config()
    kind = {
        "sso": (awsconfig.SSO_SESSION, awsconfig.LEGACY_SSO),
        "shared-credentials-file": (awsconfig.STATIC,),
        "assume-role": (awsconfig.ASSUME_ROLE,),
    }[method]

    credentials = botocore.session.Session(profile=profile).get_credentials()

    assert credentials.method == method
    assert awsconfig.load().profiles[profile].kind in kind


def test_other_kinds_web_identity_and_credential_process(ssoenv_env):
    ssoenv_env.write_aws_config(
        """\
        [profile web]
        role_arn_missing = yes
        web_identity_token_file = /tmp/token
        [profile proc]
        credential_process = /bin/true
        [profile plain]
        region = eu-west-1
        """,
        None,
    )
    kinds = {name: p.kind for name, p in awsconfig.load().profiles.items()}
    assert kinds == {
        "web": awsconfig.WEB_IDENTITY,
        "proc": awsconfig.PROCESS,
        "plain": awsconfig.OTHER,
    }


PROBLEM_CONFIG = """\
[sso-session myorg]
sso_start_url = https://myorg.awsapps.com/start
sso_region = eu-central-1

[profile no-such-session]
sso_session = nope
sso_account_id = 111111111111
sso_role_name = Dev

[profile inconsistent-region]
sso_session = myorg
sso_region = us-west-2
sso_account_id = 111111111111
sso_role_name = Dev

[profile inconsistent-url]
sso_session = myorg
sso_start_url = https://other.awsapps.com/start
sso_account_id = 111111111111
sso_role_name = Dev

[profile session-missing-role]
sso_session = myorg
sso_account_id = 111111111111

[profile legacy-missing-region]
sso_start_url = https://legacy.awsapps.com/start
sso_account_id = 111111111111
sso_role_name = Dev

[profile legacy-missing-most]
sso_role_name = Dev
"""


@pytest.mark.parametrize(
    "profile",
    [
        "no-such-session",
        "inconsistent-region",
        "inconsistent-url",
        "session-missing-role",
        "legacy-missing-region",
        "legacy-missing-most",
    ],
)
def test_validation_message_is_botocores_exact_text(ssoenv_env, profile):
    ssoenv_env.write_aws_config(PROBLEM_CONFIG, None)
    expected = botocore_problem(profile)

    problems = awsconfig.load().profiles[profile].problems

    assert problems == (expected,)


def test_valid_sso_profiles_have_no_problems_and_botocore_agrees(ssoenv_env):
    ssoenv_env.write_aws_config()
    for name in ("dev", "prod", "legacy"):
        assert awsconfig.load().profiles[name].problems == ()
        # botocore defers the network call; loading must not raise.
        assert botocore.session.Session(profile=name).get_credentials() is not None


def test_dashed_sso_keys_warn_with_the_underscore_spelling(ssoenv_env):
    ssoenv_env.write_aws_config(
        """\
        [sso-session myorg]
        sso-start-url = https://myorg.awsapps.com/start
        sso_region = eu-central-1

        [profile dashed]
        sso_session = myorg
        sso-account-id = 111111111111
        sso_role_name = Dev
        """,
        None,
    )
    profile = awsconfig.load().profiles["dashed"]

    # Both break the profile, so each is the problem, in place of botocore's "missing
    # required configuration", and not repeated as a warning.
    assert profile.problems == (
        'key "sso-account-id" is ignored by the AWS CLI; write it sso_account_id',
        'sso-session "myorg": key "sso-start-url" is ignored by the AWS CLI; '
        "write it sso_start_url",
    )
    assert profile.warnings == ()


def test_a_dashed_key_that_breaks_nothing_is_a_warning(ssoenv_env):
    ssoenv_env.write_aws_config(
        """\
        [sso-session myorg]
        sso_start_url = https://myorg.awsapps.com/start
        sso_region = eu-central-1
        sso-registration-scopes = sso:account:access

        [profile dashed]
        sso_session = myorg
        sso_account_id = 111111111111
        sso_role_name = Dev
        """,
        None,
    )
    profile = awsconfig.load().profiles["dashed"]
    assert profile.problems == ()
    assert profile.warnings == (
        'sso-session "myorg": key "sso-registration-scopes" is ignored by the AWS CLI; '
        "write it sso_registration_scopes",
    )


def test_dashed_keys_are_really_ignored_by_botocore(ssoenv_env):
    ssoenv_env.write_aws_config(
        """\
        [profile dashed]
        sso-start-url = https://x.awsapps.com/start
        sso-region = us-east-1
        sso-account-id = 111111111111
        sso-role-name = Dev
        """,
        None,
    )
    # What makes the warning worth giving: botocore does not see an SSO profile here.
    assert botocore.session.Session(profile="dashed").get_credentials() is None
    assert len(awsconfig.load().profiles["dashed"].warnings) == 4


def test_profile_without_dashed_keys_has_no_warnings(ssoenv_env):
    ssoenv_env.write_aws_config()
    assert all(p.warnings == () for p in awsconfig.load().profiles.values())


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("[profile a]\nregion = x\n[profile a]\nregion = y\n", 3, "appears twice"),
        ("[profile a]\nregion = x\nregion = y\n", 3, "appears twice"),
        ("region = x\n[profile a]\n", 1, "before the first [section]"),
        ("[profile a]\nregion = x\nthis is not ini\n", 3, "not an INI line"),
    ],
)
def test_malformed_config_is_one_line_naming_file_and_line(ssoenv_env, text, line, words):
    ssoenv_env.write_aws_config(text, None)

    with pytest.raises(ConfigError) as info:
        awsconfig.load()

    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("~/.aws/config: ")
    assert "line %d" % line in message
    assert words in message


def test_malformed_config_is_also_rejected_by_botocore(ssoenv_env):
    ssoenv_env.write_aws_config("[profile a]\nregion = x\n[profile a]\n", None)
    with pytest.raises(Exception) as info:
        botocore_config()
    assert type(info.value).__name__ == "ConfigParseError"


def test_malformed_credentials_file_names_that_file(ssoenv_env):
    ssoenv_env.write_aws_config("[profile a]\nregion = x\n", "[a]\ngarbage\n")
    with pytest.raises(ConfigError, match=r"^~/\.aws/credentials: line 2: "):
        awsconfig.load()


def test_not_utf8_config_is_a_config_error(ssoenv_env):
    ssoenv_env.aws_config.parent.mkdir(parents=True)
    ssoenv_env.aws_config.write_bytes(b"[profile a]\nregion = \xff\xfe\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        awsconfig.load()


def test_nested_value_without_equals_is_a_config_error(ssoenv_env):
    ssoenv_env.write_aws_config("[profile a]\ns3 =\n  nonsense\n", None)
    with pytest.raises(ConfigError, match=r"\[profile a\] s3"):
        awsconfig.load()


def test_missing_config_file_is_not_an_error_but_is_reported(ssoenv_env):
    config = awsconfig.load()
    assert config.config_exists is False
    assert config.profiles == {}


def test_unknown_profile_names_the_config_file_and_the_fix(ssoenv_env):
    ssoenv_env.write_aws_config()
    with pytest.raises(ConfigError) as info:
        awsconfig.load().profile("nope")
    assert str(info.value) == 'profile "nope" is not in ~/.aws/config; run: ssoenv profiles'


def test_config_file_location_follows_aws_config_file(ssoenv_env, monkeypatch, tmp_path):
    elsewhere = tmp_path / "elsewhere.ini"
    elsewhere.write_text(textwrap.dedent(QUIRKY_CONFIG))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(elsewhere))
    assert "a b" in awsconfig.load().profiles
    assert set(awsconfig.load().profiles) == set(botocore_config()["profiles"])


def test_names_for_completion_equal_the_full_parse(tmp_path):
    from ssoenv.aws import awsconfig

    config = tmp_path / "config"
    config.write_text(
        "# a comment\n[default]\nregion = eu-west-1\n"
        '[profile "with space"]\nregion = x\n'
        "[profile dev]  \ns3 =\n  addressing_style = path\n"
        "[sso-session myorg]\nsso_start_url = https://x/start\n"
        "[profile a b c]\n[services s]\n[preview]\n[profile]\n"
    )
    creds = tmp_path / "credentials"
    creds.write_text("[dev]\naws_access_key_id = AKIA\n[only-creds]\naws_access_key_id = A\n")
    full = awsconfig.build(str(config), str(creds))
    profiles, sessions = awsconfig.names(str(config), str(creds))
    assert profiles == list(full.profiles)
    assert sessions == list(full.sso_sessions)
    assert awsconfig.names(str(tmp_path / "missing"), str(tmp_path / "missing")) == ([], [])
