"""The whole generated site as a list of pages and files: what the MkDocs plugin hands over."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from builder.board import Board
from builder.render import catalog, downloads, escape, home, model_page
from builder.render.context import Context
from builder.render.i18n import strings
from builder.render.urls import Urls


@dataclass(frozen=True)
class Page:
    src: str
    """Path inside docs/ that MkDocs sees (the file is virtual)."""
    title: str
    """HTML-escaped: MkDocs' templates print titles without escaping."""
    in_nav: bool
    hide: tuple[str, ...] = ()
    """Material's `hide` front matter: `navigation`, `toc`."""

    def stub(self) -> str:
        """The Markdown MkDocs reads; the plugin replaces its HTML with the rendered page."""
        hide = "".join(f"  - {h}\n" for h in self.hide)
        return f"---\nhide:\n{hide}---\n" if hide else ""


class Site:
    def __init__(self, board: Board, *, language: str = "en", directory_urls: bool = True) -> None:
        self.board = board
        self.t = strings(language)
        self.urls = Urls(directory_urls)
        self.ctx = Context.of(board, self.t, self.urls)
        self._renderers: dict[str, Callable[[], str]] = {}
        self._summaries: dict[str, Callable[[], str]] = {}
        self._pages: list[Page] = []
        self._plan()

    def _add(self, page: Page, render: Callable[[], str], summary: Callable[[], str]) -> None:
        self._pages.append(page)
        self._renderers[page.src] = render
        self._summaries[page.src] = summary

    def _plan(self) -> None:
        board, t, urls, ctx = self.board, self.t, self.urls, self.ctx

        def summary(title: str, *lines: str) -> Callable[[], str]:
            return lambda: f"<h1>{escape.text(title)}</h1>" + "".join(f"<p>{escape.text(line)}</p>" for line in lines)

        self._add(Page(Urls.HOME, escape.text(t("home.title")), True, ("navigation", "toc")), lambda: home.home_page(board, t, urls),
                  summary(t("home.title"), t("home.intro", models=len(board.rankings["overall"].entries), benchmarks=len(board.benchmarks),
                                             categories=len(board.categories))))
        self._add(Page(Urls.CATEGORIES, escape.text(t("categories.title")), True), lambda: catalog.categories_index(ctx),
                  lambda: catalog.categories_index(ctx))
        self._add(Page(Urls.BENCHMARKS, escape.text(t("benchmarks.title")), True), lambda: catalog.benchmarks_index(ctx),
                  summary(t("benchmarks.title"), t("benchmarks.intro"), ", ".join(board.registry.benchmark(b).name for b in board.benchmarks)))  # type: ignore[union-attr]
        self._add(Page(Urls.CHARTS, escape.text(t("charts.title")), True), lambda: catalog.charts_page(ctx),
                  summary(t("charts.title"), t("charts.intro")))
        for category in board.registry.categories:
            if category.id in board.categories:
                self._add(Page(urls.category(category.id), escape.text(category.name), False), lambda c=category.id: catalog.category_page(c, ctx),
                          summary(category.name, category.description))
        for benchmark_id in board.benchmarks:
            b = board.registry.benchmark(benchmark_id)
            assert b is not None
            self._add(Page(urls.benchmark(benchmark_id), escape.text(b.name), False), lambda b=benchmark_id: catalog.benchmark_page(b, ctx),
                      summary(b.name, b.description, " ".join(b.lm_eval_tasks)))
        for model in board.models:
            self._add(Page(urls.model(model.id), escape.text(model.name), False, ("toc",)), lambda m=model: model_page.model_page(m, ctx),
                      summary(model.name, f"{model.id} · {model.organisation} · {t('type.' + model.model_type)} · {model.license}"))

    def pages(self) -> list[Page]:
        return list(self._pages)

    def render(self, src: str) -> str:
        return self._renderers[src]()

    def search_view(self, src: str) -> str:
        """A short version of the page for the search index: its heading and what it is about."""
        return self._summaries[src]()

    def is_generated(self, src: str) -> bool:
        return src in self._renderers

    def files(self) -> Iterator[tuple[str, str]]:
        """Downloads and data files, as (path inside the site, text)."""
        board, urls = self.board, self.urls
        yield Urls.CSV, downloads.leaderboard_csv(board, urls)
        yield Urls.JSON, downloads.leaderboard_json(board, urls)
        yield Urls.BENCHMARK_COLUMNS, escape.script_json(home.benchmark_columns(board, self.t))
        for model in board.models:
            yield urls.model_json(model.id), downloads.model_json(model, board, urls, self.ctx.runs_by_model.get(model.id, []))
