"""`reproboard ingest` over every lm-eval fixture (tests/lm_eval/fixtures, see SOURCES.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.check.validate import validate
from builder.cli import cli
from builder.ingest.run_file import IngestOptions, ModelInfo, convert, samples_for
from builder.lmeval.output import LmEvalFormatError, parse_model_args, read_results, read_samples, samples_task_name
from builder.load.registry import registry_from_data
from builder.load.strict_yaml import parse_bytes

FIXTURES = Path(__file__).parent / "lm_eval" / "fixtures"
REGISTRY_FILE = Path(__file__).parent / "lm_eval" / "benchmarks.yaml"
REGISTRY = registry_from_data(parse_bytes(REGISTRY_FILE.read_bytes()).data)
MODEL = ModelInfo(organisation="Org", model_type="chat", license="apache-2.0", release_date="2024-01-01", parameters_billions=8.0,
                  architecture="LlamaForCausalLM")

REFUSED = {
    "01_llama-7B_common_sense_reasoning_0-shot.json": "written by lm-eval 0.3 or earlier: metric keys have no ',filter' part",
    "02_llama-7B_mmlu_5-shot.json": "written by lm-eval 0.3 or earlier",
    "03_w.json": "written by a development version before lm-eval 0.4.0: there is no 'n-shot' key",
}

# fixture -> (scores as {benchmark: value}, a notice or error that must appear)
CONVERTED = {
    "04_truthfulqa.json": ({"truthfulqa": 54.1695002491, "truthfulqa_gen": 34.9073548724}, "left out truthfulqa: no samples for truthfulqa_mc2"),
    "05_arc.json": ({"arc_challenge": 57.5085324232}, "left out arc_challenge: no samples for arc_challenge"),
    "06_gsm8k.json": ({"gsm8k": 50.8718726308}, "left out gsm8k: no samples"),
    "07_mmlu.json": ({"mmlu": 65.0405925082}, "mmlu: lm-eval says 0-shot for the group but 5 for every subtask; took 5"),
    "08_results.json": ({"wmdp_bio": 100.0}, "wmdp_bio: lm-eval did not record how many documents the task has (n-samples)"),
    "09_results_2024-08-21T03-44-09.494230.json": ({"asdiv": 92.0}, "partial run: lm-eval ran with limit=50"),
    "10_results_2024-08-25T21-59-12.123082.json": ({"gsm8k": 77.2554965883}, "left out gsm8k: no samples for gsm8k_cot_llama"),
    "11_ifeval.json": ({"ifeval": 31.7929759704}, "left out ifeval: no samples"),
    "12_math.json": ({"math_hard": 0.0}, "leaderboard_math_hard: lm-eval printed no aggregate; computed it from its 7 subtasks"),
    "13_results_2024-11-21T16-28-31.022190.json": ({"bbh": 72.0833333333, "bbh_causal": 80.0}, "filters differ between subtasks: get-answer (17), none (7)"),
    "14_results_2024-11-24T13-37-13.882223.json": ({}, "leaderboard_mmlu_pro reports exact_match,get-answer, and MMLU-Pro is ranked by acc,none"),
    "15_results_2025-03-06T21-57-53.230631.json": ({"mmlu": 71.6635806865, "arc_challenge": 51.023890785, "hellaswag": 78.8587930691, "winogrande": 73.1649565904},
                                                   "the run used trust_remote_code=True"),
    "16_results_2025-03-18T00-03-26.972068.json": ({"arc_challenge": 51.1092150171, "hellaswag": 78.9484166501, "winogrande": 72.9281767956},
                                                   "the run used trust_remote_code=True"),
    "17_truthfulqa_gen_neo125_2025-05-31T14-30-51.983293.json": ({"truthfulqa_gen": 19.6836065011}, "partial run: lm-eval ran with limit=20"),
    "18_results_2025-12-17T20-24-58.608862.json": ({"nl2foam": 57.7071386897}, "cannot tell the model's hub id"),
    "19_results_2026-07-08T18-15-33.115417.json": ({"negotiationtom": 52.5}, "subtasks without acc are not part of its score, as in lm-eval: negotiationtom_intention"),
    "20_hellaswag.json": ({"hellaswag": 82.0852419837}, "left out hellaswag: no samples"),
}


def test_every_fixture_is_covered() -> None:
    names = {p.name for p in FIXTURES.glob("[0-9][0-9]_*.json")}
    assert names == set(REFUSED) | set(CONVERTED)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_files_from_before_0_4_are_refused_with_the_reason(name: str) -> None:
    with pytest.raises(LmEvalFormatError, match=REFUSED[name].replace("(", r"\(").replace(")", r"\)")):
        read_results(FIXTURES / name)


def _scores_before_samples(name: str) -> dict[str, float]:
    """What the file's numbers give, before scores without samples are left out."""
    output = read_results(FIXTURES / name)
    from builder.ingest.run_file import score_for

    found = {}
    for benchmark in REGISTRY.benchmarks:
        present = [t for t in benchmark.lm_eval_tasks if t in output.rows]
        if present:
            made = score_for(output, benchmark, present[0], {}, [])
            if made:
                found[benchmark.id] = made[0]["value"]
    return found


@pytest.mark.parametrize("name", sorted(CONVERTED))
def test_every_0_4_shape_converts_to_the_expected_scores_and_says_what_it_did(name: str, tmp_path: Path) -> None:
    expected, message = CONVERTED[name]
    output = read_results(FIXTURES / name)
    values = _scores_before_samples(name)
    for benchmark, value in expected.items():
        assert values.get(benchmark) == pytest.approx(value, abs=1e-9), benchmark
    model_id = None if output.model_name and "/" in output.model_name else "someorg/somemodel"
    if name.startswith("18_"):
        model_id = None
    conversion = convert(tmp_path, output, samples_for(FIXTURES / name, output, []), REGISTRY,
                         IngestOptions(submitted_by="octocat", model_id=model_id, model=MODEL, today=dt.date(2026, 1, 1)))
    said = conversion.notices + conversion.errors
    assert any(message in line for line in said), said


def test_a_group_with_a_placeholder_row_is_averaged_by_size_with_pooled_stderr() -> None:
    output = read_results(FIXTURES / "13_results_2024-11-21T16-28-31.022190.json")
    leaves = output.leaves("leaderboard_bbh")
    sizes = [output.rows[t].n_effective for t in leaves]
    values = [next(v for (m, _), v in output.rows[t].values.items() if m == "exact_match") for t in leaves]
    assert _scores_before_samples("13_results_2024-11-21T16-28-31.022190.json")["bbh"] == pytest.approx(
        100 * sum(v * n for v, n in zip(values, sizes)) / sum(sizes), abs=1e-8)


def test_model_args_are_read_from_a_string_or_a_mapping() -> None:
    assert parse_model_args("pretrained=a/b,dtype=auto,trust_remote_code=False,max_length=4096") == {
        "pretrained": "a/b", "dtype": "auto", "trust_remote_code": False, "max_length": 4096}
    assert parse_model_args({"pretrained": "x", "tensor_parallel_size": 8}) == {"pretrained": "x", "tensor_parallel_size": 8}
    assert read_results(FIXTURES / "18_results_2025-12-17T20-24-58.608862.json").model_args["tensor_parallel_size"] == 8


def test_na_stderrs_are_left_out_rather_than_guessed() -> None:
    row = read_results(FIXTURES / "11_ifeval.json").rows["leaderboard_ifeval"]
    assert row.stderrs[("inst_level_strict_acc", "none")] is None
    assert row.stderrs[("prompt_level_strict_acc", "none")] == pytest.approx(0.0200393329710203)


def test_samples_are_read_as_json_lines_or_as_one_json_array() -> None:
    array = read_samples(FIXTURES / "08s_model__gpt-3.5-turbo-0125_wmdp_bio.jsonl")
    lines = read_samples(FIXTURES / "09s_samples_asdiv_2024-08-21T03-44-09.494230.jsonl")
    assert (len(array), len(lines)) == (100, 50)
    assert samples_task_name(FIXTURES / "08s_model__gpt-3.5-turbo-0125_wmdp_bio.jsonl", ["wmdp", "wmdp_bio", "wmdp_chem"]) == "wmdp_bio"


def _ingest(root: Path, *args: str) -> tuple[int, str]:
    (root / "seeds").mkdir(parents=True, exist_ok=True)
    (root / "seeds" / "benchmarks.yaml").write_bytes(REGISTRY_FILE.read_bytes())
    result = CliRunner().invoke(cli, ["ingest", "--root", str(root), "--submitted-by", "octocat", *args], catch_exceptions=False)
    return result.exit_code, result.output


MODEL_FLAGS = ["--organisation", "Meta", "--model-type", "chat", "--license", "llama3", "--release-date", "2024-04-18",
               "--parameters", "8", "--architecture", "LlamaForCausalLM"]


def test_a_partial_chat_run_with_samples_is_ingested_and_validates(tmp_path: Path) -> None:
    code, output = _ingest(tmp_path, str(FIXTURES / "09_results_2024-08-21T03-44-09.494230.json"), *MODEL_FLAGS)
    assert code == 0, output
    assert "bytes per document over 50 documents" in output
    run_file = tmp_path / "results/meta-llama/Meta-Llama-3-8B-Instruct/2024-08-21-lm-eval-38fe85a9.yaml"
    run = parse_bytes(run_file.read_bytes()).data
    assert run["revision"] == "e1945c40cd546c78e41f1151f4db032b271faeaa"
    assert run["setting"]["limit"] == 50
    assert run["setting"]["chat_template"] == {"applied": True, "sha256": "ba03a121d097859c7b5b9cd03af99aafe95275210d2876f642ad9929a150f122"}
    assert run["scores"]["asdiv"]["n_samples"] == {"original": 2305, "effective": 50}
    assert validate(tmp_path).problems == []


def test_an_api_run_takes_one_subtask_with_samples_and_leaves_out_the_group_without(tmp_path: Path) -> None:
    code, output = _ingest(tmp_path, str(FIXTURES / "13_results_2024-11-21T16-28-31.022190.json"),
                           str(FIXTURES / "13s_samples_leaderboard_bbh_causal_judgement_2024-11-21T16-28-31.022190.jsonl"),
                           "--model", "openai/gpt-4o", "--api-only", "--organisation", "OpenAI", "--model-type", "chat",
                           "--license", "proprietary", "--release-date", "2024-05-13")
    assert code == 0, output
    run = parse_bytes(next((tmp_path / "results/openai/gpt-4o").glob("2024-*-lm-eval-*[0-9a-f].yaml")).read_bytes()).data
    assert list(run["scores"]) == ["bbh_causal"] and "revision" not in run
    assert "left out bbh: no samples for" in output


def test_a_model_without_a_record_needs_the_flags_lm_eval_does_not_record(tmp_path: Path) -> None:
    code, output = _ingest(tmp_path, str(FIXTURES / "17_truthfulqa_gen_neo125_2025-05-31T14-30-51.983293.json"))
    assert code == 1
    assert ("there is no model record for EleutherAI/gpt-neo-125M and lm-eval does not record what it needs: pass --organisation, "
            "--model-type, --license, --release-date, --parameters, --architecture") in output


def test_a_revision_that_is_not_a_commit_is_refused(tmp_path: Path) -> None:
    code, output = _ingest(tmp_path, str(FIXTURES / "09_results_2024-08-21T03-44-09.494230.json"), "--revision", "main", *MODEL_FLAGS)
    assert code == 1
    assert "--revision 'main' is not a 40-hex commit" in output
