"""Re-running chosen documents with lm-eval's Python API. Imported only by spotcheck.

Two things make a subset re-run equal to the contributor's full run:

- Few-shot examples. lm-eval draws them from one `random.Random(fewshot_seed)` that
  advances document by document, so evaluating documents 3, 17 and 40 alone would give
  them other examples than the full run did. `_ReplaySampler` replays the draws for
  every document up to the last one chosen (cheap: no model calls) and hands each
  chosen document the examples the full run gave it.
- Safety. The model is loaded from a mapping of arguments, never a comma-joined string,
  with `trust_remote_code=False`, a 40-hex revision, and safetensors only; a run whose
  `model_args` hold anything off the allow-list (builder/check/model_args.py) is refused
  before anything is loaded.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from builder.check.model_args import argument_problems, as_passed
from builder.check.schema_check import show


class RefusedArguments(ValueError):
    """A run asks the re-run to pass model arguments that are not on the allow-list."""


class _ReplaySampler:
    """Wraps a task's few-shot sampler so that a subset run draws what the full run drew."""

    def __init__(self, task: Any, inner: Any, doc_ids: list[int]) -> None:
        self._task = task
        self._inner = inner
        self._ids = sorted(set(doc_ids))
        self._queue: list[Any] | None = None

    def set_rnd(self, rnd: int | None) -> _ReplaySampler:
        self._inner.set_rnd(rnd)
        self._queue = None
        return self

    def sample(self, n: int, eval_doc: Any = None, df: Any = None, **kwargs: Any) -> Any:
        if self._queue is None:
            wanted = set(self._ids)
            draws = []
            for index, doc in enumerate(self._task.eval_docs):
                if index > self._ids[-1]:
                    break
                drawn = self._inner.sample(n, eval_doc=doc if eval_doc is not None else None, df=df, **kwargs)
                if index in wanted:
                    draws.append(drawn)
            self._queue = draws[::-1]
        return self._queue.pop()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _task_manager(include_path: Path | None, samples: dict[str, list[int]]) -> Any:
    from lm_eval.tasks import TaskManager

    class ReplayTaskManager(TaskManager):  # type: ignore[misc, valid-type]
        def load(self, task_list: Any) -> Any:
            loaded = super().load(task_list)
            for name, task in loaded["tasks"].items():
                if name in samples and hasattr(task, "sampler"):
                    task.sampler = _ReplaySampler(task, task.sampler, samples[name])
            return loaded

    if include_path is None:
        return ReplayTaskManager()
    return ReplayTaskManager(include_path=str(include_path), include_defaults=False)


def model_arguments(run: dict[str, Any], source: str, device: str | None, tensor_parallel_size: int | None) -> dict[str, Any]:
    """The backend's arguments, as a mapping, with every safety setting forced.

    Raises RefusedArguments, naming each argument and why, when the run's `model_args`
    hold anything the allow-list does not: nothing is dropped silently, nothing passed.
    """
    setting = run["setting"]
    extra = dict(setting.get("model_args") or {})
    refused = argument_problems(extra)
    if refused:
        raise RefusedArguments("; ".join(f"model_args {show(name)} {why}" for name, why in refused))
    extra = as_passed(extra)
    dtype = setting["dtype"] if setting["dtype"] != "unknown" else "auto"
    args: dict[str, Any] = {**extra, "pretrained": source, "revision": run["revision"], "dtype": dtype, "trust_remote_code": False}
    if setting["backend"] == "vllm":
        args["load_format"] = "safetensors"
        if tensor_parallel_size:
            args["tensor_parallel_size"] = tensor_parallel_size
    else:
        args["use_safetensors"] = True
        if device:
            args["device"] = device
    return args


def load_model(run: dict[str, Any], source: str, *, device: str | None, batch_size: str, tensor_parallel_size: int | None = None) -> Any:
    from lm_eval.api.registry import get_model

    backend = run["setting"]["backend"]
    args = model_arguments(run, source, device, tensor_parallel_size)
    size: Any = int(batch_size) if batch_size.isdigit() else batch_size
    return get_model(backend).create_from_arg_obj(args, {"batch_size": size})


def rerun_task(lm: Any, run: dict[str, Any], task: str, doc_ids: list[int], n_shot: int | None,
               include_path: Path | None) -> list[dict[str, Any]]:
    """lm-eval's sample records for `doc_ids` of `task`, as they would be written to file."""
    os.environ["HF_HUB_OFFLINE"] = os.environ.get("HF_HUB_OFFLINE", "1")
    from lm_eval import simple_evaluate

    setting = run["setting"]
    seeds = setting.get("seeds") or {}
    ids = sorted(set(doc_ids))
    chat = setting["chat_template"]["applied"]
    results = simple_evaluate(
        model=lm,
        tasks=[task],
        num_fewshot=n_shot,
        samples={task: ids},
        log_samples=True,
        bootstrap_iters=0,
        apply_chat_template=chat,
        fewshot_as_multiturn=setting["fewshot_as_multiturn"] if chat else False,
        system_instruction=setting.get("system_instruction"),
        gen_kwargs=setting.get("gen_kwargs") or None,
        random_seed=_seed(seeds, "random", 0), numpy_random_seed=_seed(seeds, "numpy", 1234),
        torch_random_seed=_seed(seeds, "torch", 1234), fewshot_random_seed=_seed(seeds, "fewshot", 1234),
        task_manager=_task_manager(include_path, {task: ids}),
    )
    if results is None:
        raise RuntimeError(f"lm-eval returned nothing for {task}")
    return [json.loads(json.dumps(s, default=str)) for s in results["samples"][task]]


def _seed(seeds: dict[str, Any], name: str, default: int) -> Any:
    return seeds.get(name, default) if name in seeds else default

