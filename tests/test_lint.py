"""The repository passes its own lint and type checks (configured in pyproject.toml), as CI runs them."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_tool(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    assert importlib.util.find_spec("ruff"), "ruff is missing: the test extra pins it (scripts/install.sh all,test)"
    result = run_tool(sys.executable, "-m", "ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_finds_nothing():
    """From a cold cache mypy takes about 50 s on the six packages, so it belongs to the slow tier."""
    assert importlib.util.find_spec("mypy"), "mypy is missing: the test extra pins it (scripts/install.sh all,test)"
    result = run_tool(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout + result.stderr
