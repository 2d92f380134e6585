"""`ssoenv keys`: IAM access keys listed, deactivated and re-activated against moto's IAM."""

import datetime
import os

import pytest

pytestmark = pytest.mark.usefixtures("ssoenv_env")


@pytest.fixture(scope="module")
def iam_url(moto_url):
    """moto, as the IAM endpoint."""
    return moto_url


@pytest.fixture
def iam(ssoenv_env, iam_url, monkeypatch):
    """User alice with two keys (profiles `alice` and `alice2`) and an admin profile."""
    import boto3

    monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", iam_url)
    admin_keys = ("AKIAADMINADMINADMIN0", "admin-secret")
    client = boto3.client(
        "iam",
        aws_access_key_id=admin_keys[0],
        aws_secret_access_key=admin_keys[1],
        region_name="us-east-1",
        endpoint_url=iam_url,
    )
    user = "alice-%s" % os.urandom(4).hex()  # the moto server outlives one test
    client.create_user(UserName=user)
    first = client.create_access_key(UserName=user)["AccessKey"]
    second = client.create_access_key(UserName=user)["AccessKey"]
    client.create_user(UserName=user + "-admin")
    admin = client.create_access_key(UserName=user + "-admin")["AccessKey"]
    creds = ""
    for name, key in (("alice", first), ("alice2", second), ("admin", admin)):
        creds += "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n" % (
            name,
            key["AccessKeyId"],
            key["SecretAccessKey"],
        )
    ssoenv_env.write_aws_config("[profile alice]\nregion = us-east-1\n", credentials=creds)
    return {
        "client": client,
        "user": user,
        "first": first,
        "second": second,
        "admin": admin,
        "world": ssoenv_env,
    }


def status_of(iam, key_id):
    keys = iam["client"].list_access_keys(UserName=iam["user"])["AccessKeyMetadata"]
    return {k["AccessKeyId"]: k["Status"] for k in keys}[key_id]


def run(iam, *args):
    result = iam["world"].run("keys", *args)
    for key in (iam["first"], iam["second"], iam["admin"]):
        assert key["SecretAccessKey"] not in result.stdout + result.stderr
    return result


def test_list_shows_ids_status_age_and_last_use(iam):
    result = run(iam, "list", "--profile", "alice")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["KEY", "ID", "STATUS", "AGE", "LAST", "USED"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == {iam["first"]["AccessKeyId"], iam["second"]["AccessKeyId"]}
    assert "Active" in rows[iam["first"]["AccessKeyId"]]
    assert "0 days" in rows[iam["first"]["AccessKeyId"]]
    assert "this profile's key" in rows[iam["first"]["AccessKeyId"]]
    assert "this profile's key" not in rows[iam["second"]["AccessKeyId"]]


def test_deactivate_another_key_then_activate_it(iam):
    other = iam["second"]["AccessKeyId"]
    result = run(iam, "deactivate", "--profile", "alice", other)
    assert result.returncode == 0, result.stderr
    assert status_of(iam, other) == "Inactive"
    assert "deactivated %s of IAM user %s" % (other, iam["user"]) in result.stderr
    result = run(iam, "activate", "--profile", "alice", other)
    assert result.returncode == 0, result.stderr
    assert status_of(iam, other) == "Active"


def test_deactivating_the_calling_key_needs_yes_and_says_how_to_undo(iam):
    own = iam["first"]["AccessKeyId"]
    refused = run(iam, "deactivate", "--profile", "alice")
    assert refused.returncode == 2
    assert "--yes" in refused.stderr
    assert status_of(iam, own) == "Active"
    done = run(iam, "deactivate", "--profile", "alice", "--yes")
    assert done.returncode == 0, done.stderr
    assert status_of(iam, own) == "Inactive"
    assert "ssoenv keys activate --profile alice %s --as" % own in done.stderr


def test_as_another_profile_reactivates_the_key_of_a_named_user(iam):
    own = iam["first"]["AccessKeyId"]
    iam["client"].update_access_key(UserName=iam["user"], AccessKeyId=own, Status="Inactive")
    result = run(iam, "activate", "--profile", "alice", own, "--as", "admin", "--user", iam["user"])
    assert result.returncode == 0, result.stderr
    assert status_of(iam, own) == "Active"
    # Deactivating through another profile needs no confirmation: the caller stays active.
    result = run(iam, "deactivate", "--profile", "alice", "--as", "admin")
    assert result.returncode == 0, result.stderr
    assert status_of(iam, own) == "Inactive"
    assert "--as admin" in result.stderr


def test_unknown_profile_is_named_as_everywhere_else(iam):
    result = run(iam, "list", "--profile", "nope")
    assert result.returncode == 1
    assert result.stderr == (
        'ssoenv: profile "nope" is not in ~/.aws/config; run: ssoenv profiles\n'
    )
    assert result.stderr == iam["world"].run("exec", "--profile", "nope", "--", "true").stderr


SSO_PROFILE = """
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile dev-ro]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = ReadOnly
"""


@pytest.mark.parametrize("command", [["list"], ["activate", "AKIAIOSFODNN7EXAMPLE"]])
def test_an_sso_profile_is_refused_naming_the_iam_user_profiles(iam, command):
    with open(iam["world"].aws_config, "a") as f:
        f.write(SSO_PROFILE)
    iam["world"].write_token("corp")  # a valid login: the profile is still not a user's
    result = run(iam, command[0], "--profile", "dev-ro", *command[1:])
    assert result.returncode == 1
    assert result.stderr == (
        "ssoenv: ssoenv keys is for IAM-user profiles (a long-term access key); dev-ro is an "
        "IAM Identity Center profile (the IAM-user profiles: admin, alice, alice2); "
        "or name the user: --user NAME\n"
    )


def test_nothing_is_ever_deleted(iam):
    run(iam, "deactivate", "--profile", "alice", "--yes")
    run(iam, "activate", "--profile", "alice", iam["first"]["AccessKeyId"], "--as", "admin")
    keys = iam["client"].list_access_keys(UserName=iam["user"])["AccessKeyMetadata"]
    assert len(keys) == 2


def test_table_marks_never_used_keys():
    from ssoenv.commands.keys import KeyInfo, table

    now = datetime.datetime(2026, 1, 31, tzinfo=datetime.timezone.utc)
    created = datetime.datetime(2025, 1, 31, tzinfo=datetime.timezone.utc)
    text = table([KeyInfo("AKIAXXXXXXXXXXXXXXXX", "Inactive", created, None, None)], now=now)
    assert text.splitlines()[1].split() == [
        "AKIAXXXXXXXXXXXXXXXX",
        "Inactive",
        "365",
        "days",
        "never",
    ]


def test_deactivating_another_key_prints_a_plain_undo(iam):
    other = iam["second"]["AccessKeyId"]
    result = run(iam, "deactivate", "--profile", "alice", other)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[-1] == (
        "ssoenv: to undo: ssoenv keys activate --profile alice %s" % other
    )
