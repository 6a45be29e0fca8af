"""Replay routers that call several models and pay for every call: the verifier cascade and ModelSwitch."""

from __future__ import annotations

import numpy as np

from nprouter.matrix import RoutingData
from nprouter.routers.base import NotApplicable, Outcome, Router


class VerifierCascadeRouter(Router):
    """Cheapest model first; stop at the first answer the verifier accepts, else escalate.

    Models are ordered by mean training cost (ties: model id). The knob is the chain length: with
    ``k`` the cascade tries at most the ``k`` cheapest models and, when none is accepted, returns the
    last one's answer. Every model tried is paid. The verifier is ``RoutingData.accepted``: npgym's
    exact verifier re-run on the stored answer for benchmark runs; on external datasets, which have
    no verifier, the dataset's correct flag stands in for one (an idealised judge).
    """

    name = "cascade"
    knob_name = "max_models"

    def fit(self, train: RoutingData) -> VerifierCascadeRouter:
        """Order the models cheapest first; the knob is how many of them the cascade may try."""
        super().fit(train)
        self.order = np.lexsort((np.arange(len(self.models)), np.round(self.model_cost, 12)))
        self.knobs = tuple(float(k) for k in range(1, len(self.models) + 1))
        return self

    def route(self, test: RoutingData, knob: float) -> Outcome:
        """Try the cheapest models in turn until the verifier accepts an answer; pay for every try."""
        chain = self.order[: int(knob)]
        accepted = test.accepted[:, chain]
        stop = np.where(accepted.any(1), accepted.argmax(1), len(chain) - 1)
        rows = np.arange(len(test))
        paid = np.cumsum(test.first_cost[:, chain], axis=1)[rows, stop]
        final = chain[stop]
        return Outcome(final, test.first_score[rows, final], paid, stop + 1)


class ModelSwitchRouter(Router):
    """ModelSwitch replayed from stored samples: escalate while a model's own samples disagree.

    Models in cost order (as the cascade). Take all samples of the current model; stop when the share
    of its most common answer reaches the threshold (the knob; 1.0 = unanimous), else add the next
    model's samples. The answer is the weighted majority over every collected sample, each model's
    votes weighted by 1 - the normalised entropy of its own answers (plain counts when every weight
    is 0; ties: the answer seen first); its score is the mean score of the samples that gave it.
    Every sample drawn is paid.
    """

    name = "modelswitch"
    knob_name = "agreement"
    knobs = (0.5, 0.75, 1.0)

    def fit(self, train: RoutingData) -> ModelSwitchRouter:
        """Order the models cheapest first (needs several samples per query and model)."""
        if train.sample_answers is None:
            raise NotApplicable("ModelSwitch needs several samples per query and model (sample_idx > 0)")
        super().fit(train)
        self.order = np.lexsort((np.arange(len(self.models)), np.round(self.model_cost, 12)))
        return self

    def route(self, test: RoutingData, knob: float) -> Outcome:
        """Sample models cheapest first until their answers agree at least ``knob``; answer the weighted vote."""
        codes = self._answer_codes(test)
        _, sample_score, sample_cost = test.samples()
        n, n_samples = len(test), codes.shape[2]
        slots = np.full((n, len(self.order) * n_samples), -1)  # every sample collected, in collection order
        weights, scores = np.zeros(slots.shape), np.zeros(slots.shape)
        model, cost, calls = np.zeros(n, int), np.zeros(n), np.zeros(n, int)
        going = np.ones(n, bool)
        for step, m in enumerate(self.order):
            drawn = (codes[:, m] >= 0) & going[:, None]
            cost += np.where(drawn, sample_cost[:, m], 0.0).sum(1)
            model, calls = np.where(going, m, model), np.where(going, step + 1, calls)
            same = (codes[:, m, :, None] == codes[:, m, None, :]) & drawn[:, :, None] & drawn[:, None, :]
            counts, total = same.sum(2), drawn.sum(1)
            block = slice(step * n_samples, (step + 1) * n_samples)
            slots[:, block] = np.where(drawn, codes[:, m], -1)
            weights[:, block] = np.where(drawn, (1.0 - _normalised_entropy(same, drawn))[:, None], 0.0)
            scores[:, block] = np.where(drawn, sample_score[:, m], 0.0)
            going &= ~((total > 0) & (counts.max(1) / np.maximum(total, 1) >= knob))
        return Outcome(model, _majority_score(slots, weights, scores), cost, calls)

    def _answer_codes(self, test: RoutingData) -> np.ndarray:
        """(Q, M, S) integer code of each sample's answer (its text, as the vote compares them); -1 if not drawn."""
        cached = getattr(self, "_codes", None)
        if cached is None or cached[0] is not test:
            import pandas as pd

            answers, score, _ = test.samples()
            codes = pd.factorize(np.array([str(a) for a in answers.ravel()], dtype=object))[0]
            codes = np.where(np.isnan(score.ravel()), -1, codes).reshape(answers.shape)
            self._codes = (test, codes)
        return self._codes[1]


def _normalised_entropy(same: np.ndarray, drawn: np.ndarray) -> np.ndarray:
    """Per query: entropy of a model's answer shares over its drawn samples, divided by its maximum (0 for one).

    ``same[q, s, t]``: drawn samples s and t gave the same answer. Each answer's term p log p is taken
    at its first sample and summed in that order (cumsum), as a tally over the answers would.
    """
    total = drawn.sum(1)
    shares = np.where(drawn, same.sum(2) / np.maximum(total, 1)[:, None], 1.0)
    seen_before = (same & np.tril(np.ones(same.shape[1:], bool), -1)[None]).any(2)
    terms = np.where(drawn & ~seen_before, shares * np.log(shares), 0.0)
    entropy = -np.cumsum(terms, axis=1)[:, -1]
    return np.where(total > 1, entropy / np.log(np.maximum(total, 2)), 0.0)


def _majority_score(slots: np.ndarray, weights: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """The score of the weighted-majority answer over each query's collected samples (``slots`` >= 0).

    Votes are weights, or plain counts when every weight is 0; ties go to the answer seen first; the
    score is the mean score of the samples that gave it. Sums run in collection order (cumsum), as a
    tally kept while collecting would.
    """
    valid = slots >= 0
    same = (slots[:, :, None] == slots[:, None, :]) & valid[:, :, None] & valid[:, None, :]
    weighted = np.cumsum(same * weights[:, None, :], axis=2)[:, :, -1]
    counted = same.sum(2).astype(float)
    votes = np.where((weights > 0).any(1, keepdims=True), weighted, counted)
    best = np.where(valid, votes, -np.inf).argmax(1)
    chosen = valid & (slots == slots[np.arange(len(slots)), best][:, None])
    return np.where(valid.any(1), (scores * chosen).sum(1) / np.maximum(chosen.sum(1), 1), 0.0)
