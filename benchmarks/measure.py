"""Run one command in a fresh subprocess and measure it: wall time, CPU time, peak memory and exit status.

Shared by the benchmarks. ``run_measured`` waits for the child with ``os.wait4``, whose resource usage
is that child's alone, so one measurement never inherits another's peak. ``peak_rss_mb`` is the largest
single process of the command's tree; a command that forks workers also gets ``peak_tree_pss_mb``, the
peak of the whole tree's proportional set size (shared pages counted once), sampled every 0.25 s.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_rss_mb: float
    status: str  # "ok", "exit N: <last line of stderr>" or "timeout after N s"
    cpu_seconds: float = float("nan")  # user + system, the command's processes together
    peak_tree_pss_mb: float = float("nan")


def run_measured(arguments: list[str], cwd: Path = ROOT, timeout: float = 1800, env: dict | None = None) -> Measured:
    """Run ``python ARGUMENTS`` in ``cwd``, with ``cwd``'s code first on the import path, and measure it."""
    environment = {**os.environ, "PYTHONPATH": str(cwd), **(env or {})}
    with tempfile.TemporaryFile(mode="w+") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, *arguments], cwd=cwd, env=environment,
                                   stdout=subprocess.DEVNULL, stderr=stderr)
        peak_pss, polls = 0.0, 0
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout:
                process.kill()
                os.wait4(process.pid, 0)
                return Measured(time.perf_counter() - started, float("nan"), f"timeout after {timeout:.0f} s")
            if polls % 5 == 0:
                peak_pss = max(peak_pss, tree_pss_mb(process.pid))
            polls += 1
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        last = (stderr.read().strip().splitlines() or [""])[-1][:120]
    state = "ok" if process.returncode == 0 else f"exit {process.returncode}: {last}"
    return Measured(seconds, usage.ru_maxrss / 1024, state, usage.ru_utime + usage.ru_stime, peak_pss or float("nan"))


def tree_pss_mb(pid: int) -> float:
    """The summed proportional set size of ``pid`` and its descendants (Linux; 0 where /proc cannot tell)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                total += next((float(line.split()[1]) for line in rollup if line.startswith("Pss:")), 0.0) / 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending.extend(int(child) for child in children.read().split())
        except OSError:  # the process ended meanwhile, or this is not Linux
            continue
    return total


def machine_note() -> str:
    """Processor, cores and load average, to print beside every table (timings differ between processors and
    are noisy on a shared machine)."""
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return f"{processor()}, {os.cpu_count()} cores, load average {load}"


def processor() -> str:
    """The processor's model name (Linux), or the platform's word for it."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            return next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "")
    except OSError:
        import platform

        return platform.processor() or platform.machine()


def spread(values: list[float], digits: int = 1) -> str:
    """The median of ``values``, with their range when there are several: ``12.3 (11.0-15.2)``."""
    median = f"{statistics.median(values):.{digits}f}"
    return median if len(values) == 1 else f"{median} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def row(cells: list) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"
