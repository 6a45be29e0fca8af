"""How prompts grow past the top level: every ladder's prompts grow about linearly with the level.

A level past the top adds a bounded number of characters (the ``beyond`` rules of a card: ``add`` for sizes whose
prompt is linear in them, ``add_square`` for vertex counts of dense graphs, distance matrices and n numbers of n
bits), so an ever-growing ladder never jumps to prompts no model can read. ``benchmarks/growth.py`` prints the
figures; the test suite holds every problem to :data:`MAX_INCREMENT_RATIO`.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from npgym.engine import generate
from npgym.prompt import build_prompt
from npgym.registry import get_problem

#: the largest allowed ratio of the second span's growth to the first (linear: 1; quadratic in the level: 2-3)
MAX_INCREMENT_RATIO = 1.5


def growth_levels(problem_id: str, steps: int = 20) -> list[int]:
    """Three levels past the top, ``steps`` apart (the first level past the top may start a new regime)."""
    first = get_problem(problem_id).card.top_level + 1
    return [first, first + steps, first + 2 * steps]


def prompt_chars(problem_id: str, level: int, seed: int) -> int:
    """The zero-shot prompt length of the instance ``(level, seed, 0)``."""
    return len(build_prompt(generate(problem_id, level, seed)))


def median_chars(problem_id: str, level: int, seeds: Sequence[int] = (0, 1, 2)) -> float:
    """The median prompt length over a few seeds (one draw can be an outlier)."""
    return statistics.median(prompt_chars(problem_id, level, seed) for seed in seeds)


def increment_ratio(chars: Sequence[float]) -> float:
    """How much faster the prompt grew over the second span than over the first (three equally spaced levels)."""
    first, middle, last = chars
    return (last - middle) / max(middle - first, 1.0)
