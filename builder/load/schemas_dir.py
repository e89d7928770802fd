"""Where the JSON Schemas are: `schemas/` in a checkout, `builder/_schemas/` in a wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def schemas_dir() -> Path:
    bundled = _PACKAGE / "_schemas"
    return bundled if bundled.is_dir() else _PACKAGE.parent / "schemas"
