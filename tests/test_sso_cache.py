"""File names and formats shared with botocore and the AWS CLI v2."""

import hashlib
import json
import os

from ssoenv.sso import cache
from ssoenv.sso.session import SsoSession, parse_scopes


def test_token_cache_key_matches_botocore():
    from botocore.utils import SSOTokenLoader

    loader = SSOTokenLoader()
    for name, url in (("my-sso", "https://x/start"), (None, "https://x/start#/")):
        assert cache.token_cache_key(name, url) == loader._generate_cache_key(url, name)
    assert cache.token_cache_key("my-sso", "u") == "0ad374308c5a4e22f723adf10145eafad7c4031c"


def cli_registration_key(start_url, region, scopes, session_name):
    # The AWS CLI v2's BaseSSOTokenFetcher._registration_cache_key (its vendored botocore;
    # the released botocore package has no such helper), restated independently of ssoenv's code.
    args = {
        "tool": "botocore",
        "startUrl": start_url,
        "region": region,
        "scopes": scopes,
        "session_name": session_name,
    }
    return hashlib.sha1(json.dumps(args, sort_keys=True).encode("utf-8")).hexdigest()


def test_registration_cache_key_matches_the_aws_cli():
    cases = [
        ("https://x.awsapps.com/start", "eu-west-1", ["sso:account:access"], "my-sso"),
        ("https://x.awsapps.com/start", "us-east-1", None, "my-sso"),
        ("https://x.awsapps.com/start", "us-east-1", None, None),
        ("https://x.awsapps.com/start", "us-east-1", ["a", "b"], "s p a c e"),
    ]
    for case in cases:
        assert cache.registration_cache_key(*case) == cli_registration_key(*case)
    # A fixed value, so a change in both places at once is caught too.
    assert (
        cache.registration_cache_key("https://x.awsapps.com/start", "us-east-1", None, None)
        == hashlib.sha1(
            b'{"region": "us-east-1", "scopes": null, "session_name": null, '
            b'"startUrl": "https://x.awsapps.com/start", "tool": "botocore"}'
        ).hexdigest()
    )


def test_session_registration_path_uses_configured_scopes_or_none():
    with_scopes = SsoSession("s", "https://u", "eu-west-1", ("sso:account:access",))
    without = SsoSession("s", "https://u", "eu-west-1")
    assert with_scopes.registration_path().endswith(
        cli_registration_key("https://u", "eu-west-1", ["sso:account:access"], "s") + ".json"
    )
    assert without.registration_path().endswith(
        cli_registration_key("https://u", "eu-west-1", None, "s") + ".json"
    )


def test_role_credentials_cache_key_matches_botocore():
    from botocore.credentials import SSOCredentialFetcher

    for session_name in ("my-sso", None):
        fetcher = SSOCredentialFetcher(
            "https://u/start",
            "eu-west-1",
            "ReadOnly",
            "111111111111",
            client_creator=None,
            sso_session_name=session_name,
        )
        assert fetcher._create_cache_key() == cache.role_credentials_cache_key(
            "111111111111", "ReadOnly", session_name, "https://u/start"
        )


def test_parse_scopes_like_the_cli():
    assert parse_scopes(" sso:account:access , ,x ") == ("sso:account:access", "x")
    assert parse_scopes(None) == ()


def test_cache_module_stays_light():
    import subprocess
    import sys

    code = (
        "import sys, ssoenv.sso.cache, ssoenv.sso.session; "
        "print(any(m.split('.')[0] in ('boto3', 'botocore', 'hashlib') for m in sys.modules))"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.strip() == "False", out.stderr
