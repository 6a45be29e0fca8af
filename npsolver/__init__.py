"""npsolver: score models on nppc test sets with concurrent, resumable, fully recorded runs.

The Python API of ``nppc run``: :func:`run_model` (or :func:`plan_run` then :func:`execute_plan`)
writes typed :class:`RunRecord` rows into a :class:`Store`; :func:`export_store` writes them out.
``nppc run --adaptive`` is :func:`run_adaptive` (or :func:`plan_adaptive` then :func:`execute_adaptive`).
``track=TrackOptions("code")`` or ``TrackOptions("feedback", turns=3)`` asks the same instances on
another track (:mod:`npsolver.tracks`).
"""

from npsolver import synthetic  # noqa: F401 - registers the baseline/synthetic adapter
from npsolver.adapters import Completion, Sampling, make_adapter
from npsolver.adaptive import AdaptivePlan, AdaptiveResult, execute_adaptive, plan_adaptive, run_adaptive
from npsolver.api import RunPlan, RunResult, execute_plan, plan_run, run_model
from npsolver.export import export_store
from npsolver.records import RunRecord, Status
from npsolver.runner import RunSummary
from npsolver.store import Store
from npsolver.tracks import TrackOptions

__all__ = ["AdaptivePlan", "AdaptiveResult", "Completion", "RunPlan", "RunRecord", "RunResult", "RunSummary",
           "Sampling", "Status", "Store", "TrackOptions",
           "execute_adaptive", "execute_plan", "export_store", "make_adapter", "plan_adaptive", "plan_run",
           "run_adaptive", "run_model"]
