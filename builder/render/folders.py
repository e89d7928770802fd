"""The generated pages' folders, made by a background thread while MkDocs renders.

A page at `models/<org>/<name>/` is written as `models/<org>/<name>/index.html`, so each
model page needs a folder of its own. Making a folder is a system call that waits on the
file system: about 0.45 ms here, a third of what a generated page costs MkDocs. The call
releases the GIL, so a thread makes every folder while the process renders pages, and
MkDocs finds each one in place when it writes the page.

The thread only prepares: MkDocs still makes any folder that is missing when it writes,
and reports any error then, with its own message.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path


class FolderMaker:
    """Makes `folders` (paths relative to `root`) in a thread, parents first."""

    def __init__(self, root: Path, folders: Iterable[str]) -> None:
        self.made = 0
        self._thread = threading.Thread(target=self._make, args=(root, sorted(set(folders))), name="reproboard-folders", daemon=True)
        self._thread.start()

    def _make(self, root: Path, folders: list[str]) -> None:
        try:
            for folder in folders:
                os.makedirs(root / folder, exist_ok=True)
                self.made += 1
        except OSError:
            return  # MkDocs meets the same problem when it writes the page, and reports it

    def join(self) -> None:
        """Wait for the thread (before the build ends, or another language's begins)."""
        self._thread.join()
