"""Adaptive analysis: fitted ceilings of adaptive and grid runs on one board, the report section, the site page."""

from __future__ import annotations

import json

import pytest

from leaderboard.build import build_site
from npeval import adaptive
from npeval.adaptive import ADAPTIVE, GRID, adaptive_section, adaptive_tables, has_adaptive_runs
from npeval.analysis import analyse
from npeval.data import load_board
from npsolver import run_adaptive, run_model
from npsolver.adaptive_log import AdaptiveLog
from npsolver.store import Store

LOW = "baseline/synthetic:ceiling=3.5,slope=1.5"
HIGH = "baseline/synthetic:ceiling=9.5,slope=1.2"
PROBLEMS = ["vertex_cover", "three_sat"]


@pytest.fixture(scope="module")
def mixed_store(tmp_path_factory):
    """An adaptive run of LOW, and a grid run (levels 1-6) plus an adaptive run of HIGH."""
    path = tmp_path_factory.mktemp("adaptive") / "runs.sqlite"
    run_adaptive(LOW, path, problems=PROBLEMS, max_level=30, progress=False)
    run_adaptive(HIGH, path, problems=PROBLEMS, max_level=30, progress=False)
    run_model(HIGH, path, problems=PROBLEMS, levels=[1, 2, 3, 4, 5, 6], count=10, progress=False)
    return path


@pytest.fixture(scope="module")
def tables(mixed_store):
    return adaptive_tables(load_board([mixed_store]))


def test_every_model_problem_and_design_gets_one_fitted_row(tables):
    keys = sorted(zip(tables.ceilings["model"], tables.ceilings["problem"], tables.ceilings["design"]))
    assert keys == sorted([(LOW, p, ADAPTIVE) for p in PROBLEMS] + [(HIGH, p, d) for p in PROBLEMS
                                                                     for d in (ADAPTIVE, GRID)])
    grid = tables.ceilings[tables.ceilings["design"] == GRID]
    assert set(grid["calls"]) == {60} and grid["stop_reason"].isna().all()


def test_the_analysis_reproduces_the_posterior_the_run_stopped_with(tables, mixed_store):
    with Store(mixed_store, readonly=True) as store:
        logged = AdaptiveLog(store, create=False).results()
    assert len(logged) == 4
    fitted = tables.ceilings.set_index(["runs", "problem"])
    for result in logged:
        row = fitted.loc[(result["run_id"], result["problem"])]
        assert row["stop_reason"] == result["stop_reason"] and row["calls"] == result["calls"]
        assert (row["ceiling"], row["ci_low"], row["ci_high"]) == pytest.approx(
            (result["ceiling"], result["ci_low"], result["ci_high"]))


def test_a_grid_below_the_ceiling_is_censored_and_the_adaptive_run_brackets_it(tables):
    high = tables.ceilings[tables.ceilings["model"] == HIGH].set_index(["problem", "design"])
    for problem in PROBLEMS:
        grid, adaptive = high.loc[(problem, GRID)], high.loc[(problem, ADAPTIVE)]
        assert grid["censored"] == "above" and grid["highest_level"] == 6
        assert adaptive["censored"] == "" and adaptive["width"] < grid["width"]
        assert adaptive["ci_low"] - 1 <= 9.5 <= adaptive["ci_high"] + 1


def test_curves_hold_their_bands_and_the_observed_counts(tables):
    curves = tables.curves
    assert (curves["band_low"] <= curves["fitted"] + 1e-12).all()
    assert (curves["fitted"] <= curves["band_high"] + 1e-12).all()
    seen = curves[curves["attempts"] > 0]
    assert (seen["observed"] == seen["correct"] / seen["attempts"]).all()
    calls = curves.groupby(["model", "problem", "design"])["attempts"].sum()
    assert calls.to_dict() == tables.ceilings.set_index(["model", "problem", "design"])["calls"].to_dict()


def test_api_errors_are_missing_not_wrong(store_path):
    board = load_board([store_path])
    fitted = adaptive_tables(board).ceilings
    attempts = board.attempts.groupby(["model", "problem"]).size()
    assert fitted.set_index(["model", "problem"])["calls"].to_dict() == attempts.to_dict()
    assert int(board.records["is_api_error"].sum()) > 0


def test_the_report_section_writes_tables_and_a_figure_only_for_adaptive_boards(tmp_path, mixed_store, store_path):
    section = adaptive_section(load_board([mixed_store]), tmp_path / "with")
    assert "Ceiling level from the fitted accuracy curve" in section and LOW in section and "calls" in section
    for name in ("tables/adaptive_ceilings.csv", "tables/adaptive_curves.csv", "tables/adaptive_steps.csv",
                 "plots/adaptive_curves.png", "plots/adaptive_curves.svg"):
        assert (tmp_path / "with" / name).stat().st_size > 0
    assert adaptive_section(load_board([store_path]), tmp_path / "without") == ""
    assert not (tmp_path / "without").exists()


def test_the_site_gets_an_adaptive_page_and_rows_only_when_a_run_is_adaptive(tmp_path, mixed_store, store_path):
    site = build_site(analyse(load_board([mixed_store]), n_boot=50), tmp_path / "site")
    page = (site.root / "adaptive.html").read_text()
    assert "Ceiling level from the fitted accuracy curve" in page and "plots/adaptive_curves.png" in page
    assert 'href="adaptive.html"' in site.index.read_text()
    document = json.loads((site.root / "leaderboard.json").read_text())
    assert {(r["model"], r["design"]) for r in document["adaptive"]} == {(LOW, ADAPTIVE), (HIGH, ADAPTIVE),
                                                                        (HIGH, GRID)}
    plain = build_site(analyse(load_board([store_path]), n_boot=50), tmp_path / "plain")
    assert not (plain.root / "adaptive.html").exists() and "adaptive.html" not in plain.index.read_text()
    assert "adaptive" not in json.loads((plain.root / "leaderboard.json").read_text())


def test_a_board_without_adaptive_runs_fits_nothing_for_the_report_or_the_site(tmp_path, mixed_store, store_path,
                                                                             monkeypatch):
    from leaderboard.adaptive_page import add_adaptive

    assert has_adaptive_runs(load_board([mixed_store])) and not has_adaptive_runs(load_board([store_path]))
    from leaderboard import adaptive_page

    for module in (adaptive, adaptive_page):
        monkeypatch.setattr(module, "adaptive_tables", lambda board: pytest.fail("fitted a grid-only board"))
    board = load_board([store_path])
    assert adaptive_section(board, tmp_path / "report") == ""
    assert add_adaptive(board, tmp_path / "site", {}) is None
