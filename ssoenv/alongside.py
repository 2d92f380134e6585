"""direnv in the same shell: what its hook applied, so that ssoenv's values win over it and
leaving undoes both exactly, whichever order the hooks run in and whatever the path.

direnv records the values it found before it loaded an `.envrc` and puts them back when
you leave it. When ssoenv had set one of those, direnv puts back ssoenv's value: ssoenv
remembers what lay below that value (a "ghost") until direnv lets go of the variable."""

from ssoenv import envdiff, fastjson

MEMO = "SSOENV_DIRENV"  # {"said": what the overlap line was said for, "ghosts": {...}}
DIRENV_OWN = ("DIRENV_DIFF", "DIRENV_DIR", "DIRENV_FILE", "DIRENV_WATCHES", "DIRENV_DUMP_FILE_PATH")


class Direnv:
    """What direnv's hook applied: the values before (`prev`, unset ones absent), the
    values it set (`next`, unset ones absent), and the directory of its `.envrc`."""

    def __init__(self, prev: dict, next_: dict, directory: str):
        self.prev = prev
        self.next = next_
        self.directory = directory
        self.touched = (set(prev) | set(next_)) - set(DIRENV_OWN)


def read(env):
    """direnv's state in this shell, or None when it applied nothing (or is unreadable)."""
    text = env.get("DIRENV_DIFF")
    if not text:
        return None
    import base64
    import zlib

    try:
        raw = zlib.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        data = fastjson.loads(raw.decode("utf-8", "surrogateescape"))
    except (ValueError, zlib.error):
        return None
    if not isinstance(data, dict):
        return None
    prev, next_ = data.get("p") or {}, data.get("n") or {}
    if not isinstance(prev, dict) or not isinstance(next_, dict):
        return None
    return Direnv(prev, next_, (env.get("DIRENV_DIR") or "").lstrip("-"))


def decode_memo(text) -> dict:
    memo = {"said": "", "ghosts": {}}
    if not text:
        return memo
    try:
        data = fastjson.loads(text)
    except ValueError:
        return memo
    if isinstance(data, dict):
        if isinstance(data.get("said"), str):
            memo["said"] = data["said"]
        ghosts = data.get("ghosts")
        if isinstance(ghosts, dict):
            memo["ghosts"] = {
                name: pair
                for name, pair in ghosts.items()
                if isinstance(pair, list)
                and len(pair) == 2
                and (pair[0] is None or isinstance(pair[0], str))
                and (pair[1] is None or isinstance(pair[1], str))
            }
    return memo


def encode_memo(memo: dict):
    if not memo["said"] and not memo["ghosts"]:
        return None
    return fastjson.dumps(memo, sort_keys=True)


def reconcile(env, record: dict, ghosts: dict, direnv, skip=()):
    """(view, record, ghosts): the environment as ssoenv should see it and its record, once
    direnv's last changes are accounted for.

    - direnv let go of a variable it had set over ssoenv's value, and put that value back:
      below it lies the ghost's value, which leaving ssoenv restores.
    - direnv just set a variable over ssoenv's value: direnv's value now lies below ssoenv
      (ssoenv sets its own again if it still wants it), and the ghost remembers what lay
      below ssoenv's value for when direnv puts it back."""
    touched = direnv.touched if direnv else set()
    view = dict(env)
    record = dict(record)
    ghosts = dict(ghosts)
    for name, (put_back, below) in list(ghosts.items()):
        if name in touched:
            continue
        del ghosts[name]
        if env.get(name) != put_back:
            continue  # changed since, by hand: the user's value
        if name in record and record[name][1] is not None:
            record[name] = [below, record[name][1]]
            view[name] = record[name][1]
        elif name in record:
            record[name] = [below, None]
            view.pop(name, None)
        elif below is None:
            view.pop(name, None)
        else:
            view[name] = below
    if direnv:
        for name, (old, new) in list(record.items()):
            if name in skip or name not in touched:
                continue
            value = env.get(name)
            if (
                value == direnv.next.get(name)
                and envdiff.recorded(name, value) != new
                and direnv.prev.get(name) == new
            ):
                ghosts[name] = [new, old]
                del record[name]
    return view, record, ghosts


def overlap_line(direnv, wanted: dict, dotfile_shown: str, display) -> str:
    """One line naming the variables both files set, and saying that ssoenv's win."""
    names = sorted(n for n in wanted if n in direnv.next)
    if not names:
        return ""
    envrc = display(direnv.directory.rstrip("/") + "/.envrc") if direnv.directory else ".envrc"
    return "%s also sets %s; %s's %s" % (
        envrc,
        ", ".join(names),
        dotfile_shown,
        "value wins" if len(names) == 1 else "values win",
    )
