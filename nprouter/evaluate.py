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

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nprouter import metrics
from nprouter.embed import query_matrix
from nprouter.matrix import RoutingData, build_matrix, split_queries
from nprouter.routers import ROUTERS
from nprouter.runs import RouterRuns, SeedRun, Split, one_thread, references, route_all
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
    workers: int = 1  # processes fitting and routing (0: one per usable core); the results do not depend on it

    def __post_init__(self) -> None:
        unknown = [name for name in self.routers if name not in ROUTERS]
        if unknown:
            raise ValueError(f"unknown routers {unknown}; choose from {', '.join(ROUTERS)}")
        if not self.seeds:
            raise ValueError("give at least one seed")
        if self.workers < 0:
            raise ValueError(f"workers must be 0 (one per core) or a positive count, got {self.workers}")


def prepare(dataset: RouterDataset, config: EvalConfig) -> RoutingData:
    """The routing matrices with the query representation attached, built once for every seed and router."""
    with one_thread():
        data = build_matrix(dataset, config.cost_axis)
        data.X, data.info["inputs"] = query_matrix(data.text, data.features, config.inputs, config.encoder)
    return data


def evaluate(data: RoutingData, config: EvalConfig) -> tuple[dict[str, Any], pd.DataFrame]:
    """Run the protocol; returns the report (JSON-ready) and the per-query decisions (one row per router, seed,
    knob value and test query: :data:`DECISION_COLUMNS`)."""
    with one_thread():  # the bootstrap's products too: spinning BLAS threads made them 30 times slower
        return _evaluate(data, config)


def _evaluate(data: RoutingData, config: EvalConfig) -> tuple[dict[str, Any], pd.DataFrame]:
    splits = [Split(seed, *split_queries(data, seed, config.train_fraction)) for seed in config.seeds]
    references_per_seed = [references(data.subset(s.train_rows), data.subset(s.test_rows)) for s in splits]
    routed = route_all(data, splits, config.routers, config.workers)
    runs: dict[tuple[str, float], list[SeedRun]] = {}
    knob_names: dict[str, str] = {}
    skipped: dict[str, str] = {}
    timing: dict[str, dict[str, float]] = {}
    for router in routed:
        if router.skipped is not None:
            skipped[router.name] = router.skipped
            continue
        knob_names[router.name] = router.knob_name
        for knob, run in router.runs.items():
            runs.setdefault((router.name, knob), []).append(run)
        times = timing.setdefault(router.name, {"fit_s": 0.0, "route_s": 0.0})
        times["fit_s"] += router.fit_s
        times["route_s"] += router.route_s
    resamples = [(split.seed, len(split.test_rows)) for split in splits]  # drawn again, in blocks, for the CIs
    report = _report(data, config, runs, knob_names, skipped, timing, references_per_seed, resamples)
    return report, decision_log(data, splits, routed)


def decision_log(data: RoutingData, splits: list[Split], routed: list[RouterRuns]) -> pd.DataFrame:
    """Every decision as one table (:data:`DECISION_COLUMNS`): seeds in order, then routers, knobs, test queries.

    Built from the runs' arrays in one go; router, model and query id are categorical (stored as
    dictionaries), so millions of rows cost a few bytes each.
    """
    test_rows = {split.seed: split.test_rows for split in splits}
    blocks = [(router.name, router.seed, knob, run) for router in routed for knob, run in router.runs.items()]
    if not blocks:
        return pd.DataFrame(columns=DECISION_COLUMNS)
    names = list(dict.fromkeys(name for name, *_ in blocks))
    query_codes, query_names = pd.factorize(data.query_ids)
    sizes = [len(run.score) for *_, run in blocks]
    repeated = lambda values: np.repeat(values, sizes)  # noqa: E731
    joined = lambda part: np.concatenate([getattr(run, part) for *_, run in blocks])  # noqa: E731
    return pd.DataFrame({
        "router": pd.Categorical.from_codes(repeated([names.index(name) for name, *_ in blocks]), names),
        "seed": repeated([seed for _, seed, _, _ in blocks]),
        "knob": repeated([float(knob) for _, _, knob, _ in blocks]),
        "query_id": pd.Categorical.from_codes(
            np.concatenate([query_codes[test_rows[seed]] for _, seed, _, _ in blocks]), query_names),
        "model": pd.Categorical.from_codes(joined("model") + 1, ["(expectation)", *data.models]),
        "score": joined("score").astype(float), "cost": joined("cost").astype(float),
        "calls": joined("calls").astype(int)}, columns=DECISION_COLUMNS)


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
