"""The leaderboard's rules (builder/board/aggregate.py), each on a tiny hand-built board with exact expected numbers;
and the like-for-like properties of the ranking on the repository's own seed board."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from signing_keys import signed_text, signer_entry, write_signers

from builder.board.aggregate import DISPUTE_TOLERANCE, NO_SCORE, build_board, oriented, run_status, significance_ranks, voice
from builder.board.model import Board, Rank, Standings, Verdict
from builder.board.ranking import NO_EVIDENCE, TOO_FEW
from builder.check.validate import validate
from builder.load.registry import Benchmark

FIXTURE = Path(__file__).parent / "site_fixture"
REPO = Path(__file__).resolve().parent.parent
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
  - {id: math, name: MATH, category: math, lm_eval_tasks: [math], metric: exact_match, filter: none, higher_is_better: true,
     random_baseline: 0, default_n_shot: 4, size: 5000, description: Same id as its category., description_zh: 与类别同名。, name_zh: MATH,
     url: "https://example.org/math"}
"""


class Repo:
    """Writes a minimal valid repository: registry, model records and runs, and
    verifications signed with a throwaway key that its signers list trusts."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "seeds").mkdir(parents=True)
        (root / "seeds" / "benchmarks.yaml").write_text(REGISTRY)
        self.signing_key = Ed25519PrivateKey.generate()
        write_signers(root, signer_entry(self.signing_key))

    def model(self, model_id: str, organisation: str = "Org") -> None:
        folder = self.root / "seeds" / model_id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "model.yaml").write_text(
            f"schema_version: 1\nid: {model_id}\nname: {model_id.split('/')[1]}\norganisation: {organisation}\n"
            f"revision: {'a' * 40}\nparameters: {{total_billions: 7}}\narchitecture: LlamaForCausalLM\n"
            f"model_type: base\nopen_weights: true\nlicense: mit\nrelease_date: \"2024-01-01\"\n"
        )

    def reported(self, model_id: str, name: str, scores: dict[str, float | tuple[float, int]], *, publisher: str = "Org",
                 published_on: str | None = None, stderr: dict[str, float] | None = None, where: str = "seeds",
                 table: str | None = None, by: str = "tester") -> None:
        """A reported run `<where>/<model>/<name>.yaml` citing table `table` (default: a table of its own, `name`)."""
        lines = [
            "schema_version: 1", f"model: {model_id}", "provenance:", "  kind: reported", "  source:", f"    title: {table or name} report",
            f"    url: https://example.org/{table or name}", "    locator: Table 1", f"    publisher: {publisher}",
        ]
        if published_on:
            lines.append(f'    published_on: "{published_on}"')
        lines += [f"submitted_by: {by}", 'submitted_on: "2024-06-01"', "scores:"]
        for benchmark, value in scores.items():
            value, shots = value if isinstance(value, tuple) else (value, {"k1": 5, "k2": 0, "m1": 5, "math": 4}[benchmark])
            lines += [f"  {benchmark}:", f"    value: {value}", f"    n_shot: {shots}"]
            if stderr and benchmark in stderr:
                lines.append(f"    stderr: {stderr[benchmark]}")
        folder = self.root / where / model_id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.yaml").write_text("\n".join(lines) + "\n")

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
            (folder / f"{name}.verification.yaml").write_text(signed_text(
                f"schema_version: 1\nrun: {name}.yaml\nrun_sha256: {hashlib.sha256(run.encode()).hexdigest()}\n"
                f"evidence_sha256: {evidence_sha}\nchecked_on: \"2024-06-03\"\nchecker:\n  reproboard_version: 0.1.0\n"
                f"  lm_eval_version: 0.4.13\n  hardware: CPU\nseed:\n  value: {'b' * 64}\n  derived_from: test\ntolerance: 0.0001\n"
                f"tasks:\n  - task: {task[0]}\n    documents_checked: 10\n    documents_agreeing: {10 if verdict == 'pass' else 2}\n"
                f"    mismatched_doc_ids: []\n    verdict: {verdict}\nverdict: {verdict}\nsummary: checked.\n", self.signing_key
            ))

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


def test_scores_are_oriented_so_that_higher_is_better() -> None:
    from builder.load.registry import Benchmark

    def bench(higher: bool) -> Benchmark:
        return Benchmark("b", "B", "c", (), "acc", "none", higher, 25.0, 0, 100, "d", "https://example.org")

    assert oriented(62.0, bench(True)) == 62.0
    assert oriented(20.0, bench(False)) == 80.0  # an error rate of 20 % is as good as a score of 80


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


def _table(repo: Repo, name: str, rows: dict[str, dict[str, float]], publisher: str = "Org") -> None:
    """One source table (`name`) that compares every model in `rows`; each model's numbers in a file of its own."""
    for model_id, scores in rows.items():
        if not (repo.root / "seeds" / model_id / "model.yaml").exists():
            repo.model(model_id)
        repo.reported(model_id, f"{name}-{model_id.split('/')[1]}", scores, publisher=publisher, table=name)  # type: ignore[arg-type]


def test_a_missing_benchmark_is_missing_never_zero(repo: Repo) -> None:
    # b/few has no m1 number; it beats the others on every benchmark it has. Counting the missing m1 as 0 (the old rule 5)
    # would put it last; like for like, it is first.
    _table(repo, "t1", {"a/full": {"k1": 60.0, "k2": 50.0, "m1": 40.0}, "b/few": {"k1": 70.0, "k2": 60.0},
                        "c/third": {"k1": 50.0, "k2": 40.0, "m1": 30.0}})
    board = repo.board()
    few, full = board.model("b/few").standing, board.model("a/full").standing
    assert few.unranked is None and full.unranked is None
    assert few.rank.best == 1 and few.score > full.score  # type: ignore[union-attr, operator]
    assert (few.benchmarks, few.comparisons, full.benchmarks, full.comparisons) == (2, 4, 3, 5)
    assert few.groups == ("source:https://example.org/t1 Table 1",)


def test_numbers_from_different_sources_are_never_compared(repo: Repo) -> None:
    # Each model's numbers come from its own table: nothing is like for like, so nobody is ranked.
    repo.model("a/one")
    repo.reported("a/one", "card-a", {"k1": 90.0, "k2": 90.0, "m1": 90.0})
    repo.model("b/two")
    repo.reported("b/two", "card-b", {"k1": 10.0, "k2": 10.0, "m1": 10.0})
    board = repo.board()
    assert board.overall.ranked == ()
    assert [(s.model_id, s.unranked, s.rank) for s in board.overall.unranked] == [("a/one", NO_EVIDENCE, None), ("b/two", NO_EVIDENCE, None)]


def test_not_ranked_models_come_after_the_ranked_ones_with_their_reason_and_no_rank(repo: Repo) -> None:
    _table(repo, "t1", {"a/x": {"k1": 60.0, "k2": 50.0, "m1": 40.0}, "b/y": {"k1": 70.0, "k2": 60.0, "m1": 50.0}})
    _table(repo, "t2", {"c/pair": {"k1": 10.0}, "a/x": {"k1": 60.0}})
    repo.model("d/none")
    board = repo.board()
    assert [m.id for m in board.models] == ["b/y", "a/x", "c/pair", "d/none"]
    assert [s.model_id for s in board.overall.ranked] == ["b/y", "a/x"]
    assert [(s.model_id, s.unranked, s.rank, s.score) for s in board.overall.unranked] == [
        ("c/pair", TOO_FEW, None, None), ("d/none", NO_SCORE, None, None)]
    assert board.model("d/none").rank is None and board.model("d/none").covered == 0


def test_a_category_and_a_benchmark_with_the_same_id_keep_apart(repo: Repo) -> None:
    # The category `math` holds m1 and the benchmark `math`. a/m1-only has no `math` number: it is in the category's
    # ranking, not in the benchmark's.
    _table(repo, "t1", {"a/m1-only": {"m1": 80.0}, "b/both": {"m1": 40.0, "math": 30.0}, "c/both": {"m1": 20.0, "math": 60.0},
                        "d/both": {"m1": 10.0, "math": 50.0}})
    board = repo.board()
    category, benchmark = board.category_rankings["math"], board.benchmark_rankings["math"]
    assert isinstance(category, Standings) and category.key == "math"
    assert [e.model_id for e in benchmark.entries] == ["c/both", "d/both", "b/both"]
    assert [e.value for e in benchmark.entries] == [60.0, 50.0, 30.0]  # raw MATH values
    assert "a/m1-only" in [s.model_id for s in category.ranked + category.unranked]
    assert all(m.category("math").standing == category.get(m.id) for m in board.models)  # type: ignore[union-attr]
    assert (board.model("a/m1-only").category("math").covered, board.model("a/m1-only").category("math").total) == (1, 2)  # type: ignore[union-attr]
    assert board.categories == ("math",) and board.benchmarks == ("m1", "math")


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
    assert [s.group for s in board.scores_of("a/m")] == [None]  # and never compared
    assert (board.model("a/m").rank, board.model("a/m").standing.unranked) == (None, NO_SCORE)


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


def test_only_a_file_under_seeds_whose_publisher_is_the_maker_speaks_for_the_makers() -> None:
    assert voice("seeds/acme/a/card.yaml", "reported", "ACME", ("Acme",)) == "makers"
    assert voice("seeds/acme/a/rival.yaml", "reported", "Rival", ("Acme",)) == "others"
    assert voice("results/acme/a/fan.yaml", "reported", "Acme", ("Acme",)) == "contributor"
    assert voice("results/acme/a/run.yaml", "submitted", None, ("Acme",)) is None


def test_a_publisher_speaks_for_the_makers_under_any_of_their_names_folded() -> None:
    makers = ("Alibaba Qwen", "阿里巴巴通义千问", "Qwen Team")
    for publisher in ("Qwen Team", "QWEN TEAM", "qwen-team", "阿里巴巴通义千问", "Alibaba\u00a0Qwen", "Аlibaba Qwen"):  # Cyrillic А last
        assert voice("seeds/Qwen/q/card.yaml", "reported", publisher, makers) == "makers", publisher
    for publisher in ("Qwen", "Alibaba", "Qwen Team fans", ""):
        assert voice("seeds/Qwen/q/card.yaml", "reported", publisher, makers) == "others", publisher
    assert voice("seeds/Qwen/q/card.yaml", "reported", "", ("",)) == "others"  # no letters: nobody's name


ORGANISATIONS = """\
schema_version: 1
organisations:
  - {id: acme, name: Acme, name_zh: 极致, other_names: [Acme Labs], namespaces: [acme]}
"""


def test_the_organisation_registrys_other_names_speak_for_the_makers_on_the_board(repo: Repo) -> None:
    (repo.root / "seeds" / "organisations.yaml").write_text(ORGANISATIONS)
    repo.model("acme/m", organisation="Acme")
    repo.reported("acme/m", "labs", {"m1": 59.5}, publisher="ACME LABS", published_on="2024-01-01")
    repo.reported("acme/m", "zh", {"k1": 70.0}, publisher="极致", published_on="2024-01-01")
    repo.reported("acme/m", "rival", {"m1": 60.0}, publisher="Rival", published_on="2024-05-01")
    board = repo.board()
    assert [(r.path.rsplit("/", 1)[1], r.voice) for r in board.runs if r.model_id == "acme/m"] == [
        ("labs.yaml", "makers"), ("rival.yaml", "others"), ("zh.yaml", "makers")]
    assert board.counted("acme/m", "m1").value == 59.5  # type: ignore[union-attr]  # the makers' number, though older


def test_a_contributors_reported_file_never_replaces_or_outranks_the_makers_number(repo: Repo) -> None:
    repo.model("a/m", organisation="Acme")
    repo.reported("a/m", "makers", {"m1": (59.5, 8)}, publisher="Acme", published_on="2024-01-01")  # off the default n-shot
    repo.reported("a/m", "fan", {"m1": 75.0}, publisher="Acme", published_on="2024-09-01", where="results", table="copy", by="fan")
    board = repo.board()
    counted = board.counted("a/m", "m1")
    assert (counted.value, counted.run_path) == (59.5, "seeds/a/m/makers.yaml")  # type: ignore[union-attr]
    fan = board.run("results/a/m/fan.yaml")
    assert (fan.voice, fan.reported_by, board.run("seeds/a/m/makers.yaml").voice) == ("contributor", "fan", "makers")
    assert [s.group for s in board.scores_of("a/m")] == ["source:https://example.org/makers Table 1",
                                                         "contributor:fan:https://example.org/copy Table 1"]


def test_each_score_is_compared_only_within_its_like_for_like_group(repo: Repo) -> None:
    repo.model("a/m")
    repo.reported("a/m", "paper", {"m1": 50.0})
    repo.submitted("a/m", "run-1", "m1", 51.0)  # m1's protocol: task m1, exact_match, strict-match, 5-shot
    repo.submitted("a/m", "run-2", "k2", 40.0, effective=10000)  # k2's protocol is 0-shot; this run is 5-shot
    board = repo.board()
    groups = {(s.benchmark_id, s.run_path.rsplit("/", 1)[1]): s.group for s in board.scores_of("a/m")}
    assert groups == {
        ("m1", "paper.yaml"): "source:https://example.org/paper Table 1",
        ("m1", "run-1.yaml"): "protocol:m1",
        ("k2", "run-2.yaml"): "protocol:k2:task=k2, metric=acc, filter=none, n_shot=5",
    }
    assert board.groups["protocol:m1"].kind == "protocol" and board.groups["protocol:m1"].setting is None


def test_a_field_the_source_does_not_state_stays_not_stated(repo: Repo) -> None:
    repo.model("a/m")
    repo.reported("a/m", "paper", {"m1": 50.0})  # states its n-shot only
    score = repo.board().counted("a/m", "m1")
    assert (score.metric, score.filter, score.not_stated) == (None, None, ("metric", "filter"))  # type: ignore[union-attr]


def test_the_fixture_board_has_the_expected_order_scores_and_ranks() -> None:
    report = validate(FIXTURE, today=TODAY)
    assert report.errors == []
    board = build_board(report.parsed, report.registry)
    assert [(m.id, m.standing.score, m.rank, m.standing.unranked) for m in board.models] == [
        ("vendor/api-model", 1.38, Rank(1, 1), None),
        ("beta-labs/Beta-70B", 0.81, Rank(2, 2), None),
        ("acme/Alpha-7B-Chat", -0.52, Rank(3, 4), None),
        ("acme/Alpha-7B", -0.75, Rank(3, 4), None),
        ("evil/X-1", -1.35, Rank(5, 5), None),
        ("sparse/Sparse-1B", None, None, NO_EVIDENCE),  # one number from its own card: compared with nothing
    ]
    assert all(s.score_low < s.score < s.score_high for s in board.overall.ranked)  # type: ignore[operator]
    assert board.overall.unranked[0].score_low is None
    assert [(e.model_id, e.rank) for e in board.benchmark_rankings["mmlu"].entries][2:4] == [
        ("acme/Alpha-7B-Chat", Rank(3, 4)), ("acme/Alpha-7B", Rank(3, 4))]
    assert [(e.model_id, e.value) for e in board.benchmark_rankings["math"].entries] == [
        ("beta-labs/Beta-70B", 45.0), ("acme/Alpha-7B-Chat", 24.0), ("acme/Alpha-7B", 20.0)]
    assert [s.model_id for s in board.category_rankings["math"].ranked] == ["beta-labs/Beta-70B", "acme/Alpha-7B-Chat", "evil/X-1", "acme/Alpha-7B"]
    assert board.counted("beta-labs/Beta-70B", "gsm8k").status == "verified"  # type: ignore[union-attr]
    assert board.model("acme/Alpha-7B").disputed == ("arc_challenge", "gsm8k")
    assert board.counted("acme/Alpha-7B-Chat", "mmlu").value == 63.0  # type: ignore[union-attr]  # the makers', not the contributor's 70
    assert board.data_date == "2024-08-01"


@pytest.fixture(scope="module")
def seed_board() -> Board:
    report = validate(REPO)
    assert report.errors == []
    return build_board(report.parsed, report.registry)


def _dominance_inversions(board: Board, standings: Standings, benchmarks: set[str]) -> list[tuple[str, str, int]]:
    """Pairs (a, b, shared) where a beats b on every comparable number they share (the same benchmark in the same
    group, at least 3 of them), yet b is shown above a."""
    values: dict[str, dict[tuple[str, str], float]] = {}
    for score in board.scores:
        if score.group is not None and score.benchmark_id in benchmarks:
            benchmark = board.registry.benchmark(score.benchmark_id)
            values.setdefault(score.model_id, {}).setdefault((score.benchmark_id, score.group), oriented(score.value, benchmark))  # type: ignore[arg-type]
    ranked = {s.model_id: s.rank.best for s in standings.ranked}  # type: ignore[union-attr]
    # One row per ranked model, one column per (benchmark, group), NaN where it has no number: every b is compared at
    # once, since the Open LLM Leaderboard import puts 4,500 models on the seed board (20 million pairs).
    ids = list(ranked)
    keys = sorted({k for m in ids for k in values.get(m, {})})
    column = {k: i for i, k in enumerate(keys)}
    table = np.full((len(ids), len(keys)), np.nan)
    for row, model_id in enumerate(ids):
        for key, value in values.get(model_id, {}).items():
            table[row, column[key]] = value
    known = ~np.isnan(table)
    rank = np.array([ranked[m] for m in ids])
    found = []
    for row, a in enumerate(ids):
        both = known[row] & known
        shared = both.sum(axis=1)
        beaten = np.where(both, table[row] > np.where(known, table, np.inf), True).all(axis=1)
        for other in np.nonzero((shared >= 3) & beaten & (rank < rank[row]))[0]:
            if other != row:
                found.append((a, ids[other], int(shared[other])))
    return found


def test_on_the_seed_board_no_model_is_ranked_below_one_it_beats_on_every_shared_comparable_benchmark(seed_board: Board) -> None:
    assert len(seed_board.overall.ranked) >= 5
    assert _dominance_inversions(seed_board, seed_board.overall, set(seed_board.benchmarks)) == []
    for category, standings in seed_board.category_rankings.items():
        members = {b for b in seed_board.benchmarks if seed_board.registry.benchmark(b).category == category}  # type: ignore[union-attr]
        assert _dominance_inversions(seed_board, standings, members) == [], category


def test_on_the_seed_board_qwen2_72b_instruct_is_not_below_the_models_it_beats(seed_board: Board) -> None:
    qwen = seed_board.model("Qwen/Qwen2-72B-Instruct").standing
    assert qwen.rank is not None
    # First among the hand-read seed models (the Open LLM Leaderboard import adds models that rank above it).
    hand_read = {r.model_id for r in seed_board.runs if r.source is None or "every_eval_ever" not in r.source.url}
    assert all(seed_board.model(m).rank is None or seed_board.model(m).rank.best >= qwen.rank.best  # type: ignore[union-attr]
               for m in hand_read), "a hand-read seed model ranks above Qwen2-72B-Instruct"
    for other in ("meta-llama/Meta-Llama-3-70B", "deepseek-ai/DeepSeek-V2", "Qwen/Qwen1.5-72B-Chat"):
        rank = seed_board.model(other).rank
        assert rank is None or rank.best >= qwen.rank.best, other  # not ranked (not comparable like for like), or not above


def test_the_seed_board_keeps_the_math_category_apart_from_the_math_benchmark(seed_board: Board) -> None:
    qwen = seed_board.model("Qwen/Qwen2-72B-Instruct")
    assert qwen.category("math").standing == seed_board.category_rankings["math"].get(qwen.id)  # type: ignore[union-attr]
    assert seed_board.benchmark_rankings["math"].key == "math"
    assert {e.value for e in seed_board.benchmark_rankings["math"].entries} <= {s.value for s in seed_board.scores_on("math")}


def test_the_methodologys_worked_example_is_the_seed_boards(seed_board: Board) -> None:
    """docs/methodology.md (and its Chinese twin) work through Qwen2-72B-Instruct's score: the figures are the board's."""
    qwen = seed_board.model("Qwen/Qwen2-72B-Instruct").standing
    llama = seed_board.model("meta-llama/Meta-Llama-3-70B").standing
    assert qwen.rank is not None and llama.rank is not None and qwen.score is not None and llama.score is not None
    ranked = len(seed_board.overall.ranked)
    english = (REPO / "docs" / "methodology.md").read_text(encoding="utf-8")
    assert f"= {qwen.score:.2f}, with a 95 % interval of {qwen.score_low:.2f} to {qwen.score_high:.2f}" in english
    assert f"rank {qwen.rank.best}, and its rank interval runs to {qwen.rank.worst:,} of {ranked:,} ranked models" in english
    assert f"Meta-Llama-3-70B, a base model, is ranked too (rank {llama.rank.best}, score {llama.score:.2f})" in english
    chinese = (REPO / "docs" / "methodology.zh.md").read_text(encoding="utf-8")
    assert f"= {qwen.score:.2f}，\n95% 区间为 {qwen.score_low:.2f} 到 {qwen.score_high:.2f}" in chinese
    assert f"{ranked:,} 个参与排名的模型中的\n第 {qwen.rank.worst:,} 名" in chinese
    assert f"（名次 {llama.rank.best}，得分 {llama.score:.2f}）" in chinese
