"""A strict, safe subset of YAML for contributors' files.

We build values straight from libyaml's events instead of using a PyYAML loader, so
that nothing a file says can construct a Python object, every value knows its line,
and the risky corners of YAML are refused before they matter:

- anchors, aliases and merge keys (`<<`): "billion laughs" files explode when traversed;
- tags (`!!python/object`, `!!binary`, `!!set`): they construct non-JSON values;
- duplicate keys: PyYAML silently keeps the last one (yaml/pyyaml#165);
- several documents in one file, NUL bytes, invalid UTF-8, deep nesting, huge files;
- NaN and infinities, and integers too long to be a real measurement.

Plain scalars follow YAML 1.2's core schema, minus its surprises: `NO`, `yes`, `on`,
dates, `0755` and `1_000` stay strings; `true`/`false`, `null`/`~`, decimal integers
and decimal floats are the only non-strings. The source text of every non-string plain
scalar is kept, so a field the schema wants as a string (`task_version: 0.10`) gets the
text as written instead of a float that lost its trailing zero.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.parser import Parser as _PyParser
from yaml.reader import Reader
from yaml.scanner import Scanner


class PurePythonParser(Reader, Scanner, _PyParser):
    """PyYAML's own event parser, for where libyaml is missing; ~20x slower."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        _PyParser.__init__(self)


try:  # libyaml's C parser; PyYAML's wheels ship it
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover
    _Parser = PurePythonParser  # type: ignore[assignment,misc]


MAX_DEPTH = 20
"""Deepest nesting of mappings and lists; result files need about six levels."""

MAX_NODES = 10_000
"""Most values (scalars, lists, mappings) in one file. A run with 100 scores has ~2,000, the registry ~750.
The detailed schema check costs up to ~0.2 ms a value on an invalid file: the bound keeps any file under
about 2 s (a 1 MiB flow list of 500,000 items took 24 s)."""

MAX_NUMBER_DIGITS = 30
"""Longer digit runs stay text: Python refuses to convert 5,000-digit integers."""

Path = tuple[Any, ...]

_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_NON_FINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)")
_MAY_BE_TYPED = frozenset("-+.0123456789~nNtTfF")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})

# Characters that make text display differently from what it is (CVE-2021-42574), or
# that are invisible: bidi controls, zero-width characters, and C0/C1 controls but tab
# newline and carriage return.
_HIDDEN = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0]"
)


class YamlError(Exception):
    """A file that is not the safe YAML we accept; `line` is 1-based (0: whole file)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class Document:
    """A parsed file: plain JSON-like data, and the line where each value starts.

    The line map is built on first use, by parsing the text again: most files are
    valid and nobody asks where their values are.
    """

    def __init__(self, data: Any, text: str, lines: dict[Path, int] | None = None, plain_texts: dict[Path, str] | None = None) -> None:
        self.data = data
        self.text = text
        self._lines = lines
        self._plain_texts = plain_texts

    @property
    def lines(self) -> dict[Path, int]:
        """Line of each value's key (or list item), by path; `()` is the document."""
        if self._lines is None:
            detailed = parse(self.text)
            self._lines, self._plain_texts = detailed._lines, detailed._plain_texts
        return self._lines  # type: ignore[return-value]

    @property
    def plain_texts(self) -> dict[Path, str]:
        """Source text of plain scalars that became numbers, booleans or null."""
        _ = self.lines  # builds both maps
        return self._plain_texts  # type: ignore[return-value]

    def line_of(self, path: Path) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        lines = self.lines
        path = tuple(path)
        while path not in lines and path:
            path = path[:-1]
        return lines.get(path, 1)


def hidden_character(text: str) -> str | None:
    """The first invisible or bidi-control character in `text`, as `U+202E`, if any."""
    found = _HIDDEN.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag


def _plain_scalar(text: str, line: int) -> Any:
    if text and text[0] not in _MAY_BE_TYPED:
        return text  # most plain scalars are words: skip the patterns below
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _NON_FINITE.fullmatch(text):
        raise YamlError(line, f"'{text}' is not allowed: NaN and infinities are not numbers")
    if len(text) > MAX_NUMBER_DIGITS:
        return text  # no measurement has this many digits: a hash, say, or an attack
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        value = float(text)
        if value in (float("inf"), float("-inf")):
            raise YamlError(line, f"'{text}' is too large to be a number")
        return value
    return text


def _refuse_node_properties(event: Any, line: int) -> None:
    if event.anchor is not None:
        raise YamlError(line, f"anchors (&{event.anchor}) are not allowed in result files")
    if event.tag is not None:
        raise YamlError(line, f"tags ({_short_tag(event.tag)}) are not allowed in result files")


def _hidden_error(text: str, line: int, found: re.Match[str]) -> YamlError:
    return YamlError(line, f"text contains the invisible or bidirectional control character U+{ord(found.group()):04X}")


def parse(text: str, *, track_lines: bool = True, parser: type = _Parser) -> Document:
    """Parse one YAML document under the rules above, or raise YamlError.

    With `track_lines=False` the line map and plain texts stay empty: about a third
    faster, for the common case of a valid file whose lines nobody will ask for.
    """
    hidden = _HIDDEN.search(text)  # comments too: a bidi control there misleads reviewers
    if hidden:
        raise _hidden_error(text, text.count("\n", 0, hidden.start()) + 1, hidden)
    get_event = parser(text).get_event
    lines: dict[Path, int] = {}
    plain_texts: dict[Path, str] = {}
    # Each open container: [value, is_mapping, path, pending key or None, key -> line, start line].
    stack: list[list[Any]] = []
    root: Any = None
    documents = 0
    nodes = 0

    def attach(value: Any, line: int, plain_text: str | None) -> None:
        """Attach a finished value (not a key) to the open container, or make it the root."""
        nonlocal root
        if not stack:
            root = value
            lines[()] = line
            return
        top = stack[-1]
        if top[1]:
            key = top[3]
            top[0][key] = value
            top[3] = None
            if track_lines:
                child = (*top[2], key)
                lines[child] = top[4][key]
        else:
            if track_lines:
                child = (*top[2], len(top[0]))
                lines[child] = line
            top[0].append(value)
        if track_lines and plain_text is not None:
            plain_texts[child] = plain_text

    try:
        while True:
            event = get_event()
            if event is None:
                break
            kind = type(event)
            if kind is yaml.ScalarEvent:
                line = event.start_mark.line + 1
                nodes += 1
                if nodes > MAX_NODES:
                    raise YamlError(line, f"the file holds more than {MAX_NODES:,} values; result files need a few thousand")
                if event.anchor is not None or event.tag is not None:
                    _refuse_node_properties(event, line)
                value = event.value
                if event.style == '"':  # escapes can spell characters the raw text lacks
                    hidden = _HIDDEN.search(value)
                    if hidden:
                        raise _hidden_error(value, line, hidden)
                top = stack[-1] if stack else None
                if top is not None and top[1] and top[3] is None:  # a mapping key
                    if value in top[4]:
                        raise YamlError(line, f"duplicate key '{value}' (first on line {top[4][value]})")
                    if value == "<<" and not event.style:
                        raise YamlError(line, "merge keys (<<) are not allowed in result files")
                    top[4][value] = line
                    top[3] = value
                elif not event.style and event.implicit[0]:
                    typed = _plain_scalar(value, line)
                    attach(typed, line, None if typed.__class__ is str else value)
                else:
                    attach(value, line, None)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                line = event.start_mark.line + 1
                if event.anchor is not None or event.tag is not None:
                    _refuse_node_properties(event, line)
                if len(stack) >= MAX_DEPTH:
                    raise YamlError(line, f"nesting is deeper than {MAX_DEPTH} levels")
                nodes += 1
                if nodes > MAX_NODES:
                    raise YamlError(line, f"the file holds more than {MAX_NODES:,} values; result files need a few thousand")
                path: Path = ()
                if stack:
                    top = stack[-1]
                    if top[1] and top[3] is None:
                        raise YamlError(line, "keys must be plain text, not lists or mappings")
                    if track_lines:
                        path = (*top[2], top[3] if top[1] else len(top[0]))
                is_mapping = kind is yaml.MappingStartEvent
                stack.append([{} if is_mapping else [], is_mapping, path, None, {}, line])
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                finished = stack.pop()
                attach(finished[0], finished[5], None)
            elif kind is yaml.AliasEvent:
                raise YamlError(event.start_mark.line + 1, f"aliases (*{event.anchor}) are not allowed in result files")
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise YamlError(event.start_mark.line + 1, "a file holds one YAML document; a second one starts here")
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        tab = _tab_column(text, mark.line, mark.column) if mark else None
        if tab is not None:
            raise YamlError(mark.line + 1, f"not valid YAML: a tab at column {tab}; YAML indents with spaces only, so replace the tab with spaces") from None
        problem = error.problem or error.context or "not valid YAML"
        raise YamlError(mark.line + 1 if mark else 0, f"not valid YAML: {problem}") from None
    except yaml.YAMLError as error:  # ReaderError and the like carry no mark
        raise YamlError(0, f"not valid YAML: {error}") from None
    if documents == 0:
        raise YamlError(0, "the file is empty")
    return Document(root, text, lines, plain_texts) if track_lines else Document(root, text)


def _tab_column(text: str, line: int, column: int) -> int | None:
    """1-based column of the tab where the parser stopped (libyaml only says it "found
    character that cannot start any token"), or None when no tab is to blame."""
    lines = text.split("\n")
    if not 0 <= line < len(lines):
        return None
    before = lines[line][: column + 1]
    if before.endswith("\t") or (not before.strip(" \t") and "\t" in before):  # at a tab, or within tabbed indentation
        return before.rfind("\t") + 1
    return None


def decode(raw: bytes) -> str:
    """Strict UTF-8 (a leading BOM is allowed), without NUL bytes."""
    nul = raw.find(b"\0")
    if nul >= 0:
        raise YamlError(raw.count(b"\n", 0, nul) + 1, "the file contains a NUL byte")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise YamlError(line, f"the file is not valid UTF-8 (byte {error.start + 1})") from None
    return text[1:] if text.startswith("\ufeff") else text


def parse_bytes(raw: bytes, *, track_lines: bool = True) -> Document:
    return parse(decode(raw), track_lines=track_lines)
