"""The leaderboard's rules (builder/board/aggregate.py), each on a tiny hand-built board with exact expected numbers."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import math
from pathlib import Path

import pytest

from builder.board.aggregate import DISPUTE_TOLERANCE, build_board, normalise, run_status, significance_ranks
from builder.board.model import Board, Rank, Verdict
from builder.check.validate import validate
from builder.load.registry import Benchmark

FIXTURE = Path(__file__).parent / "site_fixture"
TODAY = dt.date(2025, 1, 1)

REGISTRY = """\
schema_version: 1
categories:
  - {id: knowledge, name: Knowledge, name_zh: 知识, description: Knowing things., description_zh: 知道事情。}
  - {id: math, name: Math, name_zh: 数学, description: Doing sums., description_zh: 做算术。}
benchmarks:
  - {id: k1, name: K1, category: knowledge, lm_eval_tasks: [k1], metric: acc, filter: none, higher_is_better: true,
     random_baseline: 25, default_n_shot: 5, size: 10000, description: Four choices., description_zh: 四选一。, name_zh: K1, url: "https://example.org/k1"}
  - {id: k2, name: K2, category: knowledge, lm_eval_tasks: [k2], metric: acc, filter: none, higher_is_better: true,
     random_baseline: 0, default_n_shot: 0, size: 10000, description: Open answers., description_zh: 开放式回答。, name_zh: K2, url: "https://example.org/k2"}
  - {id: m1, name: M1, category: math, lm_eval_tasks: [m1], metric: exact_match, filter: strict-match, higher_is_better: true,
     random_baseline: 0, default_n_shot: 5, size: 400, description: Sums., description_zh: 算术。, name_zh: M1, url: "https://example.org/m1"}
"""


class Repo:
    """Writes a minimal valid repository: registry, model records and runs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "seeds").mkdir(parents=True)
        (root / "seeds" / "benchmarks.yaml").write_text(REGISTRY)

    def model(self, model_id: str, organisation: str = "Org") -> None:
        folder = self.root / "seeds" / model_id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "model.yaml").write_text(
            f"schema_version: 1\nid: {model_id}\nname: {model_id.split('/')[1]}\norganisation: {organisation}\n"
            f"revision: {'a' * 40}\nparameters: {{total_billions: 7}}\narchitecture: LlamaForCausalLM\n"
            f"model_type: base\nopen_weights: true\nlicense: mit\nrelease_date: \"2024-01-01\"\n"
        )

    def reported(self, model_id: str, name: str, scores: dict[str, float | tuple[float, int]], *, publisher: str = "Org",
                 published_on: str | None = None, stderr: dict[str, float] | None = None) -> None:
        lines = [
            "schema_version: 1", f"model: {model_id}", "provenance:", "  kind: reported", "  source:", f"    title: {name} report",
            f"    url: https://example.org/{name}", "    locator: Table 1", f"    publisher: {publisher}",
        ]
        if published_on:
            lines.append(f'    published_on: "{published_on}"')
        lines += ["submitted_by: tester", 'submitted_on: "2024-06-01"', "scores:"]
        for benchmark, value in scores.items():
            value, shots = value if isinstance(value, tuple) else (value, {"k1": 5, "k2": 0, "m1": 5}[benchmark])
            lines += [f"  {benchmark}:", f"    value: {value}", f"    n_shot: {shots}"]
            if stderr and benchmark in stderr:
                lines.append(f"    stderr: {stderr[benchmark]}")
        (self.root / "seeds" / model_id / f"{name}.yaml").write_text("\n".join(lines) + "\n")

    def submitted(self, model_id: str, name: str, benchmark: str, value: float, *, verdict: str | None = None,
                  limit: int | None = None, effective: int = 400, dtype: str = "bfloat16") -> None:
        folder = self.root / "results" / model_id
        folder.mkdir(parents=True, exist_ok=True)
        evidence = _evidence(*{"k1": ("k1", "none", "acc"), "k2": ("k2", "none", "acc"), "m1": ("m1", "strict-match", "exact_match")}[benchmark],
                             effective, round(value * effective / 100))
        (folder / f"{name}.evidence.jsonl.gz").write_bytes(evidence)
        evidence_sha = hashlib.sha256(evidence).hexdigest()
        task = {"k1": ("k1", "acc", "none", 10000), "k2": ("k2", "acc", "none", 10000), "m1": ("m1", "exact_match", "strict-match", 400)}[benchmark]
        run = (
            f"schema_version: 1\nmodel: {model_id}\nrevision: {'a' * 40}\nprovenance:\n  kind: submitted\n  evidence:\n"
            f"    path: {name}.evidence.jsonl.gz\n    sha256: {evidence_sha}\nharness:\n  name: lm-eval\n  version: \"0.4.13\"\n"
            f"setting:\n  backend: hf\n  dtype: {dtype}\n  batch_size: \"8\"\n  chat_template:\n    applied: false\n"
            f"  fewshot_as_multiturn: false\n  limit: {'null' if limit is None else limit}\ncommand: lm_eval --tasks {task[0]}\n"
            f"submitted_by: alice\nsubmitted_on: \"2024-06-02\"\nscores:\n  {benchmark}:\n    value: {value}\n    n_shot: 5\n"
            f"    metric: {task[1]}\n    filter: {task[2]}\n    task: {task[0]}\n"
            f"    n_samples: {{original: {task[3]}, effective: {effective}}}\n"
        )
        (folder / f"{name}.yaml").write_text(run)
        if verdict:
            (folder / f"{name}.verification.yaml").write_text(
                f"schema_version: 1\nrun: {name}.yaml\nrun_sha256: {hashlib.sha256(run.encode()).hexdigest()}\n"
                f"evidence_sha256: {evidence_sha}\nchecked_on: \"2024-06-03\"\nchecker:\n  reproboard_version: 0.1.0\n"
                f"  lm_eval_version: 0.4.13\n  hardware: CPU\nseed:\n  value: {'b' * 64}\n  derived_from: test\ntolerance: 0.0001\n"
                f"tasks:\n  - task: {task[0]}\n    documents_checked: 10\n    documents_agreeing: {10 if verdict == 'pass' else 2}\n"
                f"    mismatched_doc_ids: []\n    verdict: {verdict}\nverdict: {verdict}\nsummary: checked.\n"
            )

    def board(self) -> Board:
        report = validate(self.root, today=TODAY)
        assert [str(p) for p in report.errors] == []
        return build_board(report.parsed, report.registry)


def _evidence(task: str, filter_name: str, metric: str, n: int, right: int) -> bytes:
    """A minimal evidence file whose n documents re-score to right / n."""
    header = {"format": "reproboard-evidence", "version": 1, "groups": {}, "tasks": {task: {
        "output_type": "generate_until", "filters": [filter_name], "metrics": {metric: "mean"}, "n_docs": n, "target_delimiter": " "}}}
    records = [{"t": task, "d": d, "f": filter_name, "m": {metric: 1.0 if d < right else 0.0}, "a": str(d)} for d in range(n)]
    text = "".join(json.dumps(x, sort_keys=True) + "\n" for x in [header, *records])
    return gzip.compress(text.encode(), mtime=0)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path)


def _bench(baseline: float, higher: bool = True) -> Benchmark:
    return Benchmark("b", "B", "c", (), "acc", "none", higher, baseline, 0, 100, "d", "https://example.org")


def test_normalised_score_is_zero_at_the_random_baseline_and_100_at_a_perfect_score() -> None:
    assert normalise(25, _bench(25)) == 0
    assert normalise(100, _bench(25)) == 100
    assert normalise(62, _bench(25)) == pytest.approx(49.3333333)
    assert normalise(40, _bench(0)) == 40


def test_normalised_score_below_the_baseline_is_clipped_at_zero() -> None:
    assert normalise(20, _bench(25)) == 0


def test_normalised_score_of_a_lower_is_better_benchmark_counts_from_the_other_end() -> None:
    # baseline 80 (random guessing errs 80 % of the time); a score of 20 is 75 % of the way to 0.
    assert normalise(20, _bench(80, higher=False)) == pytest.approx(75.0)


def test_ranks_are_tie_groups_never_a_false_total_order() -> None:
    ranks = significance_ranks([80.0, 79.9, 70.0], [1.0, 1.0, 0.1])
    assert ranks == [Rank(1, 2), Rank(1, 2), Rank(3, 3)]


def test_rank_is_one_plus_the_models_significantly_higher() -> None:
    # 1.96 * sqrt(2) * 1.0 = 2.77: 90 beats 87 (gap 3) but not 88 (gap 2); 88 beats 85 but not 87.
    ranks = significance_ranks([90.0, 88.0, 87.0, 85.0], [1.0, 1.0, 1.0, 1.0])
    assert [r.best for r in ranks] == [1, 1, 2, 3]
    assert [r.worst for r in ranks] == [2, 3, 4, 4]


def test_equal_scores_without_error_share_a_rank() -> None:
    assert significance_ranks([50.0, 50.0], [0.0, 0.0]) == [Rank(1, 2), Rank(1, 2)]


def test_run_status_follows_the_latest_spot_check() -> None:
    passed = Verdict("p", "pass", "2024-01-01", "")
    failed = Verdict("f", "fail", "2024-02-01", "")
    assert run_status("reported", ()) == "reported"
    assert run_status("submitted", ()) == "submitted"
    assert run_status("submitted", (passed,)) == "verified"
    assert run_status("submitted", (passed, failed)) == "failed"
    assert run_status("submitted", (Verdict("i", "inconclusive", "2024-01-01", ""),)) == "submitted"


def test_a_model_with_fewer_benchmarks_does_not_outrank_a_fully_evaluated_one(repo: Repo) -> None:
    repo.model("a/full")
    repo.reported("a/full", "src", {"k1": 62.5, "k2": 50.0, "m1": 50.0})
    repo.model("b/sparse")
    repo.reported("b/sparse", "src", {"m1": 95.0})
    board = repo.board()
    full, sparse = board.model("a/full"), board.model("b/sparse")
    # full: knowledge (50 + 50) / 2 = 50, math 50 -> 50. sparse: knowledge 0, math 95 -> 47.5.
    assert (full.average, sparse.average) == (50.0, 47.5)
    assert [m.id for m in board.models] == ["a/full", "b/sparse"]
    assert (full.covered, sparse.covered) == (3, 1)
    assert sparse.category("knowledge").value == 0.0  # type: ignore[union-attr]


def test_every_category_weighs_the_same_whatever_its_number_of_benchmarks(repo: Repo) -> None:
    repo.model("a/m")
    repo.reported("a/m", "src", {"k1": 100.0, "k2": 100.0, "m1": 0.0})
    assert repo.board().model("a/m").average == 50.0


def test_averages_count_only_benchmarks_that_someone_has_a_score_for(repo: Repo) -> None:
    repo.model("a/m")
    repo.reported("a/m", "src", {"k1": 62.5})
    board = repo.board()
    assert board.benchmarks == ("k1",)
    assert board.categories == ("knowledge",)
    assert board.model("a/m").average == 50.0


def test_a_verified_run_counts_before_a_submitted_one_and_both_before_reported_numbers(repo: Repo) -> None:
    repo.model("a/m")
    repo.reported("a/m", "makers", {"m1": 50.0})
    repo.submitted("a/m", "run-1", "m1", 51.0)
    repo.submitted("a/m", "run-2", "m1", 51.5, verdict="pass", dtype="float16")
    board = repo.board()
    counted = board.counted("a/m", "m1")
    assert (counted.value, counted.status) == (51.5, "verified")  # type: ignore[union-attr]
    assert [(s.value, s.counts) for s in board.scores_of("a/m")] == [(51.5, True), (51.0, False), (50.0, False)]


def test_a_submitted_run_counts_before_the_makers_reported_number(repo: Repo) -> None:
    repo.model("a/m")
    repo.reported("a/m", "makers", {"m1": 50.0})
    repo.submitted("a/m", "run-1", "m1", 50.5)
    assert repo.board().counted("a/m", "m1").status == "submitted"  # type: ignore[union-attr]


def test_a_run_that_failed_its_spot_check_never_counts(repo: Repo) -> None:
    repo.model("a/m")
    repo.reported("a/m", "others", {"m1": 40.0}, publisher="Someone else")
    repo.submitted("a/m", "run-1", "m1", 90.0, verdict="fail")
    board = repo.board()
    assert board.counted("a/m", "m1").value == 40.0  # type: ignore[union-attr]
    failed = [s for s in board.scores_of("a/m") if s.status == "failed"]
    assert [(s.value, s.counts, s.disputed) for s in failed] == [(90.0, False, False)]


def test_a_partial_run_is_shown_but_never_counts(repo: Repo) -> None:
    repo.model("a/m")
    repo.submitted("a/m", "run-1", "m1", 70.0, limit=100, effective=100)
    board = repo.board()
    assert board.counted("a/m", "m1") is None
    assert board.model("a/m").average is None
    assert board.model("a/m").rank is None


def test_the_makers_number_counts_before_a_third_partys(repo: Repo) -> None:
    repo.model("a/m", organisation="Acme")
    repo.reported("a/m", "rival", {"m1": 60.0}, publisher="Rival", published_on="2024-05-01")
    repo.reported("a/m", "makers", {"m1": 59.5}, publisher="acme", published_on="2024-01-01")
    assert repo.board().counted("a/m", "m1").value == 59.5  # type: ignore[union-attr]


def test_the_default_n_shot_counts_before_the_newest_and_the_newest_before_the_path(repo: Repo) -> None:
    repo.model("a/m")
    repo.reported("a/m", "a-old", {"m1": (60.0, 5)}, publisher="X", published_on="2024-01-01")
    repo.reported("a/m", "b-new-8shot", {"m1": (60.5, 8)}, publisher="Y", published_on="2024-05-01")
    repo.reported("a/m", "c-new", {"m1": (60.2, 5)}, publisher="Z", published_on="2024-03-01")
    repo.reported("a/m", "d-new", {"m1": (60.3, 5)}, publisher="W", published_on="2024-03-01")
    counted = repo.board().counted("a/m", "m1")
    assert counted.run_path == "seeds/a/m/c-new.yaml"  # type: ignore[union-attr]


def test_sources_that_differ_by_more_than_the_tolerance_are_disputed(repo: Repo) -> None:
    assert DISPUTE_TOLERANCE == 1.0
    repo.model("a/m")
    repo.reported("a/m", "one", {"k1": 70.0, "m1": 40.0}, publisher="Org")
    repo.reported("a/m", "two", {"k1": 71.0, "m1": 41.1}, publisher="Other")
    board = repo.board()
    assert {s.benchmark_id: s.disputed for s in board.scores_of("a/m")} == {"k1": False, "m1": True}
    assert board.model("a/m").disputed == ("m1",)


def test_stderr_is_the_runs_own_else_binomial_over_the_documents(repo: Repo) -> None:
    repo.model("a/m")
    repo.reported("a/m", "src", {"k1": 50.0, "m1": 50.0}, stderr={"k1": 0.4})
    repo.model("a/n")
    repo.submitted("a/n", "run-1", "m1", 50.0, limit=100, effective=100)
    repo.reported("a/n", "src", {"m1": 50.0})
    board = repo.board()
    k1, m1 = board.counted("a/m", "k1"), board.counted("a/m", "m1")
    assert (k1.stderr, k1.stderr_estimated) == (0.4, False)  # type: ignore[union-attr]
    assert (m1.stderr, m1.stderr_estimated) == (round(100 * math.sqrt(0.25 / 399), 2), True)  # type: ignore[union-attr]
    partial = next(s for s in board.scores_of("a/n") if s.status == "submitted")
    assert partial.stderr == round(100 * math.sqrt(0.25 / 99), 2)


def test_average_stderr_propagates_through_normalisation_and_means(repo: Repo) -> None:
    repo.model("a/m")
    repo.reported("a/m", "src", {"k1": 50.0, "k2": 50.0, "m1": 50.0}, stderr={"k1": 0.75, "k2": 1.0, "m1": 2.0})
    model = repo.board().model("a/m")
    knowledge = math.sqrt((0.75 / 0.75) ** 2 + 1.0**2) / 2  # k1's stderr divided by (1 - 0.25)
    assert model.category("knowledge").stderr == round(knowledge, 2)  # type: ignore[union-attr]
    assert model.average_stderr == round(math.sqrt(knowledge**2 + 2.0**2) / 2, 2)


def test_models_without_a_counted_score_come_last_without_rank(repo: Repo) -> None:
    repo.model("a/none")
    repo.model("b/some")
    repo.reported("b/some", "src", {"m1": 10.0})
    board = repo.board()
    assert [(m.id, m.rank) for m in board.models] == [("b/some", Rank(1, 1)), ("a/none", None)]
    assert [e.model_id for e in board.rankings["overall"].entries] == ["b/some"]


def test_the_fixture_board_has_the_expected_order_averages_and_ranks() -> None:
    report = validate(FIXTURE, today=TODAY)
    assert report.errors == []
    board = build_board(report.parsed, report.registry)
    assert [(m.id, m.average, m.rank) for m in board.models] == [
        ("vendor/api-model", 75.78, Rank(1, 1)),
        ("beta-labs/Beta-70B", 73.29, Rank(2, 2)),
        ("acme/Alpha-7B-Chat", 54.45, Rank(3, 3)),
        ("acme/Alpha-7B", 50.52, Rank(4, 4)),
        ("sparse/Sparse-1B", 31.67, Rank(5, 5)),
        ("evil/X-1", 15.55, Rank(6, 6)),
    ]
    assert [(e.model_id, e.rank) for e in board.rankings["mmlu"].entries][2:4] == [
        ("acme/Alpha-7B-Chat", Rank(3, 4)), ("acme/Alpha-7B", Rank(3, 4))]
    assert board.counted("beta-labs/Beta-70B", "gsm8k").status == "verified"  # type: ignore[union-attr]
    assert board.model("acme/Alpha-7B").disputed == ("arc_challenge",)
    assert board.data_date == "2024-07-01"
