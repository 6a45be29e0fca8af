"""Figures of an analysis, drawn with matplotlib's object API on the Agg canvas (no pyplot state).

Each figure is written as PNG and SVG. Partial cells are drawn with hollow markers and missing ones
leave a gap, so a reader sees where data is short; baselines are dashed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from npeval.analysis import Analysis
from npeval.data import is_baseline

FORMATS = ("png", "svg")
OUTCOME_STYLE = {"correct": "-", "wrong": "--"}


def slug(text: str) -> str:
    """A file-name-safe form of a problem or model id."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(text)).strip("_") or "x"


def _colours(models: list[str]) -> dict[str, tuple]:
    from matplotlib import colormaps

    palette = colormaps["tab10"]
    return {model: palette(index % 10) for index, model in enumerate(models)}


def _save(figure: Figure, out: Path, name: str) -> list[Path]:
    FigureCanvasAgg(figure)
    figure.tight_layout()
    paths = []
    for extension in FORMATS:
        path = out / f"{name}.{extension}"
        figure.savefig(path, dpi=110)
        paths.append(path)
    return paths


def accuracy_by_level(analysis: Analysis, problem: str, out: Path) -> list[Path]:
    cells = analysis.cells[analysis.cells["problem"] == problem].sort_values("level")
    colours = _colours(analysis.board.models)
    figure = Figure(figsize=(7, 4.2))
    axes = figure.add_subplot()
    for model, rows in cells.groupby("model", sort=True):
        levels = rows["level"].astype(float).to_numpy()
        colour = colours[model]
        style = "--" if is_baseline(model) else "-"
        axes.plot(levels, rows["accuracy"], style, color=colour, label=model)
        accuracy = rows["accuracy"].astype(float).to_numpy()
        axes.fill_between(levels, np.fmin(rows["ci_low"].astype(float), accuracy),  # clipped at the point
                          np.fmax(rows["ci_high"].astype(float), accuracy), color=colour, alpha=0.15, linewidth=0)
        complete = (rows["status"] == "complete").to_numpy()
        axes.plot(levels[complete], rows["accuracy"].to_numpy()[complete], "o", color=colour, markersize=4)
        axes.plot(levels[~complete], rows["accuracy"].to_numpy()[~complete], "o", markerfacecolor="white",
                  color=colour, markersize=5)
    axes.axhline(0.5, color="grey", linewidth=0.6, linestyle=":")
    axes.set(title=f"{problem}: accuracy by level (95% bootstrap CI; hollow = partial)", xlabel="level",
             ylabel="accuracy", ylim=(-0.03, 1.03))
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.legend(fontsize=7, loc="best")
    return _save(figure, out, f"accuracy_{slug(problem)}")


def heatmap(analysis: Analysis, out: Path) -> list[Path]:
    table = analysis.problem_accuracy.pivot(index="model", columns="problem", values="accuracy")
    partial = analysis.problem_accuracy.pivot(index="model", columns="problem", values="partial")
    figure = Figure(figsize=(1.2 + 0.9 * max(len(table.columns), 2), 1.2 + 0.45 * max(len(table), 2)))
    axes = figure.add_subplot()
    image = axes.imshow(table.to_numpy(dtype=float), vmin=0, vmax=1, cmap="viridis", aspect="auto")
    axes.set_xticks(range(len(table.columns)), table.columns, rotation=40, ha="right", fontsize=8)
    axes.set_yticks(range(len(table.index)), table.index, fontsize=8)
    for row, model in enumerate(table.index):
        for column, problem in enumerate(table.columns):
            value = table.loc[model, problem]
            text = "n/a" if pd.isna(value) else f"{value:.2f}" + ("*" if partial.loc[model, problem] else "")
            axes.text(column, row, text, ha="center", va="center", fontsize=7,
                      color="white" if pd.isna(value) or value < 0.6 else "black")
    figure.colorbar(image, ax=axes, label="mean accuracy over levels")
    axes.set_title("accuracy by model and problem (* = partial data)", fontsize=9)
    return _save(figure, out, "heatmap")


def _pooled_by_level(table: pd.DataFrame, value: str) -> pd.DataFrame:
    """Mean of ``value`` per (model, level, outcome), pooling problems weighted by their counts."""
    weighted = table.assign(weighted=table[value] * table["n"])
    pooled = weighted.groupby(["model", "level", "outcome"])[["weighted", "n"]].sum().reset_index()
    return pooled.assign(value=pooled["weighted"] / pooled["n"])


def _lines_by_outcome(pooled: pd.DataFrame, analysis: Analysis, title: str, ylabel: str, out: Path,
                      name: str) -> list[Path]:
    colours = _colours(analysis.board.models)
    figure = Figure(figsize=(7, 4.2))
    axes = figure.add_subplot()
    for (model, outcome), rows in pooled.groupby(["model", "outcome"], sort=True):
        rows = rows.sort_values("level")
        axes.plot(rows["level"].astype(float), rows["value"], OUTCOME_STYLE.get(outcome, ":"), marker="o",
                  markersize=3, color=colours[model], label=f"{model} ({outcome})")
    axes.set(title=title, xlabel="level", ylabel=ylabel)
    axes.xaxis.get_major_locator().set_params(integer=True)
    if pooled.empty:
        axes.text(0.5, 0.5, "no data reported", ha="center", va="center", transform=axes.transAxes)
    else:
        axes.legend(fontsize=6, loc="best", ncol=2)
    return _save(figure, out, name)


def tokens_by_level(analysis: Analysis, out: Path) -> list[Path]:
    table = analysis.tokens.rename(columns={"n_reported": "n_tokens"})
    table = table[table["n_tokens"] > 0].assign(n=lambda t: t["n_tokens"])
    pooled = _pooled_by_level(table, "mean_completion_tokens")
    return _lines_by_outcome(pooled, analysis, "completion tokens by level (solid = correct, dashed = wrong)",
                             "mean completion tokens", out, "tokens_by_level")


def aha_by_level(analysis: Analysis, out: Path) -> list[Path]:
    pooled = _pooled_by_level(analysis.aha, "mean_aha")
    return _lines_by_outcome(pooled, analysis, "aha moments by level (solid = correct, dashed = wrong)",
                             "mean markers per answer", out, "aha_by_level")


def errors_by_level(analysis: Analysis, out: Path, problem: str | None = None) -> list[Path]:
    shares = analysis.error_shares if problem is None else \
        analysis.error_shares_by_problem[analysis.error_shares_by_problem["problem"] == problem]
    shares = shares[shares["category"] != "ok"]
    models = sorted(shares["model"].unique()) or ["(no errors)"]
    categories = sorted(shares["category"].unique())
    from matplotlib import colormaps

    palette = colormaps["tab20"]
    columns = min(len(models), 3)
    rows_count = int(np.ceil(len(models) / columns))
    figure = Figure(figsize=(4.2 * columns + 1.8, 3.2 * rows_count), layout="constrained")
    for index, model in enumerate(models):
        axes = figure.add_subplot(rows_count, columns, index + 1)
        table = shares[shares["model"] == model].pivot(index="level", columns="category", values="share").fillna(0)
        bottom = np.zeros(len(table))
        for colour_index, category in enumerate(categories):
            if category in table:
                axes.bar(table.index.astype(float), table[category], bottom=bottom, label=category,
                         color=palette(colour_index % 20))
                bottom += table[category].to_numpy()
        axes.set(title=model, xlabel="level", ylabel="share of records", ylim=(0, 1))
        axes.xaxis.get_major_locator().set_params(integer=True)
    handles = {label: handle for ax in figure.axes for handle, label in zip(*ax.get_legend_handles_labels())}
    if handles:
        figure.legend(list(handles.values()), list(handles.keys()), loc="outside right upper", fontsize=7)
    figure.suptitle("error types by level" + (f": {problem}" if problem else ""), fontsize=10)
    FigureCanvasAgg(figure)
    paths = []
    name = "errors_by_level" if problem is None else f"errors_{slug(problem)}"
    for extension in FORMATS:
        path = out / f"{name}.{extension}"
        figure.savefig(path, dpi=110, bbox_inches="tight")
        paths.append(path)
    return paths


def aggregates(analysis: Analysis, out: Path) -> list[Path]:
    table = analysis.aggregates
    metrics = ["iqm", "mean", "median", "optimality_gap"]
    models = sorted(table["model"].unique(), key=lambda m: -table[(table["model"] == m) & (table["metric"] == "iqm")]
                    ["value"].fillna(-1).iloc[0])
    colours = _colours(analysis.board.models)
    figure = Figure(figsize=(11, 1.4 + 0.4 * len(models)))
    for index, metric in enumerate(metrics):
        axes = figure.add_subplot(1, len(metrics), index + 1)
        rows = table[table["metric"] == metric].set_index("model").reindex(models)
        for position, model in enumerate(models):
            value, low, high = rows.loc[model, ["value", "ci_low", "ci_high"]].astype(float)
            if np.isfinite(value):
                axes.errorbar(value, position, xerr=error_bar(value, low, high), fmt="o", capsize=3,
                              color=colours[model], mfc="white" if rows.loc[model, "partial"] else colours[model])
        axes.set_yticks(range(len(models)), models if index == 0 else [""] * len(models), fontsize=8)
        axes.set(title=metric.replace("_", " "), xlim=(-0.03, 1.03))
        axes.invert_yaxis()
    figure.suptitle("aggregate scores over tasks, 95% stratified bootstrap CI (hollow = partial data)", fontsize=10)
    return _save(figure, out, "aggregates")


def error_bar(value: float, low: float, high: float) -> list[list[float]]:
    """Asymmetric error-bar lengths [[below], [above]], clipped at the point: a percentile interval that
    misses its point (see npeval.stats) draws no bar on that side instead of a negative one."""
    below = value - low if np.isfinite(low) else 0.0
    above = high - value if np.isfinite(high) else 0.0
    return [[max(below, 0.0)], [max(above, 0.0)]]


def all_figures(analysis: Analysis, out: Path, skipped: dict[str, str] | None = None) -> dict[str, list[Path]]:
    """Every figure of the report, by name. A figure that fails is left out and its error kept in
    ``skipped`` (name -> message) and printed on stderr: one bad figure never stops the others."""
    out.mkdir(parents=True, exist_ok=True)
    drawers = {"heatmap": lambda: heatmap(analysis, out), "aggregates": lambda: aggregates(analysis, out),
               "tokens_by_level": lambda: tokens_by_level(analysis, out),
               "aha_by_level": lambda: aha_by_level(analysis, out),
               "errors_by_level": lambda: errors_by_level(analysis, out)}
    for problem in analysis.board.problems:
        drawers[f"accuracy_{slug(problem)}"] = lambda problem=problem: accuracy_by_level(analysis, problem, out)
        drawers[f"errors_{slug(problem)}"] = lambda problem=problem: errors_by_level(analysis, out, problem)
    figures = {}
    for name, draw in drawers.items():
        try:
            figures[name] = draw()
        except Exception as error:  # noqa: BLE001 - a figure is never worth the whole report
            message = f"{type(error).__name__}: {error}"
            if skipped is not None:
                skipped[name] = message
            print(f"figure {name} skipped: {message}", file=sys.stderr)
    return figures
