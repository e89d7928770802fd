"""Checks on text that people read: look-alike letters and dates."""

from __future__ import annotations

import datetime as dt
import unicodedata

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
