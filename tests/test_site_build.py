"""Real MkDocs builds (no mocks): the fixture board, the repository's own data, plain `mkdocs build`,
byte-identical rebuilds, refusal of invalid data, and no request outside the site."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml
from click.testing import CliRunner

from builder.cli import cli
from builder.render.catalog import TABLE_ROWS

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "site_fixture"


def _build(root: Path, site: Path) -> None:
    result = CliRunner().invoke(cli, ["build", "--root", str(root), "--config", str(REPO / "mkdocs.yml"), "--site-dir", str(site)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("fixture") / "site"
    _build(FIXTURE, site)
    return site


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_the_fixture_board_builds_every_page_and_download(fixture_site: Path) -> None:
    for path in ["index.html", "models/acme/Alpha-7B/index.html", "models/evil/X-1/index.html", "benchmarks/mmlu/index.html",
                 "categories/math/index.html", "categories/index.html", "benchmarks/index.html", "charts/index.html",
                 "methodology/index.html", "downloads/index.html", "api/leaderboard.csv", "api/leaderboard.json",
                 "api/models/acme/Alpha-7B.json.gz", "api/benchmark-columns.json", "assets/reproboard/board.js"]:
        assert (fixture_site / path).is_file(), path
    home = (fixture_site / "index.html").read_text()
    assert '<script type="application/json" id="rb-board-data">' in home and "assets/reproboard/board.js" in home
    assert "<title>Leaderboard - ReproBoard</title>" in home


def test_model_pages_are_found_by_search_but_not_listed_in_the_navigation(fixture_site: Path) -> None:
    index = json.loads((fixture_site / "search" / "search_index.json").read_text())
    locations = {doc["location"] for doc in index["docs"]}
    assert {"models/acme/Alpha-7B/", "models/beta-labs/Beta-70B/"} <= locations
    about = (fixture_site / "about" / "index.html").read_text()
    nav = about.split('<nav class="md-nav md-nav--primary')[1].split("</nav>")[0]
    assert "models/" not in nav and "Charts" in nav
    tabs = about.split('<nav class="md-tabs"')[1].split("</nav>")[0]
    assert "models/" not in tabs and "Charts" in tabs


def test_a_model_page_carries_no_navigation_no_inline_icons_and_no_tooltip_on_every_row(fixture_site: Path) -> None:
    """Issue #11's site weight: thousands of model pages, so what repeats on each goes once into a shared file or
    a legend. The theme's icons are drawn from assets/reproboard/icons.svg, which has every one a page refers to."""
    sprite = (fixture_site / "assets" / "reproboard" / "icons.svg").read_text()
    for path in ("models/acme/Alpha-7B/index.html", "zh/models/acme/Alpha-7B/index.html"):
        page = (fixture_site / path).read_text()
        chrome, article = page.split("<article")[0] + page.split("</article>")[1], page.split("<article")[1].split("</article>")[0]
        assert 'class="md-nav' not in page and "md-sidebar" not in page  # no navigation sidebar
        assert "<path" not in chrome and 'xmlns="http://www.w3.org/2000/svg"' not in page  # no inline icon
        used = re.findall(r'<svg viewBox="0 0 24 24"><use href="((?:\.\./)+)assets/reproboard/icons\.svg#(i[0-9a-f]{10})"/></svg>', chrome)
        assert len(used) >= 3 and {prefix for prefix, _ in used} == {"../" * path.count("/")}
        assert all(f'<symbol id="{key}" viewBox="0 0 24 24"><path d="' in sprite for _, key in used)
        rows = article.split('id="results"')[1].split("</tbody>")[0] + article.split('id="standing"')[1].split('id="results"')[0]
        assert "title=" not in rows.split("</thead>")[-1]  # no tooltip per row: the legend and the column heading say it once
        assert article.startswith(' class="md-content__inner md-typeset">\n<h1>') and page.count("\n\n") == 0


def _model_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("index.html") if "models" in p.relative_to(site).parts)


def test_a_model_page_has_no_search_dialog_but_a_link_that_opens_the_search_on_its_languages_home(fixture_site: Path) -> None:
    """Issue #11: the search box and its dialog weigh 1.7 KB on each of thousands of pages. A model page's search
    button leads to its language's home page with `?q=`, where the theme's search opens (tests/test_browser_site.py
    follows it); the other pages keep the theme's search."""
    for lang, home in (("en", ""), ("zh", "zh/")):
        for path in [p for p in _model_pages(fixture_site) if p.relative_to(fixture_site).parts[0] == ("zh" if lang == "zh" else "models")]:
            page = path.read_text()
            header = page.split("<header")[1].split("</header>")[0]
            assert "md-search" not in page and 'for="__search"' not in page and 'role="dialog"' not in page
            assert 'for="__drawer"' not in header and "header-title" not in header  # no drawer; the heading names the page
            assert '<span class="md-ellipsis">ReproBoard</span>' in header
            ((href, label),) = re.findall(r'<a href="([^"]*)\?q=" class="md-header__button md-icon" title="([^"]+)" aria-label="\2">', header)
            assert label == ("搜索" if lang == "zh" else "Search")
            here = "http://site/" + path.relative_to(fixture_site).parent.as_posix() + "/"
            assert urljoin(here, href + "?q=") == "http://site/" + home + "?q="
            assert f'#{_SEARCH_ICON}"/></svg>' in header.split("?q=")[1]  # the theme's search icon
    for path in ("index.html", "about/index.html", "zh/index.html"):
        assert 'data-md-component="search"' in (fixture_site / path).read_text()


_SEARCH_ICON = "iff29da5bed"
"""The theme's magnifier (material/magnify) in assets/reproboard/icons.svg."""


def _linked(page: str, here: str, pattern: str) -> list[str]:
    """The addresses a page's tags of `pattern` (capturing the address) lead to, from the site's root."""
    return [urljoin("http://site/" + here, href).removeprefix("http://site/") for href in re.findall(pattern, page)]


def test_a_model_page_runs_none_of_the_themes_scripts_but_is_drawn_by_its_styles(fixture_site: Path) -> None:
    """Issue #11's site weight: a model page is not the theme's page. It links the stylesheets the theme's pages link
    (read from the theme's base.html, so a renamed file is followed) and runs one script, the palette's toggle, which
    reads the theme's palette from the page: the options of mkdocs.yml, in the page's language."""
    config = yaml.load((REPO / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)
    zh = next(lang for lang in next(p["i18n"] for p in config["plugins"] if "i18n" in p)["languages"] if lang["locale"] == "zh")
    sprite = (fixture_site / "assets" / "reproboard" / "icons.svg").read_text()
    for prefix, palette in (("", config["theme"]["palette"]), ("zh/", zh["theme"]["palette"])):
        here = prefix + "models/acme/Alpha-7B/"
        page = (fixture_site / here / "index.html").read_text()
        about = (fixture_site / prefix / "about" / "index.html").read_text()
        stylesheet = r'<link rel="stylesheet" href="([^"]+)">'
        assert _linked(page, here, stylesheet) == _linked(about, prefix + "about/", stylesheet)
        assert any(re.fullmatch(r"assets/stylesheets/main\.[0-9a-f]+\.min\.css", s) for s in _linked(page, here, stylesheet))
        assert _linked(page, here, r'<script src="([^"]+)"') == ["assets/reproboard/palette.js"]
        assert page.count("<script") == 1 and "__md_" not in page and "bundle." not in page and 'id="__config"' not in page
        ((data,),) = [re.findall(r"data-palette='([^']*)'", page)]
        options = json.loads(data)
        assert [(o["media"], o["scheme"], o["name"]) for o in options] == \
            [(o["media"], o["scheme"], o["toggle"]["name"]) for o in palette]
        assert all(f'<symbol id="{o["icon"]}" viewBox="0 0 24 24"><path d="' in sprite for o in options)


def test_a_model_pages_tabs_lead_where_the_themes_tabs_lead(fixture_site: Path) -> None:
    """Every section, by the same names, in both languages: the model page draws its own tabs from the navigation."""
    for prefix in ("", "zh/"):
        here = prefix + "models/acme/Alpha-7B/"
        page = (fixture_site / here / "index.html").read_text()
        about = (fixture_site / prefix / "about" / "index.html").read_text()
        ours = page.split('<nav class="md-tabs rb-tabs"')[1].split("</nav>")[0]
        theirs = about.split('<nav class="md-tabs"')[1].split("</nav>")[0]
        link = r'<a href="([^"]+)"'
        assert _linked(ours, here, link) == _linked(theirs, prefix + "about/", link) and len(_linked(ours, here, link)) >= 8
        names = [re.sub(r"\s+", " ", n).strip() for n in re.findall(r"<a [^>]*>([^<]+)</a>", theirs)]
        assert re.findall(r"<a [^>]*>([^<]+)</a>", ours) == names


_SVG = "{http://www.w3.org/2000/svg}"


def test_a_model_pages_radar_draws_its_grid_from_its_languages_shared_file(fixture_site: Path) -> None:
    """Issue #11: the radar's rings, spokes and category names are the same on every model page of a language: drawn
    from assets/reproboard/radar-<language>.svg, which holds every grid a page names, with the outlines of the
    board's leader and of the best per category. The chart's title and description (its text alternative) and the
    model's own outline stay on the page."""
    seen, leaders = 0, []
    for path in _model_pages(fixture_site):
        page = path.read_text()
        if 'id="rb-radar"' not in page:
            continue
        seen += 1
        lang = "zh" if path.relative_to(fixture_site).parts[0] == "zh" else "en"
        radar = page.split('id="rb-radar"')[1].split("</svg>")[0]
        assert '<title id="rb-radar-t">' in radar and '<desc id="rb-radar-d">' in radar
        assert "rb-grid" not in radar and "rb-axes" not in radar and "<line" not in radar
        (prefix, key), = re.findall(r'<use href="((?:\.\./)+)assets/reproboard/radar-' + lang + r'\.svg#(a[0-9a-f]{10})"/>', radar)
        assert prefix == "../" * (len(path.relative_to(fixture_site).parts) - 1)
        shared = ET.fromstring((fixture_site / "assets" / "reproboard" / f"radar-{lang}.svg").read_text())
        (grid,) = [g for g in shared.iter(f"{_SVG}g") if g.get("id") == key]
        rings, _spokes, labels = grid.findall(f"{_SVG}g")[:3]
        assert ("数学" if lang == "zh" else "Math") in [t.text for t in labels] and len(rings.findall(f"{_SVG}polygon")) == 4
        # The leader's and the best outlines are in the file, not on the page; the model's own is on the page.
        drawn = {e.get("class") for e in grid if (e.get("class") or "").startswith("rb-series")}
        if drawn == {"rb-series rb-best"}:  # the leader's own page: no outline of the leader beside its own
            leaders.append(lang)
            assert re.search(r'class="rb-standing">[^<]*<span class="rb-rank"[^>]*>1<', page)
        else:
            assert drawn == {"rb-series rb-leader", "rb-series rb-best"}, (path, drawn)
        assert "rb-leader" not in radar and "rb-best" not in radar and radar.count('class="rb-series rb-this"') == 2
    assert seen >= 8  # the fixture's ranked models, in both languages
    assert leaders == []  # the fixture's leader (an API model, too few categories) has no radar: every radar shows it
    assert not (fixture_site / "zh" / "assets").exists()  # one place for the shared files, as for icons.svg


def test_a_model_page_shows_a_dispute_as_one_table_with_each_source_once(fixture_site: Path) -> None:
    page = (fixture_site / "models" / "acme" / "Alpha-7B" / "index.html").read_text()
    disputes = page.split('id="disputes"')[1].split('id="runs"')[0]
    assert disputes.count("<table") == 1
    assert disputes.count('href="https://example.org/alpha-report.pdf"') == disputes.count('href="https://example.org/beta-report.pdf"') == 1
    assert re.findall(r'<th scope="row">([^<]+)</th>', disputes) == ["ARC-Challenge", "GSM8K"]


def test_the_hostile_names_are_escaped_in_titles_and_search(fixture_site: Path) -> None:
    page = (fixture_site / "models" / "evil" / "X-1" / "index.html").read_text()
    assert "<title>&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img src=x" not in page and "<script>alert" not in page
    index = (fixture_site / "search" / "search_index.json").read_text()
    assert "<img src=x" not in index and "<script>" not in index


_FETCHED = [
    re.compile(r"""<(?:script|img|iframe|source|video|audio|embed|input)\b[^>]*\bsrc\s*=\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"""<link\b[^>]*\bhref\s*=\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"""url\(\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"""@import\s+["']?\s*(?:https?:)?//""", re.I),
]


def _fetched_urls(site: Path) -> list[str]:
    found = []
    for path in sorted(site.rglob("*")):
        if path.suffix in (".html", ".css") and path.is_file():
            text = path.read_text(errors="replace")
            found += [f"{path.relative_to(site)}: {m.group(0)}" for pattern in _FETCHED for m in pattern.finditer(text)]
    return found


def test_no_page_makes_the_browser_fetch_anything_outside_the_site(fixture_site: Path) -> None:
    assert _fetched_urls(fixture_site) == []
    assert "fonts.googleapis.com" not in (fixture_site / "index.html").read_text()


def test_the_external_url_check_catches_what_it_should(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text('<img src="https://x.org/a.png"><link rel="stylesheet" href="//cdn.org/x.css"><a href="https://fine.org">ok</a>')
    (tmp_path / "b.css").write_text("body { background: url('http://x.org/b.png') }")
    assert len(_fetched_urls(tmp_path)) == 3


def test_two_builds_of_the_same_data_are_byte_identical(tmp_path: Path, fixture_site: Path) -> None:
    second = tmp_path / "again"
    _build(FIXTURE, second)
    first_files, second_files = _files(fixture_site), _files(second)
    assert sorted(first_files) == sorted(second_files)
    assert [p for p in first_files if first_files[p] != second_files[p]] == []


def test_a_build_after_another_boards_build_in_one_process_keeps_nothing_of_it(tmp_path: Path, fixture_site: Path) -> None:
    """MkDocs keeps the reproboard plugin between builds in one process (it has on_startup, for `mkdocs serve`): a build
    of other data, then of the fixture again, must give the fixture's site byte for byte, with nothing of the other."""
    other = tmp_path / "other"
    shutil.copytree(REPO / "tests" / "example-files" / "base", other)
    shutil.copy(REPO / "seeds" / "benchmarks.yaml", other / "seeds" / "benchmarks.yaml")
    _build(other, tmp_path / "other-site")
    again = tmp_path / "again"
    _build(FIXTURE, again)
    first_files, again_files = _files(fixture_site), _files(again)
    assert sorted(first_files) == sorted(again_files)
    assert [p for p in first_files if first_files[p] != again_files[p]] == []


def _broken_copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    run = root / "seeds" / "acme" / "Alpha-7B" / "acme-report.yaml"
    run.write_text(run.read_text().replace("value: 62.0", "value: n/a"))
    return root


def test_invalid_data_is_refused_with_validates_messages_and_the_previous_site_is_kept(tmp_path: Path) -> None:
    root = _broken_copy(tmp_path)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("the previous good site")
    result = CliRunner().invoke(cli, ["build", "--root", str(root), "--config", str(REPO / "mkdocs.yml"), "--site-dir", str(site)],
                                catch_exceptions=False)
    assert result.exit_code == 1
    assert "seeds/acme/Alpha-7B/acme-report.yaml:15: $.scores.mmlu.value: 'n/a' is not a number" in result.output
    assert [p.name for p in site.iterdir()] == ["index.html"]
    assert (site / "index.html").read_text() == "the previous good site"
    assert [p.name for p in tmp_path.iterdir() if ".building-" in p.name] == []


class _ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml's `!relative $config_dir` is the repository, wherever the copy goes."""


_ConfigLoader.add_constructor("!relative", lambda loader, node: str(REPO))
_ConfigLoader.add_constructor("!ENV", lambda loader, node: None)  # site_url: unset, as in a local build


def _plain_config(tmp_path: Path, data_root: Path, *, name: str = "mkdocs.yml", site: str = "plain-site", **settings: object) -> Path:
    """mkdocs.yml for `data_root`, with `settings` for the reproboard plugin (`site_url` and `use_directory_urls` go to MkDocs)."""
    config = yaml.load((REPO / "mkdocs.yml").read_text(), Loader=_ConfigLoader)  # noqa: S506 - our own file
    config["docs_dir"] = str(REPO / "docs")
    config["site_dir"] = str(tmp_path / site)
    for key in ("site_url", "use_directory_urls"):
        if key in settings:
            config[key] = settings.pop(key)
    config["plugins"] = [{"reproboard": {"data_root": str(data_root), **settings}} if isinstance(p, dict) and "reproboard" in p else p
                         for p in config["plugins"]]
    path = tmp_path / name
    path.write_text(yaml.safe_dump(config))
    return path


def test_plain_mkdocs_build_renders_the_board(tmp_path: Path, fixture_site: Path) -> None:
    config = _plain_config(tmp_path, FIXTURE)
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    plain = _files(tmp_path / "plain-site")
    assert plain["index.html"] == _files(fixture_site)["index.html"]
    assert plain["zh/index.html"] == _files(fixture_site)["zh/index.html"]
    assert "models/acme/Alpha-7B/index.html" in plain and "zh/models/acme/Alpha-7B/index.html" in plain


def _build_in_process(config_file: Path) -> int:
    """Build with MkDocs' own API; the number of pages the reproboard plugin filled from a shell."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(config_file))
    config.plugins.on_startup(command="build", dirty=False)  # as `mkdocs build` does
    build(config)
    return config.plugins["reproboard"].pages_from_shells  # type: ignore[attr-defined]


@pytest.mark.parametrize("directory_urls", [True, False])
def test_model_pages_from_the_shell_are_byte_identical_to_the_themes_own(tmp_path: Path, directory_urls: bool) -> None:
    """builder/render/shell.py fills one rendering of the theme per language; every page must come out as the
    theme renders it page by page, canonical links (site_url) and language switcher included."""
    url = "https://board.example.org/sub/"
    same = {"site_url": url, "use_directory_urls": directory_urls}
    fast = _build_in_process(_plain_config(tmp_path, FIXTURE, name="fast.yml", site="fast", **same))
    slow = _build_in_process(_plain_config(tmp_path, FIXTURE, name="slow.yml", site="slow", page_shells=False, **same))
    models = len(list(FIXTURE.glob("*/*/*/model.yaml")))
    assert models >= 5
    assert (fast, slow) == (2 * models, 0)  # every model page in both languages, and none when turned off
    fast_files, slow_files = _files(tmp_path / "fast"), _files(tmp_path / "slow")
    assert sorted(fast_files) == sorted(slow_files)
    differing = [path for path in fast_files if fast_files[path] != slow_files[path]]
    assert differing == []
    path = "zh/models/evil/X-1/index.html" if directory_urls else "zh/models/evil/X-1.html"
    page = fast_files[path].decode()
    assert f'<link rel="canonical" href="https://board.example.org/sub/{path.removesuffix("index.html")}">' in page
    assert "\ue000" not in page and "reproboard:" not in page


def test_the_sitemap_lists_every_page_of_both_languages_with_its_twin(tmp_path: Path, fixture_site: Path) -> None:
    _build_in_process(_plain_config(tmp_path, FIXTURE, site="site", site_url="https://board.example.org/"))
    sitemap = (tmp_path / "site" / "sitemap.xml").read_text()
    pages = [p.parent.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site").rglob("index.html")]
    locs = re.findall(r"<loc>https://board\.example\.org/([^<]*)</loc>", sitemap)
    assert sorted(locs) == sorted(p + "/" if p != "." else "" for p in pages)
    assert ('<url><loc>https://board.example.org/zh/models/evil/X-1/</loc><lastmod>2024-08-01</lastmod>\n'
            '    <xhtml:link rel="alternate" hreflang="en" href="https://board.example.org/models/evil/X-1/"/>\n'
            '    <xhtml:link rel="alternate" hreflang="zh" href="https://board.example.org/zh/models/evil/X-1/"/>') in sitemap
    assert gzip.decompress((tmp_path / "site" / "sitemap.xml.gz").read_bytes()).decode() == sitemap
    # Without site_url (a local build) there are no absolute addresses to list.
    assert "<loc>" not in (fixture_site / "sitemap.xml").read_text()


def test_plain_mkdocs_build_refuses_invalid_data_with_the_same_messages(tmp_path: Path) -> None:
    config = _plain_config(tmp_path, _broken_copy(tmp_path))
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "seeds/acme/Alpha-7B/acme-report.yaml:15: $.scores.mmlu.value: 'n/a' is not a number" in done.stderr
    assert not (tmp_path / "plain-site").exists()


def test_the_repositorys_own_data_builds(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _build(REPO, site)
    home = (site / "index.html").read_text()
    rows = home.split("<tbody>")[1].split("</tbody>")[0].count("<tr>")
    assert rows >= 5
    assert _fetched_urls(site) == []
    board = json.loads((site / "api" / "leaderboard.json").read_text())
    assert len(board["models"]) >= 5 and all((site / m["page"] / "index.html").is_file() for m in board["models"])
    _math_category_page_agrees_with_the_downloads(site, board)
    _no_page_shows_a_metric_its_source_did_not_state(site, board)


def _math_category_page_agrees_with_the_downloads(site: Path, board: dict) -> None:
    """The category `math` and the benchmark `math` share an id in seeds/benchmarks.yaml: the category's page shows
    the category's standings, as the downloads give them, never the MATH benchmark's numbers."""
    page = (site / "categories" / "math" / "index.html").read_text()
    table = page.split('id="ranking"')[1].split("</tbody>")[0]
    shown = [(name, float(score)) for name, score in re.findall(r'<a href="[^"]*models/[^"]*">([^<]+)</a>(?:</td>)?<td><b>(-?[\d.]+)</b>', table)]
    ranked = sorted((m for m in board["models"] if m["categories"]["math"]["rank"] is not None),
                    key=lambda m: (m["categories"]["math"]["rank"], -m["categories"]["math"]["score"], m["id"]))
    # The page lists the first TABLE_ROWS (the Open LLM Leaderboard import makes thousands); the downloads list every one.
    assert shown == [(m["name"], m["categories"]["math"]["score"]) for m in ranked][:TABLE_ROWS] and len(shown) >= 3
    qwen = next(m for m in board["models"] if m["id"] == "Qwen/Qwen2-72B-Instruct")
    assert qwen["categories"]["math"]["score"] != qwen["values"]["math"]


def _no_page_shows_a_metric_its_source_did_not_state(site: Path, board: dict) -> None:
    """Every model page's Metric column shows what each run file states, or "not stated": never the registry's default."""
    for row in board["models"]:
        model = json.loads(gzip.decompress((site / row["data"]).read_bytes()))
        page = (site / row["page"] / "index.html").read_text()
        section = page.split('id="results"')[1].split("</tbody>")[0]
        headers = re.findall(r"<th[^>]*>(.*?)</th>", section.split("</thead>")[0])
        results = section.split("<tbody>")[1]
        order = [s.get("metric") or "not stated" for run in model["runs"] for s in run["scores"].values()]  # left out: not stated
        if "Metric" not in headers:  # the same on every row: said once above the table
            assert len(set(order)) == 1 and f"Metric {order[0]}" in re.sub(r"<[^>]+>", "", section.split("<table")[0]), row["id"]
            continue
        column = headers.index("Metric")
        metrics = [re.sub(r"<[^>]+>", "", cells[column].split("<br>")[0]) for cells in  # a cell ends where the next begins
                   (re.split(r"<td>", r)[1:] for r in re.split(r"<tr[^>]*>", results)[1:])]
        assert sorted(metrics) == sorted(order), row["id"]
    deepseek = (site / "models" / "deepseek-ai" / "DeepSeek-V2" / "index.html").read_text()
    disputes = deepseek.split('id="disputes"')[1].split('id="runs"')[0]
    arc = next(part for part in disputes.split('<p class="rb-legend">') if '<th scope="row">ARC-Challenge</th>' in part)  # its legend and table
    assert "acc_norm" not in arc and '<span class="rb-unstated">not stated</span>' in arc  # the Qwen card states no metric


def _switcher(page: str) -> dict[str, str]:
    """The header's language menu: language -> link."""
    return {lang: href for href, lang in re.findall(r'<a href="([^"]*)" hreflang="([^"]+)" class="md-select__link">', page)}


@pytest.mark.parametrize("path", ["models/acme/Alpha-7B/", "benchmarks/mmlu/", "categories/math/", "", "about/"])
def test_the_language_switcher_leads_to_the_same_page_in_the_other_language(fixture_site: Path, path: str) -> None:
    english = (fixture_site / path / "index.html").read_text()
    chinese = (fixture_site / "zh" / path / "index.html").read_text()
    depth = path.count("/")
    assert _switcher(english) == {"en": "./", "zh": "../" * depth + "zh/" + path}
    assert _switcher(chinese) == {"en": "../" * (depth + 1) + path or "../", "zh": "./"}


def test_the_chinese_site_is_in_chinese_with_names_and_numbers_as_given(fixture_site: Path) -> None:
    home = (fixture_site / "zh" / "index.html").read_text()
    assert '<html lang="zh"' in home and "<title>排行榜 - ReproBoard</title>" in home
    assert ">排名</th>" in home and ">数学</th>" in home and "Alpha-7B" in home
    nav = home.split('<nav class="md-nav md-nav--primary')[1].split("</nav>")[0]
    assert "方法说明" in nav and "如何阅读排行榜" in nav
    tabs = home.split('<nav class="md-tabs"')[1].split("</nav>")[0]
    assert "方法说明" in tabs and "下载" in tabs
    assert "使用 <a href=" in home and "Made with" not in home  # the footer too
    assert 'id="ranks"' in (fixture_site / "zh" / "methodology" / "index.html").read_text()
    model = (fixture_site / "zh" / "models" / "acme" / "Alpha-7B" / "index.html").read_text()
    assert "<h1>Alpha-7B</h1>" in model and "运行与来源" in model


def test_the_downloads_are_written_once_and_both_languages_link_to_them(fixture_site: Path) -> None:
    assert not (fixture_site / "zh" / "api").exists()
    downloads = (fixture_site / "zh" / "downloads" / "index.html").read_text()
    assert 'href="../../api/leaderboard.csv"' in downloads


def test_the_error_page_exists_in_both_languages(fixture_site: Path) -> None:
    english = (fixture_site / "404.html").read_text()
    chinese = (fixture_site / "zh" / "404.html").read_text()
    assert '<html lang="en"' in english and "404 – Page not found" in english and 'href="/zh/"' in english and "前往排行榜" in english
    assert '<html lang="zh"' in chinese and "404 – 页面未找到" in chinese and "Go to the leaderboard" in chinese


def test_chinese_text_is_segmented_into_words_for_the_search(fixture_site: Path) -> None:
    index = json.loads((fixture_site / "search" / "search_index.json").read_text())
    assert "\\u200b" in index["config"]["separator"]  # the regular expression's escape for U+200B
    reasoning = next(doc for doc in index["docs"] if doc["location"] == "zh/categories/reasoning/")
    assert "与\u200b科学\u200b推理" in reasoning["text"]  # jieba's words, joined by zero-width spaces
    assert any(doc["location"] == "models/acme/Alpha-7B/" for doc in index["docs"])


def test_every_page_parses_as_html_without_an_error(fixture_site: Path) -> None:
    """Issue #11: valid HTML. Each page of the site, in both languages, parsed by the WHATWG algorithm (html5lib)
    without a parse error: open rows and cells (html.table) are closed by the parser as the standard says, not
    repaired."""
    import html5lib

    pages = sorted(fixture_site.rglob("*.html"))
    assert len(pages) >= 40
    found = {}
    for path in pages:
        parser = html5lib.HTMLParser(strict=False)
        parser.parse(path.read_bytes())
        if parser.errors:
            found[path.relative_to(fixture_site).as_posix()] = [error for _, error, _ in parser.errors[:3]]
    assert found == {}
