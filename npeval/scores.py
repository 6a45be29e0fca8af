"""Accuracy, aggregates, ceilings and probability of improvement, all with bootstrap intervals.

Definitions are in :mod:`npeval.stats`. Tables here follow two rules: every (model, problem,
level) cell of the board has a row (``status`` complete / partial / missing, from
:mod:`npeval.data`), and a row built from partial or missing cells says so (``partial`` column).
Every table with an interval also has ``ci_excludes_point``: true where the percentile interval
does not contain the point estimate (see :mod:`npeval.stats`).

Ceiling level
    Per (model, problem): the highest level L such that accuracy >= 50% at *every* level <= L of the
    board (a missing level ends the run). ``levels[0] - 1`` when the lowest level already fails.
    NaN when the model has no data on the problem at all.
    ``censored`` is true when the model passes the highest level evaluated: the true ceiling may be
    higher. The interval is the 2.5 / 97.5 percentiles of the ceiling over bootstrap replicates.
Problem accuracy
    Per (model, problem): the mean over the board's levels of that problem of the level accuracy
    (each level weighs the same, as in the reference leaderboard), over the levels the model has;
    ``partial`` flags a model that lacks some (``levels_missing``), NaN when it has none.

Every computation works on whole arrays: strata are sorted by (model, problem, level, seed), so a
cell's strata, a model's strata and a task's strata are contiguous runs of rows.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from npeval import stats
from npeval.data import MISSING, Board, is_baseline

STRATUM_KEYS = ["model", "problem", "level", "seed"]


@dataclass
class Strata:
    """Per (model, problem, level, seed) stratum, sorted by those keys: point and bootstrap replicate sums."""

    keys: pd.DataFrame
    correct: np.ndarray
    attempts: np.ndarray
    boot_correct: np.ndarray  # (strata, replicates), the smallest integer type that holds the sums
    boot_attempts: np.ndarray

    @property
    def n_boot(self) -> int:
        """The number of bootstrap replicates."""
        return self.boot_correct.shape[1]


def instance_counts(board: Board) -> pd.DataFrame:
    """Correct answers and attempts per (stratum, instance), sorted by stratum then instance id."""
    attempts = board.attempts
    frame = pd.DataFrame({"model": attempts["model"], "problem": attempts["problem"],
                          "level": attempts["level"].astype(int), "seed": attempts["seed"],
                          "instance_id": attempts["instance_id"], "correct": attempts["is_correct"].astype(np.int64)})
    return (frame.groupby(STRATUM_KEYS + ["instance_id"], sort=True)["correct"].agg(["sum", "size"])
            .rename(columns={"sum": "correct", "size": "attempts"}).reset_index())


def build_strata(board: Board, n_boot: int, seed: int) -> Strata:
    """Draw ``n_boot`` resampled (correct, attempts) sums of every stratum with one seeded Generator."""
    rng = np.random.default_rng(seed)
    per_instance = instance_counts(board)
    correct = per_instance["correct"].to_numpy(dtype=np.int64)
    tries = per_instance["attempts"].to_numpy(dtype=np.int64)
    starts = _run_starts(per_instance[STRATUM_KEYS])
    stops = np.r_[starts[1:], len(per_instance)]
    point_c, point_a, largest = np.zeros(0), np.zeros(0), 0
    if len(starts):
        point_c, point_a = np.add.reduceat(correct, starts), np.add.reduceat(tries, starts)
        largest = int(((stops - starts) * np.maximum.reduceat(tries, starts)).max())
    dtype = np.uint16 if largest <= np.iinfo(np.uint16).max else np.int64
    boot_c, boot_a = np.empty((len(starts), n_boot), dtype), np.empty((len(starts), n_boot), dtype)
    distributions: dict[bytes, tuple] = {}  # strata with the same multiset of instances share one distribution
    for row, (start, stop) in enumerate(zip(starts, stops)):
        c, a = correct[start:stop], tries[start:stop]
        key = np.sort(c * (a.max() + 1) + a).tobytes() + a.max().tobytes()
        if key not in distributions:
            support_c, support_a, probabilities = stats.resampled_sums_distribution(c, a)
            cdf = np.cumsum(probabilities)
            cdf[-1] = 1.0
            distributions[key] = support_c, support_a, cdf
        support_c, support_a, cdf = distributions[key]
        picked = np.searchsorted(cdf, rng.random(n_boot), side="right")
        boot_c[row], boot_a[row] = support_c[picked], support_a[picked]
    keys = per_instance.loc[starts, STRATUM_KEYS].reset_index(drop=True)
    return Strata(keys, np.asarray(point_c, dtype=float), np.asarray(point_a, dtype=float), boot_c, boot_a)


def _run_starts(keys: pd.DataFrame) -> np.ndarray:
    """Row numbers where a new combination of ``keys`` begins (rows sorted by them)."""
    if keys.empty:
        return np.zeros(0, dtype=np.int64)
    changed = np.zeros(len(keys), dtype=bool)
    changed[0] = True
    for column in keys.columns:
        values = keys[column].to_numpy()
        changed[1:] |= values[1:] != values[:-1]
    return np.flatnonzero(changed)


def _ratio(numerator, denominator):
    with np.errstate(invalid="ignore", divide="ignore"):
        numerator, denominator = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan)


def _with_interval(table: pd.DataFrame, point_column: str, low, high) -> pd.DataFrame:
    table["ci_low"], table["ci_high"] = low, high
    table["ci_excludes_point"] = stats.excludes_point(table[point_column], low, high)
    return table


@dataclass
class CellReplicates:
    """Accuracy of every cell of ``board.cells`` (same order): point (C,) and replicates (C, B), NaN if no data."""

    point: np.ndarray
    boot: np.ndarray


def cell_replicates(board: Board, strata: Strata) -> CellReplicates:
    """Pool each cell's strata (its seeds) into its accuracy, point and per replicate."""
    starts = _run_starts(strata.keys[["model", "problem", "level"]])
    point = np.full(len(board.cells), np.nan)
    boot = np.full((len(board.cells), strata.n_boot), np.nan)
    if len(starts):
        cell_keys = strata.keys.loc[starts, ["model", "problem", "level"]]
        where = pd.MultiIndex.from_frame(board.cells[["model", "problem", "level"]]).get_indexer(
            pd.MultiIndex.from_frame(cell_keys))
        point[where] = _ratio(np.add.reduceat(strata.correct, starts), np.add.reduceat(strata.attempts, starts))
        boot[where] = _ratio(np.add.reduceat(strata.boot_correct, starts, axis=0, dtype=np.int64),
                             np.add.reduceat(strata.boot_attempts, starts, axis=0, dtype=np.int64))
    return CellReplicates(point, boot)


def cell_accuracy(board: Board, replicates: CellReplicates) -> pd.DataFrame:
    """Accuracy per (model, problem, level) with its interval, beside the coverage columns."""
    table = board.cells.copy()
    table["accuracy"] = replicates.point
    return _with_interval(table, "accuracy", *stats.percentile_rows(replicates.point, replicates.boot))


def problem_tables(board: Board, replicates: CellReplicates) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(problem accuracy, ceiling) per (model, problem), with intervals and partial flags."""
    cells = board.cells
    starts = _run_starts(cells[["model", "problem"]])
    stops = np.r_[starts[1:], len(cells)]
    status = cells["status"].to_numpy()
    levels_all = cells["level"].to_numpy()
    accuracy_rows, ceiling_rows = [], []
    mean_point, mean_boot = np.full(len(starts), np.nan), np.full((len(starts), replicates.boot.shape[1]), np.nan)
    for index, (start, stop) in enumerate(zip(starts, stops)):
        model, problem = cells.at[start, "model"], cells.at[start, "problem"]
        point, boot = replicates.point[start:stop], replicates.boot[start:stop]
        levels = levels_all[start:stop].astype(int)
        partial = bool((status[start:stop] != "complete").any())
        base = {"model": model, "problem": problem, "partial": partial, "is_baseline": is_baseline(model)}
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: a model without data here
            mean_point[index], mean_boot[index] = np.nanmean(point), np.nanmean(boot, axis=0)
        accuracy_rows.append({**base, "accuracy": mean_point[index], "levels": len(levels),
                              "levels_missing": int((status[start:stop] == MISSING).sum())})
        if np.isnan(point).all():  # never evaluated on this problem: no ceiling to claim
            ceiling = low = high = float("nan")
        else:
            ceiling = float(stats.ceiling_level(levels, point))
            low, high = np.percentile(stats.ceiling_level(levels, boot).astype(float), [2.5, 97.5])
        ceiling_rows.append({**base, "ceiling": ceiling, "ci_low": float(low), "ci_high": float(high),
                             "censored": ceiling >= levels[-1], "top_level": int(levels[-1])})
    accuracy = pd.DataFrame(accuracy_rows, columns=["model", "problem", "partial", "is_baseline", "accuracy", "levels",
                                                    "levels_missing"])
    accuracy = _with_interval(accuracy, "accuracy", *stats.percentile_rows(mean_point, mean_boot))
    accuracy = accuracy[["model", "problem", "partial", "is_baseline", "accuracy", "ci_low", "ci_high", "levels",
                         "levels_missing", "ci_excludes_point"]]
    ceilings = pd.DataFrame(ceiling_rows, columns=["model", "problem", "partial", "is_baseline", "ceiling", "ci_low",
                                                   "ci_high", "censored", "top_level"])
    ceilings["ci_excludes_point"] = stats.excludes_point(ceilings["ceiling"], ceilings["ci_low"], ceilings["ci_high"])
    return accuracy, ceilings


def _codes(strata: Strata, board: Board) -> tuple[np.ndarray, np.ndarray]:
    """Every stratum's model (index into ``board.models``) and task (index into the board's sorted tasks)."""
    tasks = pd.MultiIndex.from_frame(board.cells[["problem", "level"]].drop_duplicates().sort_values(["problem",
                                                                                                      "level"]))
    task = tasks.get_indexer(pd.MultiIndex.from_frame(strata.keys[["problem", "level"]]))
    model = pd.Index(board.models).get_indexer(strata.keys["model"])
    return model, task


def _scores(strata: Strata, rows) -> tuple[np.ndarray, np.ndarray]:
    """Point (n,) and replicate (n, B) accuracies of the strata ``rows``."""
    return (_ratio(strata.correct[rows], strata.attempts[rows]),
            _ratio(strata.boot_correct[rows], strata.boot_attempts[rows]))


def aggregates(board: Board, strata: Strata) -> pd.DataFrame:
    """IQM, mean, median and optimality gap per model over the tasks it has, with intervals."""
    board_tasks = board.cells[["problem", "level"]].drop_duplicates().shape[0]
    partial = board.cells.assign(short=board.cells["status"] != "complete").groupby("model")["short"].any()
    model_of, task_of = _codes(strata, board)
    starts = _run_starts(strata.keys[["model"]])
    blocks = {model_of[start]: slice(start, stop) for start, stop in zip(starts, np.r_[starts[1:], len(model_of)])}
    rows, lows, highs = [], [], []
    for index, model in enumerate(board.models):
        block = blocks.get(index)
        if block is not None:
            point, boot = _scores(strata, block)
            codes = np.unique(task_of[block], return_inverse=True)[1]
        for name, function in stats.AGGREGATES.items():
            interval = stats.Interval(float("nan"), float("nan"), float("nan")) if block is None else \
                stats.percentile_interval(float(function(point, codes)), function(boot.T, codes))
            lows.append(interval.low)
            highs.append(interval.high)
            rows.append({"model": model, "metric": name, "value": interval.value,
                         "tasks": 0 if block is None else len(np.unique(task_of[block])), "board_tasks": board_tasks,
                         "partial": bool(partial.get(model, True)), "is_baseline": is_baseline(model)})
    table = pd.DataFrame(rows, columns=["model", "metric", "value", "tasks", "board_tasks", "partial", "is_baseline"])
    table = _with_interval(table, "value", np.asarray(lows, dtype=float), np.asarray(highs, dtype=float))
    return table[["model", "metric", "value", "ci_low", "ci_high", "tasks", "board_tasks", "partial", "is_baseline",
                  "ci_excludes_point"]]


def improvement(board: Board, strata: Strata) -> pd.DataFrame:
    """P(X > Y) with its interval for every ordered pair of models, from one pass over the tasks."""
    models = board.models
    n_models, n_boot = len(models), strata.n_boot
    model_of, task_of = _codes(strata, board)
    order = np.lexsort((strata.keys["seed"].to_numpy(), model_of, task_of))  # by task, then model, then seed
    total_point, total_boot = np.zeros((n_models, n_models)), np.zeros((n_models, n_models, n_boot))
    common = np.zeros((n_models, n_models), dtype=int)
    sorted_tasks = task_of[order]
    starts = np.flatnonzero(np.r_[True, sorted_tasks[1:] != sorted_tasks[:-1]]) if len(order) else np.zeros(0, int)
    for start, stop in zip(starts, np.r_[starts[1:], len(order)]):
        rows = order[start:stop]
        model = model_of[rows]
        first = np.r_[0, np.flatnonzero(model[1:] != model[:-1]) + 1]
        slot = np.arange(len(rows)) - np.repeat(first, np.diff(np.r_[first, len(rows)]))
        counts = np.bincount(model, minlength=n_models)
        point, boot = _scores(strata, rows)
        runs_point = np.zeros((n_models, slot.max() + 1))
        runs_boot = np.zeros((n_models, slot.max() + 1, n_boot))
        runs_point[model, slot], runs_boot[model, slot] = point, boot
        both = (counts[:, None] > 0) & (counts[None, :] > 0)
        np.add(total_point, stats.mann_whitney_matrix(runs_point, counts), out=total_point, where=both)
        np.add(total_boot, stats.mann_whitney_matrix(runs_boot, counts), out=total_boot, where=both[:, :, None])
        common += both
    with np.errstate(invalid="ignore", divide="ignore"):
        p_point = np.where(common > 0, total_point / common, np.nan)
        p_boot = np.where(common[:, :, None] > 0, total_boot / common[:, :, None], np.nan)
    x, y = np.nonzero(~np.eye(n_models, dtype=bool))
    low, high = stats.percentile_rows(p_point[x, y], p_boot[x, y])
    names = np.asarray(models, dtype=object)
    table = pd.DataFrame({"model_x": names[x], "model_y": names[y], "p_improvement": p_point[x, y], "ci_low": low,
                          "ci_high": high, "common_tasks": common[x, y],
                          "y_is_baseline": [is_baseline(models[j]) for j in y]})
    table["ci_excludes_point"] = stats.excludes_point(table["p_improvement"], low, high)
    return table
