"""The allow-list of model arguments: one list, asked by ingest, validate and spotcheck alike."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest
from click.testing import CliRunner
from example_repo import EXAMPLES

from builder.check.model_args import ALLOWED_MODEL_ARGS, argument_problem, model_args_schema
from builder.check.schema_check import load_schema
from builder.cli import cli
from builder.ingest.options import IngestOptions
from builder.ingest.setting import setting_from
from builder.lmeval.output import read_results
from builder.spotcheck.rerun import RefusedArguments, model_arguments

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "lm-eval"

# The arguments of the issue, then others of the same kinds: each loads other weights, a
# tokenizer or code, or is a spelling of one that does.
ISSUE_CASES = {"delta": "evil/delta", "tokenizer": "evil/tok", "peft": "evil/adapter", "gguf_file": "model.gguf", "from_tf": True,
               "offload_folder": "/tmp/w", "autogptq": True, "Trust_Remote_Code": True, "trust_remote_code\n": True}
OTHER_ATTACKS = {"trust_remote_code": True, "TRUST_REMOTE_CODE": True, " trust_remote_code": True, "trust_remote_cod\u0435": True,
                 "from_flax": True, "gptqmodel": True, "lora_local_path": "/x", "subfolder": "evil", "tokenizer_revision": "main",
                 "code_revision": "main", "quantization_config": "{}", "load_in_4bit": True, "attn_implementation": "kernels-community/evil",
                 "pretrained": "evil/model", "revision": "main", "device_map": "auto", "parallelize": True, "use_safetensors": False,
                 "cache_dir": "/tmp", "variant": "evil", "config": "evil/config", "adapter_name": "x", "max_length": "4096",
                 "add_bos_token": "yes", "gpu_memory_utilization": 1.5, "tensor_parallel_size": 0, "think_end_token": "</think>\n",
                 "softmax_dtype": "float64", "max_length": float("nan")}  # noqa: F601 - a later value for the same name is intended
REFUSED = {**ISSUE_CASES, **OTHER_ATTACKS}
ACCEPTED = {"max_length": 4096, "add_bos_token": True, "enable_thinking": False, "gpu_memory_utilization": 0.8, "tensor_parallel_size": 8,
            "think_end_token": "</think>", "attn_implementation": "sdpa", "backend": "causal", "softmax_dtype": "float32"}


def _run(model_args: dict[str, Any]) -> dict[str, Any]:
    return {"revision": "a" * 40, "setting": {"backend": "hf", "dtype": "bfloat16", "batch_size": "8", "model_args": model_args}}


def test_the_run_schema_lists_exactly_the_allowed_arguments_with_the_same_types() -> None:
    schema = load_schema("run")["$defs"]["setting"]["properties"]["model_args"]
    assert schema["additionalProperties"] is False
    assert schema["properties"] == model_args_schema()


@pytest.mark.parametrize("name", sorted(REFUSED, key=repr))
def test_the_list_refuses_every_loader_argument_and_spelling(name: str) -> None:
    assert argument_problem(name, REFUSED[name]) is not None


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_the_list_accepts_plain_tuning_arguments(name: str) -> None:
    assert argument_problem(name, ACCEPTED[name]) is None


def test_names_are_compared_exactly_and_the_reason_names_the_near_spelling() -> None:
    assert argument_problem("Trust_Remote_Code", True) == (
        "is not an argument a re-run may pass (names are exact, and 'trust_remote_code' lets the model run its own code, "
        "which ReproBoard never allows)")
    assert argument_problem("delta", "evil/delta") == "loads weights, a tokenizer or code from somewhere other than the pinned model"
    assert argument_problem("max_length", 0) == "is below the minimum of 1"
    assert argument_problem("max_length", True) == "is not a whole number"


def _values(allowed: Any) -> list[Any]:
    """Values that probe an argument's type and bounds from both sides."""
    probes: list[Any] = [None, True, False, "", "x", "x\n", "sdpa", "float32", "left", 0, 1, -1, 0.5, 1.0, 1.5, 4096, 10**8, [], {}]
    probes += [b for b in (allowed.minimum, allowed.maximum, allowed.exclusive_minimum) if b is not None]
    return probes + list(allowed.choices)


@pytest.mark.parametrize("name", sorted(ALLOWED_MODEL_ARGS))
def test_the_python_list_and_both_schema_validators_decide_every_value_alike(name: str) -> None:
    schema = {"type": "object", "additionalProperties": False, "properties": model_args_schema()}
    fast, reference = jsonschema_rs.validator_for(schema), jsonschema.Draft202012Validator(schema)
    for value in _values(ALLOWED_MODEL_ARGS[name]):
        decisions = (argument_problem(name, value) is None, fast.is_valid({name: value}), reference.is_valid({name: value}))
        assert len(set(decisions)) == 1, (name, value, decisions)


@pytest.mark.parametrize("name", sorted(REFUSED, key=repr))
def test_spotcheck_refuses_before_loading_anything(name: str) -> None:
    with pytest.raises(RefusedArguments):
        model_arguments(_run({name: REFUSED[name]}), "org/model", "cpu", None)


def test_spotcheck_passes_the_allowed_arguments_and_forces_the_safety_settings() -> None:
    args = model_arguments(_run({"max_length": 4096, "add_bos_token": True}), "org/model", "cuda:0", None)
    assert args == {"max_length": 4096, "add_bos_token": True, "pretrained": "org/model", "revision": "a" * 40, "dtype": "bfloat16",
                    "trust_remote_code": False, "use_safetensors": True, "device": "cuda:0"}


def _setting(model_args: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    output = dataclasses.replace(read_results(FIXTURES / "17_truthfulqa_gen_neo125_2025-05-31T14-30-51.983293.json"), model_args=model_args)
    errors: list[str] = []
    return setting_from(output, "hf", IngestOptions(), errors), errors


@pytest.mark.parametrize("name", sorted(ISSUE_CASES, key=repr))
def test_ingest_refuses_each_argument_of_the_issue(name: str) -> None:
    setting, errors = _setting({"pretrained": "a/b", name: ISSUE_CASES[name]})
    assert len(errors) == 1 and "model_args" not in setting


def test_ingest_keeps_allowed_arguments_and_drops_ones_that_were_left_off() -> None:
    setting, errors = _setting({"pretrained": "a/b", "dtype": "auto", "trust_remote_code": False, "peft": None, "max_length": 4096})
    assert errors == [] and setting["model_args"] == {"max_length": 4096}
    assert _setting({"max_length": "abc"})[1] == ["model argument 'max_length': 'abc' is not a whole number"]
    assert _setting({"tokenizer": "evil/tok"})[1] == [
        "model argument 'tokenizer' loads weights, a tokenizer or code from somewhere other than the pinned model"]


@pytest.mark.parametrize("case", sorted(p.name for p in EXAMPLES.glob("negative/model-args-*")))
def test_the_spotcheck_command_refuses_the_run_before_anything_runs(case: str, tmp_path: Path) -> None:
    run = tmp_path / "run.yaml"
    run.write_bytes((EXAMPLES / "negative" / case / "results/Qwen/Qwen2-7B/2024-06-10-alice.yaml").read_bytes())
    result = CliRunner().invoke(cli, ["spotcheck", str(run), "--seed-from", "pr=1"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "Error: the run file is not valid, so nothing was re-run: run.yaml:22: $.setting.model_args" in result.output
    assert not (tmp_path / "run.verification.yaml").exists()
