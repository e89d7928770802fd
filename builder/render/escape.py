"""Escaping for each context a contributor's string can reach. Nothing else may put data in markup.

Every function takes plain text and returns text that is safe in exactly one context:
HTML text, an HTML attribute value (always double-quoted), a URL in `href`, JSON inside
a `<script>` element, a Markdown table cell, a CSV cell opened by a spreadsheet.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


def text(value: object) -> str:
    """HTML text content."""
    return str(value).translate(_HTML)


def attr(value: object) -> str:
    """An attribute value, to be written inside double quotes."""
    return str(value).translate(_HTML).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")


_URL_UNSAFE = re.compile(r"[\x00-\x20\x7f<>\"'`\\]")


def url(value: str) -> str | None:
    """An http(s) URL ready for `href="..."`, or None when the scheme is anything else.

    Characters that could end the attribute or confuse a parser are percent-encoded;
    the result still goes through `attr` for `&`.
    """
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    encoded = _URL_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", value)
    return attr(encoded)


def link(href: str | None, label: object, *, external: bool = True) -> str:
    """`<a>` to an http(s) URL, or the plain label when the URL is refused."""
    safe = url(href) if href is not None else None
    if safe is None:
        return text(label)
    rel = ' rel="nofollow noopener noreferrer"' if external else ""
    return f'<a href="{safe}"{rel}>{text(label)}</a>'


def script_json(data: Any) -> str:
    """JSON for `<script type="application/json">`: `<`, `>`, `&` and line separators escaped."""
    dumped = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        dumped.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()+\-.!|])")
"""Characters Python-Markdown (with its tables extension) treats as escapable; `#`, `&`
and `;` are left alone so that the HTML entities made first stay whole."""


def markdown_cell(value: object) -> str:
    """A Markdown table cell: HTML-escaped, Markdown punctuation (`|` above all) backslash-escaped, one line."""
    flat = " ".join(str(value).split())
    return _MD_SPECIAL.sub(r"\\\1", text(flat))


_CSV_LINE_BREAKS = re.compile(r"[\t\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
_CSV_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")
_FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
"""OWASP's CSV-injection list (`=`, `+`, `-`, `@`, tab, CR, LF) and the full-width forms some spreadsheets also accept."""


def csv_cell(value: object) -> object:
    """A CSV cell no spreadsheet runs as a formula, on one line, without control characters.

    Numbers stay numbers (-1.5 is a value, not a formula). Text is flattened first (line
    breaks and tabs become spaces, other control characters U+FFFD: validation refuses
    them, this keeps a download safe even so), then, per OWASP, text that starts with
    `=`, `+`, `-`, `@`, tab, CR or LF, or `=`, `+`, `-`, `@` after leading spaces, gets a leading `'` so that the cell
    is read as text. Quoting the cell for `,` and `"` is left to the csv module.
    """
    if not isinstance(value, str):
        return value
    flat = _CSV_CONTROLS.sub("\ufffd", _CSV_LINE_BREAKS.sub(" ", value))
    stripped = flat.lstrip()
    if value[:1] in _FORMULA_STARTS or stripped[:1] in _FORMULA_STARTS:
        return "'" + flat
    return flat
