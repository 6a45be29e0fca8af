"""``nppc report``: plots, CSV/JSON tables and a Markdown summary of one analysis, in one folder.

Layout of ``DIR``::

    summary.md            the headline tables, coverage and data notes, in Markdown
    tables/NAME.csv/.json every table of :class:`npeval.analysis.Analysis` (JSON: a list of rows, NaN as null)
    plots/NAME.png/.svg   every figure of :mod:`npeval.plots`
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from npeval import plots
from npeval.analysis import Analysis

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


def summary_markdown(analysis: Analysis, figures: dict[str, list[Path]], root: Path,
                     skipped: dict[str, str] | None = None) -> str:
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
        *(f"- {name}: not drawn ({_cell(error)})\n" for name, error in (skipped or {}).items()),
        f"\n{DEFINITIONS}\n",
    ]
    return "".join(parts)


def _cached_files(analysis: Analysis, kind: str, make, out: Path) -> tuple[dict[str, list[str]], dict]:
    """The files ``make(folder)`` writes for ``analysis``, made once into its cache entry and copied into ``out``.

    ``make`` returns (name -> files, notes); both are kept in ``<kind>.json`` beside the files.
    """
    out.mkdir(parents=True, exist_ok=True)
    if analysis.cache_folder is None:
        made, notes = make(out)
        return {name: [Path(p).name for p in paths] for name, paths in made.items()}, notes
    kept, index = analysis.cache_folder / kind, analysis.cache_folder / f"{kind}.json"
    if not index.exists():
        shutil.rmtree(kept, ignore_errors=True)
        made, notes = make(kept)
        listing = {"files": {name: [Path(p).name for p in paths] for name, paths in made.items()}, "notes": notes}
        index.write_text(json.dumps(listing), encoding="utf-8")
    listing = json.loads(index.read_text(encoding="utf-8"))
    for files in listing["files"].values():
        for file in files:
            shutil.copyfile(kept / file, out / file)
    return listing["files"], listing["notes"]


def figures(analysis: Analysis, out: Path, skipped: dict[str, str] | None = None) -> dict[str, list[Path]]:
    """Every figure of ``analysis`` in ``out``: drawn once into the analysis cache, copied from it afterwards.

    ``skipped`` receives the figures that could not be drawn (name -> error), as from
    :func:`npeval.plots.all_figures`.
    """
    def draw(folder: Path):
        failed: dict[str, str] = {}
        return plots.all_figures(analysis, folder, failed), failed

    files, failed = _cached_files(analysis, "plots", draw, out)
    if skipped is not None:
        skipped.update(failed)
    return {name: [out / file for file in names] for name, names in files.items()}


def tables(analysis: Analysis, out: Path) -> dict[str, Path]:
    """Every table of ``analysis`` as CSV and JSON in ``out``: written once into the analysis cache, then copied."""
    def write(folder: Path):
        return {name: [path, path.with_suffix(".json")] for name, path in write_tables(analysis, folder).items()}, {}

    if analysis.judgements is not None:  # judged after the analysis was cached: these tables are this run's own
        return write_tables(analysis, out)
    files, _ = _cached_files(analysis, "tables", write, out)
    return {name: out / names[0] for name, names in files.items()}


def write_report(analysis: Analysis, out: str | Path) -> ReportFiles:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = tables(analysis, out / "tables")
    skipped: dict[str, str] = {}
    drawn = figures(analysis, out / "plots", skipped)
    summary = out / "summary.md"
    summary.write_text(summary_markdown(analysis, drawn, out, skipped), encoding="utf-8")
    return ReportFiles(summary, written, drawn)
