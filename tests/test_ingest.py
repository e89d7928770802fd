"""`reproboard ingest` over every lm-eval fixture (tests/lm_eval/fixtures, see SOURCES.md)."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from builder.check.validate import validate
from builder.cli import cli
from builder.ingest.run_file import IngestOptions, ModelInfo, convert, samples_for
from builder.ingest.setting import command_from
from builder.lmeval.output import LmEvalFormatError, iter_samples, parse_model_args, read_results, samples_task_name
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
    from builder.ingest.scores import score_for

    found = {}
    for benchmark in REGISTRY.benchmarks:
        present = [t for t in benchmark.lm_eval_tasks if t in output.rows]
        if present:
            made = score_for(output, benchmark, benchmark.default_protocol, present[0], {}, [])
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
    array = list(iter_samples(FIXTURES / "08s_model__gpt-3.5-turbo-0125_wmdp_bio.jsonl"))
    lines = list(iter_samples(FIXTURES / "09s_samples_asdiv_2024-08-21T03-44-09.494230.jsonl"))
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


# --- hostile lm-eval output: every case is a clean error, and nothing is written ------------------------------

RESULTS_09 = "09_results_2024-08-21T03-44-09.494230.json"
SAMPLES_09 = "09s_samples_asdiv_2024-08-21T03-44-09.494230.jsonl"
DEEP = "[" * 100_000 + "]" * 100_000


def _lm_eval_output(tmp_path: Path, edit_results: Any = None, samples: bytes | None = None) -> Path:
    """A copy of fixture 09 (results + samples) in its own folder, with `edit_results` applied to the parsed results."""
    out = tmp_path / "out"
    out.mkdir()
    data = json.loads((FIXTURES / RESULTS_09).read_text(encoding="utf-8"))
    text = json.dumps(edit_results(data) or data if edit_results else data)
    (out / RESULTS_09).write_text(text, encoding="utf-8")
    (out / SAMPLES_09).write_bytes(samples if samples is not None else (FIXTURES / SAMPLES_09).read_bytes())
    return out / RESULTS_09


def _set(path: tuple[str, ...], value: Any) -> Any:
    def edit(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return edit


HOSTILE_RESULTS = {
    "date-nan": (_set(("date",), math.nan), "'date' is NaN, not a time in seconds since 1970"),
    "date-1e20": (_set(("date",), 1e20), "'date' is 1e+20, not a time in seconds since 1970"),
    "limit-infinity": (_set(("config", "limit"), math.inf), "config.limit is Infinity, not a positive number of documents"),
    "limit-nan": (_set(("config", "limit"), math.nan), "config.limit is NaN, not a positive number of documents"),
    "n-samples-text": (_set(("n-samples", "asdiv", "original"), "many"), 'n-samples.asdiv.original is "many", not a number of documents'),
    "n-shot-a-list": (_set(("n-shot",), [1, 2]), "'n-shot' is a list, not a mapping"),
    "group-in-a-cycle": (_set(("group_subtasks",), {"asdiv": ["g"], "g": ["asdiv"]}), "group_subtasks: 'asdiv' contains itself"),
    "git-hash-a-number": (_set(("git_hash",), 12345), None),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_RESULTS))
def test_hostile_values_in_a_results_file_are_clean_errors_and_nothing_is_written(case: str, tmp_path: Path) -> None:
    edit, message = HOSTILE_RESULTS[case]
    results = _lm_eval_output(tmp_path, edit)
    code, output = _ingest(tmp_path / "repo", str(results), *MODEL_FLAGS)
    assert "Traceback" not in output
    if message is None:  # a value that is merely not recorded
        assert code == 0, output
        return
    assert code == 1 and message in output, output
    assert not (tmp_path / "repo" / "results").exists()


def test_a_100000_deep_results_file_is_a_clean_error(tmp_path: Path) -> None:
    results = _lm_eval_output(tmp_path)
    results.write_text(results.read_text(encoding="utf-8")[:-1] + ', "x": ' + DEEP + "}", encoding="utf-8")
    code, output = _ingest(tmp_path / "repo", str(results), *MODEL_FLAGS)
    assert code == 1 and f"{RESULTS_09} is nested too deeply to be lm-eval output" in output, output


HOSTILE_SAMPLES = {
    "deep": (b'{"doc_id": 0, "doc": ' + DEEP.encode() + b"}\n", f"{SAMPLES_09} line 1: is nested too deeply to be lm-eval output"),
    "not-utf8": (b'{"doc_id": 0, "target": "\xff\xfe"}\n', f"{SAMPLES_09} line 1: is not UTF-8 (byte"),
    "doc-id-text": (b'{"doc_id": "zero"}\n', 'a sample\'s doc_id is "zero", not a document number'),
    "doc-id-list": (b'{"doc_id": [1]}\n', "a sample's doc_id is a list, not a document number"),
    "loglikelihood-text": (b'{"doc_id": 0, "filtered_resps": [["x", "True"]], "acc": 1}\n',
                           "samples of asdiv, document 0: a response is not a finite loglikelihood"),
    "not-json": (b'{"doc_id": 0,\n', f"{SAMPLES_09} line 1: is not valid JSON"),
    "newlines-only": (b"\n" * 300_000, f"{SAMPLES_09} has more than 200,001 lines"),
    "long-line": (b'{"doc_id": 0, "doc": "' + b"x" * (9 << 20) + b'"}\n', f"{SAMPLES_09} line 1 is longer than 8,388,608 bytes"),
    "array-deep": (b'[{"doc_id": 0, "doc": ' + DEEP.encode() + b"}]", f"{SAMPLES_09} item 1 is nested too deeply to be lm-eval output"),
    "array-of-numbers": (b"[1, 2]", f"{SAMPLES_09} item 1 is not a mapping"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_SAMPLES))
def test_hostile_samples_are_clean_errors_and_nothing_is_written(case: str, tmp_path: Path) -> None:
    content, message = HOSTILE_SAMPLES[case]
    results = _lm_eval_output(tmp_path, samples=content)
    code, output = _ingest(tmp_path / "repo", str(results), *MODEL_FLAGS)
    assert code == 1 and message in output and "Traceback" not in output, output
    assert not (tmp_path / "repo" / "results").exists()


def test_a_samples_file_in_the_old_array_layout_is_read_item_by_item(tmp_path: Path) -> None:
    records = [json.loads(line) for line in (FIXTURES / SAMPLES_09).read_text(encoding="utf-8").splitlines()]
    results = _lm_eval_output(tmp_path, samples=json.dumps(records, indent=2).encode("utf-8"))
    code, output = _ingest(tmp_path / "repo", str(results), *MODEL_FLAGS)
    assert code == 0 and "over 50 documents" in output, output


def test_a_symlinked_organisation_folder_is_refused_and_nothing_is_written_outside(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "repo" / "results").mkdir(parents=True)
    os.symlink(elsewhere, tmp_path / "repo" / "results" / "meta-llama")
    code, output = _ingest(tmp_path / "repo", str(_lm_eval_output(tmp_path)), *MODEL_FLAGS)
    assert code == 1 and "results/meta-llama is a symbolic link: ingest never writes through one" in output, output
    assert list(elsewhere.iterdir()) == []


def test_a_failure_while_writing_rolls_back_the_evidence_and_the_model_record_edit(tmp_path: Path) -> None:
    results = _lm_eval_output(tmp_path)
    root = tmp_path / "repo"
    code, output = _ingest(root, str(results), *MODEL_FLAGS)
    assert code == 0, output
    folder = root / "results/meta-llama/Meta-Llama-3-8B-Instruct"
    record = folder / "model.yaml"
    without_revision = "".join(line for line in record.read_text(encoding="utf-8").splitlines(keepends=True) if not line.startswith("revision:"))
    record.write_text(without_revision, encoding="utf-8")
    run = next(p for p in folder.glob("*.yaml") if p.name != "model.yaml")
    evidence = next(folder.glob("*.evidence.jsonl.gz"))
    run.unlink()
    evidence.unlink()
    run.mkdir()  # a folder where the run file must go: the last move fails
    code, output = _ingest(root, str(results), *MODEL_FLAGS)
    assert code == 1 and "nothing was written" in output and "Traceback" not in output, output
    assert record.read_text(encoding="utf-8") == without_revision
    assert sorted(p.name for p in folder.iterdir()) == sorted(["model.yaml", run.name])


def test_a_run_that_would_not_validate_is_not_kept(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    results = str(_lm_eval_output(tmp_path))
    assert _ingest(root, results, *MODEL_FLAGS)[0] == 0
    folder = root / "results/meta-llama/Meta-Llama-3-8B-Instruct"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    code, output = _ingest(root, results, "--run-id", "zz-the-same-again")  # a duplicate: validate refuses it
    assert code == 1 and "'asdiv' for this model is already recorded with the same setting" in output, output
    assert "the written files do not validate, so none were kept" in output
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_a_failed_ingest_prints_the_notices_it_refers_to(tmp_path: Path) -> None:
    code, output = _ingest(tmp_path, str(FIXTURES / "20_hellaswag.json"), "--model", "a/b", "--revision", "0" * 40, *MODEL_FLAGS)
    assert code == 1 and "(see the notices)" in output
    assert "notice: left out hellaswag: no samples" in output, output


def test_the_rebuilt_command_is_quoted_so_a_shell_runs_nothing_from_a_value(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    output = read_results(FIXTURES / RESULTS_09)
    setting = {"backend": "hf", "dtype": "bfloat16", "batch_size": "auto", "chat_template": {"applied": True}, "fewshot_as_multiturn": True,
               "model_args": {"max_length": f"1'$(touch {marker})'`touch {marker}`"}, "limit": None,
               "system_instruction": f"Be 'careful' $(touch {marker})\nreally", "gen_kwargs": {"until": f"';touch {marker};'"}}
    command = command_from(output, "meta-llama/Meta-Llama-3-8B-Instruct", "e" * 40, ["asdiv"], setting)
    words = shlex.split(command)
    assert words[words.index("--model_args") + 1] == (f"pretrained=meta-llama/Meta-Llama-3-8B-Instruct,revision={'e' * 40},"
                                                      f"max_length=1'$(touch {marker})'`touch {marker}`,dtype=bfloat16")
    assert words[words.index("--system_instruction") + 1] == setting["system_instruction"]
    assert words[words.index("--device") + 1] == "cuda:0"  # as lm-eval recorded it
    echoed = subprocess.run(["sh", "-c", "printf '%s\\n' " + command.removeprefix("lm_eval ")], capture_output=True, text=True, check=True)
    assert echoed.stdout == "".join(word + "\n" for word in words[1:])  # the shell saw exactly these words, ran nothing
    assert not marker.exists()


def test_a_json_array_is_read_item_by_item_across_blocks(tmp_path: Path) -> None:
    big = "x" * (3 << 20)  # three read blocks
    path = tmp_path / "samples.json"
    path.write_text(json.dumps([{"doc_id": 0, "doc": big}, {"doc_id": 1}, {"doc_id": 2, "doc": "é" * 700_000}]), encoding="utf-8")
    assert [(r["doc_id"], len(r.get("doc", ""))) for r in iter_samples(path)] == [(0, 3 << 20), (1, 0), (2, 700_000)]
    path.write_text('[{"doc_id": 0}] [', encoding="utf-8")
    with pytest.raises(LmEvalFormatError, match="samples.json has text after the closing"):
        list(iter_samples(path))
    path.write_text('[{"doc_id": 0}, {"doc_id": 1', encoding="utf-8")
    with pytest.raises(LmEvalFormatError, match=r"samples.json is not valid JSON \(.* in item 2\)"):
        list(iter_samples(path))


# --- the real registry: benchmarks, protocols, and results outside the board -----------------------------------

SEEDS_REGISTRY = Path(__file__).resolve().parent.parent / "seeds" / "benchmarks.yaml"
API_FLAGS = ["--api-only", "--organisation", "OpenAI", "--model-type", "chat", "--license", "proprietary", "--release-date", "2024-05-13"]
WITH_SAMPLES = {  # every shared fixture with samples -> (files, flags, what it becomes on the real registry)
    "asdiv": (["09_results_2024-08-21T03-44-09.494230.json"], MODEL_FLAGS, ["asdiv"]),
    "truthfulqa_gen": (["17_truthfulqa_gen_neo125_2025-05-31T14-30-51.983293.json"], MODEL_FLAGS, ["truthfulqa_gen"]),
    "wmdp_bio": (["08_results.json"], ["--model", "openai/gpt-3.5-turbo-0125", *API_FLAGS], ["wmdp_bio"]),
    "leaderboard_bbh_causal_judgement": (["13_results_2024-11-21T16-28-31.022190.json",
                                          "13s_samples_leaderboard_bbh_causal_judgement_2024-11-21T16-28-31.022190.jsonl"],
                                         ["--model", "openai/gpt-4o", *API_FLAGS], ["leaderboard_bbh_causal_judgement"]),
}


def _ingest_real(root: Path, *args: str) -> tuple[int, str]:
    (root / "seeds").mkdir(parents=True, exist_ok=True)
    (root / "seeds" / "benchmarks.yaml").write_bytes(SEEDS_REGISTRY.read_bytes())
    result = CliRunner().invoke(cli, ["ingest", "--root", str(root), "--submitted-by", "octocat", *args], catch_exceptions=False)
    return result.exit_code, result.output


def _run_file(root: Path) -> Path:
    return next(p for p in (root / "results").rglob("*.yaml") if p.name != "model.yaml")


@pytest.mark.parametrize("name", sorted(WITH_SAMPLES))
def test_every_shared_fixture_with_samples_ingests_and_validates_on_the_real_registry(name: str, tmp_path: Path) -> None:
    files, flags, others = WITH_SAMPLES[name]
    code, output = _ingest_real(tmp_path, *(str(FIXTURES / f) for f in files), *flags)
    assert code == 0, output
    run = parse_bytes(_run_file(tmp_path).read_bytes()).data
    assert (run["scores"], list(run["other_results"])) == ({}, others)
    assert f"kept outside the board's benchmarks, with their evidence: {others[0]}; to rank it, add a benchmark" in output
    assert validate(tmp_path).problems == []


def test_a_result_outside_the_board_is_re_scored_from_its_evidence(tmp_path: Path) -> None:
    files, flags, _ = WITH_SAMPLES["asdiv"]
    assert _ingest_real(tmp_path, *(str(FIXTURES / f) for f in files), *flags)[0] == 0
    path = _run_file(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("value: 0.92", "value: 0.95"), encoding="utf-8")
    assert [p.message for p in validate(tmp_path).problems] == [
        "0.95 is not what the evidence gives: its 50 documents re-score to 0.92 (acc, none)"]


def test_a_subtask_that_does_not_report_its_protocols_metric_says_why_it_is_outside_the_board(tmp_path: Path) -> None:
    files, flags, _ = WITH_SAMPLES["leaderboard_bbh_causal_judgement"]
    _ingest_real(tmp_path, *(str(FIXTURES / f) for f in files), *flags)
    run = parse_bytes(_run_file(tmp_path).read_bytes()).data
    assert run["other_results"]["leaderboard_bbh_causal_judgement"]["reason"].startswith(
        "bbh: no subtask of leaderboard_bbh reports acc_norm; to rank it")


# --- the Open LLM Leaderboard v2 suite, run for real on the tiny model (tests/lm_eval/leaderboard.py) ----------

OLL_V2 = {"bbh": "leaderboard_bbh", "gpqa": "leaderboard_gpqa", "ifeval": "leaderboard_ifeval", "math": "leaderboard_math_hard",
          "mmlu_pro": "leaderboard_mmlu_pro", "musr": "leaderboard_musr"}
TINY_FLAGS = ["--model", "reproboard-tests/tiny-gpt2", "--revision", "a" * 40, "--organisation", "ReproBoard tests", "--model-type", "base",
              "--license", "mit", "--release-date", "2025-01-01", "--parameters", "0.0009", "--architecture", "GPT2LMHeadModel"]


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One `lm_eval --tasks leaderboard --log_samples` run folder, and the tiny model and task configs behind it."""
    from lm_eval_helpers import load

    tiny, leaderboard = load("tiny"), load("leaderboard")
    paths = tiny.prepared(tmp_path_factory.getbasetemp() / "tiny-lm-eval")
    base = tmp_path_factory.getbasetemp() / "leaderboard-suite"
    if not (base / "done").exists():
        leaderboard.write_suite(base / "tasks")
        leaderboard.run_suite(paths["model"], base / "tasks", base / "output")
        (base / "done").write_text("ok")
    return {"model": paths["model"], "tasks": base / "tasks", "output": base / "output"}


def _results_json(folder: Path) -> dict[str, Any]:
    return json.loads(next(folder.rglob("results_*.json")).read_text(encoding="utf-8"))


def test_the_whole_leaderboard_suite_ingests_from_one_run_folder_and_validates(suite: dict[str, Path], tmp_path: Path) -> None:
    code, output = _ingest_real(tmp_path, str(suite["output"]), *TINY_FLAGS)
    assert code == 0, output
    assert "leaderboard: its own numbers are not kept: they mix tasks that count on the board on their own" in output
    assert "-shot, but protocol" not in output
    run = parse_bytes(_run_file(tmp_path).read_bytes()).data
    assert {b: s["protocol"] for b, s in run["scores"].items()} == OLL_V2
    assert "other_results" not in run and not any(s.get("partial") for s in run["scores"].values())
    results = _results_json(suite["output"])
    leaves = results["group_subtasks"]["leaderboard_bbh"]
    sizes = [results["n-samples"][t]["effective"] for t in leaves]
    assert len(set(sizes)) > 1  # the subtasks differ in size, so weighting matters
    weighted = sum(results["results"][t]["acc_norm,none"] * n for t, n in zip(leaves, sizes)) / sum(sizes)
    assert run["scores"]["bbh"]["value"] == pytest.approx(100 * weighted, abs=1e-8)
    assert run["scores"]["bbh"]["n_shot"] == 3 and run["scores"]["mmlu_pro"]["n_shot"] == 5
    assert validate(tmp_path).problems == []


def test_a_leaderboard_group_score_that_its_evidence_does_not_give_is_refused(suite: dict[str, Path], tmp_path: Path) -> None:
    assert _ingest_real(tmp_path, str(suite["output"]), *TINY_FLAGS)[0] == 0
    path = _run_file(tmp_path)
    run = parse_bytes(path.read_bytes()).data
    claimed = run["scores"]["bbh"]["value"]
    path.write_text(path.read_text(encoding="utf-8").replace(f"value: {claimed}", f"value: {claimed + 5}", 1), encoding="utf-8")
    messages = [p.message for p in validate(tmp_path).problems]
    assert len(messages) == 1 and messages[0].startswith(f"{claimed + 5:g} is not what the evidence gives"), messages


def _board(root: Path) -> Any:
    from builder.board.aggregate import build_board

    report = validate(root)
    return build_board(report.parsed, report.registry)


def test_leaderboard_scores_are_compared_within_their_protocol(suite: dict[str, Path], tmp_path: Path) -> None:
    assert _ingest_real(tmp_path, str(suite["output"]), *TINY_FLAGS)[0] == 0
    board = _board(tmp_path)
    assert {f"protocol:{p}" for p in OLL_V2.values()} <= set(board.groups)
    assert "protocol:bbh" not in board.groups  # BBH's default protocol (CoT exact match) is another comparison
    [score] = [s for s in board.scores if s.benchmark_id == "bbh"]
    assert score.counts and score.group == "protocol:leaderboard_bbh"


def test_a_run_with_only_some_subtasks_samples_is_partial_shown_and_never_counted(suite: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    left_out = ("leaderboard_bbh_navigate", "leaderboard_bbh_snarks")
    for path in next(suite["output"].iterdir()).iterdir():
        if not any(f"samples_{task}_" in path.name for task in left_out):
            (folder / path.name).write_bytes(path.read_bytes())
    code, output = _ingest_real(tmp_path / "repo", str(folder), *TINY_FLAGS)
    assert code == 0, output
    assert "partial: bbh under protocol leaderboard_bbh has 22 of its 24 subtasks" in output
    bbh = parse_bytes(_run_file(tmp_path / "repo").read_bytes()).data["scores"]["bbh"]
    assert bbh["partial"] is True and len(bbh["aggregated_from"]) == 22 and not set(left_out) & set(bbh["aggregated_from"])
    assert validate(tmp_path / "repo").problems == []
    board = _board(tmp_path / "repo")
    [score] = [s for s in board.scores if s.benchmark_id == "bbh"]
    assert not score.counts and score.group is None and score.partial
    from builder.render.pages import Site

    site = Site(board)
    page = site.render(next(p.src for p in site.pages() if p.src == "models/reproboard-tests/tiny-gpt2.md"))
    assert "no: only some of its protocol&#x27;s subtasks" in page


def test_subtasks_run_without_their_group_make_a_partial_score_of_their_protocol(suite: dict[str, Path], tmp_path: Path) -> None:
    from lm_eval_helpers import load

    tasks = ("leaderboard_bbh_navigate", "leaderboard_bbh_snarks")
    load("tiny").run_lm_eval(suite["model"], suite["tasks"], tmp_path / "out", tasks=tasks)
    code, output = _ingest_real(tmp_path / "repo", str(tmp_path / "out"), *TINY_FLAGS)
    assert code == 0, output
    bbh = parse_bytes(_run_file(tmp_path / "repo").read_bytes()).data["scores"]["bbh"]
    assert (bbh["protocol"], bbh["task"], bbh["partial"], bbh["aggregated_from"]) == ("leaderboard_bbh", "leaderboard_bbh", True, list(tasks))
    assert validate(tmp_path / "repo").problems == []


def test_the_model_page_shows_results_outside_the_board_and_how_to_add_them(tmp_path: Path) -> None:
    from builder.render.pages import Site

    files, flags, _ = WITH_SAMPLES["asdiv"]
    assert _ingest_real(tmp_path, *(str(FIXTURES / f) for f in files), *flags)[0] == 0
    site = Site(_board(tmp_path))
    [src] = [p.src for p in site.pages() if "Meta-Llama-3-8B-Instruct" in p.src and p.src.endswith(".md")]
    page = site.render(src)
    assert '<h2 id="other-results">Results outside the board&#x27;s benchmarks</h2>' in page
    assert "<td><code>asdiv</code><td>acc<td>none<td>0.92<td>8" in page
    assert "lm-eval task &#x27;asdiv&#x27; is not in the registry; to rank it, add a benchmark" in page


def test_a_complete_run_after_a_partial_one_of_the_same_protocol_is_no_duplicate(suite: dict[str, Path], tmp_path: Path) -> None:
    from lm_eval_helpers import load

    load("tiny").run_lm_eval(suite["model"], suite["tasks"], tmp_path / "partial", tasks=("leaderboard_bbh_navigate",))
    assert _ingest_real(tmp_path / "repo", str(tmp_path / "partial"), *TINY_FLAGS)[0] == 0
    code, output = _ingest_real(tmp_path / "repo", str(suite["output"]), *TINY_FLAGS)
    assert code == 0, output
    assert validate(tmp_path / "repo").problems == []
