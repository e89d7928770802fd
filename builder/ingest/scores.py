"""A run's scores from lm-eval's numbers: one benchmark under one registry protocol, groups aggregated as lm-eval does.

A protocol names an lm-eval task or group, its subtasks, metric, filter and n-shot. A run that
has only some of a protocol's subtasks gets a `partial` score over those: shown, never counted.
"""

from __future__ import annotations

import math
from typing import Any

from builder.lmeval.output import LmEvalOutput, MetricKey, TaskRow
from builder.load.registry import Benchmark, Protocol


def percent_factor(value: float) -> int:
    """lm-eval reports most metrics as fractions (0.785) and a few on 0-100 (bleu_max):
    fractions are multiplied by 100, larger numbers are taken as percent already.
    `reproboard validate` applies the same rule to the re-scored mean."""
    return 100 if abs(value) <= 1 else 1


def _percent(value: float, factor: int) -> float:
    return round(factor * value, 10)


def _leaf_key(row: TaskRow, metric: str, wanted_filter: str) -> MetricKey | None:
    if (metric, wanted_filter) in row.values:
        return metric, wanted_filter
    others = [key for key in row.values if key[0] == metric]
    return others[0] if len(others) == 1 else None


def _size(output: LmEvalOutput, task: str, samples: dict[str, Any]) -> int | None:
    row = output.rows.get(task)
    if row is not None and row.n_effective:
        return row.n_effective
    if task in samples:
        return len(samples[task].doc_ids)
    return None


def _pooled_stderr(stderrs: list[float], sizes: list[int]) -> float | None:
    """lm-eval's `pooled_sample_stderr` for a size-weighted group."""
    if sum(sizes) <= len(sizes):
        return None
    variance = sum((n - 1) * s**2 * n for n, s in zip(sizes, stderrs)) / (sum(sizes) - len(sizes))
    return math.sqrt(variance / sum(sizes))


def _value_of(output: LmEvalOutput, name: str, metric: str, filter_name: str, samples: dict[str, Any],
              weightings: dict[str, str]) -> tuple[float, int] | None:
    """(value, size) of a task or group; groups weighted as `weightings` says (default: size)."""
    row = output.rows.get(name)
    kids = output.children.get(name)
    if not kids:
        key = _leaf_key(row, metric, filter_name) if row else None
        size = _size(output, name, samples)
        return (row.values[key], size) if key and size else None
    parts = [p for p in (_value_of(output, kid, metric, filter_name, samples, weightings) for kid in kids) if p is not None]
    if not parts:  # lm-eval leaves subtasks without the metric out of a group's aggregate
        return None
    weights = [p[1] if weightings.get(name, "size") == "size" else 1 for p in parts]  # type: ignore[index]
    return sum(p[0] * w for p, w in zip(parts, weights)) / sum(weights), sum(p[1] for p in parts)  # type: ignore[index]


def _weightings(output: LmEvalOutput, name: str, metric: str, filter_name: str, samples: dict[str, Any]) -> dict[str, str] | None:
    """How lm-eval weighted each group under `name`: found by matching its printed values."""
    chosen: dict[str, str] = {}

    def visit(group: str) -> bool:
        for kid in output.children.get(group, ()):
            if output.children.get(kid) and not visit(kid):
                return False
        row = output.rows.get(group)
        printed = row.values.get((metric, filter_name)) if row else None
        for weighting in ("size", "mean"):
            chosen[group] = weighting
            computed = _value_of(output, group, metric, filter_name, samples, chosen)
            if printed is None or (computed is not None and abs(computed[0] - printed) <= 1e-9 * max(1.0, abs(printed))):
                return True
        return False

    return chosen if visit(name) else None


def _common(values: list[Any]) -> Any:
    distinct = {v for v in values}
    return distinct.pop() if len(distinct) == 1 else None


def score_for(output: LmEvalOutput, benchmark: Benchmark, protocol: Protocol, task: str, samples: dict[str, Any],
              notices: list[str]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]] | None:
    """The run's score for `benchmark` under `protocol` from lm-eval's `task` row, and its evidence groups."""
    row = output.rows[task]
    metric, wanted = protocol.metric, protocol.filter
    groups: dict[str, dict[str, Any]] = {}
    extra: dict[str, Any] = {}
    if not output.children.get(task):
        leaves = [task]
        if (metric, wanted) not in row.values:
            reported = ", ".join(f"{m},{f}" for m, f in sorted(row.values)) or "no numbers"
            notices.append(f"left out {benchmark.id}: {task} reports {reported}, and {benchmark.name} is ranked by {metric},{wanted} "
                           f"under protocol {protocol.id}")
            return None
        value, stderr = row.values[(metric, wanted)], row.stderrs.get((metric, wanted))
        n_shot, version = row.n_shot, row.version
    else:
        keys = {leaf: _leaf_key(output.rows[leaf], metric, wanted) if leaf in output.rows else None for leaf in output.leaves(task)}
        leaves = [leaf for leaf, key in keys.items() if key]
        without = [leaf for leaf, key in keys.items() if not key]
        if not leaves:
            notices.append(f"left out {benchmark.id}: no subtask of {task} reports {metric}")
            return None
        if without:
            notices.append(f"{task}: subtasks without {metric} are not part of its score, as in lm-eval: {', '.join(without[:5])}")
        sizes = [_size(output, leaf, samples) for leaf in leaves]
        if (metric, wanted) in row.values:
            value, stderr = row.values[(metric, wanted)], row.stderrs.get((metric, wanted))
            weightings = _weightings(output, task, metric, wanted, samples) if all(sizes) else None
            if weightings is None:
                notices.append(f"{task}: lm-eval's aggregate could not be matched to its subtasks' scores (sizes unknown or a custom weighting)")
                weightings = {}
            for group in [task, *sorted(subgroups(output, task))]:
                kids = [k for k in output.children[group] if any(leaf in leaves for leaf in output.leaves(k))]
                groups[group] = {"children": kids, "weighting": weightings.get(group, "size")}
        else:
            if not all(sizes):
                notices.append(f"left out {benchmark.id}: {task} has no aggregate and its subtasks' sizes are unknown")
                return None
            values = [output.rows[leaf].values[keys[leaf]] for leaf in leaves]  # type: ignore[index]
            value = sum(v * n for v, n in zip(values, sizes)) / sum(sizes)  # type: ignore[operator]
            stderrs = [output.rows[leaf].stderrs.get(keys[leaf]) for leaf in leaves]  # type: ignore[arg-type]
            stderr = _pooled_stderr(stderrs, sizes) if all(s is not None for s in stderrs) else None  # type: ignore[arg-type]
            extra["aggregated_from"] = list(leaves)
            notices.append(f"{task}: lm-eval printed no aggregate; computed it from its {len(leaves)} subtasks, weighted by size, as lm-eval does")
        used = sorted({keys[leaf][1] for leaf in leaves})  # type: ignore[index]
        if used != [wanted]:
            counts = {f: sum(1 for leaf in leaves if keys[leaf][1] == f) for f in used}  # type: ignore[index]
            extra["setting_note"] = "filters differ between subtasks: " + ", ".join(f"{f} ({n})" for f, n in counts.items())
            notices.append(f"{task}: {extra['setting_note']}")
        n_shot = _common([output.rows[leaf].n_shot for leaf in leaves])
        if n_shot is None:
            notices.append(f"{task}: subtasks differ in n-shot (or do not say); n_shot is left empty")
        elif row.n_shot is not None and row.n_shot != n_shot:
            notices.append(f"{task}: lm-eval says {row.n_shot}-shot for the group but {n_shot} for every subtask; took {n_shot}")
        version = _common([output.rows[leaf].version for leaf in leaves])
    factor = percent_factor(value)
    if abs(factor * value) > 100:
        notices.append(f"left out {benchmark.id}: {metric} of {task} is {value:g}, not a percentage")
        return None
    score: dict[str, Any] = {"value": _percent(value, factor)}
    if stderr is not None and factor * stderr <= 50:
        score["stderr"] = _percent(stderr, factor)
    score.update({"n_shot": n_shot, "metric": metric, "filter": wanted, "task": task, "protocol": protocol.id})
    if version is not None:
        score["task_version"] = version
    effective = [_size(output, leaf, samples) for leaf in leaves]
    # Without a limit every document was evaluated; with one, the task's size is unknown.
    original = [output.rows[leaf].n_original or (n if output.limit is None else None) for leaf, n in zip(leaves, effective)]
    if all(original) and all(effective):
        score["n_samples"] = {"original": sum(original), "effective": sum(effective)}  # type: ignore[arg-type]
    if not output.children.get(task) and row.task_hash:
        score["task_hash"] = row.task_hash
    score.update(extra)
    return score, groups


def group_leaves(groups: dict[str, dict[str, Any]], name: str) -> list[str]:
    if name not in groups:
        return [name]
    return [leaf for kid in groups[name]["children"] for leaf in group_leaves(groups, kid)]


def subgroups(output: LmEvalOutput, name: str) -> set[str]:
    found: set[str] = set()
    for kid in output.children.get(name, ()):
        if output.children.get(kid):
            found |= {kid} | subgroups(output, kid)
    return found


def partial_score(output: LmEvalOutput, benchmark: Benchmark, protocol: Protocol, leaves: list[str], samples: dict[str, Any],
                  notices: list[str], complete: bool = False) -> dict[str, Any] | None:
    """A score over `leaves`, subtasks of `protocol` run without its group: their mean weighted by size, as lm-eval weights
    the whole group. `partial` unless they are all of the protocol's subtasks (`complete`)."""
    metric, wanted = protocol.metric, protocol.filter
    keys = {leaf: _leaf_key(output.rows[leaf], metric, wanted) for leaf in leaves}
    used = [leaf for leaf in leaves if keys[leaf]]
    sizes = [_size(output, leaf, samples) for leaf in used]
    if not used or not all(sizes):
        why = f"reports no {metric},{wanted}" if not used else "has subtasks of unknown size"
        notices.append(f"left out {benchmark.id}: the run {why} for the subtasks of {protocol.id} it has")
        return None
    values = [output.rows[leaf].values[keys[leaf]] for leaf in used]  # type: ignore[index]
    value = sum(v * n for v, n in zip(values, sizes)) / sum(sizes)  # type: ignore[operator,misc]
    stderrs = [output.rows[leaf].stderrs.get(keys[leaf]) for leaf in used]  # type: ignore[arg-type]
    stderr = _pooled_stderr(stderrs, sizes) if all(s is not None for s in stderrs) else None  # type: ignore[arg-type]
    factor = percent_factor(value)
    score: dict[str, Any] = {"value": _percent(value, factor)}
    if stderr is not None and factor * stderr <= 50:
        score["stderr"] = _percent(stderr, factor)
    n_shot = _common([output.rows[leaf].n_shot for leaf in used])
    score.update({"n_shot": n_shot, "metric": metric, "filter": wanted, "task": protocol.lm_eval_tasks[0], "protocol": protocol.id})
    version = _common([output.rows[leaf].version for leaf in used])
    if version is not None:
        score["task_version"] = version
    original = [output.rows[leaf].n_original or (n if output.limit is None else None) for leaf, n in zip(used, sizes)]
    if all(original):
        score["n_samples"] = {"original": sum(original), "effective": sum(sizes)}  # type: ignore[arg-type]
    score["aggregated_from"] = used
    if complete and len(used) == len(protocol.subtasks):
        notices.append(f"{protocol.lm_eval_tasks[0]}: computed from all its {len(used)} subtasks, weighted by size, as lm-eval does")
        return score
    score["partial"] = True
    notices.append(f"partial: {benchmark.id} under protocol {protocol.id} has {len(used)} of its {len(protocol.subtasks)} subtasks "
                   f"({', '.join(used[:3])}{' and more' if len(used) > 3 else ''}); it is shown, never counted as complete")
    return score
