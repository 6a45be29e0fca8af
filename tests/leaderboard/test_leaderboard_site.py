"""The site's files: data with a schema, traceable rows, model cards, escaped text, nothing fetched from the network."""

import csv
import json
import re

from leaderboard.html import embed_json, model_page_name


def test_board_json_has_schema_rows_cards_and_traceable_runs(site, evil_names):
    EVIL_IMG, EVIL_SCRIPT = evil_names
    board = json.loads((site.root / "leaderboard.json").read_text())
    assert board["schema_version"] == 1 and "iqm" in board["definitions"] and board["columns"]
    models = [row["model"] for row in board["rows"]]
    assert models[0] == "lab/strong" and set(models) == {"lab/strong", "baseline/random", EVIL_IMG, EVIL_SCRIPT}
    rows = {row["model"]: row for row in board["rows"]}
    baseline = rows["baseline/random"]
    assert baseline["is_baseline"] and baseline["runs"][0]["store"].endswith("first.sqlite")
    assert baseline["card"]["source"] == "built-in"
    strong = rows["lab/strong"]
    assert strong["card"]["parameters"] == "70B" and strong["card"]["release_date"] == "2025-01-31"
    assert strong["weights"] == "open" and rows[EVIL_IMG]["weights"] == "closed" and rows[EVIL_SCRIPT]["card"] is None
    evil = rows[EVIL_SCRIPT]
    assert evil["cost_per_correct_usd"] is None and evil["cost_coverage"] == 0  # unknown, never 0
    assert evil["runs"][0]["package_version"] and evil["runs"][0]["created_at"].startswith("20")
    assert evil["partial"] and evil["coverage"].startswith("partial: 3 of 4 tasks")
    assert strong["coverage"].startswith("complete")
    assert evil["testset"]["seeds"] == [1, 2] and len(evil["testset"]["hash"]) == 16
    assert evil["testset"]["problem_versions"].keys() == {"three_sat", "vertex_cover"}
    assert board["problem_info"]["vertex_cover"]["suite"] == "core"
    assert board["groups"]["family"]["graphs"] == ["vertex_cover"]
    assert set(evil["problems"]) == {"three_sat", "vertex_cover"}
    assert "schema version 1" in (site.root / "schema.md").read_text()


def test_csv_flattens_the_same_rows(site):
    rows = list(csv.DictReader(open(site.root / "leaderboard.csv", encoding="utf-8")))
    assert [row["model"] for row in rows][0] == "lab/strong"
    assert {"acc_vertex_cover", "ceiling_three_sat_high", "run_ids", "git_commits", "card_provider", "testset_hash",
            "coverage"} <= set(rows[0])


def test_every_page_exists_and_links_resolve(site):
    pages = [site.index, site.root / "runs.html", site.root / "problems" / "index.html",
             site.root / "models" / "index.html", site.root / "samples" / "index.html",
             *site.problem_pages.values(), *site.model_pages.values()]
    for path in pages:
        html = path.read_text()
        for target in re.findall(r'(?:href|src)="([^"#:]+)(?:#[^"]*)?"', html):
            if not target.startswith("data:"):
                assert (path.parent / target).exists(), f"{path.name} links to missing {target}"


def test_pages_escape_every_text_and_load_nothing_remote(site):
    pages = [site.index, site.root / "runs.html", site.root / "problems" / "index.html",
             site.root / "models" / "index.html", site.root / "samples" / "index.html",
             *site.problem_pages.values(), *site.model_pages.values()]
    for path in pages:
        html = path.read_text()
        for raw in ("<img src=x", "<script>alert", "<b>bold", "<b onmouseover", 'href="javascript:'):
            assert raw not in html, f"{raw} unescaped in {path.name}"
        assert not re.search(r"(src|href)=\"(https?:)?//", html)  # offline: no CDN, no external fonts
    assert "&lt;img src=x onerror=alert(1)&gt;" in (site.root / "runs.html").read_text()
    evil_page = site.model_pages["<img src=x onerror=alert(1)>"].read_text()
    assert "&lt;b onmouseover=alert(3)&gt;Evil&lt;/b&gt;" in evil_page and "javascript:alert(5)" in evil_page


def test_model_pages_have_distinct_names_even_when_names_slug_alike():
    assert model_page_name("a/b") != model_page_name("a_b") and model_page_name("a/b").endswith(".html")


def test_problem_page_shows_statement_example_levels_and_ceilings(site):
    html = site.problem_pages["vertex_cover"].read_text()
    assert "A vertex cover is a set of vertices" in html and "An example instance" in html
    assert "level 1" in html and "level 2" in html and "ceiling [95% CI]" in html
    assert "accuracy_vertex_cover.png" in html


def test_embedded_json_cannot_close_its_script_element():
    text = embed_json({"model": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"model": "</script><!-- & \u2028"}


def test_the_board_table_columns_come_from_the_one_python_list(site):
    from leaderboard.schema import BOARD_COLUMNS, COLUMNS
    from npeval.stats import AGGREGATES

    board = json.loads((site.root / "leaderboard.json").read_text())
    assert board["board_columns"] == BOARD_COLUMNS
    embedded = re.search(r'<script type="application/json" id="board-data">(.*?)</script>',
                         (site.root / "index.html").read_text(), re.S).group(1)
    assert json.loads(embedded)["board_columns"] == BOARD_COLUMNS
    documented = {name.strip() for names in COLUMNS for name in names.split(",")}
    for column in BOARD_COLUMNS:
        assert column["field"] in documented and all(column["field"] in row for row in board["rows"])
        if column["kind"] == "interval":
            assert column["field"] in AGGREGATES and {f"{column['field']}_low", f"{column['field']}_high"} <= documented
    script = (site.root / "board.js").read_text()
    labels = [column["label"] for column in BOARD_COLUMNS if len(column["label"]) > 1]  # "#" also opens a URL hash
    assert labels and not [label for label in labels if label in script]  # no hand-copied list


def test_source_date_epoch_fixes_the_build_time_and_a_bad_one_is_named(monkeypatch):
    import pytest

    from leaderboard.buildtime import build_time

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    assert build_time().isoformat() == "2025-11-24T16:00:00+00:00"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(SystemExit, match="SOURCE_DATE_EPOCH='yesterday'"):
        build_time()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert build_time().year >= 2026
