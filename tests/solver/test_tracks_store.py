"""The store side of the tracks: turns live and die with their record, older stores gain the new columns,
plain run ids are those of runs made before tracks, and a sandbox that could read the store is refused."""

from __future__ import annotations

import sqlite3
from dataclasses import fields, replace

import pytest

from npsolver.adapters import Sampling
from npsolver.api import plan_run
from npsolver.plan import run_id_of, run_identity
from npsolver.records import LATER_COLUMNS, RunRecord, TurnRecord, table_sql
from npsolver.sandbox import BUBBLEWRAP, Limits, Sandbox
from npsolver.store import Store, read_stores
from npsolver.tracks import CodeTrack, check_hidden


def record(**changes) -> RunRecord:
    base = RunRecord(run_id="run-1", instance_id="i-1", sample=0, model="m", problem="three_sat", problem_version=1,
                     level=1, prompt_hash="h", status="graded", correct=1, code="ok", track="code", turns=2,
                     solved_turn=2, tool_calls=1)
    return replace(base, **changes)


def turn(step: int, role: str = "assistant") -> TurnRecord:
    return TurnRecord("run-1", "i-1", 0, step, 1 + step // 2, role, content=f"step {step}")


def test_turns_are_written_with_their_record_and_replaced_with_it(tmp_path):
    with Store(tmp_path / "runs.sqlite") as store:
        store.put_record(record(status="api_error", correct=None, code="server"), None)
        store.put_record(record(), [turn(0), turn(1, "tool"), turn(2)])
        assert [t["step"] for t in store.turns("run-1")] == [0, 1, 2]
        store.put_record(record(turns=1), [turn(0)])  # a new attempt replaces the old turns
        assert [t["content"] for t in store.turns()] == ["step 0"]
        store.put_record(record(code="ok"), None)  # a stored reply graded again keeps its turns
        assert len(store.turns()) == 1
        with pytest.raises(sqlite3.IntegrityError):  # a failing turn leaves no half record behind
            store.put_record(record(instance_id="i-2"), [replace(turn(0), instance_id="i-2"),
                                                           replace(turn(0), instance_id="i-2")])
        assert [r.instance_id for r in store.run_records()] == ["i-1"]


def test_a_store_written_before_tracks_reads_and_grows_the_new_columns(tmp_path):
    path = tmp_path / "old.sqlite"
    with Store(path) as store:  # the old layout: records without the later columns, no turns table
        store.put_run("run-0", "m", {}, "t", "0", None)
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE records")
        db.execute("DROP TABLE turns")
        old = [f for f in fields(RunRecord) if f.name not in LATER_COLUMNS]
        old_type = type("OldRecord", (), {"__dataclass_fields__": {f.name: f for f in old}})
        db.execute(table_sql("records", old_type, "run_id, instance_id, sample"))
        db.execute("INSERT INTO records (run_id, instance_id, sample, model, problem, problem_version, prompt_hash, "
                   "status, correct) VALUES ('run-0', 'i-0', 0, 'm', 'three_sat', 1, 'h', 'graded', 1)")
    with Store(path, readonly=True) as store:
        [old_record] = store.records()
        assert old_record["track"] is None and old_record["correct"] == 1 and store.turns() == []
    records, runs, _ = read_stores([path])
    assert records[0]["model"] == "m" and runs[0]["model"] == "m"  # an untracked record is plain
    with Store(path) as store:
        store.put_record(record(), [turn(0)])
        assert {r.track for r in store.run_records()} == {None, "code"}
    records, _, _ = read_stores([path])
    assert sorted(r["model"] for r in records) == ["m", "m [code]"]


def test_a_plain_run_keeps_the_run_id_it_had_before_tracks():
    plan = plan_run("baseline/random", problems=["three_sat"], levels=[1], count=2)
    before = run_identity("baseline/random", None, Sampling(), 1, 1, plan.targets)
    assert plan.run_id == run_id_of(before) and plan.track is None and "track" not in plan.identity


def test_a_sandbox_that_could_read_the_store_or_the_keys_is_refused(tmp_path):
    track = CodeTrack(Sandbox(Limits(), BUBBLEWRAP, "/usr/bin/python3", "/usr/bin/bwrap"), "tools", 8)
    check_hidden(track, [str(tmp_path / "runs.sqlite"), None])
    with pytest.raises(ValueError, match="/usr/share/runs.sqlite lies in a folder the code sandbox can read"):
        check_hidden(track, ["/usr/share/runs.sqlite"])
