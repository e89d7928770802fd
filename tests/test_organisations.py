"""Who may speak for whom: the organisation registry, look-alike names, and makers' numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from example_repo import make_repo

from builder.check.confusables import skeleton
from builder.check.organisation_rules import model_findings, registry_findings, reported_run_findings
from builder.check.validate import validate
from builder.load.layout import ORGANISATIONS_FILE, Kind, classify
from builder.load.organisations import EMPTY_ORGANISATIONS, organisations_from_data
from builder.load.strict_yaml import parse_bytes

REPO = Path(__file__).resolve().parent.parent
REGISTRY_DATA = parse_bytes((REPO / ORGANISATIONS_FILE).read_bytes()).data
REGISTRY = organisations_from_data(REGISTRY_DATA)
TODAY = dt.date(2026, 11, 28)


@pytest.mark.parametrize(("one", "other"), [
    ("Meta", "МЕТА"), ("Meta", "META"), ("Meta", "Ｍｅｔａ"), ("Meta", "Méta"), ("Meta", "rneta"), ("Meta", "M e t a"),
    ("Alibaba Qwen", "Alibaba-Qwen"), ("Alibaba Qwen", "AIibaba Qwen"), ("Alibaba Qwen", "alibaba_qwen"), ("Qwen", "Qwеn"),
    ("meta-llama", "meta-IIama"), ("meta-llama", "Meta_Llama"), ("OpenAI", "0penAI"), ("OpenAI", "Open AI"), ("DeepSeek", "DееpSееk"),
])
def test_look_alikes_fold_to_the_same_skeleton(one: str, other: str) -> None:
    assert skeleton(one) == skeleton(other)


@pytest.mark.parametrize(("one", "other"), [("Meta", "Metal"), ("Qwen", "Owen"), ("DeepSeek", "DeepMind"), ("深度求索", "深度学习")])
def test_different_names_keep_different_skeletons(one: str, other: str) -> None:
    assert skeleton(one) != skeleton(other)


def _model(model_id: str, organisation: str) -> dict[str, Any]:
    return {"id": model_id, "organisation": organisation}


@pytest.mark.parametrize("organisation", ["Meta", "МЕТА", "META", "Meta AI", "Facebook", "Méta", "M.E.T.A.", "Meta (official)", "ΜΕΤΑ"])
def test_a_fan_namespace_cannot_give_metas_names_or_look_alikes(organisation: str) -> None:
    findings = list(model_findings(_model("llama-fan-2024/Meta-Llama-3-8B", organisation), REGISTRY))
    assert [path for path, _, _ in findings] == [("organisation",)]
    assert "meta-llama, facebook" in findings[0][1]


@pytest.mark.parametrize(("model_id", "organisation"), [
    ("llama-fan-2024/Qwen2-7B", "Alibaba Qwen"), ("llama-fan-2024/Qwen2-7B", "Qwen Team"), ("x/y", "通义千问"),
    ("x/y", "深度求索"), ("x/y", "0penAI"), ("x/y", "Mistral AI"), ("x/y", "Qwen fans"), ("x/y", "The Alibaba-Qwen team"),
])
def test_other_registered_names_are_refused_outside_their_namespaces(model_id: str, organisation: str) -> None:
    assert len(list(model_findings(_model(model_id, organisation), REGISTRY))) == 1


@pytest.mark.parametrize("namespace", ["meta-IIama", "Meta-Llama", "meta_llama", "qwen", "deepseek_ai", "0penai", "Meta"])
def test_a_namespace_that_looks_like_a_registered_one_or_a_name_is_refused(namespace: str) -> None:
    findings = list(model_findings(_model(f"{namespace}/Model-7B", "Fans"), REGISTRY))
    assert [path for path, _, _ in findings] == [("id",)]


def test_a_registered_namespace_needs_one_of_its_organisations_names() -> None:
    assert list(model_findings(_model("meta-llama/Meta-Llama-3-8B", "Meta AI"), REGISTRY)) == []
    (path, message, _), = model_findings(_model("meta-llama/Meta-Llama-3-8B", "МЕТА"), REGISTRY)
    assert path == ("organisation",)
    assert message == ("'МЕТА' is not a name of Meta, whose hub namespace 'meta-llama' this model is under ('МЕТА' looks like 'Meta'); "
                       "write one of: Meta, Meta AI, Meta Platforms, Facebook, Facebook AI Research")
    assert len(list(model_findings(_model("Qwen/Qwen2-7B", "Meta"), REGISTRY))) == 1


def test_a_name_that_holds_a_registered_name_says_which_words_claim_it() -> None:
    (_, message, _), = model_findings(_model("x/y", "The Alibaba-Qwen team"), REGISTRY)
    assert message.startswith("'The Alibaba-Qwen team' names 'Alibaba-Qwen', which looks like 'Alibaba Qwen', a registered organisation, "
                              "whose models are published under Qwen, not under 'x'")


def test_anyone_else_under_their_own_name_is_fine() -> None:
    assert list(model_findings(_model("llama-fan-2024/Meta-Llama-3-8B-finetune", "Llama Fans"), REGISTRY)) == []
    assert list(model_findings(_model("metaverse-labs/M-1", "Metaverse Labs"), REGISTRY)) == []
    assert list(model_findings(_model("meta-llama/Meta-Llama-3-8B", "Meta"), EMPTY_ORGANISATIONS)) == []


def _reported(publisher: str) -> dict[str, Any]:
    return {"provenance": {"kind": "reported", "source": {"publisher": publisher}}}


@pytest.mark.parametrize("publisher", ["Meta", "META", "Meta AI", "МЕТА", "Alibaba-Qwen", "通义千问", "DeepSeek-AI", "OpenAI",
                                       "Meta (official model card)", "Qwen Team, Alibaba Group"])
def test_a_contributor_cannot_publish_as_a_registered_organisation(publisher: str) -> None:
    (path, message, _), = reported_run_findings(_reported(publisher), REGISTRY)
    assert path == ("provenance", "source", "publisher")
    assert "added by maintainers under seeds/" in message


def test_a_contributor_may_report_a_third_partys_numbers() -> None:
    assert list(reported_run_findings(_reported("Papers With Numbers"), REGISTRY)) == []
    assert list(reported_run_findings({"provenance": {"kind": "submitted"}}, REGISTRY)) == []


def _imported_only(record: Path) -> bool:
    """A model whose every run `reproboard import` wrote (the Open LLM Leaderboard's 4,000 community uploads):
    its namespace is whoever uploaded it, which the registry need not list; validate still checks its name."""
    runs = [parse_bytes(p.read_bytes()).data for p in record.parent.glob("*.yaml") if p.name != "model.yaml"]
    return bool(runs) and all("imported_from" in (run["provenance"].get("source") or {}) for run in runs)


def test_the_repository_registry_is_clean_and_covers_every_model() -> None:
    assert list(registry_findings(REGISTRY_DATA)) == []
    records = sorted([*(REPO / "seeds").glob("*/*/model.yaml"), *(REPO / "results").glob("*/*/model.yaml")])
    assert records
    for record in (r for r in records if not _imported_only(r)):
        data = parse_bytes(record.read_bytes()).data
        owner = REGISTRY.owner_of(data["id"].split("/")[0])
        assert owner is not None, f"{record}: register its namespace in {ORGANISATIONS_FILE}"
        assert data["organisation"] in owner.names, record


def test_the_registry_refuses_names_that_pass_for_another_organisation() -> None:
    data = {"organisations": [
        {"id": "meta", "name": "Meta", "name_zh": "Meta", "namespaces": ["meta-llama"]},
        {"id": "meta", "name": "Fans", "name_zh": "Fans", "other_names": ["МЕТА"], "namespaces": ["meta-IIama"]},
    ]}
    assert [(path, message) for path, message, _ in registry_findings(data)] == [
        (("organisations", 1, "id"), "organisation 'meta' is defined twice"),
        (("organisations", 1, "other_names", 0), "'МЕТА' looks like 'Meta' of organisation 'meta'"),
        (("organisations", 1, "namespaces", 0), "'meta-IIama' looks like 'meta-llama' of organisation 'meta'"),
    ]


def test_the_registry_file_is_a_registry_not_a_run() -> None:
    assert classify(ORGANISATIONS_FILE).kind is Kind.ORGANISATIONS


def test_a_broken_registry_is_reported_with_its_line(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    (root / ORGANISATIONS_FILE).write_text("schema_version: 1\norganisations:\n  - id: meta\n    name: \"Meta\\n\"\n", encoding="utf-8")
    messages = [str(p) for p in validate(root, today=TODAY).problems]
    assert messages == [
        "seeds/organisations.yaml:3: $.organisations[0]: 'name_zh' is required",
        "seeds/organisations.yaml:3: $.organisations[0]: 'namespaces' is required",
        "seeds/organisations.yaml:4: $.organisations[0].name: \"Meta\\n\" contains U+000A (a line break); "
        "this field is one line of text without control characters",
    ]
