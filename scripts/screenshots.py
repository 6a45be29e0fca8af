"""Build a 10-model synthetic board (and, if given, the demo's store) and screenshot the site in headless Chromium.

    python scripts/screenshots.py --work /tmp/shots [--demo-store demo/runs.sqlite] [--docs docs/]

Writes PNGs of the index, a problem page, a model page and the sample viewer at 1280 and 2560 px into
``WORK/shots/``; with ``--docs`` it also copies the three README screenshots (index, problem page and
viewer of the synthetic board at 1280 px) there. Needs the analysis and test extras and Chromium.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from leaderboard import chromium
from leaderboard.build import build_site
from npeval.analysis import analyse_stores
from npeval.synthetic import SyntheticSpec, write_synthetic_store
from npgym.registry import problem_ids
from npgym.suites import CORE

DOCS_HEIGHT = 1350  # px of each README screenshot
MODELS = {"acme/reasoner-xl": 0.97, "deepthink/r2": 0.92, "frontier/omni": 0.86, "acme/reasoner-mini": 0.8,
          "openlab/llama-like-70b": 0.74, "cheap/flash": 0.62, "openlab/llama-like-8b": 0.5, "small/edge-1b": 0.35,
          "baseline/exact": 1.0, "baseline/random": 0.06}
CARDS = """card_version = 1
[[model]]
id = "acme/reasoner-xl"
provider = "Acme AI"
parameters = "unknown"
weights = "closed"
release_date = "2025-09-01"
reasoning_effort = "high"
[[model]]
id = "deepthink/r2"
provider = "DeepThink"
parameters = 6.7e11
weights = "open"
release_date = "2025-05-20"
reasoning_effort = "high"
[[model]]
id = "frontier/omni"
provider = "Frontier Labs"
weights = "closed"
release_date = "2025-03-11"
reasoning_effort = "medium"
[[model]]
id = "acme/reasoner-mini"
provider = "Acme AI"
weights = "closed"
release_date = "2025-09-01"
reasoning_effort = "low"
[[model]]
id = "openlab/llama-like-70b"
provider = "OpenLab"
parameters = 7e10
weights = "open"
release_date = "2024-12-06"
reasoning_effort = "none"
[[model]]
id = "cheap/flash"
provider = "Cheap Inc."
weights = "closed"
release_date = "2025-01-15"
reasoning_effort = "none"
notes = "the provider reports no prices: cost unknown"
[[model]]
id = "openlab/llama-like-8b"
provider = "OpenLab"
parameters = 8e9
weights = "open"
release_date = "2024-07-23"
reasoning_effort = "none"
[[model]]
id = "small/edge-1b"
provider = "Small Models"
parameters = 1.2e9
weights = "open"
release_date = "2025-02-02"
reasoning_effort = "none"
notes = "run on level 1 of the core problems only"
"""


def ten_model_board(work: Path) -> tuple[Path, Path]:
    """(store, model-card file) of the synthetic board: every problem, levels 1-4, a partial and an unpriced model."""
    problems = tuple(problem_ids())
    levels = (1, 2, 3, 4)
    dropped = {("small/edge-1b", p, level) for p in problems for level in levels if not (p in CORE and level == 1)}
    store = write_synthetic_store(work / "ten-models.sqlite", SyntheticSpec(
        models=MODELS, problems=problems, levels=levels, seeds=(1, 2), per_seed=3, api_error_rate=0.02,
        drop_cells=dropped, unpriced={"cheap/flash"}, random_seed=7))
    cards = work / "models.toml"
    cards.write_text(CARDS, encoding="utf-8")
    return store, cards


def shoot(site: Path, out: Path, name: str, problem: str, samples: str) -> list[Path]:
    """Screenshots of the index, ``problem``'s page, the models page and the viewer at ``samples`` (its filters)."""
    pages = {"index": ("index.html", "#board tbody tr"), "problem": (f"problems/{problem}.html", "h1"),
             "model": ("models/index.html", "h1"),
             "viewer": (f"samples/index.html#{samples}", "#detail .detail-head")}
    shots = []
    with tempfile.TemporaryDirectory() as profile:
        driver = chromium.start(profile)
        try:
            for width in (1280, 2560):
                for page, (path, ready) in pages.items():
                    target = out / f"{name}-{page}-{width}.png"
                    file, _, fragment = path.partition("#")
                    url = (site / file).resolve().as_uri() + (f"#{fragment}" if fragment else "")
                    shots.append(chromium.screenshot(driver, url, target, width, ready=ready))
            errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
            if errors:
                raise RuntimeError(f"the browser logged errors on {name}: {errors}")
        finally:
            driver.quit()
    return shots


def main() -> int:
    """Build the demo sites and take the screenshots; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", required=True, type=Path, help="folder for the stores, sites and screenshots")
    parser.add_argument("--demo-store", type=Path, help="also build and shoot the site of this store (nppc demo's)")
    parser.add_argument("--demo-cards", type=Path, help="model cards of the demo's store")
    parser.add_argument("--docs", type=Path, help="copy the README screenshots here")
    parser.add_argument("--bootstrap", type=int, default=500, help="bootstrap replicates (500)")
    args = parser.parse_args()
    shots = args.work / "shots"
    shots.mkdir(parents=True, exist_ok=True)
    store, cards = ten_model_board(args.work)
    site = args.work / "site-ten"
    build_site(analyse_stores([store], n_boot=args.bootstrap), site, card_files=[cards])
    taken = shoot(site, shots, "ten", "vertex_cover", "model=acme%2Freasoner-xl&problem=vertex_cover")
    if args.demo_store:
        demo_site = args.work / "site-demo"
        build_site(analyse_stores([args.demo_store], n_boot=args.bootstrap), demo_site,
                   card_files=[args.demo_cards] if args.demo_cards else [])
        taken += shoot(demo_site, shots, "demo", "vertex_cover", "model=gemma-3-270m")
    if args.docs:
        args.docs.mkdir(parents=True, exist_ok=True)
        from PIL import Image  # matplotlib's own dependency

        for page in ("index", "problem", "viewer"):  # the first screenful of each page
            with Image.open(shots / f"ten-{page}-1280.png") as image:
                top = image.crop((0, 0, image.width, min(image.height, DOCS_HEIGHT)))
                top.save(args.docs / f"leaderboard-{page}.png")
    print("\n".join(str(path) for path in taken))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
