"""Schema checks shared by all verifiers: each returns the checked value or raises :class:`Reject`.

A verifier receives an arbitrary JSON value from a model. These helpers validate type, range,
length and distinctness in one place, so every problem rejects the same malformed answer with the
same code, and the bool-versus-int trap (``True == 1`` in Python) is closed once for everyone.
"""

from __future__ import annotations

import functools
from typing import Any

from npgym.verdict import CONSTRAINT, DUPLICATE, RANGE, SHAPE, TYPE, Reject


def is_int(value: Any) -> bool:
    """True for a JSON integer; bools are not integers here."""
    return isinstance(value, int) and not isinstance(value, bool)


#: JSON types and their names in messages, bool before int (a bool is an int in Python)
JSON_TYPE_NAMES = ((type(None), "null"), (bool, "a boolean"), (int, "an integer"), (float, "a number with a fraction"),
                   (str, "a string"), (list, "a list"), (dict, "an object"))


#: the exact types of an all-integer and an all-boolean list (``type(True)`` is bool, never int)
ONLY_INT = frozenset((int,))
_ONLY_BOOL = frozenset((bool,))


def describe(value: Any) -> str:
    """A short name of a value's JSON type for error messages."""
    return next((name for kind, name in JSON_TYPE_NAMES if isinstance(value, kind)), type(value).__name__)


def integer(value: Any, name: str, lo: int | None = None, hi: int | None = None) -> int:
    """Check that ``value`` is an integer in ``[lo, hi]`` (either bound may be open)."""
    if not isinstance(value, int) or isinstance(value, bool):  # is_int, inlined: one frame less per call
        raise Reject(TYPE, f"{name} must be an integer, got {describe(value)}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise Reject(RANGE, f"{name} = {value} is outside {_span(lo, hi)}")
    return value


def boolean(value: Any, name: str) -> bool:
    """Check that ``value`` is a JSON boolean (not 0/1, not the string "true")."""
    if not isinstance(value, bool):
        raise Reject(TYPE, f"{name} must be true or false, got {describe(value)}")
    return value


def booleans(value: Any, name: str, length: int | None = None) -> list[bool]:
    """Check a list of JSON booleans, optionally of an exact length."""
    items = listing(value, name, length)
    if not _ONLY_BOOL.issuperset(map(type, items)):
        for position, item in enumerate(items):
            boolean(item, f"{name}[{position}]")
    return items


def string(value: Any, name: str, alphabet: str | None = None, max_length: int | None = None) -> str:
    """Check that ``value`` is a string over ``alphabet`` of at most ``max_length`` characters."""
    if not isinstance(value, str):
        raise Reject(TYPE, f"{name} must be a string, got {describe(value)}")
    if max_length is not None and len(value) > max_length:
        raise Reject(SHAPE, f"{name} has {len(value)} characters, more than the {max_length} allowed")
    if alphabet is not None:
        bad = sorted(set(value) - set(alphabet))
        if bad:
            raise Reject(RANGE, f"{name} holds characters outside {alphabet!r}: {''.join(bad[:5])!r}")
    return value


def listing(value: Any, name: str, length: int | None = None,
            min_length: int | None = None, max_length: int | None = None) -> list:
    """Check that ``value`` is a list, optionally of an exact or bounded length."""
    if not isinstance(value, list):
        raise Reject(TYPE, f"{name} must be a list, got {describe(value)}")
    if length is not None and len(value) != length:
        raise Reject(SHAPE, f"{name} must have exactly {length} elements, got {len(value)}")
    if min_length is not None and len(value) < min_length:
        raise Reject(SHAPE, f"{name} must have at least {min_length} elements, got {len(value)}")
    if max_length is not None and len(value) > max_length:
        raise Reject(SHAPE, f"{name} must have at most {max_length} elements, got {len(value)}")
    return value


def int_list(value: Any, name: str, lo: int | None = None, hi: int | None = None,
             length: int | None = None, min_length: int | None = None,
             max_length: int | None = None, distinct: bool = False) -> list[int]:
    """Check a list of integers in ``[lo, hi]``; with ``distinct`` no value may repeat.

    A valid answer is checked in one frame by bulk C calls (verifiers run millions of times, and every
    extra Python call shows); any failure takes the element-by-element path, which names it.
    """
    if (type(value) is list and value and (length is None or len(value) == length)
            and (min_length is None or len(value) >= min_length) and (max_length is None or len(value) <= max_length)
            and ONLY_INT.issuperset(map(type, value)) and (lo is None or min(value) >= lo)
            and (hi is None or max(value) <= hi) and (not distinct or len(set(value)) == len(value))):
        return value
    items = listing(value, name, length, min_length, max_length)
    for position, item in enumerate(items):
        integer(item, f"{name}[{position}]", lo, hi)
    if distinct:
        unique_values(items, name)
    return items



def group_totals(weights: list[int], value: Any, name: str, groups: int) -> list[int]:
    """The total weight of each of ``groups`` groups, ``value`` naming the group (0..groups-1) of each weight;
    rejects as :func:`int_list` does. The valid case checks the types and the lower bound in bulk and leaves
    the upper bound to the summing loop (an IndexError), a pass over the answer fewer than int_list."""
    if not (type(value) is list and value and len(value) == len(weights)
            and ONLY_INT.issuperset(map(type, value)) and min(value) >= 0):
        value = int_list(value, name, 0, groups - 1, length=len(weights))
    totals = [0] * groups
    try:
        for weight, group in zip(weights, value):
            totals[group] += weight
    except IndexError:  # a group past the last (none is negative): int_list names the first
        int_list(value, name, 0, groups - 1, length=len(weights))
        raise
    return totals


def unique_values(items: list, name: str) -> None:
    """Reject a list of hashable values in which some value repeats."""
    if len(set(items)) == len(items):
        return
    seen = set()
    for item in items:
        if item in seen:
            raise Reject(DUPLICATE, f"{name} repeats {item}")
        seen.add(item)


def permutation(value: Any, name: str, n: int) -> list[int]:
    """Check that ``value`` is a permutation of ``0..n-1``."""
    if (type(value) is list and len(value) == n > 0 and ONLY_INT.issuperset(map(type, value))
            and sorted(value) == _identity(n)):
        return value  # the valid case in one frame, as in int_list (one sort beats min, max and a set)
    return int_list(value, name, 0, n - 1, length=n, distinct=True)


@functools.lru_cache(maxsize=16)
def _identity(n: int) -> list[int]:
    """``list(range(n))``, built once per size: what a sorted permutation equals (compared with, never returned)."""
    return list(range(n))


def require(condition: bool, message: str, code: str = CONSTRAINT) -> None:
    """Reject with ``code`` (a broken problem constraint by default) unless ``condition`` holds."""
    if not condition:
        raise Reject(code, message)


def _span(lo: int | None, hi: int | None) -> str:
    if lo is None:
        return f"(-inf, {hi}]"
    if hi is None:
        return f"[{lo}, +inf)"
    return f"[{lo}, {hi}]"
