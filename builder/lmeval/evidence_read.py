"""Reading an evidence file in one bounded pass: tallies for validate, chosen records for the spot-check.

The file is inflated a line at a time under a cap (`bounded.gzip_lines`), every line is
checked against the record's shape before it is used, and nothing is kept per record
but its document id and metric values (8 bytes each), unless the caller asks for the
record itself (`keep`, which the spot-check uses for the documents it re-runs). Memory
and time therefore follow the caps below, whatever the file holds.
"""

from __future__ import annotations

import hashlib
import io
import math
import operator
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.lmeval.bounded import BoundedReadError, describe, gzip_lines, loads
from builder.lmeval.output import MAX_RECORDS as MAX_SAMPLE_RECORDS

FORMAT = "reproboard-evidence"
VERSION = 1
MAX_EVIDENCE_BYTES = 64 << 20
"""Compressed, on disk. Honest evidence is under 200 bytes a document: 64 MiB is 300,000+ documents."""
MAX_INFLATED = 64 << 20
"""Inflated. Honest records are 80-450 bytes: 150,000+ documents. JSON dense with numbers parses at ~30 MB/s,
so this, not the record cap, is what bounds the time of a hostile file (~2 s)."""
MAX_RECORDS = MAX_SAMPLE_RECORDS
"""Records (document x filter) in one evidence file: the Open LLM Leaderboard's tasks are ~30,000 documents."""
MAX_LINE = 1 << 20
"""One line: the header, or a record (a 1,000-choice record is ~30 KB)."""
MAX_CHOICES = 1_000
"""Choices or continuations per document (lm-eval's largest multiple-choice tasks have a few dozen)."""
MAX_FILTERS = 64
MAX_GROUP_DEPTH = 16
ANSWER_TEXT_LIMIT = 200
LOGLIKELIHOOD_TYPES = ("multiple_choice", "loglikelihood", "loglikelihood_rolling")

_RECORD_KEYS = frozenset({"t", "d", "f", "h", "m", "gold", "ll", "gr", "cl", "a"})


class EvidenceError(Exception):
    """The evidence cannot be read; the message says why."""


def chosen(lls: list[float], lengths: list[int] | None = None) -> int:
    """The choice lm-eval picks: argmax of loglikelihood (per character for acc_norm); first wins ties."""
    scores = list(map(operator.truediv, lls, lengths)) if lengths else lls
    return scores.index(max(scores))  # index() finds the first of equal maxima


def contradictions(record: dict[str, Any], output_type: str) -> list[str]:
    """Metrics whose per-sample value does not follow from the record's own loglikelihoods."""
    found = []
    metrics, lls = record["m"], record.get("ll") or []
    if output_type == "multiple_choice" and lls and record.get("gold") is not None:
        gold = record["gold"]
        golds = gold if isinstance(gold, list) else [gold]
        if metrics.get("acc") is not None and float(chosen(lls) in golds) != metrics["acc"]:
            found.append("acc")
        lengths = record.get("cl") or []
        usable = len(lengths) == len(lls) and all(lengths)
        if metrics.get("acc_norm") is not None and usable and float(chosen(lls, lengths) in golds) != metrics["acc_norm"]:
            found.append("acc_norm")
    elif output_type == "loglikelihood" and metrics.get("acc") is not None and record.get("gr") \
            and float(all(record["gr"])) != metrics["acc"]:
        found.append("acc")
    return found


# --- shapes --------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _list_of(value: Any, check: Callable[[Any], bool]) -> bool:
    return isinstance(value, list) and len(value) <= MAX_CHOICES and all(check(v) for v in value)


def _numbers(value: Any, typecode: str) -> bool:
    """A list of at most MAX_CHOICES finite numbers ('d') or integers ('q'), checked in C rather than item by item."""
    if not isinstance(value, list) or len(value) > MAX_CHOICES:
        return False
    try:
        packed = array(typecode, value)
    except (TypeError, OverflowError):
        return False
    return typecode == "q" or math.isfinite(sum(packed))  # NaN or infinite if an item is (or if huge ones overflow)


def _record_shape(record: Any, tasks: dict[str, Any]) -> str | None:
    """What is wrong with one record line, or None."""
    if not isinstance(record, dict) or not isinstance(record.get("t"), str) or not _is_int(record.get("d")) \
            or not isinstance(record.get("f"), str) or not isinstance(record.get("m"), dict):
        return "is not a sample record (t, d, f, m)"
    unknown = record.keys() - _RECORD_KEYS
    if unknown:
        return f"has fields evidence does not have: {', '.join(sorted(unknown)[:5])}"
    if record["t"] not in tasks:
        return f"task '{record['t'][:100]}' is not in the header"
    if record["d"] < 0 or len(record["f"]) > 200:
        return "has a negative document id or a filter name longer than 200 characters"
    metrics = tasks[record["t"]]["metrics"]
    for name, value in record["m"].items():
        if name not in metrics:
            return f"metric '{name[:100]}' is not among the header's metrics of '{record['t']}'"
        if value is not None and not _is_number(value):
            return f"metric '{name}' is not a finite number"
    h, gold, answer = record.get("h"), record.get("gold"), record.get("a")
    if h is not None and not (isinstance(h, str) and len(h) <= 192):
        return "'h' is not the document, prompt and target hashes"
    if "ll" in record and not _numbers(record["ll"], "d"):
        return f"'ll' is not a list of at most {MAX_CHOICES:,} finite numbers"
    if "gr" in record and not (_numbers(record["gr"], "q") and set(record["gr"]) <= {0, 1}):
        return "'gr' is not a list of 0 and 1"
    if "cl" in record and not (_numbers(record["cl"], "q") and min(record["cl"], default=0) >= 0):
        return "'cl' is not a list of lengths"
    if gold is not None and not (_is_int(gold) or _list_of(gold, _is_int)):
        return "'gold' is not a choice index or a list of them"
    if answer is not None and not (isinstance(answer, str) and len(answer) <= ANSWER_TEXT_LIMIT):
        return f"'a' is not an answer of at most {ANSWER_TEXT_LIMIT} characters"
    return None


def _header_shape(header: Any) -> str | None:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        return f"does not start with a '{FORMAT}' header"
    if header.get("version") != VERSION:
        return f"is evidence version {describe(header.get('version'))}; this ReproBoard reads version {VERSION}"
    tasks, groups = header.get("tasks"), header.get("groups", {})
    if not isinstance(tasks, dict) or not isinstance(groups, dict):
        return "header: 'tasks' and 'groups' must be mappings"
    for name, info in tasks.items():
        if not isinstance(info, dict) or not isinstance(info.get("output_type"), str) or not isinstance(info.get("metrics"), dict) \
                or not _is_int(info.get("n_docs")) or not isinstance(info.get("task_hash"), (str, type(None))):
            return f"header: task '{name[:100]}' is not {{output_type, metrics, n_docs, task_hash, ...}}"
    for name, group in groups.items():
        if not isinstance(group, dict) or not _list_of(group.get("children"), lambda c: isinstance(c, str)) \
                or group.get("weighting", "size") not in ("size", "mean"):
            return f"header: group '{name[:100]}' is not {{children: [...], weighting: size or mean}}"
    return _group_tree_problem(groups)


def _group_tree_problem(groups: dict[str, Any]) -> str | None:
    """Groups must form a tree no deeper than MAX_GROUP_DEPTH: re-scoring walks it once per score."""
    parent: dict[str, str] = {}
    for name, group in groups.items():
        for child in group["children"]:
            if child in parent or child == name:
                return f"header: '{child[:100]}' is listed twice among the groups' children"
            parent[child] = name
    for name in groups:
        depth, at = 0, name
        while at in parent:
            at, depth = parent[at], depth + 1
            if depth > MAX_GROUP_DEPTH:
                return f"header: groups nest deeper than {MAX_GROUP_DEPTH} levels (or in a cycle)"
    return None


# --- reading -------------------------------------------------------------------------


@dataclass
class FilterTally:
    """What validate needs of one task's records under one filter, in file order."""

    ids: array = field(default_factory=lambda: array("q"))
    values: dict[str, array] = field(default_factory=dict)
    """metric -> the records' values, for records that have one."""
    contradicted: dict[str, list[int]] = field(default_factory=dict)
    """metric -> doc ids whose value their own loglikelihoods contradict."""


@dataclass(frozen=True)
class Evidence:
    header: dict[str, Any]
    tallies: dict[str, dict[str, FilterTally]]
    """task -> filter -> tally."""
    task_hashes: dict[str, str | None]
    """task -> sha256 over its records' hashes in file order (lm-eval's task hash), None if one lacks them."""
    records: dict[str, list[dict[str, Any]]]
    """Per task, in file order: only the records `read_evidence` was asked to keep."""

    def filters_of(self, task: str) -> list[str]:
        return sorted(self.tallies.get(task, {}))

    def doc_ids(self, task: str) -> list[int]:
        return sorted({d for tally in self.tallies.get(task, {}).values() for d in tally.ids})

    def task_records(self, task: str, filter_name: str) -> list[dict[str, Any]]:
        return [r for r in self.records.get(task, []) if r["f"] == filter_name]

    def leaves(self, name: str) -> list[str]:
        group = self.header.get("groups", {}).get(name)
        if not group:
            return [name]
        out: list[str] = []
        for child in group.get("children", []):
            out.extend(leaf for leaf in self.leaves(child) if leaf not in out)
        return out


def evidence_bytes(path: Path) -> bytes:
    """An evidence file's bytes, refused unread when larger than MAX_EVIDENCE_BYTES."""
    size = path.stat().st_size
    if size > MAX_EVIDENCE_BYTES:
        raise EvidenceError(f"is {size:,} bytes; evidence files are at most {MAX_EVIDENCE_BYTES:,}")
    return path.read_bytes()


def read_evidence(raw: bytes, keep: Callable[[str, int], bool] | None = None) -> Evidence:
    """Read and tally an evidence file's bytes in one bounded pass, or raise EvidenceError.

    `keep(task, doc_id)` selects the records kept whole in `Evidence.records`.
    """
    header: dict[str, Any] | None = None
    tallies: dict[str, dict[str, FilterTally]] = {}
    hashers: dict[str, Any] = {}
    kept: dict[str, list[dict[str, Any]]] = {}
    for number, record in evidence_lines(raw):
        if header is None:
            problem = _header_shape(record)
            if problem:
                raise EvidenceError(problem)
            header = record
            continue
        problem = _record_shape(record, header["tasks"])
        if problem:
            raise EvidenceError(f"line {number} {problem}")
        _tally(record, header, tallies, hashers)
        if keep is not None and keep(record["t"], record["d"]):
            kept.setdefault(record["t"], []).append(record)
    if header is None:
        raise EvidenceError(f"does not start with a '{FORMAT}' header")
    task_hashes = {task: (hasher.hexdigest() if hasher else None) for task, hasher in hashers.items()}
    return Evidence(header, tallies, task_hashes, kept)


def evidence_lines(raw: bytes) -> Iterator[tuple[int, Any]]:
    """(line number, parsed record) for each non-blank line of a gzip'd evidence file, read under
    the caps on file size, inflated size, line length and lines; EvidenceError names the line."""
    if len(raw) > MAX_EVIDENCE_BYTES:
        raise EvidenceError(f"is {len(raw):,} bytes; evidence files are at most {MAX_EVIDENCE_BYTES:,}")
    try:
        for number, line in gzip_lines(io.BytesIO(raw), max_inflated=MAX_INFLATED, max_line=MAX_LINE, max_lines=MAX_RECORDS + 1):
            if not line.strip():
                continue
            try:
                record = loads(line, allow_nan=False, fast=True)
            except BoundedReadError as error:
                raise EvidenceError(f"line {number} {error}") from None
            yield number, record
    except BoundedReadError as error:  # from inflating and splitting lines
        raise EvidenceError(str(error)) from None


def _tally(record: dict[str, Any], header: dict[str, Any], tallies: dict[str, dict[str, FilterTally]], hashers: dict[str, Any]) -> None:
    task, filter_name = record["t"], record["f"]
    by_filter = tallies.setdefault(task, {})
    tally = by_filter.get(filter_name)
    if tally is None:
        if len(by_filter) >= MAX_FILTERS:
            raise EvidenceError(f"task '{task}' has records under more than {MAX_FILTERS} filters")
        tally = by_filter[filter_name] = FilterTally()
    tally.ids.append(record["d"])
    for metric, value in record["m"].items():
        if value is not None:
            tally.values.setdefault(metric, array("d")).append(value)
    for metric in contradictions(record, header["tasks"][task]["output_type"]):
        tally.contradicted.setdefault(metric, []).append(record["d"])
    h = record.get("h")
    if task not in hashers:
        hashers[task] = hashlib.sha256()
    if hashers[task] is not None:
        if h:
            hashers[task].update(h.encode("utf-8"))
        else:
            hashers[task] = None
