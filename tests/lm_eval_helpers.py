"""Loads the helpers in tests/lm_eval/ by file path: as a package, that folder would shadow
the real `lm_eval`."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType


def load(name: str) -> ModuleType:
    path = Path(__file__).parent / "lm_eval" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"reproboard_tests_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
