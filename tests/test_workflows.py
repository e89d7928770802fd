"""The GitHub workflows: pinned actions, no persisted credentials, pipefail, least privilege,
and the spot-check's order (refuse links, validate with the base branch's code, then run).

Offline: the workflows are parsed, their helper scripts run on throw-away git repositories,
and the shell of the steps that matter runs with `gh`, `nvidia-smi` and the spot-check
itself replaced by small scripts (the real ones need GitHub and a GPU).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from example_repo import EXAMPLES, make_repo

from builder.cli import cli

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
SCRIPTS = REPO / ".github" / "scripts"
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<action>[^@\s]+)@(?P<ref>\S+)(?:\s+#\s*(?P<version>\S+))?\s*$")
TEMPLATE = re.compile(r"\$\{\{")


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    data["on"] = data.pop(True, data.get("on"))
    return data


def steps(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(job_id, step) for job_id, job in workflow["jobs"].items() for step in job.get("steps", [])]


def step_named(job: dict[str, Any], name: str) -> dict[str, Any]:
    matching = [s for s in job["steps"] if s.get("name") == name]
    assert len(matching) == 1, f"one step named {name!r}"
    return matching[0]


def run_step(script: str, env: dict[str, str], cwd: Path, fakes: Path) -> subprocess.CompletedProcess[str]:
    """Run a step's script as GitHub runs it with `shell: bash`, fakes first on PATH."""
    script_file = cwd / ".step.sh"
    script_file.write_text(script, encoding="utf-8")
    full_env = {"PATH": f"{fakes}{os.pathsep}{os.environ['PATH']}", "HOME": str(cwd), **env}
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script_file)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=60)


def fake(folder: Path, name: str, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/usr/bin/env bash\n" + body, encoding="utf-8")
    path.chmod(0o755)


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false", *args],
                   cwd=cwd, check=True, capture_output=True)


def script(name: str, *args: str, cwd: Path = REPO, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPTS / name), *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, timeout=60)


# ---- every workflow ---------------------------------------------------------------------------

@pytest.fixture(params=WORKFLOWS, ids=lambda p: p.name)
def workflow_file(request: pytest.FixtureRequest) -> Path:
    return request.param


def test_there_are_workflows() -> None:
    assert {p.name for p in WORKFLOWS} >= {"deploy.yml", "spotcheck.yml", "test.yml", "validate.yml"}


def test_every_action_is_pinned_by_commit_sha_with_its_version(workflow_file: Path) -> None:
    lines = [line for line in workflow_file.read_text(encoding="utf-8").splitlines() if re.match(r"^\s*(-\s+)?uses:", line)]
    parsed = [step["uses"] for _, step in steps(load(workflow_file)) if "uses" in step]
    assert len(lines) == len(parsed), "every `uses:` sits on its own line"
    for line in lines:
        match = PINNED.match(line)
        assert match, f"cannot read {line!r}"
        if match["action"].startswith("./"):
            continue
        assert re.fullmatch(r"[0-9a-f]{40}", match["ref"]), f"{line.strip()}: pin a full commit sha, not {match['ref']}"
        assert match["version"] and re.fullmatch(r"v\d+\.\d+\.\d+", match["version"]), f"{line.strip()}: add the version as `# vX.Y.Z`"


def test_every_checkout_keeps_no_credentials(workflow_file: Path) -> None:
    checkouts = [step for _, step in steps(load(workflow_file)) if step.get("uses", "").startswith("actions/checkout@")]
    assert checkouts
    for step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False, f"{step}: persist-credentials: false"


def test_permissions_are_empty_by_default_and_granted_per_job(workflow_file: Path) -> None:
    workflow = load(workflow_file)
    assert workflow.get("permissions") == {}, "top-level `permissions: {}`: a job gets only what it asks for"
    for job_id, job in workflow["jobs"].items():
        assert isinstance(job.get("permissions"), dict), f"job {job_id} names its permissions"
        assert set(job["permissions"].values()) <= {"read", "write", "none"}


def test_every_granted_permission_says_why(workflow_file: Path) -> None:
    text = workflow_file.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(text, 1):
        if re.match(r"^\s+(contents|pages|pull-requests|id-token|actions|checks|statuses|issues|packages|deployments)"
                    r":\s*(read|write)\b", line):
            assert "#" in line, f"{workflow_file.name}:{number}: say why the job needs {line.strip()}"


def test_every_workflow_limits_concurrency(workflow_file: Path) -> None:
    concurrency = load(workflow_file).get("concurrency")
    assert isinstance(concurrency, dict) and concurrency.get("group")


def test_run_steps_use_bash_with_pipefail(workflow_file: Path) -> None:
    workflow = load(workflow_file)
    assert workflow.get("defaults", {}).get("run", {}).get("shell") == "bash"
    for job_id, job in workflow["jobs"].items():
        assert job.get("defaults", {}).get("run", {}).get("shell", "bash") == "bash", job_id
        for step in job.get("steps", []):
            assert step.get("shell", "bash") == "bash", f"{job_id}: {step.get('name')}"


def test_no_expression_is_pasted_into_a_script(workflow_file: Path) -> None:
    """Values reach scripts through `env:`: `${{ }}` in `run:` would paste them into the code."""
    for job_id, step in steps(load(workflow_file)):
        assert not TEMPLATE.search(step.get("run", "")), f"{job_id}: {step.get('name')}: pass the value through env"


def test_multi_line_scripts_set_pipefail_themselves(workflow_file: Path) -> None:
    """`shell: bash` gives -eo pipefail; `set -u` catches a misspelt variable too."""
    for job_id, step in steps(load(workflow_file)):
        body = step.get("run", "")
        if body.count("\n") > 1:
            assert body.startswith("set -euo pipefail\n"), f"{job_id}: {step.get('name')}"


def test_every_script_is_valid_bash(workflow_file: Path, tmp_path: Path) -> None:
    for number, (job_id, step) in enumerate(steps(load(workflow_file))):
        if "run" in step:
            script_file = tmp_path / f"{number}.sh"
            script_file.write_text(step["run"], encoding="utf-8")
            checked = subprocess.run(["bash", "-n", str(script_file)], capture_output=True, text=True)
            assert checked.returncode == 0, f"{job_id}: {step.get('name')}: {checked.stderr}"


def test_no_workflow_runs_on_a_trigger_that_lends_a_pull_request_the_base_context(workflow_file: Path) -> None:
    assert not {"pull_request_target", "workflow_run"} & set(load(workflow_file)["on"])


def test_every_job_has_a_time_limit(workflow_file: Path) -> None:
    for job_id, job in load(workflow_file)["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), job_id


# ---- the spot-check workflow ------------------------------------------------------------------

SPOTCHECK = load(REPO / ".github" / "workflows" / "spotcheck.yml")


def test_only_a_maintainer_can_start_a_spotcheck() -> None:
    assert set(SPOTCHECK["on"]) == {"workflow_dispatch"}


@pytest.mark.parametrize("job_id", ["plan", "check"])
def test_pull_request_data_is_refused_then_validated_with_base_code_before_anything_else(job_id: str) -> None:
    job = SPOTCHECK["jobs"][job_id]
    names = [s.get("name", s.get("uses", "")) for s in job["steps"]]
    checkouts = [i for i, s in enumerate(job["steps"]) if s.get("uses", "").startswith("actions/checkout@")]
    base, pr = (job["steps"][i] for i in checkouts)
    assert base["with"]["ref"] == "${{ github.event.repository.default_branch }}" and "path" not in base["with"]
    assert pr["with"]["path"] == "pr" and pr["with"]["sparse-checkout"] == "results"
    refuse = names.index("Refuse symbolic links and submodules in the pull request")
    assert refuse == checkouts[-1] + 1, "links are refused right after the pull request is checked out"
    assert job["steps"][refuse]["run"] == "python3 .github/scripts/refuse_links.py pr"
    validate = names.index("Validate the pull request's results with the base branch's code and seeds")
    body = job["steps"][validate]["run"]
    assert "assemble_root.py --seeds seeds --results pr/results" in body and "reproboard validate --root" in body
    for later in job["steps"][validate + 1:]:
        assert "pr/" not in later.get("run", ""), "later steps read the checked copy, not the checkout"
    between = [n for n in names[refuse + 1:validate] if "Install" not in n and not n.startswith("actions/setup-python@")]
    assert between == [], "only installing the base branch's code comes between refusing and validating"
    if job_id == "check":
        assert names[validate + 1] == "Spot-check and sign"


def test_the_gpu_job_uses_only_its_runner_group_and_environment() -> None:
    check = SPOTCHECK["jobs"]["check"]
    assert check["runs-on"]["group"] == "spotcheck-gpus"
    assert "ephemeral" in check["runs-on"]["labels"]
    assert check["environment"] == "gpu-spotcheck"
    assert check["permissions"] == {"contents": "read"}
    assert check["strategy"]["max-parallel"] <= 4


def test_the_artifact_is_uploaded_from_a_folder_the_job_made() -> None:
    upload = next(s for s in SPOTCHECK["jobs"]["check"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "${{ runner.temp }}/verification/"


# ---- the steps' shell, run -------------------------------------------------------------------

def test_a_failing_listing_fails_the_plan_instead_of_planning_nothing(tmp_path: Path) -> None:
    body = step_named(SPOTCHECK["jobs"]["plan"], "List the changed submitted runs (all of them, or fail)")["run"]
    work = tmp_path / "work"
    shutil.copytree(SCRIPTS, work / ".github" / "scripts")
    fake(work / ".venv" / "bin", "python", f'exec "{sys.executable}" "$@"\n')  # the base branch's environment
    run_file = tmp_path / "checked" / "results/Qwen/Qwen2-7B/2025-01-01-lm-eval.yaml"
    run_file.parent.mkdir(parents=True)
    run_file.write_text("provenance:\n  kind: submitted\n")
    output = tmp_path / "output"
    env = {"GH_TOKEN": "x", "REPO": "o/r", "PR": "7", "RUNNER_TEMP": str(tmp_path), "GITHUB_OUTPUT": str(output)}
    listing = tmp_path / "listing.jsonl"
    listing.write_text('["results/Qwen/Qwen2-7B/2025-01-01-lm-eval.yaml","added"]\n["results/Qwen/Qwen2-7B/model.yaml","added"]\n')

    fake(tmp_path / "ok", "gh", f'case "$1" in api) cat "{listing}";; pr) echo 2;; esac\n')
    done = run_step(body, env, work, tmp_path / "ok")
    assert done.returncode == 0, done.stderr
    assert output.read_text() == 'runs=["results/Qwen/Qwen2-7B/2025-01-01-lm-eval.yaml"]\n'

    output.unlink()
    fake(tmp_path / "broken", "gh", 'case "$1" in api) echo "HTTP 502" >&2; exit 1;; pr) echo 2;; esac\n')
    failed = run_step(body, env, work, tmp_path / "broken")
    assert failed.returncode != 0
    assert not output.exists() or "runs=" not in output.read_text()

    fake(tmp_path / "short", "gh", f'case "$1" in api) cat "{listing}";; pr) echo 3001;; esac\n')
    cut = run_step(body, env, work, tmp_path / "short")
    assert cut.returncode == 1 and "the pull request changes 3001 files but the listing has 2" in cut.stderr


@pytest.mark.parametrize(("ref", "sha", "head", "error"), [
    ("refs/heads/main", "a" * 40, "a" * 40, None),
    ("refs/heads/other", "a" * 40, "a" * 40, "start the spot-check from main"),
    ("refs/heads/main", "a" * 40, "b" * 40, "the pull request moved on from the reviewed commit"),
    ("refs/heads/main", "A" * 40, "A" * 40, "head sha must be 40 lowercase hex digits"),
    ("refs/heads/main", "a" * 40 + "\nx", "a" * 40, "head sha must be 40 lowercase hex digits"),
])
def test_the_plan_starts_only_from_main_at_the_reviewed_head(tmp_path: Path, ref: str, sha: str, head: str, error: str | None) -> None:
    body = step_named(SPOTCHECK["jobs"]["plan"], "The reviewed head, from main")["run"]
    fake(tmp_path / "bin", "gh", f'echo "{head}"\n')
    output = tmp_path / "output"
    env = {"PR_INPUT": "12", "HEAD_INPUT": sha, "DEFAULT_BRANCH": "main", "GH_TOKEN": "x", "REPO": "o/r",
           "GITHUB_REF": ref, "GITHUB_OUTPUT": str(output)}
    done = run_step(body, env, tmp_path, tmp_path / "bin")
    if error is None:
        assert done.returncode == 0, done.stdout + done.stderr
        assert output.read_text() == f"sha={sha}\npr=12\n"
    else:
        assert done.returncode == 1 and error in done.stdout
        assert not output.exists()


def _spotcheck_workspace(tmp_path: Path, exit_code: int, record_as_link: bool = False) -> tuple[Path, dict[str, str]]:
    """A workspace whose `.venv/bin/reproboard` stands in for the GPU re-run: it checks the key
    file it is given (private, the secret's content) and writes a record, or a link."""
    work = tmp_path / "work"
    run_file = "results/Qwen/Qwen2-7B/2025-01-01-lm-eval.yaml"
    checked = tmp_path / "temp" / "checked"
    (checked / run_file).parent.mkdir(parents=True)
    (checked / run_file).write_text("setting:\n  backend: hf\n", encoding="utf-8")
    write = ('ln -s /etc/passwd "${run%.yaml}.verification.yaml"' if record_as_link
             else 'echo "verdict: pass" > "${run%.yaml}.verification.yaml"')
    fake(work / ".venv" / "bin", "reproboard", f'''set -eu
run="$2"; key=""
while [ $# -gt 0 ]; do [ "$1" = --signing-key ] && key="$2"; shift; done
[ "$(stat -c %a "$key")" = 600 ] || {{ echo "key file is not private" >&2; exit 9; }}
[ "$(cat "$key")" = "-----BEGIN PRIVATE KEY-----" ] || {{ echo "wrong key content" >&2; exit 9; }}
[ -z "${{SIGNING_KEY:-}}" ] || {{ echo "the key is still in the environment" >&2; exit 9; }}
echo "$key" > "{tmp_path}/key-path"
{write}
exit {exit_code}
''')
    fake(tmp_path / "bin", "nvidia-smi", 'echo "GPU 0: fake"\n')
    env = {"RUN_FILE": run_file, "HEAD_SHA": "a" * 40, "PR": "12", "RUNNER": "runner-1", "RUNNER_TEMP": str(tmp_path / "temp"),
           "SIGNING_KEY": "-----BEGIN PRIVATE KEY-----", "HF_HUB_OFFLINE": "0"}
    return work, env


@pytest.mark.parametrize("exit_code", [0, 1])
def test_the_spotcheck_step_signs_with_a_private_key_file_removed_afterwards_and_keeps_the_record(tmp_path: Path, exit_code: int) -> None:
    body = step_named(SPOTCHECK["jobs"]["check"], "Spot-check and sign")["run"]
    work, env = _spotcheck_workspace(tmp_path, exit_code)
    done = run_step(body, env, work, tmp_path / "bin")
    assert done.returncode == exit_code, done.stdout + done.stderr
    assert "BEGIN PRIVATE KEY" not in done.stdout + done.stderr
    key = Path((tmp_path / "key-path").read_text().strip())
    assert not key.exists(), "the key file is removed when the step ends"
    kept = tmp_path / "temp" / "verification" / "results/Qwen/Qwen2-7B/2025-01-01-lm-eval.verification.yaml"
    assert kept.read_text() == "verdict: pass\n" and not kept.is_symlink()


def test_the_spotcheck_step_never_copies_a_linked_record(tmp_path: Path) -> None:
    body = step_named(SPOTCHECK["jobs"]["check"], "Spot-check and sign")["run"]
    work, env = _spotcheck_workspace(tmp_path, 0, record_as_link=True)
    done = run_step(body, env, work, tmp_path / "bin")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (tmp_path / "temp" / "verification").exists()


@pytest.mark.parametrize("run_file", ["results/../../x.yaml", "results/a/./b/x.yaml", "seeds/a/b/x.yaml", "results/a/b/x.yml"])
def test_the_spotcheck_step_refuses_an_unexpected_path(tmp_path: Path, run_file: str) -> None:
    body = step_named(SPOTCHECK["jobs"]["check"], "Spot-check and sign")["run"]
    work, env = _spotcheck_workspace(tmp_path, 0)
    done = run_step(body, {**env, "RUN_FILE": run_file}, work, tmp_path / "bin")
    assert done.returncode == 1 and "::error::unexpected path" in done.stdout


def test_the_spotcheck_step_refuses_to_run_without_the_key(tmp_path: Path) -> None:
    body = step_named(SPOTCHECK["jobs"]["check"], "Spot-check and sign")["run"]
    work, env = _spotcheck_workspace(tmp_path, 0)
    done = run_step(body, {**env, "SIGNING_KEY": ""}, work, tmp_path / "bin")
    assert done.returncode == 1 and "no SPOTCHECK_SIGNING_KEY secret" in done.stdout


VALIDATE = load(REPO / ".github" / "workflows" / "validate.yml")
BASE_SIGNERS_STEP = "The base branch's allowed signers (a pull request cannot trust a key it adds)"


def _merge_checkout(tmp_path: Path, base_signers: str | None) -> Path:
    """A checkout like refs/pull/N/merge: first parent the base, second the pull request,
    which brings its own signers list."""
    repo = tmp_path / "checkout"
    (repo / "seeds").mkdir(parents=True)
    (repo / "seeds" / "benchmarks.yaml").write_text("base\n")
    if base_signers is not None:
        (repo / "seeds" / "spotcheck-signers.yaml").write_text(base_signers)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    git(repo, "checkout", "-qb", "pr")
    (repo / "seeds" / "spotcheck-signers.yaml").write_text("schema_version: 1\nsigners: [the contributor's own key]\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "pr")
    git(repo, "checkout", "-q", "main")
    (repo / "seeds" / "benchmarks.yaml").write_text("base, later\n")
    git(repo, "commit", "-qam", "base moves on")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge", "pr")
    return repo


@pytest.mark.parametrize(("base_signers", "trusted"), [
    ("schema_version: 1\nsigners: []  # the base's list\n", "schema_version: 1\nsigners: []  # the base's list\n"),
    (None, "schema_version: 1\nsigners: []\n"),
])
def test_pull_requests_are_validated_with_the_base_branchs_signers(tmp_path: Path, base_signers: str | None, trusted: str) -> None:
    job = VALIDATE["jobs"]["validate"]
    assert job["steps"][0]["with"]["fetch-depth"] == 2
    repo = _merge_checkout(tmp_path, base_signers)
    done = run_step(step_named(job, BASE_SIGNERS_STEP)["run"], {"RUNNER_TEMP": str(tmp_path)}, repo, tmp_path / "no-fakes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "base-signers.yaml").read_text() == trusted
    assert step_named(job, "Validate every result file")["run"].endswith('--signers "$RUNNER_TEMP/base-signers.yaml"')


def test_the_signers_step_refuses_a_checkout_that_is_not_a_merge(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    done = run_step(step_named(VALIDATE["jobs"]["validate"], BASE_SIGNERS_STEP)["run"], {"RUNNER_TEMP": str(tmp_path)}, repo,
                    tmp_path / "no-fakes")
    assert done.returncode == 1 and "HEAD is not the pull request's merge commit" in done.stdout


# ---- refuse_links.py --------------------------------------------------------------------------

def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "pr"
    (repo / "results" / "Qwen").mkdir(parents=True)
    (repo / "results" / "Qwen" / "run.yaml").write_text("a: 1\n", encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "data")
    return repo


def test_plain_pull_request_data_passes(tmp_path: Path) -> None:
    done = script("refuse_links.py", str(_repo(tmp_path)))
    assert done.returncode == 0, done.stdout


def test_a_committed_symbolic_link_is_refused_even_outside_the_sparse_paths(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / "docs").mkdir()
    (repo / "docs" / "x.yaml").symlink_to("/etc/passwd")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "link")
    shutil.rmtree(repo / "docs")  # as a sparse checkout of results/ leaves it out
    done = script("refuse_links.py", str(repo))
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == ('::error::the pull request holds a symbolic link, "docs/x.yaml": '
                                           "refused before anything reads its files")


def test_a_submodule_is_refused(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{'1' * 40},results/Qwen/sub")
    git(repo, "commit", "-qm", "submodule")
    done = script("refuse_links.py", str(repo))
    assert done.returncode == 1 and '"results/Qwen/sub"' in done.stdout and "a submodule" in done.stdout


def test_a_link_on_disk_is_refused_and_its_name_cannot_forge_a_log_line(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / "results" / "Qwen" / "evil\n::warning::ok%0A").symlink_to("../../..")
    done = script("refuse_links.py", str(repo))
    assert done.returncode == 1
    assert done.stdout.splitlines() == ['::error::the pull request holds a symbolic link, "results/Qwen/evil\\n::warning::ok%250A": '
                                        "refused before anything reads its files"]


def test_more_links_than_shown_are_counted(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    for number in range(25):
        (repo / "results" / f"link-{number:02}").symlink_to("Qwen")
    done = script("refuse_links.py", str(repo))
    assert done.returncode == 1
    assert len(done.stdout.splitlines()) == 21 and done.stdout.splitlines()[-1] == "::error::and 5 more symbolic links or submodules"


def test_a_folder_that_is_not_a_checkout_is_an_error_not_a_pass(tmp_path: Path) -> None:
    done = script("refuse_links.py", str(tmp_path))
    assert done.returncode == 1 and "cannot list the commit" in done.stdout


# ---- assemble_root.py: the base branch's code checks the pull request's results -----------------

def _assemble(tmp_path: Path, pr_results: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    base = make_repo(tmp_path / "base")
    root = tmp_path / "checked"
    return script("assemble_root.py", "--seeds", str(base / "seeds"), "--results", str(pr_results), "--into", str(root)), root


def _validate(root: Path) -> Any:
    return CliRunner().invoke(cli, ["validate", "--root", str(root), "--strict", "--format", "github"], catch_exceptions=False)


def test_valid_pull_request_results_pass_against_the_base_seeds(tmp_path: Path) -> None:
    pr = make_repo(tmp_path / "pr")
    # The pull request's own seeds/ is never read: breaking it changes nothing.
    (pr / "seeds" / "benchmarks.yaml").write_text("not: [valid\n", encoding="utf-8")
    done, root = _assemble(tmp_path, pr / "results")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"assembled {root}: ")
    assert _validate(root).exit_code == 0


def test_invalid_pull_request_results_stop_the_spotcheck(tmp_path: Path) -> None:
    pr = make_repo(tmp_path / "pr", EXAMPLES / "negative" / "same-setting-twice")
    done, root = _assemble(tmp_path, pr / "results")
    assert done.returncode == 0, done.stderr
    result = _validate(root)
    assert result.exit_code == 1 and "::error file=results/Qwen/Qwen2-7B/" in result.output


def test_a_link_met_while_copying_is_refused(tmp_path: Path) -> None:
    pr = make_repo(tmp_path / "pr")
    (pr / "results" / "escape").symlink_to("/etc")
    done, root = _assemble(tmp_path, pr / "results")
    assert done.returncode == 1 and '::error::refused: "results/escape" is not a plain file or folder' in done.stderr


def test_a_pull_request_without_results_gives_an_empty_results_folder(tmp_path: Path) -> None:
    done, root = _assemble(tmp_path, tmp_path / "nothing")
    assert done.returncode == 0, done.stderr
    assert list((root / "results").iterdir()) == []
    assert (root / "seeds" / "benchmarks.yaml").is_file()


def test_the_assembled_folder_must_be_new(tmp_path: Path) -> None:
    (tmp_path / "checked").mkdir()
    done, _ = _assemble(tmp_path, tmp_path / "nothing")
    assert done.returncode == 1 and "exists already" in done.stderr


# ---- spotcheck_plan.py -------------------------------------------------------------------------

def _plan(listing: list[Any], changed: int | None = None, *extra: str) -> subprocess.CompletedProcess[str]:
    stdin = "".join(json.dumps(item) + "\n" for item in listing)
    return script("spotcheck_plan.py", "--changed-files", str(len(listing) if changed is None else changed), *extra, stdin=stdin)


def test_the_plan_keeps_every_changed_run_file_and_nothing_else() -> None:
    done = _plan([
        ["results/Qwen/Qwen2-7B/2025-01-02-b.yaml", "modified"],
        ["results/Qwen/Qwen2-7B/2025-01-01-a.yaml", "added"],
        ["results/Qwen/Qwen2-7B/2025-01-03-c.yaml", "removed"],
        ["results/Qwen/Qwen2-7B/model.yaml", "added"],
        ["results/Qwen/Qwen2-7B/2025-01-01-a.verification.yaml", "added"],
        ["results/Qwen/Qwen2-7B/2025-01-01-a.evidence.jsonl.gz", "added"],
        ["results/Qwen/Qwen2-7B/2025-01-04-d.yaml\n", "added"],
        ["results/Qwen/Qwen2\x1b-7B/2025-01-05-e.yaml", "added"],
        ["results/../../2025-01-06-f.yaml", "added"],
        ["results/Qwen/./2025-01-07-g.yaml", "added"],
        ["seeds/Qwen/Qwen2-7B/x.yaml", "added"],
        ["builder/cli.py", "modified"],
    ])
    assert done.returncode == 0, done.stderr
    assert done.stdout == 'runs=["results/Qwen/Qwen2-7B/2025-01-01-a.yaml","results/Qwen/Qwen2-7B/2025-01-02-b.yaml"]\n'


def test_no_run_file_is_said_and_plans_nothing() -> None:
    done = _plan([["README.md", "modified"]])
    assert done.returncode == 0 and done.stdout == "runs=[]\n" and "::notice::no changed submitted run" in done.stderr


def test_more_runs_than_one_spotcheck_takes_fail_loudly() -> None:
    listing = [[f"results/o/m/run-{n:03}.yaml", "added"] for n in range(257)]
    done = _plan(listing)
    assert done.returncode == 1 and done.stdout == ""
    assert "257 submitted runs changed; one spot-check re-runs at most 256" in done.stderr
    assert _plan(listing[:256]).returncode == 0
    assert _plan(listing[:3], None, "--max-runs", "2").returncode == 1


def test_a_listing_shorter_than_the_pull_request_fails_loudly() -> None:
    done = _plan([["results/o/m/run.yaml", "added"]], changed=3001)
    assert done.returncode == 1 and done.stdout == ""
    assert "::error::the pull request changes 3001 files but the listing has 1" in done.stderr


def test_reported_runs_are_named_and_left_out(tmp_path: Path) -> None:
    for name, kind in [("a", "submitted"), ("b", "reported")]:
        path = tmp_path / f"results/o/m/{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"provenance:\n  kind: {kind}\n")
    done = _plan([["results/o/m/a.yaml", "added"], ["results/o/m/b.yaml", "added"]], None, "--root", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout == 'runs=["results/o/m/a.yaml"]\n'
    assert '::notice::not re-run: "results/o/m/b.yaml" is a reported run' in done.stderr
    missing = _plan([["results/o/m/c.yaml", "added"]], None, "--root", str(tmp_path))
    assert missing.returncode == 1 and '"results/o/m/c.yaml" is listed as changed but is not a file' in missing.stderr


@pytest.mark.parametrize("line", ["results/o/m/run.yaml", '{"results/o/m/run.yaml": 1, "added": 2}', '["results/o/m/run.yaml"]',
                                  '["results/o/m/run.yaml", 1]'])
def test_a_garbled_listing_is_an_error(line: str) -> None:
    done = script("spotcheck_plan.py", "--changed-files", "1", stdin=line + "\n")
    assert done.returncode == 1 and "line 1 of the file listing is not a JSON [filename, status] pair" in done.stderr


# ---- zizmor ------------------------------------------------------------------------------------

def test_zizmor_finds_nothing_of_high_severity() -> None:
    zizmor = Path(sys.executable).parent / "zizmor"
    assert zizmor.is_file(), "zizmor comes with the test extra: pip install -e '.[test]'"
    done = subprocess.run([str(zizmor), "--offline", "--no-progress", "--color", "never", "--min-severity", "high", ".github/"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_helper_scripts_are_executable() -> None:
    for path in sorted(SCRIPTS.glob("*.py")):
        assert path.stat().st_mode & stat.S_IXUSR, path.name
