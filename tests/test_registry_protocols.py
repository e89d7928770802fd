"""Benchmarks and the protocols they are run under (seeds/benchmarks.yaml), checked against lm-eval's own task configs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from example_repo import make_repo

from builder.check.validate import validate
from builder.load.registry import registry_from_data
from builder.load.strict_yaml import parse_bytes

REPO = Path(__file__).resolve().parent.parent
REGISTRY = registry_from_data(parse_bytes((REPO / "seeds" / "benchmarks.yaml").read_bytes()).data)
TODAY = dt.date(2026, 11, 30)
OLL_V2 = {  # protocol -> benchmark, group file in lm_eval/tasks/leaderboard/ (None: a single task)
    "leaderboard_bbh": ("bbh", "bbh_mc/_leaderboard_bbh.yaml"),
    "leaderboard_math_hard": ("math", "math/_leaderboard_math.yaml"),
    "leaderboard_gpqa": ("gpqa", "gpqa/_leaderboard_gpqa.yaml"),
    "leaderboard_musr": ("musr", "musr/_musr.yaml"),
    "leaderboard_ifeval": ("ifeval", None),
    "leaderboard_mmlu_pro": ("mmlu_pro", None),
}


def _lm_eval_config(path: Path) -> dict[str, Any]:
    from lm_eval.tasks._yaml_loader import load_yaml

    return load_yaml(path, resolve_func=False)


def _leaderboard() -> Path:
    import lm_eval

    return Path(lm_eval.__file__).resolve().parent / "tasks" / "leaderboard"


def _task_configs() -> dict[str, dict[str, Any]]:
    configs = [_lm_eval_config(p) for p in sorted(_leaderboard().rglob("*.yaml")) if "__pycache__" not in p.parts]
    return {c["task"]: c for c in configs if "task" in c and isinstance(c["task"], str)}


@pytest.mark.parametrize("protocol_id", sorted(OLL_V2))
def test_each_open_llm_leaderboard_protocol_has_lm_evals_own_subtasks_metric_n_shot_and_weighting(protocol_id: str) -> None:
    benchmark_id, group_file = OLL_V2[protocol_id]
    protocol = REGISTRY.protocol(protocol_id)
    assert protocol is not None and protocol.benchmark == benchmark_id
    assert REGISTRY.protocol_for_task(protocol_id) == protocol
    tasks = _task_configs()
    if group_file is None:
        leaves = [protocol_id]
        assert protocol.subtasks == () and protocol.aggregation is None
    else:
        group = _lm_eval_config(_leaderboard() / group_file)
        assert group["group"] == protocol.lm_eval_tasks[0]
        assert list(protocol.subtasks) == group["task"]
        [aggregate] = [a for a in group["aggregate_metric_list"] if a["metric"] == protocol.metric]
        assert protocol.aggregation == ("size" if aggregate["weight_by_size"] else "mean")
        leaves = group["task"]
    for leaf in leaves:
        config = tasks[leaf]
        assert protocol.metric in [m["metric"] for m in config["metric_list"]], leaf
        assert config.get("num_fewshot", 0) == protocol.n_shot, leaf
        assert [f["name"] for f in config.get("filter_list", [])] in ([], [protocol.filter]), leaf


def test_the_suite_group_lists_exactly_the_six_protocols() -> None:
    suite = _lm_eval_config(_leaderboard() / "leaderboard.yaml")
    assert sorted(suite["task"]) == sorted(OLL_V2)


def test_a_benchmark_keeps_its_default_protocol_under_its_own_id() -> None:
    bbh = REGISTRY.benchmark("bbh")
    assert bbh is not None
    assert [p.id for p in bbh.protocols] == ["bbh", "leaderboard_bbh"]
    assert (bbh.default_protocol.metric, bbh.default_protocol.n_shot) == ("exact_match", 3)
    assert REGISTRY.benchmark_for_task("leaderboard_bbh") == bbh
    assert bbh.protocol_for_task("leaderboard_bbh_snarks") == REGISTRY.protocol("leaderboard_bbh")


def _registry_problems(tmp_path: Path, edit: Any) -> list[str]:
    root = make_repo(tmp_path / "repo")
    path = root / "seeds" / "benchmarks.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return [str(p) for p in validate(root, ["seeds/benchmarks.yaml"], today=TODAY).problems]


def _protocol(protocol_id: str, task: str, subtasks: list[str] | None = None) -> dict[str, Any]:
    made: dict[str, Any] = {"id": protocol_id, "name": "Test", "lm_eval_task": task, "metric": "acc", "filter": "none", "n_shot": 0}
    if subtasks:
        made.update({"subtasks": subtasks, "aggregation": "size"})
    return made


def test_a_protocol_id_used_twice_is_refused(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["benchmarks"][0]["protocols"] = [_protocol(data["benchmarks"][1]["id"], "new_task")]

    problems = _registry_problems(tmp_path, edit)
    assert any("$.benchmarks[0].protocols[0].id: protocol id" in p and "is already used by benchmark" in p for p in problems), problems


def test_an_lm_eval_task_in_two_protocols_is_refused(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["benchmarks"][0]["protocols"] = [_protocol("group_a", "group_a", ["shared_sub", "a2"])]
        data["benchmarks"][1]["protocols"] = [_protocol("group_b", "group_b", ["b1", "shared_sub"])]

    problems = _registry_problems(tmp_path, edit)
    assert any("$.benchmarks[1].protocols[0].subtasks[1]: lm-eval task 'shared_sub' already counts as 'group_a'" in p for p in problems), problems


def test_a_protocol_field_outside_the_format_gets_a_hint(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["benchmarks"][0]["protocols"] = [{**_protocol("p1", "t1"), "nshot": 3}]

    problems = _registry_problems(tmp_path, edit)
    assert any("protocols[0].nshot: unknown field (did you mean 'n_shot'?)" in p for p in problems), problems


def _run_problems(tmp_path: Path, path: str, old: str, new: str) -> list[str]:
    """Problems of the base repository, on the real registry, after one edit to one run file."""
    root = make_repo(tmp_path / "repo")
    (root / "seeds" / "benchmarks.yaml").write_bytes((REPO / "seeds" / "benchmarks.yaml").read_bytes())
    run = root / path
    text = run.read_text(encoding="utf-8")
    assert old in text
    run.write_text(text.replace(old, new, 1), encoding="utf-8")
    return [str(p) for p in validate(root, today=TODAY).problems]


SUBMITTED = "results/Qwen/Qwen2-7B/2024-06-10-alice.yaml"
REPORTED = "seeds/meta-llama/Meta-Llama-3-8B/meta-model-card.yaml"


def test_the_base_repository_is_valid_on_the_real_registry(tmp_path: Path) -> None:
    assert _run_problems(tmp_path, REPORTED, "n_shot: 5", "n_shot: 5") == []


def test_a_misspelled_metric_of_a_submitted_score_is_refused_with_the_protocols_metric(tmp_path: Path) -> None:
    assert _run_problems(tmp_path, SUBMITTED, "metric: exact_match", "metric: exact_mtach") == [
        f"{SUBMITTED}:30: $.scores.gsm8k.metric: GSM8K is ranked by metric 'exact_match', not 'exact_mtach' (did you mean 'exact_match'?)"]


def test_a_misspelled_metric_of_a_reported_score_gets_a_did_you_mean(tmp_path: Path) -> None:
    assert _run_problems(tmp_path, REPORTED, "n_shot: 5", "n_shot: 5\n    metric: acc_nrom") == [
        f"{REPORTED}:16: $.scores.mmlu.metric: unknown metric 'acc_nrom' (did you mean 'acc_norm'?)"]


def test_a_reported_score_may_state_a_metric_the_registry_does_not_rank_by(tmp_path: Path) -> None:
    assert _run_problems(tmp_path, REPORTED, "n_shot: 5", "n_shot: 5\n    metric: acc_macro") == []


def test_a_reported_score_naming_a_protocol_must_state_that_protocols_metric(tmp_path: Path) -> None:
    problems = _run_problems(tmp_path, REPORTED, "mmlu:\n    value: 66.6\n    n_shot: 5",
                             "mmlu_pro:\n    value: 36.6\n    n_shot: 5\n    protocol: leaderboard_mmlu_pro\n    metric: exact_match")
    assert problems == [f"{REPORTED}:17: $.scores.mmlu_pro.metric: MMLU-Pro under protocol leaderboard_mmlu_pro is ranked by metric 'acc', "
                        "not 'exact_match'"]


def test_an_unknown_protocol_is_refused_with_the_benchmarks_protocols(tmp_path: Path) -> None:
    problems = _run_problems(tmp_path, REPORTED, "n_shot: 5", "n_shot: 5\n    protocol: leaderbord_mmlu")
    assert problems == [f"{REPORTED}:16: $.scores.mmlu.protocol: 'leaderbord_mmlu' is not a protocol of MMLU; its protocols: mmlu"]


def test_a_submitted_task_of_another_protocol_is_refused(tmp_path: Path) -> None:
    problems = _run_problems(tmp_path, SUBMITTED, "task: gsm8k", "task: leaderboard_math_hard")
    assert problems[0] == (f"{SUBMITTED}:32: $.scores.gsm8k.task: lm-eval task 'leaderboard_math_hard' does not measure GSM8K; "
                           "expected one of: gsm8k, gsm8k_cot")
