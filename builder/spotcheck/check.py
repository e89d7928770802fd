"""`reproboard spotcheck`: re-run a sample of a submitted run's documents and compare.

load the run and its evidence -> pin the model (revision, safetensors only) -> choose
documents from a check-time seed -> re-run them with lm-eval (builder.spotcheck.rerun) -> compare
each with its evidence record -> verdict -> write `<run-id>.verification.yaml`, only
once everything has finished (a failure midway leaves no record).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from builder import __version__
from builder.check.model_args import argument_problems
from builder.check.schema_check import SchemaChecker, load_schema, show
from builder.lmeval.evidence import LOGLIKELIHOOD_TYPES, Evidence, EvidenceError, chosen, evidence_bytes, evidence_record, read_evidence
from builder.load.layout import MAX_YAML_BYTES
from builder.load.parsed import sha256_of
from builder.load.strict_yaml import Document, YamlError, parse, parse_bytes
from builder.problems import counted, json_path
from builder.spotcheck.sampling import choose_documents, derive_seed, documents_needed
from builder.trust.signing import Ed25519PrivateKey, sign

TOLERANCES = {"float32": 1e-3, "bfloat16": 0.25, "float16": 0.1, "fp8": 0.5, "int8": 0.5, "int4": 0.5, "unknown": 0.25}
"""Largest loglikelihood difference (nats) that counts as agreement, by the run's dtype.

Measured on CPU (docs/spotcheck-runners.md, bench/bench_spotcheck.py): float32 results
were bit-identical across batch sizes 1, 4, 16 and 1 or 2 threads for the tiny GPT-2, and
lm-eval's notes report at most 4.8e-7 for a tiny Llama; float32 allows 2,000 times that,
room for GPU kernels (TF32, other reduction orders). Half-precision runs move by up to
the bfloat16 rounding of a logit sum, a few hundredths of a nat per token; the bound
covers prompts of a few tokens' continuation. A tolerance also bounds what an attacker
can flip unseen: only documents whose two best choices are closer than 2x the tolerance.
"""
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt")
LOCAL_REVISION_DOMAIN = "reproboard-local-model-v1"


class SpotcheckError(Exception):
    """The check could not run; no record is written."""


def local_revision(folder: Path) -> str:
    """A 40-hex revision for a model folder that is not a hub repository: sha1 over the
    sha256 and path of every file, sorted. Any change to any file changes it, as a
    commit would; tests and air-gapped runners pin local models with it."""
    lines = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and ".cache" not in p.relative_to(folder).parts):
        lines.append(f"{sha256_of(path)}  {path.relative_to(folder).as_posix()}\n")
    return hashlib.sha1((LOCAL_REVISION_DOMAIN + "\n" + "".join(lines)).encode("utf-8")).hexdigest()


def refuse_pickles(folder: Path) -> None:
    """Pickled weights can run code when loaded: a folder must hold safetensors only."""
    pickled = sorted(p.name for p in folder.rglob("*") if p.suffix in PICKLE_SUFFIXES)
    if pickled:
        raise SpotcheckError(f"{folder} holds pickled weights ({', '.join(pickled[:3])}); only safetensors are loaded")
    if not any(folder.rglob("*.safetensors")):
        raise SpotcheckError(f"{folder} has no .safetensors weights")


@dataclass
class TaskCheck:
    task: str
    planned: int
    checked: int = 0
    agreeing: int = 0
    mismatched: list[int] = field(default_factory=list)
    reasons: dict[int, str] = field(default_factory=dict)
    max_ll_difference: float | None = None
    near_ties: int = 0

    @property
    def verdict(self) -> str:
        if self.mismatched:
            return "fail"
        if self.checked == 0 or self.checked < self.planned:
            return "inconclusive"
        return "pass"

    def as_record(self) -> dict[str, Any]:
        return {"task": self.task, "documents_checked": self.checked, "documents_agreeing": self.agreeing,
                "mismatched_doc_ids": sorted(self.mismatched),
                "max_loglikelihood_difference": None if self.max_ll_difference is None else float(f"{self.max_ll_difference:.6g}"),
                "verdict": self.verdict}


def compare(claimed: dict[str, Any], rerun: dict[str, Any], output_type: str, tolerance: float) -> tuple[str | None, float | None, bool]:
    """(why the documents disagree or None, largest loglikelihood difference, near tie)."""
    if claimed.get("h") and rerun.get("h"):
        for label, start in (("document", 0), ("prompt", 64), ("target", 128)):
            if claimed["h"][start:start + 64] != rerun["h"][start:start + 64]:
                return f"the {label} differs (hash)", None, False
    difference = None
    near_tie = False
    if output_type in LOGLIKELIHOOD_TYPES:
        a, b = claimed.get("ll") or [], rerun.get("ll") or []
        if len(a) != len(b) or not a:
            return f"{len(b)} loglikelihoods re-run, {len(a)} in the evidence", None, False
        difference = max(abs(x - y) for x, y in zip(a, b))
        if difference > tolerance:
            return f"loglikelihoods differ by up to {difference:.3g}", difference, False
        if output_type == "multiple_choice":
            lengths = claimed.get("cl") if claimed.get("cl") == rerun.get("cl") else None
            picks = [(chosen(a), chosen(b))] + ([(chosen(a, lengths), chosen(b, lengths))] if lengths and all(lengths) else [])
            if any(x != y for x, y in picks):
                near_tie = True  # both within tolerance: the two best choices are closer than honest noise
    elif claimed.get("a") != rerun.get("a"):
        return f"the filtered answer differs: {rerun.get('a')!r} re-run, {claimed.get('a')!r} claimed", None, False
    for metric, value in claimed.get("m", {}).items():
        again = rerun.get("m", {}).get(metric)
        if value is not None and again is not None and abs(value - again) > 1e-9 and not near_tie:
            return f"{metric} is {again:g} re-run, {value:g} claimed", difference, False
    return None, difference, near_tie


def _n_shots(run: dict[str, Any], evidence: Evidence) -> dict[str, int | None]:
    shots: dict[str, int | None] = {}
    for score in run["scores"].values():
        for leaf in score.get("aggregated_from") or evidence.leaves(score["task"]):
            shots.setdefault(leaf, score.get("n_shot"))
    for task, other in (run.get("other_results") or {}).items():  # results outside the board are re-run like the rest
        for leaf in evidence.leaves(task):
            shots.setdefault(leaf, other.get("n_shot"))
    return shots


@dataclass
class Outcome:
    record: dict[str, Any]
    path: Path
    checks: list[TaskCheck]


def _load(run_path: Path) -> tuple[dict[str, Any], Evidence, Path]:
    try:
        if run_path.stat().st_size > MAX_YAML_BYTES:
            raise YamlError(0, f"the file is {run_path.stat().st_size:,} bytes; result files are at most {MAX_YAML_BYTES:,}")
        document = parse_bytes(run_path.read_bytes())
    except (OSError, YamlError) as error:
        raise SpotcheckError(f"{run_path}: {getattr(error, 'message', error)}") from None
    run = document.data
    if not isinstance(run, dict) or not isinstance(run.get("provenance"), dict) or run["provenance"].get("kind") != "submitted":
        raise SpotcheckError(f"{run_path.name} is not a submitted run; only submitted runs have evidence to check")
    _refuse_invalid(run_path, document)
    if run["harness"]["name"] != "lm-eval":
        raise SpotcheckError(f"{run_path.name} was run with {run['harness']['name']}: lm-eval cannot re-run its prompts; "
                             "`reproboard validate` re-scores it from its per-sample details instead")
    if run["setting"]["backend"] == "api":
        raise SpotcheckError(f"{run_path.name} evaluated an API model, which cannot be re-run from pinned weights")
    evidence_path = run_path.parent / run["provenance"]["evidence"]["path"]
    if not evidence_path.is_file():
        raise SpotcheckError(f"the evidence {evidence_path.name} is missing")
    if sha256_of(evidence_path) != run["provenance"]["evidence"]["sha256"]:
        raise SpotcheckError(f"{evidence_path.name} does not match the sha256 in {run_path.name}: the evidence changed after "
                             "its hash was recorded (reproboard validate says so too)")
    return run, _read_evidence(evidence_path), evidence_path


def _read_evidence(path: Path, plan: dict[str, list[int]] | None = None) -> Evidence:
    """The evidence, bounded as validate reads it; with `plan`, the planned documents' records kept whole."""
    wanted = {task: set(ids) for task, ids in (plan or {}).items()}
    try:
        return read_evidence(evidence_bytes(path), keep=(lambda task, doc: doc in wanted.get(task, ())) if plan else None)
    except EvidenceError as error:
        raise SpotcheckError(f"{path.name} {error}") from None


def _refuse_invalid(run_path: Path, document: Document) -> None:
    """Nothing runs for a run file that breaks its schema or asks the re-run to pass an
    argument off the allow-list (the schema holds the list; asked again to be sure)."""
    found = SchemaChecker(load_schema("run")).check(document)
    found += [(("setting", "model_args", name), f"{show(name)} {why}")
              for name, why in ([] if found else argument_problems(document.data["setting"].get("model_args") or {}))]
    if found:
        shown = [f"{run_path.name}:{document.line_of(path)}: {json_path(path)}: {message}" for path, message in found[:10]]
        more = f" (and {len(found) - 10} more)" if len(found) > 10 else ""
        raise SpotcheckError("the run file is not valid, so nothing was re-run: " + "; ".join(shown) + more)


def spotcheck(run_path: Path, *, seed_from: str, model_path: Path | None = None, include_path: Path | None = None,
              device: str | None = None, documents: int | None = None, tolerance: float | None = None,
              runner: str | None = None, hardware: str | None = None, batch_size: str | None = None,
              tensor_parallel_size: int | None = None, today: dt.date | None = None, progress: bool = True,
              signing_key: Ed25519PrivateKey | None = None) -> Outcome:
    """Re-run, compare, and write the verification record, signed with `signing_key` if given
    (unsigned, it will not validate); raise SpotcheckError if the check cannot run."""
    run, evidence, evidence_path = _load(run_path)
    if not isinstance(run.get("revision"), str) or len(run["revision"]) != 40:
        raise SpotcheckError(f"{run_path.name} has no 40-hex revision to load")
    seed = derive_seed(seed_from)
    tolerance = TOLERANCES.get(run["setting"]["dtype"], 0.25) if tolerance is None else tolerance
    tasks = evidence.header["tasks"]
    plan: dict[str, list[int]] = {}
    for task in sorted(tasks):
        ids = evidence.doc_ids(task)
        count = documents or documents_needed(len(ids))
        plan[task] = choose_documents(seed, task, ids, min(count, len(ids)))
    evidence = _read_evidence(evidence_path, plan)  # a second bounded pass keeps only the planned documents
    checks = {task: TaskCheck(task, len(ids)) for task, ids in plan.items()}
    problem = None
    if model_path is not None:
        refuse_pickles(model_path)
        actual = local_revision(model_path)
        if actual != run["revision"]:
            problem = (f"the model folder's content is revision {actual}, not the run's revision {run['revision']}: "
                       "the run does not describe this model")
    if problem is None:
        _rerun_all(run, evidence, plan, checks, model_path, include_path, device, batch_size, tensor_parallel_size, tolerance, progress)
    import lm_eval

    record = _record(run_path, run, seed, seed_from, tolerance, list(checks.values()), problem,
                     today or dt.date.today(), getattr(lm_eval, "__version__", "unknown"), runner, hardware or _hardware(device))
    out = run_path.with_name(run_path.name[: -len(".yaml")] + ".verification.yaml")
    temporary = out.with_name(out.name + ".partial")
    text = yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=1000)
    if signing_key is not None:  # sign the data exactly as validate will read it back
        record = sign(parse(text, track_lines=False).data, signing_key)
        text = yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=1000)
    _write_new(temporary, text.encode("utf-8"))
    os.replace(temporary, out)  # replaces a link at `out` itself, never what it points to
    return Outcome(record, out, list(checks.values()))


def _write_new(path: Path, content: bytes) -> None:
    """Write a fresh file, never through a symbolic link a pull request may have left at `path`."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)  # a stale file or a link: the link itself goes, not its target
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(content)


def _rerun_all(run: dict[str, Any], evidence: Evidence, plan: dict[str, list[int]], checks: dict[str, TaskCheck],
               model_path: Path | None, include_path: Path | None, device: str | None, batch_size: str | None,
               tensor_parallel_size: int | None, tolerance: float, progress: bool) -> None:
    from tqdm import tqdm

    from builder.spotcheck import rerun

    lm = rerun.load_model(run, str(model_path) if model_path else run["model"], device=device,
                          batch_size=batch_size or run["setting"]["batch_size"], tensor_parallel_size=tensor_parallel_size)
    shots = _n_shots(run, evidence)
    bar = tqdm(total=sum(len(ids) for ids in plan.values()), desc="spot-check", unit="doc", disable=not progress)
    for task, ids in plan.items():
        if not ids:
            continue
        info = evidence.header["tasks"][task]
        samples = rerun.rerun_task(lm, run, task, ids, shots.get(task), include_path)
        again = {}
        for sample in samples:
            record = evidence_record(task, str(sample.get("filter", "none")), sample, info["output_type"],
                                     list(info.get("metrics", {})), info.get("target_delimiter", " "))
            again[(record["d"], record["f"])] = record
        claimed = {(r["d"], r["f"]): r for r in evidence.records.get(task, []) if r["d"] in set(ids)}
        check = checks[task]
        for doc_id in ids:
            reasons, differences, tie = [], [], False
            for (d, f), record in sorted(claimed.items()):
                if d != doc_id:
                    continue
                if (d, f) not in again:
                    reasons.append(f"no re-run record for filter {f}")
                    continue
                why, difference, near_tie = compare(record, again[(d, f)], info["output_type"], tolerance)
                tie = tie or near_tie
                if difference is not None:
                    differences.append(difference)
                if why:
                    reasons.append(why)
            check.checked += 1
            check.near_ties += tie
            if differences:
                check.max_ll_difference = max([check.max_ll_difference or 0.0, *differences])
            if reasons:
                check.mismatched.append(doc_id)
                check.reasons[doc_id] = reasons[0]
            else:
                check.agreeing += 1
        bar.update(len(ids))
    bar.close()


def _hardware(device: str | None) -> str:
    if device and device.startswith("cuda"):
        import torch

        if torch.cuda.is_available():
            return f"{torch.cuda.device_count()}x {torch.cuda.get_device_name(0)}"[:200]
    return f"CPU ({platform.machine() or 'unknown'})"


def _record(run_path: Path, run: dict[str, Any], seed: str, seed_from: str, tolerance: float,
            checks: list[TaskCheck], problem: str | None, today: dt.date, lm_eval_version: str, runner: str | None,
            hardware: str) -> dict[str, Any]:
    if problem:
        verdict = "fail"
        summary = f"fail: {problem}; no documents were re-run."
        task_records = [{**c.as_record(), "verdict": "fail"} for c in checks]
    else:
        verdicts = [c.verdict for c in checks]
        verdict = "fail" if "fail" in verdicts else "inconclusive" if "inconclusive" in verdicts or not checks else "pass"
        checked = sum(c.checked for c in checks)
        agreeing = sum(c.agreeing for c in checks)
        largest = max((c.max_ll_difference for c in checks if c.max_ll_difference is not None), default=None)
        ll_text = f"; largest loglikelihood difference {largest:.3g} (tolerance {tolerance:g})" if largest is not None else ""
        if verdict == "fail":
            worst = [c for c in checks if c.mismatched]
            detail = "; ".join(f"{c.task}: doc ids {', '.join(str(i) for i in sorted(c.mismatched)[:8])} "
                               f"({c.reasons[min(c.mismatched)]})" for c in worst)
            summary = f"fail: {checked - agreeing} of {checked} re-run documents disagree with the evidence ({detail})"
        elif verdict == "inconclusive":
            summary = f"inconclusive: {counted(checked, 'document')} could be re-run of {sum(c.planned for c in checks)} chosen; all that ran agreed{ll_text}"
        else:
            ties = sum(c.near_ties for c in checks)
            tie_text = f", {ties} of them near ties that picked another choice within tolerance" if ties else ""
            summary = f"pass: all {counted(checked, 're-run document')} in {counted(len(checks), 'task')} agree with the evidence{tie_text}{ll_text}"
        task_records = [c.as_record() for c in checks]
    checker: dict[str, Any] = {"reproboard_version": __version__, "lm_eval_version": lm_eval_version, "hardware": hardware}
    if runner:
        checker["runner"] = runner
    return {
        "schema_version": 1, "run": run_path.name, "run_sha256": sha256_of(run_path),
        "evidence_sha256": run["provenance"]["evidence"]["sha256"], "checked_on": today.isoformat(), "checker": checker,
        "seed": {"value": seed, "derived_from": seed_from[:500]}, "tolerance": tolerance, "tasks": task_records,
        "verdict": verdict, "summary": summary[:1000],
    }
