"""Edit ~/.aws/config line by line, the way botocore reads it, and write it back safely."""

import configparser
import dataclasses
import difflib
import functools
import hashlib
import os
import re
import shlex
from typing import Callable, Dict, Iterator, List, Optional, Tuple

from ssoenv.base import paths
from ssoenv.base.errors import ConfigError

# The exact patterns botocore's RawConfigParser uses, so a header or key is one here
# exactly when it is one there.
_SECTCRE = configparser.RawConfigParser.SECTCRE
_OPTCRE = configparser.RawConfigParser()._optcre
_NONSPACE = re.compile(r"\S")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_EOL = re.compile(r"(?:\r\n|\r|\n)$")

BACKUP_SUFFIX = ".ssoenv-backup"
BLOCK_BEGIN = "# BEGIN "
BLOCK_END = "# END "

# Line kinds.
HEADER, KEY, CONT, COMMENT, BLANK, JUNK = "header", "key", "cont", "comment", "blank", "junk"


def split_lines(text: str) -> List[str]:
    """Lines with their endings; a file's text is exactly ''.join(split_lines(text)).

    Splits on \\n, \\r\\n and a lone \\r, like Python's universal newlines (which is how
    botocore's configparser reads the file), and on nothing else."""
    return _LINE.findall(text)


def _body(line: str) -> str:
    return _EOL.sub("", line)


def _eol(line: str) -> str:
    m = _EOL.search(line)
    return m.group(0) if m else ""


def quote_name(name: str) -> str:
    """A profile or sso-session name as botocore's shlex split reads it back."""
    if not name or "\n" in name or "\r" in name:
        raise ConfigError(f"invalid profile or sso-session name: {name!r}")
    try:
        if shlex.split(name) == [name] and "]" not in name:
            return name
    except ValueError:
        pass
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def section_header(kind: str, name: Optional[str] = None) -> str:
    """`[profile a]`, `[profile "a b"]`, `[sso-session x]`, `[default]`."""
    if kind == "default":
        return "[default]"
    if name is None:
        return f"[{kind}]"
    return f"[{kind} {quote_name(name)}]"


@functools.lru_cache(maxsize=65536)
def _line_info(raw: str) -> Tuple[str, int, Optional[str], Optional[str]]:
    """(kind, indent, header or option name, option value) of a line on its own.

    kind is COMMENT, BLANK, HEADER, KEY or JUNK; the caller decides from the lines
    before it whether a KEY or JUNK line is really a continuation (CONT)."""
    line = _body(raw)
    stripped = line.strip()
    if stripped.startswith(("#", ";")):
        return COMMENT, 0, None, None
    if not stripped:
        return BLANK, 0, None, None
    m = _NONSPACE.search(line)
    indent = m.start() if m else 0
    mo = _SECTCRE.match(stripped)
    if mo:
        return HEADER, indent, mo.group("header"), None
    mo = _OPTCRE.match(stripped)
    if mo and mo.group("option"):
        return KEY, indent, mo.group("option").rstrip().lower(), mo.group("value").strip()
    return JUNK, indent, None, None


@functools.lru_cache(maxsize=4096)
def _classify_header(header: str) -> Tuple[str, Optional[str]]:
    # Mirrors botocore.configloader.build_profile_map and _parse_section.
    for kind in ("profile", "sso-session", "services"):
        if header.startswith(kind):
            if header.isprintable() and not any(c in header for c in "'\"\\"):
                # Only spaces separate, no quotes or escapes: what shlex gives, faster.
                parts = header.split()
            else:
                try:
                    parts = shlex.split(header)
                except ValueError:
                    return "ignored", None
            if len(parts) == 2:
                return kind, parts[1]
            return "ignored", None
    if header == "default":
        return "default", "default"
    return "other", header


@dataclasses.dataclass(frozen=True)
class Key:
    """One option: `key` is lower-cased like configparser's; lines [start, end) hold it."""

    key: str
    value: str
    start: int
    end: int


@dataclasses.dataclass(frozen=True)
class Section:
    """A section: header line at `start`, lines up to `end` (exclusive).

    `kind` is profile, sso-session, services, default, other (any other header) or
    ignored (a header botocore drops, such as `[profile]` or `[profile a b]`).
    `body_end` is the line after the last key (or the header): new keys go there, before
    the blank and comment lines that usually introduce the next section."""

    header: str
    kind: str
    name: Optional[str]
    start: int
    end: int
    body_end: int
    keys: Tuple[Key, ...]

    @property
    def profile_name(self) -> Optional[str]:
        return self.name if self.kind in ("profile", "default") else None

    def get(self, key: str, default=None):
        found = self.find(key)
        return found.value if found else default

    def find(self, key: str) -> Optional[Key]:
        key = key.lower()
        hit = None
        for k in self.keys:
            if k.key == key:
                hit = k
        return hit

    def as_dict(self) -> Dict[str, str]:
        return {k.key: k.value for k in self.keys}


class ConfigDocument:
    """The AWS config as a list of lines, with botocore's reading of them.

    Untouched lines are kept byte for byte; every edit rewrites only the lines it is about.
    Methods that find sections take `(kind, name)`: `("profile", "dev")`,
    `("sso-session", "myorg")`, `("default", "default")`."""

    def __init__(self, text: str = "", *, newline: Optional[str] = None):
        self.lines: List[str] = split_lines(text)
        self._newline = newline
        self._parse()

    # -- reading ---------------------------------------------------------------------
    @property
    def text(self) -> str:
        return "".join(self.lines)

    def __str__(self) -> str:
        return self.text

    @property
    def newline(self) -> str:
        """The line ending new lines get: the file's first one, else `\\n`."""
        if self._newline:
            return self._newline
        for line in self.lines:
            eol = _eol(line)
            if eol:
                return eol
        return "\n"

    def _parse(self) -> None:
        # One linear pass with configparser's state machine; what a line is on its own
        # is cached, so re-reading after each edit stays cheap on big files.
        n = len(self.lines)
        kinds: List[str] = [BLANK] * n
        owner: List[int] = [-1] * n  # for KEY/CONT: index of the key line
        cursect = False
        optname = None
        indent_level = 0
        for i, raw in enumerate(self.lines):
            kind, indent, _, _ = _line_info(raw)
            if kind is COMMENT or kind is BLANK:
                kinds[i] = kind
                continue
            if cursect and optname is not None and indent > indent_level:
                kinds[i] = CONT
                owner[i] = optname
                continue
            indent_level = indent
            if kind is HEADER:
                kinds[i] = HEADER
                cursect = True
                optname = None
            elif not cursect or kind is JUNK:
                # configparser records an error and keeps the previous option.
                kinds[i] = JUNK
            else:
                kinds[i] = KEY
                owner[i] = optname = i
        self._kinds = kinds
        last_line: Dict[int, int] = {}
        for i in range(n):
            if kinds[i] is KEY or kinds[i] is CONT:
                last_line[owner[i]] = i
        sections: List[Section] = []
        header_idx = [i for i in range(n) if kinds[i] is HEADER]
        for h, start in enumerate(header_idx):
            end = header_idx[h + 1] if h + 1 < len(header_idx) else n
            header = _line_info(self.lines[start])[2]
            kind, name = _classify_header(header)
            keys = []
            body_end = start + 1
            for i in range(start + 1, end):
                if kinds[i] is KEY:
                    stop = last_line[i] + 1
                    keys.append(self._make_key(i, stop))
                    body_end = stop
                elif kinds[i] is JUNK:
                    body_end = i + 1
            sections.append(Section(header, kind, name, start, end, body_end, tuple(keys)))
        self._sections = sections

    def _make_key(self, start: int, end: int) -> Key:
        name, value = _line_info(self.lines[start])[2:]
        parts = [value]
        for j in range(start + 1, end):
            if self._kinds[j] is CONT:
                parts.append(_body(self.lines[j]).strip())
            elif self._kinds[j] is BLANK:
                parts.append("")
        return Key(name, "\n".join(parts).rstrip(), start, end)

    @property
    def sections(self) -> Tuple[Section, ...]:
        return tuple(self._sections)

    def iter_sections(self, kind: Optional[str] = None) -> Iterator[Section]:
        for s in self._sections:
            if kind is None or s.kind == kind:
                yield s

    def iter_profiles(self) -> Iterator[Section]:
        """Profile sections, `[default]` included, in file order."""
        for s in self._sections:
            if s.kind in ("profile", "default"):
                yield s

    def profile_names(self) -> List[str]:
        names: List[str] = []
        for s in self.iter_profiles():
            if s.name not in names:
                names.append(s.name)
        return names

    def section(self, kind: str, name: Optional[str] = None) -> Optional[Section]:
        """The section botocore uses for (kind, name): the last one when repeated.

        `("profile", "default")` also finds `[default]`."""
        hit = None
        for s in self._sections:
            if s.kind == kind and (name is None or s.name == name):
                hit = s
            elif kind == "profile" and name == "default" and s.kind == "default":
                hit = s
        return hit

    def _require(self, kind: str, name: Optional[str]) -> Section:
        s = self.section(kind, name)
        if s is None:
            raise ConfigError(f"no [{_label(kind, name)}] section in the AWS config")
        return s

    def get(self, kind: str, name: Optional[str], key: str, default=None):
        s = self.section(kind, name)
        return s.get(key, default) if s else default

    def junk_lines(self) -> List[int]:
        """Line numbers (0-based) that botocore's parser rejects."""
        return [i for i, k in enumerate(self._kinds) if k == JUNK]

    def line_kind(self, index: int) -> str:
        return self._kinds[index]

    # -- editing ---------------------------------------------------------------------
    def _splice(self, start: int, end: int, new_lines: List[str]) -> None:
        # The line before an insertion must end with a newline or the two would merge.
        if new_lines and start > 0 and not _eol(self.lines[start - 1]):
            self.lines[start - 1] += self.newline
        if new_lines and end < len(self.lines) and not _eol(new_lines[-1]):
            new_lines[-1] += self.newline
        self.lines[start:end] = new_lines
        self._parse()

    def _key_line(self, key: str, value: str, indent: str = "") -> List[str]:
        nl = self.newline
        _check_key(key)
        value = "" if value is None else str(value)
        if "\r" in value:
            raise ConfigError(f"invalid value for {key}: {value!r}")
        first, *rest = value.split("\n")
        first = first.strip()
        out = [f"{indent}{key} = {first}{nl}"]
        for r in rest:
            out.append(f"{indent}  {r.strip()}{nl}" if r.strip() else nl)
        return out

    def set(self, kind: str, name: Optional[str], key: str, value: str) -> None:
        """Set `key` in the section; an existing key keeps its place, spelling and spacing.

        The value is stripped, as botocore strips it when reading.
        A value with newlines is written as an indented nested block (`s3 =` + lines)."""
        s = self._require(kind, name)
        found = s.find(key)
        if found is None:
            indent = ""
            if s.keys:
                last = _body(self.lines[s.keys[-1].start])
                indent = last[: len(last) - len(last.lstrip())]
            self._splice(s.body_end, s.body_end, self._key_line(key.lower(), value, indent))
            return
        raw = self.lines[found.start]
        body = _body(raw)
        lead = len(body) - len(body.lstrip())
        mo = _OPTCRE.match(body.strip())
        value = "" if value is None else str(value)
        if "\r" in value:
            raise ConfigError(f"invalid value for {key}: {value!r}")
        first, *rest = value.split("\n")
        first = first.strip()
        vstart = lead + mo.start("value")
        if not mo.group("value"):
            # `key =` (a nested block): keep the delimiter, add one space before a value.
            prefix = body[:vstart].rstrip()
            prefix = prefix + (" " if first else "")
        else:
            prefix = body[:vstart]
        tail = body[lead + mo.end("value") :]  # trailing whitespace after the value
        if mo.group("value") and tail.strip() == "":
            new_first = prefix + first + tail + _eol(raw)
        else:
            new_first = prefix + first + _eol(raw)
        if not _eol(new_first) and (rest or found.end < len(self.lines)):
            new_first += self.newline
        indent = body[:lead]
        extra = self._key_line(key, "\n" + "\n".join(rest), indent)[1:] if rest else []
        # Keep comment lines that sat among the old nested lines; drop the old values.
        kept = [
            self.lines[j] for j in range(found.start + 1, found.end) if self._kinds[j] == COMMENT
        ]
        self._splice(found.start, found.end, [new_first] + extra + kept)

    def remove(self, kind: str, name: Optional[str], key: str) -> bool:
        """Remove the key (and its nested lines). Returns whether it was there."""
        s = self.section(kind, name)
        found = s.find(key) if s else None
        if found is None:
            return False
        kept = [
            self.lines[j] for j in range(found.start + 1, found.end) if self._kinds[j] == COMMENT
        ]
        self._splice(found.start, found.end, kept)
        return True

    def rename_key(self, kind: str, name: Optional[str], old: str, new: str) -> bool:
        """Rename a key in place (`sso-session` -> `sso_session`), keeping its value and spacing."""
        s = self.section(kind, name)
        found = s.find(old) if s else None
        if found is None:
            return False
        self.rename_key_at(found.start, new)
        return True

    def rename_key_at(self, line: int, new: str) -> None:
        _check_key(new)
        raw = self.lines[line]
        body = _body(raw)
        lead = len(body) - len(body.lstrip())
        mo = _OPTCRE.match(body.strip())
        start, end = lead + mo.start("option"), lead + mo.start("vi")
        option_text = body[start:end]
        spaces = option_text[len(option_text.rstrip()) :]
        self.lines[line] = body[:start] + new + spaces + body[end:] + _eol(raw)
        self._parse()

    def section_document(self, s: Section) -> "ConfigDocument":
        """A separate document of just this section's lines (botocore reads a section the
        same on its own), for editing many sections with one `replace_ranges` at the end."""
        return ConfigDocument("".join(self.lines[s.start : s.end]), newline=self.newline)

    def replace_ranges(self, edits: List[Tuple[int, int, str]]) -> None:
        """Replace several non-overlapping line ranges [start, end) at once."""
        nl = self.newline
        last = None
        for start, end, new_text in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
            if last is not None and end > last:
                raise ValueError("overlapping edits")
            new = split_lines(new_text)
            if new and end < len(self.lines) and not _eol(new[-1]):
                new[-1] += nl
            if new and start == len(self.lines) and start > 0 and not _eol(self.lines[-1]):
                self.lines[-1] += nl
            self.lines[start:end] = new
            last = start
        self._parse()

    def replace_lines(self, start: int, end: int, new_text: str) -> None:
        """Replace lines [start, end) with `new_text` (its own line endings are kept)."""
        self._splice(start, end, split_lines(new_text))

    def insert_lines(self, at: int, new_text: str) -> None:
        self._splice(at, at, split_lines(new_text))

    def section_text(self, kind: str, name: Optional[str], values: Dict[str, str]) -> str:
        nl = self.newline
        out = [section_header(kind, name) + nl]
        for k, v in values.items():
            out.extend(self._key_line(k, v))
        return "".join(out)

    def add_section(
        self,
        kind: str,
        name: Optional[str],
        values: Optional[Dict[str, str]] = None,
        *,
        before: Optional[Tuple[str, Optional[str]]] = None,
    ) -> None:
        """Append a section after one blank line, or insert it before section `before`
        (and before the comments right above that section's header)."""
        if self.section(kind, name) is not None:
            raise ConfigError(f"[{_label(kind, name)}] is already in the AWS config")
        nl = self.newline
        text = self.section_text(kind, name, values or {})
        if before is not None:
            target = self._require(*before)
            at = target.start
            while at > 0 and self._kinds[at - 1] == COMMENT:
                at -= 1
            self._splice(at, at, split_lines(text + nl))
            return
        self.append_text(text)

    def append_text(self, text: str) -> None:
        """Append `text` at the end, separated from what is there by one blank line."""
        nl = self.newline
        new = split_lines(text)
        if self.lines:
            if not _eol(self.lines[-1]):
                self.lines[-1] += nl
            if self._kinds[-1] != BLANK:
                new.insert(0, nl)
        self._splice(len(self.lines), len(self.lines), new)

    def remove_section(self, kind: str, name: Optional[str]) -> bool:
        """Remove the section's header and keys; the comments and blank lines after its
        last key (which usually belong to the next section) stay."""
        s = self.section(kind, name)
        if s is None:
            return False
        start = s.start
        # One blank line that separated it from the previous section goes too.
        if start > 0 and self._kinds[start - 1] == BLANK:
            start -= 1
        self._splice(start, s.body_end, [])
        return True

    # -- marked blocks ---------------------------------------------------------------
    def find_block(self, tag: str) -> Optional[Tuple[int, int]]:
        """Line numbers of `# BEGIN <tag>` and `# END <tag>`, or None.

        Raises ConfigError when one is there without the other, or they are repeated."""
        begins = [i for i, line in enumerate(self.lines) if line.strip() == BLOCK_BEGIN + tag]
        ends = [i for i, line in enumerate(self.lines) if line.strip() == BLOCK_END + tag]
        if not begins and not ends:
            return None
        if len(begins) != 1 or len(ends) != 1 or ends[0] < begins[0]:
            raise ConfigError(
                f"the AWS config has a damaged '{BLOCK_BEGIN}{tag}' ... '{BLOCK_END}{tag}' block; fix or remove those lines"
            )
        return begins[0], ends[0]

    def block_content(self, tag: str) -> Optional[str]:
        found = self.find_block(tag)
        if found is None:
            return None
        return "".join(self.lines[found[0] + 1 : found[1]])

    def set_block(self, tag: str, content: str) -> None:
        """Replace what is between the markers with `content`, or append a new block."""
        nl = self.newline
        if content and not content.endswith(("\n", "\r")):
            content += nl
        found = self.find_block(tag)
        if found is not None:
            self._splice(found[0] + 1, found[1], split_lines(content))
            return
        self.append_text(BLOCK_BEGIN + tag + nl + content + BLOCK_END + tag + nl)

    def remove_block(self, tag: str) -> bool:
        found = self.find_block(tag)
        if found is None:
            return False
        self._splice(found[0], found[1] + 1, [])
        return True

    def block_spans(self) -> List[Tuple[int, int]]:
        """(begin, end) marker lines of every ssoenv block, in file order."""
        spans = []
        begin = None
        for i, text in enumerate(self.lines):
            if "# " not in text:
                continue
            t = text.strip()
            if t.startswith(BLOCK_BEGIN + "ssoenv "):
                begin = i
            elif t.startswith(BLOCK_END + "ssoenv ") and begin is not None:
                spans.append((begin, i))
                begin = None
        return spans

    def inside_block(self, line: int, spans=None) -> Optional[Tuple[int, int]]:
        """The (begin, end) marker lines of the ssoenv block that holds `line`, if any."""
        for begin, end in self.block_spans() if spans is None else spans:
            if begin <= line <= end:
                return begin, end
        return None


def _label(kind: str, name: Optional[str]) -> str:
    if kind == "default" or name is None:
        return kind
    return f"{kind} {name}"


def _check_key(key: str) -> None:
    if (
        not key
        or key != key.strip()
        or any(c in key for c in "=:\r\n")
        or key.startswith(("[", "#", ";"))
    ):
        raise ConfigError(f"invalid key for the AWS config: {key!r}")


# -- reading and writing the file ------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class ConfigSnapshot:
    """What the file held when ssoenv read it; `write_config` refuses if that changed."""

    path: str
    text: str
    exists: bool
    size: int = 0
    mtime_ns: int = 0
    digest: str = ""


def _real(path: str) -> str:
    # Dotfile managers link ~/.aws/config; write through the link, not over it.
    return os.path.realpath(os.path.expanduser(path))


def read_config(path: Optional[str] = None) -> ConfigSnapshot:
    """Read the config (default: `paths.aws_config_file()`); a missing file reads as ''."""
    if path is None:
        path = paths.aws_config_file()
    real = _real(path)
    try:
        with open(real, "rb") as f:
            st = os.fstat(f.fileno())
            data = f.read()
    except FileNotFoundError:
        return ConfigSnapshot(path, "", False)
    except OSError as e:
        raise ConfigError(f"cannot read {path}: {e.strerror or e}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text; ssoenv will not edit it") from None
    return ConfigSnapshot(
        path, text, True, st.st_size, st.st_mtime_ns, hashlib.sha256(data).hexdigest()
    )


def load_document(path: Optional[str] = None) -> Tuple[ConfigDocument, ConfigSnapshot]:
    snap = read_config(path)
    return ConfigDocument(snap.text), snap


def unified_diff(old: str, new: str, path: str) -> str:
    """A unified diff of two versions of the file ('' when they are the same)."""

    def lines(text):
        out = split_lines(text)
        if out and not _eol(out[-1]):
            out[-1] += "\n\\ No newline at end of file\n"
        return [_body(x) + "\n" if not x.endswith("file\n") else x for x in out]

    return "".join(difflib.unified_diff(lines(old), lines(new), path, path + " (ssoenv)"))


def _changed(snap: ConfigSnapshot, real: str) -> bool:
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return snap.exists
    if not snap.exists or st.st_size != snap.size or st.st_mtime_ns != snap.mtime_ns:
        return True
    with open(real, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest() != snap.digest


def write_config(
    path: str,
    new_text: str,
    *,
    dry_run: bool = False,
    based_on: Optional[ConfigSnapshot] = None,
) -> str:
    """Replace the AWS config at `path` with `new_text`; return the unified diff.

    - `dry_run`: only return the diff; nothing is written.
    - `based_on`: the snapshot the edit started from (`read_config`). If the file changed
      since (size, mtime or content), raise ConfigError and write nothing. Without it, the
      file is read now and only the diff is computed against that.
    - Atomic: a temporary file in the same directory, fsync, rename; the old file stays
      whole if anything fails. The file keeps its mode (a new one is 0600, in a directory
      created 0700). A symlinked config is written through the link.
    - The previous version is copied to `<path>.ssoenv-backup` (e.g.
      `~/.aws/config.ssoenv-backup`): one file, replaced on every write.
    - Nothing happens when the text is unchanged (the diff is '')."""
    real = _real(path)
    current = read_config(path)
    if based_on is not None and (
        (current.exists, current.size, current.mtime_ns, current.digest)
        != (based_on.exists, based_on.size, based_on.mtime_ns, based_on.digest)
    ):
        raise ConfigError(
            f"{path} changed while ssoenv was editing it; nothing was written, run the command again"
        )
    old = current.text
    diff = unified_diff(old, new_text, path)
    if dry_run or new_text == old and current.exists:
        return diff
    directory = os.path.dirname(real) or "."
    if not os.path.isdir(directory):
        paths.make_dirs(directory, 0o700)
    mode = 0o600
    if current.exists:
        mode = os.stat(real).st_mode & 0o7777
        _atomic_write(real + BACKUP_SUFFIX, old.encode("utf-8"), 0o600)
    check = based_on if based_on is not None else current
    _atomic_write(real, new_text.encode("utf-8"), mode, lambda: _changed(check, real), path)
    return diff


def update_config(
    edit: Callable[[str], str], *, path: Optional[str] = None, dry_run: bool = False
) -> str:
    """Read the config, apply `edit` (old text -> new text) and write the result with
    `write_config`, refusing if the file changed meanwhile. Returns the diff."""
    snap = read_config(path)
    return write_config(snap.path, edit(snap.text), dry_run=dry_run, based_on=snap)


def _atomic_write(real: str, data: bytes, mode: int, changed=None, shown: str = "") -> None:
    def last_look():
        # Just before the rename, which keeps the window for a lost update tiny.
        if changed is not None and changed():
            raise ConfigError(
                "%s changed while ssoenv was editing it; nothing was written, "
                "run the command again" % (shown or real)
            )

    paths.write_atomic(real, data, mode, before_replace=last_look)
