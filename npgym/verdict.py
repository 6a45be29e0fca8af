"""Verdicts and the one error-code taxonomy shared by every problem.

Every verifier answers with a :class:`Verdict`. A rejected answer carries exactly one code from
:data:`CODES`; analysis groups errors by code, so the set is small and its meaning is the same for
all 25 problems.

=============== ==========================================================================================
code            meaning
=============== ==========================================================================================
``ok``          the answer is a valid certificate (or a correct "no solution" claim)
``no_answer``   there is no ``solution`` to grade: not a JSON object, or the ``solution`` key is missing
``type``        a value has the wrong JSON type (a string, float or bool where an integer is required, ...)
``shape``       the structure is wrong: wrong length, wrong nesting, missing or extra parts
``range``       a value is out of its domain: a vertex id that does not exist, a colour outside {0,1,2}, ...
``duplicate``   an element repeats where distinct elements are required
``constraint``  the answer is well formed but breaks a constraint of the problem (an uncovered edge, ...)
``bound``       the answer is well formed and feasible but misses the bound in the question (too many
                vertices, a tour that is too long, ...)
``wrong_claim`` the answer claims that no solution exists (``{"solution": null}``) for a solvable instance
``unsettled``   a "no solution" claim on an instance whose status nobody proved; never in a test set
=============== ==========================================================================================
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from typing import Any

OK = "ok"
NO_ANSWER = "no_answer"
TYPE = "type"
SHAPE = "shape"
RANGE = "range"
DUPLICATE = "duplicate"
CONSTRAINT = "constraint"
BOUND = "bound"
WRONG_CLAIM = "wrong_claim"
UNSETTLED = "unsettled"

CODES = (OK, NO_ANSWER, TYPE, SHAPE, RANGE, DUPLICATE, CONSTRAINT, BOUND, WRONG_CLAIM, UNSETTLED)


@dataclass(frozen=True)
class Verdict:
    """The grade of one answer: ``ok``, one code from :data:`CODES`, a message naming what failed.

    ``objective`` holds the answer's objective value (cover size, tour length, ...) when the answer is
    well formed and the problem has a natural objective, so analysis can report optimality ratios.
    """

    ok: bool
    code: str
    message: str = ""
    objective: float | int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The verdict's fields by name."""
        return asdict(self)

    @classmethod
    def accept(cls, message: str = "valid", objective: float | int | None = None) -> Verdict:
        """A verdict that accepts the answer, with its objective value.

        Verdicts are immutable, so an accepting one is made once per (message, objective) and shared: making
        a frozen dataclass costs more than many a verifier's whole check, and acceptance is the hot path
        of a training loop.
        """
        if cls is not Verdict:  # a subclass gets its own instance
            return cls(True, OK, message, objective)
        return _accepting(message, objective)


@functools.lru_cache(maxsize=4096, typed=True)  # typed: an objective of 1.0 stays a float
def _accepting(message: str, objective: float | int | None) -> Verdict:
    return Verdict(True, OK, message, objective)


class Reject(Exception):
    """Raised inside a verifier to reject an answer; the engine turns it into a :class:`Verdict`.

    Only verifiers raise it and only :func:`npgym.engine.verify` catches it, so a genuine bug in a
    verifier still surfaces as a real exception in the tests instead of hiding behind a verdict.
    """

    def __init__(self, code: str, message: str, objective: float | int | None = None):
        if code not in CODES or code == OK:
            raise ValueError(f"unknown rejection code {code!r}; use one of {CODES[1:]}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.objective = objective

    def verdict(self) -> Verdict:
        """The rejection as a verdict."""
        return Verdict(False, self.code, self.message, self.objective)
