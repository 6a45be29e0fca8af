"""The README's main job, end to end without the local LLM (its own end-to-end test covers llama.cpp)."""

import json

import pytest

from nppc.cli import main

pytest.importorskip("matplotlib", reason="the demo's report needs the analysis extra")


@pytest.mark.slow
def test_demo_generates_scores_reports_and_builds_the_site(tmp_path):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--levels", "1", "--count", "4", "--seed", "7", "--skip-llm"]) == 0
    board = json.loads((out / "site" / "leaderboard.json").read_text())
    text = json.dumps(board)
    for model in ("baseline/exact", "baseline/heuristic", "baseline/random"):
        assert model in text
    assert (out / "site" / "index.html").is_file() and (out / "report" / "summary.md").is_file()
    labels = {json.loads(line)["label"] for line in (out / "keys.jsonl").read_text().splitlines()}
    assert labels == {"yes", "no"}
