"""How fast `reproboard build` renders a big board, and how heavy and quick the result is.

    python bench/bench_build.py [--models 5000] [--benchmarks 40] [--repeat N] [--keep DIR] [--no-browser] [--no-single]

Writes a synthetic repository (bench/synthetic.py: N models x M benchmarks, one reported
run per model), builds the site with the repository's mkdocs.yml in a fresh process, and
prints:

- total build time, split into the builder's own stages (validate, aggregate, render
  pages and downloads) and the rest of MkDocs' build;
- peak memory (resident set) of the build process;
- the home page's transfer size, gzip-compressed: the HTML alone, and the HTML with every
  stylesheet and script it loads;
- in headless Chromium (Debian's, driven by Playwright): time to sort the leaderboard by a
  column and to filter it by a search, each including the DOM update and layout;
- the bilingual build (the repository's mkdocs.yml: English and Chinese) against the same
  site in English only (mkdocs.yml without the i18n plugin), unless `--no-single`: the
  second language must cost at most half of the first (bilingual <= 1.5x single).

- the site's weight (what GitHub Pages counts against its 1 GB), by kind, per model, and
  scaled per model to 20,000 models.

Targets on a 2-core machine: build under 60 s, the builder's stages at most 15 % of it,
home page at most 400 KB compressed, sort or filter under 100 ms, site at most 200 MB at
5,000 models and under 1 GB at 20,000.
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
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import write_corpus  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"

_CHILD = r"""
import json, resource, sys
from pathlib import Path
from builder.render.build import build_site
result = build_site(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
peak_kb = max(u.ru_maxrss for u in usage)
cpu = sum(u.ru_utime + u.ru_stime for u in usage)
print(json.dumps({"timings": result.timings, "pages": result.pages, "models": result.models, "peak_mb": peak_kb / 1024, "cpu": cpu}))
"""


def single_language_config() -> Path:
    """mkdocs.yml without the i18n plugin: the English site alone. Written beside mkdocs.yml (its paths are relative)."""
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    start, end = text.index("\n  - i18n:\n"), text.index("\n  - reproboard:")
    path = REPO / ".bench-mkdocs-single.yml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    return path


def build(corpus: Path, site: Path, config: Path = REPO / "mkdocs.yml") -> dict:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CHILD, str(corpus), str(config), str(site)],
                          capture_output=True, text=True, env=env, cwd=REPO)
    wall = time.perf_counter() - started
    if done.returncode:
        sys.exit(done.stderr[-4000:])
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["wall"] = wall
    return figures


def compressed(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def home_transfer(site: Path) -> tuple[int, int, list[str]]:
    html = (site / "index.html").read_text(encoding="utf-8")
    assets = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html) + re.findall(r'<script[^>]+src="([^"]+)"', html)
    files = [site / a.split("?")[0] for a in assets if not a.startswith(("http:", "https:", "//"))]
    # The benchmark columns are fetched only when the reader shows one; count them apart.
    page = compressed(site / "index.html")
    return page, page + sum(compressed(f) for f in files if f.is_file()), [str(f.relative_to(site)) for f in files]


def site_weight(site: Path) -> tuple[int, int, dict[str, int]]:
    """Bytes and files of the whole site, and bytes by kind: what GitHub Pages counts against its 1 GB."""
    total, files = 0, 0
    kinds = {"model pages": 0, "other HTML": 0, "api/": 0, "search index": 0, "the rest": 0}
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        size, files, inside = path.stat().st_size, files + 1, path.relative_to(site).as_posix()
        total += size
        if inside.endswith(".html"):
            kinds["model pages" if inside.startswith(("models/", "zh/models/")) else "other HTML"] += size
        elif inside.startswith("api/"):
            kinds["api/"] += size
        elif inside.startswith("search/"):
            kinds["search index"] += size
        else:
            kinds["the rest"] += size
    return total, files, kinds


def browser_latency(site: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    server = subprocess.Popen([sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1", "-d", str(site)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = server.stdout.readline()  # "Serving HTTP on 127.0.0.1 port N ..."
        port = int(re.search(r"port (\d+)", line).group(1))  # type: ignore[union-attr]
        profile = tempfile.mkdtemp(prefix="rb-chromium-")
        with sync_playwright() as p:
            browser = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True, args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"])
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("#rb-controls:not([hidden])")
            measure = """([selector, action]) => {
                const times = [];
                for (let i = 0; i < 5; i++) {
                    const t0 = performance.now();
                    if (action === 'click') document.querySelector(selector).click();
                    else { const box = document.querySelector(selector); box.value = i % 2 ? '' : '00042'; box.dispatchEvent(new Event('input', {bubbles: true})); }
                    document.body.offsetHeight;  // force layout
                    times.push(performance.now() - t0);
                }
                times.sort((a, b) => a - b);
                return times[2];
            }"""
            figures = {
                "sort_by_score_ms": page.evaluate(measure, ['th[data-key="score"]', "click"]),
                "sort_by_name_ms": page.evaluate(measure, ['th[data-key="name"]', "click"]),
                "filter_by_search_ms": page.evaluate(measure, ["#rb-search", "input"]),
            }
            browser.close()
        shutil.rmtree(profile, ignore_errors=True)
        return figures
    finally:
        server.terminate()
        server.wait()


def _spread(values: list[float], unit: str = " s", digits: int = 1) -> str:
    """`median (min-max)` of several runs, or the one value."""
    if len(values) == 1:
        return f"{values[0]:.{digits}f}{unit}"
    return f"{statistics.median(values):.{digits}f}{unit} ({min(values):.{digits}f}-{max(values):.{digits}f} over {len(values)} runs)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, default=5000)
    parser.add_argument("--benchmarks", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=1, help="Build this many times (bilingual and English only, alternately) and print medians.")
    parser.add_argument("--keep", type=Path, help="Keep the corpus and the site in this folder.")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-single", action="store_true", help="Skip the English-only build that the bilingual one is compared with.")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="rb-bench-build-"))
    corpus = work / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    write_corpus(corpus, args.models, args.benchmarks)
    bilingual: list[dict] = []
    english: list[dict] = []
    for i in range(args.repeat):
        # A fresh folder for every build, and nothing deleted until the end: removing a site
        # (and the file system's work after it) would slow the build that follows.
        site = work / f"site-{i}"
        os.sync()
        bilingual.append(build(corpus, site))
        if not args.no_single:
            config = single_language_config()
            try:
                os.sync()
                english.append(build(corpus, work / f"site-single-{i}", config))
            finally:
                config.unlink()
    totals = [f["timings"]["total"] for f in bilingual]
    figures = bilingual[totals.index(sorted(totals)[len(totals) // 2])]  # the median run, for the breakdown
    t = figures["timings"]

    def own_stages(f: dict) -> float:
        return f["timings"]["validate"] + f["timings"]["aggregate"] + f["timings"]["render"]

    own = own_stages(figures)
    shares = [100 * own_stages(f) / f["timings"]["total"] for f in bilingual]
    page, transfer, assets = home_transfer(site)
    print(f"corpus: {args.models} models x {args.benchmarks} benchmarks, {figures['pages']} generated pages, {os.cpu_count()} cores")
    print(f"build: {_spread(totals)} in the build process ({figures['wall']:.1f} s with interpreter start, median run)")
    print(f"  builder's own stages: {own:.1f} s = {_spread(shares, ' %')} "
          f"(validate {t['validate']:.1f} s, aggregate {t['aggregate']:.1f} s, render {t['render']:.1f} s)")
    print(f"  MkDocs and the theme: {t['mkdocs']:.1f} s")
    print(f"peak memory: {figures['peak_mb']:.0f} MB")
    if english:
        s = english[len(english) // 2]["timings"]
        ratios = [b["timings"]["total"] / e["timings"]["total"] for b, e in zip(bilingual, english)]
        print(f"English only: {_spread([e['timings']['total'] for e in english])} ({english[0]['pages']} pages; render {s['render']:.1f} s, "
              f"MkDocs {s['mkdocs']:.1f} s, {english[0]['peak_mb']:.0f} MB)")
        print(f"bilingual / English only: {_spread(ratios, '', 2)} (target <= 1.5; each bilingual build against the English one after it)")
        # Processor time moves far less than wall time when the disk is busy: the same ratio, counted in it.
        cpu_ratios = [b["cpu"] / e["cpu"] for b, e in zip(bilingual, english)]
        print(f"  in processor time (user + system, worker processes included): {_spread(cpu_ratios, '', 2)}")
    print(f"home page, gzip: {page / 1024:.0f} KB HTML; {transfer / 1024:.0f} KB with its {len(assets)} stylesheets and scripts")
    total, files, kinds = site_weight(site)
    print(f"site weight: {total / 1e6:.0f} MB in {files} files (target <= 200 MB at 5,000 models; GitHub Pages' limit 1 GB): "
          + ", ".join(f"{kind} {size / 1e6:.0f} MB" for kind, size in kinds.items()))
    # GitHub Pages' limit at 20,000 models: what there is one of per model (model pages, downloads, search index) scaled
    # by the number of models, the rest as built (the other pages list at most a few hundred models each, except the
    # home and charts pages, which add a few MB more). An estimate, not a build.
    grown = kinds["model pages"] + kinds["api/"] + kinds["search index"]
    per_model = grown / args.models
    print(f"  per model: {per_model / 1e3:.1f} kB (model pages {kinds['model pages'] / args.models / 1e3:.1f} kB, "
          f"api/ {kinds['api/'] / args.models / 1e3:.1f} kB); at 20,000 models, these scaled per model and the rest as built: "
          f"{(per_model * 20000 + total - grown) / 1e6:.0f} MB (GitHub Pages' limit 1 GB)")
    columns = site / "api" / "benchmark-columns.json"
    print(f"  benchmark columns (fetched when first shown): {compressed(columns) / 1024:.0f} KB gzip")
    if not args.no_browser and Path(CHROMIUM).exists():
        for name, value in browser_latency(site).items():
            print(f"chromium: {name} = {value:.1f} ms (median of 5)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
