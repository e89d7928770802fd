"""SVG charts: shapes, frontier, text alternatives, escaping, stable output."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from builder.render import charts

SVG = "{http://www.w3.org/2000/svg}"


def _tree(svg: str) -> ET.Element:
    # Inline SVG in HTML needs no namespace; give it one to parse it as XML.
    return ET.fromstring(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def _points() -> list[charts.Point]:
    return [
        charts.Point(7.0, 50.0, "A-7B", "models/a/7b/"),
        charts.Point(70.0, 60.0, "B-70B", "models/b/70b/"),
        charts.Point(8.0, 45.0, "C-8B", None, "api"),
        charts.Point(1.5, 30.0, "D-1.5B", None),
        charts.Point(72.0, 80.0, "E-72B", None),
    ]


def test_the_pareto_frontier_keeps_the_best_score_for_each_size() -> None:
    assert [p.label for p in charts.pareto_frontier(_points())] == ["D-1.5B", "A-7B", "B-70B", "E-72B"]


def test_the_parameter_chart_has_a_title_a_description_a_dot_per_model_and_a_frontier() -> None:
    svg = charts.scatter_vs_parameters("c1", _points(), title="Score vs size", description="Five models.", x_label="Params",
                                       y_label="Average", value_text="{x:g} B, {y:.2f}", legend=[("rb-dot rb-open", "Open")])
    root = _tree(svg)
    # Its dots link to model pages: a group of links, which role="img" would hide (axe-core: nested-interactive).
    assert root.get("role") == "group" and root.get("aria-labelledby") == "c1-t c1-d"
    assert root.find(f"{SVG}title").text == "Score vs size"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "Five models."  # type: ignore[union-attr]
    circles = root.findall(f".//{SVG}circle")
    assert len(circles) == 5
    assert [c.find(f"{SVG}title").text for c in circles][:2] == ["A-7B: 7 B, 50.00", "B-70B: 70 B, 60.00"]  # type: ignore[union-attr]
    assert len(root.findall(f".//{SVG}a")) == 2
    frontier = root.find(f".//{SVG}polyline")
    assert frontier is not None and frontier.get("class") == "rb-frontier"
    assert len(frontier.get("points", "").split()) == 2 * 4 - 1  # a step line through four points


def test_chart_labels_are_escaped() -> None:
    evil = [charts.Point(1.0, 10.0, '<script>alert(1)</script>"', 'x" onload="alert(2)')]
    svg = charts.scatter_vs_parameters("c2", evil, title="<t>", description="&", x_label="x", y_label="y", value_text="{y}", legend=[])
    assert "<script>" not in svg and 'onload="' not in svg
    root = _tree(svg)
    assert root.find(f".//{SVG}a").get("href") == 'x" onload="alert(2)'  # type: ignore[union-attr]


def test_the_radar_draws_one_polygon_per_series_and_needs_three_axes() -> None:
    svg = charts.radar("r", ["K", "R", "M"], [("this", "rb-this", [50, 60, 70]), ("best", "rb-best", [90, 80, 70])], title="T", description="D")
    root = _tree(svg)
    assert len(root.findall(f".//{SVG}polygon[@class='rb-series rb-this']")) == 1
    assert len(root.findall(f".//{SVG}polygon[@class='rb-series rb-best']")) == 1
    assert charts.radar("r", ["K", "M"], [("this", "rb-this", [50, 60])], title="T", description="D") == ""


def test_interval_rows_put_each_score_between_its_ends_on_a_scale_of_any_sign() -> None:
    svg = charts.intervals("i", [("A", 1.0, 0.5, 1.5, None), ("B", -0.5, -1.25, 0.25, "x/")], title="T", description="D")
    root = _tree(svg)
    lines = root.findall(f".//{SVG}line[@class='rb-interval']")
    dots = [float(c.get("cx", 0)) for c in root.findall(f".//{SVG}circle")]
    ends = [(float(x.get("x1", 0)), float(x.get("x2", 0))) for x in lines]
    assert [lo < dot < hi for (lo, hi), dot in zip(ends, dots)] == [True, True]
    assert dots[1] < dots[0]  # B's score is lower: drawn to the left, not as a bar from 0
    zero = root.findall(f".//{SVG}line[@class='rb-grid rb-zero']")
    assert len(zero) == 1 and ends[1][0] < float(zero[0].get("x1", 0)) < ends[1][1]  # 0, the average model, is marked
    assert charts.intervals("i", [], title="T", description="D") == ""


def test_the_score_range_holds_every_value_and_zero() -> None:
    assert charts.score_range([0.4, 1.2]) == (0.0, 2.0)
    assert charts.score_range([-1.3, -0.2]) == (-2.0, 1.0)


def test_the_date_chart_places_points_by_date() -> None:
    svg = charts.scatter_vs_date("d", [("2024-01-01", 50.0, "A", None, "open"), ("2024-07-01", 60.0, "B", None, "api")],
                                 title="T", description="D", x_label="date", y_label="avg", value_text="released {x}, {y:.1f}", legend=[])
    circles = _tree(svg).findall(f".//{SVG}circle")
    assert float(circles[0].get("cx", 0)) < float(circles[1].get("cx", 0))
    assert circles[1].find(f"{SVG}title").text == "B: released 2024-07-01, 60.0"  # type: ignore[union-attr]


def test_charts_are_byte_stable() -> None:
    make = lambda: charts.scatter_vs_parameters("c", _points(), title="t", description="d", x_label="x", y_label="y", value_text="{y}", legend=[])  # noqa: E731
    assert make() == make()


def test_a_chart_without_links_stays_one_image() -> None:
    svg = charts.scatter_vs_parameters("c2", [charts.Point(7.0, 50.0, "A-7B", None)], title="T", description="D", x_label="P",
                                       y_label="S", value_text="{x:g}", legend=[])
    assert _tree(svg).get("role") == "img"


def test_a_radar_draws_a_missing_category_as_missing_never_at_the_centre() -> None:
    svg = charts.radar("r", ["K", "R", "M", "C"], [("this", "rb-this", [50, None, 70, 60]), ("best", "rb-best", [90, 80, 70, 75])],
                       title="T", description="D", missing=[False, True, False, False])
    root = _tree(svg)
    # The complete series is a polygon; the gapped one has no vertex on the missing axis (nor at the centre).
    assert len(root.findall(f".//{SVG}polygon[@class='rb-series rb-best']")) == 1
    gapped = root.find(f".//{SVG}g[@class='rb-series rb-gapped rb-this']")
    assert gapped is not None and len(gapped.findall(f"{SVG}circle")) == 3
    path = gapped.find(f"{SVG}path").get("d")  # type: ignore[union-attr]
    assert path.count("M") == 2  # M->C and C->K: the outline is broken at R
    assert "280,200" not in path and "280.0,200.0" not in path  # never through the centre
    spokes = root.findall(f".//{SVG}g[@class='rb-axes']/{SVG}line")
    assert [s.get("class") for s in spokes] == [None, "rb-missing", None, None]


def test_a_radar_with_a_shared_grid_draws_it_with_use_and_keeps_its_text_alternative() -> None:
    """Issue #11: the rings, spokes and labels are the same on thousands of model pages, so they are drawn from one
    file (`radar_axes_file`) that holds the group the `<use>` names; the series, title and description stay inline."""
    labels, missing = ["K", "R & <D>", "M", "C"], [False, True, False, False]
    series = [("this", "rb-this", [50, None, 70, 60]), ("best", "rb-best", [90, 80, 70, 75])]
    svg = charts.radar("r", labels, series, title="T", description="D", missing=missing, axes_href="../../assets/radar.svg")
    root = _tree(svg)
    assert root.find(f"{SVG}title").text == "T" and root.find(f"{SVG}desc").text == "D"  # type: ignore[union-attr]
    assert root.find(f".//{SVG}g[@class='rb-axes']") is None and "rb-grid" not in svg and "<text x=\"280\"" not in svg
    (use,) = root.findall(f"{SVG}use")
    path, key = use.get("href", "").split("#")
    assert path == "../../assets/radar.svg"
    shared = ET.fromstring(charts.radar_axes_file([(labels, missing, []), (["K", "R", "M"], [False] * 3, []), (labels, missing, [])]))
    groups = shared.findall(f"{SVG}defs/{SVG}g")
    assert len(groups) == 2 and [g.get("id") for g in groups] == sorted(g.get("id") for g in groups)  # each once, in order
    (grid,) = [g for g in groups if g.get("id") == key]
    assert [t.text for t in grid.iter(f"{SVG}text")] == labels  # escaped in the file, read back as given
    assert [s.get("stroke-dasharray") for s in grid.iter(f"{SVG}line")] == [None, "3 3", None, None]
    assert [t.get("font-style") for t in grid.iter(f"{SVG}text")] == [None, "italic", None, None]
    assert len(list(grid.iter(f"{SVG}polygon"))) == 4
    # The page's style sheet does not reach into the file: the theme's colours come in as inherited custom properties.
    assert "var(--md-default-fg-color)" in ET.tostring(grid, encoding="unicode")
    # No missing axis given and none missing: the same grid, the same key.
    plain = charts.radar("r", ["K", "R", "M"], [("this", "rb-this", [1, 2, 3])], title="T", description="D", axes_href="a.svg")
    assert plain.split('<use href="a.svg#')[1].split('"')[0] in {g.get("id") for g in groups}


def test_the_series_the_same_on_every_page_are_drawn_from_the_shared_file_with_their_legend() -> None:
    """Issue #11: the leader's and the best outlines recur on thousands of model pages; with a shared file they are
    drawn from it, after the page's own series in the legend, in colours the page's style sheet hands in (custom
    properties). A gap in a shared series is a gap there too: dots, no point at the centre."""
    labels = ["K", "R", "M", "C"]
    mine = [("this", "rb-this", [50, 60, 70, 60])]
    shared = [("leader <b>", "rb-leader", [80, None, 90, 85]), ("best", "rb-best", [90, 80, 95, 85])]
    svg = charts.radar("r", labels, mine, title="T", description="D", axes_href="g.svg", shared=shared)
    root = _tree(svg)
    assert [p.get("class") for p in root.iter(f"{SVG}polygon")] == ["rb-series rb-this"]
    assert [t.text for t in root.iter(f"{SVG}text")] == ["this"]
    inline = _tree(charts.radar("r", labels, mine, title="T", description="D", shared=shared))
    legend_y = {t.text: t.get("y") for t in inline.iter(f"{SVG}text") if t.get("x") == "26"}
    assert list(legend_y) == ["this", "leader <b>", "best"]  # without a shared file: all inline, in the same order
    key = root.find(f"{SVG}use").get("href").split("#")[1]  # type: ignore[union-attr]
    file = ET.fromstring(charts.radar_axes_file([(labels, [False] * 4, shared)]))
    (group,) = file.findall(f"{SVG}defs/{SVG}g")
    assert group.get("id") == key
    texts = {t.text: t.get("y") for t in group.iter(f"{SVG}text") if t.get("x") == "26"}
    assert texts == {"leader <b>": legend_y["leader <b>"], "best": legend_y["best"]}  # the same rows as drawn inline
    (leader,) = [g for g in group.iter(f"{SVG}g") if g.get("class") == "rb-series rb-leader"]
    assert len(leader.findall(f"{SVG}circle")) == 3 and "var(--rb-leader)" in (leader.get("style") or "")
    assert not any(c.get("cx") == "280" and c.get("cy") == "200" for c in leader.iter(f"{SVG}circle"))
    best = [p for p in group.iter(f"{SVG}polygon") if p.get("class") == "rb-series rb-best"]
    assert len(best) == 1 and best[0].get("stroke-dasharray") == "4 3" and "fill:none" in (best[0].get("style") or "")
    # A page without the leader (the leader's own) names another group.
    alone = charts.radar("r", labels, mine, title="T", description="D", axes_href="g.svg", shared=shared[1:])
    assert alone.split("#")[1].split('"')[0] != key
