"""EEE records -> the board's model records and reported runs, and the manifest of the import.

One EEE leaderboard is one source table on the board: every run made from it cites the
same url (the leaderboard's folder in EEE at the imported commit) and locator, so the
ranking compares its numbers with each other (builder/board/aggregate.py, rule 5).

Merge rule: EEE keeps one record per retrieval. Records of one model (hub ids compared
without letter case), one precision and the same numbers (to the 4 decimals EEE's newer
records keep) are one evaluation retrieved more than once: one run, whose
`imported_from.records` lists every record, with the numbers of the earliest retrieval.
Records whose numbers differ are different evaluations and become different runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from builder.check.organisation_rules import claimed_organisation
from builder.imports.eee import EeeError, EeeRecord
from builder.load.organisations import Organisations


@dataclass(frozen=True)
class Measure:
    """How one EEE evaluation maps onto the board."""

    benchmark: str
    """The registry's benchmark id, the run's score key."""
    protocol: str | None
    """The registry protocol (seeds/benchmarks.yaml) the number is measured under; None when the number is
    not that protocol's metric (then `note` says what it is)."""
    task: str
    """The lm-eval task or group the leaderboard ran."""
    n_shot: int
    metric: str | None
    """lm-eval's metric name; None when the number is not one lm-eval metric."""
    note: str | None = None
    """The setting in words, when `metric` cannot say it."""


@dataclass(frozen=True)
class Suite:
    """An EEE leaderboard the import knows how to bring onto the board."""

    source_name: str
    """`source_metadata.source_name` in its records."""
    folder: str
    """Its folder under EEE's data/."""
    run_prefix: str
    title: str
    locator: str
    measures: dict[str, Measure]
    """By EEE's `evaluation_name`."""


# The Open LLM Leaderboard v2 suite (lm-eval's tasks/leaderboard/, run with
# `lm_eval --tasks leaderboard`): EEE keeps its raw scores, not the normalised ones
# the leaderboard showed. IFEval is the exception: EEE keeps what the leaderboard
# showed, the mean of prompt- and instruction-level strict accuracy, which is not the
# metric of protocol leaderboard_ifeval (prompt-level strict accuracy alone).
OLL_V2 = Suite(
    source_name="HF Open LLM v2",
    folder="hfopenllm_v2",
    run_prefix="hfopenllm-v2",
    title="Open LLM Leaderboard v2 (Hugging Face), as kept by Every Eval Ever",
    locator="data/hfopenllm_v2: raw scores of every model, not the leaderboard's normalised ones",
    measures={
        "IFEval": Measure("ifeval", None, "leaderboard_ifeval", 0, None,
                          "Open LLM Leaderboard v2: mean of prompt- and instruction-level strict accuracy"),
        "BBH": Measure("bbh", "leaderboard_bbh", "leaderboard_bbh", 3, "acc_norm"),
        "MATH Level 5": Measure("math", "leaderboard_math_hard", "leaderboard_math_hard", 4, "exact_match"),
        "GPQA": Measure("gpqa", "leaderboard_gpqa", "leaderboard_gpqa", 0, "acc_norm"),
        "MUSR": Measure("musr", "leaderboard_musr", "leaderboard_musr", 0, "acc_norm"),
        "MMLU-PRO": Measure("mmlu_pro", "leaderboard_mmlu_pro", "leaderboard_mmlu_pro", 5, "acc"),
    },
)
SUITES = {suite.source_name: suite for suite in (OLL_V2,)}

_DATA_PATH = re.compile(r"(?:^|/)(data/[^/]+/[^/]+/[^/]+/[^/]+\.json)$")


@dataclass(frozen=True)
class Origin:
    """Where the records were taken from, so that the import can be redone."""

    repository: str
    commit: str

    def tree_url(self, folder: str) -> str:
        return f"{self.repository}/tree/{self.commit}/data/{folder}"


@dataclass
class Planned:
    """The files one import writes, as data: repository-relative path -> content."""

    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    runs: int = 0
    models: int = 0
    merged: int = 0
    """Records that repeated another record's numbers and were merged into its run."""


def eee_path(record: EeeRecord) -> str:
    """The record's path in the EEE repository (`data/<leaderboard>/<org>/<model>/<uuid>.json`), else as given."""
    found = _DATA_PATH.search(record.path)
    return found.group(1) if found else record.path


def suite_of(record: EeeRecord) -> Suite:
    suite = SUITES.get(record.source_name)
    if suite is None:
        raise EeeError(f"{record.path}: $.source_metadata.source_name: no mapping onto the board for '{record.source_name}' "
                       f"(mapped: {', '.join(SUITES)}); add one in builder/imports/eee_board.py")
    for score in record.scores:
        if score.name not in suite.measures:
            raise EeeError(f"{record.path}: $.evaluation_results: '{score.name}' is not one of the {suite.source_name} "
                           f"evaluations this import maps ({', '.join(suite.measures)})")
    return suite


def evaluations(records: Iterable[EeeRecord]) -> list[list[EeeRecord]]:
    """The merge rule: records grouped into evaluations, each group in (retrieval, path) order, groups in a stable order."""
    groups: dict[tuple[str, str, str | None, tuple[tuple[str, float], ...]], list[EeeRecord]] = {}
    for record in records:
        key = (record.source_name, record.model_id.casefold(), record.precision, record.numbers)
        groups.setdefault(key, []).append(record)
    ordered = [sorted(g, key=lambda r: (float(r.retrieved_timestamp), r.path)) for g in groups.values()]
    return sorted(ordered, key=lambda g: (g[0].model_id.casefold(), g[0].precision or "", float(g[0].retrieved_timestamp), g[0].path))


def organisation_for(namespace: str, organisations: Organisations) -> str:
    """A registered namespace's organisation name; else the namespace itself, unless it reads as a registered
    organisation's name (`mistral-community`), which only a maintainer's registry entry may decide: then `Unknown`."""
    owner = organisations.owner_of(namespace)
    if owner is not None:
        return owner.name
    return "Unknown" if claimed_organisation(namespace, organisations) else namespace


def plan(records: list[EeeRecord], origin: Origin, into: str, submitted_by: str, submitted_on: str,
         organisations: Organisations, existing: dict[str, tuple[str, str]]) -> Planned:
    """The files to write. `existing` maps every folded model id on the board to (its id, its folder)."""
    out = Planned()
    spelling = _namespace_spellings(records, existing)
    by_model: dict[str, list[list[EeeRecord]]] = {}
    for group in evaluations(records):
        by_model.setdefault(group[0].model_id.casefold(), []).append(group)
    for folded, groups in sorted(by_model.items()):
        first = groups[0][0]
        if folded in existing:
            model_id, folder = existing[folded]
            if not folder.startswith(f"{into}/"):
                raise EeeError(f"{first.path}: '{model_id}' has its model record in {folder}/; import into "
                               f"{folder.split('/')[0]}/ instead")
        else:
            namespace = spelling[first.model_id.split("/")[0].casefold()]
            model_id = f"{namespace}/{_name_of(groups)}"
            folder = f"{into}/{model_id}"
            out.files[f"{folder}/model.yaml"] = _model_record(model_id, groups, organisations)
            out.models += 1
            if organisation_for(namespace, organisations) == "Unknown":
                out.notices.append(f"{model_id}: organisation 'Unknown': the namespace '{namespace}' reads as a registered "
                                   "organisation's name but is not registered (seeds/organisations.yaml)")
        used: set[str] = set()
        apart = _apart(groups)
        for group, label in zip(groups, apart):
            run_id = _run_id(suite_of(group[0]), group[0], used)
            out.files[f"{folder}/{run_id}.yaml"] = _run(model_id, group, origin, submitted_by, submitted_on, label)
            out.runs += 1
            out.merged += len(group) - 1
    return out


def _namespace_spellings(records: list[EeeRecord], existing: dict[str, tuple[str, str]]) -> dict[str, str]:
    """One spelling per namespace (the board validates that letter case agrees): the board's, else the most common."""
    counts: dict[str, dict[str, int]] = {}
    for record in records:
        namespace = record.model_id.split("/")[0]
        per = counts.setdefault(namespace.casefold(), {})
        per[namespace] = per.get(namespace, 0) + 1
    board = {model_id.split("/")[0].casefold(): model_id.split("/")[0] for model_id, _ in existing.values()}
    return {folded: board.get(folded) or max(sorted(per), key=lambda s: per[s]) for folded, per in counts.items()}


def _name_of(groups: list[list[EeeRecord]]) -> str:
    """The model's name as most of its records spell it, taken from EEE's folder when the record sits in one (EEE
    files `DeepMount00/Llama-3.1-8b-Ita` and `-ITA` in one folder, `Llama-3.1-8b-ITA`); the first in order on a tie."""
    names = [_folder_name(r) for g in groups for r in g]
    return max(dict.fromkeys(names), key=names.count)


def _apart(groups: list[list[EeeRecord]]) -> list[str | None]:
    """What tells a model's evaluations apart, for each score's `setting_note` (validate refuses two scores from one
    source in one setting): None when there is only one; the precision, and the EEE record when that is not enough."""
    if len(groups) == 1:
        return [None]
    labels = [f"evaluated in {g[0].precision or 'a precision not stated'}" for g in groups]
    return [f"{label} (EEE record {eee_path(g[0]).rsplit('/', 1)[-1][:8]})" if labels.count(label) > 1 else label
            for label, g in zip(labels, groups)]


def _folder_name(record: EeeRecord) -> str:
    parts = eee_path(record).split("/")
    folder = parts[3] if len(parts) == 5 and parts[0] == "data" else None
    name = record.model_id.split("/")[1]
    return folder if folder is not None and folder.casefold() == name.casefold() else name


def _run_id(suite: Suite, record: EeeRecord, used: set[str]) -> str:
    base = f"{suite.run_prefix}-{record.precision or 'unknown-precision'}"
    run_id, n = base, 1
    while run_id in used:
        n += 1
        run_id = f"{base}-{n}"
    used.add(run_id)
    return run_id


def _known(groups: list[list[EeeRecord]], attribute: str) -> Any:
    values = [getattr(r, attribute) for g in groups for r in g if getattr(r, attribute) is not None]
    return max(dict.fromkeys(values), key=values.count) if values else None


def _model_record(model_id: str, groups: list[list[EeeRecord]], organisations: Organisations) -> dict[str, Any]:
    record: dict[str, Any] = {
        "schema_version": 1, "id": model_id, "name": model_id.split("/")[1],
        "organisation": organisation_for(model_id.split("/")[0], organisations),
        "model_type": "unknown", "open_weights": True, "license": "unknown",
    }
    params = _known(groups, "params_billions")
    if params is not None:
        record["parameters"] = {"total_billions": params}
    architecture = _known(groups, "architecture")
    if architecture is not None:
        record["architecture"] = architecture
    record["links"] = [{"label": "Model card", "url": f"https://huggingface.co/{model_id}"}]
    return record


def _run(model_id: str, group: list[EeeRecord], origin: Origin, submitted_by: str, submitted_on: str,
         apart: str | None) -> dict[str, Any]:
    first = group[0]
    suite = suite_of(first)
    retrievals = ", ".join(r.evaluation_id for r in group)
    notes = (f"Imported from Every Eval Ever (evaluation_id {retrievals}; EEE schema {first.schema_version}). "
             f"Evaluated by {first.source_organization} ({first.evaluator_relationship.replace('_', '-')}) "
             f"in {first.precision or 'a precision not stated'}. Scores converted from EEE's 0-1 to percent.")
    if first.samples_file:
        notes += f" Per-sample results in EEE: {first.samples_file}."
    scores = {}
    for score in first.scores:
        measure = suite.measures[score.name]
        entry: dict[str, Any] = {"value": round(score.value * 100, 6) + 0.0, "n_shot": measure.n_shot}
        if measure.metric:
            entry["metric"] = measure.metric
        note = "; ".join(n for n in (measure.note, apart) if n)
        if note:
            entry["setting_note"] = note
        entry["task"] = measure.task
        if measure.protocol:
            entry["protocol"] = measure.protocol
        scores[measure.benchmark] = entry
    return {
        "schema_version": 1, "model": model_id,
        "provenance": {"kind": "reported", "source": {
            "title": suite.title, "url": origin.tree_url(suite.folder), "locator": suite.locator,
            "publisher": first.source_organization,
            "imported_from": {"format": "every-eval-ever", "repository": origin.repository, "commit": origin.commit,
                              "records": [{"path": eee_path(r), "retrieved_on": r.retrieved_on} for r in group]},
        }},
        "submitted_by": submitted_by, "submitted_on": submitted_on, "notes": notes[:2000],
        "scores": dict(sorted(scores.items())),
    }


def manifest_entry(records: list[EeeRecord], origin: Origin, into: str, planned: Planned, imported_on: str) -> dict[str, Any]:
    """What `seeds/imports.yaml` records about one import: enough to redo it."""
    folders = sorted({f"data/{suite_of(r).folder}" for r in records})
    return {
        "format": "every-eval-ever", "repository": origin.repository, "commit": origin.commit,
        "paths": folders, "into": into, "imported_on": imported_on,
        "records": len(records), "models": len({r.model_id.casefold() for r in records}),
        "runs": planned.runs, "merged_records": planned.merged,
        "schema_versions": sorted({r.schema_version for r in records}),
        "retrieved": sorted({r.retrieved_on for r in records}),
        "command": f"reproboard import eee {' '.join(folders)} --commit {origin.commit} --into {into} "
                   f"--submitted-by <you>, with the paths in a checkout of {origin.repository} at that commit",
    }

