"""JSON for the hook's path through CPython's C codec alone.

`import json` also imports `re` and `enum`, which cost more than all of ssoenv's own work
when Python starts without its site step. Output equals `json.dumps(obj,
separators=(",", ":"), sort_keys=...)`; input is what `json.loads` accepts."""

try:
    import _json
except ImportError:  # pragma: no cover - interpreters without the C codec
    _json = None

_WHITESPACE = " \t\n\r"


class _Context:
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {
        "-Infinity": float("-inf"),
        "Infinity": float("inf"),
        "NaN": float("nan"),
    }.__getitem__
    memo = {}


_scan = _json.make_scanner(_Context()) if _json is not None else None


def loads(text):
    """Parse a JSON document (str or UTF-8 bytes); ValueError when it is not one, whatever
    is wrong with it (truncated, nested too deeply, not UTF-8)."""
    if _scan is None:  # pragma: no cover
        import json

        try:
            return json.loads(text)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8-sig")
    start = 0
    while start < len(text) and text[start] in _WHITESPACE:
        start += 1
    try:
        value, end = _scan(text, start)
    except (StopIteration, SystemError):
        # The scanner reports most errors as json.decoder.JSONDecodeError, which it takes
        # from sys.modules: when `json` was never imported (the hook's path), CPython
        # before 3.12 ends in "returned NULL without setting an exception" (SystemError).
        raise ValueError("not a JSON document (truncated or malformed)") from None
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    while end < len(text) and text[end] in _WHITESPACE:
        end += 1
    if end != len(text):
        raise ValueError("extra data after the JSON document")
    return value


def dumps(obj, *, sort_keys: bool = False) -> str:
    out = []
    _encode(obj, out, sort_keys)
    return "".join(out)


def _encode(obj, out, sort_keys):
    if obj is None:
        out.append("null")
    elif obj is True:
        out.append("true")
    elif obj is False:
        out.append("false")
    elif isinstance(obj, str):
        out.append(_json.encode_basestring_ascii(obj))
    elif isinstance(obj, int):
        out.append(int.__repr__(obj))
    elif isinstance(obj, float):
        if obj != obj or obj in (float("inf"), float("-inf")):
            raise ValueError("out of range float values are not JSON")
        out.append(float.__repr__(obj))
    elif isinstance(obj, dict):
        items = sorted(obj.items()) if sort_keys else obj.items()
        out.append("{")
        first = True
        for key, value in items:
            if not isinstance(key, str):
                raise TypeError("JSON object keys must be strings, not %s" % type(key).__name__)
            if not first:
                out.append(",")
            first = False
            out.append(_json.encode_basestring_ascii(key))
            out.append(":")
            _encode(value, out, sort_keys)
        out.append("}")
    elif isinstance(obj, (list, tuple)):
        out.append("[")
        for i, value in enumerate(obj):
            if i:
                out.append(",")
            _encode(value, out, sort_keys)
        out.append("]")
    else:
        raise TypeError("%s is not JSON serializable" % type(obj).__name__)
