"""A file that passed its own checks, as the rules across files, the build and the spot-check read it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from builder.load.layout import DataFile
from builder.load.strict_yaml import Document, parse_bytes
from builder.problems import Problem, Severity, json_path


@dataclass(frozen=True)
class Parsed:
    """A file that passed its own checks, ready for rules across files and the build."""

    file: DataFile
    data: Any
    root: Path

    @cached_property
    def document(self) -> Document:
        # Only problems need lines; read the file again then (workers don't send them).
        return parse_bytes((self.root / self.file.path).read_bytes())

    def problem(self, path: tuple[Any, ...], message: str, severity: Severity = Severity.ERROR) -> Problem:
        return Problem(self.file.path, self.document.line_of(path), json_path(path), message, severity)

    def where(self, path: tuple[Any, ...]) -> str:
        return f"{self.file.path}:{self.document.line_of(path)}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
