"""Shared builders for the router tests: a real run store written with npsolver's Store, and fixture paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

for _module in ("numpy", "scipy", "pandas", "sklearn", "pyarrow", "matplotlib"):
    pytest.importorskip(_module, reason="the router tests need the route extra: pip install -e '.[route]'")

import npgym  # noqa: E402
from npgym.prompt import build_prompt  # noqa: E402
from npsolver.store import Store  # noqa: E402

FIXTURES = Path(__file__).parents[2].parent / "shared" / "fixtures" / "router"
MODELS = ("baseline/exact", "api/cheap", "api/flaky")


def fixture_file(name: str) -> Path:
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"router fixture {path} is absent (shared/ is not beside the checkout)")
    return path


def wrong_answer(instance: npgym.Instance):
    """An answer of the right type that the verifier rejects (an empty set, or every variable false)."""
    return {"solution": [] if instance.problem == "vertex_cover" else [False] * len(instance.certificate)}


def write_store(path: Path, lie: bool = False) -> Path:
    """Three models on 16 real instances (2 problems x 2 levels x 4 indices), one sample each.

    Levels 2 and 3, because vertex cover's level 1 (4 vertices) repeats instances across indices.
    baseline/exact answers the planted certificate (free); api/cheap is right at level 2 and wrong at
    level 3 ($0.001 a call); api/flaky is right on even indices, fails to parse on odd ones, and has one
    unknown cost. With ``lie`` one wrong api/cheap answer is stored as correct, to test re-verification.
    """
    with Store(path) as store:
        for model in MODELS:
            store.put_run(f"run-{model}", model, {"temperature": 0.0}, "nppc-prompt-1", "0.1.0", None)
        for problem in ("vertex_cover", "three_sat"):
            for level in (2, 3):
                for index in range(4):
                    instance = npgym.generate(problem, level, seed=7, index=index)
                    store.put_instances([instance.to_record(with_key=True)])
                    prompt = build_prompt(instance)
                    prompt_hash = f"h-{instance.id}"
                    store.put_prompt(prompt_hash, prompt)
                    for model in MODELS:
                        store.put_record(_record(model, instance, prompt_hash, lie))
    return path


def _record(model: str, instance: npgym.Instance, prompt_hash: str, lie: bool) -> dict:
    base = {"run_id": f"run-{model}", "instance_id": instance.id, "sample": 0, "model": model,
            "problem": instance.problem, "problem_version": instance.version, "level": instance.level,
            "prompt_hash": prompt_hash, "latency_s": 0.1, "prompt_tokens": 100, "completion_tokens": 20}
    if model == "baseline/exact":
        answer = {"solution": instance.certificate}
        return {**base, **_graded(instance, answer), "cost_usd": 0.0, "cost_source": "free"}
    if model == "api/cheap":
        answer = {"solution": instance.certificate} if instance.level == 2 else wrong_answer(instance)
        graded = _graded(instance, answer)
        if lie and instance.level == 3 and instance.index == 0 and instance.problem == "vertex_cover":
            graded["correct"] = 1
        return {**base, **graded, "cost_usd": 0.001, "cost_source": "billed", "latency_s": 1.0}
    if instance.index % 2:
        return {**base, "status": "parse_error", "correct": 0, "code": "no_json", "cost_usd": 0.002,
                "cost_source": "billed", "latency_s": 2.0}
    cost = None if instance.index == 0 and instance.level == 2 else 0.002
    return {**base, **_graded(instance, {"solution": instance.certificate}), "cost_usd": cost,
            "cost_source": "billed" if cost is not None else "missing", "latency_s": 2.0}


def _graded(instance: npgym.Instance, answer: dict) -> dict:
    verdict = npgym.verify(instance, answer)
    return {"status": "graded", "correct": int(verdict.ok), "code": verdict.code, "answer_json": json.dumps(answer)}


@pytest.fixture(scope="session")
def bench_store(tmp_path_factory) -> Path:
    return write_store(tmp_path_factory.mktemp("store") / "runs.sqlite")


@pytest.fixture
def store_writer():
    return write_store


@pytest.fixture
def routellm_csv() -> Path:
    return fixture_file("routellm_mmlu_abstract_algebra.csv")


@pytest.fixture
def routerbench_csv() -> Path:
    return fixture_file("routerbench_winogrande_test.csv")
