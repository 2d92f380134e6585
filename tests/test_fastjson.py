"""The hook's JSON codec agrees with the json module."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssoenv.base import fastjson

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.floats(allow_nan=False, allow_infinity=False)
)
documents = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(documents, st.booleans())
def test_dumps_equals_compact_json_dumps(doc, sort_keys):
    assert fastjson.dumps(doc, sort_keys=sort_keys) == json.dumps(
        doc, separators=(",", ":"), sort_keys=sort_keys
    )


@settings(max_examples=300, deadline=None)
@given(documents, st.sampled_from([None, 1, 2]))
def test_loads_reads_what_json_writes(doc, indent):
    text = json.dumps(doc, indent=indent)
    assert fastjson.loads(text) == json.loads(text)
    assert fastjson.loads(text.encode("utf-8")) == json.loads(text)


@pytest.mark.parametrize("text", ["", "   ", "{", '{"a": 1} x', "[1,]", "nul", "{'a': 1}", "\x00"])
def test_loads_refuses_what_is_not_one_json_document(text):
    with pytest.raises(ValueError):
        fastjson.loads(text)


def test_hook_export_imports_no_json_re_click_yaml_or_boto(ssoenv_env):
    import subprocess
    import sys

    from ssoenv.shells.base import launcher, search_path

    ssoenv_env.write_aws_config()
    ssoenv_env.write_token("myorg")
    ssoenv_env.allow(ssoenv_env.write_dotfile("profile: dev\nregion: eu-west-1\n"))
    argv = [sys.executable, "-X", "importtime", "-S", launcher(), search_path(), "bash"]
    env = {k: v for k, v in ssoenv_env.base_env().items() if k != "PYTHONPATH"}
    first = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert "export AWS_PROFILE='dev';" in first.stdout
    # Once the parsed files are cached, as at every project switch after the first.
    second = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert "export AWS_PROFILE='dev';" in second.stdout
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in second.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert imported, second.stderr
    heavy = {"json", "re", "click", "yaml", "boto3", "botocore", "configparser", "dataclasses"}
    assert imported & heavy == set(), second.stderr
