"""summary.md: text that stays text in any Markdown viewer (HTML allowed), tables that fit 100 columns."""

import html
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from npeval import markdown as md
from npeval.analysis import analyse_stores
from npeval.report import write_report
from npeval.synthetic import SyntheticSpec, write_synthetic_store

markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py (the test extra) renders the summary")
HOSTILE = ("<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>", "[link](javascript:alert(3))",
           "# heading | pipe *bold* _em_ `code` &lt;b&gt;", "1. list", "- item", "lab/plain-model_v2")


def render(text: str) -> str:
    return markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


def text_of(rendered: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", rendered))


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1))
def test_escaped_text_renders_as_exactly_that_text_and_no_tag(text):
    rendered = render("x " + md.escape_text(text) + " y")
    assert re.findall(r"<(\w+)", rendered) == ["p"]  # one paragraph: no element came from the text
    assert text_of(rendered).strip() == ("x " + text + " y").strip()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1), min_size=1,
                max_size=30))
@example(words=[" ", " ", "0"])  # four spaces after the marker once opened a code block
def test_a_wrapped_bullet_of_escaped_words_is_one_list_item_of_those_words(words):
    rendered = render(md.bullet(" ".join(md.escape_text(word) for word in words)))
    assert re.findall(r"<(\w+)", rendered) == ["ul", "li"]
    assert " ".join(text_of(rendered).split()) == " ".join(" ".join(words).split())


@pytest.mark.parametrize("name", HOSTILE)
def test_escaped_text_in_a_table_cell_stays_one_cell(name):
    rendered = render(md.table(["model", "n"], [[md.escape_text(name), "1"]]))
    assert rendered.count("<td>") == 2 and "<img" not in rendered and "<script" not in rendered
    assert text_of(rendered.split("<td>")[1].split("</td>")[0]) == name


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    root = tmp_path_factory.mktemp("summary")
    models = {name: 0.8 - 0.1 * i for i, name in enumerate(HOSTILE)}
    store = write_synthetic_store(root / "runs.sqlite", SyntheticSpec(
        models=models, problems=("vertex_cover", "three_sat", "partition", "set_packing", "tsp"),
        levels=(1, 2), seeds=(1,), per_seed=2, drop_cells={(HOSTILE[0], "tsp", 2)}, random_seed=4))
    return write_report(analyse_stores([store], n_boot=50), root / "report").summary.read_text()


def test_no_hostile_name_becomes_markup_in_the_rendered_summary(summary):
    rendered = render(summary)
    assert "<img" not in rendered and "<script" not in rendered and "javascript:" not in re.sub(
        r">[^<]*<", "><", rendered)  # the words may appear as text, never inside a tag
    for name in HOSTILE:
        assert name in text_of(rendered)


def test_summary_fits_100_columns_and_has_one_table_per_family(summary):
    # Tables fit 100 columns for model names up to 24 characters; a longer name widens its table by the excess.
    excess = max(len(md.escape_text(name)) for name in HOSTILE) - 24
    for line in summary.splitlines():
        assert len(line) <= 100 + excess, line
    for family in ("Graphs", "Partitions", "Set systems", "Routes & layouts", "Logic, strings & numbers"):
        assert f"### {family}" in summary
    assert "VC = vertex_cover" in summary and "partial: 9 of 10 tasks" in summary
