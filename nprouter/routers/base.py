"""The router interface, its typed outcome, and the one tie-break rule every router uses.

A router is fitted on training queries and then routes test queries under one cost knob that the
evaluator sweeps (``knobs``; a single value for cost-blind routers). ``route`` returns an
:class:`Outcome`: the model each query ended on, the score it got and the cost paid, so that routers
that call several models (cascade, ModelSwitch) or report an expectation (random) share one shape.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nprouter.matrix import RoutingData

LAMBDAS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0)


class NotApplicable(ValueError):
    """The router cannot run on this data (e.g. ModelSwitch without repeated samples)."""


@dataclass
class Outcome:
    """Per test query: final model index (-1 for an expectation over models), score, cost, models called."""

    model: np.ndarray
    score: np.ndarray
    cost: np.ndarray
    calls: np.ndarray


class Router:
    """Base class: subclasses set ``name``, ``knob_name`` and ``knobs`` and implement ``fit`` and ``route``."""

    name = "router"
    knob_name = ""
    knobs: tuple[float, ...] = (0.0,)
    reference = False  # an upper bound or expectation, not a deployable router

    def __init__(self, seed: int = 0):
        self.seed = seed

    def fit(self, train: RoutingData) -> Router:
        """Learn from ``train``; the base keeps the models, their mean cost (also scaled to the top) and accuracy."""
        self.models = train.models
        self.model_cost = train.cost.mean(0)
        self.model_accuracy = train.score.mean(0)
        top = self.model_cost.max()
        self.cost_scaled = self.model_cost / top if top > 0 else np.zeros_like(self.model_cost)
        return self

    def route(self, test: RoutingData, knob: float) -> Outcome:
        """The outcome on ``test`` of the models :meth:`choose` picks at ``knob``."""
        return outcome_of(test, self.choose(test, knob))

    def choose(self, test: RoutingData, knob: float) -> np.ndarray:
        """The model index picked for each test query; a router overrides this or :meth:`route`."""
        raise TypeError(f"{type(self).__name__} overrides neither choose() nor route()")


def pick(utility: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Row-wise argmax of ``utility``; ties go to the lower cost, then the lower model index (model id order).

    ``cost`` is per model (M,) or per query and model (Q, M). Utilities equal to 10 decimals tie.
    """
    rounded = np.round(utility, 10)
    best = rounded == rounded.max(1, keepdims=True)
    costs = np.where(best, np.broadcast_to(cost, utility.shape), np.inf)
    return (best & (costs == costs.min(1, keepdims=True))).argmax(1)


def outcome_of(test: RoutingData, choice: np.ndarray) -> Outcome:
    """The outcome of sending each query to one model."""
    rows = np.arange(len(test))
    return Outcome(choice, test.score[rows, choice], test.cost[rows, choice], np.ones(len(test), int))
