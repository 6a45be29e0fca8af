"""Hitting String (Garey & Johnson SR12).

Instance: a length n and a set of patterns, strings of length n over {0, 1, *}. Question: is there a
binary string x of length n that hits every pattern, i.e. for each pattern some position holds the
same bit (0 or 1, not *) in the pattern and in x?

Schemas
    data         ``{"n": int, "patterns": [str, ...]}`` (distinct, sorted)
    certificate  a string of n characters 0/1 (position 0 is the first character)
    objective    none

A pattern is a clause: "x[i] = p[i] for some fixed position i". Patterns with two or three fixed
positions are (2+p)-SAT clauses, and the instance is hard where a random formula of that mix sits at
its satisfiability threshold.

Generation: the ladder fixes n and the pattern count m, so the mix of widths is chosen from the
ratio r = m / n: a fraction p of the patterns have three fixed positions and the rest two, with p
such that the (2+p)-SAT threshold is r (p = 1 - 1/r below r = 1.7, then p rising linearly to 1 at
the 3-SAT threshold 4.27; p = 1 above it). A hidden string x is planted; a three-position pattern
hits x in t = 1, 2 or 3 positions with weight C(3, t) q^t, q = (sqrt(5) - 1) / 2 (the q-hidden rule
of Jia, Moore and Strain), and a two-position pattern hits x in exactly one position. Both choices
make every position agree with x in half of its fixed bits on average, so bit counting (majority
vote) says nothing about x. Patterns are distinct and sorted.

Hardness: near the threshold, local search and DPLL need the most effort. The reference top (n = 10,
m = 70) is over-constrained and small: WalkSAT solves 10/10 there. Version 2 grows the ladder past
the top by 10 positions and 42 patterns per level (version 1: 2 and 9), so m / n falls towards 4.2
within a few levels while n grows: WalkSAT solves 8/10 at level 11, 4/10 at 12, 3/10 at 15, 1/10 at
20 and 0/10 at 25 (version 1: 9/10 at level 15, 6/10 at 20); no-instances are proved in under 1 s up
to level 25, in about 3 s per candidate at level 30 (n = 210) and 10 s at level 35 (n = 260). (The reference fixed one
bit of x and 1..n/2 random others: each pattern had many fixed bits, so almost any string hit it,
and its generator looped forever once m exceeded the distinct patterns it could draw.)
``check_params`` bounds m by half of the distinct patterns of each width.

No-instances: random patterns with the same widths and counts (no hidden string), proved
unsatisfiable by the SAT solver; at the threshold about half of them are.

Prompts (version 3): from length 11 on, each pattern is listed by its 2 or 3 fixed positions
("3:1 17:0 96:1") instead of a string of n characters, so a prompt grows with the pattern count, not with
length x patterns: 30k characters now hold level 48 (length 390, 1,666 patterns) instead of level 16
(length 70). The instances are those of version 2.

Audit (benchmarks/hardness.py, 2 s of one core per attack, version 3): the audit's WalkSAT (restarts,
2 s; stronger than the 10n-flip heuristic behind the numbers above) solves every yes-instance at the top
level and at 2x (level 11), 8/10 at level 25 (length 160) and 6/10 at level 48 (length 390, 29.6k
characters, the largest prompt within 30k); yes/no accuracy 0.56 and 0.59 (10 + 10). Planted instances
near the threshold resist WalkSAT only at lengths of many hundreds, beyond a 30k-character prompt: the
target of fewer than 10% solved is not reached.
"""

from __future__ import annotations

import functools
import itertools
import math
import random
from typing import Any

from npgym import checks, draws
from npgym.problem import SAT, Planted, Problem, SolveResult, require_param
from npgym.registry import register
from npgym.solvers import solve_cnf
from npgym.verdict import CONSTRAINT, SHAPE

Q_HIDDEN = (math.sqrt(5) - 1) / 2  # with this q, a three-position pattern agrees with x in 1.5 bits on average
THRESHOLD_3 = 4.27
THRESHOLD_KNEE = 1.7  # the (2+p)-SAT threshold is 1 / (1 - p) up to here (p = 0.41)
#: from this length on, prompts list each pattern by its 2 or 3 fixed positions ("3:1 17:0 96:1"), so a prompt
#: grows with the pattern count alone instead of length x patterns; shorter patterns stay strings (the reference's)
SPARSE_FROM_LENGTH = 11
SEPARATOR = "\n"  # joins the patterns for the bulk check
#: byte codes of the bulk check: a pattern's and a text's bit agree exactly where their codes share a bit,
#: separators share one with separators, and anything else (* included) with nothing
HIT_CODES = bytes(1 if byte == ord("0") else 2 if byte == ord("1") else 4 if byte == ord(SEPARATOR) else 0
                  for byte in range(256))
SEPARATOR_MASK = bytes(byte == ord(SEPARATOR) for byte in range(256))  # separators to 1, the rest to 0


def fixed_positions(pattern: str) -> list[tuple[int, str]]:
    """The (position, bit) pairs of a pattern's fixed positions (also the order prompts list them in)."""
    return [(i, bit) for i, bit in enumerate(pattern) if bit != "*"]


def all_hit(text: str, patterns: list[str]) -> bool:
    """Whether a binary ``text`` hits every pattern, in bulk: the patterns joined and the text repeated in
    step, coded as bytes (:data:`HIT_CODES`) and ANDed as two big integers; a pattern is missed exactly
    when its stretch of the result is all zero bytes. False also where the patterns do not line up with the
    text (a pattern of another length, a separator or a non-ASCII character in one): the caller then
    checks pattern by pattern.
    """
    joined = SEPARATOR.join(patterns).encode()
    repeated = ((text + SEPARATOR) * len(patterns)).encode()[:-1]
    if not text or joined.translate(SEPARATOR_MASK) != repeated.translate(SEPARATOR_MASK):
        return False
    agree = int.from_bytes(joined.translate(HIT_CODES), "big") & int.from_bytes(repeated.translate(HIT_CODES), "big")
    return bytes(len(text)) not in agree.to_bytes(len(joined), "big")


def sparse_pattern(pattern: str) -> str:
    """A pattern as its fixed positions: ``"*1**0"`` is ``"1:1 4:0"``."""
    return " ".join(f"{i}:{bit}" for i, bit in fixed_positions(pattern))


def three_fraction(n: int, m: int) -> float:
    """The share p of three-position patterns that puts m clauses over n variables at the threshold.

    The (2+p)-SAT threshold is 1 / (1 - p) up to p = 0.41 and then rises about linearly to 4.27 at
    p = 1. Small formulas are satisfiable further out; the ratio is scaled by (1 - 1.5 / n), which
    puts 40-60% of the random formulas at the reference sizes (n = 10, m = 30..60) out of reach.
    """
    ratio = m / n * (1 - 1.5 / n)
    if ratio >= THRESHOLD_3:
        return 1.0
    if ratio <= THRESHOLD_KNEE:
        return max(0.0, 1 - 1 / ratio)
    knee = 1 - 1 / THRESHOLD_KNEE
    return knee + (1 - knee) * (ratio - THRESHOLD_KNEE) / (THRESHOLD_3 - THRESHOLD_KNEE)


class HittingString(Problem):
    id = "hitting_string"
    version = 3

    @staticmethod
    def _widths(params: dict[str, Any]) -> tuple[int, int]:
        """(patterns with three fixed positions, patterns with two)."""
        n, m = params["length"], params["patterns"]
        threes = round(three_fraction(n, m) * m)
        return threes, m - threes

    def check_params(self, params: dict[str, Any]) -> None:
        n, m = params["length"], params["patterns"]
        threes, twos = self._widths(params)
        # planted: at least 3 sign choices per position triple hit x, and 3 per position pair
        require_param(threes <= 3 * math.comb(n, 3) // 2 and twos <= 3 * math.comb(n, 2) // 2,
                      f"{m} patterns over length {n} is more than half of the distinct patterns of their "
                      f"widths ({threes} with 3 fixed bits, {twos} with 2); use a larger length or fewer patterns")

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        n = params["length"]
        hidden = [rng.randint(0, 1) for _ in range(n)]
        threes, twos = self._widths(params)
        weights = _three_weights(_solve_q(1.5 - twos / (3 * threes) if threes else 1.5))
        patterns = _planted_patterns(rng, n, 3, hidden, threes, (1, 2, 3), weights)
        patterns += _planted_patterns(rng, n, 2, hidden, twos, (1, 2), (2, 1))
        return Planted({"n": n, "patterns": sorted(patterns)}, "".join(map(str, hidden)))

    def no_candidate(self, rng: random.Random, params: dict[str, Any]) -> dict[str, Any]:
        n = params["length"]
        threes, twos = self._widths(params)
        patterns = _distinct(threes, lambda: _pattern(rng, n, 3))
        patterns += _distinct(twos, lambda: _pattern(rng, n, 2))
        return {"n": n, "patterns": sorted(patterns)}

    def check(self, data: dict[str, Any], solution: Any) -> None:
        n = data["n"]
        if type(solution) is str and len(solution) == n and not solution.strip("01") and all_hit(solution,
                                                                                                 data["patterns"]):
            return None  # a valid answer in bulk C calls; anything else is located below
        text = checks.string(solution, "solution", alphabet="01")
        checks.require(len(text) == n, f"the answer has {len(text)} characters, not n = {n}", SHAPE)
        missed = next((number for number, pattern in enumerate(data["patterns"])
                       if not any(map(str.__eq__, text, pattern))), None)
        if missed is not None:
            pattern = data["patterns"][missed]  # named as the prompt shows it
            shown = f"{missed} ({pattern})" if n < SPARSE_FROM_LENGTH else sparse_pattern(pattern)
            checks.require(False, f"pattern {shown} is not hit: no fixed position agrees", CONSTRAINT)
        return None

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        clauses = [[i + 1 if bit == "1" else -(i + 1) for i, bit in enumerate(pattern) if bit != "*"]
                   for pattern in data["patterns"]]
        status, model, effort = solve_cnf(clauses, time_limit)
        certificate = None
        if status == SAT:
            ones = {lit for lit in model if lit > 0}
            certificate = "".join("1" if i + 1 in ones else "0" for i in range(data["n"]))
        return SolveResult(status, certificate, None, effort)

    def render(self, data: dict[str, Any]) -> str:
        n, patterns = data["n"], data["patterns"]
        if n < SPARSE_FROM_LENGTH:
            return f"n = {n}\nPatterns ({len(patterns)}, one per line; positions 0 to {n - 1}):\n" + "\n".join(patterns)
        listed = [sparse_pattern(pattern) for pattern in sorted(patterns, key=fixed_positions)]
        return (f"n = {n}\nPatterns ({len(patterns)}, one per line, each as its fixed positions position:bit; every "
                f"other position is *; positions 0 to {n - 1}):\n" + "\n".join(listed))

    def heuristic(self, data: dict[str, Any], rng: random.Random) -> str:
        """WalkSAT from a random string: flip a bit of an unhit pattern, greedily half of the time; 10n flips."""
        n, patterns = data["n"], data["patterns"]
        fixed = [[(i, int(bit)) for i, bit in enumerate(p) if bit != "*"] for p in patterns]
        bits = [rng.randint(0, 1) for _ in range(n)]
        touching: list[list[int]] = [[] for _ in range(n)]
        for number, positions in enumerate(fixed):
            for i, _ in positions:
                touching[i].append(number)

        def hit(number: int) -> bool:
            return any(bits[i] == want for i, want in fixed[number])

        for _ in range(10 * n):
            unhit = [number for number in range(len(fixed)) if not hit(number)]
            if not unhit:
                break
            positions = fixed[rng.choice(unhit)]
            if rng.random() < 0.5:
                flip = rng.choice(positions)[0]
            else:
                def breaks(i: int) -> int:
                    bits[i] ^= 1
                    broken = sum(not hit(number) for number in touching[i])
                    bits[i] ^= 1
                    return broken
                flip = min((i for i, _ in positions), key=breaks)
            bits[flip] ^= 1
        return "".join(map(str, bits))

    def random_answer(self, data: dict[str, Any], rng: random.Random) -> str:
        return "".join(rng.choice("01") for _ in range(data["n"]))


def _three_weights(q: float) -> list[float]:
    """Weights of t = 1, 2, 3 agreeing bits in a planted three-position pattern: C(3, t) q^t."""
    return [3 * q, 3 * q ** 2, q ** 3]


@functools.lru_cache(maxsize=64)
def _solve_q(mean: float) -> float:
    """The q in [0, Q_HIDDEN] whose three-position patterns agree with x in ``mean`` bits (clamped).

    A pure function of the level's mean, so it is bisected once per level and then cached."""
    lo, hi = 0.0, Q_HIDDEN
    for _ in range(40):
        q = (lo + hi) / 2
        weights = _three_weights(q)
        if (weights[0] + 2 * weights[1] + 3 * weights[2]) / sum(weights) < mean:
            lo = q
        else:
            hi = q
    return hi


def _pattern(rng: random.Random, n: int, width: int, hidden: list[int] | None = None, hits: int = 0) -> str:
    """A pattern with ``width`` fixed positions; with ``hidden``, exactly ``hits`` of them agree with it."""
    positions = rng.sample(range(n), width)
    cells = ["*"] * n
    agreeing = set(rng.sample(positions, hits)) if hidden is not None else set()
    for i in positions:
        if hidden is None:
            cells[i] = rng.choice("01")
        else:
            cells[i] = str(hidden[i] if i in agreeing else 1 - hidden[i])
    return "".join(cells)


def _planted_patterns(rng: random.Random, n: int, width: int, hidden: list[int], count: int,
                      hit_counts: tuple[int, ...], weights) -> list[str]:
    """``count`` distinct patterns with ``width`` fixed positions, each agreeing with ``hidden`` in a number of
    them drawn from ``hit_counts`` by ``weights``; sorted.

    The draws of :func:`_distinct` over :func:`_pattern` with ``hidden``, one pattern after another: the
    agreement count (``choices`` with the weights' running sums, which is what ``choices`` computes from
    weights), the positions, then the agreeing ones among them. The characters of each position are
    precomputed and a pattern is made from one template list per width.
    """
    cum_weights = list(itertools.accumulate(weights))
    same = [str(bit) for bit in hidden]
    other = [str(1 - bit) for bit in hidden]
    everywhere = list(range(n))
    blank = ["*"] * n
    seen: set[str] = set()
    while len(seen) < count:
        hits = draws.choose_cumulative(rng, hit_counts, cum_weights)  # npgym.draws: rng.choices and rng.sample
        positions = draws.sample(rng, everywhere, width)
        agreeing = draws.sample(rng, positions, hits)
        cells = blank.copy()
        for i in positions:
            cells[i] = other[i]
        for i in agreeing:
            cells[i] = same[i]
        seen.add("".join(cells))
    return sorted(seen)


def _distinct(count: int, draw) -> list[str]:
    """``count`` distinct patterns from ``draw``; check_params keeps count at most half of the space."""
    seen: set[str] = set()
    while len(seen) < count:
        seen.add(draw())
    return sorted(seen)


register(HittingString())
