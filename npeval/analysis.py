"""Every table of an analysis, computed once from a board: what reports and the leaderboard read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd

from npeval import cache, detectors, errors, findings, markers, scores, usage, workers
from npeval.data import Board, load_board

DEFAULT_BOOTSTRAP = 2000
DEFAULT_SEED = 0


@dataclass
class Analysis:
    """The tables of one analysis (each a DataFrame; see the modules named in each comment)."""

    board: Board
    cells: pd.DataFrame              # scores: accuracy per (model, problem, level) + coverage
    problem_accuracy: pd.DataFrame   # scores: per (model, problem), mean over levels
    ceilings: pd.DataFrame           # scores: ceiling level per (model, problem)
    aggregates: pd.DataFrame         # scores: iqm / mean / median / optimality_gap per model
    improvement: pd.DataFrame        # scores: P(X > Y) for every ordered pair
    versus_baselines: pd.DataFrame   # usage: every model against every baseline
    tokens: pd.DataFrame             # usage: tokens by (model, problem, level, outcome)
    cost: pd.DataFrame               # usage: cost per correct answer, with coverage
    optimality: pd.DataFrame         # usage: optimality ratios of correct answers
    aha: pd.DataFrame                # markers: aha moments by (model, problem, level, outcome)
    aha_markers: pd.DataFrame        # markers: counts per marker
    error_shares: pd.DataFrame       # errors: category shares per (model, level)
    error_shares_by_problem: pd.DataFrame
    reasoning_errors: pd.DataFrame   # detectors: shares per (model, level, outcome)
    reasoning_findings: pd.DataFrame  # detectors: one row per attempt
    judgements: pd.DataFrame | None = None  # judge: category shares per (model, level), when judged
    n_boot: int = DEFAULT_BOOTSTRAP
    seed: int = DEFAULT_SEED
    cache_folder: Path | None = None  # where the cache keeps this analysis and its figures (None: not cached)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name (the board's raw records excluded)."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if isinstance(getattr(self, f.name), pd.DataFrame)}


def analyse(board: Board, n_boot: int = DEFAULT_BOOTSTRAP, seed: int = DEFAULT_SEED,
            aha_markers: Iterable[str] = markers.DEFAULT_MARKERS, search: workers.Worker | None = None) -> Analysis:
    """Every table of the report from ``board``: scores with bootstrap intervals, ceilings, errors, usage.
    ``search``: a text search already started on the board's stores (:func:`npeval.early.start_search`)."""
    if n_boot < 1:
        raise ValueError(f"the number of bootstrap replicates must be >= 1, got {n_boot}")
    texts = findings.Search(board, markers.marker_pattern(aha_markers), search)  # meanwhile, on a big board
    strata = scores.build_strata(board, n_boot, seed)
    replicates = scores.cell_replicates(board, strata)
    problem_accuracy, ceilings = scores.problem_tables(board, replicates)
    improvement = scores.improvement(board, strata)
    untextual = dict(
        board=board, cells=scores.cell_accuracy(board, replicates), problem_accuracy=problem_accuracy,
        ceilings=ceilings, aggregates=scores.aggregates(board, strata), improvement=improvement,
        versus_baselines=usage.baseline_standing(improvement, problem_accuracy),
        tokens=usage.tokens_by_level(board), cost=usage.cost_per_correct(board),
        optimality=usage.optimality_ratios(board), error_shares=errors.error_taxonomy(board),
        error_shares_by_problem=errors.error_taxonomy(board, by_problem=True))
    text = texts.result()
    aha, per_marker = markers.aha_by_level(board, text)
    reasoning = detectors.detect_all(board, text)
    return Analysis(
        **untextual, aha=aha, aha_markers=per_marker,
        reasoning_errors=detectors.detector_summary(reasoning) if len(reasoning) else reasoning,
        reasoning_findings=reasoning, n_boot=n_boot, seed=seed)


def analyse_stores(paths: Iterable[str | Path], n_boot: int = DEFAULT_BOOTSTRAP, seed: int = DEFAULT_SEED,
                   aha_markers: Iterable[str] = markers.DEFAULT_MARKERS,
                   search: workers.Worker | None = None) -> Analysis:
    """:func:`analyse` of the stores at ``paths``, read from the analysis cache when it holds the same work
    (``search``: see :func:`analyse`; stopped when the cache answers)."""
    names = [str(path) for path in paths]
    aha_markers = tuple(aha_markers)
    folder = cached_folder(names, n_boot, seed, aha_markers)
    cached = cache.load(folder)
    if isinstance(cached, Analysis):
        if search is not None:
            workers.stop(search)
        return cached
    analysis = analyse(load_board(names), n_boot=n_boot, seed=seed, aha_markers=aha_markers, search=search)
    analysis.cache_folder = folder
    cache.save(folder, analysis)
    return analysis


def cached_folder(paths: list[str], n_boot: int, seed: int, aha_markers: tuple[str, ...]) -> Path | None:
    """The cache folder of this analysis (None when the cache is off or a store is absent)."""
    if cache.cache_root() is None or not all(Path(path).is_file() for path in paths):
        return None
    settings = {"stores": paths, "n_boot": n_boot, "seed": seed, "markers": aha_markers}
    return cache.entry(cache.content_key(paths, settings))
