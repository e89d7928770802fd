"""Every kind of hostile input in shared/notes/threats.md ends as a clean problem line."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import resource
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from example_repo import make_repo

from builder.cli import cli
from builder.lmeval.bounded import BoundedReadError, gzip_lines
from builder.lmeval.evidence_read import MAX_EVIDENCE_BYTES
from builder.load.layout import MAX_YAML_BYTES
from builder.load.strict_yaml import MAX_NODES

RUN = "seeds/meta-llama/Meta-Llama-3-8B/hostile.yaml"

BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)

HOSTILE = {
    "billion-laughs": (BILLION_LAUGHS.encode(), "1: anchors (&a) are not allowed in result files"),
    "deep-flow-nesting": (b"a: " + b"[" * 10_000 + b"]" * 10_000 + b"\n", "1: not valid YAML: exceeded maximum nesting depth"),
    "deep-block-nesting": ("".join(" " * i + f"k{i}:\n" for i in range(300)).encode(), "21: nesting is deeper than 20 levels"),
    "huge-integer": (b"schema_version: " + b"9" * 5000 + b"\n", "1: $.schema_version: must be 1, not '" + "9" * 76 + "..."),
    "python-object": (b"a: !!python/object/apply:os.system ['touch /tmp/pwned']\n", "1: tags (!!python/object/apply:os.system) are not allowed in result files"),
    "binary": (b"a: !!binary aGVsbG8=\n", "1: tags (!!binary) are not allowed in result files"),
    "set": (b"a: !!set {x, y}\n", "1: tags (!!set) are not allowed in result files"),
    "nul-byte": (b"a: 1\x00\n", "1: the file contains a NUL byte"),
    "invalid-utf8": (b"a: \xc3\x28\n", "1: the file is not valid UTF-8 (byte 4)"),
    "utf16": ("a: 1\n".encode("utf-16"), "1: the file contains a NUL byte"),
    "several-documents": (b"a: 1\n---\na: 2\n---\na: 3\n", "2: a file holds one YAML document; a second one starts here"),
    "trojan-source": ("a: \"admin\u202e \u2066// check\u2069 \u2066\"\n".encode(), "1: text contains the invisible or bidirectional control character U+202E"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_is_refused_cleanly(name: str, tmp_path: Path) -> None:
    content, expected = HOSTILE[name]
    root = make_repo(tmp_path / "repo")
    (root / RUN).write_bytes(content)
    result = CliRunner().invoke(cli, ["validate", "--root", str(root)], catch_exceptions=False)
    assert result.exit_code == 1
    assert f"{RUN}:{expected}" in result.stdout.splitlines()
    assert "Traceback" not in result.output


def test_a_file_over_the_size_cap_is_refused_before_parsing(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    (root / RUN).write_bytes(b"a: [" + b"1, " * (MAX_YAML_BYTES // 3 + 10) + b"1]\n")
    result = CliRunner().invoke(cli, ["validate", "--root", str(root)], catch_exceptions=False)
    assert result.exit_code == 1
    size = (root / RUN).stat().st_size
    assert result.stdout == f"{RUN}: the file is {size:,} bytes; result files are at most {MAX_YAML_BYTES:,}\n"


def test_symbolic_links_are_never_followed(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    os.symlink("/etc/passwd", root / RUN)
    os.symlink("/etc", root / "results" / "Qwen" / "etc")
    result = CliRunner().invoke(cli, ["validate", "--root", str(root)], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "results/Qwen/etc: unexpected file: symbolic links are not allowed",
        f"{RUN}: unexpected file: symbolic links are not allowed",
    ]


def test_a_long_value_never_floods_the_message(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    (root / RUN).write_text("schema_version: '" + "x" * 100_000 + "'\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--root", str(root)], catch_exceptions=False)
    assert result.exit_code == 1
    assert max(len(line) for line in result.stdout.splitlines()) < 300


def test_every_problem_of_every_file_is_reported_in_one_run(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    for index, (content, _) in enumerate(HOSTILE.values()):
        (root / f"seeds/meta-llama/Meta-Llama-3-8B/hostile-{index:02d}.yaml").write_bytes(content)
    result = CliRunner().invoke(cli, ["validate", "--root", str(root)], catch_exceptions=False)
    assert result.exit_code == 1
    reported = {line.split(":")[0] for line in result.stdout.splitlines()}
    assert reported == {f"seeds/meta-llama/Meta-Llama-3-8B/hostile-{index:02d}.yaml" for index in range(len(HOSTILE))}


def test_a_fifo_is_refused_instead_of_read(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    os.mkfifo(root / RUN)
    result = CliRunner().invoke(cli, ["validate", "--root", str(root)], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stdout == f"{RUN}: unexpected file: not a regular file\n"


def test_a_folder_named_like_a_result_file_is_not_read(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    (root / RUN).mkdir()
    (root / RUN / "model.yaml").write_text("x: 1\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--root", str(root)], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stdout == f"{RUN}/model.yaml: unexpected file: files belong in seeds/<org>/<model>/, one folder per model\n"


def test_windows_line_endings_are_fine(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    record = root / "seeds/meta-llama/Meta-Llama-3-8B/model.yaml"
    record.write_bytes(record.read_bytes().replace(b"\n", b"\r\n"))
    result = CliRunner().invoke(cli, ["validate", "--root", str(root)], catch_exceptions=False)
    assert (result.exit_code, result.stdout) == (0, "")


# --- evidence: read a line at a time under caps, whatever the file holds ---------------------------------------

EVIDENCE_RUN = "results/Qwen/Qwen2-7B/2024-06-10-alice.yaml"
EVIDENCE = "results/Qwen/Qwen2-7B/2024-06-10-alice.evidence.jsonl.gz"
HEADER = (b'{"format":"reproboard-evidence","groups":{},"tasks":{"gsm8k":{"filters":["strict-match"],"metrics":{"exact_match":"mean"},'
          b'"n_docs":1,"output_type":"generate_until","target_delimiter":" ","task_hash":null}},"version":1}\n')
RECORD = b'{"a":"","d":0,"f":"strict-match","h":null,"m":{"exact_match":1.0},"t":"gsm8k"}\n'


@pytest.fixture(scope="session")
def gzip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1 GiB of zeros in ~1 MB of gzip, written by a streaming writer (never 1 GiB in memory)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.gz"
    block = bytes(1 << 20)
    with gzip.open(path, "wb", compresslevel=1) as stream:
        for _ in range(1024):
            stream.write(block)
    return path


def _with_evidence(root: Path, content: bytes) -> None:
    """Replace the example run's evidence and record its sha256, as a careful cheat would."""
    (root / EVIDENCE).write_bytes(content)
    run = root / EVIDENCE_RUN
    text = run.read_text(encoding="utf-8")
    old = text.split("sha256: ", 1)[1].split("\n", 1)[0]
    run.write_text(text.replace(old, hashlib.sha256(content).hexdigest()), encoding="utf-8")


def _evidence_message(root: Path) -> str:
    result = CliRunner().invoke(cli, ["validate", "--root", str(root), str(root / "results/Qwen")], catch_exceptions=False)
    assert result.exit_code == 1 and "Traceback" not in result.output
    prefix = f"{EVIDENCE_RUN}:7: $.provenance.evidence.path: 2024-06-10-alice.evidence.jsonl.gz "
    lines = [line.removeprefix(prefix) for line in result.stdout.splitlines() if line.startswith(prefix)]
    assert len(lines) == 1, result.stdout
    return lines[0]


def test_a_gzip_bomb_of_1_gib_is_refused_after_reading_one_capped_line(tmp_path: Path, gzip_bomb: Path) -> None:
    root = make_repo(tmp_path / "repo")
    _with_evidence(root, gzip_bomb.read_bytes())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    assert _evidence_message(root) == "line 1 is longer than 1,048,576 bytes"
    assert time.perf_counter() - started < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 << 10  # KiB: well under 200 MB more


HOSTILE_EVIDENCE = {
    "deep-json": (HEADER + b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}\n", "line 2 is nested too deeply to be lm-eval output"),
    "nan": (HEADER + RECORD.replace(b"1.0", b"NaN"), "line 2 NaN is not a number JSON allows"),
    "overflowing-float": (HEADER + RECORD.replace(b'"a":""', b'"ll":[1e400]'), "line 2 'll' is not a list of at most 1,000 finite numbers"),
    "unknown-field": (HEADER + RECORD.replace(b'"a":""', b'"x":[[],[],[]]'), "line 2 has fields evidence does not have: x"),
    "newlines": (HEADER + b"\n" * 300_000, "has more than 200,001 lines"),
    "not-utf8": (HEADER + RECORD.replace(b'"a":""', b'"a":"\xff"'), "line 2 is not UTF-8 (byte 7)"),
    "group-cycle": (HEADER.replace(b'"groups":{}', b'"groups":{"a":{"children":["b"]},"b":{"children":["a"]}}'),
                    "header: groups nest deeper than 16 levels (or in a cycle)"),
    "no-header": (RECORD, "does not start with a 'reproboard-evidence' header"),
    "not-gzip": (None, "is not a gzip file: Not a gzipped file (b'no')"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_EVIDENCE))
def test_hostile_evidence_is_one_clean_problem(case: str, tmp_path: Path) -> None:
    content, expected = HOSTILE_EVIDENCE[case]
    root = make_repo(tmp_path / "repo")
    _with_evidence(root, b"no gzip" if content is None else gzip.compress(content, mtime=0))
    assert _evidence_message(root) == expected


def test_evidence_larger_than_its_cap_is_refused_unread(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    _with_evidence(root, b"x")
    with (root / EVIDENCE).open("r+b") as stream:
        stream.truncate(MAX_EVIDENCE_BYTES + 1)  # sparse: no 64 MiB written
    assert _evidence_message(root) == f"is {MAX_EVIDENCE_BYTES + 1:,} bytes; evidence files are at most {MAX_EVIDENCE_BYTES:,}"


def test_inflating_stops_at_the_cap_on_inflated_bytes() -> None:
    stream = io.BytesIO(gzip.compress(b"0123456789\n" * 1000))
    with pytest.raises(BoundedReadError, match="inflates to more than 5,000 bytes"):
        for _ in gzip_lines(stream, max_inflated=5_000, max_line=100, max_lines=10_000):
            pass


def test_a_spot_check_of_a_gzip_bomb_stops_before_anything_runs(tmp_path: Path, gzip_bomb: Path) -> None:
    root = make_repo(tmp_path / "repo")
    _with_evidence(root, gzip_bomb.read_bytes())
    result = CliRunner().invoke(cli, ["spotcheck", str(root / EVIDENCE_RUN), "--seed-from", "pr=1"], catch_exceptions=False)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "2024-06-10-alice.evidence.jsonl.gz line 1 is longer than 1,048,576 bytes" in result.output, result.output


# --- validator bounds: time follows the caps, output is bounded per file ---------------------------------------


def test_a_500000_item_flow_list_under_the_size_cap_is_one_quick_problem(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    (root / RUN).write_bytes(b"a: [" + b"1," * 500_000 + b"1]\n")
    assert (root / RUN).stat().st_size <= MAX_YAML_BYTES
    started = time.perf_counter()
    result = CliRunner().invoke(cli, ["validate", "--root", str(root)], catch_exceptions=False)
    assert time.perf_counter() - started < 5
    assert result.stdout == f"{RUN}:1: the file holds more than {MAX_NODES:,} values; result files need a few thousand\n"


@pytest.mark.parametrize("output_format", ["text", "github", "json"])
def test_at_most_50_problems_a_file_are_printed_then_a_count_of_the_rest(tmp_path: Path, output_format: str) -> None:
    root = make_repo(tmp_path / "repo")
    run = root / EVIDENCE_RUN
    run.write_text(run.read_text(encoding="utf-8") + "    aggregated_from: [" + ", ".join(["[]"] * 900) + "]\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--root", str(root), "--format", output_format], catch_exceptions=False)
    assert result.exit_code == 1
    rest = "850 more problems in this file are not shown (900 errors and 0 warnings in all); fix these first"
    if output_format == "json":
        report = json.loads(result.stdout)
        assert report["errors"] == 900 and len(report["problems"]) == 51
        assert report["problems"][-1] == {"path": EVIDENCE_RUN, "line": 0, "json_path": "", "message": rest, "severity": "error"}
        return
    lines = result.stdout.splitlines()
    assert len(lines) == 51
    if output_format == "text":
        assert lines[0] == f"{EVIDENCE_RUN}:35: $.scores.gsm8k.aggregated_from[0]: a list is not text"
        assert lines[-1] == f"{EVIDENCE_RUN}: {rest}"
    else:
        assert lines[-1] == f"::error file={EVIDENCE_RUN.replace(':', '%3A')}::{rest}"
    assert "900 errors" in result.stderr
