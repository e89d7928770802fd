"""One page per model: metadata, radar, every result with its origin, disputes, runs and spot-checks."""

from __future__ import annotations

from builder.board.model import Board, Model, Rank, Run, Score
from builder.render import charts, escape
from builder.render.context import Context
from builder.render.html import (
    DISPUTED_MARK,
    STATUS_MARK,
    definition_table,
    evidence_text,
    fixed,
    group_label,
    marker,
    params,
    raw,
    run_anchor,
    source_cell,
    standing_rank_cell,
    standing_score,
    stated,
    table,
    weights_label,
)
from builder.render.i18n import Strings
from builder.render.urls import Urls


def _meta(model: Model, board: Board, t: Strings, urls: Urls, here: str) -> str:
    rows = [
        (t("meta.id"), escape.text(model.id)),
        (t("meta.organisation"), escape.text(model.organisation)),
        (t("meta.type"), escape.text(t("type." + model.model_type))),
        (t("meta.weights"), escape.text(weights_label(model, t))),
        (t("meta.license"), escape.text(model.license)),
        (t("meta.released"), escape.text(model.release_date or t("value.not_stated"))),
    ]
    if model.parameters is not None:
        text = t("meta.params_value", total=params(model.parameters))
        if model.active_parameters is not None:
            text = t("meta.params_moe", total=params(model.parameters), active=params(model.active_parameters))
        rows.append((t("meta.parameters"), escape.text(text)))
    if model.architecture:
        rows.append((t("meta.architecture"), escape.text(model.architecture)))
    if model.base_model:
        try:
            board.model(model.base_model)
            known = True
        except KeyError:
            known = False
        if known:
            rows.append((t("meta.base_model"), f'<a href="{escape.attr(urls.href(urls.model(model.base_model), here))}">{escape.text(model.base_model)}</a>'))
        else:
            rows.append((t("meta.base_model"), escape.text(model.base_model)))
    if model.revision:
        rows.append((t("meta.revision"), f"<code>{escape.text(model.revision)}</code>"))
    if model.languages:
        rows.append((t("meta.languages"), escape.text(", ".join(model.languages))))
    if model.open_weights:
        rows.append((t("meta.hub"), escape.link(f"https://huggingface.co/{model.id}", f"huggingface.co/{model.id}")))
    if model.links:
        rows.append((t("meta.links"), " · ".join(escape.link(u, label) for label, u in model.links)))
    rows.append((t("meta.record"), f"<code>{escape.text(model.record_path)}</code>"))
    return definition_table(rows)


def radar_position(score: float) -> float:
    """A standing score on the radar's 0-100 scale: the middle ring (50) is the average model (score 0), each ring
    one standard deviation (25), clipped at the centre (-2) and the rim (+2)."""
    return min(100.0, max(0.0, 50.0 + 25.0 * score))


RADAR_AXES = "assets/reproboard/radar-{language}.svg"
"""The rings, spokes and labels of every model page's radar in one language (`radar_axes_file`), drawn with `<use>`."""


def _radar_axes(model: Model, ctx: Context) -> tuple[list[int], list[str], list[float | None]] | None:
    """The radar's categories (board order), their names and the model's scores; None when the page has no radar."""
    axes = [i for i in range(len(model.categories)) if ctx.best[i] is not None]
    mine = [model.categories[i].standing.score for i in axes]
    if len(axes) < 3 or all(v is None for v in mine):
        return None
    return axes, [ctx.category_names[ctx.board.categories[i]] for i in axes], mine


def _shared_series(model: Model, ctx: Context, axes: list[int]) -> list[charts.Series]:
    """The radar's series that are the same on every model page of the language, drawn from its shared file: the
    board's leader (not on the leader's own page) and the best score per category."""
    t = ctx.t
    shared: list[charts.Series] = []
    leader = ctx.leader
    if leader is not None and leader.id != model.id:
        shared.append((t("radar.leader", name=leader.name), "rb-leader", _positions([leader.categories[i].standing.score for i in axes])))
    shared.append((t("radar.best"), "rb-best", _positions([ctx.best[i] for i in axes])))
    return shared


def _positions(values: list[float | None]) -> list[float | None]:
    return [None if v is None else radar_position(v) for v in values]


def radar_axes_file(ctx: Context) -> tuple[str, str]:
    """(path inside the site, text) of the file of every model page's radar grid in the language of `ctx`.

    Made from the board, not from the pages written, so that it is whole when pages are made later (`mkdocs serve`)."""
    variants = []
    for model in ctx.board.models:
        found = _radar_axes(model, ctx)
        if found is not None:
            variants.append((found[1], [v is None for v in found[2]], _shared_series(model, ctx, found[0])))
    return RADAR_AXES.format(language=ctx.language), charts.radar_axes_file(variants)


def _radar(model: Model, ctx: Context, here: str) -> str:
    """The model's category scores on every category of the board, beside the leader's and the best on the board.

    A category where the model has no score is drawn as missing (a dashed spoke, the outline broken there) and said
    so in the text alternative, never drawn as a value. The grid, the leader's and the best outlines are drawn from
    the language's shared file (RADAR_AXES): only the model's own outline is on its page."""
    t = ctx.t
    found = _radar_axes(model, ctx)
    if found is None:
        return ""
    axes, labels, mine = found
    best = [ctx.best[i] for i in axes]
    description = t("radar.desc", name=model.name) + " " + "; ".join(
        t("radar.missing", category=label) if v is None else f"{label}: {fixed(v)} ({t('radar.best_short')} {fixed(b)})"
        for label, v, b in zip(labels, mine, best)
    )
    shared = ctx.once(("radar-axes", str(ctx.urls.depth(here))),
                      lambda: ctx.urls.href(RADAR_AXES.format(language=ctx.language), here))  # every model page is as deep
    svg = charts.radar("rb-radar", labels, [(t("radar.this", name=model.name), "rb-this", _positions(mine))],
                       title=t("radar.title", name=model.name), description=description,
                       missing=[v is None for v in mine], axes_href=shared, shared=_shared_series(model, ctx, axes))
    return f'<figure class="rb-figure rb-radar">{svg}<figcaption>{escape.text(t("radar.caption"))}</figcaption></figure>'


def _standing(model: Model, ctx: Context, here: str) -> str:
    t, urls = ctx.t, ctx.urls
    names = ctx.category_names
    standing = model.standing
    rank = standing_rank_cell(standing.rank, standing.unranked, t)
    if standing.rank is None or standing.unranked is not None:
        head = f'<p class="rb-standing">{rank}: {escape.text(t("unranked." + (standing.unranked or "no-score")))}</p>'
    else:
        method = escape.attr(urls.href(Urls.METHODOLOGY, here))
        head = (f'<p class="rb-standing">{escape.text(t("model.rank"))} {rank} · '
                f'<a href="{method}">{escape.text(t("model.score"))}</a> {standing_score(standing.score, standing.score_low, standing.score_high)} · '
                f'{escape.text(evidence_text(standing.benchmarks, standing.comparisons, len(standing.groups), t))}</p>')
    head += _groups(standing.groups, ctx)
    rows = []
    depth = str(urls.depth(here))  # the category links depend on the page only through its depth
    for c in model.categories:
        s = c.standing
        rows.append([
            ctx.once(("standing.category", depth, c.category_id), lambda c=c: (
                f'<a href="{escape.attr(urls.href(urls.category(c.category_id), here))}">{escape.text(names[c.category_id])}</a>')),
            standing_score(s.score, s.score_low, s.score_high),
            f"{c.covered}/{c.total}",
            # Not ranked: the words and the reason, once (not again in a tooltip).
            ctx.once(("standing.unranked", s.unranked or "no-score"), lambda s=s: (
                f'<span class="rb-unranked">{escape.text(t("rank.unranked"))}</span> '
                f'<small>{escape.text(t("unranked." + (s.unranked or "no-score")))}</small>'))
            if s.rank is None or s.unranked else ctx.once(("standing.rank", str(s.rank.best), str(s.rank.worst)), lambda r=s.rank: _rank(r)),
        ])
    head_cells = "".join(f"<th>{escape.text(t(k))}</th>" for k in ("col.category", "col.score", "col.coverage"))
    # The rank's range is explained once, in its column's heading, not in a tooltip on every row.
    head_cells += f'<th title="{escape.attr(t("col.rank_title"))}">{escape.text(t("col.rank"))}</th>'
    body = "".join("<tr>" + "".join(f"<td>{c}" for c in row) for row in rows)  # rows and cells left open, as html.table
    return (head + f'<div class="rb-table-wrap" data-search-exclude><table class="rb-table"><thead><tr>{head_cells}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _rank(rank: Rank) -> str:
    """A category's rank and its 95 % interval, as the home page shows it, without the tooltip that says so."""
    if rank.worst > rank.best:
        return f'<span class="rb-rank">{rank.best}</span><span class="rb-range">{rank.best}–{rank.worst}</span>'
    return f'<span class="rb-rank">{rank.best}</span>'


def _groups(keys: tuple[str, ...], ctx: Context) -> str:
    """The like-for-like groups behind a standing, each with its source's link."""
    if not keys:
        return ""
    board, t = ctx.board, ctx.t
    items = []
    for key in keys:
        group = board.groups[key]
        benchmark = board.registry.benchmark(group.benchmark) if group.benchmark else None
        label = group_label(group, benchmark.name_in(t.language) if benchmark else "", t)
        items.append(f"<li>{escape.link(group.url, label) if group.url else escape.text(label)}</li>")
    return (f'<details class="rb-groups"><summary>{escape.text(t("model.groups", count=len(keys)))}</summary>'
            f'<ul>{"".join(items)}</ul></details>')


def _results(model: Model, ctx: Context, here: str) -> str:
    board, t, urls = ctx.board, ctx.t, ctx.urls
    order = ctx.benchmark_order
    depth = str(urls.depth(here))  # every link below depends on the page only through its depth
    scores = sorted(board.scores_of(model.id), key=lambda s: (order.get(s.benchmark_id, 0), not s.counts, s.run_path))
    # A badge says something only where the rows differ: when every number has the same provenance, it is said once.
    statuses = {s.status for s in scores}
    one_status = next(iter(statuses)) if len(statuses) == 1 else None
    # So do the source and "counts" columns: with one run behind every number, its name is said once, above the table.
    run_paths = list(dict.fromkeys(s.run_path for s in scores))  # in the order the table first shows them
    one_run = board.run(run_paths[0]) if len(run_paths) == 1 else None
    # With several runs, a row names its run by a number, and the runs are listed once above the table (footnotes).
    numbers = {path: str(i + 1) for i, path in enumerate(run_paths)}
    every_counts = all(s.counts for s in scores)
    rows: list[list[str]] = []
    openings: list[str] = []
    for score in scores:
        benchmark = board.registry.benchmark(score.benchmark_id)
        assert benchmark is not None
        run = board.run(score.run_path)
        name = ctx.once(("results.benchmark", depth, benchmark.id), lambda b=benchmark: (
            f'<a href="{escape.attr(urls.href(urls.benchmark(b.id), here))}">{escape.text(b.name_in(t.language))}</a>'))
        if score.counts:
            # The row other pages link to (`#bench-<id>`): the number that counts.
            opening = ctx.once(("results.target", benchmark.id), lambda b=benchmark: f'<tr id="bench-{escape.attr(b.id)}">')
            counted = ctx.once(("results.counts",), lambda: escape.text(t("model.counts")))
        else:
            opening = "<tr>"
            counted = escape.text(t(_why_not(score, run)))
        stderr = fixed(score.stderr)
        if score.stderr_estimated:
            stderr += ' <span class="rb-est">*</span>'  # the intro above the table says what * means
        metric = ctx.once(("results.metric", str(score.metric)), lambda m=score.metric: stated(m, t))  # never the registry's default
        filter_name = ctx.once(("results.filter", str(score.filter)), lambda f=score.filter: stated(f, t))
        badges = _marks(score.status if one_status is None else None, score.disputed)
        if one_run is None:
            # A run gives most of a page's scores: its link is made once per run.
            to_run = ctx.once(("results.run", run.path), lambda r=run: f'<a class="rb-num" href="#{escape.attr(run_anchor(r.path))}">')
            value = f"{to_run}{raw(score.value)}</a>{badges}"
        else:
            value = raw(score.value) + badges  # the one run is linked above the table
        n_shot = ctx.once(("results.n_shot", str(score.n_shot)), lambda n=score.n_shot: stated(n, t))
        note = f"<br><small>{escape.text(score.setting_note)}</small>" if score.setting_note else ""
        openings.append(opening)
        rows.append([name, value, stderr, n_shot, metric + note, filter_name, numbers[run.path], counted])
    headers = [t("col.benchmark"), t("col.score"), t("col.stderr"), t("col.n_shot"), t("col.metric"), t("col.filter"), t("col.source"),
               t("col.counted")]
    # A setting the same on every row (n-shot, metric, filter) is said once above the table, like the run and "counts".
    same = [i for i in (3, 4, 5) if len(rows) > 1 and len({row[i] for row in rows}) == 1]
    shown = [i for i in range(len(headers)) if i not in same and not (i == 6 and one_run) and not (i == 7 and one_run and every_counts)]
    head = "".join(f'<th scope="col">{escape.text(headers[i])}</th>' for i in shown)
    # The cells' and rows' end tags are left out, as HTML allows (the next cell, row or `</tbody>` ends them): a model
    # page repeats them on every result, a fifth of the table.
    body = "".join(opening + "".join(f"<td>{row[i]}" for i in shown) for opening, row in zip(openings, rows))
    notes = []
    if one_status is not None:
        badge = f'<span class="rb-mark rb-{escape.attr(one_status)}">{STATUS_MARK[one_status]}</span>'
        notes.append(t.html("model.one_status", markup={"badge": badge}, status=t("status." + one_status)))
    else:
        used = [status for status in STATUS_MARK if status in statuses]
        if any(s.disputed for s in scores):
            used.append("disputed")
        notes.append(t.html("model.marks", markup={"marks": "; ".join(
            f'{_marks(u if u != "disputed" else None, u == "disputed")} {escape.text(t("status." + u))}' for u in used)}))
    if one_run is not None:
        run_link = f'<a href="#{escape.attr(run_anchor(one_run.path))}">{_run_name(one_run, t)}</a>'
        notes.append(t.html("model.one_run_counts" if every_counts else "model.one_run", markup={"run": run_link}))
    else:
        listed = "; ".join(f'{numbers[path]} <a href="#{escape.attr(run_anchor(path))}">{_run_name(board.run(path), t)}</a>'
                           for path in run_paths)
        notes.append(t.html("model.sources", markup={"sources": listed}))
    if same:
        settings = " · ".join(f"{escape.text(headers[i])} {rows[0][i]}" for i in same)
        notes.append(t.html("model.same_setting", markup={"settings": settings}))
    legend = f'<p class="rb-legend">{" ".join(notes)}</p>' if notes else ""
    # How the table lays out a benchmark's numbers, their runs and settings: nothing left to say when one run gives
    # every number and it counts, and each setting is the same on every row (the legend says all three, once).
    # What * means, only on a page that shows one.
    intro = []
    if one_run is None or not every_counts or len(same) < 3:
        intro.append(escape.text(t("model.results_intro")))
    if any(s.stderr_estimated for s in scores):
        intro.append(escape.text(t("model.results_estimated")))
    if intro:
        legend = f'<p>{" ".join(intro)}</p>' + legend
    return (f'{legend}<div class="rb-table-wrap" data-search-exclude><table class="rb-table rb-results"><thead><tr>{head}</tr></thead>'
            f'<tbody>{body}</tbody></table></div>')


def _marks(status: str | None, disputed: bool) -> str:
    """The provenance badges after a number, without tooltips: the legend above the table says what each one means."""
    mark = f'<span class="rb-mark rb-{escape.attr(status)}">{STATUS_MARK[status]}</span>' if status else ""
    return mark + (f'<span class="rb-mark rb-disputed">{DISPUTED_MARK}</span>' if disputed else "")


def _run_name(run: Run, t: Strings) -> str:
    """Plain text: a run as its section's heading names it, with the table or section of a source."""
    if run.source:
        return f'{escape.text(run.source.title)} <span class="rb-locator">({escape.text(run.source.locator)})</span>'
    return escape.text(t("run.submitted_title", user=run.submitted_by, date=run.submitted_on))


def _why_not(score: Score, run: Run) -> str:
    if run.status == "failed":
        return "model.not_counted_failed"
    if run.partial:
        return "model.not_counted_partial"
    if score.partial:
        return "model.not_counted_partial_subtasks"
    return "model.not_counted"


def _disputes(model: Model, ctx: Context) -> str:
    """The disputed benchmarks, side by side: one table per set of disagreeing runs (usually one), a row per benchmark.

    Each source heads its column once; a setting that every number of the table shares is said once above it, and the
    cells state only the settings that differ."""
    if not model.disputed:
        return ""
    board, t = ctx.board, ctx.t
    tables: dict[tuple[str, ...], list[tuple[str, list[Score]]]] = {}
    for benchmark_id in model.disputed:
        benchmark = board.registry.benchmark(benchmark_id)
        assert benchmark is not None
        # The same sources, in the same columns, whichever of them counts on this benchmark.
        scores = sorted((s for s in board.scores_of(model.id) if s.benchmark_id == benchmark_id), key=lambda s: s.run_path)
        tables.setdefault(tuple(s.run_path for s in scores), []).append((benchmark.name_in(t.language), scores))
    fields = [("col.n_shot", lambda s: stated(s.n_shot, t)), ("col.metric", lambda s: stated(s.metric, t)),  # each source's own
              ("col.filter", lambda s: stated(s.filter, t)), ("col.setting", lambda s: stated(s.setting_note, t))]
    parts = [f'<h2 id="disputes">{escape.text(t("model.disputes"))}</h2><p>{escape.text(t("model.disputes_intro"))}</p>']
    for paths, rows in tables.items():
        cells = [[[show(s) for _, show in fields] for s in scores] for _, scores in rows]
        same = [i for i in range(len(fields)) if len({c[i] for row in cells for c in row}) == 1]
        statuses = {board.run(path).status for path in paths}
        heads = "".join(f'<th scope="col">{source_cell(board.run(path), t)}'
                        f'{_marks(board.run(path).status, False) if len(statuses) > 1 else ""}</th>' for path in paths)
        body = []
        for (name, scores), row in zip(rows, cells):
            values = []
            for score, setting in zip(scores, row):
                differs = " · ".join(f"{escape.text(t(fields[i][0]))} {setting[i]}" for i in range(len(fields)) if i not in same)
                values.append(f'<td class="rb-n"><b>{raw(score.value)}</b>' + (f"<br>{differs}" if differs else "") + "</td>")
            body.append(f'<tr><th scope="row">{escape.text(name)}</th>{"".join(values)}</tr>')
        # What every number of the table shares, said once: its provenance (when one) and the settings it shares.
        shared = [f'{_marks(status, False)} {escape.text(t("status." + status))}' for status in statuses if len(statuses) == 1]
        shared += [f"{escape.text(t(fields[i][0]))} {cells[0][0][i]}" for i in same]
        parts.append(
            (f'<p class="rb-legend">{t.html("model.same_setting", markup={"settings": " · ".join(shared)})}</p>' if shared else "")
            + f'<div class="rb-table-wrap" data-search-exclude><table class="rb-table rb-dispute"><thead><tr>'
            f'<th scope="col">{escape.text(t("col.benchmark"))}</th>{heads}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'
        )
    return "".join(parts)


def _run_section(run: Run, board: Board, t: Strings) -> str:
    status = t("status." + run.status)
    if run.source:
        title = run.source.title
        rows = [
            (t("run.source"), escape.link(run.source.url, run.source.title)),
            (t("run.publisher"), escape.text(run.source.publisher)),
            (t("run.locator"), escape.text(run.source.locator)),
        ]
        if run.source.published_on:
            rows.append((t("run.published_on"), escape.text(run.source.published_on)))
    else:
        title = t("run.submitted_title", user=run.submitted_by, date=run.submitted_on)
        rows = []
    rows.append((t("run.added"), escape.text(t("run.added_value", user=run.submitted_by, date=run.submitted_on))))
    if run.harness:
        rows.append((t("run.harness"), escape.text(run.harness + (f" {run.harness_version}" if run.harness_version else ""))))
    if run.evidence_path:
        rows.append((t("run.evidence"), f"<code>{escape.text(run.evidence_path)}</code>"))
    if run.partial:
        rows.append((t("run.partial"), escape.text(t("run.partial_value"))))
    rows.append((t("run.file"), f"<code>{escape.text(run.path)}</code>"))
    parts = [f'<section class="rb-run" id="{escape.attr(run_anchor(run.path))}"><h3>{escape.text(title)} {marker(run.status, False, t, status)}</h3>',
             definition_table(rows)]
    if run.command:
        parts.append(f'<p>{escape.text(t("run.command"))}</p><pre class="rb-command"><code>{escape.text(run.command)}</code></pre>')
    if run.notes:
        parts.append(f'<p class="rb-notes">{escape.text(run.notes)}</p>')
    if run.kind == "submitted" and run.harness == "opencompass":  # lm-eval cannot re-run OpenCompass's prompts
        parts.append(f'<p class="rb-rescored">{escape.text(t("run.opencompass_rescored"))}</p>')
    elif run.kind == "submitted":
        if run.verdicts:
            items = "".join(
                f'<li><span class="rb-verdict rb-verdict-{escape.attr(v.verdict)}">{escape.text(t("verdict." + v.verdict))}</span> '
                f'{escape.text(v.checked_on)}: {escape.text(v.summary)} <code>{escape.text(v.path)}</code></li>'
                for v in run.verdicts
            )
            parts.append(f'<p>{escape.text(t("run.spotchecks"))}</p><ul class="rb-verdicts">{items}</ul>')
        else:
            parts.append(f'<p>{escape.text(t("run.not_checked"))}</p>')
    parts.append("</section>")
    return "".join(parts)


def _other_results(runs: list[Run], t: Strings) -> str:
    """Results outside the board's benchmarks: every number lm-eval printed for them, the run, and how to add the task."""
    rows = [
        [f"<code>{escape.text(other.task)}</code>", escape.text(metric), escape.text(filter_name), escape.text(f"{value:.6g}"),
         stated(other.n_shot, t),
         f'<a href="#{escape.attr(run_anchor(run.path))}">{escape.text(run.submitted_on)}</a>', escape.text(other.reason)]
        for run in runs for other in run.other_results for metric, filter_name, value in other.values
    ]
    if not rows:
        return ""
    headers = [t("col.task"), t("col.metric"), t("col.filter"), t("col.value"), t("col.n_shot"), t("col.run"), t("col.note")]
    return (f'<h2 id="other-results">{escape.text(t("model.other_results"))}</h2><p>{escape.text(t("model.other_results_intro"))}</p>'
            + table(headers, rows))


def _compare_link(model: Model, ctx: Context, here: str) -> str:
    """To the compare page with this model picked; the reader adds the others there (compare.js)."""
    compare = ctx.once(("compare-link",), lambda: escape.attr(ctx.urls.href(Urls.COMPARE, here)))  # every model page is as deep
    return f'<p class="rb-compare-link"><a href="{compare}?m={escape.attr(model.id)}">{escape.text(ctx.t("compare.link"))}</a></p>'


def model_page(model: Model, ctx: Context) -> str:
    board, t, urls = ctx.board, ctx.t, ctx.urls
    here = urls.model(model.id)
    runs = ctx.runs_by_model.get(model.id, [])
    download = escape.attr(urls.href(urls.model_json(model.id), here))
    return (
        f'<h1>{escape.text(model.name)}</h1>'
        f'<p class="rb-sub">{escape.text(model.organisation)} · {escape.text(weights_label(model, t))} · {escape.text(t("type." + model.model_type))}</p>'
        + _compare_link(model, ctx, here)
        + f'<div class="rb-model-head">{_meta(model, board, t, urls, here)}{_radar(model, ctx, here)}</div>'
        f'<h2 id="standing">{escape.text(t("model.standing"))}</h2>{_standing(model, ctx, here)}'
        f'<h2 id="results">{escape.text(t("model.results"))}</h2>{_results(model, ctx, here)}'
        + _disputes(model, ctx)
        + _other_results(runs, t)
        + f'<h2 id="runs">{escape.text(t("model.runs"))}</h2>' + "".join(_run_section(r, board, t) for r in runs)
        + f'<p class="rb-download"><a href="{download}">{escape.text(t("model.download"))}</a></p>'
    )
