"""How much re-running buys how much certainty: spot-check detection and false alarms.

    HF_HUB_OFFLINE=1 python bench/bench_spotcheck.py            # everything (~2 min on 2 cores)
    HF_HUB_OFFLINE=1 python bench/bench_spotcheck.py --no-measure  # simulation only (seconds)

1. Measure honest per-document noise: the tiny GPT-2 of tests/lm_eval run by lm-eval at
   batch sizes 1, 4, 16 and 1 or 2 threads, in float32 and bfloat16 (each a separate
   process, as OMP_NUM_THREADS is read at start-up); and float32 against bfloat16 as a
   stand-in for "another device".
2. Simulate tasks of 1,000 and 14,000 documents. Honest runs re-run with the measured
   noise; dishonest ones inflate a task by 0.5, 1 or 2 points by flipping wrong documents
   to right with edited loglikelihoods (flips that leave loglikelihoods alone are caught
   by `reproboard validate` before any re-run). A check fails on any document whose
   loglikelihoods move by more than the tolerance. Report detection probability and
   false-alarm rate against the number of documents re-run.
3. Time a real CPU spot-check of the tiny model end to end.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from builder.spotcheck.check import TOLERANCES  # noqa: E402
from builder.spotcheck.sampling import documents_needed, miss_probability  # noqa: E402 - after the path set-up


def _tiny():
    spec = importlib.util.spec_from_file_location("reproboard_tests_tiny", REPO / "tests" / "lm_eval" / "tiny.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


_WORKER = """
import json, sys
from pathlib import Path
sys.path.insert(0, {tests!r})
import importlib.util
spec = importlib.util.spec_from_file_location("t", {tiny!r}); t = importlib.util.module_from_spec(spec); spec.loader.exec_module(t)
r = t.run_lm_eval(Path({model!r}), Path({tasks!r}), Path({out!r}), batch_size={bs}, dtype={dtype!r}, tasks=(t.MC_TASK,))
json.dump({{str(s["doc_id"]): [float(x[0]) for x in s["filtered_resps"]] for s in r["samples"][t.MC_TASK]}}, open({out!r} + ".json", "w"))
"""


def measure(work: Path) -> dict[str, dict[str, list[float]]]:
    tiny = _tiny()
    paths = tiny.prepared(work / "tiny")
    runs = {}
    for dtype, threads, batch in itertools.product(("float32", "bfloat16"), (1, 2), (1, 4, 16)):
        name = f"{dtype} t{threads} b{batch}"
        out = work / name.replace(" ", "_")
        code = _WORKER.format(tests=str(REPO / "tests"), tiny=str(REPO / "tests/lm_eval/tiny.py"), model=str(paths["model"]),
                              tasks=str(paths["tasks"]), out=str(out), bs=batch, dtype=dtype)
        env = {**os.environ, "OMP_NUM_THREADS": str(threads), "HF_HUB_OFFLINE": "1"}
        subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
        runs[name] = json.loads(Path(str(out) + ".json").read_text())
    return runs


def noise_table(runs: dict[str, dict[str, list[float]]]) -> tuple[str, np.ndarray]:
    lines = ["| compared | documents | max abs loglikelihood difference | chosen answer changed |", "|---|---|---|---|"]
    cross = []
    for dtype in ("float32", "bfloat16"):
        names = [n for n in runs if n.startswith(dtype)]
        worst, flips = 0.0, 0
        for a, b in itertools.combinations(names, 2):
            for doc, lls in runs[a].items():
                other = runs[b][doc]
                worst = max(worst, max(abs(x - y) for x, y in zip(lls, other)))
                flips += int(np.argmax(lls) != np.argmax(other))
        lines.append(f"| {dtype}: batch 1/4/16 x threads 1/2 ({len(names)} runs, all pairs) | {len(runs[names[0]])} | {worst:.3g} | {flips} |")
    a, b = runs["float32 t1 b1"], runs["bfloat16 t1 b1"]
    for doc in a:
        cross.append(max(abs(x - y) for x, y in zip(a[doc], b[doc])))
    flips = sum(int(np.argmax(a[d]) != np.argmax(b[d])) for d in a)
    cross_arr = np.array(cross)
    lines.append(f"| float32 vs bfloat16 (stand-in for another device) | {len(a)} | {cross_arr.max():.3g} "
                 f"(median {np.median(cross_arr):.3g}) | {flips} |")
    return "\n".join(lines), cross_arr


def simulate(n_docs: int, checked: int, inflation: float, noise: np.ndarray, tolerance: float, trials: int,
             rng: np.random.Generator, free_share: float = 0.0) -> tuple[float, float]:
    """(detection probability, false-alarm rate) for one configuration.

    Honest: each re-run document's largest loglikelihood difference is drawn from the
    measured `noise`; the check fails if any exceeds `tolerance`. Dishonest: the flipped
    documents, ceil(n_docs * inflation / 100), are caught when one is re-run, except a
    `free_share` of them whose two best choices were closer than the tolerance (an edit
    that small passes as noise)."""
    checked = min(checked, n_docs)
    p_honest = float(np.mean(noise > tolerance)) if noise.size else 0.0
    false_alarm = float(np.mean(rng.binomial(checked, p_honest, size=trials) > 0))
    flipped = math.ceil(n_docs * inflation / 100)
    visible = rng.binomial(flipped, 1 - free_share, size=trials)
    caught = rng.hypergeometric(np.maximum(visible, 0), n_docs - visible, checked) > 0
    honest_noise_alarm = rng.binomial(checked, p_honest, size=trials) > 0
    return float(np.mean(caught | honest_noise_alarm)), false_alarm


def time_end_to_end(work: Path) -> str:
    from click.testing import CliRunner

    from builder.check.validate import validate
    from builder.cli import cli
    from builder.spotcheck.check import local_revision

    tiny = _tiny()
    started = time.perf_counter()
    paths = tiny.prepared(work / "e2e")
    built = time.perf_counter()
    root = work / "repo"
    run_file = tiny.make_repo(root, paths["output"], local_revision(paths["model"]))
    ingested = time.perf_counter()
    assert validate(root).problems == []
    validated = time.perf_counter()
    result = CliRunner().invoke(cli, ["spotcheck", str(run_file), "--seed-from", "bench", "--model-path", str(paths["model"]),
                                      "--include-path", str(paths["tasks"]), "--device", "cpu"])
    checked = time.perf_counter()
    assert result.exit_code == 0, result.output
    size = run_file.with_name("tiny-run.evidence.jsonl.gz").stat().st_size
    return (f"| build tiny model + full lm-eval run (120 docs) | {built - started:.1f} s |\n"
            f"| ingest | {ingested - built:.2f} s |\n| validate (re-scores the evidence) | {validated - ingested:.2f} s |\n"
            f"| spotcheck ({documents_needed(80)} + {documents_needed(40)} documents re-run, model load included) | {checked - validated:.1f} s |\n"
            f"| evidence size | {size:,} bytes for 120 documents, {size / 120:.0f} bytes per document |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-measure", action="store_true", help="skip the lm-eval runs; use no honest noise")
    parser.add_argument("--trials", type=int, default=20000)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    rng = np.random.default_rng(20250601)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        if args.no_measure:
            cross = np.zeros(80)
        else:
            runs = measure(work)
            table, cross = noise_table(runs)
            print("## Honest noise, measured (tiny GPT-2, lm-eval 0.4.13, CPU)\n")
            print(table + "\n")
        scenarios = [
            ("float32, same precision (measured noise 0)", np.zeros(80), TOLERANCES["float32"]),
            ("float32 vs bfloat16 noise, bf16 tolerance", cross, TOLERANCES["bfloat16"]),
            ("float32 vs bfloat16 noise, float32 tolerance (too tight)", cross, TOLERANCES["float32"]),
        ]
        print("## Detection and false alarms (any disagreeing document fails the check)\n")
        print(f"{args.trials:,} simulated checks per cell. Detection: probability that a run inflated by flipping documents fails.\n")
        header = "| noise / tolerance | task docs | re-run | detect +0.5 | detect +1 | detect +2 | false alarm |"
        print(header + "\n|---|---|---|---|---|---|---|")
        for label, noise, tolerance in scenarios:
            for n_docs in (1000, 14000):
                for checked in (50, 100, 200, 300, 500, 1000):
                    if checked > n_docs:
                        continue
                    cells = [simulate(n_docs, checked, inflation, noise, tolerance, args.trials, rng) for inflation in (0.5, 1, 2)]
                    print(f"| {label} (tol {tolerance:g}) | {n_docs:,} | {checked} | "
                          + " | ".join(f"{d:.3f}" for d, _ in cells) + f" | {cells[0][1]:.3f} |")
        print("\n## Exact plan: documents needed for 95% detection (hypergeometric)\n")
        print("| task docs | +0.5 point | +1 point | +2 points |\n|---|---|---|---|")
        for n_docs in (50, 100, 200, 500, 1000, 5000, 14042, 100000):
            print(f"| {n_docs:,} | " + " | ".join(str(documents_needed(n_docs, x)) for x in (0.5, 1, 2)) + " |")
        print(f"\nChance 300 documents miss a 1-point inflation of a 14,042-document task: {miss_probability(14042, 141, 300):.4f}")
        print("\n## What an attacker gets for free within the tolerance\n")
        print("| share of flipped documents that are near ties (gap < 2 x tolerance) | detect +1 at 300 of 14,000 |\n|---|---|")
        for share in (0.0, 0.1, 0.3, 0.5):
            detect, _ = simulate(14000, 300, 1, np.zeros(80), 1.0, args.trials, rng, free_share=share)
            print(f"| {share:.0%} | {detect:.3f} |")
        if not args.no_measure:
            print("\n## A real CPU spot-check, end to end (tiny model, OMP_NUM_THREADS=1)\n")
            print("| step | time |\n|---|---|")
            print(time_end_to_end(work))


if __name__ == "__main__":
    main()
