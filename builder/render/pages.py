"""The whole generated site as a list of pages and files: what the MkDocs plugin hands over."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from builder.board.model import Board
from builder.render import catalog, compare, downloads, escape, home, model_page
from builder.render.context import Context
from builder.render.i18n import strings
from builder.render.urls import Urls


@dataclass(frozen=True)
class Page:
    src: str
    """Path inside docs/ that MkDocs sees (the file is virtual): the logical path, with `.zh` before `.md` for Chinese."""
    title: str
    """HTML-escaped: MkDocs' templates print titles without escaping."""
    in_nav: bool
    hide: tuple[str, ...] = ()
    """Material's `hide` front matter: `navigation`, `toc`."""
    logical: str = ""
    """The page's path in every language (`models/acme/Alpha-7B.md`): what the language switcher maps."""
    dest: str = ""
    """Where MkDocs writes it, inside the site folder (`zh/models/acme/Alpha-7B/index.html`)."""
    shell: bool = False
    """One of many pages alike (the model pages): rendered from one shell of the theme (builder/render/shell.py)."""

    def stub(self) -> str:
        """The Markdown MkDocs reads; the plugin replaces its HTML with the rendered page."""
        hide = "".join(f"  - {h}\n" for h in self.hide)
        return f"---\nhide:\n{hide}---\n" if hide else ""


class Site:
    """The generated pages of one language.

    `prefixed`: the pages live under `<language>/` (every language but the default one).
    `context`: the lookups of another language's Site, reused (they do not depend on the language).
    `shared_files`: this Site writes the downloads, which every language links to; only one should.
    """

    def __init__(self, board: Board, *, language: str = "en", directory_urls: bool = True, prefixed: bool = False,
                 context: Context | None = None, shared_files: bool = True) -> None:
        self.board = board
        self.language = language
        self.t = strings(language)
        self.urls = Urls(directory_urls, language if prefixed else "")
        self.ctx = context.for_language(self.t, self.urls) if context is not None else Context.of(board, self.t, self.urls)
        self.shared_files = shared_files
        self._renderers: dict[str, Callable[[], str]] = {}
        self._summaries: dict[str, Callable[[], str]] = {}
        self._pages: list[Page] = []
        self._logical: dict[str, str] = {}
        self._plan()

    def _add(self, src: str, title: str, in_nav: bool, render: Callable[[], str], summary: Callable[[], str], hide: tuple[str, ...] = (),
             shell: bool = False) -> None:
        source = self.urls.source(src)
        self._pages.append(Page(source, escape.text(title), in_nav, hide, src, self.urls.destination(src), shell))
        self._renderers[source] = render
        self._summaries[source] = summary
        self._logical[source] = src

    def _plan(self) -> None:
        board, t, urls, ctx, lang = self.board, self.t, self.urls, self.ctx, self.language

        def summary(title: str, *lines: str) -> Callable[[], str]:
            return lambda: f"<h1>{escape.text(title)}</h1>" + "".join(f"<p>{escape.text(line)}</p>" for line in lines)

        self._add(Urls.HOME, t("home.title"), True, lambda: home.home_page(board, t, urls),
                  summary(t("home.title"), t("home.intro", models=len(board.overall.ranked), unranked=len(board.overall.unranked),
                                             benchmarks=len(board.benchmarks), categories=len(board.categories))), ("navigation", "toc"))
        self._add(Urls.COMPARE, t("compare.title"), True, lambda: compare.compare_page(board, t, urls),
                  summary(t("compare.title"), t("compare.intro")), ("navigation", "toc"))
        self._add(Urls.CATEGORIES, t("categories.title"), True, lambda: catalog.categories_index(ctx), lambda: catalog.categories_index(ctx))
        self._add(Urls.BENCHMARKS, t("benchmarks.title"), True, lambda: catalog.benchmarks_index(ctx),
                  summary(t("benchmarks.title"), t("benchmarks.intro"),
                          ", ".join(board.registry.benchmark(b).name_in(lang) for b in board.benchmarks)))  # type: ignore[union-attr]
        self._add(Urls.CHARTS, t("charts.title"), True, lambda: catalog.charts_page(ctx), summary(t("charts.title"), t("charts.intro")))
        for category in board.registry.categories:
            if category.id in board.categories:
                self._add(urls.category(category.id), category.name_in(lang), False, lambda c=category.id: catalog.category_page(c, ctx),
                          summary(category.name_in(lang), category.description_in(lang)))
        for benchmark_id in board.benchmarks:
            b = board.registry.benchmark(benchmark_id)
            assert b is not None
            self._add(urls.benchmark(benchmark_id), b.name_in(lang), False, lambda b=benchmark_id: catalog.benchmark_page(b, ctx),
                      summary(b.name_in(lang), b.description_in(lang), " ".join(b.lm_eval_tasks)))
        for model in board.models:
            self._add(urls.model(model.id), model.name, False, lambda m=model: model_page.model_page(m, ctx),
                      summary(model.name, f"{model.id} · {model.organisation} · {t('type.' + model.model_type)} · {model.license}"), ("toc",),
                      shell=True)

    def pages(self) -> list[Page]:
        return list(self._pages)

    def render(self, src: str) -> str:
        return self._renderers[src]()

    def search_view(self, src: str) -> str:
        """A short version of the page for the search index: its heading and what it is about."""
        return self._summaries[src]()

    def logical(self, src: str) -> str:
        """The language-independent path of a generated page (`models/a/b.md` for `models/a/b.zh.md`)."""
        return self._logical[src]

    def is_generated(self, src: str) -> bool:
        return src in self._renderers

    def shared_paths(self, models: bool = True) -> list[str]:
        """Where the downloads are, inside the site: every language links to the one copy (`models`: with each model's own)."""
        urls = Urls(self.urls.directory_urls)
        return [Urls.CSV, Urls.JSON, Urls.BENCHMARK_COLUMNS, Urls.MODEL_INDEX] + [urls.model_json(m.id) for m in self.board.models if models]

    def files(self) -> Iterator[tuple[str, str | bytes]]:
        """Downloads and data files, as (path inside the site, text or bytes); none unless this Site writes the shared files."""
        if not self.shared_files:
            return
        for path, make in self.file_makers().items():
            yield path, make()

    def file_makers(self) -> dict[str, Callable[[], str | bytes]]:
        """Every download and data file by its path inside the site, each made when called (`mkdocs serve` makes them
        when asked for: builder/render/live.py)."""
        board, urls = self.board, Urls(self.urls.directory_urls)
        makers: dict[str, Callable[[], str | bytes]] = {
            Urls.CSV: lambda: downloads.leaderboard_csv(board, urls),
            Urls.JSON: lambda: downloads.leaderboard_json(board, urls),
            Urls.BENCHMARK_COLUMNS: lambda: escape.script_json(home.benchmark_columns(board)),
            Urls.MODEL_INDEX: lambda: escape.script_json(compare.model_index(board)),
        }
        for model in board.models:
            makers[urls.model_json(model.id)] = lambda m=model: downloads.gzipped(
                downloads.model_json(m, board, urls, self.ctx.runs_by_model.get(m.id, [])))
        return makers
