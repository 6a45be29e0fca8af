"""The evaluation protocol: group-aware query splits over several seeds, every router, every knob value.

For each seed the queries are split 70/30 by group within each dataset; each router is fitted on
the training queries and routes the test queries once per knob value. Per (router, knob) the report
gives the mean and standard deviation over seeds of every metric in :mod:`nprouter.metrics`, and
bootstrap intervals (test queries resampled within each seed, the same resamples for every router)
for accuracy and cost. Per router it adds its best point, frontier area, ParetoDist, PerfGain and
CostSave against the frontier of all deployable routers and single models (the Oracles, being
bounds, are drawn but kept off the frontier).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nprouter import metrics
from nprouter.embed import query_matrix
from nprouter.matrix import RoutingData, build_matrix, split_queries
from nprouter.routers import ROUTERS, NotApplicable, make_router
from nprouter.routers.baselines import BestSingleRouter
from nprouter.schema import SCHEMA_VERSION, RouterDataset

SEEDS = (42, 999, 2024, 2025, 3407)
DECISION_COLUMNS = ["router", "seed", "knob", "query_id", "model", "score", "cost", "calls"]


@dataclass
class EvalConfig:
    """What to evaluate and how; recorded in the report."""

    routers: list[str] = field(default_factory=lambda: list(ROUTERS))
    seeds: tuple[int, ...] = SEEDS
    train_fraction: float = 0.7
    inputs: str = "auto"
    encoder: str = "tfidf"
    cost_axis: str = "auto"
    bootstrap: int = 1000

    def __post_init__(self) -> None:
        unknown = [name for name in self.routers if name not in ROUTERS]
        if unknown:
            raise ValueError(f"unknown routers {unknown}; choose from {', '.join(ROUTERS)}")
        if not self.seeds:
            raise ValueError("give at least one seed")


@dataclass
class SeedRun:
    """One router at one knob value on one seed's test queries."""

    score: np.ndarray
    cost: np.ndarray
    model: np.ndarray
    calls: np.ndarray
    metrics: dict[str, Any]


def prepare(dataset: RouterDataset, config: EvalConfig) -> RoutingData:
    """The routing matrices with the query representation attached."""
    data = build_matrix(dataset, config.cost_axis)
    data.X, data.info["inputs"] = query_matrix(data.text, data.features, config.inputs, config.encoder)
    return data


def evaluate(data: RoutingData, config: EvalConfig) -> tuple[dict[str, Any], pd.DataFrame]:
    """Run the protocol; returns the report (JSON-ready) and the per-query decisions (one row per router, seed,
    knob value and test query: :data:`DECISION_COLUMNS`)."""
    runs: dict[tuple[str, float], list[SeedRun]] = {}
    knob_names: dict[str, str] = {}
    skipped: dict[str, str] = {}
    timing: dict[str, dict[str, float]] = {}
    references: list[Any] = []
    resamples: list[tuple[int, int]] = []
    decisions: list[pd.DataFrame] = []
    for seed in config.seeds:
        train_rows, test_rows = split_queries(data, seed, config.train_fraction)
        train, test = data.subset(train_rows), data.subset(test_rows)
        reference = _references(train, test)
        references.append(reference)
        resamples.append((seed, len(test)))  # drawn again, in blocks, when the intervals are computed
        for name in config.routers:
            started = time.perf_counter()
            try:
                router = make_router(name, seed).fit(train)
            except NotApplicable as reason:
                skipped[name] = str(reason)
                continue
            fitted = time.perf_counter()
            knob_names[name] = router.knob_name
            for knob in router.knobs:
                outcome = router.route(test, knob)
                run = SeedRun(outcome.score, outcome.cost, outcome.model, outcome.calls,
                              _seed_metrics(outcome.score, outcome.cost, outcome.calls, test, reference))
                runs.setdefault((name, knob), []).append(run)
                decisions.append(_decisions(name, seed, knob, test.query_ids, outcome, data.models))
            times = timing.setdefault(name, {"fit_s": 0.0, "route_s": 0.0})
            times["fit_s"] += fitted - started
            times["route_s"] += time.perf_counter() - fitted
    report = _report(data, config, runs, knob_names, skipped, timing, references, resamples)
    return report, pd.concat(decisions, ignore_index=True) if decisions else pd.DataFrame(columns=DECISION_COLUMNS)


def _decisions(router: str, seed: int, knob: float, query_ids: np.ndarray, outcome, models: list[str]):
    """One router's decisions at one knob on one seed's test queries, as a table (one row per query)."""
    names = pd.Categorical.from_codes(outcome.model + 1, ["(expectation)", *models])
    return pd.DataFrame({"router": pd.Categorical([router] * len(query_ids)), "seed": seed, "knob": knob,
                         "query_id": query_ids, "model": names, "score": outcome.score.astype(float),
                         "cost": outcome.cost.astype(float), "calls": outcome.calls.astype(int)},
                        columns=DECISION_COLUMNS)


def _references(train: RoutingData, test: RoutingData) -> dict[str, Any]:
    best = BestSingleRouter().fit(train).best
    return {"random": float(test.score.mean()), "best": float(test.score[:, best].mean()), "best_model": best,
            "best_cost": float(test.cost[:, best].mean()), "oracle": float(test.score.max(1).mean()),
            "singles": [(float(test.cost[:, m].mean()), float(test.score[:, m].mean()))
                        for m in range(len(test.models))]}


def _seed_metrics(score, cost, calls, test: RoutingData, reference: dict[str, Any]) -> dict[str, Any]:
    accuracy = float(score.mean())
    macro = float(np.mean([score[test.dataset == d].mean() for d in sorted(set(test.dataset))]))
    return {"accuracy": accuracy, "accuracy_macro": macro, "cost": float(cost.mean()),
            "calls": float(calls.mean()),
            **metrics.performance(accuracy, reference["random"], reference["best"], reference["oracle"]),
            "recall_1": metrics.model_recall(score, test.solved, 1),
            "recall_2": metrics.model_recall(score, test.solved, 2)}


def _mean_sd(values: list) -> tuple[float | None, float | None]:
    known = [v for v in values if v is not None]
    if not known:
        return None, None
    return float(np.mean(known)), float(np.std(known))


def _bootstrap_intervals(runs, resamples, n_boot: int) -> dict[tuple[str, float], tuple]:
    """(accuracy, cost) intervals of every point run on all seeds: the seed-averaged mean over the same test
    resamples for every router (as :func:`nprouter.metrics.bootstrap_interval`), all points of a seed at once."""
    complete = [key for key, seed_runs in runs.items() if len(seed_runs) == len(resamples)]
    if not complete:
        return {}
    means = np.zeros((n_boot, 2 * len(complete)))
    for index, (seed, size) in enumerate(resamples):
        values = np.column_stack([runs[key][index].score for key in complete]
                                 + [runs[key][index].cost for key in complete])
        means += metrics.resample_means(np.random.default_rng(seed), size, n_boot, values) / len(resamples)
    return {key: (metrics.percentile_pair(means[:, column]), metrics.percentile_pair(means[:, len(complete) + column]))
            for column, key in enumerate(complete)}


def _report(data, config, runs, knob_names, skipped, timing, references, resamples) -> dict[str, Any]:
    mean_ref = {key: float(np.mean([r[key] for r in references])) for key in ("random", "best", "oracle", "best_cost")}
    singles = [(float(np.mean([r["singles"][m][0] for r in references])),
                float(np.mean([r["singles"][m][1] for r in references]))) for m in range(len(data.models))]
    intervals = _bootstrap_intervals(runs, resamples, config.bootstrap)
    routers: dict[str, Any] = {}
    for (name, knob), seed_runs in runs.items():
        entry = routers.setdefault(name, {"knob_name": knob_names[name], "reference": ROUTERS[name].reference,
                                          "points": [], **{k: round(v, 4) for k, v in timing[name].items()}})
        point: dict[str, Any] = {"knob": knob, "seeds": len(seed_runs)}
        for metric in seed_runs[0].metrics:
            point[metric], point[f"{metric}_sd"] = _mean_sd([run.metrics[metric] for run in seed_runs])
        if (name, knob) in intervals:
            point["accuracy_ci"], point["cost_ci"] = intervals[(name, knob)]
        entry["points"].append(point)
    deployable = [(p["cost"], p["accuracy"]) for entry in routers.values() if not entry["reference"]
                  for p in entry["points"]] + singles
    all_points = deployable + [(p["cost"], p["accuracy"]) for e in routers.values() for p in e["points"]]
    cost_max = max(c for c, _ in all_points)
    frontier = metrics.pareto_frontier(deployable)
    for entry in routers.values():
        points = [(p["cost"], p["accuracy"]) for p in entry["points"]]
        entry["best"] = max(entry["points"], key=lambda p: (round(p["accuracy"], 12), -p["cost"]))
        entry["frontier_area"] = metrics.frontier_area(points, cost_max)
        entry["pareto_dist"] = metrics.pareto_distance(points, frontier, cost_max)
        entry["perf_gain"] = metrics.perf_gain([a for _, a in points], mean_ref["best"])
        entry["cost_save"] = metrics.cost_save(points, mean_ref["best"], mean_ref["best_cost"])
    return {
        "schema_version": SCHEMA_VERSION,
        "data": {key: value for key, value in data.info.items()},
        "config": asdict(config),
        "references": {**mean_ref, "best_model_per_seed": [data.models[r["best_model"]] for r in references],
                       "single_models": [{"model": m, "cost": c, "accuracy": a}
                                         for m, (c, a) in zip(data.models, singles)]},
        "routers": routers,
        "skipped": skipped,
        "frontier": frontier,
        "cost_max": cost_max,
    }


def format_table(report: dict[str, Any]) -> str:
    """A plain-text table: each router at its most accurate knob value."""
    ref = report["references"]
    lines = [f"data: {report['data']['queries']} queries x {len(report['data']['models'])} models; "
             f"cost axis {report['data']['cost_note']}; verifier {report['data']['verifier']}; "
             f"inputs {report['data'].get('inputs')}; seeds {len(report['config']['seeds'])}",
             f"random {ref['random']:.4f}  best single {ref['best']:.4f} "
             f"({', '.join(sorted(set(ref['best_model_per_seed'])))})  oracle {ref['oracle']:.4f}",
             f"{'router':16} {'knob':>10} {'acc':>7} {'sd':>6} {'95% CI':>15} {'Gain@R':>7} {'Gain@B':>7} "
             f"{'Gap@O':>7} {'closed':>7} {'rec@1':>6} {'rec@2':>6} {'cost/q':>10} {'area':>6} {'PDist':>6}"]
    fmt = lambda v, spec: format("-", f">{spec.split('.')[0]}") if v is None else format(v, spec)  # noqa: E731
    for name, entry in report["routers"].items():
        best = entry["best"]
        knob = f"{entry['knob_name']}={best['knob']:g}" if entry["knob_name"] else ""
        ci = best.get("accuracy_ci")
        lines.append(
            f"{name:16} {knob:>10} {best['accuracy']:7.4f} {best['accuracy_sd']:6.3f} "
            f"{'' if ci is None else f'[{ci[0]:.3f},{ci[1]:.3f}]':>15} {fmt(best['gain_random'], '7.3f')} "
            f"{fmt(best['gain_best'], '7.3f')} {fmt(best['gap_oracle'], '7.3f')} {fmt(best['gap_closed'], '7.3f')} "
            f"{fmt(best['recall_1'], '6.3f')} {fmt(best['recall_2'], '6.3f')} {best['cost']:10.4g} "
            f"{entry['frontier_area']:6.3f} {entry['pareto_dist']:6.3f}")
    for name, reason in report["skipped"].items():
        lines.append(f"{name:16} skipped: {reason}")
    return "\n".join(lines)
