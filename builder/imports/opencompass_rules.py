"""The rules of one file for a submitted OpenCompass run's scores (validate's file rules call these).

lm-eval's rules (a registry task, its metric and filter) do not apply: an OpenCompass score
names an OpenCompass dataset (`task`), which must measure the benchmark it is filed under
(builder/imports/opencompass_datasets.py), with a metric OpenCompass reports for it, and
no lm-eval filter. Whether the number follows from the samples is the evidence's check.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from builder.imports.opencompass_datasets import GROUP_METRICS, mapping_for
from builder.load.registry import Registry
from builder.problems import Severity

Finding = tuple[tuple[Any, ...], str, Severity]


def opencompass_score_findings(data: dict[str, Any], registry: Registry) -> Iterator[Finding]:
    for benchmark_id, score in data["scores"].items():
        at = ("scores", benchmark_id)
        if registry.benchmark(benchmark_id) is None:
            continue  # the general rules name the unknown benchmark
        for required in ("task", "metric", "n_samples"):
            if required not in score:
                yield at, f"'{required}' is required for submitted runs", Severity.ERROR
        if "filter" in score:
            yield (*at, "filter"), "OpenCompass has no lm-eval filter: leave 'filter' out", Severity.ERROR
        task = score.get("task")
        if task is None:
            continue
        mapping = mapping_for(task)
        if mapping is None or mapping.benchmark != benchmark_id:
            measures = f"measures '{mapping.benchmark}'" if mapping else "is not mapped to a benchmark"
            yield (*at, "task"), f"OpenCompass dataset '{task}' {measures}, not '{benchmark_id}'", Severity.ERROR
            continue
        metric = score.get("metric")
        if metric is not None and metric not in mapping.metrics:
            yield (*at, "metric"), (f"OpenCompass reports '{task}' as {' or '.join(mapping.metrics)}, not '{metric}'"), Severity.ERROR
        if metric in GROUP_METRICS and not score.get("aggregated_from"):
            yield at, f"'{task}' is a summary group ({metric}): list its datasets in 'aggregated_from'", Severity.ERROR
