"""OpenCompass's summary CSV (`summary/summary_<time>.csv`), read as its writer writes it.

`opencompass/summarizers/default.py` writes one row per (dataset, metric):
`dataset,version,metric,mode,<model abbr>...`. Scores have two decimals and `-` where a
model has none; a row whose version, metric, mode and scores are all `-` is a section
heading or a dataset without results. Cells are never quoted (the writer replaces commas
by spaces), so a line splits on commas, and a row of the wrong width is an error.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

HEADER = ("dataset", "version", "metric", "mode")
MAX_SUMMARY_BYTES = 8 << 20
VERSION = re.compile(r"[0-9a-f]{6}")


class SummaryError(Exception):
    """The summary cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class SummaryRow:
    line: int
    dataset: str
    version: str | None
    """The 6-hex prompt hash (`get_prompt_hash(...)[:6]`), or None for `-` (summary groups)."""
    metric: str
    mode: str
    scores: dict[str, float | None]
    """Model abbr -> score (percent, as written), None where the CSV says `-`."""


@dataclass(frozen=True)
class Summary:
    path: Path
    models: tuple[str, ...]
    rows: tuple[SummaryRow, ...]
    skipped: tuple[int, ...]
    """Lines of section headings and datasets without any result."""


def _file_name(name: str) -> bool:
    """OpenCompass replaces '/' in model and dataset abbreviations, so they name files: no paths."""
    return name not in (".", "..") and not any(c in name for c in "/\\\0")


def _score(cell: str, path: Path, line: int, column: str) -> float | None:
    if cell == "-":
        return None
    try:
        value = float(cell)
    except ValueError:
        raise SummaryError(f"{path}:{line}: {column}: '{cell[:40]}' is neither a score nor '-'") from None
    if not math.isfinite(value):
        raise SummaryError(f"{path}:{line}: {column}: '{cell[:40]}' is not a finite score")
    return value


def parse_summary_text(text: str, path: Path) -> Summary:
    lines = text.splitlines()
    if not lines or tuple(lines[0].split(",")[:4]) != HEADER:
        raise SummaryError(f"{path}:1: the header does not start with {','.join(HEADER)}: this is not an OpenCompass summary")
    header = lines[0].split(",")
    models = tuple(header[4:])
    if not models or any(not m for m in models) or len(set(models)) != len(models):
        raise SummaryError(f"{path}:1: the model columns must be non-empty and distinct")
    for model in models:
        if not _file_name(model):
            raise SummaryError(f"{path}:1: model column '{model[:60]}' cannot be a folder name, as OpenCompass's results/<model>/ is")
    rows, skipped = [], []
    for number, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            continue
        cells = raw.split(",")
        if len(cells) != len(header):
            raise SummaryError(f"{path}:{number}: {len(cells)} cells, but the header has {len(header)}")
        dataset, version, metric, mode = cells[:4]
        values = cells[4:]
        if version == metric == mode == "-" and all(v == "-" for v in values):
            skipped.append(number)
            continue
        if not dataset or not metric or metric == "-":
            raise SummaryError(f"{path}:{number}: a row with scores needs a dataset and a metric")
        if not _file_name(dataset):
            raise SummaryError(f"{path}:{number}: dataset '{dataset[:60]}' cannot be a file name, as OpenCompass's <dataset>.json is")
        if version != "-" and not VERSION.fullmatch(version):
            raise SummaryError(f"{path}:{number}: version '{version[:40]}' is not OpenCompass's 6-hex prompt hash")
        scores = {model: _score(cell, path, number, model) for model, cell in zip(models, values)}
        rows.append(SummaryRow(number, dataset, None if version == "-" else version, metric, mode, scores))
    return Summary(path, models, tuple(rows), tuple(skipped))


def read_summary(path: Path) -> Summary:
    size = path.stat().st_size
    if size > MAX_SUMMARY_BYTES:
        raise SummaryError(f"{path}: {size:,} bytes; a summary is at most {MAX_SUMMARY_BYTES:,}")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SummaryError(f"{path}: not UTF-8 text (byte {error.start})") from None
    return parse_summary_text(text, path)
