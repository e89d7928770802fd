"""Where each generated file lives, and relative links between pages (as MkDocs computes them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Urls:
    directory_urls: bool = True

    # Sources (paths inside docs/) of generated pages and files.
    HOME = "index.md"
    CATEGORIES = "categories/index.md"
    BENCHMARKS = "benchmarks/index.md"
    CHARTS = "charts.md"
    CSV = "api/leaderboard.csv"
    JSON = "api/leaderboard.json"
    BENCHMARK_COLUMNS = "api/benchmark-columns.json"
    METHODOLOGY = "methodology.md"
    READING = "reading-the-board.md"
    DOWNLOADS = "downloads.md"

    @staticmethod
    def model(model_id: str) -> str:
        return f"models/{model_id}.md"

    @staticmethod
    def model_json(model_id: str) -> str:
        return f"api/models/{model_id}.json"

    @staticmethod
    def category(category_id: str) -> str:
        return f"categories/{category_id}.md"

    @staticmethod
    def benchmark(benchmark_id: str) -> str:
        return f"benchmarks/{benchmark_id}.md"

    def url(self, src: str) -> str:
        """Site URL of a source path, as MkDocs gives it (`models/a/b/` or `models/a/b.html`)."""
        if not src.endswith(".md"):
            return src
        stem = src[:-3]
        if stem == "index" or stem.endswith("/index"):
            base = stem[: -len("index")]
            return base if self.directory_urls else base + "index.html"
        return stem + "/" if self.directory_urls else stem + ".html"

    def href(self, src: str, from_src: str, anchor: str = "") -> str:
        """Relative link from one page to a page or file: up to the site root, then down.

        Only characters that are safe in an attribute (ids and slugs are [A-Za-z0-9._-]).
        """
        target = "../" * self.url(from_src).count("/") + self.url(src)
        return (target or "./") + (f"#{anchor}" if anchor else "")
