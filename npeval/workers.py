"""Work done in another interpreter on another core: the figures' shares (:mod:`npeval.render`) and the text
findings (:mod:`npeval.findings`), while this process goes on with its own part.

A worker is a fresh interpreter (``python -c``, this npeval first on its path), never a fork, and no
``__main__`` is imported again, so any script may use this. It is sent ``(function, job)`` pickled on its
stdin, runs ``function(job)`` (``"module:name"``) and pickles the result to its stdout; anything it prints
goes to stderr. A worker that fails is said on stderr and its caller does the work itself.
"""

from __future__ import annotations

import importlib
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from npgym.machine import usable_cores

ENTRY = "from npeval.workers import serve; serve()"  # what a worker interpreter runs
FAILED: Any = object()  # what :func:`finish` returns for a worker that failed


def cores() -> int:
    """The cores this process may run on."""
    return usable_cores()


def spare_cores() -> int:
    """Cores nothing else runs on now: :func:`cores` less the 1-minute load average (which counts this process).

    A worker pays only on a spare core: on a busy machine it shares the cores this process already gets (on
    Linux the scheduler shares CPU time between sessions, not processes) and adds its imports and copies, so
    the same work takes longer (measured: the 108k-record report, 12-15 s in one process, 16-17 s in two).
    """
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average here: assume only this process runs
        load = 1.0
    return max(0, cores() - max(1, round(load)))


@dataclass
class Worker:
    """A started worker: its process and the thread that hands it its job."""

    process: subprocess.Popen
    feeder: threading.Thread


def start(function: str, job: Any) -> Worker:
    """A fresh interpreter running ``function(job)`` (``function`` named ``"module:name"``).

    The job is pickled here but written to the worker's stdin on a thread: a job larger than the pipe's buffer
    would otherwise hold this process until the worker has started and imported what unpickling needs (about
    0.7 s per worker, measured on the 108k-record report), the time this process should spend on its own share.
    """
    root = str(Path(__file__).resolve().parent.parent)  # this npeval, whatever the caller's path
    path = os.pathsep.join([root, *filter(None, [os.environ.get("PYTHONPATH")])])
    process = subprocess.Popen([sys.executable, "-c", ENTRY], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               env={**os.environ, "PYTHONPATH": path})
    payload = pickle.dumps((function, job), protocol=pickle.HIGHEST_PROTOCOL)  # pickled now: the job may change
    feeder = threading.Thread(target=_feed, args=(process, payload), daemon=True)
    feeder.start()
    return Worker(process, feeder)


def _feed(process: subprocess.Popen, payload: bytes) -> None:
    assert process.stdin is not None, "opened with stdin=PIPE"
    try:
        process.stdin.write(payload)
        process.stdin.close()
    except OSError:  # it died before reading: finish says so
        pass


def finish(worker: Worker, what: str) -> Any:
    """What the worker returned, or :data:`FAILED` (said on stderr, naming ``what`` it was doing)."""
    process = worker.process
    assert process.stdout is not None, "the worker was started with stdout=PIPE"
    try:
        ok, result = pickle.load(process.stdout)
    except (EOFError, pickle.UnpicklingError, ValueError, TypeError):
        ok, result = False, None
    worker.feeder.join()
    if process.wait() != 0 or not ok:
        print(f"a worker failed (exit {process.returncode}) on {what}; doing it here instead", file=sys.stderr)
        return FAILED
    return result


def stop(worker: Worker) -> None:
    """End a worker whose result is no longer wanted."""
    worker.process.kill()
    worker.process.wait()
    worker.feeder.join()
    for pipe in (worker.process.stdin, worker.process.stdout):
        if pipe is not None and not pipe.closed:
            pipe.close()


@contextmanager
def stopped_on_error(worker: Worker | None) -> Iterator[None]:
    """Stop ``worker`` (if any, and still running) when the block raises: its result will never be asked for."""
    try:
        yield
    except BaseException:
        if worker is not None and worker.process.poll() is None:
            stop(worker)
        raise


def serve() -> None:
    """The worker's side: read ``(function, job)`` on stdin, pickle ``(True, function(job))`` to stdout."""
    results, sys.stdout = sys.stdout.buffer, sys.stderr
    function, job = pickle.load(sys.stdin.buffer)
    module, name = function.split(":")
    result = getattr(importlib.import_module(module), name)(job)
    pickle.dump((True, result), results, protocol=pickle.HIGHEST_PROTOCOL)
    results.flush()
