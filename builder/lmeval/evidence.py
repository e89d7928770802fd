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
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from builder.lmeval.output import LmEvalFormatError, LmEvalOutput, iter_filters
from builder.problems import Problem

if TYPE_CHECKING:
    from builder.load.parsed import Parsed

FORMAT = "reproboard-evidence"
VERSION = 1
MAX_UNCOMPRESSED = 1 << 30
"""An evidence file inflates to at most 1 GiB (a 14,000-document task is a few MB)."""
ANSWER_TEXT_LIMIT = 200
SCORE_TOLERANCE = 1e-6
"""Percentage points: re-scored and claimed values differ by float rounding only."""
LOGLIKELIHOOD_TYPES = ("multiple_choice", "loglikelihood", "loglikelihood_rolling")


class EvidenceError(Exception):
    """The evidence cannot be read; the message says why."""


# --- building ------------------------------------------------------------------------


def encode_answer(answer: Any) -> str:
    """A filtered generation as evidence keeps it: the text, or its sha256 when long."""
    text = answer if isinstance(answer, str) else json.dumps(answer, sort_keys=True, ensure_ascii=False)
    if len(text) <= ANSWER_TEXT_LIMIT:
        return text
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _argument_pairs(record: dict[str, Any]) -> list[list[Any]]:
    """[[context, continuation-or-gen-args], ...] from either `arguments` layout."""
    arguments = record.get("arguments")
    if isinstance(arguments, dict):  # 0.4.3+: {"gen_args_0": {"arg_0": ..., "arg_1": ...}}
        return [[args.get("arg_0"), args.get("arg_1")] for _, args in sorted(arguments.items(), key=lambda kv: int(kv[0].rsplit("_", 1)[-1]))]
    if isinstance(arguments, list):
        return [list(a) if isinstance(a, (list, tuple)) else [a, None] for a in arguments]
    return []


def _loglikelihoods(record: dict[str, Any]) -> tuple[list[float], list[bool]]:
    lls, greedy = [], []
    for response in record.get("filtered_resps") or record.get("resps") or []:
        item = response
        while isinstance(item, list) and len(item) == 1 and isinstance(item[0], list):
            item = item[0]
        if isinstance(item, list) and item:
            lls.append(float(item[0]))
            greedy.append(str(item[1]) == "True" if len(item) > 1 else False)
        else:
            lls.append(float(item))
            greedy.append(False)
    return lls, greedy


def _gold(target: Any, choices: list[str]) -> int | list[int] | None:
    if isinstance(target, bool):
        return None
    if isinstance(target, int):
        return target
    if isinstance(target, list) and all(isinstance(t, int) and not isinstance(t, bool) for t in target):
        return list(target)
    if isinstance(target, str):
        if target.strip().isdigit():
            return int(target.strip())
        if target in choices:
            return choices.index(target)
    return None


def _metric_value(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def evidence_record(task: str, filter_name: str, record: dict[str, Any], output_type: str, metrics: list[str], delimiter: str) -> dict[str, Any]:
    """The compact record of one lm-eval sample."""
    out: dict[str, Any] = {"t": task, "d": int(record["doc_id"]), "f": filter_name}
    hashes = [record.get(k) for k in ("doc_hash", "prompt_hash", "target_hash")]
    out["h"] = "".join(hashes) if all(isinstance(h, str) and len(h) == 64 for h in hashes) else None
    out["m"] = {m: _metric_value(record.get(m)) for m in metrics if m in record}
    if output_type in LOGLIKELIHOOD_TYPES:
        lls, greedy = _loglikelihoods(record)
        out["ll"] = lls
        out["gr"] = [int(g) for g in greedy]
        if output_type == "multiple_choice":
            continuations = [str(pair[1]) for pair in _argument_pairs(record) if len(pair) > 1 and pair[1] is not None]
            choices = [c[len(delimiter):] if delimiter and c.startswith(delimiter) else c for c in continuations]
            out["cl"] = [len(c) for c in choices]
            out["gold"] = _gold(record.get("target"), choices)
    else:
        answer = record.get("filtered_resps")
        if isinstance(answer, list) and len(answer) == 1:
            answer = answer[0]
        out["a"] = encode_answer(answer)
    return out


def output_type_of(config: dict[str, Any], records: list[dict[str, Any]]) -> str:
    declared = config.get("output_type")
    if isinstance(declared, str) and declared:
        return declared
    first = records[0] if records else {}
    responses = first.get("filtered_resps") or []
    if responses and isinstance(responses[0], list) and responses[0] and _metric_value(responses[0][0]) is not None:
        return "multiple_choice" if len(responses) > 1 else "loglikelihood"
    return "generate_until"


def metric_aggregations(output: LmEvalOutput, task: str, records: list[dict[str, Any]]) -> dict[str, str]:
    """metric -> aggregation ('mean', 'f1', 'bleu', ...) for the metrics the task reports."""
    declared = {}
    for item in output.rows[task].config.get("metric_list") or []:
        if isinstance(item, dict) and isinstance(item.get("metric"), str):
            aggregation = item.get("aggregation")
            declared[item["metric"]] = aggregation if isinstance(aggregation, str) else "mean"
    reported = sorted({metric for metric, _ in output.rows[task].values})
    out = {}
    for metric in reported:
        if metric in declared:
            out[metric] = declared[metric]
        elif records and all(_metric_value(r.get(metric)) is not None for r in records if metric in r) and any(metric in r for r in records):
            out[metric] = "mean"
        else:
            out[metric] = "unknown"
    return out


def build_evidence(output: LmEvalOutput, samples: dict[str, list[dict[str, Any]]], groups: dict[str, dict[str, Any]]) -> bytes:
    """The evidence file's bytes (gzip, deterministic) for the tasks in `samples`."""
    header: dict[str, Any] = {"format": FORMAT, "version": VERSION, "tasks": {}, "groups": groups}
    lines = []
    for task in sorted(samples):
        records = samples[task]
        row = output.rows[task]
        output_type = output_type_of(row.config, records)
        aggregations = metric_aggregations(output, task, records)
        filters = sorted({f for _, f in row.values})
        delimiter = row.config.get("target_delimiter", " ")
        delimiter = delimiter if isinstance(delimiter, str) else " "
        seen = set()
        for filter_name, record in iter_filters(records, filters):
            line = evidence_record(task, filter_name, record, output_type, list(aggregations), delimiter)
            key = (line["d"], filter_name)
            if key in seen:
                raise LmEvalFormatError(f"samples of {task}: document {line['d']} appears twice for filter '{filter_name}'")
            seen.add(key)
            lines.append(line)
        header["tasks"][task] = {
            "output_type": output_type, "filters": filters, "metrics": aggregations,
            "n_docs": len({d for d, _ in seen}), "task_hash": row.task_hash, "target_delimiter": delimiter,
        }
    text = "".join(json.dumps(x, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n" for x in [header, *lines])
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as stream:
        stream.write(text.encode("utf-8"))
    return buffer.getvalue()


# --- reading -------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    header: dict[str, Any]
    records: dict[str, list[dict[str, Any]]]
    """Per task, in file order."""

    def task_records(self, task: str, filter_name: str) -> list[dict[str, Any]]:
        return [r for r in self.records.get(task, []) if r["f"] == filter_name]

    def filters_of(self, task: str) -> list[str]:
        return sorted({r["f"] for r in self.records.get(task, [])})

    def leaves(self, name: str) -> list[str]:
        group = self.header.get("groups", {}).get(name)
        if not group:
            return [name]
        out: list[str] = []
        for child in group.get("children", []):
            out.extend(leaf for leaf in self.leaves(child) if leaf not in out)
        return out


def read_evidence(raw: bytes) -> Evidence:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
            data = stream.read(MAX_UNCOMPRESSED + 1)
    except (OSError, EOFError) as error:
        raise EvidenceError(f"is not a gzip file: {error}") from None
    if len(data) > MAX_UNCOMPRESSED:
        raise EvidenceError(f"inflates to more than {MAX_UNCOMPRESSED:,} bytes")
    try:
        lines = [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise EvidenceError(f"is not JSON Lines: {error}") from None
    if not lines or not isinstance(lines[0], dict) or lines[0].get("format") != FORMAT:
        raise EvidenceError(f"does not start with a '{FORMAT}' header")
    if lines[0].get("version") != VERSION:
        raise EvidenceError(f"is evidence version {lines[0].get('version')!r}; this ReproBoard reads version {VERSION}")
    header = lines[0]
    records: dict[str, list[dict[str, Any]]] = {}
    for number, record in enumerate(lines[1:], start=2):
        if not isinstance(record, dict) or not isinstance(record.get("t"), str) or not isinstance(record.get("d"), int) \
                or not isinstance(record.get("f"), str) or not isinstance(record.get("m"), dict):
            raise EvidenceError(f"line {number} is not a sample record (t, d, f, m)")
        if record["t"] not in header.get("tasks", {}):
            raise EvidenceError(f"line {number}: task '{record['t']}' is not in the header")
        records.setdefault(record["t"], []).append(record)
    return Evidence(header, records)


# --- checking ------------------------------------------------------------------------


def task_hash(records: list[dict[str, Any]]) -> str | None:
    """lm-eval's `task_hashes` entry: sha256 over every record's three hashes, in order."""
    if not records or any(not r.get("h") for r in records):
        return None
    return hashlib.sha256("".join(r["h"] for r in records).encode("utf-8")).hexdigest()


def chosen(lls: list[float], lengths: list[int] | None = None) -> int:
    """The choice lm-eval picks: argmax of loglikelihood (per character for acc_norm); first wins ties."""
    scores = [ll / n for ll, n in zip(lls, lengths)] if lengths else lls
    return max(range(len(scores)), key=lambda i: (scores[i], -i))


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
    records = evidence.task_records(name, used)
    values = [r["m"].get(metric) for r in records]
    if not records or any(v is None for v in values):
        return _Rescored(None, len(records), [f"some records of '{name}' have no value for '{metric}'"])
    return _Rescored(sum(values) / len(values), len(records), [])  # type: ignore[arg-type]


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


def _ids(ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:10])
    return shown + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")


def _task_problems(run: Parsed, evidence: Evidence, task: str, info: dict[str, Any]) -> Iterator[Problem]:
    at = ("provenance", "evidence", "path")
    for filter_name in evidence.filters_of(task):
        records = evidence.task_records(task, filter_name)
        ids = [r["d"] for r in records]
        if len(set(ids)) != len(ids):
            yield run.problem(at, f"{task}: some documents appear twice for filter '{filter_name}'")
        if len(ids) != info.get("n_docs"):
            yield run.problem(at, f"{task}: {len(ids)} documents for filter '{filter_name}', but the header says {info.get('n_docs')}")
        bad: dict[str, list[int]] = {}
        for record in records:
            for metric in contradictions(record, info.get("output_type", "")):
                bad.setdefault(metric, []).append(record["d"])
        for metric, doc_ids in sorted(bad.items()):
            yield run.problem(at, f"{task}: {len(doc_ids)} documents claim a {metric} that their own loglikelihoods contradict "
                                  f"(the highest-scoring choice is not what they count as right): doc ids {_ids(doc_ids)}")
    expected = info.get("task_hash")
    if expected:
        actual = task_hash(evidence.records.get(task, []))
        if actual != expected:
            yield run.problem(at, f"{task}: the document, prompt and target hashes give task hash {actual or 'none'}, not {expected}")


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
            yield run.problem((*at, "value"), f"{score['value']:g} is not what the evidence gives: its {result.docs} documents "
                                              f"re-score to {factor * result.value:.6g} ({metric}, {filter_name})")
    samples = score.get("n_samples")
    if samples and result.docs and samples["effective"] != result.docs:
        yield run.problem((*at, "n_samples", "effective"), f"{samples['effective']} documents claimed, but the evidence has {result.docs}")
    claimed_hash = score.get("task_hash")
    if claimed_hash:
        info = evidence.header.get("tasks", {}).get(name)
        actual = task_hash(evidence.records.get(name, [])) if info else None
        if actual != claimed_hash:
            yield run.problem((*at, "task_hash"), f"the evidence's hashes of '{name}' give {actual or 'no task hash'}")
