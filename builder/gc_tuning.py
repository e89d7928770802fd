"""Python's cyclic garbage collector, kept off the board's back.

The collector runs after every few hundred allocations and, every so often, walks every
object alive. A 5,000-model board is a few million objects, none of them in a reference
cycle (refcounting frees them), so those walks find nothing and cost seconds: a third of
aggregation and a quarter of rendering, measured with bench/bench_build.py.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside the block (building the board makes no cycles); refcounting still frees."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def long_lived() -> Iterator[None]:
    """What exists now (the parsed files, the board) is kept out of collections inside the block, then put back."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
