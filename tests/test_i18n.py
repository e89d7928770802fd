"""The site in English and Simplified Chinese: one catalogue per language with the same keys and
placeholders, the registry in both languages, and each generated page's twin in the other language."""

from __future__ import annotations

import datetime as dt
import functools
import re
import string
from pathlib import Path

import pytest
import yaml

from builder.board.aggregate import build_board
from builder.check.validate import validate
from builder.load.registry import registry_from_data
from builder.render.i18n import languages, strings
from builder.render.pages import Site

FIXTURE = Path(__file__).parent / "site_fixture"
STRINGS = Path(__file__).parent.parent / "builder" / "render" / "strings"
HAN = re.compile(r"[\u4e00-\u9fff]")


@functools.cache
def _catalogue(language: str) -> dict[str, str]:
    return yaml.safe_load((STRINGS / f"{language}.yaml").read_text(encoding="utf-8"))


def _placeholders(template: str) -> set[str]:
    return {field for _, field, spec, _ in string.Formatter().parse(template) if field is not None}


def test_the_site_has_an_english_and_a_chinese_catalogue() -> None:
    assert languages() == ["en", "zh"]


def test_every_string_exists_in_both_languages() -> None:
    en, zh = _catalogue("en"), _catalogue("zh")
    assert sorted(set(en) - set(zh)) == [], "in en.yaml, missing from zh.yaml"
    assert sorted(set(zh) - set(en)) == [], "in zh.yaml, missing from en.yaml"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_no_string_is_empty(language: str) -> None:
    assert [k for k, v in _catalogue(language).items() if not isinstance(v, str) or not v.strip()] == []


def test_both_languages_fill_in_the_same_placeholders() -> None:
    en, zh = _catalogue("en"), _catalogue("zh")
    assert {k: _placeholders(v) for k, v in zh.items()} == {k: _placeholders(v) for k, v in en.items()}


def test_the_chinese_catalogue_is_chinese() -> None:
    zh = _catalogue("zh")
    # Values that are only a placeholder, a unit or a proper name need no Chinese characters.
    allowed = {"radar.this", "meta.params_value", "meta.hub", "weights.api"}
    assert [k for k, v in zh.items() if not HAN.search(v) and k not in allowed] == []


def test_the_chinese_strings_format_like_the_english_ones() -> None:
    en, zh = strings("en"), strings("zh")
    values = {"name": "Qwen2-7B", "models": 3, "benchmarks": 4, "categories": 2, "covered": 1, "total": 2, "first": 1, "last": 2,
              "best": 1, "worst": 3, "publisher": "Org", "title": "Report", "user": "alice", "date": "2024-06-01", "active": 2,
              "reading": "R", "method": "M", "count": 5, "shown": 1, "csv": "c", "x": 7.0, "y": 50.0, "unranked": 2, "comparisons": 9,
              "groups": 3, "reason": "why", "benchmark": "MMLU", "setting": "n_shot=8", "table": "T", "default": 5, "metric": "acc",
              "filter": "none", "mark": "◇", "not_stated": "not stated", "n_shot": 5, "max": 4, "names": "A, B", "id": "a/b"}
    for key in en.keys():
        used = {k: v for k, v in values.items() if k in _placeholders(_catalogue("en")[key])}
        assert en(key, **used) and zh(key, **used)


@pytest.fixture(scope="module")
def sites() -> tuple[Site, Site]:
    report = validate(FIXTURE, today=dt.date(2025, 1, 1))
    assert report.errors == []
    board = build_board(report.parsed, report.registry)
    english = Site(board)
    return english, Site(board, language="zh", prefixed=True, context=english.ctx, shared_files=False)


def test_every_generated_page_has_a_chinese_twin_under_zh(sites: tuple[Site, Site]) -> None:
    english, chinese = sites
    assert [p.logical for p in chinese.pages()] == [p.logical for p in english.pages()]
    pairs = {p.logical: (e.dest, p.dest, p.src) for e, p in zip(english.pages(), chinese.pages())}
    assert pairs["models/acme/Alpha-7B.md"] == ("models/acme/Alpha-7B/index.html", "zh/models/acme/Alpha-7B/index.html",
                                                 "models/acme/Alpha-7B.zh.md")
    assert pairs["benchmarks/mmlu.md"][1] == "zh/benchmarks/mmlu/index.html"
    assert pairs["categories/math.md"][1] == "zh/categories/math/index.html"
    assert pairs["index.md"] == ("index.html", "zh/index.html", "index.zh.md")


def test_the_chinese_pages_are_in_chinese_and_names_and_numbers_stay_as_given(sites: tuple[Site, Site]) -> None:
    english, chinese = sites
    home = chinese.render("index.zh.md")
    assert "<h1>排行榜</h1>" in home and ">排名</th>" in home and ">数学</th>" in home
    model = chinese.render("models/acme/Alpha-7B.zh.md")
    en_model = english.render("models/acme/Alpha-7B.md")
    assert "全部结果" in model and "<h1>Alpha-7B</h1>" in model
    assert re.findall(r'class="rb-num"[^>]*>([0-9.]+)<', model) == re.findall(r'class="rb-num"[^>]*>([0-9.]+)<', en_model)
    category = chinese.render("categories/math.zh.md")
    assert "<h1>数学</h1><p>解数学题。</p>" in category
    benchmark = chinese.render("benchmarks/mmlu.zh.md")
    assert "<h1>MMLU</h1><p>涵盖 57 个学科的选择题。</p>" in benchmark


def test_chinese_pages_link_to_the_one_copy_of_the_downloads(sites: tuple[Site, Site]) -> None:
    english, chinese = sites
    assert list(chinese.files()) == [] and "api/leaderboard.csv" in chinese.shared_paths()
    model = chinese.render("models/acme/Alpha-7B.zh.md")
    assert 'href="../../../../api/models/acme/Alpha-7B.json.gz"' in model
    assert 'href="../../../api/models/acme/Alpha-7B.json.gz"' in english.render("models/acme/Alpha-7B.md")


def test_the_registry_carries_every_name_and_description_in_chinese() -> None:
    data = yaml.safe_load((Path(__file__).parent.parent / "seeds" / "benchmarks.yaml").read_text(encoding="utf-8"))
    registry = registry_from_data(data)
    for entry in registry.categories + registry.benchmarks:  # type: ignore[operator]
        assert entry.name_zh and HAN.search(entry.description_zh), entry.id
    assert registry.benchmark("ifeval").name_in("zh") == "IFEval"  # a proper name stays as it is
    assert next(c for c in registry.categories if c.id == "instruction").name_in("zh") == "指令遵循"
