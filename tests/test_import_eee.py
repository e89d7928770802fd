"""`reproboard import eee` and `reproboard export eee`, on real EEE records (tests/eee/SOURCES.md)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from builder.board.aggregate import build_board
from builder.check.validate import validate
from builder.cli import cli
from builder.imports.eee import EeeError, parse_record, read_record
from builder.imports.eee_board import evaluations
from builder.imports.eee_export import export, schema_errors

REPO = Path(__file__).resolve().parent.parent
EEE = Path(__file__).parent / "eee"
NEW = EEE / "d9be34d6"
OLD = EEE / "436dfbed"
OLL = NEW / "data" / "hfopenllm_v2"
COMMIT = "d9be34d60cb3820833034e33a437ba4b9e4d472f"
YI_NEW = OLL / "01-ai/Yi-1.5-34B-Chat/02bac8a7-bd09-4e73-979a-7dbaa7a8ed75.json"
YI_OLD = OLD / "data/hfopenllm_v2/01-ai/Yi-1.5-34B-Chat/e335874b-9b3e-4966-a7e0-22e9d16f8324.json"
YI_01 = EEE / "c3d1c0b3/data/hfopenllm_v2/01-ai/Yi-1.5-34B-Chat/e335874b-9b3e-4966-a7e0-22e9d16f8324.json"
QWEN = OLL / "Qwen/Qwen2-7B/54b055d0-80ae-4bba-b729-bd77b3ec7502.json"


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    """A board with the real registries and one seed model (Qwen2-7B) that the import must join."""
    for name in ("benchmarks.yaml", "organisations.yaml"):
        (tmp_path / "seeds").mkdir(exist_ok=True)
        shutil.copyfile(REPO / "seeds" / name, tmp_path / "seeds" / name)
    (tmp_path / "seeds/Qwen/Qwen2-7B").mkdir(parents=True)
    shutil.copyfile(REPO / "seeds/Qwen/Qwen2-7B/model.yaml", tmp_path / "seeds/Qwen/Qwen2-7B/model.yaml")
    return tmp_path


def run_import(root: Path, *paths: Path, into: str = "seeds") -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["import", "eee", *map(str, paths), "--root", str(root), "--commit", COMMIT,
                                      "--into", into, "--submitted-by", "reproboard-maintainers"], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_a_0_2_record_and_a_0_0_record_read_to_the_same_facts() -> None:
    new, old = read_record(YI_NEW), read_record(YI_OLD)
    assert (new.schema_version, old.schema_version) == ("0.2.0", "0.0.1")
    assert new.source_name == old.source_name == "HF Open LLM v2"
    assert new.model_id == old.model_id == "01-ai/Yi-1.5-34B-Chat"
    assert new.model_name == old.model_name == "Yi-1.5-34B-Chat"  # 0.0.1 writes the whole id as the name
    assert (new.retrieved_on, old.retrieved_on) == ("2026-02-10", "2025-11-09")
    assert new.evaluator_relationship == "third_party" and new.source_organization == "Hugging Face"
    assert dict((s.name, s.value) for s in new.scores)["IFEval"] == 0.6067
    assert dict((s.name, s.value) for s in old.scores)["IFEval"] == 0.6066758423205982
    assert new.numbers == old.numbers
    middle = read_record(YI_01)
    assert (middle.schema_version, middle.source_name, middle.model_name) == ("0.1.0", "HF Open LLM v2", "Yi-1.5-34B-Chat")
    assert [(s.name, s.value) for s in middle.scores] == [(s.name, s.value) for s in old.scores]


def test_the_whole_fixture_set_imports_into_seeds_and_validates_strictly(root: Path) -> None:
    code, out, err = run_import(root, OLL, OLD)
    assert code == 0, err
    assert "10 records -> 9 runs of 6 new model records (1 repeated retrieval merged)" in out
    report = validate(root)
    assert report.problems == []
    qwen = load(root / "seeds/Qwen/Qwen2-7B/hfopenllm-v2-bfloat16.yaml")
    assert qwen["scores"]["math"] == {"value": 20.39, "n_shot": 4, "metric": "exact_match", "task": "leaderboard_math_hard",
                                      "protocol": "leaderboard_math_hard"}
    assert "protocol" not in qwen["scores"]["ifeval"] and "mean of prompt- and instruction-level" in qwen["scores"]["ifeval"]["setting_note"]
    source = qwen["provenance"]["source"]
    assert source["url"] == f"https://github.com/evaleval/every_eval_ever/tree/{COMMIT}/data/hfopenllm_v2"
    assert source["publisher"] == "Hugging Face"
    assert source["imported_from"]["records"] == [{"path": "data/hfopenllm_v2/Qwen/Qwen2-7B/54b055d0-80ae-4bba-b729-bd77b3ec7502.json",
                                                    "retrieved_on": "2026-02-10"}]
    assert (root / "seeds/Qwen/Qwen2-7B/model.yaml").read_bytes() == (REPO / "seeds/Qwen/Qwen2-7B/model.yaml").read_bytes()


def test_every_run_of_the_leaderboard_cites_one_source_table(root: Path) -> None:
    run_import(root, OLL)
    sources = {(d["provenance"]["source"]["url"], d["provenance"]["source"]["locator"])
               for d in map(load, root.glob("seeds/*/*/hfopenllm-v2-*.yaml"))}
    assert len(sources) == 1


def test_the_same_numbers_retrieved_on_two_dates_are_one_run(root: Path) -> None:
    run_import(root, YI_NEW, YI_OLD)
    runs = sorted(p.name for p in (root / "seeds/01-ai/Yi-1.5-34B-Chat").glob("*.yaml"))
    assert runs == ["hfopenllm-v2-bfloat16.yaml", "model.yaml"]
    run = load(root / "seeds/01-ai/Yi-1.5-34B-Chat/hfopenllm-v2-bfloat16.yaml")
    assert [r["retrieved_on"] for r in run["provenance"]["source"]["imported_from"]["records"]] == ["2025-11-09", "2026-02-10"]
    assert run["scores"]["ifeval"]["value"] == 60.667584  # the earliest retrieval's numbers, to 6 decimals of a percent


def test_different_numbers_for_one_model_stay_apart(root: Path) -> None:
    run_import(root, OLL / "AtAndDev", OLL / "DeepMount00")
    folder = root / "seeds/AtAndDev/Qwen2.5-1.5B-continuous-learnt"
    assert sorted(p.name for p in folder.glob("hfopenllm-v2-*.yaml")) == ["hfopenllm-v2-bfloat16.yaml", "hfopenllm-v2-float16.yaml"]
    assert load(folder / "hfopenllm-v2-float16.yaml")["scores"]["math"]["setting_note"] == "evaluated in float16"
    # Two ids that differ only in letter case are one hub repository: one model record, two runs.
    ita = sorted(p.name for p in (root / "seeds/DeepMount00").iterdir())
    assert ita == ["Llama-3.1-8b-ITA"]
    assert sorted(p.name for p in (root / "seeds/DeepMount00/Llama-3.1-8b-ITA").iterdir()) == [
        "hfopenllm-v2-bfloat16-2.yaml", "hfopenllm-v2-bfloat16.yaml", "model.yaml"]
    record = load(root / "seeds/DeepMount00/Llama-3.1-8b-ITA/model.yaml")
    assert record["architecture"] == "LlamaForCausalLM" and record["parameters"] == {"total_billions": 8.03}
    assert validate(root).problems == []


def test_the_board_tells_the_makers_own_models_from_the_rest(root: Path) -> None:
    run_import(root, OLL)
    report = validate(root)
    board = build_board(report.parsed, report.registry)
    assert board.model("google/umt5-base").makers_own and board.model("Qwen/Qwen2-7B").makers_own
    assert not board.model("LeroyDyer/_Spydaz_Web_AI_12").makers_own
    assert not board.model("mistral-community/Mistral-7B-v0.2").makers_own  # not Mistral AI's namespace


@pytest.mark.parametrize("where", ["results", "seeds"])
def test_only_a_record_the_maintainers_keep_makes_a_model_its_makers_own(root: Path, where: str) -> None:
    """Anyone can add a model record under a registered namespace in results/ (validate cannot ask the hub whether
    `Qwen/Qwen9-Imagined` exists): it is shown, with the others, not as Alibaba Qwen's own release in the default
    view. Under seeds/, where only maintainers put files, the same record is the makers' own."""
    record = load(root / "seeds/Qwen/Qwen2-7B/model.yaml") | {"id": "Qwen/Qwen9-Imagined", "name": "Qwen9-Imagined"}
    folder = root / where / "Qwen/Qwen9-Imagined"
    folder.mkdir(parents=True)
    (folder / "model.yaml").write_text(yaml.safe_dump(record, sort_keys=False, allow_unicode=True), encoding="utf-8")
    report = validate(root)
    assert report.problems == []
    board = build_board(report.parsed, report.registry)
    assert board.model("Qwen/Qwen9-Imagined").makers_own is (where == "seeds")
    assert board.model("Qwen/Qwen2-7B").makers_own


def test_model_records_say_what_eee_does_not_know(root: Path) -> None:
    run_import(root, OLL)
    umt5 = load(root / "seeds/google/umt5-base/model.yaml")
    assert umt5["organisation"] == "Google"  # a registered namespace
    assert umt5["model_type"] == "unknown" and umt5["license"] == "unknown"
    assert "parameters" not in umt5 and "release_date" not in umt5  # EEE's -1 means not known
    assert load(root / "seeds/mistral-community/Mistral-7B-v0.2/model.yaml")["organisation"] == "Unknown"
    assert load(root / "seeds/LeroyDyer/_Spydaz_Web_AI_12/model.yaml")["organisation"] == "LeroyDyer"


def test_the_import_is_recorded_so_it_can_be_redone(root: Path) -> None:
    run_import(root, OLL)
    (entry,) = load(root / "seeds/imports.yaml")["imports"]
    assert entry["repository"] == "https://github.com/evaleval/every_eval_ever" and entry["commit"] == COMMIT
    assert entry["paths"] == ["data/hfopenllm_v2"] and entry["records"] == 9 and entry["runs"] == 9
    before = {p: p.read_bytes() for p in sorted(root.rglob("*.yaml"))}
    run_import(root, OLL)  # redone: the same files, one manifest entry
    assert {p: p.read_bytes() for p in sorted(root.rglob("*.yaml"))} == before


def test_an_import_into_results_is_a_contributors_and_writes_no_manifest(root: Path) -> None:
    code, _, err = run_import(root, OLL / "AtAndDev", into="results")
    assert code == 0, err
    assert (root / "results/AtAndDev/Qwen2.5-1.5B-continuous-learnt/model.yaml").is_file()
    assert not (root / "seeds/imports.yaml").exists()


def test_a_model_recorded_in_seeds_cannot_be_imported_into_results(root: Path) -> None:
    code, _, err = run_import(root, QWEN, into="results")
    assert code == 1
    assert "'Qwen/Qwen2-7B' has its model record in seeds/Qwen/Qwen2-7B/; import into seeds/ instead" in err
    assert not (root / "results").exists()


def test_an_import_never_replaces_a_run_it_did_not_write(root: Path) -> None:
    mine = root / "seeds/Qwen/Qwen2-7B/hfopenllm-v2-bfloat16.yaml"
    mine.write_text("a maintainer's own file\n", encoding="utf-8")
    code, _, err = run_import(root, QWEN)
    assert code == 1 and "seeds/Qwen/Qwen2-7B/hfopenllm-v2-bfloat16.yaml: exists and was not written by an import" in err
    assert mine.read_text(encoding="utf-8") == "a maintainer's own file\n"


def test_a_broken_manifest_stops_the_import_before_anything_is_written(root: Path) -> None:
    (root / "seeds/imports.yaml").write_text("imports: [\n", encoding="utf-8")
    code, _, err = run_import(root, QWEN)
    assert code == 1 and "seeds/imports.yaml: cannot be read" in err
    assert sorted(p.name for p in (root / "seeds/Qwen/Qwen2-7B").iterdir()) == ["model.yaml"]


def hostile(tmp_path: Path, edit: str, replacement: str, name: str = "x.json") -> Path:
    text = YI_NEW.read_text(encoding="utf-8")
    assert edit in text
    path = tmp_path / name
    path.write_text(text.replace(edit, replacement, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("edit", "replacement", "message"), [
    ('"score": 0.6067', '"score": 1e999', "$.evaluation_results[0].score_details.score: is not a finite number"),
    ('"score": 0.6067', '"score": NaN', "'NaN' is not a number EEE allows"),
    ('"score": 0.6067', '"score": 1.5', "$.evaluation_results[0].score_details.score: 1.5 is outside its bounds, 0 to 1"),
    ('"score": 0.6067', '"score": "0.6"', '$.evaluation_results[0].score_details.score: "0.6" is not a number'),
    ('"name": "Yi-1.5-34B-Chat"', '"name": "Yi\\u0007Chat"', '$.model_info.name: "Yi\\u0007Chat" has a control or line-separator character'),
    ('"id": "01-ai/Yi-1.5-34B-Chat"', '"id": "01-ai/../../etc"', "$.model_info.id: '01-ai/../../etc' is not a hub id"),
    ('"id": "01-ai/Yi-1.5-34B-Chat"', '"id": "01-ai/CON"', "$.model_info.id: '01-ai/CON' cannot be a folder name on Windows"),
    ('"schema_version": "0.2.0"', '"schema_version": "9.0.0"', "$.schema_version: '9.0.0' is not a version this import reads"),
    ('"evaluator_relationship": "third_party"', '"evaluator_relationship": "me"', "$.source_metadata.evaluator_relationship: 'me' is not one of"),
    ('"max_score": 1.0', '"max_score": 100.0', "$.evaluation_results[0].metric_config: scores from 0.0 to 100.0"),
    ('"precision": "bfloat16"', '"precision": "bf16\\n"', "$.model_info.additional_details.precision"),
    ('"retrieved_timestamp": "1770682486.623709"', '"retrieved_timestamp": "soon"', "$.retrieved_timestamp: 'soon' is not a Unix time"),
    ('"evaluation_name": "BBH"', '"evaluation_name": "IFEval"', "$.evaluation_results[1].evaluation_name: 'IFEval' appears twice"),
    ('"developer": "01-ai",', '"developer": "01-ai", "developer": "x",', "key 'developer' appears twice in one object"),
])
def test_hostile_values_are_refused_with_file_and_field(tmp_path: Path, edit: str, replacement: str, message: str) -> None:
    path = hostile(tmp_path, edit, replacement)
    with pytest.raises(EeeError) as caught:
        read_record(path)
    assert str(caught.value).startswith(f"{path.as_posix()}: ")
    assert message in str(caught.value)


def test_every_bad_file_is_reported_at_once_and_nothing_is_written(root: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    hostile(bad, '"score": 0.6067', '"score": 1e999', "a.json")
    hostile(bad, '"schema_version": "0.2.0"', '"schema_version": "1.0"', "b.json")
    code, _, err = run_import(root, bad, QWEN)
    assert code == 1
    assert "a.json: $.evaluation_results[0].score_details.score" in err and "b.json: $.schema_version" in err
    assert sorted(p.name for p in (root / "seeds/Qwen/Qwen2-7B").iterdir()) == ["model.yaml"]


def test_a_leaderboard_without_a_mapping_is_refused_by_name_with_the_other_bad_files(root: Path, tmp_path: Path) -> None:
    helm = hostile(tmp_path, '"source_name": "HF Open LLM v2"', '"source_name": "HELM Lite"', "helm.json")
    other = hostile(tmp_path, '"evaluation_name": "MUSR"', '"evaluation_name": "MuSR v2"', "other.json")
    code, _, err = run_import(root, helm, other)
    assert code == 1
    assert "helm.json: $.source_metadata.source_name: no mapping onto the board for 'HELM Lite'" in err
    assert "other.json: $.evaluation_results: 'MuSR v2' is not one of the HF Open LLM v2 evaluations" in err


def test_not_json_says_where() -> None:
    with pytest.raises(EeeError, match=r"^x.json:3: not JSON"):
        parse_record(b'{\n "a": 1,\n }', "x.json")
    with pytest.raises(EeeError, match=r"^x.json: nested too deeply"):
        parse_record(b"[" * 200_000 + b"]" * 200_000, "x.json")


def test_merge_rule_groups_by_model_precision_and_numbers() -> None:
    records = [read_record(p) for p in (YI_NEW, YI_OLD, *sorted((OLL / "AtAndDev").rglob("*.json")))]
    groups = evaluations(records)
    assert [[r.path.rsplit("/", 1)[1][:8] for r in g] for g in groups] == [["e335874b", "02bac8a7"], ["7f8d935e"], ["4fd60e9c"]]


def test_export_validates_against_eees_published_schema(root: Path, tmp_path: Path) -> None:
    run_import(root, OLL, OLD)
    report = validate(root)
    exported = export(report.parsed, report.registry)
    assert len(exported) == 9
    for item in exported:
        assert schema_errors(item.record) == []
    by_run = {e.record["source_metadata"]["additional_details"]["reproboard_run"]: e.record for e in exported}
    qwen = by_run["seeds/Qwen/Qwen2-7B/hfopenllm-v2-bfloat16.yaml"]
    assert qwen["schema_version"] == "0.3.0"
    math = next(r for r in qwen["evaluation_results"] if r["metric_config"]["additional_details"]["reproboard_benchmark"] == "math")
    assert math["score_details"]["score"] == pytest.approx(0.2039)
    assert math["generation_config"]["additional_details"] == {"n_shot": "4", "task": "leaderboard_math_hard",
                                                               "protocol": "leaderboard_math_hard"}
    assert qwen["source_metadata"]["evaluator_relationship"] == "third_party"
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["export", "eee", str(out), "--root", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    written = sorted(out.rglob("*.json"))
    assert len(written) == 9 and all(p.relative_to(out).parts[:2] == ("data", "reproboard") for p in written)
    first = {p: p.read_bytes() for p in written}
    CliRunner().invoke(cli, ["export", "eee", str(out), "--root", str(root)], catch_exceptions=False)
    assert {p: p.read_bytes() for p in sorted(out.rglob("*.json"))} == first  # deterministic


@pytest.fixture(scope="module")
def qwen2_7b_report():  # type: ignore[no-untyped-def]
    """The repository validated once (9,000 files with the Open LLM Leaderboard import), reporting Qwen2-7B's files."""
    return validate(REPO, ["seeds/Qwen/Qwen2-7B"])


def test_the_seed_boards_makers_numbers_export_as_first_party(qwen2_7b_report) -> None:  # type: ignore[no-untyped-def]
    report = qwen2_7b_report
    (record,) = [e.record for e in export(report.parsed, report.registry)
                 if e.record["source_metadata"]["additional_details"]["reproboard_run"]== "seeds/Qwen/Qwen2-7B/qwen2-7b-model-card.yaml"]
    assert record["source_metadata"]["evaluator_relationship"] == "first_party"
    assert schema_errors(record) == []


def test_eees_schema_refuses_what_it_should() -> None:
    """The copied schema is the real one: a record without eval_library, or with a string score, fails it."""
    record = json.loads(YI_NEW.read_text(encoding="utf-8"))
    errors = schema_errors(record)  # a 0.2.0 record lacks 0.3.0's eval_library and model availability
    assert any("'eval_library' is a required property" in e for e in errors)


@pytest.mark.parametrize(("publisher", "relationship"), [("Qwen Team", "first_party"), ("阿里巴巴", "first_party"),
                                                         ("QWEN", "first_party"), ("Qwen Fan Club", "third_party")])
def test_first_party_in_an_export_is_what_speaks_for_the_makers_on_the_board(
        publisher: str, relationship: str, qwen2_7b_report) -> None:  # type: ignore[no-untyped-def]
    """Any registered name of the model's organisation, compared as the board compares them, not by letter case alone."""
    import copy
    import dataclasses

    report = qwen2_7b_report
    card = "seeds/Qwen/Qwen2-7B/qwen2-7b-model-card.yaml"
    parsed = []
    for doc in report.parsed:
        if doc.file.path == card:
            data = copy.deepcopy(doc.data)
            data["provenance"]["source"]["publisher"] = publisher
            doc = dataclasses.replace(doc, data=data)
        parsed.append(doc)
    (record,) = [e.record for e in export(parsed, report.registry)
                 if e.record["source_metadata"]["additional_details"]["reproboard_run"] == card]
    assert record["source_metadata"]["evaluator_relationship"] == relationship
