"""Canonical JSON, content hashes and per-instance random streams.

An instance must be the same on every machine and survive a JSON round trip unchanged, so its data
is JSON-native and its identity is the hash of one canonical serialisation. Each instance draws from
its own :class:`random.Random`, seeded from a hash of everything that defines it, never from a
global generator.
"""

from __future__ import annotations

import _random
import hashlib
import json
import random
import sys
from collections.abc import Callable
from typing import Any

#: Python refuses int <-> str conversions past 4,300 digits by default (a guard against the quadratic cost
#: of parsing huge untrusted numbers). The number problems' ladders pass that size well below a 30k-character
#: prompt (quadratic congruences near level 300), so npgym raises the process's limit to this many digits,
#: never lowering a limit that is already higher or off; a 200k-digit answer still parses in well under a second.
BIG_INTEGER_DIGITS = 200_000


def allow_big_integers(digits: int = BIG_INTEGER_DIGITS) -> None:
    """Let this process convert integers of up to ``digits`` decimal digits to and from text."""
    current = sys.get_int_max_str_digits()
    if current and current < digits:
        sys.set_int_max_str_digits(digits)


allow_big_integers()

#: one encoder for every canonical serialisation (``json.dumps`` with options would build a new one per call)
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_json(value: Any) -> str:
    """The one serialisation used for hashing: sorted keys, no spaces, no NaN, UTF-8 kept."""
    return _CANONICAL.encode(value)


def content_hash(value: Any, length: int = 20) -> str:
    """A hex SHA-256 prefix of the canonical JSON of ``value``."""
    return text_hash(canonical_json(value), length)


def text_hash(text: str, length: int = 20) -> str:
    """A hex SHA-256 prefix of ``text`` (already canonical JSON)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def derive_rng(*parts: Any) -> random.Random:
    """A private RNG seeded from the canonical JSON of ``parts`` (problem, version, params, seed, index).

    Python's Mersenne Twister seeded with an integer gives the same stream on every platform and every
    CPython since 3.2, which makes instances reproducible across machines.
    """
    return _seeded(hashlib.sha256(canonical_json(list(parts)).encode("utf-8")))


def rng_deriver(*fixed: Any) -> Callable[..., random.Random]:
    """:func:`derive_rng` with its leading parts fixed: ``rng_deriver(*a)(*b)`` is ``derive_rng(*a, *b)``.

    The fixed parts (a problem, its version and parameters) are serialised and hashed once, so each of a
    level's instances pays only for its own parts (seed, index, stream): the same text, hence the same stream.
    """
    head = hashlib.sha256(canonical_json(list(fixed))[:-1].encode("utf-8"))  # the list left open
    comma = "," if fixed else ""

    def derive(*rest: Any) -> random.Random:
        digest = head.copy()
        if len(rest) == 3 and type(rest[0]) is int and type(rest[1]) is int and type(rest[2]) is str:
            # an instance slot's (seed, index, stream), the engine's every call: the same text in one format
            digest.update(f"{comma}{rest[0]},{rest[1]},{_CANONICAL.encode(rest[2])}]".encode())
        else:
            body = ",".join(str(part) if type(part) is int else _CANONICAL.encode(part) for part in rest)
            digest.update(f"{comma}{body}]".encode() if rest else b"]")
        return _seeded(digest)

    return derive


def _seeded(digest: Any) -> random.Random:
    """The Mersenne Twister seeded with the first 128 bits of a SHA-256 digest."""
    return _fresh_random(int.from_bytes(digest.digest()[:16], "big"))


def _fresh_random_by_hand(seed: int) -> random.Random:
    """``random.Random(seed)`` for an integer seed, without its two Python frames (``__init__``, ``seed``): the
    C seeding that ``Random.seed`` hands an integer to, and the one attribute ``__init__`` sets. A generated
    instance pays this once per stream, and for a small instance it is most of the engine's own cost."""
    fresh = _new_random(random.Random)
    _seed_in_c(fresh, seed)
    vars(fresh)["gauss_next"] = None
    return fresh


_new_random, _seed_in_c = random.Random.__new__, _random.Random.seed  # random.Random's C base class


def _same_as_random(make: Callable[[int], random.Random]) -> bool:
    """Whether ``make`` builds exactly what ``random.Random`` does on this interpreter (state and attributes)."""
    probe, reference = make(2**127 + 12345), random.Random(2**127 + 12345)
    return vars(probe) == vars(reference) and probe.getstate() == reference.getstate()


#: random.Random(seed) itself wherever the shortcut would differ (another interpreter or version)
_fresh_random: Callable[[int], random.Random] = (_fresh_random_by_hand if _same_as_random(_fresh_random_by_hand)
                                                 else random.Random)


def assert_json_native(value: Any, where: str = "value") -> None:
    """Raise TypeError unless ``value`` is built only from dict (str keys), list, str, int, float, bool, None.

    The common case (a native value) is settled in C: a value that survives a canonical JSON round trip
    unchanged is native, because the encoder turns tuples into lists and non-string keys into strings (which
    then compare unequal) and refuses sets, NaN and foreign types. Only a failure walks the value in Python,
    to name where it is not native.
    """
    if native_json(value) is None:
        _explain_not_native(value, where)


def native_json(value: Any) -> str | None:
    """The canonical JSON of ``value`` if ``value`` is JSON-native (see :func:`assert_json_native`), else None."""
    try:
        text = canonical_json(value)
        return text if json.loads(text) == value else None
    except (TypeError, ValueError, RecursionError):
        return None


def _explain_not_native(value: Any, where: str) -> None:
    """The walk behind :func:`assert_json_native`: raise TypeError naming the first non-native part."""
    if value is None or isinstance(value, (str, bool, int)):
        return
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise TypeError(f"{where} holds a non-finite float")
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _explain_not_native(item, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where} has a non-string key {key!r}")
            _explain_not_native(item, f"{where}.{key}")
        return
    raise TypeError(f"{where} holds a {type(value).__name__}, which is not JSON-native")
