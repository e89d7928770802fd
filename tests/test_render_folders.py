"""The thread that makes the generated pages' folders ahead of MkDocs (builder/render/folders.py)."""

from __future__ import annotations

from pathlib import Path

from builder.render.folders import FolderMaker


def test_every_folder_is_made_parents_first(tmp_path: Path) -> None:
    folders = ["zh/models/acme/Alpha-7B", "models/acme/Alpha-7B", "models/acme/Beta", "models/acme/Beta", "api/models/acme"]
    maker = FolderMaker(tmp_path / "site", folders)
    maker.join()
    assert maker.made == 4
    assert sorted(p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site").rglob("*")) == [
        "api", "api/models", "api/models/acme", "models", "models/acme", "models/acme/Alpha-7B", "models/acme/Beta",
        "zh", "zh/models", "zh/models/acme", "zh/models/acme/Alpha-7B",
    ]


def test_a_folder_it_cannot_make_is_left_to_mkdocs_to_report(tmp_path: Path) -> None:
    (tmp_path / "models").write_text("a file where a folder should be")
    maker = FolderMaker(tmp_path, ["api/x", "models/acme/Alpha-7B", "zh/models/acme/Alpha-7B"])
    maker.join()  # no exception here: MkDocs fails on the same path when it writes the page, with its own message
    assert maker.made == 1 and (tmp_path / "api" / "x").is_dir() and not (tmp_path / "zh").exists()
