"""The verifiers' fast paths grade every answer exactly as the plain definitions they replace.

Shared schema checks take a bulk path for well-formed lists and locate a failure element by element only
when it fails; Clique and Independent Set count the edges inside an answer instead of building an edge set,
Hamiltonian Cycle counts the edges that are steps of the cycle, and Shortest Common Superstring searches
its strings as 3-gram codes. Each property below compares the fast path with a slow, obvious reference on
random valid and malformed answers: same ok, same code, same message, same objective.
"""

from itertools import combinations

from hypothesis import given
from hypothesis import strategies as st

from npgym import checks
from npgym.engine import ACCEPTED, check_data
from npgym.problems.shortest_common_superstring import all_occur, gram_text
from npgym.verdict import BOUND, CONSTRAINT, Reject, Verdict

#: JSON scalars a model might put where an integer or a boolean belongs
json_scalars = st.one_of(st.integers(-3, 12), st.booleans(), st.floats(-3, 12, allow_nan=False), st.none(),
                         st.text(max_size=2))
json_values = st.one_of(json_scalars, st.lists(json_scalars, max_size=12), st.dictionaries(st.text(max_size=2),
                                                                                             json_scalars, max_size=2))


def outcome(check, *args, **kwargs):
    """("ok", returned value) or (code, message) of a schema check."""
    try:
        return "ok", check(*args, **kwargs)
    except Reject as rejection:
        return rejection.code, rejection.message


def slow_int_list(value, name, lo=None, hi=None, length=None, distinct=False):
    """int_list by its definition: the list's shape, then every element in order, then repeats."""
    items = checks.listing(value, name, length)
    for position, item in enumerate(items):
        checks.integer(item, f"{name}[{position}]", lo, hi)
    if distinct:
        checks.unique_values(items, name)
    return items


def slow_booleans(value, name, length=None):
    items = checks.listing(value, name, length)
    for position, item in enumerate(items):
        checks.boolean(item, f"{name}[{position}]")
    return items


@given(value=json_values, lo=st.one_of(st.none(), st.integers(-1, 3)), hi=st.one_of(st.none(), st.integers(4, 10)),
       length=st.one_of(st.none(), st.integers(0, 6)), distinct=st.booleans())
def test_int_list_grades_as_its_definition(value, lo, hi, length, distinct):
    fast = outcome(checks.int_list, value, "solution", lo, hi, length=length, distinct=distinct)
    assert fast == outcome(slow_int_list, value, "solution", lo, hi, length, distinct)


@given(value=st.one_of(json_values, st.permutations(range(5)).map(list),
                       st.lists(st.one_of(st.integers(-1, 6), st.booleans()), max_size=7)), n=st.integers(0, 6))
def test_permutation_grades_as_its_definition(value, n):
    assert outcome(checks.permutation, value, "solution", n) == outcome(slow_int_list, value, "solution", 0, n - 1,
                                                                         n, True)


@given(value=st.one_of(json_values, st.lists(st.booleans(), max_size=8)),
       length=st.one_of(st.none(), st.integers(0, 5)))
def test_booleans_grade_as_their_definition(value, length):
    assert outcome(checks.booleans, value, "solution", length) == outcome(slow_booleans, value, "solution", length)


@st.composite
def graphs_and_answers(draw):
    """A graph with canonical edges (u < v, distinct), a bound k and an answer: mostly vertex lists, some junk."""
    n = draw(st.integers(1, 9))
    pairs = list(combinations(range(n), 2))
    few = draw(st.sets(st.sampled_from(pairs), max_size=3)) if pairs else set()
    # all pairs but a few give cliques and near misses, a few pairs give independent sets and near misses
    edges = sorted(set(pairs) - few if draw(st.booleans()) else few)
    k = draw(st.integers(1, n))
    kind = draw(st.sampled_from(["vertex set"] * 4 + ["vertex list", "junk"]))
    if kind == "junk":
        return {"n": n, "k": k, "edges": [list(e) for e in edges]}, draw(json_values)
    answer = draw(st.lists(st.integers(0, n - 1), min_size=min(n, 2), max_size=n, unique=kind == "vertex set"))
    return {"n": n, "k": k, "edges": [list(e) for e in edges]}, answer


def slow_free_set(data, solution, conflict_is_edge, what):
    """The verdict of a clique or independent set answer by its definition: every chosen pair tested."""
    try:
        chosen = checks.int_list(solution, "solution", 0, data["n"] - 1, distinct=True)
    except Reject as rejection:
        return rejection.verdict()
    edges = {tuple(e) for e in data["edges"]}
    for i, u in enumerate(chosen):
        for v in chosen[i + 1:]:
            adjacent = (min(u, v), max(u, v)) in edges
            if adjacent == conflict_is_edge:
                problem = "are joined by an edge" if adjacent else "are not joined by an edge"
                return Verdict(False, CONSTRAINT, f"vertices {u} and {v} {problem}, so this is not {what}")
    if len(chosen) < data["k"]:
        return Verdict(False, BOUND, f"{what} has {len(chosen)} vertices, fewer than k = {data['k']}")
    return Verdict.accept("the solution satisfies every constraint", len(chosen))


@given(case=graphs_and_answers())
def test_clique_grades_as_its_definition(case):
    data, answer = case
    assert check_data("clique", data, answer) == slow_free_set(data, answer, False, "a clique")


@given(case=graphs_and_answers())
def test_independent_set_grades_as_its_definition(case):
    data, answer = case
    assert check_data("independent_set", data, answer) == slow_free_set(data, answer, True, "an independent set")


@given(n=st.integers(2, 9), data=st.data())
def test_bandwidth_width_is_the_longest_edge_span(n, data):
    edges = sorted(data.draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
                                     .filter(lambda e: e[0] < e[1]), min_size=1)))
    positions = data.draw(st.permutations(range(n)))
    width = max(abs(positions[u] - positions[v]) for u, v in edges)
    verdict = check_data("bandwidth", {"n": n, "k": width, "edges": [list(e) for e in edges]}, positions)
    assert verdict.ok and verdict.objective == width
    tighter = check_data("bandwidth", {"n": n, "k": width - 1, "edges": [list(e) for e in edges]}, positions)
    assert tighter.code == BOUND


@given(n=st.integers(3, 8), data=st.data())
def test_betweenness_accepts_exactly_the_orders_that_put_each_middle_between(n, data):
    triples = data.draw(st.lists(st.permutations(range(n)).map(lambda p: list(p[:3])), min_size=1, max_size=5))
    order = data.draw(st.permutations(range(n)))
    place = {element: position for position, element in enumerate(order)}
    between = all(min(place[a], place[c]) < place[b] < max(place[a], place[c]) for a, b, c in triples)
    verdict = check_data("betweenness", {"n": n, "triples": triples}, list(order))
    assert verdict.ok == between and verdict.code == ("ok" if between else CONSTRAINT)


def test_a_path_is_no_clique_for_either_side():
    """A missing edge is named the same way by both paths (the comparisons above can tell them apart)."""
    data = {"n": 3, "k": 3, "edges": [[0, 1], [1, 2]]}
    verdict = check_data("clique", data, [2, 0, 1])
    assert verdict == slow_free_set(data, [2, 0, 1], False, "a clique")
    assert verdict.code == CONSTRAINT and "vertices 2 and 0" in verdict.message


@given(n=st.integers(1, 7), data=st.data())
def test_hamiltonian_cycle_accepts_exactly_the_cycles_along_edges(n, data):
    pairs = list(combinations(range(n), 2))
    edges = sorted(data.draw(st.sets(st.sampled_from(pairs)))) if pairs else []
    cycle = list(data.draw(st.permutations(range(n))))
    steps = {(min(a, b), max(a, b)) for a, b in zip(cycle, cycle[1:] + cycle[:1])}
    verdict = check_data("hamiltonian_cycle", {"n": n, "edges": [list(e) for e in edges]}, cycle)
    assert verdict.ok == steps.issubset(edges)
    assert verdict.ok or verdict.code == CONSTRAINT and "is not an edge of the graph" in verdict.message


def slow_hamiltonian_cycle(data, solution):
    """A Hamiltonian cycle answer by its definition: a permutation whose every step is an edge."""
    n = data["n"]
    try:
        cycle = slow_int_list(solution, "solution", 0, n - 1, n, True)
    except Reject as rejection:
        return rejection.verdict()
    edges = {tuple(e) for e in data["edges"]}
    for a, b in zip(cycle, cycle[1:] + cycle[:1]):
        if (min(a, b), max(a, b)) not in edges:
            return Verdict(False, CONSTRAINT, f"{a}-{b} is not an edge of the graph")
    return ACCEPTED


@given(n=st.integers(1, 7), data=st.data())
def test_hamiltonian_cycle_grades_as_its_definition(n, data):
    pairs = list(combinations(range(n), 2))
    ring = data.draw(st.permutations(range(n)))
    # mostly graphs around a hidden cycle (valid answers), some random ones
    around = sorted({(min(a, b), max(a, b)) for a, b in zip(ring, ring[1:] + ring[:1]) if a != b})
    extra = data.draw(st.sets(st.sampled_from(pairs))) if pairs else set()
    kind = data.draw(st.sampled_from(["around", "one missing", "random"]))
    if kind == "one missing" and around:  # a near miss: the hidden cycle but one of its edges
        around.pop(data.draw(st.integers(0, len(around) - 1)))
    edges = sorted(set(around) | extra if kind != "random" else extra)
    answer = data.draw(st.one_of(st.just(list(ring)), st.permutations(range(n)).map(list),
                                 st.lists(st.integers(-1, n), min_size=n, max_size=n), json_values))
    case = {"n": n, "edges": [list(e) for e in edges]}
    assert check_data("hamiltonian_cycle", case, answer) == slow_hamiltonian_cycle(case, answer)


#: alphabets of the bulk search (up to four ASCII letters) and of the plain one (more, non-ASCII, a separator)
ALPHABETS = ["a", "ab", "abc", "abcd", "acgt", "abcde", "abcdef", "a\u00e9", "ab\n"]
#: letters a string of the instance might hold that no answer over the alphabet can
STRANGE = "z\n\u00e9\x00 "


@st.composite
def superstring_cases(draw):
    """SCS data and an answer: mostly strings joined into a superstring (maybe broken), some junk."""
    alphabet = draw(st.sampled_from(ALPHABETS))
    plain = st.text(alphabet, max_size=12)
    strings = sorted(draw(st.lists(st.one_of(plain, plain, plain, st.text(alphabet + STRANGE, max_size=6)),
                                   max_size=8, unique=True)))
    order = draw(st.permutations(strings))
    glue = [draw(st.text(alphabet, max_size=2)) for _ in order]
    text = "".join(piece + extra for piece, extra in zip(order, glue))
    if text and draw(st.booleans()):  # a letter dropped or changed: usually a near miss
        at = draw(st.integers(0, len(text) - 1))
        text = text[:at] + draw(st.text(alphabet + "z", max_size=1)) + text[at + 1:]
    answer = draw(st.one_of(st.just(text), st.just(text), st.text(alphabet, max_size=30), json_values))
    k = draw(st.integers(0, 60))
    return {"alphabet": alphabet, "strings": strings, "k": k}, answer


def slow_superstring(data, solution):
    """An SCS answer by its definition: a string over the alphabet holding every string, at most k long."""
    try:
        text = checks.string(solution, "solution", alphabet=data["alphabet"])
    except Reject as rejection:
        return rejection.verdict()
    for number, piece in enumerate(data["strings"]):
        if piece not in text:
            return Verdict(False, CONSTRAINT, f"string {number} ({piece}) does not occur in the answer")
    if len(text) > data["k"]:
        return Verdict(False, BOUND, f"the answer has {len(text)} characters, more than k = {data['k']}")
    return Verdict.accept(ACCEPTED.message, len(text))


@given(case=superstring_cases())
def test_shortest_common_superstring_grades_as_its_definition(case):
    data, answer = case
    assert check_data("shortest_common_superstring", data, answer) == slow_superstring(data, answer)


@given(alphabet=st.sampled_from(ALPHABETS), data=st.data())
def test_gram_search_finds_exactly_the_substrings(alphabet, data):
    """The 3-gram search against plain ``in`` on texts over the alphabet, strings with any letters."""
    text = data.draw(st.text(alphabet, max_size=40))
    inside = st.tuples(st.integers(0, len(text)), st.integers(0, 14)).map(lambda span: text[span[0]:sum(span)])
    # near misses: a piece of the text with one letter changed, two pieces joined by a strange letter
    changed = st.tuples(inside, st.integers(0, 13), st.sampled_from(alphabet + STRANGE)).map(
        lambda c: c[0][:c[1]] + c[2] + c[0][c[1] + 1:])
    joined = st.tuples(inside, st.sampled_from(STRANGE), inside).map("".join)
    strings = data.draw(st.lists(st.one_of(inside, inside, changed, joined, st.text(alphabet + STRANGE, max_size=14)),
                                 max_size=10))
    assert all_occur(text, strings, alphabet) == all(piece in text for piece in strings)
    for piece in strings:  # one at a time too: a list rarely has all but one string inside
        assert all_occur(text, [piece], alphabet) == (piece in text)


@given(digits=st.lists(st.integers(0, 3), max_size=30), data=st.data())
def test_gram_text_codes_every_gram(digits, data):
    """The big-integer 3-gram codes against the gram-by-gram definition, separators (flags) included."""
    flags = data.draw(st.lists(st.booleans(), min_size=len(digits), max_size=len(digits)))
    digits = [0 if flag else digit for digit, flag in zip(digits, flags)]  # a separator's digit is 0
    expected = "".join(" " if any(flags[i:i + 3]) else chr(64 + 16 * digits[i] + 4 * digits[i + 1] + digits[i + 2])
                       for i in range(len(digits) - 2))
    assert gram_text(bytes(digits), bytes(flags)) == expected
    assert gram_text(bytes(digits)) == "".join(chr(64 + 16 * digits[i] + 4 * digits[i + 1] + digits[i + 2])
                                               for i in range(len(digits) - 2))
