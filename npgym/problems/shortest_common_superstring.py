"""Shortest Common Superstring (Garey & Johnson SR9).

Instance: a finite set of strings over an alphabet and an integer k. Question: is there a string of
length at most k that contains every given string as a contiguous substring?

Schemas
    data         ``{"alphabet": "abcd", "strings": [str, ...] (distinct, sorted), "k": int}``
    certificate  one string over the alphabet, of length <= k, containing every string
    objective    the superstring's length (minimise)

Generation: a hidden random word w of the ladder's length over a 4-letter alphabet, cut into a
chain of pieces (lengths ``min_piece..max_piece``) that cover w end to end and overlap by only 0..2
letters. About a quarter of the chain steps are greedy traps: a stretch u (pq)^t p q v (t = 2 or 3)
cut into u(pq)^t, (qp)^t and (pq)^t v, where the true neighbours overlap by 2t - 1 but the first and
the last overlap by 2t. The rest of the ladder's string count are decoys: random substrings of one
chain piece, which never reveal an overlap. Duplicates are dropped (so the tiny first levels hold
fewer strings than the ladder says) and the list is sorted, so neither order nor position points at
w. k is the shorter of w and the best of four greedy merges that are told the traps' true links;
the certificate is that superstring.

Hardness: with 4 letters and true overlaps of a few letters, spurious overlaps are as long as the
real ones, and every trap costs plain greedy merging two letters, so greedy usually misses k at the
middle levels (about half of the top-level instances, where k itself comes from greedy merges).
(The reference drew 26 letters and long pieces: greedy merging rebuilt every word.) Pieces stay
short, so the prompt is about 1.2k characters at the top level instead of 48k.

Solver: strings contained in others are dropped; an optimal superstring of the rest is the merge
along a Hamiltonian path of maximum total overlap, found with CP-SAT ``add_circuit`` (a dummy node
closes the path).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from npgym import checks
from npgym.problem import Planted, Problem, SolveResult
from npgym.registry import register
from npgym.solvers import optimize_against_bound
from npgym.verdict import BOUND, CONSTRAINT

LETTERS = "abcdefghijklmnopqrstuvwxyz"
MAX_CHAIN_OVERLAP = 2
GREEDY_RUNS = 4
TRAP_RATE = 0.25


class ShortestCommonSuperstring(Problem):
    id = "shortest_common_superstring"
    version = 1

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        alphabet = LETTERS[:params["alphabet"]]
        length, count = params["length"], params["strings"]
        word, chain, links = self._chain(rng, alphabet, length, count, params["min_piece"], params["max_piece"])
        pieces = list(chain)
        for _ in range(count - len(chain)):  # decoys inside one chain piece: they reveal no overlap
            host = rng.choice(chain)
            size = rng.randint(min(params["min_piece"], len(host)), len(host))
            start = rng.randint(0, len(host) - size)
            pieces.append(host[start:start + size])
        strings = sorted(set(pieces))
        # k: the shortest of the word and a few greedy merges that know the traps (ties to the word)
        best = min((greedy_merge(strings, rng, links) for _ in range(GREEDY_RUNS)), key=len)
        if len(best) >= length:
            best = word
        return Planted({"alphabet": alphabet, "strings": strings, "k": len(best)}, best)

    @staticmethod
    def _chain(rng: random.Random, alphabet: str, length: int, count: int,
               lo: int, hi: int) -> tuple[str, list[str], list[tuple[str, str]]]:
        """A hidden word, at most ``count`` pieces covering it with small overlaps, the traps' true links.

        Some stretches are greedy traps: u (pq)^t p q v cut into u(pq)^t, (qp)^t and (pq)^t v. The
        true neighbours overlap by 2t - 1, but the first and the last overlap by 2t, so greedy
        merging joins them first and pays two extra letters.
        """
        word, periods = "", _trap_periods(lo, hi)
        spans: list[tuple[int, int]] = []
        trap_starts: list[int] = []
        while len(word) < length:
            left, missing = count - len(spans), length - len(word)
            overlap = rng.randint(0, min(MAX_CHAIN_OVERLAP, len(word)))
            if (left - 1) * hi < missing - (lo - MAX_CHAIN_OVERLAP):  # the piece budget is tight
                overlap, stretch, cuts = 0, "".join(rng.choice(alphabet) for _ in range(hi)), [(0, hi)]
            elif periods and left >= 3 and (left - 3) * hi >= missing and rng.random() < TRAP_RATE:
                overlap = min(overlap, 1)
                stretch, cuts = _trap(rng, alphabet, word[-1] if overlap else None, periods)
                trap_starts.append(len(spans))
            else:
                size = rng.randint(lo, hi)
                stretch = word[len(word) - overlap:] + "".join(rng.choice(alphabet) for _ in range(size - overlap))
                cuts = [(0, size)]
            base = len(word) - overlap
            spans.extend((base + start, base + end) for start, end in cuts)
            word += stretch[overlap:]
        word = word[:length]
        pieces = [word[start:end] for start, end in spans if start < length]
        links = [(pieces[i], pieces[i + 1]) for i in trap_starts for i in (i, i + 1) if i + 1 < len(pieces)]
        return word, pieces, links

    def check(self, data: dict[str, Any], solution: Any) -> int:
        text = checks.string(solution, "solution", alphabet=data["alphabet"])
        absent = next((number for number, piece in enumerate(data["strings"]) if piece not in text), None)
        if absent is not None:
            checks.require(False, f"string {absent} ({data['strings'][absent]}) does not occur in the answer",
                           CONSTRAINT)
        checks.require(len(text) <= data["k"], f"the answer has {len(text)} characters, more than k = {data['k']}",
                       BOUND)
        return len(text)

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        from ortools.sat.python import cp_model

        strings = essential_strings(data["strings"])
        m = len(strings)
        overlap = [[0 if i == j else max_overlap(a, b) for j, b in enumerate(strings)] for i, a in enumerate(strings)]
        model = cp_model.CpModel()
        arcs, gain, successor = [], [], {}
        for i in range(m):
            for node, literal_name in ((i, f"start{i}"), (m, f"end{i}")):
                literal = model.new_bool_var(literal_name)
                arcs.append((m, i, literal) if node == i else (i, m, literal))
            for j in range(m):
                if i != j:
                    literal = model.new_bool_var(f"x{i}_{j}")
                    arcs.append((i, j, literal))
                    successor[i, j] = literal
                    if overlap[i][j]:
                        gain.append(overlap[i][j] * literal)
        model.add_circuit(arcs)
        total = sum(len(s) for s in strings)

        def read(solver) -> str:
            following = {i: j for (i, j), literal in successor.items() if solver.boolean_value(literal)}
            first = next(i for i in range(m) if i not in following.values())
            text, current = strings[first], first
            while current in following:
                nxt = following[current]
                text += strings[nxt][overlap[current][nxt]:]
                current = nxt
            return text

        return optimize_against_bound(model, total - sum(gain), "min", data["k"], time_limit, read,
                                      linearization=2)

    def render(self, data: dict[str, Any]) -> str:
        strings = data["strings"]
        return (f"Alphabet: {data['alphabet']}\nk = {data['k']}\n"
                f"Strings ({len(strings)}, one per line):\n" + "\n".join(strings))

    def heuristic(self, data: dict[str, Any], rng: random.Random) -> str:
        """Greedy merging: repeatedly join the two fragments with the longest overlap (ties at random)."""
        return greedy_merge(data["strings"], rng)

    def random_answer(self, data: dict[str, Any], rng: random.Random) -> str:
        return "".join(rng.choice(data["alphabet"]) for _ in range(data["k"]))


def _trap_periods(lo: int, hi: int) -> range:
    """The periods t whose trap pieces (2t + 1, 2t and 2t + 1 letters) fit the piece lengths."""
    return range(max(2, (lo + 1) // 2), min(3, (hi - 1) // 2) + 1)


def _trap(rng: random.Random, alphabet: str, first: str | None, periods: range) -> tuple[str, list[tuple[int, int]]]:
    """A greedy trap stretch (see ``_chain``), starting with ``first`` if given, and its three cuts."""
    p, q = rng.sample(alphabet, 2)
    if q == first:
        p, q = q, p
    u = first if first is not None else rng.choice([c for c in alphabet if c != q])
    v = rng.choice([c for c in alphabet if c != p])
    t = rng.choice(periods)
    return u + (p + q) * (t + 1) + v, [(0, 2 * t + 1), (2, 2 * t + 2), (3, 2 * t + 4)]


def max_overlap(left: str, right: str) -> int:
    """The longest proper suffix of ``left`` that is a prefix of ``right``."""
    for size in range(min(len(left), len(right)) - 1, 0, -1):
        if left.endswith(right[:size]):
            return size
    return 0


def essential_strings(strings: list[str]) -> list[str]:
    """The distinct strings not contained in another one (they alone decide the optimum)."""
    kept: list[str] = []
    inside: set[str] = set()  # every substring of a kept string
    for text in sorted(set(strings), key=lambda s: (-len(s), s)):
        if text not in inside:  # distinct strings: a kept one containing text is longer
            kept.append(text)
            inside.update(text[i:j] for i in range(len(text)) for j in range(i + 1, len(text) + 1))
    return kept


def greedy_merge(strings: list[str], rng: random.Random, links: Sequence[tuple[str, str]] = ()) -> str:
    """Greedy superstring: link fragment ends by decreasing overlap, never closing a cycle.

    ``links`` are pairs (left, right) to join first, before the greedy order takes over.
    """
    items = essential_strings(strings)
    rng.shuffle(items)
    m = len(items)
    where = {text: i for i, text in enumerate(items)}
    longest = max((len(s) for s in items), default=0)
    successor: list[int | None] = [None] * m
    has_predecessor = [False] * m
    head_of_tail = list(range(m))  # for the tail of a chain: the head of that chain
    tail_of_head = list(range(m))
    link_overlap = [0] * m

    def join(i: int, j: int, size: int) -> None:
        successor[i], has_predecessor[j], link_overlap[i] = j, True, size
        head, tail = head_of_tail[i], tail_of_head[j]
        tail_of_head[head], head_of_tail[tail] = tail, head

    for left, right in links:
        i, j = where.get(left), where.get(right)
        if i is not None and j is not None and successor[i] is None and not has_predecessor[j] \
                and head_of_tail[i] != j:
            join(i, j, max_overlap(left, right))
    for size in range(longest - 1, 0, -1):
        by_prefix: dict[str, list[int]] = {}
        for j, text in enumerate(items):
            if len(text) > size and not has_predecessor[j]:
                by_prefix.setdefault(text[:size], []).append(j)
        for i, text in enumerate(items):
            if successor[i] is not None or len(text) <= size:
                continue
            for j in by_prefix.get(text[-size:], ()):
                if has_predecessor[j] or j == i or head_of_tail[i] == j:
                    continue
                join(i, j, size)
                break
    parts = []
    for start in range(m):
        if has_predecessor[start]:
            continue
        current = start
        parts.append(items[current])
        while (nxt := successor[current]) is not None:
            parts.append(items[nxt][link_overlap[current]:])
            current = nxt
    return "".join(parts)


register(ShortestCommonSuperstring())
