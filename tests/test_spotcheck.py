"""`reproboard spotcheck` end to end on CPU: lm-eval run -> ingest -> validate -> spotcheck, then tampering."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from lm_eval_helpers import load
from signing_keys import signer_entry, write_signers

from builder.check.validate import validate
from builder.cli import cli
from builder.load.strict_yaml import parse_bytes
from builder.spotcheck.check import SpotcheckError, local_revision, refuse_pickles, spotcheck
from builder.spotcheck.rerun import model_arguments
from builder.spotcheck.sampling import choose_documents, derive_seed, documents_needed, miss_probability
from builder.trust.signing import key_id, private_key_pem

tiny, tamper = load("tiny"), load("tamper")
SEED_FROM = "pr=7 head=0123456789abcdef0123456789abcdef01234567 date=2026-01-02"


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    pytest.importorskip("lm_eval")
    return tiny.prepared(tmp_path_factory.getbasetemp() / "tiny-lm-eval")


@pytest.fixture()
def repo(tmp_path: Path, tiny_run: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "datasets-cache"))
    return tiny.make_repo(tmp_path, tiny_run["output"], local_revision(tiny_run["model"]))


def _check(repo: Path, tiny_run: dict[str, Path], *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["spotcheck", str(repo), "--seed-from", SEED_FROM, "--model-path", str(tiny_run["model"]),
                                      "--include-path", str(tiny_run["tasks"]), "--device", "cpu", *extra], catch_exceptions=False)
    return result.exit_code, result.output


def _record(repo: Path) -> dict:
    return parse_bytes(repo.with_name("tiny-run.verification.yaml").read_bytes()).data


def test_an_honest_run_passes_and_the_signed_record_validates(repo: Path, tiny_run: dict[str, Path], tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()  # throwaway: only this test's signers list trusts it
    key_file = tmp_path / "runner.key"
    key_file.write_bytes(private_key_pem(key))
    write_signers(repo.parents[3], signer_entry(key, valid_from="2025-01-01"))
    code, output = _check(repo, tiny_run, "--runner", "ci-cpu", "--signing-key", str(key_file))
    assert code == 0, output
    assert f"signed with key {key_id(key.public_key())}" in output
    record = _record(repo)
    assert record["signature"]["key"] == key_id(key.public_key())
    assert record["verdict"] == "pass"
    assert record["seed"] == {"value": derive_seed(SEED_FROM), "derived_from": SEED_FROM}
    assert [(t["task"], t["documents_checked"], t["documents_agreeing"]) for t in record["tasks"]] == [
        ("rb_tiny_gen", documents_needed(40), documents_needed(40)), ("rb_tiny_mc", documents_needed(80), documents_needed(80))]
    assert record["tasks"][1]["max_loglikelihood_difference"] == 0.0
    assert record["summary"].startswith(f"pass: all {documents_needed(40) + documents_needed(80)} re-run documents in 2 tasks agree")
    root = repo.parents[3]
    assert validate(root).problems == []


def test_documents_flipped_with_edited_loglikelihoods_pass_validate_but_fail_the_spotcheck(repo: Path, tiny_run: dict[str, Path]) -> None:
    flipped = tamper.flip(repo, "rb_tiny_mc", 2, tamper.claim_right_consistently, "tiny_mc", "acc")
    assert validate(repo.parents[3]).problems == []  # internally consistent: only a re-run can tell
    code, _ = _check(repo, tiny_run, "--documents", "80")
    assert code == 1
    record = _record(repo)
    mc = record["tasks"][1]
    assert (record["verdict"], mc["verdict"], mc["mismatched_doc_ids"]) == ("fail", "fail", sorted(flipped))
    assert f"fail: 2 of 120 re-run documents disagree with the evidence (rb_tiny_mc: doc ids {', '.join(map(str, sorted(flipped)))} " \
           "(loglikelihoods differ by up to" in record["summary"]


def test_flipped_generations_fail_the_spotcheck(repo: Path, tiny_run: dict[str, Path]) -> None:
    flipped = tamper.flip(repo, "rb_tiny_gen", 3, tamper.claim_generation_right, "tiny_gen", "exact_match")
    code, output = _check(repo, tiny_run, "--documents", "40")
    record = _record(repo)
    assert code == 1 and record["tasks"][0]["mismatched_doc_ids"] == sorted(flipped)
    assert "the filtered answer differs: '[invalid]' re-run, '7' claimed" in record["summary"]
    # Without a signing key the record is written unsigned, says so, and does not validate.
    assert "the record is unsigned, and reproboard validate will refuse it" in output and "signature" not in record
    assert [str(p) for p in validate(repo.parents[3]).errors] == [
        "results/reproboard-tests/tiny-gpt2/tiny-run.verification.yaml:1: $: 'signature' is required"]


def test_a_swapped_model_revision_fails_without_re_running(repo: Path, tiny_run: dict[str, Path]) -> None:
    other = "f" * 40
    for path in (repo, repo.with_name("model.yaml")):
        path.write_text(path.read_text().replace(local_revision(tiny_run["model"]), other))
    assert validate(repo.parents[3]).problems == []
    code, _ = _check(repo, tiny_run)
    record = _record(repo)
    assert code == 1 and record["verdict"] == "fail"
    assert f"is revision {local_revision(tiny_run['model'])}, not the run's revision {other}" in record["summary"]


def test_evidence_edited_after_its_hash_was_recorded_stops_the_check_without_a_record(repo: Path, tiny_run: dict[str, Path]) -> None:
    evidence = repo.with_name("tiny-run.evidence.jsonl.gz")
    header, records = tamper.load_evidence(evidence)
    tamper.save_evidence(evidence, header, records[:-1])
    code, output = _check(repo, tiny_run)
    assert code == 1
    assert "the evidence changed after its hash was recorded" in output
    assert not repo.with_name("tiny-run.verification.yaml").exists()


def test_a_failure_midway_leaves_no_record(repo: Path, tiny_run: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from builder.spotcheck import rerun

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("runner lost its GPU")

    monkeypatch.setattr(rerun, "rerun_task", crash)
    with pytest.raises(RuntimeError):
        spotcheck(repo, seed_from=SEED_FROM, model_path=tiny_run["model"], include_path=tiny_run["tasks"], device="cpu", progress=False)
    assert sorted(p.name for p in repo.parent.iterdir()) == ["model.yaml", "tiny-run.evidence.jsonl.gz", "tiny-run.yaml"]


def test_pickled_weights_are_refused(tmp_path: Path) -> None:
    (tmp_path / "pytorch_model.bin").write_bytes(b"\x80\x04")
    with pytest.raises(SpotcheckError, match="holds pickled weights"):
        refuse_pickles(tmp_path)


def test_model_arguments_are_a_mapping_with_remote_code_off_and_the_pinned_revision() -> None:
    run = {"revision": "a" * 40, "setting": {"backend": "hf", "dtype": "bfloat16", "batch_size": "8", "model_args": {"max_length": 4096}}}
    args = model_arguments(run, "org/model", "cuda:0", None)
    assert args == {"max_length": 4096, "pretrained": "org/model", "revision": "a" * 40, "dtype": "bfloat16",
                    "trust_remote_code": False, "use_safetensors": True, "device": "cuda:0"}


def test_the_sample_is_sorted_unique_deterministic_and_depends_on_the_seed() -> None:
    ids = list(range(1000)) + [5, 5]
    first = choose_documents(derive_seed("a"), "mmlu", ids, 300)
    assert first == sorted(set(first)) and len(first) == 300
    assert first == choose_documents(derive_seed("a"), "mmlu", list(reversed(ids)), 300)
    assert first != choose_documents(derive_seed("b"), "mmlu", ids, 300)


def test_about_300_documents_catch_a_one_point_inflation_of_any_large_task() -> None:
    assert documents_needed(14042) <= 300 and documents_needed(1000) <= 300
    assert miss_probability(14042, 141, documents_needed(14042)) <= 0.05
    assert documents_needed(100) == 96  # a small task must be re-run almost whole


def test_the_verification_is_never_written_through_a_link_left_in_the_folder(tmp_path: Path) -> None:
    from builder.spotcheck.check import _write_new

    outside = tmp_path / "outside.txt"
    outside.write_text("untouched")
    partial = tmp_path / "run.verification.yaml.partial"
    partial.symlink_to(outside)
    _write_new(partial, b"record")
    assert outside.read_text() == "untouched"
    assert not partial.is_symlink() and partial.read_bytes() == b"record"
