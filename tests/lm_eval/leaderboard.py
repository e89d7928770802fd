"""The Open LLM Leaderboard v2 suite (`lm_eval --tasks leaderboard`), run for real and offline on the tiny model.

The leaderboard's tasks load hub datasets, which tests cannot download. So the configs are
lm-eval's own, read from the installed package (`lm_eval/tasks/leaderboard/**`) with its
include mechanism, and only what touches the data is swapped: the dataset (a local JSON
Lines file per subtask, from the tiny tasks' questions), the prompt templates, few-shot
examples written inline, and the two scoring functions (MATH's answer check and IFEval's
instruction checks) replaced by simple ones that return the same metric names. Task and
group names, output types, metric names and aggregations, filters, n-shot and every
group's `aggregate_metric_list` stay lm-eval's. lm-eval itself runs the suite and writes
its results and samples files, so the output has its exact format.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MC_DATA = HERE / "tasks" / "rb_tiny_mc.jsonl"
GEN_DATA = HERE / "tasks" / "rb_tiny_gen.jsonl"
FUNCTION = "FUNCTION:"
"""Marks a value to write as a YAML `!function` tag."""

UTILS = '''"""Stand-ins for the leaderboard's scoring functions that need its datasets: same metric names."""


def process_math(doc, results):
    correct = int(results[0].strip() == doc["answer"])
    return {"exact_match": correct, "exact_match_original": correct}


def process_ifeval(doc, results):
    said = results[0]
    checks = [word in said for word in doc["keywords"]]
    return {"prompt_level_strict_acc": all(checks), "inst_level_strict_acc": checks,
            "prompt_level_loose_acc": all(checks), "inst_level_loose_acc": checks}


def agg_inst_level_acc(items):
    flat = [item for sub in items for item in sub]
    return sum(flat) / len(flat)
'''


def leaderboard_folder() -> Path:
    import lm_eval

    return Path(lm_eval.__file__).resolve().parent / "tasks" / "leaderboard"


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _documents(kind: str, index: int, n_shot: int) -> list[dict[str, Any]]:
    """A few documents per subtask, in a different number per subtask so that group weights matter."""
    count = n_shot + 2 + index % 3
    if kind == "mc":
        docs = _lines(MC_DATA)
        return [docs[(index * 7 + k) % len(docs)] for k in range(count)]
    docs = _lines(GEN_DATA)
    picked = [docs[(index * 5 + k) % len(docs)] for k in range(count)]
    return [{**doc, "keywords": [doc["answer"]]} for doc in picked]


def _task_config(config: dict[str, Any], data: Path, fewshot: list[dict[str, Any]]) -> dict[str, Any]:
    """lm-eval's config of one leaderboard subtask with the data swapped for `data`."""
    task = config["task"]
    multiple_choice = config["output_type"] == "multiple_choice"
    out: dict[str, Any] = {
        "task": task,
        "dataset_path": "json",
        "dataset_kwargs": {"data_files": {"test": str(data)}},
        "test_split": "test",
        "output_type": config["output_type"],
        "doc_to_text": "Question: {{question}}\nAnswer:",
        "num_fewshot": config.get("num_fewshot", 0),
        "fewshot_config": {"sampler": "first_n", "samples": fewshot},
        "metric_list": [],
        "metadata": config.get("metadata", {"version": 1.0}),
    }
    if multiple_choice:
        out.update({"doc_to_choice": "{{choices}}", "doc_to_target": "label"})
    else:
        out.update({"doc_to_target": "{{answer}}", "generation_kwargs": {"until": ["\n", "Question:"], "max_gen_toks": 6, "do_sample": False}})
        out["process_results"] = FUNCTION + ("utils.process_ifeval" if "ifeval" in task else "utils.process_math")
    for metric in config["metric_list"]:
        aggregation = metric.get("aggregation", "mean")
        is_function = "." in aggregation or "/" in aggregation  # an unresolved `!function`: the loader gives its path
        out["metric_list"].append({"metric": metric["metric"],
                                   "aggregation": FUNCTION + "utils.agg_inst_level_acc" if is_function else aggregation,
                                   "higher_is_better": metric.get("higher_is_better", True)})
    if "filter_list" in config:
        out["filter_list"] = config["filter_list"]
    return out


def _dump(config: dict[str, Any]) -> str:
    import yaml

    text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    return text.replace(f"'{FUNCTION}", "!function '").replace(f"{FUNCTION}", "!function ")


def write_suite(folder: Path) -> dict[str, dict[str, Any]]:
    """Write the suite's task and group YAMLs (and their data) under `folder`; return the task configs by name."""
    from lm_eval.tasks._yaml_loader import load_yaml

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "utils.py").write_text(UTILS, encoding="utf-8")
    source = leaderboard_folder()
    tasks: dict[str, dict[str, Any]] = {}
    paths = sorted(p for p in source.rglob("*.yaml") if "__pycache__" not in p.parts)
    index = 0
    for path in paths:
        config = load_yaml(path, resolve_func=False)
        if "group" in config:
            group = {key: config[key] for key in ("group", "task", "aggregate_metric_list", "metadata") if key in config}
            (folder / f"group_{config['group']}.yaml").write_text(_dump(group), encoding="utf-8")
            continue
        kind = "mc" if config["output_type"] == "multiple_choice" else "gen"
        docs = _documents(kind, index, config.get("num_fewshot", 0))
        fewshot = _documents(kind, index + 1, config.get("num_fewshot", 0))[: config.get("num_fewshot", 0)]
        index += 1
        data = folder / f"{config['task']}.jsonl"
        data.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
        tasks[config["task"]] = _task_config(config, data, fewshot)
        (folder / f"task_{config['task']}.yaml").write_text(_dump(tasks[config["task"]]), encoding="utf-8")
    return tasks


def run_suite(model_dir: Path, tasks_dir: Path, output_dir: Path) -> None:
    """`lm_eval --tasks leaderboard --log_samples --output_path output_dir` on the tiny model."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from lm_eval import simple_evaluate
    from lm_eval.loggers import EvaluationTracker
    from lm_eval.tasks import TaskManager

    tracker = EvaluationTracker(output_path=str(output_dir))
    results = simple_evaluate(
        model="hf", model_args={"pretrained": str(model_dir), "dtype": "float32", "device": "cpu"}, tasks=["leaderboard"], batch_size=8,
        log_samples=True, task_manager=TaskManager(include_path=str(tasks_dir), include_defaults=False), evaluation_tracker=tracker,
        random_seed=0, numpy_random_seed=1234, torch_random_seed=1234, fewshot_random_seed=1234,
    )
    assert results is not None
    samples = results.pop("samples")
    tracker.save_results_aggregated(results=results, samples=samples)
    for task_name in results["configs"]:
        tracker.save_results_samples(task_name=task_name, samples=samples[task_name])
