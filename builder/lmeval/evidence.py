"""Evidence: a compact per-sample record of a submitted run, and its checks without a GPU.

The file `<run-id>.evidence.jsonl.gz` is gzip'd JSON Lines. The first line is a header:

    {"format": "reproboard-evidence", "version": 1,
     "tasks": {task: {"output_type", "filters", "metrics": {metric: aggregation},
                      "n_docs", "task_hash", "target_delimiter"}},
     "groups": {group: {"children": [...], "weighting": "size" | "mean"}}}

then one line per lm-eval sample record, in the samples file's order:

    {"t": task, "d": doc id, "f": filter, "h": doc_hash + prompt_hash + target_hash (hex),
     "m": {metric: per-sample value}, "gold": gold choice index (multiple choice),
     "ll": [loglikelihood of each choice or continuation], "gr": [is-greedy flags],
     "cl": [length of each choice in characters, for acc_norm],
     "a": filtered answer (generation; "sha256:<hex>" when longer than 200 characters)}

`reproboard validate` checks, from this file alone: every claimed score re-scores
exactly from the per-sample values (groups as lm-eval aggregates them), the document
counts equal `n_samples.effective`, the hashes give the task hash, and the recorded
per-sample correctness follows from the recorded loglikelihoods (a flipped document
whose loglikelihoods were left alone is caught here, for free). What it cannot check,
that the loglikelihoods are the model's, is `reproboard spotcheck`'s job.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from builder.lmeval.bounded import describe
from builder.lmeval.evidence_read import (
    ANSWER_TEXT_LIMIT,
    FORMAT,
    LOGLIKELIHOOD_TYPES,
    MAX_CHOICES,
    MAX_INFLATED,
    MAX_RECORDS,
    VERSION,
    Evidence,
    EvidenceError,
    chosen,
    contradictions,
    evidence_bytes,
    read_evidence,
)
from builder.lmeval.output import LmEvalFormatError, LmEvalOutput
from builder.problems import Problem, counted

if TYPE_CHECKING:
    from builder.load.parsed import Parsed

__all__ = ["ANSWER_TEXT_LIMIT", "FORMAT", "LOGLIKELIHOOD_TYPES", "VERSION", "Evidence", "EvidenceError", "TaskEvidence",
           "build_evidence", "chosen", "contradictions", "encode_answer", "evidence_bytes", "evidence_problems",
           "evidence_record", "read_evidence", "rescore", "task_evidence"]

SCORE_TOLERANCE = 1e-6
"""Percentage points: re-scored and claimed values differ by float rounding only."""


# --- building ------------------------------------------------------------------------


def encode_answer(answer: Any) -> str:
    """A filtered generation as evidence keeps it: the text, or its sha256 when long."""
    if not isinstance(answer, str):
        flat = isinstance(answer, list) and all(a is None or isinstance(a, (str, int, float, bool)) for a in answer)
        if not (flat or answer is None or isinstance(answer, (int, float, bool))):
            raise LmEvalFormatError("the filtered answer is neither text nor a flat list")
        text = json.dumps(answer, sort_keys=True, ensure_ascii=False)
    else:
        text = answer
    if len(text) <= ANSWER_TEXT_LIMIT:
        return text
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _argument_pairs(record: dict[str, Any]) -> list[list[Any]]:
    """[[context, continuation-or-gen-args], ...] from either `arguments` layout."""
    arguments = record.get("arguments")
    if isinstance(arguments, dict):  # 0.4.3+: {"gen_args_0": {"arg_0": ..., "arg_1": ...}}
        numbered = []
        for key, args in arguments.items():
            number = key.rsplit("_", 1)[-1]
            if not (number.isascii() and number.isdigit()) or len(number) > 6 or not isinstance(args, dict):
                raise LmEvalFormatError(f"'arguments' has an entry '{key[:50]}' that is not gen_args_<n>: {{arg_0, arg_1}}")
            numbered.append((int(number), [args.get("arg_0"), args.get("arg_1")]))
        return [pair for _, pair in sorted(numbered, key=lambda item: item[0])]
    if isinstance(arguments, list):
        return [list(a) if isinstance(a, (list, tuple)) else [a, None] for a in arguments]
    return []


def _loglikelihood(item: Any) -> float:
    value = float(item) if isinstance(item, (int, float, str)) and not isinstance(item, bool) else math.nan
    if not math.isfinite(value):
        raise ValueError
    return value


def _loglikelihoods(record: dict[str, Any]) -> tuple[list[float], list[bool]]:
    lls, greedy = [], []
    responses = record.get("filtered_resps") or record.get("resps") or []
    if not isinstance(responses, list) or len(responses) > MAX_CHOICES:
        raise LmEvalFormatError(f"its responses are not a list of at most {MAX_CHOICES:,} loglikelihoods")
    try:
        for response in responses:
            item = response
            while isinstance(item, list) and len(item) == 1 and isinstance(item[0], list):
                item = item[0]
            if isinstance(item, list) and item:
                lls.append(_loglikelihood(item[0]))
                greedy.append(str(item[1]) == "True" if len(item) > 1 and isinstance(item[1], (bool, str)) else False)
            else:
                lls.append(_loglikelihood(item))
                greedy.append(False)
    except (ValueError, OverflowError):
        raise LmEvalFormatError("a response is not a finite loglikelihood") from None
    return lls, greedy


def _choice_index(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1 << 31


def _gold(target: Any, choices: list[str]) -> int | list[int] | None:
    if isinstance(target, bool):
        return None
    if isinstance(target, int):
        return target if _choice_index(target) else None
    if isinstance(target, list) and len(target) <= MAX_CHOICES and all(_choice_index(t) for t in target):
        return list(target)
    if isinstance(target, str):
        if target.strip().isascii() and target.strip().isdigit() and len(target.strip()) < 10:
            return int(target.strip())
        if target in choices:
            return choices.index(target)
    return None


def _metric_value(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    if isinstance(value, str) and len(value) < 50:
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def doc_id_of(record: dict[str, Any]) -> int:
    """A sample's document id: a non-negative integer, as lm-eval writes it."""
    doc_id = record.get("doc_id")
    if not isinstance(doc_id, int) or isinstance(doc_id, bool) or not 0 <= doc_id < 1 << 62:
        raise LmEvalFormatError(f"a sample's doc_id is {describe(doc_id)}, not a document number")
    return doc_id


def evidence_record(task: str, filter_name: str, record: dict[str, Any], output_type: str, metrics: list[str], delimiter: str) -> dict[str, Any]:
    """The compact record of one lm-eval sample; LmEvalFormatError when the sample is malformed."""
    doc_id = doc_id_of(record)
    try:
        return _evidence_record(task, filter_name, doc_id, record, output_type, metrics, delimiter)
    except LmEvalFormatError as error:
        raise LmEvalFormatError(f"samples of {task}, document {doc_id}: {error}") from None


def _evidence_record(task: str, filter_name: str, doc_id: int, record: dict[str, Any], output_type: str, metrics: list[str],
                     delimiter: str) -> dict[str, Any]:
    out: dict[str, Any] = {"t": task, "d": doc_id, "f": filter_name}
    hashes = [record.get(k) for k in ("doc_hash", "prompt_hash", "target_hash")]
    out["h"] = "".join(hashes) if all(isinstance(h, str) and len(h) == 64 for h in hashes) else None  # type: ignore[arg-type]
    out["m"] = {m: _metric_value(record.get(m)) for m in metrics if m in record}
    if output_type in LOGLIKELIHOOD_TYPES:
        lls, greedy = _loglikelihoods(record)
        out["ll"] = lls
        out["gr"] = [int(g) for g in greedy]
        if output_type == "multiple_choice":
            continuations = [str(pair[1]) for pair in _argument_pairs(record) if len(pair) > 1 and isinstance(pair[1], (str, int, float))]
            if len(continuations) > MAX_CHOICES:
                raise LmEvalFormatError(f"more than {MAX_CHOICES:,} choices")
            choices = [c[len(delimiter):] if delimiter and c.startswith(delimiter) else c for c in continuations]
            out["cl"] = [len(c) for c in choices]
            out["gold"] = _gold(record.get("target"), choices)
    else:
        answer = record.get("filtered_resps")
        if isinstance(answer, list) and len(answer) == 1:
            answer = answer[0]
        out["a"] = encode_answer(answer)
    return out


@dataclass
class TaskEvidence:
    """One task's samples, turned into evidence lines while they were read: the samples themselves are not kept."""

    task: str
    header: dict[str, Any] = field(default_factory=dict)
    """The task's entry in the evidence header."""
    lines: bytearray = field(default_factory=bytearray)
    """The records' JSON Lines, end to end: one buffer, no per-line object (orjson gives each line 4 KB)."""
    doc_ids: set[int] = field(default_factory=set)
    records: int = 0

    @property
    def size(self) -> int:
        return len(self.lines)


def _declared_aggregations(config: dict[str, Any]) -> dict[str, str]:
    declared = {}
    metric_list = config.get("metric_list")
    for item in metric_list if isinstance(metric_list, list) else []:
        if isinstance(item, dict) and isinstance(item.get("metric"), str):
            aggregation = item.get("aggregation")
            declared[item["metric"]] = aggregation if isinstance(aggregation, str) else "mean"
    return declared


def _guess_output_type(first: dict[str, Any] | None) -> str:
    responses = (first or {}).get("filtered_resps") or []
    if isinstance(responses, list) and responses and isinstance(responses[0], list) and responses[0] \
            and _metric_value(responses[0][0]) is not None:
        return "multiple_choice" if len(responses) > 1 else "loglikelihood"
    return "generate_until"


def task_evidence(output: LmEvalOutput, task: str, samples: Iterable[dict[str, Any]]) -> TaskEvidence:
    """Turn one task's samples, as they stream by, into evidence lines; bounded by MAX_INFLATED and MAX_RECORDS."""
    row = output.rows[task]
    filters = sorted({f for _, f in row.values})
    delimiter = row.config.get("target_delimiter", " ")
    delimiter = delimiter if isinstance(delimiter, str) else " "
    reported = sorted({metric for metric, _ in row.values})
    declared = row.config.get("output_type")
    output_type = declared if isinstance(declared, str) and declared else None
    numeric = {m: True for m in reported}  # metric -> every value present so far is a number
    present: set[str] = set()
    seen: set[tuple[int, str]] = set()
    result = TaskEvidence(task)
    for record in samples:
        if output_type is None:
            output_type = _guess_output_type(record)
        if "filter" in record:
            if not isinstance(record["filter"], str) or len(record["filter"]) > 200:
                raise LmEvalFormatError(f"samples of {task}: a record's filter is not a name")
            filter_name = record["filter"]
        elif len(filters) == 1:
            filter_name = filters[0]
        else:
            raise LmEvalFormatError(
                f"the samples of {task} have no 'filter' field and the task has several filters ({', '.join(filters)}): "
                "records cannot be matched to filters; re-run with lm-eval 0.4.4 or later")
        line = evidence_record(task, filter_name, record, output_type, reported, delimiter)
        key = (line["d"], filter_name)
        if key in seen:
            raise LmEvalFormatError(f"samples of {task}: document {line['d']} appears twice for filter '{filter_name}'")
        seen.add(key)
        result.doc_ids.add(line["d"])
        for metric in reported:
            if metric in record:
                present.add(metric)
                numeric[metric] = numeric[metric] and line["m"][metric] is not None
        encoded = orjson.dumps(line, option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE)  # as json.dumps(sort_keys=True), compact
        result.lines += encoded
        result.records += 1
        if result.size > MAX_INFLATED or result.records > MAX_RECORDS:
            raise LmEvalFormatError(f"the evidence of {task} would be larger than ReproBoard reads "
                                    f"({MAX_RECORDS:,} records, {MAX_INFLATED:,} bytes)")
    declared_aggregations = _declared_aggregations(row.config)
    aggregations = {metric: declared_aggregations.get(metric) or ("mean" if metric in present and numeric[metric] else "unknown")
                    for metric in reported}
    result.header = {"output_type": output_type or "generate_until", "filters": filters, "metrics": aggregations,
                     "n_docs": len(result.doc_ids), "task_hash": row.task_hash, "target_delimiter": delimiter}
    return result


def build_evidence(tasks: list[TaskEvidence], groups: dict[str, dict[str, Any]]) -> bytes:
    """The evidence file's bytes (gzip, deterministic) for `tasks`, in task order."""
    ordered = sorted(tasks, key=lambda t: t.task)
    header = {"format": FORMAT, "version": VERSION, "tasks": {t.task: t.header for t in ordered}, "groups": groups}
    head = (json.dumps(header, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    if len(head) + sum(t.size for t in ordered) > MAX_INFLATED or sum(t.records for t in ordered) > MAX_RECORDS:
        raise LmEvalFormatError(f"the evidence would be larger than ReproBoard reads ({MAX_RECORDS:,} records, {MAX_INFLATED:,} bytes)")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as stream:
        stream.write(head)
        for task in ordered:
            stream.write(task.lines)
    return buffer.getvalue()


# --- checking ------------------------------------------------------------------------


def _leaf_filter(evidence: Evidence, leaf: str, wanted: str) -> str | None:
    filters = evidence.filters_of(leaf)
    if wanted in filters:
        return wanted
    return filters[0] if len(filters) == 1 else None


@dataclass
class _Rescored:
    value: float | None
    docs: int
    problems: list[str]


def rescore(evidence: Evidence, name: str, metric: str, filter_name: str) -> _Rescored:
    """The mean of `metric` over `name` (a task, or a group aggregated as lm-eval does)."""
    group = evidence.header.get("groups", {}).get(name)
    if group:
        parts = [rescore(evidence, child, metric, filter_name) for child in group.get("children", [])]
        problems = [p for part in parts for p in part.problems]
        if any(part.value is None for part in parts) or not parts:
            return _Rescored(None, sum(p.docs for p in parts), problems)
        weights = [part.docs if group.get("weighting", "size") == "size" else 1 for part in parts]
        value = sum(p.value * w for p, w in zip(parts, weights)) / sum(weights)  # type: ignore[operator]
        return _Rescored(value, sum(p.docs for p in parts), problems)
    info = evidence.header.get("tasks", {}).get(name)
    if info is None:
        return _Rescored(None, 0, [f"the evidence has no records of task '{name}'"])
    used = _leaf_filter(evidence, name, filter_name)
    if used is None:
        return _Rescored(None, 0, [f"the evidence of '{name}' has no records for filter '{filter_name}'"])
    aggregation = info.get("metrics", {}).get(metric)
    if aggregation != "mean":
        return _Rescored(None, 0, [f"'{metric}' of '{name}' is aggregated by '{aggregation}', which ReproBoard cannot re-score yet"])
    tally = evidence.tallies[name][used]
    values = tally.values.get(metric, ())
    if not tally.ids or len(values) != len(tally.ids):
        return _Rescored(None, len(tally.ids), [f"some records of '{name}' have no value for '{metric}'"])
    return _Rescored(sum(values) / len(values), len(values), [])


def evidence_problems(raw: bytes, run: Parsed) -> Iterator[Problem]:
    """Everything in a submitted run that its evidence (the file's bytes) does not bear out."""
    name = run.data["provenance"]["evidence"]["path"]
    at = ("provenance", "evidence", "path")
    try:
        evidence = read_evidence(raw)
    except EvidenceError as error:
        yield run.problem(at, f"{name} {error}")
        return
    tasks = evidence.header.get("tasks", {})
    for task, info in sorted(tasks.items()):
        yield from _task_problems(run, evidence, task, info)
    for benchmark_id, score in run.data["scores"].items():
        yield from _score_problems(run, evidence, benchmark_id, score)
    for task, other in sorted((run.data.get("other_results") or {}).items()):
        yield from _other_problems(run, evidence, task, other)


def _ids(ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:10])
    return shown + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")


def _task_problems(run: Parsed, evidence: Evidence, task: str, info: dict[str, Any]) -> Iterator[Problem]:
    at = ("provenance", "evidence", "path")
    for filter_name in evidence.filters_of(task):
        tally = evidence.tallies[task][filter_name]
        ids = tally.ids
        if len(set(ids)) != len(ids):
            yield run.problem(at, f"{task}: some documents appear twice for filter '{filter_name}'")
        if len(ids) != info.get("n_docs"):
            yield run.problem(at, f"{task}: {counted(len(ids), 'document')} for filter '{filter_name}', but the header says {info.get('n_docs')}")
        for metric, doc_ids in sorted(tally.contradicted.items()):
            yield run.problem(at, f"{task}: {counted(len(doc_ids), 'document')} claim a {metric} that their own loglikelihoods contradict "
                                  f"(the highest-scoring choice is not what they count as right): doc ids {_ids(doc_ids)}")
    expected = info.get("task_hash")
    if expected:
        actual = evidence.task_hashes.get(task)
        if actual != expected:
            yield run.problem(at, f"{task}: the document, prompt and target hashes give task hash {actual or 'none'}, not {str(expected)[:80]}")


def _score_problems(run: Parsed, evidence: Evidence, benchmark_id: str, score: dict[str, Any]) -> Iterator[Problem]:
    at = ("scores", benchmark_id)
    name, metric, filter_name = score.get("task"), score.get("metric"), score.get("filter")
    if not (name and metric and filter_name):
        return
    parts = score.get("aggregated_from")
    if parts:
        sub = [rescore(evidence, part, metric, filter_name) for part in parts]
        problems = [p for s in sub for p in s.problems]
        docs = sum(s.docs for s in sub)
        value = None if problems or not sub else sum(s.value * s.docs for s in sub) / docs  # type: ignore[operator]
        result = _Rescored(value, docs, problems)
    else:
        result = rescore(evidence, name, metric, filter_name)
    for message in result.problems:
        yield run.problem(at, message)
    if result.value is not None:
        factor = 100 if abs(result.value) <= 1 else 1  # as ingest's percent_factor
        if abs(factor * result.value - score["value"]) > SCORE_TOLERANCE:
            yield run.problem((*at, "value"), f"{score['value']:g} is not what the evidence gives: its {counted(result.docs, 'document')} "
                                              f"re-score to {factor * result.value:.6g} ({metric}, {filter_name})")
    samples = score.get("n_samples")
    if samples and result.docs and samples["effective"] != result.docs:
        yield run.problem((*at, "n_samples", "effective"), f"{counted(samples['effective'], 'document')} claimed, but the evidence has {result.docs:,}")
    claimed_hash = score.get("task_hash")
    if claimed_hash:
        info = evidence.header.get("tasks", {}).get(name)
        actual = evidence.task_hashes.get(name) if info else None
        if actual != claimed_hash:
            yield run.problem((*at, "task_hash"), f"the evidence's hashes of '{name}' give {actual or 'no task hash'}")


def _other_problems(run: Parsed, evidence: Evidence, name: str, other: dict[str, Any]) -> Iterator[Problem]:
    """A result outside the board against its evidence: its records are there, and every mean metric re-scores to the
    number lm-eval printed (kept as printed, not in percent). Other aggregations are kept unchecked."""
    at = ("other_results", name)
    tasks = evidence.header.get("tasks", {})
    leaves = evidence.leaves(name)
    missing = [leaf for leaf in leaves if leaf not in tasks]
    if missing:
        yield run.problem(at, f"the evidence has no records of task '{missing[0]}'")
        return
    docs = None
    for index, item in enumerate(other["values"]):
        if not all(tasks[leaf].get("metrics", {}).get(item["metric"]) == "mean" for leaf in leaves):
            continue
        result = rescore(evidence, name, item["metric"], item["filter"])
        if result.value is None:
            continue
        docs = result.docs
        if abs(result.value - item["value"]) > SCORE_TOLERANCE / 100 * max(1.0, abs(item["value"])):
            yield run.problem((*at, "values", index, "value"), f"{item['value']:g} is not what the evidence gives: its {result.docs} "
                                                              f"documents re-score to {result.value:.8g} ({item['metric']}, {item['filter']})")
    samples = other.get("n_samples")
    if samples and docs is not None and samples["effective"] != docs:
        yield run.problem((*at, "n_samples", "effective"), f"{samples['effective']} documents claimed, but the evidence has {docs}")
