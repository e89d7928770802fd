"""The board: what the site shows, as frozen values. Built by `builder.board.aggregate`, read by `builder.render`.

Every number keeps the file it came from (`run_path`), so the site can link each cell
to its origin. Computed numbers (standing scores and their intervals, stderrs) are
rounded once, in `builder.board.aggregate`, to `DECIMALS` places: the tables and the
downloads show the same values.

Categories and benchmarks are separate namespaces (the category `math` and the
benchmark `math` may share an id): the board keeps the overall standings, each
category's standings and each benchmark's ranking in separate fields, never in one
mapping keyed by id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from builder.load.registry import Registry

if TYPE_CHECKING:  # builder.board.ranking imports Rank from here
    from builder.board.ranking import Standing

DECIMALS = 2
"""Decimal places of computed numbers (standing scores and their intervals, stderrs)."""


@dataclass(frozen=True)
class Source:
    """Where a reported run's numbers were published."""

    title: str
    url: str
    """An http(s) address (the schema refuses anything else)."""
    locator: str
    """Table or section in the source."""
    publisher: str
    published_on: str | None


@dataclass(frozen=True)
class Verdict:
    """One spot-check of a submitted run."""

    path: str
    verdict: str
    """`pass`, `fail` or `inconclusive`."""
    checked_on: str
    summary: str


@dataclass(frozen=True)
class OtherResult:
    """A run's result for an lm-eval task outside the board's benchmarks (`other_results`): shown, never ranked."""

    task: str
    values: tuple[tuple[str, str, float], ...]
    """(metric, filter, value as lm-eval printed it)."""
    n_shot: int | None
    reason: str
    """Why it is not on the board, and how to put it there."""


@dataclass(frozen=True)
class Run:
    """One run file: a published source's numbers or a contributor's lm-eval run."""

    path: str
    """Repository-relative path of the run file."""
    model_id: str
    kind: str
    """`reported` or `submitted`."""
    status: str
    """`reported`, `submitted`, `verified` (a spot-check passed) or `failed` (a spot-check failed)."""
    source: Source | None
    """For reported runs."""
    submitted_by: str
    submitted_on: str
    harness: str | None
    harness_version: str | None
    command: str | None
    notes: str | None
    partial: bool
    """Submitted with lm-eval's `--limit`: shown, never counted."""
    evidence_path: str | None
    verdicts: tuple[Verdict, ...]
    """Spot-checks, oldest first."""
    date: str
    """The source's publication date when known, else the date the file was added."""
    voice: str | None = None
    """Who speaks for a reported run's numbers: `makers` (a file under seeds/, where only maintainers put
    files, whose publisher is the model's organisation), `others` (under seeds/, another publisher) or
    `contributor` (a reported run under results/: the contributor who added it, whoever they cite).
    None for submitted runs."""
    other_results: tuple[OtherResult, ...] = ()
    """Results outside the board's benchmarks, in task order."""

    @property
    def reported_by(self) -> str | None:
        """The name a reported number is attributed to: the publisher, or the contributor for a file under results/."""
        if self.source is None:
            return None
        return self.submitted_by if self.voice == "contributor" else self.source.publisher


_NOT_STATED = {
    (n, m, f): tuple(name for name, missing in (("n_shot", n), ("metric", m), ("filter", f)) if missing)
    for n in (False, True) for m in (False, True) for f in (False, True)
}
"""Which of n-shot, metric and filter a score leaves out, by (n-shot missing, metric missing, filter missing): made once."""


@dataclass(frozen=True)
class Score:
    """One benchmark score of one run, as the run file gives it."""

    run_path: str
    model_id: str
    benchmark_id: str
    value: float
    """Percent, as given."""
    stderr: float
    """The run's stderr, or the binomial estimate (see `stderr_estimated`); rounded."""
    stderr_estimated: bool
    n_shot: int | None
    """None when the source does not state it ("not stated"); never filled from the registry."""
    metric: str | None
    """As the run file states it; None when it does not ("not stated"), never the registry's default."""
    filter: str | None
    """As the run file states it; None when it does not."""
    setting_note: str | None
    task: str | None
    n_samples: int | None
    """Documents evaluated, when the run says."""
    status: str
    """The run's status (`reported`, `submitted`, `verified`, `failed`)."""
    counts: bool
    """True for the one score per model and benchmark that the board uses."""
    disputed: bool
    """Another source's number for this model and benchmark differs by more than the tolerance."""
    group: str | None = None
    """The like-for-like group the score is compared in (`Board.groups`); None when it is not used (failed, partial)."""
    protocol: str | None = None
    """The registry protocol it was measured under, when the run file names it."""
    partial: bool = False
    """Only some of its protocol's subtasks were evaluated: shown, never counted."""

    @property
    def not_stated(self) -> tuple[str, ...]:
        """The setting fields the run file leaves out: shown as "not stated", in the downloads as null + this list."""
        return _NOT_STATED[(self.n_shot is None, self.metric is None, self.filter is None)]


@dataclass(frozen=True)
class Group:
    """A like-for-like group: scores measured under one setting, the only ones the ranking compares."""

    key: str
    """`source:<url> <locator>` (one source table), `contributor:<user>:<url> <locator>` (a contributor's
    transcription of one), `protocol:<protocol id>` (a registry protocol; a benchmark's default protocol has its id) or
    `protocol:<benchmark>:<setting>`."""
    kind: str
    """`source`, `contributor` or `protocol`."""
    title: str | None
    """The source's title (source and contributor groups)."""
    url: str | None
    locator: str | None
    publisher: str | None
    contributor: str | None
    """Who added a contributor group's file (`submitted_by`)."""
    benchmark: str | None
    """The benchmark of a protocol group."""
    setting: str | None
    """A protocol group's setting when it is not the registry's (`task=..., metric=..., filter=..., n_shot=...`)."""


@dataclass(frozen=True)
class Rank:
    """A rank that admits ties. In a standing: `best` is the rank shown (ties share it) and [`best`, `worst`] its
    95 % interval. In a benchmark's ranking: `best` = 1 + models significantly better, `worst` = models - models
    significantly worse."""

    best: int
    worst: int


@dataclass(frozen=True)
class Entry:
    """One model in one benchmark's ranking of counted raw scores."""

    model_id: str
    value: float
    stderr: float
    rank: Rank


@dataclass(frozen=True)
class Ranking:
    """One benchmark's ranking of counted raw scores, best first; ties broken by model id for display only."""

    key: str
    """The benchmark id."""
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Standings:
    """A like-for-like ranking (overall, or one category): ranked models best first (rank, then score, then id),
    then the models that are not ranked, by id, each with its reason."""

    key: str
    """`overall` or the category id."""
    ranked: tuple[Standing, ...]
    unranked: tuple[Standing, ...]

    def get(self, model_id: str) -> Standing | None:
        return self._by_model.get(model_id)  # type: ignore[attr-defined, no-any-return]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_model", {s.model_id: s for s in self.ranked + self.unranked})


@dataclass(frozen=True)
class CategoryStanding:
    """A model's standing in one category, with how many of the category's benchmarks it has."""

    category_id: str
    standing: Standing
    covered: int
    """Benchmarks of the category this model has a counted score for."""
    total: int
    """Benchmarks of the category on the board."""


@dataclass(frozen=True)
class Model:
    """A model record with its board figures."""

    id: str
    name: str
    organisation: str
    model_type: str
    open_weights: bool
    license: str
    release_date: str | None
    """None when the source does not say (imported records)."""
    parameters: float | None
    """Total parameters in billions."""
    active_parameters: float | None
    architecture: str | None
    revision: str | None
    base_model: str | None
    languages: tuple[str, ...]
    links: tuple[tuple[str, str], ...]
    """(label, http(s) url)."""
    record_path: str
    standing: Standing
    """The overall like-for-like standing: score, rank and their intervals, the evidence, or why it is not ranked."""
    covered: int
    """Benchmarks with a counted score."""
    categories: tuple[CategoryStanding, ...]
    """In the board's category order."""
    disputed: tuple[str, ...]
    """Benchmark ids with a dispute."""
    makers_own: bool = False
    """Published under a hub namespace (or API vendor id) that its organisation registered in seeds/organisations.yaml,
    with its record under seeds/: the makers' own model, not a fine-tune, merge or copy by someone else
    (builder.board.aggregate.makers_own)."""

    @property
    def rank(self) -> Rank | None:
        """The overall rank; None when the model is not ranked."""
        return self.standing.rank

    def category(self, category_id: str) -> CategoryStanding | None:
        for standing in self.categories:
            if standing.category_id == category_id:
                return standing
        return None


@dataclass(frozen=True)
class Board:
    registry: Registry
    categories: tuple[str, ...]
    """Category ids that have at least one benchmark on the board, in registry order."""
    benchmarks: tuple[str, ...]
    """Benchmark ids with at least one counted score, in registry order."""
    models: tuple[Model, ...]
    """Overall order: the ranked models as `overall.ranked`, then the models that are not ranked, by id."""
    runs: tuple[Run, ...]
    """Sorted by path."""
    scores: tuple[Score, ...]
    """Sorted by model, benchmark, counted first, then run path."""
    overall: Standings
    """The overall like-for-like ranking."""
    category_rankings: Mapping[str, Standings] = field(default_factory=dict)
    """Category id -> its like-for-like ranking, over the category's benchmarks only."""
    benchmark_rankings: Mapping[str, Ranking] = field(default_factory=dict)
    """Benchmark id -> its ranking of counted raw scores."""
    groups: Mapping[str, Group] = field(default_factory=dict)
    """Group key -> the like-for-like group (source table or protocol) it names."""
    data_date: str | None = None
    """The latest date in the data (a run added, a source published, a check): a stable build date."""
    organisation_names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """An organisation's name as models give it -> every name it is known by (English, Chinese, others;
    seeds/organisations.yaml), so that a search for "Alibaba" or "阿里巴巴" finds Qwen's models."""

    def model(self, model_id: str) -> Model:
        return self._models[model_id]

    def run(self, path: str) -> Run:
        return self._runs[path]

    def scores_of(self, model_id: str) -> tuple[Score, ...]:
        return self._scores_by_model.get(model_id, ())

    def scores_on(self, benchmark_id: str) -> tuple[Score, ...]:
        return self._scores_by_benchmark.get(benchmark_id, ())

    def counted(self, model_id: str, benchmark_id: str) -> Score | None:
        return self._counted.get((model_id, benchmark_id))

    def __post_init__(self) -> None:
        by_model: dict[str, list[Score]] = {}
        by_benchmark: dict[str, list[Score]] = {}
        for score in self.scores:
            by_model.setdefault(score.model_id, []).append(score)
            by_benchmark.setdefault(score.benchmark_id, []).append(score)
        object.__setattr__(self, "_models", {m.id: m for m in self.models})
        object.__setattr__(self, "_runs", {r.path: r for r in self.runs})
        object.__setattr__(self, "_scores_by_model", {k: tuple(v) for k, v in by_model.items()})
        object.__setattr__(self, "_scores_by_benchmark", {k: tuple(v) for k, v in by_benchmark.items()})
        object.__setattr__(self, "_counted", {(s.model_id, s.benchmark_id): s for s in self.scores if s.counts})
