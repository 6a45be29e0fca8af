"""Synthetic but real run stores: real npgym instances, made-up answers, written through ``Store``.

For tests, demos and the benchmarks in ``benchmarks/eval_*.py``: a model's chance of answering
correctly falls with the level (``skill - 0.15 (level - 1)``), some records end in API errors or
parse errors, some cells are dropped, and a model's cost may be unknown (NULL), so every branch of
the analysis has data. Nothing here is used when real runs are analysed.

Each instance's right and wrong answers are verified once, and each model's records are written in
one transaction, so a board of a million records takes minutes, not hours; the exact solver's
``optimum_time_limit`` bounds the time spent proving optima (an unproved optimum stays unknown).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import npgym
from npsolver.store import API_ERROR, GRADED, PARSE_ERROR, Store

THINKING = ("Let me try the vertices in order. Wait, that misses an edge. Hmm, actually taking the "
            "larger endpoint works better. Let me double-check: 2 + 3 = 5. I'll await nothing and answer.")
WRONG_THINKING = ("Take vertex 99 first. Wait, 4 + 4 = 9, so the bound holds. Hmm, wait. I think this works. "
                  "Actually, no solution exists.")
GIVING_UP = "There are too many combinations to check by hand, so I cannot be sure. I will guess."


@dataclass
class SyntheticSpec:
    """What to write: models (name -> skill in [0, 1]), problems, levels, seeds, instances per seed."""

    models: dict[str, float]
    problems: tuple[str, ...] = ("vertex_cover", "three_sat")
    levels: tuple[int, ...] = (1, 2, 3)
    seeds: tuple[int, ...] = (1, 2)
    per_seed: int = 4
    samples: int = 1
    api_error_rate: float = 0.0
    parse_error_rate: float = 0.05
    drop_cells: set[tuple[str, str, int]] = field(default_factory=set)  # (model, problem, level) never run
    unpriced: set[str] = field(default_factory=set)  # models whose cost is NULL
    random_seed: int = 0
    run_config: dict[str, Any] = field(default_factory=dict)
    optimum_time_limit: float = 10.0  # seconds per instance to prove its optimum; 0 leaves every optimum unknown


@dataclass(frozen=True)
class Answers:
    """An instance's right and wrong answer with their verdicts: each verified once, reused by every record."""

    right: Any
    right_verdict: npgym.Verdict
    wrong: Any
    wrong_verdict: npgym.Verdict

    @classmethod
    def of(cls, inst: npgym.Instance) -> Answers:
        """The certificate and a wrong answer of ``inst``, each with its verdict."""
        wrong = _wrong_answer(inst)
        return cls(inst.certificate, npgym.verify(inst, {"solution": inst.certificate}), wrong,
                   npgym.verify(inst, {"solution": wrong}))


def write_synthetic_store(path: str | Path, spec: SyntheticSpec) -> Path:
    """Write one run per model of ``spec`` into a store at ``path`` and return the path."""
    rng = random.Random(spec.random_seed)
    instances = [_with_optimum(npgym.generate(problem, level=level, seed=seed, index=index), spec.optimum_time_limit)
                 for problem in spec.problems for level in spec.levels for seed in spec.seeds
                 for index in range(spec.per_seed)]
    answers = {inst.id: Answers.of(inst) for inst in instances}
    with Store(path) as store:
        store.put_instances(inst.to_record(with_key=True) for inst in instances)
        store.put_prompt("synthetic", "synthetic prompt")
        for model, skill in spec.models.items():
            run_id = f"synthetic-{model}"
            store.put_run(run_id, model, {"adapter": "synthetic", "skill": skill, **spec.run_config},
                          "synthetic-v1", "0.0.0-synthetic", None)
            store.put_records(make_record(run_id, model, inst, sample, skill, spec, rng, answers[inst.id])
                              for inst in instances if (model, inst.problem, inst.level) not in spec.drop_cells
                              for sample in range(spec.samples))
    return Path(path)


def make_record(run_id: str, model: str, inst: npgym.Instance, sample: int, skill: float,
                spec: SyntheticSpec, rng: random.Random, answers: Answers | None = None) -> dict[str, Any]:
    """One made-up record for ``inst``: correct with probability falling with the level."""
    if inst.level is None:
        raise ValueError(f"synthetic records fall in accuracy by level; instance {inst.id} was made without one")
    record = {"run_id": run_id, "instance_id": inst.id, "sample": sample, "model": model, "problem": inst.problem,
              "problem_version": inst.version, "level": inst.level, "prompt_hash": "synthetic",
              "prompt_tokens": 100 + 40 * inst.level, "latency_s": 0.5, "attempts": 1}
    draw = rng.random()
    if draw < spec.api_error_rate:
        return {**record, "status": API_ERROR, "correct": None, "code": "server", "message": "HTTP 500",
                "cost_source": "missing"}
    correct = rng.random() < max(skill - 0.15 * (inst.level - 1), 0.0)
    completion = int(200 * inst.level * (0.8 if correct else 1.3)) + rng.randrange(50)
    cost = None if model in spec.unpriced else round(completion * 1e-6, 8)
    usage = {"completion_tokens": completion, "reasoning_tokens": completion // 2, "cost_usd": cost,
             "cost_source": "missing" if cost is None else "priced", "finish_reason": "stop"}
    if not correct and draw < spec.api_error_rate + spec.parse_error_rate:
        return {**record, **usage, "status": PARSE_ERROR, "correct": 0, "code": "no_json", "message": "no JSON",
                "response_text": GIVING_UP, "reasoning_text": GIVING_UP}
    answers = answers or Answers.of(inst)
    answer, verdict = (answers.right, answers.right_verdict) if correct else (answers.wrong, answers.wrong_verdict)
    thinking = THINKING if correct else WRONG_THINKING
    text = f"{thinking}\n```json\n{json.dumps({'solution': answer})}\n```"
    return {**record, **usage, "status": GRADED, "correct": int(verdict.ok), "code": verdict.code,
            "message": verdict.message, "response_text": text, "reasoning_text": thinking,
            "answer_json": json.dumps({"solution": answer}), "objective": verdict.objective}


def _with_optimum(inst: npgym.Instance, time_limit: float) -> npgym.Instance:
    if npgym.get_problem(inst.problem).objective is None or time_limit <= 0:
        return inst
    return inst.with_key(optimum=npgym.solve(inst, time_limit=time_limit).optimum)


def _wrong_answer(inst: npgym.Instance) -> Any:
    certificate = inst.certificate
    if isinstance(certificate, list) and certificate and isinstance(certificate[0], bool):
        return [not value for value in certificate]
    if isinstance(certificate, list) and len(certificate) > 1:
        return certificate[:-1]
    return None
