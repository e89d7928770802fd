"""Which of a results file's rows become board scores, and which are kept outside the board.

Every registry protocol whose lm-eval task (or some of whose subtasks) the run has gives its
benchmark a score. What no protocol takes, or what does not report a protocol's metric, is
never dropped when its samples are there: it goes to the run's `other_results` with its
evidence, and ingest says how to add it to the registry. A row without samples is left out
with a notice: a submitted number needs its per-sample evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from builder.ingest.scores import _weightings, group_leaves, partial_score, score_for, subgroups
from builder.lmeval.output import LmEvalOutput
from builder.load.registry import Benchmark, Protocol, Registry

HOW_TO_ADD = ("to rank it, add a benchmark (or a protocol of one) whose lm_eval_task is '{task}' to seeds/benchmarks.yaml "
              "in a pull request: see CONTRIBUTING.md, 'A task the board does not have yet'")
MAX_OTHER_VALUES = 100
NEEDS_SAMPLES = "(a submitted score needs its per-sample evidence: run lm-eval with --log_samples and pass the samples files)"


@dataclass
class Mapped:
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Board scores by benchmark id."""
    others: dict[str, dict[str, Any]] = field(default_factory=dict)
    """`other_results` entries by lm-eval task or group name."""
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Evidence groups (children, weighting) of both."""
    leaves: list[str] = field(default_factory=list)
    """Leaf tasks whose samples the evidence must hold."""
    unbacked: list[str] = field(default_factory=list)
    """Tasks outside the board left out for want of samples."""


def map_rows(output: LmEvalOutput, registry: Registry, has_samples: set[str], samples: dict[str, Any], notices: list[str]) -> Mapped:
    """Scores under registry protocols, then results outside the board for what is left."""
    mapped = Mapped()
    claimed: set[str] = set()
    misfits: dict[str, str] = {}
    for benchmark in registry.benchmarks:
        for protocol in benchmark.protocols:
            task = next((t for t in protocol.lm_eval_tasks if t in output.rows), None)
            present = [t for t in protocol.subtasks if t in output.rows] if task is None else []
            if task is None and not present:
                continue
            names = [task] if task else present
            if benchmark.id in mapped.scores:
                held = mapped.scores[benchmark.id]["protocol"]
                for name in names:
                    members = {name, *output.leaves(name), *subgroups(output, name)}
                    misfits.update(dict.fromkeys(members, f"the run already has {benchmark.id} under protocol {held}, "
                                                          "and a run holds one score per benchmark"))
                continue
            said: list[str] = []
            score, groups, misfit = _protocol_score(output, benchmark, protocol, task, present, has_samples, samples, said)
            notices.extend(said)
            for name in names:
                members = {name, *output.leaves(name), *subgroups(output, name)}
                if misfit:  # numbers that do not fit the protocol: kept outside the board, saying why
                    misfits.update(dict.fromkeys(members, misfit))
                else:
                    claimed |= members
            if score is None:
                continue
            if score["n_shot"] != protocol.n_shot:
                notices.append(f"{benchmark.id}: run {score['n_shot']}-shot, but protocol {protocol.id} is {protocol.n_shot}-shot; "
                               "the board compares it only with runs of the same setting")
            mapped.scores[benchmark.id] = score
            mapped.groups.update(groups)
            mapped.leaves.extend(score.get("aggregated_from") or group_leaves(groups, score["task"]))
    top_level = [name for name in output.rows if not any(name in kids for kids in output.children.values())]
    for name in top_level:
        _other(output, name, claimed, misfits, has_samples, mapped, notices)
    if mapped.unbacked:
        shown = ", ".join(mapped.unbacked[:5]) + (f" and {len(mapped.unbacked) - 5} more" if len(mapped.unbacked) > 5 else "")
        notices.append(f"left out {shown}: no samples, and a result outside the board's benchmarks is kept only with its evidence")
    if mapped.others:
        first = next(iter(mapped.others))
        notices.append("kept outside the board's benchmarks, with their evidence: " + ", ".join(mapped.others) + "; "
                       + HOW_TO_ADD.format(task=first))
    mapped.leaves = sorted(set(mapped.leaves))
    return mapped


def _protocol_score(output: LmEvalOutput, benchmark: Benchmark, protocol: Protocol, task: str | None, present: list[str],
                    has_samples: set[str], samples: dict[str, Any], said: list[str]) -> tuple[dict[str, Any] | None, dict[str, Any], str | None]:
    """The score of `benchmark` under `protocol` from the run's `task` row, or from the `present` subtasks when the run has
    no row for the protocol's task; partial when some subtasks are missing or lack samples. The third value says why the
    numbers do not fit the protocol (another metric, no sizes), when that is why there is no score."""
    if task is None:
        leaves = [leaf for leaf in present if leaf in has_samples]
        if not leaves:
            said.append(f"left out {benchmark.id}: no samples for {', '.join(present[:5])} " + NEEDS_SAMPLES)
            return None, {}, None
        complete = set(protocol.subtasks) <= set(leaves) and protocol.aggregation != "mean"
        return _or_misfit(partial_score(output, benchmark, protocol, leaves, samples, said, complete=complete), {}, said)
    made = score_for(output, benchmark, protocol, task, samples, said)
    if made is None:
        return _or_misfit(None, {}, said)
    score, groups = made
    leaves = score.get("aggregated_from") or group_leaves(groups, task)
    with_samples = [leaf for leaf in leaves if leaf in has_samples]
    if with_samples != leaves:
        lacking = [leaf for leaf in leaves if leaf not in has_samples]
        if protocol.subtasks and with_samples:
            return _or_misfit(partial_score(output, benchmark, protocol, with_samples, samples, said), {}, said)
        said.append(f"left out {benchmark.id}: no samples for {', '.join(lacking[:5])}{' and more' if len(lacking) > 5 else ''} "
                    + NEEDS_SAMPLES)
        return None, {}, None
    if protocol.subtasks and not set(protocol.subtasks) <= set(leaves):
        score["partial"] = True
        said.append(f"partial: {task} has {len(leaves)} of the {len(protocol.subtasks)} subtasks of protocol {protocol.id}; "
                    "it is shown, never counted as complete")
    return score, groups, None


def _or_misfit(score: dict[str, Any] | None, groups: dict[str, Any], said: list[str]) -> tuple[dict[str, Any] | None, dict[str, Any], str | None]:
    """No score from numbers that are there means they do not fit the protocol: the last notice says why."""
    return (score, groups, None) if score is not None else (None, {}, said[-1].removeprefix("left out "))


def _other(output: LmEvalOutput, name: str, claimed: set[str], misfits: dict[str, str], has_samples: set[str], mapped: Mapped,
           notices: list[str]) -> None:
    """Keep `name` (or, when it cannot be kept whole, its members) as a result outside the board."""
    if name in claimed:
        return
    kids = output.children.get(name, ())
    subtree = {*output.leaves(name), *subgroups(output, name)}
    row = output.rows.get(name)
    leaves = output.leaves(name)
    whole = row is not None and bool(row.values) and not (subtree & claimed) and all(leaf in has_samples for leaf in leaves)
    if whole:
        mapped.others[name] = _entry(output, name, misfits.get(name) or f"lm-eval task '{name}' is not in the registry")
        mapped.leaves.extend(leaves)
        if kids:
            metric = min(row.values)  # type: ignore[union-attr]
            weightings = _weightings(output, name, metric[0], metric[1], {}) or {}
            for group in [name, *sorted(subgroups(output, name))]:
                mapped.groups[group] = {"children": list(output.children[group]), "weighting": weightings.get(group, "size")}
        return
    if kids:
        if subtree & claimed and row is not None and row.values:
            notices.append(f"{name}: its own numbers are not kept: they mix tasks that count on the board on their own")
        for kid in kids:
            if kid in output.rows:
                _other(output, kid, claimed, misfits, has_samples, mapped, notices)
        return
    if row is not None and row.values:
        mapped.unbacked.append(name)


def _entry(output: LmEvalOutput, name: str, reason: str) -> dict[str, Any]:
    row = output.rows[name]
    values = []
    for (metric, filter_name), value in sorted(row.values.items())[:MAX_OTHER_VALUES]:
        item: dict[str, Any] = {"metric": metric, "filter": filter_name, "value": value}
        stderr = row.stderrs.get((metric, filter_name))
        if stderr is not None and stderr >= 0:
            item["stderr"] = stderr
        values.append(item)
    leaves = output.leaves(name)
    shots = {output.rows[leaf].n_shot for leaf in leaves if leaf in output.rows}
    entry: dict[str, Any] = {"values": values, "n_shot": shots.pop() if len(shots) == 1 else None}
    versions = {output.rows[leaf].version for leaf in leaves if leaf in output.rows}
    if len(versions) == 1 and (version := versions.pop()) is not None:
        entry["task_version"] = version
    effective = [output.rows[leaf].n_effective for leaf in leaves if leaf in output.rows]
    original = [output.rows[leaf].n_original for leaf in leaves if leaf in output.rows]
    if len(effective) == len(leaves) and all(effective) and all(original):
        entry["n_samples"] = {"original": sum(original), "effective": sum(effective)}  # type: ignore[arg-type]
    if leaves != [name]:
        entry["subtasks"] = leaves
    entry["reason"] = (f"{reason}; " + HOW_TO_ADD.format(task=name))[:500]
    return entry
