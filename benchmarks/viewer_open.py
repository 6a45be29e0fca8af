"""How fast the sample viewer and the board are built, and how fast the viewer opens one record, on a large store.

    python benchmarks/viewer_open.py --records 100000 --work /tmp/viewer-bench [--opens 20] [--board]

Writes a synthetic store of about RECORDS records (real npgym instances, made-up answers; reused when
it exists), times ``write_viewer`` on it, and (with ``--board``) ``build_site`` with its bootstrap;
then opens the viewer from ``file://`` in headless Chromium at OPENS random records, each a fresh
page load, and reads the time from navigation to the record shown (``body[data-opened-ms]``, set by
``viewer.js``), and the time a filter change takes to show its first page.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from leaderboard import chromium
from leaderboard.viewer import write_viewer
from npeval.synthetic import SyntheticSpec, write_synthetic_store

MODELS = {f"lab/model-{i}": 0.95 - 0.09 * i for i in range(10)}
PROBLEMS = ("vertex_cover", "three_sat", "subset_sum", "partition")
LEVELS = (1, 2, 3, 4, 5)
SEEDS = (1, 2)


def store_of(records: int, work: Path) -> Path:
    per_seed = 25
    samples = max(1, round(records / (len(MODELS) * len(PROBLEMS) * len(LEVELS) * len(SEEDS) * per_seed)))
    path = work / f"bench-{records}.sqlite"
    if not path.exists():
        started = time.perf_counter()
        write_synthetic_store(path, SyntheticSpec(models=MODELS, problems=PROBLEMS, levels=LEVELS, seeds=SEEDS,
                                                  per_seed=per_seed, samples=samples, api_error_rate=0.02))
        print(f"store: {path} written in {time.perf_counter() - started:.0f} s")
    return path


def open_times(index: Path, total: int, opens: int) -> tuple[list[float], list[float]]:
    from selenium.webdriver.support.ui import Select, WebDriverWait

    rng = random.Random(0)
    opened, filtered = [], []
    with tempfile.TemporaryDirectory() as profile:
        driver = chromium.start(profile, width=1600, height=1000)
        try:
            for record in [0, total - 1] + [rng.randrange(total) for _ in range(opens - 2)]:
                driver.get("about:blank")
                driver.get(index.resolve().as_uri() + f"#r={record}")
                WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.body.dataset.openedMs"))
                shown = driver.find_element("css selector", "#detail .facts").text
                assert f"#{record}" in shown, f"record {record} not shown"
                opened.append(float(driver.execute_script("return document.body.dataset.openedMs")))
                select = Select(driver.find_element("css selector", "select[name=problem]"))
                value = rng.choice([o.get_attribute("value") for o in select.options[1:]])
                driver.execute_script("document.body.dataset.ready = ''; window.t0 = performance.now()")
                select.select_by_value(value)
                WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.body.dataset.ready"))
                filtered.append(float(driver.execute_script("return performance.now() - window.t0")))
        finally:
            driver.quit()
    return opened, filtered


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--opens", type=int, default=20)
    parser.add_argument("--board", action="store_true", help="also time the whole site build (with a bootstrap)")
    parser.add_argument("--bootstrap", type=int, default=200)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    store = store_of(args.records, args.work)
    started = time.perf_counter()
    viewer = write_viewer([store], args.work / "viewer")
    print(f"viewer: {viewer.records:,} records, {viewer.groups:,} groups, {viewer.files:,} files, built in "
          f"{time.perf_counter() - started:.1f} s")
    if args.board:
        from leaderboard.build import build_site
        from npeval.analysis import analyse_stores

        started = time.perf_counter()
        analysis = analyse_stores([store], n_boot=args.bootstrap)
        analysed = time.perf_counter()
        build_site(analysis, args.work / "site")
        print(f"board: analysis ({args.bootstrap} bootstrap replicates) {analysed - started:.1f} s, site "
              f"(figures, pages, viewer) {time.perf_counter() - analysed:.1f} s")
    if chromium.available():
        opened, filtered = open_times(viewer.index, viewer.records, args.opens)
        print(f"open one record (navigation to record shown), {len(opened)} loads: median "
              f"{statistics.median(opened):.0f} ms, max {max(opened):.0f} ms")
        print(f"change a filter (to its first page and record): median {statistics.median(filtered):.0f} ms, "
              f"max {max(filtered):.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
