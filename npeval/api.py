"""The Python API of ``nppc report``: analyse run stores and write the report, as the command does.

pandas, numpy and matplotlib (the ``analysis`` extra) are imported when a function runs, not on import.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from npeval.analysis import Analysis
    from npeval.report import ReportFiles

DEFAULT_BOOTSTRAP = 2000
DEFAULT_SEED = 0


def analyse(stores: Iterable[str | Path], *, bootstrap: int = DEFAULT_BOOTSTRAP, seed: int = DEFAULT_SEED,
            markers: Iterable[str] | None = None) -> Analysis:
    """The analysis of the run stores at ``stores`` (merged): board, statistics with bootstrap intervals
    (``bootstrap`` replicates from ``seed``), findings; read from the analysis cache when it holds the same work."""
    from npeval.early import start_search
    from npeval.workers import stopped_on_error

    stores = [str(store) for store in stores]
    markers = None if markers is None else list(markers)
    search = start_search(stores, markers)  # first: its imports and reads overlap this process's own
    with stopped_on_error(search):
        from npeval.analysis import analyse_stores
        from npeval.markers import DEFAULT_MARKERS

        return analyse_stores(stores, n_boot=bootstrap, seed=seed,
                              aha_markers=DEFAULT_MARKERS if markers is None else markers, search=search)


def report_stores(stores: Iterable[str | Path], out: str | Path, *, bootstrap: int = DEFAULT_BOOTSTRAP,
           seed: int = DEFAULT_SEED, markers: Iterable[str] | None = None, judge: str | None = None,
           judge_limit: int = 50, svg: bool = False) -> ReportFiles:
    """``nppc report``: write tables, figures and ``summary.md`` of the stores into ``out``.

    ``judge`` names a LiteLLM model that classifies up to ``judge_limit`` new wrong answers' reasoning
    (the ``api`` extra). Returns what was written (``.summary``, ``.tables``, ``.plots``).
    """
    analysis = analyse(stores, bootstrap=bootstrap, seed=seed, markers=markers)  # first: it may start a worker
    from npeval.report import write_report

    out = Path(out)
    if judge:
        from npeval import judge as judging

        out.mkdir(parents=True, exist_ok=True)
        judged = judging.judge_wrong_answers(analysis.board, judge, out / "judgements.sqlite", limit=judge_limit)
        analysis.judgements = judging.judgement_shares(analysis.board, judged)
    return write_report(analysis, out, svg=svg)
