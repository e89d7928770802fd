"""The overall ranking: like-for-like comparisons only, nothing imputed. Pure, no I/O.

The method (docs/methodology.md says the same in words; tests/test_ranking.py pins it):

1. A *comparison* is two models measured on the same benchmark in the same group: one source
   table for reported numbers, the board's protocol for submitted and verified runs. A group
   with a single model compares nothing and is set aside.
2. Per benchmark, value = model effect + group offset, fitted by least squares over all
   groups at once (`ranking_fit`). Groups are placed relative to each other only through
   the models they share; each connected set of groups and models (a *unit*) has its own
   scale origin.
3. The model effects become z-scores: minus their unit's mean, divided by the benchmark's
   standard deviation (pooled over its units), so that every benchmark weighs the same
   whatever its spread.
4. A model's score is the sum of its z-scores, less each benchmark's offset, divided by
   (benchmarks + lambda): the mean z-score, shrunk towards 0 (the average model) when a
   model has few benchmarks. Lambda is estimated from the data (noise within models over
   spread between them). The offsets put benchmarks measured on stronger or weaker sets of
   models on one scale (`View.benchmark_offsets`); 0 when every model has every benchmark.
5. Intervals: a bootstrap over benchmarks gives each score a 95 % interval
   (`ranking_intervals`). Shown rank = 1 + the models whose `RANK_LEVEL` interval lies
   wholly above this one's; the worst rank = models - those wholly below. Ties stay ties.
6. Dominance: no model is shown below one it beats in every comparison they share, when
   they share at least 3 (`ranking_dominance`); where the estimate would, the two are tied.
7. A model is not ranked, with a reason, when it has no comparison at all, when its
   comparisons don't connect it to the main body of models, or when it has fewer than
   `min_comparisons`. A missing benchmark is missing: never 0, never a guess.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from builder.board.model import Rank
from builder.board.ranking_dominance import enforce_dominance
from builder.board.ranking_fit import DEFAULT_NOISE, Fit, Noise, fit_benchmarks
from builder.board.ranking_intervals import bootstrap_scores, interval_ranks, score_intervals

REPLICATES = 400
"""Bootstrap replicates behind every interval."""

RANK_LEVEL = 84.0
"""Percent level of the score intervals whose overlap decides ties: two 84 % intervals that don't
overlap mark a difference significant at about 5 % (Goldstein and Healy 1995). With 95 % intervals
(a test at about 0.5 %) ties grow and the rank intervals hold the truth 99.8 % of the time in
bench/bench_ranking.py, far above the 95 % they claim; at 84 %, about 97 %."""

MIN_COMPARISONS = 3
"""A model with fewer like-for-like comparisons than this is not ranked."""

NO_EVIDENCE = "no-comparable-evidence"
NOT_CONNECTED = "not-connected"
TOO_FEW = "too-few-comparisons"
REASONS = (NO_EVIDENCE, NOT_CONNECTED, TOO_FEW)


@dataclass(frozen=True)
class Observation:
    """One number that may enter the ranking."""

    model_id: str
    benchmark_id: str
    group: str
    """The comparable setting: one source table (reported numbers) or the board's protocol for the
    benchmark (submitted and verified runs). Only observations with the same (benchmark_id, group)
    are compared."""
    value: float
    """Percent scale, oriented so that higher is better."""


@dataclass(frozen=True)
class Standing:
    """A model's place in one ranking."""

    model_id: str
    score: float | None
    """Mean z-score of the model's per-benchmark effects (each benchmark's effects standardised
    to mean 0 and standard deviation 1), shrunk towards 0 for models with few benchmarks:
    sum / (benchmarks + lambda). 0 is an average model, +1 one standard deviation above it.
    None when not ranked."""
    score_low: float | None
    """Lower end of the score's 95 % bootstrap interval."""
    score_high: float | None
    """Upper end of the score's 95 % bootstrap interval."""
    rank: Rank | None
    """`best` = the rank shown: 1 + models whose interval lies wholly above this one's (raised to
    tie with any model it dominates); [best, worst] = the 95 % rank interval. None when not ranked."""
    benchmarks: int
    """Benchmarks that contributed."""
    comparisons: int
    """Like-for-like comparisons behind it: for each of its numbers, the other models in the same
    benchmark and group."""
    groups: tuple[str, ...]
    """The comparable groups (source tables, protocols) behind it, sorted."""
    unranked: str | None
    """None when ranked, else `no-comparable-evidence`, `not-connected` or `too-few-comparisons`."""


@dataclass(frozen=True)
class Rankings:
    overall: dict[str, Standing]
    """Every model that appears in the observations."""
    subsets: dict[str, dict[str, Standing]]
    """Per subset key (e.g. a category): the same method restricted to its benchmarks; every model
    with an observation on one of them."""


def rank_models(
    observations: Sequence[Observation],
    subsets: Mapping[str, Collection[str]] | None = None,
    *,
    replicates: int = REPLICATES,
    seed: int = 0,
    min_comparisons: int = MIN_COMPARISONS,
    offsets: bool = True,
) -> Rankings:
    """Rank models on like-for-like evidence; `subsets` maps a key to the benchmark ids it covers.

    The same input in any order gives the same output. Per-benchmark fits are made once and
    shared by the overall ranking and every subset. `offsets=False` leaves out the benchmark
    offsets (step 4), for bench/bench_ranking.py to measure what they do.
    """
    if replicates < 1:
        raise ValueError(f"replicates must be at least 1, got {replicates}")
    fit = fit_benchmarks(observations)
    overall, noise = _rank_on(fit, None, replicates, seed, min_comparisons, DEFAULT_NOISE, offsets)
    by_subset: dict[str, dict[str, Standing]] = {}
    for key in sorted(subsets or {}):
        wanted = frozenset((subsets or {})[key])
        by_subset[key], _ = _rank_on(fit, wanted, replicates, seed, min_comparisons, noise, offsets)
    return Rankings(overall, by_subset)


def _rank_on(
    fit: Fit, benchmarks: frozenset[str] | None, replicates: int, seed: int, min_comparisons: int, fallback: Noise,
    with_offsets: bool,
) -> tuple[dict[str, Standing], Noise]:
    """One ranking over the benchmarks given (None: all), and the noise used; `fallback` where it can't be estimated."""
    view = fit.restricted(benchmarks)
    n_models = len(fit.models)
    present = view.models_present()
    comparisons = view.comparisons_per_model()
    benchmark_counts = view.benchmarks_per_model()
    component = view.model_components()
    main = _main_component(component, comparisons)

    reasons: list[str | None] = [None] * n_models
    for m in range(n_models):
        if comparisons[m] == 0:
            reasons[m] = NO_EVIDENCE
        elif component[m] != main:
            reasons[m] = NOT_CONNECTED
        elif comparisons[m] < min_comparisons:
            reasons[m] = TOO_FEW
    ranked = np.array([present[m] and reasons[m] is None for m in range(n_models)], dtype=bool)
    ranked_idx = np.flatnonzero(ranked)

    z_sum, z_count, estimated = view.scores_inputs(ranked)
    offsets = view.benchmark_offsets(ranked, (estimated or fallback).lam) if with_offsets else None
    z_sum, z_count, estimated = view.scores_inputs(ranked, offsets)
    noise = estimated or fallback
    scores = np.zeros(n_models)
    scores[ranked_idx] = z_sum[ranked_idx] / (z_count[ranked_idx] + noise.lam)
    low = np.zeros(n_models)
    high = np.zeros(n_models)
    best = np.zeros(n_models, dtype=np.int64)
    worst = np.zeros(n_models, dtype=np.int64)
    if len(ranked_idx):
        sample = bootstrap_scores(view, ranked_idx, noise.lam, replicates, seed, offsets)
        point, count = scores[ranked_idx], z_count[ranked_idx]
        (lo, hi), (rank_lo, rank_hi) = score_intervals(sample, point, count, noise, (95.0, RANK_LEVEL))
        b, w = interval_ranks(rank_lo, rank_hi)
        b = enforce_dominance(view, ranked_idx, b)
        low[ranked_idx], high[ranked_idx] = lo, hi
        best[ranked_idx], worst[ranked_idx] = b, np.maximum(w, b)

    groups = view.groups_per_model()
    standings: dict[str, Standing] = {}
    for m in range(n_models):
        if not present[m]:
            continue
        model_id = fit.models[m]
        if ranked[m]:
            standings[model_id] = Standing(
                model_id, _clean(scores[m]), _clean(low[m]), _clean(high[m]), Rank(int(best[m]), int(worst[m])),
                int(benchmark_counts[m]), int(comparisons[m]), groups[m], None,
            )
        else:
            standings[model_id] = Standing(model_id, None, None, None, None, int(benchmark_counts[m]), int(comparisons[m]), groups[m], reasons[m])
    return standings, noise


def _main_component(component: np.ndarray, comparisons: np.ndarray) -> int:
    """The component with the most models that have a comparison; ties go to the one holding the first model."""
    labels = component[comparisons > 0]
    if len(labels) == 0:
        return -1
    counts = np.bincount(labels)
    largest = np.flatnonzero(counts == counts.max())
    first_index = {label: int(np.flatnonzero(component == label)[0]) for label in largest.tolist()}
    return min(first_index, key=first_index.__getitem__)


def _clean(x: float) -> float:
    """Round away float noise from summation order, so permuted input gives identical output."""
    value = round(float(x), 9) + 0.0
    return 0.0 if math.isclose(value, 0.0, abs_tol=1e-12) else value
