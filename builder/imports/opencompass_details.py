"""OpenCompass's per-sample details (`results/<model>/<dataset>.json`), in both layouts it writes.

`opencompass/tasks/openicl_eval.py` dumps the evaluator's result with `details` when the
run sets `eval.runner.task.dump_details`:

* a mapping `{"type": "GEN" | "PPL", "0": {...}, "1": {...}}` from `format_details`, used when
  the evaluator gives no details itself (AccEvaluator): each entry has `prompt` (GEN) or
  `origin_prediction`, and `predictions`, `references` and, for PPL, `correct`
  (`str(prediction) == str(reference)`); a GEN entry has `correct` only when the evaluator did;
* a list from `BaseEvaluator.evaluate` (0.4 and later) when the evaluator gives details
  (Gsm8kEvaluator and most generative ones): `{"example_abbr": "<dataset>_<index>",
  "pred": [...], "answer": [...], "correct": [...]}`, one list item per replica.

Every sample becomes a `Sample` with its per-replica correctness; a detail without
`correct` cannot re-score the dataset, which is then reported, not submitted.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.lmeval.bounded import BoundedReadError, loads

MAX_DETAILS_BYTES = 512 << 20
"""One dataset's results file; MMLU-Pro's 12,000 samples with prompts are ~150 MB."""
TEXT_LIMIT = 200
"""Predictions and references up to this many characters are kept as text, longer ones as their sha256."""


class DetailsError(Exception):
    """The details cannot be used as evidence; the message names the file and why."""


@dataclass(frozen=True)
class Sample:
    index: int
    correct: tuple[bool, ...]
    prediction: str
    reference: str
    prompt_sha256: str | None


@dataclass(frozen=True)
class Details:
    path: Path
    layout: str
    """`PPL` or `GEN` (format_details' mapping) or `list` (the evaluator's own details)."""
    metrics: dict[str, float]
    """The numbers beside the details (`accuracy`, ...), as OpenCompass computed them."""
    samples: tuple[Sample, ...]


def encode_text(value: Any) -> str:
    """A prediction or reference as evidence keeps it: text up to TEXT_LIMIT, else 'sha256:<hex>'.

    Other values become `str(value)`, as OpenCompass compares them (`str(pred) == str(ref)`),
    so two encodings are equal exactly when OpenCompass counts the sample right.
    """
    text = value if isinstance(value, str) else str(value)
    if len(text) <= TEXT_LIMIT:
        return text
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _prompt_hash(prompt: Any) -> str | None:
    if prompt is None:
        return None
    text = prompt if isinstance(prompt, str) else json.dumps(prompt, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _flags(value: Any, where: str) -> tuple[bool, ...]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(v, bool) for v in items):
        raise DetailsError(f"{where}: 'correct' is not true/false (or a list of them)")
    return tuple(items)


def _one(value: Any) -> Any:
    """A per-replica list of one item is that item (n = 1 runs)."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _mapping_samples(details: dict[str, Any], path: Path) -> tuple[str, list[Sample]]:
    layout = details.get("type")
    if layout not in ("GEN", "PPL"):
        raise DetailsError(f"{path}: details.type is {str(layout)[:20]!r}, not GEN or PPL")
    samples = []
    for key, entry in details.items():
        if key == "type":
            continue
        where = f"{path}: details.{key[:40]}"
        if not (key.isascii() and key.isdigit() and len(key) <= 9) or not isinstance(entry, dict):
            raise DetailsError(f"{where}: not a numbered sample")
        if "correct" not in entry:
            raise DetailsError(f"{where}: no 'correct'; the evaluator did not record per-sample correctness")
        prediction, reference = encode_text(entry.get("predictions")), encode_text(entry.get("references"))
        correct = _flags(entry["correct"], where)
        if layout == "PPL" and correct != (str(entry.get("predictions")) == str(entry.get("references")),):
            raise DetailsError(f"{where}: 'correct' says {correct[0]} but the prediction and reference say otherwise")
        prompt = entry.get("prompt", entry.get("origin_prediction") if layout == "PPL" else None)
        samples.append(Sample(int(key), correct, prediction, reference, _prompt_hash(prompt)))
    return layout, samples


def _list_samples(details: list[Any], path: Path, dataset: str) -> list[Sample]:
    samples = []
    for position, entry in enumerate(details):
        where = f"{path}: details[{position}]"
        if not isinstance(entry, dict):
            raise DetailsError(f"{where}: not a mapping")
        flags = entry.get("correct", entry.get("is_correct"))
        if flags is None:
            raise DetailsError(f"{where}: no 'correct'; the evaluator did not record per-sample correctness")
        index = position
        example = entry.get("example_abbr")
        if isinstance(example, str):
            head, _, tail = example.rpartition("_")
            if head != dataset or not (tail.isascii() and tail.isdigit() and len(tail) <= 9):
                raise DetailsError(f"{where}: example_abbr '{example[:60]}' is not '{dataset}_<index>'")
            index = int(tail)
        prompt = entry.get("origin_prompt", entry.get("prompt"))
        samples.append(Sample(index, _flags(flags, where), encode_text(_one(entry.get("pred"))),
                              encode_text(_one(entry.get("answer"))), _prompt_hash(_one(prompt))))
    return samples


def read_details(path: Path, dataset: str) -> Details:
    """The per-sample details of `dataset` in `path`, or DetailsError saying why they cannot be evidence."""
    size = path.stat().st_size
    if size > MAX_DETAILS_BYTES:
        raise DetailsError(f"{path}: {size:,} bytes; a results file is at most {MAX_DETAILS_BYTES:,}")
    try:
        data = loads(path.read_bytes(), allow_nan=False, fast=True)
    except BoundedReadError as error:
        raise DetailsError(f"{path}: {error}") from None
    except ValueError as error:
        raise DetailsError(f"{path}: not JSON ({str(error)[:80]})") from None
    if not isinstance(data, dict):
        raise DetailsError(f"{path}: not a JSON object")
    metrics = {k: float(v) for k, v in data.items()
               if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)}
    details = data.get("details")
    if isinstance(details, dict):
        layout, samples = _mapping_samples(details, path)
    elif isinstance(details, list):
        layout, samples = "list", _list_samples(details, path, dataset)
    else:
        raise DetailsError(f"{path}: no per-sample details (run OpenCompass with eval.runner.task.dump_details=True)")
    if not samples:
        raise DetailsError(f"{path}: the details are empty")
    indices = [s.index for s in samples]
    if len(set(indices)) != len(indices):
        raise DetailsError(f"{path}: some samples appear twice")
    if len({len(s.correct) for s in samples}) != 1:
        raise DetailsError(f"{path}: samples have different numbers of replicas")
    return Details(path, layout, metrics, tuple(sorted(samples, key=lambda s: s.index)))


def accuracy_of(samples: tuple[Sample, ...] | list[Sample]) -> float:
    """Percent correct, each sample the mean of its replicas, as OpenCompass's accuracy."""
    return 100 * sum(sum(s.correct) / len(s.correct) for s in samples) / len(samples)
