"""A Record behaves as the frozen (or plain) dataclass with the same fields would: the
modules on the hook's path use Record so as not to load dataclasses."""

import dataclasses

import pytest

from ssoenv.base.record import Factory, FrozenError, Record


class Hop(Record):
    profile: str
    role_arn: str
    external_id: str = None
    tags: dict = Factory(dict)


@dataclasses.dataclass(frozen=True)
class HopData:
    profile: str
    role_arn: str
    external_id: str = None
    tags: dict = dataclasses.field(default_factory=dict)


class Config(Record, frozen=False):
    path: str
    exists: bool = True


@dataclasses.dataclass
class ConfigData:
    path: str
    exists: bool = True


CALLS = [
    (("a", "arn"), {}),
    (("a",), {"role_arn": "arn", "external_id": "x"}),
    ((), {"profile": "a", "role_arn": "arn", "tags": {"k": "v"}}),
    (("a", "arn", None, {"k": "v"}), {}),
]


@pytest.mark.parametrize("args, kwargs", CALLS)
def test_a_record_has_the_fields_equality_hash_and_repr_of_the_dataclass(args, kwargs):
    record, data = Hop(*args, **kwargs), HopData(*args, **kwargs)
    assert record.as_dict() == dataclasses.asdict(data)
    assert repr(record) == repr(data).replace("HopData", "Hop")
    assert record == Hop(*args, **kwargs)
    assert record != Hop("other", "arn")
    with pytest.raises(TypeError):  # a dict field: unhashable, as the dataclass is
        hash(data)
    with pytest.raises(TypeError):
        hash(record)
    assert record != data  # another class is never equal, as with dataclasses


def test_a_frozen_record_of_hashable_values_is_a_key():
    assert {Hop("a", "arn", tags=None), Hop("a", "arn", tags=None)} == {Hop("a", "arn", tags=None)}


def test_a_default_factory_makes_a_new_value_for_each_record():
    a, b = Hop("a", "arn"), Hop("a", "arn")
    assert a.tags == {} and a.tags is not b.tags


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((), {"profile": "a"}),  # a field without a default is missing
        (("a", "arn", None, {}, "extra"), {}),  # too many
        (("a", "arn"), {"profile": "b"}),  # twice
        (("a", "arn"), {"nope": 1}),  # not a field
    ],
)
def test_a_wrong_call_is_a_type_error_as_with_the_dataclass(args, kwargs):
    with pytest.raises(TypeError):
        HopData(*args, **kwargs)
    with pytest.raises(TypeError):
        Hop(*args, **kwargs)


def test_a_frozen_record_refuses_assignment_and_a_plain_one_takes_it():
    hop = Hop("a", "arn")
    with pytest.raises(FrozenError):
        hop.profile = "b"
    with pytest.raises(AttributeError):
        del hop.role_arn
    assert hop.profile == "a"
    config, data = Config("p"), ConfigData("p")
    config.exists = data.exists = False
    assert config.as_dict() == dataclasses.asdict(data)
    assert Config.__hash__ is None and ConfigData.__hash__ is None  # equal now, not later


def test_an_unset_field_is_never_read_from_the_class():
    assert "external_id" not in Hop.__dict__ and "tags" not in Hop.__dict__
