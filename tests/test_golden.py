"""The golden ids pin generation: a problem whose instances change must bump its version and regenerate them."""

from __future__ import annotations

import json

import pytest

import npgym
from npgym import golden
from npgym.problem import Planted


@pytest.mark.parametrize("problem_id", npgym.problem_ids())
def test_generation_matches_the_golden_ids(problem_id):
    problems = golden.differences(problem_id, golden.read_golden())
    assert not problems, "\n".join(problems)


def test_changed_instances_under_the_same_version_name_the_level_and_the_fix(monkeypatch):
    problem = npgym.get_problem("vertex_cover")
    plant = problem.plant

    def plant_differently(rng, params):
        planted = plant(rng, params)
        return Planted({**planted.data, "k": planted.data["k"] + (params["nodes"] > 8)}, planted.certificate)

    monkeypatch.setattr(problem, "plant", plant_differently)
    messages = golden.differences("vertex_cover", golden.read_golden())
    top = problem.card.top_level
    assert [message.split(" changed")[0] for message in messages] == \
        [f"vertex_cover level {level}" for level in (3, top, top + 1)]
    bump = f"kept version {problem.version}: bump `version` in npgym/problems/vertex_cover.py and its card"
    assert bump in messages[0]
    assert "python -m npgym.golden --write" in messages[0] and "it is a bug" in messages[0]


def test_a_version_bump_without_regeneration_says_to_regenerate(monkeypatch):
    problem = npgym.get_problem("tsp")
    monkeypatch.setattr(type(problem), "version", problem.version + 1)
    [message] = golden.differences("tsp", golden.read_golden())
    assert message.startswith(f"tsp is at version {problem.version} but its golden ids are of version "
                              f"{problem.version - 1}: regenerate them with `python -m npgym.golden --write`")


def test_a_problem_missing_from_the_file_is_named():
    [message] = golden.differences("tsp", {})
    assert message.startswith("tsp has no golden ids")


def test_write_then_check_round_trips(tmp_path, monkeypatch):
    path = tmp_path / "golden.json"
    monkeypatch.setattr(golden, "problem_ids", lambda: ["partition", "tsp"])
    written = golden.write_golden(path)
    assert json.loads(path.read_text()) == written == {name: golden.current_ids(name) for name in ("partition", "tsp")}
    monkeypatch.setattr(golden, "GOLDEN_PATH", path)
    assert golden.main([]) == 0
    written["tsp"]["ids"][golden.slot_key(2, 0, 0)] = "0" * 20
    path.write_text(json.dumps(written))
    assert golden.main([]) == 1
