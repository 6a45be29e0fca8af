"""A synthetic run store shared by the npeval tests (real SQLite, real npgym instances, made-up answers)."""

import pytest

from npeval.synthetic import SyntheticSpec, write_synthetic_store

SPEC = SyntheticSpec(models={"lab/strong": 0.95, "lab/weak": 0.5, "baseline/random": 0.1}, api_error_rate=0.06,
                     drop_cells={("lab/weak", "three_sat", 3)}, unpriced={"lab/weak"}, random_seed=3)


@pytest.fixture(scope="session")
def store_path(tmp_path_factory):
    return write_synthetic_store(tmp_path_factory.mktemp("eval") / "runs.sqlite", SPEC)
