"""The board's runs as Every Eval Ever records (schema 0.3.0), one JSON file per run.

`OUT/data/reproboard/<org>/<model>/<uuid>.json`, the layout of EEE's datastore; the uuid
is derived from the run file's path, so exporting twice writes the same bytes. Scores go
back to EEE's 0-1 scale. Everything the board knows that EEE has no field for (the run
file, its status, the protocol, n-shot, the source table) is kept in EEE's
`additional_details`, whose values are strings. Every record is checked against EEE's
published schema (`eee_schema/eval.schema.json`) before anything is written.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from builder.board.aggregate import organisation_names_of, voice
from builder.load.layout import Kind
from builder.load.parsed import Parsed
from builder.load.registry import Registry

EEE_VERSION = "0.3.0"
SCHEMA_DIR = Path(__file__).resolve().parent / "eee_schema"
_NAMESPACE = uuid.UUID("6f1c9a52-4e0b-4d8e-9b8c-2f6d3c1e7a10")
"""Fixed, so that a run's record keeps its uuid from one export to the next."""


class ExportError(Exception):
    """A record that EEE's schema refuses: a bug in the exporter, reported with the run and the field."""


@dataclass(frozen=True)
class Exported:
    path: str
    """Relative to OUT."""
    record: dict[str, Any]


@cache
def eee_validator() -> Any:
    """A validator for EEE's published record schema."""
    import jsonschema

    schema = json.loads((SCHEMA_DIR / "eval.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


def schema_errors(record: dict[str, Any]) -> list[str]:
    """EEE's schema on one record: `$.path: message` for each error, sorted."""
    found = []
    for error in eee_validator().iter_errors(record):
        where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        found.append(f"{where}: {error.message}")
    return sorted(found)


def _timestamp(date: str) -> str:
    """`YYYY-MM-DD` -> Unix time of its midnight UTC, as EEE writes it (a string)."""
    moment = dt.datetime.strptime(date, "%Y-%m-%d").replace(tzinfo=dt.timezone.utc)
    return str(int(moment.timestamp()))


def _strings(values: dict[str, Any]) -> dict[str, str]:
    """EEE's `additional_details`: present values only, as strings."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items() if v is not None}


def _relationship(run: Parsed, makers: Sequence[str]) -> str:
    """EEE's `evaluator_relationship`: first party exactly where the board lets a number speak for the makers."""
    provenance = run.data["provenance"]
    publisher = (provenance.get("source") or {}).get("publisher")
    return "first_party" if voice(run.file.path, provenance["kind"], publisher, makers) == "makers" else "third_party"


def run_record(run: Parsed, model: Parsed, registry: Registry, makers: Sequence[str] = ()) -> dict[str, Any]:
    """One run file (and its model record) -> one EEE record; `makers`: every name of the model's organisation."""
    data, facts = run.data, model.data
    model_id = data["model"]
    provenance = data["provenance"]
    source = provenance.get("source")
    reported = provenance["kind"] == "reported"
    run_id = run.file.name.removesuffix(".yaml")
    harness = data.get("harness") or {}
    setting = data.get("setting") or {}
    benchmarks = {b.id: b for b in registry.benchmarks}
    results = []
    for benchmark_id, score in data["scores"].items():
        benchmark = benchmarks[benchmark_id]
        uncertainty: dict[str, Any] = {}
        if score.get("stderr") is not None:
            uncertainty["standard_error"] = {"value": score["stderr"] / 100, "method": "as the source or lm-eval reported it"}
        if score.get("n_samples"):
            uncertainty["num_samples"] = score["n_samples"]["effective"]
        details: dict[str, Any] = {"score": score["value"] / 100}
        if uncertainty:
            details["uncertainty"] = uncertainty
        metric = score.get("metric")
        results.append({
            "evaluation_result_id": f"{run_id}.{benchmark_id}",
            "evaluation_name": benchmark.name,
            "source_data": {"dataset_name": benchmark.name, "source_type": "url", "url": [benchmark.url]},
            "metric_config": {
                "evaluation_description": f"{benchmark.name}: {benchmark.description}",
                **({"metric_id": metric, "metric_name": metric} if metric else {}),
                "metric_unit": "proportion",
                "lower_is_better": not benchmark.higher_is_better,
                "score_type": "continuous", "min_score": 0.0, "max_score": 1.0,
                "additional_details": _strings({"reproboard_benchmark": benchmark_id}),
            },
            "score_details": details,
            "generation_config": {"additional_details": _strings({
                "n_shot": score["n_shot"], "task": score.get("task"), "protocol": score.get("protocol"),
                "filter": score.get("filter"), "setting_note": score.get("setting_note"), "partial": score.get("partial"),
                "task_hash": score.get("task_hash"),
            })},
        })
    record: dict[str, Any] = {
        "schema_version": EEE_VERSION,
        "evaluation_id": f"reproboard/{model_id}/{run_id}",
        "retrieved_timestamp": _timestamp(data["submitted_on"]),
        "source_metadata": {
            "source_name": source["title"] if source else "ReproBoard",
            "source_type": "documentation" if reported else "evaluation_run",
            "source_organization_name": source["publisher"] if source else data["submitted_by"],
            "evaluator_relationship": _relationship(run, makers or (facts["organisation"],)),
            "additional_details": _strings({
                "reproboard_run": run.file.path, "kind": provenance["kind"], "submitted_by": data["submitted_by"],
                "submitted_on": data["submitted_on"], "source_url": source and source["url"],
                "source_locator": source and source["locator"], "published_on": source and source.get("published_on"),
                "evidence": provenance.get("evidence", {}).get("path"), "command": data.get("command"), "notes": data.get("notes"),
            }),
        },
        "eval_library": {"name": harness.get("name", "unknown"), "version": harness.get("version", "unknown")},
        "model_info": {
            "name": facts["name"], "id": model_id, "developer": facts["organisation"],
            "additional_details": {
                "deployment_type": {"hf": "self_deployed", "vllm": "self_deployed", "api": "externally_managed"}.get(
                    setting.get("backend", ""), "unknown"),
                "model_availability": "open_weights" if facts["open_weights"] else "closed_weights",
                **_strings({"revision": data.get("revision"), "model_type": facts["model_type"],
                            "architecture": facts.get("architecture"),
                            "params_billions": (facts.get("parameters") or {}).get("total_billions"),
                            "precision": setting.get("dtype")}),
            },
        },
        "evaluation_results": results,
    }
    return record


def export(parsed: Sequence[Parsed], registry: Registry) -> list[Exported]:
    """Every run among `parsed` (validate's report.parsed) -> its EEE record, checked; sorted by path."""
    models = {doc.data["id"]: doc for doc in parsed if doc.file.kind is Kind.MODEL}
    names = organisation_names_of(parsed, {doc.data["organisation"] for doc in models.values()})
    out, problems = [], []
    for run in sorted((doc for doc in parsed if doc.file.kind is Kind.RUN), key=lambda d: d.file.path):
        model = models.get(run.data["model"])
        if model is None or not run.data["scores"]:
            continue  # validate reports a run without its model; a run with only other_results has nothing EEE can rank
        organisation = model.data["organisation"]
        record = run_record(run, model, registry, names.get(organisation, (organisation,)))
        errors = schema_errors(record)
        problems += [f"{run.file.path}: EEE schema {EEE_VERSION}: {e}" for e in errors]
        record_id = uuid.uuid5(_NAMESPACE, run.file.path)
        out.append(Exported(f"data/reproboard/{run.data['model']}/{record_id}.json", record))
    if problems:
        raise ExportError("\n".join(problems))
    return out


def write(out_dir: Path, exported: Sequence[Exported]) -> None:
    for item in exported:
        target = out_dir / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(item.record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
