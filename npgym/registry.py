"""The problem registry: stable ids mapped to problem objects, filled lazily.

Each module in :mod:`npgym.problems` ends with one ``register(...)`` line. Nothing is imported until
a problem is asked for, so ``import npgym`` does no work; listing the registry imports every module
once. Adding a problem is one module and one card: the tests sweep whatever is registered.

Problems may also live in other packages: an entry point in the :data:`ENTRY_POINT_GROUP` group
names a :class:`Problem` subclass or instance (``[project.entry-points."nppc.problems"]
my_problem = "my_package.my_problem:MyProblem"``); it is loaded when the registry is listed or its
id is asked for. Such a problem brings its own card (override :attr:`Problem.card`, e.g. with
:func:`npgym.cards.parse_card`) and should pass :func:`npgym.check_problem`.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from importlib.metadata import entry_points

from npgym.problem import Problem

_PROBLEMS: dict[str, Problem] = {}
#: the problems loaded so far by bare id, for the engine's hot paths to look up without a call (read it, never
#: write it: :func:`register` does; an id not in it yet goes through :func:`get_problem`)
LOADED = _PROBLEMS
ENTRY_POINT_GROUP = "nppc.problems"


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


def load_entry_points() -> None:
    """Register the problems other installed packages declare in the ``nppc.problems`` group."""
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name in _PROBLEMS:
            continue
        loaded = point.load()
        problem = loaded() if isinstance(loaded, type) else loaded
        if not isinstance(problem, Problem):
            raise TypeError(f"entry point {point.name} = {point.value} is not a npgym Problem")
        register(problem)


def problem_ids() -> list[str]:
    """Every registered problem id, sorted (built-in modules and entry points)."""
    for name in _module_names():
        importlib.import_module(f"npgym.problems.{name}")
    load_entry_points()
    return sorted(_PROBLEMS)


def get_problem(problem_id: str) -> Problem:
    """The problem registered as ``problem_id`` (``vertex_cover`` or ``vertex_cover-v1``)."""
    registered = _PROBLEMS.get(problem_id)
    if registered is not None:  # the common case: a bare id already loaded
        return registered
    base, _, version = problem_id.partition("-v")
    if base not in _PROBLEMS and base in _module_names():
        importlib.import_module(f"npgym.problems.{base}")
    if base not in _PROBLEMS:
        load_entry_points()
    problem = _PROBLEMS.get(base)
    if problem is None:
        close = difflib.get_close_matches(base, problem_ids(), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; run `nppc list` for the ids"
        raise KeyError(f"unknown problem {problem_id!r}{hint}")
    if version and version != str(problem.version):
        raise KeyError(f"{problem_id!r}: this npgym has {problem.versioned_id}; other versions generate differently")
    return problem
