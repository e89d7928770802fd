"""Which documents a spot-check re-runs, and how many.

The seed is fixed only at check time (the pull request's head commit, the check's date,
or whatever the workflow passes as `--seed-from`), so a contributor cannot know which
documents will be re-run when submitting. Given the seed, the choice is deterministic,
sorted and unique (lm-eval 0.4.13 mislabels unsorted ids, upstream #4084).
"""

from __future__ import annotations

import hashlib
import math

SEED_DOMAIN = "reproboard-spotcheck-v1"


def derive_seed(inputs: str) -> str:
    """64 hex digits from the check-time inputs (`pr-head=<sha> date=2025-06-01`)."""
    return hashlib.sha256(f"{SEED_DOMAIN}\n{inputs}".encode()).hexdigest()


def choose_documents(seed: str, task: str, doc_ids: list[int], count: int) -> list[int]:
    """`count` of `doc_ids`, ranked by sha256(seed, task, id): sorted, unique, deterministic."""
    unique = sorted(set(doc_ids))
    if count >= len(unique):
        return unique
    ranked = sorted(unique, key=lambda i: hashlib.sha256(f"{seed}:{task}:{i}".encode()).digest())
    return sorted(ranked[:count])


def miss_probability(n_docs: int, flipped: int, checked: int) -> float:
    """Chance that `checked` documents drawn without replacement from `n_docs` miss all
    `flipped` ones (hypergeometric zero term)."""
    if flipped <= 0:
        return 1.0
    if checked + flipped > n_docs:
        return 0.0
    log_p = (math.lgamma(n_docs - flipped + 1) - math.lgamma(n_docs - flipped - checked + 1)
             - math.lgamma(n_docs + 1) + math.lgamma(n_docs - checked + 1))
    return math.exp(log_p)


def documents_needed(n_docs: int, inflation_points: float = 1.0, detection: float = 0.95) -> int:
    """Fewest documents to re-run so that a score inflated by `inflation_points` (by
    flipping that share of documents) is caught with probability `detection`, when any
    one disagreeing document fails the check. About 300 for any large task; all of a
    small one (a 1-point inflation of a 100-document task is a single document)."""
    flipped = max(1, math.ceil(n_docs * inflation_points / 100))
    low, high = 0, n_docs
    while low < high:
        middle = (low + high) // 2
        if miss_probability(n_docs, flipped, middle) <= 1 - detection:
            high = middle
        else:
            low = middle + 1
    return low
