"""Shortest Common Superstring (Garey & Johnson SR9).

Instance: a finite set of strings over an alphabet and an integer k. Question: is there a string of
length at most k that contains every given string as a contiguous substring?

Schemas
    data         ``{"alphabet": "abcd", "strings": [str, ...] (distinct, sorted), "k": int}``
    certificate  one string over the alphabet, of length <= k, containing every string
    objective    the superstring's length (minimise)

Generation (v2): a hidden random word w over a 4-letter alphabet, of 90-100% of the ladder's length
(so k does not tell the length), covered end to end by pieces of 10..14 letters that overlap their
neighbours by 5..7 letters (longer than most chance overlaps). Most of w is a row of repeat traps:
a random string s of 8 letters written twice, piece A ending with the first copy, piece C starting
with the second, and a run of 5 pieces between, entering s by a and leaving it by b letters (5..7).
Greedy merging joins A to C (overlap 8) first; the run then closes on itself by a + b - 8 letters a
merge order cannot use, and getting those letters back means moving the whole run at once, which
Or-opt (runs of up to 3) and insertion search cannot do. About 30% of the traps are periodic
cycles instead: a stretch of period 4..6 covered by equal pieces at distinct phases and entered and
left by 1..3 letters, whose long cyclic overlaps make the cycle-cover (assignment) bound overshoot
the optimum by a varying amount. Decoys (random substrings of the pieces, which reveal no overlap)
fill the list to exactly the ladder's count of distinct strings (v1 dropped duplicates, and the
count differed between yes- and no-instances), sorted. k is the shorter of w and the best of four
greedy merges told the traps' true links; the certificate is that superstring.

Hardness (measured with ``benchmarks/hardness.py``, 10 yes- and 10 no-instances, 2 s per attack;
the table is ``benchmarks/results/hardness-scs-v2.md``): at their proved optimum no attack (plain
greedy, insertion order search, greedy with random restarts plus Or-opt and swap search) solves a
yes-instance at the top level (300 strings, 3.7k prompt characters), at twice it (600, 6.8k) or at
level 30 (900, 9.8k): 0/10 each; yes/no accuracy 0.49, 0.50, 0.55 (0.60 at the top with 30 + 30,
chance 0.53); the exact solver's median 2.4 s, 19 s and 59 s wall at a load of 7-12 on 2 cores.
Planted bounds are another matter: k is the shorter of the word and greedy merges told the traps' links,
and from about level 30 on plain greedy merging beats that k (best of 4 runs against k on 4 seeds: 1 to 8
letters shorter on 3 of 4 at level 30, 20 to 58 at level 60, 69 to 112 at level 94), because spurious
overlaps over 4 letters make superstrings shorter than the word. So only tightened bounds are hard
there: at level 94 (2,820 strings, 30.0k characters, the largest prompt within 30k), where the solver
proves no optimum, plain greedy meets the planted k on 10/10 yes-instances. Yes-only test sets past
about level 30, and mixed sets at levels whose optima the solver cannot prove, are therefore easy: the
hard ladder ends where the proofs end.
Levels 1 and 2 (words of 5 and 10 letters, shorter than a piece) are degenerate: every string lies inside the
longest one, which is the answer; level 3 has 2 essential strings and level 4 about 6. They keep the
reference's sizes so results compare; read accuracy there as bookkeeping, not search.
(The reference drew 26 letters and long pieces: greedy merging rebuilt every word; v1 used short
pieces and two-letter traps, which greedy with restarts and Or-opt repaired: 5/5 at top and twice it.)

Solver: strings contained in others are dropped; an optimal superstring of the rest is the merge
along a path of maximum total overlap. CP-SAT ``add_multiple_circuit`` over the positive overlaps
only, with a depot node any number of zero-overlap joins pass through (v1 gave every pair an arc:
the sparse model proves the top level in about 1 s instead of 2).
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator, Sequence
from itertools import compress, repeat
from operator import contains
from typing import Any

from npgym import checks
from npgym.problem import Planted, Problem, SolveResult
from npgym.registry import register
from npgym.solvers import optimize_against_bound
from npgym.verdict import BOUND, CONSTRAINT

LETTERS = "abcdefghijklmnopqrstuvwxyz"
GREEDY_RUNS = 4
LENGTH_SPREAD = 10  # the hidden word has length - length // 10 .. length letters: the bound does not tell it
LAYOUT_TRIES = 20  # words drawn until one has enough distinct substrings for the string count
CYCLE_RATE = 0.3  # the share of traps replaced by periodic cycles
CYCLE_PERIODS = (4, 6)
CYCLE_EDGE = 3  # a cycle is entered and left by overlaps of 1..3 letters
GRAM = 3  # letters per character in the verifier's bulk search (see all_occur)
GRAM_DIGITS = 4  # letters of an alphabet the bulk search codes in 2 bits each
SEPARATOR = "\n"  # joins the strings for the bulk search
SEPARATOR_BYTE = SEPARATOR.encode()
OUTSIDE = 255  # the digit of a byte outside the alphabet
#: a gram's sum as a character: letter grams (below 64) to "@".."\x7f", grams with a separator to a space
GRAM_CHARACTERS = bytes(range(64, 128)) + b" " * 192


class ShortestCommonSuperstring(Problem):
    id = "shortest_common_superstring"
    version = 2

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        alphabet = LETTERS[:params["alphabet"]]
        count = params["strings"]
        for _ in range(LAYOUT_TRIES):
            layout = Layout(rng, alphabet, params)
            inside = set().union(*map(substrings, layout.pieces))
            if len(inside) >= count:  # the pieces hold enough distinct strings for the list
                break
        strings = with_decoys(rng, layout.pieces, inside, count)
        # k: the shortest of the word and a few greedy merges told the traps' true links; the decoys lie inside
        # the pieces, so the pieces alone give the strings that matter, once for all the runs
        essential = essential_strings(layout.pieces)
        best = min((merge_essential(essential, rng, layout.links) for _ in range(GREEDY_RUNS)), key=len)
        if len(best) >= len(layout.word):
            best = layout.word
        return Planted({"alphabet": alphabet, "strings": strings, "k": len(best)}, best)

    def check(self, data: dict[str, Any], solution: Any) -> int:
        if type(solution) is str and len(solution) <= data["k"] and all_occur(solution, data["strings"],
                                                                               data["alphabet"]):
            return len(solution)  # a valid answer in bulk C calls; anything else is located below
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
        overlaps = positive_overlaps(strings)
        model = cp_model.CpModel()
        # node 0 is a depot the merge may leave and re-enter any number of times (a zero-overlap join), so
        # only the positive overlaps need arcs: a routing constraint over them covers every string once
        arcs, gain, link = [], [], {}
        for i in range(len(strings)):
            arcs.append((0, i + 1, model.new_bool_var(f"first{i}")))
            arcs.append((i + 1, 0, model.new_bool_var(f"last{i}")))
        for (i, j), size in overlaps.items():
            literal = model.new_bool_var(f"x{i}_{j}")
            arcs.append((i + 1, j + 1, literal))
            link[i, j] = literal
            gain.append(size * literal)
        model.add_multiple_circuit(arcs)
        total = sum(len(s) for s in strings)

        def read(solver) -> str:
            following = {i: j for (i, j), literal in link.items() if solver.boolean_value(literal)}
            starts = sorted(set(range(len(strings))) - set(following.values()))
            parts = []
            for current in starts:
                parts.append(strings[current])
                while current in following:
                    parts.append(strings[following[current]][overlaps[current, following[current]]:])
                    current = following[current]
            return "".join(parts)

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


class Layout:
    """A hidden word and the pieces that cover it end to end, with repeat traps (see the module docstring).

    Plain pieces (``min_piece..max_piece`` letters) overlap their predecessor by ``min_overlap..max_overlap``
    letters of random text. A trap is a random string s of ``repeat`` letters written twice: piece A
    ends with the first copy, piece C starts with the second, and ``middle`` pieces lead from A to C,
    the first overlapping A by a < ``repeat`` letters and the last overlapping C by b < ``repeat``.
    Greedy merging joins A to C (overlap ``repeat``) before either true link, and the middle run then
    closes on itself by a + b - ``repeat`` letters that a path cannot use: that many letters lost,
    and moving the run back needs all ``middle`` pieces moved at once.
    """

    def __init__(self, rng: random.Random, alphabet: str, params: dict[str, Any]):
        self.rng, self.alphabet, self.params = rng, alphabet, params
        self.length = rng.randint(params["length"] - params["length"] // LENGTH_SPREAD, params["length"])
        self.word = ""
        self.spans: list[tuple[int, int]] = []
        self.links: list[tuple[str, str]] = []  # (left, right) true neighbours greedy merging gets wrong
        trap_pieces = params["middle"] + 2
        while len(self.word) < self.length:
            left = params["strings"] - len(self.spans)
            missing = self.length - len(self.word)
            if (left - 1) * params["max_piece"] < missing:  # the piece budget is tight: no overlaps
                self._piece(params["max_piece"], 0)
            elif missing >= self._trap_room() and (left - trap_pieces) * params["max_piece"] >= missing:
                if self.word and rng.random() < CYCLE_RATE:
                    self._cycle()
                else:
                    self._trap()
            else:
                self._piece(rng.randint(params["min_piece"], params["max_piece"]), self._overlap())
        self.word = self.word[:self.length]
        self.pieces = list(dict.fromkeys(self.word[a:b] for a, b in self.spans if a < self.length))
        self.links = [(left, right) for left, right in self.links if left in self.pieces and right in self.pieces]

    def _random(self, size: int) -> str:
        return "".join(self.rng.choice(self.alphabet) for _ in range(size))

    def _overlap(self) -> int:
        return min(len(self.word), self.rng.randint(self.params["min_overlap"], self.params["max_overlap"]))

    def _piece(self, size: int, overlap: int, ending: str = "", starting: str = "") -> tuple[int, int]:
        """Append a piece of ``size`` letters overlapping the word's end by ``overlap``: ``starting`` right
        after the overlap, random letters, then ``ending``."""
        start = len(self.word) - overlap
        fresh = size - overlap - len(starting) - len(ending)
        self.word += starting + self._random(max(0, fresh)) + ending
        self.spans.append((start, len(self.word)))
        return start, len(self.word)

    def _trap_room(self) -> int:
        """Letters a trap adds at most."""
        return (self.params["middle"] + 2) * self.params["max_piece"]

    def _trap(self) -> None:
        rng, params, repeat = self.rng, self.params, self.params["repeat"]
        lo, hi = params["min_piece"], params["max_piece"]
        s = self._random(repeat)
        a, b = (rng.randint(params["min_overlap"], repeat - 1) for _ in range(2))
        size = rng.randint(lo, hi)
        first = self._piece(size, min(self._overlap(), size - repeat), ending=s)
        size = rng.randint(lo, hi)
        pieces = [first, self._piece(size, a)]  # the run starts inside the first copy of s
        for _ in range(params["middle"] - 2):
            pieces.append(self._piece(rng.randint(lo, hi), self._overlap()))
        size = rng.randint(lo, hi)
        pieces.append(self._piece(size, min(self._overlap(), size - b), ending=s[:b]))
        size = rng.randint(lo, hi)
        pieces.append(self._piece(size, b, starting=s[b:]))
        self.links += [(self._text(pieces[0]), self._text(pieces[1])), (self._text(pieces[-2]), self._text(pieces[-1]))]

    def _cycle(self) -> None:
        """A periodic stretch covered by pieces of one length at distinct phases of its period, entered
        and left by short overlaps: its pieces close into a cycle of long overlaps that no merge order
        can use, so the cycle-cover bound overestimates the overlap by a varying number of letters."""
        rng, params = self.rng, self.params
        period = rng.randint(*CYCLE_PERIODS)
        enter = rng.randint(1, min(CYCLE_EDGE, len(self.word), period))
        while True:  # a primitive period that continues the word's last letters
            unit = self.word[len(self.word) - enter:] + self._random(period - enter)
            if unit not in (unit + unit)[1:-1]:
                break
        size = rng.randint(params["min_piece"], params["max_piece"])
        shifts = [rng.randint(1, 2) for _ in range(period)]
        while sum(shifts) > period - 1:
            shifts.pop()
        starts = [0]
        for shift in shifts:
            starts.append(starts[-1] + shift)
        stretch = len(self.word) - enter
        periodic = (unit * (2 + (starts[-1] + size) // period))[:starts[-1] + size]
        self.word = self.word[:stretch] + periodic
        self.spans.extend((stretch + start, stretch + start + size) for start in starts)
        self._piece(rng.randint(params["min_piece"], params["max_piece"]), rng.randint(1, CYCLE_EDGE))

    def _text(self, span: tuple[int, int]) -> str:
        return self.word[span[0]:span[1]]


def all_occur(text: str, strings: list[str], alphabet: str) -> bool:
    """Whether ``text`` is a string over ``alphabet`` in which every string occurs, searched in bulk.

    Over four letters CPython's substring search barely skips (every letter is in every needle), so each
    search scans about half the text. Over an ASCII alphabet of up to four letters both sides are therefore
    searched as sequences of 3-grams, one character of 64 per gram (:func:`gram_text`): a string of m >= 3
    letters occurs at a place exactly when its m - 2 grams do there, and a search over 64 symbols skips as
    over a large alphabet. The strings' grams come from one joined text split at the grams that hold a
    separator, so no string costs a Python call before its search. Strings shorter than a gram have no grams
    (the split drops them): they all occur when the text holds every pair of letters, else they take plain
    searches; other alphabets take plain searches throughout. A string with a letter outside the alphabet
    (the separator included) makes this False: no text over the alphabet holds it.
    """
    if len(alphabet) > GRAM_DIGITS or not alphabet.isascii() or SEPARATOR in alphabet or not strings:
        return not text.strip(alphabet) and all(map(text.__contains__, strings))
    if not text.isascii():
        return False
    digits, separators = gram_tables(alphabet)
    spelled = text.encode().translate(digits)  # the separator spells as a letter: it is looked for apart
    if OUTSIDE in spelled or SEPARATOR in text:
        return False
    joined = SEPARATOR.join(strings).encode()
    letters = joined.translate(digits)
    if OUTSIDE in letters or joined.count(SEPARATOR_BYTE) >= len(strings):
        return False  # a string with a letter outside the alphabet: no answer over the alphabet holds it
    needles = gram_text(letters, joined.translate(separators)).split()
    if len(needles) < len(strings) and not all(map(text.__contains__, letter_pairs(alphabet))) \
            and not all(map(text.__contains__, compress(strings, map(GRAM.__gt__, map(len, strings))))):
        return False
    return all(map(contains, repeat(gram_text(spelled)), needles))


@functools.lru_cache(maxsize=64)
def letter_pairs(alphabet: str) -> tuple[str, ...]:
    """Every string of two letters of ``alphabet``: a text holding them all holds every shorter string over it."""
    return tuple(a + b for a in alphabet for b in alphabet)


@functools.lru_cache(maxsize=64)
def gram_tables(alphabet: str) -> tuple[bytes, bytes]:
    """Byte tables of :func:`all_occur`: each letter's digit (0 for the separator, 255 for anything else),
    and the separator flag (1 for the separator, else 0)."""
    digits, flags = bytearray([255] * 256), bytearray(256)
    for digit, letter in enumerate(alphabet):
        digits[ord(letter)] = digit
    digits[ord(SEPARATOR)], flags[ord(SEPARATOR)] = 0, 1
    return bytes(digits), bytes(flags)


def gram_text(digits: bytes, flags: bytes = b"") -> str:
    """The 3-grams of a text of base-4 digits, one character each: a gram of letters d0 d1 d2 becomes
    chr(64 + 16 d0 + 4 d1 + d2), a gram holding a flagged byte (a separator) becomes a space.

    All grams are computed at once, as shifted copies of the digits read as one big integer: a gram's sum
    16 d0 + 4 d1 + d2 + 64 (f0 + f1 + f2) stays below 256, so no byte carries into the next.
    """
    size = len(digits)
    d = int.from_bytes(digits, "big")
    grams = (d << 16) + (d << 10) + (d << 4)
    if flags:
        f = int.from_bytes(flags, "big")
        grams += (f << 22) + (f << 14) + (f << 6)
    return grams.to_bytes(size + 2, "big")[2:size].translate(GRAM_CHARACTERS).decode("ascii")


def substrings(text: str) -> Iterator[str]:
    """Every non-empty contiguous substring of ``text`` (with repeats), cut in C by cached slices."""
    return map(text.__getitem__, _cuts(len(text)))


@functools.cache
def _cuts(size: int) -> tuple[slice, ...]:
    """The slices of every non-empty substring of a string of ``size`` characters, by start, then end."""
    return tuple(slice(i, j) for i in range(size) for j in range(i + 1, size + 1))


def with_decoys(rng: random.Random, pieces: list[str], inside: set[str], count: int) -> list[str]:
    """The pieces plus decoys (random strings of ``inside``, the pieces' substrings: they reveal no overlap)
    up to ``count`` distinct strings, sorted, so neither the number nor the order of the strings points at
    the word."""
    strings = set(pieces)
    spare = sorted(inside - strings)
    rng.shuffle(spare)
    strings.update(spare[:max(0, count - len(strings))])
    return sorted(strings)


def max_overlap(left: str, right: str) -> int:
    """The longest proper suffix of ``left`` that is a prefix of ``right``."""
    for size in range(min(len(left), len(right)) - 1, 0, -1):
        if left.endswith(right[:size]):
            return size
    return 0


def positive_overlaps(strings: list[str]) -> dict[tuple[int, int], int]:
    """The longest overlap (a proper suffix of one string that is a prefix of another) of every ordered
    pair of distinct strings where it is positive, found through a table of prefixes."""
    by_prefix: dict[str, list[int]] = {}
    for j, text in enumerate(strings):
        for size in range(1, len(text)):
            by_prefix.setdefault(text[:size], []).append(j)
    found: dict[tuple[int, int], int] = {}
    for i, text in enumerate(strings):
        for size in range(len(text) - 1, 0, -1):  # longest first: the first size found for a pair is its overlap
            for j in by_prefix.get(text[-size:], ()):
                if j != i and (i, j) not in found:
                    found[i, j] = size
    return found


def essential_strings(strings: list[str]) -> list[str]:
    """The distinct strings not contained in another one (they alone decide the optimum)."""
    kept: list[str] = []
    joined, length = "", -1  # the kept strings, one per line, searched at once
    for text in sorted(sorted(set(strings)), key=len, reverse=True):  # longest first, then alphabetical
        if len(text) != length:  # distinct strings of one length never contain each other: join once per length
            joined, length = "\n".join(kept), len(text)
        # a kept string containing text is longer; a line break in text could match across lines, so such a text
        # is looked for string by string; the empty string counts as contained in none
        contained = bool(text) and (any(text in other for other in kept) if "\n" in text else text in joined)
        if not contained:
            kept.append(text)
    return kept


def greedy_merge(strings: list[str], rng: random.Random, links: Sequence[tuple[str, str]] = ()) -> str:
    """Greedy superstring: link fragment ends by decreasing overlap, never closing a cycle.

    ``links`` are pairs (left, right) to join first, before the greedy order takes over.
    """
    return merge_essential(essential_strings(strings), rng, links)


def merge_essential(essential: list[str], rng: random.Random, links: Sequence[tuple[str, str]] = ()) -> str:
    """:func:`greedy_merge` of strings that :func:`essential_strings` already reduced (the list is not changed)."""
    items = list(essential)
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
    # only chain heads (no predecessor) and tails (no successor) take part, in index order; a tail is joined
    # only at its own turn, so a round's list of tails stays valid while the round runs
    heads = [j for j in range(m) if not has_predecessor[j]]
    tails = [i for i in range(m) if successor[i] is None]
    for size in range(longest - 1, 0, -1):
        if len(heads) < 2:  # one chain left: any join would close it into a cycle
            break
        by_prefix: dict[str, list[int]] = {}
        for j in heads:
            text = items[j]
            if len(text) > size:
                by_prefix.setdefault(text[:size], []).append(j)
        for i in tails:
            text = items[i]
            if len(text) <= size:
                continue
            for j in by_prefix.get(text[-size:], ()):
                if has_predecessor[j] or j == i or head_of_tail[i] == j:
                    continue
                join(i, j, size)
                break
        heads = [j for j in heads if not has_predecessor[j]]
        tails = [i for i in tails if successor[i] is None]
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
