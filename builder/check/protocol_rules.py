"""A score against its benchmark's protocols: the task, metric and filter come from the registry.

A submitted score is measured under one protocol (its `protocol`, or the protocol whose lm-eval
task is its `task`) and must use that protocol's metric and filter. A reported score that
names a protocol must state that protocol's metric. A metric name one typo away from one the
registry knows (`acc_nrom`) is refused with a "did you mean", whatever the run's kind.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from builder.load.registry import Benchmark, Protocol, Registry
from builder.problems import Severity

Finding = tuple[tuple[Any, ...], str, Severity]
CLOSE = 0.8
"""difflib ratio above which a name is taken as a misspelling of a known one (acc_nrom/acc_norm: 0.875; acc/acc_norm: 0.55)."""


def _hint(name: str, known: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=CLOSE)
    return f" (did you mean '{close[0]}'?)" if close else ""


def protocol_of(benchmark: Benchmark, score: dict[str, Any]) -> Protocol | None:
    """The protocol a score was measured under: the one it names, else the one whose lm-eval task is its task."""
    if "protocol" in score:
        return benchmark.protocol(score["protocol"])
    return benchmark.protocol_for_task(score.get("task"))


def score_protocol_findings(benchmark: Benchmark, score: dict[str, Any], registry: Registry, submitted: bool,
                            at: tuple[Any, ...]) -> Iterator[Finding]:
    ids = [p.id for p in benchmark.protocols]
    if "protocol" in score and benchmark.protocol(score["protocol"]) is None:
        yield (*at, "protocol"), (f"'{score['protocol']}' is not a protocol of {benchmark.name}{_hint(score['protocol'], ids)}; "
                                  f"its protocols: {', '.join(ids)}"), Severity.ERROR
        return
    protocol = protocol_of(benchmark, score)
    if submitted and "task" in score and (protocol is None or score["task"] not in (*protocol.lm_eval_tasks, *protocol.subtasks)):
        named = protocol is not None and "protocol" in score
        tasks = list(protocol.lm_eval_tasks) if named else [t for p in benchmark.protocols for t in p.lm_eval_tasks]  # type: ignore[union-attr]
        where = f" under protocol {protocol.id}" if named else ""  # type: ignore[union-attr]
        yield (*at, "task"), (f"lm-eval task '{score['task']}' does not measure {benchmark.name}{where}; expected one of: "
                              f"{', '.join(tasks) or 'none'}{_hint(score['task'], tasks)}"), Severity.ERROR
    against = protocol or (benchmark.default_protocol if submitted else None)
    for key in ("metric", "filter"):
        if key not in score:
            continue
        stated = score[key]
        if against is not None and (submitted or "protocol" in score):
            expected = getattr(against, key)
            if stated != expected:
                where = "" if against.is_default else f" under protocol {against.id}"
                hint = f" (did you mean '{expected}'?)" if _hint(stated, [expected]) else ""
                yield (*at, key), f"{benchmark.name}{where} is ranked by {key} '{expected}', not '{stated}'{hint}", Severity.ERROR
        elif key == "metric" and stated not in registry.metric_names:
            hint = _hint(stated, registry.metric_names)
            if hint:
                yield (*at, key), f"unknown metric '{stated}'{hint}", Severity.ERROR
