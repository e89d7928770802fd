"""Edits a dishonest contributor might make to a run and its evidence, for the tamper tests."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml


def load_evidence(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    lines = [json.loads(line) for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()]
    return lines[0], lines[1:]


def save_evidence(path: Path, header: dict[str, Any], records: list[dict[str, Any]]) -> None:
    text = "".join(json.dumps(x, sort_keys=True, separators=(",", ":")) + "\n" for x in [header, *records])
    path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


def load_run(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def save_run(path: Path, run: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(run, sort_keys=False), encoding="utf-8")


def rehash(run_path: Path) -> None:
    """Record the evidence's current sha256 in the run, as a careful cheat would."""
    run = load_run(run_path)
    evidence = run_path.parent / run["provenance"]["evidence"]["path"]
    run["provenance"]["evidence"]["sha256"] = hashlib.sha256(evidence.read_bytes()).hexdigest()
    save_run(run_path, run)


def flip(run_path: Path, task: str, count: int, edit: Callable[[dict[str, Any]], None], benchmark: str, metric: str) -> list[int]:
    """Apply `edit` to the first `count` wrong documents of `task`, then make the run's
    score and evidence hash agree with the edited evidence. Returns the doc ids."""
    run = load_run(run_path)
    evidence = run_path.parent / run["provenance"]["evidence"]["path"]
    header, records = load_evidence(evidence)
    flipped = []
    for record in records:
        if record["t"] == task and record["m"].get(metric) == 0.0 and len(flipped) < count:
            edit(record)
            flipped.append(record["d"])
    save_evidence(evidence, header, records)
    values = [r["m"][metric] for r in records if r["t"] == task]
    run["scores"][benchmark]["value"] = round(100 * sum(values) / len(values), 10)
    run["scores"][benchmark].pop("stderr", None)
    save_run(run_path, run)
    rehash(run_path)
    return flipped


def claim_right(record: dict[str, Any]) -> None:
    """Claim a document was answered right without touching its loglikelihoods."""
    record["m"] = {k: 1.0 for k in record["m"]}


def claim_right_consistently(record: dict[str, Any]) -> None:
    """Claim it right and edit the loglikelihoods so that the gold choice wins."""
    gold = record["gold"]
    record["ll"][gold] = max(record["ll"]) + 0.5 * len(record["cl"]) * max(record["cl"])
    record["m"] = {k: 1.0 for k in record["m"]}


def claim_generation_right(record: dict[str, Any]) -> None:
    record["a"] = "7"
    record["m"] = {k: 1.0 for k in record["m"]}
