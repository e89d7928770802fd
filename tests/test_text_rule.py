"""One rule for text: no control characters in one-line fields, patterns that mean the same in
jsonschema-rs and jsonschema, and a file that either validator rejects is never accepted."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest
from example_repo import EXAMPLES

from builder.check.schema_check import END, PATTERN_MEANINGS, SCHEMA_NAMES, SchemaChecker, load_schema
from builder.check.text_rules import MULTI_LINE_PATTERN, SINGLE_LINE_PATTERN, control_character_problem
from builder.load.strict_yaml import Document, YamlError, parse_bytes

REPO = Path(__file__).resolve().parent.parent
CONTROLS = ["\n", "\r", "\t", "\x00", "\x08", "\x0b", "\x1b", "\x1f", "\x7f", "\x85", "\x9f", "\u2028", "\u2029"]
ALLOWED_IN_MULTI_LINE = {"\n", "\t"}
# Strings that some pattern of the schemas accepts: each pattern must accept at least one.
SAMPLES = ["a", "Meta", "阿里巴巴", "abc-1.0", "0" * 7, "0" * 16, "0" * 40, "0" * 64, "2024-06-07", "https://example.org/a?b=c",
           "Qwen/Qwen2-7B", "meta-llama", "gsm8k", "exact_match", "0.4.13", "max_length", "8", "auto:4", "en", "a.yaml",
           "a.evidence.jsonl.gz", "A" * 43 + "=", "A" * 86 + "==", "Line one\nline two"]


def _string_nodes(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema node that can accept a string (not by enum or const), propertyNames included."""
    if isinstance(node, dict):
        kinds = node.get("type")
        kinds = [kinds] if isinstance(kinds, str) else kinds or []
        if "string" in kinds and "enum" not in node and "const" not in node:
            yield where, node
        for key, child in node.items():
            if key not in ("enum", "const", "required", "if"):
                yield from _string_nodes(child, f"{where}/{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _string_nodes(child, f"{where}[{index}]")


def _patterns() -> list[str]:
    return sorted({node["pattern"] for name in SCHEMA_NAMES for _, node in _string_nodes(load_schema(name), name) if "pattern" in node})


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_text_field_of_every_schema_has_a_pattern_that_ends_at_the_end(name: str) -> None:
    for where, node in _string_nodes(load_schema(name), name):
        assert "pattern" in node, f"{where} takes any text: give it a pattern (text_rules.SINGLE_LINE_PATTERN at least)"
        assert node["pattern"].endswith("$" + END), f"{where}: end the pattern with $(?!\\n), as builder/check/text_rules.py says"
        assert node["pattern"] in PATTERN_MEANINGS, f"{where}: say what {node['pattern']} means in schema_check.PATTERN_MEANINGS"


@pytest.mark.parametrize("pattern", _patterns())
def test_each_pattern_means_the_same_in_both_validators_and_refuses_control_characters(pattern: str) -> None:
    fast = jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
    reference = jsonschema.Draft202012Validator({"type": "string", "pattern": pattern})
    accepted = [s for s in SAMPLES if fast.is_valid(s)]
    assert accepted, f"no sample matches {pattern}: add one to SAMPLES"
    for sample in accepted:
        for char in CONTROLS:
            for text in (sample + char, char + sample, sample[:1] + char + sample[1:], sample + char + "\n", sample + "\n"):
                assert fast.is_valid(text) == reference.is_valid(text), (pattern, text)
                allowed = pattern == MULTI_LINE_PATTERN and set(text) - set(sample) <= ALLOWED_IN_MULTI_LINE
                assert fast.is_valid(text) == bool(allowed), (pattern, text)


def _documents() -> Iterator[tuple[str, Path, Any]]:
    kinds = {"model.yaml": "model", "benchmarks.yaml": "benchmarks", "organisations.yaml": "organisations",
             "spotcheck-signers.yaml": "signers"}
    for path in sorted([*EXAMPLES.rglob("*.yaml"), *(REPO / "seeds").rglob("*.yaml")]):
        try:
            data = parse_bytes(path.read_bytes()).data
        except YamlError:
            continue
        kind = kinds.get(path.name, "verification" if path.name.endswith(".verification.yaml") else "run")
        yield kind, path, data


def _string_paths(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], bool]]:
    """(path, is a mapping key) of every text in a document."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*path, key), True
            yield from _string_paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _string_paths(value, (*path, index))
    elif isinstance(data, str):
        yield path, False


def _mutated(data: Any, path: tuple[Any, ...], is_key: bool, char: str) -> Any:
    copied = copy.deepcopy(data)
    node = copied
    for step in path[:-1]:
        node = node[step]
    if is_key:
        node[path[-1] + char] = node.pop(path[-1])
    else:
        node[path[-1]] = node[path[-1]] + char
    return copied


def test_both_validators_agree_on_every_example_and_every_example_with_a_control_character_added() -> None:
    """The corpus, then each of its valid files with a line break, carriage return or line
    separator after each of its texts and keys, in turn: never accepted by one validator only,
    and only ever accepted in multi-line texts."""
    checked = mutated = 0
    validators = {name: (jsonschema_rs.validator_for(load_schema(name)), jsonschema.Draft202012Validator(load_schema(name)))
                  for name in SCHEMA_NAMES}
    for kind, path, data in _documents():
        fast, reference = validators[kind]
        valid = fast.is_valid(data)
        assert valid == reference.is_valid(data), path
        checked += 1
        if not valid:
            continue
        for index, (where, is_key) in enumerate(_string_paths(data)):
            char = ("\n", "\r", "\u2028")[index % 3]  # each in turn: all three, in every kind of field, at a third of the cost
            hostile = _mutated(data, where, is_key, char)
            accepted = fast.is_valid(hostile)
            assert accepted == reference.is_valid(hostile), (path, where, char)
            assert not accepted or (char == "\n" and not is_key), (path, where, repr(char))
            mutated += 1
    assert checked > 50 and mutated > 2000


def test_a_file_one_validator_rejects_is_never_accepted() -> None:
    # `$` in Python's re matches before a final newline, so jsonschema accepts "abc\n" here
    # while jsonschema-rs rejects it: the checker must report a problem, not an empty list.
    schema = {"type": "object", "properties": {"name": {"type": "string", "pattern": "^[a-z]+$"}}}
    document = Document({"name": "abc\n"}, "name: \"abc\\n\"\n")
    assert jsonschema.Draft202012Validator(schema).is_valid(document.data)
    assert SchemaChecker(schema).check(document) != []


def test_the_message_names_the_control_character() -> None:
    assert control_character_problem("Meta\n") == "contains U+000A (a line break); this field is one line of text without control characters"
    assert control_character_problem("a\u2029b", multiline=True) == (
        "contains U+2029 (a paragraph separator); this field is text without control characters")
    assert control_character_problem("line\nline\tindented", multiline=True) is None
    assert re.search(SINGLE_LINE_PATTERN, "trailing\n") is None
