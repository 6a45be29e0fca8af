"""Accuracy, aggregates, ceilings and probability of improvement, all with bootstrap intervals.

Definitions are in :mod:`npeval.stats`. Tables here follow two rules: every (model, problem,
level) cell of the board has a row (``status`` complete / partial / missing, from
:mod:`npeval.data`), and a row built from partial or missing cells says so (``partial`` column).

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
    """Per (model, problem, level, seed) stratum: point sums and bootstrap replicate sums."""

    keys: pd.DataFrame
    correct: np.ndarray
    attempts: np.ndarray
    boot_correct: np.ndarray
    boot_attempts: np.ndarray

    @property
    def n_boot(self) -> int:
        return self.boot_correct.shape[1]

    def rows(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return self.correct[mask], self.attempts[mask], self.boot_correct[mask], self.boot_attempts[mask]


def build_strata(board: Board, n_boot: int, seed: int) -> Strata:
    """Resample every stratum's instances ``n_boot`` times with one seeded Generator."""
    rng = np.random.default_rng(seed)
    attempts = board.attempts
    per_instance = (attempts.groupby(STRATUM_KEYS + ["instance_id"])
                    .agg(correct=("is_correct", "sum"), attempts=("is_attempt", "sum")).reset_index())
    keys, point_c, point_a, boot_c, boot_a = [], [], [], [], []
    for key, group in per_instance.groupby(STRATUM_KEYS, sort=True):
        correct = group["correct"].to_numpy(dtype=np.int64)
        tries = group["attempts"].to_numpy(dtype=np.int64)
        resampled = stats.resample_sums(correct, tries, n_boot, rng)
        keys.append(dict(zip(STRATUM_KEYS, key)))
        point_c.append(correct.sum())
        point_a.append(tries.sum())
        boot_c.append(resampled[0])
        boot_a.append(resampled[1])
    shape = (len(keys), n_boot)
    return Strata(pd.DataFrame(keys, columns=STRATUM_KEYS), np.asarray(point_c, dtype=float),
                  np.asarray(point_a, dtype=float), np.asarray(boot_c, dtype=float).reshape(shape),
                  np.asarray(boot_a, dtype=float).reshape(shape))


def _ratio(numerator, denominator):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan)


def cell_accuracy(board: Board, strata: Strata) -> pd.DataFrame:
    """Accuracy per (model, problem, level) with its interval, beside the coverage columns."""
    rows = []
    groups = strata.keys.groupby(["model", "problem", "level"]).indices
    for cell in board.cells.itertuples(index=False):
        index = groups.get((cell.model, cell.problem, cell.level))
        if index is None:
            interval = stats.Interval(float("nan"), float("nan"), float("nan"))
        else:
            c, a, bc, ba = strata.rows(index)
            interval = stats.percentile_interval(float(_ratio(c.sum(), a.sum())),
                                                 _ratio(bc.sum(axis=0), ba.sum(axis=0)))
        rows.append({**cell._asdict(), "accuracy": interval.value, "ci_low": interval.low, "ci_high": interval.high})
    return pd.DataFrame(rows)


def _level_replicates(strata: Strata, model: str, problem: str, levels: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Point (L,) and replicate (L, B) accuracies of one (model, problem) at ``levels`` (NaN if absent)."""
    keys = strata.keys
    point = np.full(len(levels), np.nan)
    boot = np.full((len(levels), strata.n_boot), np.nan)
    for row, level in enumerate(levels):
        mask = ((keys["model"] == model) & (keys["problem"] == problem) & (keys["level"] == level)).to_numpy()
        if mask.any():
            c, a, bc, ba = strata.rows(mask)
            point[row] = _ratio(c.sum(), a.sum())
            boot[row] = _ratio(bc.sum(axis=0), ba.sum(axis=0))
    return point, boot


def problem_tables(board: Board, strata: Strata) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(problem accuracy, ceiling) per (model, problem), with intervals and partial flags."""
    accuracy_rows, ceiling_rows = [], []
    for (model, problem), cells in board.cells.groupby(["model", "problem"], sort=True):
        levels = sorted(int(level) for level in cells["level"])
        point, boot = _level_replicates(strata, model, problem, levels)
        partial = bool((cells["status"] != "complete").any())
        base = {"model": model, "problem": problem, "partial": partial, "is_baseline": is_baseline(model)}
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: a model without data here
            mean = stats.percentile_interval(float(np.nanmean(point)), np.nanmean(boot, axis=0))
        accuracy_rows.append({**base, "accuracy": mean.value, "ci_low": mean.low, "ci_high": mean.high,
                              "levels": len(levels), "levels_missing": int((cells["status"] == MISSING).sum())})
        level_array = np.asarray(levels)
        if np.isnan(point).all():  # never evaluated on this problem: no ceiling to claim
            ceiling = low = high = float("nan")
        else:
            ceiling = float(stats.ceiling_level(level_array, point))
            replicates = stats.ceiling_level(level_array, boot).astype(float)
            low, high = np.percentile(replicates, [2.5, 97.5])
        ceiling_rows.append({**base, "ceiling": ceiling, "ci_low": float(low), "ci_high": float(high),
                             "censored": ceiling >= level_array[-1], "top_level": int(level_array[-1])})
    return pd.DataFrame(accuracy_rows), pd.DataFrame(ceiling_rows)


def _entries(strata: Strata, model: str) -> tuple[list, np.ndarray, np.ndarray]:
    """A model's run x task entries: task labels, point scores (n,), replicate scores (B, n)."""
    mask = (strata.keys["model"] == model).to_numpy()
    keys = strata.keys[mask]
    c, a, bc, ba = strata.rows(mask)
    tasks = list(zip(keys["problem"], keys["level"]))
    return tasks, _ratio(c, a), _ratio(bc, ba).T


def aggregates(board: Board, strata: Strata) -> pd.DataFrame:
    """IQM, mean, median and optimality gap per model over the tasks it has, with intervals."""
    board_tasks = board.cells[["problem", "level"]].drop_duplicates().shape[0]
    rows = []
    for model in board.models:
        tasks, point, boot = _entries(strata, model)
        codes = np.unique(np.asarray([f"{p}\0{l}" for p, l in tasks], dtype=object), return_inverse=True)[1] \
            if tasks else np.zeros(0, dtype=int)
        cells = board.cells[board.cells["model"] == model]
        for name, function in stats.AGGREGATES.items():
            if tasks:
                interval = stats.percentile_interval(float(function(point, codes)), function(boot, codes))
            else:
                interval = stats.Interval(float("nan"), float("nan"), float("nan"))
            rows.append({"model": model, "metric": name, "value": interval.value, "ci_low": interval.low,
                         "ci_high": interval.high, "tasks": len(set(tasks)), "board_tasks": board_tasks,
                         "partial": bool((cells["status"] != "complete").any()), "is_baseline": is_baseline(model)})
    return pd.DataFrame(rows)


def _runs_by_task(strata: Strata, model: str) -> tuple[dict, dict]:
    tasks, point, boot = _entries(strata, model)
    point_by, boot_by = {}, {}
    for column, task in enumerate(tasks):
        point_by.setdefault(task, []).append(point[column])
        boot_by.setdefault(task, []).append(boot[:, column])
    return ({task: np.asarray(values) for task, values in point_by.items()},
            {task: np.stack(values, axis=-1) for task, values in boot_by.items()})


def improvement(board: Board, strata: Strata, pairs: list[tuple[str, str]] | None = None) -> pd.DataFrame:
    """P(X > Y) with its interval for every ordered pair of models (or the given pairs)."""
    models = board.models
    pairs = pairs if pairs is not None else [(x, y) for x in models for y in models if x != y]
    runs = {model: _runs_by_task(strata, model) for model in {m for pair in pairs for m in pair}}
    rows = []
    for x, y in pairs:
        (x_point, x_boot), (y_point, y_boot) = runs[x], runs[y]
        interval = stats.percentile_interval(float(stats.probability_of_improvement(x_point, y_point)),
                                             np.atleast_1d(stats.probability_of_improvement(x_boot, y_boot)))
        rows.append({"model_x": x, "model_y": y, "p_improvement": interval.value, "ci_low": interval.low,
                     "ci_high": interval.high, "common_tasks": len(set(x_point) & set(y_point)),
                     "y_is_baseline": is_baseline(y)})
    return pd.DataFrame(rows, columns=["model_x", "model_y", "p_improvement", "ci_low", "ci_high", "common_tasks",
                                       "y_is_baseline"])
