"""No valid board makes a report fail: intervals that miss their point, a figure that cannot be drawn, the cache."""

from __future__ import annotations

import numpy as np
import pytest

from npeval import plots, render, stats
from npeval.analysis import analyse_stores
from npeval.report import write_report


def test_an_interval_that_misses_its_point_is_flagged_and_drawn_clipped():
    assert list(stats.excludes_point([0.0028, 0.5, np.nan, 0.3], [0.0004, 0.4, 0.1, np.nan],
                                     [0.0022, 0.6, 0.2, np.nan])) == [True, False, False, False]
    assert plots.error_bar(0.0028, 0.0004, 0.0022) == [[pytest.approx(0.0024)], [0.0]]  # no bar above the point
    assert plots.error_bar(0.5, 0.6, 0.7) == [[0.0], [pytest.approx(0.2)]]
    assert plots.error_bar(0.5, np.nan, np.nan) == [[0.0], [0.0]]


def test_iqm_and_median_on_small_cells_can_miss_their_point_and_the_report_still_draws_them(store_path, tmp_path):
    analysis = analyse_stores([store_path], n_boot=60, seed=0)
    aggregates = analysis.aggregates
    # the IQM of a model near zero sits above its replicates (as on the 108k board): make every IQM and median so
    for metric in ("iqm", "median"):
        rows = aggregates["metric"] == metric
        aggregates.loc[rows, "ci_low"] = aggregates.loc[rows, "value"] + 0.01
        aggregates.loc[rows, "ci_high"] = aggregates.loc[rows, "value"] + 0.05
    aggregates["ci_excludes_point"] = stats.excludes_point(aggregates["value"], aggregates["ci_low"],
                                                           aggregates["ci_high"])
    figures = render.draw_figures(analysis, tmp_path / "plots")
    assert not any(reason.startswith("failed") for reason in figures.omitted.values())
    assert (tmp_path / "plots" / "aggregates.png").read_bytes()[:4] == b"\x89PNG"
    assert "aggregates" in figures.paths


def test_a_figure_that_fails_is_skipped_and_named_in_the_summary(store_path, tmp_path, monkeypatch, capsys):
    analysis = analyse_stores([store_path], n_boot=30, seed=0)
    analysis.cache_folder = None  # draw here, not from the cache

    def broken(*args, **kwargs):
        raise ValueError("'xerr' must not contain negative values")

    monkeypatch.setattr(plots, "heatmap", broken)
    files = write_report(analysis, tmp_path / "report")
    assert "heatmap" not in files.plots.paths and "aggregates" in files.plots.paths
    summary = files.summary.read_text()
    assert "not drawn: heatmap: failed: ValueError: 'xerr' must not contain negative values" in summary
    assert "figure heatmap skipped" in capsys.readouterr().err


def test_a_figure_whose_file_cannot_be_written_is_skipped_and_named(store_path, tmp_path, monkeypatch):
    from npeval import render

    analysis = analyse_stores([store_path], n_boot=30, seed=0)
    write = render.write_png

    def full_disk(pixels, path):
        if path.stem == "aggregates":
            path.write_bytes(b"half a PNG")
            raise OSError("No space left on device")
        write(pixels, path)

    monkeypatch.setattr(render, "write_png", full_disk)
    figures = render.draw_figures(analysis, tmp_path / "plots")
    assert figures.omitted["aggregates"] == "failed: OSError: No space left on device"
    assert not (tmp_path / "plots" / "aggregates.png").exists() and "heatmap" in figures.paths
    assert all(path.is_file() for paths in figures.paths.values() for path in paths)


def test_the_site_reuses_the_reports_analysis_and_figures(store_path, tmp_path, analysis_cache):
    from leaderboard.build import build_site
    from npeval import analysis as analysis_module

    first = analyse_stores([store_path], n_boot=40, seed=5)
    write_report(first, tmp_path / "report")
    drawn = sorted(p.name for p in (first.cache_folder / "plots").iterdir())
    second = analyse_stores([store_path], n_boot=40, seed=5)
    assert second.cache_folder == first.cache_folder and second.aggregates.equals(first.aggregates)
    site = build_site(second, tmp_path / "site")
    assert sorted(p.name for p in (site.root / "plots").iterdir()) == drawn
    assert sorted(p.name for p in (site.root / "tables").iterdir()) == \
        sorted(p.name for p in (tmp_path / "report" / "tables").iterdir())
    other = analyse_stores([store_path], n_boot=40, seed=6)  # other settings: other work
    assert other.cache_folder != first.cache_folder
    assert analysis_module.cached_folder([str(store_path)], 40, 5, ("wait",)) != first.cache_folder


def test_text_findings_are_cached_per_record_and_recomputed_for_other_markers(store_path, tmp_path, monkeypatch):
    from npeval import findings, markers
    from npeval.data import load_board

    board = load_board([store_path])
    pattern = markers.marker_pattern(markers.DEFAULT_MARKERS)
    first = findings.text_findings(board, pattern, tmp_path / "findings.sqlite")
    assert len(first) == len(board.attempts) and first["aha"].sum() > 0

    def never(*args):
        raise AssertionError("a cached record was searched again")

    monkeypatch.setattr(findings, "findings_of", never)
    again = findings.text_findings(board, pattern, tmp_path / "findings.sqlite")
    assert again.astype(object).equals(first.astype(object))
    with pytest.raises(AssertionError, match="searched again"):
        findings.text_findings(board, markers.marker_pattern(["hmm"]), tmp_path / "findings.sqlite")


def test_a_judged_report_writes_its_judgements_beside_the_cached_tables(store_path, tmp_path):
    import pandas as pd

    analysis = analyse_stores([store_path], n_boot=40, seed=5)
    write_report(analysis, tmp_path / "plain")
    analysis.judgements = pd.DataFrame({"judge_model": ["j"], "model": ["lab/weak"], "level": [1],
                                        "category": ["gave_up"], "count": [1], "share": [1.0]})
    files = write_report(analysis, tmp_path / "judged")
    assert "judgements" in files.tables and (tmp_path / "judged" / "tables" / "judgements.csv").exists()
    assert not (tmp_path / "plain" / "tables" / "judgements.csv").exists()
