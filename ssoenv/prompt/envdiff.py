"""What to set and unset to go from what ssoenv applied last to what is wanted now, and a
record of old values so that leaving puts back exactly what was there."""

from ssoenv.base import fastjson
from ssoenv.prompt import envrule
from ssoenv.shells.base import is_variable_name

# {name: [value before ssoenv set it (None: unset), value ssoenv set (None: ssoenv unset it)]}
Record = dict


def decode(text) -> Record:
    """The record from its environment form; anything unreadable counts as empty, and so
    does a record with a name that is not a variable name: the shell, or anyone who could
    set the variable, forged it."""
    if not text:
        return {}
    try:
        data = fastjson.loads(text)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    record = {}
    for name, pair in data.items():
        if not is_variable_name(name):
            return {}
        if (
            isinstance(pair, list)
            and len(pair) == 2
            and (pair[0] is None or isinstance(pair[0], str))
            and (pair[1] is None or isinstance(pair[1], str))
        ):
            record[name] = pair
    return record


def encode(record: Record) -> str:
    return fastjson.dumps(record, sort_keys=True)


# Kept for callers that name ssoenv's own secrets; every name that looks like a secret, and
# every value that carries a credential in a URL, is treated the same way (envrule.secret).
SECRETS = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
_DIGEST = "sha256:"
# Set together or not at all: half of a key pair is worse than none.
GROUPS = (
    (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION",
    ),
)


def recorded(name: str, value):
    """How the record keeps a value ssoenv set: a secret only as its digest, since the
    record lives in the shell's environment, seen by every process started there. A secret
    is a secret-looking name's value, or a URL carrying a credential (`secretvalue`)."""
    if value is None or not envrule.secret(name, value):
        return value
    try:
        from _sha256 import sha256
    except ImportError:  # pragma: no cover
        from hashlib import sha256
    return _DIGEST + sha256(value.encode("utf-8", "surrogateescape")).hexdigest()


def held(env, record: Record, wanted: dict) -> list:
    """The names of `wanted` that ssoenv leaves as the shell has them: a secret the shell
    holds (not one ssoenv set), which the record would otherwise have to keep a copy of to
    put back, and the rest of its group. In `wanted`'s order."""
    keep = set()
    for name in wanted:
        current = env.get(name)
        if not current or not envrule.secret(name, current):
            continue
        if name in record and record[name][1] == recorded(name, current):
            continue  # ssoenv's own value: what was there before is in the record already
        keep.add(name)
        for group in GROUPS:
            if name in group:
                keep.update(group)
    return [name for name in wanted if name in keep]


def applied(env, changes: dict) -> dict:
    """A copy of `env` with `changes` made ({name: value, or None to unset}), as the shell
    makes them."""
    after = dict(env)
    for name, value in changes.items():
        if value is None:
            after.pop(name, None)
        else:
            after[name] = value
    return after


def plan(env, record: Record, wanted: dict):
    """(changes, new_record).

    `changes` maps each variable whose value must change to its new value (None: unset);
    `wanted` may ask for a variable to be unset (None) the same way.
    A variable ssoenv set and still wants with the same value is left alone; one it no
    longer wants goes back to its old value, unless the user changed it by hand since, in
    which case the user's value stays. A secret the shell holds is never replaced (`held`)."""
    keep = held(env, record, wanted)
    if keep:
        wanted = {name: value for name, value in wanted.items() if name not in keep}
    after = {}
    new_record = {}
    for name, (old, new) in record.items():
        if name in wanted and recorded(name, wanted[name]) == new:
            new_record[name] = [old, new]
            continue
        if recorded(name, env.get(name)) == new:
            after[name] = old
    for name, value in wanted.items():
        if name in new_record:
            continue
        base = after[name] if name in after else env.get(name)
        new_record[name] = [base, recorded(name, value)]
        after[name] = value
    changes = {name: value for name, value in after.items() if env.get(name) != value}
    return changes, new_record
