"""npeval: the analysis of run stores (statistics with bootstrap intervals, findings, figures, the report).

The Python API of ``nppc report``: :func:`analyse` (the analysis object) and :func:`report_stores` (write it).
"""

from __future__ import annotations

import importlib

__all__ = ["analyse", "report_stores"]


def __getattr__(name: str):
    """The API's names, imported on first use so that ``import npeval`` stays light."""
    if name in __all__:
        return getattr(importlib.import_module("npeval.api"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
