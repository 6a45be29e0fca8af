"""The text findings of a big board, started before anything heavy is imported.

Searching the reply texts is the longest part of an analysis. On a board of :data:`PARALLEL_FROM` to
:data:`EARLY_UP_TO` records, with a spare core, a worker (:mod:`npeval.workers`) reads the stores and searches
them while this process imports pandas, reads the same stores and computes everything else;
:class:`npeval.findings.Search` takes its result when the board it read is this process's board. This module
imports nothing heavy, so that the worker can start first.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from npeval import workers

#: records from which the texts are searched in a worker; fewer are searched here (a worker costs about a
#: second of imports and its own read of the stores: on the 108k board, idle, 8.0 s of analysis in one process,
#: 6.5 s with the search in a worker started after the board was read)
PARALLEL_FROM = 50_000
#: records up to which the worker starts first and reads the stores itself; a bigger board is read once, here,
#: and the worker gets only the columns the search needs (two full copies of a 1M-record board would pass 2 GB)
EARLY_UP_TO = 400_000
WORKER = "npeval.findings:search_job"
#: what a worker imports once its job is done: the figures come next (:mod:`npeval.workers` keeps it for them)
FIGURES_NEXT = ("npeval.render",)


def start_search(stores: Iterable[str | Path], pattern: Any = None) -> workers.Worker | None:
    """A worker searching the texts of ``stores`` for ``pattern`` (a compiled pattern, a list of markers, or None
    for the default markers), if they hold :data:`PARALLEL_FROM` to :data:`EARLY_UP_TO` records and a core is
    spare; else None (:class:`npeval.findings.Search` may still start one once the board is read)."""
    names = [str(store) for store in stores]
    return workers.start(WORKER, (names, pattern), FIGURES_NEXT) if worth_a_worker(names, EARLY_UP_TO) else None


def worth_a_worker(stores: list[str], most: float = float("inf")) -> bool:
    """Whether work on ``stores`` goes to a worker: a core is spare and they hold :data:`PARALLEL_FROM` to
    ``most`` records."""
    return bool(stores) and workers.spare_cores() >= 1 and PARALLEL_FROM <= record_count(stores) <= most


def record_count(stores: list[str]) -> int:
    """How many records the stores hold (0 when one cannot be read: reading it for the board will say why)."""
    total = 0
    for store in stores:
        path = Path(store)
        if not path.is_file():
            return 0
        try:
            with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
                total += db.execute("SELECT count(*) FROM records").fetchone()[0]
        except sqlite3.Error:
            return 0
    return total
