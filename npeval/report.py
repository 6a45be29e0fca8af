"""``nppc report``: plots, CSV/JSON tables and a Markdown summary of one analysis, in one folder.

Layout of ``DIR``::

    summary.md            the headline tables, coverage and data notes, in Markdown
    tracks.md             the plain, code and feedback tracks side by side (when a store has a track run)
    tables/NAME.csv/.json every table of :class:`npeval.analysis.Analysis` (JSON: a list of rows, NaN as null)
    plots/NAME.png        every figure of :mod:`npeval.plots` (and NAME.svg with ``svg=True``)
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from npeval import families, plots, render
from npeval import markdown as md
from npeval.analysis import Analysis
from npeval.coverage import coverage_by_model
from npeval.data import is_baseline
from npeval.plots import Figures
from npeval.tracks import write_track_report

DEFINITIONS = ("Definitions: npeval.stats (aggregates, bootstrap), npeval.scores (ceiling, problem accuracy), "
               "npeval.data (denominators, partial cells), npeval.usage, npeval.markers, npeval.errors, "
               "npeval.detectors.")


@dataclass(frozen=True)
class ReportFiles:
    """What a report wrote: the summary, the tables and the plots."""

    summary: Path
    tables: dict[str, Path]
    plots: Figures


JSON_ROWS = 50_000  # rows of a table turned into JSON text at a time (a per-attempt table has a row per record)


def write_tables(analysis: Analysis, out: Path) -> dict[str, Path]:
    """Write every table of ``analysis`` as CSV and JSON into ``out``; their paths by name."""
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, table in analysis.tables().items():
        table.to_csv(out / f"{name}.csv", index=False)
        write_json_rows(table, out / f"{name}.json")
        written[name] = out / f"{name}.csv"
    return written


def write_json_rows(table: pd.DataFrame, path: Path, rows: int | None = None) -> None:
    """``table.to_json(path, orient="records", indent=1)``, written ``rows`` rows at a time (default
    :data:`JSON_ROWS`), so a million-row table never becomes one string. The file is the same: that format is
    ``[``, newline, the rows' objects joined by a comma and a newline, newline, ``]``."""
    rows = rows or JSON_ROWS
    if len(table) <= rows:
        table.to_json(path, orient="records", indent=1)
        return
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("[\n")
        for start in range(0, len(table), rows):
            text = table.iloc[start:start + rows].to_json(orient="records", indent=1)
            handle.write(("" if start == 0 else ",\n") + text[2:-2])
        handle.write("\n]")


def _number(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "n/a"
    return f"{float(value):.{digits}f}"


def _interval(value, low, high, partial: bool = False, digits: int = 3) -> str:
    if pd.isna(value):
        return "n/a"
    return f"{value:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]" + (" *" if partial else "")


def _plus_minus(value, low, high, partial: bool) -> str:
    """``0.62 ±0.05``: the estimate and half the width of its 95% interval (``–`` when not run)."""
    if pd.isna(value):
        return "\u2013"
    half = (high - low) / 2 if pd.notna(low) and pd.notna(high) else float("nan")
    return f"{value:.2f} ±{_number(half, 2)}" + ("*" if partial else "")


def _ceiling(row) -> str:
    if pd.isna(row.ceiling):
        return "\u2013"
    return f"{row.ceiling:g}{'+' if row.censored else ''} [{row.ci_low:g}-{row.ci_high:g}]"


def _ranking(analysis: Analysis, models: list[str]) -> str:
    aggregates = analysis.aggregates.set_index(["model", "metric"])
    cost = analysis.cost.set_index("model")
    rows = []
    for rank, model in enumerate(models, 1):
        iqm, mean = aggregates.loc[(model, "iqm")], aggregates.loc[(model, "mean")]
        tokens = cost.loc[model, "mean_completion_tokens"] if model in cost.index else float("nan")
        per_correct = cost.loc[model, "cost_per_correct_usd"] if model in cost.index else float("nan")
        rows.append([str(rank), md.escape_text(model) + (" (baseline)" if is_baseline(model) else ""),
                     _interval(iqm["value"], iqm["ci_low"], iqm["ci_high"], bool(iqm["partial"]), digits=2),
                     _number(mean["value"], 2), f"{int(iqm['tasks'])}/{int(iqm['board_tasks'])}",
                     "n/a" if pd.isna(tokens) else f"{tokens:,.0f}",
                     "unknown" if pd.isna(per_correct) else "free" if per_correct == 0 else f"${per_correct:.5f}"])
    return md.table(["#", "model", "IQM [95% CI]", "mean", "tasks", "tokens", "$/correct"], rows,
                    right=[0, 3, 4, 5, 6])


def _family_tables(analysis: Analysis, models: list[str], cell, caption: str) -> str:
    parts = []
    for family, members in families.grouped(analysis.board.problems, "family").items():
        rows = [[md.escape_text(model), *(cell(model, problem) for problem in members)] for model in models]
        legend = ", ".join(f"{families.short_label(p)} = {p}" for p in members if families.short_label(p) != p)
        parts.append(f"\n### {md.escape_text(family.capitalize())}\n\n")
        parts.append(md.table(["model", *(md.escape_text(families.short_label(p)) for p in members)], rows,
                              right=range(1, len(members) + 1)))
        if legend:
            parts.append("\n" + md.prose(f"{caption} {md.escape_text(legend)}."))
    return "".join(parts)


def _partial_cells(analysis: Analysis, limit: int = 40) -> str:
    short = analysis.cells[analysis.cells["status"] == "partial"]
    rows = [[md.escape_text(r.model), md.escape_text(r.problem), str(r.level), f"{r.attempts}/{r.expected}",
             str(r.api_errors)] for r in short.head(limit).itertuples()]
    text = md.table(["model", "problem", "level", "answers", "API errors"], rows, right=[2, 3, 4])
    if len(short) > limit:
        text += f"\n... and {len(short) - limit} more (tables/cells.csv, status partial).\n"
    return text


def summary_markdown(analysis: Analysis, figures: Figures, root: Path) -> str:
    """The report's summary: every table fits 100 columns for names of usual length, every name escaped."""
    board = analysis.board
    models = plots.ranked(analysis, analysis.board.models)
    accuracy = analysis.problem_accuracy.set_index(["model", "problem"])
    ceilings = analysis.ceilings.set_index(["model", "problem"])
    coverage = coverage_by_model(analysis.cells)
    records = board.records
    seeds = sorted(int(s) for s in records["seed"].unique())
    parts = [
        "# nppc report\n\n",
        md.prose(f"{len(board.runs)} runs, {len(records):,} records "
                 f"({int(records['is_api_error'].sum()):,} API errors, "
                 f"counted as missing, not wrong), {records['instance_id'].nunique():,} instances "
                 f"({len(seeds)} seed{'s' if len(seeds) != 1 else ''}), {len(models)} models, "
                 f"{len(board.problems)} problems. Bootstrap: {analysis.n_boot} replicates, seed {analysis.seed}."),
        "\nStores:\n\n", *(md.bullet(md.escape_text(store)) for store in board.stores),
        *(md.bullet("Note: " + md.escape_text(note)) for note in board.notes),
        "\n## Ranking (IQM over run x task scores)\n\n",
        md.prose("IQM with its 95% stratified bootstrap interval; * = built from partial data (see Coverage); "
                 "tasks = (problem, level) pairs with data; tokens = mean completion tokens per answer; "
                 "$/correct counts only answers of known cost."),
        "\n", _ranking(analysis, models),
        "\n## Coverage\n\n", *(md.bullet(f"{md.escape_text(m)}: {md.escape_text(coverage[m].words)}") for m in models),
        "\n## Accuracy per problem (mean over levels), by family\n\n",
        md.prose("Each cell: the accuracy averaged over the problem's levels, +- half the width of its 95% "
                 "interval; * = partial data; \u2013 = not run."),
        _family_tables(analysis, models, lambda m, p: _plus_minus(
            accuracy.loc[(m, p), "accuracy"], accuracy.loc[(m, p), "ci_low"], accuracy.loc[(m, p), "ci_high"],
            bool(accuracy.loc[(m, p), "partial"])), "Columns:"),
        "\n## Ceiling level per problem, by family\n\n",
        md.prose("The highest level L with accuracy >= 50% at every level up to L, with its 95% interval; + = the "
                 "model passed the highest level evaluated; \u2013 = not run."),
        _family_tables(analysis, models, lambda m, p: _ceiling(ceilings.loc[(m, p)]), "Columns:"),
        "\n## Against the baselines\n\n", _versus(analysis),
        f"\n## Partial cells ({int((analysis.cells['status'] == 'partial').sum())})\n\n",
        md.prose("Cells with some but not all expected answers (answers = attempts / expected; cells never run are "
                 "counted under Coverage)."),
        "\n", _partial_cells(analysis),
        "\n## Figures\n\n",
        *(md.bullet(f"[{md.escape_text(name)}]({paths[0].relative_to(root).as_posix()})")
          for name, paths in figures.paths.items()),
        *(md.bullet(f"not drawn: {md.escape_text(name)}: {md.escape_text(reason)}")
          for name, reason in figures.omitted.items()),
        "\n", md.prose(DEFINITIONS),
    ]
    return "".join(parts)


def _versus(analysis: Analysis) -> str:
    versus = analysis.versus_baselines
    rows = [[md.escape_text(r.model), md.escape_text(r.baseline),
             _interval(r.p_improvement, r.ci_low, r.ci_high, digits=2),
             _number(r.accuracy_margin, 2), str(r.common_tasks)] for r in versus.itertuples()]
    return md.table(["model", "baseline", "P(model > baseline) [CI]", "accuracy margin", "common tasks"], rows,
                    right=[3, 4])


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


def figures(analysis: Analysis, out: Path, svg: bool = False, meanwhile: Callable[[], object] | None = None
            ) -> Figures:
    """Every figure of ``analysis`` in ``out`` (PNG, and SVG with ``svg``): drawn once into the analysis cache,
    copied from it afterwards. ``meanwhile`` is done once: while other cores draw (see
    :func:`npeval.render.draw_figures`), or after the copy when nothing is drawn."""
    formats = (render.PNG, render.SVG) if svg else (render.PNG,)
    pending = [meanwhile] if meanwhile is not None else []

    def do_meanwhile() -> None:
        while pending:
            pending.pop()()

    def draw(folder: Path):
        drawn = render.draw_figures(analysis, folder, formats, meanwhile=do_meanwhile)
        return drawn.paths, drawn.omitted

    files, omitted = _cached_files(analysis, "plots-svg" if svg else "plots", draw, out)
    do_meanwhile()  # when nothing was drawn
    return Figures({name: [out / file for file in names] for name, names in files.items()}, dict(omitted))


def tables(analysis: Analysis, out: Path) -> dict[str, Path]:
    """Every table of ``analysis`` as CSV and JSON in ``out``: written once into the analysis cache, then copied."""
    def write(folder: Path):
        return {name: [path, path.with_suffix(".json")] for name, path in write_tables(analysis, folder).items()}, {}

    if analysis.judgements is not None:  # judged after the analysis was cached: these tables are this run's own
        return write_tables(analysis, out)
    files, _ = _cached_files(analysis, "tables", write, out)
    return {name: out / names[0] for name, names in files.items()}


def write_report(analysis: Analysis, out: str | Path, svg: bool = False) -> ReportFiles:
    """Write the tables, the plots and the Markdown summary into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    drawn = figures(analysis, out / "plots", svg,  # the tables are written while other cores draw
                    meanwhile=lambda: written.update(tables(analysis, out / "tables")))
    from npeval.adaptive import adaptive_section  # issue 14's hook: "" unless the board has adaptive runs

    summary = out / "summary.md"
    # None unless a code / feedback run exists (the board's records tell without reading the stores again)
    tracks_section = write_track_report(analysis.board.stores, out, analysis.board.records)
    summary.write_text(summary_markdown(analysis, drawn, out) + adaptive_section(analysis.board, out)
                       + (tracks_section or ""), encoding="utf-8")
    return ReportFiles(summary, written, drawn)
