"""The benchmark registry (`seeds/benchmarks.yaml`) as typed, read-only objects.

A benchmark is what is measured; a protocol is how (lm-eval task or group, subtasks, metric,
filter, n-shot, group aggregation). Numbers are comparable only under one protocol. A
benchmark's own `lm_eval_tasks`, `metric`, `filter` and `default_n_shot` are its default
protocol, whose id is the benchmark's id; `protocols` in the file lists the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

REGISTRY_PATH = "seeds/benchmarks.yaml"


class _Bilingual:
    """Registry entries carry their name and description in English and Chinese."""

    name: str
    description: str
    name_zh: str
    description_zh: str

    def name_in(self, language: str) -> str:
        return self.name_zh or self.name if language == "zh" else self.name

    def description_in(self, language: str) -> str:
        return self.description_zh or self.description if language == "zh" else self.description


@dataclass(frozen=True)
class Category(_Bilingual):
    id: str
    name: str
    description: str
    name_zh: str = ""
    """Simplified Chinese name; the schema requires it, hand-built objects in tests may leave it out."""
    description_zh: str = ""


@dataclass(frozen=True)
class Protocol:
    """One way of running a benchmark; scores are comparable only within one protocol."""

    id: str
    benchmark: str
    """The id of the benchmark it measures."""
    name: str
    lm_eval_tasks: tuple[str, ...]
    """lm-eval task or group names whose results are this protocol (the default protocol may list several)."""
    subtasks: tuple[str, ...]
    """The leaf tasks of the group, as lm-eval's group config lists them; empty for a single task or when not listed."""
    metric: str
    filter: str
    n_shot: int
    aggregation: str | None
    """How lm-eval aggregates the group: `size` (mean weighted by subtask size) or `mean`; None for a single task."""
    is_default: bool = False


@dataclass(frozen=True)
class Benchmark(_Bilingual):
    id: str
    name: str
    category: str
    """The id of its capability category."""
    lm_eval_tasks: tuple[str, ...]
    metric: str
    filter: str
    higher_is_better: bool
    random_baseline: float
    """Percent scored by random guessing; used to normalise."""
    default_n_shot: int
    size: int
    """Documents in the test set; gives the binomial stderr when a run has none."""
    description: str
    url: str
    name_zh: str = ""
    """Simplified Chinese name (often the same as `name`: MMLU stays MMLU)."""
    description_zh: str = ""
    other_protocols: tuple[Protocol, ...] = ()
    """Protocols besides the default one (`protocols` in the file)."""

    @cached_property
    def default_protocol(self) -> Protocol:
        return Protocol(self.id, self.id, self.name, self.lm_eval_tasks, (), self.metric, self.filter, self.default_n_shot, None, True)

    @property
    def protocols(self) -> tuple[Protocol, ...]:
        """Every protocol of the benchmark, the default first."""
        return (self.default_protocol, *self.other_protocols)

    def protocol(self, protocol_id: str) -> Protocol | None:
        return next((p for p in self.protocols if p.id == protocol_id), None)

    def protocol_for_task(self, task: str | None) -> Protocol | None:
        """The protocol whose lm-eval task (or one of whose subtasks) is `task`."""
        return next((p for p in self.protocols if task in p.lm_eval_tasks), None) or next(
            (p for p in self.protocols if task in p.subtasks), None)

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metric names of all its protocols."""
        return tuple(dict.fromkeys(p.metric for p in self.protocols))


@dataclass(frozen=True)
class Registry:
    categories: tuple[Category, ...]
    benchmarks: tuple[Benchmark, ...]

    def benchmark(self, benchmark_id: str) -> Benchmark | None:
        return self._by_id.get(benchmark_id)

    def benchmark_for_task(self, task: str) -> Benchmark | None:
        found = self._by_task.get(task)
        return self.benchmark(found.benchmark) if found else None

    def protocol_for_task(self, task: str) -> Protocol | None:
        """The protocol an lm-eval task or group name belongs to (as its task, not as a subtask)."""
        return self._by_task.get(task)

    def protocol(self, protocol_id: str) -> Protocol | None:
        return self._protocols.get(protocol_id)

    @property
    def protocols(self) -> tuple[Protocol, ...]:
        return tuple(p for b in self.benchmarks for p in b.protocols)

    @cached_property
    def metric_names(self) -> tuple[str, ...]:
        """Every metric any protocol is ranked by, for "did you mean" hints."""
        return tuple(sorted({p.metric for p in self.protocols}))

    @cached_property
    def _protocols(self) -> dict[str, Protocol]:
        return {p.id: p for p in self.protocols}

    @cached_property
    def _by_id(self) -> dict[str, Benchmark]:
        return {b.id: b for b in self.benchmarks}

    @cached_property
    def _by_task(self) -> dict[str, Protocol]:
        return {task: p for b in self.benchmarks for p in b.protocols for task in p.lm_eval_tasks}


EMPTY_REGISTRY = Registry((), ())


def registry_from_data(data: dict[str, Any]) -> Registry:
    """Build from schema-valid data."""
    return Registry(
        categories=tuple(
            Category(c["id"], c["name"], c["description"], c.get("name_zh", ""), c.get("description_zh", "")) for c in data["categories"]
        ),
        benchmarks=tuple(
            Benchmark(
                id=b["id"], name=b["name"], category=b["category"],
                lm_eval_tasks=tuple(b["lm_eval_tasks"]), metric=b["metric"], filter=b["filter"],
                higher_is_better=b["higher_is_better"], random_baseline=float(b["random_baseline"]),
                default_n_shot=b["default_n_shot"], size=b["size"], description=b["description"], url=b["url"],
                name_zh=b.get("name_zh", ""), description_zh=b.get("description_zh", ""),
                other_protocols=tuple(_protocol(b["id"], p) for p in b.get("protocols", ())),
            )
            for b in data["benchmarks"]
        ),
    )


def _protocol(benchmark_id: str, p: dict[str, Any]) -> Protocol:
    subtasks = tuple(p.get("subtasks", ()))
    return Protocol(p["id"], benchmark_id, p["name"], (p["lm_eval_task"],), subtasks, p["metric"], p["filter"], p["n_shot"],
                    p.get("aggregation") if subtasks else None)
