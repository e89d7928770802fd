"""`reproboard ingest`: lm-eval output -> a run file and its evidence, ready for a pull request.

read (lm_eval_output) -> convert (pure: scores, setting, notices, errors) -> evidence
-> check against the run schema -> write `results/<org>/<model>/<run-id>.yaml`, its
`.evidence.jsonl.gz` and, when there is none yet, the model's `model.yaml`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from builder.ingest.mapping import map_rows
from builder.ingest.options import IngestOptions, ModelInfo
from builder.ingest.setting import BACKENDS, command_from, setting_from
from builder.ingest.transaction import Transaction, UnsafePath
from builder.lmeval.evidence import TaskEvidence, build_evidence, task_evidence
from builder.lmeval.output import LmEvalFormatError, LmEvalOutput, find_samples, iter_samples, read_results
from builder.load.registry import Registry
from builder.problems import counted

MODEL_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,95}/[A-Za-z0-9_][A-Za-z0-9._-]{0,95}")
SHA1 = re.compile(r"[0-9a-f]{40}")
MODEL_FLAGS = ("name", "organisation", "model_type", "license", "release_date")


class IngestError(Exception):
    """Ingest cannot produce a run; `problems` lists every reason."""

    def __init__(self, problems: list[str], notices: list[str] | None = None) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
        self.notices = notices or []
        """What ingest left out and why: a failure often makes sense only with these."""


@dataclass
class Conversion:
    """One results file, converted; nothing written yet."""

    run: dict[str, Any]
    run_id: str
    model_id: str | None
    evidence: bytes | None
    model_record: dict[str, Any] | None
    """A new model.yaml to write, or None when one exists."""
    record_path: Path | None
    """The existing model record, when there is one."""
    notices: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    documents: int = 0


# --- model ---------------------------------------------------------------------------


def _find_record(root: Path, model_id: str) -> Path | None:
    org, name = model_id.split("/")
    for top in ("results", "seeds"):
        base = root / top
        if not base.is_dir():
            continue
        for org_dir in sorted(base.iterdir()):
            if org_dir.is_dir() and org_dir.name.casefold() == org.casefold():
                for model_dir in sorted(org_dir.iterdir()):
                    if model_dir.name.casefold() == name.casefold() and (model_dir / "model.yaml").is_file():
                        return model_dir / "model.yaml"
    return None


def _model_id(output: LmEvalOutput, options: IngestOptions, errors: list[str]) -> str | None:
    if options.model_id:
        if not MODEL_ID.fullmatch(options.model_id):
            errors.append(f"--model '{options.model_id}' is not a hub id of the form org/name")
            return None
        return options.model_id
    for candidate in (output.model_name, output.model_args.get("pretrained"), output.model_args.get("model")):
        if isinstance(candidate, str) and MODEL_ID.fullmatch(candidate):
            return candidate
    shown = output.model_name or output.model_args.get("pretrained") or output.model_args.get("model") or "nothing"
    errors.append(f"cannot tell the model's hub id from what lm-eval recorded ({shown!s}); pass --model org/name")
    return None


def _revision(output: LmEvalOutput, options: IngestOptions, errors: list[str]) -> str | None:
    recorded = [v for v in (output.model_args.get("revision"), output.model_sha) if isinstance(v, str) and SHA1.fullmatch(v)]
    if options.revision:
        if not SHA1.fullmatch(options.revision):
            errors.append(f"--revision '{options.revision}' is not a 40-hex commit: branches and tags can move after review")
            return None
        if recorded and recorded[0] != options.revision:
            errors.append(f"--revision {options.revision} is not the commit lm-eval recorded ({recorded[0]})")
        return options.revision
    if recorded:
        return recorded[0]
    said = output.model_args.get("revision") or "nothing"
    errors.append(f"the run does not record the 40-hex hub commit it evaluated (revision: {said}); pass --revision <commit>")
    return None


def _new_model_record(model_id: str, info: ModelInfo, open_weights: bool, revision: str | None, errors: list[str]) -> dict[str, Any]:
    missing = [f"--{flag.replace('_', '-')}" for flag in MODEL_FLAGS if flag != "name" and getattr(info, flag) is None]
    if open_weights:
        missing += [flag for flag, value in (("--parameters", info.parameters_billions), ("--architecture", info.architecture)) if value is None]
    if missing:
        errors.append(f"there is no model record for {model_id} and lm-eval does not record what it needs: pass {', '.join(missing)}")
    record: dict[str, Any] = {"schema_version": 1, "id": model_id, "name": info.name or model_id.split("/")[1],
                              "organisation": info.organisation, "model_type": info.model_type, "open_weights": open_weights,
                              "license": info.license, "release_date": info.release_date}
    if open_weights:
        record["revision"] = revision
        record["parameters"] = {"total_billions": info.parameters_billions}
        record["architecture"] = info.architecture
    return record


# --- the whole conversion ------------------------------------------------------------


def convert(root: Path, output: LmEvalOutput, samples_files: dict[str, Path], registry: Registry, options: IngestOptions) -> Conversion:
    """Turn one results file (and its samples) into a run; collects every notice and error."""
    errors: list[str] = []
    notices: list[str] = []
    backend = BACKENDS.get(output.backend)
    if backend is None:
        errors.append(f"lm-eval backend '{output.backend}' is not supported: use hf, vllm, or an API backend")
        backend = "hf"
    samples: dict[str, TaskEvidence] = {}
    unreadable: dict[str, str] = {}  # reported only if the task's samples are needed
    for task, path in sorted(samples_files.items()):
        try:
            samples[task] = task_evidence(output, task, iter_samples(path))
        except LmEvalFormatError as error:
            unreadable[task] = str(error)
    has_samples = set(samples) | set(unreadable)  # unreadable samples are reported below, when needed
    mapped = map_rows(output, registry, has_samples, samples, notices)
    scores, groups = mapped.scores, mapped.groups
    for score in scores.values():
        if "n_samples" not in score:
            errors.append(f"{score['task']}: lm-eval did not record how many documents the task has (n-samples), and the run was "
                          f"partial (limit={output.limit:g}); re-run with lm-eval 0.4.3 or later")
    if not scores and not mapped.others:
        errors.append("no score to ingest: no task in the file has its samples, so there is nothing to back a number "
                      "(see the notices)")
    model_id = _model_id(output, options, errors)
    record_path = _find_record(root, model_id) if model_id else None
    existing: dict[str, Any] | None = None
    if record_path is not None:
        from builder.load.strict_yaml import YamlError, parse_bytes

        try:
            existing = parse_bytes(record_path.read_bytes()).data
        except YamlError as error:
            errors.append(f"{record_path.relative_to(root)}: {error.message}")
        if existing and existing.get("id") != model_id:
            notices.append(f"model id '{model_id}' written as '{existing['id']}', as its record spells it")
            model_id = existing["id"]
    open_weights = existing.get("open_weights", True) if existing else (
        options.model.open_weights if options.model.open_weights is not None else backend != "api")
    revision = _revision(output, options, errors) if open_weights else None
    if existing and revision and existing.get("revision") not in (None, revision):
        errors.append(f"{record_path.relative_to(root)} pins revision {existing['revision']}, but this run evaluated {revision}")  # type: ignore[union-attr]
    model_record = None if existing is not None or not model_id else _new_model_record(model_id, options.model, open_weights, revision, errors)
    if not options.submitted_by:
        errors.append("pass --submitted-by with your GitHub user name")
    needed = mapped.leaves
    errors.extend(unreadable[task] for task in needed if task in unreadable)
    for task in needed:
        if task in samples:
            docs = len(samples[task].doc_ids)
            if output.rows[task].n_effective not in (None, docs):
                errors.append(f"samples of {task} hold {counted(docs, 'document')}, but the results say {output.rows[task].n_effective}")
    evidence = None
    if not errors:
        try:
            evidence = build_evidence([samples[t] for t in needed], groups)
        except LmEvalFormatError as error:
            errors.append(str(error))
    today = options.today or dt.date.today()
    setting = setting_from(output, backend, options, errors)
    if setting.get("limit") is not None:
        notices.append(f"partial run: lm-eval ran with limit={setting['limit']:g}; the board marks it as partial")
    run_date = dt.datetime.fromtimestamp(output.date, dt.timezone.utc).date() if output.date else today
    digest = hashlib.sha256(output.path.read_bytes()).hexdigest()[:8]
    run_id = options.run_id or f"{run_date.isoformat()}-lm-eval-{digest}"
    harness: dict[str, Any] = {"name": "lm-eval"}
    if output.lm_eval_version:
        harness["version"] = output.lm_eval_version
    if output.git_hash and re.fullmatch(r"[0-9a-f]{7,40}", output.git_hash):
        harness["commit"] = output.git_hash
    run: dict[str, Any] = {"schema_version": 1, "model": model_id or "unknown/unknown"}
    if revision:
        run["revision"] = revision
    run["provenance"] = {"kind": "submitted", "evidence": {
        "path": f"{run_id}.evidence.jsonl.gz", "sha256": hashlib.sha256(evidence).hexdigest() if evidence else "0" * 64}}
    run["harness"] = harness
    run["setting"] = setting
    tasks = [*(s["task"] for s in scores.values()), *mapped.others]
    run["command"] = options.command or command_from(output, model_id or "?", revision, tasks, setting)
    run["submitted_by"] = options.submitted_by or "unknown"
    run["submitted_on"] = today.isoformat()
    if not options.command:
        run["notes"] = "The command was reconstructed by reproboard ingest from what lm-eval recorded."
    run["scores"] = scores
    if mapped.others:
        run["other_results"] = mapped.others
    documents = sum(len(samples[t].doc_ids) for t in needed if t in samples)
    return Conversion(run, run_id, model_id, evidence, model_record, record_path, notices, errors, documents)


def _dump(data: dict[str, Any]) -> bytes:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False).encode("utf-8")


def results_files(paths: list[Path]) -> list[Path]:
    """Results JSONs named by `paths` (files, or folders searched for `results*.json`)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.json") if p.name.startswith("results")))
        else:
            found.append(path)
    return found


def samples_for(results_path: Path, output: LmEvalOutput, extra: list[Path]) -> dict[str, Path]:
    """Samples files beside the results file, plus samples files named on the command line."""
    from builder.lmeval.output import samples_task_name

    known = list(output.rows)
    found = find_samples(results_path, known)
    for path in extra:
        task = samples_task_name(path, known)
        if task is not None:
            found[task] = path
    return found


@dataclass
class Written:
    run: Path
    evidence: Path
    model_record: Path | None
    documents: int
    notices: list[str]


def ingest(root: Path, paths: list[Path], registry: Registry, options: IngestOptions) -> list[Written]:
    """Convert every results file in `paths`, check each, then write them all (or nothing)."""
    from builder.check.schema_check import SchemaChecker, load_schema
    from builder.load.strict_yaml import parse_bytes

    jsons = [p for p in results_files(paths) if p.suffix == ".json" and not p.name.startswith("samples")]
    extra_samples = [p for p in paths if p.is_file() and p not in jsons]
    if not jsons:
        raise IngestError(["no lm-eval results file (results*.json) among the paths given"])
    checker = SchemaChecker(load_schema("run"))
    model_checker = SchemaChecker(load_schema("model"))
    conversions, problems = [], []
    for path in jsons:
        try:
            output = read_results(path)
        except LmEvalFormatError as error:
            problems.append(f"{path}: {error}")
            continue
        conversion = convert(root, output, samples_for(path, output, extra_samples), registry, options)
        problems += [f"{path}: {e}" for e in conversion.errors]
        if not conversion.errors:
            for _, message in checker.check(parse_bytes(_dump(conversion.run))):
                problems.append(f"{path}: the run would not validate: {message}")
            if conversion.model_record:
                for _, message in model_checker.check(parse_bytes(_dump(conversion.model_record))):
                    problems.append(f"{path}: the model record would not validate: {message}")
        conversions.append(conversion)
    notices = [notice for conversion in conversions for notice in conversion.notices]
    if problems:
        raise IngestError(problems, notices)
    transaction = Transaction(root)
    try:
        written = _stage(root, conversions, transaction)
        transaction.commit()
    except UnsafePath as error:
        transaction.rollback()
        raise IngestError([str(error)], notices) from None
    except OSError as error:
        transaction.rollback()
        raise IngestError([f"could not write {error.filename or 'the files'}: {error.strerror}; nothing was written"], notices) from None
    refused = _validation_errors(root, written)
    if refused:
        transaction.rollback()
        raise IngestError([*refused, "the written files do not validate, so none were kept"], notices)
    return written


def _stage(root: Path, conversions: list[Conversion], transaction: Transaction) -> list[Written]:
    """Stage every file of every conversion: the model record first, then evidence, then the run."""
    written = []
    for conversion in conversions:
        folder = root / "results" / conversion.model_id  # type: ignore[operator]
        run_path = folder / f"{conversion.run_id}.yaml"
        evidence_path = folder / conversion.run["provenance"]["evidence"]["path"]
        record_path = None
        if conversion.model_record is not None:
            record_path = folder / "model.yaml"
            transaction.stage(record_path, _dump(conversion.model_record))
        elif conversion.record_path is not None and "revision" in conversion.run:
            text = conversion.record_path.read_text(encoding="utf-8")
            if not re.search(r"^revision:", text, re.MULTILINE):
                transaction.stage(conversion.record_path, (text.rstrip("\n") + f"\nrevision: {conversion.run['revision']}\n").encode("utf-8"))
                conversion.notices.append(f"added revision {conversion.run['revision']} to {conversion.record_path.relative_to(root)}")
                record_path = conversion.record_path
        transaction.stage(evidence_path, conversion.evidence)  # type: ignore[arg-type]
        transaction.stage(run_path, _dump(conversion.run))
        written.append(Written(run_path, evidence_path, record_path, conversion.documents, conversion.notices))
    return written


def _validation_errors(root: Path, written: list[Written]) -> list[str]:
    """Errors `reproboard validate` finds in the files just written (other files' problems are not ingest's)."""
    from builder.check.validate import validate

    ours = {p.relative_to(root).as_posix() for w in written for p in (w.run, w.evidence, w.model_record) if p is not None}
    folders = sorted({w.run.parent.relative_to(root).as_posix() for w in written})
    report = validate(root, folders)
    return [str(p) for p in report.errors if p.path in ours]
