"""Runs -> board: every rule of the leaderboard, in one place. Pure functions, no I/O.

The rules (docs/methodology.md says the same in words; tests/test_aggregate.py pins them):

1. Status of a run. A reported run is `reported`. A submitted run takes the verdict of
   its latest spot-check: `pass` -> `verified`, `fail` -> `failed`, none or
   `inconclusive` -> `submitted`.
2. Who speaks for a reported number. Only a file under `seeds/` (where maintainers put
   files) whose source's publisher is the model's organisation speaks for the makers: the
   name its record gives or, when that organisation is in the organisation registry
   (`seeds/organisations.yaml`), any of its names there, compared folded (letter case,
   look-alike letters, spaces and punctuation aside: builder/check/confusables.py).
   Another publisher's table under `seeds/` is reported by that publisher. A reported
   run under `results/` is a contributor's: shown as reported by its `submitted_by`,
   whoever it cites.
3. Which score counts, when a model has several for one benchmark. Never a `failed` run
   or a partial one (`setting.limit`). Among the rest, in order: verified, then
   submitted, then reported by the makers, then reported by other publishers, then
   reported by contributors (so a contributor's file never replaces or outranks the
   makers' number); then the benchmark's default n-shot before other settings; then the
   newest date (publication date of the source, else the date the file was added); then
   file path. The counted score is what the per-benchmark columns and rankings show.
4. Stderr: the run's own, else the binomial stderr of the value over the documents
   evaluated (`n_samples.effective`) or the benchmark's `size`.
5. Like-for-like groups. Two scores are comparable only when measured under one setting:
   a reported score's group is its source table (url and locator; a contributor's
   transcription is a group of its own); a submitted or verified run's group is the
   registry protocol it was measured under (`protocol:<protocol id>`, where a benchmark's
   default protocol has the benchmark's id: the protocol's task, metric, filter and n-shot,
   no setting note), or, for any other task, metric, filter, n-shot or setting, a group
   keyed by that setting. A score over only some of its protocol's subtasks (`partial`)
   is never used, like a partial run.
6. Standings. Every usable score (not failed, not partial) is one observation, oriented
   so that higher is better, one per model, benchmark and group. Nothing is imputed: a
   missing benchmark is missing. `builder.board.ranking.rank_models` turns them into a
   score, a rank with its 95 % interval (ties share a rank) and the evidence behind them,
   overall and per category (over the category's benchmarks only), or a reason why a
   model is not ranked; a model without any usable score is not ranked (`no-score`).
7. Per-benchmark rankings, of counted raw scores: rank = 1 + the number of models whose
   score is significantly higher (difference > 1.96 x the combined stderr); the range
   runs to the number of models minus those significantly lower.
8. Dispute: two usable scores for the same model and benchmark that differ by more than
   `DISPUTE_TOLERANCE` points.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import numpy as np

from builder.board.model import (
    DECIMALS,
    Board,
    CategoryStanding,
    Entry,
    Group,
    Model,
    OtherResult,
    Rank,
    Ranking,
    Run,
    Score,
    Source,
    Standings,
    Verdict,
)
from builder.board.ranking import Observation, Standing, rank_models
from builder.check.confusables import skeleton
from builder.check.file_rules import binomial_stderr
from builder.gc_tuning import collector_paused
from builder.load.layout import Kind
from builder.load.parsed import Parsed
from builder.load.registry import Benchmark, Registry

Z = 1.96
"""Per-benchmark rankings: two scores differ significantly when the gap exceeds Z times their combined stderr (95 %)."""

DISPUTE_TOLERANCE = 1.0
"""Points (percent) by which two sources may differ before the number is marked disputed."""

TIER = {"verified": 0, "submitted": 1, "makers": 2, "others": 3, "contributor": 4}
"""Rule 3, preference among runs for the counted score: lower wins. Submitted runs by status, reported ones by voice."""

MAINTAINERS_ROOT = "seeds/"
"""Where only maintainers put files: the one place a number can speak for a model's makers (rule 2)."""

NO_SCORE = "no-score"
"""Why a model without any usable score is not ranked (the ranking's own reasons are in builder.board.ranking)."""


def _round(x: float) -> float:
    return round(x + 0.0, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


def oriented(value: float, benchmark: Benchmark) -> float:
    """A score turned so that higher is better (rule 6): 100 - value on a lower-is-better benchmark."""
    return value if benchmark.higher_is_better else 100 - value


def run_status(kind: str, verdicts: Sequence[Verdict]) -> str:
    """Rule 1."""
    if kind == "reported":
        return "reported"
    if not verdicts:
        return "submitted"
    latest = verdicts[-1].verdict
    return {"pass": "verified", "fail": "failed"}.get(latest, "submitted")


def voice(path: str, kind: str, publisher: str | None, makers: Sequence[str]) -> str | None:
    """Rule 2: `makers`, `others` or `contributor` for a reported run at `path`; None for a submitted one.

    `makers`: the names of the model's organisation (its record's, and the registry's other names for it). They and
    the publisher compare by skeleton, so `QWEN`, `Qwen Team` and `阿里巴巴` all speak for Alibaba Qwen's models.
    """
    if kind != "reported":
        return None
    if not path.startswith(MAINTAINERS_ROOT):
        return "contributor"
    folded = _folded(publisher) if publisher is not None else ""
    return "makers" if folded and any(folded == _folded(name) for name in makers) else "others"


@cache
def _folded(name: str) -> str:
    """A name's skeleton, once per name: a board repeats a few publishers and organisations over many runs."""
    return skeleton(name)


def significance_ranks(values: Sequence[float], stderrs: Sequence[float], z: float = Z) -> list[Rank]:
    """Rule 7, for scores where higher is better."""
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

    @property
    def usable(self) -> bool:
        # A score over only some of its protocol's subtasks (`partial`) is shown, never counted, like a run with a limit.
        return self.run.status != "failed" and not self.run.partial and not self.data.get("partial")


def _verdicts(parsed: Iterable[Parsed]) -> dict[str, tuple[Verdict, ...]]:
    found: dict[str, list[Verdict]] = {}
    for doc in parsed:
        if doc.file.kind is Kind.VERIFICATION:
            data = doc.data
            run_path = f"{doc.file.folder}/{data['run']}"
            found.setdefault(run_path, []).append(Verdict(doc.file.path, data["verdict"], data["checked_on"], data["summary"]))
    return {path: tuple(sorted(v, key=lambda x: (x.checked_on, x.path))) for path, v in found.items()}


def _run(doc: Parsed, verdicts: tuple[Verdict, ...], makers: Sequence[str]) -> Run:
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
        voice=voice(doc.file.path, kind, source.publisher if source else None, makers),
        other_results=tuple(OtherResult(task, tuple((v["metric"], v["filter"], v["value"]) for v in other["values"]), other["n_shot"],
                                        other["reason"]) for task, other in sorted((data.get("other_results") or {}).items())),
    )


def _tier(run: Run) -> int:
    return TIER[run.voice] if run.voice else TIER[run.status]


def _preference(raw: _Raw) -> tuple[Any, ...]:
    """Rule 3's order: lower comes first."""
    off_default = raw.data["n_shot"] != raw.benchmark.default_n_shot
    return (_tier(raw.run), off_default, _negated(raw.run.date), raw.run.path)


def _counted_index(raws: list[_Raw]) -> int | None:
    """Rule 3: index of the score that counts, or None when none may count."""
    usable = [i for i, r in enumerate(raws) if r.usable]
    if len(usable) <= 1:
        return usable[0] if usable else None
    return min(usable, key=lambda i: _preference(raws[i]))


def _negated(date: str) -> tuple[int, ...]:
    return tuple(-int(part) for part in date.split("-"))


def _disputed(raws: list[_Raw]) -> bool:
    """Rule 8."""
    if len(raws) == 1:
        return False
    values = [r.data["value"] for r in raws if r.usable]
    return len(values) > 1 and max(values) - min(values) > DISPUTE_TOLERANCE + 1e-9


def group_of(run: Run, benchmark: Benchmark, data: Mapping[str, Any]) -> Group:
    """Rule 5: the like-for-like group of one score."""
    source = run.source
    if source is not None:
        table = f"{source.url} {source.locator}"
        if run.voice == "contributor":
            return Group(f"contributor:{run.submitted_by}:{table}", "contributor", source.title, source.url, source.locator,
                         source.publisher, run.submitted_by, None, None)
        return Group(f"source:{table}", "source", source.title, source.url, source.locator, source.publisher, None, None, None)
    task, metric, filter_name, n_shot, note = (data.get("task"), data.get("metric"), data.get("filter"), data["n_shot"],
                                               data.get("setting_note"))
    protocol = benchmark.protocol(data["protocol"]) if "protocol" in data else benchmark.protocol_for_task(task)
    if (protocol is not None and task in protocol.lm_eval_tasks and metric == protocol.metric and filter_name == protocol.filter
            and n_shot == protocol.n_shot and not note):
        # One group per registry protocol; the default protocol's key is the benchmark's id, as before protocols.
        setting = None if protocol.is_default else f"protocol={protocol.id} ({protocol.name})"
        return Group(f"protocol:{protocol.id}", "protocol", None, None, None, None, None, benchmark.id, setting)
    setting = f"task={task}, metric={metric}, filter={filter_name}, n_shot={n_shot}" + (f", setting={note}" if note else "")
    return Group(f"protocol:{benchmark.id}:{setting}", "protocol", None, None, None, None, None, benchmark.id, setting)


def _table_group(raw: _Raw, table_groups: dict[str, Group]) -> Group:
    group = group_of(raw.run, raw.benchmark, raw.data)
    if raw.run.source is not None:
        table_groups[raw.run.path] = group
    return group


def _observations(raws: list[_Raw], found: list[Group | None], groups: dict[str, Group]) -> list[Observation]:
    """Rule 6 for one model and benchmark: one observation per group it was measured in, the preferred score (rule 3's
    order) when a group has several. `found` is each raw score's group (None when not usable); `groups` collects them."""
    present = [i for i, g in enumerate(found) if g is not None]
    if len(present) > 1:
        present.sort(key=lambda i: _preference(raws[i]))
    made: dict[str, Observation] = {}
    for i in present:
        group, raw = found[i], raws[i]
        assert group is not None
        if group.key not in made:
            groups.setdefault(group.key, group)
            made[group.key] = Observation(raw.run.model_id, raw.benchmark.id, group.key, oriented(raw.data["value"], raw.benchmark))
    return list(made.values())


def _score(raw: _Raw, counts: bool, disputed: bool, group: str | None) -> Score:
    data = raw.data
    samples = data.get("n_samples")
    n = samples["effective"] if samples else None
    given = data.get("stderr")
    stderr = given if given is not None else binomial_stderr(data["value"], n or raw.benchmark.size)
    return Score(
        run_path=raw.run.path, model_id=raw.run.model_id, benchmark_id=raw.benchmark.id, value=data["value"] + 0.0,
        stderr=_round(stderr), stderr_estimated=given is None,
        n_shot=data["n_shot"], metric=data.get("metric"), filter=data.get("filter"), setting_note=data.get("setting_note"),
        task=data.get("task"), n_samples=n, status=raw.run.status, counts=counts, disputed=disputed, group=group,
        protocol=data.get("protocol"), partial=bool(data.get("partial")),
    )


def build_board(parsed: Sequence[Parsed], registry: Registry) -> Board:
    """Parsed, valid files (validate's `report.parsed`) and the registry -> the board."""
    with collector_paused():
        return _build_board(parsed, registry)


def _build_board(parsed: Sequence[Parsed], registry: Registry) -> Board:
    verdicts = _verdicts(parsed)
    records = {doc.data["id"]: doc for doc in parsed if doc.file.kind is Kind.MODEL}
    organisation_names = organisation_names_of(parsed, {doc.data["organisation"] for doc in records.values()})
    makers = {model_id: organisation_names.get(doc.data["organisation"], (doc.data["organisation"],))
              for model_id, doc in records.items()}  # rule 2: every name of each model's organisation
    runs = sorted((_run(doc, verdicts.get(doc.file.path, ()), makers.get(doc.data["model"], ()))
                   for doc in parsed if doc.file.kind is Kind.RUN), key=lambda r: r.path)
    raw_by_model: dict[str, dict[str, list[_Raw]]] = {}
    run_data = {doc.file.path: doc.data for doc in parsed if doc.file.kind is Kind.RUN}
    bench_by_id = {b.id: b for b in registry.benchmarks}
    for run in runs:
        for benchmark_id, data in run_data[run.path]["scores"].items():
            benchmark = bench_by_id.get(benchmark_id)
            if benchmark is not None and run.model_id in records:
                raw_by_model.setdefault(run.model_id, {}).setdefault(benchmark_id, []).append(_Raw(run, benchmark, data))

    scores: list[Score] = []  # ordered by (model id, benchmark id)
    groups: dict[str, Group] = {}
    observations: list[Observation] = []
    table_groups: dict[str, Group] = {}  # a reported run's group is its table's, whatever the benchmark: made once per run
    for model_id in sorted(raw_by_model):
        by_benchmark = raw_by_model[model_id]
        for benchmark_id in sorted(by_benchmark):
            raws = by_benchmark[benchmark_id]  # already in path order: runs are sorted
            found = [(table_groups.get(r.run.path) or _table_group(r, table_groups)) if r.usable else None for r in raws]
            observations.extend(_observations(raws, found, groups))
            counted, disputed = _counted_index(raws), _disputed(raws)
            made = [_score(r, i == counted, disputed, g.key if g else None) for i, (r, g) in enumerate(zip(raws, found))]
            if len(made) > 1:
                made.sort(key=lambda s: (not s.counts, s.run_path))
            scores.extend(made)

    counted_scores = {(s.model_id, s.benchmark_id): s for s in scores if s.counts}
    on_board = {b for _, b in counted_scores}
    benchmarks = tuple(b.id for b in registry.benchmarks if b.id in on_board)
    by_category: dict[str, list[str]] = {}
    for benchmark_id in benchmarks:
        by_category.setdefault(bench_by_id[benchmark_id].category, []).append(benchmark_id)  # registry order
    categories = tuple(c.id for c in registry.categories if c.id in by_category)

    rankings = rank_models(observations, {c: tuple(by_category[c]) for c in categories})
    model_ids = sorted(records)
    registered = _registered_namespaces(parsed)
    overall = _standings("overall", rankings.overall, model_ids)
    category_rankings = {c: _standings(c, rankings.subsets.get(c, {}), model_ids) for c in categories}

    disputed_of: dict[str, set[str]] = {}
    for s in scores:
        if s.disputed and s.counts:
            disputed_of.setdefault(s.model_id, set()).add(s.benchmark_id)
    covered_of: dict[str, dict[str, int]] = {}
    for model_id, benchmark_id in counted_scores:
        per = covered_of.setdefault(model_id, {})
        category = bench_by_id[benchmark_id].category
        per[category] = per.get(category, 0) + 1
    order = {s.model_id: i for i, s in enumerate(overall.ranked + overall.unranked)}
    models = sorted(
        (_model(records[model_id], overall.get(model_id), category_rankings, by_category, covered_of.get(model_id, {}),  # type: ignore[arg-type]
                tuple(sorted(disputed_of.get(model_id, ()))), makers_own(model_id, records[model_id].file.path, registered))
         for model_id in model_ids),
        key=lambda m: order[m.id],
    )

    rows_by_benchmark: dict[str, list[tuple[str, float, float, float, float]]] = {b: [] for b in benchmarks}
    for s in scores:  # in (model id, benchmark id) order
        if s.counts:
            benchmark = bench_by_id[s.benchmark_id]
            rows_by_benchmark[s.benchmark_id].append((s.model_id, s.value, s.stderr, oriented(s.value, benchmark), s.stderr))
    benchmark_rankings = {b: _ranking(b, rows_by_benchmark[b]) for b in benchmarks}

    dates = [r.date for r in runs] + [r.submitted_on for r in runs] + [v.checked_on for r in runs for v in r.verdicts]
    dates += [doc.data["release_date"] for doc in records.values() if "release_date" in doc.data]
    return Board(
        registry=registry, categories=categories, benchmarks=benchmarks, models=tuple(models), runs=tuple(runs),
        scores=tuple(scores), overall=overall, category_rankings=category_rankings, benchmark_rankings=benchmark_rankings,
        groups=dict(sorted(groups.items())), data_date=max(dates) if dates else None,
        organisation_names=organisation_names,
    )


def makers_own(model_id: str, record_path: str, registered: frozenset[str]) -> bool:
    """A model is its makers' own when it sits under a hub namespace (or API vendor id) registered to them and its
    record is where only maintainers put files. A contributor can add a record under a registered namespace (a real
    release the board lacks, or a name the makers never published: validate cannot ask the hub offline); it is listed
    with the others until the maintainers take it in under `seeds/`."""
    return model_id.split("/")[0] in registered and record_path.startswith(MAINTAINERS_ROOT)


def _registered_namespaces(parsed: Sequence[Parsed]) -> frozenset[str]:
    """Every hub namespace (and API vendor id) an organisation registered in seeds/organisations.yaml."""
    listed = next((doc.data for doc in parsed if doc.file.kind is Kind.ORGANISATIONS), None) or {}
    return frozenset(ns for entry in listed.get("organisations", []) for ns in entry["namespaces"])


def organisation_names_of(parsed: Sequence[Parsed], used: set[str]) -> dict[str, tuple[str, ...]]:
    """Each organisation name the models use -> all the names of the registered organisation it is one of."""
    listed = next((doc.data for doc in parsed if doc.file.kind is Kind.ORGANISATIONS), None)
    if not listed:
        return {}
    names: dict[str, tuple[str, ...]] = {}
    for entry in listed.get("organisations", []):
        known = tuple(dict.fromkeys((entry["name"], entry["name_zh"], *entry.get("other_names", ()))))
        for name in known:
            if name in used:
                names.setdefault(name, known)
    return dict(sorted(names.items()))


def unscored(model_id: str) -> Standing:
    """The standing of a model without any usable score in the scope: not ranked, no evidence."""
    return Standing(model_id=model_id, score=None, score_low=None, score_high=None, rank=None, benchmarks=0, comparisons=0,
                    groups=(), unranked=NO_SCORE)


def _rounded(standing: Standing) -> Standing:
    return replace(standing, **{k: None if getattr(standing, k) is None else _round(getattr(standing, k))
                                for k in ("score", "score_low", "score_high")})


def _standings(key: str, found: Mapping[str, Standing], model_ids: Sequence[str]) -> Standings:
    """Every model of the board, ranked or with its reason: ranked ones by rank, then score (higher first), then id."""
    every = [_rounded(found[m]) if m in found else unscored(m) for m in model_ids]
    ranked = sorted((s for s in every if s.rank is not None and s.unranked is None),
                    key=lambda s: (s.rank.best, -(s.score or 0.0), s.model_id))  # type: ignore[union-attr]
    unranked = tuple(s for s in every if s.rank is None or s.unranked is not None)
    return Standings(key, tuple(ranked), unranked)


def _ranking(key: str, rows: list[tuple[str, float, float, float, float]]) -> Ranking:
    """rows: (model id, shown value, shown stderr, value to rank on (higher is better), its stderr)."""
    ranks = significance_ranks([r[3] for r in rows], [r[4] for r in rows])
    entries = [Entry(r[0], r[1], r[2], rank) for r, rank in zip(rows, ranks)]
    keyed = sorted(zip(entries, rows), key=lambda er: (er[0].rank.best, -er[1][3], er[0].model_id))
    return Ranking(key, tuple(e for e, _ in keyed))


def _model(record: Parsed, standing: Standing, category_rankings: Mapping[str, Standings], by_category: Mapping[str, list[str]],
           covered: Mapping[str, int], disputed: tuple[str, ...], makers_own: bool = False) -> Model:
    data = record.data
    model_id = data["id"]
    per_category = tuple(
        CategoryStanding(c, ranking.get(model_id) or unscored(model_id), covered.get(c, 0), len(by_category[c]))
        for c, ranking in category_rankings.items()
    )
    params = data.get("parameters") or {}
    return Model(
        id=model_id, name=data["name"], organisation=data["organisation"], model_type=data["model_type"],
        open_weights=data["open_weights"], license=data["license"], release_date=data.get("release_date"),
        parameters=params.get("total_billions"), active_parameters=params.get("active_billions"),
        architecture=data.get("architecture"), revision=data.get("revision"), base_model=data.get("base_model"),
        languages=tuple(data.get("languages") or ()), links=tuple((link["label"], link["url"]) for link in data.get("links") or ()),
        record_path=record.file.path, standing=standing, covered=sum(covered.values()), categories=per_category,
        disputed=tuple(disputed), makers_own=makers_own,
    )
