"""The ranking method (builder/board/ranking*.py) on tiny hand-built boards with exact expectations,
and its guarantees (dominance, determinism) as properties of many seeded random boards."""

from __future__ import annotations

import random
import statistics

import numpy as np
import pytest

from builder.board import ranking_dominance
from builder.board.model import Rank
from builder.board.ranking import NO_EVIDENCE, NOT_CONNECTED, TOO_FEW, Observation, Rankings, rank_models
from builder.board.ranking_fit import fit_benchmarks
from builder.board.ranking_intervals import interval_ranks

REPLICATES = 200


def table(group: str, benchmark: str, values: dict[str, float]) -> list[Observation]:
    return [Observation(model, benchmark, group, value) for model, value in values.items()]


def z_of(values: list[float]) -> list[float]:
    mean = statistics.fmean(values)
    sd = statistics.pstdev(values)
    return [(v - mean) / sd for v in values]


def test_a_group_offset_is_reconciled_through_the_models_two_tables_share() -> None:
    # Table t2 runs the benchmark under its own protocol: 20 points above t1 for the same models.
    obs = table("t1", "b", {"a": 60, "b": 50, "c": 40}) + table("t2", "b", {"b": 70, "c": 60, "d": 75})
    result = rank_models(obs, replicates=REPLICATES, min_comparisons=2)
    # Effects on t1's scale: a 60, b 50, c 40, d 55. One benchmark, too few to estimate the
    # noise: lambda = 1, so score = z / 2.
    expected = dict(zip("abcd", z_of([60, 50, 40, 55])))
    for model in "abcd":
        assert result.overall[model].score == pytest.approx(expected[model] / 2, abs=1e-9)
    scores = {m: result.overall[m].score for m in "abcd"}
    assert sorted(scores, key=scores.__getitem__, reverse=True) == ["a", "d", "b", "c"]
    assert result.overall["b"].groups == ("t1", "t2")
    assert result.overall["d"].groups == ("t2",)


def test_a_missing_benchmark_is_missing_not_zero() -> None:
    # Four models in one table on four benchmarks; x has one number, the best on b1.
    obs: list[Observation] = []
    for bench, shift in (("b1", 0), ("b2", 3), ("b3", -2), ("b4", 5)):
        obs += table("report", bench, {"a": 80 + shift, "b": 70 + shift, "c": 60 + shift, "d": 50 + shift})
    obs.append(Observation("x", "b1", "report", 90))
    result = rank_models(obs, replicates=REPLICATES)
    x, a, d = result.overall["x"], result.overall["a"], result.overall["d"]
    assert x.unranked is None and x.benchmarks == 1 and x.comparisons == 4
    # Its only evidence puts it on top: it is never ranked last for what it lacks...
    assert x.score is not None and d.score is not None and x.score > 0 > d.score
    assert x.rank is not None and a.rank is not None and d.rank is not None
    assert x.rank.best == 1
    assert x.rank.best < d.rank.best
    # ...but one number is weak evidence: its interval is wider than that of a model seen on all four.
    assert x.score_high - x.score_low > a.score_high - a.score_low  # type: ignore[operator]
    assert x.rank.worst > a.rank.worst


def test_a_model_alone_in_its_table_has_no_comparable_evidence() -> None:
    obs = table("t", "b1", {"a": 3, "b": 2, "c": 1}) + table("t", "b2", {"a": 3, "b": 2, "c": 1})
    obs.append(Observation("solo", "b1", "solo's card", 99))
    result = rank_models(obs, replicates=REPLICATES)
    solo = result.overall["solo"]
    assert solo.unranked == NO_EVIDENCE
    assert (solo.score, solo.score_low, solo.score_high, solo.rank) == (None, None, None, None)
    assert (solo.benchmarks, solo.comparisons, solo.groups) == (0, 0, ())


def test_models_compared_only_with_each_other_are_not_connected_and_never_ranked_last() -> None:
    obs = table("t", "b1", {"a": 3, "b": 2, "c": 1}) + table("t", "b2", {"a": 3, "b": 2, "c": 1})
    for bench in ("b1", "b2", "b3"):
        obs += table("island", bench, {"y": 10, "z": 5})
    result = rank_models(obs, replicates=REPLICATES)
    for model in ("y", "z"):
        standing = result.overall[model]
        assert standing.unranked == NOT_CONNECTED
        assert standing.rank is None and standing.score is None
        assert standing.comparisons == 3 and standing.benchmarks == 3
    ranked = {m for m, s in result.overall.items() if s.rank is not None}
    assert ranked == {"a", "b", "c"}
    assert max(result.overall[m].rank.worst for m in ranked) == 3  # type: ignore[union-attr]


def test_a_model_with_too_few_comparisons_is_not_ranked_until_the_threshold_allows() -> None:
    obs = table("t", "b1", {"a": 3, "b": 2, "c": 1}) + table("t", "b2", {"a": 3, "b": 2, "c": 1})
    obs += table("pair", "b1", {"a": 50, "w": 40}) + table("pair", "b2", {"a": 50, "w": 40})
    assert rank_models(obs, replicates=REPLICATES).overall["w"].unranked == TOO_FEW
    relaxed = rank_models(obs, replicates=REPLICATES, min_comparisons=2).overall["w"]
    assert relaxed.unranked is None and relaxed.rank is not None and relaxed.comparisons == 2


def test_a_benchmark_measured_only_on_strong_models_does_not_pull_them_towards_average() -> None:
    # Twelve models with a true skill; "broad" measures all of them, "frontier" (a lab's table)
    # only the top four. Within "frontier" the top four have z-scores around 0: read as is, "as
    # good as the frontier" would count as "average" and pull the four below a model that was
    # only measured on the broad benchmarks, though every broad number puts them above it.
    skill = {f"m{i:02d}": float(i) for i in range(12)}
    obs: list[Observation] = []
    for bench in ("broad1", "broad2", "broad3"):
        obs += table("leaderboard", bench, {m: 10 * s for m, s in skill.items()})
    top = {m: s for m, s in skill.items() if s >= 8}
    for bench in ("frontier1", "frontier2", "frontier3", "frontier4"):
        obs += table("lab report", bench, {m: 10 * s + 5 for m, s in top.items()})
    # m07 is on the broad benchmarks only; m09..m11 are on both, and above m07 on every number.
    result = rank_models(obs, replicates=REPLICATES, min_comparisons=2)
    scores = {m: result.overall[m].score for m in skill}
    for strong in ("m09", "m10", "m11"):
        assert scores[strong] is not None and scores["m07"] is not None
        assert scores[strong] > scores["m07"]
    # With the same models on every benchmark the offsets vanish: the plain mean z-score, shrunk.
    plain = table("t", "x", {"a": 3, "b": 2, "c": 1}) + table("t", "y", {"a": 30, "b": 10, "c": 20})
    fit = fit_benchmarks(plain)
    view = fit.restricted(None)
    ranked = np.ones(len(fit.models), dtype=bool)
    assert np.allclose(view.benchmark_offsets(ranked, 1.0), 0.0)


def test_ties_stay_ties() -> None:
    obs: list[Observation] = []
    for bench, values in (("b1", (9, 7, 7, 1)), ("b2", (8, 6, 6, 2)), ("b3", (9, 5, 5, 3))):
        obs += table("t", bench, dict(zip(("top", "twin1", "twin2", "low"), values)))
    result = rank_models(obs, replicates=REPLICATES)
    one, two = result.overall["twin1"], result.overall["twin2"]
    assert (one.score, one.score_low, one.score_high, one.rank) == (two.score, two.score_low, two.score_high, two.rank)


def test_interval_ranks_count_models_wholly_above_and_below() -> None:
    low = np.array([10.0, 8.0, 7.5, 1.0])
    high = np.array([12.0, 9.0, 9.5, 2.0])
    best, worst = interval_ranks(low, high)
    assert [Rank(b, w) for b, w in zip(best.tolist(), worst.tolist())] == [Rank(1, 1), Rank(2, 3), Rank(2, 3), Rank(4, 4)]


def test_duplicates_of_one_model_in_one_group_are_averaged() -> None:
    fit = fit_benchmarks(table("t", "b", {"a": 10, "b": 20}) + [Observation("a", "b", "t", 30)])
    assert fit.obs_value.tolist() == [20.0, 20.0]
    assert fit.mb_z.tolist() == [0.0, 0.0]


def test_two_tables_that_share_no_model_are_centred_apart_and_scaled_by_their_pooled_spread() -> None:
    fit = fit_benchmarks(table("t1", "b", {"a": 90, "b": 80}) + table("t2", "b", {"c": 30, "d": 10}))
    pooled_sd = ((25 + 25 + 100 + 100) / 4) ** 0.5
    expected = {"a": 5 / pooled_sd, "b": -5 / pooled_sd, "c": 10 / pooled_sd, "d": -10 / pooled_sd}
    assert dict(zip((fit.models[m] for m in fit.mb_model), fit.mb_z.tolist())) == pytest.approx(expected, abs=1e-12)


def test_bad_input_is_refused_with_the_observation_named() -> None:
    with pytest.raises(ValueError, match=r"observation of a on b \(t\): value nan is not a finite number"):
        rank_models([Observation("a", "b", "t", float("nan"))])
    with pytest.raises(ValueError, match="replicates must be at least 1"):
        rank_models([], replicates=0)


def test_nothing_in_gives_nothing_out() -> None:
    assert rank_models([], {"k": {"b"}}) == Rankings({}, {"k": {}})


def test_subsets_use_only_their_benchmarks_and_match_a_ranking_of_those_alone() -> None:
    obs = random_board(random.Random(7), models=30, benchmarks=8, tables=6)
    subset = {"b0", "b2", "b4", "b6"}
    result = rank_models(obs, {"even": subset, "empty": set()}, replicates=REPLICATES)
    alone = rank_models([o for o in obs if o.benchmark_id in subset], replicates=REPLICATES).overall
    got = result.subsets["even"]
    assert set(got) == set(alone) == {o.model_id for o in obs if o.benchmark_id in subset}
    for model, standing in got.items():
        expected = alone[model]
        assert (standing.rank, standing.benchmarks, standing.comparisons, standing.groups, standing.unranked) == (
            expected.rank, expected.benchmarks, expected.comparisons, expected.groups, expected.unranked)
        if standing.score is not None:  # the same fits, up to the solver's last digits
            assert (standing.score, standing.score_low, standing.score_high) == pytest.approx((expected.score, expected.score_low, expected.score_high), abs=1e-7)
    assert result.subsets["empty"] == {}
    assert set(result.overall) == {o.model_id for o in obs}


def test_the_same_observations_in_any_order_give_the_same_rankings() -> None:
    rng = random.Random(3)
    obs = random_board(rng, models=40, benchmarks=6, tables=8)
    subsets = {"first": {"b0", "b1", "b2"}, "rest": {"b3", "b4", "b5"}}
    expected = rank_models(obs, subsets, replicates=REPLICATES)
    for _ in range(3):
        shuffled = obs[:]
        rng.shuffle(shuffled)
        assert rank_models(shuffled, subsets, replicates=REPLICATES) == expected


def test_a_model_that_wins_every_shared_comparison_is_tied_with_the_loser_where_the_estimate_would_put_it_below() -> None:
    # `low` beats `high` narrowly on the three benchmarks both have; `high` is far ahead of a
    # crowd on ten benchmarks where `low` has nothing, and `low` is weak on two more.
    obs: list[Observation] = []
    crowd = {f"c{i}": 50.0 - i for i in range(6)}
    for k in range(3):
        obs += table("shared", f"s{k}", {"low": 61, "high": 60, **crowd})
    for k in range(10):
        obs += table("high's report", f"h{k}", {"high": 95, **crowd})
    for k in range(2):
        obs += table("low's report", f"l{k}", {"low": 10, **crowd})
    result = rank_models(obs, replicates=REPLICATES)
    low, high = result.overall["low"], result.overall["high"]
    assert low.score < high.score  # type: ignore[operator]
    assert low.rank.best == high.rank.best  # type: ignore[union-attr]
    assert_no_dominated_model_shown_above_its_dominator(obs, result.overall)


def random_board(rng: random.Random, models: int, benchmarks: int, tables: int) -> list[Observation]:
    """Random tables (each covering some models on some benchmarks, with its own offsets) over random skills."""
    skill = {f"m{i}": rng.gauss(0, 1) for i in range(models)}
    obs: list[Observation] = []
    for t in range(tables):
        members = [m for m in skill if rng.random() < rng.uniform(0.15, 0.7)]
        for b in range(benchmarks):
            if rng.random() < 0.6:
                offset = rng.gauss(0, 8)
                for m in members:
                    if rng.random() < 0.85:
                        obs.append(Observation(m, f"b{b}", f"table{t}", round(50 + 15 * skill[m] + offset + rng.gauss(0, 6), 1)))
    return obs


def dominance_pairs(obs: list[Observation], models: set[str]) -> list[tuple[str, str]]:
    cells: dict[tuple[str, str], dict[str, float]] = {}
    for o in obs:
        if o.model_id in models:
            cells.setdefault((o.benchmark_id, o.group), {})[o.model_id] = o.value
    shared: dict[tuple[str, str], int] = {}
    wins: dict[tuple[str, str], int] = {}
    for members in cells.values():
        for a, va in members.items():
            for b, vb in members.items():
                if a != b:
                    shared[(a, b)] = shared.get((a, b), 0) + 1
                    wins[(a, b)] = wins.get((a, b), 0) + (va > vb)
    return [pair for pair, n in shared.items() if n >= 3 and wins[pair] == n]


def assert_no_dominated_model_shown_above_its_dominator(obs: list[Observation], standings: dict) -> None:
    ranked = {m for m, s in standings.items() if s.rank is not None}
    for winner, loser in dominance_pairs(obs, ranked):
        assert standings[winner].rank.best <= standings[loser].rank.best, (winner, loser)


@pytest.mark.parametrize(("big_cell", "max_groups"), [(128, 64), (3, 64), (3, 0)])
@pytest.mark.parametrize("seed", range(60))
def test_no_model_is_shown_below_one_it_beats_on_every_shared_comparison(
    seed: int, big_cell: int, max_groups: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # big_cell 3: every cell of three or more models takes the dense path that big boards use, in
    # groups of models with the same big cells, or (max_groups 0) one big cell at a time.
    monkeypatch.setattr(ranking_dominance, "BIG_CELL", big_cell)
    monkeypatch.setattr(ranking_dominance, "MAX_GROUPS", max_groups)
    rng = random.Random(seed)
    obs = random_board(rng, models=rng.randint(4, 40), benchmarks=rng.randint(3, 8), tables=rng.randint(1, 7))
    if rng.random() < 0.3:  # exact ties between values too
        obs = [Observation(o.model_id, o.benchmark_id, o.group, float(round(o.value / 10))) for o in obs]
    benchmarks = sorted({o.benchmark_id for o in obs})
    subsets = {"half": set(benchmarks[::2])}
    result = rank_models(obs, subsets, replicates=50, seed=seed)
    assert_no_dominated_model_shown_above_its_dominator(obs, result.overall)
    assert_no_dominated_model_shown_above_its_dominator([o for o in obs if o.benchmark_id in subsets["half"]], result.subsets["half"])
    for standing in result.overall.values():
        if standing.rank is not None:
            assert 1 <= standing.rank.best <= standing.rank.worst
            assert standing.score_low <= standing.score <= standing.score_high
        else:
            assert standing.unranked in (NO_EVIDENCE, NOT_CONNECTED, TOO_FEW)


@pytest.mark.parametrize("max_groups", [64, 0])
def test_dominance_holds_across_more_big_cells_than_one_word_of_bits(max_groups: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # The board of the tie test above behind 70 cells of the crowd alone: every cell of the
    # pair lies past the first 64 bits of the dense path's masks.
    monkeypatch.setattr(ranking_dominance, "BIG_CELL", 3)
    monkeypatch.setattr(ranking_dominance, "MAX_GROUPS", max_groups)
    crowd = {f"c{i}": 50.0 - i for i in range(6)}
    obs = [o for k in range(70) for o in table("crowd's report", f"a{k:02d}", crowd)]
    obs += [o for k in range(3) for o in table("shared", f"s{k}", {"low": 61, "high": 60, **crowd})]
    obs += [o for k in range(10) for o in table("high's report", f"h{k}", {"high": 95, **crowd})]
    obs += [o for k in range(2) for o in table("low's report", f"l{k}", {"low": 10, **crowd})]
    result = rank_models(obs, replicates=REPLICATES)
    low, high = result.overall["low"], result.overall["high"]
    assert low.score < high.score  # type: ignore[operator]
    assert low.rank.best == high.rank.best  # type: ignore[union-attr]
    assert_no_dominated_model_shown_above_its_dominator(obs, result.overall)


def test_effects_are_the_least_squares_fit_of_value_equals_effect_plus_table_offset() -> None:
    rng = random.Random(5)
    obs = [Observation(f"m{m}", "b", f"t{t}", round(rng.uniform(20, 90), 1)) for t in range(6) for m in rng.sample(range(12), 5)]
    fit = fit_benchmarks(obs)
    models = sorted({o.model_id for o in obs})
    tables = sorted({o.group for o in obs})
    # Dense least squares with one table pinned at offset 0 (these six tables of five form one connected set).
    design = np.zeros((len(obs) + 1, len(models) + len(tables)))
    target = np.zeros(len(obs) + 1)
    for row, o in enumerate(obs):
        design[row, models.index(o.model_id)] = 1
        design[row, len(models) + tables.index(o.group)] = 1
        target[row] = o.value
    design[-1, len(models)] = 1
    effects = np.linalg.lstsq(design, target, rcond=None)[0][: len(models)]
    expected = (effects - effects.mean()) / effects.std()
    got = dict(zip((fit.models[m] for m in fit.mb_model), fit.mb_z.tolist()))
    assert sorted(got) == models
    assert [got[m] for m in models] == pytest.approx(expected.tolist(), abs=1e-7)
