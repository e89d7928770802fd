"""How soon a saved edit to a result file shows on the page `make serve` serves.

    python bench/bench_serve.py [--edits 5]

Copies the repository's own board (seeds/, and results/ if there is one) and docs/ to a
temporary folder, starts `mkdocs serve` on it on a free localhost port, then --edits times changes
the first score of the first reported run, saves the file and polls the model's page
until the new value shows. Prints the start-up time and each edit's latency. Target: every
edit shows within 5 s.
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
TARGET_S = 5.0
_VALUE = re.compile(r"^(\s+value: )([0-9.]+)$", re.MULTILINE)


class _ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml's `!relative $config_dir` is the repository, wherever the copy goes."""


_ConfigLoader.add_constructor("!relative", lambda loader, node: str(REPO))
_ConfigLoader.add_constructor("!ENV", lambda loader, node: None)


def _page(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - localhost
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


def _wait_for(url: str, text: str, seconds: float) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if text in _page(url):
            return time.monotonic() - start
        time.sleep(0.05)
    return None


def _first_reported_run(data: Path) -> Path:
    for path in sorted(data.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if "kind: reported" in text and _VALUE.search(text):
            return path
    raise SystemExit("no reported run with a score to edit")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        data = work / "data"
        for part in ("seeds", "results"):
            if (REPO / part).is_dir():
                shutil.copytree(REPO / part, data / part)
        config = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_ConfigLoader)  # noqa: S506 - our own file
        shutil.copytree(REPO / "docs", work / "docs")  # a copy: an edit to the repository's docs would trigger a rebuild too
        config.update(docs_dir=str(work / "docs"), site_dir=str(work / "site"))
        config["plugins"] = [{"reproboard": {"data_root": str(data)}} if isinstance(p, dict) and "reproboard" in p else p
                             for p in config["plugins"]]
        (work / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
        run = _first_reported_run(data)
        model = yaml.safe_load(run.read_text(encoding="utf-8"))["model"]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        url = f"http://127.0.0.1:{port}/models/{model}/"
        log = (work / "serve.log").open("w")
        server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-f", str(work / "mkdocs.yml"), "-a", f"127.0.0.1:{port}"],
                                  stdout=log, stderr=subprocess.STDOUT, cwd=work)
        try:
            started = _wait_for(url, "</html>", 300)
            if started is None:
                raise SystemExit("mkdocs serve did not come up:\n" + (work / "serve.log").read_text())
            print(f"{run.relative_to(data)}: first build served after {started:.1f} s")
            latencies = []
            for edit in range(args.edits):
                text = run.read_text(encoding="utf-8")
                old = float(_VALUE.search(text).group(2))  # type: ignore[union-attr]
                new = round(old - 1.1 if old > 50 else old + 1.1, 1)
                run.write_text(_VALUE.sub(rf"\g<1>{new}", text, count=1), encoding="utf-8")
                shown = _wait_for(url, f"{new:.1f}", 60)
                latencies.append(shown if shown is not None else float("inf"))
                print(f"edit {edit + 1}: {old:g} -> {new:g} shown after " + (f"{shown:.2f} s" if shown is not None else "never (60 s)"))
                time.sleep(1)
        finally:
            server.terminate()
            server.wait(timeout=10)
            log.close()
        builds = re.findall(r"Documentation built in ([0-9.]+) seconds", (work / "serve.log").read_text(encoding="utf-8"))
    print("MkDocs' own build times, first build first: " + ", ".join(f"{float(b):.1f} s" for b in builds))
    print(f"median {statistics.median(latencies):.2f} s, worst {max(latencies):.2f} s; target {TARGET_S:g} s: "
          + ("met" if max(latencies) <= TARGET_S else "MISSED"))


if __name__ == "__main__":
    main()
