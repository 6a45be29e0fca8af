"""The synthetic baseline: a known accuracy curve, answered from the key, graded like any model."""

from __future__ import annotations

import asyncio
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import npgym
from npsolver import run_model
from npsolver.adapters import Request, Sampling, make_adapter
from npsolver.errors import ApiFailure
from npsolver.store import Store
from npsolver.synthetic import SyntheticAdapter, SyntheticCurve, answers_correctly, parse_spec

MODEL = "baseline/synthetic:ceiling=3.5,slope=1.5"


@given(ceiling=st.floats(-5, 60), slope=st.floats(0.05, 8), floor=st.floats(0, 0.45))
def test_the_true_ceiling_is_where_accuracy_is_one_half(ceiling, slope, floor):
    curve = SyntheticCurve(ceiling, slope, floor)
    assert curve.accuracy(curve.crossing) == pytest.approx(0.5, abs=1e-9)
    assert curve.accuracy(curve.crossing - 1) > 0.5 > curve.accuracy(curve.crossing + 1)


def test_the_spec_is_read_from_the_model_string():
    assert parse_spec("baseline/synthetic:ceiling=7.5,slope=1.2") == SyntheticCurve(7.5, 1.2)
    assert parse_spec("baseline/synthetic:slope=2, ceiling=14,floor=0.1,seed=3") == SyntheticCurve(14, 2, 0.1, 3)
    assert isinstance(make_adapter("baseline/synthetic:ceiling=2,slope=1", Sampling()), SyntheticAdapter)


@pytest.mark.parametrize("model, complaint", [
    ("baseline/synthetic", "names no curve"),
    ("baseline/synthetic:ceiling=3", "needs both ceiling and slope"),
    ("baseline/synthetic:ceiling=3,slope=1,color=red", "cannot read 'color=red'"),
    ("baseline/synthetic:ceiling=high,slope=1", "not a number"),
    ("baseline/synthetic:ceiling=3,slope=0", "slope must be > 0"),
    ("baseline/synthetic:ceiling=3,slope=1,floor=0.7", "floor must be in [0, 0.5)"),
])
def test_a_bad_spec_is_a_one_line_error_that_shows_a_good_one(model, complaint):
    with pytest.raises(ValueError) as error:
        make_adapter(model, Sampling())
    message = str(error.value)
    assert complaint in message and "baseline/synthetic:ceiling=7.5,slope=1.2" in message and "\n" not in message


def answer(model: str, instance, sample: int = 0) -> str:
    return asyncio.run(make_adapter(model, Sampling()).complete(Request("prompt", instance, sample))).text


def test_replies_are_a_pure_function_of_model_instance_and_sample():
    instances = [npgym.generate("vertex_cover", 4, seed=0, index=i) for i in range(30)]
    first = [answer(MODEL, inst, s) for inst in instances for s in range(2)]
    assert first == [answer(MODEL, inst, s) for inst in instances for s in range(2)]
    replicate = [answer(MODEL + ",seed=1", inst, s) for inst in instances for s in range(2)]
    assert replicate != first  # another seed is an independent replicate of the same curve


def test_a_grid_run_grades_exactly_the_drawn_answers_and_follows_the_curve(tmp_path):
    store = tmp_path / "runs.sqlite"
    result = run_model(MODEL, store, problems=["vertex_cover", "three_sat"], levels=[1, 3, 4, 8], count=40,
                       no_fraction=0.25, progress=False)
    assert result.complete
    curve = parse_spec(MODEL)
    with Store(store) as opened:
        instances = {key: npgym.Instance.from_record(record) for key, record in opened.instances().items()}
        records = list(opened.run_records(result.run_id))
    assert {r.status.value for r in records} == {"graded"}
    assert any(instances[r.instance_id].label == "no" and r.correct for r in records)
    assert any(instances[r.instance_id].label == "no" and not r.correct for r in records)
    for record in records:
        assert record.correct == answers_correctly(MODEL, curve, instances[record.instance_id], record.sample)
    for level in (1, 3, 4, 8):
        graded = [r.correct for r in records if r.level == level]
        expected = curve.accuracy(level)
        spread = 3 * math.sqrt(expected * (1 - expected) / len(graded)) + 1e-9
        assert abs(sum(graded) / len(graded) - expected) <= spread + 1 / len(graded)


def test_an_instance_without_its_key_fails_its_request_with_a_reason():
    instance = npgym.generate("three_sat", 1, seed=0, index=0).with_key(label="unknown", certificate=None)
    with pytest.raises(ApiFailure, match="answer key"):
        answer(MODEL, instance)
