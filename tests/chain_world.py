"""Role chains on top of the tests' SSO login: profiles `hop1` -> `chained` (two AssumeRole
hops on `dev`), `chainproc` (an ssoenv credential_process for `chained`) and `mfa`, with STS
at moto's server on 127.0.0.1.

Test modules import it with `from chain_world import *` after `from sso_cli_world import *`."""

import os
import sys

import pytest
from sso_fixtures import PROFILE

from ssoenv.aws import awsconfig

HOP1_ARN = "arn:aws:iam::222222222222:role/Deployer"
HOP2_ARN = "arn:aws:iam::333333333333:role/Workload"

CHAIN_CONFIG = f"""
[profile hop1]
role_arn = {HOP1_ARN}
source_profile = {PROFILE}
role_session_name = alice-deploy

[profile chained]
role_arn = {HOP2_ARN}
source_profile = hop1
external_id = shop-ext-1
duration_seconds = 1800
region = eu-central-1

[profile chainproc]
credential_process = {sys.executable} -m ssoenv credential-process --profile chained

[profile mfa]
role_arn = arn:aws:iam::444444444444:role/Guarded
source_profile = {PROFILE}
mfa_serial = arn:aws:iam::111111111111:mfa/alice
"""


@pytest.fixture(scope="module")
def sts_url(moto_url):
    """moto, as the STS endpoint the chains assume roles at."""
    return moto_url


@pytest.fixture
def chains(world, sts_url, monkeypatch):
    """The world with the chain profiles and STS at moto (AWS_ENDPOINT_URL_STS)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", sts_url)
    with open(os.path.join(world.home, ".aws", "config"), "a") as f:
        f.write(CHAIN_CONFIG)
    world.sts_url = sts_url
    return world


def identity(keys: dict, sts_url: str) -> str:
    """The ARN STS reports for these keys, asked with boto3 as any tool would."""
    import boto3

    client = boto3.client(
        "sts",
        region_name="us-east-1",
        endpoint_url=sts_url,
        aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=keys["AWS_SESSION_TOKEN"],
    )
    return client.get_caller_identity()["Arn"]


def hops_of(name: str):
    return awsconfig.sso_chain(awsconfig.load(), name).hops


MFA_PROMPT = "Enter MFA code for arn:aws:iam::111111111111:mfa/alice: "


def at_a_terminal_with_mfa(chains, args, code="123456", env=None):
    """(exit status, what it printed) of `ssoenv ARGS` at a terminal (a pty) that asks for
    the `mfa` profile's code and is given `code`; the code is never shown back."""
    import pexpect

    child = pexpect.spawn(
        sys.executable,
        ["-m", "ssoenv", *args],
        env=env or chains.env(),
        cwd=chains.home,
        encoding="utf-8",
        timeout=30,
    )
    child.expect_exact(MFA_PROMPT)
    child.sendline(code)
    child.expect(pexpect.EOF)
    child.close()
    chains.record(child.before)
    assert code not in child.before
    return child.exitstatus, child.before


__all__ = [
    "CHAIN_CONFIG",
    "MFA_PROMPT",
    "at_a_terminal_with_mfa",
    "HOP1_ARN",
    "HOP2_ARN",
    "chains",
    "hops_of",
    "identity",
    "sts_url",
]
