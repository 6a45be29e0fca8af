"""Two synthetic stores (two submitters), one with model names that hold HTML and script."""

import pytest

from npeval.analysis import analyse_stores
from npeval.synthetic import SyntheticSpec, write_synthetic_store
from leaderboard.build import build_site

EVIL_IMG = "<img src=x onerror=alert(1)>"
EVIL_SCRIPT = "</script><script>alert(2)</script>"


@pytest.fixture(scope="session")
def evil_names():
    return EVIL_IMG, EVIL_SCRIPT


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("board")
    first = write_synthetic_store(root / "first.sqlite", SyntheticSpec(
        models={"lab/strong": 0.95, "baseline/random": 0.1}, levels=(1, 2), per_seed=3, random_seed=1))
    second = write_synthetic_store(root / "second.sqlite", SyntheticSpec(
        models={EVIL_IMG: 0.6, EVIL_SCRIPT: 0.4}, levels=(1, 2), per_seed=3, api_error_rate=0.1,
        unpriced={EVIL_SCRIPT}, random_seed=2, run_config={"note": "<b>bold</b>"}))
    return build_site(analyse_stores([first, second], n_boot=100, seed=0), root / "site")
