"""The backend arguments a run may record in `setting.model_args`, and so a re-run may pass.

An allow-list, because block lists lose: lm-eval hands every argument it does not know
to transformers' `from_pretrained` or to vLLM, and many of those load other weights or
code (`peft`, `delta`, `tokenizer`, `gguf_file`, `from_tf`, `autogptq`, `offload_folder`,
`trust_remote_code` in any spelling). Every argument listed here only tunes how the
pinned model is run; none names a file, a path, a repository or code. Names are compared
exactly: `Trust_Remote_Code` or `"trust_remote_code\\n"` are simply not on the list.

Ingest, validate and spotcheck all ask this module. The run schema lists the same
arguments under `$defs/setting/properties/model_args` (so that any JSON Schema validator
refuses the rest); a test checks that the two say the same.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from builder.check.text_rules import SINGLE_LINE, SINGLE_LINE_PATTERN

_FLOAT_TYPES = ("float32", "bfloat16", "float16")


@dataclass(frozen=True)
class Allowed:
    """One argument: its JSON Schema type and bounds, and what it does."""

    type: str
    """`boolean`, `integer`, `number` or `string`."""
    description: str
    choices: tuple[str, ...] = ()
    """For `string`: the only values allowed; empty means one line of free text."""
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    max_length: int = 100

    def schema(self) -> dict[str, Any]:
        """The JSON Schema fragment that run.schema.json holds for this argument."""
        node: dict[str, Any] = {"description": self.description}
        if self.choices:
            node["enum"] = list(self.choices)
            return node
        node["type"] = self.type
        if self.type == "string":
            node["minLength"] = 1
            node["maxLength"] = self.max_length
            node["pattern"] = SINGLE_LINE_PATTERN
        for key, value in (("minimum", self.minimum), ("exclusiveMinimum", self.exclusive_minimum), ("maximum", self.maximum)):
            if value is not None:
                node[key] = int(value) if float(value).is_integer() else value
        return node

    def problem(self, value: Any) -> str | None:
        """Why `value` is not allowed for this argument, or None."""
        if self.choices:
            return None if value in self.choices else f"is not one of: {', '.join(self.choices)}"
        if self.type == "boolean":
            return None if isinstance(value, bool) else "is not true or false"
        if self.type == "string":
            if not isinstance(value, str) or not value or len(value) > self.max_length:
                return f"is not text of 1 to {self.max_length} characters"
            return None if SINGLE_LINE.fullmatch(value) else "is not one line of text without control characters"
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return "is not a whole number" if self.type == "integer" else "is not a number"
        if self.type == "integer" and not float(value).is_integer():  # JSON Schema: 4096.0 is an integer too
            return "is not a whole number"
        if self.minimum is not None and value < self.minimum:
            return f"is below the minimum of {self.minimum:g}"
        if self.exclusive_minimum is not None and value <= self.exclusive_minimum:
            return f"must be more than {self.exclusive_minimum:g}"
        if self.maximum is not None and value > self.maximum:
            return f"is above the maximum of {self.maximum:g}"
        return None


_LENGTH = 10_000_000
"""Longer than any context window; only there to keep numbers sane."""

ALLOWED_MODEL_ARGS: Mapping[str, Allowed] = {
    "add_bos_token": Allowed("boolean", "Whether the tokenizer adds its beginning-of-sequence token."),
    "attn_implementation": Allowed("string", "transformers' attention kernel; only the built-in ones (a hub kernel would load code).",
                                   choices=("eager", "sdpa", "flash_attention_2")),
    "backend": Allowed("string", "Whether the hf backend treats the model as decoder-only (`causal`) or encoder-decoder (`seq2seq`).",
                       choices=("default", "causal", "seq2seq")),
    "data_parallel_size": Allowed("integer", "vLLM: copies of the model run side by side.", minimum=1, maximum=1024),
    "enable_thinking": Allowed("boolean", "Whether the chat template opens a thinking section (reasoning models)."),
    "enforce_eager": Allowed("boolean", "vLLM: run without CUDA graphs."),
    "gpu_memory_utilization": Allowed("number", "vLLM: share of GPU memory it may take.", exclusive_minimum=0, maximum=1),
    "logits_cache": Allowed("boolean", "Whether the hf backend reuses logits across requests that share a prefix."),
    "max_batch_size": Allowed("integer", "Largest batch tried with `batch_size: auto`.", minimum=1, maximum=100_000),
    "max_gen_toks": Allowed("integer", "vLLM: most tokens generated per answer unless the task says otherwise.", minimum=1, maximum=_LENGTH),
    "max_length": Allowed("integer", "Longest input, in tokens, before truncation.", minimum=1, maximum=_LENGTH),
    "max_model_len": Allowed("integer", "vLLM: context length the engine is built for.", minimum=1, maximum=_LENGTH),
    "mixed_precision_dtype": Allowed("string", "hf: autocast data type during the forward pass.", choices=_FLOAT_TYPES),
    "prefix_token_id": Allowed("integer", "Token put before a loglikelihood request that has no context.", minimum=0, maximum=_LENGTH),
    "softmax_dtype": Allowed("string", "hf: data type of the log-softmax over the logits.", choices=_FLOAT_TYPES),
    "tensor_parallel_size": Allowed("integer", "vLLM: GPUs one copy of the model is split across.", minimum=1, maximum=1024),
    "think_end_token": Allowed("string", "The text that ends a thinking section; the answer is what follows it."),
    "truncation": Allowed("boolean", "Whether the hf backend truncates inputs longer than `max_length`."),
    "truncation_side": Allowed("string", "vLLM: which end of a too-long input is cut.", choices=("left", "right", "middle")),
    "use_fast_tokenizer": Allowed("boolean", "Whether the model's fast (Rust) tokenizer is used; both are read from the pinned revision."),
}

_WHY_NOT = {
    **dict.fromkeys(("trust_remote_code", "code_revision", "custom_pipeline", "use_custom_code", "tokenizer_mode"),
                    "lets the model run its own code, which ReproBoard never allows"),
    **dict.fromkeys(("peft", "delta", "tokenizer", "gguf_file", "from_tf", "from_flax", "autogptq", "gptqmodel", "lora_local_path",
                     "subfolder", "offload_folder", "quantization", "quantization_config", "load_in_8bit", "load_in_4bit",
                     "adapter_name", "config", "cache_dir", "state_dict", "variant", "use_safetensors", "load_format"),
                    "loads weights, a tokenizer or code from somewhere other than the pinned model"),
    **dict.fromkeys(("pretrained", "model", "revision", "tokenizer_revision"), "is set by the run's 'model' and 'revision' fields, not here"),
    "dtype": "is recorded in setting.dtype, not here",
    **dict.fromkeys(("device", "device_map", "parallelize", "max_memory_per_gpu", "max_cpu_memory", "batch_size"),
                    "is the runner's choice, not the run's"),
}


def allowed_names() -> str:
    return ", ".join(sorted(ALLOWED_MODEL_ARGS))


def refusal(name: str) -> str:
    """Why `name` is not an argument a run may record (for a name that is not on the list)."""
    if name in _WHY_NOT:
        return _WHY_NOT[name]
    unlisted = f"is not an argument a re-run may pass; allowed: {allowed_names()}"
    near = name.strip().casefold()
    if near in _WHY_NOT:  # names are exact; say what the near-spelling would have done
        return f"is not an argument a re-run may pass (names are exact, and '{near}' {_WHY_NOT[near]})"
    return unlisted


def argument_problem(name: str, value: Any) -> str | None:
    """Why `name: value` may not be passed to a re-run, or None when it may."""
    allowed = ALLOWED_MODEL_ARGS.get(name)
    if allowed is None:
        return refusal(name)
    return allowed.problem(value)


def argument_problems(model_args: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(name, why) for every argument that a re-run may not pass, sorted by name."""
    found = []
    for name in sorted(model_args, key=str):
        why = argument_problem(name, model_args[name]) if isinstance(name, str) else "is not a name"
        if why:
            found.append((name, why))
    return found


def as_passed(model_args: Mapping[str, Any]) -> dict[str, Any]:
    """Allowed arguments as the backend wants them: whole numbers written `4096.0` become `4096`."""
    return {name: int(value) if ALLOWED_MODEL_ARGS[name].type == "integer" else value for name, value in model_args.items()}


def model_args_schema() -> dict[str, Any]:
    """`properties` of run.schema.json's `model_args`, as this list says they must be."""
    return {name: allowed.schema() for name, allowed in sorted(ALLOWED_MODEL_ARGS.items())}
