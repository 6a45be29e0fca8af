"""The attacks run against every problem: its own textbook heuristic plus the family attacks."""

from __future__ import annotations

import random
import signal
from collections.abc import Callable
from typing import Any

import npgym

from . import graphs, numbers, sat, sets
from .budget import Deadline

Attack = Callable[[dict[str, Any], Deadline, random.Random], Any]


def vertex_cover_weighted(data, deadline, rng):
    """Vertex cover as set cover: every edge an element, every vertex the set of its edges."""
    incident: list[list[int]] = [[] for _ in range(data["n"])]
    for e, (u, v) in enumerate(data["edges"]):
        incident[u].append(e)
        incident[v].append(e)
    return graphs.weighted_cover(len(data["edges"]), incident, data["k"], deadline, rng) if data["edges"] else []


FAMILY: dict[str, dict[str, Attack]] = {
    "three_sat": {"walksat": sat.three_sat_walksat},
    "hitting_string": {"walksat": sat.hitting_string_walksat},
    "set_splitting": {"nae_walksat": sat.set_splitting_walksat},
    "vertex_cover": {"is_tabu": graphs.vertex_cover_tabu, "weighted_cover": vertex_cover_weighted},
    "independent_set": {"is_tabu": graphs.independent_set_tabu},
    "clique": {"is_tabu": graphs.clique_tabu},
    "dominating_set": {"weighted_cover": graphs.dominating_set_cover},
    "three_colouring": {"tabucol": graphs.three_colouring_tabucol},
    "clustering": {"tabucol": graphs.clustering_tabucol},
    "hamiltonian_cycle": {"rotation": graphs.rotation_extension, "backtrack": graphs.hamiltonian_backtrack},
    "tsp": {"two_opt_ils": graphs.iterated_two_opt},
    "bandwidth": {"layout_search": graphs.bandwidth_layout_search, "swap_search": graphs.bandwidth_swap_search},
    "max_leaf_spanning_tree": {"leafy_trees": graphs.randomised_leafy_trees},
    "partition": {"dp": numbers.partition_dp, "ckk": numbers.partition_ckk, "mitm": numbers.partition_mitm},
    "subset_sum": {"dp": numbers.subset_sum_dp, "mitm": numbers.subset_sum_mitm, "local": numbers.subset_sum_local},
    "minimum_sum_of_squares": {"local": numbers.sum_of_squares_local},
    "bin_packing": {"repair": numbers.bin_packing_repair},
    "quadratic_congruences": {"roots": numbers.quadratic_congruence_roots, "scan": numbers.quadratic_congruence_scan},
    "quadratic_diophantine": {"roots": numbers.diophantine_roots, "scan": numbers.diophantine_scan},
    "exact_cover_by_3_sets": {"algorithm_x": sets.x3c_search, "packing_tabu": sets.x3c_packing_tabu},
    "three_dimensional_matching": {"algorithm_x": sets.three_dm_search, "packing_tabu": sets.three_dm_packing_tabu},
    "set_packing": {"packing_tabu": sets.set_packing_tabu, "matching": sets.set_packing_matching},
    "minimum_cover": {"weighted_cover": sets.minimum_cover_search},
    "shortest_common_superstring": {"order_search": sets.superstring_order_search,
                                    "greedy_local": sets.superstring_greedy_local},
    "betweenness": {"local": sets.betweenness_local, "backtrack": sets.betweenness_backtrack},
}


def attacks(problem_id: str) -> dict[str, Attack]:
    """The problem's textbook heuristic (name ``heuristic``) and its family attacks."""
    problem = npgym.get_problem(problem_id)
    return {"heuristic": lambda data, deadline, rng: problem.heuristic(data, rng), **FAMILY[problem_id]}


class _OutOfTime(Exception):
    pass


def _interrupt(signum, frame):
    raise _OutOfTime


def run_attack(attack: Attack, instance: npgym.Instance, seconds: float, seed: int) -> bool:
    """Whether ``attack`` finds an accepted answer to ``instance`` within ``seconds`` of CPU time.

    Attacks poll their deadline; a CPU-time alarm at twice the budget stops those that do not (the
    problems' textbook heuristics have no budget of their own), and counts them as misses, as it does errors.
    """
    previous = signal.signal(signal.SIGPROF, _interrupt)
    signal.setitimer(signal.ITIMER_PROF, 2 * seconds)
    try:
        answer = attack(instance.data, Deadline(seconds), random.Random(seed))
    except (RecursionError, _OutOfTime):
        return False
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
    return answer is not None and npgym.verify(instance, {"solution": answer}).ok
