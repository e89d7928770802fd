"""Evidence that bears out a hand-written run's scores, for example repositories in tests.

`reproboard validate` re-scores every submitted score from its evidence, so a test run's
evidence must hold per-document values whose mean is the claimed value: `value` percent
of `n_samples.effective` documents score 1, the rest 0 (the value must be representable).
"""

from __future__ import annotations

import gzip
import json
from typing import Any


def synthetic_evidence(run: dict[str, Any]) -> bytes:
    header: dict[str, Any] = {"format": "reproboard-evidence", "version": 1, "tasks": {}, "groups": {}}
    records = []
    for score in run["scores"].values():
        task, metric, filter_name = score["task"], score["metric"], score["filter"]
        n = score["n_samples"]["effective"]
        right = round(score["value"] * n / 100)
        if abs(100 * right / n - score["value"]) > 1e-6:
            raise ValueError(f"{task}: {score['value']} is not a whole number of {n} documents")
        header["tasks"][task] = {"output_type": "generate_until", "filters": [filter_name], "metrics": {metric: "mean"},
                                 "n_docs": n, "task_hash": None, "target_delimiter": " "}
        records += [{"t": task, "d": i, "f": filter_name, "h": None, "m": {metric: float(i < right)}, "a": ""} for i in range(n)]
    text = "".join(json.dumps(x, sort_keys=True, separators=(",", ":")) + "\n" for x in [header, *records])
    return gzip.compress(text.encode("utf-8"), mtime=0)
