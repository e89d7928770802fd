"""Build throw-away repositories from the example files: the base, plus one case on top."""

from __future__ import annotations

import shutil
from pathlib import Path

EXAMPLES = Path(__file__).parent / "example-files"
EXPECTED = "expected.txt"


def cases(kind: str) -> list[str]:
    return sorted(p.name for p in (EXAMPLES / kind).iterdir() if p.is_dir())


def make_repo(target: Path, case: Path | None = None) -> Path:
    """Copy the base repository to `target`, then the case's files over it."""
    shutil.copytree(EXAMPLES / "base", target)
    if case is not None:
        for source in sorted(case.rglob("*")):
            if source.is_file() and source.name != EXPECTED:
                destination = target / source.relative_to(case)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, destination)
    return target
