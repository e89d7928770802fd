"""Where contributors' files live, and what each file is by its name.

    results/<org>/<name>/model.yaml                   the model record
    results/<org>/<name>/<run-id>.yaml                a run
    results/<org>/<name>/<run-id>.evidence.jsonl.gz   a submitted run's evidence
    results/<org>/<name>/<run-id>.verification.yaml   a spot-check's verdict
    seeds/...                                         the same, for published numbers
    seeds/benchmarks.yaml                             the benchmark registry
    seeds/organisations.yaml                          the organisation registry: names and hub namespaces
    seeds/spotcheck-signers.yaml                      the keys allowed to sign verifications
    seeds/imports.yaml                                where imported files came from (`reproboard import eee`)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

DATA_ROOTS = ("seeds", "results")
REGISTRY_FILE = "seeds/benchmarks.yaml"
ORGANISATIONS_FILE = "seeds/organisations.yaml"
SIGNERS_FILE = "seeds/spotcheck-signers.yaml"
IMPORTS_FILE = "seeds/imports.yaml"
"""The record of imports (repository, commit, paths, counts), so each can be redone; not a result file."""
MAX_YAML_BYTES = 1 << 20
"""Result files are a few KB; a cap keeps a hostile file from costing time before parsing."""

_DOC_FILES = frozenset({"README.md", "SOURCES.md", ".gitkeep"})
_RUN_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,150}\.yaml")


class Kind(str, Enum):
    REGISTRY = "registry"
    ORGANISATIONS = "organisations"
    SIGNERS = "signers"
    IMPORTS = "imports"
    MODEL = "model"
    RUN = "run"
    VERIFICATION = "verification"
    EVIDENCE = "evidence"
    DOC = "doc"
    UNEXPECTED = "unexpected"


@dataclass(frozen=True)
class DataFile:
    path: str
    """Repository-relative, forward slashes."""
    kind: Kind
    why: str = ""
    """For UNEXPECTED files: what is wrong with the name or place."""

    @property
    def folder_model_id(self) -> str | None:
        """`org/name` from `results/<org>/<name>/...`, if the file sits at that depth."""
        parts = self.path.split("/")
        return f"{parts[1]}/{parts[2]}" if len(parts) == 4 else None

    @property
    def folder(self) -> str:
        return self.path.rsplit("/", 1)[0]

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[1]


def classify(path: str) -> DataFile:
    parts = path.split("/")
    name = parts[-1]
    if path == REGISTRY_FILE:
        return DataFile(path, Kind.REGISTRY)
    if path == ORGANISATIONS_FILE:
        return DataFile(path, Kind.ORGANISATIONS)
    if path == SIGNERS_FILE:
        return DataFile(path, Kind.SIGNERS)
    if path == IMPORTS_FILE:
        return DataFile(path, Kind.IMPORTS)
    if parts[0] not in DATA_ROOTS:
        return DataFile(path, Kind.UNEXPECTED, "result files belong under results/<org>/<model>/")
    if name in _DOC_FILES and len(parts) <= 4:
        return DataFile(path, Kind.DOC)
    if len(parts) != 4:
        return DataFile(path, Kind.UNEXPECTED, f"files belong in {parts[0]}/<org>/<model>/, one folder per model")
    if name == "model.yaml":
        return DataFile(path, Kind.MODEL)
    if name.endswith(".evidence.jsonl.gz"):
        return DataFile(path, Kind.EVIDENCE)
    if name.endswith((".yml", ".json")):
        return DataFile(path, Kind.UNEXPECTED, "result files are YAML and end in .yaml")
    if not _RUN_NAME.fullmatch(name):
        return DataFile(path, Kind.UNEXPECTED, "file names are lower-case letters, digits, '.', '_' and '-', ending in .yaml")
    if name.endswith(".verification.yaml"):
        return DataFile(path, Kind.VERIFICATION)
    return DataFile(path, Kind.RUN)


def discover(root: Path, selected: list[str] | None = None) -> list[DataFile]:
    """Every file under the data roots, sorted, so that reports and builds are stable.

    `selected` are repository-relative files or folders; None means everything.
    Symbolic links are returned as UNEXPECTED: CI must never follow one out of the
    checkout (a link to /etc/passwd in a pull request, say).
    """
    found: list[DataFile] = []
    starts = selected if selected is not None else [r for r in DATA_ROOTS if (root / r).exists()]
    for start in sorted(set(starts)):
        absolute = root / start
        if absolute.is_symlink():
            found.append(DataFile(start, Kind.UNEXPECTED, "symbolic links are not allowed"))
        elif absolute.is_file():
            found.append(classify(start))
        elif absolute.is_dir():
            _walk(absolute, start, found)
    unique = {f.path: f for f in found}
    return [unique[p] for p in sorted(unique)]


def _walk(folder: Path, relative: str, found: list[DataFile]) -> None:
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            path = f"{relative}/{entry.name}"
            if entry.is_symlink():
                found.append(DataFile(path, Kind.UNEXPECTED, "symbolic links are not allowed"))
            elif entry.is_dir():
                _walk(Path(entry.path), path, found)
            elif entry.is_file():
                found.append(classify(path))
            else:  # a FIFO would block the reader forever
                found.append(DataFile(path, Kind.UNEXPECTED, "not a regular file"))
