"""What a contributor tells ingest beyond lm-eval's output: flags, as values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class ModelInfo:
    """What lm-eval does not record about a model, from flags."""

    name: str | None = None
    organisation: str | None = None
    model_type: str | None = None
    license: str | None = None
    release_date: str | None = None
    parameters_billions: float | None = None
    architecture: str | None = None
    open_weights: bool | None = None


@dataclass(frozen=True)
class IngestOptions:
    submitted_by: str | None = None
    model_id: str | None = None
    revision: str | None = None
    command: str | None = None
    hardware: str | None = None
    run_id: str | None = None
    model: ModelInfo = ModelInfo()
    today: dt.date | None = None
