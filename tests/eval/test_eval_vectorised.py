"""The vectorised statistics against straightforward references, and the bootstrap's exact resampling law.

The references are the loops the analysis used before it was vectorised: one mask per cell, one
Python loop per model pair. Both sides read the same bootstrap replicates, so they must agree to
float round-off; the resampling itself is checked against an enumeration of every index tuple.
"""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from npeval import scores, stats
from npeval.data import Board


def _board_and_strata(seed: int, n_models: int, n_levels: int, n_seeds: int, n_boot: int = 40):
    """A board of random strata (some absent) with random replicate sums, as build_strata would give."""
    rng = np.random.default_rng(seed)
    keys, correct, attempts = [], [], []
    for model, problem, level, run in itertools.product(range(n_models), ("p", "q"), range(1, n_levels + 1),
                                                         range(n_seeds)):
        if rng.random() < 0.2:
            continue  # a stratum the model does not have
        keys.append({"model": f"m{model}", "problem": problem, "level": level, "seed": run})
        size = int(rng.integers(1, 5))
        correct.append(rng.integers(0, size + 1, (n_boot + 1,)))
        attempts.append(np.full(n_boot + 1, size))
    correct = np.array(correct).reshape(-1, n_boot + 1).astype(np.uint16)
    attempts = np.array(attempts).reshape(-1, n_boot + 1).astype(np.uint16)
    strata = scores.Strata(pd.DataFrame(keys, columns=scores.STRATUM_KEYS), correct[:, 0].astype(float),
                           attempts[:, 0].astype(float), correct[:, 1:], attempts[:, 1:])
    cells = pd.DataFrame([{"model": f"m{m}", "problem": p, "level": level} for m in range(n_models)
                          for p in ("p", "q") for level in range(1, n_levels + 1)])
    have = strata.keys.groupby(["model", "problem", "level"]).size()
    cells["status"] = ["complete" if key in have.index else "missing" for key in cells.itertuples(index=False,
                                                                                                    name=None)]
    board = Board(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), cells, ("memory",))
    return board, strata


def _mask(keys, **where):
    mask = np.ones(len(keys), bool)
    for column, value in where.items():
        mask &= (keys[column] == value).to_numpy()
    return mask


def _ratio(c, a):
    return np.where(a > 0, c / np.where(a > 0, a, 1), np.nan)


BOARDS = st.tuples(st.integers(0, 10_000), st.integers(1, 4), st.integers(1, 3), st.integers(1, 3))


@given(BOARDS)
def test_cells_and_problem_tables_match_one_mask_per_cell(shape):
    board, strata = _board_and_strata(*shape)
    replicates = scores.cell_replicates(board, strata)
    cells = scores.cell_accuracy(board, replicates)
    accuracy, ceilings = scores.problem_tables(board, replicates)
    for _, cell in cells.iterrows():
        mask = _mask(strata.keys, model=cell["model"], problem=cell["problem"], level=cell["level"])
        if not mask.any():
            assert np.isnan(cell["accuracy"]) and np.isnan(cell["ci_low"])
            continue
        boot = _ratio(strata.boot_correct[mask].sum(0), strata.boot_attempts[mask].sum(0))
        expected = stats.percentile_interval(float(strata.correct[mask].sum() / strata.attempts[mask].sum()), boot)
        assert (cell["accuracy"], cell["ci_low"], cell["ci_high"]) == pytest.approx(
            (expected.value, expected.low, expected.high))
    for (model, problem), rows in board.cells.groupby(["model", "problem"]):
        levels = rows["level"].to_numpy()
        point = np.array([cells.loc[(cells["model"] == model) & (cells["problem"] == problem) & (cells["level"] == lv),
                                    "accuracy"].iloc[0] for lv in levels])
        got = ceilings[(ceilings["model"] == model) & (ceilings["problem"] == problem)].iloc[0]
        if np.isnan(point).all():
            assert np.isnan(got["ceiling"])
        else:
            assert got["ceiling"] == stats.ceiling_level(levels, point)
            mean = accuracy[(accuracy["model"] == model) & (accuracy["problem"] == problem)].iloc[0]
            assert mean["accuracy"] == pytest.approx(np.nanmean(point))


@given(BOARDS)
def test_aggregates_match_a_loop_over_models(shape):
    board, strata = _board_and_strata(*shape)
    table = scores.aggregates(board, strata).set_index(["model", "metric"])
    for model in board.models:
        mask = _mask(strata.keys, model=model)
        if not mask.any():
            assert table.loc[(model, "iqm"), "tasks"] == 0 and np.isnan(table.loc[(model, "iqm"), "value"])
            continue
        keys = strata.keys[mask]
        tasks = np.unique([f"{p}\0{lv}" for p, lv in zip(keys["problem"], keys["level"])], return_inverse=True)[1]
        point = _ratio(strata.correct[mask], strata.attempts[mask])
        boot = _ratio(strata.boot_correct[mask], strata.boot_attempts[mask]).T
        for name, function in stats.AGGREGATES.items():
            expected = stats.percentile_interval(float(function(point, tasks)), function(boot, tasks))
            got = table.loc[(model, name)]
            assert (got["value"], got["ci_low"], got["ci_high"]) == pytest.approx(
                (expected.value, expected.low, expected.high))


@given(BOARDS)
def test_probability_of_improvement_matches_a_loop_over_pairs_and_tasks(shape):
    board, strata = _board_and_strata(*shape)
    table = scores.improvement(board, strata).set_index(["model_x", "model_y"])

    def runs(model):
        mask = _mask(strata.keys, model=model)
        keys = strata.keys[mask].reset_index(drop=True)
        point, boot = _ratio(strata.correct[mask], strata.attempts[mask]), _ratio(strata.boot_correct[mask],
                                                                                 strata.boot_attempts[mask])
        by_task_point, by_task_boot = {}, {}
        for row, task in enumerate(zip(keys["problem"], keys["level"])):
            by_task_point.setdefault(task, []).append(point[row])
            by_task_boot.setdefault(task, []).append(boot[row])
        return ({t: np.array(v) for t, v in by_task_point.items()},
                {t: np.stack(v, axis=-1) for t, v in by_task_boot.items()})

    every = {model: runs(model) for model in board.models}
    for x, y in itertools.permutations(board.models, 2):
        expected = stats.percentile_interval(
            float(stats.probability_of_improvement(every[x][0], every[y][0])),
            np.atleast_1d(stats.probability_of_improvement(every[x][1], every[y][1])))
        got = table.loc[(x, y)]
        assert got["common_tasks"] == len(set(every[x][0]) & set(every[y][0]))
        if np.isnan(expected.value):
            assert np.isnan(got["p_improvement"])
        else:
            assert (got["p_improvement"], got["ci_low"], got["ci_high"]) == pytest.approx(
                (expected.value, expected.low, expected.high))


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=4))
def test_resampled_sums_distribution_is_the_law_of_drawing_instances_with_replacement(instances):
    correct = np.array([min(c, a) for c, a in instances])
    attempts = np.array([max(a, 1) for _, a in instances])
    n = len(instances)
    counts = Counter((int(correct[list(pick)].sum()), int(attempts[list(pick)].sum()))
                     for pick in itertools.product(range(n), repeat=n))
    support_c, support_a, probabilities = stats.resampled_sums_distribution(correct, attempts)
    got = {(int(c), int(a)): p for c, a, p in zip(support_c, support_a, probabilities)}
    assert set(got) == set(counts)
    assert all(got[key] == pytest.approx(count / n ** n, abs=1e-12) for key, count in counts.items())


def test_drawn_sums_follow_their_distribution():
    correct, attempts = np.array([0, 1, 2, 3, 3, 1]), np.array([3, 3, 3, 3, 2, 1])
    drawn_c, drawn_a = stats.resample_sums(correct, attempts, 40_000, np.random.default_rng(3))
    picks = np.random.default_rng(4).integers(0, 6, (40_000, 6))  # the index-resampling bootstrap it replaces
    for drawn, values in ((drawn_c, correct), (drawn_a, attempts)):
        reference = values[picks].sum(1)
        spread = values.std() * np.sqrt(6 / 40_000)
        assert abs(drawn.mean() - reference.mean()) < 5 * spread and drawn.std() == pytest.approx(reference.std(), 0.03)


def test_mann_whitney_matrix_ignores_unused_slots():
    runs = np.array([[0.2, 0.9, 7.0], [0.5, 0.0, 0.0], [0.1, 0.3, 0.3]])
    counts = np.array([2, 1, 3])
    matrix = stats.mann_whitney_matrix(runs, counts)
    for x, y in itertools.product(range(3), repeat=2):
        assert matrix[x, y] == pytest.approx(stats.mann_whitney(runs[x, :counts[x]], runs[y, :counts[y]]))
    assert np.isnan(stats.mann_whitney_matrix(runs, np.array([2, 0, 3]))[1]).all()


@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2 ** 32 - 1), st.booleans())
def test_mann_whitney_matrix_equals_the_pairwise_definition(n_models, n_slots, n_boot, seed, with_nan):
    """Every pair and replicate equals :func:`stats.mann_whitney` of the used slots (ties on a coarse grid); a NaN
    score (here on boards with every slot used) makes its model's pairs NaN in that replicate, as a float sign."""
    rng = np.random.default_rng(seed)
    runs = np.round(rng.random((n_models, n_slots, n_boot)) * 3) / 3
    counts = np.full(n_models, n_slots) if with_nan else rng.integers(1, n_slots + 1, size=n_models)
    if with_nan:
        runs[0, 0, 0] = np.nan
    matrix = stats.mann_whitney_matrix(runs, counts)
    for x, y, b in itertools.product(range(n_models), range(n_models), range(n_boot)):
        poisoned = with_nan and b == 0 and 0 in (x, y)
        assert np.isnan(matrix[x, y, b]) == poisoned
        if not poisoned:
            assert matrix[x, y, b] == pytest.approx(stats.mann_whitney(runs[x, :counts[x], b], runs[y, :counts[y], b]))
