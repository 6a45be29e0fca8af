"""The problem registry: stable ids mapped to problem objects, filled lazily.

Each module in :mod:`npgym.problems` ends with one ``register(...)`` line. Nothing is imported until
a problem is asked for, so ``import npgym`` does no work; listing the registry imports every module
once. Adding a problem is one module and one card: the tests sweep whatever is registered.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil

from npgym.problem import Problem

_PROBLEMS: dict[str, Problem] = {}


def register(problem: Problem) -> Problem:
    """Add ``problem`` under its id; registering two problems with one id is an error."""
    existing = _PROBLEMS.get(problem.id)
    if existing is not None and type(existing) is not type(problem):
        raise ValueError(f"problem id {problem.id!r} is already registered by {type(existing).__name__}")
    _PROBLEMS[problem.id] = problem
    return problem


def _module_names() -> list[str]:
    import npgym.problems

    return sorted(info.name for info in pkgutil.iter_modules(npgym.problems.__path__)
                  if not info.name.startswith("_"))


def problem_ids() -> list[str]:
    """Every registered problem id, sorted."""
    for name in _module_names():
        importlib.import_module(f"npgym.problems.{name}")
    return sorted(_PROBLEMS)


def get_problem(problem_id: str) -> Problem:
    """The problem registered as ``problem_id`` (``vertex_cover`` or ``vertex_cover-v1``)."""
    base, _, version = problem_id.partition("-v")
    if base not in _PROBLEMS and base in _module_names():
        importlib.import_module(f"npgym.problems.{base}")
    problem = _PROBLEMS.get(base)
    if problem is None:
        close = difflib.get_close_matches(base, problem_ids(), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; run `nppc list` for the ids"
        raise KeyError(f"unknown problem {problem_id!r}{hint}")
    if version and version != str(problem.version):
        raise KeyError(f"{problem_id!r}: this npgym has {problem.versioned_id}; other versions generate differently")
    return problem
