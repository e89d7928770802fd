"""Runs -> board: every rule of the leaderboard, in one place. Pure functions, no I/O.

The rules (docs/methodology.md says the same in words; tests/test_aggregate.py pins them):

1. Status of a run. A reported run is `reported`. A submitted run takes the verdict of
   its latest spot-check: `pass` -> `verified`, `fail` -> `failed`, none or
   `inconclusive` -> `submitted`.
2. Which score counts, when a model has several for one benchmark. Never a `failed` run
   or a partial one (`setting.limit`). Among the rest, in order: verified, then
   submitted, then reported by the model's own organisation, then reported by others;
   then the benchmark's default n-shot before other settings; then the newest date
   (publication date of the source, else the date the file was added); then file path.
3. Stderr: the run's own, else the binomial stderr of the value over the documents
   evaluated (`n_samples.effective`) or the benchmark's `size`.
4. Normalised score = (score - random baseline) / (100 - baseline) x 100, clipped at 0
   (for lower-is-better benchmarks, on 100 - score and 100 - baseline).
5. Category score = the mean of the normalised scores over the category's benchmarks on
   the board, where a benchmark without a counted score counts as 0 (random guessing).
   Average = the mean of the category scores. A missing benchmark can only lower a
   model's average: a model evaluated on fewer benchmarks never outranks a fully
   evaluated one by having less data.
6. Ranks admit ties: rank = 1 + the number of models whose score is significantly
   higher (difference > 1.96 x the combined stderr); the range runs to the number of
   models minus those significantly lower.
7. Dispute: two usable scores for the same model and benchmark that differ by more than
   `DISPUTE_TOLERANCE` points.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from builder.board.model import DECIMALS, Board, CategoryScore, Entry, Model, Rank, Ranking, Run, Score, Source, Verdict
from builder.check.file_rules import binomial_stderr
from builder.gc_tuning import collector_paused
from builder.load.layout import Kind
from builder.load.parsed import Parsed
from builder.load.registry import Benchmark, Registry

Z = 1.96
"""Two scores differ significantly when the gap exceeds Z times their combined stderr (95 %)."""

DISPUTE_TOLERANCE = 1.0
"""Points (percent) by which two sources may differ before the number is marked disputed."""

TIER = {"verified": 0, "submitted": 1, "reported-by-makers": 2, "reported": 3}
"""Preference among runs for the counted score: lower wins."""


def _round(x: float) -> float:
    return round(x + 0.0, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


def normalise(value: float, benchmark: Benchmark) -> float:
    """Rule 4: 0 at random guessing, 100 at a perfect score; unrounded."""
    good, base = _oriented(value, benchmark)
    if base >= 100:
        return 0.0
    return max(0.0, (good - base) / (100 - base) * 100)


def _oriented(value: float, benchmark: Benchmark) -> tuple[float, float]:
    if benchmark.higher_is_better:
        return value, benchmark.random_baseline
    return 100 - value, 100 - benchmark.random_baseline


def _normalised_stderr(stderr: float, benchmark: Benchmark) -> float:
    _, base = _oriented(0.0, benchmark)
    return stderr / (100 - base) * 100 if base < 100 else 0.0


def run_status(kind: str, verdicts: Sequence[Verdict]) -> str:
    """Rule 1."""
    if kind == "reported":
        return "reported"
    if not verdicts:
        return "submitted"
    latest = verdicts[-1].verdict
    return {"pass": "verified", "fail": "failed"}.get(latest, "submitted")


def significance_ranks(values: Sequence[float], stderrs: Sequence[float], z: float = Z) -> list[Rank]:
    """Rule 6, for scores where higher is better."""
    v = np.asarray(values, dtype=float)
    se2 = np.asarray(stderrs, dtype=float) ** 2
    n = len(v)
    if n == 0:
        return []
    higher = _significantly_higher(v, se2, z)
    lower = _significantly_higher(-v, se2, z)
    return [Rank(1 + h, n - lo) for h, lo in zip(higher.tolist(), lower.tolist())]


def _significantly_higher(v: np.ndarray, se2: np.ndarray, z: float) -> np.ndarray:
    """For each i, how many j have v[j] - v[i] > z * sqrt(se2[i] + se2[j]).

    Exact, without the n x n matrix: in sorted order, every j above v[i] + z*sqrt(se2[i] +
    max se2) counts, none at or below v[i] + z*sqrt(se2[i] + min se2) does, and only the
    band between is tested pair by pair.
    """
    order = np.argsort(v, kind="stable")
    sorted_v = v[order]
    eps = 1e-9
    low = np.searchsorted(sorted_v, v + z * np.sqrt(se2 + se2.min()) - eps, side="right")
    high = np.searchsorted(sorted_v, v + z * np.sqrt(se2 + se2.max()) + eps, side="right")
    counts = (len(v) - high).astype(float)
    width = high - low
    total = int(width.sum())
    if total:
        i = np.repeat(np.arange(len(v)), width)
        offsets = np.arange(total) - np.repeat(np.cumsum(width) - width, width)
        j = order[np.repeat(low, width) + offsets]
        significant = (v[j] - v[i]) > z * np.sqrt(se2[i] + se2[j])
        counts += np.bincount(i, weights=significant, minlength=len(v))
    return counts.astype(int)


@dataclass(frozen=True)
class _Raw:
    """A score before the board-wide rules are applied."""

    run: Run
    benchmark: Benchmark
    data: dict[str, Any]


def _verdicts(parsed: Iterable[Parsed]) -> dict[str, tuple[Verdict, ...]]:
    found: dict[str, list[Verdict]] = {}
    for doc in parsed:
        if doc.file.kind is Kind.VERIFICATION:
            data = doc.data
            run_path = f"{doc.file.folder}/{data['run']}"
            found.setdefault(run_path, []).append(Verdict(doc.file.path, data["verdict"], data["checked_on"], data["summary"]))
    return {path: tuple(sorted(v, key=lambda x: (x.checked_on, x.path))) for path, v in found.items()}


def _run(doc: Parsed, verdicts: tuple[Verdict, ...]) -> Run:
    data = doc.data
    provenance = data["provenance"]
    kind = provenance["kind"]
    source = None
    if kind == "reported":
        s = provenance["source"]
        source = Source(s["title"], s["url"], s["locator"], s["publisher"], s.get("published_on"))
    harness = data.get("harness") or {}
    setting = data.get("setting") or {}
    evidence = provenance.get("evidence")
    return Run(
        path=doc.file.path, model_id=data["model"], kind=kind, status=run_status(kind, verdicts), source=source,
        submitted_by=data["submitted_by"], submitted_on=data["submitted_on"], harness=harness.get("name"),
        harness_version=harness.get("version"), command=data.get("command"), notes=data.get("notes"),
        partial=setting.get("limit") is not None,
        evidence_path=f"{doc.file.folder}/{evidence['path']}" if evidence else None,
        verdicts=verdicts, date=(source.published_on if source and source.published_on else data["submitted_on"]),
    )


def _tier(run: Run, organisation: str) -> int:
    if run.status in ("verified", "submitted"):
        return TIER[run.status]
    if run.source and run.source.publisher.casefold() == organisation.casefold():
        return TIER["reported-by-makers"]
    return TIER["reported"]


def _counted_index(raws: list[_Raw], organisation: str) -> int | None:
    """Rule 2: index of the score that counts, or None when none may count."""
    usable = [i for i, r in enumerate(raws) if r.run.status != "failed" and not r.run.partial]
    if len(usable) <= 1:
        return usable[0] if usable else None

    def key(i: int) -> tuple[Any, ...]:
        r = raws[i]
        off_default = r.data["n_shot"] != r.benchmark.default_n_shot
        return (_tier(r.run, organisation), off_default, _negated(r.run.date), r.run.path)

    return min(usable, key=key)


def _negated(date: str) -> tuple[int, ...]:
    return tuple(-int(part) for part in date.split("-"))


def _disputed(raws: list[_Raw]) -> bool:
    """Rule 7."""
    if len(raws) == 1:
        return False
    values = [r.data["value"] for r in raws if r.run.status != "failed" and not r.run.partial]
    return len(values) > 1 and max(values) - min(values) > DISPUTE_TOLERANCE + 1e-9


def _score(raw: _Raw, counts: bool, disputed: bool) -> Score:
    data = raw.data
    samples = data.get("n_samples")
    n = samples["effective"] if samples else None
    given = data.get("stderr")
    stderr = given if given is not None else binomial_stderr(data["value"], n or raw.benchmark.size)
    return Score(
        run_path=raw.run.path, model_id=raw.run.model_id, benchmark_id=raw.benchmark.id, value=data["value"] + 0.0,
        normalised=_round(normalise(data["value"], raw.benchmark)), stderr=_round(stderr), stderr_estimated=given is None,
        n_shot=data["n_shot"], metric=data.get("metric"), filter=data.get("filter"), setting_note=data.get("setting_note"),
        task=data.get("task"), n_samples=n, status=raw.run.status, counts=counts, disputed=disputed,
    )


def build_board(parsed: Sequence[Parsed], registry: Registry) -> Board:
    """Parsed, valid files (validate's `report.parsed`) and the registry -> the board."""
    with collector_paused():
        return _build_board(parsed, registry)


def _build_board(parsed: Sequence[Parsed], registry: Registry) -> Board:
    verdicts = _verdicts(parsed)
    records = {doc.data["id"]: doc for doc in parsed if doc.file.kind is Kind.MODEL}
    runs = sorted((_run(doc, verdicts.get(doc.file.path, ())) for doc in parsed if doc.file.kind is Kind.RUN), key=lambda r: r.path)
    raw_by_model: dict[str, dict[str, list[_Raw]]] = {}
    run_data = {doc.file.path: doc.data for doc in parsed if doc.file.kind is Kind.RUN}
    bench_by_id = {b.id: b for b in registry.benchmarks}
    for run in runs:
        for benchmark_id, data in run_data[run.path]["scores"].items():
            benchmark = bench_by_id.get(benchmark_id)
            if benchmark is not None and run.model_id in records:
                raw_by_model.setdefault(run.model_id, {}).setdefault(benchmark_id, []).append(_Raw(run, benchmark, data))

    scores: list[Score] = []  # ordered by (model id, benchmark id)
    for model_id in sorted(raw_by_model):
        organisation = records[model_id].data["organisation"]
        by_benchmark = raw_by_model[model_id]
        for benchmark_id in sorted(by_benchmark):
            raws = by_benchmark[benchmark_id]  # already in path order: runs are sorted
            counted = _counted_index(raws, organisation)
            disputed = _disputed(raws)
            made = [_score(r, i == counted, disputed) for i, r in enumerate(raws)]
            if len(made) > 1:
                made.sort(key=lambda s: (not s.counts, s.run_path))
            scores.extend(made)

    counted_scores = {(s.model_id, s.benchmark_id): s for s in scores if s.counts}
    on_board = {b for _, b in counted_scores}
    benchmarks = tuple(b.id for b in registry.benchmarks if b.id in on_board)
    by_category: dict[str, list[Benchmark]] = {}
    for benchmark_id in benchmarks:
        benchmark = registry.benchmark(benchmark_id)
        assert benchmark is not None
        by_category.setdefault(benchmark.category, []).append(benchmark)  # registry order
    categories = tuple(c.id for c in registry.categories if c.id in by_category)

    disputed: dict[str, set[str]] = {}
    for s in scores:
        if s.disputed and s.counts:
            disputed.setdefault(s.model_id, set()).add(s.benchmark_id)
    partial_models = [
        _model_figures(records[model_id], categories, by_category, counted_scores, tuple(sorted(disputed.get(model_id, ()))))
        for model_id in sorted(records)
    ]

    rankings: dict[str, Ranking] = {}
    ranked = [m for m in partial_models if m.average is not None]
    overall = _ranking("overall", [(m.id, m.average, m.average_stderr, m.average, m.average_stderr) for m in ranked])  # type: ignore[misc]
    rankings["overall"] = overall
    rank_of = {e.model_id: e.rank for e in overall.entries}
    models = [_with_rank(m, rank_of.get(m.id)) for m in partial_models]
    order = {e.model_id: i for i, e in enumerate(overall.entries)}
    models.sort(key=lambda m: (order.get(m.id, len(order)), m.id))

    for category_id in categories:
        rows = []
        for m in models:
            c = m.category(category_id)
            if c is not None and c.covered:
                rows.append((m.id, c.value, c.stderr, c.value, c.stderr))
        rankings[category_id] = _ranking(category_id, rows)
    rows_by_benchmark: dict[str, list[tuple[str, float, float, float, float]]] = {b: [] for b in benchmarks}
    for s in scores:  # in (model id, benchmark id) order
        if s.counts:
            benchmark = bench_by_id[s.benchmark_id]
            rows_by_benchmark[s.benchmark_id].append((s.model_id, s.value, s.stderr, _oriented(s.value, benchmark)[0], s.stderr))
    for benchmark_id in benchmarks:
        rankings[benchmark_id] = _ranking(benchmark_id, rows_by_benchmark[benchmark_id])

    dates = [r.date for r in runs] + [r.submitted_on for r in runs] + [v.checked_on for r in runs for v in r.verdicts]
    dates += [doc.data["release_date"] for doc in records.values()]
    return Board(
        registry=registry, categories=categories, benchmarks=benchmarks, models=tuple(models), runs=tuple(runs),
        scores=tuple(scores), rankings=rankings, data_date=max(dates) if dates else None,
    )


def _ranking(key: str, rows: list[tuple[str, float, float, float, float]]) -> Ranking:
    """rows: (model id, shown value, shown stderr, value to rank on (higher is better), its stderr)."""
    ranks = significance_ranks([r[3] for r in rows], [r[4] for r in rows])
    entries = [Entry(r[0], r[1], r[2], rank) for r, rank in zip(rows, ranks)]
    keyed = sorted(zip(entries, rows), key=lambda er: (er[0].rank.best, -er[1][3], er[0].model_id))
    return Ranking(key, tuple(e for e, _ in keyed))


def _model_figures(
    record: Parsed, categories: tuple[str, ...], by_category: dict[str, list[Benchmark]],
    counted: dict[tuple[str, str], Score], disputed: tuple[str, ...],
) -> Model:
    data = record.data
    model_id = data["id"]
    category_scores = []
    covered_total = 0
    for category_id in categories:
        members = by_category[category_id]
        pairs = [(counted[(model_id, b.id)], b) for b in members if (model_id, b.id) in counted]
        present = [s for s, _ in pairs]
        se_norm = [_normalised_stderr(s.stderr, b) for s, b in pairs]
        total = len(members)
        value = sum(s.normalised for s in present) / total
        stderr = math.sqrt(sum(x * x for x in se_norm)) / total
        covered_total += len(present)
        category_scores.append(CategoryScore(category_id, _round(value), _round(stderr), len(present), total))
    if covered_total:
        average = sum(c.value for c in category_scores) / len(category_scores)
        average_stderr = math.sqrt(sum(c.stderr**2 for c in category_scores)) / len(category_scores)
    params = data.get("parameters") or {}
    return Model(
        id=model_id, name=data["name"], organisation=data["organisation"], model_type=data["model_type"],
        open_weights=data["open_weights"], license=data["license"], release_date=data["release_date"],
        parameters=params.get("total_billions"), active_parameters=params.get("active_billions"),
        architecture=data.get("architecture"), revision=data.get("revision"), base_model=data.get("base_model"),
        languages=tuple(data.get("languages") or ()), links=tuple((link["label"], link["url"]) for link in data.get("links") or ()),
        record_path=record.file.path,
        average=_round(average) if covered_total else None,
        average_stderr=_round(average_stderr) if covered_total else None,
        rank=None, covered=covered_total, categories=tuple(category_scores), disputed=tuple(disputed),
    )


def _with_rank(model: Model, rank: Rank | None) -> Model:
    return replace(model, rank=rank)
