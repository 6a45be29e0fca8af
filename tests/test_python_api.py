"""Every command's Python API: it is what the command line calls, so both write the same things; the
packages expose it without importing the heavy libraries until it is used."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

for extra_module in ("pandas", "sklearn"):  # as tests/test_demo.py: the extras the README's install brings
    pytest.importorskip(extra_module, reason="the report and routing APIs need the analysis and route extras")

from npeval.synthetic import SyntheticSpec, write_synthetic_store  # noqa: E402
from nppc.cli import main  # noqa: E402


def untimed(value):
    """``value`` without its seconds (keys ending in ``_s``), which differ from run to run."""
    if isinstance(value, dict):
        return {key: untimed(item) for key, item in value.items() if not key.endswith("_s")}
    return [untimed(item) for item in value] if isinstance(value, list) else value


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("api") / "runs.sqlite"
    return write_synthetic_store(path, SyntheticSpec(models={"lab/a": 0.8, "lab/b": 0.3}, levels=(1, 2), per_seed=3,
                                                     random_seed=5))


def test_the_packages_expose_the_api_lazily():
    code = ("import sys, npeval, leaderboard, nprouter, npsolver\n"
            "heavy = [m for m in ('pandas', 'matplotlib', 'sklearn', 'litellm') if m in sys.modules]\n"
            "import npeval.report, leaderboard.build, nprouter.export  # submodules must not hide the API's names\n"
            "names = [getattr(p, n) for p in (npeval, leaderboard, nprouter) for n in p.__all__]\n"
            "print(heavy, all(callable(x) for x in names), len(names))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["[]", "True", "6"]


def test_report_and_build_from_python_equal_the_commands(store, tmp_path, monkeypatch):
    import leaderboard

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")  # both builds stamp one time, whatever second they start
    import npeval

    files = npeval.report_stores([store], tmp_path / "api-report", bootstrap=50)
    assert main(["report", "--store", str(store), "--out", str(tmp_path / "cli-report"), "--bootstrap", "50"]) == 0
    assert files.summary.read_text() == (tmp_path / "cli-report" / "summary.md").read_text()
    site = leaderboard.build_leaderboard([store], tmp_path / "api-site", bootstrap=50, samples=False)
    assert main(["leaderboard", "build", "--store", str(store), "--out", str(tmp_path / "cli-site"),
                 "--bootstrap", "50", "--no-samples"]) == 0
    assert site.index.read_text() == (tmp_path / "cli-site" / "index.html").read_text()
    assert [row["model"] for row in site.board["rows"]] == ["lab/a", "lab/b"]
    viewer = leaderboard.build_viewer([store], tmp_path / "viewer")
    assert viewer.index.exists() and viewer.records > 0


def test_routing_from_python_equals_the_command(store, tmp_path):
    import nprouter

    dataset = nprouter.export_dataset([store], tmp_path / "data")
    assert set(dataset.records["model_id"]) == {"lab/a", "lab/b"}
    report = nprouter.evaluate_routers(tmp_path / "data", tmp_path / "api-eval", routers=["oracle", "random"],
                                       seeds=(1,), bootstrap=20)
    assert main(["route", "eval", "--data", str(tmp_path / "data"), "--routers", "oracle,random", "--seeds", "1",
                 "--bootstrap", "20", "--out", str(tmp_path / "cli-eval")]) == 0
    written = json.loads((tmp_path / "cli-eval" / "report.json").read_text())
    assert untimed(json.loads((tmp_path / "api-eval" / "report.json").read_text())) == untimed(written)
    assert set(report["routers"]) == set(written["routers"]) == {"oracle", "random"}
