"""How the built site answers a reader, in headless Chromium, on a big synthetic board.

    python bench/bench_site.py [--models 5000] [--benchmarks 40] [--site DIR] [--repeat 7]

Builds the synthetic repository (bench/synthetic.py, as bench_build.py does; or takes an
already built `--site`), serves it on 127.0.0.1 and measures, in Debian's Chromium driven
by Playwright:

- the home page's first-paint transfer: every response the page loads until it is idle,
  each gzip-compressed (what a server that compresses sends), and the largest of them;
- sort, filter, search and page on the home table: from the event to the next frame
  (the script's work, the DOM update, style, layout and paint), median of `--repeat`;
- the compare page with four models: from the moment their JSON files are in to the
  next frame after the comparison is drawn, median of `--repeat`.

Targets (issue 11): first-paint transfer <= 400 KB; every table action <= 100 ms; the
comparison <= 300 ms.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_build import build  # noqa: E402
from synthetic import write_corpus  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

# One action on the home table, then the time to the next frame: a requestAnimationFrame
# callback runs before the frame is painted, a message posted from it after.
TO_NEXT_FRAME = """async ([action, arg]) => {
    const t0 = performance.now();
    if (action === 'click') document.querySelector(arg).click();
    else if (action === 'select') { const s = document.querySelector(arg[0]); s.value = arg[1]; s.dispatchEvent(new Event('input', {bubbles: true})); }
    else if (action === 'type') { const box = document.querySelector(arg[0]); box.value = arg[1]; box.dispatchEvent(new Event('input', {bubbles: true})); }
    await new Promise(done => requestAnimationFrame(() => { const c = new MessageChannel(); c.port1.onmessage = done; c.port2.postMessage(0); }));
    return performance.now() - t0;
}"""

ACTIONS = [
    ("sort by score", "click", 'th[data-key="score"]'),
    ("sort by name", "click", 'th[data-key="name"]'),
    ("sort by a category", "click", 'th[data-key^="cat:"]'),
    ("filter by organisation", "select", ["#rb-org", "Organisation 007"]),
    ("filter off", "select", ["#rb-org", ""]),
    ("search one word", "type", ["#rb-search", "00042"]),
    ("search two words, any order", "type", ["#rb-search", "chat model 04"]),
    ("search cleared", "type", ["#rb-search", ""]),
    ("next page", "click", "button.rb-next"),
]


def serve(site: Path) -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen([sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1", "-d", str(site)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    port = re.search(r"port (\d+)", server.stdout.readline())  # type: ignore[union-attr]
    assert port, "http.server did not start"
    return server, f"http://127.0.0.1:{port.group(1)}"


def measure(site: Path, repeat: int) -> dict:
    from playwright.sync_api import sync_playwright

    server, base = serve(site)
    profile = tempfile.mkdtemp(prefix="rb-chromium-")
    figures: dict = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
                                                           viewport={"width": 1440, "height": 900})
            page = browser.new_page()
            loaded: list[tuple[str, int, int]] = []

            def record(response) -> None:  # type: ignore[no-untyped-def]
                try:
                    body = response.body()
                except Exception:  # a redirect or an aborted request has no body
                    return
                loaded.append((response.url[len(base):], len(body), len(gzip.compress(body, compresslevel=6, mtime=0))))

            page.on("response", record)
            page.goto(base + "/")
            page.wait_for_selector("#rb-controls:not([hidden])")
            page.wait_for_load_state("networkidle")
            page.remove_listener("response", record)
            figures["transfer"] = loaded

            times: dict[str, list[float]] = {}
            for _ in range(repeat):
                for name, action, arg in ACTIONS:
                    times.setdefault(name, []).append(page.evaluate(TO_NEXT_FRAME, [action, arg]))
                page.click('th[data-key="rank"]')  # back to the rank order: every round starts alike
            figures["table"] = {name: statistics.median(values) for name, values in times.items()}
            figures["rows"] = page.evaluate("document.getElementById('rb-board').rbState.shown.length")

            index = json.loads((site / "api" / "model-index.json").read_text(encoding="utf-8"))
            picked = ",".join(index["id"][:4])
            compare: list[float] = []
            for _ in range(repeat):
                page.goto(f"{base}/compare/?m={picked}")
                page.wait_for_function("window.rbCompareTiming && window.rbCompareTiming.models === 4")
                timing = page.evaluate("window.rbCompareTiming")
                compare.append(timing["drawn"] - timing["loaded"])
            figures["compare"] = statistics.median(compare)
            figures["compare_rows"] = page.locator("#rb-compare tbody tr").count()
            browser.close()
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(profile, ignore_errors=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, default=5000)
    parser.add_argument("--benchmarks", type=int, default=40)
    parser.add_argument("--site", type=Path, help="An already built site (bench_build.py --keep DIR leaves one in DIR/site-0).")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="Build into this folder and keep the corpus and the site (DIR/site) for --site.")
    args = parser.parse_args()
    work = None
    site = args.site
    if site is None:
        work = args.keep or Path(tempfile.mkdtemp(prefix="rb-bench-site-"))
        write_corpus(work / "corpus", args.models, args.benchmarks)
        site = work / "site"
        built = build(work / "corpus", site)
        print(f"built {built['models']} models in {built['timings']['total']:.1f} s")
    load_before = os.getloadavg()[0]
    try:
        f = measure(site, args.repeat)
    finally:
        if work is not None and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    total_raw = sum(r for _, r, _ in f["transfer"])
    total_gz = sum(g for _, _, g in f["transfer"])
    print(f"home page, first paint: {len(f['transfer'])} responses, {total_gz / 1024:.0f} KB gzip ({total_raw / 1024:.0f} KB raw); target <= 400 KB")
    for url, raw, gz in sorted(f["transfer"], key=lambda r: -r[2])[:5]:
        print(f"  {gz / 1024:7.1f} KB gzip  {raw / 1024:8.1f} KB raw  {url}")
    print(f"home table, {f['rows']} rows, event to next frame (median of {args.repeat}); target <= 100 ms:")
    for name, ms in f["table"].items():
        print(f"  {name:<30} {ms:6.1f} ms")
    print(f"load average (1 min) before / after the browser: {load_before:.1f} / {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"compare page, 4 models ({f['compare_rows']} rows): data in to next frame {f['compare']:.1f} ms (median of {args.repeat}); target <= 300 ms")


if __name__ == "__main__":
    main()
