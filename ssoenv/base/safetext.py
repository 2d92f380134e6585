"""Text from files and the environment made safe to write to a terminal.

A `.ssoenv`, a profile name or a path can hold escape sequences (which set the clipboard,
clear the screen or forge an `ssoenv:` line) and bidi controls (which reorder what is
shown). Every message passes through `escape` where it is written."""

# Bidi controls, and the line and paragraph separators some terminals break lines at.
_BIDI = (0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_TABLE = {c: "\\x%02x" % c for c in (*range(0x20), *range(0x7F, 0xA0))}
_TABLE.update({c: "\\u%04x" % c for c in _BIDI})
# Bytes that were not UTF-8 (kept as surrogates) show as the bytes they were.
_TABLE.update({c: "\\x%02x" % (c - 0xDC00) for c in range(0xDC80, 0xDD00)})
_TABLE.update({0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r", 0x1B: "\\e"})


def escape(text) -> str:
    """`text` with control and bidi characters shown as escapes: always one line."""
    text = str(text)
    if text.isascii() and text.isprintable():
        return text  # printable ASCII has nothing to escape: no lookup per character
    return text.translate(_TABLE)


def escape_lines(text) -> str:
    """Each line of a multi-line text escaped, the line breaks kept."""
    return "\n".join(escape(line) for line in str(text).split("\n"))
