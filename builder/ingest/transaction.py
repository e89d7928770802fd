"""Writing several files all or nothing, never through a symbolic link.

Every file is first written beside its target under a temporary name, then all are
moved in (`os.replace`, atomic per file). If anything fails, or the caller finds the
result wrong, `rollback` restores what was there before: earlier content, no file, no
new folder. A symbolic link anywhere between the repository and a target is refused
before anything is written: a linked `results/<org>` would otherwise send the files
outside `results/`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


class UnsafePath(Exception):
    """A target that must not be written; the message says why."""


def refuse_links(root: Path, target: Path) -> None:
    """UnsafePath if `target`, or any folder between `root` and it, is a symbolic link or outside `root`."""
    try:
        relative = target.relative_to(root)
    except ValueError:
        raise UnsafePath(f"{target} is outside the repository {root}") from None
    at = root
    for part in relative.parts:
        if part in ("", ".", ".."):
            raise UnsafePath(f"{relative} is not a plain path inside the repository")
        at = at / part
        if at.is_symlink():
            raise UnsafePath(f"{at.relative_to(root)} is a symbolic link: ingest never writes through one")
        if at != target and at.exists() and not at.is_dir():
            raise UnsafePath(f"{at.relative_to(root)} is a file where a folder is needed")


@dataclass
class Transaction:
    """Files to write under `root`, moved in together by `commit` and undone by `rollback`."""

    root: Path
    staged: list[tuple[Path, Path]] = field(default_factory=list)
    """(temporary file, target), in the order they are moved in."""
    done: list[tuple[Path, bytes | None]] = field(default_factory=list)
    """(target, its earlier content or None) for files moved in."""
    made_folders: list[Path] = field(default_factory=list)

    def stage(self, target: Path, content: bytes) -> None:
        refuse_links(self.root, target)
        self._make_folders(target.parent)
        temporary = target.with_name(f".{target.name}.ingest-partial")
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        if temporary.is_symlink():
            raise UnsafePath(f"{temporary.relative_to(self.root)} is a symbolic link: ingest never writes through one")
        descriptor = os.open(temporary, flags, 0o644)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(content)
        self.staged.append((temporary, target))

    def commit(self) -> None:
        """Move every staged file in; on any error, undo and re-raise."""
        try:
            for temporary, target in self.staged:
                refuse_links(self.root, target)
                earlier = target.read_bytes() if target.is_file() else None
                os.replace(temporary, target)
                self.done.append((target, earlier))
        except BaseException:
            self.rollback()
            raise
        self.staged = []

    def rollback(self) -> None:
        """Put back what was there before: earlier contents, no new files, no new folders."""
        for target, earlier in reversed(self.done):
            if earlier is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(earlier)
        for temporary, _ in self.staged:
            temporary.unlink(missing_ok=True)
        for folder in reversed(self.made_folders):
            try:
                folder.rmdir()
            except OSError:
                pass  # not empty: something else lives there now
        self.done, self.staged, self.made_folders = [], [], []

    def _make_folders(self, folder: Path) -> None:
        missing = []
        at = folder
        while not at.exists() and at != self.root:
            missing.append(at)
            at = at.parent
        for path in reversed(missing):
            path.mkdir()
            self.made_folders.append(path)
