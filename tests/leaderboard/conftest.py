"""Two synthetic stores (two submitters), one with model names that hold HTML and script, and a model card
file whose texts hold markup too."""

import pytest

from leaderboard.build import build_site
from npeval.analysis import analyse_stores
from npeval.synthetic import SyntheticSpec, write_synthetic_store

EVIL_IMG = "<img src=x onerror=alert(1)>"
EVIL_SCRIPT = "</script><script>alert(2)</script>"
CARDS = """card_version = 1
[[model]]
id = "lab/strong"
provider = "Strong Lab"
parameters = 7e10
weights = "open"
release_date = 2025-01-31
reasoning_effort = "high"
[[model]]
id = "<img src=x onerror=alert(1)>"
provider = "<b onmouseover=alert(3)>Evil</b>"
weights = "closed"
notes = "<script>alert(4)</script>"
url = "javascript:alert(5)"
"""


@pytest.fixture(scope="session")
def evil_names():
    return EVIL_IMG, EVIL_SCRIPT


@pytest.fixture(scope="session")
def stores(tmp_path_factory):
    root = tmp_path_factory.mktemp("board")
    first = write_synthetic_store(root / "first.sqlite", SyntheticSpec(
        models={"lab/strong": 0.95, "baseline/random": 0.1}, levels=(1, 2), per_seed=3, random_seed=1))
    second = write_synthetic_store(root / "second.sqlite", SyntheticSpec(
        models={EVIL_IMG: 0.6, EVIL_SCRIPT: 0.4}, levels=(1, 2), per_seed=3, api_error_rate=0.1,
        drop_cells={(EVIL_SCRIPT, "three_sat", 2)}, unpriced={EVIL_SCRIPT}, random_seed=2,
        run_config={"note": "<b>bold</b>"}))
    return first, second


@pytest.fixture(scope="session")
def cards_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("cards") / "models.toml"
    path.write_text(CARDS, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def site(tmp_path_factory, stores, cards_file):
    root = tmp_path_factory.mktemp("site")
    return build_site(analyse_stores(stores, n_boot=100, seed=0), root / "site", card_files=[cards_file])
