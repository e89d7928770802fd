"""`reproboard import eee`: EEE record files -> files under seeds/ or results/, all or nothing.

Reads every record first and reports every bad one (file and field) before writing
anything; then writes the planned files in one transaction, records the import in
`seeds/imports.yaml` (imports into seeds/ only) and validates what it wrote, undoing it
all if validation finds an error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from builder.imports.eee import EeeError, EeeRecord, read_record
from builder.imports.eee_board import Origin, manifest_entry, plan, suite_of
from builder.imports.eee_samples import checkout_root, read_samples, samples_path, samples_problems
from builder.ingest.transaction import Transaction, UnsafePath
from builder.load.layout import DATA_ROOTS, IMPORTS_FILE
from builder.load.organisations import Organisations


class ImportFailed(Exception):
    """Nothing was written; `problems` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass(frozen=True)
class Imported:
    records: int
    runs: int
    models: int
    merged: int
    files: int
    notices: tuple[str, ...]


def record_files(paths: list[Path]) -> list[Path]:
    """The `.json` files among `paths`, folders walked in sorted order (EEE's per-sample `.jsonl` files are not records)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            for folder, dirs, files in os.walk(path):
                dirs.sort()
                found.extend(Path(folder) / name for name in sorted(files) if name.endswith(".json"))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def samples_check(record: EeeRecord) -> list[str]:
    """What the record's per-sample file, when the checkout has it, says is wrong with the record (or the file)."""
    root = checkout_root(record)
    if not record.samples_file or root is None:
        return []
    try:
        if not samples_path(record, root).exists():
            return []  # records are often copied without their samples; the run's notes name the file in EEE
        return samples_problems(record, read_samples(record, root))
    except EeeError as error:
        return [str(error)]


def read_all(files: list[Path]) -> list[EeeRecord]:
    """Every record, or ImportFailed listing every bad file: unreadable, borne out by its per-sample file (when
    there) or from a leaderboard without a mapping."""
    records, problems = [], []
    for file in files:
        try:
            record = read_record(file)
        except EeeError as error:
            problems.append(str(error))
            continue
        found = samples_check(record)
        try:
            suite_of(record)
        except EeeError as error:
            found.append(str(error))
        problems += found
        if not found:
            records.append(record)
    if problems:
        raise ImportFailed(problems)
    return records


def existing_models(root: Path) -> dict[str, tuple[str, str]]:
    """Folded model id -> (model id, folder) of every model record on the board (a record's folder is its id)."""
    found: dict[str, tuple[str, str]] = {}
    for data_root in DATA_ROOTS:
        base = root / data_root
        if not base.is_dir():
            continue
        for org in sorted(p for p in base.iterdir() if p.is_dir()):
            for model in sorted(p for p in org.iterdir() if p.is_dir()):
                if (model / "model.yaml").is_file():
                    model_id = f"{org.name}/{model.name}"
                    found.setdefault(model_id.casefold(), (model_id, f"{data_root}/{model_id}"))
    return found


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
"""libyaml's emitter when PyYAML has it: 9,000 files in 1 s instead of 9 (same output for this data)."""


def _written_by_hand(path: Path) -> bool:
    """A run file already there that no import wrote: an import replaces only its own runs."""
    if not path.is_file():
        return False
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return "imported_from" not in data["provenance"]["source"]
    except (OSError, UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError):
        return True


def _dump(data: Any) -> bytes:
    return yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False).encode("utf-8")


def _manifest(root: Path, entry: dict[str, Any]) -> bytes:
    """seeds/imports.yaml with `entry` replacing any earlier import of the same repository, paths and target."""
    path = root / IMPORTS_FILE
    data: dict[str, Any] = {"schema_version": 1, "imports": []}
    if path.is_file():
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, yaml.YAMLError) as error:
            raise ImportFailed([f"{IMPORTS_FILE}: cannot be read ({error}); fix or remove it first"]) from None
        if not (isinstance(loaded, dict) and isinstance(loaded.get("imports"), list)):
            raise ImportFailed([f"{IMPORTS_FILE}: has no 'imports' list; fix or remove it first"])
        data = loaded
    same = (entry["repository"], entry["paths"], entry["into"])
    data["imports"] = [e for e in data["imports"] if (e.get("repository"), e.get("paths"), e.get("into")) != same] + [entry]
    return _dump(data)


def import_eee(root: Path, paths: list[Path], origin: Origin, into: str, submitted_by: str, today: str,
               organisations: Organisations) -> Imported:
    """Import, validate, and keep the files only if they validate."""
    from builder.check.validate import validate

    records = read_all(record_files(paths))
    if not records:
        raise ImportFailed(["no EEE record (.json) among the paths given"])
    try:
        planned = plan(records, origin, into, submitted_by, today, organisations, existing_models(root))
    except EeeError as error:
        raise ImportFailed([str(error)]) from None
    clashes = [f"{relative}: exists and was not written by an import; nothing written" for relative in sorted(planned.files)
               if not relative.endswith("/model.yaml") and _written_by_hand(root / relative)]
    if clashes:
        raise ImportFailed(clashes)
    manifest = _manifest(root, manifest_entry(records, origin, into, planned, today)) if into == "seeds" else None
    transaction = Transaction(root)
    try:
        for relative, content in sorted(planned.files.items()):
            transaction.stage(root / relative, _dump(content))
        if manifest is not None:
            transaction.stage(root / IMPORTS_FILE, manifest)
        transaction.commit()
    except (UnsafePath, OSError) as error:
        transaction.rollback()
        raise ImportFailed([f"nothing written: {error}"]) from None
    folders = sorted({relative.rsplit("/", 1)[0] for relative in planned.files})
    report = validate(root, folders)
    if report.errors:
        transaction.rollback()
        raise ImportFailed(["nothing kept: the files made from the records do not validate", *(str(p) for p in report.errors)])
    return Imported(len(records), planned.runs, planned.models, planned.merged, len(planned.files), tuple(planned.notices))
