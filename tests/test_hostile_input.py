"""Every kind of hostile input in shared/notes/threats.md ends as a clean problem line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from example_repo import make_repo

from builder.cli import cli
from builder.load.layout import MAX_YAML_BYTES

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
