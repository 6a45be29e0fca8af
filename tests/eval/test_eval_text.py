"""Aha markers, the error taxonomy and the judge-free reasoning-error detectors."""

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from npeval import detectors, markers
from npeval.analysis import analyse_stores
from npeval.errors import categorise


def test_aha_markers_match_whole_words_only():
    pattern = markers.marker_pattern(markers.DEFAULT_MARKERS)
    text = "I await the answer; awaiting more. Wait. WAIT, hmm... Actually, let me   re-check. Waiter!"
    assert markers.count_markers(text, pattern) == 5  # Wait, WAIT, hmm, Actually, let me re-check
    assert markers.count_markers("await awaiting waited", pattern) == 0
    custom = markers.marker_pattern(["on second thought"])
    assert markers.count_markers("On second\nthought, no. second thought", custom) == 1
    with pytest.raises(ValueError, match="empty"):
        markers.marker_pattern([" "])


def test_reasoning_text_is_searched_before_the_response():
    records = pd.DataFrame({"reasoning_text": ["wait wait", None, "  "], "response_text": ["hmm", "hmm", "wait"]})
    assert list(markers.analysed_text(records)) == ["wait wait", "hmm", "wait"]


def test_error_taxonomy_gives_one_category_per_record():
    records = pd.DataFrame({
        "status": ["graded", "graded", "parse_error", "truncated", "refusal", "api_error"],
        "code": ["ok", "constraint", "no_json", None, None, "rate_limit"],
        "is_correct": [True, False, False, False, False, False]})
    assert list(categorise(records)) == ["ok", "verdict:constraint", "parse:no_json", "truncated", "refusal",
                                         "api:rate_limit"]


GRAPH = {"n": 5, "edges": [[0, 1], [1, 2], [3, 4]]}


def test_hallucinated_vertices_and_edges_are_found_against_the_instance():
    found = detectors.hallucinated_elements("Use vertex 7 and vertices 1, 2 and 9; edge 0-1 is fine, edge 2-3 is "
                                            "not, edges (3, 4), (0, 4).", GRAPH)
    assert found == ["vertex 7", "vertices 9", "edge 2-3", "edge 0-4"]
    assert detectors.hallucinated_elements("vertex 4 and edge 3-4", GRAPH) == []
    assert detectors.hallucinated_elements("x0 is true, x3 too, variable 6", {"n": 5, "clauses": []}) == \
        ["variable 6", "x0"]
    assert detectors.hallucinated_elements("vertex 99", {"items": [1]}) is None  # no detector: not applicable


@pytest.mark.parametrize("text, found", [
    ("2 + 3 = 5 and 4 * 5 = 20 and 10 - 4 = 6", []),
    ("so 2 + 2 = 5.", ["2 + 2 = 5"]),
    ("1 + 2 + 3 = 7", ["1 + 2 + 3 = 7"]),
    ("x - 2 + 3 = 1", []),             # part of a longer expression
    ("the edge 1-3 = 4 units", []),   # an unspaced dash is a range or an edge
    ("7 × 8 = 54", ["7 × 8 = 54"]),
    ("2.5 * 2 = 5.0 and 3 * 0.33 = 1.0", []),  # equal up to the rounding of the stated result
    ("2 + 2 == 5", []),
])
def test_false_arithmetic_statements(text, found):
    assert detectors.false_arithmetic(text) == found


def test_contradiction_between_conclusion_and_answer():
    assert detectors.contradiction("Therefore no solution exists.", '{"solution": [1, 2]}')
    assert detectors.contradiction("All edges are covered.", '{"solution": null}')
    assert not detectors.contradiction("If no solution exists I answer null. Found a valid cover.", '{"solution": [1]}')
    assert not detectors.contradiction("No solution exists.", '{"solution": null}')
    assert not detectors.contradiction("No solution exists.", "")  # nothing extracted: nothing to contradict


def test_giving_up_and_truncation():
    findings = detectors.detect({"reasoning_text": "There are too many combinations. I'll just guess.",
                                 "status": "truncated", "finish_reason": "length"}, GRAPH)
    assert findings.gave_up == ["too many combinations", "i'll just guess"] and findings.stopped_early
    assert detectors.detect({"response_text": "Done.", "code": "range"}, GRAPH).hallucinated == \
        ["answer: out-of-range element"]


def test_detector_shares_on_a_store(store_path):
    analysis = analyse_stores([store_path], n_boot=20)
    wrong = analysis.reasoning_errors[analysis.reasoning_errors["outcome"] == "wrong"]
    assert wrong["false_arithmetic"].gt(0).all()  # every synthetic wrong answer states 4 + 4 = 9
    assert analysis.aha["total_aha"].sum() > 0 and "await" not in set(analysis.aha_markers["marker"])


def test_the_marker_pattern_is_the_same_in_every_process():
    """It salts the findings cache: a pattern that followed set order (string hashing) would miss it every run."""
    import os
    import subprocess
    import sys

    code = "from npeval import markers; print(markers.marker_pattern(markers.DEFAULT_MARKERS).pattern)"
    patterns = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                               env={**os.environ, "PYTHONHASHSEED": seed}).stdout
                for seed in ("1", "2", "3")}
    assert len(patterns) == 1
    assert markers.marker_pattern(reversed(markers.DEFAULT_MARKERS)).pattern == patterns.pop().strip()


@pytest.mark.parametrize("block", [7, 100_000])  # several blocks (contents seen again in a later one), or one
def test_text_findings_are_each_records_own_findings(store_path, tmp_path, monkeypatch, block):
    """Against the plain reference: every attempt's texts read on their own and searched on their own."""
    import json
    import sqlite3

    import numpy as np

    from npeval import data, findings
    from npeval.data import load_board

    monkeypatch.setattr(data, "_TEXT_BLOCK", block)
    board = load_board([store_path])
    pattern = markers.marker_pattern(markers.DEFAULT_MARKERS)
    table = findings.text_findings(board, pattern, tmp_path / "findings.sqlite")
    with sqlite3.connect(store_path) as db:
        instances = {key: json.loads(record).get("data")
                     for key, record in db.execute("SELECT instance_id, record_json FROM instances")}
        expected = []
        for attempt in board.attempts.itertuples():
            texts = db.execute("SELECT reasoning_text, response_text, answer_json FROM records WHERE rowid = ?",
                               (attempt.rowid,)).fetchone()
            record = {"instance_id": attempt.instance_id, "status": attempt.status, "code": attempt.code,
                      "finish_reason": attempt.finish_reason, "reasoning_text": texts[0], "response_text": texts[1],
                      "answer_json": texts[2]}
            expected.append(findings.findings_of(record, instances.get(attempt.instance_id), pattern))
    expected = pd.DataFrame(expected, columns=findings.COLUMNS, index=board.attempts.index)
    assert len(table) == len(expected) > 100 and table["aha"].sum() > 0 and table["false_arithmetic"].sum() > 0
    for column in findings.COLUMNS:
        left, right = table[column].to_numpy(dtype=object), expected[column].to_numpy(dtype=object)
        same = [a == b or (a != a and b != b) for a, b in zip(left, right)]  # NaN (no detector) equals NaN
        assert np.all(same), column


_TRICKY = ["I", "i", "İ", "ı", "ſ", "K", "\u212a", "ﬀ", "\n", "ok,", "x", "-", "?!", "3", "7, 9", "and", "12"]
_VOCABULARY = {  # per pattern: the words of its phrases, among which it is searched
    "give up": ["cannot", "CAN'T", "can", "too", "many", "cases", "give", "up", "ſtep", "Unable", "to", "solve", "best",
                "guess", "I'll", "just", "will", "not", "feasible", "would", "take", "long", "large"],
    "none": ["no", "valid", "solution", "solutions", "exists", "is", "are", "unsatisfiable", "not", "possible",
             "colourable", "cannot", "be", "covered", "does", "doesn't", "exist", "such", "set"],
    "found": ["found", "a", "the", "valid", "cover", "tour", "solution", "coloring", "is", "this", "works",
              "satisfies", "all", "clauses", "edges", "are", "satisfied"],
    "graph": ["vertex", "vertices", "Nodes", "node", "vert"], "cities": ["city", "cities", "nodes", "CITY"],
    "cnf": ["variable", "vars", "Variables", "var"],
    "markers": ["wait", "WAIT", "hmm", "let", "me", "re-check", "double-check", "double", "check", "oops", "scratch",
                "that", "that's", "wrong", "actually", "on", "second", "thought"],
    "custom markers": ["?!", "-y", "y", "ſo", "so", "İt", "it", "k", "K", "3 7"],
}


def _plain(pattern):
    """``pattern`` without its first-letters lookahead (what it was written as)."""
    import re

    return re.compile(re.sub(r"\(\?=\[[^]]*\]\)", "", pattern.pattern, count=1), re.IGNORECASE)


@settings(max_examples=400)
@given(st.data(), st.sampled_from(sorted(_VOCABULARY)))
def test_a_first_letters_lookahead_skips_words_without_changing_the_matches(data, which):
    patterns = {"give up": detectors._GIVE_UP, "none": detectors._NONE_CLAIM, "found": detectors._FOUND_CLAIM,
                **{shape: detectors._ELEMENTS[shape] for shape in ("graph", "cities", "cnf")},
                "markers": markers.marker_pattern(markers.DEFAULT_MARKERS),
                "custom markers": markers.marker_pattern(["?!", "-y", "ſo", "İt", "k", "3 7"])}
    fast = patterns[which]
    assert "(?=[" in fast.pattern
    text = " ".join(data.draw(st.lists(st.sampled_from(_TRICKY + _VOCABULARY[which] * 3), max_size=10)))
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in _plain(fast).finditer(text)]


@given(st.lists(st.tuples(st.sampled_from(["m/a", "m/b", "m/c"]),
                          st.lists(st.sampled_from(["wait", "hmm", "let me verify"]), max_size=3)), max_size=30))
def test_marker_counts_split_each_distinct_text_once_and_count_as_exploding_every_attempt(attempts):
    models = pd.Series([model for model, _ in attempts], dtype=object)
    found = pd.Series([markers.MARKER_SEPARATOR.join(words) for _, words in attempts], dtype=object)
    plain = pd.DataFrame([(model, word) for model, words in attempts for word in words], columns=["model", "marker"],
                         dtype=object)
    expected = plain.groupby(["model", "marker"]).size().rename("count").reset_index()
    got = markers.marker_counts(models, found)
    assert got.to_dict("records") == expected.to_dict("records")
    assert list(got.columns) == ["model", "marker", "count"] and got["count"].dtype == "int64"


def test_texts_searched_in_a_worker_are_the_findings_searched_here(store_path, monkeypatch, capsys,
                                                                   workers_for_any_board):
    from npeval import early, findings, workers
    from npeval.data import load_board

    monkeypatch.setenv("NPPC_CACHE_DIR", "off")  # the worker must search, not read this test's earlier findings
    board = load_board([store_path])
    pattern = markers.marker_pattern(markers.DEFAULT_MARKERS)
    here = findings.text_findings(board, pattern)
    search = findings.Search(board, pattern)
    assert search.worker is not None
    pd.testing.assert_frame_equal(search.result(), here, check_exact=True)
    # started before the board was read, as `nppc report` does, with the markers by name
    started = early.start_search([store_path], list(markers.DEFAULT_MARKERS))
    assert started is not None
    pd.testing.assert_frame_equal(findings.Search(board, pattern, started).result(), here, check_exact=True)
    monkeypatch.setattr(workers, "ENTRY", "raise SystemExit(3)")  # a worker that dies: the texts are searched here
    pd.testing.assert_frame_equal(findings.Search(board, pattern).result(), here, check_exact=True)
    assert "worker failed (exit 3) on the text findings" in capsys.readouterr().err


def test_a_worker_that_read_other_records_is_not_trusted(store_path, monkeypatch, workers_for_any_board):
    """A run may write between the worker's read of the stores and this process's: then the texts are
    searched here, on this process's board."""
    from dataclasses import replace

    from npeval import early, findings
    from npeval.data import load_board

    monkeypatch.setenv("NPPC_CACHE_DIR", "off")
    full = load_board([store_path])
    board = replace(full, records=full.records.iloc[3:].reset_index(drop=True))  # as if read before 3 records
    pattern = markers.marker_pattern(markers.DEFAULT_MARKERS)
    started = early.start_search([store_path], None)
    found = findings.Search(board, pattern, started).result()
    pd.testing.assert_frame_equal(found, findings.text_findings(board, pattern), check_exact=True)
    assert len(found) == len(board.attempts) == len(full.attempts) - 3


def test_a_worker_whose_caller_fails_is_stopped():
    """An analysis that raises leaves no worker behind: its result would never be asked for."""
    from npeval import workers

    worker = workers.start("time:sleep", 600)
    with pytest.raises(KeyboardInterrupt), workers.stopped_on_error(worker):
        raise KeyboardInterrupt
    assert worker.process.poll() is not None  # killed and reaped, not left sleeping
    with workers.stopped_on_error(None):
        pass  # no worker: nothing to stop


@settings(max_examples=2000)
@example(["1", " ", "+", " ", "2", " ", "=", " ", "3", " ", "+", " ", "2", " ", "=", " ", "5"])  # two share the 3
@given(st.lists(st.sampled_from(["1", "2", "0", "12", "3.5", ".", "-", "+", "*", "×", "·", "=", "==", "<=", "!", " ",
                                 "\n", "\u2003", "x", "(", ")", "/", "^", ",", "٣", "a"]), max_size=30))
def test_statements_are_searched_only_around_each_equals_sign_and_found_as_in_the_whole_text(pieces):
    text = "".join(pieces)
    assert [m.span() for m in detectors._statements(text)] == [m.span() for m in detectors._CHAIN.finditer(text)]


_DATA_VALUES = st.one_of(st.none(), st.integers(-3, 30), st.floats(0, 30, allow_nan=False), st.text(max_size=3),
                         st.lists(st.lists(st.integers(0, 9), min_size=2, max_size=2), max_size=6),
                         st.lists(st.integers(0, 9), max_size=6))
_DATA = st.one_of(st.none(), st.lists(st.integers(), max_size=2),
                  st.dictionaries(st.sampled_from(["n", "clauses", "edges", "distances", "items"]), _DATA_VALUES))


@settings(max_examples=300, deadline=None)
@given(st.lists(_DATA, min_size=1, max_size=6))
def test_the_data_the_detectors_read_is_read_from_sqlite_with_the_same_findings_as_the_parsed_records(tmp_path_factory,
                                                                                                       datas):
    import json
    import sqlite3

    from npeval.data import Board

    path = tmp_path_factory.mktemp("instances") / "store.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE instances (instance_id TEXT PRIMARY KEY, record_json TEXT)")
        rows = [(f"i{index}", json.dumps({"id": f"i{index}", "data": data})) for index, data in enumerate(datas)]
        db.executemany("INSERT INTO instances VALUES (?, ?)", rows)
    empty = pd.DataFrame()
    board = Board(empty, empty, empty, empty, (str(path),))
    parsed, read = board.instance_data(), detectors.detected_data(board)
    assert parsed.keys() == read.keys()
    for text in ("vertex 3 and edge 1-2, x5 and x_0, variable 4; nodes 1, 2 and 99", "edges: (0, 1), (2, 3)",
                 "cities 0, 5 and 200", "nothing named"):
        for key in parsed:
            expected = _outcome(detectors.hallucinated_elements, text, parsed[key])
            assert _outcome(detectors.hallucinated_elements, text, read[key]) == expected, (text, parsed[key])


def _outcome(function, *arguments):
    """What ``function`` returns, or the type of what it raises (odd data may make a detector raise)."""
    try:
        return function(*arguments)
    except Exception as error:  # noqa: BLE001 - the same failure is the same outcome
        return type(error)
