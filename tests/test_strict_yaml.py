"""The strict YAML subset: what it accepts, how it types plain scalars, where lines point."""

from __future__ import annotations

import pytest

from builder.load.strict_yaml import PurePythonParser, YamlError, hidden_character, parse, parse_bytes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: NO", "NO"),
        ("a: yes", "yes"),
        ("a: on", "on"),
        ("a: 2024-06-07", "2024-06-07"),
        ("a: 0755", "0755"),
        ("a: 1_000", "1_000"),
        ("a: 0x1F", "0x1F"),
        ("a: 12:30", "12:30"),
        ("a: true", True),
        ("a: False", False),
        ("a: ~", None),
        ("a:", None),
        ("a: 42", 42),
        ("a: -7", -7),
        ("a: 78.5", 78.5),
        ("a: 1e-3", 0.001),
        ("a: '42'", "42"),
        ('a: "true"', "true"),
        ("a: " + "9" * 40, "9" * 40),
    ],
)
def test_plain_scalars_follow_a_small_json_like_schema(text: str, expected: object) -> None:
    value = parse(text + "\n").data["a"]
    assert value == expected
    assert type(value) is type(expected)


def test_the_source_text_of_numbers_is_kept() -> None:
    document = parse("v: 0.10\nn: 3\ns: '0.10'\n")
    assert document.plain_texts == {("v",): "0.10", ("n",): "3"}


def test_lines_point_at_keys_and_list_items() -> None:
    document = parse("a: 1\nb:\n  - x: 2\n    y: 3\n  - 4\nc: {d: 5}\n")
    assert document.lines[("a",)] == 1
    assert document.lines[("b",)] == 2
    assert document.lines[("b", 0)] == 3
    assert document.lines[("b", 0, "y")] == 4
    assert document.lines[("b", 1)] == 5
    assert document.lines[("c", "d")] == 6
    assert document.line_of(("b", 0, "missing")) == 3


def test_keys_are_always_text() -> None:
    assert parse("1: a\ntrue: b\nnull: c\n").data == {"1": "a", "true": "b", "null": "c"}


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a' (first on line 1)"),
        ("a: &x 1\n", 1, "anchors (&x) are not allowed in result files"),
        ("a: &x [1]\nb: *x\n", 1, "anchors (&x) are not allowed in result files"),
        ("a: !!binary aGVsbG8=\n", 1, "tags (!!binary) are not allowed in result files"),
        ("a: !!set {x}\n", 1, "tags (!!set) are not allowed in result files"),
        ("a: !custom 1\n", 1, "tags (!custom) are not allowed in result files"),
        ("<<: {a: 1}\n", 1, "merge keys (<<) are not allowed in result files"),
        ("a: 1\n---\na: 2\n", 2, "a file holds one YAML document; a second one starts here"),
        ("a: -.inf\n", 1, "'-.inf' is not allowed: NaN and infinities are not numbers"),
        ("a: .NaN\n", 1, "'.NaN' is not allowed: NaN and infinities are not numbers"),
        ("a: 1e999\n", 1, "'1e999' is too large to be a number"),
        ("? [a]\n: 1\n", 1, "keys must be plain text, not lists or mappings"),
        ("a: [1\n", 2, "not valid YAML: did not find expected ',' or ']'"),
        ("a: \"x\u200by\"\n", 1, "text contains the invisible or bidirectional control character U+200B"),
        ('a: "\\u202e"\n', 1, "text contains the invisible or bidirectional control character U+202E"),
        ("", 0, "the file is empty"),
        ("# only a comment\n", 0, "the file is empty"),
    ],
)
def test_risky_yaml_is_refused_with_its_line(text: str, line: int, message: str) -> None:
    with pytest.raises(YamlError) as caught:
        parse(text)
    assert (caught.value.line, caught.value.message) == (line, message)


def test_an_alias_is_refused_even_without_its_anchor_being_reached() -> None:
    with pytest.raises(YamlError, match=r"aliases \(\*x\)|not valid YAML"):
        parse("a: *x\n")


def test_nul_bytes_and_invalid_utf8_are_refused_with_their_line() -> None:
    with pytest.raises(YamlError, match="NUL byte") as nul:
        parse_bytes(b"a: 1\nb: \x00\n")
    assert nul.value.line == 2
    with pytest.raises(YamlError, match=r"not valid UTF-8 \(byte 10\)") as bad:
        parse_bytes(b"a: 1\nb: x\xff\n")
    assert bad.value.line == 2


def test_a_byte_order_mark_is_allowed() -> None:
    assert parse_bytes("\ufeffa: 1\n".encode()).data == {"a": 1}


def test_hidden_characters_are_named() -> None:
    assert hidden_character("meta\u202ellama") == "U+202E"
    assert hidden_character("深度求索 DeepSeek") is None


def test_the_pure_python_parser_gives_the_same_values_and_lines() -> None:
    text = "a: 1\nb:\n  - x: '2'\n    y: [3, 4.5, no]\nc: 2024-06-07\n"
    fast, slow = parse(text), parse(text, parser=PurePythonParser)
    assert (fast.data, fast.lines, fast.plain_texts) == (slow.data, slow.lines, slow.plain_texts)
    with pytest.raises(YamlError, match="duplicate key 'a' \\(first on line 1\\)"):
        parse("a: 1\na: 2\n", parser=PurePythonParser)
    with pytest.raises(YamlError, match="anchors"):
        parse("a: &x 1\n", parser=PurePythonParser)


@pytest.mark.parametrize("items", ["1", "[]", "{}", "'x'"])
def test_a_file_with_more_values_than_the_cap_is_refused_while_parsing(items: str) -> None:
    from builder.load.strict_yaml import MAX_NODES

    parse(f"a: [{', '.join([items] * (MAX_NODES - 3))}]")  # the mapping, its key, its list and the items: exactly the cap
    with pytest.raises(YamlError, match=f"the file holds more than {MAX_NODES:,} values; result files need a few thousand"):
        parse(f"a: [{', '.join([items] * MAX_NODES)}]")


@pytest.mark.parametrize("parser", [None, PurePythonParser], ids=["libyaml", "pure-python"])
@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("a: 1\nb:\n\tc: 2\n", 3, 1),
        ("scores:\n  mmlu:\n  \tvalue: 2\n", 3, 3),
        ("a:\n\t- 1\n", 2, 1),
        ("a: 1\r\nb:\r\n\tc: 2\r\n", 3, 1),
    ],
)
def test_a_tab_in_the_indentation_is_called_a_tab_with_its_line_and_column(text: str, line: int, column: int, parser: type | None) -> None:
    with pytest.raises(YamlError) as raised:
        parse(text, parser=parser) if parser else parse(text)
    assert (raised.value.line, raised.value.message) == (
        line, f"not valid YAML: a tab at column {column}; YAML indents with spaces only, so replace the tab with spaces")


def test_an_error_elsewhere_on_a_line_with_a_tab_is_not_blamed_on_the_tab() -> None:
    with pytest.raises(YamlError) as raised:
        parse("key:\tvalue: x\n")
    assert raised.value.message == "not valid YAML: mapping values are not allowed in this context"
    assert parse("a:\t1\nb: c\td\n").data == {"a": 1, "b": "c\td"}  # a tab that is not indentation is fine
