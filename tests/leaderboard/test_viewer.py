"""The sample viewer's files: every record once, in contiguous groups, each findable from the manifest alone."""

import json
import re
import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaderboard import viewer
from leaderboard.html import embed_json
from nppc.cli import main

CALL = re.compile(r'^nppcViewer\.receive\("(\w+)",(\d+),(.*)\);\n$', re.S)


def read(folder, kind, number):
    text = (folder / "data" / f"{kind}-{number:05d}.js").read_text(encoding="utf-8")
    match = CALL.match(text)
    assert match and match.group(1) == kind and int(match.group(2)) == number
    assert "<" not in match.group(3) and ">" not in match.group(3) and "&" not in match.group(3)
    return json.loads(match.group(3))


def store_records(paths):
    rows = []
    for path in paths:
        with sqlite3.connect(path) as db:
            rows += db.execute("SELECT run_id, instance_id, sample, model, problem, status, response_text "
                               "FROM records").fetchall()
    return rows


@pytest.fixture(scope="module")
def small_chunks(stores, tmp_path_factory, monkeypatch_module):
    """A viewer written with tiny data files, so records spread over many files of every kind."""
    monkeypatch_module.setattr(viewer, "LIST_CHUNK", 7)
    monkeypatch_module.setattr(viewer, "DETAIL_BYTES", 3000)
    monkeypatch_module.setattr(viewer, "PROMPT_BYTES", 10)
    return viewer.write_viewer(stores, tmp_path_factory.mktemp("viewer") / "v")


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_groups_partition_the_records_and_hold_one_value_of_each_filter(small_chunks, stores):
    folder = small_chunks.root
    manifest = read(folder, "manifest", 0)
    expected = store_records(stores)
    assert manifest["total"] == len(expected) == small_chunks.records
    start = 0
    for group in manifest["groups"]:
        assert group[5] == start and group[6] > 0
        start += group[6]
    assert start == manifest["total"]
    keys = [tuple(group[:5]) for group in manifest["groups"]]
    assert len(keys) == len(set(keys))  # each combination of filter values is one contiguous group


def test_every_record_is_found_from_the_manifest_with_its_own_texts(small_chunks, stores):
    folder = small_chunks.root
    manifest = read(folder, "manifest", 0)
    assert len(manifest["detail_starts"]) > 3  # the tiny limits really split the data
    by_key = {(r[0], r[1], r[2]): r for r in store_records(stores)}
    seen = set()
    for group in manifest["groups"]:
        model, problem, status = (manifest["models"][group[0]], manifest["problems"][group[1]],
                                  manifest["statuses"][group[3]])
        for record in range(group[5], group[5] + group[6]):
            file = max(i for i, s in enumerate(manifest["detail_starts"]) if s <= record)
            detail = read(folder, "detail", file)[record - manifest["detail_starts"][file]]
            listed = read(folder, "list", record // manifest["list_chunk"])[record % manifest["list_chunk"]]
            run = manifest["runs"][detail["run"]]
            key = (run["run_id"], detail["instance_id"], listed[2])
            assert key not in seen
            seen.add(key)
            truth = by_key[key]
            assert (truth[3], truth[4], truth[5], truth[6]) == (model, problem, status, detail["response"])
            prompts = dict(read(folder, "prompt", detail["prompt"][0]))
            assert prompts[detail["prompt"][1]] == "synthetic prompt"
    assert seen == set(by_key)


def test_hostile_names_stay_data_and_the_page_has_no_data_in_it(small_chunks, evil_names):
    manifest = read(small_chunks.root, "manifest", 0)
    assert set(evil_names) <= set(manifest["models"])
    page = (small_chunks.root / "index.html").read_text()
    assert "<img src=x" not in page and "alert" not in page


def test_a_rebuild_leaves_no_stale_files(stores, tmp_path):
    first = viewer.write_viewer(stores, tmp_path / "v")
    (tmp_path / "v" / "data" / "list-09999.js").write_text("stale")
    second = viewer.write_viewer(stores[:1], tmp_path / "v")
    assert not (tmp_path / "v" / "data" / "list-09999.js").exists() and second.records < first.records


def test_nppc_view_writes_a_folder_beside_the_store_and_names_bad_input(stores, tmp_path, capsys):
    assert main(["view", str(stores[0]), "--out", str(tmp_path / "out")]) == 0
    assert "open " in capsys.readouterr().out and (tmp_path / "out" / "index.html").is_file()
    assert main(["view", str(tmp_path / "nope.sqlite")]) == 2
    assert "no run store at" in capsys.readouterr().err


def reference_embed_json(value):
    """embed_json the plain way: dump, then replace each unsafe character everywhere."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.sampled_from("ab <>&\u2028\u2029\"\\\n\u00e9\U0001f600")),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=3), children, max_size=4),
    max_leaves=12)


@given(st.lists(json_values, max_size=6))
def test_embedded_json_is_the_plain_escape_and_a_list_is_its_items_joined(values):
    """With orjson (the analysis extra) the text may write a float otherwise, never another value; without it,
    the text is the standard library's, character for character."""
    from leaderboard import html

    text = embed_json(values)
    assert json.loads(text) == json.loads(reference_embed_json(values))
    assert not any(char in text for char in "<>&\u2028\u2029")
    assert json.loads("[" + ",".join(embed_json(value) for value in values) + "]") == json.loads(text)  # list files
    saved, html.orjson = html.orjson, None
    try:
        assert embed_json(values) == reference_embed_json(values)
        assert embed_json(values) == "[" + ",".join(embed_json(value) for value in values) + "]"
    finally:
        html.orjson = saved


def test_the_viewer_writes_with_orjson_from_the_analysis_extra():
    from leaderboard import html

    assert html.orjson is not None, "orjson is missing: the analysis extra installs it (scripts/install.sh)"
    assert embed_json([0.00001]) == "[0.00001]"  # orjson's way of writing it

