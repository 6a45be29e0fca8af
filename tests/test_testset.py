"""Test-set files hold nothing of the answer, and never the same instance twice in one (problem, level)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

import npgym
from npgym import testset
from npgym.canonical import content_hash
from npgym.instance import KEY_FIELDS, PUBLIC_FIELDS
from npgym.testset import ShortfallError, ShortfallWarning, generate_testset, read_testset, write_testset
from nppc.cli import main

#: words that name the answer or how it was made; none may appear as a key anywhere in a public line
ANSWER_WORDS = {"label", "certificate", "optimum", "meta", "seed", "index", "planted", "effort", "attempts",
                "tight", "solution"}


def keys_anywhere(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | set().union(*(keys_anywhere(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_anywhere(item) for item in value)) if value else set()
    return set()


@pytest.fixture(scope="module")
def mixed_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mixed")
    instances = list(generate_testset(["vertex_cover", "three_sat"], [2, 3], seed=12, count=6, no_fraction=0.5,
                                      tight=True, time_limit=20))
    instances += generate_testset(["subset_sum"], [2], seed=12, count=6, no_fraction=0.5, time_limit=20)
    write_testset(instances, folder / "public.jsonl", key_path=folder / "keys.jsonl")
    public = [json.loads(line) for line in open(folder / "public.jsonl")]
    keys = {json.loads(line)["id"]: json.loads(line) for line in open(folder / "keys.jsonl")}
    return instances, public, keys


def test_a_public_line_holds_only_the_public_fields(mixed_files):
    instances, public, keys = mixed_files
    assert {instance.label for instance in instances} == {"yes", "no"}
    for record in public:
        assert list(record) == list(PUBLIC_FIELDS)
        assert not keys_anywhere({name: record[name] for name in record if name != "data"}) & ANSWER_WORDS
        assert not set(record["data"]) & ANSWER_WORDS


def test_the_id_is_the_hash_of_the_public_fields_alone(mixed_files):
    _, public, _ = mixed_files
    for record in public:
        shown = {name: record[name] for name in ("problem", "version", "level", "params", "data")}
        assert record["id"] == content_hash(shown)


def test_yes_and_no_lines_differ_only_in_data_and_id(mixed_files):
    instances, public, _ = mixed_files
    label = {instance.id: instance.label for instance in instances}
    by_level: dict[tuple, dict[str, set]] = {}
    for record in public:
        shape = json.dumps({name: record[name] for name in record if name not in ("id", "data")}, sort_keys=True)
        cell = by_level.setdefault((record["problem"], record["level"]), {"yes": set(), "no": set()})
        cell[label[record["id"]]].add((shape, len(record["id"]), tuple(sorted(record["data"]))))
    for cell in by_level.values():
        assert cell["yes"] == cell["no"] and len(cell["yes"]) == 1


def test_the_key_file_holds_the_answer_and_how_it_was_made(mixed_files):
    instances, public, keys = mixed_files
    assert set(keys) == {record["id"] for record in public}
    for instance in instances:
        key = keys[instance.id]
        assert set(key) == {"id", *KEY_FIELDS}
        assert (key["seed"], key["index"], key["label"]) == (12, instance.index, instance.label)
        if instance.label == "no":
            effort = key["meta"]["effort"]
            assert key["meta"]["planted"] is False and effort["solver"] and "seconds" not in effort  # no timing


def test_a_public_file_read_without_its_key_knows_no_answer(tmp_path, mixed_files):
    instances, public, _ = mixed_files
    path = tmp_path / "public.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in public))
    for loaded, original in zip(read_testset(path), instances):
        assert loaded.id == original.id and loaded.data == original.data
        assert (loaded.label, loaded.certificate, loaded.seed, loaded.index, loaded.meta) == ("unknown", None, None,
                                                                                              None, {})


def test_each_level_holds_distinct_instances_even_when_slots_repeat(monkeypatch):
    real = testset.generate
    monkeypatch.setattr(testset, "generate", lambda problem, level, seed, index, **kw: real(problem, level, seed,
                                                                                            index // 3, **kw))
    instances = list(generate_testset(["three_sat"], [2, 3], seed=5, count=7))
    for level in (2, 3):
        ids = [instance.id for instance in instances if instance.level == level]
        assert len(ids) == 7 and len(set(ids)) == 7


def test_a_level_that_runs_out_of_distinct_instances_stops_or_warns():
    with pytest.raises(ShortfallError, match=r"bandwidth level 1 gave only \d+ distinct instances of the 40"):
        list(generate_testset(["bandwidth"], [1], seed=0, count=40))
    with pytest.warns(ShortfallWarning, match="gave only"):
        instances = list(generate_testset(["bandwidth"], [1], seed=0, count=40, allow_fewer=True))
    assert 0 < len(instances) < 40 and len({instance.id for instance in instances}) == len(instances)


def test_cli_generate_writes_key_free_files_with_a_secret_seed(tmp_path, capsys):
    out, keys = tmp_path / "t.jsonl", tmp_path / "k.jsonl"
    assert main(["generate", "--problems", "three_sat", "--levels", "2", "--count", "3", "--no-fraction", "0.34",
                 "--out", str(out), "--key-out", str(keys)]) == 0
    assert all(list(json.loads(line)) == list(PUBLIC_FIELDS) for line in open(out))
    seeds = {json.loads(line)["seed"] for line in open(keys)}
    assert len(seeds) == 1 and f"seed {seeds.pop()} (random" in capsys.readouterr().err
    assert main(["generate", "--problems", "bandwidth", "--levels", "1", "--count", "40", "--out", str(out),
                 "--key-out", str(keys)]) == 2
    assert not out.exists() and not keys.exists() and "gave only" in capsys.readouterr().err


def test_a_mixed_test_set_puts_yes_bounds_at_the_proved_optimum_too():
    instances = list(generate_testset(["vertex_cover"], [3], seed=4, count=6, no_fraction=0.5, time_limit=20))
    yes = [instance for instance in instances if instance.label == "yes"]
    assert yes and all(instance.data["k"] == instance.optimum for instance in yes)
    assert all(instance.data["k"] == instance.optimum - 1 for instance in instances if instance.label == "no")
    planted_only = list(generate_testset(["vertex_cover"], [3], seed=4, count=3))
    assert all(instance.optimum is None and instance.meta == {"planted": True} for instance in planted_only)


@pytest.mark.parametrize("problem_id", [p for p in npgym.problem_ids() if npgym.get_problem(p).yes_from_no_candidates])
def test_a_mixed_test_set_draws_yes_instances_like_its_no_instances(problem_id):
    problem = npgym.get_problem(problem_id)
    level = problem.small_no_levels[-1]
    instances = list(generate_testset([problem_id], [level], seed=2, count=6, no_fraction=0.5, time_limit=20))
    yes = [instance for instance in instances if instance.label == "yes"]
    assert yes and all(instance.meta["planted"] is False for instance in yes)
    assert all(npgym.verify(instance, {"solution": instance.certificate}).ok for instance in yes)
    # yes-only sets keep the planted instances (and the golden ids that pin them)
    (planted,) = generate_testset([problem_id], [level], seed=2, count=1)
    assert planted.meta == {"planted": True}


@pytest.mark.slow
def test_200_per_level_at_levels_1_to_3_hold_no_duplicate_instance():
    """Every problem, 200 asked per level: no two instances of a level share their data; a level that has fewer
    distinct instances says so (a ShortfallWarning) and gives fewer, never a repeat."""
    from npgym.registry import problem_ids

    with pytest.warns(ShortfallWarning):  # bandwidth level 1 has a handful of distinct graphs
        instances = list(generate_testset(problem_ids(), [1, 2, 3], seed=20261202, count=200, allow_fewer=True))
    levels: dict[tuple[str, int], list[str]] = {}
    for instance in instances:
        levels.setdefault((instance.problem, instance.level), []).append(content_hash(instance.data))
    assert len(levels) == 3 * len(problem_ids())
    repeats = {cell: len(hashes) - len(set(hashes)) for cell, hashes in levels.items()}
    assert {cell: count for cell, count in repeats.items() if count} == {}
    assert sum(len(hashes) == 200 for hashes in levels.values()) >= 2 * len(problem_ids())


@pytest.mark.parametrize("problem_id, level", [("quadratic_congruences", 400), ("quadratic_diophantine", 400)])
def test_levels_with_numbers_past_pythons_4300_digit_limit_write_read_and_verify(tmp_path, problem_id, level):
    # these levels' numbers have over 5,000 digits, more than int() and json accept by default
    (instance,) = generate_testset([problem_id], [level], seed=3, count=1)
    assert max(len(str(v)) for v in instance.data.values() if isinstance(v, int)) > 4300
    write_testset([instance], tmp_path / "big.jsonl", key_path=tmp_path / "big.key.jsonl")
    (back,) = read_testset(tmp_path / "big.jsonl", tmp_path / "big.key.jsonl")
    assert back.data == instance.data
    answer = json.dumps({"solution": back.certificate})
    assert npgym.verify(back, json.loads(answer)).ok


def test_a_tight_yes_instance_whose_optimum_is_not_proved_is_redrawn_before_it_falls_back(monkeypatch):
    # the first planted draw's optimum stays unproved: the slot takes the next draw, still at its proved optimum
    from npgym import engine

    problem = npgym.get_problem("vertex_cover")
    real_solve, calls = type(problem).solve, []

    def first_unknown(self, data, time_limit):
        calls.append(data)
        if len(calls) == 1:
            return npgym.SolveResult(status="unknown")
        return real_solve(self, data, time_limit)

    monkeypatch.setattr(type(problem), "solve", first_unknown)
    instance = engine.generate("vertex_cover", 3, seed=4, tight=True)
    assert len(calls) == 2 and calls[0] != calls[1]
    assert instance.data["k"] == instance.optimum and instance.meta["tight"] is True


def test_a_level_without_candidates_keeps_planted_yes_instances_in_a_mixed_set():
    # betweenness level 1 (one triple) has no no-candidates at all: the mixed set still comes, planted, with warnings
    with pytest.warns(UserWarning):
        instances = list(generate_testset(["betweenness"], [1], seed=2, count=3, no_fraction=0.34, allow_fewer=True))
    assert instances and all(i.label == "yes" and i.meta["planted"] is True for i in instances)


def test_fallback_warnings_are_said_once_per_level_and_reason():
    from npgym.cli import summarised_warnings

    messages = [f"mlst level 1 index {i}: a planted yes-instance, because no drawn candidate" for i in (0, 1, 2, 5)]
    messages += ["mlst level 1 index 7: a yes-instance instead of a no-instance, because none proved",
                 "mlst level 1 gave only 1 distinct instances of the 4 asked for",
                 messages[0].replace("1 index", "2 index")]
    assert summarised_warnings(messages) == [
        "mlst level 1, 4 slots (indices 0-2, 5): a planted yes-instance, because no drawn candidate",
        "mlst level 1 index 7: a yes-instance instead of a no-instance, because none proved",
        "mlst level 1 gave only 1 distinct instances of the 4 asked for",
        "mlst level 2 index 0: a planted yes-instance, because no drawn candidate"]


@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.integers(1, 3), st.integers(0, 40),
                          st.sampled_from(["x", "y"])), max_size=30))
def test_summarised_warnings_keep_every_slot_once(slots):
    from npgym.cli import summarised_warnings

    messages = [f"{problem} level {level} index {index}: because {why}" for problem, level, index, why in slots]
    said = " | ".join(summarised_warnings(messages))
    for problem, level, _, why in set(slots):
        assert f"{problem} level {level}" in said and f"because {why}" in said
    assert len(summarised_warnings(messages)) == len({(p, lv, w) for p, lv, _, w in slots})
