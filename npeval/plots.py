"""Figures of an analysis, drawn with matplotlib's object API on the Agg canvas (no pyplot state).

Each function here builds one figure and returns it; :mod:`npeval.render` lays it out and saves it (PNG,
and SVG on request). A figure with nothing to show raises :class:`Omitted` with the reason, so the report
and the site can say so instead of showing an empty panel. Colours are
colour-blind safe (Okabe-Ito for models, each with its own marker so more models stay apart;
Paul Tol's muted set with hatches for error categories; cividis for the heatmap); level axes have
integer ticks; titles say what is plotted and how many answers it rests on. Partial cells are drawn
with hollow markers and missing ones leave a gap; baselines are dashed.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.artist import Artist
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from npeval.analysis import Analysis
from npeval.data import is_baseline
from npeval.families import grouped
from npeval.stats import AGGREGATES

# Okabe-Ito without its yellow (too faint on white), with a mid grey in its place.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8C8C8C")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
TOL_MUTED = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499")
HATCHES = ("", "///", "...", "xxx")
HEATMAP_COLUMNS = 13  # problems per heatmap panel


class Omitted(Exception):
    """A figure that would be empty; the message says why."""


@dataclass
class Figures:
    """The figures drawn (name -> their files, PNG first) and those left out (name -> why)."""

    paths: dict[str, list[Path]] = field(default_factory=dict)
    omitted: dict[str, str] = field(default_factory=dict)


def slug(text: str) -> str:
    """A file-name-safe form of a problem or model id."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(text)).strip("_") or "x"


@dataclass(frozen=True)
class Style:
    """How a model is drawn: its colour, marker and line style."""

    colour: str
    marker: str
    line: str


def model_styles(models: list[str]) -> dict[str, Style]:
    """A distinct (colour, marker) per model, stable for one board; baselines dashed."""
    return {model: Style(OKABE_ITO[i % len(OKABE_ITO)], MARKERS[(i + i // len(OKABE_ITO)) % len(MARKERS)],
                         "--" if is_baseline(model) else "-") for i, model in enumerate(models)}


def _integer_levels(axes, levels, pad: float | None = None) -> None:
    """Ticks at the integer levels only (no 0.6-1.4 ticks around a single level)."""
    levels = sorted({int(level) for level in levels})
    if len(levels) <= 16:
        axes.set_xticks(levels)
        pad = pad if pad is not None else 0.5 if len(levels) == 1 else 0.25
        axes.set_xlim(levels[0] - pad, levels[-1] + pad)
    else:
        axes.xaxis.get_major_locator().set_params(integer=True)


def error_bar(value, low, high) -> list:
    """Asymmetric error-bar lengths [below, above], clipped at the point: a percentile interval that misses its
    point (see npeval.stats) draws no bar on that side instead of a negative one; unknown ends draw none."""
    value, low, high = (np.asarray(v, dtype=float) for v in (value, low, high))
    below = np.where(np.isfinite(low), np.maximum(value - low, 0.0), 0.0)
    above = np.where(np.isfinite(high), np.maximum(high - value, 0.0), 0.0)
    if value.ndim == 0:
        return [[float(below)], [float(above)]]
    return [below, above]


def _title(axes, text: str, **style) -> None:
    """The axes' title, at its top edge: no axis of ours draws above it, so the title is placed here once
    instead of matplotlib searching for overlaps at every draw (which finds none)."""
    axes.set_title(text, y=1.0, **style)


LEGEND_ZORDER = 0.9  # below the data: a legend beside the axes never overlaps it, and is then drawn only once
# when the figure is redrawn for other data (npeval.render draws again only what a full draw puts over the data)


def _legend(axes) -> None:
    """Beside the axes, never over the data."""
    axes.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False).set_zorder(LEGEND_ZORDER)


def ranked(analysis: Analysis, models) -> list[str]:
    """``models`` best IQM first (those without data last, by name), the order of every legend."""
    iqm = analysis.aggregates[analysis.aggregates["metric"] == "iqm"].set_index("model")["value"]
    return sorted(models, key=lambda m: (pd.isna(iqm.get(m)), -(iqm.get(m) if pd.notna(iqm.get(m)) else 0), m))


BANDS_UP_TO = 4  # models; with more, overlapping bands hide each other and intervals become dodged error bars


_CHANGING: weakref.WeakKeyDictionary[Figure, tuple[Artist, ...]] = weakref.WeakKeyDictionary()


def mark_changing(figure: Figure, artists: Iterable[Artist]) -> None:
    """Say that ``figure`` is redrawn for other data and only ``artists`` change between its draws (the rest,
    axes, ticks and legends, stays as built): :mod:`npeval.render` then draws the rest once per figure."""
    _CHANGING[figure] = tuple(artists)


def changing_artists(figure: Figure) -> tuple[Artist, ...] | None:
    """The artists of ``figure`` that change between its draws (see :func:`mark_changing`); None: unknown."""
    return _CHANGING.get(figure)


def _kept(reuse: dict | None, key: tuple, build: Callable[[], object]):
    """``reuse[key]``, built first when it is not there (always built when ``reuse`` is None)."""
    if reuse is None:
        return build()
    if key not in reuse:
        reuse[key] = build()
    return reuse[key]


def accuracy_by_level(analysis: Analysis, problem: str, reuse: dict | None = None) -> Figure:
    """Every model's accuracy by level in one chart: CI bands for a few models, dodged CI bars for more.

    ``reuse`` keeps one chart per layout (:class:`AccuracyChart`), redrawn for the next problem with the same
    models and levels.
    """
    cells = analysis.cells[analysis.cells["problem"] == problem]
    answered = cells[cells["attempts"] > 0]
    if answered.empty:
        raise Omitted(f"no model has an answer on {problem}")
    levels = tuple(sorted(int(level) for level in cells["level"].unique()))
    models = tuple(ranked(analysis, answered["model"].unique()))
    chart = _kept(reuse, ("accuracy", models, levels),
                  lambda: AccuracyChart(models, levels, model_styles(analysis.board.models)))
    intervals = "bands" if chart.bands else "bars (models side by side at each level)"
    grid = pd.MultiIndex.from_product([models, levels], names=["model", "level"])
    every = cells.set_index(["model", "level"]).reindex(grid)  # one reindex for all: a row per (model, level)
    rows = {model: every.iloc[rank * len(levels):(rank + 1) * len(levels)] for rank, model in enumerate(models)}
    return chart.show(rows, f"{problem}: accuracy by level, {len(models)} model{'s' if len(models) > 1 else ''}, "
                            f"{int(answered['attempts'].sum()):,} attempts\n{intervals}: 95% bootstrap CI; "
                            "hollow = partial; dotted: 50%")


class AccuracyChart:
    """The figure of :func:`accuracy_by_level` for one layout (its models in legend order and its levels).

    Built once (axes, legend, and per model a band, error bars and caps, a line and its hollow partial
    markers, all empty); :meth:`show` puts one problem's cells into them and sets the title.
    """

    def __init__(self, models: tuple[str, ...], levels: tuple[int, ...], styles: dict[str, Style]):
        self.models, self.levels = models, levels
        self.bands = len(models) <= BANDS_UP_TO
        self.figure = Figure(figsize=(7.8, 4.4), layout="constrained")
        axes = self.figure.add_subplot()
        width = 0.5 if len(levels) > 1 else 0.3
        self.artists = {}
        for rank, model in enumerate(models):
            style = styles[model]
            shift = 0.0 if self.bands else width * (rank / max(len(models) - 1, 1) - 0.5)
            band = PolyCollection([], facecolors=style.colour, alpha=0.13, linewidths=0)
            bars = LineCollection([], colors=style.colour, linewidths=1.1, alpha=0.8)
            axes.add_collection(band, autolim=False)
            axes.add_collection(bars, autolim=False)
            caps, = axes.plot([], [], "_", color=style.colour, markersize=5, markeredgewidth=1.0, alpha=0.8)
            line, = axes.plot([], [], style.line, marker=style.marker, color=style.colour, linewidth=1.4,
                              markersize=5, label=model)
            hollow, = axes.plot([], [], style.marker, color=style.colour, markerfacecolor="white", markersize=6,
                                markeredgewidth=1.4, linestyle="none")
            self.artists[model] = (shift, band, bars, caps, line, hollow)
        axes.axhline(0.5, color="grey", linewidth=0.7, linestyle=":")
        axes.set(xlabel="level", ylabel="accuracy (correct / attempts)", ylim=(-0.03, 1.03))
        pad = 0.25 if self.bands else width / 2 + 0.15
        _integer_levels(axes, levels, pad=None if self.bands else pad)
        if len(levels) > 16:  # no fixed limits there, and the artists were added empty
            axes.set_xlim(levels[0] - pad, levels[-1] + pad)
        self.title = axes.set_title("", y=1.0, fontsize=9.5)
        _legend(axes)
        axes.set_axisbelow(True)  # ticks and labels drawn before the data (they never overlap): drawn only once
        mark_changing(self.figure, [artist for shift, *drawn in self.artists.values() for artist in drawn]
                      + [self.title])

    def show(self, rows: dict[str, pd.DataFrame], title: str) -> Figure:
        """The chart of ``rows`` (per model: its cells indexed by this chart's levels) titled ``title``."""
        for model, (shift, band, bars, caps, line, hollow) in self.artists.items():
            table = rows[model]
            x = np.asarray(self.levels, dtype=float) + shift
            y = table["accuracy"].astype(float).to_numpy()
            low, high = table["ci_low"].astype(float).to_numpy(), table["ci_high"].astype(float).to_numpy()
            banded = self.bands and np.isfinite(y).sum() > 1
            band.set_verts(_band_outlines(x, np.fmin(low, y), np.fmax(high, y)) if banded else [])
            shown = np.isfinite(y) & (not banded)
            below, above = error_bar(y, low, high)
            ends = np.stack([np.c_[x, y - below], np.c_[x, y + above]], axis=1)[shown]
            bars.set_segments(ends)  # clipped at the point: a percentile interval may miss it
            caps.set_data(ends[:, :, 0].ravel(), ends[:, :, 1].ravel())
            complete = (table["status"] == "complete").to_numpy()
            line.set_data(x, y)
            hollow.set_data(x[~complete], y[~complete])
        self.title.set_text(title)
        return self.figure


def _band_outlines(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> list[np.ndarray]:
    """The polygons filling between ``low`` and ``high`` over each run of levels where both are known (as
    ``fill_between`` draws them)."""
    known = np.isfinite(low) & np.isfinite(high)
    edges = np.flatnonzero(np.diff(np.r_[0, known.astype(int), 0]))
    return [np.r_[np.c_[x[start:stop], low[start:stop]], np.c_[x[start:stop], high[start:stop]][::-1]]
            for start, stop in zip(edges[::2], edges[1::2])]


def _heatmap_panels(problems: list[str]) -> list[tuple[str, list[str]]]:
    panels = []
    for name, members in grouped(problems, "suite").items():
        for start in range(0, len(members), HEATMAP_COLUMNS):
            part = members[start:start + HEATMAP_COLUMNS]
            suffix = f" ({start // HEATMAP_COLUMNS + 1})" if len(members) > HEATMAP_COLUMNS else ""
            panels.append((name + suffix, part))
    return panels


def heatmap(analysis: Analysis) -> Figure:
    """Mean accuracy over levels per (model, problem): one panel per suite, cells annotated."""
    table = analysis.problem_accuracy.pivot(index="model", columns="problem", values="accuracy")
    partial = analysis.problem_accuracy.pivot(index="model", columns="problem", values="partial")
    if table.isna().all().all():
        raise Omitted("no model has an answer on any problem")
    models = ranked(analysis, table.index)
    panels = _heatmap_panels(list(table.columns))
    widest = max(len(members) for _, members in panels)
    height = sum(0.75 + 0.34 * len(models) + 1.3 for _ in panels)
    figure = Figure(figsize=(2.4 + 0.62 * widest, 0.6 + height), layout="constrained")
    grid = figure.add_gridspec(len(panels), 1, height_ratios=[1] * len(panels))
    image = None
    for index, (name, members) in enumerate(panels):
        axes = figure.add_subplot(grid[index])
        values = table.loc[models, members].to_numpy(dtype=float)
        palette = colormaps["cividis"].with_extremes(bad="#e4e4e8")  # not run: light grey, not a score colour
        image = axes.imshow(values, vmin=0, vmax=1, cmap=palette, aspect="auto")
        axes.set_xticks(range(len(members)), members, rotation=35, ha="right", fontsize=8)
        axes.set_yticks(range(len(models)), models, fontsize=8)
        _title(axes, name, fontsize=9, loc="left")
        for row, model in enumerate(models):
            for column, problem in enumerate(members):
                value = values[row, column]
                text = "n/a" if np.isnan(value) else f"{value:.2f}" + ("*" if partial.loc[model, problem] else "")
                axes.text(column, row, text, ha="center", va="center", fontsize=7.5,
                          color="black" if np.isnan(value) or value > 0.55 else "white")
        axes.set_xlim(-0.5, widest - 0.5)  # every panel's cells the same width
        for spine in axes.spines.values():
            spine.set_visible(False)
    if image is not None:
        figure.colorbar(image, ax=figure.axes, label="mean accuracy over levels", shrink=0.8, aspect=30, pad=0.01)
    attempts = int(analysis.cells["attempts"].sum())
    figure.suptitle(f"Accuracy by model and problem: {len(models)} models, {len(table.columns)} problems, "
                    f"{attempts:,} attempts (* = partial, n/a = not run)", fontsize=10)
    return figure


def _pooled_by_level(table: pd.DataFrame, value: str) -> pd.DataFrame:
    """Mean of ``value`` per (model, level, outcome), pooling problems weighted by their counts."""
    weighted = table.assign(weighted=table[value] * table["n"])
    pooled = weighted.groupby(["model", "level", "outcome"])[["weighted", "n"]].sum().reset_index()
    return pooled.assign(value=pooled["weighted"] / pooled["n"])


def _lines_by_outcome(pooled: pd.DataFrame, analysis: Analysis, what: str, ylabel: str) -> Figure:
    """One panel for correct answers, one for wrong ones; a line per model."""
    styles = model_styles(analysis.board.models)
    outcomes = [o for o in ("correct", "wrong") if o in set(pooled["outcome"])]
    figure = Figure(figsize=(4.3 * len(outcomes) + 1.6, 3.8), layout="constrained")
    shared = None
    for index, outcome in enumerate(outcomes):
        axes = figure.add_subplot(1, len(outcomes), index + 1, sharey=shared)
        shared = shared or axes
        rows = pooled[pooled["outcome"] == outcome]
        for model in ranked(analysis, rows["model"].unique()):
            line = rows[rows["model"] == model].sort_values("level")
            style = styles[model]
            axes.plot(line["level"].astype(float), line["value"], style.line, marker=style.marker, markersize=4,
                      color=style.colour, label=model)
        axes.set(xlabel="level", ylabel=ylabel if index == 0 else None)
        _title(axes, f"{outcome} answers (n = {int(rows['n'].sum()):,})", fontsize=9)
        _integer_levels(axes, pooled["level"])
    handles, labels = figure.axes[0].get_legend_handles_labels()
    for axes in figure.axes[1:]:
        for handle, label in zip(*axes.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    figure.legend(handles, labels, loc="outside right upper", fontsize=7.5, frameon=False)
    figure.suptitle(f"{what}: {pooled['model'].nunique()} models, {int(pooled['n'].sum()):,} answers", fontsize=10)
    return figure


def tokens_by_level(analysis: Analysis) -> Figure:
    """Mean completion tokens by level per model, correct and wrong answers apart."""
    table = analysis.tokens[analysis.tokens["n_reported"] > 0]
    if table.empty:
        raise Omitted("no answer reported a completion-token count (baselines and servers without usage data)")
    pooled = _pooled_by_level(table.assign(n=table["n_reported"]), "mean_completion_tokens")
    return _lines_by_outcome(pooled, analysis, "Mean completion tokens by level", "mean completion tokens")


def aha_by_level(analysis: Analysis) -> Figure:
    """Self-correction (aha) markers per answer by level per model, correct and wrong answers apart."""
    aha = analysis.aha
    if aha.empty or aha["total_aha"].sum() == 0:
        searched = int(aha["n"].sum()) if len(aha) else 0
        with_text = int(aha["with_text"].sum()) if len(aha) else 0
        raise Omitted(f"no answer holds an aha marker ({searched:,} answers searched, {with_text:,} with text)")
    pooled = _pooled_by_level(aha, "mean_aha")
    return _lines_by_outcome(pooled, analysis, "Aha markers per answer by level", "mean markers per answer")


def _category_styles(categories: list[str]) -> dict[str, tuple[str, str]]:
    return {category: (TOL_MUTED[i % len(TOL_MUTED)], HATCHES[(i // len(TOL_MUTED)) % len(HATCHES)])
            for i, category in enumerate(categories)}


def errors_by_level(analysis: Analysis, problem: str | None = None, reuse: dict | None = None) -> Figure:
    """Stacked shares of every non-correct outcome by level: one panel per model with any.

    Every errors figure of a board lists (and colours alike) the same outcomes, the board's, so that an outcome
    has one colour on every problem, and a panel's level axis holds every level its model answered. ``reuse``
    keeps one figure per panel layout (:class:`ErrorPanels`): the next problem with the same models and levels
    is drawn on it, without building or laying out.
    """
    shares = analysis.error_shares if problem is None else \
        analysis.error_shares_by_problem[analysis.error_shares_by_problem["problem"] == problem]
    records = int(shares["count"].sum())
    answered = shares.groupby("model")["level"].unique()  # a panel's levels: those the model answered
    shares = shares[shares["category"] != "ok"]
    where = f" on {problem}" if problem else ""
    if shares.empty:
        raise Omitted(f"every answer{where} is correct: no error to show" if records else f"no answer{where}")
    models = ranked(analysis, shares["model"].unique())
    wide = shares.set_index(["model", "level", "category"])["share"].unstack("category")  # one pivot for all
    tables = {model: wide.xs(model).dropna(axis=1, how="all").fillna(0) for model in models}  # its own outcomes
    layout = (tuple(models), board_outcomes(analysis, shares),
              tuple(tuple(sorted(int(level) for level in answered[model])) for model in models))
    panels = _kept(reuse, ("errors", layout), lambda: ErrorPanels(*layout))
    return panels.show(tables, f"What became of the answers{where}, by level: {len(models)} models with errors, "
                               f"{records:,} answers (correct ones not drawn)")


def board_outcomes(analysis: Analysis, shares: pd.DataFrame) -> tuple[str, ...]:
    """The outcomes other than correct on the board (and any in ``shares``), sorted: the errors figures' legend."""
    found = set(analysis.error_shares["category"]) | set(shares["category"])
    return tuple(sorted(found - {"ok"}))


class ErrorPanels:
    """The figure of :func:`errors_by_level` for one layout: a panel per model, its levels, the outcome categories.

    Built once (axes, ticks, legend); :meth:`show` puts one table of shares per model into the bars (a
    collection per panel and category) and sets the title.
    """

    WIDTH = 0.7  # of a bar, in levels

    def __init__(self, models: tuple[str, ...], categories: tuple[str, ...], levels: tuple[tuple[int, ...], ...]):
        styles = _category_styles(list(categories))
        columns = min(len(models), 4)
        rows_count = int(np.ceil(len(models) / columns))
        self.figure = Figure(figsize=(3.3 * columns + 2.2, 2.7 * rows_count + 0.6), layout="constrained")
        self.bars: dict[tuple[str, str], PolyCollection] = {}
        for index, model in enumerate(models):
            axes = self.figure.add_subplot(rows_count, columns, index + 1)
            for category in categories:
                colour, hatch = styles[category]
                bars = PolyCollection([], facecolors=colour, edgecolors="white", linewidths=0.4, hatch=hatch or None)
                self.bars[model, category] = bars
                axes.add_collection(bars, autolim=False)
            _title(axes, model if len(model) <= 38 else model[:37] + "\u2026", fontsize=8.5)
            axes.set(ylim=(0, 1), xlabel="level", ylabel="share of answers" if index % columns == 0 else None)
            _integer_levels(axes, levels[index])
            if len(levels[index]) > 16:  # no fixed limits there, and collections added without autoscaling
                axes.set_xlim(min(levels[index]) - 0.6, max(levels[index]) + 0.6)
        handles = [Patch(facecolor=styles[c][0], hatch=styles[c][1] or None, edgecolor="white", linewidth=0.4)
                   for c in categories]
        self.figure.legend(handles, list(categories), loc="outside right upper", fontsize=7.5, frameon=False,
                           title="outcome", title_fontsize=8).set_zorder(LEGEND_ZORDER)
        for axes in self.figure.axes:
            axes.set_axisbelow(True)  # ticks and labels drawn before the bars (they never overlap): drawn once
        self.title = self.figure.suptitle("", fontsize=10)
        mark_changing(self.figure, [*self.bars.values(), self.title])

    def show(self, tables: dict[str, pd.DataFrame], title: str) -> Figure:
        """The figure with ``tables`` (per model: levels x categories of shares) stacked in its bars."""
        half = self.WIDTH / 2
        for model, table in tables.items():
            x = table.index.to_numpy(dtype=float)
            bottom = np.zeros(len(table))
            for (panel, category), bars in self.bars.items():
                if panel != model:
                    continue
                height = table[category].to_numpy(dtype=float) if category in table else None
                if height is None:
                    bars.set_verts([])
                    continue
                top = bottom + height
                bars.set_verts(list(np.stack([np.c_[x - half, bottom], np.c_[x - half, top], np.c_[x + half, top],
                                              np.c_[x + half, bottom]], axis=1)))
                bottom = top
        self.title.set_text(title)
        return self.figure


def aggregates(analysis: Analysis) -> Figure:
    """Every model's aggregate scores (:data:`npeval.stats.AGGREGATES`) with their bootstrap intervals."""
    table = analysis.aggregates
    if table["value"].isna().all():
        raise Omitted("no model has an answer")
    metrics = list(AGGREGATES)
    models = ranked(analysis, table["model"].unique())
    styles = model_styles(analysis.board.models)
    figure = Figure(figsize=(11, 1.3 + 0.36 * len(models)), layout="constrained")
    for index, metric in enumerate(metrics):
        axes = figure.add_subplot(1, len(metrics), index + 1)
        rows = table[table["metric"] == metric].set_index("model").reindex(models)
        for position, model in enumerate(models):
            value, low, high = rows.loc[model, ["value", "ci_low", "ci_high"]].astype(float)
            if np.isfinite(value):
                style = styles[model]
                axes.errorbar(value, position, xerr=error_bar(value, low, high), fmt=style.marker,
                              capsize=3, color=style.colour, markeredgewidth=1.4,
                              mfc="white" if rows.loc[model, "partial"] else style.colour)
        axes.set_yticks(range(len(models)), models if index == 0 else [""] * len(models), fontsize=8)
        _title(axes, metric.replace("_", " ") + (" (lower is better)" if metric == "optimality_gap" else ""),
                       fontsize=9)
        axes.set(xlim=(-0.03, 1.03), ylim=(len(models) - 0.5, -0.5))
        axes.grid(axis="x", alpha=0.3)
    tasks = int(table["board_tasks"].max())
    figure.suptitle(f"Aggregate scores over {tasks} tasks (problem x level) of {len(models)} models, 95% stratified "
                    "bootstrap CI (hollow = partial data)", fontsize=10)
    return figure


def figure_jobs(analysis: Analysis) -> dict[str, Callable[[dict], Figure]]:
    """Every figure of the report by file name, in report order: each builds its figure when called with a
    ``reuse`` dict (figures that can be redrawn, kept between calls; see :func:`errors_by_level`).

    Figure functions are looked up when a job runs, so a test can replace one.
    """
    jobs: dict[str, Callable[[dict], Figure]] = {
        "heatmap": lambda reuse: heatmap(analysis), "aggregates": lambda reuse: aggregates(analysis),
        "tokens_by_level": lambda reuse: tokens_by_level(analysis),
        "aha_by_level": lambda reuse: aha_by_level(analysis),
        "errors_by_level": lambda reuse: errors_by_level(analysis, reuse=reuse)}
    for problem in analysis.board.problems:
        jobs.update(_problem_jobs(analysis, problem))
    return jobs


def _problem_jobs(analysis: Analysis, problem: str) -> dict[str, Callable[[dict], Figure]]:
    """The two figures of one problem (a function of its own, so each job keeps its problem)."""
    return {f"accuracy_{slug(problem)}": lambda reuse: accuracy_by_level(analysis, problem, reuse),
            f"errors_{slug(problem)}": lambda reuse: errors_by_level(analysis, problem, reuse)}
