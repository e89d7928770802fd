"""How well does the ranking recover a known truth? Simulated boards, three methods side by side.

    python bench/bench_ranking.py                 # 20 seeds, 150 models x 24 benchmarks
    python bench/bench_ranking.py --seeds 40 --models 300
    python bench/bench_ranking.py --speed         # also: rank_models at 5,000 and 20,000 models

Each simulated board has a truth: every model a latent skill; every benchmark a difficulty,
a discrimination and a random baseline; every model a little strength or weakness per
benchmark. Numbers are published the way they are in practice:

- makers publish one table per model, with a few earlier competitors, on the benchmarks
  where their model looks good (missing not at random); older and weaker models get fewer
  numbers; each table's setting moves its numbers by an offset per benchmark (a point or two;
  about twelve on the one benchmark in four that it runs under its own protocol: see
  --protocol-share and --protocol-spread), and the maker
  flatters its own model a little (a bias no offset removes);
- a few third-party tables each run part of the models on part of the benchmarks, each under
  their own protocol;
- a board protocol (submitted runs) covers a few models per benchmark.

Methods:
- today's rule: one number per model and benchmark (the maker's own first), normalised
  (value - baseline) / (100 - baseline), category mean with a missing benchmark as 0, mean of
  the categories;
- z-score baseline: that same one number per model and benchmark, z-scored per benchmark over
  the models that have it, averaged over the benchmarks a model has (no zeros);
- new: `builder.board.ranking.rank_models` on every number, each with its group.

Figures, over the models the new method ranks (the others have no honest place):
Kendall's tau of score against the true skill; the share of dominance pairs (A beats B in
every shared comparable cell, at least 3 shared) that a method puts the wrong way round (by
score; for the new method also by the rank shown); how often the 95 % rank interval holds the
true rank. It prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.stats import kendalltau

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from builder.board.ranking import Observation, rank_models  # noqa: E402

CATEGORIES = 6
INTERACTION = 0.5
"""Spread of a model's strengths and weaknesses per benchmark, against a spread of true skill of 1."""
MAKERS_SHARE = 0.12
"""Makers per model: about one organisation per eight models."""


@dataclass(frozen=True)
class Board:
    skill: np.ndarray
    """True skill per model (index = model number)."""
    baseline: np.ndarray
    """Random baseline per benchmark."""
    category: np.ndarray
    """Category per benchmark."""
    observations: list[Observation]
    maker_of_model: np.ndarray
    maker_of_table: dict[str, int]


def model_id(m: int) -> str:
    return f"m{m:05d}"


def bench_id(b: int) -> str:
    return f"b{b:03d}"


def simulate(seed: int, models: int, benchmarks: int, protocol_share: float = 0.25, protocol_spread: float = 12.0,
             leaderboard: int = 0) -> Board:
    """One board; `protocol_share` of (table, benchmark) pairs run under the table's own protocol, which moves
    the numbers by a normal offset of sd `protocol_spread` points. With `leaderboard` > 0, the shape of the real
    board: one leaderboard table runs every model on that many benchmarks (the first ones), and only the stronger
    half of the models (the labs' own) have makers' tables, on the other benchmarks."""
    rng = np.random.default_rng(seed)
    age = rng.uniform(0, 1, models)  # 0 = newest
    skill = rng.normal(0, 1, models) - 0.8 * age  # newer models are better on average
    makers = max(2, int(models * MAKERS_SHARE))
    maker = rng.integers(0, makers, models)
    difficulty = rng.normal(0, 1, benchmarks)
    discrimination = rng.uniform(0.6, 1.6, benchmarks)
    baseline = np.where(np.arange(benchmarks) % 2 == 1, 25.0, 0.0)
    category = np.arange(benchmarks) % CATEGORIES
    interaction = rng.normal(0, INTERACTION, (models, benchmarks))  # model x benchmark strengths and weaknesses

    def true_value(m: np.ndarray | int, b: np.ndarray | int) -> np.ndarray:
        logit = discrimination[b] * (skill[m] + interaction[m, b] - difficulty[b])
        p = 1 / (1 + np.exp(-logit))
        return baseline[b] + (100 - baseline[b]) * p

    observations: list[Observation] = []
    maker_of_table: dict[str, int] = {}
    order = np.argsort(-age)  # oldest first: a table compares with models released before
    released: list[int] = []
    strong = skill >= np.median(skill)
    for m in order.tolist():
        if leaderboard and not strong[m]:
            continue
        table = f"maker{maker[m]}/{model_id(m)}"
        maker_of_table[table] = int(maker[m])
        # Coverage: newer, stronger models publish more; each benchmark more likely where the model looks good.
        wanted = 0.1 + 0.6 * (1 - age[m]) + 0.2 * np.tanh(skill[m])
        p_publish = 1 / (1 + np.exp(-(4 * interaction[m] + 3 * (wanted - 0.5))))
        chosen = np.flatnonzero(rng.uniform(size=benchmarks) < p_publish)
        chosen = chosen[chosen >= leaderboard]
        if len(chosen) == 0:
            continue
        rivals = rng.choice(released, size=min(len(released), int(rng.integers(1, 6))), replace=False).tolist() if released else []
        offset = protocol_offsets(rng, benchmarks, protocol_share, protocol_spread)
        for b in chosen.tolist():
            flatter = abs(rng.normal(1.0, 1.0))  # the maker's own model, a little better than the protocol shows
            value = true_value(m, b) + offset[b] + flatter + rng.normal(0, 0.8)
            observations.append(Observation(model_id(m), bench_id(b), table, _clip(value)))
            for r in rivals:
                if rng.uniform() < 0.8:
                    observations.append(Observation(model_id(r), bench_id(b), table, _clip(true_value(r, b) + offset[b] + rng.normal(0, 0.8))))
        released.append(m)

    for t in range(4):  # third-party tables
        members = np.flatnonzero(rng.uniform(size=models) < 0.15 * (1.2 - age))
        covered = np.flatnonzero(rng.uniform(size=benchmarks) < 0.3)
        table = f"third-party/{t}"
        offset = protocol_offsets(rng, benchmarks, protocol_share, protocol_spread)
        for b in covered.tolist():
            for m in members.tolist():
                observations.append(Observation(model_id(m), bench_id(b), table, _clip(true_value(m, b) + offset[b] + rng.normal(0, 0.8))))

    for b in range(leaderboard):  # the leaderboard: every model, its own protocol
        for m in range(models):
            observations.append(Observation(model_id(m), bench_id(b), "leaderboard", _clip(true_value(m, b) + rng.normal(0, 0.8))))

    for b in range(benchmarks):  # the board's own protocol: a few submitted runs per benchmark
        members = np.flatnonzero(rng.uniform(size=models) < 0.05)
        for m in members.tolist():
            observations.append(Observation(model_id(m), bench_id(b), f"board-protocol/{bench_id(b)}", _clip(true_value(m, b) + rng.normal(0, 0.8))))
    return Board(skill, baseline, category, observations, maker, maker_of_table)


def protocol_offsets(rng: np.random.Generator, benchmarks: int, share: float, spread: float) -> np.ndarray:
    """Per benchmark, how a table's setting moves its numbers: mostly a point or two; on `share` of the
    benchmarks the table runs its own protocol (other shots, prompt or metric): `spread` points or so."""
    own = rng.uniform(size=benchmarks) < share
    return np.where(own, rng.normal(0, spread, benchmarks), rng.normal(0, 1.5, benchmarks))


def _clip(x: float) -> float:
    return float(min(100.0, max(0.0, x)))


def one_number_each(board: Board) -> dict[tuple[int, int], float]:
    """The board's counted number per model and benchmark: the maker's own table first, else the first table by name."""
    best: dict[tuple[int, int], tuple[int, str, float]] = {}
    for o in board.observations:
        m, b = int(o.model_id[1:]), int(o.benchmark_id[1:])
        own = board.maker_of_table.get(o.group) == board.maker_of_model[m]
        key = (0 if own else 1, o.group, o.value)
        if (m, b) not in best or key < best[(m, b)]:
            best[(m, b)] = key
    return {k: v[2] for k, v in best.items()}


def todays_rule(board: Board, counted: dict[tuple[int, int], float]) -> np.ndarray:
    n, n_bench = len(board.skill), len(board.baseline)
    norm = np.zeros((n, n_bench))
    for (m, b), v in counted.items():
        base = board.baseline[b]
        norm[m, b] = max(0.0, (v - base) / (100 - base) * 100)
    on_board = np.zeros(n_bench, dtype=bool)
    on_board[[b for _, b in counted]] = True
    cats = [c for c in range(CATEGORIES) if on_board[board.category == c].any()]
    per_category = [norm[:, (board.category == c) & on_board].mean(axis=1) for c in cats]
    return np.mean(per_category, axis=0)


def z_baseline(board: Board, counted: dict[tuple[int, int], float]) -> np.ndarray:
    n, n_bench = len(board.skill), len(board.baseline)
    values = np.full((n, n_bench), np.nan)
    for (m, b), v in counted.items():
        values[m, b] = v
    mean = np.nanmean(values, axis=0)
    sd = np.nanstd(values, axis=0)
    z = (values - mean) / np.where(sd > 0, sd, 1.0)
    with np.errstate(invalid="ignore"):
        return np.nan_to_num(np.nanmean(z, axis=1), nan=-np.inf)


def dominance_pairs(board: Board, models: np.ndarray) -> list[tuple[int, int]]:
    """(winner, loser): the winner is higher in every cell they share, at least 3 shared."""
    keep = set(models.tolist())
    cells: dict[tuple[str, str], dict[int, float]] = {}
    for o in board.observations:
        m = int(o.model_id[1:])
        if m in keep:
            cells.setdefault((o.benchmark_id, o.group), {})[m] = o.value
    index = {m: i for i, m in enumerate(models.tolist())}
    n = len(models)
    shared = np.zeros((n, n), dtype=np.int32)
    wins = np.zeros((n, n), dtype=np.int32)
    for members in cells.values():
        if len(members) < 2:
            continue
        idx = np.array([index[m] for m in members])
        vals = np.array(list(members.values()))
        shared[np.ix_(idx, idx)] += 1
        wins[np.ix_(idx, idx)] += (vals[:, None] > vals[None, :]).astype(np.int32)
    winner, loser = np.nonzero((shared >= 3) & (wins == shared))
    return [(int(models[a]), int(models[b])) for a, b in zip(winner, loser)]


def wrong_way(pairs: list[tuple[int, int]], key: np.ndarray) -> float:
    """Share of pairs where the loser has the strictly higher key (higher = better)."""
    if not pairs:
        return 0.0
    return sum(key[loser] > key[winner] for winner, loser in pairs) / len(pairs)


def run_seed(seed: int, models: int, benchmarks: int, replicates: int, share: float, spread: float, leaderboard: int) -> dict[str, float]:
    board = simulate(seed, models, benchmarks, share, spread, leaderboard)
    counted = one_number_each(board)
    started = time.perf_counter()
    result = rank_models(board.observations, replicates=replicates, seed=seed)
    elapsed = time.perf_counter() - started
    plain = rank_models(board.observations, replicates=replicates, seed=seed, offsets=False).overall
    ranked = np.array(sorted(int(s.model_id[1:]) for s in result.overall.values() if s.rank is not None))
    score = np.full(len(board.skill), -np.inf)
    shown = np.full(len(board.skill), np.inf)
    for s in result.overall.values():
        if s.rank is not None:
            m = int(s.model_id[1:])
            score[m], shown[m] = s.score, s.rank.best
    no_offsets = np.array([plain[model_id(m)].score if plain[model_id(m)].score is not None else -np.inf for m in range(len(board.skill))])
    old = todays_rule(board, counted)
    zb = z_baseline(board, counted)
    truth = board.skill[ranked]
    true_rank = 1 + np.argsort(np.argsort(-truth))
    covered = [
        result.overall[model_id(m)].rank.best <= r <= result.overall[model_id(m)].rank.worst  # type: ignore[union-attr]
        for m, r in zip(ranked.tolist(), true_rank.tolist())
    ]
    pairs = dominance_pairs(board, ranked)
    return {
        "models ranked": len(ranked) / len(board.skill),
        "tau old": kendalltau(old[ranked], truth).statistic,
        "tau z": kendalltau(zb[ranked], truth).statistic,
        "tau new": kendalltau(score[ranked], truth).statistic,
        "tau new (rank shown)": kendalltau(-shown[ranked], truth).statistic,
        "tau new, no offsets": kendalltau(no_offsets[ranked], truth).statistic,
        "wrong old": wrong_way(pairs, old),
        "wrong z": wrong_way(pairs, zb),
        "wrong new (score)": wrong_way(pairs, score),
        "wrong new (rank shown)": wrong_way(pairs, -shown),
        "wrong new, no offsets": wrong_way(pairs, no_offsets),
        "dominance pairs": float(len(pairs)),
        "coverage new": float(np.mean(covered)),
        "mean interval width": float(np.mean([result.overall[model_id(m)].rank.worst - result.overall[model_id(m)].rank.best + 1 for m in ranked])),  # type: ignore[union-attr]
        "seconds": elapsed,
    }


def speed(models: int, benchmarks: int = 40, repeats: int = 1) -> float:
    board = simulate(12345, models, benchmarks)
    subsets = {f"category{c}": {bench_id(b) for b in range(benchmarks) if b % CATEGORIES == c} for c in range(CATEGORIES)}
    subsets["odd"] = {bench_id(b) for b in range(1, benchmarks, 2)}
    best = math.inf
    for _ in range(repeats):
        started = time.perf_counter()
        rank_models(board.observations, subsets)
        best = min(best, time.perf_counter() - started)
    print(f"  {models:>6} models x {benchmarks} benchmarks, {len(board.observations):,} observations, 7 subsets: {best:.2f} s")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--models", type=int, default=150)
    parser.add_argument("--benchmarks", type=int, default=24)
    parser.add_argument("--replicates", type=int, default=400)
    parser.add_argument("--protocol-share", type=float, default=0.25, help="share of a table's benchmarks run under its own protocol")
    parser.add_argument("--protocol-spread", type=float, default=12.0, help="points by which an own protocol moves a table's numbers (sd)")
    parser.add_argument("--leaderboard", type=int, default=0, help="the real board's shape: one table runs every model on this many "
                        "benchmarks, and only the stronger half of the models have makers' tables, on the others")
    parser.add_argument("--speed", action="store_true", help="also time rank_models at 5,000 and 20,000 models x 40 benchmarks")
    args = parser.parse_args()

    rows = [run_seed(seed, args.models, args.benchmarks, args.replicates, args.protocol_share, args.protocol_spread, args.leaderboard)
            for seed in range(args.seeds)]
    print(f"{args.seeds} seeds, {args.models} models x {args.benchmarks} benchmarks, own protocols on {args.protocol_share:.0%} of "
          f"a table's benchmarks (sd {args.protocol_spread:g} points); figures over the models the new method ranks")
    print(f"{'figure':<26}{'mean':>10}{'sd':>10}")
    for key in rows[0]:
        values = [r[key] for r in rows]
        print(f"{key:<26}{statistics.fmean(values):>10.3f}{statistics.pstdev(values):>10.3f}")
    print()
    print(f"{'method':<16}{'Kendall tau':>14}{'dominance wrong':>18}{'95% rank interval holds truth':>32}")
    for label, tau, wrong, cover in (
        ("today's rule", "tau old", "wrong old", None),
        ("z-score", "tau z", "wrong z", None),
        ("new (score)", "tau new", "wrong new (score)", "coverage new"),
        ("new (rank)", "tau new (rank shown)", "wrong new (rank shown)", None),
        ("new, no offsets", "tau new, no offsets", "wrong new, no offsets", None),
    ):
        t = [r[tau] for r in rows]
        w = statistics.fmean(r[wrong] for r in rows)
        c = f"{statistics.fmean(r[cover] for r in rows):.1%}" if cover else "-"
        print(f"{label:<16}{statistics.fmean(t):>8.3f} ± {statistics.pstdev(t):.3f}{w:>17.2%}{c:>32}")
    if args.speed:
        print("\nspeed of rank_models (best of 1):")
        speed(5000)
        speed(20000)


if __name__ == "__main__":
    main()
