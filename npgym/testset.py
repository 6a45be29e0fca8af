"""Test-set files: one instance per JSON line, with the answer key inline or in a separate file.

Every line carries the canary string (:data:`npgym.instance.CANARY`) so that training pipelines can
filter published test sets out. A public line holds only :data:`npgym.instance.PUBLIC_FIELDS`; a key
file holds ``{"id", "seed", "index", "label", "certificate", "optimum", "meta"}`` lines. A test set
never holds two instances with the same data at one (problem, level): a slot whose instance repeats
an earlier one is filled from the next unused index, and a level that runs out of distinct instances
stops generation with :class:`ShortfallError` (or, with ``allow_fewer``, gives what it has and warns).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from npgym.canonical import derive_rng
from npgym.cards import ParamError
from npgym.engine import DEFAULT_TIME_LIMIT, GenerationError, generate
from npgym.instance import NO, YES, Instance
from npgym.registry import get_problem


def plan_labels(problem_id: str, level: int, seed: int, count: int, no_fraction: float) -> list[str]:
    """Which of ``count`` instances are no-instances: exactly round(count * no_fraction), chosen by seed.

    The choice depends only on (problem, level, seed, count, fraction), so a test set is reproducible and
    the share of no-instances is exact rather than random.
    """
    if not 0.0 <= no_fraction <= 1.0:
        raise ValueError(f"no_fraction must be in [0, 1], got {no_fraction}")
    chosen = set(derive_rng(problem_id, level, seed, "no-selection").sample(range(count), round(count * no_fraction)))
    return [NO if index in chosen else YES for index in range(count)]


#: a level is taken to have no more distinct instances after this many draws in a row repeat earlier ones
REPEATS_BEFORE_SHORTFALL = 200


class NoInstanceWarning(UserWarning):
    """A no-instance was asked for where none could be made: the problem has no construction at that size
    (e.g. dense Partition levels) or the solver could not prove one within the time limit."""


class PlantedBoundWarning(UserWarning):
    """A yes-instance that should look like the level's no-instances is planted as in a yes-only set: the solver
    could not prove its optimum, or satisfy a drawn candidate, within the time limit."""


class ShortfallWarning(UserWarning):
    """A level gave fewer distinct instances than asked for (only with ``allow_fewer``)."""


class ShortfallError(RuntimeError):
    """A level cannot give the requested number of distinct instances."""


SlotMaker = Callable[[str, int, int, int, str, bool, float], Instance]


def generate_testset(problems: Iterable[str], levels: Iterable[int], seed: int, count: int,
                     no_fraction: float = 0.0, tight: bool = False,
                     time_limit: float = DEFAULT_TIME_LIMIT, allow_fewer: bool = False,
                     make_slot: SlotMaker | None = None) -> Iterator[Instance]:
    """``count`` distinct instances for every (problem, level), a ``no_fraction`` share proved unsatisfiable.

    With ``tight``, or whenever there are no-instances, the bound of every yes-instance of a problem with a
    bound is its proved optimum (where the solver proves it within ``time_limit``, else the planted bound
    and a :class:`PlantedBoundWarning`). ``make_slot(problem, level, seed, index, label, tight, time_limit)``
    makes one slot's instance (default :func:`make_instance`); another backend may make them elsewhere and in
    parallel (:mod:`npgym.distributed`), as long as it returns what :func:`make_instance` would.
    """
    levels = list(levels)
    for problem_id in problems:
        for level in levels:
            yield from _distinct_level(problem_id, level, seed, count, no_fraction, tight, time_limit, allow_fewer,
                                       make_slot or make_instance)


def level_slots(problem_id: str, level: int, seed: int, count: int, no_fraction: float,
                tight: bool) -> tuple[bool, list[tuple[int, str]]]:
    """Whether a level's yes-instances are tightened, and its planned (index, label) slots."""
    # with no-instances at their proved optimum (moved one step), yes-instances sit at theirs too, so the bound
    # itself says nothing about the label; where both labels come from one distribution, yes-instances are drawn
    problem = get_problem(problem_id)
    tight = tight or (no_fraction > 0 and (problem.bound_key is not None or problem.yes_from_no_candidates))
    return tight, list(enumerate(plan_labels(problem_id, level, seed, count, no_fraction)))


def _distinct_level(problem_id: str, level: int, seed: int, count: int, no_fraction: float, tight: bool,
                    time_limit: float, allow_fewer: bool, make_slot: SlotMaker) -> Iterator[Instance]:
    """One level's instances; a slot whose instance repeats an earlier one is filled from a fresh index."""
    seen: set[str] = set()
    fresh = count  # indices 0..count-1 are the planned slots, fresh ones come after them
    tight, slots = level_slots(problem_id, level, seed, count, no_fraction, tight)
    for index, label in slots:
        instance = make_slot(problem_id, level, seed, index, label, tight, time_limit)
        repeats = 0
        while instance.id in seen:
            repeats += 1
            if repeats > REPEATS_BEFORE_SHORTFALL:
                message = (f"{problem_id} level {level} gave only {len(seen)} distinct instances of the {count} "
                           f"asked for: the last {REPEATS_BEFORE_SHORTFALL} draws (indices up to {fresh - 1}) all "
                           "repeated earlier ones, so the level most likely has no more; ask for fewer")
                if not allow_fewer:
                    raise ShortfallError(message + " or allow fewer (--allow-fewer)")
                warnings.warn(message, ShortfallWarning, stacklevel=3)
                return
            instance = make_slot(problem_id, level, seed, fresh, label, tight, time_limit)
            fresh += 1
        seen.add(instance.id)
        yield instance


def make_instance(problem_id: str, level: int, seed: int, index: int, label: str, tight: bool,
                  time_limit: float) -> Instance:
    """The instance of one slot; a no-instance that cannot be made falls back to a yes-instance with a warning."""
    if label == NO:
        try:
            return generate(problem_id, level, seed, index, label=NO, time_limit=time_limit)
        except (ParamError, GenerationError) as reason:
            warnings.warn(f"{problem_id} level {level} index {index}: a yes-instance instead of a "
                          f"no-instance, because {reason}", NoInstanceWarning, stacklevel=4)
    if tight:
        try:
            return generate(problem_id, level, seed, index, tight=True, time_limit=time_limit)
        except GenerationError as reason:
            warnings.warn(f"{problem_id} level {level} index {index}: a planted yes-instance, because {reason}",
                          PlantedBoundWarning, stacklevel=4)
    return generate(problem_id, level, seed, index, time_limit=time_limit)


def write_testset(instances: Iterable[Instance], path: str | Path, with_key: bool = False,
                  key_path: str | Path | None = None) -> int:
    """Write instances to ``path`` (and their keys to ``key_path``); returns the number written."""
    count = 0
    key_file = open(key_path, "w", encoding="utf-8") if key_path else None
    try:
        with open(path, "w", encoding="utf-8") as out:
            for instance in instances:
                out.write(json.dumps(instance.to_record(with_key=with_key)) + "\n")
                if key_file:
                    key_file.write(json.dumps({"id": instance.id, **instance.key_record()}) + "\n")
                count += 1
    finally:
        if key_file:
            key_file.close()
    return count


def read_jsonl(path: str | Path) -> list[dict]:
    """Parse a JSON-lines file, naming the line of any malformed record."""
    records = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise ValueError(f"{path}:{number}: not valid JSON ({error.msg})") from None
    return records


def read_testset(path: str | Path, key_path: str | Path | None = None) -> list[Instance]:
    """Load instances from ``path``, joining answer keys from ``key_path`` by instance id."""
    keys = {record["id"]: record for record in read_jsonl(key_path)} if key_path else {}
    instances = []
    for number, record in enumerate(read_jsonl(path), 1):
        try:
            instances.append(Instance.from_record(record, keys.get(record.get("id"))))
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{path}:{number}: not an nppc instance ({error})") from None
    return instances
