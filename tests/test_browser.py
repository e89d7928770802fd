"""The built fixture site in headless Chromium (Debian's, driven by Playwright), served on 127.0.0.1.

Sorts, filters, searches, shows a benchmark column, opens a model page and sees its radar
chart; fails on any console error, any script dialog, or any request outside localhost.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import cli

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium chromium-driver)", allow_module_level=True)

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "site_fixture"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def serve_built_site(root: Path, site: Path) -> Iterator[str]:
    """Build the board under `root` into `site` with the repository's mkdocs.yml and serve it on localhost."""
    result = CliRunner().invoke(cli, ["build", "--root", str(root), "--config", str(REPO / "mkdocs.yml"), "--site-dir", str(site)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    process = subprocess.Popen([sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "-d", str(site)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = process.stdout.readline()  # type: ignore[union-attr]
        port = re.search(r"port (\d+)", line)
        assert port, line
        yield f"http://127.0.0.1:{port.group(1)}"
    finally:
        process.terminate()
        process.wait()
        process.stdout.close()  # type: ignore[union-attr]


def launched_chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, with no connection of its own to the outside."""
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve_built_site(FIXTURE, tmp_path_factory.mktemp("browser") / "site")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launched_chromium()


class Watched:
    """A page that records console errors, uncaught exceptions, dialogs and every request."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def outside(self, base: str) -> list[str]:
        return [u for u in self.requests if not (u.startswith(base + "/") or u == base or u.startswith("data:"))]


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Watched(page)
    context.close()


def _names(page: Page) -> list[str]:
    return page.locator("#rb-board tbody td.rb-c-model").all_inner_texts()


def test_the_home_page_sorts_filters_searches_and_opens_a_model_page(server: str, watched: Watched) -> None:
    page = watched.page
    page.goto(server + "/")
    page.wait_for_selector("#rb-controls:not([hidden])")
    assert _names(page)[:2] == ["Vendor API Model", "Beta-70B"]
    assert len(_names(page)) == 6
    assert _names(page)[-1] == "Sparse-1B"  # not ranked: last, with no rank
    last = page.locator("#rb-board tbody tr").last
    assert last.locator(".rb-unranked").inner_text() == "not ranked" and last.locator(".rb-rank").count() == 0

    page.click('th[data-key="score"]')  # highest first
    assert _names(page)[0] == "Vendor API Model"
    page.click('th[data-key="score"]')  # then lowest first; a model without a score stays last either way
    assert _names(page)[0].startswith("<img src=x") and _names(page)[-1] == "Sparse-1B"
    assert page.get_attribute('th[data-key="score"]', "aria-sort") == "ascending"
    page.click('th[data-key="params"]')
    assert _names(page)[:2] == ["Beta-70B", "Alpha-7B-Chat"] or _names(page)[:2] == ["Beta-70B", "Alpha-7B"]
    assert _names(page)[-1] == "Vendor API Model"  # no parameter count: last either way
    page.click('th[data-key="rank"]')

    page.select_option("#rb-open", "0")
    assert _names(page) == ["Vendor API Model"]
    page.select_option("#rb-open", "")
    page.fill("#rb-pmax", "10")
    assert _names(page)[:2] == ["Alpha-7B-Chat", "Alpha-7B"] and _names(page)[2].startswith("<img src=x")
    assert _names(page)[3] == "Sparse-1B" and len(_names(page)) == 4
    page.fill("#rb-pmax", "")
    page.select_option("#rb-org", "Acme")
    assert _names(page) == ["Alpha-7B-Chat", "Alpha-7B"]
    page.select_option("#rb-org", "")
    page.select_option("#rb-type", "fine-tuned")
    assert _names(page) == ["Sparse-1B"]
    page.select_option("#rb-type", "")
    page.select_option("#rb-license", "apache-2.0")
    assert _names(page) == ["Alpha-7B-Chat", "Alpha-7B"]
    page.select_option("#rb-license", "")
    page.fill("#rb-search", "beta-labs")
    assert _names(page) == ["Beta-70B"]
    page.fill("#rb-search", "nothing like this")
    assert _names(page) == [] and page.inner_text("#rb-status") == "No model matches these filters."
    page.fill("#rb-search", "")
    assert page.inner_text("#rb-status") == "Showing 1–6 of 6 models"

    page.click("details.rb-columns summary")
    page.check('input[data-bench="gsm8k"]')
    page.wait_for_selector('th[data-key="bench:gsm8k"]')
    cell = page.locator("#rb-board tbody tr").nth(1).locator("td.rb-bench")
    assert cell.inner_text().startswith("74.22")
    assert cell.locator(".rb-verified").count() == 1
    assert cell.locator("a").get_attribute("title") == "Submitted by carol on 2024-06-01"
    page.click('th[data-key="bench:gsm8k"]')
    assert _names(page)[0] == "Sparse-1B"

    page.fill("#rb-search", "alpha-7b")
    page.click("text=Alpha-7B-Chat")
    page.wait_for_url(re.compile(r"/models/acme/Alpha-7B-Chat/$"))
    radar = page.locator("svg#rb-radar")
    assert radar.is_visible()
    assert radar.locator("polygon.rb-this").count() == 1
    assert page.locator("h1").first.inner_text() == "Alpha-7B-Chat"

    assert watched.errors == []
    assert watched.dialogs == []
    assert watched.outside(server) == []


def test_a_benchmark_cell_leads_to_its_origin(server: str, watched: Watched) -> None:
    page = watched.page
    page.goto(server + "/models/acme/Alpha-7B/")
    page.click("tr#bench-arc_challenge > td:first-child > a")  # the benchmark link of the counted ARC-Challenge row
    page.wait_for_url(re.compile(r"/benchmarks/arc_challenge/$"))
    page.goto(server + "/models/acme/Alpha-7B/")
    page.locator('a.rb-num[href="#run-seeds-beta-comparison"]').first.click()
    assert page.evaluate("location.hash") == "#run-seeds-beta-comparison"
    assert page.locator("#run-seeds-beta-comparison a[href='https://example.org/beta-report.pdf']").count() == 1
    assert watched.errors == [] and watched.outside(server) == []


def test_the_hostile_model_page_runs_no_script(server: str, watched: Watched) -> None:
    page = watched.page
    page.goto(server + "/models/evil/X-1/")
    page.wait_for_load_state("load")
    page.mouse.move(300, 300)
    for link in page.locator("a:not(.md-select__link)").all()[:80]:  # the language menu's links are ours, and hidden
        link.hover(timeout=1000, trial=False) if link.is_visible() else None
    assert watched.dialogs == []
    assert page.locator("h1").first.inner_text() == "<img src=x onerror=alert(1)> | X-1 *bold* [link](javascript:alert(2))"
    assert watched.errors == [] and watched.outside(server) == []


def test_the_site_search_finds_model_pages(server: str, watched: Watched) -> None:
    page = watched.page
    page.goto(server + "/about/")
    page.click(".md-search__input")
    page.keyboard.type("Beta-70B", delay=20)
    page.wait_for_selector(".md-search-result__item")
    results = page.locator(".md-search-result__item").all_inner_texts()
    assert any("Beta-70B" in r for r in results)
    assert watched.errors == [] and watched.outside(server) == []


def test_the_table_reads_the_same_without_javascript(server: str, browser: Browser) -> None:
    rows = []
    for enabled in (False, True):
        context = browser.new_context(java_script_enabled=enabled)
        page = context.new_page()
        page.goto(server + "/")
        if enabled:
            page.wait_for_selector("#rb-controls:not([hidden])")
        rows.append(page.locator("#rb-board tbody tr").all_inner_texts())
        # The tooltips too: rank intervals, reasons for not ranking, partial category coverage.
        rows.append(page.eval_on_selector_all("#rb-board tbody [title]", "els => els.map(e => e.title)"))
        rows.append(page.eval_on_selector_all("#rb-board tbody tr", "els => els.map(e => e.className)"))
        context.close()
    assert len(rows[0]) == 6
    assert rows[:3] == rows[3:]
    assert "Not ranked in this category: too few like-for-like comparisons (1 of 2 benchmarks)" in rows[1]
    assert rows[2][-1] == "rb-unranked-row"


def test_the_charts_page_shows_svg_charts_without_javascript(server: str, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/charts/")
    assert page.locator("svg.rb-chart").count() == 5
    assert page.locator("svg#rb-params").bounding_box()["height"] > 100  # type: ignore[index]
    assert page.locator("svg#rb-params polyline.rb-frontier").count() == 1
    context.close()


def test_the_chinese_home_page_renders_chinese_and_its_table_works(server: str, watched: Watched) -> None:
    page = watched.page
    page.goto(server + "/zh/")
    page.wait_for_selector("#rb-controls:not([hidden])")
    heading = page.locator("h1").first
    assert heading.inner_text() == "排行榜"
    box = heading.bounding_box()
    assert box is not None and box["width"] > 40  # drawn with a CJK font, not empty boxes of zero width
    assert page.evaluate("document.fonts.check('16px sans-serif', '排行榜')")
    assert page.locator("#rb-board thead th").first.inner_text().startswith("排名")
    assert "显示第 1–" in page.locator("#rb-status").inner_text()
    page.fill("#rb-search", "Beta")
    page.wait_for_function("document.querySelectorAll('#rb-board tbody tr').length === 1")
    assert _names(page) == ["Beta-70B"]  # names as given, never translated
    assert watched.errors == [] and watched.outside(server) == []


@pytest.mark.parametrize("path", ["models/acme/Alpha-7B/", "benchmarks/mmlu/", "categories/math/"])
def test_the_language_switcher_keeps_the_reader_on_the_same_page(server: str, watched: Watched, path: str) -> None:
    page = watched.page
    page.goto(server + "/" + path)
    page.hover(".md-header .md-select")
    page.click('a.md-select__link[hreflang="zh"]')
    page.wait_for_url(server + "/zh/" + path)
    assert page.locator("html").get_attribute("lang") == "zh"
    page.hover(".md-header .md-select")
    page.click('a.md-select__link[hreflang="en"]')
    page.wait_for_url(server + "/" + path)
    assert page.locator("html").get_attribute("lang") == "en"
    assert watched.errors == [] and watched.outside(server) == []


def test_the_site_search_works_in_chinese(server: str, watched: Watched) -> None:
    page = watched.page
    page.goto(server + "/zh/about/")
    page.click(".md-search__input")
    page.wait_for_function("document.querySelector('.md-search-result__meta').innerText === '键入以开始搜索'")  # index loaded
    # Typing Chinese goes through an input method, which sends no key events: fill the box, then press a key.
    page.fill(".md-search__input", "科学推理")
    page.keyboard.press("End")
    page.wait_for_selector(".md-search-result__item")
    titles = [r.split("\n")[0].replace("\u200b", "") for r in page.locator(".md-search-result__item").all_inner_texts()]
    assert "推理" in titles, titles  # the category page, found from words in its Chinese description
    page.fill(".md-search__input", "方法说明")
    page.keyboard.press("End")
    page.wait_for_function("[...document.querySelectorAll('.md-search-result__item')].some(e => e.innerText.replace(/\u200b/g, '').startsWith('方法说明'))")
    assert watched.errors == [] and watched.outside(server) == []


def test_the_chinese_error_page_is_in_chinese(server: str, watched: Watched) -> None:
    page = watched.page
    page.goto(server + "/zh/404.html")
    assert page.locator("h1").first.inner_text() == "404 – 页面未找到"
    page.click('article a[hreflang="zh"]')
    page.wait_for_url(server + "/zh/")
    assert watched.outside(server) == []
