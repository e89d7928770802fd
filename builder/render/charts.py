"""SVG charts drawn at build time: readable without JavaScript, each with a title and a text alternative.

Every function returns one `<svg>` element as text. Labels are contributors' strings
and go through `escape.text`; links are relative site links built by the caller.
Coordinates are written with one decimal so that the output is byte-stable.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from builder.render import escape

WIDTH, HEIGHT = 720, 420
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 20, 20, 48


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    href: str | None = None
    """A relative site link (escaped by `escape.attr` here)."""
    group: str = "open"
    """CSS class suffix: `open` or `api`."""


def _f(x: float) -> str:
    return f"{x:.1f}"


def _open(chart_id: str, title: str, description: str, width: int = WIDTH, height: int = HEIGHT) -> str:
    return (
        f'<svg class="rb-chart" id="{escape.attr(chart_id)}" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{escape.attr(chart_id)}-t {escape.attr(chart_id)}-d">'
        f'<title id="{escape.attr(chart_id)}-t">{escape.text(title)}</title>'
        f'<desc id="{escape.attr(chart_id)}-d">{escape.text(description)}</desc>'
    )


def _with_links(svg: str) -> str:
    """A chart whose points link to pages is a group of links, not one image: `role="img"` hides its links from
    assistive technology (axe-core's nested-interactive). Its title and description still name it."""
    return svg.replace(' role="img" ', ' role="group" ', 1) if "<a href=" in svg else svg


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.ceil(low / step) * step
    ticks = []
    value = start
    while value <= high + 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


class _Axes:
    def __init__(self, x_range: tuple[float, float], y_range: tuple[float, float], log_x: bool = False) -> None:
        self.log_x = log_x
        lo, hi = x_range
        if log_x:
            lo, hi = math.log10(lo), math.log10(hi)
        if hi <= lo:
            lo, hi = lo - 1, hi + 1
        self.x0, self.x1 = lo, hi
        self.y0, self.y1 = y_range
        if self.y1 <= self.y0:
            self.y1 = self.y0 + 1

    def x(self, value: float) -> float:
        v = math.log10(value) if self.log_x else value
        return PAD_LEFT + (v - self.x0) / (self.x1 - self.x0) * (WIDTH - PAD_LEFT - PAD_RIGHT)

    def y(self, value: float) -> float:
        return HEIGHT - PAD_BOTTOM - (value - self.y0) / (self.y1 - self.y0) * (HEIGHT - PAD_TOP - PAD_BOTTOM)


def _frame(axes: _Axes, x_ticks: Sequence[tuple[float, str]], y_ticks: Sequence[float], x_label: str, y_label: str) -> str:
    parts = [f'<g class="rb-axes"><line x1="{PAD_LEFT}" y1="{HEIGHT - PAD_BOTTOM}" x2="{WIDTH - PAD_RIGHT}" y2="{HEIGHT - PAD_BOTTOM}"/>'
             f'<line x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{PAD_LEFT}" y2="{HEIGHT - PAD_BOTTOM}"/>']
    for value in y_ticks:
        y = _f(axes.y(value))
        parts.append(f'<line class="rb-grid" x1="{PAD_LEFT}" y1="{y}" x2="{WIDTH - PAD_RIGHT}" y2="{y}"/>'
                     f'<text x="{PAD_LEFT - 6}" y="{y}" text-anchor="end" dominant-baseline="middle">{value:g}</text>')
    for value, label in x_ticks:
        x = _f(axes.x(value))
        parts.append(f'<line class="rb-tick" x1="{x}" y1="{HEIGHT - PAD_BOTTOM}" x2="{x}" y2="{HEIGHT - PAD_BOTTOM + 4}"/>'
                     f'<text x="{x}" y="{HEIGHT - PAD_BOTTOM + 16}" text-anchor="middle">{escape.text(label)}</text>')
    parts.append(f'<text class="rb-label" x="{_f((PAD_LEFT + WIDTH - PAD_RIGHT) / 2)}" y="{HEIGHT - 8}" text-anchor="middle">{escape.text(x_label)}</text>')
    parts.append(f'<text class="rb-label" x="14" y="{_f((PAD_TOP + HEIGHT - PAD_BOTTOM) / 2)}" text-anchor="middle" '
                 f'transform="rotate(-90 14 {_f((PAD_TOP + HEIGHT - PAD_BOTTOM) / 2)})">{escape.text(y_label)}</text></g>')
    return "".join(parts)


def _dots(axes: _Axes, points: Sequence[Point], value_text: str) -> str:
    parts = ['<g class="rb-dots">']
    for p in points:
        title = f"{p.label}: {value_text.format(x=p.x, y=p.y)}"
        circle = f'<circle class="rb-dot rb-{escape.attr(p.group)}" cx="{_f(axes.x(p.x))}" cy="{_f(axes.y(p.y))}" r="4"><title>{escape.text(title)}</title></circle>'
        parts.append(f'<a href="{escape.attr(p.href)}">{circle}</a>' if p.href else circle)
    parts.append("</g>")
    return "".join(parts)


def pareto_frontier(points: Sequence[Point]) -> list[Point]:
    """Points that no other point beats with fewer or equal x and higher y: the best score for its size."""
    best = -math.inf
    frontier = []
    for p in sorted(points, key=lambda p: (p.x, -p.y, p.label)):
        if p.y > best:
            frontier.append(p)
            best = p.y
    return frontier


def _polyline(axes: _Axes, points: Sequence[Point], css: str, step: bool = False) -> str:
    coords = []
    for i, p in enumerate(points):
        if step and i:
            coords.append(f"{_f(axes.x(p.x))},{_f(axes.y(points[i - 1].y))}")
        coords.append(f"{_f(axes.x(p.x))},{_f(axes.y(p.y))}")
    return f'<polyline class="{css}" points="{" ".join(coords)}"/>' if coords else ""


def _legend(items: Sequence[tuple[str, str]]) -> str:
    parts = ['<g class="rb-legend">']
    for i, (css, label) in enumerate(items):
        x = PAD_LEFT + 10 + i * 150
        parts.append(f'<rect class="{css}" x="{x}" y="{PAD_TOP}" width="10" height="10"/>'
                     f'<text x="{x + 14}" y="{PAD_TOP + 9}">{escape.text(label)}</text>')
    parts.append("</g>")
    return "".join(parts)


def score_range(values: Sequence[float]) -> tuple[float, float]:
    """A y range for standing scores (any sign): whole numbers around every value, 0 included."""
    return float(min(0, math.floor(min(values, default=0.0)))), float(max(1, math.ceil(max(values, default=0.0))))


def scatter_vs_parameters(chart_id: str, points: Sequence[Point], *, title: str, description: str, x_label: str, y_label: str,
                          value_text: str, legend: Sequence[tuple[str, str]], y_range: tuple[float, float] = (0, 100)) -> str:
    """Score against parameters (log scale) with the Pareto frontier drawn as a line."""
    if not points:
        return ""
    xs = [p.x for p in points]
    lo, hi = 10 ** math.floor(math.log10(min(xs))), 10 ** math.ceil(math.log10(max(xs)))
    axes = _Axes((lo, hi), y_range, log_x=True)
    x_ticks = []
    decade = lo
    while decade <= hi * 1.0001:
        x_ticks.append((decade, f"{decade:g}"))
        decade *= 10
    frontier = pareto_frontier(points)
    return _with_links(_open(chart_id, title, description) + _frame(axes, x_ticks, _nice_ticks(*y_range), x_label, y_label)
                       + _polyline(axes, frontier, "rb-frontier", step=True) + _dots(axes, points, value_text) + _legend(legend) + "</svg>")


def _ordinal(date: str) -> int:
    y, m, d = (int(p) for p in date.split("-"))
    return y * 372 + (m - 1) * 31 + (d - 1)


def scatter_vs_date(chart_id: str, points: Sequence[tuple[str, float, str, str | None, str]], *, title: str, description: str,
                    x_label: str, y_label: str, value_text: str, legend: Sequence[tuple[str, str]],
                    y_range: tuple[float, float] = (0, 100)) -> str:
    """Score against release date, with the best score so far as a step line. points: (date, y, label, href, group)."""
    if not points:
        return ""
    pts = [Point(_ordinal(d), y, label, href, group) for d, y, label, href, group in points]
    years = sorted({int(d[:4]) for d, *_ in points})
    lo, hi = _ordinal(f"{years[0]}-01-01"), _ordinal(f"{years[-1] + 1}-01-01")
    axes = _Axes((lo, hi), y_range)
    x_ticks = [(_ordinal(f"{y}-01-01"), str(y)) for y in range(years[0], years[-1] + 2)]
    frontier = pareto_frontier(pts)
    text = value_text.replace("{x", "{d")
    dots = ['<g class="rb-dots">']
    for (d, *_), p in zip(points, pts):
        label = f"{p.label}: {text.format(d=d, y=p.y)}"
        circle = f'<circle class="rb-dot rb-{escape.attr(p.group)}" cx="{_f(axes.x(p.x))}" cy="{_f(axes.y(p.y))}" r="4"><title>{escape.text(label)}</title></circle>'
        dots.append(f'<a href="{escape.attr(p.href)}">{circle}</a>' if p.href else circle)
    dots.append("</g>")
    return _with_links(_open(chart_id, title, description) + _frame(axes, x_ticks, _nice_ticks(*y_range), x_label, y_label)
                       + _polyline(axes, frontier, "rb-frontier", step=True) + "".join(dots) + _legend(legend) + "</svg>")


def intervals(chart_id: str, rows: Sequence[tuple[str, float, float, float, str | None]], *, title: str, description: str) -> str:
    """One row per model (label, score, low, high, href), in the given order: a dot at the score on a line from low to
    high, against a scale of any sign with 0 (the average model) marked. No bar from an arbitrary baseline."""
    if not rows:
        return ""
    row_h, label_w, width = 22, 230, WIDTH
    height = PAD_TOP + row_h * len(rows) + 30
    lo, hi = score_range([r[2] for r in rows] + [r[3] for r in rows])
    plot_w = width - label_w - 70

    def x(value: float) -> float:
        return label_w + (value - lo) / (hi - lo) * plot_w

    bottom = PAD_TOP + row_h * len(rows)
    parts = [_open(chart_id, title, description, width, height), '<g class="rb-axes">']
    for tick in _nice_ticks(lo, hi):
        parts.append(f'<line class="rb-grid{" rb-zero" if tick == 0 else ""}" x1="{_f(x(tick))}" y1="{PAD_TOP}" x2="{_f(x(tick))}" '
                     f'y2="{bottom}"/><text x="{_f(x(tick))}" y="{bottom + 16}" text-anchor="middle">{tick:g}</text>')
    parts.append("</g>")
    for i, (label, score, low, high, href) in enumerate(rows):
        y = PAD_TOP + i * row_h
        short = label if len(label) <= 34 else label[:33] + "…"
        name = f'<text class="rb-bar-label" x="{label_w - 8}" y="{y + 15}" text-anchor="end">{escape.text(short)}<title>{escape.text(label)}</title></text>'
        if href:
            name = f'<a href="{escape.attr(href)}">{name}</a>'
        parts.append(name + f'<line class="rb-interval" x1="{_f(x(low))}" y1="{y + 11}" x2="{_f(x(high))}" y2="{y + 11}"/>'
                     f'<circle class="rb-dot rb-open" cx="{_f(x(score))}" cy="{y + 11}" r="4"/>'
                     f'<text class="rb-bar-value" x="{_f(x(high) + 6)}" y="{y + 15}">{escape.text(f"{score:.2f}")}</text>')
    parts.append("</svg>")
    return _with_links("".join(parts))


_RADAR_SIZE, _RADAR_WIDTH, _RADAR_CX, _RADAR_CY, _RADAR_R = 420, 560, 280.0, 200.0, 140.0


def _i(x: float) -> str:
    """A radar coordinate in whole units: a unit is under a pixel at the radar's width, and thousands of model pages
    carry one."""
    return str(round(x))


def _radar_at(n: int, i: int, value: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * i / n
    return _RADAR_CX + _RADAR_R * value / 100 * math.cos(angle), _RADAR_CY + _RADAR_R * value / 100 * math.sin(angle)


@lru_cache(maxsize=256)
def _radar_axes(axes_labels: tuple[str, ...], missing: tuple[bool, ...] = ()) -> str:
    """Rings, spokes and axis labels: the same on most model pages of a language, so drawn once per kind."""
    n = len(axes_labels)
    parts = ['<g class="rb-axes">']
    for level in (25, 50, 75, 100):
        ring = " ".join(f"{_i(x)},{_i(y)}" for x, y in (_radar_at(n, i, level) for i in range(n)))
        parts.append(f'<polygon class="rb-grid" points="{ring}"/>')
    cx, cy = _RADAR_CX, _RADAR_CY
    for i, label in enumerate(axes_labels):
        x, y = _radar_at(n, i, 100)
        lx, ly = _radar_at(n, i, 118)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        gap = ' class="rb-missing"' if i < len(missing) and missing[i] else ""
        # Vertically centred on the point by board.css (`#rb-radar .rb-axes text`), not by an attribute on every label.
        parts.append(f'<line{gap} x1="{_i(cx)}" y1="{_i(cy)}" x2="{_i(x)}" y2="{_i(y)}"/>'
                     f'<text{gap} x="{_i(lx)}" y="{_i(ly)}" text-anchor="{anchor}">{escape.text(label)}</text>')
    parts.append("</g>")
    return "".join(parts)


Series = tuple[str, str, Sequence[float | None]]
"""A radar's series: (label, css class, values on the 0-100 scale, None where missing)."""

_SHARED_LOOK = {"rb-this": ("--rb-this", True), "rb-leader": ("--rb-leader", True), "rb-best": ("--rb-best", False)}
"""How a series drawn from the shared file looks, by its css class: (custom property of its colour, filled). board.css
sets the properties for both schemes and draws the page's own series from them too."""


@lru_cache(maxsize=256)
def _radar_axes_shared(axes_labels: tuple[str, ...], missing: tuple[bool, ...] = (),
                       shared: tuple[tuple[str, str, tuple[float | None, ...]], ...] = ()) -> tuple[str, str]:
    """(id, group) of the rings, spokes and labels as `radar_axes_file` holds them, for `<use>`, with the `shared`
    series (the same on every page: the board's leader, the best per category) and their rows of the legend, the
    last rows.

    The page's style sheet does not reach into a `<use>`d file, but inherited properties do, custom properties
    included: the colours are the theme's (`var(--md-default-fg-color...)`) and board.css's (`var(--rb-leader)`), in
    either scheme, as `.rb-chart` in board.css draws them inline."""
    n = len(axes_labels)
    rings, spokes, labels = [], [], []
    for level in (25, 50, 75, 100):
        rings.append('<polygon points="' + " ".join(f"{_i(x)},{_i(y)}" for x, y in (_radar_at(n, i, level) for i in range(n))) + '"/>')
    cx, cy = _RADAR_CX, _RADAR_CY
    for i, label in enumerate(axes_labels):
        x, y = _radar_at(n, i, 100)
        lx, ly = _radar_at(n, i, 118)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        gap = i < len(missing) and missing[i]
        dashed = ' class="rb-missing" stroke-dasharray="3 3"' if gap else ""
        italic = ' class="rb-missing" font-style="italic" style="fill:var(--md-default-fg-color--light)"' if gap else ""
        spokes.append(f'<line{dashed} x1="{_i(cx)}" y1="{_i(cy)}" x2="{_i(x)}" y2="{_i(y)}"/>')
        labels.append(f'<text{italic} x="{_i(lx)}" y="{_i(ly)}" text-anchor="{anchor}">{escape.text(label)}</text>')
    body = (f'<g style="stroke:var(--md-default-fg-color--lightest)">{"".join(rings)}</g>'
            f'<g style="stroke:var(--md-default-fg-color--light)">{"".join(spokes)}</g>'
            f'<g style="fill:var(--md-default-fg-color)" stroke="none" dominant-baseline="middle">{"".join(labels)}</g>')
    for j, (label, css, values) in enumerate(shared):
        colour, filled = _SHARED_LOOK[css]
        fill = f"var({colour})" if filled else "none"
        dashes = "" if filled else ' stroke-dasharray="4 3"'
        look = f'class="rb-series {escape.attr(css)}" style="stroke:var({colour});fill:{fill}" stroke-width="2" fill-opacity="0.15"{dashes}'
        if all(v is not None for v in values):
            body += f'<polygon {look} points="{_radar_points(values)}"/>'  # type: ignore[arg-type]
        else:
            line, dots = _gapped(values)
            line = line.replace("<path ", '<path fill="none" ')
            dots = dots.replace("<circle ", f'<circle style="fill:var({colour})" fill-opacity="1" ')
            body += f"<g {look}>{line}{dots}</g>"
        y = _legend_y(j, len(shared))
        body += (f'<rect {look} x="10" y="{y - 9}" width="10" height="10"/>'
                 f'<text x="26" y="{y}" style="fill:var(--md-default-fg-color)" stroke="none">{escape.text(label)}</text>')
    key = "a" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:10]
    return key, f'<g id="{key}" class="rb-axes" fill="none" stroke-width="1">{body}</g>'


def _legend_y(i: int, count: int) -> int:
    """The baseline of legend row i of `count`, the last row at the foot of the chart."""
    return _RADAR_SIZE - 6 - 16 * (count - 1 - i)


def radar_axes_file(variants: Iterable[tuple[Sequence[str], Sequence[bool], Sequence[Series]]]) -> str:
    """A file of radar grids, one for each (axis labels, missing axes, shared series): what `radar(axes_href=...)`
    draws with `<use>`."""
    groups = dict(_radar_axes_shared(tuple(labels), tuple(missing), _frozen(shared)) for labels, missing, shared in variants)
    return f'<svg xmlns="http://www.w3.org/2000/svg"><defs>{"".join(groups[key] for key in sorted(groups))}</defs></svg>\n'


def _frozen(series: Sequence[Series]) -> tuple[tuple[str, str, tuple[float | None, ...]], ...]:
    return tuple((label, css, tuple(values)) for label, css, values in series)


@lru_cache(maxsize=256)
def _radar_points(values: tuple[float, ...]) -> str:
    """A series' outline; the leader's and the per-category best recur on every page."""
    return " ".join(f"{_i(x)},{_i(y)}" for x, y in (_radar_at(len(values), i, v) for i, v in enumerate(values)))


def radar(chart_id: str, axes_labels: Sequence[str], series: Sequence[Series], *, title: str, description: str,
          missing: Sequence[bool] = (), axes_href: str | None = None, shared: Sequence[Series] = ()) -> str:
    """A radar of 0-100 values on each axis; series: (label, css class, values). Needs three axes or more.

    A value of None is missing: the series' outline stops at that axis (no point at the centre, which would read
    as the lowest score); a series missing anywhere is drawn as an open outline with dots. `missing[i]` marks
    axis i as one where the chart's main series has no score: a dashed spoke and its label in italics.

    With `axes_href`, the address of a file made by `radar_axes_file` (thousands of model pages draw the same grid),
    the rings, spokes and labels are drawn from it with `<use>`, and so are the `shared` series (the same on every
    page) with their rows of the legend; the title and the description stay in the chart. Without it, `shared` series
    are drawn inline after `series`."""
    if len(axes_labels) < 3:
        return ""
    size = _RADAR_SIZE
    if axes_href is None:
        axes = _radar_axes(tuple(axes_labels), tuple(missing))
        series, shared = [*series, *shared], ()
    else:
        key = _radar_axes_shared(tuple(axes_labels), tuple(missing), _frozen(shared))[0]
        axes = f'<use href="{escape.attr(axes_href)}#{key}"/>'
    parts = [_open(chart_id, title, description, _RADAR_WIDTH, size + 20), axes]
    for label, css, values in series:
        parts.append(_radar_series(label, css, tuple(values)))
    count = len(series) + len(shared)
    for i, (label, css, _) in enumerate(series):
        y = _legend_y(i, count)
        parts.append(f'<rect class="rb-series {escape.attr(css)}" x="10" y="{y - 9}" width="10" height="10"/>'
                     f'<text x="26" y="{y}">{escape.text(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _radar_series(label: str, css: str, values: tuple[float | None, ...]) -> str:
    tip = f"<title>{escape.text(label)}</title>"
    if all(v is not None for v in values):
        return f'<polygon class="rb-series {escape.attr(css)}" points="{_radar_points(values)}">{tip}</polygon>'  # type: ignore[arg-type]
    line, dots = _gapped(values)
    return f'<g class="rb-series rb-gapped {escape.attr(css)}">{tip}{line}{dots}</g>'


def _gapped(values: tuple[float | None, ...]) -> tuple[str, str]:
    """A series with missing values: (the outline's segments between neighbouring values, a dot on each value)."""
    n = len(values)
    points = {i: _radar_at(n, i, v) for i, v in enumerate(values) if v is not None}
    segments = []
    for i in sorted(points):
        j = (i + 1) % n
        if j in points:
            (x1, y1), (x2, y2) = points[i], points[j]
            segments.append(f"M{_i(x1)},{_i(y1)}L{_i(x2)},{_i(y2)}")
    line = f'<path d="{"".join(segments)}"/>' if segments else ""
    dots = "".join(f'<circle cx="{_i(x)}" cy="{_i(y)}" r="3"/>' for x, y in points.values())
    return line, dots
