"""The site's files: data with a schema, traceable rows, escaped text, nothing fetched from the network."""

import csv
import json
import re

from leaderboard.pages import embed_json


def test_board_json_has_schema_rows_and_traceable_runs(site, evil_names):
    EVIL_IMG, EVIL_SCRIPT = evil_names
    board = json.loads((site.root / "leaderboard.json").read_text())
    assert board["schema_version"] == 1 and "iqm" in board["definitions"] and board["columns"]
    models = [row["model"] for row in board["rows"]]
    assert models[0] == "lab/strong" and set(models) == {"lab/strong", "baseline/random", EVIL_IMG, EVIL_SCRIPT}
    baseline = next(row for row in board["rows"] if row["model"] == "baseline/random")
    assert baseline["is_baseline"] and baseline["runs"][0]["store"].endswith("first.sqlite")
    evil = next(row for row in board["rows"] if row["model"] == EVIL_SCRIPT)
    assert evil["cost_per_correct_usd"] is None and evil["cost_coverage"] == 0  # unknown, never 0
    assert evil["runs"][0]["package_version"] and evil["runs"][0]["store"].endswith("second.sqlite")
    assert set(evil["problems"]) == {"three_sat", "vertex_cover"}
    assert "schema version 1" in (site.root / "schema.md").read_text()


def test_csv_flattens_the_same_rows(site):
    rows = list(csv.DictReader(open(site.root / "leaderboard.csv", encoding="utf-8")))
    assert [row["model"] for row in rows][0] == "lab/strong"
    assert {"acc_vertex_cover", "ceiling_three_sat_high", "run_ids", "git_commits"} <= set(rows[0])


def test_pages_escape_every_model_name_and_load_nothing_remote(site):
    pages = [site.index, site.root / "runs.html", *site.problem_pages.values()]
    for path in pages:
        html = path.read_text()
        assert "<img src=x" not in html and "<script>alert" not in html and "<b>bold" not in html
        assert not re.search(r"(src|href)=\"(https?:)?//", html)  # offline: no CDN, no external fonts
    assert "&lt;img src=x onerror=alert(1)&gt;" in (site.root / "runs.html").read_text()
    assert (site.root / "problems" / "vertex_cover.html").exists()


def test_embedded_json_cannot_close_its_script_element():
    text = embed_json({"model": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"model": "</script><!-- & \u2028"}
