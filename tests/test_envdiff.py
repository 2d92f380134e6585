"""The plan of variable changes, and the record that lets leaving undo entering exactly."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_dotfile import variable_names

from ssoenv.prompt import envdiff


def apply(env: dict, changes: dict) -> dict:
    out = dict(env)
    for name, value in changes.items():
        if value is None:
            out.pop(name, None)
        else:
            out[name] = value
    return out


def step(env: dict, record: dict, wanted: dict):
    """One prompt: the new environment and record, as the shell would have them."""
    changes, new_record = envdiff.plan(env, record, wanted)
    return apply(env, changes), envdiff.decode(envdiff.encode(new_record))


A = {"AWS_PROFILE": "dev", "AWS_REGION": "eu-central-1", "TF_VAR_stage": "dev"}
B = {"AWS_PROFILE": "prod", "AWS_REGION": "eu-central-1", "OTHER": "x"}


def test_entering_sets_wanted_and_records_what_was_there():
    env = {"AWS_PROFILE": "personal", "HOME": "/h"}
    changes, record = envdiff.plan(env, {}, A)
    assert changes == A
    assert record == {
        "AWS_PROFILE": ["personal", "dev"],
        "AWS_REGION": [None, "eu-central-1"],
        "TF_VAR_stage": [None, "dev"],
    }


def test_leaving_restores_old_values_and_unsets_new_ones():
    before = {"AWS_PROFILE": "personal", "HOME": "/h"}
    inside, record = step(before, {}, A)
    changes, new_record = envdiff.plan(inside, record, {})
    assert changes == {"AWS_PROFILE": "personal", "AWS_REGION": None, "TF_VAR_stage": None}
    assert new_record == {}
    assert apply(inside, changes) == before


def test_staying_inside_changes_nothing():
    inside, record = step({}, {}, A)
    changes, new_record = envdiff.plan(inside, record, A)
    assert changes == {}
    assert new_record == record


def test_switching_changes_only_what_differs():
    inside, record = step({"OTHER": "mine"}, {}, A)
    changes, new_record = envdiff.plan(inside, record, B)
    assert changes == {"AWS_PROFILE": "prod", "TF_VAR_stage": None, "OTHER": "x"}
    # What was there before ssoenv stays the value to go back to.
    assert new_record["OTHER"] == ["mine", "x"]
    assert new_record["AWS_REGION"] == [None, "eu-central-1"]


def test_value_edited_by_hand_is_kept_on_leave():
    inside, record = step({}, {}, A)
    inside["AWS_PROFILE"] = "my-own-choice"
    changes, _ = envdiff.plan(inside, record, {})
    assert "AWS_PROFILE" not in changes
    assert apply(inside, changes)["AWS_PROFILE"] == "my-own-choice"
    assert changes == {"AWS_REGION": None, "TF_VAR_stage": None}


def test_variable_unset_by_hand_stays_unset_on_leave():
    inside, record = step({"AWS_PROFILE": "personal"}, {}, A)
    del inside["AWS_PROFILE"]
    changes, _ = envdiff.plan(inside, record, {})
    assert "AWS_PROFILE" not in apply(inside, changes)


def test_value_edited_by_hand_is_replaced_when_the_project_wants_another_value():
    inside, record = step({}, {}, A)
    inside["AWS_PROFILE"] = "my-own-choice"
    changes, new_record = envdiff.plan(inside, record, B)
    assert changes["AWS_PROFILE"] == "prod"
    # Leaving B gives back the hand-set value, not what ssoenv first found.
    assert new_record["AWS_PROFILE"] == ["my-own-choice", "prod"]


@given(st.sampled_from(["", "not json", "[1, 2]", '{"A": "x"}', '{"A": [1, "x"]}', "null"]))
def test_unreadable_record_counts_as_empty(text):
    assert envdiff.decode(text) == {}


@pytest.mark.parametrize(
    "name", ["x;id>m;y", "$(id)", "A B", "1A", "", "A=B", "A\nB", "\u00e9t\u00e9", "A-B"]
)
def test_a_record_with_a_name_that_is_not_a_variable_name_counts_as_empty(name):
    text = envdiff.encode({"AWS_PROFILE": [None, "dev"], name: ["a", None]})
    assert envdiff.decode(text) == {}


def test_record_round_trips_through_its_text_form():
    record = {"A": [None, "x"], "B": ["o\u00e9\n'\"", "n"]}
    assert envdiff.decode(envdiff.encode(record)) == record


def test_a_variable_kept_unset_inside_comes_back_on_leave_unless_set_by_hand_since():
    before = {"AWS_DEFAULT_PROFILE": "prod"}
    wanted = {"AWS_PROFILE": "dev", "AWS_DEFAULT_PROFILE": None}
    inside, record = step(before, {}, wanted)
    assert inside == {"AWS_PROFILE": "dev"}
    assert record["AWS_DEFAULT_PROFILE"] == ["prod", None]
    assert step(inside, record, wanted) == (inside, record)  # staying changes nothing
    assert step(inside, record, {}) == (before, {})
    by_hand = dict(inside, AWS_DEFAULT_PROFILE="stage")
    assert step(by_hand, record, {})[0] == {"AWS_DEFAULT_PROFILE": "stage"}


# ---- properties ---------------------------------------------------------------------------

# [A-Z_][A-Z0-9_]{0,6}, and names that look like a secret's, which a shell's own value of
# keeps (envdiff.held).
names = st.one_of(
    variable_names(6),
    st.sampled_from(["A_AUTH", "DB_PASSWORD", "API_TOKEN", "AWS_SECRET_ACCESS_KEY", "KEY"]),
)
values = st.text(max_size=20)
envs = st.dictionaries(names, values, max_size=8)
# What a project wants: values, and variables to keep unset while inside (None).
wants = st.dictionaries(names, st.one_of(st.none(), values), max_size=8)


@settings(max_examples=300)
@given(before=envs, wanted=wants)
def test_leaving_after_entering_restores_the_environment_exactly(before, wanted):
    inside, record = step(before, {}, wanted)
    # What the project wants, but a secret the shell holds itself, which stays as it is.
    held = envdiff.held(before, {}, wanted)
    assert {k: inside.get(k) for k in wanted} == {
        k: before.get(k) if k in held else v for k, v in wanted.items()
    }
    after, record = step(inside, record, {})
    assert after == before
    assert record == {}


@settings(max_examples=300)
@given(before=envs, a=wants, b=wants)
def test_switching_equals_leaving_then_entering(before, a, b):
    in_a, record_a = step(before, {}, a)

    switched, switched_record = step(in_a, record_a, b)
    left, left_record = step(in_a, record_a, {})
    entered, entered_record = step(left, left_record, b)

    assert switched == entered
    assert switched_record == entered_record
    assert step(switched, switched_record, {})[0] == before


@settings(max_examples=200)
@given(before=envs, a=wants, b=wants, c=wants)
def test_any_walk_of_projects_ends_where_it_began(before, a, b, c):
    env, record = before, {}
    for wanted in (a, b, a, c, c, b):
        env, record = step(env, record, wanted)
    assert step(env, record, {})[0] == before


# ---- values that carry a credential in a URL ----------------------------------------------

# (value, the part that is the credential)
URL_SECRETS = [
    ("postgres://app:s3cr3t-pass@db.internal:5432/shop", "s3cr3t-pass"),
    ("mysql://root:hunter2@localhost/db", "hunter2"),
    ("https://ghp_abcdefghijklmnop1234@github.com/org/repo.git", "ghp_abcdefghijklmnop1234"),
    ("redis://:onlypassword@cache:6379/0", "onlypassword"),
    ("https://x-access-token:gho_16C7e42F292c6@github.com/o/r", "gho_16C7e42F292c6"),
    ("https://o:2f1a9c3e8b7d4e6f@o1.ingest.sentry.io/1", "2f1a9c3e8b7d4e6f"),
    ("https://5f2b8c9d1e3a4b6c7d8e9f0a1b2c3d4e@o1.ingest.sentry.io/42", "5f2b8c9d1e3a4b6c"),
    (
        "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        "XXXXXXXXXXXXXXXXXXXXXXXX",
    ),
    ("https://hooks.slack.com/services/T/B/secret", "secret"),
    ("https://discord.com/api/webhooks/1234567/abcdefghijklmnopqrstuvwxyzABCDEF", "abcdefghijklmn"),
    ("https://outlook.office.com/webhookb2/a1b2c3d4-e5f6@tenant/IncomingWebhook/abc/def", "a1b2c3"),
    ("https://api.example.com/v1/ingest/Zx81kQ2mVn7pLr4TtY9w", "Zx81kQ2mVn7pLr4TtY9w"),
    ("https://example.com/cb?user=me&token=short1&x=1", "short1"),
    ("https://bucket.s3.amazonaws.com/k?X-Amz-Signature=abc123def456", "abc123def456"),
    ("jdbc:postgresql://u:pw12345@h/db", "pw12345"),
    ("primary=postgres://u:pw12345@h/db replica=postgres://h2/db", "pw12345"),
]
# Plain URLs and text stay readable in the record.
URL_PLAIN = [
    "https://example.com/api/v1/users",
    "postgres://db.internal:5432/shop",
    "https://github.com/my-org/my-long-repository-name",
    "https://sso.example.com/start#/",
    "eu-central-1",
    "user@example.com",
    "not a url: x://",
    "ssh://git@github.com/org/repo.git",
    "ftp://anonymous@ftp.example.org/pub",
]


@pytest.mark.parametrize("value, credential", URL_SECRETS)
def test_a_value_with_a_credential_in_a_url_is_recorded_as_its_digest(value, credential):
    _, record = envdiff.plan({}, {}, {"DATABASE_URL": value})
    text = envdiff.encode(record)
    assert credential not in text
    assert record["DATABASE_URL"][1] == envdiff.recorded("DATABASE_URL", value)
    assert record["DATABASE_URL"][1].startswith("sha256:")


@pytest.mark.parametrize("value", URL_PLAIN)
def test_a_plain_url_is_recorded_as_it_is(value):
    assert envdiff.recorded("SERVICE_URL", value) == value


url_values = st.one_of(values, st.sampled_from([v for v, _ in URL_SECRETS] + URL_PLAIN))
url_envs = st.dictionaries(names, url_values, max_size=8)
url_wants = st.dictionaries(names, st.one_of(st.none(), url_values), max_size=8)


@settings(max_examples=300)
@given(before=url_envs, a=url_wants, b=url_wants)
def test_leaving_restores_exactly_and_the_record_holds_no_credential(before, a, b):
    # A credential is also an ordinary string: a plain value that holds one ("secret") is
    # recorded as it is, and is not what this looks for.
    urls = {v for v, _ in URL_SECRETS}
    plain = [v for w in (before, a, b) for v in w.values() if v is not None and v not in urls]
    assume(not any(c in v for v in plain for _, c in URL_SECRETS))
    env, record = before, {}
    for wanted in (a, b, a):
        env, record = step(env, record, wanted)
        text = envdiff.encode(record)
        assert not [c for _, c in URL_SECRETS if c in text]
    assert step(env, record, {})[0] == before
