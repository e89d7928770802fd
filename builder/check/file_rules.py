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
from builder.check.protocol_rules import score_protocol_findings
from builder.check.text_rules import date_problem, look_alike_problem
from builder.load.registry import Registry
from builder.problems import Severity, counted

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
    imported = "imported_from" in (data["provenance"].get("source") or {})
    yield from _scale_findings(data["scores"], registry, imported)
    if submitted and data.get("harness", {}).get("name") == "opencompass":
        # OpenCompass's datasets are not lm-eval tasks: checked against their own mapping.
        from builder.imports.opencompass_rules import opencompass_score_findings

        yield from opencompass_score_findings(data, registry)
        submitted = False
    for benchmark_id, score in data["scores"].items():
        yield from _score_findings(benchmark_id, score, registry, submitted, partial)
    if not data["scores"] and not data.get("other_results"):
        yield _error(("scores",), "a run needs at least one score, or results outside the board's benchmarks in 'other_results'")


def did_you_mean(given: str, known: list[str]) -> str | None:
    """The known id closest to `given`, ignoring letter case (`MMLU` -> `mmlu`), or None."""
    by_folded = {name.casefold(): name for name in known}
    folded = given.casefold()
    if folded in by_folded:
        return by_folded[folded]
    close = difflib.get_close_matches(folded, list(by_folded), n=1)
    return by_folded[close[0]] if close else None


def _scale_findings(scores: dict[str, Any], registry: Registry, imported: bool = False) -> Iterator[Finding]:
    """Scores are percent. A value between 0 and 1 is lm-eval's fraction written as is: an
    error where guessing alone scores 1 or more, or where every score of the run is below 1;
    only a warning where a score below 1 point is possible (a small model on open-answer
    maths) and the run's other scores are percent. A score well below random guessing is
    a warning: a wrong metric, task or scale, more often than a model that bad. Neither
    warning is given for `imported` numbers: the importer converted their scale and mapped
    their metric itself (the Open LLM Leaderboard's MATH Level 5 has real scores of 0.08)."""
    all_below_one = all(0 < score["value"] < 1 for score in scores.values())
    for benchmark_id, score in scores.items():
        benchmark = registry.benchmark(benchmark_id)
        if benchmark is None:
            continue
        value, at = score["value"], ("scores", benchmark_id, "value")
        as_percent = f"scores are percent, so lm-eval's {value:g} is written {value * 100:.4g}"
        if 0 < value < 1 and benchmark.random_baseline >= 1:
            yield _error(at, f"{value:g} is a fraction: {as_percent} (guessing alone scores {benchmark.random_baseline:g} on {benchmark.name})")
        elif 0 < value < 1 and all_below_one:
            yield _error(at, f"{value:g} is a fraction: every score of the run is below 1, and {as_percent}")
        elif imported:
            continue
        elif 0 < value < 1:
            yield at, f"{value:g} is below 1 point: if it is lm-eval's fraction, write {value * 100:.4g}", Severity.WARNING
        elif benchmark.higher_is_better and benchmark.random_baseline > 0:
            samples = score.get("n_samples")
            n = samples["effective"] if samples else benchmark.size
            floor = benchmark.random_baseline - 2 * binomial_stderr(benchmark.random_baseline, n)
            if value < floor:
                yield (at, f"{value:g} is below random guessing on {benchmark.name} ({benchmark.random_baseline:g}, and guessing over "
                           f"{counted(n, 'document')} scores under {floor:.1f} about 2% of the time): check the task, metric and scale", Severity.WARNING)


def _score_findings(benchmark_id: str, score: dict[str, Any], registry: Registry, submitted: bool, partial: bool) -> Iterator[Finding]:
    at = ("scores", benchmark_id)
    benchmark = registry.benchmark(benchmark_id)
    if benchmark is None:
        if registry.benchmarks:
            hint = did_you_mean(benchmark_id, [b.id for b in registry.benchmarks])
            yield _error(at, f"unknown benchmark '{benchmark_id}'" + (f" (did you mean '{hint}'?)" if hint else "; see seeds/benchmarks.yaml"))
        return
    if submitted:
        for required in ("task", "metric", "filter", "n_samples"):
            if required not in score:
                yield _error(at, f"'{required}' is required for submitted runs")
    yield from score_protocol_findings(benchmark, score, registry, submitted, at)
    samples = score.get("n_samples")
    if samples:
        if samples["effective"] > samples["original"]:
            yield _error((*at, "n_samples", "effective"), f"{counted(samples['effective'], 'document')} evaluated, but the task has only {samples['original']:,}")
        elif samples["effective"] < samples["original"] and submitted and not partial:
            yield _error((*at, "n_samples", "effective"), f"only {samples['effective']:,} of {counted(samples['original'], 'document')} evaluated, but setting.limit is not set")
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
        return f"{stderr:g} is implausibly large for a score of {value:g} over {counted(n, 'document')} (about {expected:.2f} expected)"
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
    protocol_ids = {b["id"]: f"benchmark '{b['id']}'" for b in data["benchmarks"]}  # a benchmark's id is its default protocol's
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
        yield from _protocol_findings(index, benchmark, protocol_ids, task_owner)


def _protocol_findings(index: int, benchmark: dict[str, Any], protocol_ids: dict[str, str], task_owner: dict[str, str]) -> Iterator[Finding]:
    """Protocol ids are unique among benchmark and protocol ids; an lm-eval task or subtask belongs to one protocol."""
    for p_index, protocol in enumerate(benchmark.get("protocols", ())):
        at = ("benchmarks", index, "protocols", p_index)
        mine = f"a protocol of '{benchmark['id']}' (number {p_index + 1})"
        owner = protocol_ids.setdefault(protocol["id"], mine)
        if owner != mine:
            yield _error((*at, "id"), f"protocol id '{protocol['id']}' is already used by {owner}")
        for key, tasks in (("lm_eval_task", [protocol["lm_eval_task"]]), ("subtasks", protocol.get("subtasks", []))):
            for t_index, task in enumerate(tasks):
                where = (*at, key) if key == "lm_eval_task" else (*at, key, t_index)
                claimed = task_owner.setdefault(task, protocol["id"])
                if claimed != protocol["id"]:
                    yield _error(where, f"lm-eval task '{task}' already counts as '{claimed}'")
