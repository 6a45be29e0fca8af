"""``adaptive.html``: fitted ceilings of adaptive and grid runs side by side (see :mod:`npeval.adaptive`).

Written only when the board holds an adaptive run; the same rows go into ``leaderboard.json`` under
``adaptive`` so the data is machine-readable too.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from leaderboard.html import figure, page
from npeval.adaptive import AdaptiveTables, adaptive_section, adaptive_tables, ceiling_cell, has_adaptive_runs
from npeval.data import Board

ROW_FIELDS = ("model", "problem", "design", "runs", "is_baseline", "calls", "ceiling", "ci_low", "ci_high", "width",
              "censored", "stop_reason")


def add_adaptive(board: Board, out: Path, document: dict[str, Any]) -> Path | None:
    """Write ``adaptive.html`` (with its tables and figure) and put its rows in ``document``.

    Returns the page's path, or None (and writes nothing) when no run on the board is adaptive.
    """
    if not has_adaptive_runs(board):
        return None
    tables = adaptive_tables(board)
    if not tables.has_adaptive:
        return None
    adaptive_section(board, out, tables)
    from leaderboard.build import clean

    document["adaptive"] = clean([{name: row[name] for name in ROW_FIELDS} for _, row in tables.ceilings.iterrows()])
    path = out / "adaptive.html"
    path.write_text(adaptive_html(tables), encoding="utf-8")
    return path


def adaptive_html(tables: AdaptiveTables) -> str:
    """The adaptive-ceilings page: each problem, model and design's fitted ceiling level."""
    ceilings = tables.ceilings.sort_values(["problem", "model", "design"])
    rows = "".join(
        f'<tr><td>{escape(str(r["problem"]))}</td><td class="model">{escape(str(r["model"]))}</td>'
        f'<td>{escape(str(r["design"]))}</td><td>{escape(ceiling_cell(r))}</td>'
        f'<td>{escape(str(r["stop_reason"] or ""))}</td><td>{escape(str(r["runs"]))}</td></tr>'
        for _, r in ceilings.iterrows())
    body = f"""<main>
<h1>Ceiling level from the fitted accuracy curve</h1>
<p class="note">For every model and problem, a logistic curve of accuracy against level is fitted to the attempts
(grid runs pooled; each adaptive run on its own). The ceiling is the level where it crosses 50% (posterior median),
with its 95% interval and the calls spent; + means the interval reaches past the highest level asked, - that it lies
below level 1. Adaptive runs chose each next level from the answers so far and stopped when the interval was narrow
enough or their budget was spent. Data: <a href="tables/adaptive_ceilings.csv">adaptive_ceilings.csv</a>,
<a href="tables/adaptive_curves.csv">adaptive_curves.csv</a>, decisions:
<a href="tables/adaptive_steps.csv">adaptive_steps.csv</a>.</p>
<table><tr><th>problem</th><th class="model">model</th><th>design</th><th>ceiling [95% interval] · calls</th>
<th>stopped by</th><th>runs</th></tr>{rows}</table>
<h2>Fitted curves</h2>
{figure("plots/adaptive_curves.png", "fitted accuracy by level with 95% bands; dots: observed accuracy")}
</main>"""
    return page("nppc: adaptive ceilings", body)
