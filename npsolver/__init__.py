"""npsolver: score models on nppc test sets with concurrent, resumable, fully recorded runs.

The Python API of ``nppc run``: :func:`run_model` (or :func:`plan_run` then :func:`execute_plan`)
writes typed :class:`RunRecord` rows into a :class:`Store`; :func:`export_store` writes them out.
"""

from npsolver.adapters import Completion, Sampling, make_adapter
from npsolver.api import RunPlan, RunResult, execute_plan, plan_run, run_model
from npsolver.export import export_store
from npsolver.records import RunRecord, Status
from npsolver.runner import RunSummary
from npsolver.store import Store

__all__ = ["Completion", "RunPlan", "RunRecord", "RunResult", "RunSummary", "Sampling", "Status", "Store",
           "execute_plan", "export_store", "make_adapter", "plan_run", "run_model"]
