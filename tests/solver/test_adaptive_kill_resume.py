"""SIGKILL a real ``nppc run --adaptive`` mid-way, rerun the same command, compare with an uninterrupted run."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MODEL = "baseline/synthetic:ceiling=12.5,slope=0.9"
PROBLEMS = "three_sat,vertex_cover,bin_packing"


def command(store: Path) -> list[str]:
    return [sys.executable, "-m", "nppc.cli", "run", "--adaptive", "--model", MODEL, "--problems", PROBLEMS,
            "--store", str(store), "--concurrency", "1", "--no-progress"]


def count(store: Path, query: str) -> int:
    if not store.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
            return db.execute(query).fetchone()[0]
    except sqlite3.OperationalError:  # the tables are not written yet
        return 0


def outcome(store: Path) -> tuple[list, list, list]:
    with sqlite3.connect(store) as db:
        steps = db.execute("SELECT problem, step, level, instance_ids, calls, ceiling, ci_low, ci_high, expected_sd "
                           "FROM adaptive_steps ORDER BY problem, step").fetchall()
        results = db.execute("SELECT problem, stop_reason, calls, steps, ceiling, ci_low, ci_high "
                             "FROM adaptive_results ORDER BY problem").fetchall()
        records = db.execute("SELECT instance_id, sample, status, correct, answer_json FROM records "
                             "ORDER BY instance_id, sample").fetchall()
    return steps, results, records


def run(store: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command(store), cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=600)


def test_a_killed_adaptive_run_resumes_to_the_same_decisions_and_result(tmp_path):
    killed, clean = tmp_path / "killed.sqlite", tmp_path / "clean.sqlite"
    process = subprocess.Popen(command(killed), cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while count(killed, "SELECT COUNT(*) FROM records") < 75 and process.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process.poll() is None, "the run ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert count(killed, "SELECT COUNT(*) FROM adaptive_results") < 3  # it really was cut short

    resumed = run(killed)
    assert resumed.returncode == 0, resumed.stderr
    uninterrupted = run(clean)
    assert uninterrupted.returncode == 0, uninterrupted.stderr
    assert outcome(killed) == outcome(clean)
    assert resumed.stdout == uninterrupted.stdout  # the same calls and ceilings printed
    assert count(killed, "SELECT COUNT(*) FROM records WHERE status != 'graded'") == 0
