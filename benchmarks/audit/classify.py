"""How well cheap features tell yes- from no-instances: cross-validated accuracies.

Three classifiers over all features, each fitted on the training folds only (so the choice of feature is
part of what is cross-validated, and shuffled labels score about 0.5): one threshold on the best single
feature (a depth-1 tree), a depth-3 decision tree and a logistic regression. Accuracies are means over
repeated stratified 5-fold cross-validation, balanced (the mean of the recalls on yes and on no), so a
constant guess scores 0.5 even where a level made fewer no-instances than yes-instances. The named
feature is the one whose threshold scores best in hindsight (chosen after seeing every fold: optimistic
with few instances, so it only names the leak); :func:`chance_level` gives what the honest classifiers
score on shuffled labels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FOLDS = 5
FLOAT32_SAFE = 1e30
REPEATS = 4


@dataclass(frozen=True)
class Separation:
    best_feature: str
    best_feature_accuracy: float
    tree_accuracy: float
    logistic_accuracy: float
    stump_accuracy: float  # one threshold on one feature, the feature chosen inside each training fold
    chance: float  # what the three honest classifiers score on shuffled labels (the best, mean over shuffles)

    @property
    def accuracy(self) -> float:
        """The best honest (cross-validated, selection included) accuracy of the three classifiers."""
        return max(self.stump_accuracy, self.tree_accuracy, self.logistic_accuracy)


def matrix(rows: list[dict[str, float]]) -> tuple[np.ndarray, list[str]]:
    names = sorted({name for row in rows for name in row})
    x = np.array([[row.get(name, 0.0) for name in names] for row in rows], dtype=float)
    x[~np.isfinite(x)] = 0.0
    # the classifiers work in float32: numbers of hundreds of digits (the number problems past the top) would
    # overflow to infinity, and their log2 features carry the same information
    np.clip(x, -FLOAT32_SAFE, FLOAT32_SAFE, out=x)
    return x, names


def _cv_accuracy(model_factory, x: np.ndarray, y: np.ndarray, seed: int) -> float:
    from sklearn.model_selection import StratifiedKFold

    folds = min(FOLDS, int(min(np.bincount(y))))
    if folds < 2:
        return float("nan")
    scores = []
    for repeat in range(REPEATS):
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed + repeat)
        for train, test in splitter.split(x, y):
            model = model_factory()
            model.fit(x[train], y[train])
            scores.append(_balanced_accuracy(y[test], model.predict(x[test])))
    return float(np.mean(scores))


def _balanced_accuracy(truth: np.ndarray, predicted: np.ndarray) -> float:
    """The mean of the recall on yes and on no: 0.5 for any guess that ignores the instance, however the
    labels are balanced (a level may make fewer no-instances than it asked for)."""
    return float(np.mean([(predicted[truth == label] == label).mean() for label in (0, 1) if (truth == label).any()]))


def _stump():
    from sklearn.tree import DecisionTreeClassifier

    return DecisionTreeClassifier(max_depth=1, random_state=0)


def _tree():
    from sklearn.tree import DecisionTreeClassifier

    return DecisionTreeClassifier(max_depth=3, random_state=0)


def _logistic():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=1.0))


def best_single(x: np.ndarray, y: np.ndarray, names: list[str], seed: int = 0) -> tuple[str, float]:
    best, best_accuracy = "-", 0.0
    for j, name in enumerate(names):
        column = x[:, j:j + 1]
        if np.ptp(column) == 0:
            accuracy = 0.5
        else:
            accuracy = _cv_accuracy(_stump, column, y, seed)
        if accuracy > best_accuracy:
            best, best_accuracy = name, accuracy
    return best, best_accuracy


def honest_accuracies(x: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple[float, float, float]:
    """Cross-validated accuracies of the stump, the tree and the logistic regression over all features."""
    return (_cv_accuracy(_stump, x, y, seed), _cv_accuracy(_tree, x, y, seed), _cv_accuracy(_logistic, x, y, seed))


def chance_level(x: np.ndarray, y: np.ndarray, shuffles: int = 5) -> float:
    rng = np.random.default_rng(0)
    return float(np.mean([max(honest_accuracies(x, rng.permutation(y), seed=s)) for s in range(shuffles)]))


def separation(yes: list[dict[str, float]], no: list[dict[str, float]]) -> Separation | None:
    """Cross-validated yes/no accuracies, or None without at least two instances of each label."""
    if len(yes) < 2 or len(no) < 2:
        return None
    x, names = matrix(yes + no)
    y = np.array([1] * len(yes) + [0] * len(no))
    name, accuracy = best_single(x, y, names)
    stump, tree, logistic = honest_accuracies(x, y)
    return Separation(name, accuracy, tree, logistic, stump, chance_level(x, y))
