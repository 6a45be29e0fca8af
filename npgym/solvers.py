"""Thin, reproducible wrappers over the two exact back ends: python-sat and OR-Tools CP-SAT.

Both are configured so that a result repeats: CP-SAT with one worker and a fixed seed, the SAT
solver single-threaded by nature. A time limit that runs out gives ``unknown``, never ``unsat``.

A ``time_limit`` is a budget of *work*, not of wall-clock seconds: CP-SAT counts its own deterministic
time and Glucose counts propagations, each scaled so that one unit of ``time_limit`` is about one
second of work on the reference machine (a 2-core x86-64 VM). So whether a solve settles, and with it
every label, bound and certificate of a test set, is the same on a fast or slow, idle or loaded machine
and with any number of workers. A wall-clock fuse (``WALL_FUSE`` times the limit, plus a minute) still
stops a runaway solve; a solve the fuse stops is ``unknown`` like any other.

Neither installs a signal handler (CP-SAT's own SIGINT handler aborts the process in C++ when the
signal comes while Python handles it): interruption belongs to the caller, which can end every solve
in progress with :func:`stop_all_solves` (its results are then ``unknown``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from npgym.problem import SAT, UNKNOWN, UNSAT, Effort, SolveResult, Stopwatch

SAT_SOLVER = "g4"  # Glucose 4: supports interruption, so time limits are honoured.
CP_SEED = 20250415
#: work per second of ``time_limit``, measured on the reference machine by benchmarks/solver_budget.py
CP_DETERMINISTIC_PER_SECOND = 0.55
GLUCOSE_PROPAGATIONS_PER_SECOND = 2_800_000
#: the wall-clock fuse: a solve still running after this many times its ``time_limit`` (plus ``FUSE_FLOOR``
#: seconds) is stopped. It must never decide a solve that its work budget would settle, or labels would again
#: depend on the machine: far above the slowest solves measured per unit of work (p90 2.5 s) times a starved
#: process's slowdown (Ray runs its workers at nice 15; next to busy processes at nice 0 a solve ran 20x slower).
WALL_FUSE = 100.0
FUSE_FLOOR = 60.0


#: a longer limit (``--time-limit inf`` included) means "no limit" and is held at this, which no solve reaches
NO_LIMIT = 1e9


def wall_fuse(time_limit: float) -> float:
    """The wall seconds after which a solve with ``time_limit`` seconds of work is stopped whatever its work."""
    return min(held(time_limit) * WALL_FUSE + FUSE_FLOOR, NO_LIMIT)  # a timer's wait has a ceiling too


def held(time_limit: float) -> float:
    """``time_limit``, held at :data:`NO_LIMIT` so that budgets derived from it stay finite integers."""
    return min(float(time_limit), NO_LIMIT)
#: CP-SAT works in 64-bit integers: linear expressions whose sums may pass this are not given to it
CP_INTEGER_LIMIT = 2 ** 61


class _RunningSolves:
    """The stop functions of the solves now running, in any thread (a solve registers while it runs)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stops: dict[int, Callable[[], object]] = {}
        self._next = 0

    @contextmanager
    def running(self, stop) -> Iterator[None]:
        with self._lock:
            key, self._next = self._next, self._next + 1
            self._stops[key] = stop
        try:
            yield
        finally:
            with self._lock:
                self._stops.pop(key, None)

    def stop_all(self) -> int:
        with self._lock:
            stops = list(self._stops.values())
        for stop in stops:
            stop()
        return len(stops)


_RUNNING = _RunningSolves()


def stop_all_solves() -> int:
    """End every solve in progress (they report ``unknown``); returns how many were running."""
    return _RUNNING.stop_all()


def solve_cnf(clauses: Iterable[list[int]], time_limit: float,
              assumptions: list[int] | None = None) -> tuple[str, list[int], Effort]:
    """Solve a CNF within ``time_limit`` seconds of work (propagations); returns (status, model as
    signed literals, empty unless ``sat``, effort)."""
    from pysat.solvers import Solver

    watch = Stopwatch()
    with Solver(name=SAT_SOLVER, bootstrap_with=clauses) as solver:
        solver.prop_budget(max(1, int(held(time_limit) * GLUCOSE_PROPAGATIONS_PER_SECOND)))
        timer = threading.Timer(wall_fuse(time_limit), solver.interrupt)
        timer.start()
        try:
            with _RUNNING.running(solver.interrupt):
                outcome = solver.solve_limited(assumptions=assumptions or [], expect_interrupt=True)
        finally:
            timer.cancel()
        stats = solver.accum_stats()
        model = (solver.get_model() or []) if outcome else []
    status = SAT if outcome is True else UNSAT if outcome is False else UNKNOWN
    effort = Effort(f"pysat:{SAT_SOLVER}", watch.seconds(), conflicts=stats.get("conflicts"),
                    branches=stats.get("decisions"),
                    work=round(stats.get("propagations", 0) / GLUCOSE_PROPAGATIONS_PER_SECOND, 6))
    return status, model, effort


def cp_solver(time_limit: float, linearization: int | None = None):
    """A CP-SAT solver set up for reproducible runs: one worker, a fixed seed, and a limit on its
    deterministic time (with the wall-clock fuse behind it).

    ``linearization=2`` adds CP-SAT's full LP relaxation (with cuts). Measured on 3 seeds per level: TSP
    at 40 cities proved in 0.1-0.7 s instead of 4 to over 20 s, dominating set at level 6 in 0.03 s instead
    of 5 to over 10 s, independent set at level 19 in 0.1-0.3 s instead of 0.3-1.8 s; but 3D matching at
    level 10 slows from 0.1 to 4 s, so each problem opts in where it helps.
    """
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = CP_SEED
    solver.parameters.max_deterministic_time = held(time_limit) * CP_DETERMINISTIC_PER_SECOND
    solver.parameters.max_time_in_seconds = wall_fuse(time_limit)
    solver.parameters.catch_sigint_signal = False
    if linearization is not None:
        solver.parameters.linearization_level = linearization
    return solver


def cp_work(solver) -> float:
    """The work a finished CP-SAT solve spent, in the units of ``time_limit`` (deterministic, unlike its wall time)."""
    return float(solver.deterministic_time) / CP_DETERMINISTIC_PER_SECOND


def run_cp(model, time_limit: float, optimize: bool = False, linearization: int | None = None):
    """Solve a CP-SAT model; returns (status, solver, effort, proved_optimal).

    With ``optimize`` a FEASIBLE (not proved optimal) result is still ``sat``; ``proved_optimal``
    tells whether its objective value is the optimum.
    """
    from ortools.sat.python import cp_model

    solver = cp_solver(time_limit, linearization)
    watch = Stopwatch()
    with _RUNNING.running(solver.stop_search):
        code = solver.solve(model)
    if code == cp_model.OPTIMAL:
        status, proved = SAT, True
    elif code == cp_model.FEASIBLE:
        status, proved = SAT, not optimize
    elif code == cp_model.INFEASIBLE:
        status, proved = UNSAT, True
    elif code == cp_model.MODEL_INVALID:
        raise RuntimeError(f"CP-SAT rejected the model: {model.validate()}")
    else:
        status, proved = UNKNOWN, False
    effort = Effort("ortools:cp-sat", watch.seconds(), conflicts=int(solver.num_conflicts),
                    branches=int(solver.num_branches), work=round(cp_work(solver), 6))
    return status, solver, effort, proved


def read_one_hot(model: list[int], items: int, choices: int, var: Callable[[int, int], int]) -> list[int]:
    """The choice of each item in a CNF ``model`` whose variable ``var(item, choice)`` is true for one choice."""
    true = {literal for literal in model if literal > 0}
    return [next(choice for choice in range(choices) if var(item, choice) in true) for item in range(items)]


def read_chosen(literals):
    """A certificate reader for :func:`optimize_against_bound`: the indices of the true ``literals``."""
    return lambda solver: [i for i, x in enumerate(literals) if solver.boolean_value(x)]


def optimize_against_bound(model, objective, sense: str, bound: int | None, time_limit: float,
                           read_certificate, linearization: int | None = None) -> SolveResult:
    """Optimise ``objective`` on a CP-SAT ``model`` and decide "is there a solution within ``bound``?".

    ``sense`` is ``"min"`` (the question asks for a value <= bound) or ``"max"`` (>= bound). A proved
    optimum that misses the bound is a proof of ``unsat``; a feasible but unproved value that misses
    it is ``unknown``. ``read_certificate(solver)`` turns the solver's values into a solution.
    """
    if sense == "min":
        model.minimize(objective)
    else:
        model.maximize(objective)
    status, solver, effort, proved = run_cp(model, time_limit, optimize=True, linearization=linearization)
    if status != SAT:
        return SolveResult(status, effort=effort)
    value = int(round(solver.objective_value))
    meets = bound is None or (value <= bound if sense == "min" else value >= bound)
    optimum = value if proved else None
    if meets:
        return SolveResult(SAT, read_certificate(solver), optimum, effort)
    return SolveResult(UNSAT if proved else UNKNOWN, None, optimum, effort)


def beyond_cp(total: int) -> SolveResult | None:
    """``unknown`` (not run) when a linear sum of ``total`` does not fit CP-SAT's 64-bit integers, else None."""
    if total < CP_INTEGER_LIMIT:
        return None
    return SolveResult(UNKNOWN, effort=Effort("ortools:cp-sat (not run: sums above 2^61)", 0.0))
