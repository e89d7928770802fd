"""How long `reproboard import eee` takes on the whole Open LLM Leaderboard v2, and what it costs the board.

    python bench/bench_import_eee.py EEE_DATA_FOLDER --commit SHA [--build]

EEE_DATA_FOLDER is `data/hfopenllm_v2` of an Every Eval Ever checkout at SHA (its last
full state is d9be34d60cb3820833034e33a437ba4b9e4d472f:
`git archive d9be34d6 data/hfopenllm_v2 | tar -x`). Copies the repository's data and site
sources to a temporary folder, leaving out what an earlier import wrote, then times, as whole commands with
their start-up included: the import into seeds/, `reproboard validate --strict` and, with
--build, `reproboard build` (both languages). Prints the files and bytes it added.
Targets: import under 60 s and build under 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COPIED = ("seeds", "docs", "mkdocs.yml", "README.md", "CONTRIBUTING.md", "CHANGELOG.md")
"""What a build needs besides the installed package (the pages include the top-level Markdown files)."""


def drop_imports(seeds: Path) -> None:
    """Remove what `reproboard import` wrote: its runs, the models left without a run, seeds/imports.yaml."""
    (seeds / "imports.yaml").unlink(missing_ok=True)
    for run in list(seeds.glob("*/*/*.yaml")):
        if run.name != "model.yaml" and "    imported_from:\n" in run.read_text(encoding="utf-8"):
            run.unlink()
    for record in list(seeds.glob("*/*/model.yaml")):
        if [p.name for p in record.parent.iterdir()] == ["model.yaml"]:
            shutil.rmtree(record.parent)
            if not any(record.parent.parent.iterdir()):
                record.parent.parent.rmdir()


def timed(label: str, command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    took = time.perf_counter() - start
    last = (result.stdout.strip().splitlines() or [""])[-1]
    print(f"{label:<10} {took:6.1f} s  exit {result.returncode}  {last}")
    if result.returncode != 0:
        sys.exit(result.stderr[-2000:])
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--commit", required=True)
    parser.add_argument("--build", action="store_true")
    args = parser.parse_args()
    reproboard = str(Path(sys.executable).parent / "reproboard")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "repo"
        root.mkdir()
        for name in COPIED:
            source = REPO / name
            (shutil.copytree if source.is_dir() else shutil.copyfile)(source, root / name)
        drop_imports(root / "seeds")
        before = {p for p in (root / "seeds").rglob("*") if p.is_file()}
        timed("import", [reproboard, "import", "eee", str(args.data.resolve()), "--commit", args.commit, "--into", "seeds",
                         "--submitted-by", "reproboard-maintainers"], root)
        added = [p for p in (root / "seeds").rglob("*") if p.is_file() and p not in before]
        print(f"added      {len(added):,} files, {sum(p.stat().st_size for p in added) / 1e6:.1f} MB")
        timed("validate", [reproboard, "validate", "--strict"], root)
        if args.build:
            timed("build", [reproboard, "build", "--root", str(root), "--config", str(root / "mkdocs.yml")], root)


if __name__ == "__main__":
    main()
