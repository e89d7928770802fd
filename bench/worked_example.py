"""The figures of docs/methodology.md's worked example, from the repository's own board.

    .venv/bin/python bench/worked_example.py Qwen/Qwen2-72B-Instruct [MODEL ...]

Prints the board's lambda and benchmark offsets, then for each model its rank, score and
interval, and each benchmark's z-score, offset and adjusted z-score, which sum to the score
as the methodology says: sum / (benchmarks + lambda).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from builder.board import aggregate
from builder.board.ranking import Observation, Rankings, rank_models
from builder.board.ranking_fit import DEFAULT_NOISE, fit_benchmarks
from builder.check.validate import validate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="+")
    parser.add_argument("--root", type=Path, default=Path("."))
    args = parser.parse_args()

    seen: list[Observation] = []

    def keeping(observations: list[Observation], *rest: object, **options: object) -> Rankings:
        seen.extend(observations)  # the very observations the board ranks, as aggregate builds them
        return rank_models(observations, *rest, **options)  # type: ignore[arg-type]

    aggregate.rank_models = keeping  # type: ignore[assignment]
    report = validate(args.root)
    board = aggregate.build_board(report.parsed, report.registry)
    fit = fit_benchmarks(seen)
    view = fit.restricted(None)
    standings = [board.overall.get(m) for m in fit.models]
    ranked = np.array([s is not None and s.unranked is None for s in standings])
    _, _, raw_noise = view.scores_inputs(ranked)
    offsets = view.benchmark_offsets(ranked, (raw_noise or DEFAULT_NOISE).lam)
    _, _, noise = view.scores_inputs(ranked, offsets)
    lam = (noise or DEFAULT_NOISE).lam
    print(f"ranked models: {int(ranked.sum()):,}; lambda = {lam:.2f}")
    print("offsets: " + ", ".join(f"{b} {o:+.2f}" for b, o in zip(fit.benchmarks, offsets)))
    for model_id in args.models:
        standing = board.overall.get(model_id)
        if standing is None or standing.unranked is not None:
            print(f"\n{model_id}: not ranked ({standing.unranked if standing else 'not on the board'})")
            continue
        print(f"\n{model_id}: rank {standing.rank.best} (to {standing.rank.worst}), score {standing.score} "
              f"[{standing.score_low}, {standing.score_high}]")
        mine = fit.mb_model == fit.models.index(model_id)
        total = 0.0
        for b, z in sorted(zip(fit.mb_bench[mine], fit.mb_z[mine]), key=lambda pair: -pair[1]):
            total += z - offsets[b]
            print(f"  {fit.benchmarks[b]:18s} z {z:+.2f}  offset {offsets[b]:+.2f}  adjusted {z - offsets[b]:+.2f}")
        print(f"  sum {total:.2f} / ({int(mine.sum())} + {lam:.2f}) = {total / (mine.sum() + lam):.2f}")


if __name__ == "__main__":
    main()
