"""Problem cards: the prompt text and the level ladder of each problem, read from ``problems/*.toml``.

A card is data, not code, so a person can fix a prompt or retune a ladder without reading Python.
Its fields::

    id, name, reference          stable id, display name, Garey & Johnson reference
    statement                    the problem statement shown to models (our own words)
    answer_format                what the "solution" field must hold
    answer_example               a small example of a solution value, as JSON text
    [ladder]
    params = ["nodes", "cover"]  the size parameters, in the order of each level row
    levels = [[4, 2], ...]       levels 1..top (the reference's sizes, so results compare)
    fixed = {...}                parameters that are the same at every level
    beyond = {nodes = {add = 4}, cover = {multiply = 1.1}}
                                 the growth rule past the top level, applied once per level above it
    [params]
    nodes = { type = "int", min = 4 }
                                 every parameter's type ("int" or "number") and range: ``min`` and ``max``
                                 inclusive, ``above`` exclusive, each optional; the engine checks every
                                 parameter against it (relations between parameters stay in the module)

Past the top level every parameter named in ``beyond`` (a ladder or a fixed one) grows by its rule
(``add`` a constant, or ``multiply`` by a factor and round); the others keep their top-level value.
Levels have no ceiling.
A parameter may instead follow another one: ``m = {of = "n", times = 2.1}`` sets m to 2.1 * n (rounded for an
integer m) at every level past the top, after the ``add`` and ``multiply`` rules of that level, so a ratio that
the reference ladder never had (clauses per variable near a threshold) holds from the first level past the top on.
The followed parameter must itself grow by ``add`` or ``multiply`` or stay fixed (no chains). With ``base``
instead of ``times`` the follower is ``base ** other`` (``max_value = { of = "numbers", base = 2 }``: numbers of
about as many bits as there are numbers). An ``add`` or ``multiply`` rule may carry ``start``: the value at the
first level past the top, from which it then grows (a ladder that moves to another regime past the top).
"""

from __future__ import annotations

import functools
import json
import math
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


class ParamError(ValueError):
    """A level or generation parameter is invalid; the message names it and its valid range."""


CARD_HASH_LENGTH = 16
#: the parameter types a card may declare, and how a message names them
PARAM_TYPES = {"int": "an integer", "number": "a number"}
RANGE_BOUNDS = ("min", "max", "above")


@dataclass(frozen=True)
class ParamRange:
    """The declared type and bounds of one parameter: ``min`` and ``max`` inclusive, ``above`` exclusive."""

    type: str
    min: int | float | None = None
    max: int | float | None = None
    above: int | float | None = None

    def admits(self, value: Any) -> bool:
        """Whether ``value`` has the declared type (a bool is no number) and lies in the range."""
        if isinstance(value, bool) or not isinstance(value, int if self.type == "int" else (int, float)):
            return False
        if isinstance(value, float) and not math.isfinite(value):
            return False
        return ((self.min is None or value >= self.min) and (self.above is None or value > self.above)
                and (self.max is None or value <= self.max))

    def describe(self) -> str:
        """The range in words: "an integer >= 3", "a number in (0, 1]"."""
        kind = PARAM_TYPES[self.type]
        low = f"[{self.min}" if self.min is not None else f"({self.above}" if self.above is not None else ""
        if self.max is not None:
            return f"{kind} in {low}, {self.max}]" if low else f"{kind} <= {self.max}"
        if self.min is not None:
            return f"{kind} >= {self.min}"
        return f"{kind} > {self.above}" if self.above is not None else kind


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
            if not declared.admits(params[name]):
                raise ParamError(f"{self.id}: {name} must be {declared.describe()}, got {params[name]!r} {see}")
        unknown = [name for name in params if name not in self.ranges]
        if unknown:
            raise ParamError(f"{self.id}: {unknown[0]!r} is not a parameter; the card declares "
                             f"{', '.join(self.ranges)} {see}")

    def level_params(self, level: int) -> dict[str, Any]:
        """The generation parameters of ``level`` (1-based, no upper limit)."""
        if isinstance(level, bool) or not isinstance(level, int) or level < 1:
            raise ParamError(f"level must be an integer >= 1, got {level!r}")
        row = self.levels[min(level, self.top_level) - 1]
        params = dict(self.fixed)
        params.update(zip(self.params, row))
        for step in range(level - self.top_level):
            for name, rule in self.beyond.items():
                if "of" not in rule:
                    params[name] = rule["start"] if step == 0 and "start" in rule else _grow(params[name], rule)
            for name, rule in self.beyond.items():
                if "of" in rule:
                    followed = params[rule["of"]]
                    grown = rule["base"] ** followed if "base" in rule else followed * rule["times"]
                    params[name] = _round_like(params[name], grown)
        return params


def _grow(value: Any, rule: dict[str, float]) -> Any:
    if "add" in rule:
        return _round_like(value, value + rule["add"])
    return _round_like(value, value * rule["multiply"])


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
            if (len(set(rule) & {"times", "base"}) != 1 or set(rule) - {"of", "times", "base"}
                    or followed not in names or followed in followers
                    or isinstance(factor, bool) or not isinstance(factor, (int, float)) or factor <= 0):
                raise ValueError(f"{source}: beyond.{name} = {rule} must be {{ of = \"<another parameter that does "
                                 f"not itself follow one>\", times = <number > 0> }} or {{ of = ..., base = <number "
                                 f"> 0> }} (base ** the other parameter)")
        elif (not isinstance(rule, dict) or not rule.keys() <= {"add", "multiply", "start"}
              or len(rule.keys() & {"add", "multiply"}) != 1):
            raise ValueError(f"{source}: beyond.{name} = {rule} must be {{ add = <number> }}, "
                             "{ multiply = <number> } (either optionally with start = <value at the first level past "
                             "the top>) or { of = \"<parameter>\", times = <number> }")


def _parse_ranges(raw: Any, source: str) -> dict[str, ParamRange]:
    ranges = {}
    for name, rule in (raw or {}).items():
        bounds = {key: value for key, value in rule.items() if key != "type"} if isinstance(rule, dict) else None
        if (bounds is None or rule.get("type") not in PARAM_TYPES or not bounds.keys() <= set(RANGE_BOUNDS)
                or {"min", "above"} <= bounds.keys()
                or any(isinstance(value, bool) or not isinstance(value, (int, float)) for value in bounds.values())):
            raise ValueError(f"{source}: params.{name} = {rule} must be {{ type = \"int\" or \"number\" }} with "
                             f"optional number bounds min, max (inclusive) or above (exclusive, instead of min)")
        ranges[name] = ParamRange(rule["type"], **bounds)
    return ranges


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
            ranges=_parse_ranges(raw.get("params"), source), content_hash=content_hash(raw, CARD_HASH_LENGTH),
        )
    except KeyError as missing:
        raise ValueError(f"{source}: missing field {missing}") from None
    for row in card.levels:
        if len(row) != len(params):
            raise ValueError(f"{source}: level row {list(row)} does not match params {list(params)}")
    _check_beyond(card, source)
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
