"""Small HTML pieces shared by the pages: numbers, provenance markers, tables, links."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from builder.board.model import Group, Model, Rank, Run, Score
from builder.render import escape
from builder.render.context import Context
from builder.render.i18n import Strings
from builder.render.urls import Urls

STATUS_MARK = {"reported": "R", "submitted": "S", "verified": "✓", "failed": "✗"}
DISPUTED_MARK = "≠"


def raw(value: float) -> str:
    """A score as its source gives it: two decimals at most, one at least (78.5, 66.67, 80.0)."""
    text = f"{value:.2f}"
    return text[:-1] if text.endswith("0") else text


def fixed(value: float | None, empty: str = "–") -> str:
    """A computed number: always two decimals (as in the downloads)."""
    return empty if value is None else f"{value:.2f}"


def params(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def run_anchor(run_path: str) -> str:
    """`run-seeds-deepseek-v2-paper` from `seeds/org/model/deepseek-v2-paper.yaml` (file names are [a-z0-9._-])."""
    root, *_, name = run_path.split("/")
    return f"run-{root}-{name[:-5]}"


@lru_cache(maxsize=65536)
def source_line(run: Run, t: Strings) -> str:
    """Plain text: who published a number or who submitted it. A contributor's reported file is theirs, whoever it cites."""
    if run.source:
        if run.voice == "contributor":
            return t("prov.contributor", user=run.submitted_by, publisher=run.source.publisher, title=run.source.title)
        return t("prov.reported_by", publisher=run.source.publisher, title=run.source.title)
    return t("prov.submitted_by", user=run.submitted_by, date=run.submitted_on)


def group_label(group: Group, benchmark_name: str, t: Strings) -> str:
    """Plain text: the like-for-like group a score is compared in (a source table, or a protocol of the board)."""
    if group.kind == "protocol":
        if group.setting is None:
            return t("group.protocol", benchmark=benchmark_name)
        return t("group.protocol_setting", benchmark=benchmark_name, setting=group.setting)
    table = f"{group.publisher}: {group.title} ({group.locator})"
    return t("group.contributor", user=group.contributor, table=table) if group.kind == "contributor" else table


def stated(value: object, t: Strings) -> str:
    """A setting field as the source gives it, or a marked "not stated": never the registry's default."""
    if value is None:
        return f'<span class="rb-unstated">{escape.text(t("value.not_stated"))}</span>'
    return escape.text(value)


@lru_cache(maxsize=4096)
def marker(status: str, disputed: bool, t: Strings, title: str = "") -> str:
    """The provenance badge(s) after a number."""
    parts = [f'<span class="rb-mark rb-{status}" title="{escape.attr(title or t("status." + status))}">{STATUS_MARK[status]}</span>']
    if disputed:
        parts.append(f'<span class="rb-mark rb-disputed" title="{escape.attr(t("status.disputed"))}">{DISPUTED_MARK}</span>')
    return "".join(parts)


def score_cell(score: Score, ctx: Context, here: str, *, with_stderr: bool = False, source_shown: bool = False) -> str:
    """A raw score linked to its origin on the model page, with its provenance badges.

    The badge's tooltip names the source, once: the number beside it only links there. In a row that shows the
    source in a column of its own (`source_shown`), the badge says only what kind of number it is. What depends only
    on the run (the link, the tooltip) is made once per run and page depth: a run gives a model's scores on many
    benchmarks, and tables list them by the thousand."""
    run = ctx.board.run(score.run_path)
    depth = str(ctx.urls.depth(here))

    def opening() -> str:
        origin = ctx.urls.href(ctx.urls.model(run.model_id), here, run_anchor(run.path))
        return f'<a class="rb-num" href="{escape.attr(origin)}">'

    value = raw(score.value)
    if with_stderr:
        value += f' <span class="rb-se">± {fixed(score.stderr)}</span>'
    link = ctx.once(("score.link", depth, run.path), opening)
    if source_shown:
        badges = ctx.once(("score.badges.plain", score.status, str(score.disputed)), lambda: marker(score.status, score.disputed, ctx.t))
    else:
        badges = ctx.once(("score.badges", run.path, score.status, str(score.disputed)),
                          lambda: marker(score.status, score.disputed, ctx.t, source_line(run, ctx.t)))
    return f"{link}{value}</a>{badges}"


@lru_cache(maxsize=65536)
def source_cell(run: Run, t: Strings) -> str:
    if run.source:
        label = f"{run.source.publisher}: {run.source.title}"
        cell = f'{escape.link(run.source.url, label)} <span class="rb-locator">({escape.text(run.source.locator)})</span>'
        if run.voice == "contributor":
            cell = escape.text(t("prov.contributor_short", user=run.submitted_by)) + " " + cell
        return cell
    return escape.text(t("prov.submitted_by", user=run.submitted_by, date=run.submitted_on))


def model_link(model: Model, urls: Urls, here: str) -> str:
    return f'<a href="{escape.attr(urls.href(urls.model(model.id), here))}">{escape.text(model.name)}</a>'


@lru_cache(maxsize=65536)  # ranks repeat: tie groups, and every table of a language shows the same few thousand
def rank_cell(best: int, worst: int, t: Strings) -> str:
    """A benchmark ranking's rank: shared by the models not significantly apart, down to `worst`."""
    title = t("rank.tied", best=best, worst=worst) if worst > best else t("rank.alone", best=best)
    range_text = f'<span class="rb-range">{best}–{worst}</span>' if worst > best else ""
    return f'<span class="rb-rank" title="{escape.attr(title)}">{best}</span>{range_text}'


@lru_cache(maxsize=65536)
def standing_rank_cell(rank: Rank | None, unranked: str | None, t: Strings) -> str:
    """A standing's rank with its 95 % interval, or "not ranked" with the reason; board.js writes the same."""
    if rank is None or unranked is not None:
        reason = t("unranked." + (unranked or "no-score"))
        return f'<span class="rb-unranked" title="{escape.attr(reason)}">{escape.text(t("rank.unranked"))}</span>'
    title = t("rank.interval", best=rank.best, worst=rank.worst) if rank.worst > rank.best else t("rank.exact", best=rank.best)
    range_text = f'<span class="rb-range">{rank.best}–{rank.worst}</span>' if rank.worst > rank.best else ""
    return f'<span class="rb-rank" title="{escape.attr(title)}">{rank.best}</span>{range_text}'


def evidence_text(benchmarks: int, comparisons: int, groups: int, t: Strings) -> str:
    """Plain text: the evidence behind a standing."""
    return t("evidence.text", benchmarks=benchmarks, comparisons=comparisons, groups=groups)


def standing_score(score: float | None, low: float | None, high: float | None) -> str:
    """A standing's score and its 95 % interval; "–" when it has none."""
    if score is None:
        return "–"
    interval = f' <span class="rb-se">[{fixed(low)}, {fixed(high)}]</span>' if low is not None and high is not None else ""
    return f"<b>{fixed(score)}</b>{interval}"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, css: str = "rb-table", search_exclude: bool = True) -> str:
    """An HTML table: headers are plain text (escaped here), cells are markup built by the caller.

    The body's rows and cells are not closed: HTML closes a cell at the next cell or row and a row at the next row
    or the body's end. The same table, a sixth lighter on thousands of pages."""
    head = "".join(f"<th>{escape.text(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}" for c in row) for row in rows)
    exclude = " data-search-exclude" if search_exclude else ""
    return f'<div class="rb-table-wrap"{exclude}><table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def definition_table(rows: Iterable[tuple[str, str]]) -> str:
    """Two-column table of label (plain text) and value (markup); rows and cells left open, as in `table`."""
    body = "".join(f'<tr><th scope="row">{escape.text(k)}<td>{v}' for k, v in rows)
    return f'<table class="rb-meta"><tbody>{body}</tbody></table>'


def weights_label(model: Model, t: Strings) -> str:
    return t("weights.open") if model.open_weights else t("weights.api")
