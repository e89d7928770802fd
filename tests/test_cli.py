"""`reproboard` as contributors and CI call it: exit codes and the three output formats."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from example_repo import EXAMPLES, make_repo

from builder.cli import cli


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_a_valid_repository_passes_with_a_summary(tmp_path: Path) -> None:
    result = invoke("validate", "--root", str(make_repo(tmp_path / "repo")))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "7 files checked: 0 errors, 0 warnings\n"


def test_errors_exit_1_and_name_file_line_and_field(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", EXAMPLES / "negative" / "value-not-a-number")
    result = invoke("validate", "--root", str(root))
    assert result.exit_code == 1
    assert result.stdout == "seeds/meta-llama/Meta-Llama-3-8B/extra.yaml:14: $.scores.mmlu.value: 'n/a' is not a number\n"


def test_github_format_prints_annotations(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", EXAMPLES / "negative" / "value-not-a-number")
    result = invoke("validate", "--root", str(root), "--format", "github")
    assert result.exit_code == 1
    assert result.stdout == (
        "::error file=seeds/meta-llama/Meta-Llama-3-8B/extra.yaml,line=14::$.scores.mmlu.value: 'n/a' is not a number\n"
    )


def test_github_format_escapes_what_could_end_an_annotation(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    (root / "seeds/meta-llama/Meta-Llama-3-8B/x.yaml").write_text("a: [\n", encoding="utf-8")
    result = invoke("validate", "--root", str(root), "--format", "github")
    assert result.stdout.count("\n") == 1
    assert result.stdout.startswith("::error file=seeds/meta-llama/Meta-Llama-3-8B/x.yaml,line=2::not valid YAML")


def test_json_format_is_machine_readable(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", EXAMPLES / "negative" / "score-below-random-baseline")
    result = invoke("validate", "--root", str(root), "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["errors"] == 0 and report["warnings"] == 2 and report["files_checked"] == 8
    assert report["problems"][1] == {
        "path": "seeds/meta-llama/Meta-Llama-3-8B/extra.yaml",
        "line": 17,
        "json_path": "$.scores.gsm8k.value",
        "message": "0.4 is below 1 point: if it is lm-eval's fraction, write 40",
        "severity": "warning",
    }


def test_strict_fails_on_warnings(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", EXAMPLES / "negative" / "score-below-random-baseline")
    assert invoke("validate", "--root", str(root)).exit_code == 0
    assert invoke("validate", "--root", str(root), "--strict").exit_code == 1


def test_a_fraction_among_percent_scores_fails_even_without_strict(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", EXAMPLES / "negative" / "fraction-among-percent")
    result = invoke("validate", "--root", str(root))
    assert result.exit_code == 1
    assert "0.601 is a fraction" in result.stdout


def test_counts_agree_with_their_nouns(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", EXAMPLES / "negative" / "value-not-a-number")
    one = invoke("validate", "--root", str(root), "seeds/meta-llama/Meta-Llama-3-8B/extra.yaml")
    assert one.stderr == "1 file checked: 1 error, 0 warnings\n"
    warned = invoke("validate", "--root", str(make_repo(tmp_path / "warned", EXAMPLES / "negative" / "score-below-random-baseline")),
                    "seeds/meta-llama/Meta-Llama-3-8B/extra.yaml")
    assert warned.stderr == "1 file checked: 0 errors, 2 warnings\n"


def test_paths_are_read_against_the_root_first(tmp_path: Path, monkeypatch) -> None:
    root = make_repo(tmp_path / "repo", EXAMPLES / "negative" / "value-not-a-number")
    monkeypatch.chdir(tmp_path)
    from_root = invoke("validate", "--root", "repo", "seeds")
    assert (from_root.exit_code, from_root.stderr) == (1, "5 files checked: 1 error, 0 warnings\n")
    assert from_root.stdout == "seeds/meta-llama/Meta-Llama-3-8B/extra.yaml:14: $.scores.mmlu.value: 'n/a' is not a number\n"
    from_here = invoke("validate", "--root", "repo", "repo/results")
    assert (from_here.exit_code, from_here.stderr) == (0, "3 files checked: 0 errors, 0 warnings\n")
    missing = invoke("validate", "--root", str(root), "seeds/nobody")
    assert missing.exit_code == 2 and "seeds/nobody does not exist in the repository" in missing.stderr


def test_paths_select_what_is_reported(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", EXAMPLES / "negative" / "value-not-a-number")
    clean = invoke("validate", "--root", str(root), str(root / "results"))
    assert clean.exit_code == 0
    assert clean.stderr == "3 files checked: 0 errors, 0 warnings\n"
    assert invoke("validate", "--root", str(root), str(root / "seeds")).exit_code == 1


def test_a_path_outside_the_repository_is_a_usage_error(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    result = invoke("validate", "--root", str(root), str(tmp_path))
    assert result.exit_code == 2
    assert "is outside the repository" in result.stderr


def test_every_command_documents_an_example() -> None:
    for name, command in cli.commands.items():
        assert "Example:" in (command.help or ""), name


def test_schema_docs_check_passes_on_the_repository() -> None:
    assert invoke("schema-docs", "--check", "--root", str(Path(__file__).resolve().parent.parent)).exit_code == 0
