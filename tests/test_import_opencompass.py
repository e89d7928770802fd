"""`reproboard import opencompass`: summary CSV, dumped config (as data) and details -> runs.

The dumped configs are real (tests/opencompass/SOURCES.md). Real summary CSVs and results
files without details are in tests/fixtures/opencompass-real (tests/test_imports_real_files.py);
no public repository we could find commits a results file with per-sample details, so the
summaries and results files here are built in code, by `summary_csv` and `ppl_details` /
`gen_details`, which follow the writers in OpenCompass's source (`summarizers/default.py`,
`tasks/openicl_eval.py`'s `format_details` and `BaseEvaluator.evaluate`); they are labelled
as such and never stored as if real.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from example_repo import make_repo

from builder.check.validate import validate
from builder.cli import cli
from builder.imports.opencompass_config import (
    Opaque,
    evaluator_of,
    inferencer_of,
    n_shot_of,
    parse_config_text,
    prompt_version,
    read_config,
)
from builder.imports.opencompass_evidence import read_opencompass_evidence
from builder.imports.opencompass_summary import SummaryError, parse_summary_text
from builder.load.strict_yaml import parse_bytes

REAL = Path(__file__).parent / "opencompass" / "chatmusician"
CONFIG = REAL / "105473_13_params.py"  # ChatMusician on lukaemon_mmlu_nutrition, 5-shot PPL
MODEL = "m-a-p/ChatMusician"
REVISION = "0123456789abcdef0123456789abcdef01234567"
MODEL_RECORD = f"""schema_version: 1
id: {MODEL}
name: ChatMusician
organisation: Multimodal Art Projection
revision: {REVISION}
parameters:
  total_billions: 6.7
architecture: LlamaForCausalLM
model_type: fine-tuned
open_weights: true
license: mit
release_date: "2024-02-25"
"""


# --- inputs built on OpenCompass's documented formats (not real outputs) ---------------


def summary_csv(models: list[str], rows: list[tuple[str, str, str, str, list[str]]]) -> str:
    """As DefaultSummarizer writes it: no quoting, '-' for missing, two decimals."""
    lines = [",".join(["dataset", "version", "metric", "mode", *models])]
    lines += [",".join([d, v, m, mode, *values]) for d, v, m, mode, values in rows]
    return "\n".join(lines) + "\n"


def ppl_details(preds: list[str], refs: list[str]) -> dict:
    """format_details' PPL layout: correct = str(prediction) == str(reference)."""
    details: dict = {"type": "PPL"}
    for i, (p, r) in enumerate(zip(preds, refs)):
        details[str(i)] = {"origin_prediction": {"A": {"PPL": 1.5}}, "predictions": p, "references": r, "correct": p == r}
    return {"accuracy": 100 * sum(p == r for p, r in zip(preds, refs)) / len(preds), "details": details}


def gen_details(dataset: str, correct: list[bool]) -> dict:
    """BaseEvaluator.evaluate's layout (0.4+): one list item per replica, n = 1."""
    details = [{"example_abbr": f"{dataset}_{i}", "pred": [str(i)], "answer": [str(i if c else -1)], "correct": [c]}
               for i, c in enumerate(correct)]
    return {"accuracy": 100 * sum(correct) / len(correct), "details": details}


NUTRITION = ppl_details(["A", "B", "C", "D", "A"], ["A", "B", "C", "A", "B"])  # 60.0
MARKETING = ppl_details(["A", "B", "C", "D"], ["A", "B", "C", "D"])  # 100.0
GSM8K = gen_details("gsm8k", [True, False, True, True, False, True, False, True])  # 62.5


def make_run_dir(base: Path, *, details: bool = True, config: Path = CONFIG) -> Path:
    run_dir = base / "outputs" / "default" / "20240313_170210"
    (run_dir / "summary").mkdir(parents=True)
    (run_dir / "configs").mkdir()
    shutil.copyfile(config, run_dir / "configs" / "20240313_170210.py")
    rows = [
        ("--------- 考试 Exam ---------", "-", "-", "-", ["-"]),
        ("gsm8k", "1d7fe4", "accuracy", "gen", ["62.50"]),
        ("lukaemon_mmlu_nutrition", "e8c66b", "accuracy", "ppl", ["60.00"]),  # the hash of its prompt in CONFIG
        ("lukaemon_mmlu_marketing", "c2e1c5", "accuracy", "ppl", ["100.00"]),
        ("mmlu", "-", "naive_average", "ppl", ["80.00"]),
        ("ceval", "-", "naive_average", "gen", ["-"]),
        ("music_theory_bench", "1f0b2a", "accuracy", "ppl", ["31.00"]),
    ]
    (run_dir / "summary" / "summary_20240313_170210.csv").write_text(summary_csv(["ChatMusician"], rows), encoding="utf-8")
    if details:
        results = run_dir / "results" / "ChatMusician"
        results.mkdir(parents=True)
        for name, data in (("lukaemon_mmlu_nutrition", NUTRITION), ("lukaemon_mmlu_marketing", MARKETING), ("gsm8k", GSM8K)):
            (results / f"{name}.json").write_text(json.dumps(data, indent=4), encoding="utf-8")
    return run_dir


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo")
    (root / "results" / MODEL).mkdir(parents=True)
    (root / "results" / MODEL / "model.yaml").write_text(MODEL_RECORD, encoding="utf-8")
    return root


def run_import(root: Path, run_dir: Path, *extra: str):
    return CliRunner().invoke(cli, ["import", "opencompass", str(run_dir), "--root", str(root), "--submitted-by", "octocat", *extra],
                              catch_exceptions=False)


def written_run(root: Path) -> tuple[Path, dict]:
    (path,) = sorted((root / "results" / MODEL).glob("*-opencompass-*.yaml"))
    return path, parse_bytes(path.read_bytes()).data


# --- the real dumped configs ---------------------------------------------------------------


def test_the_real_dumped_configs_read_as_data() -> None:
    mmlu = read_config(CONFIG)
    assert [m["path"] for m in mmlu.models()] == [MODEL]
    (dataset,) = mmlu.datasets()
    assert (dataset["abbr"], n_shot_of(dataset), inferencer_of(dataset), evaluator_of(dataset)) == \
        ("lukaemon_mmlu_nutrition", 5, "PPLInferencer", "AccEvaluator")
    assert mmlu.values["work_dir"] == "./outputs/default/20240313_170210" and mmlu.ignored == []
    piqa = read_config(REAL / "1849911_0_params.py")
    assert [(d["abbr"], n_shot_of(d)) for d in piqa.datasets()] == [("piqa", 0)]
    assert piqa.models()[0]["path"] == "./models/llama2/llama/llama-2-7b/"  # a local path: no hub id
    # OpenCompass names its dataset configs by this hash: piqa_ppl_0cfff2.py holds the same prompt.
    assert [prompt_version(d) for d in piqa.datasets()] == ["0cfff2"]
    assert [prompt_version(d) for d in mmlu.datasets()] == ["e8c66b"]
    music = read_config(REAL / "2673085_6_params.py")
    assert [(d["abbr"], n_shot_of(d)) for d in music.datasets()] == [("knowledge_few_shot", 5)]


def test_a_config_with_code_is_read_as_data_and_nothing_runs(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    text = (f"import os\n__import__('os').system('touch {marker}')\n"
            f"models = [dict(abbr='m', path=__import__('os').system('touch {marker}'), batch_size=8)]\n"
            f"datasets = [[dict(abbr='gsm8k', infer_cfg=dict(retriever=dict(type=open('{marker}', 'w'))))]]\n")
    config = parse_config_text(text, tmp_path / "evil.py")
    assert [line[:40] for line in config.ignored] == ["line 1: import os", "line 2: __import__('os').system('touch /"]
    path = config.models()[0]["path"]
    assert isinstance(path, Opaque) and path.line == 3
    assert n_shot_of(config.datasets()[0]) is None
    assert not marker.exists()


def test_importing_a_run_whose_config_holds_code_runs_nothing(repo: Path, tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    evil = tmp_path / "evil.py"
    evil.write_text(f"__import__('os').system('touch {marker}')\nmodels = [dict(abbr='ChatMusician', "
                    f"path=__import__('os').system('touch {marker}'), type='opencompass.models.HuggingFaceCausalLM', batch_size=8)]\n",
                    encoding="utf-8")
    run_dir = make_run_dir(tmp_path, config=evil)
    result = run_import(repo, run_dir)
    assert result.exit_code == 1
    assert "not a literal assignment, ignored (the config is read as data, never run)" in result.output
    assert "cannot tell the hub id of model column 'ChatMusician'" in result.output
    assert not marker.exists()
    assert not list((repo / "results" / MODEL).glob("*opencompass*"))


# --- the summary CSV -------------------------------------------------------------------------


def test_missing_values_stay_missing_and_section_rows_are_skipped(tmp_path: Path) -> None:
    text = summary_csv(["a", "b"], [("--------- 考试 Exam ---------", "-", "-", "-", ["-", "-"]),
                                    ("gsm8k", "1d7fe4", "accuracy", "gen", ["62.50", "-"]),
                                    ("mmlu", "-", "naive_average", "ppl", ["-", "40.10"])])
    summary = parse_summary_text(text, tmp_path / "s.csv")
    assert summary.models == ("a", "b") and summary.skipped == (2,)
    assert [(r.dataset, r.version, r.scores) for r in summary.rows] == [
        ("gsm8k", "1d7fe4", {"a": 62.5, "b": None}), ("mmlu", None, {"a": None, "b": 40.1})]


@pytest.mark.parametrize(("line", "message"), [
    ("gsm8k,1d7fe4,accuracy,gen,62.50,1", "s.csv:2: 6 cells, but the header has 5"),
    ("gsm8k,1d7fe4,accuracy,gen,n/a", "s.csv:2: a: 'n/a' is neither a score nor '-'"),
    ("gsm8k,xyz,accuracy,gen,1.00", "s.csv:2: version 'xyz' is not OpenCompass's 6-hex prompt hash"),
    ("gsm8k,1d7fe4,accuracy,gen,nan", "s.csv:2: a: 'nan' is not a finite score"),
    ("../../secrets,1d7fe4,accuracy,gen,1.00", "s.csv:2: dataset '../../secrets' cannot be a file name, as OpenCompass's <dataset>.json is"),
])
def test_a_malformed_summary_is_refused_naming_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(SummaryError) as error:
        parse_summary_text("dataset,version,metric,mode,a\n" + line + "\n", tmp_path / "s.csv")
    assert str(error.value).endswith(message)


# --- importing -----------------------------------------------------------------------------------


def test_details_make_a_submitted_run_that_validates(repo: Path, tmp_path: Path) -> None:
    result = run_import(repo, make_run_dir(tmp_path), "--revision", f"ChatMusician={REVISION}")
    assert result.exit_code == 0, result.output
    path, run = written_run(repo)
    assert run["provenance"]["kind"] == "submitted" and run["harness"] == {"name": "opencompass"}
    assert run["revision"] == REVISION and run["setting"]["backend"] == "hf" and run["setting"]["batch_size"] == "8"
    assert run["scores"]["gsm8k"] == {"value": 62.5, "n_shot": None, "metric": "accuracy", "task": "gsm8k",
                                      "setting_note": "OpenCompass gsm8k, gen mode, prompt version 1d7fe4",
                                      "task_version": "1d7fe4", "n_samples": {"original": 8, "effective": 8}}
    mmlu = run["scores"]["mmlu"]
    assert (mmlu["value"], mmlu["metric"], mmlu["aggregated_from"], mmlu["n_samples"]["effective"]) == \
        (80.0, "naive_average", ["lukaemon_mmlu_nutrition", "lukaemon_mmlu_marketing"], 9)
    assert "music_theory_bench" in result.output and "not mapped to a benchmark" in result.output
    evidence = read_opencompass_evidence((path.parent / run["provenance"]["evidence"]["path"]).read_bytes())
    assert {k: v["n"] for k, v in evidence.header["datasets"].items()} == {"gsm8k": 8, "lukaemon_mmlu_marketing": 4,
                                                                           "lukaemon_mmlu_nutrition": 5}
    assert validate(repo, [f"results/{MODEL}"]).errors == []


def _rewrite_evidence(path: Path, run_path: Path, change) -> None:
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    records = [json.loads(line) for line in lines]
    change(records)
    raw = gzip.compress(("\n".join(json.dumps(r) for r in records) + "\n").encode(), mtime=0)
    path.write_bytes(raw)
    text = run_path.read_text(encoding="utf-8")
    old = parse_bytes(text.encode()).data["provenance"]["evidence"]["sha256"]
    run_path.write_text(text.replace(old, hashlib.sha256(raw).hexdigest()), encoding="utf-8")


def _flip(dataset: str, index: int, keep_consistent: bool):
    def change(records: list[dict]) -> None:
        record = next(r for r in records[1:] if r["ds"] == dataset and r["i"] == index)
        record["c"] = [not record["c"][0]]
        if keep_consistent:
            record["p"] = record["r"] if record["c"][0] else "wrong"
    return change


@pytest.mark.parametrize(("dataset", "consistent", "expected"), [
    ("gsm8k", True, "$.scores.gsm8k.value: 62.5 is not what the evidence gives: its 8 samples re-score to 50 (accuracy)"),
    ("lukaemon_mmlu_nutrition", True, "$.scores.mmlu.value: 80 is not what the evidence gives: its 9 samples re-score to 90 (naive_average)"),
    ("lukaemon_mmlu_nutrition", False, "lukaemon_mmlu_nutrition: 1 samples are marked correct or wrong against their own prediction "
                                       "and reference: indices 3"),
])
def test_a_tampered_detail_is_caught_by_validate(repo: Path, tmp_path: Path, dataset: str, consistent: bool, expected: str) -> None:
    assert run_import(repo, make_run_dir(tmp_path), "--revision", f"ChatMusician={REVISION}").exit_code == 0
    run_path, run = written_run(repo)
    _rewrite_evidence(run_path.parent / run["provenance"]["evidence"]["path"], run_path, _flip(dataset, 3, consistent))
    messages = [str(p) for p in validate(repo, [f"results/{MODEL}"]).errors]
    assert any(expected in m for m in messages), messages


def test_a_tampered_results_file_is_refused_at_import(repo: Path, tmp_path: Path) -> None:
    run_dir = make_run_dir(tmp_path)
    path = run_dir / "results" / "ChatMusician" / "gsm8k.json"
    data = json.loads(path.read_text())
    data["details"][1]["correct"] = [True]  # one more right answer, accuracy left at 62.5
    path.write_text(json.dumps(data), encoding="utf-8")
    result = run_import(repo, run_dir, "--revision", f"ChatMusician={REVISION}")
    assert result.exit_code == 1
    assert "gsm8k.json: the details re-score to 75, but the file says accuracy 62.5" in result.output
    assert not list((repo / "results" / MODEL).glob("*opencompass*"))


def test_without_details_the_csv_alone_makes_a_reported_run(repo: Path, tmp_path: Path) -> None:
    run_dir = make_run_dir(tmp_path, details=False)
    refused = run_import(repo, run_dir)
    assert refused.exit_code == 1 and "pass --source-url" in refused.output
    url = "https://github.com/octocat/evals/blob/0123456789abcdef0123456789abcdef01234567/summary.csv"
    result = run_import(repo, run_dir, "--source-url", url)
    assert result.exit_code == 0, result.output
    _, run = written_run(repo)
    assert run["provenance"] == {"kind": "reported", "source": {"title": "OpenCompass summary summary_20240313_170210.csv", "url": url,
                                                                 "locator": "column 'ChatMusician'", "publisher": "octocat"}}
    assert {b: s["value"] for b, s in run["scores"].items()} == {"gsm8k": 62.5, "mmlu": 80.0}
    assert "imported as reported, from the summary alone: no per-sample details at" in result.output
    assert validate(repo, [f"results/{MODEL}"]).errors == []


def test_a_missing_score_stays_missing(repo: Path, tmp_path: Path) -> None:
    run_dir = make_run_dir(tmp_path)
    summary = run_dir / "summary" / "summary_20240313_170210.csv"
    summary.write_text(summary.read_text().replace("gsm8k,1d7fe4,accuracy,gen,62.50", "gsm8k,1d7fe4,accuracy,gen,-"))
    assert run_import(repo, run_dir, "--revision", f"ChatMusician={REVISION}").exit_code == 0
    assert sorted(written_run(repo)[1]["scores"]) == ["mmlu"]


def test_a_subset_without_its_group_is_left_out_with_a_notice(repo: Path, tmp_path: Path) -> None:
    run_dir = make_run_dir(tmp_path)
    summary = run_dir / "summary" / "summary_20240313_170210.csv"
    summary.write_text(summary.read_text().replace("mmlu,-,naive_average,ppl,80.00", "mmlu,-,naive_average,ppl,-"))
    result = run_import(repo, run_dir, "--revision", f"ChatMusician={REVISION}")
    assert result.exit_code == 0, result.output
    assert "subsets of 'mmlu' left out: the summary has no 'mmlu' score for this model" in result.output
    assert sorted(written_run(repo)[1]["scores"]) == ["gsm8k"]


def test_a_local_model_path_needs_the_hub_id(repo: Path, tmp_path: Path) -> None:
    run_dir = make_run_dir(tmp_path, config=REAL / "1849911_0_params.py")
    os.rename(run_dir / "results" / "ChatMusician", run_dir / "results" / "llama-2-7b")
    summary = run_dir / "summary" / "summary_20240313_170210.csv"
    summary.write_text(summary.read_text().replace(",ChatMusician", ",llama-2-7b"))
    result = run_import(repo, run_dir)
    assert result.exit_code == 1
    assert "cannot tell the hub id of model column 'llama-2-7b' (config path: ./models/llama2/llama/llama-2-7b/); " \
           "pass --model llama-2-7b=org/name" in result.output


def test_the_model_page_says_the_run_is_re_scored_not_spot_checked(repo: Path, tmp_path: Path) -> None:
    from builder.board.aggregate import build_board
    from builder.render.pages import Site

    assert run_import(repo, make_run_dir(tmp_path), "--revision", f"ChatMusician={REVISION}").exit_code == 0
    report = validate(repo)
    assert report.errors == []
    markup = Site(build_board(report.parsed, report.registry)).render(f"models/{MODEL}.md")
    section = markup.split('<section class="rb-run" id="run-results-')[1].split("</section>")[0]
    assert "-opencompass-" in section
    assert "Re-scored from OpenCompass&#x27;s per-sample details: every score follows from the evidence." in section
    assert "Not spot-checked yet." not in section


def test_a_spot_check_refuses_an_opencompass_run(repo: Path, tmp_path: Path) -> None:
    from builder.spotcheck.check import SpotcheckError, spotcheck

    assert run_import(repo, make_run_dir(tmp_path), "--revision", f"ChatMusician={REVISION}").exit_code == 0
    run_path, _ = written_run(repo)
    with pytest.raises(SpotcheckError, match="was run with opencompass: lm-eval cannot re-run its prompts"):
        spotcheck(run_path, seed_from="pr=1 head=abc date=2026-11-30")


def test_a_summary_whose_version_is_not_the_config_s_prompt_hash_is_refused(repo: Path, tmp_path: Path) -> None:
    run_dir = make_run_dir(tmp_path)
    summary = run_dir / "summary" / "summary_20240313_170210.csv"
    summary.write_text(summary.read_text().replace("lukaemon_mmlu_nutrition,e8c66b", "lukaemon_mmlu_nutrition,ab5ac4"))
    result = run_import(repo, run_dir, "--revision", f"ChatMusician={REVISION}")
    assert result.exit_code == 1
    assert ("summary_20240313_170210.csv:4: version ab5ac4 of 'lukaemon_mmlu_nutrition' is not the hash of its prompt in "
            "20240313_170210.py (e8c66b): the summary and the config are not of one run") in result.output


def test_a_submitted_run_needs_the_hub_commit_and_flags_must_name_a_column(repo: Path, tmp_path: Path) -> None:
    result = run_import(repo, make_run_dir(tmp_path), "--revision", "chatmusician=abc")
    assert result.exit_code == 1
    assert "model 'ChatMusician' has per-sample details, so it is submitted, and needs the 40-hex hub commit it evaluated: " \
           "pass --revision ChatMusician=<sha>" in result.output
    assert "--model/--revision name 'chatmusician', which is not a model column of summary_20240313_170210.csv (ChatMusician)" \
           in result.output


def test_every_mapped_opencompass_dataset_measures_a_benchmark_of_the_registry() -> None:
    from builder.imports.opencompass_datasets import BY_ABBR

    registry = validate(Path(__file__).resolve().parent.parent, ["seeds/benchmarks.yaml"]).registry
    assert [abbr for abbr, m in BY_ABBR.items() if registry.benchmark(m.benchmark) is None] == []
    assert len({m.protocol for m in BY_ABBR.values()}) == len(BY_ABBR)
