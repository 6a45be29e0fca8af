"""Learned routers over the query representation ``X``: kNN, Avengers, Avengers-Pro and the per-model predictor.

The cost-aware ones score each model by predicted quality minus ``lambda`` times its cost (the
model's mean training cost divided by the most expensive model's), and sweep ``lambda``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from nprouter.matrix import RoutingData
from nprouter.routers.base import LAMBDAS, Router, pick

ALPHAS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


class CostAwareRouter(Router, ABC):
    """Routes to argmax of predicted quality - lambda * scaled cost; subclasses implement ``predict``."""

    knob_name = "lambda"
    knobs = LAMBDAS

    def choose(self, test: RoutingData, knob: float) -> np.ndarray:
        """The model that maximises predicted accuracy minus ``knob`` times its scaled cost."""
        return pick(self.predicted(test) - knob * self.cost_scaled[None, :], self.model_cost)

    def predicted(self, test: RoutingData) -> np.ndarray:
        """``predict(test)``, computed once per test set: the knob sweep reuses it."""
        cached = getattr(self, "_cache", None)
        if cached is None or cached[0] is not test:
            self._cache = (test, self.predict(test))
        return self._cache[1]

    @abstractmethod
    def predict(self, test: RoutingData) -> np.ndarray:
        """Predicted probability that each model answers each test query correctly (queries x models)."""


class KnnRouter(CostAwareRouter):
    """Mean score of the ``k`` nearest training queries (cosine distance), per model (RouterBench, EmbedLLM).

    The neighbours come from at most ``bank`` training queries (a seeded sample when there are more):
    the search costs train x test, and past a few thousand neighbours a cell's mean hardly moves.
    Similarities are computed in float32 blocks of test queries.
    """

    name = "knn"
    BLOCK = 256  # test queries per block: 256 x bank similarities stay in cache (2048 ran 40% slower)

    def __init__(self, seed: int = 0, k: int = 10, bank: int = 10_000):
        super().__init__(seed)
        self.k, self.bank = k, bank

    def fit(self, train: RoutingData) -> KnnRouter:
        """Keep the (sampled) bank of training queries, unit-normalised, and their scores."""
        super().fit(train)
        rows = np.arange(len(train))
        if len(train) > self.bank:
            rows = np.sort(np.random.default_rng(self.seed).choice(len(train), self.bank, replace=False))
        self.bank_X = _unit_rows(train.query_matrix()[rows])
        self.bank_score = train.score[rows]
        return self

    def predict(self, test: RoutingData) -> np.ndarray:
        """Each model's mean score over each test query's ``k`` nearest bank queries."""
        k = min(self.k, len(self.bank_X))
        X = _unit_rows(test.query_matrix())
        predicted = np.empty((len(test), self.bank_score.shape[1]))
        for start in range(0, len(test), self.BLOCK):
            similarity = X[start:start + self.BLOCK] @ self.bank_X.T
            nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
            predicted[start:start + self.BLOCK] = self.bank_score[nearest].mean(1)
        return predicted


def _unit_rows(X: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length in float32 (a zero row stays zero: cosine distance 1 to everything)."""
    X = np.asarray(X, dtype=np.float32)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(norms > 0, norms, 1)


class _Clusters:
    """L2-normalised k-means over the training queries, with soft assignment to the ``top_k`` nearest centroids."""

    def __init__(self, X: np.ndarray, k: int, seed: int, top_k: int = 3, beta: float = 9.0):
        from sklearn.cluster import KMeans
        from sklearn.preprocessing import normalize

        self.k = max(1, min(k, len(X) // 5 or 1))
        self.model = KMeans(n_clusters=self.k, n_init=1, random_state=seed).fit(normalize(X))
        self.centres = normalize(self.model.cluster_centers_)
        self.labels = self.model.labels_
        self.top_k, self.beta = min(top_k, self.k), beta

    def weights(self, X: np.ndarray) -> np.ndarray:
        """(n, K) weights: softmax(-beta * cosine distance) over each query's top_k nearest centroids, 0 elsewhere."""
        from sklearn.preprocessing import normalize

        distance = 1.0 - normalize(X) @ self.centres.T
        nearest = np.argsort(distance, axis=1, kind="stable")[:, : self.top_k]
        chosen = np.take_along_axis(distance, nearest, 1)
        logits = -self.beta * (chosen - chosen.min(1, keepdims=True))
        soft = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
        weights = np.zeros_like(distance)
        np.put_along_axis(weights, nearest, soft, 1)
        return weights

    def means(self, values: np.ndarray) -> np.ndarray:
        """(K, M) per-cluster column means of ``values``."""
        sums = np.zeros((self.k, values.shape[1]))
        np.add.at(sums, self.labels, values)
        return sums / np.maximum(np.bincount(self.labels, minlength=self.k), 1)[:, None]


class _ClusterRouter(Router):
    """The Avengers family: models scored per k-means cluster of the training queries (``k`` clusters, by default
    the class's ``default_k``); :meth:`fit` clusters, and a subclass's ``fit`` then scores the clusters."""

    default_k: int

    def __init__(self, seed: int = 0, k: int | None = None):
        super().__init__(seed)
        self.k = self.default_k if k is None else k

    def fit(self, train: RoutingData) -> _ClusterRouter:
        super().fit(train)
        self.clusters = _Clusters(train.query_matrix(), self.k, self.seed)
        return self


class AvengersRouter(_ClusterRouter):
    """Avengers: k-means clusters, models ranked per cluster by accuracy, route by sum of weight / (rank + 1).

    K = 64 (capped at a fifth of the training queries), top-3 clusters, beta = 9 (the LLMRouterBench port).
    """

    name = "avengers"
    default_k = 64

    def fit(self, train: RoutingData) -> AvengersRouter:
        """Cluster the training queries and rank the models by accuracy within each cluster."""
        super().fit(train)
        accuracy = self.clusters.means(train.score)
        # rank 0 = best; ties by lower cost, then model id, through a sort on (-accuracy, cost, index)
        order = np.lexsort((np.arange(len(self.models))[None, :].repeat(len(accuracy), 0),
                            np.broadcast_to(self.model_cost, accuracy.shape), -np.round(accuracy, 10)), axis=1)
        self.rank = np.argsort(order, axis=1)
        return self

    def choose(self, test: RoutingData, knob: float) -> np.ndarray:
        """The model ranked best over the test query's nearest clusters (cluster-weighted ranks)."""
        return pick(self.clusters.weights(test.query_matrix()) @ (1.0 / (self.rank + 1.0)), self.model_cost)


class AvengersProRouter(_ClusterRouter):
    """Avengers-Pro: per cluster, score = alpha * p~ + (1 - alpha) * (1 - q~); sweep alpha.

    p~ is accuracy min-max normalised within the cluster, q~ = cost / the cluster's highest cost (as
    in the released code). K = 35 (a repository config; capped at a fifth of the training queries).
    """

    name = "avengers-pro"
    knob_name = "alpha"
    knobs = ALPHAS
    default_k = 35

    def fit(self, train: RoutingData) -> AvengersProRouter:
        """Cluster the training queries and keep each cluster's normalised accuracy and cost per model."""
        super().fit(train)
        p = self.clusters.means(train.score)
        q = self.clusters.means(train.cost)
        spread = p.max(1, keepdims=True) - p.min(1, keepdims=True)
        self.p_norm = np.where(spread > 0, (p - p.min(1, keepdims=True)) / np.where(spread > 0, spread, 1), 1.0)
        top = q.max(1, keepdims=True)
        self.q_norm = np.where(top > 0, q / np.where(top > 0, top, 1), 0.0)
        return self

    def choose(self, test: RoutingData, knob: float) -> np.ndarray:
        """The model with the best blend of accuracy (weight ``knob``) and cheapness in the query's clusters."""
        score = knob * self.p_norm + (1.0 - knob) * (1.0 - self.q_norm)
        return pick(self.clusters.weights(test.query_matrix()) @ score, self.model_cost)


class PredictorRouter(CostAwareRouter):
    """Per-model logistic regressions predicting P(solved) from ``X`` (L2, strength ``c`` as scikit-learn's C).

    The models' regressions are independent but fitted as one objective with scipy's L-BFGS, which is
    much faster than one scikit-learn fit per model and gives the same optimum.
    """

    name = "predictor"

    def __init__(self, seed: int = 0, c: float = 1.0):
        super().__init__(seed)
        self.c = c

    def fit(self, train: RoutingData) -> PredictorRouter:
        """One L2-penalised logistic model per model of whether it solves a query, on the query representation."""
        from scipy.optimize import minimize

        super().fit(train)
        # L-BFGS runs on the query columns centred and scaled to unit spread: X @ W + b = Xs @ V + b' with
        # W = scale * V and b = b' - mean . W, the same objective (the intercept is not penalised, so the shift
        # costs nothing) and optimum; the raw columns' means and spreads differ by orders of magnitude (SVD
        # components, counts), and on the standardised ones it needs a fraction of the iterations
        raw = train.query_matrix()
        mean, scale = raw.mean(axis=0), 1.0 / _spread(raw)
        X = with_bias((raw - mean) * scale)
        Y = train.solved.astype(float)
        shape = (X.shape[1], Y.shape[1])
        penalty = np.ones(shape) * np.append(scale * scale, 0.0)[:, None]  # 0.5 * W * W in terms of V

        def objective(flat: np.ndarray) -> tuple[float, np.ndarray]:
            V = flat.reshape(shape)
            Z = X @ V
            loss = self.c * (np.logaddexp(0.0, Z) - Y * Z).sum() + 0.5 * (penalty * V * V).sum()
            grad = self.c * X.T @ (_sigmoid(Z) - Y) + penalty * V
            return loss, grad.ravel()

        result = minimize(objective, np.zeros(shape).ravel(), jac=True, method="L-BFGS-B",
                          options={"maxiter": 500})
        standard = result.x.reshape(shape)
        weights = standard[:-1] * scale[:, None]
        self.weights = np.vstack([weights, standard[-1:] - mean @ weights])
        return self

    def predict(self, test: RoutingData) -> np.ndarray:
        """The logistic models' probabilities, queries x models."""
        return _sigmoid(with_bias(test.query_matrix()) @ self.weights)


def _spread(X: np.ndarray) -> np.ndarray:
    """Each column's standard deviation, 1 for a constant column."""
    spread = X.std(axis=0)
    return np.where(spread > 0, spread, 1.0)


def with_bias(X: np.ndarray) -> np.ndarray:
    """X with a constant column, so that linear models carry an intercept (a per-model base rate)."""
    return np.hstack([X, np.ones((len(X), 1))])


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))
