"""The evaluation at scale: same numbers as the code before it was restructured, any number of workers,
and the vectorised pieces equal to the loops they replaced."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nprouter import metrics
from nprouter.evaluate import EvalConfig, evaluate, prepare
from nprouter.matrix import _correct_flags, split_queries
from nprouter.routers import make_router
from nprouter.routers.factor import IrtRouter, MatrixFactorisationRouter, _logistic_pass
from nprouter.routers.learned import _sigmoid
from nprouter.synthetic import synthetic_dataset

SEEDS = (42, 999)

# (knob, accuracy, cost, calls) of every point, as the evaluation wrote them before it ran the (seed, router) pairs
# as tasks (commit 0f06a43), on the dataset of `evaluated`. These routers do not look at the query embedding, so
# the numbers do not move with scikit-learn's SVD; the learned routers are checked against `_by_hand` instead.
BEFORE = {
    "random": [(0, 0.4553636696, 0.001261327433, 1)],
    "best-single": [(0, 0.5586622807, 0.002168252458, 1)],
    "per-family": [(0, 0.6694078947, 0.001809001806, 1)],
    "oracle": [(0, 0.7669956140, 0.001735413109, 1)],
    "oracle-cheapest": [(0, 0.7669956140, 0.001054027253, 1)],
    "modelswitch": [(0.5, 0.4590643275, 0.001113664108, 1), (0.75, 0.5866228070, 0.004570275298, 2.289839181),
                    (1, 0.5866228070, 0.004570275298, 2.289839181)],
    "cascade": [(1, 0.4590643275, 0.0005568320541, 1), (2, 0.6750730994, 0.001128741917, 1.540935673),
                (3, 0.7708333333, 0.001547656065, 1.865862573), (4, 0.8585526316, 0.002062784007, 2.09502924)],
}


@pytest.fixture(scope="module")
def data():
    config = EvalConfig(seeds=SEEDS, bootstrap=100)
    return prepare(synthetic_dataset(n_queries=240, n_models=4, n_families=3, n_samples=2, seed=3), config)


@pytest.fixture(scope="module")
def evaluated(data):
    """The report and decision log with one worker and with two (forked) workers."""
    return {workers: evaluate(data, EvalConfig(seeds=SEEDS, bootstrap=100, workers=workers)) for workers in (1, 2)}


def _untimed(report):
    return {**report, "config": {k: v for k, v in report["config"].items() if k != "workers"},
            "routers": {name: {k: v for k, v in entry.items() if k not in ("fit_s", "route_s")}
                        for name, entry in report["routers"].items()}}


def test_the_numbers_are_those_of_the_code_before(evaluated):
    report, _ = evaluated[2]
    for name, points in BEFORE.items():
        got = [value for p in report["routers"][name]["points"] for value in (p["knob"], p["accuracy"], p["cost"],
                                                                              p["calls"])]
        assert got == pytest.approx([value for point in points for value in point], rel=1e-9, abs=1e-10), name
    assert report["routers"]["cascade"]["points"][-1]["accuracy_ci"] == pytest.approx([0.80086805556, 0.90948464912])
    assert report["routers"]["random"]["points"][0]["accuracy_ci"] == pytest.approx([0.41610243056, 0.49517086988])


def test_any_number_of_workers_gives_the_same_report_and_decisions(evaluated):
    (one, one_log), (two, two_log) = evaluated[1], evaluated[2]
    assert _untimed(one) == _untimed(two)
    pd.testing.assert_frame_equal(one_log, two_log)


def _by_hand(data, name: str):
    """The protocol as the old evaluation loop ran it: per seed, split, fit, route every knob, in one process."""
    points, rows = {}, []
    for seed in SEEDS:
        train_rows, test_rows = split_queries(data, seed)
        train, test = data.subset(train_rows), data.subset(test_rows)
        router = make_router(name, seed).fit(train)
        for knob in router.knobs:
            outcome = router.route(test, knob)
            macro = np.mean([outcome.score[test.dataset == d].mean() for d in sorted(set(test.dataset))])
            points.setdefault(knob, []).append((outcome.score.mean(), macro, outcome.cost.mean(), outcome.calls.mean(),
                                                metrics.model_recall(outcome.score, test.solved, 1)))
            rows += [(name, seed, float(knob), q, s) for q, s in zip(test.query_ids, outcome.score)]
    return {knob: np.mean(values, 0) for knob, values in points.items()}, rows


LEARNED_AND_REPLAY = ["knn", "avengers", "avengers-pro", "predictor", "mf", "irt", "modelswitch", "cascade"]


@pytest.mark.parametrize("name", LEARNED_AND_REPLAY)
def test_report_and_decision_log_match_the_per_seed_loop(data, evaluated, name):
    report, decisions = evaluated[2]
    expected, rows = _by_hand(data, name)
    got = {p["knob"]: (p["accuracy"], p["accuracy_macro"], p["cost"], p["calls"], p["recall_1"])
           for p in report["routers"][name]["points"]}
    assert set(got) == set(expected)
    for knob, values in expected.items():
        assert got[knob] == pytest.approx(tuple(values), rel=1e-12, abs=1e-15), (name, knob)
    logged = decisions[decisions["router"] == name]
    assert list(zip(logged["router"].astype(str), logged["seed"], logged["knob"], logged["query_id"].astype(str),
                    logged["score"])) == rows


def test_workers_must_not_be_negative():
    with pytest.raises(ValueError, match="workers must be 0"):
        EvalConfig(workers=-1)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 300), st.integers(1, 6), st.integers(1, 5), st.integers(1, 400), st.integers(0, 2**31))
def test_the_blocked_logistic_pass_equals_the_two_full_products(rows, inputs, models, block, seed):
    rng = np.random.default_rng(seed)
    X, C = rng.normal(size=(rows, inputs)), rng.normal(size=(inputs, models))
    Y, offset = (rng.random((rows, models)) < 0.5).astype(float), rng.normal(size=models)
    error = _sigmoid(X @ C + offset) - Y
    spread, sums = _logistic_pass(X, C, Y, offset, block=block)
    assert np.allclose(spread, X.T @ error, atol=1e-10) and np.allclose(sums, error.sum(0), atol=1e-10)


def _old_passes(router, X, error):
    """The factor routers' logits and gradients as they were written before: through the latent factors."""
    p = router.params
    if isinstance(router, MatrixFactorisationRouter):
        projected = X @ p["W"]
        return projected @ p["V"].T + p["b"], {"V": error.T @ projected, "W": X.T @ (error @ p["V"]),
                                               "b": error.sum(0)}
    discrimination = X @ p["A"]
    per_query = error.sum(1)
    logits = discrimination @ p["theta"].T - (X @ p["w"] + p["c"])[:, None]
    return logits, {"theta": error.T @ discrimination, "A": X.T @ (error @ p["theta"]), "w": -X.T @ per_query,
                    "c": -np.array([per_query.sum()])}


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([MatrixFactorisationRouter, IrtRouter]), st.integers(1, 50), st.integers(1, 6),
       st.integers(2, 5), st.integers(1, 9), st.integers(0, 2**31))
def test_factor_coefficients_and_gradients_equal_the_latent_factor_passes(cls, rows, inputs, models, dim, seed):
    rng = np.random.default_rng(seed)
    router = cls(dim=dim)
    router.params = router.init_params(rng, inputs, models)
    router.params = {k: v + rng.normal(size=v.shape) for k, v in router.params.items()}  # zeros would hide terms
    X, error = rng.normal(size=(rows, inputs)), rng.normal(size=(rows, models))
    old_logits, old_grads = _old_passes(router, X, error)
    C, offset = router.coefficients()
    assert np.allclose(X @ C + offset, old_logits)
    grads = router.gradients(X.T @ error, error.sum(0))
    assert grads.keys() == old_grads.keys()
    assert all(np.allclose(grads[k], old_grads[k]) for k in grads)


@given(st.lists(st.tuples(st.sampled_from([True, False, None, 1, 0, float("nan")]), st.sampled_from([0.0, 0.5, 1.0])),
                min_size=1, max_size=30))
def test_correct_flags_equal_the_row_by_row_rule(rows):
    frame = pd.DataFrame({"correct": pd.Series([flag for flag, _ in rows], dtype=object),
                          "score": [score for _, score in rows]})
    by_row = [score >= 1.0 if flag is None or flag != flag else bool(flag) for flag, score in rows]
    assert _correct_flags(frame).tolist() == [float(v) for v in by_row]
