"""Every router's contract on synthetic data, hand-checked cases for the reference and replay routers, the split."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nprouter.embed import query_matrix
from nprouter.matrix import RoutingData, build_matrix, split_queries
from nprouter.routers import ROUTERS, make_router, pick
from nprouter.synthetic import synthetic_dataset


@pytest.fixture(scope="module")
def split_data():
    data = build_matrix(synthetic_dataset(n_queries=160, n_models=4, n_samples=3, seed=1))
    data.X, _ = query_matrix(data.text, data.features)
    train, test = split_queries(data, seed=42)
    return data.subset(train), data.subset(test)


@pytest.mark.parametrize("name", list(ROUTERS))
def test_router_contract(split_data, name):
    train, test = split_data
    router = make_router(name, seed=5).fit(train)
    again = make_router(name, seed=5).fit(train)
    assert router.knobs, "a router offers at least one knob value"
    for knob in router.knobs:
        outcome = router.route(test, knob)
        for array in (outcome.model, outcome.score, outcome.cost, outcome.calls):
            assert array.shape == (len(test),)
        assert ((outcome.score >= 0) & (outcome.score <= 1)).all() and (outcome.cost >= 0).all()
        assert ((outcome.model >= -1) & (outcome.model < len(test.models))).all() and (outcome.calls >= 1).all()
        repeat = again.route(test, knob)  # deterministic given the seed
        assert np.array_equal(outcome.model, repeat.model) and np.allclose(outcome.score, repeat.score)


def test_learned_routers_beat_random(split_data):
    train, test = split_data
    random = make_router("random").fit(train).route(test, 0).score.mean()
    for name in ("knn", "avengers", "avengers-pro", "predictor", "mf", "irt", "per-family"):
        router = make_router(name).fit(train)
        best = max(router.route(test, knob).score.mean() for knob in router.knobs)
        assert best > random, name


def test_cost_knob_trades_accuracy_for_cost(split_data):
    train, test = split_data
    for name in ("knn", "predictor", "mf", "irt", "avengers-pro"):
        router = make_router(name).fit(train)
        costs = [router.route(test, knob).cost.mean() for knob in router.knobs]
        cheap_end, rich_end = (costs[-1], costs[0]) if router.knob_name == "lambda" else (costs[0], costs[-1])
        assert cheap_end < rich_end, name


def _tiny(score, cost, accepted=None, answers=None, sample_score=None, sample_cost=None) -> RoutingData:
    score, cost = np.asarray(score, float), np.asarray(cost, float)
    q, m = score.shape
    return RoutingData(
        query_ids=np.array([f"q{i}" for i in range(q)]), dataset=np.array(["d"] * q), group=np.arange(q).astype(str),
        text=[""] * q, features=[None] * q, models=[f"m{j}" for j in range(m)], score=score, solved=score >= 1,
        cost=cost, latency=np.full((q, m), np.nan), first_score=score, first_cost=cost,
        accepted=score >= 1 if accepted is None else np.asarray(accepted, bool), sample_answers=answers,
        sample_score=sample_score, sample_cost=sample_cost, X=np.eye(q, 2))


def test_tie_break_is_lower_cost_then_model_id():
    utility = np.array([[0.5, 0.5, 0.5], [0.2, 0.9, 0.9]])
    assert pick(utility, np.array([3.0, 1.0, 1.0])).tolist() == [1, 1]
    assert pick(utility, np.array([[1.0, 2.0, 0.5], [0.0, 5.0, 4.0]])).tolist() == [2, 2]


def test_random_is_the_exact_expectation_and_oracles():
    data = _tiny([[1, 0, 0], [1, 1, 0]], [[1, 2, 4], [1, 2, 4]])
    random = make_router("random").fit(data).route(data, 0)
    assert random.score.tolist() == pytest.approx([1 / 3, 2 / 3]) and random.cost.tolist() == pytest.approx([7 / 3] * 2)
    cheapest = make_router("oracle-cheapest").fit(data).route(data, 0)
    assert cheapest.model.tolist() == [0, 0] and cheapest.cost.tolist() == [1, 1]
    # the performance oracle ignores cost: among correct models it takes the strongest on training data
    assert make_router("oracle").fit(data).route(data, 0).model.tolist() == [0, 0]
    assert make_router("best-single").fit(data).route(data, 0).model.tolist() == [0, 0]


def test_cascade_pays_every_model_tried():
    # costs 1, 2, 4 per call; query 0: only m2 accepted; query 1: m1; query 2: none
    score = [[0, 0, 1], [0, 1, 1], [0, 0, 0]]
    data = _tiny(score, [[1, 2, 4]] * 3)
    cascade = make_router("cascade").fit(data)
    assert cascade.knobs == (1.0, 2.0, 3.0)
    full = cascade.route(data, 3)
    assert full.cost.tolist() == [7, 3, 7] and full.score.tolist() == [1, 1, 0] and full.calls.tolist() == [3, 2, 3]
    short = cascade.route(data, 2)
    assert short.cost.tolist() == [3, 3, 3] and short.score.tolist() == [0, 1, 0] and short.model.tolist() == [1, 1, 1]
    # the verifier, not the score, decides when to stop
    sceptic = _tiny(score, [[1, 2, 4]] * 3, accepted=np.zeros((3, 3)))
    assert cascade.route(sceptic, 3).cost.tolist() == [7, 7, 7]


def test_modelswitch_escalates_on_disagreement():
    answers = np.array([[["a", "b"], ["c", "c"]], [["a", "a"], ["b", "b"]]], dtype=object)
    sample_score = np.array([[[0, 0], [1, 1]], [[1, 1], [0, 0]]], float)
    sample_cost = np.ones((2, 2, 2))
    data = _tiny([[0, 1], [1, 0]], [[1, 2], [1, 2]], answers=answers, sample_score=sample_score,
                 sample_cost=sample_cost)
    router = make_router("modelswitch").fit(data)
    unanimous = router.route(data, 1.0)
    # query 0: m0 splits a/b -> add m1 (c, c): majority c (correct); query 1: m0 agrees -> stop
    assert unanimous.score.tolist() == [1, 1] and unanimous.cost.tolist() == [4, 2]
    assert unanimous.model.tolist() == [1, 0] and unanimous.calls.tolist() == [2, 1]
    lenient = router.route(data, 0.5)
    assert lenient.cost.tolist() == [2, 2] and lenient.score.tolist() == [0, 1]  # a/b tie: first seen "a"


def test_modelswitch_needs_samples():
    data = _tiny([[1, 0]], [[1, 1]])
    with pytest.raises(ValueError, match="samples"):
        make_router("modelswitch").fit(data)


@given(st.integers(0, 10_000), st.floats(0.2, 0.8))
def test_split_keeps_groups_whole_and_is_deterministic(seed, fraction):
    data = build_matrix(synthetic_dataset(n_queries=40, n_models=2, seed=2), verify=False)
    train, test = split_queries(data, seed, fraction)
    assert set(data.group[train]).isdisjoint(data.group[test])
    assert len(train) + len(test) == len(data)
    assert set(data.dataset[train]) == set(data.dataset[test]) == set(data.dataset)
    again = split_queries(data, seed, fraction)
    assert np.array_equal(train, again[0])


def _modelswitch_by_hand(order, answers, sample_score, sample_cost, knob):
    """ModelSwitch as its docstring says it, one query at a time with counters: the reference for the arrays."""
    from collections import Counter

    results = []
    for q in range(answers.shape[0]):
        weighted, counted, scores, cost = Counter(), Counter(), {}, 0.0
        for step, m in enumerate(order, 1):
            drawn = ~np.isnan(sample_score[q, m])
            own = [str(a) for a in answers[q, m][drawn]]
            cost += sample_cost[q, m][drawn].sum()
            final = (m, step)
            if not own:
                continue
            shares = np.array(list(Counter(own).values())) / len(own)
            weight = 1.0 - (float(-(shares * np.log(shares)).sum() / np.log(len(own))) if len(own) > 1 else 0.0)
            for answer, value in zip(own, sample_score[q, m][drawn]):
                weighted[answer] += weight
                counted[answer] += 1
                scores.setdefault(answer, []).append(value)
            if Counter(own).most_common(1)[0][1] / len(own) >= knob:
                break
        votes = weighted if any(v > 0 for v in weighted.values()) else counted
        score = float(np.mean(scores[max(votes.items(), key=lambda item: item[1])[0]])) if votes else 0.0
        results.append((final[0], score, cost, final[1]))
    return results


@given(st.integers(0, 2**31), st.sampled_from([0.5, 0.75, 1.0]))
def test_modelswitch_arrays_match_the_query_by_query_reference(seed, knob):
    rng = np.random.default_rng(seed)
    n_queries, n_models, n_samples = 12, 3, 3
    answers = rng.choice(np.array(["a", "b", "c", None], dtype=object), (n_queries, n_models, n_samples))
    sample_score = np.where(answers == "a", 1.0, 0.0)
    sample_score[rng.random(sample_score.shape) < 0.15] = np.nan  # samples never drawn
    sample_cost = rng.integers(1, 4, sample_score.shape).astype(float)
    data = _tiny(rng.random((n_queries, n_models)), rng.integers(1, 5, (n_queries, n_models)), answers=answers,
                 sample_score=sample_score, sample_cost=sample_cost)
    router = make_router("modelswitch").fit(data)
    outcome = router.route(data, knob)
    expected = _modelswitch_by_hand(router.order, answers, sample_score, sample_cost, knob)
    assert outcome.model.tolist() == [e[0] for e in expected] and outcome.calls.tolist() == [e[3] for e in expected]
    assert np.allclose(outcome.score, [e[1] for e in expected]) and np.allclose(outcome.cost, [e[2] for e in expected])


@given(seed=st.integers(0, 2**16), shift=st.floats(-50, 50), stretch=st.floats(1e-2, 1e3))
def test_predictor_finds_the_l2_logistic_optimum_whatever_the_columns_offset_and_scale(seed, shift, stretch):
    """The predictor fits on standardised columns and maps the weights back: on the raw columns, however far from
    centred and unit-scaled, its weights score an L2 logistic objective (C = 1, intercept unpenalised) at least as
    low as scikit-learn's fit of it (which, on such columns, may stop short of the optimum)."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    q, m = 120, 2
    scales, offsets = np.array([1.0, stretch, 0.1]), np.array([shift, 0.0, -shift])
    X = rng.normal(size=(q, 3)) * scales + offsets
    truth = (X - offsets) @ (rng.normal(size=(3, m)) / scales[:, None]) * 0.5  # logits of a few units
    solved = rng.random((q, m)) < 1 / (1 + np.exp(-truth))
    solved[0], solved[1] = True, False  # both classes for every model
    data = _tiny(solved.astype(float), np.ones((q, m)))
    data.X = X
    weights = make_router("predictor").fit(data).weights

    def objective(w: np.ndarray, b: float, y: np.ndarray) -> float:
        z = X @ w + b
        return float((np.logaddexp(0.0, z) - y * z).sum() + 0.5 * w @ w)

    for model in range(m):
        y = solved[:, model].astype(float)
        reference = LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000).fit(X, solved[:, model])
        best = objective(reference.coef_[0], reference.intercept_[0], y)
        assert objective(weights[:-1, model], weights[-1, model], y) <= best + 1e-7 * abs(best), model


@pytest.mark.parametrize("name", ["mf", "irt"])
def test_factor_routers_train_in_float32_to_the_probabilities_of_float64(split_data, name, monkeypatch):
    from nprouter.routers import factor

    train, test = split_data
    single = make_router(name, seed=3).fit(train).predict(test)
    monkeypatch.setattr(factor, "PRECISION", np.float64)
    double = make_router(name, seed=3).fit(train).predict(test)
    assert np.abs(single - double).max() < 1e-4
    assert not np.array_equal(single, double), "the two precisions really differ"
