"""How problems are grouped on the board: the reference's suites and topical families, with short labels.

Suites are the reference NPPC's split (``npgym.suites``: 12 core problems, 13 extension problems).
Families group problems by what an instance is made of, five problems each, so that one table per
family fits a 100-column page. A problem that is in neither (a new one) falls in ``other``.
"""

from __future__ import annotations

from npgym.suites import CORE, EXTENSION

OTHER = "other"

FAMILIES = {
    "graphs": ("vertex_cover", "clique", "independent_set", "dominating_set", "three_colouring"),
    "routes & layouts": ("tsp", "hamiltonian_cycle", "bandwidth", "max_leaf_spanning_tree", "betweenness"),
    "set systems": ("three_dimensional_matching", "exact_cover_by_3_sets", "set_packing", "set_splitting",
                    "minimum_cover"),
    "partitions": ("partition", "subset_sum", "bin_packing", "minimum_sum_of_squares", "clustering"),
    "logic, strings & numbers": ("three_sat", "shortest_common_superstring", "hitting_string",
                                 "quadratic_diophantine", "quadratic_congruences"),
}

SHORT = {
    "three_sat": "3SAT", "vertex_cover": "VC", "shortest_common_superstring": "SCS", "quadratic_diophantine": "QDE",
    "three_dimensional_matching": "3DM", "tsp": "TSP", "hamiltonian_cycle": "HC", "bin_packing": "BP",
    "three_colouring": "3COL", "minimum_sum_of_squares": "MSS", "bandwidth": "BW", "max_leaf_spanning_tree": "MLST",
    "clique": "CLQ", "independent_set": "IS", "partition": "PART", "subset_sum": "SUBS", "set_packing": "SPACK",
    "set_splitting": "SSPL", "quadratic_congruences": "QC", "dominating_set": "DS", "hitting_string": "HS",
    "exact_cover_by_3_sets": "X3C", "minimum_cover": "MC", "clustering": "CLU", "betweenness": "BETW",
}


def suite_of(problem: str) -> str:
    """Whether ``problem`` is in the core suite, the extension, or neither."""
    return "core" if problem in CORE else "extension" if problem in EXTENSION else OTHER


def family_of(problem: str) -> str:
    """The family (graphs, sets, numbers, ...) ``problem`` is grouped under on the board."""
    return next((name for name, members in FAMILIES.items() if problem in members), OTHER)


def short_label(problem: str) -> str:
    """The short name of ``problem`` for plot axes (its id when it has none)."""
    return SHORT.get(problem, problem)


def grouped(problems: list[str], by: str = "family") -> dict[str, list[str]]:
    """``problems`` split into groups (``by`` = ``suite`` or ``family``), in the groups' fixed order."""
    if by not in ("suite", "family"):
        raise ValueError(f"problems are grouped by 'suite' or 'family', not {by!r}")
    order = ["core", "extension", OTHER] if by == "suite" else [*FAMILIES, OTHER]
    key = suite_of if by == "suite" else family_of
    groups = {name: [p for p in problems if key(p) == name] for name in order}
    return {name: members for name, members in groups.items() if members}
