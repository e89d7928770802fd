"""Reading what lm-evaluation-harness 0.4.x writes: a results JSON and its samples files.

Every 0.4.x shape seen in the wild is read into one typed form (see
tests/lm_eval/fixtures/SOURCES.md): `metric,filter` keys, group rows that are
placeholders, "N/A" stderrs, `model_args` as a string or a mapping, a missing or empty
`model_name`, samples as JSON Lines or as one JSON array. Files written before 0.4 are
refused with the reason. Nothing here imports lm-eval: this is data, never code.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MetricKey = tuple[str, str]
"""(metric, filter), as in lm-eval's `"acc,none"`."""

MAX_RESULTS_BYTES = 64 << 20
MAX_SAMPLES_BYTES = 2 << 30


class LmEvalFormatError(Exception):
    """The file is not lm-eval 0.4.x output we can read; the message says why."""


@dataclass(frozen=True)
class TaskRow:
    """One row of `results` (a task or a group), with what lm-eval recorded about it."""

    name: str
    values: dict[MetricKey, float]
    """Numeric metrics; `"N/A"` and other non-numbers are left out."""
    stderrs: dict[MetricKey, float | None]
    """Stderr per metric; None where lm-eval wrote "N/A"."""
    n_shot: int | None
    version: str | None
    n_original: int | None
    n_effective: int | None
    task_hash: str | None
    config: dict[str, Any]
    """The task's entry in `configs` (empty for groups)."""

    @property
    def placeholder(self) -> bool:
        """A group row with no numbers (`{" ": " ", "alias": ...}`): lm-eval printed no aggregate."""
        return not self.values


@dataclass(frozen=True)
class LmEvalOutput:
    """A results file, read."""

    path: Path
    rows: dict[str, TaskRow]
    children: dict[str, tuple[str, ...]]
    """Direct subtasks (or subgroups) of each group; leaf tasks are absent."""
    backend: str
    """`model` as lm-eval records it: `hf`, `vllm`, `openai-chat-completions`..."""
    model_args: dict[str, Any]
    model_name: str | None
    """`model_name`, or None when missing or empty."""
    model_dtype: str | None
    model_sha: str | None
    batch_size: str | None
    limit: float | None
    seeds: dict[str, int | None]
    gen_kwargs: dict[str, Any] | None
    chat_template_applied: bool
    chat_template_sha: str | None
    system_instruction: str | None
    fewshot_as_multiturn: bool
    lm_eval_version: str | None
    git_hash: str | None
    date: float | None
    hardware: str | None
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    def leaves(self, name: str) -> list[str]:
        """The leaf tasks under `name`, in the order lm-eval lists them (`name` itself if a task)."""
        kids = self.children.get(name)
        if not kids:
            return [name]
        out: list[str] = []
        for kid in kids:
            out.extend(k for k in self.leaves(kid) if k not in out)
        return out


def parse_model_args(value: Any) -> dict[str, Any]:
    """`model_args` as a mapping; a recorded string `a=1,b=x` is split as lm-eval split it.

    Values are typed the way lm-eval types them (`True`/`False`, integers, decimals).
    Splitting is only for reading what was recorded: ReproBoard itself always passes a
    mapping, never a comma-joined string, so no value can inject another argument.
    """
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        return dict(value)
    if not isinstance(value, str):
        raise LmEvalFormatError(f"config.model_args is {type(value).__name__}, expected text or a mapping")
    out: dict[str, Any] = {}
    for part in value.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise LmEvalFormatError(f"config.model_args: '{part}' is not name=value")
        name, text = part.split("=", 1)
        out[name.strip()] = _typed(text.strip())
    return out


def _typed(text: str) -> Any:
    if text.lower() == "true":
        return True
    if text.lower() == "false":
        return False
    if re.fullmatch(r"-?[0-9]{1,18}", text):
        return int(text)
    if re.fullmatch(r"-?[0-9]+\.[0-9]+", text):
        return float(text)
    return text


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _version_text(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text or None


def _split_key(key: str) -> MetricKey | None:
    if "," not in key:
        return None
    metric, _, filter_name = key.partition(",")
    return metric, filter_name


def _refuse_old(data: dict[str, Any]) -> None:
    results = data.get("results")
    if not isinstance(results, dict) or not results:
        raise LmEvalFormatError("no 'results' mapping: this is not an lm-eval results file")
    keys = [k for row in results.values() if isinstance(row, dict) for k in row if k != "alias"]
    if keys and not any("," in k for k in keys):
        raise LmEvalFormatError(
            "written by lm-eval 0.3 or earlier: metric keys have no ',filter' part (for example 'acc' instead of "
            "'acc,none'), so tasks, prompts and metrics may differ from today's; re-run with lm-eval 0.4 or later"
        )
    if "n-shot" not in data:
        raise LmEvalFormatError(
            "written by a development version before lm-eval 0.4.0: there is no 'n-shot' key, so the number of "
            "few-shot examples is unknown; re-run with lm-eval 0.4 or later"
        )


def _hardware(env: Any) -> str | None:
    if not isinstance(env, str):
        return None
    if re.search(r"^Is CUDA available: False", env, re.MULTILINE):
        return "CPU"
    gpus = re.findall(r"GPU \d+: ([^\n]+)", env)
    if gpus:
        names = sorted({g.strip() for g in gpus})
        if len(names) == 1:
            return f"{len(gpus)}x {names[0]}"[:200]
        return ", ".join(names)[:200]
    return None


def read_results(path: Path) -> LmEvalOutput:
    """Read one results JSON, or raise LmEvalFormatError."""
    size = path.stat().st_size
    if size > MAX_RESULTS_BYTES:
        raise LmEvalFormatError(f"{path.name} is {size:,} bytes; a results file is at most {MAX_RESULTS_BYTES:,}")
    try:
        data = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LmEvalFormatError(f"{path.name} is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise LmEvalFormatError(f"{path.name} is not an lm-eval results file (not a mapping)")
    _refuse_old(data)
    config = data.get("config") or {}
    results = dict(data["results"])
    for name, row in (data.get("groups") or {}).items():  # lm-eval <= 0.4.3 also wrote groups apart
        results.setdefault(name, row)
    n_shot = data.get("n-shot") or {}
    versions = data.get("versions") or {}
    n_samples = data.get("n-samples") or {}
    task_hashes = data.get("task_hashes") or {}
    configs = data.get("configs") or {}
    rows = {}
    for name, row in results.items():
        if not isinstance(row, dict):
            continue
        values: dict[MetricKey, float] = {}
        stderrs: dict[MetricKey, float | None] = {}
        for key, value in row.items():
            split = _split_key(key)
            if split is None:
                continue
            metric, filter_name = split
            if metric.endswith("_stderr"):
                stderrs[(metric[: -len("_stderr")], filter_name)] = _number(value)
            elif _number(value) is not None:
                values[(metric, filter_name)] = float(value)
        samples = n_samples.get(name) if isinstance(n_samples.get(name), dict) else {}
        shots = n_shot.get(name)
        rows[name] = TaskRow(
            name=name, values=values, stderrs=stderrs,
            n_shot=shots if isinstance(shots, int) and not isinstance(shots, bool) else None,
            version=_version_text(versions.get(name)),
            n_original=samples.get("original"), n_effective=samples.get("effective"),
            task_hash=task_hashes.get(name) or None,
            config=configs.get(name) if isinstance(configs.get(name), dict) else {},
        )
    children = {g: tuple(kids) for g, kids in (data.get("group_subtasks") or {}).items() if kids}
    chat_sha = data.get("chat_template_sha") or None
    applied = bool(chat_sha or data.get("chat_template"))
    if not data.get("lm_eval_version"):
        # Before 0.4.8 fewshot_as_multiturn needed --apply_chat_template, and vllm runs
        # did not record the template: multiturn means a template was applied. Since then
        # it defaults to true and only acts with a template.
        applied = applied or bool(data.get("fewshot_as_multiturn"))
    multiturn = applied and bool(data.get("fewshot_as_multiturn"))
    gen_kwargs = config.get("gen_kwargs")
    if isinstance(gen_kwargs, str):
        gen_kwargs = parse_model_args(gen_kwargs)
    limit = config.get("limit")
    return LmEvalOutput(
        path=path, rows=rows, children=children,
        backend=str(config.get("model") or ""),
        model_args=parse_model_args(config.get("model_args")),
        model_name=data.get("model_name") or None,
        model_dtype=config.get("model_dtype") or None,
        model_sha=config.get("model_sha") or None,
        batch_size=None if config.get("batch_size") is None else str(config.get("batch_size")),
        limit=float(limit) if isinstance(limit, (int, float)) and not isinstance(limit, bool) else None,
        seeds={k: config.get(f"{k}_seed") for k in ("random", "numpy", "torch", "fewshot")},
        gen_kwargs=gen_kwargs or None,
        chat_template_applied=applied,
        chat_template_sha=chat_sha,
        system_instruction=data.get("system_instruction") or None,
        fewshot_as_multiturn=multiturn,
        lm_eval_version=data.get("lm_eval_version") or None,
        git_hash=data.get("git_hash") or None,
        date=data.get("date") if isinstance(data.get("date"), (int, float)) else None,
        hardware=_hardware(data.get("pretty_env_info")),
        raw=data,
    )


# --- samples -------------------------------------------------------------------------


def read_samples(path: Path) -> list[dict[str, Any]]:
    """Per-sample records of one task: JSON Lines, or one JSON array (lm-eval <= 0.4.2)."""
    size = path.stat().st_size
    if size > MAX_SAMPLES_BYTES:
        raise LmEvalFormatError(f"{path.name} is {size:,} bytes; more than we read")
    text = path.read_text(encoding="utf-8")
    stripped = text.lstrip()
    try:
        if stripped.startswith("["):
            records = json.loads(stripped)
        else:
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as error:
        raise LmEvalFormatError(f"{path.name} is neither JSON Lines nor a JSON array: {error}") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) and "doc_id" in r for r in records):
        raise LmEvalFormatError(f"{path.name}: every sample must be a mapping with a 'doc_id'")
    return records


def samples_task_name(path: Path, known_tasks: list[str]) -> str | None:
    """The task a samples file belongs to, from its name.

    0.4.3+ writes `samples_<task>_<time>.jsonl`; earlier versions wrote
    `<model_args sanitised>_<task>.jsonl`. The longest known task name that fits wins.
    """
    stem = path.name
    for suffix in (".jsonl", ".json"):
        stem = stem.removesuffix(suffix)
    stem = re.sub(r"_\d{4}-\d{2}-\d{2}T\d{2}[-:]\d{2}[-:]\d{2}(\.\d+)?$", "", stem)
    if stem.startswith("samples_") and stem[len("samples_"):] in known_tasks:
        return stem[len("samples_"):]
    fits = [t for t in known_tasks if stem == t or stem.endswith("_" + t)]
    return max(fits, key=len) if fits else None


def find_samples(results_path: Path, known_tasks: list[str]) -> dict[str, Path]:
    """Samples files beside a results file that belong to it (same timestamp when it has one)."""
    stamp = re.search(r"(\d{4}-\d{2}-\d{2}T\d{2}[-:]\d{2}[-:]\d{2}(\.\d+)?)", results_path.name)
    found: dict[str, Path] = {}
    for candidate in sorted(results_path.parent.iterdir()):
        if candidate == results_path or not candidate.is_file() or candidate.suffix not in (".jsonl", ".json"):
            continue
        if candidate.name.startswith("results"):
            continue
        if stamp and stamp.group(1) not in candidate.name:
            continue
        task = samples_task_name(candidate, known_tasks)
        if task is not None:
            found.setdefault(task, candidate)
    return found


def iter_filters(records: list[dict[str, Any]], filters: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(filter, record) for each record.

    Since 0.4.4 each record names its `filter`. Before, a task with several filters wrote
    one record per document and filter, unnamed: they are told apart only when the task
    has a single filter; otherwise the samples are refused.
    """
    if all("filter" in r for r in records):
        for record in records:
            yield str(record["filter"]), record
        return
    if len(filters) == 1:
        for record in records:
            yield filters[0], record
        return
    raise LmEvalFormatError(
        f"the samples have no 'filter' field and the task has several filters ({', '.join(filters)}): "
        "records cannot be matched to filters; re-run with lm-eval 0.4.4 or later"
    )
