"""Every Eval Ever records (`evaleval/every_eval_ever`) read into plain, checked values.

EEE's record format changed under the same file layout: 0.0.x names the leaderboard in
`evaluation_source`, 0.1.x moves it to `source_metadata.source_name` and keeps one
top-level `source_data`, 0.2.x and 0.3.x give each result its own `source_data`. What the
board needs is in all of them: who evaluated (and whether as the model's makers), which
leaderboard, when it was retrieved, the model and one 0-1 score per evaluation.

Every value is checked before it is used: a non-finite number (`1e999`, `NaN`), a
duplicate key, a name with a control character or a score outside its stated bounds is
an `EeeError` naming the file and the field, never a traceback and never a file that
`reproboard validate` would refuse later.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

MAX_RECORD_BYTES = 1 << 20
"""An OLL v2 record is 3.5 KB; HELM's largest are ~100 KB. A cap keeps a hostile file cheap."""

SUPPORTED_VERSIONS = re.compile(r"0\.[0-3]\.[0-9]+")
RELATIONSHIPS = ("first_party", "third_party", "collaborative", "other")
SAMPLES_HASHES = {"sha256": 64, "md5": 32}
"""`detailed_evaluation_results.hash_algorithm` values EEE's schema allows, and their length in hex digits."""

NUMBERS_DECIMALS = 4
UNKNOWN_PARAMS = (0.0, -1.0)
"""How OLL v2's records say that the parameter count is not known."""
UNKNOWN_ARCHITECTURE = (None, "", "Unknown", "?")
"""How they say that the architecture is not known."""

_CONTROL = re.compile(r"[\u0000-\u001f\u007f-\u009f\u2028\u2029]")
_MODEL_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,95}/[A-Za-z0-9_][A-Za-z0-9._-]{0,95}")
_WINDOWS_DEVICES = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))})
_PRECISION = re.compile(r"[a-z0-9][a-z0-9._-]{0,31}")


class EeeError(Exception):
    """An EEE record that cannot be imported; the message names the file and the field."""


@dataclass(frozen=True)
class EeeScore:
    name: str
    """EEE's `evaluation_name` (`IFEval`, `MATH Level 5`)."""
    value: float
    """As EEE stores it: a fraction, 0 to 1."""


@dataclass(frozen=True)
class EeeRecord:
    path: str
    """Where the record was read, as given (EEE's `data/<leaderboard>/<org>/<model>/<uuid>.json` when it ends so)."""
    schema_version: str
    evaluation_id: str
    retrieved_timestamp: str
    """Unix time, as EEE writes it (a string)."""
    source_name: str
    """The leaderboard or report (`HF Open LLM v2`)."""
    source_organization: str
    """Who ran the evaluations (`Hugging Face`)."""
    evaluator_relationship: str
    """`first_party` when the model's makers evaluated it, `third_party`, `collaborative` or `other`."""
    model_id: str
    model_name: str
    developer: str
    precision: str | None
    architecture: str | None
    params_billions: float | None
    scores: tuple[EeeScore, ...]
    samples_file: str | None = None
    """`detailed_evaluation_results.file_path`, when the record has per-sample JSONL."""
    samples_checksum: tuple[str, str] | None = None
    """(`hash_algorithm`, `checksum`) of that file, when the record gives them."""
    samples_rows: int | None = None
    """Its `total_rows`, when the record gives it."""

    @property
    def retrieved_on(self) -> str:
        """The retrieval date, `YYYY-MM-DD` (UTC)."""
        return datetime.fromtimestamp(float(self.retrieved_timestamp), tz=timezone.utc).strftime("%Y-%m-%d")

    @property
    def numbers(self) -> tuple[tuple[str, float], ...]:
        """What makes two retrievals the same evaluation: the scores, by name, to the 4 decimals that EEE's 0.2.x
        records keep (its 0.0.x records of the same evaluation have every digit: 0.6066758423205982 is 0.6067)."""
        return tuple(sorted((s.name, round(s.value, NUMBERS_DECIMALS)) for s in self.scores))


def read_record(path: Path, shown_as: str | None = None) -> EeeRecord:
    """One EEE record file, checked. `shown_as` is the path to name in messages and provenance."""
    where = shown_as or path.as_posix()
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_RECORD_BYTES + 1)
    except OSError as error:
        raise EeeError(f"{where}: cannot be read ({error.strerror})") from None
    if len(raw) > MAX_RECORD_BYTES:
        raise EeeError(f"{where}: larger than {MAX_RECORD_BYTES:,} bytes; an EEE record is a few KB")
    return parse_record(raw, where)


def parse_record(raw: bytes, where: str) -> EeeRecord:
    return _Reader(where).record(strict_json(raw, where, "an EEE record"))


def strict_json(raw: bytes, where: str, what: str, line_numbers: bool = True) -> Any:
    """JSON that means one thing: UTF-8, no key twice in an object, no NaN or Infinity, not nested past Python's
    limit; else EeeError naming `where` (with the line when `line_numbers`) and what the text should have been."""
    try:
        return json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except UnicodeDecodeError as error:
        raise EeeError(f"{where}: not UTF-8 (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise EeeError(f"{where}{f':{error.lineno}' if line_numbers else ''}: not JSON: {error.msg}") from None
    except ValueError as error:  # from the hooks
        raise EeeError(f"{where}: {error}") from None
    except RecursionError:
        raise EeeError(f"{where}: nested too deeply to be {what}") from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"key '{key}' appears twice in one object")
        out[key] = value
    return out


def _no_constant(name: str) -> None:
    raise ValueError(f"'{name}' is not a number EEE allows (JSON has no NaN or Infinity)")


class _Reader:
    """Field access that says which field of which file is wrong."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, field: str, message: str) -> EeeError:
        return EeeError(f"{self.where}: $.{field}: {message}")

    def obj(self, data: Any, field: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(field, "must be an object")
        return data

    def text(self, data: dict[str, Any], key: str, field: str, required: bool = True, longest: int = 200) -> str | None:
        value = data.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(field, "must be a non-empty string" if value is not None else "is missing")
        if _CONTROL.search(value):
            raise self.fail(field, f"{json.dumps(value)} has a control or line-separator character")
        if len(value) > longest:
            raise self.fail(field, f"is {len(value)} characters long; at most {longest}")
        return value

    def number(self, value: Any, field: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(field, f"{json.dumps(value)} is not a number")
        if not math.isfinite(value):
            raise self.fail(field, "is not a finite number (1e999 and the like are refused)")
        return float(value)

    def record(self, data: Any) -> EeeRecord:
        data = self.obj(data, "")
        version = self.text(data, "schema_version", "schema_version")
        assert version is not None
        if not SUPPORTED_VERSIONS.fullmatch(version):
            raise self.fail("schema_version", f"'{version}' is not a version this import reads (0.0.x to 0.3.x)")
        metadata = self.obj(data.get("source_metadata"), "source_metadata")
        source_name = self._source_name(data, metadata)
        relationship = self.text(metadata, "evaluator_relationship", "source_metadata.evaluator_relationship")
        if relationship not in RELATIONSHIPS:
            raise self.fail("source_metadata.evaluator_relationship", f"'{relationship}' is not one of {', '.join(RELATIONSHIPS)}")
        timestamp = self.text(data, "retrieved_timestamp", "retrieved_timestamp")
        assert timestamp is not None
        try:
            stamp = float(timestamp)
        except ValueError:
            stamp = math.nan
        if not (0 < stamp < 32503680000):  # before year 3000
            raise self.fail("retrieved_timestamp", f"'{timestamp}' is not a Unix time")
        model = self.obj(data.get("model_info"), "model_info")
        model_id = self.text(model, "id", "model_info.id")
        assert model_id is not None
        if not _MODEL_ID.fullmatch(model_id) or ".." in model_id or "--" in model_id:
            raise self.fail("model_info.id", f"'{model_id}' is not a hub id (org/name: letters, digits, '.', '_', '-')")
        if any(part.split(".")[0].casefold() in _WINDOWS_DEVICES or part.endswith(".") for part in model_id.split("/")):
            raise self.fail("model_info.id", f"'{model_id}' cannot be a folder name on Windows (a device name, or a final '.')")
        details = self.obj(model.get("additional_details") or {}, "model_info.additional_details")
        precision = self.text(details, "precision", "model_info.additional_details.precision", required=False)
        if precision is not None and not _PRECISION.fullmatch(precision):
            raise self.fail("model_info.additional_details.precision", f"'{precision}' is not a precision name (bfloat16, float16, 4bit)")
        params = details.get("params_billions")
        params_billions = None if params is None else self.number(params, "model_info.additional_details.params_billions")
        if params_billions is not None and params_billions not in UNKNOWN_PARAMS and not 0 < params_billions <= 100000:
            raise self.fail("model_info.additional_details.params_billions", f"{params} is outside 0 to 100,000")
        architecture = details.get("architecture")
        if architecture not in UNKNOWN_ARCHITECTURE:
            architecture = self.text(details, "architecture", "model_info.additional_details.architecture")
        name = self.text(model, "name", "model_info.name")
        assert name is not None
        return EeeRecord(
            path=self.where, schema_version=version,
            evaluation_id=self.text(data, "evaluation_id", "evaluation_id", longest=500) or "", retrieved_timestamp=timestamp,
            source_name=source_name,
            source_organization=self.text(metadata, "source_organization_name", "source_metadata.source_organization_name") or "",
            evaluator_relationship=relationship, model_id=model_id,
            model_name=name.split("/")[-1],  # 0.0.x and 0.1.x write the whole id as the name
            developer=self.text(model, "developer", "model_info.developer", required=False) or model_id.split("/")[0],
            precision=precision, params_billions=None if params_billions in UNKNOWN_PARAMS else params_billions,
            architecture=None if architecture in UNKNOWN_ARCHITECTURE else architecture,
            scores=self._scores(data.get("evaluation_results")), **self._samples(data),
        )

    def _source_name(self, data: dict[str, Any], metadata: dict[str, Any]) -> str:
        if "source_name" in metadata:
            name = self.text(metadata, "source_name", "source_metadata.source_name")
        else:  # 0.0.x
            source = self.obj(data.get("evaluation_source"), "evaluation_source")
            name = self.text(source, "evaluation_source_name", "evaluation_source.evaluation_source_name")
        assert name is not None
        return name

    def _scores(self, results: Any) -> tuple[EeeScore, ...]:
        if not isinstance(results, list) or not results:
            raise self.fail("evaluation_results", "must be a non-empty list")
        scores: dict[str, EeeScore] = {}
        for i, result in enumerate(results):
            at = f"evaluation_results[{i}]"
            result = self.obj(result, at)
            name = self.text(result, "evaluation_name", f"{at}.evaluation_name")
            assert name is not None
            if name in scores:
                raise self.fail(f"{at}.evaluation_name", f"'{name}' appears twice")
            config = self.obj(result.get("metric_config"), f"{at}.metric_config")
            if config.get("lower_is_better") is not False:
                raise self.fail(f"{at}.metric_config.lower_is_better", "only higher-is-better scores are imported")
            low, high = (self._bound(config, key, f"{at}.metric_config.{key}") for key in ("min_score", "max_score"))
            if (low, high) != (0.0, 1.0):
                raise self.fail(f"{at}.metric_config", f"scores from {low} to {high}; this import reads 0-1 scores only")
            value = self.number(self.obj(result.get("score_details"), f"{at}.score_details").get("score"),
                                f"{at}.score_details.score")
            if not 0 <= value <= 1:
                raise self.fail(f"{at}.score_details.score", f"{value} is outside its bounds, 0 to 1")
            scores[name] = EeeScore(name, value)
        return tuple(scores.values())

    def _bound(self, config: dict[str, Any], key: str, field: str) -> float | None:
        value = config.get(key)
        return None if value is None else self.number(value, field)

    def _samples(self, data: dict[str, Any]) -> dict[str, Any]:
        """The per-sample file a record names (builder/imports/eee_samples.py reads it), its checksum and rows."""
        detailed = data.get("detailed_evaluation_results")
        if detailed is None:
            return {}
        at = "detailed_evaluation_results"
        detailed = self.obj(detailed, at)
        found: dict[str, Any] = {"samples_file": self.text(detailed, "file_path", f"{at}.file_path", longest=500)}
        if detailed.get("format", "jsonl") != "jsonl":
            raise self.fail(f"{at}.format", f"{json.dumps(detailed.get('format'))[:40]} is not 'jsonl', the one format EEE defines")
        checksum = self.text(detailed, "checksum", f"{at}.checksum", required=False)
        if checksum is not None:
            algorithm = detailed.get("hash_algorithm")
            if algorithm not in SAMPLES_HASHES:
                raise self.fail(f"{at}.hash_algorithm", f"{json.dumps(algorithm)[:40]} is not one of {', '.join(SAMPLES_HASHES)}")
            if not re.fullmatch(f"[0-9a-fA-F]{{{SAMPLES_HASHES[algorithm]}}}", checksum):
                raise self.fail(f"{at}.checksum", f"'{checksum[:80]}' is not a {algorithm} in hex")
            found["samples_checksum"] = (algorithm, checksum.lower())
        rows = detailed.get("total_rows")
        if rows is not None:
            if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
                raise self.fail(f"{at}.total_rows", f"{json.dumps(rows)[:40]} is not a count")
            found["samples_rows"] = rows
        return found
