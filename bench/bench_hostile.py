"""Time and peak memory of `reproboard` on hostile files at (or past) every size cap.

    python bench/bench_hostile.py [--only NAME] [--keep]

Each case writes its files into a fresh copy of tests/example-files/base, then runs one
whole command (`python -m builder validate|build|ingest|spotcheck ...`) in a child
process and reads the child's own resource usage (`os.wait4`): wall time, and peak
resident memory (maxrss), start-up and imports included. The target is under 5 s and
512 MB for every case; the last column says whether the case met it, and the output
shows the command's first line, which must be a clean message, never a traceback.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from itertools import chain
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BASE = REPO / "tests" / "example-files" / "base"
LM_EVAL = REPO / "tests" / "lm_eval"
RUN = "results/Qwen/Qwen2-7B/2024-06-10-alice.yaml"
EVIDENCE = "results/Qwen/Qwen2-7B/2024-06-10-alice.evidence.jsonl.gz"
HOSTILE_YAML = "seeds/meta-llama/Meta-Llama-3-8B/hostile.yaml"
RESULTS_09 = "09_results_2024-08-21T03-44-09.494230.json"
SAMPLES_09 = "09s_samples_asdiv_2024-08-21T03-44-09.494230.jsonl"
MODEL_FLAGS = ["--submitted-by", "bench", "--organisation", "Meta", "--model-type", "chat", "--license", "llama3",
               "--release-date", "2024-04-18", "--parameters", "8", "--architecture", "LlamaForCausalLM"]
TIME_LIMIT_S, MEMORY_LIMIT_MB = 5.0, 512


def _header(tasks: dict[str, dict[str, object]]) -> bytes:
    header = {"format": "reproboard-evidence", "version": 1, "groups": {}, "tasks": tasks}
    return (json.dumps(header, separators=(",", ":")) + "\n").encode()


GEN_TASK = {"gsm8k": {"filters": ["strict-match"], "metrics": {"exact_match": "mean"}, "n_docs": 1319,
                      "output_type": "generate_until", "target_delimiter": " ", "task_hash": None}}
MC_TASK = {"gsm8k": {"filters": ["strict-match"], "metrics": {"exact_match": "mean", "acc": "mean", "acc_norm": "mean"}, "n_docs": 1319,
                     "output_type": "multiple_choice", "target_delimiter": " ", "task_hash": None}}


def _gzip_to(path: Path, blocks: Callable[[], Iterable[bytes]]) -> None:
    """Stream the blocks through gzip: the bench itself stays small, so a child's peak memory is its own."""
    with gzip.open(path, "wb", compresslevel=1) as stream:
        for block in blocks():
            stream.write(block)


def _evidence(root: Path, write: Callable[[Path], None]) -> None:
    """Replace the example run's evidence and record its sha256 in the run."""
    path = root / EVIDENCE
    write(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    run = root / RUN
    text = run.read_text(encoding="utf-8")
    old = text.split("sha256: ", 1)[1].split("\n", 1)[0]
    run.write_text(text.replace(old, digest), encoding="utf-8")


def zeros_bomb(path: Path) -> None:
    block = bytes(1 << 20)
    _gzip_to(path, lambda: (block for _ in range(1024)))  # 1 GiB inflated


def newline_bomb(path: Path) -> None:
    block = b"\n" * (1 << 20)
    _gzip_to(path, lambda: chain([_header(GEN_TASK)], (block for _ in range(1024))))


def most_records(path: Path) -> None:
    """200,000 small valid records: the most lines evidence may have."""
    record = '{{"a":"","d":{},"f":"strict-match","h":null,"m":{{"exact_match":1.0}},"t":"gsm8k"}}\n'
    _gzip_to(path, lambda: chain([_header(GEN_TASK)], (record.format(i).encode() for i in range(200_000))))


def widest_records(path: Path) -> None:
    """Records with 1,000 choices each (loglikelihoods, greedy flags, lengths), up to the inflated cap."""
    lls = ",".join(f"-{1 + i % 97}.{i % 13}" for i in range(1000))
    lengths = ",".join(str(5 + i % 40) for i in range(1000))
    flags = ",".join("0" for _ in range(1000))
    line = (f'{{"cl":[{lengths}],"d":DOC,"f":"strict-match","gold":3,"gr":[{flags}],"h":null,"ll":[{lls}],'
            '"m":{"acc":0.0,"acc_norm":0.0,"exact_match":1.0},"t":"gsm8k"}\n')
    count = (64 << 20) // (len(line) + 4) - 1
    _gzip_to(path, lambda: chain([_header(MC_TASK)], (line.replace("DOC", str(i)).encode() for i in range(count))))


def deep_line(path: Path) -> None:
    _gzip_to(path, lambda: [_header(GEN_TASK), b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}\n"])


def _lm_eval_out(root: Path, results: bytes | None = None, samples: Callable[[Path], None] | None = None) -> Path:
    out = root / "out"
    out.mkdir()
    (out / RESULTS_09).write_bytes(results if results is not None else (LM_EVAL / "fixtures" / RESULTS_09).read_bytes())
    if samples is None:
        shutil.copyfile(LM_EVAL / "fixtures" / SAMPLES_09, out / SAMPLES_09)
    else:
        samples(out / SAMPLES_09)
    shutil.copyfile(LM_EVAL / "benchmarks.yaml", root / "seeds" / "benchmarks.yaml")
    return out / RESULTS_09


def _results_with(extra: str) -> bytes:
    text = (LM_EVAL / "fixtures" / RESULTS_09).read_text(encoding="utf-8").rstrip()
    return (text[:-1] + f', "x": {extra}}}').encode()


def dense_samples(path: Path) -> None:
    """1 GiB less a little of 8 MiB lines whose `doc` is a list of 4 million zeros: the slowest JSON to parse."""
    line = b'{"doc_id": %d, "doc": [' + b"0," * ((8 << 20) // 2 - 64) + b'0], "filtered_resps": [["-1.0", "False"]], "acc": 1}\n'
    with path.open("wb") as stream:
        for i in range(127):
            stream.write(line % i)


def text_samples(path: Path) -> None:
    """1 GiB less a little of records whose prompts are long text, as real samples files are."""
    prompt = ("Question: which of these is a prime number, and why? " * 300).encode()  # ~16 KB, repeated per choice
    arguments = b", ".join(b'"gen_args_%d": {"arg_0": "%s", "arg_1": " %d"}' % (k, prompt, k) for k in range(4))
    line = b'{"doc_id": %d, "doc": {"text": "' + prompt + b'"}, "arguments": {' + arguments + b'}, "filtered_resps": [["-1.0", "False"]], "acc": 1}\n'
    with path.open("wb") as stream:
        for i in range((1 << 30) // len(line) - 1):
            stream.write(line.replace(b"%d", str(i).encode(), 1))


def many_samples(path: Path) -> None:
    """200,000 small valid records: the most a samples file may hold."""
    with path.open("wb") as stream:
        for i in range(200_000):
            stream.write(b'{"doc_id": %d, "filtered_resps": [["-1.5", "False"]], "acc": 1, "filter": "none"}\n' % i)


CASES: dict[str, tuple[str, Callable[[Path], list[str]]]] = {}


def case(name: str, command: str) -> Callable[[Callable[[Path], list[str]]], Callable[[Path], list[str]]]:
    def register(prepare: Callable[[Path], list[str]]) -> Callable[[Path], list[str]]:
        CASES[name] = (command, prepare)
        return prepare
    return register


@case("evidence: 1 GiB gzip bomb (zeros)", "validate")
def _c1(root: Path) -> list[str]:
    _evidence(root, zeros_bomb)
    return []


@case("evidence: 1 GiB of newlines", "validate")
def _c2(root: Path) -> list[str]:
    _evidence(root, newline_bomb)
    return []


@case("evidence: 200,000 records (the line cap)", "validate")
def _c3(root: Path) -> list[str]:
    _evidence(root, most_records)
    return []


@case("evidence: 64 MiB of 1,000-choice records", "validate")
def _c4(root: Path) -> list[str]:
    _evidence(root, widest_records)
    return []


@case("evidence: a 100,000-deep line", "validate")
def _c5(root: Path) -> list[str]:
    _evidence(root, deep_line)
    return []


@case("build: 1 GiB gzip bomb", "build")
def _c6(root: Path) -> list[str]:
    _evidence(root, zeros_bomb)
    return ["--site-dir", str(root / "site")]


@case("spotcheck: 1 GiB gzip bomb", "spotcheck")
def _c7(root: Path) -> list[str]:
    _evidence(root, zeros_bomb)
    return [str(root / RUN), "--seed-from", "bench"]  # spotcheck takes the run file, not --root


@case("yaml: 500,000-item flow list (1 MiB)", "validate")
def _c8(root: Path) -> list[str]:
    (root / HOSTILE_YAML).write_bytes(b"a: [" + b"1," * 500_000 + b"1]\n")
    return []


@case("yaml: 9,900 invalid items (node cap)", "validate")
def _c9(root: Path) -> list[str]:
    run = root / RUN
    run.write_text(run.read_text(encoding="utf-8") + "    aggregated_from: [" + ", ".join(["[]"] * 9_900) + "]\n", encoding="utf-8")
    return []


@case("ingest: results 100,000 deep", "ingest")
def _c10(root: Path) -> list[str]:
    return [str(_lm_eval_out(root, _results_with("[" * 100_000 + "]" * 100_000))), *MODEL_FLAGS]


@case("ingest: results of 8 MiB empty lists", "ingest")
def _c11(root: Path) -> list[str]:
    count = (8 << 20) // 3 - 10_000
    return [str(_lm_eval_out(root, _results_with("[" + ",".join(["[]"] * count) + "]"))), *MODEL_FLAGS]


@case("ingest: samples of 1 GiB dense JSON", "ingest")
def _c12(root: Path) -> list[str]:
    return [str(_lm_eval_out(root, samples=dense_samples)), *MODEL_FLAGS]


@case("ingest: samples of 1 GiB text-heavy JSON", "ingest")
def _c12b(root: Path) -> list[str]:
    return [str(_lm_eval_out(root, samples=text_samples)), *MODEL_FLAGS]


@case("ingest: samples of 200,000 records", "ingest")
def _c13(root: Path) -> list[str]:
    return [str(_lm_eval_out(root, samples=many_samples)), *MODEL_FLAGS]


@case("ingest: samples 100,000 deep", "ingest")
def _c14(root: Path) -> list[str]:
    return [str(_lm_eval_out(root, samples=lambda p: p.write_bytes(b'{"doc_id": 0, "doc": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n"))),
            *MODEL_FLAGS]


def measure(command: list[str], cwd: Path) -> tuple[float, float, int, str]:
    """(wall seconds, peak RSS in MB, exit code, first line of output) of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    output = child.stdout.read() if child.stdout else b""  # type: ignore[union-attr]
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    lines = [line for line in output.decode("utf-8", "replace").splitlines() if line.strip() and not line.startswith("notice:")]
    first = next((line for line in lines if "Traceback" in line), lines[0] if lines else "")
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", help="Run only cases whose name contains this text.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary repositories.")
    options = parser.parse_args()
    print(f"{'case':46} {'command':10} {'time s':>7} {'peak MB':>8} {'exit':>4}  {'target':6}  first line of output")
    for name, (command, prepare) in CASES.items():
        if options.only and options.only not in name:
            continue
        workdir = Path(tempfile.mkdtemp(prefix="rb-hostile-"))
        root = workdir / "repo"
        shutil.copytree(BASE, root)
        arguments = prepare(root)
        where = [] if command == "spotcheck" else ["--root", str(root)]
        wall, peak, code, first = measure([sys.executable, "-m", "builder", command, *where, *arguments], REPO)
        met = "met" if wall < TIME_LIMIT_S and peak < MEMORY_LIMIT_MB and "Traceback" not in first else "MISSED"
        shown = first.replace(str(root) + "/", "").replace(str(workdir) + "/", "")
        print(f"{name:46} {command:10} {wall:7.2f} {peak:8.0f} {code:4}  {met:6}  {shown[:150]}", flush=True)
        if not options.keep:
            shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
