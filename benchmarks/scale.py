"""Levels at which a problem's size is a multiple of its reference-top size (shared by the benchmarks)."""

from __future__ import annotations

import npgym


def size_of(params: dict, card) -> float:
    """The problem's primary size: its first ladder parameter."""
    return params[card.params[0]]


def level_for_scale(problem_id: str, factor: float, max_level: int = 10_000) -> int:
    """The first level whose primary size is at least ``factor`` times the top level's."""
    card = npgym.get_problem(problem_id).card
    target = factor * size_of(card.level_params(card.top_level), card)
    level = card.top_level
    while size_of(card.level_params(level), card) < target and level < max_level:
        level += 1
    return level


def benchmark_levels(problem_id: str) -> dict[str, int]:
    """Level 1, the middle and top of the reference ladder, and the levels at 2x and 10x the top size."""
    top = npgym.get_problem(problem_id).card.top_level
    return {"1": 1, "mid": max(1, (top + 1) // 2), "top": top,
            "2x": level_for_scale(problem_id, 2), "10x": level_for_scale(problem_id, 10)}


def chosen_problems(spec: str) -> list[str]:
    """The problems a ``--problems`` option names: "all" or a comma list of ids."""
    return npgym.problem_ids() if spec == "all" else spec.split(",")
