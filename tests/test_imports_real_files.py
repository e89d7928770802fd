"""`reproboard import opencompass` and `import eee` on real files from public repositories.

OpenCompass: two run folders of rishabhshah13/quantization-workbench, as OpenCompass left them
(tests/fixtures/opencompass-real/SOURCES.md). EEE: two records of evaleval/every_eval_ever with
their per-sample JSONL (tests/fixtures/eee-instances/SOURCES.md). Nothing under
tests/fixtures/ is written by hand. Where a test needs a broken file, it changes a copy in
tmp_path and says so.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from example_repo import make_repo

from builder.check.validate import validate
from builder.cli import cli
from builder.imports.eee import EeeError, read_record
from builder.imports.eee_samples import checkout_root, read_samples, samples_problems
from builder.imports.opencompass import CSV_ROUNDING, read_run_folder, version_problems
from builder.imports.opencompass_config import dataset_abbr, is_model_column, prompt_version, read_config
from builder.imports.opencompass_details import DetailsError, read_details
from builder.imports.opencompass_summary import read_summary

FIXTURES = Path(__file__).parent / "fixtures"
RUNS = FIXTURES / "opencompass-real" / "quantization-workbench" / "16-bit"
CSQA = RUNS / "CommonsenseQA" / "20240324_231719"
MMLU = RUNS / "MMLU" / "20240325_005751"
COLUMN = "opencompass.models.huggingface.HuggingFace_lesliehd_Mistral-7B-Instruct-v0.2-16-bit-quantized"
MODEL = "lesliehd/Mistral-7B-Instruct-v0.2-16-bit-quantized"
ORIGINAL_CSV = MMLU / "summary" / ".ipynb_checkpoints" / "summary_20240325_005751-checkpoint.csv"
"""What OpenCompass wrote (byte-identical to the csv block of the run's .txt); Jupyter kept it."""
EDITED_CSV = MMLU / "summary" / "summary_20240325_005751.csv"
"""The same summary after a person re-saved it: CRLF, no trailing zeros, the group rows deleted."""
SOURCE_URL = ("https://github.com/rishabhshah13/quantization-workbench/blob/eaa6bbb099ce211104311decfeca20c71031e41a/"
              "opencompass_evaluation/evaluation_results/16-bit/MMLU/20240325_005751/summary/.ipynb_checkpoints/"
              "summary_20240325_005751-checkpoint.csv")

EEE = FIXTURES / "eee-instances" / "061524c9"
EEE_COMMIT = "061524c94fa34e8a3cea108f44a4002858561d1c"
PUBMED = EEE / "data/pubmed_qa/openai/gpt-4o-mini-2024-07-18/7eb812af-0aaa-458e-a537-0ad4535b369d.json"
GAIA = EEE / "data/GAIA/openai/gpt-4.1-mini-2025-04-14/7c57f847-1098-4472-9fd8-75a7f3995ed0.json"
PUBMED_SAMPLES = "instance_level_data/pubmed_qa_openai_azure_gpt-4o-mini-2024-07-18_1751553870.jsonl"


def results_accuracy(dataset: str) -> float:
    return json.loads((MMLU / "results" / COLUMN / f"{dataset}.json").read_text(encoding="utf-8"))["accuracy"]


# --- OpenCompass: the files as they are --------------------------------------------------


def test_the_summaries_read_as_opencompass_wrote_them() -> None:
    original = read_summary(ORIGINAL_CSV)
    assert original.models == (COLUMN,)
    scores = {row.dataset: (row.version, row.metric, row.mode, row.scores[COLUMN]) for row in original.rows}
    assert len(scores) == 63 and not original.skipped
    assert scores["lukaemon_mmlu_college_chemistry"] == ("9e2300", "accuracy", "ppl", 40.0)
    assert scores["mmlu"] == (None, "naive_average", "ppl", 60.73)
    assert scores["mmlu-weighted"] == (None, "weighted_average", "ppl", 59.27)
    csqa = read_summary(CSQA / "summary" / "summary_20240324_231719.csv")
    assert [(r.dataset, r.version, r.metric, r.mode, r.scores) for r in csqa.rows] == \
        [("commonsense_qa", "c946f2", "accuracy", "gen", {COLUMN: 70.52})]


def test_the_hand_edited_summary_reads_to_the_same_numbers_without_its_groups() -> None:
    """CRLF, `40` for `40.00` and no final newline are read; the six deleted group rows are simply absent."""
    assert EDITED_CSV.read_bytes().count(b"\r\n") == 57 and not EDITED_CSV.read_bytes().endswith(b"\n")
    edited = {row.dataset: row.scores[COLUMN] for row in read_summary(EDITED_CSV).rows}
    original = {row.dataset: row.scores[COLUMN] for row in read_summary(ORIGINAL_CSV).rows}
    assert edited == {k: v for k, v in original.items() if k.startswith("lukaemon_mmlu_")}
    assert len(edited) == 57


def test_every_summary_cell_is_its_results_file_rounded_and_the_group_is_their_mean() -> None:
    rows = {row.dataset: row.scores[COLUMN] for row in read_summary(ORIGINAL_CSV).rows}
    subsets = [name for name in rows if name.startswith("lukaemon_mmlu_")]
    for name in subsets:
        assert abs(results_accuracy(name) - rows[name]) <= CSV_ROUNDING, name
    mean = sum(results_accuracy(name) for name in subsets) / len(subsets)
    assert mean == pytest.approx(60.727162841028665, abs=1e-12)  # what the run's .txt prints for mmlu
    assert round(mean, 2) == rows["mmlu"]


def test_the_prompt_hashes_of_the_real_configs_are_the_summary_versions() -> None:
    """ReproBoard's get_prompt_hash, on 58 real datasets: every version in both summaries is recomputed."""
    for run, csv in ((MMLU, ORIGINAL_CSV), (CSQA, CSQA / "summary" / "summary_20240324_231719.csv")):
        config = read_config(next((run / "configs").glob("*.py")))
        hashes = {dataset_abbr(d): prompt_version(d) for d in config.datasets()}
        versions = {row.dataset: row.version for row in read_summary(csv).rows if row.version}
        assert versions and versions == {name: hashes[name] for name in versions}
    assert version_problems(read_run_folder(MMLU)) == []


def test_a_model_without_abbr_is_found_by_the_name_opencompass_derives() -> None:
    """Run with --hf-path, the dumped model has no `abbr`: the column is `<type>_<last two parts of its path>`."""
    (model,) = read_config(CSQA / "configs" / "20240324_231719.py").models()
    assert "abbr" not in model and model["path"] == MODEL
    assert is_model_column(model, COLUMN)
    assert not is_model_column(model, "opencompass.models.huggingface.HuggingFace_lesliehd_Mistral-7B-Instruct-v0.2-4-bit-quantized")
    assert not is_model_column({**model, "abbr": "mistral-16bit"}, COLUMN)


def test_a_results_file_without_details_is_not_evidence() -> None:
    path = CSQA / "results" / COLUMN / "commonsense_qa.json"
    with pytest.raises(DetailsError, match=r"commonsense_qa.json: no per-sample details \(run OpenCompass with "
                                          r"eval.runner.task.dump_details=True\)"):
        read_details(path, "commonsense_qa")


# --- OpenCompass: the import -------------------------------------------------------------


MODEL_RECORD = f"""schema_version: 1
id: {MODEL}
name: Mistral-7B-Instruct-v0.2 16-bit quantized
organisation: lesliehd
revision: 0123456789abcdef0123456789abcdef01234567
parameters:
  total_billions: 7.2
architecture: MistralForCausalLM
model_type: fine-tuned
open_weights: true
license: apache-2.0
release_date: "2024-03-20"
"""
"""The board's own record of the model, written for the test (not an OpenCompass file; the revision is a placeholder)."""


@pytest.fixture
def board(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo")
    (root / "results" / MODEL).mkdir(parents=True)
    (root / "results" / MODEL / "model.yaml").write_text(MODEL_RECORD, encoding="utf-8")
    return root


def import_opencompass(root: Path, run_dir: Path, *extra: str):
    return CliRunner().invoke(cli, ["import", "opencompass", str(run_dir), "--root", str(root), "--submitted-by", "octocat", *extra],
                              catch_exceptions=False)


def written_runs(root: Path) -> list[Path]:
    return sorted((root / "results" / MODEL).glob("*-opencompass-*"))


def test_the_original_mmlu_summary_imports_as_a_reported_run_that_validates(board: Path, tmp_path: Path) -> None:
    """The run folder with the summary OpenCompass wrote (the checkpoint copy under its own name): MMLU's group row
    becomes a reported score, equal to the CSV, over the config's 57 subsets; the details are missing, and said so."""
    run_dir = tmp_path / "20240325_005751"
    shutil.copytree(MMLU / "configs", run_dir / "configs")
    shutil.copytree(MMLU / "results", run_dir / "results")
    (run_dir / "summary").mkdir()
    shutil.copyfile(ORIGINAL_CSV, run_dir / "summary" / "summary_20240325_005751.csv")
    result = import_opencompass(board, run_dir, "--source-url", SOURCE_URL)
    assert result.exit_code == 0, result.output
    assert "left out, not mapped to a benchmark: mmlu-humanities, mmlu-other, mmlu-social-science, mmlu-stem, mmlu-weighted" \
        in result.output
    assert "imported as reported, from the summary alone:" in result.output
    assert "no per-sample details (run OpenCompass with eval.runner.task.dump_details=True)" in result.output
    (run_file,) = written_runs(board)
    run = yaml.safe_load(run_file.read_text(encoding="utf-8"))
    assert run["model"] == MODEL and run["provenance"]["kind"] == "reported"
    assert run["provenance"]["source"]["url"] == SOURCE_URL and run["provenance"]["source"]["locator"] == f"column '{COLUMN}'"
    score = run["scores"]["mmlu"]
    assert (score["value"], score["metric"], score["task"], score["n_shot"]) == (60.73, "naive_average", "mmlu", 5)
    config = read_config(MMLU / "configs" / "20240325_005751.py")
    group = next(g for g in config.values["summarizer"]["summary_groups"] if g["name"] == "mmlu")
    assert score["aggregated_from"] == group["subsets"] and len(score["aggregated_from"]) == 57
    assert "n_samples" not in score and list(run["scores"]) == ["mmlu"]
    folder = run_file.parent.relative_to(board).as_posix()
    assert validate(board, [folder]).errors == []


def test_the_hand_edited_summary_is_refused_because_mmlu_s_row_was_deleted(board: Path) -> None:
    """The fixture folder as committed: the newest summary/summary_*.csv is the edited one, with only MMLU's parts."""
    result = import_opencompass(board, MMLU, "--source-url", SOURCE_URL)
    assert result.exit_code == 1
    assert f"{COLUMN}: subsets of 'mmlu' left out: the summary has no 'mmlu' score for this model" in result.output
    assert f"error: model '{COLUMN}': no score in the summary measures a benchmark of the registry" in result.output
    assert "cannot tell the hub id" not in result.output
    assert written_runs(board) == []


def test_commonsense_qa_is_refused_as_no_benchmark_of_the_registry(board: Path) -> None:
    result = import_opencompass(board, CSQA, "--source-url", SOURCE_URL)
    assert result.exit_code == 1
    assert f"notice: {COLUMN}: left out, not mapped to a benchmark: commonsense_qa" in result.output
    assert f"error: model '{COLUMN}': no score in the summary measures a benchmark of the registry" in result.output
    assert "cannot tell the hub id" not in result.output  # found from the config's path, as OpenCompass named the column
    assert written_runs(board) == []


# --- EEE: records with per-sample JSONL --------------------------------------------------


@pytest.mark.parametrize(("record_file", "rows", "mean", "ids"), [
    (PUBMED, 2, 1.0, ["12377809", "26163474"]),
    (GAIA, 2, 0.0, ["17b5a6a3-bc87-42e8-b0fb-6ab0781ef2cc", "c61d22de-5f6c-4958-a7f6-5e9707bd3466"]),
])
def test_the_real_per_sample_files_bear_out_their_records(record_file: Path, rows: int, mean: float, ids: list[str]) -> None:
    record = read_record(record_file)
    assert record.samples_file and record.samples_file.startswith("instance_level_data/") and record.samples_rows == rows
    assert record.samples_checksum is not None and record.samples_checksum[0] == "sha256"
    root = checkout_root(record)
    assert root == EEE
    samples = read_samples(record, root)
    assert [s.sample_id for s in samples.samples] == ids
    assert samples.mean == mean == record.scores[0].value
    assert all(s.correct == (s.score == 1.0) for s in samples.samples)
    assert samples_problems(record, samples) == []


def copy_eee(tmp_path: Path) -> Path:
    target = tmp_path / "eee"
    shutil.copytree(EEE, target)
    return target


def test_a_per_sample_file_that_is_not_the_record_s_is_refused(tmp_path: Path) -> None:
    """A copy whose first sample is marked wrong: its sha256 is no longer the record's."""
    root = copy_eee(tmp_path)
    samples_file = root / PUBMED_SAMPLES
    raw = samples_file.read_bytes()
    tampered = raw.replace(b'"score": 1.0, "is_correct": true', b'"score": 0.0, "is_correct": false', 1)
    assert tampered != raw
    samples_file.write_bytes(tampered)
    record = read_record(root / PUBMED.relative_to(EEE))
    with pytest.raises(EeeError, match=f"{PUBMED_SAMPLES}: its sha256 is {hashlib.sha256(tampered).hexdigest()}, "
                                       f"but .* says f571fa27"):
        read_samples(record, root)


def test_a_record_whose_score_its_samples_do_not_give_is_reported(tmp_path: Path) -> None:
    """The same tampered copy, with the record's checksum updated to match: the mean no longer is the score."""
    root = copy_eee(tmp_path)
    samples_file = root / PUBMED_SAMPLES
    tampered = samples_file.read_bytes().replace(b'"score": 1.0, "is_correct": true', b'"score": 0.0, "is_correct": false', 1)
    samples_file.write_bytes(tampered)
    record_file = root / PUBMED.relative_to(EEE)
    data = json.loads(record_file.read_text(encoding="utf-8"))
    data["detailed_evaluation_results"]["checksum"] = hashlib.sha256(tampered).hexdigest()
    record_file.write_text(json.dumps(data, indent=4), encoding="utf-8")
    record = read_record(record_file)
    assert samples_problems(record, read_samples(record, root)) == [
        f"{record_file.as_posix()}: $.evaluation_results[0].score_details.score: 1 is not what its 2 samples in "
        f"{PUBMED_SAMPLES} give: their mean score is 0.5"]


@pytest.mark.parametrize(("change", "message"), [
    (lambda line: line.replace(b'"model_id": "openai/gpt-4o-mini-2024-07-18"', b'"model_id": "openai/gpt-4o"'),
     ":1: $.model_id: 'openai/gpt-4o' is not the record's model, 'openai/gpt-4o-mini-2024-07-18'"),
    (lambda line: line.replace(b'"is_correct": true', b'"is_correct": "yes"'),
     ':1: $.evaluation.is_correct: "yes" is not true or false'),
    (lambda line: line.replace(b'"score": 1.0', b'"score": NaN'),
     ":1: 'NaN' is not a number EEE allows"),
    (lambda line: line.replace(b'"sample_id": "12377809"', b'"sample_id": "26163474"'),
     ":2: $.sample_id: '26163474' appears twice (line 1)"),
])
def test_a_broken_sample_line_is_refused_naming_line_and_field(tmp_path: Path, change, message: str) -> None:
    """Copies changed on their first line, with the record's checksum updated, so the line's own check speaks."""
    root = copy_eee(tmp_path)
    samples_file = root / PUBMED_SAMPLES
    first, rest = samples_file.read_bytes().split(b"\n", 1)
    changed = change(first) + b"\n" + rest
    assert changed != samples_file.read_bytes()
    samples_file.write_bytes(changed)
    record_file = root / PUBMED.relative_to(EEE)
    data = json.loads(record_file.read_text(encoding="utf-8"))
    data["detailed_evaluation_results"]["checksum"] = hashlib.sha256(changed).hexdigest()
    record_file.write_text(json.dumps(data, indent=4), encoding="utf-8")
    with pytest.raises(EeeError) as error:
        read_samples(read_record(record_file), root)
    assert str(error.value).startswith(f"{PUBMED_SAMPLES}{message}")


def import_eee(root: Path, *paths: Path):
    return CliRunner().invoke(cli, ["import", "eee", *map(str, paths), "--root", str(root), "--commit", EEE_COMMIT,
                                    "--into", "results", "--submitted-by", "octocat"], catch_exceptions=False)


def test_import_eee_refuses_inspect_records_naming_the_field(tmp_path: Path) -> None:
    """The board maps one EEE leaderboard (the Open LLM Leaderboard v2); an Inspect run is refused, file and field named,
    after its per-sample file was checked and found to bear it out (no problem is reported for it)."""
    root = make_repo(tmp_path / "repo")
    result = import_eee(root, EEE / "data")
    assert result.exit_code == 1
    for record in (GAIA, PUBMED):
        assert f"error: {record}: $.source_metadata.source_name: no mapping onto the board for 'inspect_ai'" in result.output
    assert "sha256" not in result.output and "mean score" not in result.output
    assert not (root / "results" / "openai").exists()


def test_import_eee_lists_a_tampered_per_sample_file_beside_the_refusal(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    eee = copy_eee(tmp_path)
    samples_file = eee / PUBMED_SAMPLES
    samples_file.write_bytes(samples_file.read_bytes().replace(b'"is_correct": true', b'"is_correct": false', 1))
    result = import_eee(root, eee / "data")
    assert result.exit_code == 1
    assert f"error: {PUBMED_SAMPLES}: its sha256 is " in result.output and "but " in result.output
    assert "no mapping onto the board for 'inspect_ai'" in result.output
