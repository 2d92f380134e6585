"""Portable `.ssoenv` files: account and role resolve to the user's own profile."""

import os

import pytest
from conftest import SSO_CONFIG

from ssoenv.aws import accounts
from ssoenv.prompt import export

pytestmark = pytest.mark.usefixtures("ssoenv_env")

EXTRA = """
[profile dev-again]
sso_session = myorg
sso_account_id = 111111111111
sso_role_name = Developer
"""


def enter(world, text):
    world.allow(world.write_dotfile(text))
    return export.compute(dict(os.environ))


def test_account_and_role_resolve_to_the_users_profile(ssoenv_env):
    ssoenv_env.write_aws_config()
    changes, messages = enter(ssoenv_env, 'account: "222222222222"\nrole: ReadOnly\n')
    assert changes["AWS_PROFILE"] == "prod"
    assert any("loaded" in m and "profile prod" in m for m in messages)


def test_unquoted_account_keeps_its_leading_zeros(ssoenv_env):
    ssoenv_env.write_aws_config(
        "[profile z]\nsso_start_url = https://z.awsapps.com/start\nsso_region = eu-west-1\n"
        "sso_account_id = 012345678901\nsso_role_name = Admin\n"
    )
    changes, _ = enter(ssoenv_env, "account: 012345678901\nrole: Admin\n")
    assert changes["AWS_PROFILE"] == "z"


def test_legacy_profile_matches_by_start_url_written_differently(ssoenv_env):
    ssoenv_env.write_aws_config()
    changes, _ = enter(
        ssoenv_env,
        "account: '333333333333'\nrole: Admin\nsso_start_url: https://legacy.awsapps.com/start/#/\n",
    )
    assert changes["AWS_PROFILE"] == "legacy"


def test_other_start_url_does_not_match(ssoenv_env):
    ssoenv_env.write_aws_config()
    changes, messages = enter(
        ssoenv_env,
        "account: '222222222222'\nrole: ReadOnly\nsso_start_url: https://other.awsapps.com/start\n",
    )
    assert "AWS_PROFILE" not in changes
    assert any("ssoenv configure --from-dotfile" in m for m in messages)


def test_several_matches_take_the_first_and_say_which(ssoenv_env):
    ssoenv_env.write_aws_config(SSO_CONFIG + EXTRA)
    changes, messages = enter(ssoenv_env, "account: '111111111111'\nrole: Developer\n")
    assert changes["AWS_PROFILE"] == "dev"
    assert any("dev-again match too; using dev" in m for m in messages)


def test_no_match_says_how_to_create_the_profile_and_sets_nothing(ssoenv_env):
    ssoenv_env.write_aws_config()
    changes, messages = enter(ssoenv_env, "account: '999999999999'\nrole: Admin\n")
    assert "AWS_PROFILE" not in changes
    assert [m for m in messages if "no profile" in m] == [
        "~/work/project/.ssoenv: no profile of yours is for account 999999999999 and role "
        "Admin; run: ssoenv configure --from-dotfile"
    ]


def test_account_name_resolves_once_ssoenv_has_seen_it(ssoenv_env):
    ssoenv_env.write_aws_config()
    changes, _ = enter(ssoenv_env, "account: Production\nrole: ReadOnly\n")
    assert "AWS_PROFILE" not in changes
    accounts.remember_names([{"accountId": "222222222222", "accountName": "Production"}])
    changes, _ = export.compute(dict(os.environ))
    assert changes["AWS_PROFILE"] == "prod"


def test_init_portable_writes_account_role_and_start_url(ssoenv_env):
    ssoenv_env.write_aws_config()
    result = ssoenv_env.run("init", "prod", "--portable", "--region", "eu-west-1")
    assert result.returncode == 0, result.stderr
    assert (ssoenv_env.project / ".ssoenv").read_text() == (
        'account: "222222222222"\nrole: ReadOnly\n'
        "sso_start_url: https://myorg.awsapps.com/start\nregion: eu-west-1\n"
    )
    changes, _ = export.compute(dict(os.environ))
    assert changes["AWS_PROFILE"] == "prod"


def test_init_portable_refuses_a_profile_without_account_and_role(ssoenv_env):
    ssoenv_env.write_aws_config()
    result = ssoenv_env.run("init", "static", "--portable")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        'ssoenv: profile "static" is not an SSO profile with an account and role; '
        "a portable file needs one"
    )
    assert not (ssoenv_env.project / ".ssoenv").exists()
