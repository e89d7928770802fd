#!/usr/bin/env python3
"""Assemble the folder the base branch's code checks: the base branch's seeds/ (trusted:
maintainers' data, the organisation registry, the spot-check signers) and the pull
request's results/ (the data under review), copied into a new folder.

Copying, rather than reading the pull request's checkout in place, leaves nothing of the
pull request's tree but results/, and every entry is checked while copying: a symbolic
link, or anything that is neither a file nor a folder, stops the copy (refuse_links.py
refuses them earlier; this is the second lock).

Usage: assemble_root.py --seeds BASE/seeds --results PR/results --into ROOT
ROOT must not exist. A pull request without results/ gives an empty results/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import stat
import sys
from pathlib import Path


class Refused(Exception):
    """An entry that is not a plain file or folder."""


def copy_plain_tree(source: Path, target: Path) -> int:
    """Copy a folder of plain files and folders, never following a link; return the file count."""
    if source.is_symlink() or not source.is_dir():
        raise Refused(f"{json.dumps(str(source))} is not a folder")
    target.mkdir(parents=True)
    files = 0
    for folder, dirnames, filenames in os.walk(source, followlinks=False):
        here = Path(folder)
        for name in sorted(dirnames + filenames):
            entry = here / name
            mode = os.lstat(entry).st_mode
            destination = target / entry.relative_to(source)
            if stat.S_ISDIR(mode):
                destination.mkdir()
            elif stat.S_ISREG(mode):
                shutil.copyfile(entry, destination, follow_symlinks=False)
                files += 1
            else:
                raise Refused(f"{json.dumps(entry.relative_to(source.parent).as_posix())} is not a plain file or folder")
    return files


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, required=True, help="the base branch's seeds/")
    parser.add_argument("--results", type=Path, required=True, help="the pull request's results/ (may be absent)")
    parser.add_argument("--into", type=Path, required=True, help="the new folder to assemble")
    args = parser.parse_args(argv)
    if os.path.lexists(args.into):
        print(f"::error::{args.into} exists already", file=sys.stderr)
        return 1
    try:
        seeds = copy_plain_tree(args.seeds, args.into / "seeds")
        if os.path.lexists(args.results):
            results = copy_plain_tree(args.results, args.into / "results")
        else:
            (args.into / "results").mkdir()
            results = 0
    except Refused as refused:
        print(f"::error::refused: {str(refused).replace('%', '%25')}", file=sys.stderr)
        return 1
    print(f"assembled {args.into}: {seeds} files from the base branch's seeds/, {results} from the pull request's results/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
