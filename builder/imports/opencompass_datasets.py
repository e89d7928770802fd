"""Which OpenCompass dataset (or summary group) measures which benchmark, under which protocol.

An OpenCompass number is its own protocol: OpenCompass's prompt (identified by the 6-hex
`version` hash of the dataset's infer_cfg), its answer post-processing and its evaluator.
OpenCompass's `gsm8k` is not lm-eval's `gsm8k`, so each abbreviation gets a protocol id of
its own, `opencompass_<abbr>`, and the prompt version is kept on every score
(`task_version`). Abbreviations and metrics are the ones OpenCompass's configs and
summarizer write (`opencompass/configs/datasets/*`, `configs/summarizers/groups/*`, and the
evaluators' result keys), checked against open-compass/opencompass 0.5.3 (a5acc4bb). A
dataset not listed here is left out of the import with a notice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class DatasetMapping:
    abbr: str
    """The dataset (or summary group) abbreviation in the summary CSV."""
    benchmark: str
    """The benchmark's id in seeds/benchmarks.yaml."""
    metrics: tuple[str, ...]
    """The CSV metrics that are this benchmark's score (the first one present is taken)."""
    subset_prefix: str | None = None
    """For a summary group: the prefix of its subsets' abbreviations, when the dumped config
    does not list them (OpenCompass's own groups use these prefixes)."""

    @property
    def protocol(self) -> str:
        return "opencompass_" + re.sub(r"[^a-z0-9_]+", "_", self.abbr.lower()).strip("_")


_TABLE = (
    DatasetMapping("gsm8k", "gsm8k", ("accuracy",)),
    DatasetMapping("math", "math", ("accuracy",)),
    DatasetMapping("mmlu", "mmlu", ("naive_average", "weighted_average", "accuracy"), "lukaemon_mmlu_"),
    DatasetMapping("mmlu_pro", "mmlu_pro", ("naive_average", "weighted_average", "accuracy"), "mmlu_pro_"),
    DatasetMapping("GPQA_diamond", "gpqa", ("accuracy",)),
    DatasetMapping("agieval", "agieval", ("naive_average", "weighted_average"), "agieval-"),
    DatasetMapping("triviaqa", "triviaqa", ("score",)),
    DatasetMapping("nq", "naturalquestions", ("score",)),
    DatasetMapping("bbh", "bbh", ("naive_average", "weighted_average"), "bbh-"),
    DatasetMapping("ARC-c", "arc_challenge", ("accuracy",)),
    DatasetMapping("ARC-e", "arc_easy", ("accuracy",)),
    DatasetMapping("TheoremQA", "theoremqa", ("score", "accuracy")),
    DatasetMapping("openai_humaneval", "humaneval", ("humaneval_pass@1",)),
    DatasetMapping("mbpp", "mbpp", ("score",)),
    DatasetMapping("hellaswag", "hellaswag", ("accuracy",)),
    DatasetMapping("winogrande", "winogrande", ("accuracy",)),
    DatasetMapping("piqa", "piqa", ("accuracy",)),
    DatasetMapping("ceval", "ceval", ("naive_average", "weighted_average"), "ceval-"),
    DatasetMapping("cmmlu", "cmmlu", ("naive_average", "weighted_average"), "cmmlu-"),
    DatasetMapping("IFEval", "ifeval", ("Prompt-level-strict-accuracy",)),
)

BY_ABBR = {m.abbr: m for m in _TABLE}
RESCORABLE_METRICS = ("accuracy",)
"""Metrics that are the mean of the per-sample `correct` flags, so the details re-score them."""
GROUP_METRICS = {"naive_average": "mean", "weighted_average": "size"}
"""Summary-group metrics and how they combine their subsets (plain mean, or weighted by size)."""


def mapping_for(abbr: str) -> DatasetMapping | None:
    return BY_ABBR.get(abbr)


def subset_of(abbr: str) -> DatasetMapping | None:
    """The group whose subset `abbr` is by prefix (`lukaemon_mmlu_nutrition` -> mmlu)."""
    return next((m for m in _TABLE if m.subset_prefix and abbr.startswith(m.subset_prefix)), None)
