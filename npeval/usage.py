"""Tokens, cost and the quality of valid answers.

Tokens by level
    Mean (and median) prompt, completion and reasoning tokens per attempt, by (model, problem,
    level, outcome) where outcome is ``correct`` or ``wrong``; ``n`` attempts and ``n_reported``
    of them with a completion-token count (a NULL count is unknown, not zero).
Cost per correct answer
    Per model: the summed ``cost_usd`` of the attempts whose cost is known, divided by the correct
    answers among those same attempts. ``cost_coverage`` is the share of attempts with a known cost;
    below 1 the figure covers only those attempts, and at 0 it is NaN (unknown), never 0.
Optimality ratio
    For correct answers to problems with an objective (``Problem.objective`` is min or max) whose
    instance has a known optimum: ``objective / optimum`` for a minimisation, ``optimum / objective``
    for a maximisation, so 1 is optimal and larger is worse. Answers without a usable pair
    (no objective, no optimum, or a zero in the denominator) are counted in ``n_without_optimum``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from npeval.data import Board, is_baseline

TOKEN_COLUMNS = ("prompt_tokens", "completion_tokens", "reasoning_tokens")


def tokens_by_level(board: Board) -> pd.DataFrame:
    """Token counts per (model, problem, level, outcome): how many reported them, and their means."""
    attempts = board.attempts
    grouped = attempts.groupby(["model", "problem", "level", "outcome"])
    table = grouped.agg(n=("status", "size"), n_reported=("completion_tokens", "count"),
                        **{f"mean_{c}": (c, "mean") for c in TOKEN_COLUMNS},
                        **{f"median_{c}": (c, "median") for c in TOKEN_COLUMNS})
    return table.reset_index()


def cost_per_correct(board: Board) -> pd.DataFrame:
    """Each model's known cost, its coverage, and the cost per correct answer."""
    rows = []
    for model, attempts in board.attempts.groupby("model"):
        known = attempts[attempts["cost_usd"].notna()]
        correct = int(known["is_correct"].sum())
        spent = float(known["cost_usd"].sum()) if len(known) else float("nan")
        rows.append({"model": model, "attempts": len(attempts), "with_cost": len(known),
                     "cost_coverage": len(known) / len(attempts) if len(attempts) else float("nan"),
                     "total_cost_usd": spent, "correct_with_cost": correct,
                     "cost_per_correct_usd": spent / correct if correct else float("nan"),
                     "mean_completion_tokens": float(attempts["completion_tokens"].mean()),
                     "is_baseline": is_baseline(model)})
    return pd.DataFrame(rows)


def objective_directions(problems: list[str]) -> dict[str, str | None]:
    """``min`` / ``max`` / None per problem id, from the npgym registry (None if not registered)."""
    import npgym

    directions = {}
    for problem in problems:
        try:
            directions[problem] = npgym.get_problem(problem).objective
        except KeyError:
            directions[problem] = None
    return directions


def optimality_ratios(board: Board) -> pd.DataFrame:
    """Per (model, problem, level): mean / median / max optimality ratio of the correct answers."""
    directions = objective_directions(board.problems)
    correct = board.attempts[board.attempts["is_correct"]].copy()
    correct["direction"] = correct["problem"].map(directions)
    correct = correct[correct["direction"].notna()]
    objective = correct["objective"].astype(float)
    optimum = correct["optimum"].astype(float)
    numerator = np.where(correct["direction"] == "min", objective, optimum)
    denominator = np.where(correct["direction"] == "min", optimum, objective)
    usable = np.isfinite(numerator) & np.isfinite(denominator) & (denominator != 0)
    correct["ratio"] = np.where(usable, numerator / np.where(usable, denominator, 1), np.nan)
    correct["usable"] = usable
    table = correct.groupby(["model", "problem", "level"]).agg(
        n_correct=("ratio", "size"), n_with_optimum=("usable", "sum"), mean_ratio=("ratio", "mean"),
        median_ratio=("ratio", "median"), max_ratio=("ratio", "max"), optimal_share=("ratio", lambda r: (r == 1).mean()
                                                                                     if r.notna().any() else np.nan))
    table = table.reset_index()
    table["n_without_optimum"] = table["n_correct"] - table["n_with_optimum"]
    return table


def baseline_standing(improvement: pd.DataFrame, problem_accuracy: pd.DataFrame) -> pd.DataFrame:
    """Each non-baseline model against each baseline: P(model > baseline) and the accuracy margin."""
    versus = improvement[improvement["y_is_baseline"] & ~improvement["model_x"].map(is_baseline)].copy()
    mean_accuracy = problem_accuracy.groupby("model")["accuracy"].mean().astype(float)
    versus["accuracy_margin"] = (versus["model_x"].map(mean_accuracy).astype(float)
                                 - versus["model_y"].map(mean_accuracy).astype(float))
    return versus.rename(columns={"model_x": "model", "model_y": "baseline"}).drop(columns=["y_is_baseline"])
