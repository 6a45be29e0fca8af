"""Figures fit their data: empty ones are left out with a reason, level axes are integers, styles stay apart."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from npeval import plots, render, workers
from npeval.analysis import analyse_stores
from npeval.coverage import span
from npeval.families import FAMILIES, grouped
from npeval.synthetic import SyntheticSpec, write_synthetic_store


@pytest.fixture(scope="module")
def one_level(tmp_path_factory):
    """One level, every answer correct, no reasoning text: the figures that would be empty must be left out."""
    root = tmp_path_factory.mktemp("plots")
    store = write_synthetic_store(root / "runs.sqlite", SyntheticSpec(
        models={"lab/perfect": 1.0}, problems=("vertex_cover",), levels=(1,), seeds=(1,), per_seed=3,
        parse_error_rate=0.0))
    analysis = analyse_stores([store], n_boot=20)
    analysis.aha = analysis.aha.assign(total_aha=0, mean_aha=0.0)  # as on a board of JSON-only replies
    analysis.tokens = analysis.tokens.assign(n_reported=0)  # as on a board of baselines
    return analysis, render.draw_figures(analysis, root / "out"), root / "out"


def test_empty_figures_are_left_out_with_a_reason_and_leave_no_file(one_level):
    _, figures, out = one_level
    assert set(figures.omitted) == {"tokens_by_level", "aha_by_level", "errors_by_level", "errors_vertex_cover"}
    assert "completion-token" in figures.omitted["tokens_by_level"]
    assert "every answer on vertex_cover is correct" in figures.omitted["errors_vertex_cover"]
    assert not (out / "tokens_by_level.png").exists()
    assert {"heatmap", "aggregates", "accuracy_vertex_cover"} <= set(figures.paths)


def test_a_single_level_axis_has_one_integer_tick():
    from matplotlib.figure import Figure

    axes = Figure().add_subplot()
    plots._integer_levels(axes, [1])
    assert list(axes.get_xticks()) == [1] and axes.get_xlim() == (0.5, 1.5)
    plots._integer_levels(axes, [2, 3, 5])
    assert list(axes.get_xticks()) == [2, 3, 5]


@given(st.lists(st.text(min_size=1, max_size=5), min_size=1, max_size=40, unique=True))
def test_every_model_gets_its_own_colour_and_marker(models):
    styles = plots.model_styles(models)
    assert len({(s.colour, s.marker) for s in styles.values()}) == len(models)


@given(st.lists(st.sampled_from([p for members in FAMILIES.values() for p in members] + ["new_problem"]),
                unique=True, min_size=1), st.sampled_from(["suite", "family"]))
def test_grouping_puts_every_problem_in_exactly_one_group_in_order(problems, by):
    groups = grouped(problems, by)
    members = [p for group in groups.values() for p in group]
    assert sorted(members) == sorted(problems) and all(groups.values())
    for group in groups.values():
        assert group == [p for p in problems if p in group]


@given(st.sets(st.integers(1, 30), min_size=1))
def test_a_level_span_names_exactly_its_levels(levels):
    text = span(sorted(levels)).split(" ", 1)[1]
    named = set()
    for part in text.split(", "):
        low, _, high = part.partition("-")
        named |= set(range(int(low), int(high or low) + 1))
    assert named == levels


@pytest.fixture(scope="module")
def board_analysis(store_path):
    return analyse_stores([store_path], n_boot=20)


def _pixels(path):
    from matplotlib.image import imread

    return imread(path)


def test_a_figure_redrawn_on_a_kept_one_is_the_figure_drawn_afresh(board_analysis, tmp_path, monkeypatch):
    from dataclasses import replace

    import pandas as pd

    analysis = board_analysis
    first, second = analysis.board.problems
    shares = analysis.error_shares_by_problem
    one = shares[shares["problem"] == first]  # the second problem's errors: other shares, the same panels
    analysis = replace(analysis, error_shares_by_problem=pd.concat(
        [one, one.assign(problem=second, share=one["share"].to_numpy()[::-1])]))
    for draw in (plots.accuracy_by_level, plots.errors_by_level):
        reuse = {}
        render.save(draw(analysis, first, reuse), tmp_path, "first")
        kept = draw(analysis, second, reuse)
        assert len(reuse) == 1, "both figures have one layout: the second is drawn on the first"
        assert plots.changing_artists(kept), "drawn over the backdrop of the first"
        render.save(kept, tmp_path, "kept")
        with monkeypatch.context() as whole:  # the fresh figure drawn whole
            whole.setattr(plots, "changing_artists", lambda figure: None)
            fresh = draw(analysis, second, None)
            render.save(fresh, tmp_path, "fresh")
        fresh.savefig(tmp_path / "savefig.png", dpi=render.DPI)  # as matplotlib saves it, in the same layout
        assert np.array_equal(_pixels(tmp_path / "kept.png"), _pixels(tmp_path / "fresh.png"))
        assert np.array_equal(_pixels(tmp_path / "fresh.png"), _pixels(tmp_path / "savefig.png")[:, :, :3])
        assert not np.array_equal(_pixels(tmp_path / "first.png"), _pixels(tmp_path / "fresh.png"))


def test_figures_drawn_in_several_processes_are_the_figures_drawn_in_one(board_analysis, tmp_path, monkeypatch,
                                                                        capsys):
    one = render.draw_figures(board_analysis, tmp_path / "one", processes=1)
    two = render.draw_figures(board_analysis, tmp_path / "two", processes=2)
    assert list(two.paths) == list(one.paths) and two.omitted == one.omitted and len(one.paths) >= 5
    for name, paths in one.paths.items():
        assert [path.name for path in two.paths[name]] == [path.name for path in paths]
        assert np.array_equal(_pixels(two.paths[name][0]), _pixels(paths[0])), name
    monkeypatch.setattr(workers, "ENTRY", "raise SystemExit(3)")  # a worker that dies: its share is drawn here
    again = render.draw_figures(board_analysis, tmp_path / "again", processes=2)
    assert list(again.paths) == list(one.paths) and "worker failed (exit 3) on figures" in capsys.readouterr().err


def test_the_report_writes_its_tables_once_while_other_cores_draw_and_once_when_figures_are_cached(store_path,
                                                                                                   tmp_path,
                                                                                                   monkeypatch):
    from npeval import report

    events = []
    start = workers.start
    monkeypatch.setattr(workers, "start", lambda *job: events.append("worker started") or start(*job))
    monkeypatch.setattr(render, "default_processes", lambda figures: 2)
    analysis = analyse_stores([store_path], n_boot=17)  # its own cache entry: figures drawn once, then copied
    for attempt in ("drawn", "copied"):
        report.figures(analysis, tmp_path / attempt, meanwhile=lambda: events.append("tables"))
    assert events == ["worker started", "tables", "tables"]


def _stat(*cpus: tuple[int, int]) -> str:
    """A /proc/stat whose CPUs have these (busy, idle) ticks."""
    lines = [f"cpu{number} {busy} 0 0 {idle} 0 0 0 0 0 0" for number, (busy, idle) in enumerate(cpus)]
    return "\n".join(["cpu 1 2 3 4 5 6 7 8 9 10", *lines, "intr 12 3", "ctxt 99"]) + "\n"


@pytest.mark.parametrize(("then", "spare"), [((0, 0), 1), ((3, 1), 1), ((5, 5), 0), ((7, 0), 0), ((10, 10), 0)])
def test_workers_go_only_to_cores_nothing_else_kept_busy(monkeypatch, tmp_path, then, spare):
    """Two CPUs, watched while this process sleeps: each kept busy for some of the ticks (10 per CPU)."""
    import os

    stat = tmp_path / "stat"
    stat.write_text(_stat((100, 900), (200, 800)))
    later = _stat((100 + then[0], 900 + 10 - then[0]), (200 + then[1], 800 + 10 - then[1]))
    monkeypatch.setattr(workers.time, "sleep", lambda seconds: stat.write_text(later))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert workers.busy_cores(0.05, str(stat)) == pytest.approx((then[0] + then[1]) / 10)
    monkeypatch.setattr(workers, "cores", lambda: 2)
    monkeypatch.setattr(workers, "busy_cores", lambda seconds: (then[0] + then[1]) / 10)
    monkeypatch.setattr(workers, "_spare", None)
    assert workers.spare_cores() == spare  # one core is this process's own
    assert render.default_processes(render.PARALLEL_FROM) == 1 + spare


def test_cores_outside_the_affinity_and_other_lines_are_not_counted(monkeypatch, tmp_path):
    import os

    stat = tmp_path / "stat"
    stat.write_text(_stat((0, 0), (0, 0), (0, 0)))
    monkeypatch.setattr(workers.time, "sleep", lambda seconds: stat.write_text(_stat((10, 0), (0, 10), (10, 0))))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {1, 2}, raising=False)
    assert workers.busy_cores(0.05, str(stat)) == pytest.approx(1.0)  # cpu0 is not this process's


@pytest.mark.parametrize(("load", "spare"), [(0.1, 1), (1.4, 1), (1.6, 0), (7.0, 0), (None, 1)])
def test_without_proc_stat_the_load_average_tells_the_spare_cores(monkeypatch, load, spare):
    import os

    def load_average():
        if load is None:
            raise OSError("no load average")
        return (load, load, load)

    monkeypatch.setattr(workers, "cores", lambda: 2)
    monkeypatch.setattr(workers, "busy_cores", lambda seconds: None)
    monkeypatch.setattr(os, "getloadavg", load_average)
    monkeypatch.setattr(workers, "_spare", None)
    assert workers.spare_cores() == spare  # the load counts this process: one core is its own


def test_the_machine_is_looked_at_once_and_again_only_when_the_answer_is_old(monkeypatch):
    looks, clock = [], [1000.0]
    monkeypatch.setattr(workers, "_look_for_spare_cores", lambda: looks.append(clock[0]) or len(looks))
    monkeypatch.setattr(workers.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(workers, "_spare", None)
    assert [workers.spare_cores(), workers.spare_cores()] == [1, 1]
    clock[0] += workers.FRESH_SECONDS + 1
    assert workers.spare_cores() == 2 and looks == [1000.0, 1000.0 + workers.FRESH_SECONDS + 1]


def test_a_core_kept_busy_by_another_process_is_seen_busy():
    """The real /proc/stat (the suite runs on Linux, as its sandbox does) while a child process spins on one core."""
    import subprocess
    import sys

    spinner = subprocess.Popen([sys.executable, "-c", "print(flush=True)\nwhile True: pass"], stdout=subprocess.PIPE)
    try:
        spinner.stdout.readline()  # it is spinning now
        assert workers.busy_cores(0.3) >= 0.5
    finally:
        spinner.kill()
        spinner.wait()


def test_every_errors_figure_lists_and_colours_the_outcomes_of_the_board_alike(board_analysis):
    from dataclasses import replace

    import pandas as pd

    first, second = board_analysis.board.problems
    shares = board_analysis.error_shares_by_problem
    one = shares[shares["problem"] == first]
    dropped = sorted(set(one["category"]) - {"ok"})[0]  # the second problem lacks one of the first's outcomes
    analysis = replace(board_analysis, error_shares_by_problem=pd.concat(
        [one, one.assign(problem=second, category=one["category"].replace(dropped, "ok"))]))
    board = plots.board_outcomes(analysis, analysis.error_shares)

    def legend(problem):
        figure = plots.errors_by_level(analysis, problem)
        (drawn,) = figure.legends
        return {text.get_text(): handle.get_facecolor() for text, handle in zip(drawn.texts, drawn.legend_handles)}

    one, two = legend(first), legend(second)
    assert list(one) == list(two) == list(board) and dropped in two
    assert one == two, "an outcome has the same colour on every problem"
    reuse = {}
    for problem in (first, second):
        plots.errors_by_level(analysis, problem, reuse)
    assert len(reuse) == 1, "the same models and levels: one figure, redrawn"


def test_figure_batches_keep_each_process_to_its_kinds_and_help_only_with_what_is_left():
    names = [f"errors_{i}" for i in range(10)] + [f"accuracy_{i}" for i in range(4)] + ["heatmap"]
    batches = render._Batches(names, processes=2)
    first, second = set(), set()
    assert batches.take(first) == ["errors_0", "errors_1"]  # the biggest kind first
    assert batches.take(second) == ["accuracy_0", "accuracy_1"]  # a kind no one has begun
    assert batches.take(first) == ["errors_2", "errors_3"]  # its own kind again
    assert batches.take(second) == ["accuracy_2", "accuracy_3"]
    assert batches.take(second) == ["heatmap"]
    assert batches.take(second) == ["errors_4", "errors_5"]  # helps: three batches of errors were left
    assert batches.take(second) == ["errors_6", "errors_7"]  # begun now: its own kind as well
    assert batches.take(first) == ["errors_8", "errors_9"]
    assert batches.take(first) is None and batches.take(second) is None
    batches.give_back(["accuracy_9"])  # a failed worker's batch comes back for whoever finishes the rest
    assert batches.take() == ["accuracy_9"] and batches.take() is None

    late = render._Batches([f"errors_{i}" for i in range(4)] + ["heatmap"], processes=2)
    mine, other = set(), set()
    assert late.take(mine) == ["errors_0", "errors_1"] and late.take(other) == ["heatmap"]
    assert late.take(other) is None  # one batch of errors left: less than a layout's worth of help
    single = render._Batches(names, processes=1)
    assert sum(len(batch) for batch in iter(single.take, None)) == len(names)
