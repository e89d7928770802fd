"""The static API: leaderboard.csv, leaderboard.json and one JSON per model. Same numbers as the tables."""

from __future__ import annotations

import csv
import gzip
import io
from typing import Any

import orjson

from builder.board import aggregate
from builder.board.model import Board, Group, Model, Run, Score
from builder.board.ranking import Standing
from builder.render import escape
from builder.render.urls import Urls

FORMAT = 3
"""Version of the download format; bumped when a field changes meaning. 2: like-for-like standings (score, rank and
their 95 % intervals, evidence, unranked reason) replace averages of normalised scores; "not stated" settings.
3: each number once: leaderboard.json gives each model's counted `values` and the address of its own file (`data`),
which has every score under its run, with null and false fields left out."""


def _dumps(data: Any) -> str:
    """Compact, keys sorted, UTF-8: what `json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":"))` writes.

    orjson serialises NaN as null where json would refuse it; the board has none (the loader refuses
    NaN and infinities, and the aggregation's arithmetic stays finite), so that difference never shows."""
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode("utf-8") + "\n"


SCORE_IS = ("like-for-like standing score: per benchmark, value = model effect + group offset (one group per source table, "
            "or the board's protocol), effects standardised to z-scores per benchmark, then the mean z-score over the model's "
            "benchmarks shrunk towards 0 for models with few; 0 = an average model, +1 = one standard deviation above. "
            "A missing benchmark is missing, never 0")
"""What `score` is, in the downloads' words (docs/methodology.md has the method)."""


def _rules() -> dict[str, Any]:
    return {
        "score": SCORE_IS,
        "score_interval": "95 % bootstrap interval of the score (score_low, score_high)",
        "rank": "1 + models whose 84 % score interval lies wholly above this one's (ties share a rank); [rank, rank_worst] = the 95 % rank interval",
        "unranked": "why a model is not ranked: no-score (no usable number), no-comparable-evidence, not-connected, too-few-comparisons",
        "comparable_group": "source:<url> <locator> (one source table), contributor:<user>:<url> <locator>, protocol:<protocol id> (a protocol "
                            "of the registry) or protocol:<benchmark>:<setting> (any other setting)",
        "benchmark_rank": f"per benchmark: 1 + models whose counted score is significantly higher (difference > {aggregate.Z} x combined stderr)",
        "dispute_tolerance_points": aggregate.DISPUTE_TOLERANCE,
        "counted_run": ("verified > submitted > reported by the model's makers (a file under seeds/ whose publisher is the model's "
                        "organisation) > reported by other publishers > reported by contributors (results/); then default n-shot; "
                        "then newest; then file path"),
        "values": "per model, the counted raw score of each benchmark, in percent, as published; its stderr, setting and source "
                  "are in the model's own file (data)",
        "not_stated": "in a model's own file, a score without n_shot, metric or filter: the source does not state it",
    }


def _standing(standing: Standing) -> dict[str, Any]:
    ranked = standing.rank is not None and standing.unranked is None
    return {
        "rank": standing.rank.best if ranked else None, "rank_worst": standing.rank.worst if ranked else None,  # type: ignore[union-attr]
        "score": standing.score if ranked else None, "score_low": standing.score_low if ranked else None,
        "score_high": standing.score_high if ranked else None,
        "unranked": None if ranked else (standing.unranked or aggregate.NO_SCORE),
        "benchmarks": standing.benchmarks, "comparisons": standing.comparisons, "groups": list(standing.groups),
    }


def _score(score: Score, run_group: str | None) -> dict[str, Any]:
    """One score under its run (whose status, voice and source it shares): the fields that are not null or false.

    A missing n_shot, metric or filter is one the source does not state. `group` is given only where it is not the
    run's; a score of a failed run, or a `partial` one, is compared in no group."""
    fields = {
        "value": score.value, "stderr": score.stderr, "stderr_estimated": score.stderr_estimated, "disputed": score.disputed,
        "counts": score.counts, "n_shot": score.n_shot, "metric": score.metric, "filter": score.filter,
        "setting_note": score.setting_note, "task": score.task, "n_samples": score.n_samples, "partial": score.partial,
        "group": None if score.group == run_group else score.group,
    }
    return {k: v for k, v in fields.items() if v is not None and v is not False}


def _model_row(model: Model, board: Board, urls: Urls) -> dict[str, Any]:
    return {
        "id": model.id, "name": model.name, "organisation": model.organisation, "model_type": model.model_type,
        "open_weights": model.open_weights, "license": model.license, "release_date": model.release_date,
        "parameters_billions": model.parameters, "active_parameters_billions": model.active_parameters,
        **_standing(model.standing),
        "benchmarks_covered": model.covered, "benchmarks_total": len(board.benchmarks),
        "categories": {c.category_id: {**_standing(c.standing), "covered": c.covered, "total": c.total} for c in model.categories},
        "page": urls.url(urls.model(model.id)),
    }


def _group(group: Group) -> dict[str, Any]:
    return {"key": group.key, "kind": group.kind, "title": group.title, "url": group.url, "locator": group.locator,
            "publisher": group.publisher, "contributor": group.contributor, "benchmark": group.benchmark, "setting": group.setting}


def leaderboard_json(board: Board, urls: Urls) -> str:
    models = []
    for model in board.models:
        row = _model_row(model, board, urls)
        row["values"] = {s.benchmark_id: s.value for s in board.scores_of(model.id) if s.counts}
        row["data"] = urls.url(urls.model_json(model.id))
        models.append(row)
    return _dumps({
        "format": FORMAT,
        "rules": _rules(),
        "categories": [{"id": c.id, "name": c.name, "benchmarks": [b for b in board.benchmarks if board.registry.benchmark(b).category == c.id]}  # type: ignore[union-attr]
                       for c in board.registry.categories if c.id in board.categories],
        "benchmarks": [
            {"id": b.id, "name": b.name, "category": b.category, "metric": b.metric, "filter": b.filter, "random_baseline": b.random_baseline,
             "size": b.size, "default_n_shot": b.default_n_shot, "higher_is_better": b.higher_is_better}
            for b in board.registry.benchmarks if b.id in board.benchmarks
        ],
        "groups": [_group(g) for g in board.groups.values()],
        "models": models,
    })



CSV_FIXED = ["rank", "rank_worst", "unranked", "id", "name", "organisation", "parameters_billions", "active_parameters_billions", "model_type",
             "open_weights", "license", "release_date", "score", "score_low", "score_high", "benchmarks", "comparisons", "groups",
             "benchmarks_covered", "benchmarks_total"]


def leaderboard_csv(board: Board, urls: Urls) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    per_category = [f"category:{c}:{field}" for c in board.categories for field in ("score", "rank", "rank_worst", "covered")]
    writer.writerow(CSV_FIXED + per_category + [f"benchmark:{b}" for b in board.benchmarks] + ["page"])
    for model in board.models:
        row = _model_row(model, board, urls)
        row["groups"] = len(row["groups"])
        values: list[Any] = [row[k] for k in CSV_FIXED]
        for c in model.categories:
            cat = row["categories"][c.category_id]
            values += [cat["score"], cat["rank"], cat["rank_worst"], c.covered]
        for b in board.benchmarks:
            score = board.counted(model.id, b)
            values.append(score.value if score else None)
        values.append(row["page"])
        writer.writerow(["" if v is None else escape.csv_cell(v) for v in values])
    return out.getvalue()


def _run_group(run: Run, scores: list[Score]) -> str | None:
    """The group every compared score of a run with a source shares (its source table); None for other runs."""
    keys = {s.group for s in scores if s.group is not None}
    return next(iter(keys)) if run.source is not None and len(keys) == 1 else None


def _run(run: Run, scores: list[Score]) -> dict[str, Any]:
    group = _run_group(run, scores)
    return {
        "group": group, "scores": {s.benchmark_id: _score(s, group) for s in scores},
        "path": run.path, "kind": run.kind, "status": run.status, "voice": run.voice, "reported_by": run.reported_by,
        "submitted_by": run.submitted_by, "submitted_on": run.submitted_on,
        "source": None if run.source is None else {
            "title": run.source.title, "url": run.source.url, "locator": run.source.locator, "publisher": run.source.publisher,
            "published_on": run.source.published_on,
        },
        "harness": run.harness, "harness_version": run.harness_version, "command": run.command, "notes": run.notes,
        "partial": run.partial, "evidence": run.evidence_path,
        "spot_checks": [{"verdict": v.verdict, "checked_on": v.checked_on, "summary": v.summary, "file": v.path} for v in run.verdicts],
    }


def model_json(model: Model, board: Board, urls: Urls, runs: list[Run]) -> str:
    """One model: its row of leaderboard.json, the rest of its record, and every run with every score it gives."""
    by_run: dict[str, list[Score]] = {}
    for score in board.scores_of(model.id):
        by_run.setdefault(score.run_path, []).append(score)
    row = _model_row(model, board, urls)
    row.update({
        "format": FORMAT, "score_is": SCORE_IS, "architecture": model.architecture, "revision": model.revision, "base_model": model.base_model,
        "languages": list(model.languages), "links": [{"label": label, "url": url} for label, url in model.links],
        "record": model.record_path, "disputed": list(model.disputed),
        "runs": [_run(r, by_run.get(r.path, [])) for r in runs],
    })
    return _dumps(row)


def gzipped(text: str) -> bytes:
    """A data file gzip-compressed, with no time or name in its header: the same input gives the same bytes."""
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
