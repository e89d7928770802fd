"""One page per model: metadata, radar, every result with its origin, disputes, runs and spot-checks."""

from __future__ import annotations

from builder.board.model import Board, Model, Run, Score
from builder.render import charts, escape
from builder.render.context import Context
from builder.render.html import (
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
        (t("meta.released"), escape.text(model.release_date)),
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


def _radar(model: Model, ctx: Context) -> str:
    """The model's category scores, on the categories where it is ranked (a category without one is left out, never
    drawn as a value), beside the leader's and the best on the board."""
    board, t = ctx.board, ctx.t
    names = ctx.category_names
    axes = [i for i, c in enumerate(model.categories) if c.standing.score is not None and ctx.best[i] is not None]
    if len(axes) < 3:
        return ""
    labels = [names[board.categories[i]] for i in axes]
    mine = [model.categories[i].standing.score for i in axes]
    series = [(t("radar.this", name=model.name), "rb-this", [radar_position(v) for v in mine])]  # type: ignore[arg-type]
    leader = ctx.leader
    if leader is not None and leader.id != model.id:
        theirs = [leader.categories[i].standing.score for i in axes]
        if all(v is not None for v in theirs):
            series.append((t("radar.leader", name=leader.name), "rb-leader", [radar_position(v) for v in theirs]))  # type: ignore[arg-type]
    best = [ctx.best[i] for i in axes]
    series.append((t("radar.best"), "rb-best", [radar_position(v) for v in best]))  # type: ignore[arg-type]
    description = t("radar.desc", name=model.name) + " " + "; ".join(
        f"{label}: {fixed(v)} ({t('radar.best_short')} {fixed(b)})" for label, v, b in zip(labels, mine, best)
    )
    svg = charts.radar("rb-radar", labels, series, title=t("radar.title", name=model.name), description=description)
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
            standing_rank_cell(s.rank, s.unranked, t) + (
                f' <small>{escape.text(t("unranked." + (s.unranked or "no-score")))}</small>' if s.rank is None or s.unranked else ""),
        ])
    return head + table([t("col.category"), t("col.score"), t("col.coverage"), t("col.rank")], rows)


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
    rows = []
    for score in sorted(board.scores_of(model.id), key=lambda s: (order.get(s.benchmark_id, 0), not s.counts, s.run_path)):
        benchmark = board.registry.benchmark(score.benchmark_id)
        assert benchmark is not None
        run = board.run(score.run_path)
        name = ctx.once(("results.benchmark", depth, benchmark.id), lambda b=benchmark: (
            f'<a href="{escape.attr(urls.href(urls.benchmark(b.id), here))}">{escape.text(b.name_in(t.language))}</a>'))
        if score.counts:
            name = ctx.once(("results.target", benchmark.id), lambda b=benchmark: f'<span id="bench-{escape.attr(b.id)}"></span>') + name
            counted = ctx.once(("results.counts",), lambda: escape.text(t("model.counts")))
        else:
            counted = escape.text(t(_why_not(score, run)))
        stderr = fixed(score.stderr)
        if score.stderr_estimated:
            stderr += ctx.once(("results.estimated",), lambda: f' <span class="rb-est" title="{escape.attr(t("model.stderr_estimated"))}">*</span>')
        metric = ctx.once(("results.metric", str(score.metric)), lambda m=score.metric: stated(m, t))  # never the registry's default
        filter_name = ctx.once(("results.filter", str(score.filter)), lambda f=score.filter: stated(f, t))
        # A run gives most of a page's scores: its link and source are made once per run.
        to_run = ctx.once(("results.run", run.path), lambda r=run: f'<a class="rb-num" href="#{escape.attr(run_anchor(r.path))}">')
        source = ctx.once(("results.source", run.path), lambda r=run: source_cell(r, t))
        rows.append([
            name,
            f'{to_run}{raw(score.value)}</a>{marker(score.status, score.disputed, t)}',
            stderr,
            ctx.once(("results.n_shot", str(score.n_shot)), lambda n=score.n_shot: stated(n, t)),
            metric + (f"<br><small>{escape.text(score.setting_note)}</small>" if score.setting_note else ""),
            filter_name,
            source,
            counted,
        ])
    headers = [t("col.benchmark"), t("col.score"), t("col.stderr"), t("col.n_shot"), t("col.metric"), t("col.filter"), t("col.source"),
               t("col.counted")]
    return table(headers, rows, css="rb-table rb-results")


def _why_not(score: Score, run: Run) -> str:
    if run.status == "failed":
        return "model.not_counted_failed"
    if run.partial:
        return "model.not_counted_partial"
    return "model.not_counted"


def _disputes(model: Model, board: Board, t: Strings) -> str:
    if not model.disputed:
        return ""
    parts = [f'<h2 id="disputes">{escape.text(t("model.disputes"))}</h2><p>{escape.text(t("model.disputes_intro"))}</p>']
    for benchmark_id in model.disputed:
        benchmark = board.registry.benchmark(benchmark_id)
        assert benchmark is not None
        scores = [s for s in board.scores_of(model.id) if s.benchmark_id == benchmark_id]
        heads = "".join(f"<th>{source_cell(board.run(s.run_path), t)}</th>" for s in scores)
        values = "".join(f'<td class="rb-n"><b>{raw(s.value)}</b>{marker(s.status, s.disputed, t)}</td>' for s in scores)
        shots = "".join(f"<td>{stated(s.n_shot, t)}</td>" for s in scores)
        metrics = "".join(f"<td>{stated(s.metric, t)}</td>" for s in scores)  # what each source says, never the registry's
        filters = "".join(f"<td>{stated(s.filter, t)}</td>" for s in scores)
        notes = "".join(f"<td>{stated(s.setting_note, t)}</td>" for s in scores)
        parts.append(
            f'<h3>{escape.text(benchmark.name_in(t.language))}</h3><div class="rb-table-wrap" data-search-exclude><table class="rb-table rb-dispute">'
            f'<thead><tr><th></th>{heads}</tr></thead><tbody>'
            f'<tr><th scope="row">{escape.text(t("col.score"))}</th>{values}</tr>'
            f'<tr><th scope="row">{escape.text(t("col.n_shot"))}</th>{shots}</tr>'
            f'<tr><th scope="row">{escape.text(t("col.metric"))}</th>{metrics}</tr>'
            f'<tr><th scope="row">{escape.text(t("col.filter"))}</th>{filters}</tr>'
            f'<tr><th scope="row">{escape.text(t("col.setting"))}</th>{notes}</tr></tbody></table></div>'
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
    if run.kind == "submitted":
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


def model_page(model: Model, ctx: Context) -> str:
    board, t, urls = ctx.board, ctx.t, ctx.urls
    here = urls.model(model.id)
    runs = ctx.runs_by_model.get(model.id, [])
    download = escape.attr(urls.href(urls.model_json(model.id), here))
    return (
        f'<h1>{escape.text(model.name)}</h1>'
        f'<p class="rb-sub">{escape.text(model.organisation)} · {escape.text(weights_label(model, t))} · {escape.text(t("type." + model.model_type))}</p>'
        f'<div class="rb-model-head">{_meta(model, board, t, urls, here)}{_radar(model, ctx)}</div>'
        f'<h2 id="standing">{escape.text(t("model.standing"))}</h2>{_standing(model, ctx, here)}'
        f'<h2 id="results">{escape.text(t("model.results"))}</h2><p>{escape.text(t("model.results_intro"))}</p>{_results(model, ctx, here)}'
        + _disputes(model, board, t)
        + f'<h2 id="runs">{escape.text(t("model.runs"))}</h2>' + "".join(_run_section(r, board, t) for r in runs)
        + f'<p class="rb-download"><a href="{download}">{escape.text(t("model.download"))}</a></p>'
    )
