"""Test-set generation on a Ray cluster: the exact solver's proofs (no-instances, tight bounds) in parallel.

Every planned slot of a test set is a pure function of (problem, level, seed, index, label, tight,
time limit), so Ray workers make the slots, in chunks, and the driver assembles them in exactly the
order the local backend does, through the same :func:`npgym.testset.generate_testset` (distinctness,
shortfalls and warnings included). Output and key files are therefore byte-identical to the local
backend's, whatever the number of workers or the machines' load: solver budgets count work, not wall
seconds (:mod:`npgym.solvers`), so a proof at the edge of its budget settles the same way everywhere.

Ray is optional (the ``ray`` extra) and imported only here, only when this backend is chosen.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from npgym.engine import DEFAULT_TIME_LIMIT
from npgym.instance import Instance
from npgym.testset import (
    NoInstanceWarning,
    PlantedBoundWarning,
    ShortfallWarning,
    generate_testset,
    level_slots,
    make_instance,
)

Slot = tuple[str, int, int, int, str, bool, float]
_WARNINGS = {cls.__name__: cls for cls in (NoInstanceWarning, PlantedBoundWarning, ShortfallWarning, UserWarning)}


def connect(address: str | None = None, num_cpus: int | None = None):
    """Join the cluster at ``address``, or start a local one on 127.0.0.1; returns the ray module."""
    try:
        import ray
    except ModuleNotFoundError:
        raise ValueError('--backend ray needs Ray: pip install -e ".[ray]"') from None
    if not ray.is_initialized():
        options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
        if address:
            ray.init(address=address, **options)
        else:
            ray.init(num_cpus=num_cpus, _node_ip_address="127.0.0.1", **options)
    return ray


def make_chunk(slots: Sequence[Slot]) -> list[tuple[dict[str, Any], list[tuple[str, str]]]]:
    """In a worker: each slot's instance (as its full record) and the warnings its making raised."""
    made = []
    for slot in slots:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            instance = make_instance(*slot)
        made.append((instance.to_record(with_key=True) | {"meta": instance.meta},
                     [(type(w.message).__name__, str(w.message)) for w in caught]))
    return made


def planned_slots(problems: Iterable[str], levels: Iterable[int], seed: int, count: int, no_fraction: float,
                  tight: bool, time_limit: float) -> list[Slot]:
    """Every planned slot of a test set, in the order the local backend makes them."""
    slots: list[Slot] = []
    for problem_id in problems:
        for level in levels:
            level_tight, planned = level_slots(problem_id, level, seed, count, no_fraction, tight)
            slots.extend((problem_id, level, seed, index, label, level_tight, time_limit) for index, label in planned)
    return slots


def generate_testset_on_ray(problems: Iterable[str], levels: Iterable[int], seed: int, count: int,
                            no_fraction: float = 0.0, tight: bool = False, time_limit: float = DEFAULT_TIME_LIMIT,
                            allow_fewer: bool = False, *, address: str | None = None, num_cpus: int | None = None,
                            chunk_size: int = 4) -> Iterator[Instance]:
    """:func:`npgym.testset.generate_testset`, with the planned slots made by Ray workers in chunks."""
    problems, levels = list(problems), list(levels)
    ray = connect(address, num_cpus)
    remote = ray.remote(max_retries=2)(make_chunk)
    slots = planned_slots(problems, levels, seed, count, no_fraction, tight, time_limit)
    pending: dict[Slot, tuple[Any, int]] = {}
    for start in range(0, len(slots), chunk_size):
        chunk = slots[start:start + chunk_size]
        ref = remote.remote(chunk)
        pending.update((slot, (ref, position)) for position, slot in enumerate(chunk))
    fetched: dict[Any, list] = {}

    def make_slot(*slot) -> Instance:
        where = pending.pop(slot, None)
        if where is None:  # a fresh index after a repeat: rare, made here in order
            return make_instance(*slot)
        ref, position = where
        if ref not in fetched:
            fetched[ref] = ray.get(ref)
        record, caught = fetched[ref][position]
        for category, message in caught:
            warnings.warn(message, _WARNINGS.get(category, UserWarning), stacklevel=2)
        return Instance.from_record(record).with_key(meta=record["meta"])

    yield from generate_testset(problems, levels, seed, count, no_fraction, tight, time_limit, allow_fewer,
                                make_slot=make_slot)
