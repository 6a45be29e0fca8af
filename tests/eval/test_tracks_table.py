"""npeval.tracks over real runs of the baselines on the three tracks (Python API, real sandbox check)."""

from __future__ import annotations

import shutil

import pytest

from npeval.tracks import side_by_side, track_table, tracks_markdown, write_track_report
from npsolver import run_model
from npsolver.store import Store
from npsolver.tracks import TrackOptions

BASELINES = ("baseline/exact", "baseline/heuristic", "baseline/random")
SELECTION = {"problems": ["three_sat", "vertex_cover"], "levels": [1, 2], "count": 4, "no_fraction": 0.25}


@pytest.fixture(scope="module")
def three_track_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("tracks") / "runs.sqlite"
    code = TrackOptions("code", trust_code=shutil.which("bwrap") is None)
    for model in BASELINES:
        for track in (TrackOptions(), code, TrackOptions("feedback", turns=3)):
            result = run_model(model, path, track=track, progress=False, **SELECTION)
            assert result.complete
    run_model("baseline/random", path, progress=False, **{**SELECTION, "count": 6})  # plain on more instances
    return path


def test_every_track_of_a_model_is_compared_on_the_same_instances(three_track_store):
    table = track_table([three_track_store])
    assert set(table["track"]) == {"plain", "code", "feedback"}
    assert len(table) == len(BASELINES) * 2 * 2 * 3  # a second plain run adds records, not rows
    shared = table.groupby(["model", "problem", "level"])["instances"].nunique()
    assert (shared == 1).all()
    random_rows = table[table["model"] == "baseline/random"]
    assert set(random_rows["instances"]) == {4}  # the plain-only instances are left out of the comparison
    exact = table[table["model"] == "baseline/exact"]
    assert (exact["accuracy"] == 1.0).all() and exact["solver_seconds"].notna().all()


def test_the_feedback_track_is_scored_per_turn_and_its_first_turn_is_the_plain_answer(three_track_store):
    table = track_table([three_track_store])
    feedback = table[table["track"] == "feedback"].set_index(["model", "problem", "level"])
    plain = table[table["track"] == "plain"].groupby(["model", "problem", "level"]).first()
    turns = feedback[["solved_by_turn_1", "solved_by_turn_2", "solved_by_turn_3"]]
    assert (turns.diff(axis=1).iloc[:, 1:] >= 0).all().all()  # solved by turn t never shrinks
    assert (turns["solved_by_turn_3"] == feedback["accuracy"]).all()
    assert (turns["solved_by_turn_1"] == plain.loc[turns.index, "accuracy"]).all()
    assert table[table["track"] == "code"]["solved_by_turn_1"].isna().all()


def test_the_side_by_side_table_and_the_report_section(three_track_store, tmp_path):
    table = track_table([three_track_store])
    wide = side_by_side(table)
    assert list(wide.columns[:7]) == ["model", "problem", "level", "instances", "plain", "code", "feedback"]
    assert len(wide) == len(BASELINES) * 4
    exact_row = wide[wide["model"] == "baseline/exact"].iloc[0]
    assert exact_row["plain"] == "1.00" and exact_row["feedback"] == "1.00 / 1.00 / 1.00"
    assert "| baseline/heuristic | three_sat | 1 |" in tracks_markdown(table)
    section = write_track_report([three_track_store], tmp_path)
    assert section.startswith("\n## Tracks side by side") and (tmp_path / "tables" / "tracks.csv").is_file()
    assert (tmp_path / "tracks.md").read_text().startswith("# Tracks side by side")


def test_a_store_with_plain_runs_only_gets_no_tracks_section(store_path, tmp_path):
    with Store(store_path, readonly=True) as store:
        assert store.records()
    assert write_track_report([store_path], tmp_path) is None and not (tmp_path / "tracks.md").exists()


def test_a_board_without_track_runs_is_told_by_its_records_without_reading_the_stores(store_path, tmp_path,
                                                                                      monkeypatch):
    from npeval import tracks
    from npeval.data import load_board

    records = load_board([store_path]).records
    monkeypatch.setattr(tracks, "track_table", lambda paths: pytest.fail("the stores were read again"))
    assert tracks.tracks_to_show([store_path], records) is None
    assert write_track_report([store_path], tmp_path, records) is None


def test_a_board_with_track_runs_gets_the_same_table_from_its_records(three_track_store):
    from npeval.data import load_board
    from npeval.tracks import tracks_to_show

    shown = tracks_to_show([three_track_store], load_board([three_track_store]).records)
    assert shown is not None and shown.equals(track_table([three_track_store]))
