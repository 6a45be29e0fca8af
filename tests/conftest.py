"""Shared test settings: hypothesis profiles (CI runs a few more examples than a quick local run)."""

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("default", deadline=None, max_examples=25,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(autouse=True, scope="session")
def analysis_cache(tmp_path_factory):
    """Every test session gets its own analysis cache, so no test reads another run's (or a user's) cache."""
    folder = tmp_path_factory.mktemp("nppc-cache")
    previous = os.environ.get("NPPC_CACHE_DIR")
    os.environ["NPPC_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("NPPC_CACHE_DIR", None)
    else:
        os.environ["NPPC_CACHE_DIR"] = previous


@pytest.fixture
def workers_for_any_board(monkeypatch):
    """Work that goes to a worker on a big board with a spare core goes to one here, whatever the board and load."""
    from npeval import early, workers

    monkeypatch.setattr(early, "PARALLEL_FROM", 1)
    monkeypatch.setattr(workers, "spare_cores", lambda: 1)
