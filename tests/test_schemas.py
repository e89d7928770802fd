"""The schemas themselves: valid, documented field by field, and agreeing with their docs."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest
from example_repo import EXAMPLES

from builder.check.schema_check import SCHEMA_NAMES, load_schema
from builder.check.schema_docs import REFERENCE_PAGE, REFERENCE_PAGES, MissingTranslation, catalogue, english_texts, render
from builder.load.strict_yaml import YamlError, parse_bytes

REPO = Path(__file__).resolve().parent.parent


def _properties(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for name, child in node.get("properties", {}).items():
            yield f"{where}.{name}", child
        for key, child in node.items():
            if key != "if":  # conditions name fields, they don't define them
                yield from _properties(child, f"{where}/{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _properties(child, f"{where}[{index}]")


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    schema = load_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_field_is_documented(name: str) -> None:
    schema = load_schema(name)
    undocumented = []
    for where, child in _properties(schema, name):
        target = child
        if "$ref" in child and "description" not in child:
            target = schema
            for step in child["$ref"].lstrip("#/").split("/"):
                target = target[step]
        if not target.get("description"):
            undocumented.append(where)
    assert undocumented == []
    assert schema["title"] and schema["description"]


def test_definitions_shared_between_schemas_are_identical() -> None:
    seen: dict[str, tuple[str, Any]] = {}
    for name in SCHEMA_NAMES:
        for definition, body in load_schema(name).get("$defs", {}).items():
            first = seen.setdefault(definition, (name, body))
            assert first[1] == body, f"$defs/{definition} differs between {first[0]} and {name}"


def test_the_reference_page_is_generated_from_the_schemas() -> None:
    assert (REPO / REFERENCE_PAGE).read_text(encoding="utf-8") == render()


def test_the_chinese_reference_page_is_generated_from_the_schemas() -> None:
    assert (REPO / REFERENCE_PAGES["zh"]).read_text(encoding="utf-8") == render("zh")


def test_the_catalogue_translates_every_text_of_the_page_and_nothing_else() -> None:
    needed, translated = english_texts(), set(catalogue())
    assert sorted(needed - translated) == [], "add these to builder/check/schema_docs_zh.yaml"
    assert sorted(translated - needed) == [], "the page no longer shows these: remove them from builder/check/schema_docs_zh.yaml"


def test_a_text_without_a_translation_is_an_error_not_english(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = load_schema("model")
    schema["properties"]["name"]["description"] = "A description nobody translated."
    monkeypatch.setattr("builder.check.schema_docs.load_schema", lambda name: schema if name == "model" else load_schema(name))
    with pytest.raises(MissingTranslation, match="A description nobody translated"):
        render("zh")


def test_the_chinese_page_keeps_every_code_span() -> None:
    def spans(page: str) -> Counter[str]:
        return Counter(re.findall(r"`[^`\n]+`", page))

    assert spans(render("zh")) == spans(render())


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_field_appears_on_the_reference_page(name: str) -> None:
    page = render()
    for where, _ in _properties(load_schema(name), ""):
        assert f"{where.rsplit('.', 1)[-1]}" in page


def _documents() -> Iterator[tuple[str, Any]]:
    kinds = {"model.yaml": "model", "benchmarks.yaml": "benchmarks", "spotcheck-signers.yaml": "signers", "organisations.yaml": "organisations"}
    for path in sorted([*EXAMPLES.rglob("*.yaml"), *(REPO / "seeds").rglob("*.yaml")]):
        try:
            data = parse_bytes(path.read_bytes()).data
        except YamlError:
            continue
        kind = kinds.get(path.name, "verification" if path.name.endswith(".verification.yaml") else "run")
        yield kind, data


def test_the_fast_and_the_reference_validator_agree_on_every_example() -> None:
    checked = 0
    for kind, data in _documents():
        schema = load_schema(kind)
        fast = jsonschema_rs.validator_for(schema).is_valid(data)
        reference = jsonschema.Draft202012Validator(schema).is_valid(data)
        assert fast == reference, json.dumps(data)[:300]
        checked += 1
    assert checked > 50


def test_dates_in_the_schemas_are_checked_as_text_not_as_yaml_dates() -> None:
    data = parse_bytes(b"release_date: 2024-06-07\n").data
    assert data["release_date"] == "2024-06-07"
    assert dt.date.fromisoformat(data["release_date"]) == dt.date(2024, 6, 7)
