"""Max Leaf Spanning Tree's exact solver: the smallest connected dominating set by lazy separator cuts,
checked against brute force on small random graphs."""

from __future__ import annotations

import itertools

from hypothesis import assume, given, settings
from hypothesis import strategies as st

import npgym
from npgym.graphs import adjacency
from npgym.problems.max_leaf_spanning_tree import _components, connected_dominating, separator_cut

MLST = npgym.get_problem("max_leaf_spanning_tree")


@st.composite
def connected_graphs(draw, max_n: int = 9):
    """A connected graph as ``{"n", "edges"}``: a random tree on 3..max_n vertices plus random extra edges."""
    n = draw(st.integers(3, max_n))
    edges = {(draw(st.integers(0, v - 1)), v) for v in range(1, n)}
    pairs = [(u, v) for u in range(n) for v in range(u + 1, n)]
    edges |= set(draw(st.lists(st.sampled_from(pairs), max_size=2 * n)))
    return {"n": n, "edges": sorted([u, v] for u, v in edges)}


def is_cds(core: set[int], neighbours: list[set[int]]) -> bool:
    """Connected and dominating, a star's lone centre included."""
    if len(core) == 1:
        return len(neighbours[next(iter(core))]) == len(neighbours) - 1
    return connected_dominating(core, neighbours)


def every_cds(neighbours: list[set[int]]) -> list[set[int]]:
    n = len(neighbours)
    return [set(c) for size in range(1, n + 1) for c in itertools.combinations(range(n), size)
            if is_cds(set(c), neighbours)]


def most_leaves_brute_force(graph) -> int:
    """n minus the smallest connected dominating set, found by trying every vertex subset."""
    return graph["n"] - min(len(core) for core in every_cds(adjacency(graph["n"], graph["edges"])))


@settings(max_examples=150, deadline=None)
@given(connected_graphs())
def test_solver_finds_the_brute_force_optimum_and_refutes_one_more(graph):
    best = most_leaves_brute_force(graph)
    result = MLST.solve({**graph, "t": best}, 10)
    assert result.status == "sat" and result.optimum == best
    assert MLST.check({**graph, "t": best}, result.certificate) == best
    assert MLST.solve({**graph, "t": best + 1}, 10).status == "unsat"


@settings(max_examples=150, deadline=None)
@given(connected_graphs(), st.data())
def test_separator_cut_holds_for_every_cds_and_cuts_off_the_disconnected_set(graph, data):
    n = graph["n"]
    neighbours = adjacency(n, graph["edges"])
    lonely = [v for v in range(n) if len(neighbours[v]) < n - 1]
    assume(lonely)  # a complete graph has no disconnected vertex set
    # a disconnected chosen set by construction: a vertex with none of its neighbours, plus any other vertices
    # (drawing sets and filtering out the connected ones starves hypothesis on dense graphs)
    alone = data.draw(st.sampled_from(lonely))
    far = [v for v in range(n) if v != alone and v not in neighbours[alone]]
    chosen = {alone} | data.draw(st.sets(st.sampled_from(far), min_size=1))
    chosen |= data.draw(st.sets(st.sampled_from(range(n)), max_size=n // 2))
    parts = _components(chosen, neighbours)
    assume(len(parts) > 1)  # the extra vertices can join the pieces
    part = parts[data.draw(st.integers(0, len(parts) - 1))]
    separator, unconditional = separator_cut(part, neighbours)
    assert not separator & chosen  # the chosen set violates the cut
    for core in every_cds(neighbours):
        if len(core) == 1:
            continue  # a star's centre: the solver settles stars before any cut
        if unconditional:
            assert core & separator
        else:
            assert all(core & separator for b in chosen - part if b in core)


def test_a_zero_budget_never_claims_a_proof():
    data = npgym.generate("max_leaf_spanning_tree", 10, seed=0).data
    result = MLST.solve({**data, "t": data["n"] - 2}, 0)
    assert result.status == "unknown" and result.optimum is None


def test_top_level_settles_at_the_optimum():
    data = npgym.generate("max_leaf_spanning_tree", 10, seed=1).data
    result = MLST.solve(data, 10)
    assert result.status == "sat" and result.optimum is not None and result.optimum >= data["t"]
    assert MLST.solve({**data, "t": result.optimum + 1}, 10).status == "unsat"
