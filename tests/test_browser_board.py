"""The leaderboard's table and the compare page in headless Chromium (Debian's, through Playwright).

A table that fits (sticky header row and model column, its own scroll box, a new column
scrolled into view, rank, model and score first on a phone), the view in the address
(reload, back, forward, a shared link), search that finds what people type, focus and
announcements, and the compare page from the table and from a model page, in both
languages. The search runs on the repository's own data (its organisations' other names,
"llama 3", "deepseek coder"); everything else on tests/site_fixture.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium chromium-driver)", allow_module_level=True)

from playwright.sync_api import Browser, Page  # noqa: E402
from test_browser import FIXTURE, REPO, Watched, launched_chromium, serve_built_site  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve_built_site(FIXTURE, tmp_path_factory.mktemp("board") / "site")


@pytest.fixture(scope="module")
def repo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve_built_site(REPO, tmp_path_factory.mktemp("repo") / "site")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launched_chromium()


def _open(browser: Browser, width: int = 1280) -> Watched:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return Watched(page)


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    w = _open(browser)
    yield w
    w.page.context.close()


def _names(page: Page) -> list[str]:
    return page.locator("#rb-board tbody td.rb-c-model").all_inner_texts()


def _home(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#rb-controls:not([hidden])")


def _query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def _search(page: Page, text: str) -> list[str]:
    page.fill("#rb-search", text)
    return _names(page)


# --- 6: search ---------------------------------------------------------------------------

def _found(page: Page, text: str) -> list[str]:
    """The ids of every row the search leaves, on all pages, in the table's order."""
    page.fill("#rb-search", text)
    return page.evaluate("""() => {
        const ids = JSON.parse(document.getElementById('rb-board-data').textContent).m.id;
        return document.getElementById('rb-board').rbState.shown.map(i => ids[i]);
    }""")


def _starts(field: str) -> list[str]:
    """The field in lower case, punctuation out, from each place a word starts: after punctuation or a space, between
    letters and digits, from lower to upper case, and at each Han character ("Llama3_1-8B": llama318b, 318b, 18b, 8b, b)."""
    runs = re.findall(r"[\u4e00-\u9fff]|[^\W\d_\u4e00-\u9fff]+|\d+", unicodedata.normalize("NFKC", field))
    words = [w for run in runs for w in re.split(r"(?<=[a-z])(?=[A-Z])", run)]
    return ["".join(words[k:]).lower() for k in range(len(words))]


def _expected(board: dict, text: str) -> set[str]:
    """The rows whose name, id or organisation's names have each word of `text` where one of their words starts."""
    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", text).lower())
    m, hits = board["m"], set()
    for name, id_, org in zip(m["name"], m["id"], m["org"]):
        starts = [s for field in [name, id_, org, *board["aliases"].get(org, [])] for s in _starts(field)]
        if all(any(s.startswith(w) for s in starts) for w in words):
            hits.add(id_)
    return hits


def test_the_search_finds_organisations_words_in_any_order_and_chinese_names(repo_server: str, watched: Watched) -> None:
    page = watched.page
    _home(page, repo_server + "/")  # the makers' own models
    # On the real board (the Open LLM Leaderboard import: Llama-2-13b-hf, Llama3_1, DeepSeek-R1-Distill-Qwen), a query
    # word is found only where a word starts: "llama 3" is not "13b".
    llama3 = _found(page, "llama 3")
    assert "meta-llama/Meta-Llama-3-8B" in llama3 and "meta-llama/Llama-2-13b-hf" not in llama3
    assert "meta-llama/Llama-2-13b-hf" in _found(page, "llama 13")
    assert _found(page, "LLAMA-3") == llama3 == _found(page, "3 llama")  # case, punctuation and order ignored
    run_on = _found(page, "llama3")  # one word may run on over punctuation: Llama-3, Llama3_1
    assert {"meta-llama/Meta-Llama-3-8B", "BAAI/Infinity-Instruct-7M-Gen-Llama3_1-70B"} <= set(run_on) <= set(llama3)
    assert "Meta-Llama-3-8B" in _search(page, "meta llama 3 8b") and "Llama-2-13b-hf" not in _search(page, "llama 3")
    coder = _search(page, "deepseek coder")
    assert sorted(coder) == ["DeepSeek-Coder-V2-Base", "DeepSeek-Coder-V2-Instruct", "DeepSeek-Coder-V2-Lite-Base", "DeepSeek-Coder-V2-Lite-Instruct"]
    assert _search(page, "coder deepseek") == coder == _search(page, "DeepSeekCoder")  # any order; DeepSeek is deep|seek
    assert _search(page, "seek coder") == coder and _search(page, "eek coder") == []
    assert _search(page, "深度求索 coder") == coder  # the maker's Chinese name
    assert "Meta-Llama-3-70B-Instruct" in _search(page, "instruct 70b llama")
    alibaba = _found(page, "Alibaba")  # an organisation's other name (seeds/organisations.yaml), in no model's name
    assert alibaba and {i.split("/")[0] for i in alibaba} == {"Qwen"}
    assert _found(page, "阿里巴巴") == alibaba == _found(page, "Alibaba Qwen")  # its Chinese name, its name
    assert _found(page, "通义千问") == alibaba  # a Chinese word inside 阿里巴巴通义千问
    assert _search(page, "nothing like this") == []
    # Every model, fine-tunes and merges included: exactly the rows with each word at a word start.
    page.select_option("#rb-maker", "all")
    board = page.evaluate("() => JSON.parse(document.getElementById('rb-board-data').textContent)")
    assert len(board["m"]["id"]) > 4000
    for text in ("llama 3", "llama3", "deepseek coder", "deepseekcoder", "qwen2.5 7b", "阿里巴巴", "通义千问 72b", "mistral instruct"):
        found = _found(page, text)
        assert found and set(found) == _expected(board, text), text
    assert {"Qwen/Qwen2.5-7B-Instruct", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"} <= set(_found(page, "qwen 7b"))
    assert "meta-llama/Llama-2-13b-hf" not in _found(page, "llama 3")
    assert watched.errors == [] and watched.outside(repo_server) == []


_ROWS = """() => Object.fromEntries([...document.querySelectorAll('#rb-board tbody tr')].map(tr =>
    [tr.querySelector('td.rb-c-model a').getAttribute('href'), [...tr.cells].map(td => td.innerText.trim())]))"""


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_rows_the_script_draws_read_as_the_rows_the_page_was_built_with(repo_server: str, browser: Browser,
                                                                          language: str) -> None:
    """The table without JavaScript (builder/render/home.py) and the one the script draws (board.js) say the same,
    counts written as readers write them (26,996) in both, on the real board's first rows."""
    url = repo_server + ("/zh/" if language == "zh" else "/")
    plain = browser.new_context(java_script_enabled=False).new_page()
    plain.goto(url)
    built = plain.evaluate(_ROWS)
    plain.context.close()
    w = _open(browser)
    _home(w.page, url)
    drawn = w.page.evaluate(_ROWS)
    shared = [href for href in drawn if href in built]
    assert len(shared) >= 20
    assert {href: drawn[href] for href in shared} == {href: built[href] for href in shared}
    assert any(re.search(r"\d,\d{3}", " ".join(cells)) for cells in drawn.values())
    assert w.errors == []
    w.page.context.close()


def test_the_chinese_page_searches_the_same_way(repo_server: str, watched: Watched) -> None:
    page = watched.page
    _home(page, repo_server + "/zh/")
    found = _search(page, "通义千问 72b")
    assert found and all(n.startswith("Qwen") and "72B" in n for n in found)
    assert watched.errors == [] and watched.outside(repo_server) == []


# --- 3: the view in the address ----------------------------------------------------------

def test_the_view_lives_in_the_address_and_back_and_forward_walk_through_it(server: str, browser: Browser, watched: Watched) -> None:
    page = watched.page
    _home(page, server + "/")
    everyone = _names(page)
    page.click('th[data-key="score"]')
    page.click('th[data-key="score"]')  # lowest first
    by_score_up = _names(page)
    page.select_option("#rb-license", "apache-2.0")
    page.fill("#rb-search", "alpha")
    page.click("details.rb-columns summary")
    page.check('input[data-bench="gsm8k"]')
    page.wait_for_selector('th[data-key="bench:gsm8k"]')
    page.check('#rb-board tbody tr:first-child input.rb-pick')
    shown = _names(page)
    assert shown == ["Alpha-7B", "Alpha-7B-Chat"]
    query = _query(page)
    assert query == {"sort": ["score"], "dir": ["asc"], "search": ["alpha"], "license": ["apache-2.0"], "cols": ["gsm8k"], "cmp": ["acme/Alpha-7B"]}

    shared = page.url  # a link opened afresh shows the same view
    other = _open(browser)
    other.page.goto(shared)
    other.page.wait_for_selector('th[data-key="bench:gsm8k"]')
    assert _names(other.page) == shown
    assert other.page.input_value("#rb-search") == "alpha" and other.page.input_value("#rb-license") == "apache-2.0"
    assert other.page.get_attribute('th[data-key="score"]', "aria-sort") == "ascending"
    assert other.page.is_checked('#rb-board tbody tr:first-child input.rb-pick')
    assert other.page.is_visible("#rb-compare-bar")
    assert other.errors == []
    other.page.context.close()

    page.go_back()  # the compare pick
    assert page.locator("input.rb-pick:checked").count() == 0 and _names(page) == shown
    page.go_back()  # the column
    assert page.locator('th[data-key="bench:gsm8k"]').count() == 0 and not page.is_checked('input[data-bench="gsm8k"]')
    page.go_back()  # the search: one step for the word typed, not one per letter
    assert page.input_value("#rb-search") == "" and len(_names(page)) == 2
    page.go_back()  # the license
    assert _names(page) == by_score_up and page.get_attribute('th[data-key="score"]', "aria-sort") == "ascending"
    page.go_back()  # the second click on Score
    assert page.get_attribute('th[data-key="score"]', "aria-sort") == "descending"
    page.go_back()
    assert _names(page) == everyone and urlsplit(page.url).query == ""
    page.go_forward()
    assert page.get_attribute('th[data-key="score"]', "aria-sort") == "descending" and "sort=score" in page.url
    page.reload()
    page.wait_for_selector("#rb-controls:not([hidden])")
    assert page.get_attribute('th[data-key="score"]', "aria-sort") == "descending"
    assert watched.errors == [] and watched.outside(server) == []


def test_nonsense_in_the_address_is_ignored(server: str, watched: Watched) -> None:
    page = watched.page
    _home(page, server + "/?sort=<script>&dir=up&license=nope&pmin=abc&cols=nope,gsm8k&cmp=evil/none,acme/Alpha-7B&page=-3")
    page.wait_for_selector('th[data-key="bench:gsm8k"]')
    assert page.get_attribute('th[data-key="rank"]', "aria-sort") == "ascending"
    assert page.input_value("#rb-license") == "" and page.input_value("#rb-pmin") == ""
    assert len(_names(page)) == 6 and page.locator("input.rb-pick:checked").count() == 1
    assert watched.errors == [] and watched.dialogs == []


# --- 2 and 8: a table that fits, focus, announcements -------------------------------------

def test_the_header_row_and_model_column_stay_while_the_table_scrolls(server: str, browser: Browser) -> None:
    w = _open(browser, 390)
    page = w.page
    _home(page, server + "/")
    headers = page.locator("#rb-board thead th").all_inner_texts()
    assert [h.split(" ")[0] for h in headers[:3]] == ["Rank", "Model", "Score"]  # rank, model and score first
    for key in ("rank", "name", "score"):
        box = page.locator(f'th[data-key="{key}"]').bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390, key
    wrap = page.locator("#rb-board-wrap")
    assert page.evaluate("(() => { const w = document.getElementById('rb-board-wrap'); return w.scrollWidth > w.clientWidth; })()")
    model = page.locator("#rb-board tbody td.rb-c-model").first
    before = model.bounding_box()
    wrap.evaluate("w => { w.scrollLeft = 400; w.scrollTop = 60; }")
    page.wait_for_timeout(50)
    after = model.bounding_box()
    head = page.locator('th[data-key="name"]').bounding_box()
    wrap_box = wrap.bounding_box()
    assert before and after and head and wrap_box
    assert abs(after["x"] - wrap_box["x"]) < 2  # the model column stayed at the left edge
    assert abs(head["y"] - wrap_box["y"]) < 2  # the header row stayed at the top
    assert page.evaluate(f"document.elementFromPoint({after['x'] + 5}, {after['y'] + 5}).closest('td.rb-c-model') !== null")
    assert page.is_visible("a.rb-download") and page.get_attribute("a.rb-download", "href") == "api/leaderboard.csv"
    assert w.errors == []
    w.page.context.close()


def test_a_column_just_shown_is_scrolled_into_view_and_announced(server: str, watched: Watched) -> None:
    page = watched.page
    page.set_viewport_size({"width": 1280, "height": 900})
    _home(page, server + "/")
    page.click("details.rb-columns summary")
    for bench in ("mmlu", "hellaswag", "arc_challenge", "gsm8k", "math"):
        box = page.locator(f'input[data-bench="{bench}"]')
        if box.count():
            box.check()
            page.wait_for_selector(f'th[data-key="bench:{bench}"]')
            th = page.locator(f'th[data-key="bench:{bench}"]').bounding_box()
            wrap = page.locator("#rb-board-wrap").bounding_box()
            assert th and wrap and th["x"] + th["width"] <= wrap["x"] + wrap["width"] + 1, bench
            assert th["x"] >= wrap["x"]
            assert "shown" in page.inner_text("#rb-status")
    assert watched.errors == [] and watched.outside(server) == []


def test_focus_stays_on_the_header_sorted_by_keyboard_and_the_status_is_announced(server: str, watched: Watched) -> None:
    page = watched.page
    _home(page, server + "/")
    status = page.locator("#rb-status")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    for th in page.locator("#rb-board thead th").all():
        assert th.get_attribute("scope") == "col" and th.inner_text().strip()
    page.click("details.rb-columns summary")
    page.check('input[data-bench="gsm8k"]')
    page.wait_for_selector('th[data-key="bench:gsm8k"]')
    for key in ("bench:gsm8k", "score", "params"):
        page.focus(f'th[data-key="{key}"]')
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.dataset.key") == key
        assert page.get_attribute(f'th[data-key="{key}"]', "aria-sort") in ("ascending", "descending")
        page.keyboard.press(" ")
        assert page.evaluate("document.activeElement.dataset.key") == key
    assert page.get_attribute('th[data-key="bench:gsm8k"]', "scope") == "col"
    page.fill("#rb-search", "beta")
    assert page.inner_text("#rb-status") == "Showing 1–1 of 1 models"
    assert watched.errors == []


# --- 4: compare --------------------------------------------------------------------------

def test_models_picked_in_the_table_are_compared_side_by_side(server: str, watched: Watched) -> None:
    page = watched.page
    _home(page, server + "/")
    go = page.locator("#rb-compare-go")
    page.check('input.rb-pick[aria-label="Compare Alpha-7B"]')
    assert page.is_visible("#rb-compare-bar") and go.get_attribute("href") is None and go.get_attribute("aria-disabled") == "true"
    for name in ("Beta-70B", "Vendor API Model", "Sparse-1B"):
        page.check(f'input.rb-pick[aria-label="Compare {name}"]')
    assert page.is_disabled('input.rb-pick[aria-label="Compare Alpha-7B-Chat"]')  # four at most
    assert go.get_attribute("href") == "compare/?m=acme/Alpha-7B,beta-labs/Beta-70B,vendor/api-model,sparse/Sparse-1B"
    page.uncheck('input.rb-pick[aria-label="Compare Sparse-1B"]')
    page.uncheck('input.rb-pick[aria-label="Compare Vendor API Model"]')
    go.click()
    page.wait_for_url(re.compile(r"/compare/\?m=acme/Alpha-7B,beta-labs/Beta-70B$"))
    page.wait_for_selector("#rb-compare-like tbody tr")
    assert page.locator(".rb-compare-models li a").all_inner_texts() == ["Alpha-7B", "Beta-70B"]
    like = page.locator("#rb-compare-like tbody tr")
    first = like.first.locator("th")
    assert first.locator("a").first.inner_text() == "MMLU"
    assert "Beta-70B report" in first.inner_text() and "n-shot 5" in first.inner_text()  # the shared source, its setting
    assert like.first.locator("td").all_inner_texts()[1].startswith("79")
    assert like.first.locator("td.rb-best-cell").count() == 1
    apart = page.locator("#rb-compare-apart tbody tr")
    assert apart.count() >= 1 and "Alpha technical report" in apart.first.inner_text()  # each with its own source
    radar = page.locator("svg#rb-compare-radar")
    assert radar.locator("g.rb-series").count() == 2 and radar.get_attribute("role") == "img"
    assert "Alpha-7B: Knowledge" in (radar.locator("desc").text_content() or "")
    assert "Comparing Alpha-7B, Beta-70B" in page.inner_text("#rb-compare-status")
    assert page.get_attribute("#rb-compare-status", "aria-live") == "polite"

    page.click('button[aria-label="Remove Alpha-7B"]')
    page.wait_for_url(re.compile(r"\?m=beta-labs/Beta-70B$"))
    assert page.locator(".rb-compare-models li").count() == 1 and "at least two" in page.inner_text("#rb-compare")
    page.go_back()
    page.wait_for_function("document.querySelectorAll('.rb-compare-models li').length === 2")
    assert watched.errors == [] and watched.dialogs == [] and watched.outside(server) == []


def test_a_model_page_leads_to_the_compare_page_where_models_are_added(server: str, watched: Watched) -> None:
    page = watched.page
    page.goto(server + "/models/acme/Alpha-7B/")
    page.click("text=Compare with other models")
    page.wait_for_url(re.compile(r"/compare/\?m=acme/Alpha-7B$"))
    page.wait_for_selector(".rb-compare-models li")
    page.fill("#rb-compare-find", "beta labs")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?m=acme/Alpha-7B,beta-labs/Beta-70B$"))
    page.wait_for_selector("#rb-compare-like tbody tr")
    page.fill("#rb-compare-find", "x-1")  # the hostile model: its name is text, never markup
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('.rb-compare-models li').length === 3")
    assert page.locator(".rb-compare-models li a").nth(2).inner_text().startswith("<img src=x")
    assert page.locator("#rb-compare img").count() == 0
    assert watched.errors == [] and watched.dialogs == [] and watched.outside(server) == []


def test_the_compare_page_in_chinese_and_with_models_not_on_the_board(server: str, watched: Watched) -> None:
    page = watched.page
    page.goto(server + "/zh/compare/?m=acme/Alpha-7B,nobody/none,beta-labs/Beta-70B,../../etc")
    page.wait_for_selector("#rb-compare-like tbody tr")
    assert page.locator("h1").first.inner_text() == "模型对比"
    assert page.locator("#rb-compare-like h2").inner_text() == "同条件比较"
    text = page.inner_text("#rb-compare")
    assert "不在排行榜上：nobody/none" in text and "不在排行榜上：../../etc" in text
    assert page.locator(".rb-compare-models li").count() == 2
    links = page.eval_on_selector_all("#rb-compare .rb-compare-models a", "els => els.map(a => a.href)")
    assert links[0] == server + "/zh/models/acme/Alpha-7B/"  # the Chinese model page
    assert [u for u in watched.requests if u.endswith("/etc.json")] == []  # an id that is not an id is never fetched
    assert watched.outside(server) == []


# --- G2's request: the makers' own models first, the others one choice away ----------------

ORGANISATIONS = """schema_version: 1
organisations:
  - id: beta-labs
    name: Beta Labs
    name_zh: 贝塔实验室
    other_names: [Beta Research]
    namespaces: [beta-labs]
"""


@pytest.fixture(scope="module")
def maker_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The fixture with Beta Labs registered as the maker of the `beta-labs/` models: one makers' model, five others."""
    root = tmp_path_factory.mktemp("makers") / "repo"
    shutil.copytree(FIXTURE, root)
    (root / "seeds" / "organisations.yaml").write_text(ORGANISATIONS, encoding="utf-8")
    yield from serve_built_site(root, root.parent / "site")


def test_the_board_opens_on_the_makers_models_and_says_how_many_others_there_are(maker_server: str, browser: Browser) -> None:
    views = []
    for enabled in (False, True):
        context = browser.new_context(java_script_enabled=enabled)
        page = context.new_page()
        page.goto(maker_server + "/")
        if enabled:
            page.wait_for_selector("#rb-controls:not([hidden])")
        views.append((_names(page), page.inner_text("#rb-status")))
        context.close()
    assert views[0] == views[1] == (["Beta-70B"], "Showing 1–1 of 1 models · 5 more hidden by the “Models” filter")

    w = _open(browser)
    page = w.page
    _home(page, maker_server + "/")
    assert page.locator("#rb-maker option").all_inner_texts() == ["Makers' own (1)", "Fine-tunes, merges and others (5)", "All (6)"]
    assert _search(page, "贝塔实验室") == _search(page, "beta research 70") == ["Beta-70B"]  # the maker's other names
    page.fill("#rb-search", "")
    page.select_option("#rb-maker", "all")
    assert len(_names(page)) == 6 and _query(page) == {"maker": ["all"]} and "hidden" not in page.inner_text("#rb-status")
    page.select_option("#rb-maker", "0")
    assert "Beta-70B" not in _names(page) and len(_names(page)) == 5 and "1 more hidden" in page.inner_text("#rb-status")
    page.go_back()
    assert len(_names(page)) == 6
    page.go_back()
    assert _names(page) == ["Beta-70B"] and page.input_value("#rb-maker") == "1"
    assert w.errors == [] and w.outside(maker_server) == []
    w.page.context.close()


def test_the_compare_radar_leaves_a_category_without_a_score_out_and_says_so(server: str, watched: Watched) -> None:
    page = watched.page
    page.goto(server + "/compare/?m=acme/Alpha-7B,vendor/api-model,beta-labs/Beta-70B")
    page.wait_for_selector("svg#rb-compare-radar")
    series = page.locator("svg#rb-compare-radar g.rb-series")
    assert series.count() == 3
    assert series.nth(0).locator("polygon").count() == 1 and series.nth(0).locator("circle").count() == 3
    assert series.nth(1).locator("polygon, line, circle").count() == 0  # no category score at all: nothing drawn, not a point at 0
    caption = page.inner_text(".rb-compare figcaption")
    assert "Vendor API Model: no score in Knowledge, Reasoning, Math." in caption
    assert "Vendor API Model: no score in Knowledge, Reasoning, Math." in (page.locator("svg#rb-compare-radar desc").text_content() or "")
    assert watched.errors == [] and watched.outside(server) == []
