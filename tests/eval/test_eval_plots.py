"""Figures fit their data: empty ones are left out with a reason, level axes are integers, styles stay apart."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from npeval import plots
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
    return analysis, plots.all_figures(analysis, root / "out"), root / "out"


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
