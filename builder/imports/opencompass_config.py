"""OpenCompass's dumped config, read as data: parsed with `ast`, never executed or imported.

OpenCompass writes the configuration of a run as Python source (mmengine's `Config.dump`):
`configs/<time>_<pid>.py` in the run folder, and `tmp/<pid>_<n>_params.py` per task. The
dump is plain literals: `dict(...)` calls with keyword arguments, lists, strings, numbers.
A contributor's file may hold anything else too, so every node that is not such a literal
(a name, an attribute, any other call, an operator, an f-string) is kept as an `Opaque`
value with its line, and top-level statements that are not `name = literal` are listed,
not run. Nothing in the file can execute: `ast.parse` only builds a tree.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import json
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_CONFIG_BYTES = 16 << 20
"""A dumped config of 1,000 datasets is ~4 MB."""


class ConfigError(Exception):
    """The config cannot be read as data; the message names the file and line."""


@dataclass(frozen=True)
class Opaque:
    """A value that is not a literal: shown, never evaluated."""

    line: int
    source: str

    def __str__(self) -> str:
        return f"<not a literal, line {self.line}: {self.source[:60]}>"


@dataclass
class DumpedConfig:
    """The literal top-level assignments of a dumped config."""

    path: Path
    values: dict[str, Any] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    """'line N: what' for every top-level statement that is not `name = literal`."""

    def models(self) -> list[dict[str, Any]]:
        """The model entries (`models = [dict(...), ...]`), each a mapping."""
        return [m for m in _flat(self.values.get("models")) if isinstance(m, dict)]

    def datasets(self) -> list[dict[str, Any]]:
        """The dataset entries; task dumps nest them one list per model (`[[dict(...)]]`)."""
        return [d for d in _flat(self.values.get("datasets")) if isinstance(d, dict)]


def _flat(value: Any) -> list[Any]:
    if not isinstance(value, list):
        return []
    out: list[Any] = []
    for item in value:
        out.extend(_flat(item) if isinstance(item, list) else [item])
    return out


def _literal(node: ast.AST, text: str) -> Any:
    """The value of a literal node; anything else becomes Opaque (never evaluated)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool, type(None))):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)) and isinstance(node.operand, ast.Constant) \
            and isinstance(node.operand.value, (int, float)) and not isinstance(node.operand.value, bool):
        return -node.operand.value if isinstance(node.op, ast.USub) else node.operand.value
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_literal(item, text) for item in node.elts]
    if isinstance(node, ast.Dict):
        out: dict[Any, Any] = {}
        for key, value in zip(node.keys, node.values):
            if key is None:  # `**other` inside a dict display
                return _opaque(node, text)
            name = _literal(key, text)
            if not isinstance(name, (str, int)):
                return _opaque(node, text)
            out[name] = _literal(value, text)
        return out
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        # mmengine writes `dict(a=1)`, and `dict({'0': ...})` for keys that are not identifiers.
        merged: dict[Any, Any] = {}
        for argument in node.args:
            value = _literal(argument, text)
            if not isinstance(value, dict):
                return _opaque(node, text)
            merged.update(value)
        for keyword in node.keywords:
            if keyword.arg is None:
                return _opaque(node, text)
            merged[keyword.arg] = _literal(keyword.value, text)
        return merged
    return _opaque(node, text)


def _opaque(node: ast.AST, text: str) -> Opaque:
    return Opaque(getattr(node, "lineno", 0), (ast.get_source_segment(text, node) or type(node).__name__).replace("\n", " "))


def parse_config_text(text: str, path: Path) -> DumpedConfig:
    """The literal assignments of `text` (the source of `path`)."""
    try:
        tree = ast.parse(text, filename=str(path), mode="exec")
    except SyntaxError as error:
        raise ConfigError(f"{path}:{error.lineno or 0}: not Python source OpenCompass could have written: {error.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ConfigError(f"{path}: nested too deeply (or has a NUL byte) to be a dumped config") from None
    config = DumpedConfig(path)
    try:
        for statement in tree.body:
            targets = statement.targets if isinstance(statement, ast.Assign) else []
            if len(targets) == 1 and isinstance(targets[0], ast.Name):
                config.values[targets[0].id] = _literal(statement.value, text)  # type: ignore[union-attr]
            else:
                what = (ast.get_source_segment(text, statement) or type(statement).__name__).replace("\n", " ")
                config.ignored.append(f"line {statement.lineno}: {what[:80]}")
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to be a dumped config") from None
    return config


def read_config(path: Path) -> DumpedConfig:
    """Read `path` as data (see the module docstring), or raise ConfigError."""
    size = path.stat().st_size
    if size > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: {size:,} bytes; a dumped config is at most {MAX_CONFIG_BYTES:,}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text (byte {error.start})") from None
    return parse_config_text(text, path)


def text_of(value: Any) -> str | None:
    """`value` when it is a string, else None (an Opaque or other value is no fact)."""
    return value if isinstance(value, str) else None


def int_of(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def dataset_abbr(dataset: dict[str, Any]) -> str | None:
    """The dataset's name in the summary and in results/, as `opencompass.utils.dataset_abbr_from_cfg`:
    its `abbr`, else its `path` (and `_<name>`) with '/' as '_'."""
    abbr = text_of(dataset.get("abbr"))
    if abbr is not None or "abbr" in dataset:
        return abbr
    path, name = text_of(dataset.get("path")), dataset.get("name")
    if path is None or (name is not None and text_of(name) is None):
        return None
    return (path + (f"_{name}" if name is not None else "")).replace("/", "_")


def is_model_column(model: dict[str, Any], column: str) -> bool:
    """Whether the summary column `column` is this model, named as `opencompass.utils.model_abbr_from_cfg` names it:
    its `abbr`, else `<type>_<the last two parts of realpath(path)>` (run with `--hf-path`, a config has no abbr:
    `opencompass.models.huggingface.HuggingFace_lesliehd_Mistral-7B-Instruct-v0.2-16-bit-quantized`). realpath
    resolves a one-part path against the folder OpenCompass ran in, which the dump does not record: that part
    of the name is not checked."""
    if "abbr" in model:
        return text_of(model.get("abbr")) == column
    kind, path = text_of(model.get("type")), text_of(model.get("path"))
    if not kind or not path:
        return False
    parts = [p for p in posixpath.normpath(path.replace("\\", "/")).split("/") if p not in ("", ".")]
    if ".." in parts or not parts:
        return False  # realpath would climb out of the folder it ran in: not knowable from the dump
    if len(parts) >= 2:
        return column == f"{kind}_{parts[-2]}_{parts[-1]}"
    return column.startswith(f"{kind}_") and column.endswith(f"_{parts[0]}") and len(column) > len(kind) + len(parts[0]) + 2


def n_shot_of(dataset: dict[str, Any]) -> int | None:
    """Few-shot examples, where the retriever says: none for ZeroRetriever, the fixed ids for
    FixKRetriever, `ice_num` for the others. None when the config does not say (examples
    written into the prompt template itself, as in gsm8k_gen_1d7fe4, are not counted)."""
    infer = dataset.get("infer_cfg")
    if not isinstance(infer, dict):
        return None
    retriever = infer.get("retriever")
    kind = text_of(retriever.get("type")) if isinstance(retriever, dict) else None
    if kind is None or not isinstance(retriever, dict):
        return None
    name = kind.rsplit(".", 1)[-1]
    if name == "ZeroRetriever":
        return 0
    if name == "FixKRetriever":
        for holder in (retriever, infer.get("inferencer")):
            ids = holder.get("fix_id_list") if isinstance(holder, dict) else None
            if isinstance(ids, list) and all(int_of(i) is not None for i in ids):
                return len(ids)
        return None
    return int_of(retriever.get("ice_num"))


def inferencer_of(dataset: dict[str, Any]) -> str | None:
    """The inferencer's class name (GenInferencer, PPLInferencer, ...), when literal."""
    infer = dataset.get("infer_cfg")
    inferencer = infer.get("inferencer") if isinstance(infer, dict) else None
    kind = text_of(inferencer.get("type")) if isinstance(inferencer, dict) else None
    return kind.rsplit(".", 1)[-1] if kind else None


def evaluator_of(dataset: dict[str, Any]) -> str | None:
    """The evaluator's class name (AccEvaluator, Gsm8kEvaluator, ...), when literal."""
    evaluation = dataset.get("eval_cfg")
    evaluator = evaluation.get("evaluator") if isinstance(evaluation, dict) else None
    kind = text_of(evaluator.get("type")) if isinstance(evaluator, dict) else None
    return kind.rsplit(".", 1)[-1] if kind else None


def _has_opaque(value: Any) -> bool:
    if isinstance(value, Opaque):
        return True
    if isinstance(value, dict):
        return any(_has_opaque(v) for v in value.values())
    return isinstance(value, list) and any(_has_opaque(v) for v in value)


def prompt_version(dataset: dict[str, Any]) -> str | None:
    """The 6-hex `version` OpenCompass's summary prints for this dataset, from the dumped config.

    As `opencompass.utils.get_prompt_hash`: sha256 of the JSON of `infer_cfg` (keys sorted)
    after its two rewrites (a `reader_cfg` inside infer_cfg is replaced by a DatasetReader
    entry, class paths shortened; `fix_id_list` moves from the retriever to the inferencer).
    OpenCompass names its dataset configs by the same hash (`piqa_ppl_0cfff2.py`). None when
    the infer_cfg is not all literals.
    """
    infer = copy.deepcopy(dataset.get("infer_cfg"))
    if not isinstance(infer, dict) or _has_opaque(infer) or not isinstance(infer.get("retriever"), dict):
        return None
    if "reader_cfg" in infer:
        reader = dataset.get("reader_cfg")
        if not isinstance(reader, dict):
            return None
        inner = infer["reader_cfg"] if isinstance(infer["reader_cfg"], dict) else {}
        infer["reader"] = {"type": "DatasetReader", "input_columns": reader.get("input_columns"), "output_column": reader.get("output_column")}
        if "train_split" in inner:
            infer["retriever"]["index_split"] = inner["train_split"]
        if "test_split" in inner:
            infer["retriever"]["test_split"] = inner["test_split"]
        for value in infer.values():
            if not (isinstance(value, dict) and isinstance(value.get("type"), str)):
                return None
            value["type"] = value["type"].split(".")[-1]
    if "fix_id_list" in infer["retriever"]:
        if not isinstance(infer.get("inferencer"), dict):
            return None
        infer["inferencer"]["fix_id_list"] = infer["retriever"].pop("fix_id_list")
    return hashlib.sha256(json.dumps(infer, sort_keys=True).encode()).hexdigest()[:6]
