#!/usr/bin/env python3
"""Refuse a pull request's checkout that holds a symbolic link or a submodule.

Run before any step reads the pull request's files: a link under results/ would let a
later read or write (validate, the verification record and its `.partial` file, the
artifact upload) reach outside the checkout. Both the commit's tree (every path, also
those a sparse checkout leaves out) and the files on disk are checked.

Usage: refuse_links.py DIR      (DIR: a git checkout, sparse or not)
Exit status: 0 when there is none, 1 (with one line per link, then a count) otherwise.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

LINK_MODES = {"120000": "a symbolic link", "160000": "a submodule"}
SHOWN = 20


def links_in_tree(checkout: Path) -> list[tuple[str, str]]:
    """(path, what) for every symbolic link and submodule in the checked-out commit."""
    listing = subprocess.run(["git", "-C", str(checkout), "ls-tree", "-r", "-z", "--full-tree", "HEAD"],
                             check=True, capture_output=True).stdout
    found = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        mode = meta.split(b" ", 1)[0].decode("ascii")
        if mode in LINK_MODES:
            found.append((path.decode("utf-8", "surrogateescape"), LINK_MODES[mode]))
    return found


def links_on_disk(checkout: Path) -> list[tuple[str, str]]:
    """(path, what) for every symbolic link in the working tree, .git/ aside."""
    found = []
    for folder, dirnames, filenames in os.walk(checkout, followlinks=False):
        here = Path(folder)
        if here == checkout:
            dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in sorted(dirnames + filenames):
            if (here / name).is_symlink():
                found.append(((here / name).relative_to(checkout).as_posix(), "a symbolic link"))
    return found


def shown(path: str) -> str:
    """The path quoted for a log line: json.dumps escapes newlines and control characters (no
    forged workflow command or log line), and % is escaped as workflow commands expect."""
    return json.dumps(path).replace("%", "%25")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: refuse_links.py DIR", file=sys.stderr)
        return 2
    checkout = Path(argv[0])
    try:
        found = sorted(set(links_in_tree(checkout)) | set(links_on_disk(checkout)))
    except subprocess.CalledProcessError as error:
        print(f"::error::cannot list the commit in {checkout}: {error.stderr.decode(errors='replace').strip()}")
        return 1
    for path, what in found[:SHOWN]:
        print(f"::error::the pull request holds {what}, {shown(path)}: refused before anything reads its files")
    if len(found) > SHOWN:
        print(f"::error::and {len(found) - SHOWN} more symbolic links or submodules")
    if found:
        return 1
    print(f"no symbolic link or submodule in {checkout}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
