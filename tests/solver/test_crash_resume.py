"""SIGKILL a real ``nppc run`` mid-way, resume it, and compare with an uninterrupted run.

Both runs talk to the same scripted HTTP server, whose replies depend only on the prompt (a mix of
correct answers, wrong claims, garbage and one permanent 500), so the two final stores must hold the
same keys with the same verdicts, and the killed run must have no duplicate and no half record.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from nppc.cli import main
from npsolver.plan import build_tasks, generate_targets

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(importlib.util.find_spec("litellm") is None, reason="needs the api extra (litellm)")]

PROBLEMS, COUNT = ["three_sat", "vertex_cover"], 20


def script_for_plan() -> tuple[dict, int]:
    tasks = build_tasks(generate_targets(PROBLEMS, [1], [0], COUNT), shots=1, samples=1)
    by_prompt = {}
    for number, task in enumerate(tasks):
        kind = number % 4
        if kind == 0:
            reply = {"content": json.dumps({"solution": task.instance.certificate})}
        elif kind == 1:
            reply = {"content": '{"solution": null}'}
        elif kind == 2:
            reply = {"content": "no idea"}
        else:
            reply = {"content": "[1, 2, 3]"}
        by_prompt[task.prompt_hash] = [{**reply, "delay": 0.15}]
    by_prompt[tasks[5].prompt_hash] = [{"status": 500, "delay": 0.05}]
    return {"by_prompt": by_prompt}, len(tasks)


def run_args(server, store) -> list[str]:
    return ["run", "--model", "scripted-model", "--api-base", server.api_base,
            "--problems", ",".join(PROBLEMS), "--levels", "1", "--count", str(COUNT), "--store", str(store),
            "--concurrency", "3", "--max-attempts", "2", "--retry-delay", "0.01", "--no-progress"]


def record_count(store, final_only: bool = False) -> int:
    if not store.exists():
        return 0
    query = "SELECT COUNT(*) FROM records" + (" WHERE status != 'api_error'" if final_only else "")
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
            return db.execute(query).fetchone()[0]
    except sqlite3.OperationalError:  # the schema is not written yet
        return 0


def final_state(store) -> list[tuple]:
    with sqlite3.connect(store) as db:
        return sorted(db.execute("SELECT instance_id, sample, status, correct, code, answer_json, response_text "
                                 "FROM records").fetchall())


def test_a_killed_run_resumes_to_the_same_store(scripted_server, tmp_path, capsys):
    script, total = script_for_plan()
    server = scripted_server(script)
    killed, clean = tmp_path / "killed.sqlite", tmp_path / "clean.sqlite"

    process = subprocess.Popen([sys.executable, "-m", "nppc.cli", *run_args(server, killed)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while record_count(killed) < 8 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    partial, finished = record_count(killed), record_count(killed, final_only=True)
    assert 8 <= partial < total

    # resume and the reference run in this process: a fresh process only costs another LiteLLM import
    assert main(run_args(server, killed)) == 1  # the permanent 500 leaves one api_error
    assert f"{finished} already done" in capsys.readouterr().out
    assert main(run_args(server, clean)) == 1

    assert final_state(killed) == final_state(clean)
    with sqlite3.connect(killed) as db:
        assert db.execute("SELECT COUNT(*), COUNT(DISTINCT instance_id || ':' || sample) FROM records").fetchone() \
            == (total, total)
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1
        statuses = dict(db.execute("SELECT status, COUNT(*) FROM records GROUP BY status").fetchall())
    assert statuses["api_error"] == 1 and statuses["graded"] > 0 and statuses["parse_error"] > 0
