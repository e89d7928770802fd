"""Deterministic synthetic repositories for benchmarks: N models x M benchmarks.

    python bench/synthetic.py OUT --models 1000 --benchmarks 40 --runs-per-model 10

The same arguments always write the same bytes. Every file is valid, so benchmarks
measure the full path through every rule, not an early exit on the first error.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

CATEGORIES = ("knowledge", "reasoning", "math", "code", "language", "chinese")
ORGANISATIONS = 200
TABLE_MODELS = 20
"""Models per source table: a table compares a block of neighbours, as reports do. The
first model of each block also appears in the previous block's table, so the tables
chain into one connected board and the ranking has real like-for-like work to do."""


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def registry_yaml(benchmarks: int) -> str:
    lines = ["schema_version: 1", "categories:"]
    for category in CATEGORIES:
        lines += [f"  - id: {category}", f"    name: {category.title()}", f"    name_zh: 合成类别 {category}",
                  f"    description: Synthetic {category} benchmarks.", f"    description_zh: 合成的 {category} 基准。"]
    lines.append("benchmarks:")
    for index in range(benchmarks):
        lines += [
            f"  - id: bench{index:03d}",
            f"    name: Bench {index:03d}",
            f"    name_zh: 基准 {index:03d}",
            f"    category: {CATEGORIES[index % len(CATEGORIES)]}",
            f"    lm_eval_tasks: [bench{index:03d}]",
            "    metric: acc",
            "    filter: none",
            "    higher_is_better: true",
            f"    random_baseline: {25.0 if index % 2 else 0.0}",
            "    default_n_shot: 5",
            f"    size: {500 + 37 * index}",
            f"    description: Synthetic benchmark number {index}.",
            f"    description_zh: 第 {index} 个合成基准。",
            f"    url: https://example.org/bench/{index}",
        ]
    return "\n".join(lines) + "\n"


def model_yaml(index: int, rng: random.Random) -> tuple[str, str]:
    model_id = f"org{index % ORGANISATIONS:03d}/model-{index:05d}"
    chat = index % 3 == 0
    text = f"""schema_version: 1
id: {model_id}
name: Model {index:05d}{' Chat' if chat else ''}
organisation: Organisation {index % ORGANISATIONS:03d}
parameters:
  total_billions: {rng.choice([0.5, 1.5, 3, 7, 8, 14, 32, 70, 72, 236])}
architecture: LlamaForCausalLM
model_type: {'chat' if chat else 'base'}
open_weights: {'false' if index % 17 == 0 else 'true'}
license: {'proprietary' if index % 17 == 0 else rng.choice(['apache-2.0', 'mit', 'llama3'])}
release_date: "{2023 + index % 3}-{1 + index % 12:02d}-{1 + index % 28:02d}"
languages: [en, zh]
links:
  - label: Model card
    url: https://example.org/models/{index}
"""
    return model_id, text


def run_yaml(model_id: str, run: int, benchmark_ids: list[str], rng: random.Random, table: int) -> str:
    lines = [
        "schema_version: 1",
        f"model: {model_id}",
        "provenance:",
        "  kind: reported",
        "  source:",
        f"    title: Comparison report {table}",
        f"    url: https://example.org/reports/{table:05d}",
        f"    locator: Table {run + 1}",
        "    publisher: Synthetic Lab",
        f'    published_on: "2024-{1 + run % 12:02d}-15"',
        "harness:",
        "  name: lm-eval",
        '  version: "0.4.13"',
        "submitted_by: reproboard-bench",
        'submitted_on: "2025-01-01"',
        "notes: Synthetic numbers for benchmarking.",
        "scores:",
    ]
    for benchmark_id in benchmark_ids:
        value = round(rng.uniform(30, 90), 1)  # above every random baseline: warnings are not what the benches measure
        lines += [
            f"  {benchmark_id}:",
            f"    value: {value}",
            f"    stderr: {round(rng.uniform(0.2, 1.0), 2)}",
            "    n_shot: 5",
            "    metric: acc",
        ]
    return "\n".join(lines) + "\n"


def write_corpus(root: Path, models: int, benchmarks: int, runs_per_model: int = 1, scores_per_run: int | None = None, seed: int = 0) -> int:
    """Write a valid repository under `root`; returns the number of files written.

    Each run scores `scores_per_run` benchmarks (default: all), chosen per run. Run k of a
    model is in table k of its block (`TABLE_MODELS`); a block's first model also has a
    run in the previous block's table.
    """
    rng = random.Random(seed)
    _write(root / "seeds" / "benchmarks.yaml", registry_yaml(benchmarks))
    all_ids = [f"bench{index:03d}" for index in range(benchmarks)]
    written = 1
    for index in range(models):
        model_id, text = model_yaml(index, rng)
        folder = root / "results" / model_id
        _write(folder / "model.yaml", text)
        written += 1
        for run in range(runs_per_model):
            chosen = all_ids if scores_per_run is None else sorted(rng.sample(all_ids, scores_per_run))
            _write(folder / f"report-{run:02d}.yaml", run_yaml(model_id, run, chosen, rng, index // TABLE_MODELS))
            written += 1
        if index % TABLE_MODELS == 0 and index:
            chosen = all_ids if scores_per_run is None else sorted(rng.sample(all_ids, scores_per_run))
            _write(folder / "bridge.yaml", run_yaml(model_id, 0, chosen, rng, index // TABLE_MODELS - 1))
            written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--benchmarks", type=int, default=40)
    parser.add_argument("--runs-per-model", type=int, default=1)
    parser.add_argument("--scores-per-run", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    count = write_corpus(args.out, args.models, args.benchmarks, args.runs_per_model, args.scores_per_run, args.seed)
    print(f"wrote {count} files under {args.out}")


if __name__ == "__main__":
    main()
