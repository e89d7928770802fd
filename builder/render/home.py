"""The home page: the overall leaderboard.

The first `PAGE_SIZE` rows are written as HTML (readable without JavaScript); the whole
board goes into a JSON block that `docs/assets/reproboard/board.js` sorts, filters,
searches and pages. The per-benchmark columns (hidden until the reader shows them) are
in a separate file that the script fetches on first use, so the page stays small.
"""

from __future__ import annotations

from typing import Any

from builder.board.aggregate import NO_SCORE
from builder.board.model import Board, CategoryStanding, Model, Run
from builder.board.ranking import REASONS, Standing
from builder.render import escape
from builder.render.html import evidence_text, fixed, model_link, params, standing_rank_cell, standing_score, weights_label
from builder.render.i18n import Strings
from builder.render.urls import Urls

PAGE_SIZE = 50
"""Rows per page: the DOM work of a sort or a filter grows with it (about 1 ms a row in Chromium on two busy cores)."""
COMPARE_MAX = 4
"""At most this many models side by side on the compare page."""
HERE = Urls.HOME
STATUS_CODE = {"reported": "r", "submitted": "s", "verified": "v"}
"""One letter per counted cell in the benchmark-column file; upper case when disputed."""
UNRANKED_REASONS = (NO_SCORE, *REASONS)
"""Every reason a model may be not ranked: the board's own (no usable score) and the ranking's."""

JS_STRINGS = (
    "home.showing", "home.none", "home.prev", "home.next", "weights.open", "weights.api", "status.reported", "status.submitted",
    "status.verified", "status.disputed", "rank.interval", "rank.exact", "rank.unranked", "home.loading", "home.sort_hint",
    "prov.reported_by", "prov.submitted_by", "prov.contributor", "evidence.text", "home.cat_partial", "home.cat_unranked",
    "home.maker_hidden", "home.pick", "home.compare_n", "home.compare_need", "home.compare_full", "home.column_shown",
    *(f"unranked.{reason}" for reason in UNRANKED_REASONS),
)


def _unranked(standing: Standing) -> bool:
    return standing.rank is None or standing.unranked is not None


def _category_cell(c: CategoryStanding, t: Strings, href: str) -> str:
    """A category's score, marked when it rests on part of the category's benchmarks; "–" when not ranked in it."""
    s = c.standing
    if _unranked(s):
        title = t("home.cat_unranked", reason=t("unranked." + (s.unranked or NO_SCORE)), covered=c.covered, total=c.total)
        return f'<td class="rb-n" title="{escape.attr(title)}"><a href="{escape.attr(href)}">–</a></td>'
    partial = ""
    if c.covered < c.total:
        partial = f' <sup class="rb-partial" title="{escape.attr(t("home.cat_partial", covered=c.covered, total=c.total))}">{c.covered}/{c.total}</sup>'
    return f'<td class="rb-n"><a href="{escape.attr(href)}">{fixed(s.score)}</a>{partial}</td>'


def _row(model: Model, t: Strings, urls: Urls) -> str:
    """One table row; board.js renders the same markup (keep the two in step)."""
    s = model.standing
    if _unranked(s):
        reason = t("unranked." + (s.unranked or NO_SCORE))
        score = f'<span class="rb-reason">{escape.text(reason)}</span>'
    else:
        score = standing_score(s.score, s.score_low, s.score_high)
    cells = [
        f'<td class="rb-c-rank">{standing_rank_cell(s.rank, s.unranked, t)}</td>',
        f'<td class="rb-c-model">{model_link(model, urls, HERE)}</td>',
        f'<td class="rb-n rb-c-score">{score}</td>',
        f"<td>{escape.text(model.organisation)}</td>",
        f'<td class="rb-n">{params(model.parameters)}</td>',
        f"<td>{escape.text(t('type.' + model.model_type))}</td>",
        f"<td>{escape.text(weights_label(model, t))}</td>",
        f"<td>{escape.text(model.license)}</td>",
        f"<td>{escape.text(model.release_date or '')}</td>",
        f'<td class="rb-n">{escape.text(evidence_text(s.benchmarks, s.comparisons, len(s.groups), t))}</td>',
    ]
    for category in model.categories:
        cells.append(_category_cell(category, t, urls.href(urls.category(category.category_id), HERE)))
    return ('<tr class="rb-unranked-row">' if _unranked(s) else "<tr>") + "".join(cells) + "</tr>"


def _header(t: Strings, categories: list[tuple[str, str]], urls: Urls) -> str:
    fixed_cols = [
        ("rank", "col.rank"), ("name", "col.model"), ("score", "col.score"), ("org", "col.organisation"), ("params", "col.parameters"),
        ("type", "col.type"), ("open", "col.weights"), ("license", "col.license"), ("date", "col.released"),
        ("evidence", "col.evidence"),
    ]
    cells = [f'<th scope="col" data-key="{key}" title="{escape.attr(t(label + "_title"))}">{escape.text(t(label))}</th>' for key, label in fixed_cols]
    for category_id, name in categories:
        cells.append(f'<th scope="col" data-key="cat:{escape.attr(category_id)}" title="{escape.attr(t("col.category_title", name=name))}">'
                     f"{escape.text(name)}</th>")
    return "<thead><tr>" + "".join(cells) + "</tr></thead>"


def makers_first(board: Board) -> bool:
    """Whether the board opens on the makers' own models: when it has both them and others (fine-tunes, merges,
    community uploads), so that a first look shows the labs' models, with the others one choice away."""
    return any(m.makers_own for m in board.models) and not all(m.makers_own for m in board.models)


def _maker_filter(board: Board, t: Strings) -> str:
    """Makers' own models / the others / all, each with its count, so that no reader thinks the others are gone."""
    if not makers_first(board):
        return ""
    own = sum(1 for m in board.models if m.makers_own)
    choices = [("1", t("filter.makers", count=own)), ("0", t("filter.others", count=len(board.models) - own)),
               ("all", t("filter.all_count", count=len(board.models)))]
    options = "".join(f'<option value="{v}"{" selected" if v == "1" else ""}>{escape.text(label)}</option>' for v, label in choices)
    return f'<label>{escape.text(t("filter.maker"))} <select id="rb-maker">{options}</select></label>'


def _controls(board: Board, t: Strings, categories: list[tuple[str, str]]) -> str:
    def options(values: list[str], all_key: str, label_of: Any = lambda v: v) -> str:
        opts = [f'<option value="">{escape.text(t(all_key))}</option>']
        opts += [f'<option value="{escape.attr(v)}">{escape.text(label_of(v))}</option>' for v in values]
        return "".join(opts)

    orgs = sorted({m.organisation for m in board.models}, key=str.casefold)
    licenses = sorted({m.license for m in board.models})
    types = sorted({m.model_type for m in board.models})
    chooser = []
    for category_id, name in categories:
        boxes = "".join(
            f'<label><input type="checkbox" data-bench="{escape.attr(b.id)}"> {escape.text(b.name_in(t.language))}</label>'
            for b in board.registry.benchmarks if b.id in board.benchmarks and b.category == category_id
        )
        chooser.append(f'<fieldset><legend>{escape.text(name)}</legend>{boxes}</fieldset>')
    return (
        f'<form class="rb-controls" id="rb-controls" hidden role="search" aria-label="{escape.attr(t("home.filters"))}">'
        f'<label>{escape.text(t("filter.search"))} <input type="search" id="rb-search" placeholder="{escape.attr(t("filter.search_placeholder"))}"></label>'
        + _maker_filter(board, t) +
        f'<label>{escape.text(t("filter.weights"))} <select id="rb-open"><option value="">{escape.text(t("filter.all"))}</option>'
        f'<option value="1">{escape.text(t("weights.open"))}</option><option value="0">{escape.text(t("weights.api"))}</option></select></label>'
        f'<label>{escape.text(t("filter.type"))} <select id="rb-type">{options(types, "filter.all", lambda v: t("type." + v))}</select></label>'
        f'<label>{escape.text(t("filter.organisation"))} <select id="rb-org">{options(orgs, "filter.all")}</select></label>'
        f'<label>{escape.text(t("filter.license"))} <select id="rb-license">{options(licenses, "filter.all")}</select></label>'
        f'<label>{escape.text(t("filter.params_min"))} <input type="number" id="rb-pmin" min="0" step="any" size="6"></label>'
        f'<label>{escape.text(t("filter.params_max"))} <input type="number" id="rb-pmax" min="0" step="any" size="6"></label>'
        f'<details class="rb-columns"><summary>{escape.text(t("filter.columns"))}</summary>{"".join(chooser)}</details>'
        f"</form>"
    )


def _legend(t: Strings, urls: Urls) -> str:
    reading = escape.attr(urls.href(Urls.READING, HERE))
    method = escape.attr(urls.href(Urls.METHODOLOGY, HERE))
    return (
        f'<p class="rb-legend">{escape.text(t("home.score_explained"))}'  # its sentence ends as the language writes it
        + t.html("home.legend_more", markup={
            "reading": f'<a href="{reading}">{escape.text(t("nav.reading"))}</a>',
            "method": f'<a href="{method}">{escape.text(t("nav.methodology"))}</a>',
        })
        + "</p>"
    )


def _toolbar(t: Strings, urls: Urls) -> str:
    """Beside the table: the download (works without JavaScript) and the comparison bar (filled by board.js)."""
    csv = escape.attr(urls.href(Urls.CSV, HERE))
    return (
        '<div class="rb-toolbar">'
        f'<p class="rb-compare-bar" id="rb-compare-bar" hidden><span id="rb-compare-picked"></span> '
        f'<a class="md-button md-button--primary" id="rb-compare-go" href="{escape.attr(urls.href(Urls.COMPARE, HERE))}">{escape.text(t("home.compare"))}</a> '
        f'<button type="button" class="md-button" id="rb-compare-clear">{escape.text(t("home.compare_clear"))}</button></p>'
        f'<a class="md-button rb-download" href="{csv}" download>{escape.text(t("home.download_csv"))}</a>'
        "</div>"
    )


def home_data(board: Board, t: Strings, urls: Urls) -> dict[str, Any]:
    """The JSON the script reads: columns of values, one entry per model in board order (ranked, then not ranked)."""
    models = board.models
    categories = [c.id for c in board.registry.categories if c.id in board.categories]
    model_base = urls.href("models/x/y.md", HERE)
    prefix, suffix = model_base.split("x/y", 1)
    standings = [m.standing for m in models]
    return {
        "strings": {key: t(key) for key in JS_STRINGS},
        "types": {m.model_type: t("type." + m.model_type) for m in models},
        "pageSize": PAGE_SIZE,
        "modelUrl": [prefix, suffix],
        "categoryUrls": [urls.href(urls.category(c), HERE) for c in categories],
        "categoryTotals": [sum(1 for b in board.benchmarks if board.registry.benchmark(b).category == c) for c in categories],  # type: ignore[union-attr]
        "benchmarkColumns": urls.href(Urls.BENCHMARK_COLUMNS, HERE),
        "compareUrl": urls.href(Urls.COMPARE, HERE),
        "compareMax": COMPARE_MAX,
        "makerDefault": "1" if makers_first(board) else "all",
        "aliases": {org: [n for n in names if n != org] for org, names in board.organisation_names.items()},
        "benchmarks": [
            {"id": b, "name": board.registry.benchmark(b).name_in(t.language), "url": urls.href(urls.benchmark(b), HERE)}  # type: ignore[union-attr]
            for b in board.benchmarks
        ],
        "m": {
            "id": [m.id for m in models],
            "name": [m.name for m in models],
            "org": [m.organisation for m in models],
            "params": [m.parameters for m in models],
            "type": [m.model_type for m in models],
            "open": [1 if m.open_weights else 0 for m in models],
            "maker": [1 if m.makers_own else 0 for m in models],
            "license": [m.license for m in models],
            "date": [m.release_date for m in models],
            "score": [None if _unranked(s) else s.score for s in standings],
            "lo": [None if _unranked(s) else s.score_low for s in standings],
            "hi": [None if _unranked(s) else s.score_high for s in standings],
            "rank": [None if _unranked(s) else s.rank.best for s in standings],  # type: ignore[union-attr]
            "worst": [None if _unranked(s) else s.rank.worst for s in standings],  # type: ignore[union-attr]
            "why": [(s.unranked or NO_SCORE) if _unranked(s) else None for s in standings],
            "nb": [s.benchmarks for s in standings],
            "nc": [s.comparisons for s in standings],
            "ng": [len(s.groups) for s in standings],
            "cat": [[None if _unranked(c.standing) else c.standing.score for c in m.categories] for m in models],
            "catWhy": [[(c.standing.unranked or NO_SCORE) if _unranked(c.standing) else None for c in m.categories] for m in models],
            "cov": [[c.covered for c in m.categories] for m in models],
        },
    }


def source_of(run: Run) -> list[str]:
    """Who published or submitted a number, without words of any language: `["r", publisher, title]`,
    `["c", contributor, publisher, title]` (a contributor's reported file) or `["s", user, date]`; board.js
    words it with `prov.reported_by`, `prov.contributor` or `prov.submitted_by`."""
    if run.source:
        if run.voice == "contributor":
            return ["c", run.submitted_by, run.source.publisher, run.source.title]
        return ["r", run.source.publisher, run.source.title]
    return ["s", run.submitted_by, run.submitted_on]


def benchmark_columns(board: Board) -> dict[str, Any]:
    """The per-benchmark cells, fetched when the reader shows a benchmark column; one file for every language.

    `v[b][i]` is model i's counted score on benchmark b (or null), `s[b]` one status letter
    per model (`r`/`s`/`v`, upper case when disputed, `-` for none), `o[b][i]` an index
    into `sources` (who published or submitted it, as `source_of` gives it).
    """
    index = {m.id: i for i, m in enumerate(board.models)}
    sources: dict[tuple[str, ...], int] = {}
    values: dict[str, list[float | None]] = {}
    status: dict[str, list[str]] = {}
    origin: dict[str, list[int]] = {}
    for b in board.benchmarks:
        values[b] = [None] * len(index)
        status[b] = ["-"] * len(index)
        origin[b] = [-1] * len(index)
        for score in board.scores_on(b):
            if not score.counts:
                continue
            i = index[score.model_id]
            values[b][i] = score.value
            code = STATUS_CODE[score.status]
            status[b][i] = code.upper() if score.disputed else code
            origin[b][i] = sources.setdefault(tuple(source_of(board.run(score.run_path))), len(sources))
    return {"v": values, "s": {b: "".join(s) for b, s in status.items()}, "o": origin, "sources": [list(k) for k in sources]}


def home_page(board: Board, t: Strings, urls: Urls) -> str:
    categories = [(c.id, c.name_in(t.language)) for c in board.registry.categories if c.id in board.categories]
    models = [m for m in board.models if m.makers_own] if makers_first(board) else board.models  # what board.js shows first
    rows = "".join(_row(m, t, urls) for m in models[:PAGE_SIZE])
    intro = t.html("home.intro", models=len(board.overall.ranked), unranked=len(board.overall.unranked), benchmarks=len(board.benchmarks),
                   categories=len(categories))
    shown = t("home.showing", first=1 if models else 0, last=min(PAGE_SIZE, len(models)), total=len(models))
    if len(models) < len(board.models):
        shown += " · " + t("home.maker_hidden", count=len(board.models) - len(models))
    return (
        f'<h1>{escape.text(t("home.title"))}</h1><p class="rb-lede">{intro}</p>'
        + _legend(t, urls) + _controls(board, t, categories)
        + _toolbar(t, urls)
        + f'<div class="rb-table-wrap rb-board-wrap" id="rb-board-wrap" data-search-exclude tabindex="0" role="region" aria-label="{escape.attr(t("home.title"))}">'
        + f'<table class="rb-table rb-board" id="rb-board">{_header(t, categories, urls)}'
        + f"<tbody>{rows}</tbody></table></div>"
        + f'<p class="rb-pager" id="rb-pager"><span id="rb-status" role="status" aria-live="polite">{escape.text(shown)}</span></p>'
        + f'<noscript><p>{escape.text(t("home.noscript", count=PAGE_SIZE))}</p></noscript>'
        + f'<script type="application/json" id="rb-board-data">{escape.script_json(home_data(board, t, urls))}</script>'
    )
