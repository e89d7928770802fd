"""Every interface string the generator emits, looked up by key in one catalogue per language.

`strings/en.yaml` is the only place English interface text lives, `strings/zh.yaml` the
only place Simplified Chinese interface text lives; both have the same keys and the same
`{name}` placeholders (tests/test_i18n.py checks). Values are plain text.

Contributors' text (model and organisation names, sources' titles, notes) is never
translated: it is shown as given. Category and benchmark names and descriptions come from
the registry, which carries both languages (`Category.name_in`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from builder.render import escape

_DIR = Path(__file__).parent / "strings"


class Strings:
    def __init__(self, catalogue: dict[str, str], language: str) -> None:
        self._catalogue = catalogue
        self.language = language

    def __call__(self, key: str, **values: object) -> str:
        """Plain text (for JSON, CSV, SVG after escaping by the caller)."""
        template = self._catalogue[key]
        return template.format(**{k: _shown(v) for k, v in values.items()}) if values else template

    def html(self, key: str, markup: dict[str, str] | None = None, **values: object) -> str:
        """HTML text: the template and `values` escaped; `markup` values inserted as they are (built by the caller from escaped parts)."""
        template = escape.text(self._catalogue[key])
        filled = {k: escape.text(_shown(v)) for k, v in values.items()}
        filled.update(markup or {})
        return template.format(**filled) if filled else template

    def keys(self) -> list[str]:
        return sorted(self._catalogue)


def _shown(value: object) -> object:
    """A count as readers write it (4,501, not 4501); anything else as it is."""
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else value


def languages() -> list[str]:
    """The languages that have a catalogue."""
    return sorted(p.stem for p in _DIR.glob("*.yaml"))


@cache
def strings(language: str = "en") -> Strings:
    with open(_DIR / f"{language}.yaml", encoding="utf-8") as stream:
        catalogue = yaml.safe_load(stream)  # our own file, not contributors'
    if not isinstance(catalogue, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in catalogue.items()):
        raise ValueError(f"{language}.yaml must map keys to strings")
    return Strings(catalogue, language)
