"""Latent-factor routers trained by full-batch Adam in numpy: matrix factorisation and multidimensional IRT.

Both predict P(model m solves query q) with a logistic link and are trained with binary cross-entropy
on the (graded) score, plus a small L2 penalty; routing is argmax of P - lambda * scaled cost.

* Matrix factorisation (EmbedLLM, RouteLLM-mf): logit = <v_m, W x_q> + b_m.
* Multidimensional IRT (a light IrtNet): logit = a(x_q) . theta_m - b(x_q) with a linear
  discrimination a(x) = A x and difficulty b(x) = w . x + c; theta_m is the model's ability vector.
"""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from nprouter.matrix import RoutingData
from nprouter.routers.learned import CostAwareRouter, _sigmoid


def _with_bias(X: np.ndarray) -> np.ndarray:
    """X with a constant column, so abilities and discriminations can carry a per-model base rate."""
    return np.hstack([X, np.ones((len(X), 1))])


class _Adam:
    """Adam on a dict of parameter arrays, updated in place."""

    def __init__(self, params: dict[str, np.ndarray], rate: float):
        self.params, self.rate, self.step = params, rate, 0
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}

    def update(self, grads: dict[str, np.ndarray]) -> None:
        """One step along ``grads`` (same keys as the parameters)."""
        self.step += 1
        for name, grad in grads.items():
            self.m[name] = 0.9 * self.m[name] + 0.1 * grad
            self.v[name] = 0.999 * self.v[name] + 0.001 * grad * grad
            m_hat = self.m[name] / (1 - 0.9 ** self.step)
            v_hat = self.v[name] / (1 - 0.999 ** self.step)
            self.params[name] -= self.rate * m_hat / (np.sqrt(v_hat) + 1e-8)


class _FactorRouter(CostAwareRouter):
    """A logistic latent-factor model trained by Adam; subclasses give its parameters and passes."""

    def __init__(self, seed: int = 0, dim: int = 8, epochs: int = 200, rate: float = 0.03, l2: float = 1e-3):
        super().__init__(seed)
        self.dim, self.epochs, self.rate, self.l2 = dim, epochs, rate, l2

    @abstractmethod
    def init_params(self, rng: np.random.Generator, d: int, m: int) -> dict[str, np.ndarray]:
        """Initial parameters for ``d`` input columns (the bias column included) and ``m`` models."""

    @abstractmethod
    def forward(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The (queries x models) logits, and the intermediate the backward pass reuses."""

    @abstractmethod
    def backward(self, X: np.ndarray, error: np.ndarray, cache: np.ndarray) -> dict[str, np.ndarray]:
        """The gradient of each parameter, given ``error`` = d(loss)/d(logit) and the forward ``cache``."""

    def fit(self, train: RoutingData) -> _FactorRouter:
        """Full-batch Adam on the mean binary cross-entropy plus the L2 penalty."""
        super().fit(train)
        rng = np.random.default_rng(self.seed)
        X, Y = _with_bias(train.query_matrix()), train.score
        self.params = self.init_params(rng, X.shape[1], len(self.models))
        optimiser = _Adam(self.params, self.rate)
        for _ in range(self.epochs):
            logits, cache = self.forward(X)
            error = (_sigmoid(logits) - Y) / Y.size  # d(mean BCE)/d(logit)
            grads = self.backward(X, error, cache)
            optimiser.update({k: g + self.l2 * self.params[k] for k, g in grads.items()})
        return self

    def predict(self, test: RoutingData) -> np.ndarray:
        """The logistic model's probabilities, queries x models."""
        return _sigmoid(self.forward(_with_bias(test.query_matrix()))[0])


class MatrixFactorisationRouter(_FactorRouter):
    """logit = <v_m, W x_q> + b_m (see the module docstring)."""

    name = "mf"

    def init_params(self, rng: np.random.Generator, d: int, m: int) -> dict[str, np.ndarray]:
        """A projection W of the query, a vector v_m and a bias b_m per model."""
        return {"W": rng.normal(0, 0.1, (d, self.dim)), "V": rng.normal(0, 0.1, (m, self.dim)), "b": np.zeros(m)}

    def forward(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Logits <v_m, W x_q> + b_m; the projection W x_q is the cache."""
        projected = X @ self.params["W"]
        return projected @ self.params["V"].T + self.params["b"], projected

    def backward(self, X: np.ndarray, error: np.ndarray, projected: np.ndarray) -> dict[str, np.ndarray]:
        """Gradients of V, W and b."""
        return {"V": error.T @ projected, "W": X.T @ (error @ self.params["V"]), "b": error.sum(0)}


class IrtRouter(_FactorRouter):
    """logit = (A x_q) . theta_m - (w . x_q + c) (see the module docstring).

    The discrimination weights A and the difficulty weights w are one parameter matrix ``Aw`` (w its
    last column), so that each pass reads the query matrix once; Adam and the penalty act element by
    element, so this is the same model as two separate parameters.
    """

    name = "irt"

    def init_params(self, rng: np.random.Generator, d: int, m: int) -> dict[str, np.ndarray]:
        """Discrimination weights A beside difficulty weights w (``Aw``), an ability theta_m per model, offset c."""
        discrimination = rng.normal(0, 0.1, (d, self.dim))
        return {"Aw": np.hstack([discrimination, np.zeros((d, 1))]), "theta": rng.normal(0, 0.1, (m, self.dim)),
                "c": np.zeros(1)}

    def forward(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Logits (A x_q) . theta_m - (w . x_q + c); the discrimination A x_q is the cache."""
        both = X @ self.params["Aw"]
        discrimination, difficulty = both[:, :-1], both[:, -1] + self.params["c"]
        return discrimination @ self.params["theta"].T - difficulty[:, None], discrimination

    def backward(self, X: np.ndarray, error: np.ndarray, discrimination: np.ndarray) -> dict[str, np.ndarray]:
        """Gradients of theta, Aw (A's and w's in one product) and c."""
        per_query = error.sum(1)
        return {"theta": error.T @ discrimination,
                "Aw": X.T @ np.column_stack([error @ self.params["theta"], -per_query]),
                "c": -np.array([per_query.sum()])}
