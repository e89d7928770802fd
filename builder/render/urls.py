"""Where each generated file lives, and relative links between pages (as MkDocs computes them).

Pages are named by their *logical* source (`models/acme/Alpha-7B.md`), the same in every
language. The default language's pages live at the site root; another language's under
`<language>/` (`zh/models/acme/Alpha-7B/`), so the language switcher maps a page to its
twin by adding or removing the prefix. Downloads and data files (`api/...`) exist once,
at the root, and both languages link to them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Urls:
    directory_urls: bool = True
    language: str = ""
    """Empty for the default language (pages at the root); otherwise its code, which prefixes page URLs."""

    # Sources (paths inside docs/) of generated pages and files.
    HOME = "index.md"
    CATEGORIES = "categories/index.md"
    BENCHMARKS = "benchmarks/index.md"
    CHARTS = "charts.md"
    CSV = "api/leaderboard.csv"
    JSON = "api/leaderboard.json"
    """Gzip-compressed: every model's counted scores, 2.5 MB instead of 96 MB at 5,000 models (bench/bench_build.py)."""
    BENCHMARK_COLUMNS = "api/benchmark-columns.json"
    METHODOLOGY = "methodology.md"
    READING = "reading-the-board.md"
    DOWNLOADS = "downloads.md"
    COMPARE = "compare.md"
    MODEL_INDEX = "api/model-index.json"
    """Every model's id, name and organisation: what the compare page's picker offers."""

    @staticmethod
    def model(model_id: str) -> str:
        return f"models/{model_id}.md"

    @staticmethod
    def model_json(model_id: str) -> str:
        """Gzip-compressed JSON: about a quarter of the bytes, on thousands of models (compare.js decompresses it)."""
        return f"api/models/{model_id}.json.gz"

    @staticmethod
    def category(category_id: str) -> str:
        return f"categories/{category_id}.md"

    @staticmethod
    def benchmark(benchmark_id: str) -> str:
        return f"benchmarks/{benchmark_id}.md"

    def url(self, src: str) -> str:
        """Site URL of a logical source path, as MkDocs gives it (`models/a/b/`, `zh/models/a/b/` or `models/a/b.html`).

        Files that are not pages (downloads) are shared by every language and keep their path.
        """
        if not src.endswith(".md"):
            return src
        prefix = f"{self.language}/" if self.language else ""
        stem = src[:-3]
        if stem == "index" or stem.endswith("/index"):
            base = prefix + stem[: -len("index")]
            return base if self.directory_urls else base + "index.html"
        return prefix + stem + "/" if self.directory_urls else prefix + stem + ".html"

    def source(self, src: str) -> str:
        """The path MkDocs knows a generated page by: the logical source, with the language before `.md`
        (`models/a/b.zh.md`), as mkdocs-static-i18n names translated pages, so that `nav` entries and
        links in hand-written pages (`charts.md`) find the page of the language being built."""
        return f"{src[:-3]}.{self.language}.md" if self.language and src.endswith(".md") else src

    def destination(self, src: str) -> str:
        """The file a page is written to, inside the site folder (`zh/models/a/b/index.html`)."""
        url = self.url(src)
        return url + "index.html" if url == "" or url.endswith("/") else url

    def depth(self, src: str) -> int:
        """Folders between the site root and a page: all that a relative link from the page depends on."""
        return self.url(src).count("/")

    def href(self, src: str, from_src: str, anchor: str = "") -> str:
        """Relative link from one page to a page or file: up to the site root, then down.

        Only characters that are safe in an attribute (ids and slugs are [A-Za-z0-9._-]).
        """
        target = "../" * self.depth(from_src) + self.url(src)
        return (target or "./") + (f"#{anchor}" if anchor else "")
