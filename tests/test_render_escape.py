"""Each escaping context on hostile strings: what a browser, a Markdown renderer and a spreadsheet would see."""

from __future__ import annotations

import csv
import html.parser
import io
import json

import markdown
import pytest

from builder.render import escape

HOSTILE = "<img src=x onerror=alert(1)>\"' & </script><!-- `x` | *y* [z](javascript:alert(2))"


class _Collector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.data.append(data)


def _parse(markup: str) -> _Collector:
    parser = _Collector()
    parser.feed(markup)
    parser.close()
    return parser


def test_html_text_makes_no_tag_and_reads_back_as_the_original() -> None:
    parsed = _parse(f"<p>{escape.text(HOSTILE)}</p>")
    assert [t for t, _ in parsed.tags] == ["p"]
    assert "".join(parsed.data) == HOSTILE


def test_an_attribute_value_stays_one_attribute() -> None:
    parsed = _parse(f'<span title="{escape.attr(HOSTILE)}" class="x">')
    assert parsed.tags == [("span", {"title": HOSTILE, "class": "x"})]


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)", "data:text/html,<b>", "vbscript:x", "//evil.org/x", "/relative", "ftp://x.org/"])
def test_only_http_and_https_urls_become_links(bad: str) -> None:
    assert escape.url(bad) is None
    assert escape.link(bad, "label") == "label"


def test_an_http_url_cannot_break_out_of_its_attribute() -> None:
    link = escape.link('https://example.org/x?a=1&b="><script>alert(1)</script>', "<b>label</b>")
    parsed = _parse(link)
    assert [t for t, _ in parsed.tags] == ["a"]
    assert parsed.tags[0][1]["href"] == "https://example.org/x?a=1&b=%22%3E%3Cscript%3Ealert(1)%3C/script%3E"
    assert "".join(parsed.data) == "<b>label</b>"


def test_json_in_a_script_element_cannot_close_it_and_reads_back() -> None:
    data = {"name": HOSTILE, "sep": "\u2028\u2029", "n": 1.5}
    dumped = escape.script_json(data)
    assert "<" not in dumped and ">" not in dumped and "&" not in dumped and "\u2028" not in dumped
    assert json.loads(dumped) == data


def test_json_in_a_script_element_refuses_nan() -> None:
    with pytest.raises(ValueError):
        escape.script_json({"x": float("nan")})


def test_a_markdown_table_cell_keeps_its_column_and_makes_no_link_or_markup() -> None:
    cell = escape.markdown_cell(HOSTILE + "\nsecond line")
    rendered = markdown.markdown(f"| a | b |\n|---|---|\n| {cell} | 2 |\n", extensions=["tables"])
    parsed = _parse(rendered)
    tags = [t for t, _ in parsed.tags]
    assert tags.count("td") == 2
    assert not {"img", "a", "em", "strong", "code", "script"} & set(tags)
    cells = rendered.split("<td>")[1].split("</td>")[0]
    assert "".join(_parse(cells).data) == " ".join((HOSTILE + " second line").split())


def test_a_csv_cell_that_starts_like_a_formula_is_quoted_for_spreadsheets() -> None:
    assert escape.csv_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert escape.csv_cell("+1") == "'+1" and escape.csv_cell("@SUM(A1)") == "'@SUM(A1)" and escape.csv_cell("-2") == "'-2"
    assert escape.csv_cell("Model 7B") == "Model 7B"
    assert escape.csv_cell(-2.5) == -2.5
    out = io.StringIO()
    csv.writer(out).writerow([escape.csv_cell('=1+1,"x"')])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'=1+1,\"x\""]


@pytest.mark.parametrize("value", [" =1+1", "  @SUM(A1)", "\t=cmd|' /C calc'!A0", "\r+1", "\n-1", " \t =x", "\u3000=1", "\uff1d1+1",
                                   "\t", "\rplain", "-1.5", "+33 1 23 45 67 89"])
def test_a_csv_cell_that_a_spreadsheet_could_run_is_text_whatever_comes_before_it(value: str) -> None:
    cell = escape.csv_cell(value)
    assert isinstance(cell, str) and cell.startswith("'")


@pytest.mark.parametrize("value", ["Model 7B", "Qwen2-7B", "a = b", "e-mail@example.org", ""])
def test_plain_text_is_left_as_written(value: str) -> None:
    assert escape.csv_cell(value) == value


@pytest.mark.parametrize("value", [-1.5, -2, 0, 78.25, True])
def test_numbers_stay_numbers(value: object) -> None:
    assert escape.csv_cell(value) is value


def test_line_breaks_and_control_characters_never_break_a_csv_row() -> None:
    hostile = ["Meta\nLlama", "a\r\nb,c", "x\x00y\x1b[31m", "tab\there", "sep\u2028line", 'quote " and, comma', "=1\n=2"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", *range(len(hostile))])
    writer.writerow(["m", *(escape.csv_cell(v) for v in hostile)])
    text = out.getvalue()
    assert text.count("\n") == 2 and "\r" not in text and "\x00" not in text and "\x1b" not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["m", "Meta Llama", "a  b,c", "x\ufffdy\ufffd[31m", "tab here", "sep line", 'quote " and, comma', "'=1 =2"]
