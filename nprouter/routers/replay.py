"""Replay routers that call several models and pay for every call: the verifier cascade and ModelSwitch."""

from __future__ import annotations

from collections import Counter

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

    def fit(self, train: RoutingData) -> "VerifierCascadeRouter":
        super().fit(train)
        self.order = np.lexsort((np.arange(len(self.models)), np.round(self.model_cost, 12)))
        self.knobs = tuple(float(k) for k in range(1, len(self.models) + 1))
        return self

    def route(self, test: RoutingData, knob: float) -> Outcome:
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

    def fit(self, train: RoutingData) -> "ModelSwitchRouter":
        if train.sample_answers is None:
            raise NotApplicable("ModelSwitch needs several samples per query and model (sample_idx > 0)")
        super().fit(train)
        self.order = np.lexsort((np.arange(len(self.models)), np.round(self.model_cost, 12)))
        return self

    def route(self, test: RoutingData, knob: float) -> Outcome:
        n = len(test)
        model, score, cost, calls = np.zeros(n, int), np.zeros(n), np.zeros(n), np.zeros(n, int)
        for q in range(n):
            weighted, counted, scores = Counter(), Counter(), {}
            for step, m in enumerate(self.order, 1):
                drawn = ~np.isnan(test.sample_score[q, m])
                answers = [str(a) for a in test.sample_answers[q, m][drawn]]
                cost[q] += test.sample_cost[q, m][drawn].sum()
                model[q], calls[q] = m, step
                if not answers:
                    continue
                own = Counter(answers)
                weight = 1.0 - _normalised_entropy(own, len(answers))
                for answer, value in zip(answers, test.sample_score[q, m][drawn]):
                    weighted[answer] += weight
                    counted[answer] += 1
                    scores.setdefault(answer, []).append(value)
                if own.most_common(1)[0][1] / len(answers) >= knob:
                    break
            votes = weighted if any(v > 0 for v in weighted.values()) else counted
            if votes:
                best = max(votes.items(), key=lambda item: item[1])[0]  # first-seen wins ties (insertion order)
                score[q] = float(np.mean(scores[best]))
        return Outcome(model, score, cost, calls)


def _normalised_entropy(counts: Counter, total: int) -> float:
    """Entropy of a model's answer distribution over its samples, divided by its maximum (0 for one sample)."""
    if total <= 1:
        return 0.0
    shares = np.array(list(counts.values())) / total
    return float(-(shares * np.log(shares)).sum() / np.log(total))
