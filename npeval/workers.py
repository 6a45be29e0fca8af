"""Work done in another interpreter on another core: the figures' shares (:mod:`npeval.render`), the text
findings (:mod:`npeval.findings`) and the site's sample viewer, while this process goes on with its own part.

A worker is a fresh interpreter (``python -c``, this npeval first on its path), never a fork, and no
``__main__`` is imported again, so any script may use this. It is sent ``(function, job, prepare)`` pickled on
its stdin, runs ``function(job)`` (``"module:name"``) and pickles the result to its stdout; anything it prints
goes to stderr. A worker that fails is said on stderr and its caller does the work itself.

A worker whose result has been taken is kept, idle, for the next :func:`start` of this process: it has paid
for its interpreter and its imports already (about a second on the 108k-record report), and it imports the
modules its job named as ``prepare`` while it waits, so the next job finds them loaded. An idle worker ends
when this process closes its stdin (at exit, at the latest).
"""

from __future__ import annotations

import atexit
import importlib
import os
import pickle
import subprocess
import sys
import threading
import time
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


#: how long the machine is watched to tell its busy cores, and how long that answer is trusted
SAMPLE_SECONDS, FRESH_SECONDS = 0.05, 30.0
_spare: tuple[float, int] | None = None  # (when, spare cores) of the last look


def spare_cores() -> int:
    """Cores nothing else runs on now: :func:`cores` less this process and whatever kept the others busy during
    :data:`SAMPLE_SECONDS` (``/proc/stat``), looked at once and trusted for :data:`FRESH_SECONDS`. Where there
    is no ``/proc/stat``, the 1-minute load average stands in (it counts this process).

    A worker pays only on a spare core: on a busy machine it shares the cores this process already gets (on
    Linux the scheduler shares CPU time between sessions, not processes) and adds its imports and copies, so
    the same work takes longer (measured: the 108k-record report, 12-15 s in one process, 16-17 s in two).
    The load average is not asked first: it trails by a minute, so a report run just after another (or after
    a benchmark) would see the previous run's processes and draw everything on one core.
    """
    global _spare
    now = time.monotonic()
    if _spare is None or now - _spare[0] > FRESH_SECONDS:
        _spare = (now, _look_for_spare_cores())
    return _spare[1]


def _look_for_spare_cores() -> int:
    busy = busy_cores(SAMPLE_SECONDS)
    if busy is None:
        try:
            busy = max(0.0, os.getloadavg()[0] - 1)  # less this process
        except (AttributeError, OSError):  # no load average either: assume only this process runs
            busy = 0.0
    return max(0, cores() - 1 - round(busy))


def busy_cores(seconds: float, stat: str = "/proc/stat") -> float | None:
    """How many of this process's cores were busy, on average, over the next ``seconds`` (this process sleeps
    meanwhile); None when ``stat`` (Linux's per-CPU time counters) cannot be read."""
    first = _cpu_times(stat)
    if first is None:
        return None
    time.sleep(seconds)
    second = _cpu_times(stat)
    if second is None:
        return None
    busy = total = 0
    for cpu, (was_busy, was_total) in first.items():
        now_busy, now_total = second.get(cpu, (was_busy, was_total))
        busy, total = busy + now_busy - was_busy, total + now_total - was_total
    return len(first) * busy / total if total > 0 else 0.0


def _cpu_times(stat: str) -> dict[str, tuple[int, int]] | None:
    """(busy, total) clock ticks of each of this process's CPUs since boot (idle and I/O wait are not busy)."""
    allowed = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    try:
        with open(stat, encoding="ascii") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    times = {}
    for line in lines:
        name, *fields = line.split()
        if not name.startswith("cpu") or name == "cpu" or not name[3:].isdigit():
            continue
        if allowed is not None and int(name[3:]) not in allowed:
            continue
        ticks = [int(field) for field in fields[:8]]  # user nice system idle iowait irq softirq steal
        times[name] = (sum(ticks) - ticks[3] - ticks[4], sum(ticks))
    return times or None


@dataclass
class Worker:
    """A started worker: its process, the thread that hands it its job, and what it was started with."""

    process: subprocess.Popen
    feeder: threading.Thread
    started_with: tuple = ()  # see _started_with


_IDLE: list[Worker] = []  # workers whose result was taken, waiting for another job
_LOCK = threading.Lock()  # guards _IDLE: workers are finished on threads too (npeval.render)


def start(function: str, job: Any, prepare: tuple[str, ...] = ()) -> Worker:
    """A worker running ``function(job)`` (``function`` named ``"module:name"``): an idle one (see the module) or
    a fresh interpreter. Once done, it imports the modules ``prepare`` names while it waits for another job."""
    started_with = _started_with()
    process = _idle_process(started_with)
    if process is None:
        root = str(Path(__file__).resolve().parent.parent)  # this npeval, whatever the caller's path
        path = os.pathsep.join([root, *filter(None, [os.environ.get("PYTHONPATH")])])
        process = subprocess.Popen([sys.executable, "-c", ENTRY], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   env={**os.environ, "PYTHONPATH": path})
    return send(Worker(process, threading.Thread(), started_with), function, job, prepare)


def send(worker: Worker, function: str, job: Any, prepare: tuple[str, ...] = ()) -> Worker:
    """Give ``worker``, whose result the caller took and kept (``finish(..., keep=True)``), another job; the
    worker to finish next.

    The job is pickled here but written to the worker's stdin on a thread: a job larger than the pipe's buffer
    would otherwise hold this process until the worker has started and imported what unpickling needs (about
    0.7 s per worker, measured on the 108k-record report), the time this process should spend on its own share.
    """
    payload = pickle.dumps((function, job, tuple(prepare)), protocol=pickle.HIGHEST_PROTOCOL)  # now: job may change
    feeder = threading.Thread(target=_feed, args=(worker.process, payload), daemon=True)
    feeder.start()
    return Worker(worker.process, feeder, worker.started_with)


def _started_with() -> tuple:
    """What a worker inherits when it starts: its entry, folder and environment (a job's relative paths and the
    cache folder depend on them). An idle worker is given another job only if these are still the same."""
    return ENTRY, os.getcwd(), tuple(sorted(os.environ.items()))


def _idle_process(started_with: tuple) -> subprocess.Popen | None:
    """The process of an idle worker ``started_with`` the same and still alive, taken off the idle list. Idle
    workers started otherwise are ended: this process has moved to another folder or environment (a test, a
    notebook), and idle interpreters must not pile up, each holding its imports."""
    with _LOCK:
        stale = [worker for worker in _IDLE if worker.started_with != started_with or worker.process.poll() is not None]
        for worker in stale:
            _IDLE.remove(worker)
        found = _IDLE.pop() if _IDLE else None
    for worker in stale:
        stop(worker)
    return found.process if found is not None else None


def _feed(process: subprocess.Popen, payload: bytes) -> None:
    assert process.stdin is not None, "opened with stdin=PIPE"
    try:
        process.stdin.write(payload)
        process.stdin.flush()
    except (OSError, ValueError):  # it died before reading (or was stopped): finish says so
        pass


def finish(worker: Worker, what: str, keep: bool = False) -> Any:
    """What the worker returned, or :data:`FAILED` (said on stderr, naming ``what`` it was doing). The worker is
    then idle, for any :func:`start` of this process; with ``keep``, the caller's, for :func:`send` or
    :func:`release`."""
    process = worker.process
    assert process.stdout is not None, "the worker was started with stdout=PIPE"
    try:
        ok, result = pickle.load(process.stdout)
    except (EOFError, pickle.UnpicklingError, ValueError, TypeError):
        ok, result = False, None
    worker.feeder.join()
    if not ok:
        _end(worker)
        print(f"a worker failed (exit {process.returncode}) on {what}; doing it here instead", file=sys.stderr)
        return FAILED
    if not keep:
        release(worker)
    return result


def release(worker: Worker) -> None:
    """Make a worker whose result was taken with ``keep`` idle, for any :func:`start` of this process."""
    with _LOCK:
        _IDLE.append(worker)


def stop(worker: Worker) -> None:
    """End a worker whose result is no longer wanted."""
    with _LOCK:
        if worker in _IDLE:
            _IDLE.remove(worker)
    worker.process.kill()
    _end(worker)


def _end(worker: Worker) -> None:
    """Close the worker's pipes once its job is handed over (a live worker exits at the end of its stdin) and
    wait for it to exit."""
    worker.feeder.join()
    for pipe in (worker.process.stdin, worker.process.stdout):
        if pipe is not None and not pipe.closed:
            try:
                pipe.close()
            except OSError:  # its reader is gone
                pass
    worker.process.wait()


@atexit.register
def end_idle() -> None:
    """End every idle worker (it holds no work, but may be importing what it was told to prepare)."""
    with _LOCK:
        idle = list(_IDLE)
        _IDLE.clear()
    for worker in idle:
        stop(worker)


@contextmanager
def stopped_on_error(worker: Worker | None) -> Iterator[None]:
    """Stop ``worker`` (if any, and still running) when the block raises: its result will never be asked for."""
    try:
        yield
    except BaseException:
        if worker is not None and worker.process.poll() is None:
            stop(worker)
        raise


def imported(modules: list[str]) -> list[bool]:
    """Which of ``modules`` this interpreter has imported (what a worker has prepared; for tests)."""
    return [module in sys.modules for module in modules]


def serve() -> None:
    """The worker's side: for each ``(function, job, prepare)`` on stdin, pickle ``(True, function(job))`` to
    stdout, then import the ``prepare`` modules; return at the end of stdin."""
    results, sys.stdout = sys.stdout.buffer, sys.stderr
    jobs = sys.stdin.buffer
    while True:
        try:
            function, job, prepare = pickle.load(jobs)
        except EOFError:
            return
        module, name = function.split(":")
        result = getattr(importlib.import_module(module), name)(job)
        pickle.dump((True, result), results, protocol=pickle.HIGHEST_PROTOCOL)
        results.flush()
        del job, result  # an idle worker holds nothing of its last job
        for module in prepare:
            importlib.import_module(module)
