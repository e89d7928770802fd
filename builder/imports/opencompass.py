"""`reproboard import opencompass RUN_DIR`: an OpenCompass run folder -> runs under results/.

read (summary CSV, dumped config as data, per-sample details) -> convert per model column
(pure: scores, setting, notices, errors) -> evidence -> check against the schemas -> write
`results/<org>/<model>/<run-id>.yaml` (and its `.evidence.jsonl.gz`), all or nothing.

A model column becomes a **submitted** run when every score taken has OpenCompass's
per-sample details that re-score it exactly; `reproboard validate` re-scores it again from
the evidence. Otherwise it becomes a **reported** run from the CSV alone, which needs the
address where the summary is published (`--source-url`). OpenCompass's own prompts and
post-processing make its numbers a protocol of their own: they are never compared with an
lm-eval run of the same benchmark, and no spot-check re-runs them with lm-eval.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.imports.opencompass_config import (
    ConfigError,
    DumpedConfig,
    dataset_abbr,
    int_of,
    is_model_column,
    n_shot_of,
    prompt_version,
    read_config,
    text_of,
)
from builder.imports.opencompass_datasets import GROUP_METRICS, RESCORABLE_METRICS, DatasetMapping, mapping_for, subset_of
from builder.imports.opencompass_details import Details, DetailsError, accuracy_of, read_details
from builder.imports.opencompass_evidence import SCORE_TOLERANCE, build_evidence
from builder.imports.opencompass_summary import Summary, SummaryError, SummaryRow, read_summary
from builder.ingest.run_file import MODEL_ID, SHA1, _dump, _find_record
from builder.ingest.transaction import Transaction, UnsafePath
from builder.lmeval.evidence_read import EvidenceError
from builder.load.registry import Registry

CSV_ROUNDING = 0.005 + 1e-9
"""The summary prints two decimals: a results-file score and its CSV cell differ by at most this."""
_DTYPES = {"bfloat16": "bfloat16", "float16": "float16", "half": "float16", "float32": "float32", "float": "float32"}


class ImportError_(Exception):  # noqa: N801 - `ImportError` is Python's own
    """The import cannot go ahead: every problem, and the notices so far."""

    def __init__(self, problems: list[str], notices: list[str] | None = None) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.notices = notices or []


@dataclass(frozen=True)
class OpenCompassOptions:
    submitted_by: str
    models: dict[str, str] = field(default_factory=dict)
    """Model abbr -> hub id, for columns whose config records a local path."""
    revisions: dict[str, str] = field(default_factory=dict)
    """Model abbr -> 40-hex hub commit."""
    source_url: str | None = None
    publisher: str | None = None
    hardware: str | None = None
    today: dt.date | None = None

    @classmethod
    def from_flags(cls, submitted_by: str, models: tuple[str, ...], revisions: tuple[str, ...], source_url: str | None,
                   publisher: str | None, hardware: str | None) -> OpenCompassOptions:
        return cls(submitted_by, _pairs(models, "--model"), _pairs(revisions, "--revision"), source_url, publisher, hardware)


def _pairs(items: tuple[str, ...], flag: str) -> dict[str, str]:
    pairs = {}
    for item in items:
        abbr, sep, value = item.partition("=")
        if not sep or not abbr or not value:
            raise ImportError_([f"{flag} '{item}' is not ABBR=VALUE (the model's column name in the summary, '=', the value)"])
        pairs[abbr] = value
    return pairs


@dataclass
class RunFolder:
    """What OpenCompass left in outputs/default/<timestamp>/, read."""

    path: Path
    summary: Summary
    config: DumpedConfig | None
    notices: list[str]


def _latest(folder: Path, pattern: str) -> list[Path]:
    return sorted(p for p in folder.glob(pattern) if p.is_file() and not p.is_symlink()) if folder.is_dir() else []


def read_run_folder(run_dir: Path) -> RunFolder:
    """The newest summary CSV and dumped config of `run_dir`, or ImportError_."""
    notices: list[str] = []
    summaries = _latest(run_dir / "summary", "summary_*.csv")
    if not summaries:
        raise ImportError_([f"{run_dir}: no summary/summary_*.csv; is this an OpenCompass run folder (outputs/default/<timestamp>)?"])
    if len(summaries) > 1:
        notices.append(f"{len(summaries)} summaries in {run_dir / 'summary'}; importing the newest, {summaries[-1].name}")
    try:
        summary = read_summary(summaries[-1])
    except SummaryError as error:
        raise ImportError_([str(error)]) from None
    configs = _latest(run_dir / "configs", "*.py")
    config = None
    if configs:
        try:
            config = read_config(configs[-1])  # parsed as data: never imported or executed
        except ConfigError as error:
            raise ImportError_([str(error)]) from None
        for what in config.ignored:
            notices.append(f"{configs[-1].name} {what}: not a literal assignment, ignored (the config is read as data, never run)")
    else:
        notices.append(f"{run_dir}: no dumped config in configs/; model ids and settings must come from flags")
    return RunFolder(run_dir, summary, config, notices)


def version_problems(folder: RunFolder) -> list[str]:
    """Summary rows whose prompt version is not the hash of the dumped config's prompt for that dataset.

    The CSV's `version` is `get_prompt_hash(dataset)[:6]`; recomputed from the config, a
    mismatch means the summary and the config are not of the same run (or one was edited).
    """
    if folder.config is None:
        return []
    hashes = {dataset_abbr(d): prompt_version(d) for d in folder.config.datasets()}
    return [f"{folder.summary.path}:{row.line}: version {row.version} of '{row.dataset}' is not the hash of its prompt in "
            f"{folder.config.path.name} ({hashes[row.dataset]}): the summary and the config are not of one run"
            for row in folder.summary.rows
            if row.version and hashes.get(row.dataset) and hashes[row.dataset] != row.version]


# --- one model column ----------------------------------------------------------------


@dataclass
class Conversion:
    abbr: str
    model_id: str | None
    run: dict[str, Any] | None
    evidence: bytes | None
    run_id: str
    notices: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    scores: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Taken:
    """A summary row taken as a benchmark's score."""

    mapping: DatasetMapping
    row: SummaryRow
    value: float
    subsets: tuple[str, ...]
    """The datasets of a summary group (empty for a single dataset)."""


def _model_entry(config: DumpedConfig | None, abbr: str) -> dict[str, Any]:
    if config is None:
        return {}
    return next((m for m in config.models() if is_model_column(m, abbr)), {})


def _model_id(abbr: str, entry: dict[str, Any], options: OpenCompassOptions, errors: list[str]) -> str | None:
    if abbr in options.models:
        given = options.models[abbr]
        if not MODEL_ID.fullmatch(given):
            errors.append(f"--model {abbr}={given}: '{given}' is not a hub id of the form org/name")
            return None
        return given
    path = text_of(entry.get("path"))
    if path and MODEL_ID.fullmatch(path):
        return path
    errors.append(f"cannot tell the hub id of model column '{abbr}' (config path: {path or 'none'}); pass --model {abbr}=org/name")
    return None


def _groups(config: DumpedConfig | None) -> dict[str, tuple[str, ...]]:
    """Summary groups the dumped config lists literally: name -> subset abbrs."""
    summarizer = config.values.get("summarizer") if config else None
    groups = summarizer.get("summary_groups") if isinstance(summarizer, dict) else None
    found = {}
    for group in groups if isinstance(groups, list) else []:
        if isinstance(group, dict) and isinstance(group.get("name"), str) and isinstance(group.get("subsets"), list) \
                and all(isinstance(s, str) for s in group["subsets"]):
            found[group["name"]] = tuple(group["subsets"])
    return found


def take_scores(summary: Summary, abbr: str, config: DumpedConfig | None, registry: Registry, notices: list[str]) -> list[Taken]:
    """The summary's rows for one model that are a benchmark's score; the rest are named in notices."""
    groups = _groups(config)
    taken: dict[str, Taken] = {}
    unmapped: list[str] = []
    subsets_only: set[str] = set()
    for row in summary.rows:
        mapping = mapping_for(row.dataset)
        if mapping is not None and registry.benchmark(mapping.benchmark) is None:
            unmapped.append(row.dataset)  # a benchmark this board's registry does not have
            continue
        if mapping is None:
            group = subset_of(row.dataset)
            if group:
                subsets_only.add(group.abbr)
            else:
                unmapped.append(row.dataset)
            continue
        value = row.scores[abbr]
        if value is None or row.metric not in mapping.metrics:
            continue  # a missing score stays missing; another metric of the dataset is not the benchmark's
        if mapping.benchmark in taken and mapping.metrics.index(row.metric) >= mapping.metrics.index(taken[mapping.benchmark].row.metric):
            continue
        subsets: tuple[str, ...] = ()
        if row.metric in GROUP_METRICS:
            subsets = groups.get(row.dataset) or tuple(
                r.dataset for r in summary.rows if mapping.subset_prefix and r.dataset.startswith(mapping.subset_prefix) and r.version)
        taken[mapping.benchmark] = Taken(mapping, row, value, subsets)
    if unmapped:
        shown = ", ".join(sorted(set(unmapped))[:12]) + (" ..." if len(set(unmapped)) > 12 else "")
        notices.append(f"{abbr}: left out, not mapped to a benchmark: {shown} (builder/imports/opencompass_datasets.py lists the mapped ones)")
    for group in sorted(subsets_only - {t.mapping.abbr for t in taken.values()}):
        notices.append(f"{abbr}: subsets of '{group}' left out: the summary has no '{group}' score for this model, and a part "
                       "of a benchmark is not the benchmark")
    return sorted(taken.values(), key=lambda t: t.mapping.benchmark)


def _details_for(run_dir: Path, abbr: str, datasets: tuple[str, ...], errors: list[str]) -> dict[str, Details] | None:
    """Every dataset's details, or None (with the reason in `errors`) when one is missing or unusable."""
    found = {}
    for dataset in datasets:
        path = run_dir / "results" / abbr / f"{dataset}.json"
        if not path.is_file() or path.is_symlink():
            errors.append(f"no per-sample details at {path}")
            return None
        try:
            found[dataset] = read_details(path, dataset)
        except DetailsError as error:
            errors.append(str(error))
            return None
    return found


def _rescored(taken: Taken, details: dict[str, Details], errors: list[str]) -> tuple[float, int] | None:
    """The score as the details give it (and its sample count), checked against the results files and the CSV."""
    parts = []
    for dataset, d in details.items():
        claimed = d.metrics.get("accuracy")
        value = accuracy_of(d.samples)
        if claimed is None or abs(value - claimed) > SCORE_TOLERANCE:
            errors.append(f"{d.path}: the details re-score to {value:.6g}, but the file says accuracy {claimed}")
            return None
        parts.append((claimed, len(d.samples), dataset))
    if taken.subsets:
        weighted = GROUP_METRICS[taken.row.metric] == "size"
        total = sum(n for _, n, _ in parts)
        value = sum(v * n for v, n, _ in parts) / total if weighted else sum(v for v, _, _ in parts) / len(parts)
    else:
        value, total = parts[0][0], parts[0][1]
    if abs(value - taken.value) > CSV_ROUNDING:
        errors.append(f"{taken.row.dataset}: the details give {value:.6g}, but the summary (line {taken.row.line}) says {taken.value:g}")
        return None
    return value, total


def _revision(entry: dict[str, Any], abbr: str, options: OpenCompassOptions, errors: list[str]) -> str | None:
    """The 40-hex hub commit: from --revision, else a literal `model_kwargs.revision` in the config."""
    kwargs = entry.get("model_kwargs")
    revision = options.revisions.get(abbr) or (text_of(kwargs.get("revision")) if isinstance(kwargs, dict) else None)
    if revision is None or not SHA1.fullmatch(revision):
        errors.append(f"model '{abbr}' has per-sample details, so it is submitted, and needs the 40-hex hub commit it "
                      f"evaluated{f' (not {revision!r})' if revision else ''}: pass --revision {abbr}=<sha>")
        return None
    return revision


def _setting(entry: dict[str, Any], options: OpenCompassOptions, errors: list[str], abbr: str) -> dict[str, Any]:
    kind = (text_of(entry.get("type")) or "").rsplit(".", 1)[-1]
    backend = "vllm" if "VLLM" in kind.upper() else "hf" if kind.startswith("HuggingFace") else \
        "api" if ("API" in kind.upper() or kind.startswith("OpenAI")) else None
    if backend is None:
        errors.append(f"model '{abbr}': OpenCompass model type '{kind or 'unknown'}' is not a transformers, vLLM or API model")
    kwargs = entry.get("model_kwargs") if isinstance(entry.get("model_kwargs"), dict) else {}
    dtype_text = (text_of(kwargs.get("torch_dtype")) or "").removeprefix("torch.")
    batch = int_of(entry.get("batch_size"))
    if batch is None:
        errors.append(f"model '{abbr}': the dumped config gives no literal batch_size")
    setting: dict[str, Any] = {"backend": backend or "hf", "dtype": _DTYPES.get(dtype_text, "unknown"), "batch_size": str(batch or 1),
                               "chat_template": {"applied": "ChatTemplate" in kind}, "fewshot_as_multiturn": False}
    if options.hardware:
        setting["hardware"] = options.hardware
    return setting


def _score(taken: Taken, config: DumpedConfig | None, registry: Registry, value: float, samples: int | None) -> dict[str, Any]:
    row = taken.row
    dataset_cfg = next((d for d in config.datasets() if dataset_abbr(d) == row.dataset), None) if config else None
    subsets = [d for d in config.datasets() if dataset_abbr(d) in taken.subsets] if (config and taken.subsets) else []
    shots = {n_shot_of(d) for d in subsets}
    # A group's n-shot is known only when the config has every subset and they agree.
    n_shot = n_shot_of(dataset_cfg) if dataset_cfg else (shots.pop() if len(shots) == 1 and len(subsets) == len(taken.subsets) else None)
    version = f", prompt version {row.version}" if row.version else ""
    score: dict[str, Any] = {"value": round(value, 6), "n_shot": n_shot, "metric": row.metric, "task": row.dataset,
                             "setting_note": f"OpenCompass {row.dataset}, {row.mode} mode{version}"}
    if row.version:
        score["task_version"] = row.version
    if _has_protocol(registry, taken.mapping.protocol):
        score["protocol"] = taken.mapping.protocol
    if samples is not None:
        score["n_samples"] = {"original": samples, "effective": samples}
    if taken.subsets:
        score["aggregated_from"] = list(taken.subsets)
    return score


def _has_protocol(registry: Registry, protocol_id: str) -> bool:
    """Whether the registry lists the OpenCompass protocol; until it does, the setting note keeps the number apart."""
    return registry.protocol(protocol_id) is not None


def convert_model(folder: RunFolder, abbr: str, options: OpenCompassOptions, registry: Registry, today: dt.date) -> Conversion:
    """One model column -> one run (submitted with evidence when the details bear every score out)."""
    summary, config = folder.summary, folder.config
    digest = hashlib.sha256(summary.path.read_bytes() + abbr.encode()).hexdigest()[:8]
    conversion = Conversion(abbr, None, None, None, f"{today.isoformat()}-opencompass-{digest}")
    entry = _model_entry(config, abbr)
    conversion.model_id = _model_id(abbr, entry, options, conversion.errors)
    taken = take_scores(summary, abbr, config, registry, conversion.notices)
    if not taken:
        conversion.errors.append(f"model '{abbr}': no score in the summary measures a benchmark of the registry")
        return conversion
    why_reported: list[str] = []
    scores: dict[str, Any] = {}
    all_details: dict[str, tuple[Details, str | None, str]] = {}
    for item in taken:
        details = None
        leaf_metric = "accuracy" if item.subsets else item.row.metric
        if leaf_metric not in RESCORABLE_METRICS:
            why_reported.append(f"{item.row.dataset}: {item.row.metric} is not the mean of per-sample correctness")
        elif not why_reported:
            details = _details_for(folder.path, abbr, item.subsets or (item.row.dataset,), why_reported)
        rescored = _rescored(item, details, conversion.errors) if details else None
        scores[item.mapping.benchmark] = (item, rescored)
        if details and rescored:
            versions = {r.dataset: r.version for r in summary.rows}
            all_details.update({name: (d, versions.get(name), "accuracy") for name, d in details.items()})
    submitted = not why_reported
    if why_reported:
        conversion.notices.append(f"{abbr}: imported as reported, from the summary alone: {why_reported[0]}")
    conversion.scores = {b: _score(item, config, registry, rescored[0] if (submitted and rescored) else item.value,
                                    rescored[1] if (submitted and rescored) else None)
                         for b, (item, rescored) in scores.items()}
    run: dict[str, Any] = {"schema_version": 1, "model": conversion.model_id}
    stamp = folder.path.name
    notes = (f"Imported with `reproboard import opencompass` from the OpenCompass run folder {stamp} "
             f"({summary.path.name}, model column '{abbr}'). OpenCompass does not record its own version. "
             "OpenCompass runs are not spot-checked by re-running lm-eval: ")
    run["harness"] = {"name": "opencompass"}
    if submitted:
        revision = _revision(entry, abbr, options, conversion.errors)
        if revision:
            run["revision"] = revision
        try:
            conversion.evidence = build_evidence(all_details)
        except EvidenceError as error:
            conversion.errors.append(f"model '{abbr}': the evidence {error}")
            return conversion
        evidence = {"path": f"{conversion.run_id}.evidence.jsonl.gz", "sha256": hashlib.sha256(conversion.evidence).hexdigest()}
        run["provenance"] = {"kind": "submitted", "evidence": evidence}
        run["setting"] = _setting(entry, options, conversion.errors, abbr)
        run["command"] = f"opencompass {stamp}/configs/{config.path.name if config else '<config>.py'}"
        notes += "reproboard validate re-scores every score from the per-sample details in the evidence."
    elif not options.source_url:
        conversion.errors.append(f"model '{abbr}' has no usable per-sample details, so its scores are reported: pass --source-url "
                                 "with the address where the summary is published")
        return conversion
    else:
        run["provenance"] = {"kind": "reported", "source": {
            "title": f"OpenCompass summary {summary.path.name}", "url": options.source_url,
            "locator": f"column '{abbr}'", "publisher": options.publisher or options.submitted_by}}
        notes += "these numbers come from the summary alone."
    run["submitted_by"] = options.submitted_by
    run["submitted_on"] = today.isoformat()
    run["notes"] = notes
    run["scores"] = conversion.scores
    conversion.run = run
    return conversion


# --- the whole import ----------------------------------------------------------------


@dataclass
class Written:
    paths: list[Path]
    notices: list[str]


def import_run(root: Path, run_dir: Path, options: OpenCompassOptions) -> list[Written]:
    """Convert every model column of `run_dir`, check each, then write them all (or nothing)."""
    from builder.check.schema_check import SchemaChecker, load_schema
    from builder.check.validate import validate
    from builder.load.strict_yaml import parse_bytes

    today = options.today or dt.date.today()
    report = validate(root, ["seeds/benchmarks.yaml"])
    if report.errors:
        raise ImportError_([str(p) for p in report.errors] + ["the benchmark registry has errors; fix them first"])
    folder = read_run_folder(run_dir)
    notices = list(folder.notices)
    version_errors = version_problems(folder)
    unknown = sorted((set(options.models) | set(options.revisions)) - set(folder.summary.models))
    problems = version_errors + [f"--model/--revision name '{name}', which is not a model column of {folder.summary.path.name} "
                                 f"({', '.join(folder.summary.models)})" for name in unknown]
    checker = SchemaChecker(load_schema("run"))
    conversions = []
    for abbr in folder.summary.models:
        conversion = convert_model(folder, abbr, options, report.registry, today)
        notices += conversion.notices
        problems += conversion.errors
        if conversion.model_id and _find_record(root, conversion.model_id) is None:
            problems.append(f"there is no model record for {conversion.model_id}: add results/{conversion.model_id}/model.yaml "
                            "first (CONTRIBUTING.md says how)")
        if not conversion.errors and conversion.run is not None:
            for _, message in checker.check(parse_bytes(_dump(conversion.run))):
                problems.append(f"{abbr}: the run would not validate: {message}")
        conversions.append(conversion)
    if problems:
        raise ImportError_(problems, notices)
    transaction = Transaction(root)
    written = []
    try:
        for conversion in conversions:
            record = _find_record(root, conversion.model_id)  # type: ignore[arg-type]
            target = _results_folder(root, record)  # type: ignore[arg-type]  # every model has a record: checked above
            paths = []
            if conversion.evidence is not None:
                evidence_path = target / f"{conversion.run_id}.evidence.jsonl.gz"
                transaction.stage(evidence_path, conversion.evidence)
                paths.append(evidence_path)
            run_path = target / f"{conversion.run_id}.yaml"
            transaction.stage(run_path, _dump(conversion.run))  # type: ignore[arg-type]
            paths.insert(0, run_path)
            written.append(Written(paths, []))
        transaction.commit()
    except UnsafePath as error:
        transaction.rollback()
        raise ImportError_([str(error)], notices) from None
    except OSError as error:
        transaction.rollback()
        raise ImportError_([f"could not write {error.filename or 'the files'}: {error.strerror}; nothing was written"], notices) from None
    refused = _validation_errors(root, written)
    if refused:
        transaction.rollback()
        raise ImportError_([*refused, "the written files do not validate, so none were kept"], notices)
    if written:
        written[0].notices.extend(notices)
    return written


def _results_folder(root: Path, record: Path) -> Path:
    """The results/ folder of a model whose record may live in seeds/ (same org/name spelling)."""
    org, name = record.parent.parent.name, record.parent.name
    return root / "results" / org / name


def _validation_errors(root: Path, written: list[Written]) -> list[str]:
    from builder.check.validate import validate

    ours = {p.relative_to(root).as_posix() for w in written for p in w.paths}
    folders = sorted({w.paths[0].parent.relative_to(root).as_posix() for w in written})
    report = validate(root, folders)
    return [str(p) for p in report.errors if p.path in ours]

