"""Solver budgets count work, not wall seconds: a solve that runs out settles the same way on any machine,
under any load (what makes a labelled test set byte-identical on 1 or many workers)."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npgym
from npgym.modroots import STEPS_PER_SECOND, OutOfBudget, StepBudget
from npgym.solvers import solve_cnf


def pigeonhole(holes: int) -> list[list[int]]:
    """holes + 1 pigeons in ``holes`` holes: unsatisfiable, and exponentially hard for resolution."""
    var = lambda pigeon, hole: pigeon * holes + hole + 1  # noqa: E731
    clauses = [[var(p, h) for h in range(holes)] for p in range(holes + 1)]
    clauses += [[-var(p, h), -var(q, h)] for h in range(holes) for p in range(holes + 1) for q in range(p)]
    return clauses


def counters(effort) -> tuple:
    return effort.conflicts, effort.branches, effort.work


def test_a_cnf_that_runs_out_of_work_stops_at_the_same_point_every_time():
    runs = [solve_cnf(pigeonhole(10), time_limit=0.05) for _ in range(2)]
    assert [status for status, _, _ in runs] == ["unknown", "unknown"]
    assert counters(runs[0][2]) == counters(runs[1][2])
    assert 0.05 <= runs[0][2].work < 0.06  # stopped by the propagation budget, not the wall-clock fuse


def test_cp_sat_budget_is_deterministic_under_contention():
    """The same CP-SAT solve, alone and while two others run on the same cores, ends with the same counters."""
    instance = npgym.generate("tsp", 20, seed=3, index=0)  # its optimum is not proved within 0.1

    def run():
        return npgym.solve(instance, time_limit=0.1)

    alone = run()
    results = []
    threads = [threading.Thread(target=lambda: results.append(run())) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {(r.status, r.optimum, counters(r.effort)) for r in results} == {
        (alone.status, alone.optimum, counters(alone.effort))}
    assert alone.optimum is None and 0.1 <= alone.effort.work <= 0.1 * 1.05  # the budget, not the fuse, ended it


@settings(max_examples=25, deadline=None)
@given(limit=st.floats(min_value=1e-4, max_value=0.01))
def test_step_budget_allows_exactly_its_steps(limit):
    budget = StepBudget(limit)
    allowed = max(1, int(limit * STEPS_PER_SECOND))
    for _ in range(allowed):
        budget.tick()
    with pytest.raises(OutOfBudget):
        budget.tick()
    assert budget.steps == allowed + 1


@pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")  # the fuse's timer thread too
@pytest.mark.parametrize("problem_id", ["three_sat", "tsp", "quadratic_congruences", "quadratic_diophantine"])
def test_an_infinite_limit_means_no_limit(problem_id):
    """``--time-limit inf`` is accepted by the command line; every back end takes it as "no limit"."""
    instance = npgym.generate(problem_id, 2, seed=1, index=0)
    assert npgym.solve(instance, time_limit=float("inf")).status == "sat"


def test_arithmetic_on_huge_numbers_counts_as_the_work_it_is():
    """Factoring a modulus of hundreds of 24-bit primes: each step on a 7,000-bit number costs far more than on a
    small one, so the budget, not the wall clock, stops the search (counted as one step each, it used 0.05 s of
    its 2 s of work and ran for half a minute)."""
    instance = npgym.generate("quadratic_congruences", 150, 1)
    result = npgym.get_problem("quadratic_congruences").solve(instance.data, 2.0)
    assert result.status == "unknown"
    assert result.effort.work >= 2.0


def test_a_modulus_with_too_many_roots_is_given_up_without_factoring_all_of_it():
    """48 prime factors give 2^48 roots, beyond the meet in the middle: the solver stops once 39 are found."""
    from npgym.modroots import factorise, smallest_positive_root

    instance = npgym.generate("quadratic_congruences", 30, 1)
    full = StepBudget(1000.0)
    factorise(instance.data["b"], full.tick)
    early = StepBudget(1000.0)
    with pytest.raises(OutOfBudget):
        smallest_positive_root(instance.data["a"], instance.data["b"], early.tick)
    assert early.steps < full.steps


def test_a_prime_factor_without_a_square_root_settles_no_at_once():
    from npgym.modroots import smallest_positive_root

    p, q = 1_000_003, 999_983  # 2 is not a square modulo 1_000_003 (it is 3 mod 8)
    assert smallest_positive_root(2 * q * q % (p * q), p * q, StepBudget(1.0).tick) is None
