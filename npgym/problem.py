"""The contract every problem module implements, and the typed results it returns.

A problem module subclasses :class:`Problem` and fills in, top to bottom: the relations between its
parameters that its card cannot declare (each parameter's range, and bounds such as ``max = "nodes - 1"``,
are in the card), the generator (:meth:`Problem.plant`),
the verifier (:meth:`Problem.check`), the exact solver (:meth:`Problem.solve`), the renderer, and the
heuristic. The engine (:mod:`npgym.engine`) adds
everything shared: seeding, hashing, the answer envelope, "no solution" claims and error handling.
"""

from __future__ import annotations

import random
import time
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from npgym.cards import Card, ParamError, load_card

SAT, UNSAT, UNKNOWN = "sat", "unsat", "unknown"


@dataclass(frozen=True)
class Planted:
    """What a generator returns: the instance data a model sees and the certificate kept apart."""

    data: dict[str, Any]
    certificate: Any

    def __init__(self, data: dict[str, Any], certificate: Any) -> None:
        """Both fields in one update of the record's dict (the frozen dataclass's own ``__init__`` sets them
        one ``object.__setattr__`` at a time, which every generated instance pays)."""
        self.__dict__.update({"data": data, "certificate": certificate})


@dataclass(frozen=True)
class Effort:
    """How hard the exact solver worked: its name, wall seconds, its own effort counters, and the work it
    spent in the units of ``time_limit`` (counted deterministically, so it is the same on every machine)."""

    solver: str
    seconds: float
    conflicts: int | None = None
    branches: int | None = None
    work: float | None = None


@dataclass(frozen=True)
class SolveResult:
    """An exact solver's answer to the decision question, with the optimum where one is defined.

    ``status`` is ``sat`` (``certificate`` verifies), ``unsat`` (proved: no certificate exists) or
    ``unknown`` (the time limit ran out; never to be read as unsat). ``optimum`` is the proved best
    objective value, or None when the problem has no objective or optimality was not proved.
    """

    status: str
    certificate: Any = None
    optimum: int | float | None = None
    effort: Effort | None = None

    def to_dict(self) -> dict[str, Any]:
        """The result's fields by name."""
        return asdict(self)


class Problem(ABC):
    """One NP-complete problem: generator, verifier, exact solver, renderer and baselines.

    Subclasses set ``id`` (stable, snake_case, equal to the module and card names) and ``version``
    (bump whenever generation or the ladder changes, so old results stay attributable); the card
    declares the objective and the bound.
    """

    id: ClassVar[str]
    version: ClassVar[int]
    #: small levels at which the engine makes solver-proved no-instances quickly (the contract tests use them);
    #: a problem whose level 3, say, is too hard to refute within the default time limit names others
    small_no_levels: ClassVar[tuple[int, ...]] = (2, 3)
    #: True where :meth:`no_candidate` draws instances that are yes or no by chance (a random instance near
    #: the threshold): a mixed test set then draws its yes-instances from the same candidates, certified by
    #: the solver, so yes and no come from one distribution and differ only in the answer, never in a
    #: planted structure that only one side has
    yes_from_no_candidates: ClassVar[bool] = False

    @property
    def card(self) -> Card:
        """The problem's card (``problems/<id>.toml``)."""
        return load_card(self.id)

    @property
    def objective(self) -> str | None:
        """``"min"``, ``"max"`` or None: the direction of the natural objective that :meth:`check` reports for a
        well-formed answer (declared in the card)."""
        return self.card.objective

    @property
    def bound_key(self) -> str | None:
        """The key in ``data`` that holds the bound of the question (cover size k, tour bound B, ...), if any
        (declared in the card). Tight generation sets it to the proved optimum; no-instances move it just past
        the optimum."""
        return self.card.bound_key

    @property
    def versioned_id(self) -> str:
        """``id-vN``: the id with the version, as results cite it."""
        return f"{self.id}-v{self.version}"

    def level_params(self, level: int) -> dict[str, Any]:
        """The generation parameters of a level, checked."""
        params = self.card.level_params(level)
        self.validate_params(params)
        return params

    def validate_params(self, params: dict[str, Any]) -> None:
        """Every check of ``params``: each against the range its card declares, then :meth:`check_params`.

        The checks are a pure function of the parameters, so parameters that passed once are remembered
        (by name, type and value) and pass at once: a test set checks the same few levels thousands of times.
        """
        key = _params_key(params)
        passed: set = vars(self).setdefault("_passed_params", set())
        if key is not None and key in passed:
            return
        self.card.check_params(params)
        try:
            self.check_params(params)
        except ParamError as error:
            raise ParamError(f"{self.id}: {error}") from None
        if key is not None and len(passed) < PASSED_PARAMS_KEPT:
            passed.add(key)

    def check_params(self, params: dict[str, Any]) -> None:  # noqa: B027 - an optional hook, not abstract
        """Raise :class:`ParamError` if parameters, each within its card's range, are impossible together
        (the message names them and says what to change). Ranges, and bounds that one parameter sets another
        by a single operation (``max = "nodes - 1"``), belong in the card."""

    # -- to implement -------------------------------------------------------------------------

    @abstractmethod
    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        """Generate a yes-instance with a planted certificate, drawing only from ``rng``."""

    @abstractmethod
    def check(self, data: dict[str, Any], solution: Any) -> int | float | None:
        """Check a non-null solution (any JSON value) against ``data``.

        Return the answer's objective value (None without an objective) if it is valid; otherwise
        raise :class:`npgym.verdict.Reject` with a code and a message naming the failed constraint.
        Must never raise anything else, whatever JSON value ``solution`` is.
        """

    @abstractmethod
    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        """Decide the instance exactly with a SAT or CP-SAT encoding (one worker, fixed seed)."""

    @abstractmethod
    def render(self, data: dict[str, Any]) -> str:
        """The compact prompt text of the instance: integers and lists, never a Python repr."""

    @abstractmethod
    def heuristic(self, data: dict[str, Any], rng: random.Random) -> Any:
        """A textbook heuristic's solution (it may be invalid: it is a baseline, not a solver)."""

    @abstractmethod
    def random_answer(self, data: dict[str, Any], rng: random.Random) -> Any:
        """A uniformly random answer of the right shape: the floor any model must beat."""

    # -- optional ------------------------------------------------------------------------------

    def no_candidate(self, rng: random.Random, params: dict[str, Any]) -> dict[str, Any] | None:
        """Instance data that is *probably* a no-instance, from the same size distribution as :meth:`plant`.

        The engine keeps a candidate only once the exact solver proves it unsatisfiable, and draws a
        fresh candidate (from a fresh stream) otherwise, a bounded number of times. For problems with a
        ``bound_key`` that return None (the default), or whose candidates keep failing, the engine plants
        a yes-instance and moves the bound one step past the proved optimum instead, so those
        no-instances differ from yes-instances only in the bound.
        """
        return None

    def counting_refutes(self, data: dict[str, Any]) -> bool:
        """Whether counting alone shows that ``data`` has no solution (a bound beyond what sizes allow, a total
        weight above the total capacity, ...): such a no-instance would give its answer away, so the engine
        never makes one. The default knows no such count."""
        return False


#: how many distinct parameter sets a problem remembers as valid
PASSED_PARAMS_KEPT = 4096


def _params_key(params: Any) -> tuple | None:
    """``params`` as a hashable key that tells 1, 1.0 and True apart, or None (not a dict of scalars)."""
    if not isinstance(params, dict):
        return None
    try:
        key = tuple(sorted((name, type(value).__name__, value) for name, value in params.items()))
        hash(key)
    except TypeError:  # unsortable names or unhashable values: checked every time
        return None
    return key


def require_param(condition: bool, message: str) -> None:
    """Raise :class:`ParamError` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise ParamError(message)


@dataclass
class Stopwatch:
    """Measures wall seconds for :class:`Effort`."""

    started: float = field(default_factory=time.perf_counter)

    def seconds(self) -> float:
        """Wall seconds since the stopwatch started (rounded to microseconds)."""
        return round(time.perf_counter() - self.started, 6)
