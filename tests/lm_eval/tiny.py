"""A tiny causal LM and two local lm-eval tasks, built offline for tests and the benchmark.

Nothing is downloaded: the tokenizer is trained here on the tasks' own text, the model is
a 4-layer GPT-2 with random weights from a fixed seed (byte-identical when rebuilt), and
the tasks read JSON Lines files from this folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TASK_DATA = HERE / "tasks"
MC_TASK = "rb_tiny_mc"
GEN_TASK = "rb_tiny_gen"
SEED = 1234


def build_model(folder: Path) -> Path:
    """Write the tiny model and its tokenizer to `folder` (safetensors weights)."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    texts = []
    for name in (MC_TASK, GEN_TASK):
        for line in (TASK_DATA / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            doc = json.loads(line)
            texts.append(doc["question"] + " " + " ".join(doc.get("choices", [doc.get("answer", "")])))
    tokenizer = Tokenizer(models.BPE(unk_token=None))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(texts, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, eos_token="<|endoftext|>", bos_token="<|endoftext|>", unk_token="<|endoftext|>")
    fast.save_pretrained(folder)

    torch.manual_seed(SEED)
    config = GPT2Config(vocab_size=len(fast), n_positions=512, n_embd=128, n_layer=4, n_head=4,
                        bos_token_id=fast.eos_token_id, eos_token_id=fast.eos_token_id)
    model = GPT2LMHeadModel(config)
    model.save_pretrained(folder, safe_serialization=True)
    return folder


def task_configs(num_fewshot_mc: int = 2, num_fewshot_gen: int = 1) -> dict[str, dict[str, Any]]:
    """The two tasks as lm-eval config dicts, reading the JSON Lines files by absolute path."""
    mc = {
        "task": MC_TASK,
        "dataset_path": "json",
        "dataset_kwargs": {"data_files": {"test": str(TASK_DATA / f"{MC_TASK}.jsonl")}},
        "test_split": "test",
        "output_type": "multiple_choice",
        "doc_to_text": "Question: {{question}}\nAnswer:",
        "doc_to_choice": "{{choices}}",
        "doc_to_target": "label",
        "num_fewshot": num_fewshot_mc,
        "metric_list": [
            {"metric": "acc", "aggregation": "mean", "higher_is_better": True},
            {"metric": "acc_norm", "aggregation": "mean", "higher_is_better": True},
        ],
        "metadata": {"version": 1.0},
    }
    gen = {
        "task": GEN_TASK,
        "dataset_path": "json",
        "dataset_kwargs": {"data_files": {"test": str(TASK_DATA / f"{GEN_TASK}.jsonl")}},
        "test_split": "test",
        "output_type": "generate_until",
        "doc_to_text": "Question: {{question}}\nAnswer:",
        "doc_to_target": "{{answer}}",
        "num_fewshot": num_fewshot_gen,
        "generation_kwargs": {"until": ["\n", "Question:"], "max_gen_toks": 6, "do_sample": False},
        "filter_list": [
            {"name": "get-number", "filter": [{"function": "regex", "regex_pattern": "(-?[0-9]+)"}, {"function": "take_first"}]},
        ],
        "metric_list": [{"metric": "exact_match", "aggregation": "mean", "higher_is_better": True}],
        "metadata": {"version": 2.0},
    }
    return {MC_TASK: mc, GEN_TASK: gen}


def write_task_yamls(folder: Path) -> Path:
    """Write the task configs as YAML files, for `--include_path` and for spotcheck."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    for name, config in task_configs().items():
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return folder


def run_lm_eval(model_dir: Path, tasks_dir: Path, output_dir: Path, *, batch_size: int = 4, limit: int | None = None,
                samples: dict[str, list[int]] | None = None, device: str = "cpu", dtype: str = "float32",
                tasks: tuple[str, ...] = (MC_TASK, GEN_TASK)) -> dict[str, Any]:
    """Run lm-eval as a contributor would (`--log_samples --output_path`); return its result dict."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from lm_eval import simple_evaluate
    from lm_eval.loggers import EvaluationTracker
    from lm_eval.tasks import TaskManager

    tracker = EvaluationTracker(output_path=str(output_dir))
    results = simple_evaluate(
        model="hf",
        model_args={"pretrained": str(model_dir), "dtype": dtype, "device": device},
        tasks=list(tasks),
        batch_size=batch_size,
        limit=limit,
        samples=samples,
        log_samples=True,
        task_manager=TaskManager(include_path=str(tasks_dir), include_defaults=False),
        evaluation_tracker=tracker,
        random_seed=0, numpy_random_seed=1234, torch_random_seed=1234, fewshot_random_seed=1234,
    )
    assert results is not None
    samples_out = results.pop("samples")
    tracker.save_results_aggregated(results=results, samples=samples_out)
    for task_name in results["configs"]:
        tracker.save_results_samples(task_name=task_name, samples=samples_out[task_name])
    results["samples"] = samples_out
    return results


REGISTRY = HERE / "benchmarks.yaml"
MODEL_ID = "reproboard-tests/tiny-gpt2"
MODEL_FLAGS = ["--organisation", "ReproBoard tests", "--model-type", "base", "--license", "mit", "--release-date", "2025-01-01",
               "--parameters", "0.0009", "--architecture", "GPT2LMHeadModel"]


def prepared(base: Path) -> dict[str, Path]:
    """The tiny model, its task YAMLs and one full lm-eval run, built once under `base`."""
    done = base / "done"
    paths = {"model": base / "model", "tasks": base / "tasks", "output": base / "output"}
    if not done.exists():
        build_model(paths["model"])
        write_task_yamls(paths["tasks"])
        run_lm_eval(paths["model"], paths["tasks"], paths["output"], batch_size=4)
        done.write_text("ok")
    return paths


def make_repo(root: Path, output: Path, revision: str) -> Path:
    """A mini ReproBoard repository holding the test registry and the ingested run; returns the run file."""
    from click.testing import CliRunner

    from builder.cli import cli

    (root / "seeds").mkdir(parents=True, exist_ok=True)
    (root / "seeds" / "benchmarks.yaml").write_bytes(REGISTRY.read_bytes())
    result = CliRunner().invoke(cli, ["ingest", str(output), "--root", str(root), "--submitted-by", "octocat", "--model", MODEL_ID,
                                      "--revision", revision, "--run-id", "tiny-run", *MODEL_FLAGS], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root / "results" / MODEL_ID / "tiny-run.yaml"
