"""The generated pages and downloads of the fixture board, read as a browser and a spreadsheet would."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import html.parser
import io
import json
import re
from pathlib import Path

import pytest

from builder.board.aggregate import build_board
from builder.check.validate import validate
from builder.render import escape, home
from builder.render.html import raw, source_line
from builder.render.i18n import strings
from builder.render.pages import Site
from builder.render.urls import Urls

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


def _rows(markup: str) -> list[str]:
    return markup.split("<tbody>")[1].split("</tbody>")[0].split("<tr")[1:]


def test_the_home_page_lists_ranked_models_with_score_intervals_then_the_not_ranked_with_their_reason(site: Site) -> None:
    rows = _rows(site.render("index.md"))
    assert len(rows) == 6
    assert [re.search(r'class="rb-rank"[^>]*>(\d+)<', r).group(1) for r in rows[:5]] == ["1", "2", "3", "3", "5"]  # type: ignore[union-attr]  # ties stay ties
    assert '<span class="rb-range">3–4</span>' in rows[2] and 'title="Rank 3; its 95 % interval runs from 3 to 4"' in rows[2]
    assert [re.search(r"<b>(-?[\d.]+)</b>", r).group(1) for r in rows[:5]] == ["1.38", "0.81", "-0.52", "-0.75", "-1.35"]  # type: ignore[union-attr]
    vendor = site.board.overall.ranked[0]
    assert f'<span class="rb-se">[{vendor.score_low:.2f}, {vendor.score_high:.2f}]</span>' in rows[0]
    assert "benchmarks: 5 · comparisons: 5 · sources: 1" in rows[0]
    assert 'href="models/acme/Alpha-7B/"' in rows[3]
    sparse = rows[5]  # not ranked: last, no rank number, the reason in words
    assert sparse.startswith(' class="rb-unranked-row">') and "Sparse-1B" in sparse and "rb-rank" not in sparse
    assert ">not ranked<" in sparse and "no like-for-like comparison: no source compares it with another model" in sparse


def test_the_home_page_says_what_its_numbers_are(site: Site) -> None:
    markup = site.render("index.md")
    head = markup.split("<thead>")[1].split("</thead>")[0]
    assert '<th scope="col" data-key="score" title="Like-for-like score in standard deviations from an average model (0), with its 95 % interval; see Methodology">Score</th>' in head
    assert "Average" not in markup and "count as 0" not in markup
    assert 'href="methodology/"' in markup.split('class="rb-legend"')[1].split("</p>")[0]
    # A category score resting on part of the category's benchmarks is marked as such; one not ranked says why.
    rows = _rows(markup)
    evil = rows[4]
    assert '<sup class="rb-partial" title="Scored on 1 of this category&#x27;s 2 benchmarks: the score rests on those only">1/2</sup>' in evil
    vendor_math = rows[0].split("</td>")[-2]
    assert vendor_math == ('<td class="rb-n" title="Not ranked in this category: too few like-for-like comparisons (1 of 2 benchmarks)">'
                           '<a href="categories/math/">–</a>')


def test_the_home_page_data_for_the_script_is_the_board(site: Site) -> None:
    parsed = _Page(site.render("index.md"))
    data = json.loads(parsed.scripts[0])
    m = data["m"]
    assert m["id"][:2] == ["vendor/api-model", "beta-labs/Beta-70B"] and m["id"][-1] == "sparse/Sparse-1B"
    ranked = site.board.overall.ranked
    assert (m["score"][:2], m["lo"][:2], m["hi"][:2]) == ([1.38, 0.81], [s.score_low for s in ranked[:2]], [s.score_high for s in ranked[:2]])
    assert (m["rank"][-1], m["score"][-1], m["why"][-1]) == (None, None, "no-comparable-evidence")
    assert data["categoryTotals"] == [2, 2, 2]
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
    assert columns["v"]["triviaqa"][order.index("evil/X-1")] is None


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
    assert mmlu.split('id="sources"')[0].count('<span class="rb-range">3–4</span>') == 2
    reasoning = site.render("categories/reasoning.md")
    assert '<span class="rb-range">1–3</span>' in reasoning and "<svg" in reasoning


def test_a_benchmark_page_lists_every_number_with_its_source_and_setting(site: Site) -> None:
    gsm8k = site.render("benchmarks/gsm8k.md").split('id="sources"')[1]
    rows = _rows(gsm8k)
    assert len(rows) == len(site.board.scores_on("gsm8k")) > 9
    beta_table = next(r for r in rows if "Alpha-7B/" in r and "beta-report.pdf" in r)
    # 8-shot in the Beta report, the protocol's is 5: marked; the metric the source does not state stays "not stated".
    assert '>8 <span class="rb-mark rb-differs" title="Differs from the protocol&#x27;s n-shot (5)">◇</span>' in beta_table
    assert beta_table.count('<span class="rb-unstated">not stated</span>') == 3  # metric, filter, setting
    carol = next(r for r in rows if "carol" in r)
    assert "<td>exact_match<td>strict-match<td><code>gsm8k</code><td>" in carol


def test_a_category_and_a_benchmark_with_the_same_id_keep_apart_on_every_page_and_download(site: Site) -> None:
    board = site.board
    category, benchmark = board.category_rankings["math"], board.benchmark_rankings["math"]
    files = dict(site.files())
    # The category page ranks by the category's standings (MATH and GSM8K), with its own scores and intervals.
    page = site.render("categories/math.md")
    ranked = _rows(page.split('id="ranking"')[1])
    assert len(ranked) == len(category.ranked) + 2  # the ranked, then Sparse and Vendor: a score here, not ranked
    assert "too few like-for-like comparisons" in ranked[-1] and ">not ranked<" in ranked[-1]
    for row, standing in zip(ranked, category.ranked):
        assert f"<b>{standing.score:.2f}</b>" in row and escape.text(board.model(standing.model_id).name) in row
    assert "MATH" in page and "GSM8K" in page
    # The benchmark page ranks MATH's raw numbers.
    bench = site.render("benchmarks/math.md").split('id="ranking"')[1].split('id="sources"')[0]
    assert [re.search(r'class="rb-num"[^>]*>([\d.]+) ', r).group(1) for r in _rows(bench)] == [raw(e.value) for e in benchmark.entries]  # type: ignore[union-attr]
    assert site.urls.url(site.urls.category("math")) == "categories/math/" != site.urls.url(site.urls.benchmark("math")) == "benchmarks/math/"
    # Model pages: the Math row of the standing is the category's.
    model = site.render("models/acme/Alpha-7B.md").split('id="standing"')[1].split('id="results"')[0]
    alpha = category.get("acme/Alpha-7B")
    assert re.search(r'categories/math/">Math</a>(?:</td>)?<td><b>' + re.escape(f"{alpha.score:.2f}"), model)  # type: ignore[union-attr]
    # Charts: the Math leaders are the category's.
    charts_page = site.render("charts.md").split('id="rb-cat-math-d">')[1].split("</desc>")[0]
    assert charts_page.startswith(f"The {min(10, len(category.ranked))} best-ranked models in Math") and "Beta-70B: 1.31" in charts_page
    # Downloads: categories and benchmarks under separate keys, and the category's numbers are the page's.
    data = json.loads(files["api/leaderboard.json"])
    beta = next(m for m in data["models"] if m["id"] == "beta-labs/Beta-70B")
    assert beta["categories"]["math"]["score"] == category.get("beta-labs/Beta-70B").score == 1.31  # type: ignore[union-attr]
    assert beta["values"]["math"] == 45.0
    rows = list(csv.DictReader(io.StringIO(files["api/leaderboard.csv"])))
    csv_beta = next(r for r in rows if r["id"] == "beta-labs/Beta-70B")
    assert (csv_beta["category:math:score"], csv_beta["category:math:rank"], csv_beta["benchmark:math"]) == ("1.31", "1", "45.0")
    # The home page's Math column links to the category page and shows the category's score.
    home_data = json.loads(_Page(site.render("index.md")).scripts[0])
    i = home_data["m"]["id"].index("beta-labs/Beta-70B")
    assert home_data["m"]["cat"][i][2] == 1.31 and home_data["categoryUrls"][2] == "categories/math/"


def test_no_page_shows_a_metric_its_source_did_not_state(site: Site) -> None:
    model = site.render("models/acme/Alpha-7B.md")
    results = model.split('id="results"')[1].split('id="disputes"')[0]
    assert ">acc<" not in results and ">acc_norm<" not in results  # the registry's metrics, which no Acme or Beta table states
    assert '<span class="rb-unstated">not stated</span>' in results
    dispute = model.split('id="disputes"')[1].split('id="runs"')[0]
    # Neither source states a metric or a filter: said once above the side-by-side table, never filled from the registry.
    assert 'Metric <span class="rb-unstated">not stated</span> · Filter <span class="rb-unstated">not stated</span>' in dispute
    assert "acc_norm" not in dispute and ">acc<" not in dispute
    files = dict(site.files())
    alpha = json.loads(gzip.decompress(files["api/models/acme/Alpha-7B.json.gz"]))
    arc = next(r["scores"]["arc_challenge"] for r in alpha["runs"] if "arc_challenge" in r["scores"])
    assert "metric" not in arc and "filter" not in arc and arc["n_shot"] == 25  # left out: not stated


def test_a_contributors_reported_number_is_shown_as_theirs(site: Site) -> None:
    chat = site.render("models/acme/Alpha-7B-Chat.md")
    assert "Reported by fan (a contributor), citing" in chat
    files = dict(site.files())
    model = json.loads(gzip.decompress(files["api/models/acme/Alpha-7B-Chat.json.gz"]))
    fan = next(r for r in model["runs"] if r["path"].startswith("results/"))
    assert (fan["voice"], fan["reported_by"]) == ("contributor", "fan")
    assert [(s["value"], s.get("counts", False)) for s in fan["scores"].values()] == [(70.0, False)]


def test_the_charts_page_has_three_kinds_of_chart_with_text_alternatives(site: Site) -> None:
    markup = site.render("charts.md")
    assert markup.count("<svg") == 2 + len(site.board.categories)
    assert markup.count("<desc") == markup.count("<svg") and markup.count("<figcaption>") == 2
    assert "(3 B, -1.35); Alpha-7B-Chat (7.2 B, -0.52); Beta-70B (70 B, 0.81)</figcaption>" in markup


def test_downloads_carry_the_numbers_the_tables_show(site: Site) -> None:
    files = dict(site.files())
    rows = list(csv.DictReader(io.StringIO(files["api/leaderboard.csv"])))
    board = json.loads(files["api/leaderboard.json"])
    home_data = json.loads(_Page(site.render("index.md")).scripts[0])
    assert board["format"] == 3
    assert [r["id"] for r in rows] == [m["id"] for m in board["models"]] == home_data["m"]["id"]
    assert [float(r["score"]) if r["score"] else None for r in rows] == [m["score"] for m in board["models"]] == home_data["m"]["score"]
    assert [int(r["rank"]) if r["rank"] else None for r in rows] == home_data["m"]["rank"]
    vendor = site.board.overall.ranked[0]
    assert (rows[0]["score_low"], rows[0]["score_high"], rows[0]["rank_worst"], rows[0]["comparisons"], rows[0]["groups"]) == (
        str(vendor.score_low), str(vendor.score_high), "1", "5", "1")
    assert (rows[-1]["rank"], rows[-1]["unranked"], rows[-1]["score"]) == ("", "no-comparable-evidence", "")
    assert rows[0]["benchmark:mmlu"] == "86.4" and rows[4]["benchmark:triviaqa"] == ""
    vendor = board["models"][0]
    assert vendor["groups"] == ["source:https://example.org/alpha-report.pdf Table 5"] and vendor["comparisons"] == 5
    assert {g["key"]: g["publisher"] for g in board["groups"]}["source:https://example.org/alpha-report.pdf Table 5"] == "Acme"
    assert "like-for-like" in board["rules"]["score"]
    model = json.loads(gzip.decompress(files["api/models/acme/Alpha-7B.json.gz"]))
    assert (model["format"], model["score_is"], model["rank"], model["rank_worst"]) == (3, board["rules"]["score"], 3, 4)
    assert sorted((s["value"], s.get("counts", False)) for r in model["runs"] for b, s in r["scores"].items() if b == "arc_challenge") == [
        (48.2, False), (55.0, True)]
    assert model["runs"][0]["source"]["url"] == "https://example.org/alpha-report.pdf"
    # Each number once: the board's file has the counted values and where the rest is; the model's file has them all.
    row = next(m for m in board["models"] if m["id"] == "acme/Alpha-7B")
    assert row["values"]["arc_challenge"] == 55.0 and row["data"] == "api/models/acme/Alpha-7B.json.gz" and "scores" not in row
    counted = {b: s["value"] for r in model["runs"] for b, s in r["scores"].items() if s.get("counts")}
    assert counted == row["values"]


def test_the_json_downloads_are_compact_and_give_each_number_once_with_what_the_compare_page_reads(site: Site) -> None:
    files = dict(site.files())
    models = [site.urls.model_json(m.id) for m in site.board.models]
    assert all(path.endswith(".json.gz") for path in models)
    for path in models:  # gzip with no time or name in its header: the same board gives the same bytes
        assert files[path][:4] == b"\x1f\x8b\x08\x00" and files[path][4:8] == b"\x00\x00\x00\x00", path
    texts = {path: gzip.decompress(files[path]).decode("utf-8") for path in models} | {Urls.JSON: files[Urls.JSON]}
    for path, text in texts.items():
        assert isinstance(text, str) and text.count("\n") == 1 and '": ' not in text and '", "' not in text, path  # no indentation
    board = json.loads(files[Urls.JSON])
    for row in board["models"]:
        model = json.loads(texts[row["data"]])
        assert {k: v for k, v in model.items() if k in row} == {k: v for k, v in row.items() if k not in ("values", "data")}
        # Every score of the model once, under its run; the counted ones are the board's values.
        given = sorted((run["path"], b, s["value"]) for run in model["runs"] for b, s in run["scores"].items())
        assert given == sorted((s.run_path, s.benchmark_id, s.value) for s in site.board.scores_of(row["id"]))
        assert {b: s["value"] for run in model["runs"] for b, s in run["scores"].items() if s.get("counts")} == row["values"]
        for run in model["runs"]:  # what compare.js reads
            assert {"path", "status", "voice", "source", "submitted_by", "submitted_on", "group", "scores"} <= set(run)
            for score in run["scores"].values():
                assert "value" in score and "stderr" in score and None not in score.values() and False not in score.values()
                assert score.get("group") or run["group"] or run["status"] == "failed" or score.get("partial")
    assert board["format"] == 3


def test_every_interface_string_the_code_asks_for_is_in_the_catalogue() -> None:
    t = strings("en")
    keys = set(t.keys())
    used = set()
    for path in RENDER.glob("*.py"):
        used |= {k for k in re.findall(r"""\bt(?:\.html)?\(\s*["']([a-z_.-]+)["']""", path.read_text()) if not k.endswith(".")}
    used |= {f"type.{k}" for k in ("base", "chat", "fine-tuned", "merge", "adapter")}
    used |= {f"status.{k}" for k in ("reported", "submitted", "verified", "failed", "disputed")}
    used |= {f"verdict.{k}" for k in ("pass", "fail", "inconclusive")}
    used |= {f"col.{k}_title" for k in ("rank", "model", "organisation", "parameters", "type", "weights", "license", "released", "score", "evidence")}
    used |= set(home.JS_STRINGS)
    assert sorted(used - keys) == []
    assert len(used) > 150


def test_the_search_index_sees_each_page_s_heading_and_summary_not_its_tables(site: Site) -> None:
    summary = site.search_view("models/acme/Alpha-7B.md")
    assert summary == "<h1>Alpha-7B</h1><p>acme/Alpha-7B · Acme · Base · apache-2.0</p>"
    assert "&lt;img" in site.search_view("models/evil/X-1.md")


def test_a_model_page_marks_provenance_in_its_rows_only_where_the_rows_differ(site: Site) -> None:
    seen = set()
    for model in site.board.models:
        page = site.render(f"models/{model.id}.md")
        results = page.split('id="results"')[1].split("</tbody>")[0]
        rows = re.split(r"<tr[^>]*>", results.split("<tbody>")[1])[1:]
        statuses = {s.status for s in site.board.scores_of(model.id)}
        runs = {s.run_path for s in site.board.scores_of(model.id)}
        if len(statuses) == 1:
            status = next(iter(statuses))
            assert "Every number below has the same provenance" in results and f'rb-mark rb-{status}"' in results.split("<table")[0]
            assert not any(f"rb-mark rb-{status}" in row for row in rows)  # said once, not on every row
            seen.add("one")
        else:
            assert all(re.search(r'rb-mark rb-(reported|submitted|verified|failed)"', row) for row in rows)
            seen.add("several")
        # With one run behind every number, its name is said above the table instead of in a column.
        assert ("<th scope=\"col\">Source</th>" in results) == (len(runs) > 1)
    assert seen == {"one", "several"}


def test_a_numbers_source_is_said_once_by_its_badge_or_by_its_row(site: Site) -> None:
    """Issue #11's site weight: the tooltip of a number's badge names its source; the number only links there. In the
    benchmark page's table of every number, whose rows show the source in a column, the badge says only its kind."""
    page = site.render("benchmarks/math.md")
    ranking = _rows(page.split('id="ranking"')[1].split('id="sources"')[0])
    every = _rows(page.split('id="sources"')[1])
    assert ranking and every
    for row in ranking + every:
        assert re.search(r'<a class="rb-num" href="[^"]+#run-[^"]+">', row) and not re.search(r'class="rb-num"[^>]* title=', row)
    sources = {escape.attr(source_line(run, site.t)) for run in site.board.runs}
    for row in ranking:
        (badge,) = re.findall(r'<span class="rb-mark rb-(?:reported|submitted|verified|failed)" title="([^"]+)"', row)
        assert badge in sources, badge
    for row in every:
        (badge,) = re.findall(r'<span class="rb-mark rb-(?:reported|submitted|verified|failed)" title="([^"]+)"', row)
        kind = re.search(r'rb-mark rb-(\w+)"', row).group(1)  # type: ignore[union-attr]
        assert badge == escape.attr(site.t("status." + kind)), (badge, row)
