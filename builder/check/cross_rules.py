"""Rules that need more than one file: records, pins, duplicates, hashes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from builder.imports.opencompass_evidence import opencompass_evidence_problems
from builder.lmeval.evidence import EvidenceError, evidence_bytes, evidence_problems
from builder.load.layout import DataFile, Kind
from builder.load.parsed import Parsed, sha256_of
from builder.problems import Problem


def cross_file_problems(root: Path, parsed: list[Parsed], all_files: list[DataFile], well_formed: list[Parsed] | None = None) -> Iterator[Problem]:
    """Problems between files. Files that failed their own checks are absent from
    `parsed`; rules that would need them stay silent rather than repeat their errors.
    `well_formed` (default: `parsed`) adds the files that fit their schema but broke their own
    rules: the rule of one score per setting needs nothing more and runs on them too, so that
    a duplicate shows in the same round as the file's other errors. The clean files come first
    there, so that a duplicate is reported on the file that already has errors."""
    well_formed = parsed if well_formed is None else well_formed
    models = {p.file.folder_model_id: p for p in parsed if p.file.kind is Kind.MODEL}
    record_files = {f.folder_model_id for f in all_files if f.kind is Kind.MODEL}
    yield from _model_identity(parsed)
    runs = [p for p in parsed if p.file.kind is Kind.RUN]
    existing = {f.path for f in all_files}
    for run in runs:
        record = models.get(run.file.folder_model_id)
        if record is not None or run.file.folder_model_id not in record_files:
            yield from _run_against_model(run, record)
        yield from _evidence(root, run, existing)
    clean = {p.file.path for p in parsed}
    yield from _duplicates(sorted((p for p in well_formed if p.file.kind is Kind.RUN), key=lambda p: p.file.path not in clean))
    yield from _orphan_evidence(runs, all_files, {p.file.path for p in parsed})
    run_by_path = {run.file.path: run for run in runs}
    for verification in (p for p in parsed if p.file.kind is Kind.VERIFICATION):
        yield from _verification(root, verification, run_by_path)


def _model_identity(parsed: list[Parsed]) -> Iterator[Problem]:
    """One record per model id, in seeds/ or results/ (runs in results/ may use a seed's
    record); ids and organisations differ in more than letter case."""
    by_id: dict[str, Parsed] = {}
    by_folded: dict[str, Parsed] = {}
    org_spelling: dict[str, tuple[str, Parsed]] = {}
    for record in (p for p in parsed if p.file.kind is Kind.MODEL):
        model_id = record.data["id"]
        if model_id in by_id:
            yield record.problem(("id",), f"'{model_id}' already has a model record in {by_id[model_id].file.path}; a model has one record")
            continue
        by_id[model_id] = record
        folded = model_id.casefold()
        if folded in by_folded:
            other = by_folded[folded]
            yield record.problem(("id",), f"'{model_id}' differs from '{other.data['id']}' ({other.file.path}) only in letter case")
            continue
        by_folded[folded] = record
        org = model_id.split("/")[0]
        spelling, first = org_spelling.setdefault(org.casefold(), (org, record))
        if spelling != org:
            yield record.problem(("id",), f"organisation '{org}' differs from '{spelling}' ({first.file.path}) only in letter case")


def _run_against_model(run: Parsed, record: Parsed | None) -> Iterator[Problem]:
    data = run.data
    if record is None:
        yield run.problem(("model",), f"no model.yaml for '{data['model']}' in seeds/ or results/; add one beside the run")
        return
    model = record.data
    if data["provenance"]["kind"] != "submitted":
        return
    backend = data["setting"]["backend"]
    if model["open_weights"]:
        if backend == "api":
            yield run.problem(("setting", "backend"), f"'{model['id']}' has open weights: evaluate it with hf or vllm, not api")
        if "revision" not in data:
            yield run.problem((), "'revision' is required: runs of open-weight models are pinned to a 40-hex hub commit")
        elif "revision" not in model:
            yield record.problem((), f"'revision' is required: {run.file.path} is a submitted run of this model")
        elif data["revision"] != model["revision"]:
            yield run.problem(("revision",), f"'{data['revision']}' is not the model's pinned revision '{model['revision']}' ({record.where(('revision',))})")
    else:
        if backend != "api":
            yield run.problem(("setting", "backend"), f"'{model['id']}' is served by an API only: its backend is api, not {backend}")
        if "revision" in data:
            yield run.problem(("revision",), "API models have no hub commit; remove 'revision'")


def _evidence(root: Path, run: Parsed, existing: set[str]) -> Iterator[Problem]:
    provenance = run.data["provenance"]
    if provenance["kind"] != "submitted":
        return
    evidence = provenance["evidence"]
    path = f"{run.file.folder}/{evidence['path']}"
    at = ("provenance", "evidence")
    if path not in existing:
        yield run.problem((*at, "path"), f"evidence file '{evidence['path']}' is missing from {run.file.folder}/")
        return
    try:
        raw = evidence_bytes(root / path)  # read once, size capped: hashed, then re-scored
    except EvidenceError as error:
        yield run.problem((*at, "path"), f"{evidence['path']} {error}")
        return
    if hashlib.sha256(raw).hexdigest() != evidence["sha256"]:
        yield run.problem((*at, "sha256"), f"does not match {evidence['path']}: the evidence changed after its hash was recorded")
    elif run.data["harness"]["name"] == "opencompass":  # its own evidence kind: re-scored from OpenCompass's details
        yield from opencompass_evidence_problems(raw, run)
    else:
        yield from evidence_problems(raw, run)


def _orphan_evidence(runs: list[Parsed], all_files: list[DataFile], parsed_paths: set[str]) -> Iterator[Problem]:
    referenced = {
        f"{run.file.folder}/{run.data['provenance']['evidence']['path']}"
        for run in runs
        if run.data["provenance"]["kind"] == "submitted"
    }
    # A run that failed its own checks may well name the evidence: say nothing there.
    unsure = {f.folder for f in all_files if f.kind is Kind.RUN and f.path not in parsed_paths}
    for file in all_files:
        if file.kind is Kind.EVIDENCE and file.path not in referenced and file.folder not in unsure:
            yield Problem(file.path, 0, "", "no run in this folder names this evidence file")


def _setting_key(run: Parsed, benchmark_id: str, score: dict[str, Any]) -> tuple[Any, ...]:
    data = run.data
    provenance = data["provenance"]
    # The protocol and the subtasks a partial score covers are part of the setting: a later run of every subtask is no duplicate.
    common = (data["model"].casefold(), benchmark_id, score["n_shot"], score.get("metric"), score.get("filter"), score.get("setting_note"),
              score.get("protocol"), tuple(score.get("aggregated_from") or ()))
    if provenance["kind"] == "reported":
        source = provenance["source"]
        return ("reported", *common, source["url"], source["locator"])
    setting = data["setting"]
    return (
        "submitted", *common, data.get("revision"), data["harness"].get("version"), setting["dtype"],
        setting["chat_template"]["applied"], setting["chat_template"].get("sha256"),
        setting["fewshot_as_multiturn"], setting.get("system_instruction"), setting.get("limit"),
        tuple(sorted((setting.get("gen_kwargs") or {}).items())),
    )


def _duplicates(runs: list[Parsed]) -> Iterator[Problem]:
    """The same model, benchmark and setting twice: once is evidence, twice is noise."""
    first_seen: dict[tuple[Any, ...], Parsed] = {}
    for run in runs:
        for benchmark_id, score in run.data["scores"].items():
            key = _setting_key(run, benchmark_id, score)
            first = first_seen.setdefault(key, run)
            if first is not run:
                how = "from the same source" if key[0] == "reported" else "with the same setting"
                yield run.problem(("scores", benchmark_id), f"'{benchmark_id}' for this model is already recorded {how} in {first.where(('scores', benchmark_id))}")


def _verification(root: Path, verification: Parsed, run_by_path: dict[str, Parsed]) -> Iterator[Problem]:
    data = verification.data
    run = run_by_path.get(f"{verification.file.folder}/{data['run']}")
    if run is None:
        yield verification.problem(("run",), f"no run '{data['run']}' in {verification.file.folder}/")
        return
    if run.data["provenance"]["kind"] != "submitted":
        yield verification.problem(("run",), f"'{data['run']}' is a reported run; only submitted runs are spot-checked")
        return
    if sha256_of(root / run.file.path) != data["run_sha256"]:
        yield verification.problem(("run_sha256",), f"{data['run']} changed after it was checked; spot-check it again or remove this file")
    if run.data["provenance"]["evidence"]["sha256"] != data["evidence_sha256"]:
        yield verification.problem(("evidence_sha256",), f"is not the evidence that {data['run']} names")
