"""The `reproboard` command. Thin: parse arguments, call one function, print, exit."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from builder import __version__
from builder.problems import format_github, format_json, format_text


def _relative_to_root(root: Path, paths: tuple[str, ...]) -> list[str] | None:
    if not paths:
        return None
    selected = []
    for path in paths:
        absolute = Path(path).resolve()
        try:
            selected.append(absolute.relative_to(root).as_posix())
        except ValueError:
            raise click.BadParameter(f"{path} is outside the repository {root}", param_hint="PATH") from None
    return selected


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reproboard")
def cli() -> None:
    """ReproBoard: a leaderboard of open language models where every number can be traced and re-run."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--root", type=click.Path(file_okay=False, exists=True, path_type=Path), default=".", show_default=True, help="The repository: the folder with results/ and seeds/.")
@click.option("--format", "output_format", type=click.Choice(["text", "github", "json"]), default="text", show_default=True, help="github prints GitHub Actions annotations.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def validate(paths: tuple[str, ...], root: Path, output_format: str, strict: bool) -> None:
    """Check result files against the schemas and the rules across files.

    PATHS are files or folders inside the repository (default: all of results/ and
    seeds/). Every problem of every file is printed as `path:line: $.field: message`.
    Exits 1 if there are errors (or warnings, with --strict).

    Example: reproboard validate results/Qwen/Qwen2-7B
    """
    from builder.validate import validate as run_validation

    root = root.resolve()
    report = run_validation(root, _relative_to_root(root, paths))
    if output_format == "json":
        click.echo(format_json(report.problems, report.files_checked), nl=False)
    elif output_format == "github":
        click.echo(format_github(report.problems), nl=False)
    else:
        click.echo(format_text(report.problems), nl=False)
    failed = bool(report.errors) or (strict and bool(report.warnings))
    if output_format != "json":
        summary = f"{report.files_checked} files checked: {len(report.errors)} errors, {len(report.warnings)} warnings"
        click.echo(summary, err=True)
    sys.exit(1 if failed else 0)


@cli.command("schema-docs")
@click.option("--check", is_flag=True, help="Only check that the page is up to date; exit 1 if not.")
@click.option("--root", type=click.Path(file_okay=False, exists=True, path_type=Path), default=".", show_default=True)
def schema_docs(check: bool, root: Path) -> None:
    """Write docs/reference/file-formats.md from the schemas' descriptions.

    Example: reproboard schema-docs --check
    """
    from builder.schema_docs import REFERENCE_PAGE, render

    page = root / REFERENCE_PAGE
    text = render()
    current = page.read_text(encoding="utf-8") if page.exists() else None
    if check:
        if current != text:
            raise click.ClickException(f"{REFERENCE_PAGE} is out of date: run `reproboard schema-docs`")
        return
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(text, encoding="utf-8")
    click.echo(f"wrote {REFERENCE_PAGE}")


def main() -> None:
    cli(prog_name="reproboard")
