"""How an lm-eval run was set up, as a run file's `setting` and `command`."""

from __future__ import annotations

import re
import shlex
from typing import Any

from builder.check.model_args import ALLOWED_MODEL_ARGS, argument_problem
from builder.check.schema_check import show
from builder.ingest.options import IngestOptions
from builder.lmeval.output import LmEvalOutput

ARG_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
BATCH_SIZE = re.compile(r"[0-9]{1,6}|auto(:[0-9]{1,4})?")
API_BACKENDS = ("openai-completions", "openai-chat-completions", "local-completions", "local-chat-completions",
                "anthropic-completions", "anthropic-chat", "anthropic-chat-completions", "textsynth", "gguf", "ggml")
BACKENDS = {"hf": "hf", "hf-auto": "hf", "huggingface": "hf", "vllm": "vllm", **{b: "api" for b in API_BACKENDS}}
DTYPES = {"bfloat16": "bfloat16", "bf16": "bfloat16", "float16": "float16", "half": "float16", "fp16": "float16",
          "float32": "float32", "float": "float32", "fp32": "float32", "int8": "int8", "int4": "int4", "fp8": "fp8"}
# Recorded elsewhere in the run (model, revision, dtype) or only about the machine (device).
MOVED_ARGS = frozenset({"pretrained", "model", "revision", "dtype", "device"})
# What lm-eval writes for an argument that was given but left off: such an argument
# changes nothing, so it is left out of the run rather than refused.
_OFF_TEXTS = ("", "False", "false", "None")


def _off(value: Any) -> bool:
    return value is False or value is None or (isinstance(value, str) and value in _OFF_TEXTS)


def _dtype(output: LmEvalOutput) -> str:
    recorded = (output.model_dtype or "").replace("torch.", "")
    if recorded in DTYPES:
        return DTYPES[recorded]
    asked = str(output.model_args.get("dtype", "")).replace("torch.", "")
    return DTYPES.get(asked, "unknown")


def setting_from(output: LmEvalOutput, backend: str, options: IngestOptions, errors: list[str]) -> dict[str, Any]:
    model_args: dict[str, Any] = {}
    for name, value in output.model_args.items():
        if name in MOVED_ARGS:
            continue
        why = argument_problem(name, value)
        if why is None:
            model_args[name] = value
        elif name in ALLOWED_MODEL_ARGS or not _off(value) or not ARG_NAME.fullmatch(name):
            if name == "trust_remote_code":
                errors.append(f"the run used {name}={value}: ReproBoard never runs a model's own code; re-run without it")
            else:
                errors.append(f"model argument {show(name)}: {show(value)} {why}" if name in ALLOWED_MODEL_ARGS
                              else f"model argument {show(name)} {why}")
    batch_size = output.batch_size or "1"
    if not BATCH_SIZE.fullmatch(batch_size):
        errors.append(f"batch size '{batch_size}' is not a number, 'auto' or 'auto:N'")
    setting: dict[str, Any] = {"backend": backend, "dtype": _dtype(output) if backend != "api" else "unknown", "batch_size": batch_size}
    hardware = options.hardware or (output.hardware if backend != "api" else None)
    if hardware:
        setting["hardware"] = hardware
    if model_args:
        setting["model_args"] = model_args
    chat: dict[str, Any] = {"applied": output.chat_template_applied}
    if output.chat_template_sha:
        chat["sha256"] = output.chat_template_sha
    setting["chat_template"] = chat
    setting["system_instruction"] = output.system_instruction
    setting["fewshot_as_multiturn"] = output.fewshot_as_multiturn
    if output.gen_kwargs:
        plain = {k: v for k, v in output.gen_kwargs.items() if v is None or isinstance(v, (str, int, float, bool))}
        if len(plain) != len(output.gen_kwargs):
            errors.append("gen_kwargs holds lists or mappings; ReproBoard records plain names and values only")
        setting["gen_kwargs"] = plain
    if any(v is not None for v in output.seeds.values()):
        setting["seeds"] = {k: v if isinstance(v, int) and not isinstance(v, bool) else None for k, v in output.seeds.items()}
    setting["limit"] = output.limit
    return setting


def command_from(output: LmEvalOutput, model_id: str, revision: str | None, tasks: list[str], setting: dict[str, Any]) -> str:
    """The lm-eval command line that reproduces the run, safe to paste into a POSIX shell.

    Every argument is quoted with `shlex.join`, so no recorded value (a quote, `$(...)`,
    a backtick, a newline) can end an argument or run anything in the shell.
    """
    args = {"pretrained": model_id, **({"revision": revision} if revision else {}), **setting.get("model_args", {})}
    if setting["dtype"] not in ("unknown",):
        args["dtype"] = setting["dtype"]
    parts = ["lm_eval", "--model", output.backend or setting["backend"],
             "--model_args", ",".join(f"{k}={v}" for k, v in args.items()),
             "--tasks", ",".join(tasks), "--batch_size", setting["batch_size"], "--log_samples", "--output_path", "out"]
    if output.device:
        parts += ["--device", output.device]
    if setting.get("limit") is not None:
        parts += ["--limit", f"{setting['limit']:g}"]
    if setting["chat_template"]["applied"]:
        parts.append("--apply_chat_template")
    if setting["fewshot_as_multiturn"]:
        parts.append("--fewshot_as_multiturn")
    if setting.get("system_instruction"):
        parts += ["--system_instruction", setting["system_instruction"]]
    if setting.get("gen_kwargs"):
        parts += ["--gen_kwargs", ",".join(f"{k}={v}" for k, v in setting["gen_kwargs"].items())]
    seeds = setting.get("seeds")
    if seeds:
        parts += ["--seed", ",".join("None" if seeds.get(k) is None else str(seeds[k]) for k in ("random", "numpy", "torch", "fewshot"))]
    return shlex.join(str(part) for part in parts)
