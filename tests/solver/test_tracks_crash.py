"""SIGKILL a real ``nppc run --track code`` mid-way: no record is lost or doubled, none has half its turns."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from nppc.cli import main
from npsolver.api import plan_run
from npsolver.tracks import TrackOptions

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(importlib.util.find_spec("litellm") is None, reason="needs the api extra (litellm)"),
              pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap")]

COUNT = 12


def run_args(server, store) -> list[str]:
    return ["run", "--model", "scripted-model", "--api-base", server.api_base, "--problems", "three_sat",
            "--levels", "1", "--count", str(COUNT), "--store", str(store), "--concurrency", "2", "--no-progress",
            "--track", "code", "--tool-protocol", "tools"]


def count(store, table: str) -> int:
    if not store.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
            return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_a_killed_code_track_run_resumes_with_whole_episodes(scripted_server, tmp_path, capsys):
    plan = plan_run("scripted-model", problems=["three_sat"], levels=[1], count=COUNT, api_base="http://127.0.0.1:9/v1",
                    track=TrackOptions("code", tool_protocol="tools"))
    script = {"by_conversation": {task.prompt_hash: [
        {"tool_calls": [{"name": "python", "arguments": {"code": "import time\ntime.sleep(0.2)\nprint('ran')"}}],
         "delay": 0.1},
        {"content": json.dumps({"solution": task.instance.certificate}), "delay": 0.1}] for task in plan.tasks}}
    server = scripted_server(script)
    store = tmp_path / "killed.sqlite"
    process = subprocess.Popen([sys.executable, "-m", "nppc.cli", *run_args(server, store)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while count(store, "records") < 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert 3 <= count(store, "records") < COUNT

    assert main(run_args(server, store)) == 0
    capsys.readouterr()
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT COUNT(*), COUNT(DISTINCT instance_id) FROM records").fetchone() == (COUNT, COUNT)
        assert db.execute("SELECT COUNT(*) FROM records WHERE correct = 1 AND tool_calls = 1 AND turns = 2"
                          ).fetchone()[0] == COUNT
        steps = db.execute("SELECT instance_id, GROUP_CONCAT(role, ',') FROM (SELECT * FROM turns ORDER BY step) "
                           "GROUP BY instance_id").fetchall()
        orphans = db.execute("SELECT COUNT(*) FROM turns t LEFT JOIN records r USING (run_id, instance_id, sample) "
                             "WHERE r.run_id IS NULL").fetchone()[0]
    assert len(steps) == COUNT and {roles for _, roles in steps} == {"assistant,tool,assistant"}
    assert orphans == 0
