"""Category pages, benchmark pages, their indexes and the charts page."""

from __future__ import annotations

from builder.board.model import Model, Run, Score
from builder.board.ranking import Standing
from builder.load.registry import Benchmark
from builder.render import charts, escape
from builder.render.context import Context
from builder.render.html import (
    definition_table,
    evidence_text,
    model_link,
    rank_cell,
    raw,
    score_cell,
    source_cell,
    standing_rank_cell,
    standing_score,
    stated,
    table,
)
from builder.render.i18n import Strings
from builder.render.urls import Urls

TABLE_ROWS = 100
"""Longest ranking written into a category or benchmark page; the downloads have every row. At 500 a benchmark page
of the 5,000-model board weighed 700 KB and the benchmark pages of both languages 57 MB (bench/bench_build.py)."""
BAR_ROWS = 15
DIFFERS_MARK = "◇"
"""After a setting that differs from the board's protocol for the benchmark (n-shot, metric, filter, a setting note)."""


def _model_link(model: Model, ctx: Context, here: str) -> str:
    """A link to a model page; the same on every category or benchmark page (they share a depth), so made once."""
    return ctx.once(("catalog.model", str(ctx.urls.depth(here)), model.id), lambda: model_link(model, ctx.urls, here))


def _more(ctx: Context, here: str, shown: int, total: int) -> str:
    if shown >= total:
        return ""
    csv = escape.attr(ctx.urls.href(Urls.CSV, here))
    anchor = f'<a href="{csv}">leaderboard.csv</a>'
    return f'<p class="rb-more">{ctx.t.html("table.truncated", markup={"csv": anchor}, shown=shown, total=total)}</p>'


def categories_index(ctx: Context) -> str:
    board, t, urls = ctx.board, ctx.t, ctx.urls
    here = Urls.CATEGORIES
    parts = [f'<h1>{escape.text(t("categories.title"))}</h1><p>{escape.text(t("categories.intro"))}</p>']
    for category in board.registry.categories:
        if category.id not in board.categories:
            continue
        members = [b for b in board.registry.benchmarks if b.category == category.id and b.id in board.benchmarks]
        links = ", ".join(f'<a href="{escape.attr(urls.href(urls.benchmark(b.id), here))}">{escape.text(b.name_in(t.language))}</a>' for b in members)
        parts.append(f'<h2><a href="{escape.attr(urls.href(urls.category(category.id), here))}">{escape.text(category.name_in(t.language))}</a></h2>'
                     f"<p>{escape.text(category.description_in(t.language))}</p><p>{escape.text(t('categories.benchmarks'))} {links}</p>")
    return "".join(parts)


def _standing_row(standing: Standing, model: Model, ctx: Context, here: str) -> list[str]:
    """Rank (with its interval, or "not ranked"), model, score (with its interval) and the evidence behind it."""
    t = ctx.t
    evidence = evidence_text(standing.benchmarks, standing.comparisons, len(standing.groups), t)
    if standing.rank is None or standing.unranked is not None:
        evidence = t("unranked." + (standing.unranked or "no-score")) + " · " + evidence
    return [standing_rank_cell(standing.rank, standing.unranked, t), _model_link(model, ctx, here),
            standing_score(standing.score, standing.score_low, standing.score_high), escape.text(evidence)]


def category_page(category_id: str, ctx: Context) -> str:
    board, t, urls = ctx.board, ctx.t, ctx.urls
    here = urls.category(category_id)
    category = next(c for c in board.registry.categories if c.id == category_id)
    name = category.name_in(t.language)
    members = [b for b in board.registry.benchmarks if b.category == category_id and b.id in board.benchmarks]
    standings = board.category_rankings[category_id]  # the category's own ranking, never a benchmark's of the same id
    top = standings.ranked[:BAR_ROWS]
    points = [(board.model(s.model_id).name, s.score, s.score_low, s.score_high, urls.href(urls.model(s.model_id), here)) for s in top]
    chart = charts.intervals(f"rb-cat-{category_id}", points, title=t("chart.category_title", name=name),  # type: ignore[arg-type]
                             description=t("chart.category_desc", name=name, count=len(points)) + " "
                             + "; ".join(f"{label}: {score:.2f} [{low:.2f}, {high:.2f}]" for label, score, low, high, _ in points))
    # Ranked models, then those with a score in the category that are not ranked; models without one are left out.
    listed = list(standings.ranked) + [s for s in standings.unranked if board.model(s.model_id).category(category_id).covered]  # type: ignore[union-attr]
    rows = []
    for s in listed[:TABLE_ROWS]:
        model = board.model(s.model_id)
        c = model.category(category_id)
        assert c is not None
        cells = _standing_row(s, model, ctx, here) + [f"{c.covered}/{c.total}"]
        for b in members:
            score = board.counted(model.id, b.id)
            cells.append(score_cell(score, ctx, here) if score else "–")
        rows.append(cells)
    headers = [t("col.rank"), t("col.model"), t("col.score"), t("col.evidence"), t("col.coverage")] + [b.name_in(t.language) for b in members]
    bench_links = "".join(f'<li><a href="{escape.attr(urls.href(urls.benchmark(b.id), here))}">{escape.text(b.name_in(t.language))}</a>: {escape.text(b.description_in(t.language))}</li>' for b in members)
    method = f'<a href="{escape.attr(urls.href(Urls.METHODOLOGY, here))}">{escape.text(t("nav.methodology"))}</a>'
    return (
        f'<h1>{escape.text(name)}</h1><p>{escape.text(category.description_in(t.language))}</p>'
        f'<p>{t.html("category.rule", markup={"method": method})}</p>'
        f'<figure class="rb-figure">{chart}</figure>'
        f'<h2 id="ranking">{escape.text(t("category.ranking"))}</h2>{table(headers, rows)}{_more(ctx, here, len(rows), len(listed))}'
        f'<h2 id="benchmarks">{escape.text(t("category.benchmarks"))}</h2><ul>{bench_links}</ul>'
    )


def benchmarks_index(ctx: Context) -> str:
    board, t, urls = ctx.board, ctx.t, ctx.urls
    here = Urls.BENCHMARKS
    rows = []
    for b in board.registry.benchmarks:
        if b.id not in board.benchmarks:
            continue
        rows.append([
            f'<a href="{escape.attr(urls.href(urls.benchmark(b.id), here))}">{escape.text(b.name_in(t.language))}</a>',
            f'<a href="{escape.attr(urls.href(urls.category(b.category), here))}">{escape.text(ctx.category_names[b.category])}</a>',
            escape.text(b.metric), str(b.default_n_shot), f"{b.size:,}", raw(b.random_baseline), str(len(board.benchmark_rankings[b.id].entries)),
        ])
    headers = [t("col.benchmark"), t("col.category"), t("col.protocol_metric"), t("col.n_shot"), t("col.size"), t("col.baseline"), t("col.models")]
    return f'<h1>{escape.text(t("benchmarks.title"))}</h1><p>{escape.text(t("benchmarks.intro"))}</p>' + table(headers, rows, search_exclude=False)


def _differs(title: str) -> str:
    return f' <span class="rb-mark rb-differs" title="{escape.attr(title)}">{DIFFERS_MARK}</span>'


def _setting_cells(score: Score, b: Benchmark, run: Run, t: Strings) -> list[str]:
    """n-shot, metric, filter and setting as the source states them ("not stated" where it does not), each marked where
    it differs from the board's protocol for the benchmark."""
    n_shot = stated(score.n_shot, t)
    if score.n_shot is not None and score.n_shot != b.default_n_shot:
        n_shot += _differs(t("bench.differs_n_shot", default=b.default_n_shot))
    metric = stated(score.metric, t)
    if score.metric is not None and score.metric != b.metric:
        metric += _differs(t("bench.differs_metric", metric=b.metric))
    filter_name = stated(score.filter, t)
    if score.filter is not None and score.filter != b.filter:
        filter_name += _differs(t("bench.differs_filter", filter=b.filter))
    if score.setting_note:
        setting = escape.text(score.setting_note) + _differs(t("bench.differs_setting"))
    elif run.kind == "submitted" and score.task:
        setting = f"<code>{escape.text(score.task)}</code>"
    else:
        setting = stated(None, t)
    return [n_shot, metric, filter_name, setting]


def benchmark_page(benchmark_id: str, ctx: Context) -> str:
    board, t, urls = ctx.board, ctx.t, ctx.urls
    here = urls.benchmark(benchmark_id)
    b = board.registry.benchmark(benchmark_id)
    assert b is not None
    meta = definition_table([
        (t("bench.category"), f'<a href="{escape.attr(urls.href(urls.category(b.category), here))}">{escape.text(ctx.category_names[b.category])}</a>'),
        (t("bench.metric"), escape.text(f"{b.metric} ({b.filter})")),
        (t("bench.n_shot"), escape.text(str(b.default_n_shot))),
        (t("bench.size"), escape.text(f"{b.size:,}")),
        (t("bench.baseline"), escape.text(raw(b.random_baseline))),
        (t("bench.direction"), escape.text(t("bench.higher") if b.higher_is_better else t("bench.lower"))),
        (t("bench.tasks"), " ".join(f"<code>{escape.text(task)}</code>" for task in b.lm_eval_tasks) or "–"),
        (t("bench.reference"), escape.link(b.url, b.url)),
    ])
    ranking = board.benchmark_rankings[benchmark_id].entries  # the benchmark's own ranking, never a category's of the same id
    rows = [[rank_cell(e.rank.best, e.rank.worst, t), _model_link(board.model(e.model_id), ctx, here),
             score_cell(board.counted(e.model_id, benchmark_id), ctx, here, with_stderr=True)]  # type: ignore[arg-type]
            for e in ranking[:TABLE_ROWS]]
    ranked = table([t("col.rank"), t("col.model"), t("col.score")], rows)
    every = []
    for score in sorted(board.scores_on(benchmark_id), key=lambda s: (s.model_id, not s.counts, s.run_path))[:TABLE_ROWS]:
        run = board.run(score.run_path)
        every.append([_model_link(board.model(score.model_id), ctx, here), score_cell(score, ctx, here, source_shown=True), *_setting_cells(score, b, run, t),
                      source_cell(run, t), escape.text(t("model.counts")) if score.counts else ""])
    headers = [t("col.model"), t("col.score"), t("col.n_shot"), t("col.metric"), t("col.filter"), t("col.setting"), t("col.source"),
               t("col.counted")]
    sources = table(headers, every, css="rb-table rb-sources")
    total_scores = len(board.scores_on(benchmark_id))
    legend = t("bench.sources_intro", mark=DIFFERS_MARK, not_stated=t("value.not_stated"))
    return (
        f'<h1>{escape.text(b.name_in(t.language))}</h1><p>{escape.text(b.description_in(t.language))}</p>{meta}'
        f'<h2 id="ranking">{escape.text(t("bench.ranking"))}</h2><p>{escape.text(t("bench.ranking_intro"))}</p>{ranked}{_more(ctx, here, len(rows), len(ranking))}'
        f'<h2 id="sources">{escape.text(t("bench.sources"))}</h2><p>{escape.text(legend)}</p>{sources}{_more(ctx, here, len(every), total_scores)}'
    )


def _point_group(model: Model) -> str:
    return "open" if model.open_weights else "api"


def charts_page(ctx: Context) -> str:
    board, t, urls = ctx.board, ctx.t, ctx.urls
    here = Urls.CHARTS
    ranked = [board.model(s.model_id) for s in board.overall.ranked]
    score = {s.model_id: s.score for s in board.overall.ranked}
    y_range = charts.score_range([v for v in score.values() if v is not None])
    legend = [("rb-dot rb-open", t("weights.open")), ("rb-dot rb-api", t("weights.api")), ("rb-frontier-key", t("chart.frontier"))]
    sized = [m for m in ranked if m.parameters is not None]
    points = [charts.Point(m.parameters, score[m.id], m.name, urls.href(urls.model(m.id), here), _point_group(m)) for m in sized]  # type: ignore[arg-type]
    frontier = charts.pareto_frontier(points)
    params_desc = t("chart.params_desc", count=len(points)) + " " + t("chart.frontier_list") + " " + "; ".join(
        f"{p.label} ({p.x:g} B, {p.y:.2f})" for p in frontier)
    params_chart = charts.scatter_vs_parameters(
        "rb-params", points, title=t("chart.params_title"), description=params_desc, x_label=t("chart.params_x"),
        y_label=t("chart.score_y"), value_text=t("chart.params_point"), legend=legend, y_range=y_range)
    dated = [(m.release_date, score[m.id], m.name, urls.href(urls.model(m.id), here), _point_group(m)) for m in ranked if m.release_date]
    date_frontier = charts.pareto_frontier([charts.Point(charts._ordinal(d), y, label) for d, y, label, _, _ in dated])  # type: ignore[arg-type]
    date_desc = t("chart.date_desc", count=len(dated)) + " " + t("chart.best_so_far") + " " + "; ".join(f"{p.label} ({p.y:.2f})" for p in date_frontier)
    date_chart = charts.scatter_vs_date(
        "rb-date", dated, title=t("chart.date_title"), description=date_desc, x_label=t("chart.date_x"),  # type: ignore[arg-type]
        y_label=t("chart.score_y"), value_text=t("chart.date_point"), legend=legend, y_range=y_range)
    parts = [f'<h1>{escape.text(t("charts.title"))}</h1><p>{escape.text(t("charts.intro"))}</p>',
             f'<h2 id="parameters">{escape.text(t("chart.params_title"))}</h2><figure class="rb-figure">{params_chart}'
             f'<figcaption>{escape.text(params_desc)}</figcaption></figure>',
             f'<h2 id="release-date">{escape.text(t("chart.date_title"))}</h2><figure class="rb-figure">{date_chart}'
             f'<figcaption>{escape.text(date_desc)}</figcaption></figure>',
             f'<h2 id="categories">{escape.text(t("chart.categories_title"))}</h2>']
    for category_id in board.categories:
        name = ctx.category_names[category_id]
        top = board.category_rankings[category_id].ranked[:10]  # the category's standings, never a benchmark's of the same id
        rows = [(board.model(s.model_id).name, s.score, s.score_low, s.score_high, urls.href(urls.model(s.model_id), here)) for s in top]
        desc = t("chart.category_desc", name=name, count=len(rows)) + " " + "; ".join(
            f"{label}: {v:.2f} [{low:.2f}, {high:.2f}]" for label, v, low, high, _ in rows)
        parts.append(f'<h3>{escape.text(name)}</h3><figure class="rb-figure">'
                     f'{charts.intervals(f"rb-cat-{category_id}", rows, title=t("chart.category_title", name=name), description=desc)}</figure>')  # type: ignore[arg-type]
    return "".join(parts)
