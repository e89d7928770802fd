"""The board: what the site shows, as frozen values. Built by `builder.board.aggregate`, read by `builder.render`.

Every number keeps the file it came from (`run_path`), so the site can link each cell
to its origin. Computed numbers (normalised scores, category scores, averages) are
rounded once, here, to `DECIMALS` places: the tables and the downloads show the same
values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from builder.load.registry import Registry

DECIMALS = 2
"""Decimal places of computed numbers (normalised scores, category scores, averages, stderrs)."""


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


@dataclass(frozen=True)
class Score:
    """One benchmark score of one run, as the run file gives it."""

    run_path: str
    model_id: str
    benchmark_id: str
    value: float
    """Percent, as given."""
    normalised: float
    """(value - random baseline) / (100 - baseline) * 100, clipped at 0; rounded."""
    stderr: float
    """The run's stderr, or the binomial estimate (see `stderr_estimated`); rounded."""
    stderr_estimated: bool
    n_shot: int | None
    metric: str | None
    filter: str | None
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


@dataclass(frozen=True)
class CategoryScore:
    category_id: str
    value: float
    """Mean normalised score over the category's benchmarks on the board, a missing one counting as 0."""
    stderr: float
    covered: int
    """Benchmarks of the category this model has a score for."""
    total: int
    """Benchmarks of the category on the board."""


@dataclass(frozen=True)
class Rank:
    """A rank that admits ties: `best` = 1 + models significantly better, `worst` = models - models significantly worse."""

    best: int
    worst: int


@dataclass(frozen=True)
class Entry:
    """One model in a ranking (overall, one category or one benchmark)."""

    model_id: str
    value: float
    stderr: float
    rank: Rank


@dataclass(frozen=True)
class Ranking:
    """A ranking, best first; ties broken by model id for display only."""

    key: str
    """`overall`, a category id or a benchmark id."""
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Model:
    """A model record with its board figures."""

    id: str
    name: str
    organisation: str
    model_type: str
    open_weights: bool
    license: str
    release_date: str
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
    average: float | None
    """None when the model has no counted score."""
    average_stderr: float | None
    rank: Rank | None
    covered: int
    """Benchmarks with a counted score."""
    categories: tuple[CategoryScore, ...]
    """In the board's category order."""
    disputed: tuple[str, ...]
    """Benchmark ids with a dispute."""

    def category(self, category_id: str) -> CategoryScore | None:
        for score in self.categories:
            if score.category_id == category_id:
                return score
        return None


@dataclass(frozen=True)
class Board:
    registry: Registry
    categories: tuple[str, ...]
    """Category ids that have at least one benchmark on the board, in registry order."""
    benchmarks: tuple[str, ...]
    """Benchmark ids with at least one counted score, in registry order."""
    models: tuple[Model, ...]
    """Overall ranking order: best rank, then average (higher first), then id."""
    runs: tuple[Run, ...]
    """Sorted by path."""
    scores: tuple[Score, ...]
    """Sorted by model, benchmark, counted first, then run path."""
    rankings: dict[str, Ranking] = field(default_factory=dict)
    """`overall`, each category id and each benchmark id."""
    data_date: str | None = None
    """The latest date in the data (a run added, a source published, a check): a stable build date."""

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
