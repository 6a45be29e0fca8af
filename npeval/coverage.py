"""Coverage of one model in words: which tasks it has data on and what is missing, for tables and pages.

Built from the board's cell table (:mod:`npeval.data`): a task is one (problem, level); a task has
data when it has at least one attempt; answers are missing when a cell has fewer attempts than
expected (API errors, or instances never run).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from npeval.data import COMPLETE


@dataclass(frozen=True)
class Coverage:
    """How much of the board a model answered, in numbers and in one line of words."""

    tasks: int            # tasks with at least one attempt
    board_tasks: int      # tasks on the whole board
    problems: int         # problems with at least one attempt
    board_problems: int
    attempts: int
    expected: int
    api_errors: int
    complete: bool
    words: str            # e.g. "partial: 12 of 75 tasks (12 of 25 problems, level 1 only); 13 problems not run",
                          # "partial: 16 answers missing (16 API errors)", "complete: all 75 tasks, 300 answers"


def span(levels: list[int]) -> str:
    """``[1, 2, 3, 5]`` -> ``"levels 1-3, 5"``; ``[1]`` -> ``"level 1"``."""
    levels = sorted(set(levels))
    runs: list[list[int]] = []
    for level in levels:
        if runs and level == runs[-1][-1] + 1:
            runs[-1].append(level)
        else:
            runs.append([level])
    text = ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else f"{r[0]}" for r in runs)
    return ("level " if len(levels) == 1 else "levels ") + text


def model_coverage(cells: pd.DataFrame) -> Coverage:
    """The coverage of the one model whose cells (every (problem, level) of the board) are given."""
    board_problems = sorted(cells["problem"].unique())
    has_data = cells[cells["attempts"] > 0]
    problems = sorted(has_data["problem"].unique())
    attempts, expected = int(cells["attempts"].sum()), int(cells["expected"].sum())
    api_errors = int(cells["api_errors"].sum())
    complete = bool((cells["status"] == COMPLETE).all())
    numbers: dict[str, Any] = dict(tasks=len(has_data), board_tasks=len(cells), problems=len(problems),
                   board_problems=len(board_problems), attempts=attempts, expected=expected, api_errors=api_errors,
                   complete=complete)
    if complete:
        return Coverage(**numbers, words=f"complete: all {len(cells)} tasks, {attempts} answers")
    if has_data.empty:
        return Coverage(**numbers, words=f"no data: none of the {len(cells)} tasks has an answer")
    parts = []
    if len(has_data) < len(cells):
        problem_part = (f"all {len(board_problems)} problems" if len(problems) == len(board_problems)
                        else f"{len(problems)} of {len(board_problems)} problems")
        level_sets = {tuple(sorted(rows["level"].astype(int))) for _, rows in has_data.groupby("problem")}
        board_levels = sorted(cells["level"].astype(int).unique())
        if len(level_sets) == 1 and list(next(iter(level_sets))) != board_levels:
            problem_part += f", {span(list(next(iter(level_sets))))} only"
        parts.append(f"{len(has_data)} of {len(cells)} tasks ({problem_part})")
        unrun = len(board_problems) - len(problems)
        if unrun:
            parts.append(f"{unrun} problem{'s' if unrun > 1 else ''} not run")
    short = int((has_data["expected"] - has_data["attempts"]).clip(lower=0).sum())
    if short:
        where = " in the tasks run" if len(has_data) < len(cells) else ""
        parts.append(f"{short} answer{'s' if short > 1 else ''} missing{where}"
                     + (f" ({api_errors} API error{'s' if api_errors > 1 else ''})" if api_errors else ""))
    return Coverage(**numbers, words="partial: " + "; ".join(parts))


def coverage_by_model(cells: pd.DataFrame) -> dict[str, Coverage]:
    """Each model's :class:`Coverage` of the board's cells."""
    return {model: model_coverage(rows) for model, rows in cells.groupby("model", sort=True)}
