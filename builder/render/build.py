"""`reproboard build`: validate, aggregate, let MkDocs write the site into a fresh folder,
and only then put it in place. A failed build leaves the previous site untouched."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from builder.gc_tuning import long_lived
from builder.problems import Problem, counted


class BuildRefused(Exception):
    """The data has errors; `problems` are validate's, in its format."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(counted(len(problems), 'error'))
        self.problems = problems


@dataclass
class BuildResult:
    site_dir: Path
    models: int
    pages: int
    """Generated pages, every language together."""
    languages: int = 1
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds: `validate`, `aggregate`, `render` (the builder's own), `mkdocs` (the rest of MkDocs' build), `total`."""


def build_site(root: Path, config_file: Path, site_dir: Path | None = None) -> BuildResult:
    """Build the site of the repository at `root` with `config_file` (mkdocs.yml) into `site_dir`."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from builder.board.aggregate import build_board
    from builder.check.validate import validate

    started = time.perf_counter()
    report = validate(root)
    if report.errors:
        raise BuildRefused(report.errors)
    validated = time.perf_counter()
    board = build_board(report.parsed, report.registry)
    aggregated = time.perf_counter()

    config = load_config(str(config_file))
    target = Path(site_dir or config.site_dir).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    try:
        config = load_config(str(config_file), site_dir=str(staging))
        config.plugins.on_startup(command="build", dirty=False)  # as `mkdocs build` does: a plugin kept from a serve forgets it
        plugin = config.plugins["reproboard"]
        plugin.board = board  # type: ignore[attr-defined]
        mkdocs_log = logging.getLogger("mkdocs")
        level = mkdocs_log.level
        try:
            with long_lived():  # the parsed files and the board, until the site is written
                build(config)
        finally:
            mkdocs_log.setLevel(level)
        timings = dict(plugin.timings)  # type: ignore[attr-defined]
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finished = time.perf_counter()
    render = timings.get("render", 0.0)
    result = BuildResult(
        site_dir=target, models=len(board.models),
        pages=sum(len(site.pages()) for site in plugin.sites.values()),  # type: ignore[attr-defined]
        languages=len(plugin.sites),  # type: ignore[attr-defined]
        timings={
            "validate": validated - started, "aggregate": aggregated - validated, "render": render,
            "mkdocs": finished - aggregated - render, "total": finished - started,
        },
    )
    return result


def _swap(staging: Path, target: Path) -> None:
    """Replace `target` by `staging` with two renames; the old site is removed only afterwards."""
    os.chmod(staging, 0o755)
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        target.rename(old)
    staging.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
