"""Run one command in a fresh subprocess and measure it: wall time, its own peak RSS and exit status.

Shared by the benchmarks. ``run_measured`` waits for the child with ``os.wait4``, whose resource usage
is that child's alone, so one measurement never inherits another's peak.
"""

from __future__ import annotations

import os
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


def run_measured(arguments: list[str], cwd: Path = ROOT, timeout: float = 1800, env: dict | None = None) -> Measured:
    """Run ``python ARGUMENTS`` in ``cwd``, with ``cwd``'s code first on the import path, and measure it."""
    environment = {**os.environ, "PYTHONPATH": str(cwd), **(env or {})}
    with tempfile.TemporaryFile(mode="w+") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, *arguments], cwd=cwd, env=environment,
                                   stdout=subprocess.DEVNULL, stderr=stderr)
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout:
                process.kill()
                os.wait4(process.pid, 0)
                return Measured(time.perf_counter() - started, float("nan"), f"timeout after {timeout:.0f} s")
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        last = (stderr.read().strip().splitlines() or [""])[-1][:120]
    state = "ok" if process.returncode == 0 else f"exit {process.returncode}: {last}"
    return Measured(seconds, usage.ru_maxrss / 1024, state)


def machine_note() -> str:
    """Cores and load average, to print beside every table (timings on a shared machine are noisy)."""
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return f"{os.cpu_count()} cores, load average {load}"


def row(cells: list) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"
