"""The benchmark registry (`seeds/benchmarks.yaml`) as typed, read-only objects."""

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


@dataclass(frozen=True)
class Registry:
    categories: tuple[Category, ...]
    benchmarks: tuple[Benchmark, ...]

    def benchmark(self, benchmark_id: str) -> Benchmark | None:
        return self._by_id.get(benchmark_id)

    def benchmark_for_task(self, task: str) -> Benchmark | None:
        return self._by_task.get(task)

    @cached_property
    def _by_id(self) -> dict[str, Benchmark]:
        return {b.id: b for b in self.benchmarks}

    @cached_property
    def _by_task(self) -> dict[str, Benchmark]:
        return {task: b for b in self.benchmarks for task in b.lm_eval_tasks}


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
            )
            for b in data["benchmarks"]
        ),
    )
