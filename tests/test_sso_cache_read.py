"""Reading the AWS CLI's SSO token cache: the same file names and times as botocore."""

import datetime
import json
import os
import time
from pathlib import Path

import pytest
from botocore.utils import JSONFileCache, SSOTokenLoader
from hypothesis import given
from hypothesis import strategies as st

from ssoenv.sso import cache

pytestmark = pytest.mark.usefixtures("ssoenv_env")


def botocore_cache():
    return JSONFileCache(os.path.expanduser("~/.aws/sso/cache"))


@pytest.mark.parametrize(
    "session, start_url",
    [
        ("myorg", None),
        ("my org with spaces", "https://ignored.awsapps.com/start"),
        ("żółw", None),
        (None, "https://legacy.awsapps.com/start"),
        (None, "https://legacy.awsapps.com/start/"),
    ],
)
def test_token_written_by_botocore_is_found_and_read(session, start_url):
    expires = datetime.datetime.now(datetime.timezone.utc).replace(
        microsecond=0
    ) + datetime.timedelta(hours=8)
    SSOTokenLoader(botocore_cache()).save_token(
        start_url,
        {"accessToken": "tok", "expiresAt": expires, "region": "eu-central-1"},
        session_name=session,
    )
    path = cache.token_cache_path(session, start_url)
    assert os.path.exists(path)
    token = cache.read_token(path)
    assert token["accessToken"] == "tok"
    assert token["_expires_epoch"] == expires.timestamp()
    assert cache.token_status(token) == "valid"


def test_token_written_in_the_cli_format_is_read_back_by_botocore(ssoenv_env):
    path = ssoenv_env.write_token("myorg")
    assert path == Path(cache.token_cache_path("myorg", None))
    token = SSOTokenLoader(botocore_cache())(None, session_name="myorg")
    assert token["accessToken"] == "aoa-example-token"


@given(st.integers(min_value=0, max_value=253402300799))
def test_format_time_is_botocores_format_and_parses_back(epoch):
    text = cache.format_time(epoch)
    expected = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    assert text == expected.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert cache.parse_time(text) == epoch


@pytest.mark.parametrize(
    "text, epoch",
    [
        ("2024-01-01T00:00:00Z", 1704067200),
        ("2024-01-01T00:00:00UTC", 1704067200),
        ("2024-01-01T00:00:00+00:00", 1704067200),
        ("2024-01-01 00:00:00Z", 1704067200),
        ("2024-01-01T00:00:00.250Z", 1704067200.25),
        ("2024-02-29T23:59:59Z", 1709251199),
        ("1970-01-01T00:00:00Z", 0),
    ],
)
def test_parse_time_accepts_the_utc_forms_the_cache_holds(text, epoch):
    assert cache.parse_time(text) == epoch


@pytest.mark.parametrize(
    "text",
    ["", "tomorrow", "2024-01-01", "2024-01-01T00:00:00+02:00", "2024-13-01T00:00:00Z", None, 5],
)
def test_parse_time_refuses_anything_else(text):
    with pytest.raises(ValueError):
        cache.parse_time(text)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(data if isinstance(data, str) else json.dumps(data))
    return path


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        {"expiresAt": "2099-01-01T00:00:00Z"},
        {"accessToken": "", "expiresAt": "2099-01-01T00:00:00Z"},
        {"accessToken": "tok"},
        {"accessToken": "tok", "expiresAt": "soon"},
        {"accessToken": 5, "expiresAt": "2099-01-01T00:00:00Z"},
    ],
)
def test_unusable_token_file_counts_as_not_logged_in(content):
    path = write(cache.token_cache_path("myorg", None), content)
    assert cache.read_token(path) is None
    assert cache.token_status(cache.read_token(path)) == "missing"


def test_missing_token_file_counts_as_not_logged_in():
    assert cache.read_token(cache.token_cache_path("myorg", None)) is None


@pytest.mark.parametrize(
    "left, state",
    [
        (-1, "expired"),
        (0, "expired"),
        (60, "refresh"),
        (15 * 60 - 1, "refresh"),
        (15 * 60, "valid"),
    ],
)
def test_token_status_uses_botocores_fifteen_minute_refresh_window(left, state):
    now = time.time()
    assert cache.token_status({"_expires_epoch": now + left}, now=now) == state
