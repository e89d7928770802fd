"""EEE's per-sample (instance-level) JSONL, read and checked against the record that names it.

A record's `detailed_evaluation_results` (`format: jsonl`, `file_path`, `hash_algorithm`,
`checksum`, `total_rows`) names a file of one JSON object per sample
(`instance_level_eval.schema.json`). The fields the board can check are the same in every
version seen: `schema_version`, `evaluation_id`, `model_id`, `sample_id` and
`evaluation: {score, is_correct}`. Real files differ elsewhere: EEE's Inspect converter at
0.2.0 writes `sample_id` as a number when Inspect's ids are numbers, `interactions` where
the current schema says `messages`, and a `file_path` under `instance_level_data/`, where
the current schema wants `data/<leaderboard>/<org>/<model>/<uuid>_samples.jsonl`; both are
paths from the root of the EEE checkout.

Checked: the file is where the record says and inside the checkout, its checksum and row
count are the record's, every line is a sample of the record's model with a 0-1 score and
a true/false `is_correct`, no sample appears twice, and the mean score of the samples is
the record's score. Every failure is an `EeeError` naming the file, the line and the field.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from builder.imports.eee import EeeError, EeeRecord, strict_json

MAX_SAMPLES_BYTES = 256 << 20
"""A per-sample file of an agentic benchmark keeps every turn: GAIA's 2 samples are 228 KB."""
SCORE_TOLERANCE = 1e-9
"""The record's score is the mean of the samples' scores, computed by the same converter: rounding only."""


@dataclass(frozen=True)
class EeeSample:
    line: int
    sample_id: str
    score: float
    correct: bool


@dataclass(frozen=True)
class EeeSamples:
    path: str
    """As shown in messages: the record's `file_path`."""
    evaluation_id: str
    samples: tuple[EeeSample, ...]

    @property
    def mean(self) -> float:
        return sum(s.score for s in self.samples) / len(self.samples)


def checkout_root(record: EeeRecord) -> Path | None:
    """The EEE checkout a record was read from: the folder above `data/<leaderboard>/<org>/<model>/<file>.json`."""
    path = Path(record.path)
    return path.parents[4] if len(path.parts) >= 5 and path.parts[-5] == "data" else None


def samples_path(record: EeeRecord, root: Path) -> Path:
    """Where the record's per-sample file is, or EeeError when its `file_path` could lead outside the checkout."""
    field = f"{record.path}: $.detailed_evaluation_results.file_path"
    name = record.samples_file or ""
    parts = PurePosixPath(name).parts
    if not parts or name.startswith("/") or "\\" in name or ":" in parts[0] or any(p in (".", "..") for p in parts):
        raise EeeError(f"{field}: '{name[:120]}' is not a path inside the EEE checkout")
    return root.joinpath(*parts)


def read_samples(record: EeeRecord, root: Path) -> EeeSamples:
    """The samples of `record` from its file under `root` (the EEE checkout), checked; EeeError says what is wrong."""
    path = samples_path(record, root)
    shown = record.samples_file or ""
    if path.is_symlink() or not path.is_file():
        raise EeeError(f"{record.path}: $.detailed_evaluation_results.file_path: no file {shown} in {root}")
    size = path.stat().st_size
    if size > MAX_SAMPLES_BYTES:
        raise EeeError(f"{shown}: {size:,} bytes; a per-sample file is at most {MAX_SAMPLES_BYTES:,}")
    raw = path.read_bytes()
    if record.samples_checksum is not None:
        algorithm, expected = record.samples_checksum
        actual = hashlib.new(algorithm, raw).hexdigest()
        if actual != expected:
            raise EeeError(f"{shown}: its {algorithm} is {actual}, but {record.path} says {expected}: not the file the record describes")
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if record.samples_rows is not None and len(lines) != record.samples_rows:
        raise EeeError(f"{shown}: {len(lines)} lines, but {record.path} says total_rows {record.samples_rows}")
    if not lines:
        raise EeeError(f"{shown}: no samples")
    samples: list[EeeSample] = []
    evaluation_ids: set[str] = set()
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        sample, evaluation_id = _sample(line, f"{shown}:{number}", number, record.model_id)
        if sample.sample_id in seen:
            raise EeeError(f"{shown}:{number}: $.sample_id: '{sample.sample_id[:60]}' appears twice (line {seen[sample.sample_id]})")
        seen[sample.sample_id] = number
        evaluation_ids.add(evaluation_id)
        samples.append(sample)
    if len(evaluation_ids) != 1:
        raise EeeError(f"{shown}: $.evaluation_id: its lines name {len(evaluation_ids)} evaluations; one file holds one")
    return EeeSamples(shown, evaluation_ids.pop(), tuple(samples))


def _sample(line: bytes, where: str, number: int, model_id: str) -> tuple[EeeSample, str]:
    data = strict_json(line, where, "a sample", line_numbers=False)  # `where` names the line already
    if not isinstance(data, dict):
        raise EeeError(f"{where}: not a JSON object, so not a sample")
    evaluation_id = _text(data, "evaluation_id", where)
    _text(data, "schema_version", where)
    if _text(data, "model_id", where) != model_id:
        raise EeeError(f"{where}: $.model_id: '{str(data['model_id'])[:100]}' is not the record's model, '{model_id}'")
    sample_id = data.get("sample_id")
    if isinstance(sample_id, int) and not isinstance(sample_id, bool):
        sample_id = str(sample_id)  # EEE's Inspect converter at 0.2.0 keeps Inspect's numeric ids
    if not isinstance(sample_id, str) or not sample_id:
        raise EeeError(f"{where}: $.sample_id: {json.dumps(data.get('sample_id'))[:60]} is not a sample id")
    evaluation = data.get("evaluation")
    if not isinstance(evaluation, dict):
        raise EeeError(f"{where}: $.evaluation: {'is missing' if evaluation is None else 'must be an object'}")
    score = evaluation.get("score")
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score) or not 0 <= score <= 1:
        raise EeeError(f"{where}: $.evaluation.score: {json.dumps(score)[:40]} is not a score from 0 to 1")
    correct = evaluation.get("is_correct")
    if not isinstance(correct, bool):
        raise EeeError(f"{where}: $.evaluation.is_correct: {json.dumps(correct)[:40]} is not true or false")
    return EeeSample(number, sample_id, float(score), correct), evaluation_id


def _text(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise EeeError(f"{where}: $.{key}: {'is missing' if value is None else 'must be a non-empty string'}")
    return value


def samples_problems(record: EeeRecord, samples: EeeSamples) -> list[str]:
    """What in `record` its samples do not bear out: the score of the evaluation they are the samples of.

    A record with one evaluation is scored by all its samples. With several, EEE's samples
    would have to say which evaluation each belongs to, and at 0.2.x their
    `evaluation_name` is the dataset (`bigbio/pubmed_qa`), not the evaluation (`choice`):
    that is a problem to report, not a guess to make.
    """
    if len(record.scores) != 1:
        names = ", ".join(s.name for s in record.scores)
        return [f"{samples.path}: the record has {len(record.scores)} evaluations ({names[:120]}); "
                "which of them a sample belongs to is not recorded, so its samples cannot be checked"]
    score = record.scores[0]
    if abs(samples.mean - score.value) > SCORE_TOLERANCE:
        return [f"{record.path}: $.evaluation_results[0].score_details.score: {score.value:g} is not what its "
                f"{len(samples.samples)} samples in {samples.path} give: their mean score is {samples.mean:.6g}"]
    return []
