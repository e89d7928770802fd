"""Evidence of an OpenCompass run: its per-sample correctness, re-scored by `reproboard validate`.

An OpenCompass run cannot be spot-checked by re-running lm-eval (other prompts, other
post-processing). What can be checked without a GPU is that the claimed scores follow
from the per-sample details OpenCompass wrote. The file is `<run-id>.evidence.jsonl.gz`
like lm-eval evidence, with its own header:

    {"format": "reproboard-opencompass-evidence", "version": 1,
     "datasets": {abbr: {"n": samples, "layout": "PPL" | "GEN" | "list",
                         "metric": "accuracy", "version": prompt hash or null}}}

then one line per sample, by dataset, then index:

    {"ds": abbr, "i": index, "c": [correct per replica], "p": prediction, "r": reference,
     "h": sha256 of the prompt (PPL: of the per-choice prompts and perplexities) or null}

(`p` and `r` are text up to 200 characters, else "sha256:<hex>"). Validate checks every
dataset's sample count, that no sample appears twice, that a PPL sample's `c` is what its
prediction and reference say, and that each score is what its samples give: the mean of
`c` (in percent) for a dataset, and the plain (`naive_average`) or size-weighted
(`weighted_average`) mean of its subsets for a summary group.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from builder.imports.opencompass_details import Details
from builder.lmeval.evidence_read import MAX_EVIDENCE_BYTES, MAX_INFLATED, MAX_RECORDS, EvidenceError, evidence_lines

if TYPE_CHECKING:
    from builder.load.parsed import Parsed
    from builder.problems import Problem

FORMAT = "reproboard-opencompass-evidence"
VERSION = 1
SCORE_TOLERANCE = 1e-6
"""Percentage points: float rounding only; a changed sample moves a score by 100/n."""
_RECORD_KEYS = frozenset({"ds", "i", "c", "p", "r", "h"})
_LAYOUTS = ("PPL", "GEN", "list")


def build_evidence(details: dict[str, tuple[Details, str | None, str]]) -> bytes:
    """The evidence file's bytes (gzip, deterministic): abbr -> (details, prompt version, metric)."""
    header = {"format": FORMAT, "version": VERSION, "datasets": {
        abbr: {"n": len(d.samples), "layout": d.layout, "metric": metric, "version": version}
        for abbr, (d, version, metric) in sorted(details.items())}}
    records = sum(len(d.samples) for d, _, _ in details.values())
    if records > MAX_RECORDS:
        raise EvidenceError(f"would hold {records:,} samples; ReproBoard reads at most {MAX_RECORDS:,} per evidence file")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as stream:
        stream.write((json.dumps(header, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
        for abbr, (d, _, _) in sorted(details.items()):
            for s in d.samples:
                line = {"ds": abbr, "i": s.index, "c": list(s.correct), "p": s.prediction, "r": s.reference, "h": s.prompt_sha256}
                stream.write((json.dumps(line, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
    raw = buffer.getvalue()
    if len(raw) > MAX_EVIDENCE_BYTES or len(gzip.decompress(raw)) > MAX_INFLATED:
        raise EvidenceError(f"would be larger than ReproBoard reads ({MAX_EVIDENCE_BYTES:,} bytes, {MAX_INFLATED:,} inflated)")
    return raw


@dataclass
class DatasetTally:
    indices: list[int]
    correct: float
    """Sum over samples of the share of replicas correct."""
    contradicted: list[int]
    """PPL samples whose `c` disagrees with their prediction and reference."""


@dataclass
class OpenCompassEvidence:
    header: dict[str, Any]
    tallies: dict[str, DatasetTally]


def _header_problem(header: Any) -> str | None:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        return f"does not start with a '{FORMAT}' header"
    if header.get("version") != VERSION:
        return f"is evidence version {str(header.get('version'))[:20]}; this ReproBoard reads version {VERSION}"
    datasets = header.get("datasets")
    if not isinstance(datasets, dict) or not datasets:
        return "header: 'datasets' must be a non-empty mapping"
    for abbr, info in datasets.items():
        if not isinstance(info, dict) or not isinstance(info.get("n"), int) or info.get("layout") not in _LAYOUTS:
            return f"header: dataset '{str(abbr)[:60]}' needs 'n' (a count) and 'layout' ({', '.join(_LAYOUTS)})"
    return None


def _record_problem(record: Any, datasets: dict[str, Any]) -> str | None:
    if not isinstance(record, dict) or not set(record) <= _RECORD_KEYS or not {"ds", "i", "c"} <= set(record):
        return "is not a sample record {ds, i, c, p, r, h}"
    if record["ds"] not in datasets:
        return f"names dataset '{str(record['ds'])[:60]}', which the header does not list"
    if not isinstance(record["i"], int) or isinstance(record["i"], bool) or record["i"] < 0:
        return "'i' is not a sample index"
    flags = record["c"]
    if not isinstance(flags, list) or not flags or not all(isinstance(f, bool) for f in flags):
        return "'c' is not a non-empty list of true/false"
    for key in ("p", "r"):
        if key in record and not isinstance(record[key], str):
            return f"'{key}' is not text"
    return None


def read_opencompass_evidence(raw: bytes) -> OpenCompassEvidence:
    """Read and tally the evidence in one bounded pass, or raise EvidenceError."""
    header: dict[str, Any] | None = None
    tallies: dict[str, DatasetTally] = {}
    for number, record in evidence_lines(raw):
        if header is None:
            problem = _header_problem(record)
            if problem:
                raise EvidenceError(problem)
            header = record
            tallies = {abbr: DatasetTally([], 0.0, []) for abbr in record["datasets"]}
            continue
        problem = _record_problem(record, header["datasets"])
        if problem:
            raise EvidenceError(f"line {number} {problem}")
        tally = tallies[record["ds"]]
        tally.indices.append(record["i"])
        tally.correct += sum(record["c"]) / len(record["c"])
        if header["datasets"][record["ds"]]["layout"] == "PPL" and record["c"] != [record.get("p") == record.get("r")]:
            tally.contradicted.append(record["i"])
    if header is None:
        raise EvidenceError(f"does not start with a '{FORMAT}' header")
    return OpenCompassEvidence(header, tallies)


def _ids(ids: list[int]) -> str:
    return ", ".join(str(i) for i in ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")


def _rescore(evidence: OpenCompassEvidence, score: dict[str, Any]) -> tuple[float | None, int, list[str]]:
    """(value in percent, samples, problems) of one score: a dataset, or a group of subsets."""
    parts = score.get("aggregated_from") or [score["task"]]
    values, sizes, problems = [], [], []
    for part in parts:
        tally = evidence.tallies.get(part)
        if tally is None:
            problems.append(f"the evidence has no samples of dataset '{part}'")
        elif not tally.indices:
            problems.append(f"the evidence of '{part}' has no samples")
        else:
            values.append(100 * tally.correct / len(tally.indices))
            sizes.append(len(tally.indices))
    if problems:
        return None, sum(sizes), problems
    if score.get("metric") == "weighted_average" or len(parts) == 1:
        return sum(v * n for v, n in zip(values, sizes)) / sum(sizes), sum(sizes), []
    return sum(values) / len(values), sum(sizes), []


def opencompass_evidence_problems(raw: bytes, run: Parsed) -> Iterator[Problem]:
    """Everything in an OpenCompass run that its evidence does not bear out."""
    name = run.data["provenance"]["evidence"]["path"]
    at = ("provenance", "evidence", "path")
    try:
        evidence = read_opencompass_evidence(raw)
    except EvidenceError as error:
        yield run.problem(at, f"{name} {error}")
        return
    for abbr, info in sorted(evidence.header["datasets"].items()):
        tally = evidence.tallies[abbr]
        if len(set(tally.indices)) != len(tally.indices):
            yield run.problem(at, f"{abbr}: some samples appear twice")
        if len(tally.indices) != info["n"]:
            yield run.problem(at, f"{abbr}: {len(tally.indices)} samples, but the header says {info['n']}")
        if tally.contradicted:
            yield run.problem(at, f"{abbr}: {len(tally.contradicted)} samples are marked correct or wrong against their own "
                                  f"prediction and reference: indices {_ids(tally.contradicted)}")
    for benchmark_id, score in run.data["scores"].items():
        if "task" not in score:
            continue
        where = ("scores", benchmark_id)
        value, samples, problems = _rescore(evidence, score)
        for message in problems:
            yield run.problem(where, message)
        if value is not None and abs(value - score["value"]) > SCORE_TOLERANCE:
            yield run.problem((*where, "value"), f"{score['value']:g} is not what the evidence gives: its {samples} samples "
                                                 f"re-score to {value:.6g} ({score.get('metric', 'accuracy')})")
        claimed = (score.get("n_samples") or {}).get("effective")
        if claimed is not None and samples and claimed != samples:
            yield run.problem((*where, "n_samples", "effective"), f"{claimed} samples claimed, but the evidence has {samples}")
