"""Reading what lm-evaluation-harness 0.4.x writes: a results JSON and its samples files.

Every 0.4.x shape seen in the wild is read into one typed form (see
tests/lm_eval/fixtures/SOURCES.md): `metric,filter` keys, group rows that are
placeholders, "N/A" stderrs, `model_args` as a string or a mapping, a missing or empty
`model_name`, samples as JSON Lines or as one JSON array. Files written before 0.4 are
refused with the reason. Nothing here imports lm-eval: this is data, never code.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.lmeval.bounded import BoundedReadError, describe, json_array_items, loads, text_lines

MAX_RECORDS = 200_000
"""Records (document x filter) in one samples file, and in one evidence file made from them: the Open LLM
Leaderboard's tasks are ~30,000 documents. Small records are read at ~12 us each: ~2.5 s at the cap."""

MetricKey = tuple[str, str]
"""(metric, filter), as in lm-eval's `"acc,none"`."""

MAX_RESULTS_BYTES = 8 << 20
"""A results file is 5-150 KB (a 300-task run: ~1 MB). Parsed whole: a hostile 8 MiB peaks near 200 MB."""
MAX_SAMPLES_BYTES = 1 << 30
"""One task's samples, prompts included: MMLU-Pro, 5-shot with ten choices, is ~700 MB. Streamed, never held:
memory follows the largest record; time grows with the file (see bench/bench_hostile.py)."""
MAX_SAMPLE_LINE = 8 << 20
"""One sample record (or array item): long-context prompts repeated per choice stay under 2 MB."""
MAX_GROUP_DEPTH = 16


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
    device: str | None = None
    """`--device` as lm-eval recorded it (`cuda:0`, `cpu`), for the rebuilt command."""
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


def _mapping(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise LmEvalFormatError(f"'{key}' is {_kind(value)}, not a mapping")
    return value


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true or false", type(None): "null"}.get(type(value), "a number")


def _text(value: Any) -> str | None:
    """Text lm-eval records as text; anything else (a number, a list) counts as not recorded."""
    return value if isinstance(value, str) and value else None


def _count(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 1 << 53:
        raise LmEvalFormatError(f"{where} is {describe(value)}, not a number of documents")
    return value


def _date(value: Any) -> float | None:
    """`date`: seconds since 1970, as lm-eval writes time.time(); refused when it is no time at all."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 253402300800:  # before year 10000
        raise LmEvalFormatError(f"'date' is {describe(value)}, not a time in seconds since 1970")
    return float(value)


def _limit(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (0 < value < 1e15):
        raise LmEvalFormatError(f"config.limit is {describe(value)}, not a positive number of documents (or a fraction)")
    return float(value)


def _children(data: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """`group_subtasks`, checked to be lists of names that nest as a tree of bounded depth (no cycles)."""
    children: dict[str, tuple[str, ...]] = {}
    for group, kids in _mapping(data, "group_subtasks").items():
        if not isinstance(kids, list) or not all(isinstance(k, str) for k in kids):
            raise LmEvalFormatError(f"group_subtasks.{group[:100]} is not a list of task names")
        if kids:
            children[group] = tuple(dict.fromkeys(kids))
    for group in children:
        depth, frontier = 0, set(children[group])
        while frontier:
            depth += 1
            if group in frontier or depth > MAX_GROUP_DEPTH:
                raise LmEvalFormatError(f"group_subtasks: '{group[:100]}' contains itself or nests deeper than {MAX_GROUP_DEPTH} levels")
            frontier = {kid for name in frontier for kid in children.get(name, ())}
    return children


def read_results(path: Path) -> LmEvalOutput:
    """Read one results JSON, or raise LmEvalFormatError."""
    size = path.stat().st_size
    if size > MAX_RESULTS_BYTES:
        raise LmEvalFormatError(f"{path.name} is {size:,} bytes; a results file is at most {MAX_RESULTS_BYTES:,}")
    try:
        data = loads(path.read_bytes())
    except BoundedReadError as error:
        raise LmEvalFormatError(f"{path.name} {error}") from None
    if not isinstance(data, dict):
        raise LmEvalFormatError(f"{path.name} is not an lm-eval results file (not a mapping)")
    try:
        return _read_results(path, data)
    except LmEvalFormatError as error:
        raise LmEvalFormatError(f"{path.name}: {error}") from None


def _read_results(path: Path, data: dict[str, Any]) -> LmEvalOutput:
    _refuse_old(data)
    config = _mapping(data, "config")
    results = dict(data["results"])
    for name, row in _mapping(data, "groups").items():  # lm-eval <= 0.4.3 also wrote groups apart
        results.setdefault(name, row)
    n_shot = _mapping(data, "n-shot")
    versions = _mapping(data, "versions")
    n_samples = _mapping(data, "n-samples")
    task_hashes = _mapping(data, "task_hashes")
    configs = _mapping(data, "configs")
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
        version = versions.get(name)
        rows[name] = TaskRow(
            name=name, values=values, stderrs=stderrs,
            n_shot=shots if isinstance(shots, int) and not isinstance(shots, bool) else None,
            version=_version_text(version) if isinstance(version, (str, int, float)) else None,
            n_original=_count(samples.get("original"), f"n-samples.{name}.original"),
            n_effective=_count(samples.get("effective"), f"n-samples.{name}.effective"),
            task_hash=_text(task_hashes.get(name)),
            config=configs.get(name) if isinstance(configs.get(name), dict) else {},
        )
    children = _children(data)
    chat_sha = _text(data.get("chat_template_sha"))
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
    elif gen_kwargs is not None and not isinstance(gen_kwargs, dict):
        raise LmEvalFormatError(f"config.gen_kwargs is {_kind(gen_kwargs)}, expected text or a mapping")
    return LmEvalOutput(
        path=path, rows=rows, children=children,
        backend=_text(config.get("model")) or "",
        model_args=parse_model_args(config.get("model_args")),
        model_name=_text(data.get("model_name")),
        model_dtype=_text(config.get("model_dtype")),
        model_sha=_text(config.get("model_sha")),
        batch_size=str(config["batch_size"])[:50] if isinstance(config.get("batch_size"), (str, int, float)) else None,
        limit=_limit(config.get("limit")),
        seeds={k: config.get(f"{k}_seed") for k in ("random", "numpy", "torch", "fewshot")},
        gen_kwargs=gen_kwargs or None,
        chat_template_applied=applied,
        chat_template_sha=chat_sha,
        system_instruction=_text(data.get("system_instruction")),
        fewshot_as_multiturn=multiturn,
        lm_eval_version=_text(data.get("lm_eval_version")),
        git_hash=_text(data.get("git_hash")),
        date=_date(data.get("date")),
        hardware=_hardware(data.get("pretty_env_info")),
        device=device if isinstance(device := config.get("device"), str) and re.fullmatch(r"[A-Za-z0-9_.:-]{1,40}", device) else None,
        raw=data,
    )


# --- samples -------------------------------------------------------------------------


def iter_samples(path: Path) -> Iterator[dict[str, Any]]:
    """Per-sample records of one task, one at a time: JSON Lines, or one JSON array (lm-eval <= 0.4.2).

    Memory follows the largest record (at most MAX_SAMPLE_LINE bytes), not the file.
    """
    size = path.stat().st_size
    if size > MAX_SAMPLES_BYTES:
        raise LmEvalFormatError(f"{path.name} is {size:,} bytes; a samples file is at most {MAX_SAMPLES_BYTES:,}")
    try:
        with path.open("rb") as stream:
            head = stream.read(4096).lstrip()
            stream.seek(0)
            if head.startswith(b"["):
                for number, item in json_array_items(stream, max_item=MAX_SAMPLE_LINE):
                    yield _sample(item, path, f"item {number + 1}")
                return
            for number, line in text_lines(stream, max_line=MAX_SAMPLE_LINE, max_lines=MAX_RECORDS + 1):
                if line.strip():
                    yield _sample(_line_json(line, path, number), path, f"line {number}")
    except BoundedReadError as error:  # from reading: sizes, the array's syntax
        raise LmEvalFormatError(f"{path.name} {error}") from None


def _line_json(line: bytes, path: Path, number: int) -> Any:
    try:
        return loads(line, fast=True)
    except BoundedReadError as error:
        raise LmEvalFormatError(f"{path.name} line {number}: {error}") from None


def _sample(record: Any, path: Path, where: str) -> dict[str, Any]:
    if not isinstance(record, dict) or "doc_id" not in record:
        raise LmEvalFormatError(f"{path.name} {where}: every sample must be a mapping with a 'doc_id'")
    return record


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
