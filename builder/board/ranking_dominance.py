"""The dominance guarantee: no model is shown below one it beats in every comparison they share.

A model D *dominates* L when they share at least `MIN_SHARED` comparable cells (same benchmark
and group) and D's value is higher in every one. Scores average over different benchmarks,
so an estimate can put L above D (L has strong numbers where D has none); the rank shown
must not. Where it would, D is raised to L's rank: the two are tied. Raising D can put it
above a model that dominates D in turn, so this repeats until nothing changes (ranks only
improve, so it ends).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from builder.board.ranking_fit import View

MIN_SHARED = 3
"""Shared comparable cells from which a clean sweep must show in the ranks."""

PAIRS_PER_BATCH = 4_000_000
"""Pairs compared at once: bounds memory on boards where one group holds thousands of models."""

BIG_CELL = 128
"""Cells with this many models are compared as dense blocks, each pair only in the first big cell it shares."""

MAX_GROUPS = 64
"""Models in big cells are grouped by the set of big cells they are in; above this many groups, big cells are
taken one by one instead of group pair by group pair."""


def enforce_dominance(view: View, ranked_idx: np.ndarray, best: np.ndarray) -> np.ndarray:
    """`best` ranks (aligned on `ranked_idx`) raised wherever a dominated model is shown above its dominator.

    Candidates are the pairs inverted (higher value, worse rank) in the cells they share; each
    is then checked against every cell the two share.
    """
    fit = view.fit
    local = np.full(len(fit.models), -1, dtype=np.int64)
    local[ranked_idx] = np.arange(len(ranked_idx))
    keep = np.flatnonzero(view.compared & (local[fit.obs_model] >= 0))
    cells = _Cells(local[fit.obs_model[keep]], fit.obs_cell[keep], fit.obs_value[keep], len(ranked_idx))
    best = best.copy()
    losers = np.ones(len(ranked_idx), dtype=bool)  # first pass: every pair
    while True:
        winner, loser = cells.violations(best, losers)
        if len(winner) == 0:
            return best
        before = best.copy()
        np.minimum.at(best, winner, before[loser])
        # Only a model whose rank just improved can now be shown above one that dominates it.
        losers = best != before


class _Cells:
    """The ranked models' numbers. Small cells are kept as runs of entries and compared pair by
    pair; big cells (thousands of models under one protocol) as dense rows, compared block by block."""

    def __init__(self, model: np.ndarray, cell: np.ndarray, value: np.ndarray, n: int) -> None:
        self.n = n
        order = np.lexsort((model, cell))
        model, cell, value = model[order], cell[order], value[order]
        _, first, size = np.unique(cell, return_index=True, return_counts=True)
        per_entry = np.repeat(size, size)
        small = (per_entry >= 2) & (per_entry < BIG_CELL)
        self.model, self.value = model[small], value[small]
        kept = size * ((size >= 2) & (size < BIG_CELL))
        self.start = np.repeat(np.cumsum(kept) - kept, size)[small]
        """Per small-cell entry: where its cell begins among the small-cell entries."""
        self.size = per_entry[small]
        # Lookup of a model's value in a small cell: keys model * cells + cell, sorted.
        self.n_cells = int(cell.max()) + 1 if len(cell) else 1
        by_model = np.lexsort((cell[small], model[small]))
        self.small_key = (model[small] * self.n_cells + cell[small])[by_model]
        self.small_value = value[small][by_model]
        self.model_start = np.searchsorted(self.small_key, np.arange(n) * self.n_cells)
        self.model_degree = np.bincount(model[small], minlength=n)
        # Big cells: one dense row each (NaN where a model is absent), and per model a bit per big cell.
        big = np.flatnonzero(size >= BIG_CELL)
        self.big_members = [model[first[c]: first[c] + size[c]] for c in big.tolist()]
        self.dense = np.full((len(big), n), np.nan)
        # Big cells with the same models (one table's benchmarks) form a bundle, compared as one.
        bundle_of: dict[bytes, int] = {}
        cells_of: list[list[int]] = []
        self.bundle_members: list[np.ndarray] = []
        for j, members in enumerate(self.big_members):
            self.dense[j, members] = value[first[big[j]]: first[big[j]] + size[big[j]]]
            b = bundle_of.setdefault(members.tobytes(), len(cells_of))
            if b == len(cells_of):
                cells_of.append([])
                self.bundle_members.append(members)
            cells_of[b].append(j)
        self.bundle_cells = [np.array(c, dtype=np.int64) for c in cells_of]
        """Per bundle: its big cells (rows of `dense`)."""
        self.masks = np.zeros((n, (len(cells_of) + 63) // 64), dtype=np.uint64)
        """Per model: a bit per bundle it is in."""
        for b, members in enumerate(self.bundle_members):
            self.masks[members, b // 64] |= np.uint64(1) << np.uint64(b % 64)
        self.group_pairs = self._group_pairs()

    def _group_pairs(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None:
        """Models in big cells grouped by the exact set of bundles they are in: for each ordered pair of groups
        that share a bundle, (winners, losers, the big cells they share); None when there are too many groups."""
        if not self.bundle_members:
            return []
        inside = np.flatnonzero(self.masks.any(axis=1))
        masks, group = np.unique(self.masks[inside], axis=0, return_inverse=True)
        if len(masks) > MAX_GROUPS:
            return None
        group = group.ravel()
        members = [inside[group == g] for g in range(len(masks))]
        bits = np.arange(len(self.bundle_members))
        pairs = []
        for a in range(len(masks)):
            for b in range(len(masks)):
                common = masks[a] & masks[b]
                if common.any():
                    bundles = bits[(common[bits // 64] >> (bits % 64).astype(np.uint64)) & np.uint64(1) == 1]
                    pairs.append((members[a], members[b], np.concatenate([self.bundle_cells[k] for k in bundles])))
        return pairs

    def violations(self, best: np.ndarray, losers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(winners, losers) of the pairs, loser in `losers`, where the winner is higher in every one of at least
        MIN_SHARED shared cells but has the worse rank."""
        # Big cells: pairs inverted in every big cell they share, with how many they share.
        big_keys, big_shared = self._big_candidates(best, losers)
        order = np.argsort(big_keys)
        big_keys, big_shared = big_keys[order], big_shared[order]
        # Small cells: pairs inverted in at least one, with how many.
        small_keys, small_count = _unique_counts(self._small_inversions(best, losers))
        keys, _ = _unique_counts(np.concatenate([big_keys, small_keys]))
        shared = np.zeros(len(keys), dtype=np.int64)
        shared[np.searchsorted(keys, big_keys)] += big_shared
        shared[np.searchsorted(keys, small_keys)] += small_count
        winner, loser = keys // self.n, keys % self.n
        # A pair with a big cell in common must have come through the big cells clean.
        in_big = np.zeros(len(keys), dtype=bool)
        in_big[np.searchsorted(keys, big_keys)] = True
        if self.masks.shape[1]:
            rest = np.flatnonzero(~in_big)
            common = np.any(self.masks[winner[rest]] & self.masks[loser[rest]], axis=1)
            ok = np.ones(len(keys), dtype=bool)
            ok[rest[common]] = False
        else:
            ok = np.ones(len(keys), dtype=bool)
        # Shared small cells where the pair is not inverted would break the sweep: look them up.
        alive = np.flatnonzero(ok & (shared >= MIN_SHARED))
        degree = self.model_degree[winner[alive]]
        pair = np.repeat(alive, degree)
        at = np.repeat(self.model_start[winner[alive]], degree) + _ranges(degree)
        wanted = loser[pair] * self.n_cells + self.small_key[at] % self.n_cells
        found = np.minimum(np.searchsorted(self.small_key, wanted), max(len(self.small_key) - 1, 0))
        both = self.small_key[found] == wanted if len(self.small_key) else np.zeros(0, dtype=bool)
        violated = np.zeros(len(keys), dtype=bool)
        violated[alive] = True
        violated[pair[both & (self.small_value[at] <= self.small_value[found])]] = False
        return winner[violated], loser[violated]

    def _small_inversions(self, best: np.ndarray, losers: np.ndarray) -> np.ndarray:
        """Keys winner * n + loser, once per small cell where the winner is higher but ranked worse."""
        entries = np.flatnonzero(losers[self.model])
        found: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
        total = np.cumsum(self.size[entries])
        at = 0
        while at < len(entries):
            stop = max(at + 1, int(np.searchsorted(total, (total[at - 1] if at else 0) + PAIRS_PER_BATCH, side="right")))
            q = np.repeat(entries[at:stop], self.size[entries[at:stop]])
            p = self.start[q] + _ranges(self.size[entries[at:stop]])
            hit = (self.value[p] > self.value[q]) & (best[self.model[p]] > best[self.model[q]])
            found.append(self.model[p[hit]] * self.n + self.model[q[hit]])
            at = stop
        return np.concatenate(found)

    def _big_candidates(self, best: np.ndarray, losers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Keys of pairs inverted in every big cell they share, and how many they share."""
        keys: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
        counts: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
        if self.group_pairs is not None:
            for winners, losers_in, shared in self.group_pairs:
                w, lo = self._swept(winners, losers_in[losers[losers_in]], shared, best)
                keys.append(w * self.n + lo)
                counts.append(np.full(len(w), len(shared), dtype=np.int64))
            return np.concatenate(keys), np.concatenate(counts)
        # Too many groups: each bundle on its own, each pair in the first bundle the two share.
        for k, members in enumerate(self.bundle_members):
            w, lo = self._swept(members, members[losers[members]], self.bundle_cells[k], best)
            earlier = self.masks[w] & _bits_below(k, self.masks.shape[1])
            first_here = ~np.any(self.masks[lo] & earlier, axis=1)
            keys.append(w[first_here] * self.n + lo[first_here])
        found = np.concatenate(keys)
        winner, loser = found // self.n, found % self.n
        common = self.masks[winner] & self.masks[loser]
        shared = np.zeros(len(found), dtype=np.int64)
        alive = np.arange(len(found))
        for k, cells in enumerate(self.bundle_cells):
            here = (common[alive, k // 64] >> np.uint64(k % 64)) & np.uint64(1) == 1  # pairs that share bundle k
            pairs = alive[here]
            shared[pairs] += len(cells)
            lost = np.zeros(len(pairs), dtype=bool)
            for row in self.dense[cells]:
                lost |= row[winner[pairs]] <= row[loser[pairs]]
            lost_alive = np.zeros(len(alive), dtype=bool)
            lost_alive[here] = lost
            alive = alive[~lost_alive]
        return found[alive], shared[alive]

    def _swept(self, winners: np.ndarray, targets: np.ndarray, cells: np.ndarray, best: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pairs (winner, target) where the winner is ranked worse but higher in every one of `cells`."""
        out_w: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
        out_l: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
        if len(winners) == 0 or len(targets) == 0:
            return out_w[0], out_l[0]
        first = self.dense[cells[0]]
        # Winners and targets in rank order: a chunk of targets is only compared with the winners ranked below it.
        winners = winners[np.argsort(best[winners], kind="stable")]
        targets = targets[np.argsort(best[targets], kind="stable")]
        winner_best = best[winners]
        step = max(1, PAIRS_PER_BATCH // len(winners))
        for at in range(0, len(targets), step):
            q = targets[at: at + step]
            below = winners[np.searchsorted(winner_best, best[q[0]], side="right"):]
            i, k = np.nonzero((first[below][:, None] > first[q][None, :]) & (best[below][:, None] > best[q][None, :]))
            w, lo = below[i], q[k]
            for c in cells[1:].tolist():
                keep = self.dense[c, w] > self.dense[c, lo]
                w, lo = w[keep], lo[keep]
            out_w.append(w)
            out_l.append(lo)
        return np.concatenate(out_w), np.concatenate(out_l)


def _bits_below(j: int, words: int) -> np.ndarray:
    """Mask of the bundles before j."""
    bits = np.zeros(words, dtype=np.uint64)
    for w in range(words):
        below = min(max(j - 64 * w, 0), 64)
        bits[w] = np.uint64(0xFFFFFFFFFFFFFFFF) if below == 64 else np.uint64((1 << below) - 1)
    return bits


def _unique_counts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct keys and how often each occurs (by sorting: faster than np.unique's hashing on millions)."""
    ordered = np.sort(keys)
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]])) if len(ordered) else np.zeros(0, dtype=np.int64)
    return ordered[starts], np.diff(np.concatenate([starts, [len(ordered)]]))


def _ranges(lengths: np.ndarray) -> np.ndarray:
    """Concatenated arange(length) for each length."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    return np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
