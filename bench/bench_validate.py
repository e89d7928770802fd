"""How fast `reproboard validate` checks a repository, against check-jsonschema.

    python bench/bench_validate.py [--models 1000] [--runs-per-model 10] [--repeat 3]

Writes a synthetic repository (bench/synthetic.py: 10,000 run files of ~67 lines,
1,000 model records, a 40-benchmark registry), then times, as whole commands with
their start-up included, best of --repeat:

- `reproboard validate` on the whole repository: strict YAML, JSON Schema and every
  rule across files, on every core;
- check-jsonschema on the 10,000 run files against schemas/run.schema.json (its
  fastest set-up has ruamel.yaml.clib installed: the script says whether it is).

Prints files per second for each and the ratio. Target: at least 3,000 files/s.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import write_corpus  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def best_time(command: list[str], repeat: int, expect_ok: bool = True) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if expect_ok and result.returncode != 0:
            sys.exit(f"{command[0]} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--runs-per-model", type=int, default=10)
    parser.add_argument("--scores-per-run", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-check-jsonschema", action="store_true")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="reproboard-bench-"))
    try:
        total = write_corpus(workdir, args.models, 40, args.runs_per_model, args.scores_per_run)
        runs = sorted(str(p) for p in workdir.glob("results/*/*/report-*.yaml"))
        bin_dir = Path(sys.executable).parent
        print(f"corpus: {total:,} files ({len(runs):,} run files), {os.cpu_count()} cores, Python {sys.version.split()[0]}")

        ours = best_time([str(bin_dir / "reproboard"), "validate", "--root", str(workdir)], args.repeat)
        print(f"reproboard validate (all {total:,} files, every rule): {ours:.2f} s = {total / ours:,.0f} files/s")

        if not args.skip_check_jsonschema:
            clib = importlib.util.find_spec("_ruamel_yaml") is not None
            command = [str(bin_dir / "check-jsonschema"), "--schemafile", str(REPO / "schemas" / "run.schema.json"), *runs]
            theirs = best_time(command, max(1, args.repeat - 1))
            print(f"check-jsonschema (ruamel.yaml.clib {'installed' if clib else 'MISSING'}; {len(runs):,} run files, schema only): "
                  f"{theirs:.2f} s = {len(runs) / theirs:,.0f} files/s")
            print(f"ratio: reproboard validates {(total / ours) / (len(runs) / theirs):.1f}x as many files per second")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
