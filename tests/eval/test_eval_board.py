"""Loading stores, denominators, coverage flags, scores and the report on a real SQLite store."""

import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npgym
from npeval.analysis import analyse, analyse_stores
from npeval.data import load_board
from npeval.report import write_json_rows
from npsolver.store import Store


def _record(inst, model, status, correct, code, **extra):
    return {"run_id": f"run-{model}", "instance_id": inst.id, "sample": extra.pop("sample", 0), "model": model,
            "problem": inst.problem, "problem_version": inst.version, "level": inst.level, "prompt_hash": "p",
            "status": status, "correct": correct, "code": code, **extra}


@pytest.fixture()
def tiny_store(tmp_path):
    """Two models, one task, one seed: hand-countable."""
    instances = [npgym.generate("vertex_cover", level=2, seed=7, index=i) for i in range(4)]  # distinct
    with Store(tmp_path / "tiny.sqlite") as store:
        store.put_instances(inst.to_record(with_key=True) for inst in instances)
        for model in ("a/perfect", "b/half"):
            store.put_run(f"run-{model}", model, {"adapter": "test"}, "t1", "0.1.0", "abc123")
        for inst in instances:
            store.put_record(_record(inst, "a/perfect", "graded", 1, "ok", cost_usd=0.01))
        store.put_record(_record(instances[0], "b/half", "graded", 1, "ok", cost_usd=None))
        store.put_record(_record(instances[1], "b/half", "graded", 0, "constraint", cost_usd=0.02))
        store.put_record(_record(instances[2], "b/half", "api_error", None, "server"))
        # instance 3: never answered by b/half
    return tmp_path / "tiny.sqlite"


def test_api_errors_are_missing_not_wrong_and_short_cells_are_partial(tiny_store):
    board = load_board([tiny_store])
    cells = board.cells.set_index("model")
    assert cells.loc["a/perfect", "status"] == "complete"
    half = cells.loc["b/half"]
    assert (half["attempts"], half["correct"], half["api_errors"], half["expected"], half["missing"]) == (2, 1, 1, 4, 2)
    assert half["status"] == "partial"
    analysis = analyse(board, n_boot=300, seed=1)
    accuracy = analysis.cells.set_index("model")["accuracy"]
    assert accuracy["b/half"] == 0.5  # 1 correct / 2 attempts: the api error is not a wrong answer
    assert accuracy["a/perfect"] == 1.0
    perfect = analysis.cells.set_index("model").loc["a/perfect"]
    assert (perfect["ci_low"], perfect["ci_high"]) == (1.0, 1.0)  # a constant score has a point interval
    p = analysis.improvement.set_index(["model_x", "model_y"])["p_improvement"]
    assert p[("a/perfect", "b/half")] == 1.0 and p[("b/half", "a/perfect")] == 0.0


def test_cost_unknown_stays_unknown_and_reports_coverage(tiny_store):
    cost = analyse(load_board([tiny_store]), n_boot=50).cost.set_index("model")
    assert cost.loc["b/half", "cost_coverage"] == 0.5
    assert np.isnan(cost.loc["b/half", "cost_per_correct_usd"])  # the only correct answer has no known cost
    assert cost.loc["a/perfect", "cost_per_correct_usd"] == pytest.approx(0.01)


def test_missing_cells_keep_their_rows_in_every_table(store_path):
    analysis = analyse_stores([store_path], n_boot=200, seed=0)
    dropped = analysis.cells[(analysis.cells["model"] == "lab/weak") & (analysis.cells["problem"] == "three_sat")
                             & (analysis.cells["level"] == 3)]
    assert list(dropped["status"]) == ["missing"] and dropped["accuracy"].isna().all()
    weak = analysis.problem_accuracy.set_index(["model", "problem"]).loc[("lab/weak", "three_sat")]
    assert weak["partial"] and weak["levels_missing"] == 1
    iqm = analysis.aggregates[analysis.aggregates["metric"] == "iqm"].set_index("model")
    assert iqm.loc["lab/weak", "tasks"] == iqm.loc["lab/weak", "board_tasks"] - 1 and iqm.loc["lab/weak", "partial"]
    ceiling = analysis.ceilings.set_index(["model", "problem"])
    assert ceiling.loc[("lab/weak", "three_sat"), "ceiling"] <= 2  # the missing level 3 cannot be passed


def test_the_same_seed_gives_the_same_intervals(store_path):
    first = analyse_stores([store_path], n_boot=100, seed=9).aggregates
    second = analyse_stores([store_path], n_boot=100, seed=9).aggregates
    assert first.equals(second)


def test_optimality_ratio_uses_the_stored_optimum(store_path):
    ratios = analyse_stores([store_path], n_boot=20).optimality
    assert set(ratios["problem"]) == {"vertex_cover"}  # three_sat has no objective
    assert (ratios["mean_ratio"] >= 1).all() and (ratios["n_with_optimum"] == ratios["n_correct"]).all()


def test_bad_input_gets_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no run store"):
        load_board([tmp_path / "absent.sqlite"])
    Store(tmp_path / "empty.sqlite").close()
    with pytest.raises(ValueError, match="hold no records"):
        load_board([tmp_path / "empty.sqlite"])


def test_report_writes_every_plot_table_and_summary(store_path, tmp_path):
    from nppc.cli import main

    assert main(["report", "--store", str(store_path), "--out", str(tmp_path / "r"), "--bootstrap", "100"]) == 0
    plots = {p.name for p in (tmp_path / "r" / "plots").iterdir()}  # this board has tokens and aha markers
    for name in ("heatmap", "aggregates", "tokens_by_level", "aha_by_level", "errors_by_level",
                 "accuracy_vertex_cover", "accuracy_three_sat"):
        assert f"{name}.png" in plots and f"{name}.svg" not in plots  # SVG only when asked for
        assert (tmp_path / "r" / "plots" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["report", "--store", str(store_path), "--out", str(tmp_path / "svg"), "--bootstrap", "100",
                 "--svg"]) == 0
    with_svg = {p.name for p in (tmp_path / "svg" / "plots").iterdir()}
    assert with_svg == plots | {name.replace(".png", ".svg") for name in plots}
    assert (tmp_path / "svg" / "plots" / "heatmap.svg").read_text().lstrip().startswith("<?xml")
    cells = json.loads((tmp_path / "r" / "tables" / "cells.json").read_text())
    assert any(row["status"] == "missing" and row["accuracy"] is None for row in cells)
    summary = (tmp_path / "r" / "summary.md").read_text()
    assert "- lab/weak: partial: 5 of 6 tasks" in summary and "API errors" in summary


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.sampled_from(["graded", "api_error", "parse_error"]), st.booleans()),
                min_size=1, max_size=14))
def test_the_board_puts_the_attempts_first_then_the_rest_each_in_store_and_record_order(rows):
    """Against the plain rule: every store's records in their order, then a stable sort putting attempts first."""
    inst = npgym.generate("vertex_cover", level=2, seed=7, index=0)
    with tempfile.TemporaryDirectory() as folder:
        paths = [Path(folder) / f"store{number}.sqlite" for number in (0, 1)]
        written: list[list[tuple]] = [[], []]
        for number, path in enumerate(paths):
            with Store(path) as store:
                store.put_instances([inst.to_record(with_key=True)])
                store.put_run(f"run-{number}", "m/x", {"adapter": "test"}, "t1", "0.1.0", None)
                for sample, (where, status, leveled) in enumerate(rows):
                    if where != number:
                        continue
                    key = (f"run-{number}", inst.id if leveled else "elsewhere", sample)
                    store.put_record({**_record(inst, "m/x", status, 1 if status == "graded" else None, "ok"),
                                      "run_id": key[0], "instance_id": key[1], "sample": sample,
                                      "level": inst.level if leveled else None})
                    written[number].append((key, status != "api_error" and leveled))
        board = load_board(paths)
    in_order = written[0] + written[1]
    expected = [key for key, counted in in_order if counted] + [key for key, counted in in_order if not counted]
    got = list(zip(board.records["run_id"], board.records["instance_id"], board.records["sample"]))
    assert got == expected
    assert len(board.attempts) == sum(counted for _, counted in in_order)


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(-5, 5), st.text(alphabet="ab\\\"\n", max_size=3) | st.none(),
                               st.floats(allow_infinity=False) | st.none(), st.booleans()), max_size=9),
       block=st.integers(1, 4))
def test_json_tables_written_in_blocks_are_the_file_pandas_writes_at_once(rows, block, tmp_path_factory):
    table = pd.DataFrame(rows, columns=["n", "text", "x", "flag"])
    folder = tmp_path_factory.mktemp("json")
    table.to_json(folder / "whole.json", orient="records", indent=1)
    write_json_rows(table, folder / "blocks.json", rows=block)
    assert (folder / "blocks.json").read_bytes() == (folder / "whole.json").read_bytes()
