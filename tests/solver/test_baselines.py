"""Baselines end to end through ``nppc run``: the same prompt, extraction, grading and store as a model."""

from __future__ import annotations

import json

from npgym.prompt import TEMPLATE_VERSION
from nppc.cli import main
from npsolver.adapters import Sampling
from npsolver.plan import build_tasks, examples_for, generate_targets, run_id_of, run_identity
from npsolver.store import FINAL_STATUSES, Store

PROBLEMS = "three_sat,vertex_cover,three_colouring"


def run(store, model: str, *extra: str) -> int:
    return main(["run", "--model", model, "--problems", PROBLEMS, "--levels", "1-2", "--count", "4",
                 "--store", str(store), "--no-progress", *extra])


def test_exact_baseline_scores_every_yes_and_no_instance(tmp_path, capsys):
    store_path = tmp_path / "runs.sqlite"
    assert run(store_path, "baseline/exact", "--no-fraction", "0.5") == 0
    with Store(store_path, readonly=True) as store:
        records = store.records()
        instances = store.instances()
        [run_row] = store.runs()
    assert len(records) == 3 * 2 * 4
    labels = {instances[r["instance_id"]]["label"] for r in records}
    assert labels == {"yes", "no"}
    assert all(r["status"] == "graded" and r["correct"] == 1 and r["code"] == "ok" for r in records)
    assert all(r["cost_usd"] == 0.0 and r["cost_source"] == "free" for r in records)
    with Store(store_path, readonly=True) as store:
        assert all(store.prompt(r["prompt_hash"]) for r in records)
    assert run_row["model"] == "baseline/exact" and run_row["prompt_template"] == TEMPLATE_VERSION
    assert run_row["config"]["selection"]["no_fraction"] == 0.5
    assert "accuracy of new records 100.0%" in capsys.readouterr().out


def test_heuristic_and_random_baselines_are_graded_and_reproducible(tmp_path):
    for model in ("baseline/heuristic", "baseline/random"):
        verdicts = []
        for name in ("a", "b"):
            store_path = tmp_path / f"{name}.sqlite"
            assert run(store_path, model) == 0
            with Store(store_path, readonly=True) as store:
                verdicts.append(sorted((r["instance_id"], r["status"], r["code"], r["answer_json"])
                                       for r in store.records()))
        assert verdicts[0] == verdicts[1]
        assert all(status in FINAL_STATUSES for _, status, _, _ in verdicts[0])


def test_rerunning_the_same_command_resumes_and_changes_nothing(tmp_path, capsys):
    store_path = tmp_path / "runs.sqlite"
    assert run(store_path, "baseline/random") == 0
    with Store(store_path, readonly=True) as store:
        before = store.records()
    capsys.readouterr()
    assert run(store_path, "baseline/random") == 0
    assert "0 new records, 24 already done" in capsys.readouterr().out
    with Store(store_path, readonly=True) as store:
        assert store.records() == before and len(store.runs()) == 1


def test_run_id_follows_what_changes_outputs():
    targets = generate_targets(["three_sat"], [1], [0], 2)
    base = run_id_of(run_identity("m", None, Sampling(), 1, 1, targets))
    assert base == run_id_of(run_identity("m", None, Sampling(), 1, 1, list(reversed(targets))))
    changed = [run_identity("m2", None, Sampling(), 1, 1, targets),
               run_identity("m", "http://h/v1", Sampling(), 1, 1, targets),
               run_identity("m", None, Sampling(temperature=0.0), 1, 1, targets),
               run_identity("m", None, Sampling(), 2, 1, targets),
               run_identity("m", None, Sampling(), 1, 2, targets),
               run_identity("m", None, Sampling(), 1, 1, targets[:1])]
    assert len({base, *map(run_id_of, changed)}) == 1 + len(changed)


def test_changing_the_number_of_shots_changes_no_target():
    targets = generate_targets(["vertex_cover"], [2], [3], 3)
    one, three = build_tasks(targets, 1, 1), build_tasks(targets, 3, 1)
    assert [t.instance.id for t in one] == [t.instance.id for t in three]
    for target in targets:
        examples = examples_for(target, 3)
        assert examples_for(target, 1) == examples[:1]  # K=1 shows the first of the K=3 examples
        assert {e.id for e in examples}.isdisjoint(t.id for t in targets)
        assert all(e.problem == target.problem and e.level == target.level for e in examples)
    task = three[0]
    assert task.prompt.count("## Example") == 3
    assert json.dumps({"solution": examples_for(targets[0], 1)[0].certificate}) in task.prompt


def test_testset_file_and_separate_keys(tmp_path, capsys):
    testset, keys = tmp_path / "t.jsonl", tmp_path / "k.jsonl"
    assert main(["generate", "--problems", "three_sat", "--levels", "1", "--count", "4", "--no-fraction", "0.5",
                 "--out", str(testset), "--key-out", str(keys)]) == 0
    store_path = tmp_path / "runs.sqlite"
    args = ["run", "--model", "baseline/exact", "--testset", str(testset), "--store", str(store_path),
            "--no-progress"]
    assert main([*args, "--keys", str(keys)]) == 0
    with Store(store_path, readonly=True) as store:
        assert [r["correct"] for r in store.records()] == [1, 1, 1, 1]
    assert main(["run", "--model", "baseline/exact", "--testset", str(testset), "--problems", "three_sat",
                 "--store", str(store_path)]) == 2
    assert "not both" in capsys.readouterr().err


def test_bad_options_fail_clearly_and_write_nothing(tmp_path, capsys):
    store_path = tmp_path / "runs.sqlite"
    assert main(["run", "--model", "baseline/oracle", "--problems", "three_sat", "--levels", "1",
                 "--store", str(store_path)]) == 2
    assert "unknown baseline" in capsys.readouterr().err
    assert main(["run", "--model", "baseline/exact", "--problems", "no_such_problem", "--levels", "1",
                 "--store", str(store_path)]) == 2
    assert "no_such_problem" in capsys.readouterr().err
    assert not store_path.exists()


def test_dry_run_names_the_run_and_writes_nothing(tmp_path, capsys):
    store_path = tmp_path / "runs.sqlite"
    assert run(store_path, "baseline/random", "--dry-run") == 0
    run_id = capsys.readouterr().out.strip()
    assert run_id.startswith("run-") and not store_path.exists()
    assert run(store_path, "baseline/random") == 0
    with Store(store_path, readonly=True) as store:
        assert [r["run_id"] for r in store.runs()] == [run_id]
