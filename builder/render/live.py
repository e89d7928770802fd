"""`mkdocs serve` on a board of thousands of models: the model pages and their data, made when asked for.

A rebuild that wrote every model page would take most of a minute on the Open LLM Leaderboard's
4,500 models (two languages, 9,000 pages, 4,500 data files), and the watcher rebuilds on every
save. While serving, MkDocs builds the other pages and one model page per language (whose
rendering gives the theme's shell, builder/render/shell.py); every other model page, and
every file under `api/` (the downloads, each model's data), is made from the latest board
when the browser asks for it, by the same code as in a full build, so it reads as the built
file would.

This sits in front of MkDocs' development server as plain WSGI middleware (PEP 3333): the
server is a `wsgiref` server, whose `get_app`/`set_app` are the standard library's.
"""

from __future__ import annotations

import posixpath
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import urljoin

from mkdocs.utils import normalize_url

from builder.render.shell import Shell
from builder.render.urls import Urls

_TYPES = {".json": "application/json", ".csv": "text/csv; charset=utf-8", ".gz": "application/gzip"}


@dataclass(frozen=True)
class LanguagePages:
    """What a model page of one language is made of, captured at the end of that language's build."""

    site: Any
    """The language's `builder.render.pages.Site`, over the board of that build."""
    shell: Shell | None
    """The theme's shell of the model pages; None when the board has no model (then no page is live)."""
    languages: tuple[tuple[str, str, str], ...]
    """(code, name, URL prefix) of every language, for the switcher."""
    site_url: str | None
    """`site_url` while serving: the model pages' canonical address starts with it."""
    titles: dict[str, str]
    """Each generated page's title, by its source path."""
    files: dict[str, Callable[[], str | bytes]]
    """The downloads and data files, by path inside the site (the default language's; empty for the others)."""

    def page(self, model_id: str) -> bytes | None:
        site = self.site
        if self.shell is None or _model(site.board, model_id) is None:
            return None
        logical = Urls.model(model_id)
        url = site.urls.url(logical)
        here = SimpleNamespace(url=url)
        values = {"title": self.titles[site.urls.source(logical)], "content": site.render(site.urls.source(logical)),
                  "canonical": urljoin(self.site_url if self.site_url.endswith("/") else self.site_url + "/", url) if self.site_url else ""}
        if len(self.languages) > 1:
            for i, (_code, _name, prefix) in enumerate(self.languages):
                link = Urls(site.urls.directory_urls, prefix).url(logical) or "./"
                values[f"alternate-{i}"] = normalize_url(link, here)  # type: ignore[arg-type]
        return self.shell.fill(values).encode("utf-8")

    def file(self, path: str) -> bytes | None:
        """A download or data file (`api/...`), made from this build's board; None when there is no such file."""
        make = self.files.get(path)
        if make is None:
            return None
        made = make()
        return made if isinstance(made, bytes) else made.encode("utf-8")


def _model(board: Any, model_id: str) -> Any:
    try:
        return board.model(model_id)
    except KeyError:
        return None


class LivePages:
    """The latest build's model pages, by language; swapped whole when a build ends."""

    def __init__(self) -> None:
        self._by_prefix: dict[str, LanguagePages] = {}
        self._lock = threading.Lock()
        self._pending: dict[str, LanguagePages] = {}

    def built(self, prefix: str, pages: LanguagePages) -> None:
        """One language's build has ended (`prefix`: '' for the default language, else its code)."""
        self._pending[prefix] = pages

    def publish(self) -> None:
        """Every language's build has ended: serve from this build."""
        with self._lock:
            self._by_prefix, self._pending = dict(self._pending), {}

    def drop_pending(self) -> None:
        """The build failed: keep serving the last one that ended."""
        self._pending = {}

    def find(self, path: str) -> tuple[bytes, str] | None:
        """(body, content type) for a path below the site's root, or None when it is not a live page."""
        with self._lock:
            by_prefix = self._by_prefix
        path = posixpath.normpath("/" + path).lstrip("/") + ("/" if path.endswith("/") else "")
        if path.startswith("api/"):
            pages = by_prefix.get("")
            body = pages.file(path) if pages else None
            return (body, _TYPES.get(posixpath.splitext(path)[1], "application/octet-stream")) if body is not None else None
        prefix, _, rest = path.partition("/") if not path.startswith("models/") else ("", "", path)
        pages = by_prefix.get(prefix)
        if pages is None or not rest.startswith("models/"):
            return None
        rest = rest[len("models/"):]
        if pages.site.urls.directory_urls:
            rest = rest[: -len("index.html")] if rest.endswith("/index.html") else rest
            if not rest.endswith("/"):
                return None
            model_id = rest[:-1]
        else:
            if not rest.endswith(".html"):
                return None
            model_id = rest[: -len(".html")]
        body = pages.page(model_id)
        return (body, "text/html; charset=utf-8") if body is not None else None

    def middleware(self, app: Callable[..., Iterable[bytes]], mount_path: str,
                   finish: Callable[[bytes], bytes] = lambda body: body) -> Callable[..., Iterable[bytes]]:
        """WSGI: a live page when the path is one, else the development server's own answer. `finish` is applied
        to a page's HTML (the server's script that reloads the page when the site is rebuilt)."""

        def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "ignore")
            found = self.find(path[len(mount_path):]) if environ.get("REQUEST_METHOD", "GET") in ("GET", "HEAD") and path.startswith(mount_path) else None
            if found is None:
                return app(environ, start_response)
            body, content_type = found
            if content_type.startswith("text/html"):
                body = finish(body)
            start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
            return [body] if environ.get("REQUEST_METHOD", "GET") == "GET" else []

        return serve
