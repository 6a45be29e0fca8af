"""``nppc report``: plots, CSV/JSON tables and a Markdown summary of one analysis, in one folder.

Layout of ``DIR``::

    summary.md            the headline tables, coverage and data notes, in Markdown
    tracks.md             the plain, code and feedback tracks side by side (when a store has a track run)
    tables/NAME.csv/.json every table of :class:`npeval.analysis.Analysis` (JSON: a list of rows, NaN as null)
    plots/NAME.png/.svg   every figure of :mod:`npeval.plots`
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from npeval import plots
from npeval.analysis import Analysis
from npeval.tracks import write_track_report

DEFINITIONS = ("Definitions: npeval.stats (aggregates, bootstrap), npeval.scores (ceiling, problem accuracy), "
               "npeval.data (denominators, partial cells), npeval.usage, npeval.markers, npeval.errors, "
               "npeval.detectors.")


@dataclass(frozen=True)
class ReportFiles:
    summary: Path
    tables: dict[str, Path]
    plots: dict[str, list[Path]]


def write_tables(analysis: Analysis, out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, table in analysis.tables().items():
        table.to_csv(out / f"{name}.csv", index=False)
        table.to_json(out / f"{name}.json", orient="records", indent=1)
        written[name] = out / f"{name}.csv"
    return written


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(table: pd.DataFrame) -> str:
    if table.empty:
        return "_(none)_\n"
    lines = ["| " + " | ".join(_cell(c) for c in table.columns) + " |",
             "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def _interval(row) -> str:
    if pd.isna(row["value"] if "value" in row else row["accuracy"]):
        return "n/a"
    value = row["value"] if "value" in row else row["accuracy"]
    return f"{value:.3f} [{row['ci_low']:.3f}, {row['ci_high']:.3f}]" + (" *" if row.get("partial") else "")


def summary_markdown(analysis: Analysis, figures: dict[str, list[Path]], root: Path) -> str:
    board = analysis.board
    iqm = analysis.aggregates[analysis.aggregates["metric"] == "iqm"].sort_values("value", ascending=False)
    ranking = pd.DataFrame({
        "model": iqm["model"], "baseline": iqm["is_baseline"].map({True: "yes", False: ""}),
        "IQM [95% CI]": [_interval(row) for _, row in iqm.iterrows()],
        "mean": [_interval(row) for _, row in analysis.aggregates[analysis.aggregates["metric"] == "mean"]
                 .set_index("model").loc[iqm["model"]].reset_index().iterrows()],
        "tasks": [f"{t}/{b}" for t, b in zip(iqm["tasks"], iqm["board_tasks"])]})
    accuracy = analysis.problem_accuracy.assign(cell=[_interval(r) for _, r in analysis.problem_accuracy.iterrows()])
    ceilings = analysis.ceilings.assign(cell=[
        "n/a" if pd.isna(r.ceiling) else f"{r.ceiling:g} [{r.ci_low:g}, {r.ci_high:g}]" + ("+" if r.censored else "")
        for r in analysis.ceilings.itertuples()])
    short = analysis.cells[analysis.cells["status"] != "complete"][
        ["model", "problem", "level", "attempts", "expected", "api_errors", "status"]]
    parts = [
        "# nppc report\n",
        f"Stores: {', '.join(f'`{s}`' for s in board.stores)}. Runs: {len(board.runs)}. Records: {len(board.records)} "
        f"({int(board.records['is_api_error'].sum())} API errors, counted as missing, not wrong). "
        f"Bootstrap: {analysis.n_boot} replicates, seed {analysis.seed}.\n",
        *(f"- Note: {note}\n" for note in board.notes),
        "\n## Ranking (IQM over run x task scores)\n", "`*` = built from partial data.\n\n", markdown_table(ranking),
        "\n## Accuracy per problem (mean over levels, 95% CI)\n",
        markdown_table(accuracy.pivot(index="model", columns="problem", values="cell").reset_index()),
        "\n## Ceiling level (accuracy >= 50% at every level up to it; `+` = reached the top level evaluated)\n",
        markdown_table(ceilings.pivot(index="model", columns="problem", values="cell").reset_index()),
        "\n## Against the baselines (P(model > baseline) and accuracy margin)\n",
        markdown_table(analysis.versus_baselines),
        "\n## Cost per correct answer\n",
        markdown_table(analysis.cost[["model", "attempts", "cost_coverage", "total_cost_usd", "cost_per_correct_usd",
                                      "mean_completion_tokens"]]),
        f"\n## Partial and missing cells ({len(short)})\n", markdown_table(short),
        "\n## Figures\n",
        *(f"- [{name}]({figures_paths[0].relative_to(root).as_posix()})\n" for name, figures_paths in figures.items()),
        f"\n{DEFINITIONS}\n",
    ]
    return "".join(parts)


def write_report(analysis: Analysis, out: str | Path) -> ReportFiles:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tables = write_tables(analysis, out / "tables")
    figures = plots.all_figures(analysis, out / "plots")
    summary = out / "summary.md"
    tracks_section = write_track_report(analysis.board.stores, out)  # None unless a code / feedback run exists
    summary.write_text(summary_markdown(analysis, figures, out) + (tracks_section or ""), encoding="utf-8")
    return ReportFiles(summary, tables, figures)
