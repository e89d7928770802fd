"""Evidence checks in `reproboard validate`: no GPU, no lm-eval needed to run them."""

from __future__ import annotations

from pathlib import Path

import pytest
from lm_eval_helpers import load

from builder.check.validate import validate
from builder.lmeval.evidence import read_evidence
from builder.spotcheck.check import local_revision

tiny, tamper = load("tiny"), load("tamper")


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    pytest.importorskip("lm_eval")
    return tiny.prepared(tmp_path_factory.getbasetemp() / "tiny-lm-eval")


@pytest.fixture()
def repo(tmp_path: Path, tiny_run: dict[str, Path]) -> Path:
    return tiny.make_repo(tmp_path, tiny_run["output"], local_revision(tiny_run["model"]))


def _messages(root: Path) -> list[str]:
    return [str(p).replace(str(root) + "/", "") for p in validate(root).problems]


def test_an_honest_ingested_run_validates_and_its_evidence_is_small(repo: Path) -> None:
    root = repo.parents[3]
    assert _messages(root) == []
    evidence = repo.parent / "tiny-run.evidence.jsonl.gz"
    parsed = read_evidence(evidence.read_bytes())
    documents = sum(len(parsed.doc_ids(task)) for task in parsed.header["tasks"])
    assert documents == 120
    assert evidence.stat().st_size / documents < 200  # bytes per document, hashes included


def test_documents_flipped_without_their_loglikelihoods_are_caught(repo: Path) -> None:
    flipped = tamper.flip(repo, "rb_tiny_mc", 3, tamper.claim_right, "tiny_mc", "acc")
    messages = _messages(repo.parents[3])
    ids = ", ".join(str(i) for i in flipped)
    assert any(f"rb_tiny_mc: 3 documents claim a acc that their own loglikelihoods contradict "
               f"(the highest-scoring choice is not what they count as right): doc ids {ids}" in m for m in messages), messages


def test_an_inflated_aggregate_is_caught(repo: Path) -> None:
    run = tamper.load_run(repo)
    run["scores"]["tiny_mc"]["value"] = 28.5
    tamper.save_run(repo, run)
    assert _messages(repo.parents[3]) == [
        ("results/reproboard-tests/tiny-gpt2/tiny-run.yaml:36: $.scores.tiny_mc.value: 28.5 is not what the evidence gives: "
         "its 80 documents re-score to 27.5 (acc, none)")]


def test_a_count_that_does_not_match_the_evidence_is_caught(repo: Path) -> None:
    run = tamper.load_run(repo)
    run["scores"]["tiny_gen"]["n_samples"]["effective"] = 39
    run["scores"]["tiny_gen"]["n_samples"]["original"] = 39
    tamper.save_run(repo, run)
    assert any("$.scores.tiny_gen.n_samples.effective: 39 documents claimed, but the evidence has 40" in m for m in _messages(repo.parents[3]))


def test_evidence_edited_after_its_hash_was_recorded_is_caught(repo: Path) -> None:
    evidence = repo.parent / "tiny-run.evidence.jsonl.gz"
    header, records = tamper.load_evidence(evidence)
    records[0]["m"] = {k: 1.0 for k in records[0]["m"]}
    tamper.save_evidence(evidence, header, records)
    assert any("$.provenance.evidence.sha256: does not match tiny-run.evidence.jsonl.gz: the evidence changed after its hash was recorded" in m
               for m in _messages(repo.parents[3]))


def test_hashes_that_do_not_give_the_task_hash_are_caught(repo: Path) -> None:
    evidence = repo.parent / "tiny-run.evidence.jsonl.gz"
    header, records = tamper.load_evidence(evidence)
    records[5]["h"] = "0" * 192
    tamper.save_evidence(evidence, header, records)
    tamper.rehash(repo)
    messages = _messages(repo.parents[3])
    assert any("$.scores.tiny_gen.task_hash: the evidence's hashes of 'rb_tiny_gen' give" in m or
               "$.scores.tiny_mc.task_hash: the evidence's hashes of 'rb_tiny_mc' give" in m for m in messages), messages


def test_evidence_that_is_not_gzip_is_reported_not_raised(repo: Path) -> None:
    evidence = repo.parent / "tiny-run.evidence.jsonl.gz"
    evidence.write_bytes(b"not gzip")
    tamper.rehash(repo)
    assert any("tiny-run.evidence.jsonl.gz is not a gzip file" in m for m in _messages(repo.parents[3]))
