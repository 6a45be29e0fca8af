"""The verifiers' fast paths grade every answer exactly as the plain definitions they replace.

Shared schema checks take a bulk path for well-formed lists and locate a failure element by element only
when it fails; most verifiers also accept a valid answer on a bulk path of their own (Clique counts the
edges inside the answer, Hamiltonian Cycle the edges that are steps of the cycle, Shortest Common
Superstring searches its strings as 3-gram codes, Hitting String ANDs all patterns at once, ...). Each
property below compares a check with a slow, obvious definition on random valid and malformed answers:
same ok, same code, same message, same objective. The verifiers' own properties run 150 examples: near
misses (a negative index that Python would wrap, a repeated block) are a small share of the draws.
"""

from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npgym import checks
from npgym.engine import ACCEPTED, check_data
from npgym.problems.hitting_string import SPARSE_FROM_LENGTH, all_hit, sparse_pattern
from npgym.problems.shortest_common_superstring import all_occur, gram_text
from npgym.verdict import BOUND, CONSTRAINT, DUPLICATE, SHAPE, Reject, Verdict

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


@settings(max_examples=150)
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


@settings(max_examples=150)
@given(case=superstring_cases())
def test_shortest_common_superstring_grades_as_its_definition(case):
    data, answer = case
    assert check_data("shortest_common_superstring", data, answer) == slow_superstring(data, answer)


@settings(max_examples=150)
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


@settings(max_examples=150)
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


def graded(definition, data, answer):
    """The verdict of a slow definition that raises Reject or returns the objective, as the engine grades."""
    try:
        objective = definition(data, answer)
    except Reject as rejection:
        return rejection.verdict()
    return ACCEPTED if objective is None else Verdict.accept(ACCEPTED.message, objective)


#: answers near a list of small integers: bools, floats equal to integers, negatives, huge ints, nesting
near_ints = st.one_of(st.integers(-2, 5), st.integers(-2, 5), st.integers(-2, 5), st.booleans(),
                      st.integers(-2, 5).map(float), st.just(2 ** 70), st.just(-2 ** 70), st.just([1]))


def int_answers(length, lo, hi):
    """Mostly well-formed lists of integers in [lo, hi] of the given length, some near misses and junk."""
    exact = st.lists(st.integers(lo, hi), min_size=length, max_size=length)
    wide = st.integers(lo - 2, hi + 2)  # integers just outside the range (a negative one wraps as an index)
    distinct = st.lists(wide, min_size=length, max_size=length, unique=True) if hi - lo + 5 >= length else exact
    return st.one_of(exact, exact, exact, st.lists(near_ints, min_size=length, max_size=length),
                     st.lists(wide, min_size=length, max_size=length), distinct,
                     st.lists(st.integers(lo, hi), max_size=length + 1), json_values)


def slow_loads(data, solution, count, size):
    """Totals of ``count`` groups of the weights (bins, groups) after the answer's schema check."""
    home = slow_int_list(solution, "solution", 0, count - 1, len(data[size]))
    load = [0] * count
    for weight, group in zip(data[size], home):
        load[group] += weight
    return load


def slow_bin_packing(data, solution):
    load = slow_loads(data, solution, data["bins"], "weights")
    for number, total in enumerate(load):
        if total > data["capacity"]:
            raise Reject(CONSTRAINT, f"bin {number} holds weight {total}, more than the capacity {data['capacity']}")
    return sum(1 for total in load if total > 0)




def slow_sum_of_squares(data, solution):
    value = sum(total * total for total in slow_loads(data, solution, data["k"], "numbers"))
    if value > data["J"]:
        raise Reject(BOUND, f"the sum of squared group totals is {value}, more than J = {data['J']}")
    return value


#: the problems whose answers give each weight a group (checks.group_totals): the slow definition, and the names
#: of the group count, the weights and the bound in their data
GROUPED = {"bin_packing": (slow_bin_packing, "bins", "weights", "capacity"),
           "minimum_sum_of_squares": (slow_sum_of_squares, "k", "numbers", "J")}


@pytest.mark.parametrize("problem", sorted(GROUPED))
@settings(max_examples=150)
@given(groups=st.integers(1, 4), weights=st.lists(st.integers(1, 9), max_size=7), bound=st.integers(0, 200),
       data=st.data())
def test_grouping_problems_grade_as_their_definitions(problem, groups, weights, bound, data):
    definition, count, sizes, limit = GROUPED[problem]
    case = {count: groups, sizes: weights, limit: bound}
    answer = data.draw(int_answers(len(weights), 0, groups - 1))
    assert check_data(problem, case, answer) == graded(definition, case, answer)


def slow_three_colouring(data, solution):
    colour = slow_int_list(solution, "solution", 0, 2, data["n"])
    for u, v in data["edges"]:
        if colour[u] == colour[v]:
            raise Reject(CONSTRAINT, f"edge {u}-{v} joins two vertices of colour {colour[u]}")


@settings(max_examples=150)
@given(n=st.integers(1, 7), data=st.data())
def test_three_colouring_grades_as_its_definition(n, data):
    pairs = list(combinations(range(n), 2))
    edges = sorted(data.draw(st.sets(st.sampled_from(pairs), max_size=5))) if pairs else []
    case = {"n": n, "edges": [list(e) for e in edges]}
    answer = data.draw(int_answers(n, 0, 2))
    assert check_data("three_colouring", case, answer) == graded(slow_three_colouring, case, answer)


def permutations_near(n):
    """Permutations of 0..n-1 (mostly), then near misses and junk."""
    return st.one_of(st.permutations(range(n)).map(list), st.permutations(range(n)).map(list), int_answers(n, 0, n - 1))


def slow_bandwidth(data, solution):
    positions = slow_int_list(solution, "solution", 0, data["n"] - 1, data["n"], True)
    spans = [abs(positions[u] - positions[v]) for u, v in data["edges"]]
    width = max(spans, default=0)
    if width > data["k"]:
        u, v = data["edges"][spans.index(width)]
        raise Reject(BOUND, f"edge {u}-{v} spans {width} positions, more than k = {data['k']}")
    return width


@settings(max_examples=150)
@given(n=st.integers(1, 7), k=st.integers(0, 4), data=st.data())
def test_bandwidth_grades_as_its_definition(n, k, data):
    pairs = list(combinations(range(n), 2))
    edges = sorted(data.draw(st.sets(st.sampled_from(pairs), max_size=6))) if pairs else []
    case = {"n": n, "k": k, "edges": [list(e) for e in edges]}
    answer = data.draw(permutations_near(n))
    assert check_data("bandwidth", case, answer) == graded(slow_bandwidth, case, answer)


def slow_betweenness(data, solution):
    order = slow_int_list(solution, "solution", 0, data["n"] - 1, data["n"], True)
    place = {element: position for position, element in enumerate(order)}
    for a, b, c in data["triples"]:
        if not min(place[a], place[c]) < place[b] < max(place[a], place[c]):
            raise Reject(CONSTRAINT, f"triple {a} {b} {c}: {b} is not between {a} and {c}")


@settings(max_examples=150)
@given(n=st.integers(3, 7), data=st.data())
def test_betweenness_grades_as_its_definition(n, data):
    triples = data.draw(st.lists(st.permutations(range(n)).map(lambda p: list(p[:3])), max_size=4))
    case = {"n": n, "triples": triples}
    answer = data.draw(permutations_near(n))
    assert check_data("betweenness", case, answer) == graded(slow_betweenness, case, answer)


def slow_quadratic_diophantine(data, solution):
    x, y = slow_int_list(solution, "solution", 1, None, 2)
    a, b, c = data["a"], data["b"], data["c"]
    if a * x * x + b * y != c:
        raise Reject(CONSTRAINT, f"a*x^2 + b*y = {a}*{x}^2 + {b}*{y} is not {c}")


@settings(max_examples=150)
@given(a=st.integers(1, 5), b=st.integers(1, 5), x=st.integers(1, 4), y=st.integers(1, 4), data=st.data())
def test_quadratic_diophantine_grades_as_its_definition(a, b, x, y, data):
    case = {"a": a, "b": b, "c": a * x * x + b * y + data.draw(st.sampled_from([0, 0, 1]))}
    answer = data.draw(st.one_of(st.just([x, y]), st.just([-x, y]), st.just([0, y]), st.just([x, 0]),
                                 st.lists(near_ints, max_size=3), json_values))
    assert check_data("quadratic_diophantine", case, answer) == graded(slow_quadratic_diophantine, case, answer)


def slow_quadratic_congruences(data, solution):
    x = checks.integer(solution, "solution", 1, data["c"] - 1)
    if (x * x - data["a"]) % data["b"]:
        raise Reject(CONSTRAINT, f"x^2 - a = {x}^2 - {data['a']} is not divisible by b = {data['b']}")


@settings(max_examples=150)
@given(a=st.integers(0, 20), b=st.integers(1, 20), c=st.integers(1, 9), data=st.data())
def test_quadratic_congruences_grade_as_their_definition(a, b, c, data):
    case = {"a": a, "b": b, "c": c}
    answer = data.draw(st.one_of(st.integers(-1, 10), near_ints, json_values))
    assert check_data("quadratic_congruences", case, answer) == graded(slow_quadratic_congruences, case, answer)


def slow_hitting_string(data, solution):
    n = data["n"]
    text = checks.string(solution, "solution", alphabet="01")
    if len(text) != n:
        raise Reject(SHAPE, f"the answer has {len(text)} characters, not n = {n}")
    for number, pattern in enumerate(data["patterns"]):
        if not any(bit == fixed for bit, fixed in zip(text, pattern)):
            shown = f"{number} ({pattern})" if n < SPARSE_FROM_LENGTH else sparse_pattern(pattern)
            raise Reject(CONSTRAINT, f"pattern {shown} is not hit: no fixed position agrees")


@st.composite
def hitting_cases(draw):
    """Patterns over 0/1/* (a few of another length or with strange characters) and an answer: mostly a
    hidden string most patterns agree with, maybe with a bit flipped, some junk."""
    n = draw(st.integers(1, 13))
    hidden = draw(st.text("01", min_size=n, max_size=n))
    pattern = st.text("01*", min_size=n, max_size=n)
    odd = st.one_of(st.text("01*", max_size=n + 1), st.text("01*\n\u00e9x", min_size=n, max_size=n))
    patterns = draw(st.lists(st.one_of(pattern, pattern, pattern, odd), max_size=8))
    if draw(st.booleans()):  # make every pattern agree with the hidden string somewhere: a valid answer
        for number, p in enumerate(patterns):
            if p[:n]:
                at = draw(st.integers(0, min(len(p), n) - 1))
                patterns[number] = p[:at] + hidden[at] + p[at + 1:]
    flipped = hidden
    if draw(st.booleans()):
        at = draw(st.integers(0, n - 1))
        flipped = hidden[:at] + "10"[int(hidden[at])] + hidden[at + 1:]
    answer = draw(st.one_of(st.just(hidden), st.just(flipped), st.text("01", max_size=n + 1), json_values))
    return {"n": n, "patterns": patterns}, answer


@settings(max_examples=150)
@given(case=hitting_cases())
def test_hitting_string_grades_as_its_definition(case):
    data, answer = case
    assert check_data("hitting_string", data, answer) == graded(slow_hitting_string, data, answer)


@settings(max_examples=150)
@given(case=hitting_cases())
def test_bulk_hits_are_the_plain_hits(case):
    data, answer = case
    if isinstance(answer, str) and answer and not answer.strip("01"):
        assert all_hit(answer, data["patterns"]) <= all(any(map(str.__eq__, answer, p)) for p in data["patterns"])
        if all(len(p) == len(answer) and p.isascii() and "\n" not in p for p in data["patterns"]):  # lined up
            assert all_hit(answer, data["patterns"]) == all(any(map(str.__eq__, answer, p)) for p in data["patterns"])


def slow_minimum_cover(data, solution):
    chosen = slow_int_list(solution, "solution", 0, len(data["subsets"]) - 1, None, True)
    covered = set()
    for index in chosen:
        covered.update(data["subsets"][index])
    missing = [e for e in range(data["n"]) if e not in covered]
    if missing:
        raise Reject(CONSTRAINT, f"element {missing[0]} is not covered ({len(missing)} elements uncovered)")
    if len(chosen) > data["k"]:
        raise Reject(BOUND, f"the cover has {len(chosen)} subsets, more than k = {data['k']}")
    return len(chosen)


def slow_exact_cover(data, solution):
    chosen = slow_int_list(solution, "solution", 0, len(data["subsets"]) - 1, None, True)
    owner = [-1] * data["n"]
    for index in chosen:
        for element in data["subsets"][index]:
            if owner[element] >= 0:
                raise Reject(CONSTRAINT, f"element {element} is covered twice, by subsets {owner[element]} and {index}")
            owner[element] = index
    missing = [e for e in range(data["n"]) if owner[e] < 0]
    if missing:
        raise Reject(CONSTRAINT, f"element {missing[0]} is not covered ({len(missing)} elements uncovered)")


@st.composite
def set_systems(draw, block_size=None):
    """A universe 0..n-1, a hidden partition of it among random blocks (each sorted, the list sorted, no block
    twice) and an answer: mostly the partition's indices or a near miss, some junk."""
    q = draw(st.integers(1, 4))
    size = block_size or draw(st.integers(1, 3))
    n = q * size
    universe = draw(st.permutations(range(n)))
    hidden = [sorted(universe[i:i + size]) for i in range(0, n, size)]
    decoys = draw(st.lists(st.lists(st.integers(0, n - 1), min_size=size, max_size=size, unique=True).map(sorted),
                           max_size=5))
    blocks = sorted({tuple(b) for b in hidden + decoys})
    chosen = [blocks.index(tuple(b)) for b in hidden]
    near = st.lists(st.integers(0, len(blocks) - 1), max_size=q + 1)
    # the partition with an index repeated, or written as its negative alias (which Python would wrap)
    repeated, alias = chosen[:-1] + chosen[:1], chosen[:-1] + [chosen[-1] - len(blocks)]
    answer = draw(st.one_of(st.permutations(chosen).map(list), st.permutations(chosen).map(list),
                            st.sampled_from([chosen + chosen[:1], repeated, alias]), near,
                            int_answers(q, 0, len(blocks) - 1)))
    return {"n": n, "subsets": [list(b) for b in blocks], "k": draw(st.integers(1, q + 1))}, answer


@settings(max_examples=150)
@given(case=set_systems())
def test_minimum_cover_grades_as_its_definition(case):
    data, answer = case
    assert check_data("minimum_cover", data, answer) == graded(slow_minimum_cover, data, answer)


@settings(max_examples=150)
@given(case=set_systems(block_size=3))
def test_exact_cover_grades_as_its_definition(case):
    data, answer = case
    data = {"n": data["n"], "subsets": data["subsets"]}
    assert check_data("exact_cover_by_3_sets", data, answer) == graded(slow_exact_cover, data, answer)


def test_hand_made_instances_with_repeated_edges_or_empty_blocks_grade_exactly():
    """The fast paths assume nothing of the data: an edge listed twice, or an empty block, cannot make a wrong
    answer pass."""
    # a path 0-1-2-3 whose edge 0-1 is listed three times: {0, 1, 2} is no triangle
    path = {"n": 4, "edges": [[0, 1], [0, 1], [0, 1], [1, 2], [2, 3]], "k": 3}
    assert not check_data("clique", path, [0, 1, 2]).ok
    # a 4-cycle 0-1-2-3 plus a repeated 0-1: the order 0, 2, 1, 3 is no cycle of it
    square = {"n": 4, "edges": [[0, 1], [0, 1], [0, 1], [1, 2], [2, 3], [0, 3]]}
    assert check_data("hamiltonian_cycle", square, [0, 1, 2, 3]).ok
    assert not check_data("hamiltonian_cycle", square, [0, 2, 1, 3]).ok
    # blocks over 0..5 with an empty one: an index given twice is refused, even one that adds no element
    blocks = {"n": 6, "subsets": [[0, 1, 2], [4, 3, 0], [], [3, 4, 5]]}
    assert not check_data("exact_cover_by_3_sets", blocks, [0, 1]).ok
    assert not check_data("exact_cover_by_3_sets", blocks, [0, 3, 2, 2]).ok
    assert check_data("exact_cover_by_3_sets", blocks, [0, 3]).ok
    # a cover short of only the last element is no cover (the universe compared with is all of 0..n-1)
    last_missing = {"n": 4, "subsets": [[0, 1], [2], [3]], "k": 3}
    assert check_data("minimum_cover", last_missing, [0, 1]).code == CONSTRAINT
    assert check_data("minimum_cover", last_missing, [0, 1, 2]).ok


def slow_three_sat(data, solution):
    values = slow_booleans(solution, "solution", data["n"])
    for number, clause in enumerate(data["clauses"]):
        if not any(literal in (v if value else -v for v, value in enumerate(values, 1)) for literal in clause):
            raise Reject(CONSTRAINT, f"clause {number} ({' '.join(map(str, clause))}) is not satisfied")


@settings(max_examples=150)
@given(n=st.integers(1, 6), data=st.data())
def test_three_sat_grades_as_its_definition(n, data):
    """Clauses of three literals in +-1..n, and some a hand-made instance could hold: literals past n or 0, clauses
    of other lengths; answers mostly the assignment the formula was made to satisfy, or near it."""
    hidden = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    literal = st.integers(1, n).flatmap(lambda v: st.sampled_from([v, -v]))
    odd_literal = st.one_of(literal, st.integers(-2 * n - 2, 2 * n + 2))
    clause = st.one_of(st.lists(literal, min_size=3, max_size=3), st.lists(literal, min_size=3, max_size=3),
                       st.lists(odd_literal, min_size=3, max_size=3), st.lists(odd_literal, max_size=4))
    clauses = data.draw(st.lists(clause, max_size=6))
    if data.draw(st.booleans()):  # make the hidden assignment satisfy every clause that has a literal
        clauses = [c if not c or any(0 < abs(x) <= n and hidden[abs(x) - 1] == (x > 0) for x in c)
                   else [abs(c[0]) if 0 < abs(c[0]) <= n and hidden[abs(c[0]) - 1] else c[0]] + c[1:]
                   for c in clauses]
    case = {"n": n, "clauses": clauses}
    answer = data.draw(st.one_of(st.just(hidden), st.just(hidden), st.lists(st.booleans(), min_size=n, max_size=n),
                                 st.lists(st.one_of(st.booleans(), st.integers(0, 1)), max_size=n + 1), json_values))
    assert check_data("three_sat", case, answer) == graded(slow_three_sat, case, answer)


def slow_partition(data, solution):
    """A Partition answer by its definition: n sides, each 0 or 1, the numbers on each side summing alike."""
    sides = slow_int_list(solution, "solution", 0, 1, len(data["numbers"]))
    one = sum(a for a, side in zip(data["numbers"], sides) if side == 1)
    zero = sum(data["numbers"]) - one
    if zero != one:
        raise Reject(CONSTRAINT, f"side 0 sums to {zero} but side 1 sums to {one}")


@settings(max_examples=150)
@given(half=st.lists(st.integers(1, 6), min_size=1, max_size=4), data=st.data())
def test_partition_grades_as_its_definition(half, data):
    """Partition accepts a valid answer in bulk (exact ints, counts of 0 and 1, one sum); near misses (True for 1,
    1.0, a 2, an uneven split) and junk take the exact path. The numbers are a list and a reordering of it,
    shuffled, so a valid answer (where each number came from) exists."""
    placed = data.draw(st.permutations([(a, 0) for a in half] + [(a, 1) for a in data.draw(st.permutations(half))]))
    case = {"numbers": [a for a, _ in placed]}
    valid = [side for _, side in placed]
    # the valid answer with some sides written as equal non-ints (True, 1.0, ...): rejected, as the definition does
    disguised = st.lists(st.sampled_from([int, int, bool, float]), min_size=len(valid), max_size=len(valid)).map(
        lambda kinds: [kind(side) for kind, side in zip(kinds, valid)])
    answer = data.draw(st.one_of(st.just(valid), st.just([1 - side for side in valid]), disguised,
                                 int_answers(len(valid), 0, 1)))
    assert check_data("partition", case, answer) == graded(slow_partition, case, answer)


@settings(max_examples=150)
@given(alphabet=st.sampled_from(ALPHABETS), data=st.data())
def test_gram_search_accepts_exactly_the_texts_over_the_alphabet_that_hold_every_string(alphabet, data):
    """all_occur also checks the text itself: a letter outside the alphabet (the separator, NUL, a non-ASCII
    letter, a lone surrogate JSON can carry) makes it False, never an exception; short strings are found by
    the text holding every pair of letters or looked for one by one."""
    text = data.draw(st.text(alphabet, max_size=40))
    inside = st.tuples(st.integers(0, len(text)), st.integers(0, 14)).map(lambda span: text[span[0]:sum(span)])
    short = st.text(alphabet, min_size=1, max_size=2)
    strings = data.draw(st.lists(st.one_of(inside, inside, inside, short, st.text(alphabet + STRANGE, max_size=5)),
                                 max_size=10))
    if data.draw(st.booleans()):  # a strange letter at an end: the strings still occur, the text is off the alphabet
        strange = data.draw(st.sampled_from(STRANGE + "\ud800"))
        text = strange + text if data.draw(st.booleans()) else text + strange
    over_alphabet = not text.strip(alphabet)
    assert all_occur(text, strings, alphabet) == (over_alphabet and all(piece in text for piece in strings))


def slow_max_leaf_spanning_tree(data, solution):
    """MLST by its definition: n - 1 pairs of vertices, each an edge of the graph, none twice, no cycle; the
    number of leaves at least t."""
    n = data["n"]
    items = checks.listing(solution, "solution", length=n - 1)
    pairs = [slow_int_list(item, f"solution[{i}]", 0, n - 1, 2) for i, item in enumerate(items)]
    graph = {tuple(edge) for edge in data["edges"]}
    used, component = set(), list(range(n))
    for u, v in pairs:
        key = (min(u, v), max(u, v))
        if key not in graph:
            raise Reject(CONSTRAINT, f"{u}-{v} is not an edge of the graph")
        if key in used:
            raise Reject(DUPLICATE, f"edge {u}-{v} appears twice")
        used.add(key)
        if component[u] == component[v]:
            raise Reject(CONSTRAINT, f"edge {u}-{v} closes a cycle, so the edges do not form a tree")
        old = component[u]
        component = [component[v] if c == old else c for c in component]
    degree = [0] * n
    for u, v in pairs:
        degree[u] += 1
        degree[v] += 1
    leaves = sum(d == 1 for d in degree)
    if leaves < data["t"]:
        raise Reject(BOUND, f"the tree has {leaves} leaves, fewer than t = {data['t']}")
    return leaves


@settings(max_examples=150)
@given(n=st.integers(2, 7), data=st.data())
def test_max_leaf_spanning_tree_grades_as_its_definition(n, data):
    """Answers: a spanning tree of the graph (a path plus random edges, so one exists) in either orientation, the
    same with a pair spoiled (a boolean or float end, a third element, a vertex out of range, an edge repeated or
    missing from the graph), and junk."""
    order = data.draw(st.permutations(range(n)))
    path = [sorted(pair) for pair in zip(order, order[1:])]
    extra = data.draw(st.lists(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True).map(sorted),
                               max_size=6))
    edges = sorted({tuple(e) for e in path + extra})
    case = {"n": n, "edges": [list(e) for e in edges], "t": data.draw(st.integers(1, n))}
    tree = [p if data.draw(st.booleans()) else p[::-1] for p in path]
    spoiled = list(tree)
    at = data.draw(st.integers(0, len(tree) - 1))
    spoiled[at] = data.draw(st.one_of(st.just([tree[at][0], True]), st.just([float(tree[at][0]), tree[at][1]]),
                                      st.just(tree[at] + [0]), st.just([tree[at][0], n]), st.just([-1, tree[at][1]]),
                                      st.just(tree[at - 1] if at else tree[-1]),
                                      st.lists(st.integers(0, n - 1), min_size=2, max_size=2), near_ints))
    repeated = tree[:-1] + [tree[0][::-1]]  # the first edge again, turned round, in place of the last
    answer = data.draw(st.one_of(st.just(tree), st.just(tree), st.just(spoiled), st.just(spoiled), st.just(repeated),
                                 st.lists(st.lists(st.integers(-1, n), min_size=2, max_size=2), max_size=n),
                                 json_values))
    assert check_data("max_leaf_spanning_tree", case, answer) == graded(slow_max_leaf_spanning_tree, case, answer)
