"""Per-benchmark fits for the ranking: value = model effect + group offset, then z-scores.

Fitted once for all benchmarks; `Fit.restricted` gives the view of a subset of benchmarks
(a category) without refitting, since every fit is per benchmark.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import coo_matrix, csc_matrix, csr_matrix, diags
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import LinearOperator, cg, spsolve

if TYPE_CHECKING:
    from builder.board.ranking import Observation

LAMBDA_MAX = 10.0
"""Upper bound of the shrinkage constant: beyond it every score would be pulled to 0 and the order set by coverage."""


@dataclass(frozen=True)
class Fit:
    """Every benchmark fitted. Arrays are aligned on the index they name; all sorted, so the result never depends on input order."""

    models: tuple[str, ...]
    benchmarks: tuple[str, ...]
    cell_bench: np.ndarray
    """Per cell (one benchmark and group): its benchmark index."""
    cell_group: np.ndarray
    """Per cell: its group's index in `groups`."""
    groups: tuple[str, ...]
    """Distinct group names, sorted."""
    cell_size: np.ndarray
    """Per cell: models in it."""
    obs_model: np.ndarray
    """Per observation (one per model and cell, duplicates averaged)."""
    obs_cell: np.ndarray
    obs_value: np.ndarray
    mb_model: np.ndarray
    """Per (model, benchmark) with at least one comparison: the model."""
    mb_bench: np.ndarray
    mb_z: np.ndarray
    """Its z-score: effect minus its unit's mean, over the benchmark's pooled standard deviation."""

    def restricted(self, benchmarks: frozenset[str] | None) -> View:
        if benchmarks is None:
            bench_mask = np.ones(len(self.benchmarks), dtype=bool)
        else:
            bench_mask = np.array([b in benchmarks for b in self.benchmarks], dtype=bool)
        return View(self, bench_mask)


@dataclass(frozen=True)
class View:
    """A fit seen through a set of benchmarks."""

    fit: Fit
    bench_mask: np.ndarray

    @property
    def _obs(self) -> np.ndarray:
        return self.bench_mask[self.fit.cell_bench[self.fit.obs_cell]]

    @property
    def compared(self) -> np.ndarray:
        """Observations that share their cell with another model, on these benchmarks."""
        return self._obs & (self.fit.cell_size[self.fit.obs_cell] >= 2)

    @property
    def _mb(self) -> np.ndarray:
        return self.bench_mask[self.fit.mb_bench]

    def models_present(self) -> np.ndarray:
        present = np.zeros(len(self.fit.models), dtype=bool)
        present[self.fit.obs_model[self._obs]] = True
        return present

    def comparisons_per_model(self) -> np.ndarray:
        keep = self.compared
        others = self.fit.cell_size[self.fit.obs_cell[keep]] - 1
        return np.bincount(self.fit.obs_model[keep], weights=others, minlength=len(self.fit.models)).astype(np.int64)

    def benchmarks_per_model(self) -> np.ndarray:
        return np.bincount(self.fit.mb_model[self._mb], minlength=len(self.fit.models)).astype(np.int64)

    def groups_per_model(self) -> list[tuple[str, ...]]:
        """Sorted group names behind each model's comparisons."""
        keep = self.compared
        n_groups = len(self.fit.groups)
        pairs = np.unique(self.fit.obs_model[keep] * n_groups + self.fit.cell_group[self.fit.obs_cell[keep]])
        model, group = (pairs // n_groups).tolist(), (pairs % n_groups).tolist()
        found: list[list[str]] = [[] for _ in self.fit.models]
        names = self.fit.groups
        for m, g in zip(model, group):
            found[m].append(names[g])
        return [tuple(g) for g in found]

    def model_components(self) -> np.ndarray:
        """Connected components of models linked by shared cells (models first in the node order)."""
        n_models = len(self.fit.models)
        keep = self.compared
        rows = self.fit.obs_model[keep]
        cols = n_models + self.fit.obs_cell[keep]
        size = n_models + len(self.fit.cell_size)
        graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(size, size))
        _, labels = connected_components(graph, directed=False)
        return labels[:n_models]

    def mb_arrays(self, ranked: np.ndarray, offsets: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(model, benchmark, z) of the ranked models' benchmarks in this view; z less its benchmark's offset, if given."""
        keep = self._mb & ranked[self.fit.mb_model]
        model, bench, z = self.fit.mb_model[keep], self.fit.mb_bench[keep], self.fit.mb_z[keep]
        return model, bench, z if offsets is None else z - offsets[bench]

    def benchmark_offsets(self, ranked: np.ndarray, lam: float) -> np.ndarray:
        """Per benchmark (index into `Fit.benchmarks`): how far its z-scores sit above the common scale.

        A benchmark's z-scores are relative to the models measured on it. Where one is measured only
        on strong models (a lab's table of frontier models) an average z there means "as good as
        those", not "average": read as is, it would pull those models towards 0 against models
        measured only on broad benchmarks. The fit z = score + offset, with scores shrunk as in
        `scores_inputs` and offsets free, puts every benchmark on one scale through the models
        measured on several; with the same models on every benchmark the offsets are 0.
        The offsets are shrunk towards 0 with the same lambda as the scores.
        """
        model, bench, z = self.mb_arrays(ranked)
        offsets = np.zeros(len(self.fit.benchmarks))
        if len(z) == 0:
            return offsets
        n_models = len(self.fit.models)
        benches, col = np.unique(bench, return_inverse=True)
        incidence = csr_matrix((np.ones(len(z)), (model, col)), shape=(n_models, len(benches)))
        shrink = 1.0 / (np.bincount(model, minlength=n_models) + lam)
        z_sum = np.bincount(model, weights=z, minlength=n_models)
        # Score_m = (sum_b (z_mb - offset_b)) * shrink_m; each offset is its benchmark's residuals summed over (N_b + lam):
        # shrunk towards 0 like the scores, so that a benchmark with a handful of models can't move much. Eliminating the
        # scores leaves (diag(N_b + lam) - H' D H) offset = column sums of z - H' (D z_sum), positive definite for lam > 0.
        matrix = np.diag(np.asarray(incidence.sum(axis=0)).ravel() + lam) - (incidence.T @ diags(shrink) @ incidence).toarray()
        rhs = np.bincount(col, weights=z, minlength=len(benches)) - incidence.T @ (shrink * z_sum)
        offsets[benches] = np.linalg.solve(matrix, rhs)
        return offsets

    def scores_inputs(self, ranked: np.ndarray, offsets: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, Noise | None]:
        """Per model: sum of z-scores and number of benchmarks; and the noise these z-scores show (None: too few to tell)."""
        model, _, z = self.mb_arrays(ranked, offsets)
        n = len(self.fit.models)
        z_sum = np.bincount(model, weights=z, minlength=n)
        z_count = np.bincount(model, minlength=n).astype(float)
        return z_sum, z_count, estimate_noise(model, z, z_sum, z_count)


@dataclass(frozen=True)
class Noise:
    """How far one benchmark's z-score strays from a model's true score, against how far true scores spread."""

    sigma2: float
    """Variance of a model's z-scores around its own mean (model x benchmark interaction and measurement noise)."""
    lam: float
    """Shrinkage constant sigma^2 / tau^2, tau^2 being the variance of true scores between models."""


DEFAULT_NOISE = Noise(sigma2=1.0, lam=1.0)
"""Where the data are too few to estimate the noise: one benchmark tells as much about a model as the prior does."""

MIN_DOF = 5
"""Residual degrees of freedom needed to estimate the noise."""


def estimate_noise(model: np.ndarray, z: np.ndarray, z_sum: np.ndarray, z_count: np.ndarray) -> Noise | None:
    """Empirical Bayes: z = true score + noise (variance sigma^2), true scores spread with variance tau^2.

    A model's mean z-score over k benchmarks then has noise variance sigma^2 / k, and the posterior
    mean of its true score is sum / (k + sigma^2 / tau^2).
    """
    mean = np.where(z_count > 0, z_sum / np.maximum(z_count, 1), 0.0)
    dof = float(np.sum(np.maximum(z_count - 1, 0)))
    has = z_count > 0
    if dof < MIN_DOF or has.sum() < 3:
        return None
    sigma2 = max(float(np.sum((z - mean[model]) ** 2)) / dof, 1e-6)
    tau2 = float(np.var(mean[has])) - float(np.mean(sigma2 / z_count[has]))
    lam = LAMBDA_MAX if tau2 <= sigma2 / LAMBDA_MAX else sigma2 / tau2
    return Noise(sigma2, lam)


def fit_benchmarks(observations: Sequence[Observation]) -> Fit:
    """Deduplicate, fit value = effect + offset per benchmark, standardise per unit."""
    values = np.fromiter((o.value for o in observations), dtype=float, count=len(observations))
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        o = observations[int(bad[0])]
        raise ValueError(f"observation of {o.model_id} on {o.benchmark_id} ({o.group}): value {o.value!r} is not a finite number")
    models, model_code = _codes([o.model_id for o in observations])
    benchmarks, bench_code = _codes([o.benchmark_id for o in observations])
    groups, group_code = _codes([o.group for o in observations])
    # Cells: (benchmark, group) in sorted order; one observation per model and cell, duplicates averaged.
    cell_key, obs_cell_all = np.unique(bench_code * len(groups) + group_code, return_inverse=True)
    key, obs_index = np.unique(obs_cell_all * len(models) + model_code, return_inverse=True)
    obs_value = np.bincount(obs_index, weights=values) / np.bincount(obs_index)
    obs_cell, obs_model = key // len(models), key % len(models)
    cell_bench, cell_group = cell_key // len(groups), cell_key % len(groups)
    cell_size = np.bincount(obs_cell, minlength=len(cell_key)).astype(np.int64)

    mb_model, mb_bench, mb_z = _effects_and_z(obs_model, obs_cell, obs_value, cell_bench, cell_size, len(models), len(benchmarks))
    return Fit(
        models, benchmarks, cell_bench, cell_group, groups, cell_size, obs_model, obs_cell, obs_value,
        mb_model, mb_bench, mb_z,
    )


def _codes(names: list[str]) -> tuple[tuple[str, ...], np.ndarray]:
    """Sorted distinct names and each name's index among them."""
    distinct = sorted(set(names))
    index = {name: i for i, name in enumerate(distinct)}
    return tuple(distinct), np.fromiter((index[n] for n in names), dtype=np.int64, count=len(names))


def _effects_and_z(
    obs_model: np.ndarray, obs_cell: np.ndarray, obs_value: np.ndarray, cell_bench: np.ndarray, cell_size: np.ndarray,
    n_models: int, n_benchmarks: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    used = cell_size[obs_cell] >= 2
    o_model, o_cell, o_value = obs_model[used], obs_cell[used], obs_value[used]
    o_bench = cell_bench[o_cell]
    key = o_bench * n_models + o_model
    mb_key, o_mb = np.unique(key, return_inverse=True)
    mb_bench, mb_model = mb_key // n_models, mb_key % n_models
    n_mb, n_cells = len(mb_key), len(cell_size)
    if n_mb == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)

    # Units: connected (model, benchmark) nodes and cells of one benchmark.
    graph = coo_matrix((np.ones(len(o_mb)), (o_mb, n_mb + o_cell)), shape=(n_mb + n_cells, n_mb + n_cells))
    _, labels = connected_components(graph, directed=False)
    mb_unit = labels[:n_mb]
    _, mb_unit = np.unique(mb_unit, return_inverse=True)
    n_units = int(mb_unit.max()) + 1

    effects = _effects(o_mb, o_cell, o_value, mb_unit, n_mb)
    # Centre per unit (every unit has at least two models): units of one benchmark are not placed
    # relative to each other, so each is centred on its own mean.
    count = np.bincount(mb_unit, minlength=n_units).astype(float)
    mean = np.bincount(mb_unit, weights=effects, minlength=n_units) / count
    centred = effects - mean[mb_unit]
    # Spread: pooled over the benchmark's units (a unit of two models says little about it alone).
    unit_bench = np.zeros(n_units, dtype=np.int64)
    unit_bench[mb_unit] = mb_bench
    pooled = np.bincount(unit_bench, weights=np.bincount(mb_unit, weights=centred**2, minlength=n_units), minlength=n_benchmarks)
    pooled_n = np.bincount(unit_bench, weights=count, minlength=n_benchmarks)
    sd = np.sqrt(pooled / np.maximum(pooled_n, 1))[unit_bench]
    scale = np.maximum(np.bincount(mb_unit, weights=np.abs(effects), minlength=n_units) / count, 1.0)
    flat = sd <= 1e-9 * scale
    z = np.where(flat[mb_unit], 0.0, centred / np.where(flat, 1.0, sd)[mb_unit])
    return mb_model, mb_bench, z


def _effects(o_mb: np.ndarray, o_cell: np.ndarray, o_value: np.ndarray, mb_unit: np.ndarray, n_mb: int) -> np.ndarray:
    """Model effects per (model, benchmark), each unit up to a constant.

    Least squares for value = effect + cell offset. Only a model with numbers in two or more
    cells of a unit ties cells together; a model with one number fits it exactly whatever
    the offset. So the offsets are solved from the linking models alone: eliminating their
    effects leaves a sparse, symmetric system in the offsets (a graph Laplacian, one free
    constant per unit, pinned at the unit's first cell), positive definite once pinned and
    solved by conjugate gradients to 1e-10. Every other effect is then its number minus its
    cell's offset. The constant a unit leaves free is removed later by the z-score.
    """
    offset = np.zeros(int(o_cell.max()) + 1)
    degree = np.bincount(o_mb, minlength=n_mb)
    links = np.flatnonzero(degree[o_mb] >= 2)
    if len(links):
        offset[:] = _offsets(o_mb[links], o_cell[links], o_value[links], mb_unit, len(offset))
    effects = np.bincount(o_mb, weights=o_value - offset[o_cell], minlength=n_mb) / np.maximum(degree, 1)
    return effects


def _offsets(mb: np.ndarray, cell: np.ndarray, value: np.ndarray, mb_unit: np.ndarray, n_cells: int) -> np.ndarray:
    """Cell offsets from the numbers of models seen in two or more cells (normal equations, effects eliminated)."""
    mbs, mb_local = np.unique(mb, return_inverse=True)
    cells, cell_local = np.unique(cell, return_inverse=True)
    degree = np.bincount(mb_local).astype(float)
    per_mb = np.bincount(mb_local, weights=value)
    # n_c o_c - sum_{i in c} (1/deg_i) sum_{c' in i} o_c' = sum_{i in c} (v_ic - s_i / deg_i)
    incidence = csr_matrix((np.ones(len(mb)), (cell_local, mb_local)), shape=(len(cells), len(mbs)))
    laplacian = (diags(np.asarray(incidence.sum(axis=1)).ravel()) - incidence @ diags(1.0 / degree) @ incidence.T).tocsc()
    rhs = np.bincount(cell_local, weights=value - (per_mb / degree)[mb_local], minlength=len(cells))
    # Pin the first cell of every unit at offset 0.
    cell_unit = np.zeros(len(cells), dtype=np.int64)
    cell_unit[cell_local] = mb_unit[mb]
    _, first = np.unique(cell_unit, return_index=True)
    free = np.ones(len(cells), dtype=bool)
    free[first] = False
    solved = np.zeros(len(cells))
    if free.any():
        solved[free] = _solve_spd(laplacian[free][:, free], rhs[free])
    offsets = np.zeros(n_cells)
    offsets[cells] = solved
    return offsets


def _solve_spd(matrix: csc_matrix, rhs: np.ndarray) -> np.ndarray:
    """Conjugate gradients with a Jacobi preconditioner; sparse LU where they stall."""
    diagonal = matrix.diagonal()
    jacobi = LinearOperator(matrix.shape, matvec=lambda x: x / diagonal)
    solution, info = cg(matrix, rhs, rtol=1e-10, atol=0.0, M=jacobi, maxiter=10 * matrix.shape[0])
    return solution if info == 0 else spsolve(matrix, rhs)
