"""The example corpus: each negative case is rejected with exactly its expected messages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from example_repo import EXAMPLES, EXPECTED, cases, make_repo

from builder.check.validate import validate

TODAY = dt.date(2026, 11, 28)


def test_the_base_repository_is_valid(tmp_path: Path) -> None:
    report = validate(make_repo(tmp_path / "repo"), today=TODAY)
    assert report.problems == []
    assert {p.file.kind.value for p in report.parsed} == {"registry", "organisations", "model", "run"}


@pytest.mark.parametrize("case", cases("positive"))
def test_positive_example_passes(case: str, tmp_path: Path) -> None:
    report = validate(make_repo(tmp_path / "repo", EXAMPLES / "positive" / case), today=TODAY)
    assert [str(p) for p in report.problems] == []


@pytest.mark.parametrize("case", cases("negative"))
def test_negative_example_gives_its_exact_messages(case: str, tmp_path: Path) -> None:
    expected = (EXAMPLES / "negative" / case / EXPECTED).read_text(encoding="utf-8").splitlines()
    assert expected, f"{case} has no expected messages"
    report = validate(make_repo(tmp_path / "repo", EXAMPLES / "negative" / case), today=TODAY)
    assert [str(p) for p in report.problems] == expected


def test_unquoted_version_keeps_its_trailing_zero(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", EXAMPLES / "positive" / "unquoted-versions-stay-text")
    report = validate(root, today=TODAY)
    run = next(p for p in report.parsed if p.file.path.endswith("alice.yaml"))
    assert run.data["scores"]["gsm8k"]["task_version"] == "0.10"
    assert run.data["harness"]["version"] == "0.4"


def test_a_selected_path_limits_the_report_but_not_the_context(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", EXAMPLES / "negative" / "value-above-100")
    assert validate(root, ["results"], today=TODAY).problems == []
    assert len(validate(root, ["seeds/meta-llama"], today=TODAY).problems) == 1


def test_kept_checks_are_reused_only_while_the_file_and_its_context_are_unchanged(tmp_path: Path) -> None:
    from builder.check.validate import CheckedFiles

    root = make_repo(tmp_path / "repo")
    kept = CheckedFiles()
    card = root / "seeds" / "meta-llama" / "Meta-Llama-3-8B" / "meta-model-card.yaml"

    def both() -> tuple[list[str], list[str]]:
        fresh, reused = validate(root, today=TODAY), validate(root, today=TODAY, kept=kept)
        assert [p.file.path for p in reused.parsed] == [p.file.path for p in fresh.parsed]
        return [str(p) for p in fresh.problems], [str(p) for p in reused.problems]

    assert both() == ([], [])
    # A saved edit is seen: the file's size and time changed.
    card.write_text(card.read_text(encoding="utf-8").replace("schema_version: 1", "schema_version: 1\nbogus_field: 1"), encoding="utf-8")
    fresh, reused = both()
    assert reused == fresh and any("bogus_field" in p for p in fresh)
    # Fixed again: the problem goes.
    card.write_text(card.read_text(encoding="utf-8").replace("bogus_field: 1\n", ""), encoding="utf-8")
    assert both() == ([], [])
    # The registry is context: changing it checks every file again (the run's benchmark is gone from it).
    registry = root / "seeds" / "benchmarks.yaml"
    text = registry.read_text(encoding="utf-8")
    run = (root / "results" / "Qwen" / "Qwen2-7B" / "2024-06-10-alice.yaml").read_text(encoding="utf-8")
    benchmark = next(line.strip().rstrip(":") for line in run.split("scores:", 1)[1].splitlines()[1:] if line.strip())
    registry.write_text(text.replace(f"id: {benchmark}\n", f"id: {benchmark}-renamed\n", 1), encoding="utf-8")
    fresh, reused = both()
    assert reused == fresh and any(benchmark in p and "2024-06-10-alice.yaml" in p for p in fresh)
