"""The static API: leaderboard.csv, leaderboard.json and one JSON per model. Same numbers as the tables."""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson

from builder.board import aggregate
from builder.board.model import Board, Model, Run, Score
from builder.render import escape
from builder.render.urls import Urls

FORMAT = 1
"""Version of the download format; bumped when a field changes meaning."""


def _dumps(data: Any) -> str:
    """Compact, keys sorted, UTF-8: what `json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":"))` writes.

    orjson serialises NaN as null where json would refuse it; the board has none (the loader refuses
    NaN and infinities, and the aggregation's arithmetic stays finite), so that difference never shows."""
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode("utf-8") + "\n"


def _rules() -> dict[str, Any]:
    return {
        "average": "mean of category scores; category score = mean normalised score over the category's benchmarks on the board, a missing benchmark counting as 0",
        "normalised": "(score - random_baseline) / (100 - random_baseline) * 100, clipped at 0",
        "rank": f"1 + models significantly higher (difference > {aggregate.Z} x combined stderr); rank_worst = models - models significantly lower",
        "dispute_tolerance_points": aggregate.DISPUTE_TOLERANCE,
        "counted_run": "verified > submitted > reported by the model's makers > reported by others; then default n-shot; then newest; then file path",
    }


def _score(score: Score) -> dict[str, Any]:
    return {
        "value": score.value, "stderr": score.stderr, "stderr_estimated": score.stderr_estimated, "normalised": score.normalised,
        "status": score.status, "disputed": score.disputed, "counts": score.counts, "n_shot": score.n_shot, "metric": score.metric,
        "filter": score.filter, "setting_note": score.setting_note, "task": score.task, "n_samples": score.n_samples, "run": score.run_path,
    }


def _model_row(model: Model, board: Board, urls: Urls) -> dict[str, Any]:
    return {
        "id": model.id, "name": model.name, "organisation": model.organisation, "model_type": model.model_type,
        "open_weights": model.open_weights, "license": model.license, "release_date": model.release_date,
        "parameters_billions": model.parameters, "active_parameters_billions": model.active_parameters,
        "rank": model.rank.best if model.rank else None, "rank_worst": model.rank.worst if model.rank else None,
        "average": model.average, "average_stderr": model.average_stderr,
        "benchmarks_covered": model.covered, "benchmarks_total": len(board.benchmarks),
        "categories": {c.category_id: {"value": c.value, "stderr": c.stderr, "covered": c.covered, "total": c.total} for c in model.categories},
        "page": urls.url(urls.model(model.id)),
    }


def leaderboard_json(board: Board, urls: Urls) -> str:
    models = []
    for model in board.models:
        row = _model_row(model, board, urls)
        row["scores"] = {s.benchmark_id: _score(s) for s in board.scores_of(model.id) if s.counts}
        models.append(row)
    return _dumps({
        "format": FORMAT,
        "rules": _rules(),
        "categories": [{"id": c.id, "name": c.name} for c in board.registry.categories if c.id in board.categories],
        "benchmarks": [
            {"id": b.id, "name": b.name, "category": b.category, "metric": b.metric, "random_baseline": b.random_baseline, "size": b.size,
             "default_n_shot": b.default_n_shot, "higher_is_better": b.higher_is_better}
            for b in board.registry.benchmarks if b.id in board.benchmarks
        ],
        "models": models,
    })


def leaderboard_csv(board: Board, urls: Urls) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    fixed = ["rank", "rank_worst", "id", "name", "organisation", "parameters_billions", "active_parameters_billions", "model_type",
             "open_weights", "license", "release_date", "average", "average_stderr", "benchmarks_covered", "benchmarks_total"]
    writer.writerow(fixed + [f"category:{c}" for c in board.categories] + [f"benchmark:{b}" for b in board.benchmarks] + ["page"])
    for model in board.models:
        row = _model_row(model, board, urls)
        values: list[Any] = [row[k] for k in fixed]
        values += [c.value if c.covered else None for c in model.categories]
        for b in board.benchmarks:
            score = board.counted(model.id, b)
            values.append(score.value if score else None)
        values.append(row["page"])
        writer.writerow(["" if v is None else escape.csv_cell(v) for v in values])
    return out.getvalue()


def _run(run: Run) -> dict[str, Any]:
    return {
        "path": run.path, "kind": run.kind, "status": run.status, "submitted_by": run.submitted_by, "submitted_on": run.submitted_on,
        "source": None if run.source is None else {
            "title": run.source.title, "url": run.source.url, "locator": run.source.locator, "publisher": run.source.publisher,
            "published_on": run.source.published_on,
        },
        "harness": run.harness, "harness_version": run.harness_version, "command": run.command, "notes": run.notes,
        "partial": run.partial, "evidence": run.evidence_path,
        "spot_checks": [{"verdict": v.verdict, "checked_on": v.checked_on, "summary": v.summary, "file": v.path} for v in run.verdicts],
    }


def model_json(model: Model, board: Board, urls: Urls, runs: list[Run]) -> str:
    row = _model_row(model, board, urls)
    row.update({
        "format": FORMAT, "architecture": model.architecture, "revision": model.revision, "base_model": model.base_model,
        "languages": list(model.languages), "links": [{"label": label, "url": url} for label, url in model.links],
        "record": model.record_path, "disputed": list(model.disputed),
        "scores": [{"benchmark": s.benchmark_id, **_score(s)} for s in board.scores_of(model.id)],
        "runs": [_run(r) for r in runs],
    })
    return _dumps(row)
