"""`reproboard validate`: every problem of every file, in one pass.

discover -> per file (size cap, strict YAML, schema, own rules; in worker processes
when there are many files) -> rules across files -> sorted problems.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.check import file_rules, organisation_rules
from builder.check.cross_rules import cross_file_problems
from builder.check.schema_check import SchemaChecker, load_schema, show
from builder.load.layout import MAX_YAML_BYTES, ORGANISATIONS_FILE, REGISTRY_FILE, SIGNERS_FILE, DataFile, Kind, discover
from builder.load.organisations import EMPTY_ORGANISATIONS, Organisations, organisations_from_data
from builder.load.parsed import Parsed
from builder.load.registry import EMPTY_REGISTRY, Registry, registry_from_data
from builder.load.strict_yaml import YamlError, parse_bytes
from builder.problems import Problem, Severity, json_path
from builder.trust.signers import Signers, signers_findings, signers_from_data
from builder.trust.verdicts import signature_findings

PARALLEL_FROM = 300
"""Below this many files, starting worker processes costs more than it saves."""

_SCHEMA_FOR = {Kind.MODEL: "model", Kind.RUN: "run", Kind.VERIFICATION: "verification", Kind.REGISTRY: "benchmarks", Kind.SIGNERS: "signers",
               Kind.ORGANISATIONS: "organisations"}


@dataclass
class Report:
    problems: list[Problem]
    files_checked: int
    parsed: list[Parsed] = field(default_factory=list)
    """Files without errors of their own; the site is built from these."""
    registry: Registry = EMPTY_REGISTRY

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]


@dataclass(frozen=True)
class _Context:
    root: Path
    registry: Registry
    today: dt.date
    signers: Signers
    """The keys whose signatures on verification records are trusted."""
    organisations: Organisations = EMPTY_ORGANISATIONS
    """Who makes models, under which names and namespaces (seeds/organisations.yaml)."""


class _FileChecker:
    """Checks one file on its own; built once per process."""

    def __init__(self, context: _Context) -> None:
        self.context = context
        self.checkers = {kind: SchemaChecker(load_schema(name)) for kind, name in _SCHEMA_FOR.items()}

    def check(self, file: DataFile, source: Path | None = None) -> tuple[list[Problem], Parsed | None]:
        """(problems, the file if it has no errors of its own). `source`: where to read a file
        that is not in the repository (a trusted signers list)."""
        problems, parsed = self.check_keeping_data(file, source)
        return problems, None if parsed is None or any(p.severity is Severity.ERROR for p in problems) else parsed

    def check_keeping_data(self, file: DataFile, source: Path | None = None) -> tuple[list[Problem], Parsed | None]:
        """(problems, the file if it fits its schema, whatever its own rules found): rules
        across files that need only well-formed data (duplicates) run on it too, so that
        every problem shows in one round."""
        if file.kind is Kind.UNEXPECTED:
            return [Problem(file.path, 0, "", f"unexpected file: {file.why}")], None
        if file.kind in (Kind.DOC, Kind.EVIDENCE, Kind.IMPORTS):  # imports.yaml is a log the importer writes
            return [], None
        absolute = source or self.context.root / file.path
        try:
            size = absolute.stat().st_size
            if size > MAX_YAML_BYTES:
                return [Problem(file.path, 0, "", f"the file is {size:,} bytes; result files are at most {MAX_YAML_BYTES:,}")], None
            document = parse_bytes(absolute.read_bytes(), track_lines=False)
        except OSError as error:
            return [Problem(file.path, 0, "", f"cannot be read: {error.strerror}")], None
        except YamlError as error:
            return [Problem(file.path, error.line, "", error.message)], None
        if not isinstance(document.data, dict):
            return [Problem(file.path, 1, "$", "the file must be a mapping of fields (key: value lines)")], None
        found = self.checkers[file.kind].check(document)
        if found and file.kind is Kind.RUN:
            found = _with_benchmark_hints(document.data, found, self.context.registry)
        if found:
            return [Problem(file.path, document.line_of(path), json_path(path), message) for path, message in found], None
        findings = list(self._own_rules(file, document.data))
        problems = [Problem(file.path, document.line_of(path), json_path(path), message, severity) for path, message, severity in findings]
        return problems, Parsed(file, document.data, self.context.root)

    def _own_rules(self, file: DataFile, data: dict[str, Any]) -> Iterable[file_rules.Finding]:
        today = self.context.today
        organisations = self.context.organisations
        if file.kind is Kind.MODEL:
            return [*file_rules.model_findings(data, file.folder_model_id, today), *organisation_rules.model_findings(data, organisations)]
        if file.kind is Kind.RUN:
            contributed = organisation_rules.reported_run_findings(data, organisations) if file.path.startswith("results/") else ()
            return [*file_rules.run_findings(data, file.folder_model_id, self.context.registry, today), *contributed]
        if file.kind is Kind.ORGANISATIONS:
            return organisation_rules.registry_findings(data)
        if file.kind is Kind.VERIFICATION:
            return [*file_rules.verification_findings(data, today), *signature_findings(data, self.context.signers)]
        if file.kind is Kind.SIGNERS:
            return signers_findings(data)
        return file_rules.registry_findings(data)


def _with_benchmark_hints(data: dict[str, Any], found: list[tuple[Any, ...]], registry: Registry) -> list[tuple[Any, ...]]:
    """A score key the schema refuses as an id (`MMLU`), but that names a registered
    benchmark in other letters, becomes "unknown benchmark ... did you mean" at its key."""
    scores = data.get("scores")
    if not isinstance(scores, dict) or not registry.benchmarks:
        return found
    known = [b.id for b in registry.benchmarks]
    hinted: dict[str, tuple[tuple[Any, ...], str]] = {}
    for key in scores:
        hint = file_rules.did_you_mean(key, known) if isinstance(key, str) and key not in known else None
        if hint is not None:
            hinted[show(key)] = (("scores", key), f"unknown benchmark '{key}' (did you mean '{hint}'?)")
    if not hinted:
        return found
    out = []
    for path, message in found:
        shown_key = message.split(" ", 1)[0]
        out.append(hinted[shown_key] if path == ("scores",) and shown_key in hinted else (path, message))
    return out


_worker: _FileChecker | None = None


def _start_worker(context: _Context) -> None:
    global _worker
    _worker = _FileChecker(context)


def _check_in_worker(file: DataFile) -> tuple[list[Problem], Parsed | None]:
    assert _worker is not None
    return _worker.check_keeping_data(file)


def _load_registry(root: Path, today: dt.date) -> tuple[list[Problem], Parsed | None, Registry]:
    checker = _FileChecker(_Context(root, EMPTY_REGISTRY, today, Signers(SIGNERS_FILE)))
    registry_file = DataFile(REGISTRY_FILE, Kind.REGISTRY)
    if not (root / REGISTRY_FILE).is_file():
        return [Problem(REGISTRY_FILE, 0, "", "the benchmark registry is missing")], None, EMPTY_REGISTRY
    problems, parsed = checker.check(registry_file)
    registry = registry_from_data(parsed.data) if parsed else EMPTY_REGISTRY
    return problems, parsed, registry


def _load_organisations(root: Path, today: dt.date, own_file: DataFile | None) -> tuple[list[Problem], Parsed | None, Organisations]:
    """The organisation registry. Without one, no organisation is registered: a repository
    that lists none has nobody to impersonate (the tests' small repositories)."""
    if own_file is None:
        return [], None, EMPTY_ORGANISATIONS
    problems, parsed = _FileChecker(_Context(root, EMPTY_REGISTRY, today, Signers(SIGNERS_FILE))).check(own_file)
    return problems, parsed, organisations_from_data(parsed.data) if parsed else EMPTY_ORGANISATIONS


def _load_signers(root: Path, today: dt.date, own_file: DataFile | None, trusted: Path | None) -> tuple[list[Problem], list[Problem], Signers]:
    """(problems of the repository's own signers list, problems of the `trusted` list from
    elsewhere, the signers trusted). Without `trusted`, the repository's own list is trusted;
    without either, nobody is, and no verification validates."""
    checker = _FileChecker(_Context(root, EMPTY_REGISTRY, today, Signers(SIGNERS_FILE)))
    own_problems, own = checker.check(own_file) if own_file is not None else ([], None)
    if trusted is None:
        signers = signers_from_data(own.data, SIGNERS_FILE) if own else Signers(SIGNERS_FILE, broken=own_file is not None)
        return own_problems, [], signers
    shown = trusted.as_posix()
    trusted_problems, parsed = checker.check(DataFile(shown, Kind.SIGNERS), source=trusted)
    return own_problems, trusted_problems, signers_from_data(parsed.data, shown) if parsed else Signers(shown, broken=True)


class CheckedFiles:
    """Each file's own check, kept between validations in one process (`mkdocs serve` rebuilds on every save).

    A file is checked again when its size, modification time or inode changed, or when anything
    its check depends on did: the registry, the organisations, the signers, the day. The rules
    across files always run on everything.
    """

    def __init__(self) -> None:
        self._context: tuple[Any, ...] | None = None
        self._results: dict[tuple[Any, ...], tuple[list[Problem], Parsed | None]] = {}

    @staticmethod
    def _stat(path: Path) -> tuple[int, int, int] | None:
        try:
            found = path.stat()
        except OSError:
            return None
        return found.st_size, found.st_mtime_ns, found.st_ino

    def _key(self, root: Path, file: DataFile) -> tuple[Any, ...]:
        return (file.path, file.kind, file.why, self._stat(root / file.path))

    def check(self, context: _Context, context_files: list[Path], files: list[DataFile],
              check_all: Any) -> list[tuple[list[Problem], Parsed | None]]:
        """Results for `files` in order; `check_all(missing)` checks those not kept (a list in, a list out)."""
        context_key = (context.root, context.today, tuple(self._stat(p) for p in context_files))
        if context_key != self._context:
            self._context, self._results = context_key, {}
        keys = [self._key(context.root, f) for f in files]
        missing = [i for i, key in enumerate(keys) if key not in self._results]
        for i, result in zip(missing, check_all([files[i] for i in missing])):
            self._results[keys[i]] = result
        kept = set(keys)
        self._results = {k: v for k, v in self._results.items() if k in kept}  # forget deleted and changed files
        return [self._results[key] for key in keys]


def validate(root: Path, selected: list[str] | None = None, *, today: dt.date | None = None, jobs: int | None = None,
             signers: Path | None = None, kept: CheckedFiles | None = None) -> Report:
    """Check the repository at `root`; report problems of the `selected` files or folders
    (repository-relative; None for all). Other files are read for context only.

    `signers`: the allowed-signers list to trust, from outside the files under check (CI
    passes the base branch's copy); by default the repository's own `seeds/spotcheck-signers.yaml`.
    `kept`: each file's check from earlier calls, reused where the file is unchanged (`mkdocs serve`).
    """
    today = today or dt.date.today()
    registry_problems, registry_parsed, registry = _load_registry(root, today)
    discovered = discover(root)
    own_signers = next((f for f in discovered if f.path == SIGNERS_FILE and f.kind is Kind.SIGNERS), None)
    signers_problems, trusted_problems, trusted = _load_signers(root, today, own_signers, signers)
    own_organisations = next((f for f in discovered if f.path == ORGANISATIONS_FILE and f.kind is Kind.ORGANISATIONS), None)
    organisations_problems, organisations_parsed, organisations = _load_organisations(root, today, own_organisations)
    files = [f for f in discovered if f.kind not in (Kind.REGISTRY, Kind.SIGNERS, Kind.ORGANISATIONS)]
    context = _Context(root, registry, today, trusted, organisations)
    jobs = jobs or os.cpu_count() or 1

    def check_all(todo: list[DataFile]) -> list[tuple[list[Problem], Parsed | None]]:
        if jobs > 1 and len(todo) >= PARALLEL_FROM:
            with multiprocessing.get_context("fork").Pool(jobs, _start_worker, (context,)) as pool:
                return pool.map(_check_in_worker, todo, chunksize=max(16, len(todo) // (jobs * 8)))
        checker = _FileChecker(context)
        return [checker.check_keeping_data(f) for f in todo]

    if kept is None:
        results = check_all(files)
    else:
        context_files = [root / REGISTRY_FILE, root / ORGANISATIONS_FILE, root / SIGNERS_FILE, *([signers] if signers else [])]
        results = kept.check(context, context_files, files, check_all)
    problems = [*registry_problems, *signers_problems, *organisations_problems]
    parsed = [p for p in (registry_parsed, organisations_parsed) if p]
    well_formed: list[Parsed] = []
    for file_problems, file_parsed in results:
        problems.extend(file_problems)
        if file_parsed:
            well_formed.append(file_parsed)
            if not any(p.severity is Severity.ERROR for p in file_problems):
                parsed.append(file_parsed)
    problems.extend(cross_file_problems(root, parsed, files, well_formed))
    failed = {p.path for p in problems if p.severity is Severity.ERROR}
    clean = [p for p in parsed if p.file.path not in failed]
    if selected is not None:
        problems = [p for p in problems if any(_inside(p.path, s) for s in selected)]
    problems.extend(trusted_problems)  # whatever is selected: every signature depends on them
    problems.sort(key=lambda p: (p.path, p.line, p.json_path, p.message))
    own_files = [DataFile(REGISTRY_FILE, Kind.REGISTRY), *([own_signers] if own_signers else []),
                 *([own_organisations] if own_organisations else []), *files]
    return Report(problems, len(own_files) if selected is None else _count_selected(own_files, selected), clean, registry)


def _inside(path: str, selected: str) -> bool:
    selected = selected.rstrip("/")
    return selected in ("", ".") or path == selected or path.startswith(selected + "/")


def _count_selected(files: list[DataFile], selected: list[str]) -> int:
    return sum(1 for f in files if any(_inside(f.path, s) for s in selected))
