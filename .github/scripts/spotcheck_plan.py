#!/usr/bin/env python3
"""Choose the run files a spot-check re-runs: every changed submitted run of the pull request.

Reads the pull request's changed files from stdin, one JSON `[filename, status]` per line
(`gh api --paginate repos/R/pulls/N/files --jq '.[] | [.filename, .status] | @json'`), and
prints `runs=<JSON list>` for $GITHUB_OUTPUT. Nothing is cut silently: it fails, saying
why, when the listing is shorter than the pull request's count of changed files (the API
lists at most 3,000) or when there are more runs than one workflow's matrix can hold.
With --root (the folder already validated with the base branch's code), reported runs
(numbers a source published: no evidence to re-run) are left out and named in the log.

Usage: spotcheck_plan.py --changed-files N [--root CHECKED] [--max-runs 256] < files.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

# GitHub runs at most 256 jobs from one matrix.
MATRIX_LIMIT = 256
# A run file: results/<org>/<model>/<run-id>.yaml, no control characters, not the model
# record nor a verification record. fullmatch: `$` would also match before a final newline.
RUN_FILE = re.compile(r"results/[^/\x00-\x1f\x7f]+/[^/\x00-\x1f\x7f]+/[a-z0-9][a-z0-9._-]*\.yaml")
NOT_A_RUN = re.compile(r"model\.yaml|.*\.verification\.yaml")


class PlanError(Exception):
    """The changed files cannot be planned without leaving some out."""


def is_run_file(path: str) -> bool:
    parts = path.split("/")
    return bool(RUN_FILE.fullmatch(path)) and not NOT_A_RUN.fullmatch(parts[-1]) and not {".", ".."} & set(parts)


def changed_runs(lines: list[str], changed_files: int) -> list[str]:
    """The sorted changed run files; PlanError if the listing is garbled or incomplete."""
    listed, runs = 0, set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            pair = json.loads(line)
        except ValueError:
            pair = None
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(item, str) for item in pair)):
            raise PlanError(f"line {number} of the file listing is not a JSON [filename, status] pair")
        filename, status = pair
        listed += 1
        if status != "removed" and is_run_file(filename):
            runs.add(filename)
    if listed != changed_files:
        raise PlanError(f"the pull request changes {changed_files} files but the listing has {listed} (GitHub lists at most "
                        "3,000): some run files would go unchecked; split the pull request")
    return sorted(runs)


def split_submitted(runs: list[str], root: Path) -> tuple[list[str], list[str]]:
    """(submitted runs, reported runs), read from the validated copy under `root`."""
    import yaml  # the base branch's environment has it (ReproBoard depends on PyYAML)

    submitted, reported = [], []
    for run in runs:
        path = root / run
        if path.is_symlink() or not path.is_file():
            raise PlanError(f"{json.dumps(run)} is listed as changed but is not a file in the checked pull request")
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        kind = data.get("provenance", {}).get("kind") if isinstance(data, dict) else None
        (submitted if kind == "submitted" else reported).append(run)
    return submitted, reported


def limit(runs: list[str], max_runs: int) -> list[str]:
    if len(runs) > max_runs:
        raise PlanError(f"{len(runs)} submitted runs changed; one spot-check re-runs at most {max_runs} (one job each, "
                        "GitHub's matrix limit): split the pull request")
    return runs


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changed-files", type=int, required=True, help="the pull request's count of changed files")
    parser.add_argument("--root", type=Path, help="the validated copy of the pull request's results/ (leaves reported runs out)")
    parser.add_argument("--max-runs", type=int, default=MATRIX_LIMIT, help="most runs one spot-check takes")
    args = parser.parse_args(argv)
    try:
        runs = changed_runs(sys.stdin.read().split("\n"), args.changed_files)
        reported: list[str] = []
        if args.root is not None:
            runs, reported = split_submitted(runs, args.root)
        runs = limit(runs, args.max_runs)
    except PlanError as error:
        print(f"::error::{str(error).replace('%', '%25')}", file=sys.stderr)
        return 1
    for run in reported:
        print(f"::notice::not re-run: {json.dumps(run).replace('%', '%25')} is a reported run (published numbers, no evidence)",
              file=sys.stderr)
    if runs:
        print(f"{len(runs)} changed submitted runs to spot-check", file=sys.stderr)
    else:
        print("::notice::no changed submitted run (results/<org>/<model>/<run-id>.yaml): nothing to spot-check", file=sys.stderr)
    print("runs=" + json.dumps(runs, ensure_ascii=True, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
