"""The compare page: two to four models side by side, drawn in the browser from the downloads.

The page itself is the same for every selection (one static page per language, so the
site does not grow with the pairs of models); `docs/assets/reproboard/compare.js` reads
the selection from the address (`compare/?m=org/a,org/b`), fetches each model's
`api/models/<org>/<name>.json.gz` (gzip) and sets the numbers side by side. What the script needs
that the model files do not say (names in the page's language, links, the words) is in
the page's JSON block (board.js loads compare.js when it finds it); the picker's list of models (`api/model-index.json`) is fetched
only when the reader adds a model.
"""

from __future__ import annotations

from typing import Any

from builder.board.model import Board
from builder.render import escape
from builder.render.home import COMPARE_MAX, UNRANKED_REASONS
from builder.render.i18n import Strings
from builder.render.urls import Urls

HERE = Urls.COMPARE
SCRIPT = "assets/reproboard/compare.js"
"""Loaded by board.js on the compare page only: the page itself carries no script but its data."""
MODEL_TYPES = ("base", "chat", "fine-tuned", "merge", "adapter", "unknown")
STATUSES = ("reported", "submitted", "verified", "failed", "disputed")
JS_STRINGS = (
    "compare.remove", "compare.need_more", "compare.too_many", "compare.unknown", "compare.loading",
    "compare.shown", "compare.no_match", "compare.overview", "compare.like", "compare.like_intro", "compare.apart",
    "compare.apart_intro", "compare.none", "compare.elsewhere", "compare.setting", "compare.not_stated", "compare.protocol",
    "compare.highest", "compare.radar_title", "compare.radar_desc", "compare.radar_missing",
    "col.rank", "col.score", "col.organisation", "col.parameters", "col.type", "col.weights", "col.license", "col.released",
    "col.evidence", "col.benchmark", "col.category", "weights.open", "weights.api", "rank.interval", "rank.exact",
    "rank.unranked", "prov.reported_by", "prov.submitted_by", "prov.contributor", "evidence.text",
    *(f"type.{kind}" for kind in MODEL_TYPES), *(f"status.{status}" for status in STATUSES),
    *(f"unranked.{reason}" for reason in UNRANKED_REASONS),
)


def model_index(board: Board) -> dict[str, Any]:
    """Every model the compare page can offer, in board order; one file for every language."""
    return {
        "id": [m.id for m in board.models],
        "name": [m.name for m in board.models],
        "org": [m.organisation for m in board.models],
        "aliases": {org: [n for n in names if n != org] for org, names in board.organisation_names.items()},
    }


def compare_data(board: Board, t: Strings, urls: Urls) -> dict[str, Any]:
    """The words, names and links compare.js needs, in the page's language."""
    model_json = urls.href(Urls.model_json("x/y"), HERE)
    model_page = urls.href(Urls.model("x/y"), HERE)
    registry = board.registry
    return {
        "strings": {key: t(key) for key in JS_STRINGS},
        "script": urls.href(SCRIPT, HERE),
        "max": COMPARE_MAX,
        "modelJson": model_json.split("x/y", 1),
        "modelUrl": model_page.split("x/y", 1),
        "modelIndex": urls.href(Urls.MODEL_INDEX, HERE),
        "categories": [
            {"id": c.id, "name": c.name_in(t.language), "url": urls.href(urls.category(c.id), HERE)}
            for c in registry.categories if c.id in board.categories
        ],
        "benchmarks": [
            {"id": b, "name": registry.benchmark(b).name_in(t.language), "category": registry.benchmark(b).category,  # type: ignore[union-attr]
             "url": urls.href(urls.benchmark(b), HERE), "higher": registry.benchmark(b).higher_is_better}  # type: ignore[union-attr]
            for b in board.benchmarks
        ],
    }


def compare_page(board: Board, t: Strings, urls: Urls) -> str:
    return (
        f'<h1>{escape.text(t("compare.title"))}</h1><p class="rb-lede">{escape.text(t("compare.intro"))}</p>'
        f'<noscript><p>{escape.text(t("compare.noscript"))}</p></noscript>'
        f'<form class="rb-controls rb-compare-picker" id="rb-compare-picker" hidden role="search" aria-label="{escape.attr(t("compare.picker"))}">'
        f'<label>{escape.text(t("compare.picker"))} <input type="search" id="rb-compare-find" autocomplete="off" list="rb-compare-options" '
        f'placeholder="{escape.attr(t("compare.picker_placeholder"))}"></label><datalist id="rb-compare-options"></datalist> '
        f'<button type="submit" class="md-button">{escape.text(t("compare.add"))}</button></form>'
        '<p id="rb-compare-status" class="rb-compare-status" role="status" aria-live="polite"></p>'
        '<div id="rb-compare" class="rb-compare" data-search-exclude></div>'
        f'<script type="application/json" id="rb-compare-data">{escape.script_json(compare_data(board, t, urls))}</script>'
    )
