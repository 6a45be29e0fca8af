"""Sharded runs (``--shard i/n``) joined by ``nppc store merge`` equal the unsharded run, record for record."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nppc.cli import main
from npsolver.merge import merge_stores
from npsolver.plan import build_tasks, generate_targets, in_shard
from npsolver.store import Store

OUTCOME = ("run_id", "instance_id", "sample", "model", "status", "correct", "code", "message", "response_text",
           "answer_json", "objective", "attempts")


def outcomes(path) -> list[tuple]:
    with Store(path, readonly=True) as store:
        return sorted(tuple(r[c] for c in OUTCOME) for r in store.records())


@pytest.fixture(scope="module")
def testset(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shards")
    assert main(["generate", "--problems", "three_sat,vertex_cover,partition", "--levels", "2-3", "--count", "4",
                 "--no-fraction", "0.25", "--seed", "5", "--out", str(folder / "t.jsonl"),
                 "--key-out", str(folder / "k.jsonl")]) == 0
    return folder / "t.jsonl", folder / "k.jsonl"


@pytest.mark.parametrize("parts", [2, 3])
def test_merged_shards_equal_the_unsharded_run(testset, tmp_path, parts):
    testset_path, keys = testset
    args = ["run", "--model", "baseline/heuristic", "--testset", str(testset_path), "--keys", str(keys),
            "--samples", "2", "--no-progress"]
    assert main([*args, "--store", str(tmp_path / "whole.sqlite")]) == 0
    shards = [tmp_path / f"part{i}.sqlite" for i in range(1, parts + 1)]
    for number, shard in enumerate(shards, 1):
        assert main([*args, "--store", str(shard), "--shard", f"{number}/{parts}"]) == 0
    summary = merge_stores(shards, tmp_path / "merged.sqlite")
    assert summary.duplicates == 0 and summary.runs == 1
    assert outcomes(tmp_path / "merged.sqlite") == outcomes(tmp_path / "whole.sqlite")
    again = merge_stores(shards, tmp_path / "merged.sqlite")  # merging twice changes nothing
    assert again.records_written == 0 and outcomes(tmp_path / "merged.sqlite") == outcomes(tmp_path / "whole.sqlite")


def test_a_final_record_wins_over_an_api_error_whatever_the_order(tmp_path):
    targets = generate_targets(["three_sat"], [1], [0], 1)
    with Store(tmp_path / "a.sqlite") as a, Store(tmp_path / "b.sqlite") as b:
        for store in (a, b):
            store.put_run("run-x", "m", {}, "t", "0", None)
            store.put_instances(t.to_record(with_key=True) for t in targets)
        base = dict(run_id="run-x", instance_id=targets[0].id, sample=0, model="m", problem="three_sat",
                    problem_version=targets[0].version, level=1, prompt_hash="p")
        a.put_record({**base, "status": "api_error", "code": "server", "finished_at": 1.0})
        b.put_record({**base, "status": "graded", "correct": 1, "code": "ok", "finished_at": 2.0})
    for order in ([tmp_path / "a.sqlite", tmp_path / "b.sqlite"], [tmp_path / "b.sqlite", tmp_path / "a.sqlite"]):
        out = tmp_path / f"merged-{order[0].stem}.sqlite"
        merge_stores(order, out)
        with Store(out, readonly=True) as merged:
            [record] = merged.records()
        assert record["status"] == "graded"


@settings(max_examples=30, deadline=None)
@given(parts=st.integers(1, 7))
def test_shards_partition_the_tasks(parts):
    tasks = build_tasks(generate_targets(["three_sat", "partition"], [2], [0], 6), shots=0, samples=2)
    owners = [[part for part in range(1, parts + 1) if in_shard(task, part, parts)] for task in tasks]
    assert all(len(owner) == 1 for owner in owners)


def test_merge_refuses_the_output_as_a_part(tmp_path):
    with Store(tmp_path / "a.sqlite"):
        pass
    assert main(["store", "merge", str(tmp_path / "a.sqlite"), "--out", str(tmp_path / "a.sqlite")]) == 2
