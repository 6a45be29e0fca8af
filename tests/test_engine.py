"""Unit tests of the engine's shared pieces: cards, canonical JSON, schema checks, test sets and the CLI."""

from __future__ import annotations

import json
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npgym
from npgym import checks
from npgym.canonical import assert_json_native, canonical_json, content_hash, derive_rng, rng_deriver
from npgym.cards import ParamError, ParamRange, bound_value, parse_card
from npgym.cliargs import int_list
from npgym.engine import check_data
from npgym.testset import plan_labels, read_testset, write_testset
from npgym.verdict import Reject
from nppc.cli import main

CARD = """
id = "demo"
name = "Demo"
statement = "Pick things."
answer_format = "A list."
answer_example = "[1, 2]"
[ladder]
params = ["nodes", "k", "high"]
levels = [[4, 2, 10], [8, 3, 100]]
fixed = { degree = 3 }
beyond = { nodes = { add = 4 }, high = { multiply = 1.5 } }
"""


def test_card_ladder_and_growth_past_the_top():
    card = parse_card(CARD)
    assert card.level_params(1) == {"degree": 3, "nodes": 4, "k": 2, "high": 10}
    assert card.level_params(2) == {"degree": 3, "nodes": 8, "k": 3, "high": 100}
    assert card.level_params(4) == {"degree": 3, "nodes": 16, "k": 3, "high": 225}
    for bad in (0, -1, 1.5, True, "3"):
        with pytest.raises(ParamError, match="level must be an integer >= 1"):
            card.level_params(bad)


def test_a_parameter_can_follow_another_past_the_top():
    card = parse_card(CARD.replace("high = { multiply = 1.5 }", 'high = { of = "nodes", times = 2.1 }'))
    assert card.level_params(2)["high"] == 100  # the reference ladder is untouched
    assert [card.level_params(level)["high"] for level in (3, 4, 5)] == [25, 34, 42]  # round(2.1 * 12, 16, 20)
    affine = parse_card(CARD.replace("high = { multiply = 1.5 }", 'high = { of = "nodes", times = 0.5, plus = 7 }'))
    assert [affine.level_params(level)["high"] for level in (3, 4)] == [13, 15]  # 0.5 * 12 + 7, 0.5 * 16 + 7
    for bad in ('{ of = "nodes" }', '{ of = "nodes", times = 0 }', '{ of = "nodes", times = true }',
                '{ of = "nodes", base = 2, plus = 1 }', '{ of = "nodes", times = 1, plus = "1" }',
                '{ of = "high", times = 2 }', '{ of = "width", times = 2 }', '{ of = "nodes", times = 2, add = 1 }'):
        with pytest.raises(ValueError, match="beyond.high .* must be"):
            parse_card(CARD.replace("high = { multiply = 1.5 }", f"high = {bad}"))


def test_past_the_top_a_rule_can_start_afresh_and_a_parameter_can_be_a_power_of_another():
    card = parse_card(CARD.replace("beyond = { nodes = { add = 4 }, high = { multiply = 1.5 } }",
                                   'beyond = { nodes = { start = 5, add = 2 }, high = { of = "nodes", base = 2 } }'))
    assert card.level_params(2) == {"degree": 3, "nodes": 8, "k": 3, "high": 100}
    assert [(card.level_params(level)["nodes"], card.level_params(level)["high"]) for level in (3, 4, 5)] == \
        [(5, 32), (7, 128), (9, 512)]
    for bad in ('{ of = "nodes", base = 2, times = 2 }', '{ of = "nodes", base = 0 }', '{ start = 3 }',
                '{ start = 3, add = 1, multiply = 2 }'):
        with pytest.raises(ValueError, match="beyond.high .* must be"):
            parse_card(CARD.replace("high = { multiply = 1.5 }", f"high = {bad}"))


@settings(max_examples=60, deadline=None)
@given(nodes=st.integers(4, 500), area=st.integers(0, 5000), steps=st.integers(1, 60))
def test_add_square_grows_the_square_by_a_constant_without_drift(nodes, area, steps):
    card = parse_card(CARD.replace("levels = [[4, 2, 10], [8, 3, 100]]", f"levels = [[4, 2, 10], [{nodes}, 3, 100]]")
                      .replace("nodes = { add = 4 }", f"nodes = {{ add_square = {area} }}"))
    grown = card.level_params(2 + steps)["nodes"]
    assert grown == round(math.sqrt(nodes * nodes + steps * area))  # rounded once, from the exact value
    assert card.level_params(2 + steps + 1)["nodes"] >= grown


def test_add_square_must_be_a_non_negative_number():
    for bad in ("{ add_square = -1 }", "{ add_square = true }", '{ add_square = "9" }', "{ add_square = 9, add = 1 }"):
        with pytest.raises(ValueError, match="beyond.nodes .* must be"):
            parse_card(CARD.replace("nodes = { add = 4 }", f"nodes = {bad}"))


def test_malformed_cards_are_refused_with_the_field_named():
    with pytest.raises(ValueError, match="missing field 'statement'"):
        parse_card(CARD.replace('statement = "Pick things."', ""))
    with pytest.raises(ValueError, match="does not match params"):
        parse_card(CARD.replace("[8, 3, 100]", "[8, 3]"))
    with pytest.raises(ValueError, match="needs a 'beyond' rule"):
        parse_card(CARD.replace("beyond = { nodes = { add = 4 }, high = { multiply = 1.5 } }", ""))


RANGED_CARD = CARD + """
[params]
nodes = { type = "int", min = 4 }
k = { type = "int", min = 1, max = 9 }
high = { type = "number", above = 0 }
degree = { type = "number" }
"""


def test_card_ranges_refuse_each_parameter_with_one_uniform_message():
    card = parse_card(RANGED_CARD)
    assert card.ranges["k"] == ParamRange("int", min=1, max=9)
    card.check_params({"nodes": 4, "k": 9, "high": 0.5, "degree": 3})
    see = "(see the card problems/demo.toml)"
    for name, value, expected in (("nodes", 3, "an integer >= 4"), ("nodes", 4.0, "an integer >= 4"),
                                  ("k", 10, "an integer in [1, 9]"), ("k", True, "an integer in [1, 9]"),
                                  ("high", 0, "a number > 0"), ("degree", "3", "a number"),
                                  ("degree", float("nan"), "a number")):
        params = {"nodes": 4, "k": 2, "high": 1.5, "degree": 3, name: value}
        with pytest.raises(ParamError) as error:
            card.check_params(params)
        assert str(error.value) == f"demo: {name} must be {expected}, got {value!r} {see}"
    with pytest.raises(ParamError, match=r"^demo: high is missing; it must be a number > 0 \(see the card"):
        card.check_params({"nodes": 4, "k": 2, "degree": 3})
    with pytest.raises(ParamError, match="^demo: 'width' is not a parameter; the card declares nodes, k, high, degree"):
        card.check_params({"nodes": 4, "k": 2, "high": 1, "degree": 3, "width": 2})


@pytest.mark.parametrize("bad", ['{ min = 1 }', '{ type = "float" }', '{ type = "int", min = 1, above = 0 }',
                                 '{ type = "int", min = "1" }', '{ type = "int", least = 1 }', '3'])
def test_a_malformed_range_is_refused_with_the_parameter_named(bad):
    with pytest.raises(ValueError, match="params.k = .* must be"):
        parse_card(RANGED_CARD.replace('k = { type = "int", min = 1, max = 9 }', f"k = {bad}"))


def test_a_card_declares_the_objective_and_the_bound_of_the_question():
    assert (parse_card(CARD).objective, parse_card(CARD).bound_key) == (None, None)
    card = parse_card(CARD.replace("[ladder]", 'objective = "min"\nbound_key = "k"\n[ladder]'))
    assert (card.objective, card.bound_key) == ("min", "k")
    assert (npgym.get_problem("vertex_cover").objective, npgym.get_problem("vertex_cover").bound_key) == ("min", "k")
    for bad in ('objective = "least"', 'bound_key = "k"', 'objective = "max"\nbound_key = 3'):
        with pytest.raises(ValueError, match="objective must be"):
            parse_card(CARD.replace("[ladder]", f"{bad}\n[ladder]"))


RELATED_CARD = RANGED_CARD.replace('k = { type = "int", min = 1, max = 9 }',
                                   'k = { type = "int", min = 1, max = "nodes - 1" }')


@given(nodes=st.integers(4, 40), k=st.integers(1, 45))
def test_a_bound_can_name_another_parameter(nodes, k):
    card = parse_card(RELATED_CARD)
    params = {"nodes": nodes, "k": k, "high": 1.5, "degree": 3}
    if k <= nodes - 1:
        card.check_params(params)
        return
    with pytest.raises(ParamError) as error:
        card.check_params(params)
    assert str(error.value) == (f"demo: k must be an integer in [1, nodes - 1 = {nodes - 1}], got {k} "
                                f"(see the card problems/demo.toml)")


def test_relations_are_checked_after_every_parameter_alone_and_may_use_two_parameters():
    card = parse_card(RELATED_CARD.replace('high = { type = "number", above = 0 }',
                                           'high = { type = "number", above = "nodes / k" }'))
    with pytest.raises(ParamError, match=r"^demo: nodes must be an integer >= 4, got 2 "):  # not k's relation
        card.check_params({"nodes": 2, "k": 3, "high": 1.5, "degree": 3})
    with pytest.raises(ParamError, match=r"^demo: k must be an integer in \[1, nodes - 1\], got '3' "):
        card.check_params({"nodes": 4, "k": "3", "high": 1.5, "degree": 3})
    card.check_params({"nodes": 6, "k": 4, "high": 1.6, "degree": 3})
    with pytest.raises(ParamError, match=r"^demo: high must be a number > nodes / k = 1.5, got 1.5 "):
        card.check_params({"nodes": 6, "k": 4, "high": 1.5, "degree": 3})


@pytest.mark.parametrize("bad", ['"width - 1"', '"k - 1"', '"nodes % 2"', '"nodes - 1 - 1"', '"1 + 1"',
                                 '"nodes - x"', '"high / degree"', '"nodes / 0"', '""'])
def test_a_malformed_relation_is_refused_with_the_parameter_named(bad):
    with pytest.raises(ValueError, match=r"params.k = .*: its max must be a number or a relation"):
        parse_card(RELATED_CARD.replace('max = "nodes - 1"', f"max = {bad}"))


def _values_outside(declared: ParamRange, params: dict) -> list:
    """Values just past each bound of ``declared`` (a relation evaluated on ``params``), and two of a wrong type."""
    whole = declared.type == "int"
    past = {"min": (lambda b: math.ceil(b) - 1) if whole else (lambda b: b - 1),
            "max": (lambda b: math.floor(b) + 1) if whole else (lambda b: b + 1),
            "above": math.floor if whole else (lambda b: b)}
    bounds = {key: getattr(declared, key) for key in past if getattr(declared, key) is not None}
    return [past[key](bound_value(bound, params)) for key, bound in bounds.items()] + ["7", True]


@pytest.mark.parametrize("problem_id", npgym.problem_ids())
@given(data=st.data())
def test_every_value_outside_a_declared_range_is_refused_before_generation(problem_id, data):
    problem = npgym.get_problem(problem_id)
    card = problem.card
    params = card.level_params(data.draw(st.integers(1, card.top_level + 2), label="level"))
    name = data.draw(st.sampled_from(sorted(card.ranges)), label="parameter")
    declared = card.ranges[name]
    outside = data.draw(st.sampled_from(_values_outside(declared, params)), label="value")
    changed = {**params, name: outside}
    with pytest.raises(ParamError) as error:
        npgym.generate_from_params(problem_id, changed)
    see = f"(see the card problems/{problem_id}.toml)"
    if not declared.admits(outside):
        assert str(error.value) == f"{problem_id}: {name} must be {declared.describe()}, got {outside!r} {see}"
        return
    # only a relation refuses it: this parameter's own, or that of a parameter whose bound names this one
    refused = str(error.value).split()[1]
    assert refused == name or name in " ".join(card.ranges[refused].relations().values()).split()
    assert str(error.value) == (f"{problem_id}: {refused} must be {card.ranges[refused].describe(changed)}, "
                                f"got {changed[refused]!r} {see}")


def test_relations_between_parameters_name_the_problem():
    with pytest.raises(ParamError, match=r"^vertex_cover: cover must be an integer in \[1, nodes - 1 = 4\], got 5 "
                                         r"\(see the card problems/vertex_cover.toml\)$"):
        npgym.generate_from_params("vertex_cover", {"nodes": 5, "cover": 5, "degree": 8})
    with pytest.raises(ParamError, match=r"^tsp: cities must be at most half of the 16 grid points"):
        npgym.generate_from_params("tsp", {"cities": 9, "grid": 3})


def test_canonical_json_ignores_key_order_and_rejects_non_json():
    assert canonical_json({"b": 1, "a": [1, 2]}) == '{"a":[1,2],"b":1}'
    assert content_hash({"a": 1, "b": 2}) == content_hash({"b": 2, "a": 1})
    for bad in ({1: "int key"}, {"t": (1, 2)}, {"s": {1, 2}}, float("nan")):
        with pytest.raises(TypeError):
            assert_json_native(bad)


def test_derived_streams_are_independent_and_repeatable():
    assert derive_rng("p", 1, 2).random() == derive_rng("p", 1, 2).random()
    assert derive_rng("p", 1, 2).random() != derive_rng("p", 1, 3).random()


JSON_PARTS = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                          | st.text(), lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(st.text(max_size=3), inner, max_size=3), max_leaves=6)


@given(st.lists(JSON_PARTS, max_size=4), st.lists(JSON_PARTS, max_size=4))
def test_a_deriver_with_fixed_parts_gives_the_stream_of_all_the_parts(fixed, rest):
    # instances are seeded through rng_deriver: any difference in text would change every instance
    assert rng_deriver(*fixed)(*rest).getrandbits(128) == derive_rng(*fixed, *rest).getrandbits(128)


@given(st.lists(JSON_PARTS, max_size=4), st.integers(), st.integers(), st.text())
def test_a_slots_seed_index_and_stream_give_the_stream_of_all_the_parts(fixed, seed, index, stream):
    # the engine's every call takes the deriver's (seed, index, stream) fast path, which formats the text itself
    assert (rng_deriver(*fixed)(seed, index, stream).getrandbits(128)
            == derive_rng(*fixed, seed, index, stream).getrandbits(128))


@given(st.one_of(st.booleans(), st.floats(), st.text(), st.none(), st.lists(st.integers())))
def test_integer_check_refuses_every_non_integer(value):
    with pytest.raises(Reject) as rejection:
        checks.integer(value, "x")
    assert rejection.value.code == "type"


def test_schema_checks_name_the_failure():
    with pytest.raises(Reject, match="x = 5 is outside") as rejection:
        checks.integer(5, "x", 0, 4)
    assert rejection.value.code == "range"
    with pytest.raises(Reject, match="repeats 2") as rejection:
        checks.int_list([1, 2, 2], "s", distinct=True)
    assert rejection.value.code == "duplicate"
    with pytest.raises(Reject) as rejection:
        checks.permutation([0, 1], "p", 3)
    assert rejection.value.code == "shape"
    assert checks.permutation([2, 0, 1], "p", 3) == [2, 0, 1]


def test_unknown_problem_suggests_close_ids():
    with pytest.raises(KeyError, match="did you mean three_sat"):
        npgym.get_problem("three_sta")
    with pytest.raises(KeyError, match="other versions"):
        npgym.get_problem("three_sat-v99")
    assert npgym.get_problem("three_sat-v1").id == "three_sat"


def test_a_bound_problem_tries_its_own_no_candidates_then_moves_the_bound(monkeypatch):
    from npgym import engine

    problem = npgym.get_problem("vertex_cover")
    drawn = []

    def satisfiable_candidate(rng, params):  # a planted yes-instance: never proved unsat
        drawn.append(1)
        return problem.plant(rng, params).data

    monkeypatch.setattr(problem, "no_candidate", satisfiable_candidate)
    instance = npgym.generate("vertex_cover", 2, seed=5, label="no")
    assert len(drawn) == engine.OWN_NO_ATTEMPTS and instance.meta["attempts"] == engine.OWN_NO_ATTEMPTS + 1
    assert instance.label == "no" and instance.data["k"] == instance.optimum - 1
    assert npgym.solve(instance).status == "unsat"


def test_no_instance_generation_stops_when_the_solver_cannot_settle(monkeypatch):
    from npgym import engine
    from npgym.problem import SolveResult

    problem = npgym.get_problem("three_sat")
    calls = []

    def undecided(data, time_limit):
        calls.append(time_limit)
        return SolveResult("unknown")

    monkeypatch.setattr(problem, "solve", undecided)
    with pytest.raises(engine.GenerationError, match="settled none"):
        npgym.generate("three_sat", 3, seed=1, label="no", time_limit=0.5)
    assert calls == [0.5] * engine.UNSETTLED_LIMIT


def test_a_test_set_falls_back_to_yes_with_a_warning_when_no_no_instance_is_proved(monkeypatch):
    from npgym.problem import SolveResult
    from npgym.testset import NoInstanceWarning, generate_testset

    monkeypatch.setattr(npgym.get_problem("three_sat"), "solve", lambda data, time_limit: SolveResult("unknown"))
    with pytest.warns(NoInstanceWarning, match="settled none"):
        instances = list(generate_testset(["three_sat"], [2], seed=4, count=2, no_fraction=1.0, time_limit=0.1))
    assert [instance.label for instance in instances] == ["yes", "yes"]
    assert all(instance.meta["planted"] for instance in instances)


def test_no_fraction_is_exact_and_reproducible():
    labels = plan_labels("three_sat", 3, 7, 10, 0.3)
    assert labels.count("no") == 3 and labels == plan_labels("three_sat", 3, 7, 10, 0.3)
    assert plan_labels("three_sat", 3, 7, 10, 0.0) == ["yes"] * 10
    with pytest.raises(ValueError):
        plan_labels("three_sat", 3, 7, 10, 1.5)


def test_testset_round_trip_with_a_separate_key_file(tmp_path):
    instances = [npgym.generate("vertex_cover", 2, 1, i) for i in range(3)]
    write_testset(instances, tmp_path / "t.jsonl", key_path=tmp_path / "k.jsonl")
    public = [json.loads(line) for line in open(tmp_path / "t.jsonl")]
    assert all("certificate" not in record and "label" not in record for record in public)
    assert all(record["canary"] == npgym.CANARY for record in public)
    assert read_testset(tmp_path / "t.jsonl")[0].label == "unknown"
    assert read_testset(tmp_path / "t.jsonl", tmp_path / "k.jsonl") == instances


def test_range_lists():
    assert int_list("1-3,7,2") == [1, 2, 3, 7]


def test_cli_generate_solve_verify(tmp_path, capsys):
    testset, keys = tmp_path / "t.jsonl", tmp_path / "k.jsonl"
    assert main(["generate", "--problems", "three_sat,vertex_cover", "--levels", "1-2", "--count", "2",
                 "--no-fraction", "0.5", "--out", str(testset), "--key-out", str(keys)]) == 0
    assert main(["solve", "--testset", str(testset), "--out", str(tmp_path / "s.jsonl")]) == 0
    solved = [json.loads(line) for line in open(tmp_path / "s.jsonl")]
    expected = {json.loads(line)["id"]: json.loads(line)["label"] for line in open(keys)}
    assert {line["id"]: line["label"] for line in solved} == expected
    answers = tmp_path / "a.jsonl"
    with open(answers, "w") as out:
        for line in solved:
            response = f'```json\n{{"solution": {json.dumps(line["certificate"])}}}\n```'
            out.write(json.dumps({"id": line["id"], "response": response}) + "\n")
    assert main(["verify", "--testset", str(testset), "--keys", str(keys), "--answers", str(answers),
                 "--out", str(tmp_path / "v.jsonl")]) == 0
    assert all(json.loads(line)["ok"] for line in open(tmp_path / "v.jsonl"))
    assert main(["generate", "--problems", "nope", "--levels", "1", "--out", str(testset)]) == 2
    assert "unknown problem" in capsys.readouterr().err


def test_the_card_hash_follows_the_cards_content_not_its_layout():
    layout_only = "# a comment\r\n" + RANGED_CARD.replace("\n", "\r\n").replace(" = ", "   =   ")
    assert parse_card(layout_only).content_hash == parse_card(RANGED_CARD).content_hash
    assert parse_card(RANGED_CARD.replace("Pick things.", "Pick items.")).content_hash != \
        parse_card(RANGED_CARD).content_hash


def test_every_instance_records_its_cards_hash_outside_its_id():
    card_hash = npgym.load_card("vertex_cover").content_hash
    yes = npgym.generate("vertex_cover", 2, seed=1)
    no = npgym.generate("vertex_cover", 2, seed=1, label="no")
    tight = npgym.generate("vertex_cover", 2, seed=1, tight=True)
    assert yes.card_hash == no.card_hash == tight.card_hash == card_hash and len(card_hash) == 16
    record = yes.to_record(with_key=True)
    assert record["card_hash"] == card_hash and npgym.Instance.from_record(record) == yes
    assert npgym.Instance.from_record({**record, "card_hash": "0" * 16}).id == yes.id  # the id pins the instance only


@settings(max_examples=50, deadline=None)
@given(objective=st.one_of(st.none(), st.integers(), st.floats(allow_nan=False)), message=st.text(max_size=20))
def test_an_accepting_verdict_keeps_its_objective_exactly(objective, message):
    """Accepting verdicts are shared (made once per message and objective): 1 and 1.0 stay apart."""
    from npgym.verdict import Verdict

    verdict = Verdict.accept(message, objective)
    assert (verdict.ok, verdict.code, verdict.message) == (True, "ok", message)
    assert type(verdict.objective) is type(objective) and verdict.objective == objective


@settings(max_examples=60, deadline=None)
@given(level=st.integers(min_value=1, max_value=14), twin=st.sampled_from(["float", "bool", "str"]))
def test_remembered_valid_params_never_let_an_invalid_twin_through(level, twin):
    """Parameters that passed are remembered, by name, type and value: an equal value of another type
    (5.0 or True for an integer parameter) is checked afresh and still refused."""
    problem = npgym.get_problem("vertex_cover")
    params = problem.card.level_params(level)
    problem.validate_params(params)
    problem.validate_params(dict(params))  # remembered: passes again
    changed = {"float": float, "bool": lambda v: True, "str": str}[twin]
    with pytest.raises(ParamError, match="nodes must be"):
        problem.validate_params({**params, "nodes": changed(params["nodes"])})


@pytest.mark.parametrize("part", ["params", "data", "certificate"])
def test_an_instance_with_a_non_native_part_is_refused_before_its_record_is_written(part):
    fields = {"params": {"nodes": 3}, "data": {"edges": [[0, 1]]}, "certificate": [0]}
    fields[part] = {"bad": (1, 2)} if part != "certificate" else (0, 1)
    instance = npgym.Instance("vertex_cover", 1, 1, 0, 0, fields["params"], fields["data"],
                              certificate=fields["certificate"])
    with pytest.raises(TypeError, match=rf"^{part}(\.bad)? holds a tuple"):
        instance.to_record()


def test_the_id_is_the_content_hash_whether_given_or_computed():
    instance = npgym.generate("vertex_cover", 2, seed=5)
    record = instance.to_record()
    assert record["id"] == content_hash({"problem": instance.problem, "version": instance.version,
                                         "level": instance.level, "params": instance.params, "data": instance.data})
    assert npgym.Instance.from_record(record).id == record["id"] == instance.content_id()
    with pytest.raises(TypeError, match="^certificate holds a set"):
        instance.with_key(certificate={1, 2})


def test_a_remembered_level_is_never_served_for_a_boolean_or_another_problem():
    first = npgym.generate("vertex_cover", 1, seed=5)
    with pytest.raises(ParamError, match="level must be an integer"):
        npgym.generate("vertex_cover", True, seed=5)  # True == 1, and hashes like it
    assert npgym.generate("vertex_cover", 1, seed=5) == first
    assert npgym.generate("clique", 1, seed=5).params == npgym.get_problem("clique").card.level_params(1)


def _nudged(value, data):
    """``value`` with one integer somewhere in it changed by a drawn amount (a near miss of a certificate)."""
    if type(value) is int:
        return value + data.draw(st.integers(-2, 2))
    if isinstance(value, list) and value:
        position = data.draw(st.integers(0, len(value) - 1))
        return [*value[:position], _nudged(value[position], data), *value[position + 1:]]
    return value


@settings(max_examples=150, deadline=None)
@given(problem=st.sampled_from(npgym.problem_ids()), seed=st.integers(0, 30), data=st.data())
def test_verify_grades_as_the_problems_check(problem, seed, data):
    # verify reads the problem off the registry and the answer by subscript: on a certificate, a
    # near miss of one or any JSON value it must give check_data's verdict, objective type included
    instance = npgym.generate(problem, 1 + seed % 3, seed)
    solution = data.draw(st.one_of(st.just(instance.certificate), st.just(_nudged(instance.certificate, data)),
                                   st.integers(-2, 5), st.lists(st.integers(-1, 6), max_size=6), st.booleans()))
    for _ in range(2):  # the second call grades again, with the verdicts shared by then
        verdict = npgym.verify(instance, {"solution": solution})
        expected = check_data(problem, instance.data, solution)
        assert verdict == expected and type(verdict.objective) is type(expected.objective)


@given(st.integers(0, 2**128 - 1))
def test_the_hand_built_random_is_random_random(seed):
    # every instance stream is built by hand (no __init__ / seed frames); it must be random.Random(seed) exactly
    from npgym import canonical

    made, reference = canonical._fresh_random_by_hand(seed), random.Random(seed)
    assert vars(made) == vars(reference) and made.getstate() == reference.getstate()
    assert [made.random(), made.gauss(0, 1), made.getrandbits(70)] == [reference.random(), reference.gauss(0, 1),
                                                                       reference.getrandbits(70)]


def test_verify_reads_a_dict_subclass_without_changing_it():
    from collections import OrderedDict, defaultdict

    instance = npgym.generate("partition", 1, 0)
    empty: defaultdict = defaultdict(lambda: instance.certificate)
    assert npgym.verify(instance, empty).code == "no_answer" and "solution" not in empty
    assert npgym.verify(instance, OrderedDict(solution=instance.certificate)).ok
    for not_an_object in ([instance.certificate], "solution", 3, None):
        assert npgym.verify(instance, not_an_object).code == "no_answer"
