"""The plan of variable changes, and the record that lets leaving undo entering exactly."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssoenv import envdiff


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

names = st.from_regex(r"[A-Z_][A-Z0-9_]{0,6}", fullmatch=True)
values = st.text(max_size=20)
envs = st.dictionaries(names, values, max_size=8)
# What a project wants: values, and variables to keep unset while inside (None).
wants = st.dictionaries(names, st.one_of(st.none(), values), max_size=8)


@settings(max_examples=300)
@given(before=envs, wanted=wants)
def test_leaving_after_entering_restores_the_environment_exactly(before, wanted):
    inside, record = step(before, {}, wanted)
    assert {k: inside.get(k) for k in wanted} == wanted
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
