"""npsolver: score models on nppc test sets with concurrent, resumable, fully recorded runs.

The Python API of ``nppc run``: :func:`run_model` (or :func:`plan_run` then :func:`execute_plan`)
writes typed :class:`RunRecord` rows into a :class:`Store`; :func:`export_store` writes them out.
``track=TrackOptions("code")`` or ``TrackOptions("feedback", turns=3)`` asks the same instances on
another track (:mod:`npsolver.tracks`).
"""

from npsolver.adapters import Completion, Sampling, make_adapter
from npsolver.api import RunPlan, RunResult, execute_plan, plan_run, run_model
from npsolver.export import export_store
from npsolver.records import RunRecord, Status
from npsolver.runner import RunSummary
from npsolver.store import Store
from npsolver.tracks import TrackOptions

__all__ = ["Completion", "RunPlan", "RunRecord", "RunResult", "RunSummary", "Sampling", "Status", "Store",
           "TrackOptions", "execute_plan", "export_store", "make_adapter", "plan_run", "run_model"]
