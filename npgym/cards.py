"""Problem cards: the prompt text and the level ladder of each problem, read from ``problems/*.toml``.

A card is data, not code, so a person can fix a prompt or retune a ladder without reading Python.
Its fields::

    id, name, reference          stable id, display name, Garey & Johnson reference
    statement                    the problem statement shown to models (our own words)
    answer_format                what the "solution" field must hold
    answer_example               a small example of a solution value, as JSON text
    objective = "min"            optional: the direction ("min" or "max") of the objective the verifier reports
    bound_key = "k"              optional (needs objective): the instance key that holds the question's bound
    [ladder]
    params = ["nodes", "cover"]  the size parameters, in the order of each level row
    levels = [[4, 2], ...]       levels 1..top (the reference's sizes, so results compare)
    fixed = {...}                parameters that are the same at every level
    beyond = {nodes = {add = 4}, cover = {multiply = 1.1}}
                                 the growth rule past the top level, applied once per level above it
    [params]
    nodes = { type = "int", min = 4 }
    cover = { type = "int", min = 1, max = "nodes - 1" }
                                 every parameter's type ("int" or "number") and range: ``min`` and ``max``
                                 inclusive, ``above`` exclusive, each optional; the engine checks every
                                 parameter against it. A bound is a number or a relation to other parameters:
                                 ``"<parameter>"`` or ``"<a> <op> <b>"`` with op one of + - * / and a, b
                                 parameters or numbers (relations a bound cannot say stay in the module)

Past the top level every parameter named in ``beyond`` (a ladder or a fixed one) grows by its rule
(``add`` a constant, ``multiply`` by a factor, or ``add_square``: its square grows by a constant, so a parameter
whose prompt is quadratic in it, such as the vertices of a dense graph or the cities of a distance matrix, makes
prompts that grow linearly with the level); values are rounded only when read, so slow growth never stalls. The
others keep their top-level value.
Levels have no ceiling.
A parameter may instead follow another one: ``m = {of = "n", times = 2.1}`` sets m to 2.1 * n (rounded for an
integer m; ``plus = c`` adds c, so a relation such as "one more clique vertex per 8 vertices" holds whatever the
vertices' growth) at every level past the top, after the ``add`` and ``multiply`` rules of that level, so a ratio that
the reference ladder never had (clauses per variable near a threshold) holds from the first level past the top on.
The followed parameter must itself grow by its own rule or stay fixed (no chains). With ``base``
instead of ``times`` the follower is ``base ** other`` (``max_value = { of = "numbers", base = 2 }``: numbers of
about as many bits as there are numbers). An ``add`` or ``multiply`` rule may carry ``start``: the value at the
first level past the top, from which it then grows (a ladder that moves to another regime past the top).
"""

from __future__ import annotations

import functools
import json
import math
import operator
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from npgym.canonical import content_hash

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

#: the growth rules of a parameter past the top level (``beyond``), one per parameter
GROWTHS = frozenset({"add", "multiply", "add_square"})


class ParamError(ValueError):
    """A level or generation parameter is invalid; the message names it and its valid range."""


CARD_HASH_LENGTH = 16
#: the parameter types a card may declare, and how a message names them
PARAM_TYPES = {"int": "an integer", "number": "a number"}
#: each range bound and the comparison a value must pass against it
RANGE_BOUNDS = {"min": operator.ge, "max": operator.le, "above": operator.gt}
#: the operators a relative bound may use between its two operands
BOUND_OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}

#: a range bound: a number, or a relation to other parameters such as ``"nodes - 1"`` (see the module docstring)
Bound = int | float | str


def bound_value(bound: Bound, params: dict[str, Any]) -> int | float:
    """The number ``bound`` stands for, given the values of the parameters a relation names."""
    if not isinstance(bound, str):
        return bound
    tokens = bound.split()
    value = _operand(tokens[0], params)
    if len(tokens) == 3:
        value = BOUND_OPERATORS[tokens[1]](value, _operand(tokens[2], params))
    return value


def _operand(token: str, params: dict[str, Any]) -> int | float:
    if token in params:
        return params[token]
    return float(token) if any(mark in token for mark in ".eE") else int(token)


@dataclass(frozen=True)
class ParamRange:
    """The declared type and bounds of one parameter: ``min`` and ``max`` inclusive, ``above`` exclusive.

    A bound may be a relation to other parameters (a string); :meth:`admits` and :meth:`describe` then take
    those parameters' values, and skip (or show unevaluated) the relation without them.
    """

    type: str
    min: Bound | None = None
    max: Bound | None = None
    above: Bound | None = None

    def relations(self) -> dict[str, str]:
        """The bounds that name other parameters, by bound key."""
        return {key: bound for key, bound in self._bounds().items() if isinstance(bound, str)}

    def admits(self, value: Any, params: dict[str, Any] | None = None) -> bool:
        """Whether ``value`` has the declared type and lies within the bounds (the relations only given ``params``)."""
        if isinstance(value, bool) or not isinstance(value, int if self.type == "int" else (int, float)):
            return False
        if isinstance(value, float) and not math.isfinite(value):
            return False
        return all(RANGE_BOUNDS[key](value, bound_value(bound, params or {}))
                   for key, bound in self._bounds().items() if params is not None or not isinstance(bound, str))

    def describe(self, params: dict[str, Any] | None = None) -> str:
        """The range in words: "an integer >= 3", "a number in (0, 1]", "an integer in [1, nodes - 1 = 7]"."""
        kind = PARAM_TYPES[self.type]
        shown = {key: self._show(bound, params) for key, bound in self._bounds().items()}
        low = f"[{shown['min']}" if "min" in shown else f"({shown['above']}" if "above" in shown else ""
        if "max" in shown:
            return f"{kind} in {low}, {shown['max']}]" if low else f"{kind} <= {shown['max']}"
        if "min" in shown:
            return f"{kind} >= {shown['min']}"
        return f"{kind} > {shown['above']}" if "above" in shown else kind

    def _bounds(self) -> dict[str, Bound]:
        return {key: getattr(self, key) for key in RANGE_BOUNDS if getattr(self, key) is not None}

    @staticmethod
    def _show(bound: Bound, params: dict[str, Any] | None) -> str:
        if not isinstance(bound, str) or params is None:
            return str(bound)
        value = bound_value(bound, params)
        if isinstance(value, float):
            value = int(value) if value.is_integer() else round(value, 4)
        return f"{bound} = {value}"


@dataclass(frozen=True)
class Card:
    """One problem card (see the module docstring for the file format)."""

    id: str
    name: str
    reference: str
    statement: str
    answer_format: str
    answer_example: Any
    params: tuple[str, ...]
    levels: tuple[tuple[Any, ...], ...]
    fixed: dict[str, Any] = field(default_factory=dict)
    beyond: dict[str, dict[str, Any]] = field(default_factory=dict)
    ranges: dict[str, ParamRange] = field(default_factory=dict)
    objective: str | None = None
    bound_key: str | None = None
    #: a short SHA-256 of the card's canonical content (parsed TOML, so comments, layout and line endings do
    #: not count): every instance records it, so a result can be traced to the exact prompt text and ladder
    content_hash: str = ""

    @property
    def top_level(self) -> int:
        """The highest level of the ladder (levels past it grow by the ``beyond`` rules)."""
        return len(self.levels)

    @property
    def path(self) -> str:
        """The card's file, relative to the repository root."""
        return f"problems/{self.id}.toml"

    @property
    def ladder_params(self) -> tuple[str, ...]:
        """Every parameter a level sets: the ladder's own, then the fixed ones."""
        return (*self.params, *(name for name in self.fixed if name not in self.params))

    def check_params(self, params: dict[str, Any]) -> None:
        """Raise :class:`ParamError` (one uniform line) unless each parameter is declared and within its range."""
        see = f"(see the card {self.path})"
        for name, declared in self.ranges.items():
            if name not in params:
                raise ParamError(f"{self.id}: {name} is missing; it must be {declared.describe()} {see}")
            self._check_range(name, params, None)
        unknown = [name for name in params if name not in self.ranges]
        if unknown:
            raise ParamError(f"{self.id}: {unknown[0]!r} is not a parameter; the card declares "
                             f"{', '.join(self.ranges)} {see}")
        for name in self.ranges:  # relations last, so that every parameter they name holds a valid number
            self._check_range(name, params, params)

    def _check_range(self, name: str, params: dict[str, Any], relations: dict[str, Any] | None) -> None:
        declared, value = self.ranges[name], params[name]
        if not declared.admits(value, relations):
            raise ParamError(f"{self.id}: {name} must be {declared.describe(relations)}, got {value!r} "
                             f"(see the card {self.path})")

    def level_params(self, level: int) -> dict[str, Any]:
        """The generation parameters of ``level`` (1-based, no upper limit)."""
        if isinstance(level, bool) or not isinstance(level, int) or level < 1:
            raise ParamError(f"level must be an integer >= 1, got {level!r}")
        row = self.levels[min(level, self.top_level) - 1]
        params = dict(self.fixed)
        params.update(zip(self.params, row))
        exact = dict(params)  # unrounded values, so repeated rounding never drifts a slow growth
        for step in range(level - self.top_level):
            for name, rule in self.beyond.items():
                if "of" not in rule:
                    exact[name] = rule["start"] if step == 0 and "start" in rule else _grow(exact[name], rule)
                    params[name] = _round_like(params[name], exact[name])
            for name, rule in self.beyond.items():
                if "of" in rule:
                    followed = params[rule["of"]]
                    grown = (rule["base"] ** followed if "base" in rule
                             else followed * rule["times"] + rule.get("plus", 0))
                    params[name] = _round_like(params[name], grown)
        return params


def _grow(value: float, rule: dict[str, float]) -> float:
    """One level's growth of an unrounded value."""
    if "add" in rule:
        return value + rule["add"]
    if "add_square" in rule:  # the square grows by a constant: a prompt quadratic in the value grows linearly
        return math.sqrt(value * value + rule["add_square"])
    return value * rule["multiply"]


def _round_like(value: Any, grown: float) -> Any:
    return int(round(grown)) if isinstance(value, int) else grown


def _check_beyond(card: Card, source: str) -> None:
    names = (*card.params, *card.fixed)
    followers = {name for name, rule in card.beyond.items() if isinstance(rule, dict) and "of" in rule}
    for name, rule in card.beyond.items():
        if name not in names:
            raise ValueError(f"{source}: beyond.{name} must name a ladder or fixed parameter, one of {list(names)}")
        if isinstance(rule, dict) and "of" in rule:
            followed = rule["of"]
            factor = rule.get("times", rule.get("base"))
            plus = rule.get("plus", 0)
            if (len(set(rule) & {"times", "base"}) != 1 or set(rule) - {"of", "times", "base", "plus"}
                    or ("plus" in rule and "times" not in rule)
                    or followed not in names or followed in followers
                    or isinstance(factor, bool) or not isinstance(factor, (int, float)) or factor <= 0
                    or isinstance(plus, bool) or not isinstance(plus, (int, float))):
                raise ValueError(f"{source}: beyond.{name} = {rule} must be {{ of = \"<another parameter that does "
                                 f"not itself follow one>\", times = <number > 0> }} (optionally with plus = <number>: "
                                 f"times * the other + plus) or {{ of = ..., base = <number > 0> }} (base ** the "
                                 f"other parameter)")
        elif (not isinstance(rule, dict) or not rule.keys() <= {*GROWTHS, "start"} or len(rule.keys() & GROWTHS) != 1
              or any(isinstance(rule[key], bool) or not isinstance(rule[key], (int, float)) for key in rule)
              or rule.get("add_square", 0) < 0):
            raise ValueError(f"{source}: beyond.{name} = {rule} must be {{ add = <number> }}, "
                             "{ multiply = <number> }, { add_square = <number >= 0> } (any of them optionally with "
                             "start = <value at the first level past the top>) or { of = \"<parameter>\", "
                             "times = <number> }")


def _parse_ranges(raw: Any, source: str) -> dict[str, ParamRange]:
    ranges = {}
    for name, rule in (raw or {}).items():
        bounds = {key: value for key, value in rule.items() if key != "type"} if isinstance(rule, dict) else None
        if (bounds is None or rule.get("type") not in PARAM_TYPES or not bounds.keys() <= set(RANGE_BOUNDS)
                or {"min", "above"} <= bounds.keys()
                or any(isinstance(value, bool) or not isinstance(value, (int, float, str))
                       for value in bounds.values())):
            raise ValueError(f"{source}: params.{name} = {rule} must be {{ type = \"int\" or \"number\" }} with "
                             f"optional bounds min, max (inclusive) or above (exclusive, instead of min), each a "
                             f"number or a relation such as \"nodes - 1\"")
        ranges[name] = ParamRange(rule["type"], **bounds)
    for name, declared in ranges.items():
        for key, relation in declared.relations().items():
            if not _is_relation(relation, name, ranges):
                raise ValueError(f"{source}: params.{name} = {raw[name]}: its {key} must be a number or a relation "
                                 f"\"<a>\" or \"<a> <op> <b>\" with op one of {' '.join(BOUND_OPERATORS)} and a, b "
                                 f"other parameters of the card or numbers (at least one a parameter); a parameter "
                                 f"divided by must declare a number min > 0 or above >= 0")
    return ranges


def _is_relation(relation: str, name: str, ranges: dict[str, ParamRange]) -> bool:
    """Whether ``relation``, a bound of parameter ``name``, is well formed (see the module docstring)."""
    tokens = relation.split()
    if len(tokens) not in (1, 3) or (len(tokens) == 3 and tokens[1] not in BOUND_OPERATORS):
        return False
    operands = tokens[::2]
    named = [token for token in operands if token in ranges and token != name]
    if not named or any(token not in named and not _is_number(token) for token in operands):
        return False
    if len(tokens) == 3 and tokens[1] == "/":
        divisor = ranges.get(tokens[2])
        if divisor is None:
            return float(tokens[2]) != 0
        low, above = divisor.min, divisor.above
        return (isinstance(low, (int, float)) and low > 0) or (isinstance(above, (int, float)) and above >= 0)
    return True


def _is_number(token: str) -> bool:
    try:
        _operand(token, {})
    except ValueError:
        return False
    return True


def parse_card(text: str, source: str = "<card>") -> Card:
    """Parse and validate a card from TOML text."""
    raw = tomllib.loads(text)
    try:
        ladder = raw["ladder"]
        params = tuple(ladder["params"])
        levels = tuple(tuple(row) if isinstance(row, list) else (row,) for row in ladder["levels"])
        card = Card(
            id=raw["id"], name=raw["name"], reference=raw.get("reference", ""),
            statement=raw["statement"].strip(), answer_format=raw["answer_format"].strip(),
            answer_example=json.loads(raw["answer_example"]), params=params, levels=levels,
            fixed=dict(ladder.get("fixed", {})), beyond=dict(ladder.get("beyond", {})),
            ranges=_parse_ranges(raw.get("params"), source), objective=raw.get("objective"),
            bound_key=raw.get("bound_key"), content_hash=content_hash(raw, CARD_HASH_LENGTH),
        )
    except KeyError as missing:
        raise ValueError(f"{source}: missing field {missing}") from None
    for row in card.levels:
        if len(row) != len(params):
            raise ValueError(f"{source}: level row {list(row)} does not match params {list(params)}")
    _check_beyond(card, source)
    if card.objective not in (None, "min", "max") or (card.bound_key is not None and (
            not isinstance(card.bound_key, str) or card.objective is None)):
        raise ValueError(f"{source}: objective must be \"min\" or \"max\" (or absent), and bound_key the name of the "
                         f"instance field that holds the bound, given only with an objective")
    if not card.beyond:
        raise ValueError(f"{source}: a ladder needs a 'beyond' rule so levels grow past the top")
    return card


@functools.lru_cache(maxsize=1)
def cards_dir():
    """The folder of cards: ``problems/`` beside the package in a checkout, else the installed copy."""
    checkout = Path(__file__).resolve().parent.parent / "problems"
    if checkout.is_dir():
        return checkout
    return resources.files("npgym.problem_cards")


@functools.cache
def load_card(problem_id: str) -> Card:
    """The card of ``problem_id`` from the ``problems/`` folder (read once, then cached)."""
    path = cards_dir().joinpath(f"{problem_id}.toml")
    if not path.is_file():
        raise KeyError(f"no card problems/{problem_id}.toml")
    card = parse_card(path.read_text(encoding="utf-8"), f"problems/{problem_id}.toml")
    if card.id != problem_id:
        raise ValueError(f"problems/{problem_id}.toml declares id {card.id!r}")
    return card
