"""Uncertainty of the ranking: bootstrap scores and the ranks their intervals allow."""

from __future__ import annotations

from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix

if TYPE_CHECKING:
    from builder.board.ranking_fit import Noise, View


def bootstrap_scores(view: View, ranked_idx: np.ndarray, lam: float, replicates: int, seed: int, offsets: np.ndarray | None = None) -> np.ndarray:
    """Scores of the ranked models (rows, in `ranked_idx` order) in each replicate (columns).

    A replicate draws the view's benchmarks with replacement (a model keeps the z-scores of the
    benchmarks drawn, as often as drawn) and recomputes every score as sum / (count + lambda);
    a model whose benchmarks are all left out falls to the prior, 0. The same draws serve every
    model, so what benchmarks share across models stays shared, and two models with the same
    evidence get the same replicates.
    """
    ranked = np.zeros(len(view.fit.models), dtype=bool)
    ranked[ranked_idx] = True
    model, bench, z = view.mb_arrays(ranked, offsets)
    row_of = np.full(len(view.fit.models), -1, dtype=np.int64)
    row_of[ranked_idx] = np.arange(len(ranked_idx))
    benches, col = np.unique(bench, return_inverse=True)
    shape = (len(ranked_idx), len(benches))
    z_matrix = csr_matrix((z, (row_of[model], col)), shape=shape)
    has = csr_matrix((np.ones(len(z)), (row_of[model], col)), shape=shape)
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(len(benches), np.full(len(benches), 1.0 / len(benches)), size=replicates).T.astype(float)
    numerator = np.asarray(z_matrix @ weights)
    denominator = np.asarray(has @ weights) + lam
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), 0.0)


def score_intervals(
    sample: np.ndarray, score: np.ndarray, count: np.ndarray, noise: Noise, levels: tuple[float, ...],
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per level (percent), each score's interval: the bootstrap's percentile interval, widened where it is too narrow.

    Drawing benchmarks shows almost no spread for a model with one or two benchmarks: a single
    number always agrees with itself. Its score still carries the noise of one benchmark, so
    each half of the interval is widened (in quadrature) by the missing part of the posterior
    variance, sigma^2 / (benchmarks + lambda) less the bootstrap's own variance.
    """
    points = np.percentile(sample, [q for level in levels for q in (50 - level / 2, 50 + level / 2)], axis=1)
    missing = np.maximum(noise.sigma2 / (count + noise.lam) - sample.var(axis=1), 0.0)
    intervals = []
    for i, level in enumerate(levels):
        low, high = points[2 * i], points[2 * i + 1]
        extra = (NormalDist().inv_cdf(0.5 + level / 200) ** 2) * missing
        below = np.sqrt(np.maximum(score - low, 0.0) ** 2 + extra)
        above = np.sqrt(np.maximum(high - score, 0.0) ** 2 + extra)
        intervals.append((score - below, score + above))
    return intervals


def interval_ranks(low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(best, worst) per model: best = 1 + models whose whole interval lies above this one's;
    worst = models - those whose whole interval lies below. O(n log n)."""
    n = len(low)
    above = n - np.searchsorted(np.sort(low), high, side="right")  # low_j > high_i
    below = np.searchsorted(np.sort(high), low, side="left")  # high_j < low_i
    return (1 + above).astype(np.int64), (n - below).astype(np.int64)
