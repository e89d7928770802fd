"""What every page needs, computed once per build (lookups that would otherwise cost O(models) per page)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from builder.board.model import Board, Model, Run
from builder.render.i18n import Strings
from builder.render.urls import Urls


@dataclass
class Context:
    board: Board
    t: Strings
    urls: Urls
    leader: Model | None = None
    """The first model of the overall ranking."""
    best: list[float | None] = field(default_factory=list)
    """Best ranked category score on the board, per category in board order (None when no model is ranked in it)."""
    runs_by_model: dict[str, list[Run]] = field(default_factory=dict)
    category_names: dict[str, str] = field(default_factory=dict)
    """Category id -> its name in this language."""
    benchmark_order: dict[str, int] = field(default_factory=dict)
    """Benchmark id -> its place in the registry."""
    memo: dict[tuple[str, ...], str] = field(default_factory=dict)
    """Markup that many pages of this language repeat (a link from every model page to a benchmark), made once."""

    def once(self, key: tuple[str, ...], make: Callable[[], str]) -> str:
        """`make()`, the first time `key` is asked for; the same text after that."""
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = make()
        return found

    @property
    def language(self) -> str:
        return self.t.language

    @classmethod
    def of(cls, board: Board, t: Strings, urls: Urls) -> Context:
        ctx = cls(board, t, urls)
        ctx.leader = board.model(board.overall.ranked[0].model_id) if board.overall.ranked else None
        ctx.best = [max((s.score for s in board.category_rankings[c].ranked if s.score is not None), default=None)
                    for c in board.categories]
        for run in board.runs:
            ctx.runs_by_model.setdefault(run.model_id, []).append(run)
        ctx.category_names = {c.id: c.name_in(t.language) for c in board.registry.categories}
        ctx.benchmark_order = {b.id: i for i, b in enumerate(board.registry.benchmarks)}
        return ctx

    def for_language(self, t: Strings, urls: Urls) -> Context:
        """The same lookups for another language: only the strings, the links and the names change."""
        return replace(self, t=t, urls=urls, category_names={c.id: c.name_in(t.language) for c in self.board.registry.categories}, memo={})
