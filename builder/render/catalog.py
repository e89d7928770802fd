"""Category pages, benchmark pages, their indexes and the charts page."""

from __future__ import annotations

from builder.board.model import Model
from builder.render import charts, escape
from builder.render.context import Context
from builder.render.html import definition_table, fixed, model_link, rank_cell, raw, score_cell, source_cell, table
from builder.render.urls import Urls

TABLE_ROWS = 500
"""Longest ranking written into a category or benchmark page; the downloads have every row."""
BAR_ROWS = 15


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


def category_page(category_id: str, ctx: Context) -> str:
    board, t, urls = ctx.board, ctx.t, ctx.urls
    here = urls.category(category_id)
    category = next(c for c in board.registry.categories if c.id == category_id)
    members = [b for b in board.registry.benchmarks if b.category == category_id and b.id in board.benchmarks]
    ranking = board.rankings[category_id].entries
    bars = [(board.model(e.model_id).name, e.value, urls.href(urls.model(e.model_id), here)) for e in ranking[:BAR_ROWS]]
    chart = charts.bars(f"rb-bars-{category_id}", bars, title=t("chart.category_title", name=category.name_in(t.language)),
                        description=t("chart.category_desc", name=category.name_in(t.language), count=len(bars)) + " "
                        + "; ".join(f"{label}: {value:.2f}" for label, value, _ in bars))
    rows = []
    for e in ranking[:TABLE_ROWS]:
        model = board.model(e.model_id)
        c = model.category(category_id)
        assert c is not None
        cells = [rank_cell(e.rank.best, e.rank.worst, t), _model_link(model, ctx, here),
                 f'{fixed(e.value)} <span class="rb-se">± {fixed(e.stderr)}</span>', f"{c.covered}/{c.total}"]
        for b in members:
            score = board.counted(model.id, b.id)
            cells.append(score_cell(score, ctx, here) if score else "–")
        rows.append(cells)
    headers = [t("col.rank"), t("col.model"), t("col.normalised"), t("col.coverage")] + [b.name_in(t.language) for b in members]
    bench_links = "".join(f'<li><a href="{escape.attr(urls.href(urls.benchmark(b.id), here))}">{escape.text(b.name_in(t.language))}</a>: {escape.text(b.description_in(t.language))}</li>' for b in members)
    return (
        f'<h1>{escape.text(category.name_in(t.language))}</h1><p>{escape.text(category.description_in(t.language))}</p>'
        f'<p>{escape.text(t("category.rule"))}</p>'
        f'<figure class="rb-figure">{chart}</figure>'
        f'<h2 id="ranking">{escape.text(t("category.ranking"))}</h2>{table(headers, rows)}{_more(ctx, here, len(rows), len(ranking))}'
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
            escape.text(b.metric), str(b.default_n_shot), f"{b.size:,}", raw(b.random_baseline), str(len(board.rankings[b.id].entries)),
        ])
    headers = [t("col.benchmark"), t("col.category"), t("col.metric"), t("col.n_shot"), t("col.size"), t("col.baseline"), t("col.models")]
    return f'<h1>{escape.text(t("benchmarks.title"))}</h1><p>{escape.text(t("benchmarks.intro"))}</p>' + table(headers, rows, search_exclude=False)


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
    ranking = board.rankings[benchmark_id].entries
    rows = [[rank_cell(e.rank.best, e.rank.worst, t), _model_link(board.model(e.model_id), ctx, here),
             score_cell(board.counted(e.model_id, benchmark_id), ctx, here, with_stderr=True)]  # type: ignore[arg-type]
            for e in ranking[:TABLE_ROWS]]
    ranked = table([t("col.rank"), t("col.model"), t("col.score")], rows)
    every = []
    for score in sorted(board.scores_on(benchmark_id), key=lambda s: (s.model_id, not s.counts, s.run_path))[:TABLE_ROWS]:
        run = board.run(score.run_path)
        every.append([_model_link(board.model(score.model_id), ctx, here), score_cell(score, ctx, here),
                      escape.text("?" if score.n_shot is None else str(score.n_shot)), escape.text(score.setting_note or ""),
                      source_cell(run, t), escape.text(t("model.counts")) if score.counts else ""])
    sources = table([t("col.model"), t("col.score"), t("col.n_shot"), t("col.setting"), t("col.source"), t("col.counted")], every)
    total_scores = len(board.scores_on(benchmark_id))
    return (
        f'<h1>{escape.text(b.name_in(t.language))}</h1><p>{escape.text(b.description_in(t.language))}</p>{meta}'
        f'<h2 id="ranking">{escape.text(t("bench.ranking"))}</h2><p>{escape.text(t("bench.ranking_intro"))}</p>{ranked}{_more(ctx, here, len(rows), len(ranking))}'
        f'<h2 id="sources">{escape.text(t("bench.sources"))}</h2>{sources}{_more(ctx, here, len(every), total_scores)}'
    )


def _point_group(model: Model) -> str:
    return "open" if model.open_weights else "api"


def charts_page(ctx: Context) -> str:
    board, t, urls = ctx.board, ctx.t, ctx.urls
    here = Urls.CHARTS
    ranked = [m for m in board.models if m.average is not None]
    legend = [("rb-dot rb-open", t("weights.open")), ("rb-dot rb-api", t("weights.api")), ("rb-frontier-key", t("chart.frontier"))]
    sized = [m for m in ranked if m.parameters is not None]
    points = [charts.Point(m.parameters, m.average, m.name, urls.href(urls.model(m.id), here), _point_group(m)) for m in sized]  # type: ignore[arg-type]
    frontier = charts.pareto_frontier(points)
    params_desc = t("chart.params_desc", count=len(points)) + " " + t("chart.frontier_list") + " " + "; ".join(
        f"{p.label} ({p.x:g} B, {p.y:.2f})" for p in frontier)
    params_chart = charts.scatter_vs_parameters(
        "rb-params", points, title=t("chart.params_title"), description=params_desc, x_label=t("chart.params_x"),
        y_label=t("chart.average_y"), value_text=t("chart.params_point"), legend=legend)
    dated = [(m.release_date, m.average, m.name, urls.href(urls.model(m.id), here), _point_group(m)) for m in ranked]
    date_frontier = charts.pareto_frontier([charts.Point(charts._ordinal(d), y, label) for d, y, label, _, _ in dated])  # type: ignore[arg-type]
    date_desc = t("chart.date_desc", count=len(dated)) + " " + t("chart.best_so_far") + " " + "; ".join(f"{p.label} ({p.y:.2f})" for p in date_frontier)
    date_chart = charts.scatter_vs_date(
        "rb-date", dated, title=t("chart.date_title"), description=date_desc, x_label=t("chart.date_x"),  # type: ignore[arg-type]
        y_label=t("chart.average_y"), value_text=t("chart.date_point"), legend=legend)
    parts = [f'<h1>{escape.text(t("charts.title"))}</h1><p>{escape.text(t("charts.intro"))}</p>',
             f'<h2 id="parameters">{escape.text(t("chart.params_title"))}</h2><figure class="rb-figure">{params_chart}'
             f'<figcaption>{escape.text(params_desc)}</figcaption></figure>',
             f'<h2 id="release-date">{escape.text(t("chart.date_title"))}</h2><figure class="rb-figure">{date_chart}'
             f'<figcaption>{escape.text(date_desc)}</figcaption></figure>',
             f'<h2 id="categories">{escape.text(t("chart.categories_title"))}</h2>']
    for category_id in board.categories:
        name = ctx.category_names[category_id]
        top = board.rankings[category_id].entries[:10]
        rows = [(board.model(e.model_id).name, e.value, urls.href(urls.model(e.model_id), here)) for e in top]
        desc = t("chart.category_desc", name=name, count=len(rows)) + " " + "; ".join(f"{label}: {value:.2f}" for label, value, _ in rows)
        parts.append(f'<h3>{escape.text(name)}</h3><figure class="rb-figure">'
                     f'{charts.bars(f"rb-cat-{category_id}", rows, title=t("chart.category_title", name=name), description=desc)}</figure>')
    return "".join(parts)
