"""direnv in the same shell: what its hook applied, so that ssoenv's values win over it and
leaving undoes both exactly, whichever order the hooks run in and whatever the path.

direnv records the values it found before it loaded an `.envrc` and puts them back when it
lets go of the variable, whatever the variable holds by then. So at each run ssoenv asks
which of the variables it keeps watch on direnv set since its last run (it compares
`DIRENV_DIFF` with what it saw then): such a value is direnv's, never a value set by hand,
and ssoenv sets its own again over it when it still wants one. When direnv loaded over a
value of ssoenv's, it will put that value back later, perhaps in another directory:
ssoenv remembers what lay below it (a "ghost") and puts that back instead."""

from ssoenv.base import fastjson
from ssoenv.prompt import envdiff

# {"said": what the overlap line was said for, "ghosts": {name: [what direnv will put
# back (as the record keeps it), what lies below it]}, "seen": names direnv had set at the
# last run, "diff": a digest of DIRENV_DIFF then}
MEMO = "SSOENV_DIRENV"
DIRENV_OWN = ("DIRENV_DIFF", "DIRENV_DIR", "DIRENV_FILE", "DIRENV_WATCHES", "DIRENV_DUMP_FILE_PATH")


class Direnv:
    """What direnv's hook applied: the values before (`prev`, unset ones absent), the
    values it set (`next`, unset ones absent), and the `.envrc` it loaded."""

    def __init__(self, prev: dict, next_: dict, directory: str, file: str = ""):
        self.prev = prev
        self.next = next_
        self.directory = directory
        self.file = file or (directory.rstrip("/") + "/.envrc" if directory else "")
        self.touched = (set(prev) | set(next_)) - set(DIRENV_OWN)

    def covers(self, path: str) -> bool:
        """Whether direnv's `.envrc` is that of `path`: direnv runs at each prompt, so one
        from elsewhere is what it applied before this prompt's `cd`, about to be undone."""
        top = self.directory.rstrip("/")
        return bool(self.directory) and (path == top or path.startswith(top + "/"))


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
    return Direnv(
        prev, next_, (env.get("DIRENV_DIR") or "").lstrip("-"), env.get("DIRENV_FILE") or ""
    )


def _optional_str(value) -> bool:
    return value is None or isinstance(value, str)


def decode_memo(text) -> dict:
    memo = {"said": "", "ghosts": {}, "seen": [], "diff": ""}
    if not text:
        return memo
    try:
        data = fastjson.loads(text)
    except ValueError:
        return memo
    if not isinstance(data, dict):
        return memo
    for key in ("said", "diff"):
        if isinstance(data.get(key), str):
            memo[key] = data[key]
    seen = data.get("seen")
    if isinstance(seen, list):
        memo["seen"] = [name for name in seen if isinstance(name, str)]
    ghosts = data.get("ghosts")
    if isinstance(ghosts, dict):
        memo["ghosts"] = {
            name: pair
            for name, pair in ghosts.items()
            if isinstance(pair, list) and len(pair) == 2 and all(map(_optional_str, pair))
        }
    return memo


def encode_memo(memo: dict):
    """The memo's environment form; None when there is nothing to keep watch on or say."""
    if not memo["said"] and not memo["ghosts"] and not memo["seen"]:
        return None
    kept = {key: memo[key] for key in ("said", "ghosts", "seen") if memo[key]}
    if memo["ghosts"] or memo["seen"]:
        kept["diff"] = memo["diff"]
    return fastjson.dumps(kept, sort_keys=True)


def digest(text) -> str:
    """A short digest of DIRENV_DIFF: it changes whenever direnv loads, reloads or unloads
    an `.envrc` (its record holds the watched files' times)."""
    if not text:
        return ""
    try:
        from _sha256 import sha256
    except ImportError:  # pragma: no cover
        from hashlib import sha256
    return sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def reconcile(env, record: dict, memo: dict, direnv):
    """(view, record, ghosts): the environment as ssoenv should see it and its record, once
    direnv's changes since ssoenv's last run are accounted for.

    A variable direnv set since then (one its record names now or named then) holds
    direnv's value, which lies below ssoenv's: the record lets go of it, so that ssoenv
    sets its own again if it still wants one, and leaving keeps direnv's. When direnv lets
    go of a variable and puts back a value of ssoenv's (a ghost), the view holds what lay
    below that value instead. Any other variable is as the user left it."""
    view, record = dict(env), dict(record)
    ghosts = dict(memo["ghosts"])
    if digest(env.get("DIRENV_DIFF")) == memo["diff"]:
        return view, record, ghosts
    touched = direnv.touched if direnv else set()
    seen = set(memo["seen"])
    for name in set(record) | set(ghosts):
        if name not in touched and name not in seen:
            continue
        value = env.get(name)
        ghost = ghosts.pop(name, None)
        if name in touched:
            below = value
            put_back = envdiff.recorded(name, direnv.prev.get(name))
            if ghost is not None and ghost[0] == put_back:
                ghosts[name] = ghost
            elif (
                name in record
                and name not in seen
                and put_back == record[name][1]
                and put_back != envdiff.recorded(name, record[name][0])
            ):
                # direnv loaded over ssoenv's value, and will put it back when it lets go.
                ghosts[name] = [put_back, record[name][0]]
        elif ghost is not None and envdiff.recorded(name, value) == ghost[0]:
            below = ghost[1]
        else:
            below = value
        record.pop(name, None)
        if below is None:
            view.pop(name, None)
        else:
            view[name] = below
    return view, record, ghosts


def remember(memo: dict, env, record: dict, ghosts: dict, direnv) -> None:
    """What the next run compares with: direnv's record now, and which of the variables
    ssoenv keeps watch on it set."""
    touched = direnv.touched if direnv else set()
    memo["ghosts"] = ghosts
    memo["seen"] = sorted((set(record) | set(ghosts)) & touched)
    memo["diff"] = digest(env.get("DIRENV_DIFF"))


def overlap_line(direnv, wanted: dict, dotfile_shown: str, display) -> str:
    """One line naming the variables both files set, and saying that ssoenv's win."""
    names = sorted(n for n in wanted if n in direnv.next)
    if not names or not direnv.file:
        return ""
    return "%s also sets %s; %s's %s" % (
        display(direnv.file),
        ", ".join(names),
        dotfile_shown,
        "value wins" if len(names) == 1 else "values win",
    )
