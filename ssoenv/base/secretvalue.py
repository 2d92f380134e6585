"""Which values carry a credential whatever their name: one in a URL's user-info, a
webhook's URL, or a key-shaped token in a URL's path, query or fragment.

The rule, for every `scheme://` in a value:
- user-info with a password (`postgres://user:password@host/db`, `redis://:pw@host`), or
  a user of the key's shape below (`https://ghp_…@github.com/`; `ssh://git@host` is not);
- `hook` in the host or path (`hooks.slack.com/services/…`, `…/api/webhooks/…`,
  `…/webhookb2/…`): a webhook's URL is its own credential;
- a query parameter whose name holds TOKEN, SECRET, PASSWORD, PASSWD, KEY, SIG, AUTH,
  CREDENTIAL or CODE (`?token=…`, `X-Amz-Signature=…`);
- a piece of the path, query or fragment of 16 characters or more with a digit or a
  capital letter: the shape of a key, not of a word (`/ingest/Zx81kQ2mVn7pLr4TtY9w`).
It errs towards a secret: such a value is only recorded as a digest and shown masked.

Plain string checks only: the hook's path uses this."""

TOKEN_LENGTH = 16
_KEY_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_PARAM_WORDS = ("TOKEN", "SECRET", "PASSWORD", "PASSWD", "KEY", "SIG", "AUTH", "CREDENTIAL", "CODE")
_URL_ENDS = " \t\r\n\"'<>`"
_AUTHORITY_ENDS = "/?#"
_PIECE_BREAKS = "?&#;"


def in_url(value) -> bool:
    """Whether `value` holds a URL that carries a credential (the rule above)."""
    if not value or "://" not in value:
        return False
    at = value.find("://")
    while at != -1:
        url = value[at + 3 :]
        for stop in _URL_ENDS:
            url = url.partition(stop)[0]
        cut = min((i for i in (url.find(c) for c in _AUTHORITY_ENDS) if i != -1), default=-1)
        authority, rest = (url, "") if cut == -1 else (url[:cut], url[cut:])
        user, at_sign, host = authority.rpartition("@")
        if at_sign and (":" in user or _key_shaped(user)):
            return True
        if _secret_rest(host, rest):
            return True
        at = value.find("://", at + 3)
    return False


def _secret_rest(host: str, rest: str) -> bool:
    if "hook" in host.lower() or "hook" in rest.lower():
        return True
    for c in _PIECE_BREAKS:
        rest = rest.replace(c, "/")
    for piece in rest.split("/"):
        name, eq, val = piece.partition("=")
        if eq and val and any(word in name.upper() for word in _PARAM_WORDS):
            return True
        if _key_shaped(name) or _key_shaped(val):
            return True
    return False


def _key_shaped(part: str) -> bool:
    return len(part) >= TOKEN_LENGTH and not _KEY_CHARS.isdisjoint(part)
