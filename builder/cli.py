"""The `reproboard` command. Thin: parse arguments, call one function, print, exit."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import click

from builder import __version__
from builder.problems import counted, format_github, format_json, format_text


def _relative_to_root(root: Path, paths: tuple[str, ...]) -> list[str] | None:
    """Repository-relative forms of PATHS. A relative path is read against the repository
    (`--root`) first, then against the current folder, so that both `validate --root repo
    results/x` and, from elsewhere, `validate --root repo repo/results/x` work."""
    if not paths:
        return None
    selected = []
    for path in paths:
        candidates = [Path(path)] if Path(path).is_absolute() else [root / path, Path(path)]
        absolute = next((c.resolve() for c in candidates if c.exists()), None)
        if absolute is None:
            raise click.BadParameter(f"{path} does not exist in the repository {root}", param_hint="PATH")
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
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--root", type=click.Path(file_okay=False, exists=True, path_type=Path), default=".", show_default=True, help="The repository: the folder with results/ and seeds/.")
@click.option("--format", "output_format", type=click.Choice(["text", "github", "json"]), default="text", show_default=True, help="github prints GitHub Actions annotations.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--signers", "signers_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The allowed-signers list to trust instead of ROOT/seeds/spotcheck-signers.yaml. Pull-request CI passes "
                   "the base branch's copy, so that a pull request cannot trust a key it adds.")
def validate(paths: tuple[str, ...], root: Path, output_format: str, strict: bool, signers_file: Path | None) -> None:
    """Check result files against the schemas and the rules across files.

    PATHS are files or folders inside the repository (default: all of results/ and
    seeds/), relative to --root (or else to the current folder). Every problem of every file is printed as `path:line: $.field: message`.
    A verification record passes only with a valid signature by an allowed signer.
    Exits 1 if there are errors (or warnings, with --strict).

    Example: reproboard validate results/Qwen/Qwen2-7B --signers base-signers.yaml
    """
    from builder.check.validate import validate as run_validation

    root = root.resolve()
    report = run_validation(root, _relative_to_root(root, paths), signers=signers_file)
    if output_format == "json":
        click.echo(format_json(report.problems, report.files_checked), nl=False)
    elif output_format == "github":
        click.echo(format_github(report.problems), nl=False)
    else:
        click.echo(format_text(report.problems), nl=False)
    failed = bool(report.errors) or (strict and bool(report.warnings))
    if output_format != "json":
        summary = f"{counted(report.files_checked, 'file')} checked: {counted(len(report.errors), 'error')}, {counted(len(report.warnings), 'warning')}"
        click.echo(summary, err=True)
    sys.exit(1 if failed else 0)


@cli.command("schema-docs")
@click.option("--check", is_flag=True, help="Only check that both pages are up to date; exit 1 if not.")
@click.option("--root", type=click.Path(file_okay=False, exists=True, path_type=Path), default=".", show_default=True)
def schema_docs(check: bool, root: Path) -> None:
    """Write docs/reference/file-formats.md and file-formats.zh.md from the schemas.

    The English page shows the schemas' own descriptions; the Chinese page translates every
    text through builder/check/schema_docs_zh.yaml and fails on a text it does not translate.

    Example: reproboard schema-docs --check
    """
    from builder.check.schema_docs import REFERENCE_PAGES, MissingTranslation, render

    try:
        texts = {name: render(language) for language, name in REFERENCE_PAGES.items()}
    except MissingTranslation as missing:
        raise click.ClickException(str(missing)) from None
    for name, text in texts.items():
        page = root / name
        current = page.read_text(encoding="utf-8") if page.exists() else None
        if check:
            if current != text:
                raise click.ClickException(f"{name} is out of date: run `reproboard schema-docs`")
            continue
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(text, encoding="utf-8")
        click.echo(f"wrote {name}")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--root", type=click.Path(file_okay=False, exists=True, path_type=Path), default=".", show_default=True, help="The repository: the folder with results/ and seeds/.")
@click.option("--submitted-by", help="Your GitHub user name.")
@click.option("--model", "model_id", help="The model's hub id (org/name), when lm-eval recorded a local path or none.")
@click.option("--revision", help="The 40-hex hub commit evaluated, when lm-eval did not record it.")
@click.option("--command", "command_text", help="The exact command you ran (default: rebuilt from what lm-eval recorded).")
@click.option("--hardware", help="Accelerators used, for example '1x NVIDIA H100 80GB' (default: from lm-eval's environment record).")
@click.option("--run-id", help="File name of the run, without .yaml (default: <date>-lm-eval-<hash>).")
@click.option("--name", help="Model record: display name (only when the model has no record yet).")
@click.option("--organisation", help="Model record: who made the model.")
@click.option("--model-type", type=click.Choice(["base", "chat", "fine-tuned", "merge", "adapter"]), help="Model record: kind of model.")
@click.option("--license", "license_id", help="Model record: license id (apache-2.0, llama3, ...).")
@click.option("--release-date", help="Model record: first publication, YYYY-MM-DD.")
@click.option("--parameters", type=float, help="Model record: parameters in billions.")
@click.option("--architecture", help="Model record: class from config.json (LlamaForCausalLM).")
@click.option("--api-only", is_flag=True, default=None, help="Model record: the model is served by an API only.")
def ingest(paths: tuple[Path, ...], root: Path, submitted_by: str | None, model_id: str | None, revision: str | None,
           command_text: str | None, hardware: str | None, run_id: str | None, name: str | None, organisation: str | None,
           model_type: str | None, license_id: str | None, release_date: str | None, parameters: float | None,
           architecture: str | None, api_only: bool | None) -> None:
    """Turn lm-eval output into a run file and its evidence under results/<org>/<model>/.

    PATHS are lm-eval results files (results_*.json), their samples files, or the
    folders lm-eval wrote (--output_path). Tasks are mapped to benchmarks through
    seeds/benchmarks.yaml; others are left out with a notice. Model facts lm-eval does
    not record come from the model's existing record or from the model-record flags.
    The written files are then validated.

    Example: reproboard ingest out/meta-llama__Meta-Llama-3-8B --submitted-by octocat
    """
    from builder.check.validate import validate as run_validation
    from builder.ingest.run_file import IngestError, IngestOptions, ModelInfo
    from builder.ingest.run_file import ingest as run_ingest

    root = root.resolve()
    report = run_validation(root, ["seeds/benchmarks.yaml"])
    if report.errors:
        click.echo(format_text(report.errors), nl=False)
        raise click.ClickException("the benchmark registry has errors; fix them first")
    info = ModelInfo(name=name, organisation=organisation, model_type=model_type, license=license_id, release_date=release_date,
                     parameters_billions=parameters, architecture=architecture, open_weights=None if api_only is None else not api_only)
    options = IngestOptions(submitted_by=submitted_by, model_id=model_id, revision=revision, command=command_text,
                            hardware=hardware, run_id=run_id, model=info)
    try:
        written = run_ingest(root, list(paths), report.registry, options)
    except IngestError as error:
        _refuse(error.problems, error.notices)
    failed = False
    for item in written:
        for notice in item.notices:
            click.echo(f"notice: {notice}", err=True)
        size = item.evidence.stat().st_size
        per_doc = size / item.documents if item.documents else 0
        click.echo(f"wrote {item.run.relative_to(root)}")
        click.echo(f"wrote {item.evidence.relative_to(root)} ({counted(size, 'byte')}, {per_doc:.0f} bytes per document over {counted(item.documents, 'document')})")
        if item.model_record:
            click.echo(f"wrote {item.model_record.relative_to(root)}")
        found = run_validation(root, [item.run.parent.relative_to(root).as_posix()])
        click.echo(format_text(found.problems), nl=False)
        failed = failed or bool(found.errors)
    sys.exit(1 if failed else 0)


@cli.command()
@click.option("--root", type=click.Path(file_okay=False, exists=True, path_type=Path), default=".", show_default=True, help="The repository: the folder with results/ and seeds/.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None, help="The MkDocs configuration [default: ROOT/mkdocs.yml].")
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Where to write the site [default: the configuration's site_dir].")
def build(root: Path, config_file: Path | None, site_dir: Path | None) -> None:
    """Build the site from results/ and seeds/.

    Validates first: with any error, prints every problem as `reproboard validate` does,
    exits 1 and writes nothing. The site is built into a new folder and replaces the old
    one only when the build succeeded.

    Example: reproboard build --site-dir site
    """
    from builder.render.build import BuildRefused, build_site

    root = root.resolve()
    try:
        result = build_site(root, (config_file or root / "mkdocs.yml").resolve(), site_dir)
    except BuildRefused as refused:
        click.echo(format_text(refused.problems), nl=False)
        click.echo(f"{counted(len(refused.problems), 'error')}: nothing was built", err=True)
        sys.exit(1)
    t = result.timings
    click.echo(
        f"built {counted(result.pages, 'page')} for {counted(result.models, 'model')} into {result.site_dir} in {t['total']:.1f} s "
        f"(validate {t['validate']:.1f} s, aggregate {t['aggregate']:.1f} s, render {t['render']:.1f} s, mkdocs {t['mkdocs']:.1f} s)",
        err=True,
    )


@cli.command()
@click.argument("run_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--seed-from", required=True, help="Check-time inputs the sample is drawn from, e.g. 'pr=12 head=<sha> date=2025-06-01'.")
@click.option("--model-path", type=click.Path(exists=True, file_okay=False, path_type=Path), help="A local copy of the model; its content must hash to the run's revision.")
@click.option("--include-path", type=click.Path(exists=True, file_okay=False, path_type=Path), help="Folder of task YAMLs, for tasks that are not built into lm-eval.")
@click.option("--device", help="Device for the hf backend (cuda:0, cpu).")
@click.option("--documents", type=int, help="Documents to re-run per task (default: enough to catch a 1-point inflation 95% of the time).")
@click.option("--tolerance", type=float, help="Largest loglikelihood difference that agrees (default: by the run's dtype).")
@click.option("--batch-size", help="Batch size for the re-run (default: the run's).")
@click.option("--tensor-parallel-size", type=int, help="GPUs per model for the vllm backend.")
@click.option("--runner", help="Name of the machine, recorded in the verification.")
@click.option("--hardware", help="Accelerators, recorded in the verification (default: detected).")
@click.option("--signing-key", type=click.Path(exists=True, dir_okay=False, path_type=Path), envvar="REPROBOARD_SIGNING_KEY_FILE",
              help="Ed25519 private key that signs the record (PKCS#8 PEM, OpenSSH, or base64 of 32 bytes); "
                   "default: $REPROBOARD_SIGNING_KEY_FILE. Without one the record is unsigned and will not validate.")
def spotcheck(run_file: Path, seed_from: str, model_path: Path | None, include_path: Path | None, device: str | None,
              documents: int | None, tolerance: float | None, batch_size: str | None, tensor_parallel_size: int | None,
              runner: str | None, hardware: str | None, signing_key: Path | None) -> None:
    """Re-run a sample of a submitted run's documents and compare them with its evidence.

    The documents are drawn from a seed derived from --seed-from, which is fixed only at
    check time. Writes <run-id>.verification.yaml beside the run with the verdict (pass,
    fail, inconclusive) and exits 1 unless it is pass. The record is signed with
    --signing-key; only records signed by a key in the allowed signers validate.
    Needs `pip install reproboard[spotcheck]`.

    Example: reproboard spotcheck results/Qwen/Qwen2-7B/2025-06-01-lm-eval-1a2b3c4d.yaml --seed-from "pr=12 head=abc123 date=2025-06-02" --device cuda:0 --signing-key runner.key
    """
    from builder.spotcheck.check import SpotcheckError
    from builder.spotcheck.check import spotcheck as run_spotcheck
    from builder.trust.signing import SigningKeyError, key_id, load_private_key

    try:  # before the re-run: a bad key must not cost an hour of GPU time
        private_key = load_private_key(signing_key) if signing_key else None
    except SigningKeyError as error:
        raise click.ClickException(str(error)) from None
    try:
        outcome = run_spotcheck(run_file, seed_from=seed_from, model_path=model_path, include_path=include_path, device=device,
                                documents=documents, tolerance=tolerance, runner=runner, hardware=hardware, batch_size=batch_size,
                                tensor_parallel_size=tensor_parallel_size, signing_key=private_key)
    except SpotcheckError as error:
        raise click.ClickException(str(error)) from None
    click.echo(outcome.record["summary"])
    click.echo(f"wrote {outcome.path}")
    if private_key is None:
        click.echo("warning: no signing key (--signing-key or REPROBOARD_SIGNING_KEY_FILE): the record is unsigned, "
                   "and reproboard validate will refuse it", err=True)
    else:
        click.echo(f"signed with key {key_id(private_key.public_key())}")
    sys.exit(0 if outcome.record["verdict"] == "pass" else 1)


@cli.group("import")
def import_group() -> None:
    """Bring results from the formats the field already uses (Every Eval Ever, OpenCompass) onto the board.

    Example: reproboard import opencompass outputs/default/20250731_082951 --submitted-by octocat
    """


@import_group.command("opencompass")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--root", type=click.Path(file_okay=False, exists=True, path_type=Path), default=".", show_default=True, help="The repository: the folder with results/ and seeds/.")
@click.option("--submitted-by", required=True, help="Your GitHub user name.")
@click.option("--model", "model_map", multiple=True, metavar="ABBR=ORG/NAME",
              help="The hub id of a model column whose config records no hub id (a local path); repeat per model.")
@click.option("--revision", "revision_map", multiple=True, metavar="ABBR=SHA",
              help="The 40-hex hub commit evaluated, per model column; needed for runs submitted with details.")
@click.option("--source-url", help="Where the summary is published (reported runs: a run without per-sample details).")
@click.option("--publisher", help="Who published the summary (default: --submitted-by).")
@click.option("--hardware", help="Accelerators used, for example '1x NVIDIA H100 80GB'.")
def import_opencompass(run_dir: Path, root: Path, submitted_by: str, model_map: tuple[str, ...], revision_map: tuple[str, ...],
                       source_url: str | None, publisher: str | None, hardware: str | None) -> None:
    """Turn an OpenCompass run folder into runs under results/<org>/<model>/.

    RUN_DIR is outputs/default/<timestamp>/. Its summary CSV gives the scores; the dumped
    config (read as data, never executed) gives each model's hub id and settings. A model
    whose per-sample details (results/<model>/<dataset>.json) are all there becomes a
    submitted run with evidence, re-scored from the details by `reproboard validate`;
    otherwise a reported run, which needs --source-url. Datasets are mapped to benchmarks
    through builder/imports/opencompass_datasets.py; others are left out with a notice.

    Example: reproboard import opencompass outputs/default/20250731_082951 --submitted-by octocat --revision qwen2-7b-hf=<sha>
    """
    from builder.imports.opencompass import ImportError_, OpenCompassOptions, import_run

    root = root.resolve()
    try:
        options = OpenCompassOptions.from_flags(submitted_by, model_map, revision_map, source_url, publisher, hardware)
        written = import_run(root, run_dir, options)
    except ImportError_ as error:
        _refuse(error.problems, error.notices)
    for item in written:
        for notice in item.notices:
            click.echo(f"notice: {notice}", err=True)
        for path in item.paths:
            click.echo(f"wrote {path.relative_to(root)}")


EEE_REPOSITORY = "https://github.com/evaleval/every_eval_ever"
"""Where Every Eval Ever keeps its records (its data/ until 2026-02-15)."""


@import_group.command("eee")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--root", type=click.Path(file_okay=False, exists=True, path_type=Path), default=".", show_default=True, help="The repository: the folder with results/ and seeds/.")
@click.option("--commit", required=True, help="The commit of the EEE repository the records come from (40 hex), so the import can be redone.")
@click.option("--repository", default=EEE_REPOSITORY, show_default=True, help="The EEE repository the records come from.")
@click.option("--into", type=click.Choice(["results", "seeds"]), default="results", show_default=True,
              help="seeds/ for maintainers' imports (recorded in seeds/imports.yaml), results/ for a contributor's.")
@click.option("--submitted-by", required=True, help="Your GitHub user name (reproboard-maintainers for seeds/).")
def import_eee(paths: tuple[Path, ...], root: Path, commit: str, repository: str, into: str, submitted_by: str) -> None:
    """Turn Every Eval Ever records into model records and reported runs.

    PATHS are EEE record files (.json, schema 0.0.x to 0.3.x) or folders of them. Each
    EEE leaderboard becomes one source table; records of one model with the same numbers,
    retrieved at different dates, become one run; different numbers stay separate runs.
    Scores go from EEE's 0-1 to percent. Every value is checked first and every bad file
    is listed; nothing is written unless all of it validates.

    Example: reproboard import eee eee/data/hfopenllm_v2 --commit d9be34d60cb3820833034e33a437ba4b9e4d472f --into seeds --submitted-by reproboard-maintainers
    """
    import datetime as dt
    import re

    from builder.check.validate import validate as run_validation
    from builder.imports.eee_board import Origin
    from builder.imports.eee_import import ImportFailed
    from builder.imports.eee_import import import_eee as run_import
    from builder.load.organisations import organisations_from_data
    from builder.load.strict_yaml import parse_bytes

    if not re.fullmatch(r"[0-9a-f]{40}", commit):
        raise click.BadParameter("not a 40-hex commit", param_hint="--commit")
    root = root.resolve()
    report = run_validation(root, ["seeds/benchmarks.yaml", "seeds/organisations.yaml"])
    if report.errors:
        click.echo(format_text(report.errors), nl=False)
        raise click.ClickException("the registries have errors; fix them first")
    organisations_file = root / "seeds/organisations.yaml"
    organisations = organisations_from_data(parse_bytes(organisations_file.read_bytes()).data) if organisations_file.is_file() \
        else organisations_from_data({"organisations": []})
    try:
        done = run_import(root, list(paths), Origin(repository.rstrip("/"), commit), into, submitted_by,
                          dt.date.today().isoformat(), organisations)
    except ImportFailed as error:
        _refuse(error.problems)
    for notice in done.notices:
        click.echo(f"notice: {notice}", err=True)
    click.echo(f"{counted(done.records, 'record')} -> {counted(done.runs, 'run')} of {counted(done.models, 'new model record')} "
               f"({counted(done.merged, 'repeated retrieval')} merged); {counted(done.files, 'file')} written under {into}/, and they validate")


@cli.group("export")
def export_group() -> None:
    """Write the board's runs in the formats the field already uses (Every Eval Ever).

    Example: reproboard export eee eee-out/
    """


@export_group.command("eee")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--root", type=click.Path(file_okay=False, exists=True, path_type=Path), default=".", show_default=True, help="The repository: the folder with results/ and seeds/.")
def export_eee(out: Path, root: Path) -> None:
    """Write every valid run on the board as an Every Eval Ever record (schema 0.3.0).

    Records go to OUT/data/reproboard/<org>/<model>/<uuid>.json, scores on EEE's 0-1
    scale, each checked against EEE's published schema first. Files with errors are left
    out, as they are from the site.

    Example: reproboard export eee eee-out/
    """
    from builder.check.validate import validate as run_validation
    from builder.imports.eee_export import ExportError, export, write

    report = run_validation(root.resolve())
    try:
        exported = export(report.parsed, report.registry)
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    write(out, exported)
    click.echo(f"wrote {counted(len(exported), 'EEE record')} under {out}")


@cli.group()
def signers() -> None:
    """Keys that may sign spot-check verdicts (seeds/spotcheck-signers.yaml).

    Example: reproboard signers new-key --out ~/runner.key --who "spot-check workflow, environment gpu-spotcheck"
    """


@signers.command("new-key")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Where to write the private key (PKCS#8 PEM, readable by you only). Never inside the repository.")
@click.option("--who", required=True, help="Who holds the key, and where; the entry's `who`.")
@click.option("--valid-from", help="First check date the key may sign, YYYY-MM-DD (default: today).")
def new_key(out: Path, who: str, valid_from: str | None) -> None:
    """Make an Ed25519 key pair for a spot-check runner.

    Writes the private key to --out (never over an existing file) and prints the entry
    to add to seeds/spotcheck-signers.yaml, in a pull request that maintainers review.
    Put the private key in the protected environment's secret, then delete the file.

    Example: reproboard signers new-key --out ~/runner.key --who "spot-check workflow, environment gpu-spotcheck"
    """
    import datetime as dt
    import os

    import yaml

    from builder.trust.signing import key_id, new_private_key, private_key_pem, public_text

    try:
        first_day = dt.date.fromisoformat(valid_from) if valid_from else dt.date.today()
    except ValueError:
        raise click.BadParameter(f"'{valid_from}' is not a date written YYYY-MM-DD", param_hint="--valid-from") from None
    private_key = new_private_key()
    try:
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise click.ClickException(f"cannot create {out}: {error.strerror}") from None
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(private_key_pem(private_key))
    public_key = private_key.public_key()
    entry = {"id": key_id(public_key), "public_key": public_text(public_key), "who": who, "valid_from": first_day.isoformat()}
    click.echo(f"wrote the private key to {out}; add this entry under `signers:` in seeds/spotcheck-signers.yaml:", err=True)
    text = yaml.safe_dump([entry], sort_keys=False, allow_unicode=True, width=1000)
    click.echo("".join(f"  {line}\n" for line in text.splitlines()), nl=False)


def main() -> None:
    cli(prog_name="reproboard")


def _refuse(problems: Sequence[str], notices: Sequence[str] = ()) -> NoReturn:
    """A command that wrote nothing: its notices, then every problem, on stderr; exit 1."""
    for notice in notices:
        click.echo(f"notice: {notice}", err=True)
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    sys.exit(1)
