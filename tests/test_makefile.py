"""What `make test` installs: the CPU build of torch, and only the missing system packages.

The recipes run for real under `make`; the programs they would call to change the
machine (pip, apt-get) are stand-ins on PATH or in a throw-away venv that record their
arguments and answer as the machine being imitated would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _executable(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)


def _fake_venv(tmp_path: Path, *, installed: str | None, pip_would_pick: str, index_reachable: bool) -> tuple[Path, Path]:
    """A venv whose python answers the recipe's questions and logs every pip command."""
    venv, log = tmp_path / "venv", tmp_path / "pip.log"
    (venv / "bin").mkdir(parents=True)
    report = json.dumps({"install": [{"metadata": {"name": "torch", "version": pip_would_pick}}]})
    _executable(venv / "bin" / "python", f"""#!/bin/sh
if [ "$1" = -m ]; then
  echo "$*" >> {log}
  case "$*" in *--dry-run*) echo '{report}';; esac
  exit 0
fi
case "$2" in
  *importlib.metadata*) {"exit 0" if installed == "2.13.0" else "exit 1"};;
  *urllib.request*) exit {0 if index_reachable else 1};;
  *) exec {sys.executable} "$@";;
esac
""")
    return venv, log


def _make(target: str, tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{tmp_path / 'shims'}:{os.environ['PATH']}"}
    args = ["make", "--no-print-directory", "-C", str(REPO), target, *(f"{k}={v}" for k, v in variables.items())]
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=60, check=False)


def _pip_installs(log: Path) -> list[str]:
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return [line for line in lines if "--dry-run" not in line]


def test_a_plain_pip_setup_gets_torch_from_the_cpu_index(tmp_path: Path) -> None:
    venv, log = _fake_venv(tmp_path, installed=None, pip_would_pick="2.13.0", index_reachable=True)  # PyPI's: the CUDA build
    done = _make("install-torch", tmp_path, VENV=str(venv))
    assert done.returncode == 0, done.stderr
    assert _pip_installs(log) == ["-m pip --disable-pip-version-check install --quiet --index-url "
                                  "https://download.pytorch.org/whl/cpu torch==2.13.0"]


def test_a_cpu_build_that_pips_configuration_finds_is_taken_as_is(tmp_path: Path) -> None:
    venv, log = _fake_venv(tmp_path, installed=None, pip_would_pick="2.13.0+cpu", index_reachable=False)
    done = _make("install-torch", tmp_path, VENV=str(venv))
    assert done.returncode == 0, done.stderr
    assert _pip_installs(log) == ["-m pip --disable-pip-version-check install --quiet torch==2.13.0"]
    assert done.stderr == ""


def test_an_unreachable_cpu_index_falls_back_with_a_warning(tmp_path: Path) -> None:
    venv, log = _fake_venv(tmp_path, installed=None, pip_would_pick="2.13.0", index_reachable=False)
    done = _make("install-torch", tmp_path, VENV=str(venv))
    assert done.returncode == 0, done.stderr
    assert _pip_installs(log) == ["-m pip --disable-pip-version-check install --quiet torch==2.13.0"]
    assert "warning: https://download.pytorch.org/whl/cpu cannot be reached" in done.stderr and "CUDA build" in done.stderr


def test_an_installed_torch_of_the_pinned_version_is_kept(tmp_path: Path) -> None:
    venv, log = _fake_venv(tmp_path, installed="2.13.0", pip_would_pick="2.13.0", index_reachable=True)
    done = _make("install-torch", tmp_path, VENV=str(venv))
    assert done.returncode == 0, done.stderr
    assert not log.exists()


def _system_shims(tmp_path: Path, installed: set[str]) -> Path:
    shims, log = tmp_path / "shims", tmp_path / "apt.log"
    shims.mkdir()
    known = " ".join(sorted(installed))
    _executable(shims / "dpkg-query", f"""#!/bin/sh
for asked; do :; done  # the last argument: the package
for package in {known}; do [ "$package" = "$asked" ] && printf installed && exit 0; done
exit 1
""")
    _executable(shims / "id", "#!/bin/sh\necho 0\n")
    _executable(shims / "apt-get", f"#!/bin/sh\necho \"$*\" >> {log}\n")
    return log


def test_as_root_only_missing_packages_are_installed_and_none_upgraded(tmp_path: Path) -> None:
    log = _system_shims(tmp_path, installed={"chromium", "chromium-driver"})
    done = _make("browser", tmp_path)
    assert done.returncode == 0, done.stderr
    assert log.read_text(encoding="utf-8").splitlines() == ["update -qq", "install -y -qq --no-upgrade fonts-noto-cjk"]


def test_with_every_package_installed_apt_is_not_run(tmp_path: Path) -> None:
    log = _system_shims(tmp_path, installed={"chromium", "chromium-driver", "fonts-noto-cjk"})
    done = _make("browser", tmp_path)
    assert (done.returncode, done.stdout) == (0, "")
    assert not log.exists()
