"""Reference routers: random (exact expectation), best single model, best per family, and the Oracles."""

from __future__ import annotations

import numpy as np

from nprouter.matrix import RoutingData
from nprouter.routers.base import Outcome, Router, pick


class RandomRouter(Router):
    """A uniformly random model, reported as the exact expectation (mean over models), not one draw."""

    name = "random"
    reference = True

    def route(self, test: RoutingData, knob: float) -> Outcome:
        """The expected outcome of a uniformly random model: each query's mean score and cost."""
        n = len(test)
        return Outcome(np.full(n, -1), test.score.mean(1), test.cost.mean(1), np.ones(n, int))


class BestSingleRouter(Router):
    """The one model with the best training accuracy (ties: lower cost, then model id)."""

    name = "best-single"

    def fit(self, train: RoutingData) -> BestSingleRouter:
        """Keep the most accurate model on ``train`` (ties to the cheaper)."""
        super().fit(train)
        self.best = int(pick(self.model_accuracy[None, :], self.model_cost)[0])
        return self

    def choose(self, test: RoutingData, knob: float) -> np.ndarray:
        """The best single model for every query."""
        return np.full(len(test), self.best)


class PerFamilyRouter(Router):
    """The best training model of each dataset or problem family; unseen families get the best single model.

    Legitimate on benchmark runs, where the problem is known at route time; elsewhere it is the
    "dataset oracle" reference.
    """

    name = "per-family"

    def fit(self, train: RoutingData) -> PerFamilyRouter:
        """Keep the most accurate model per problem family on ``train``, and the best overall as fallback."""
        super().fit(train)
        self.fallback = int(pick(self.model_accuracy[None, :], self.model_cost)[0])
        self.best = {}
        for family in sorted(set(train.dataset)):
            rows = train.dataset == family
            self.best[family] = int(pick(train.score[rows].mean(0)[None, :], train.cost[rows].mean(0))[0])
        return self

    def choose(self, test: RoutingData, knob: float) -> np.ndarray:
        """Each query's family's best model (the fallback for an unseen family)."""
        return np.array([self.best.get(family, self.fallback) for family in test.dataset], dtype=int)


class OracleRouter(Router):
    """Upper bound: per query the best-scoring model; ties go to the strongest model on training data.

    This "performance" Oracle does not look at cost; see :class:`CheapestOracleRouter`.
    """

    name = "oracle"
    reference = True

    def choose(self, test: RoutingData, knob: float) -> np.ndarray:
        """Each query's best-scoring model (it sees the answers: an upper bound), ties to the more accurate."""
        return pick(test.score, -self.model_accuracy)


class CheapestOracleRouter(Router):
    """Upper bound: per query the cheapest model with the best score (the cheapest overall when none scores)."""

    name = "oracle-cheapest"
    reference = True

    def choose(self, test: RoutingData, knob: float) -> np.ndarray:
        """Each query's best-scoring model, ties to the cheapest: the oracle's cost floor."""
        return pick(test.score, test.cost)
