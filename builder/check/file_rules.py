"""Rules about one file at a time, beyond what the JSON Schema can say.

Each rule yields (path, message, severity) for a schema-valid document; the caller
turns paths into line numbers. Rules that need other files live in cross_rules.py.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Iterator
from typing import Any

from builder.check.model_args import argument_problems
from builder.check.text_rules import date_problem, look_alike_problem
from builder.load.registry import Registry
from builder.problems import Severity

Finding = tuple[tuple[Any, ...], str, Severity]


def _error(path: tuple[Any, ...], message: str) -> Finding:
    return path, message, Severity.ERROR


def _names(data: dict[str, Any], paths: list[tuple[str, ...]]) -> Iterator[Finding]:
    for path in paths:
        node: Any = data
        for step in path:
            node = node.get(step) if isinstance(node, dict) else None
        if isinstance(node, str):
            why = look_alike_problem(node)
            if why:
                yield _error(path, f"'{node}' {why}")


def _dates(data: dict[str, Any], paths: list[tuple[str, ...]], today: dt.date) -> Iterator[Finding]:
    for path in paths:
        node: Any = data
        for step in path:
            node = node.get(step) if isinstance(node, dict) else None
        if isinstance(node, str):
            why = date_problem(node, today)
            if why:
                yield _error(path, why)


def model_findings(data: dict[str, Any], folder_id: str | None, today: dt.date) -> Iterator[Finding]:
    if folder_id is not None and data["id"] != folder_id:
        yield _error(("id",), f"'{data['id']}' does not match its folder '{folder_id}'")
    yield from _names(data, [("name",), ("organisation",)])
    yield from _dates(data, [("release_date",)], today)
    params = data.get("parameters", {})
    if "active_billions" in params and params["active_billions"] > params["total_billions"]:
        yield _error(("parameters", "active_billions"), "active parameters cannot exceed the total")


def run_findings(data: dict[str, Any], folder_id: str | None, registry: Registry, today: dt.date) -> Iterator[Finding]:
    if folder_id is not None and data["model"] != folder_id:
        yield _error(("model",), f"'{data['model']}' does not match its folder '{folder_id}'")
    yield from _names(data, [("submitted_by",), ("provenance", "source", "publisher")])
    yield from _dates(data, [("submitted_on",), ("provenance", "source", "published_on")], today)
    submitted = data["provenance"]["kind"] == "submitted"
    setting = data.get("setting", {})
    # The schema holds the same allow-list (a test keeps them equal); asking the list too
    # keeps validate, ingest and spotcheck on one decision even if the schema drifted.
    for arg, why in argument_problems(setting.get("model_args", {})):
        yield _error(("setting", "model_args", arg), f"'{arg}' {why}")
    partial = setting.get("limit") is not None
    values = [score["value"] for score in data["scores"].values()]
    if all(0 < value < 1 for value in values):
        yield ("scores",), "every score is below 1: scores are percent, so lm-eval's 0.785 is written 78.5", Severity.WARNING
    for benchmark_id, score in data["scores"].items():
        yield from _score_findings(benchmark_id, score, registry, submitted, partial)


def _score_findings(benchmark_id: str, score: dict[str, Any], registry: Registry, submitted: bool, partial: bool) -> Iterator[Finding]:
    at = ("scores", benchmark_id)
    benchmark = registry.benchmark(benchmark_id)
    if benchmark is None:
        if registry.benchmarks:
            hint = difflib.get_close_matches(benchmark_id, [b.id for b in registry.benchmarks], n=1)
            yield _error(at, f"unknown benchmark '{benchmark_id}'" + (f" (did you mean '{hint[0]}'?)" if hint else "; see seeds/benchmarks.yaml"))
        return
    if submitted:
        for required in ("task", "metric", "filter", "n_samples"):
            if required not in score:
                yield _error(at, f"'{required}' is required for submitted runs")
        if "task" in score and score["task"] not in benchmark.lm_eval_tasks:
            tasks = ", ".join(benchmark.lm_eval_tasks) or "none"
            yield _error((*at, "task"), f"lm-eval task '{score['task']}' does not measure {benchmark.name}; expected one of: {tasks}")
        for key, expected in (("metric", benchmark.metric), ("filter", benchmark.filter)):
            if key in score and score[key] != expected:
                yield _error((*at, key), f"{benchmark.name} is ranked by {key} '{expected}', not '{score[key]}'")
    samples = score.get("n_samples")
    if samples:
        if samples["effective"] > samples["original"]:
            yield _error((*at, "n_samples", "effective"), f"{samples['effective']} documents evaluated, but the task has only {samples['original']}")
        elif samples["effective"] < samples["original"] and submitted and not partial:
            yield _error((*at, "n_samples", "effective"), f"only {samples['effective']} of {samples['original']} documents evaluated, but setting.limit is not set")
    if "stderr" in score:
        n = samples["effective"] if samples else benchmark.size
        why = stderr_problem(score["value"], score["stderr"], n)
        if why:
            yield _error((*at, "stderr"), why)


def binomial_stderr(value: float, n: int) -> float:
    """Standard error, in points, of a mean of n scores of 0 or 100."""
    p = value / 100
    return 100 * math.sqrt(p * (1 - p) / max(n - 1, 1))


def stderr_problem(value: float, stderr: float, n: int) -> str | None:
    """Why a stderr cannot belong to `value` over `n` documents, or None.

    A score over n documents that each score 0 or 1 has the binomial stderr; metrics
    with partial credit have less spread, never much more. We allow twice the binomial
    value plus 0.1 point for rounding.
    """
    expected = binomial_stderr(value, n)
    if stderr > 2 * expected + 0.1:
        return f"{stderr:g} is implausibly large for a score of {value:g} over {n} documents (about {expected:.2f} expected)"
    if stderr == 0 and 0 < value < 100 and n > 1:
        return f"a stderr of 0 means every document scored the same, which a score of {value:g} rules out"
    return None


def verification_findings(data: dict[str, Any], today: dt.date) -> Iterator[Finding]:
    yield from _dates(data, [("checked_on",)], today)
    for index, task in enumerate(data["tasks"]):
        if task["documents_agreeing"] > task["documents_checked"]:
            yield _error(("tasks", index, "documents_agreeing"), "more documents agree than were checked")


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
"""CJK ideographs: a Chinese description without any is English (or another language) by mistake."""


def _chinese_findings(kind: str, index: int, entry: dict[str, Any]) -> Iterator[Finding]:
    if not _HAN.search(entry["description_zh"]):
        yield _error((kind, index, "description_zh"), "has no Chinese characters; write the description in Simplified Chinese")


def registry_findings(data: dict[str, Any]) -> Iterator[Finding]:
    categories: dict[str, int] = {}
    for index, category in enumerate(data["categories"]):
        if category["id"] in categories:
            yield _error(("categories", index, "id"), f"category '{category['id']}' is defined twice")
        categories.setdefault(category["id"], index)
        yield from _chinese_findings("categories", index, category)
    seen: dict[str, int] = {}
    task_owner: dict[str, str] = {}
    for index, benchmark in enumerate(data["benchmarks"]):
        if benchmark["id"] in seen:
            yield _error(("benchmarks", index, "id"), f"benchmark '{benchmark['id']}' is defined twice")
        seen.setdefault(benchmark["id"], index)
        if benchmark["category"] not in categories:
            yield _error(("benchmarks", index, "category"), f"unknown category '{benchmark['category']}'")
        yield from _chinese_findings("benchmarks", index, benchmark)
        for task_index, task in enumerate(benchmark["lm_eval_tasks"]):
            owner = task_owner.setdefault(task, benchmark["id"])
            if owner != benchmark["id"]:
                yield _error(("benchmarks", index, "lm_eval_tasks", task_index), f"lm-eval task '{task}' already counts as '{owner}'")
