"""Checks on text that people read: control characters, look-alike letters and dates."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

# One rule for text, written once as the two patterns every free-text field of every
# schema uses (a test checks that no string field escapes them): no C0 or C1 control
# character, no DEL, no line or paragraph separator. Multi-line fields (notes,
# descriptions, a system instruction) may also hold line feeds and tabs.
#
# Each pattern ends in `$(?!\n)`: the end of the text in every engine. JSON Schema's
# regular expressions (ECMA-262, and jsonschema-rs) read `$` that way, but Python's `re`,
# which the `jsonschema` package uses, also lets `$` match before a final newline, so
# `^[a-z]+$` would accept "abc\n" there and not in jsonschema-rs.
SINGLE_LINE_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]*$(?!\\n)"
MULTI_LINE_PATTERN = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u2028\\u2029]*$(?!\\n)"
SINGLE_LINE = re.compile(SINGLE_LINE_PATTERN)

_CONTROL = re.compile("[\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]")
_CONTROL_NAMES = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab", "\u0085": "a next-line character",
                  "\u2028": "a line separator", "\u2029": "a paragraph separator"}


def control_character_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why `text` breaks the text rule, naming the first offending character, or None."""
    for found in _CONTROL.finditer(text):
        char = found.group()
        if multiline and char in "\n\t":
            continue
        what = _CONTROL_NAMES.get(char, "a control character")
        where = "text" if multiline else "one line of text"
        return f"contains U+{ord(char):04X} ({what}); this field is {where} without control characters"
    return None


_SCRIPTS_THAT_LOOK_ALIKE = ("LATIN", "CYRILLIC", "GREEK")


def look_alike_problem(text: str) -> str | None:
    """Why `text` could impersonate another name, or None.

    A Cyrillic 'а' in `meta-llama` looks like the Latin one: names that mix Latin,
    Cyrillic or Greek letters, or that use compatibility forms such as full-width
    letters, are refused. Chinese or Japanese names are fine.
    """
    if unicodedata.normalize("NFKC", text) != text:
        return "uses compatibility characters (such as full-width letters) that look like others"
    scripts = set()
    for char in text:
        if char.isalpha() and not char.isascii():
            name = unicodedata.name(char, "")
            scripts.update(s for s in _SCRIPTS_THAT_LOOK_ALIKE if name.startswith(s))
        elif char.isalpha():
            scripts.add("LATIN")
    if len(scripts) > 1:
        return "mixes " + " and ".join(sorted(s.title() for s in scripts)) + " letters, which look alike"
    return None


def date_problem(text: str, today: dt.date) -> str | None:
    """Why `text` (already shaped YYYY-MM-DD) is not a usable date, or None."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return f"'{text}' is not a real date"
    if day > today:
        return f"'{text}' is in the future"
    if day.year < 1990:
        return f"'{text}' is before any language model"
    return None
