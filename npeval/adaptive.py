"""Ceiling estimates of adaptive runs and grid runs on one footing: tables, a figure, a report section.

Every (model, problem) gets the logistic ceiling model of :mod:`npsolver.ceiling` fitted to its
attempts (correct / attempts per level; API errors are missing, not wrong), once per design:

``adaptive``  the records of one adaptive run (``nppc run --adaptive``), with the run's own prior
              (its problems' reference tops and ``max_level``); its stop reason and decision log
              come from the store's ``adaptive_results`` and ``adaptive_steps`` tables
``grid``      the records of every other run of the model, pooled, with the default prior

so a grid run and an adaptive run of the same model are compared by the same estimator: the
ceiling (posterior median of the 50% crossing level), its 95% interval, and the calls spent.
``censored`` is ``above`` when the interval reaches past the highest level asked (the data do not
bound the ceiling from above: typical of a grid whose top level the model still passes) and
``below`` when the whole interval lies under level 1.

Tables (:class:`AdaptiveTables`): ``adaptive_ceilings`` (one row per model, problem, design),
``adaptive_curves`` (fitted accuracy with its 95% band and the observed accuracy, per level) and
``adaptive_steps`` (every recorded decision). :func:`adaptive_section` writes them as CSV with a
figure and returns the Markdown section of ``summary.md``; it writes nothing for a board without
adaptive runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from npeval import markdown as md
from npeval.data import Board, is_baseline
from npsolver.adaptive_log import AdaptiveLog
from npsolver.ceiling import Posterior, Prior
from npsolver.store import Store

ADAPTIVE, GRID = "adaptive", "grid"
DEFAULT_MAX_LEVEL = 100
CURVE_MARGIN = 2  # levels drawn beyond the data and the interval
CEILING_COLUMNS = ["model", "problem", "design", "runs", "is_baseline", "calls", "levels_asked", "highest_level",
                   "ceiling", "mean", "sd", "ci_low", "ci_high", "width", "censored", "stop_reason"]
CURVE_COLUMNS = ["model", "problem", "design", "runs", "level", "fitted", "band_low", "band_high", "attempts",
                 "correct", "observed"]


@dataclass
class AdaptiveTables:
    """The adaptive runs' tables: fitted ceilings, accuracy curves and every step taken."""

    ceilings: pd.DataFrame
    curves: pd.DataFrame
    steps: pd.DataFrame

    @property
    def has_adaptive(self) -> bool:
        """Whether any ceiling comes from an adaptive run (not only from grid runs)."""
        return bool((self.ceilings["design"] == ADAPTIVE).any()) if len(self.ceilings) else False

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by the file name the report writes them under."""
        return {"adaptive_ceilings": self.ceilings, "adaptive_curves": self.curves, "adaptive_steps": self.steps}


def _reference_top(problem: str) -> int:
    from npgym.registry import get_problem

    try:
        return get_problem(problem).card.top_level
    except (KeyError, ValueError):  # a problem this install does not know: treat it like most cards
        return 10


def _designs(board: Board) -> dict[str, dict]:
    """run_id -> the adaptive part of its configuration ({} for a grid run)."""
    if not len(board.runs):
        return {}
    return {row["run_id"]: (row["config"] or {}).get("adaptive") or {} for _, row in board.runs.iterrows()}


def has_adaptive_runs(board: Board) -> bool:
    """Whether a run on the board was adaptive (its configuration says so): only then is there a section to fit."""
    return any(_designs(board).values())


def _log_rows(stores: tuple[str, ...]) -> tuple[list[dict], list[dict]]:
    steps, results = [], []
    for path in stores:
        with Store(path, readonly=True) as store:
            log = AdaptiveLog(store, create=False)
            steps += [{**row, "store": path} for row in log.step_rows()]
            results += [{**row, "store": path} for row in log.results()]
    return steps, results


def _fit(prior: Prior, counts: dict[int, tuple[int, int]], key: dict, stop_reason: str | None) -> tuple[dict, list]:
    posterior = Posterior(prior, counts)
    summary = posterior.summary()
    highest = max(counts) if counts else 0
    censored = "below" if summary.high < 1 else "above" if summary.high > highest + 0.5 else ""
    row = {**key, "calls": sum(n for _, n in counts.values()), "levels_asked": len(counts), "highest_level": highest,
           **summary.to_dict(), "width": summary.width, "censored": censored, "stop_reason": stop_reason}
    top = min(prior.max_level, max(highest, math.ceil(summary.high)) + CURVE_MARGIN)
    curve = []
    for level in range(1, top + 1):
        fitted, low, high = posterior.accuracy_band(level)
        correct, attempts = counts.get(level, (0, 0))
        curve.append({**key, "level": level, "fitted": fitted, "band_low": low, "band_high": high,
                      "attempts": attempts, "correct": correct,
                      "observed": correct / attempts if attempts else float("nan")})
    return row, curve


def adaptive_tables(board: Board) -> AdaptiveTables:
    """Fit every (model, problem, design) of the board (see the module docstring)."""
    designs = _designs(board)
    step_rows, result_rows = _log_rows(board.stores)
    stops = {(r["run_id"], r["problem"]): r["stop_reason"] for r in result_rows}
    attempts = board.attempts
    group = attempts["run_id"].map(lambda run: run if designs.get(run) else GRID)
    counts = (attempts.assign(group=group).groupby(["model", "problem", "group", "level"])["is_correct"]
              .agg(["sum", "size"]).reset_index())
    ceilings, curves = [], []
    for (model, problem, run), rows in counts.groupby(["model", "problem", "group"], sort=True):
        per_level = {int(r.level): (int(r.sum), int(r.size)) for r in rows.itertuples()}
        rule = designs.get(run) or {}
        if rule:
            prior = Prior(top=int(rule["tops"].get(problem, _reference_top(problem))),
                          max_level=int(rule["max_level"]))
            runs = run
        else:
            prior = Prior(top=_reference_top(problem), max_level=max(DEFAULT_MAX_LEVEL, max(per_level) + 1))
            runs = ";".join(sorted(attempts.loc[(group == GRID) & (attempts["model"] == model) &
                                                (attempts["problem"] == problem), "run_id"].unique()))
        key = {"model": model, "problem": problem, "design": ADAPTIVE if rule else GRID, "runs": runs,
               "is_baseline": is_baseline(model)}
        row, curve = _fit(prior, per_level, key, stops.get((run, problem)) if rule else None)
        ceilings.append(row)
        curves += curve
    step_table = pd.DataFrame(step_rows)
    if len(step_table):
        models = {r["run_id"]: r["model"] for _, r in board.runs.iterrows()}
        step_table.insert(1, "model", step_table["run_id"].map(models))
    return AdaptiveTables(pd.DataFrame(ceilings, columns=CEILING_COLUMNS),
                          pd.DataFrame(curves, columns=CURVE_COLUMNS), step_table)


def ceiling_cell(row) -> str:
    """``7.42 [6.91, 7.88] · 110 calls``, with ``+`` / ``-`` when censored above / below."""
    mark = {"above": "+", "below": "-"}.get(row["censored"], "")
    return f"{row['ceiling']:.2f}{mark} [{row['ci_low']:.2f}, {row['ci_high']:.2f}] · {int(row['calls'])} calls"


def comparison(tables: AdaptiveTables) -> pd.DataFrame:
    """One row per (model, design, runs), one column per problem: the ceiling cell."""
    ceilings = tables.ceilings.assign(cell=[ceiling_cell(r) for _, r in tables.ceilings.iterrows()])
    wide = ceilings.pivot_table(index=["model", "design", "runs"], columns="problem", values="cell", aggfunc="first")
    return wide.reset_index().rename_axis(columns=None).fillna("")


def curves_figure(tables: AdaptiveTables, out: Path) -> list[Path]:
    """Fitted curves with their 95% bands and the observed accuracies, one panel per problem."""
    from matplotlib import colormaps
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    problems = sorted(tables.curves["problem"].unique())
    columns = min(3, len(problems))
    rows = math.ceil(len(problems) / columns)
    figure = Figure(figsize=(4.6 * columns, 3.3 * rows))
    FigureCanvasAgg(figure)
    series = sorted({(r.model, r.design, r.runs) for r in tables.curves.itertuples()})
    palette = colormaps["tab10"]
    colours = {item: palette(index % 10) for index, item in enumerate(series)}
    for index, problem in enumerate(problems):
        axes = figure.add_subplot(rows, columns, index + 1)
        for (model, design, runs), curve in tables.curves[tables.curves["problem"] == problem].groupby(
                ["model", "design", "runs"], sort=True):
            colour = colours[(model, design, runs)]
            style = "--" if design == GRID else "-"
            axes.plot(curve["level"], curve["fitted"], style, color=colour, label=f"{model} ({design})")
            axes.fill_between(curve["level"], curve["band_low"], curve["band_high"], color=colour, alpha=0.15,
                              linewidth=0)
            seen = curve[curve["attempts"] > 0]
            axes.scatter(seen["level"], seen["observed"], s=6 + 2 * np.sqrt(seen["attempts"] * 4), color=colour,
                         alpha=0.7, linewidths=0)
        axes.axhline(0.5, color="grey", linewidth=0.6)
        axes.set_title(problem, fontsize=9)
        axes.set_ylim(-0.03, 1.03)
        axes.set_xlabel("level", fontsize=8)
        axes.set_ylabel("accuracy", fontsize=8)
    handles, labels = figure.axes[0].get_legend_handles_labels() if figure.axes else ([], [])
    if handles:
        figure.legend(handles, labels, loc="lower center", fontsize=7, ncol=min(3, len(labels)), frameon=False)
    figure.tight_layout(rect=(0, 0.04 + 0.02 * math.ceil(len(labels) / 3), 1, 1))
    paths = []
    for extension in ("png", "svg"):
        path = out / f"adaptive_curves.{extension}"
        figure.savefig(path, dpi=110)
        paths.append(path)
    return paths


def adaptive_section(board: Board, out: str | Path, tables: AdaptiveTables | None = None) -> str:
    """Write the adaptive tables (``tables/``) and figure (``plots/``) under ``out``; return the Markdown section.

    Returns "" and writes nothing when no run on the board is adaptive.
    """
    if tables is None and not has_adaptive_runs(board):
        return ""
    tables = tables if tables is not None else adaptive_tables(board)
    if not tables.has_adaptive:
        return ""
    out = Path(out)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    (out / "plots").mkdir(parents=True, exist_ok=True)
    for name, table in tables.tables().items():
        table.to_csv(out / "tables" / f"{name}.csv", index=False)
    figure = curves_figure(tables, out / "plots")
    wide = comparison(tables)
    # model and run ids are user text and are escaped; the ceiling cells are our own numbers
    rows = [[md.escape_text(value) for value in row[:3]] + list(row[3:]) for row in wide.itertuples(index=False)]
    return "".join([
        "\n## Ceiling level from the fitted accuracy curve (adaptive and grid runs)\n\n",
        md.prose("The level where a logistic curve fitted to correct / attempts per level crosses 50%: posterior "
                 "median, 95% interval and calls used; + = the interval reaches past the highest level asked, "
                 "- = it lies below level 1. Model, prior and design rule: npsolver.ceiling; tables: "
                 "npeval.adaptive."), "\n",
        md.table([md.escape_text(name) for name in wide.columns], rows),
        f"\nDecisions logged: {len(tables.steps)} steps ([adaptive_steps.csv](tables/adaptive_steps.csv)); curves: "
        f"[{figure[0].name}]({figure[0].relative_to(out).as_posix()}).\n",
    ])
