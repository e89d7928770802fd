"""The MkDocs plugin that turns results/ and seeds/ into pages: `plugins: [reproboard]` in mkdocs.yml.

Plain `mkdocs build` and `mkdocs serve` validate and aggregate the data themselves;
`reproboard build` does that first and hands the board over (`plugin.board`). Invalid
data stops the build in `on_config`, before MkDocs touches the site folder.

Languages: the site is built once per language by mkdocs-static-i18n (`plugins: - i18n`
before `- reproboard`), which runs MkDocs' whole build again for each language other
than the default one, with the same plugin objects. This plugin builds the pages of the
language being built (the theme's `language`, which i18n sets), under `<language>/` for
every language but the default one. What does not depend on the language is made once:
the validated and aggregated board, the lookups every page uses, and the downloads in
`api/`, written by the default language's build and linked from every language. Without
the i18n plugin the site has the one language of `theme.language`.
"""

from __future__ import annotations

import gc
import logging
import os
import posixpath
import time
import types
from pathlib import Path
from typing import Any

from jinja2.bccache import Bucket, BytecodeCache
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from builder.board.model import Board
from builder.render.folders import FolderMaker
from builder.render.shell import LEAN_TEMPLATE, Icons, PageShells, set_alternates, squeeze, theme_stylesheets
from builder.render.shell import TEMPLATE as SHELL_TEMPLATE

log = logging.getLogger("mkdocs.plugins.reproboard")


class ReproBoardConfig(Config):
    data_root = c.Type(str, default=".")
    """The repository with seeds/ and results/, relative to mkdocs.yml."""
    page_shells = c.Type(bool, default=True)
    """Render the model pages from one rendering of the theme per language (builder/render/shell.py): the same
    bytes, about 1.5 ms a page less. `false` renders each page through the theme."""

_TEMPLATES = Path(__file__).parent / "templates"
"""Theme overrides: the error page (404.html), in the language being built."""


class InvalidData(PluginError):
    """The data has errors: the build stops with validate's messages."""


def board_from(root: Path, kept: Any = None) -> Board:
    """Validate `root` and aggregate it; raise InvalidData with every error, as `reproboard validate` prints them.
    `kept`: a `CheckedFiles` whose unchanged files are not checked again (`mkdocs serve`)."""
    from builder.board.aggregate import build_board
    from builder.check.validate import validate
    from builder.problems import counted, format_text

    report = validate(root, kept=kept)
    if report.errors:
        raise InvalidData(f"the data has {counted(len(report.errors), 'error')}; nothing was built:\n" + format_text(report.errors).rstrip("\n"))
    return build_board(report.parsed, report.registry)


def source_date_epoch(board: Board) -> str:
    """The data's latest date as a Unix time: a stable date for the sitemap and its gzip header."""
    if not board.data_date:
        return "0"
    import datetime as dt

    day = dt.date.fromisoformat(board.data_date)
    return str(int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp()))


def _render_stub(page: Page, config: MkDocsConfig, files: Files) -> None:
    """What `Page.render` leaves on a page whose Markdown is empty; on_page_content puts the summary in."""
    page.content = ""
    page.toc = get_toc([])
    page._title_from_render = None
    page.present_anchor_ids = set()
    page.links_to_anchors = {}


class _CompiledTemplates(BytecodeCache):
    """Jinja's bytecode cache in memory, kept by the plugin between `mkdocs serve`'s rebuilds: each rebuild gets a new
    Jinja environment, which would compile every template of the theme again (a second of every rebuild)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


class _Written(File):
    """A download another language's build has written already: linked to, never written again."""

    def copy_file(self, dirty: bool = False) -> None:
        return None


class ReproBoardPlugin(BasePlugin[ReproBoardConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.board: Board | None = None
        """Set by `reproboard build`; otherwise loaded in on_config."""
        self.site: Any = None
        """The pages of the language being built (builder.render.pages.Site)."""
        self.sites: dict[str, Any] = {}
        """Every language built so far in this run, by language."""
        self.timings: dict[str, float] = {}
        """Seconds spent in the builder's own stages during this build (every language together)."""
        self._set_epoch = False
        self._title_map: dict[str, str] | None = None
        self._languages: list[tuple[str, str]] = []
        """(code, name) of every language the site is built in, the default first."""
        self._default_language = "en"
        self._default_404: bytes | None = None
        self._shells = PageShells()
        self._icons = Icons()
        """The theme's icons on the model pages, written once for every language (`Icons.PATH`)."""
        self._folders: FolderMaker | None = None
        self._page_urls: dict[str, list[str]] = {}
        """Every page built in this run, by language: the sitemap's."""
        self._shell_pages: set[str] = set()
        self._languages_done = 0
        """Languages whose build has ended in this build: the build is over when all have."""
        self._serving = False
        """`mkdocs serve`: model pages are made when asked for (builder/render/live.py), not written."""
        self._kept: Any = None
        self._live: Any = None
        self._compiled: Any = None
        """While serving: the theme's templates compiled once, not on every rebuild (Jinja's bytecode cache)."""

    @property
    def pages_from_shells(self) -> int:
        """Pages filled from a shell of the theme in this run (builder/render/shell.py)."""
        return self._shells.served

    def _time(self, stage: str, since: float) -> None:
        self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - since

    def _language_of(self, config: MkDocsConfig) -> tuple[str, str, list[tuple[str, str]]]:
        """(language being built, default language, every language with its name) from mkdocs-static-i18n or the theme."""
        i18n = config.plugins.get("i18n")
        current = getattr(i18n, "current_language", None)
        if i18n is not None and current:
            names = [(lang.locale, lang.name) for lang in i18n.config.languages if lang.build]
            names.sort(key=lambda pair: pair[0] != i18n.default_language)
            return current, i18n.default_language, names
        language = config.theme.get("language") or "en"
        return language, language, [(language, language)]

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """With this event MkDocs keeps the plugin between `mkdocs serve`'s rebuilds: each rebuild reads the board
        again, reusing the checks of unchanged files, and model pages are made when asked for (builder/render/live.py)."""
        from builder.check.validate import CheckedFiles
        from builder.render.live import LivePages

        self._serving = command == "serve"
        if self._serving:
            self._kept, self._live, self._compiled = CheckedFiles(), LivePages(), _CompiledTemplates()
        else:  # MkDocs keeps this plugin for every later build in the process: `mkdocs build` after a serve writes everything
            self.on_shutdown()

    def on_shutdown(self) -> None:
        """The end of `mkdocs serve` (or of any command): the next build, if any, is a plain one."""
        self._serving = False
        self._kept = self._live = self._compiled = None

    @event_priority(-110)  # after mkdocs-static-i18n has chosen the language of this build
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        start = time.perf_counter()
        language, default, self._languages = self._language_of(config)
        if language == default:  # a new build: the default language's comes first, the others inside it
            # MkDocs keeps this plugin from one build to the next in a process (it has on_startup): nothing of the last
            # build stays. While serving, the board is read again (the data may have changed); otherwise it is the one
            # `reproboard build` handed over, or None (read below), since each build ends by dropping it.
            self.sites, self.timings, self._icons, self._shells, self._languages_done = {}, {}, Icons(), PageShells(), 0
            if self._serving:
                self.board = None
                gc.disable()  # as `reproboard build` does (builder/gc_tuning.py): no cycles to find, seconds saved; on at the end
        if self.board is None:
            root = (Path(config.config_file_path).parent / self.config.data_root).resolve()
            try:
                self.board = board_from(root, self._kept)
            except BaseException:
                gc.enable()  # invalid data: the build stops here, and the server goes on waiting for the fix
                raise
            self._time("load_validate_aggregate", start)
        from builder.render.i18n import languages
        from builder.render.pages import Site

        self._default_language = default
        if language == default:
            self._default_404 = None
            self._page_urls = {}
        if language not in languages():
            raise PluginError(f"ReproBoard has no interface strings for language '{language}' (it has: {', '.join(languages())})")
        start = time.perf_counter()
        shared = next(iter(self.sites.values())).ctx if self.sites else None
        self.site = Site(self.board, language=language, directory_urls=config.use_directory_urls, prefixed=language != default,
                         context=shared, shared_files=language == default)
        self.sites[language] = self.site
        self._title_map = None
        self._shells.clear()
        self._shell_pages = {p.src for p in self.site.pages() if p.shell}
        self._time("render", start)
        if str(_TEMPLATES) not in config.theme.dirs:
            config.theme.dirs.insert(0, str(_TEMPLATES))
        logging.getLogger("jieba").setLevel(logging.WARNING)  # Material's search segments Chinese with jieba; quiet its progress lines
        if "SOURCE_DATE_EPOCH" not in os.environ:
            os.environ["SOURCE_DATE_EPOCH"] = source_date_epoch(self.board)
            self._set_epoch = True
        return config

    @event_priority(-110)  # after mkdocs-static-i18n has sorted the hand-written pages by language
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        start = time.perf_counter()
        site = self.site
        pages = site.pages()
        if self._serving and self.config.page_shells:  # one model page per language, for its shell; the others made when asked for
            first = next((p for p in pages if p.shell), None)
            pages = [p for p in pages if not p.shell or p is first]
        for page in pages:
            existing = files.src_uris.get(page.src)
            if existing is not None:
                log.warning(f"docs/{page.src} is generated by ReproBoard; the file in docs/ is ignored")
                files.remove(existing)
            inclusion = InclusionLevel.UNDEFINED if page.in_nav else InclusionLevel.NOT_IN_NAV
            file = File(page.src, src_dir=None, dest_dir=config.site_dir, use_directory_urls=config.use_directory_urls,
                        dest_uri=page.dest, inclusion=inclusion)
            file.generated_by = "reproboard"
            file.content_string = page.stub()
            files.append(file)
        if site.shared_files and not self._serving:
            for src, content in site.files():
                existing = files.src_uris.get(src)
                if existing is not None:
                    files.remove(existing)
                files.append(File.generated(config, src, content=content))
        else:
            # Written by the default language's build; listed so that links to them resolve.
            # While serving, none is written: builder/render/live.py makes each when asked for.
            for src in site.shared_paths(models=not self._serving):
                if src not in files.src_uris:
                    files.append(_Written(src, src_dir=None, dest_dir=config.site_dir, use_directory_urls=config.use_directory_urls))
        self._stop_folders()
        # Each page's folder, made by a thread while MkDocs renders (builder/render/folders.py).
        self._folders = FolderMaker(Path(config.site_dir), (posixpath.dirname(page.dest) for page in pages))
        self._time("render", start)
        return files

    def _stop_folders(self) -> None:
        if self._folders is not None:
            self._folders.join()
            self._folders = None

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        from jinja2 import pass_context
        from jinja2.utils import htmlsafe_json_dumps

        if self._compiled is not None:
            env.bytecode_cache = self._compiled
        env.filters["reproboard_squeeze"] = lambda html, base_url=".": squeeze(html, self._icons, base_url)
        env.filters["reproboard_icon"] = self._icons.key
        env.filters["reproboard_json"] = lambda value: htmlsafe_json_dumps(value, separators=(",", ":"), sort_keys=True)
        styles = theme_stylesheets(env)
        env.globals["reproboard_theme_styles"] = lambda: list(styles)
        env.globals["reproboard_error_page"] = lambda: self._error_page(config)
        env.globals["reproboard_footer"] = self._footer
        theme_page = env.get_template(LEAN_TEMPLATE)
        env.globals["reproboard_page"] = pass_context(lambda context: self._shells.render(context, theme_page.render))
        if len(self._languages) > 1:
            # The theme's own templates (404.html) are rendered next, before any page: their switcher leads to
            # each language's home, from the site's root, since a 404 page is served at any address.
            set_alternates(config.extra, [{"name": name, "lang": language, "link": self._home(language, config)}
                                          for language, name in self._languages])
        return env

    def _home(self, language: str, config: MkDocsConfig) -> str:
        """The absolute path of a language's home page (`/zh/`), below the path of `site_url`."""
        from urllib.parse import urlsplit

        from builder.render.urls import Urls

        root = urlsplit(config.site_url).path.rstrip("/") + "/" if config.site_url else "/"
        return root + Urls(config.use_directory_urls, "" if language == self._default_language else language).url(Urls.HOME)

    def _footer(self) -> str:
        """The footer's credit line in the language being built (partials/copyright.html)."""
        from builder.render.i18n import strings

        link = '<a href="https://squidfunk.github.io/mkdocs-material/" target="_blank" rel="noopener">Material for MkDocs</a>'
        return strings(self.site.language).html("footer.made_with", markup={"material": link})

    def _error_page(self, config: MkDocsConfig) -> str:
        """The 404 page's text: in the language being built, then a line in each other language.

        The page is served for any missing path, so its links start at the site's root (the path of
        `site_url`, as the theme's own 404 links do)."""
        from builder.render import escape
        from builder.render.i18n import strings

        current = self.site.language
        t = strings(current)
        parts = [f"<h1>{escape.text(t('error.title'))}</h1><p>{escape.text(t('error.text'))}</p>"]
        for language, _name in self._languages:
            home = self._home(language, config)
            other = strings(language)
            link = f'<a href="{escape.attr(home)}" hreflang="{escape.attr(language)}">{escape.text(other("error.home"))}</a>'
            if language == current:
                parts.append(f"<p>{link}</p>")
            else:
                parts.append(f'<p lang="{escape.attr(language)}">{escape.text(other("error.other_language"))} {link}</p>')
        return "".join(parts)

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page:
        """A generated page skips Python-Markdown: its source is an empty stub, and a Markdown converter
        with every extension costs a millisecond or more per page (seconds over 10,000 pages)."""
        if self.site.is_generated(page.file.src_uri):
            page.render = types.MethodType(_render_stub, page)  # type: ignore[method-assign]
        return page

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if self.site.is_generated(page.file.src_uri):
            titles = self._titles()
            page.meta["title"] = titles[page.file.src_uri]
            if page.file.src_uri in self._shell_pages:
                page.meta["template"] = SHELL_TEMPLATE if self.config.page_shells else LEAN_TEMPLATE
        return markdown

    def _titles(self) -> dict[str, str]:
        if self._title_map is None:
            self._title_map = {p.src: p.title for p in self.site.pages()}
        return self._title_map

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """What the search index sees: the page's heading and summary, not its tables.

        Material's search parses every tag of a page's HTML, even parts marked
        `data-search-exclude`; tables of numbers would cost most of the build and find
        nothing useful. The full page replaces this in on_page_context, after search.
        """
        if not self.site.is_generated(page.file.src_uri):
            return html
        start = time.perf_counter()
        summary = self.site.search_view(page.file.src_uri)
        self._time("render", start)
        return summary

    @event_priority(-100)  # after the search plugin has indexed the summary, and after mkdocs-static-i18n's switcher
    def on_page_context(self, context: Any, *, page: Page, config: MkDocsConfig, nav: Any) -> Any:
        if self.site.is_generated(page.file.src_uri):
            start = time.perf_counter()
            page.content = self.site.render(page.file.src_uri)
            if len(self._languages) > 1:
                set_alternates(config.extra, self._alternates(page.file.src_uri, config))
            self._time("render", start)
        return context

    def _alternates(self, src: str, config: MkDocsConfig) -> list[dict[str, str]]:
        """The language switcher of a generated page: the same page in every language (links from the site root,
        which the theme's `url` filter makes relative)."""
        from builder.render.urls import Urls

        logical = self.site.logical(src)
        links = []
        for language, name in self._languages:
            urls = Urls(config.use_directory_urls, "" if language == self._default_language else language)
            links.append({"name": name, "lang": language, "link": urls.url(logical) or "./"})
        return links

    def _post_build_first(self, *, config: MkDocsConfig) -> None:
        """Before mkdocs-static-i18n builds the other languages: keep the default language's 404 page, which
        their builds overwrite (the theme writes 404.html at the site root), and put theirs in `<language>/`."""
        self._stop_folders()
        if self._live is not None:
            from builder.render.live import LanguagePages

            prefix = "" if self.site.language == self._default_language else self.site.language
            languages = tuple((code, name, "" if code == self._default_language else code) for code, name in self._languages)
            self._live.built(prefix, LanguagePages(self.site, self._shells.latest, languages, config.site_url,
                                                   {p.src: p.title for p in self.site.pages()},
                                                   self.site.file_makers() if self.site.shared_files else {}))
        error_page = Path(config.site_dir) / "404.html"
        if not error_page.is_file():
            return
        if self.site.language == self._default_language:
            self._default_404 = error_page.read_bytes()
        else:
            target = Path(config.site_dir) / self.site.language / "404.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(error_page.read_bytes())

    @event_priority(-200)  # after mkdocs-static-i18n has built the other languages
    def _post_build_last(self, *, config: MkDocsConfig) -> None:
        if self._default_404 is not None:
            (Path(config.site_dir) / "404.html").write_bytes(self._default_404)
        self._write_sitemap(config)
        sprite = self._icons.sprite()
        if sprite is not None:
            (Path(config.site_dir) / Icons.PATH).write_text(sprite, encoding="utf-8")
        self._restore_epoch()
        self._languages_done += 1
        if self._languages_done >= len(self._languages):  # the default language's build, the last to end
            from builder.render.model_page import radar_axes_file

            for site in self.sites.values():  # each language's radar grids, drawn by its model pages with <use>: once
                path, text = radar_axes_file(site.ctx)
                (Path(config.site_dir) / path).write_text(text, encoding="utf-8")
            self._end_build()

    def _end_build(self, failed: bool = False) -> None:
        """The whole build is over: serve from it (unless it failed), and keep nothing of it for the next build."""
        if self._live is not None:
            if failed:
                self._live.drop_pending()  # the last good build stays served
            else:
                self._live.publish()
        if self._serving:
            gc.enable()
        self.board = None

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        self._page_urls.setdefault(self.site.language, []).append(page.url)
        return output

    def _write_sitemap(self, config: MkDocsConfig) -> None:
        """Every page of every language built so far (the theme's and the i18n plugin's miss most). The
        default language's build ends last, after the others inside it: its sitemap is the one that stays."""
        from builder.render.sitemap import gzipped, sitemap_xml

        text = sitemap_xml(config.site_url, [code for code, _ in self._languages], self._page_urls,
                           self.board.data_date if self.board else None)
        site = Path(config.site_dir)
        (site / "sitemap.xml").write_text(text, encoding="utf-8")
        (site / "sitemap.xml.gz").write_bytes(gzipped(text, int(os.environ.get("SOURCE_DATE_EPOCH") or 0)))

    on_post_build = CombinedEvent(_post_build_first, _post_build_last)

    def _restore_epoch(self) -> None:
        if self._set_epoch:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
            self._set_epoch = False

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        """`mkdocs serve` rebuilds when the data changes, not only the docs: each rebuild loads
        the configuration afresh, with a new plugin whose on_config reads the board again.
        Here rather than `watch:` in mkdocs.yml, which refuses a folder that does not exist
        (a board without results/ yet) and would not follow `data_root`."""
        root = (Path(config.config_file_path).parent / self.config.data_root).resolve()
        for folder in ("results", "seeds"):
            if (root / folder).is_dir():
                server.watch(str(root / folder))
        if self._live is not None and hasattr(server, "set_app"):
            # MkDocs adds a script that reloads a page when the site is rebuilt; the live pages get it too, where the
            # server still offers it (a private method: without it a live page is only fresh on the next reload).
            inject = getattr(server, "_inject_js_into_html", None)

            def finish(body: bytes) -> bytes:
                return inject(body, getattr(server, "_visible_epoch", 0)) if inject is not None else body

            server.set_app(self._live.middleware(server.get_app(), getattr(server, "mount_path", "/"), finish))
        return server

    def on_build_error(self, *, error: Exception) -> None:
        self._end_build(failed=True)
        self._stop_folders()
        self._restore_epoch()
