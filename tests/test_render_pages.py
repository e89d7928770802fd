"""The generated pages and downloads of the fixture board, read as a browser and a spreadsheet would."""

from __future__ import annotations

import csv
import datetime as dt
import html.parser
import io
import json
import re
from pathlib import Path

import pytest

from builder.board.aggregate import build_board
from builder.check.validate import validate
from builder.render import home
from builder.render.i18n import strings
from builder.render.pages import Site

FIXTURE = Path(__file__).parent / "site_fixture"
RENDER = Path(__file__).parent.parent / "builder" / "render"


@pytest.fixture(scope="module")
def site() -> Site:
    report = validate(FIXTURE, today=dt.date(2025, 1, 1))
    assert report.errors == []
    return Site(build_board(report.parsed, report.registry))


class _Page(html.parser.HTMLParser):
    def __init__(self, markup: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)

    def of(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.tags if t == tag]


def test_no_contributor_string_becomes_markup_on_any_page(site: Site) -> None:
    for page in site.pages():
        parsed = _Page(site.render(page.src))
        tags = {t for t, _ in parsed.tags}
        assert not tags & {"img", "i", "iframe", "object", "embed", "style"}, page.src
        for tag, attrs in parsed.tags:
            assert not [a for a in attrs if a.startswith("on")], (page.src, tag, attrs)
            for name in ("href", "src"):
                value = attrs.get(name) or ""
                assert not value.lower().lstrip().startswith(("javascript:", "data:", "vbscript:")), (page.src, value)
        assert [a.get("type") for a in parsed.of("script")] in ([], ["application/json"]), page.src


def test_the_hostile_model_reads_back_exactly_as_written(site: Site) -> None:
    parsed = _Page(site.render("models/evil/X-1.md"))
    text = "".join(parsed.text)
    assert "<img src=x onerror=alert(1)> | X-1 *bold* [link](javascript:alert(2))" in text
    assert '"><script>alert(3)</script> & Co' in text
    assert "</script><script>alert(4)</script>" in text
    assert '<b>card</b> " onmouseover="alert(5)' in text
    assert "\"Table' 1 <i>" in text and 'Evil & "Co"' in text
    hrefs = [a["href"] for a in parsed.of("a")]
    assert "https://example.org/x?a=1&b=%22%3E%3Cscript%3Ealert(6)%3C/script%3E" in hrefs


def test_the_home_page_lists_ranked_models_in_rank_order_with_ranks_and_averages(site: Site) -> None:
    markup = site.render("index.md")
    body = markup.split("<tbody>")[1].split("</tbody>")[0]
    rows = body.split("<tr>")[1:]
    assert len(rows) == 6
    assert [re.search(r'class="rb-rank"[^>]*>(\d+)<', r).group(1) for r in rows] == ["1", "2", "3", "4", "5", "6"]  # type: ignore[union-attr]
    assert [re.search(r"<b>([\d.]+)</b>", r).group(1) for r in rows] == ["75.78", "73.29", "54.45", "50.52", "31.67", "15.55"]  # type: ignore[union-attr]
    assert 'href="models/acme/Alpha-7B/"' in rows[3]
    assert 'rb-incomplete' in rows[4] and "1/5" in rows[4]


def test_the_home_page_data_for_the_script_is_the_board(site: Site) -> None:
    parsed = _Page(site.render("index.md"))
    data = json.loads(parsed.scripts[0])
    assert data["m"]["id"][:2] == ["vendor/api-model", "beta-labs/Beta-70B"]
    assert data["m"]["avg"][:2] == [75.78, 73.29]
    assert data["m"]["cat"][0] == [40.94, 94.4, 92.0]
    assert data["modelUrl"] == ["models/", "/"]
    assert set(data["strings"]) == set(home.JS_STRINGS)


def test_the_benchmark_columns_file_marks_status_and_disputes(site: Site) -> None:
    files = dict(site.files())
    columns = json.loads(files["api/benchmark-columns.json"])
    order = [m.id for m in site.board.models]
    alpha = order.index("acme/Alpha-7B")
    beta = order.index("beta-labs/Beta-70B")
    assert columns["s"]["arc_challenge"][alpha] == "R"  # reported, disputed
    assert columns["s"]["gsm8k"][beta] == "v"  # verified
    assert columns["v"]["gsm8k"][beta] == 74.222896
    assert columns["sources"][columns["o"]["gsm8k"][beta]] == ["s", "carol", "2024-06-01"]  # worded by board.js, in the page's language
    assert columns["v"]["triviaqa"][order.index("vendor/api-model")] is None


def test_a_model_page_shows_conflicting_numbers_side_by_side_with_their_sources(site: Site) -> None:
    markup = site.render("models/acme/Alpha-7B.md")
    dispute = markup.split('id="disputes"')[1]
    assert "55.0" in dispute and "48.2" in dispute
    assert 'href="https://example.org/alpha-report.pdf"' in dispute and 'href="https://example.org/beta-report.pdf"' in dispute
    assert 'id="bench-arc_challenge"' in markup
    assert 'id="run-seeds-beta-comparison"' in markup
    assert "<svg" in markup and 'class="rb-series rb-this"' in markup


def test_a_submitted_run_shows_its_command_and_spot_check_verdict(site: Site) -> None:
    markup = site.render("models/beta-labs/Beta-70B.md")
    run = markup.split('id="run-results-2024-06-01-carol"')[1].split("</section>")[0]
    assert "lm_eval --model hf --model_args pretrained=beta-labs/Beta-70B,revision=0123456789abcdef0123456789abcdef01234567" in run
    assert 'rb-verdict-pass">pass<' in run and "All 50 re-run GSM8K documents matched the evidence." in run
    assert "results/beta-labs/Beta-70B/2024-06-01-carol.evidence.jsonl.gz" in run


def test_benchmark_and_category_pages_rank_with_tie_groups(site: Site) -> None:
    mmlu = site.render("benchmarks/mmlu.md")
    assert "Multiple-choice questions in 57 subjects." in mmlu and "<code>mmlu</code>" in mmlu
    assert mmlu.count('<span class="rb-range">3–4</span>') == 2
    reasoning = site.render("categories/reasoning.md")
    assert '<span class="rb-range">3–4</span>' in reasoning and "<svg" in reasoning


def test_the_charts_page_has_three_kinds_of_chart_with_text_alternatives(site: Site) -> None:
    markup = site.render("charts.md")
    assert markup.count("<svg") == 2 + len(site.board.categories)
    assert markup.count("<desc") == markup.count("<svg") and markup.count("<figcaption>") == 2
    assert "On the frontier: Sparse-1B (1.1 B, 31.67); Alpha-7B-Chat (7.2 B, 54.45); Beta-70B (70 B, 73.29)" in markup


def test_downloads_carry_the_numbers_the_tables_show(site: Site) -> None:
    files = dict(site.files())
    rows = list(csv.DictReader(io.StringIO(files["api/leaderboard.csv"])))
    board = json.loads(files["api/leaderboard.json"])
    home_data = json.loads(_Page(site.render("index.md")).scripts[0])
    assert [r["id"] for r in rows] == [m["id"] for m in board["models"]] == home_data["m"]["id"]
    assert [float(r["average"]) for r in rows] == [m["average"] for m in board["models"]] == home_data["m"]["avg"]
    assert [int(r["rank"]) for r in rows] == home_data["m"]["rank"]
    assert rows[0]["benchmark:mmlu"] == "86.4" and rows[0]["benchmark:triviaqa"] == ""
    assert rows[0]["category:knowledge"] == "40.94"
    model = json.loads(files["api/models/acme/Alpha-7B.json"])
    assert [(s["benchmark"], s["value"], s["counts"]) for s in model["scores"] if s["benchmark"] == "arc_challenge"] == [
        ("arc_challenge", 55.0, True), ("arc_challenge", 48.2, False)]
    assert model["runs"][0]["source"]["url"] == "https://example.org/alpha-report.pdf"


def test_every_interface_string_the_code_asks_for_is_in_the_catalogue() -> None:
    t = strings("en")
    keys = set(t.keys())
    used = set()
    for path in RENDER.glob("*.py"):
        used |= {k for k in re.findall(r"""\bt(?:\.html)?\(\s*["']([a-z_.-]+)["']""", path.read_text()) if not k.endswith(".")}
    used |= {f"type.{k}" for k in ("base", "chat", "fine-tuned", "merge", "adapter")}
    used |= {f"status.{k}" for k in ("reported", "submitted", "verified", "failed", "disputed")}
    used |= {f"verdict.{k}" for k in ("pass", "fail", "inconclusive")}
    used |= {f"col.{k}_title" for k in ("rank", "model", "organisation", "parameters", "type", "weights", "license", "released", "average", "coverage")}
    used |= set(home.JS_STRINGS)
    assert sorted(used - keys) == []
    assert len(used) > 150


def test_the_search_index_sees_each_page_s_heading_and_summary_not_its_tables(site: Site) -> None:
    summary = site.search_view("models/acme/Alpha-7B.md")
    assert summary == "<h1>Alpha-7B</h1><p>acme/Alpha-7B · Acme · Base · apache-2.0</p>"
    assert "&lt;img" in site.search_view("models/evil/X-1.md")
