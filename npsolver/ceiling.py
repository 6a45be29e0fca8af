"""The ceiling model: accuracy against level as a logistic curve, its grid posterior, and the design rule.

Model
    A model answers an instance of ``level`` L correctly with probability

        p(L) = 1 / (1 + exp(s * (L - c)))

    where ``c`` is the **ceiling**, the (real-valued) level at which accuracy crosses 50%, and ``s > 0``
    the slope, in logits per level. Answers are independent given (c, s). One curve per (model, problem).
Prior
    ``c`` is flat on [0, T], where T is the problem's reference top level, with an exponential tail of
    scale T/2 above T (a third of the prior mass lies past the top), cut at ``max_level``; ``c < 1``
    means the model fails even level 1. ``s`` is log-normal with median 1 and log-sd 0.75 (95% of the
    mass between 0.23 and 4.4: accuracy falling from 90% to 10% over 1 to 19 levels), independent of c.
Posterior
    Exact on a grid: ``c`` at the centres of cells of width 0.1 covering [0, max_level], ``s`` at 25
    log-spaced points in [0.1, 10]. The ceiling is the posterior median of c, its interval the 2.5% and
    97.5% quantiles of the marginal of c (mass spread evenly within each cell).
Design rule
    The next batch of n instances goes to the integer level L (1 <= L <= max_level) that minimises the
    expected posterior variance of c after seeing their answers, the expectation taken over the
    posterior predictive of the number correct (0..n). Candidates are the levels within the central
    99.9% of c's posterior, one more on each side; on a tie the lowest level wins. Everything is a pure
    function of the counts, so the same answers always give the same decision.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

C_STEP = 0.1
SLOPES = np.geomspace(0.1, 10.0, 25)
SLOPE_MEDIAN, SLOPE_LOG_SD = 1.0, 0.75
TAIL_SHARE_OF_TOP = 0.5
CONFIDENCE = 0.95
#: grid points below this share of the heaviest one are left out of the design computation
PRUNE = 1e-10


@dataclass(frozen=True)
class Prior:
    """The prior of one (model, problem) curve: flat up to the reference top ``top``, a tail, a cap."""

    top: int
    max_level: int = 100

    def __post_init__(self) -> None:
        if self.top < 1:
            raise ValueError(f"the reference top level must be >= 1, got {self.top}")
        if self.max_level < 1:
            raise ValueError(f"--max-level must be at least 1, got {self.max_level}")

    def grid(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Crossing points, slopes and the log prior weight of every (c, s) pair (shape c x s)."""
        cells = int(round(self.max_level / C_STEP))
        crossings = (np.arange(cells) + 0.5) * C_STEP
        tail = TAIL_SHARE_OF_TOP * self.top
        log_c = -np.maximum(crossings - self.top, 0.0) / tail
        log_s = -0.5 * ((np.log(SLOPES) - math.log(SLOPE_MEDIAN)) / SLOPE_LOG_SD) ** 2
        return crossings, SLOPES, log_c[:, None] + log_s[None, :]


Counts = Mapping[int, tuple[int, int]]  # level -> (correct, attempts)


@dataclass(frozen=True)
class Summary:
    """What the posterior says about the ceiling c."""

    median: float
    mean: float
    sd: float
    low: float   # 2.5% quantile
    high: float  # 97.5% quantile

    @property
    def width(self) -> float:
        """The width of the credible interval, in levels."""
        return self.high - self.low

    def to_dict(self) -> dict[str, float]:
        """The summary under the names the adaptive log and reports use."""
        return {"ceiling": self.median, "mean": self.mean, "sd": self.sd, "ci_low": self.low, "ci_high": self.high}


def log_sigmoid(z: np.ndarray) -> np.ndarray:
    """log(1 / (1 + exp(-z))), stable for large negative and positive z."""
    return -np.logaddexp(0.0, -z)


class Posterior:
    """The grid posterior of (c, s) given answer counts per level (see the module docstring)."""

    def __init__(self, prior: Prior, counts: Counts):
        self.prior = prior
        self.counts = {int(level): (int(k), int(n)) for level, (k, n) in counts.items() if n > 0}
        for level, (k, n) in self.counts.items():
            if level < 1 or not 0 <= k <= n:
                raise ValueError(f"bad counts at level {level}: {k} correct of {n}")
        self.crossings, self.slopes, log_weight = prior.grid()
        for level, (k, n) in sorted(self.counts.items()):
            z = self.slopes[None, :] * (self.crossings[:, None] - level)  # logit of p(level)
            log_weight = log_weight + k * log_sigmoid(z) + (n - k) * log_sigmoid(-z)
        weight = np.exp(log_weight - log_weight.max())
        self.weight = weight / weight.sum()
        self.c_marginal = self.weight.sum(axis=1)

    def quantile(self, q: float) -> float:
        """The q-quantile of c, with each cell's mass spread evenly over the cell."""
        cdf = np.cumsum(self.c_marginal)
        cell = min(int(np.searchsorted(cdf, q)), len(cdf) - 1)
        before = cdf[cell - 1] if cell else 0.0
        inside = (q - before) / self.c_marginal[cell] if self.c_marginal[cell] > 0 else 0.5
        return float((cell + min(max(inside, 0.0), 1.0)) * C_STEP)

    def summary(self) -> Summary:
        """The ceiling's median, mean, standard deviation and credible interval."""
        mean = float(self.c_marginal @ self.crossings)
        variance = float(self.c_marginal @ (self.crossings - mean) ** 2) + C_STEP ** 2 / 12
        tail = (1 - CONFIDENCE) / 2
        return Summary(self.quantile(0.5), mean, math.sqrt(variance), self.quantile(tail), self.quantile(1 - tail))

    def mass_below(self, level: float) -> float:
        """P(c < level)."""
        return float(self.c_marginal[self.crossings < level].sum())

    def accuracy_band(self, level: float) -> tuple[float, float, float]:
        """Posterior mean of p(level) and its 2.5% / 97.5% quantiles."""
        p = 1.0 / (1.0 + np.exp(self.slopes[None, :] * (level - self.crossings[:, None])))
        order = np.argsort(p, axis=None)
        cdf = np.cumsum(self.weight.ravel()[order])
        values = p.ravel()[order]
        tail = (1 - CONFIDENCE) / 2
        low, high = values[np.searchsorted(cdf, tail)], values[min(int(np.searchsorted(cdf, 1 - tail)), len(cdf) - 1)]
        return float((self.weight * p).sum()), float(low), float(high)

    def candidate_levels(self) -> list[int]:
        """Integer levels within the central 99.9% of c, one more on each side, inside [1, max_level]."""
        low = max(1, math.floor(self.quantile(0.0005)) - 1)
        high = min(self.prior.max_level, math.ceil(self.quantile(0.9995)) + 1)
        return list(range(low, max(low, high) + 1))

    def design_points(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Weight, crossing point and slope of every grid point that can matter (the rest is pruned)."""
        keep = self.weight > PRUNE * self.weight.max()
        shape = self.weight.shape
        return (self.weight[keep], np.broadcast_to(self.crossings[:, None], shape)[keep],
                np.broadcast_to(self.slopes[None, :], shape)[keep])

    def expected_variance(self, level: int, batch: int,
                          points: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> float:
        """E[Var(c | answers so far + ``batch`` answers at ``level``)] under the posterior predictive."""
        weight, crossings, slopes = points if points is not None else self.design_points()
        logit = slopes * (crossings - level)
        correct = np.arange(batch + 1)
        log_choose = np.array([math.lgamma(batch + 1) - math.lgamma(k + 1) - math.lgamma(batch - k + 1)
                               for k in correct])
        log_pmf = (log_choose[None, :] + correct[None, :] * log_sigmoid(logit)[:, None]
                   + (batch - correct)[None, :] * log_sigmoid(-logit)[:, None])
        joint = weight[:, None] * np.exp(log_pmf)  # P(grid point, k correct)
        marginal = joint.sum(axis=0)
        seen = marginal > 0
        first = crossings @ joint[:, seen] / marginal[seen]
        second = (crossings ** 2) @ joint[:, seen] / marginal[seen]
        return float(marginal[seen] @ np.maximum(second - first ** 2, 0.0))

    def best_level(self, batch: int) -> tuple[int, dict[int, float]]:
        """The design rule's level for the next ``batch`` answers, and every candidate's expected sd of c."""
        points = self.design_points()
        expected = {level: math.sqrt(self.expected_variance(level, batch, points))
                    for level in self.candidate_levels()}
        best = min(expected, key=lambda level: (expected[level], level))
        return best, expected
