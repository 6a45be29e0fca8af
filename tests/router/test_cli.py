"""``nppc route export`` and ``nppc route eval`` end to end: both public fixtures and an exported benchmark run."""

from __future__ import annotations

import json

import pytest

from nppc.cli import main

FAST = ["--seeds", "42,999", "--bootstrap", "50"]


def _report(out):
    import pandas as pd

    report = json.loads((out / "report.json").read_text())
    assert (out / "cost_accuracy.png").stat().st_size > 10_000
    decisions = pd.read_parquet(out / "decisions.parquet")
    accuracy = decisions.groupby(["router", "knob", "seed"], observed=True)["score"].mean().groupby(
        ["router", "knob"], observed=True).mean()
    for name, entry in report["routers"].items():  # the log holds every decision behind every reported point
        for point in entry["points"]:
            assert accuracy[(name, point["knob"])] == pytest.approx(point["accuracy"])
    return report


def _check_metrics(report):
    for name, entry in report["routers"].items():
        best = entry["best"]
        for metric in ("accuracy", "gain_random", "gain_best", "gap_oracle", "gap_closed", "recall_1", "recall_2",
                       "cost", "accuracy_ci", "cost_ci"):
            assert metric in best, (name, metric)
        assert 0.0 <= entry["frontier_area"] <= 1.0 and entry["pareto_dist"] >= 0.0
    assert report["frontier"] and report["references"]["oracle"] >= report["references"]["best"]


def test_eval_routerbench_fixture(routerbench_csv, tmp_path, capsys):
    assert main(["route", "eval", "--data", str(routerbench_csv), "--out", str(tmp_path), *FAST]) == 0
    report = _report(tmp_path)
    _check_metrics(report)
    assert report["data"]["cost_axis"] == "usd" and len(report["data"]["models"]) == 11
    assert "modelswitch" in report["skipped"]  # one sample per model
    assert "Gain@R" in capsys.readouterr().out


def test_eval_routellm_fixture_with_chosen_routers(routellm_csv, tmp_path):
    args = ["route", "eval", "--data", str(routellm_csv), "--format", "routellm", "--routers",
            "random,best-single,oracle,knn,cascade", "--out", str(tmp_path), *FAST]
    assert main(args) == 0
    report = _report(tmp_path)
    assert set(report["routers"]) == {"random", "best-single", "oracle", "knn", "cascade"}
    # with the correct flag as its verifier, the full cascade reaches the Oracle's accuracy
    cascade = report["routers"]["cascade"]["best"]
    assert cascade["accuracy"] == pytest.approx(report["routers"]["oracle"]["best"]["accuracy"])


def test_export_then_eval_benchmark_run(bench_store, tmp_path, capsys):
    folder = tmp_path / "routing"
    assert main(["route", "export", "--stores", str(bench_store), "--out", str(folder)]) == 0
    assert (folder / "records.parquet").exists() and (folder / "instances.jsonl").exists()
    out = tmp_path / "eval"
    assert main(["route", "eval", "--data", str(folder), "--out", str(out), *FAST]) == 0
    report = _report(out)
    _check_metrics(report)
    assert report["data"]["verifier"] == "npgym" and report["data"]["inputs"] == "features+tfidf"
    routers = report["routers"]
    assert routers["cascade"]["best"]["accuracy"] == pytest.approx(routers["oracle"]["best"]["accuracy"])
    # baseline/exact is free and always right, so the cheapest-first cascade stops at once
    assert routers["cascade"]["best"]["cost"] == pytest.approx(0.0)
    printed = capsys.readouterr().out
    assert "cascade" in printed and "oracle" in printed


def test_eval_reads_a_store_directly_and_rejects_bad_input(bench_store, tmp_path, capsys):
    out = tmp_path / "eval"
    assert main(["route", "eval", "--data", str(bench_store), "--routers", "best-single,cascade",
                 "--out", str(out), *FAST]) == 0
    assert main(["route", "eval", "--data", str(tmp_path / "none.csv"), "--out", str(out)]) == 2
    assert main(["route", "eval", "--data", str(bench_store), "--routers", "magic", "--out", str(out)]) == 2
    assert "unknown routers" in capsys.readouterr().err


def test_real_baseline_run_is_exported_and_evaluated(tmp_path, capsys):
    import importlib.util

    if importlib.util.find_spec("npsolver.runner") is None:
        pytest.skip("the runner (nppc run) is not installed")
    store = tmp_path / "runs.sqlite"
    for model in ("baseline/exact", "baseline/heuristic"):
        assert main(["run", "--model", model, "--problems", "vertex_cover,three_sat", "--levels", "1-2",
                     "--count", "4", "--store", str(store), "--no-progress"]) == 0
    out = tmp_path / "eval"
    assert main(["route", "eval", "--data", str(store), "--routers", "best-single,oracle,oracle-cheapest,cascade",
                 "--out", str(out), *FAST]) == 0
    report = _report(out)
    assert report["data"]["verifier"] == "npgym" and report["data"]["verifier_disagreements"] == 0
    assert report["data"]["cost_axis"] == "latency"  # baselines are free: USD is zero for every model
    routers = report["routers"]
    assert routers["cascade"]["best"]["accuracy"] == pytest.approx(1.0) == routers["oracle"]["best"]["accuracy"]
