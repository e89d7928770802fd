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
from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # libyaml's C parser: ~20x faster than the pure-Python one.
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML wheels ship libyaml
    from yaml.parser import Parser as _PyParser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, _PyParser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            _PyParser.__init__(self)


MAX_DEPTH = 20
"""Deepest nesting of mappings and lists; result files need about six levels."""

MAX_NUMBER_DIGITS = 30
"""Longer digit runs stay text: Python refuses to convert 5,000-digit integers."""

Path = tuple[Any, ...]

_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_NON_FINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})

# Characters that make text display differently from what it is (CVE-2021-42574), or
# that are invisible: bidi controls, zero-width characters, and C0/C1 controls but tab
# and newline.
_HIDDEN = re.compile(
    "[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0]"
)


class YamlError(Exception):
    """A file that is not the safe YAML we accept; `line` is 1-based (0: whole file)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Document:
    """A parsed file: plain JSON-like data, and the line where each value starts."""

    data: Any
    lines: dict[Path, int]
    """Line of each value's key (or list item), by path; `()` is the document."""
    plain_texts: dict[Path, str] = field(default_factory=dict)
    """Source text of plain scalars that became numbers, booleans or null."""

    def line_of(self, path: Path) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)


def hidden_character(text: str) -> str | None:
    """The first invisible or bidi-control character in `text`, as `U+202E`, if any."""
    found = _HIDDEN.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag


def _plain_scalar(text: str, line: int) -> Any:
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


def parse(text: str) -> Document:
    """Parse one YAML document under the rules above, or raise YamlError."""
    parser = _Parser(text)
    lines: dict[Path, int] = {}
    plain_texts: dict[Path, str] = {}
    # Each open container: [value, path, pending mapping key or None, key lines, start line].
    stack: list[list[Any]] = []
    root: Any = None
    documents = 0

    def place(value: Any, line: int, plain_text: str | None = None) -> bool:
        """Attach a finished value to the open container; False if it was a key."""
        nonlocal root
        if not stack:
            root = value
            lines[()] = line
            return True
        top = stack[-1]
        container, path = top[0], top[1]
        if isinstance(container, list):
            child = (*path, len(container))
            container.append(value)
        elif top[2] is None:  # this value is a key
            if not isinstance(value, str):
                raise YamlError(line, "keys must be plain text, not lists or mappings")
            if value == "<<":
                raise YamlError(line, "merge keys (<<) are not allowed in result files")
            first = top[3].get(value)
            if first is not None:
                raise YamlError(line, f"duplicate key '{value}' (first on line {first})")
            top[3][value] = line
            top[2] = value
            return False
        else:
            child = (*path, top[2])
            container[top[2]] = value
            line = top[3][top[2]]
            top[2] = None
        lines[child] = line
        if plain_text is not None:
            plain_texts[child] = plain_text
        return True

    try:
        while True:
            event = parser.get_event()
            if event is None:
                break
            kind = type(event)
            line = event.start_mark.line + 1
            if kind is yaml.ScalarEvent:
                if event.anchor is not None:
                    raise YamlError(line, f"anchors (&{event.anchor}) are not allowed in result files")
                if event.tag is not None:
                    raise YamlError(line, f"tags ({_short_tag(event.tag)}) are not allowed in result files")
                text = event.value
                hidden = hidden_character(text)
                if hidden:
                    raise YamlError(line, f"text contains the invisible or bidirectional control character {hidden}")
                is_key = stack and isinstance(stack[-1][0], dict) and stack[-1][2] is None
                if is_key or not (event.style in (None, "") and event.implicit[0]):
                    place(text, line)  # keys and quoted scalars are always text
                else:
                    value = _plain_scalar(text, line)
                    place(value, line, None if isinstance(value, str) else text)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if event.anchor is not None:
                    raise YamlError(line, f"anchors (&{event.anchor}) are not allowed in result files")
                if event.tag is not None:
                    raise YamlError(line, f"tags ({_short_tag(event.tag)}) are not allowed in result files")
                if len(stack) >= MAX_DEPTH:
                    raise YamlError(line, f"nesting is deeper than {MAX_DEPTH} levels")
                value = {} if kind is yaml.MappingStartEvent else []
                if stack and isinstance(stack[-1][0], dict) and stack[-1][2] is None:
                    raise YamlError(line, "keys must be plain text, not lists or mappings")
                if stack:
                    top = stack[-1]
                    path = (*top[1], len(top[0])) if isinstance(top[0], list) else (*top[1], top[2])
                else:
                    path = ()
                stack.append([value, path, None, {}, line])
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                value, _, _, _, start = stack.pop()
                place(value, start)
            elif kind is yaml.AliasEvent:
                raise YamlError(line, f"aliases (*{event.anchor}) are not allowed in result files")
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise YamlError(line, "a file holds one YAML document; a second one starts here")
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "not valid YAML"
        raise YamlError(mark.line + 1 if mark else 0, f"not valid YAML: {problem}") from None
    except yaml.YAMLError as error:  # ReaderError and the like carry no mark
        raise YamlError(0, f"not valid YAML: {error}") from None
    if documents == 0:
        raise YamlError(0, "the file is empty")
    return Document(root, lines, plain_texts)


def parse_bytes(raw: bytes) -> Document:
    """Decode strict UTF-8 (a leading BOM is allowed), refuse NUL bytes, then parse."""
    nul = raw.find(b"\0")
    if nul >= 0:
        raise YamlError(raw.count(b"\n", 0, nul) + 1, "the file contains a NUL byte")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise YamlError(line, f"the file is not valid UTF-8 (byte {error.start + 1})") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return parse(text)
