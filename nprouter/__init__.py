"""nprouter: router datasets from benchmark runs and public routing data, routers, and their evaluation.

Modules: ``schema`` (the record schema), ``export`` (run stores -> records), ``importers`` (public
formats), ``matrix`` (query x model matrices and splits), ``embed`` (query representations),
``routers`` (the router interface and every router), ``metrics``, ``evaluate``, ``plots``, ``cli``.
Nothing heavy is imported here: pandas and scikit-learn load only when used.

The Python API of ``nppc route export`` and ``nppc route eval``: :func:`export_dataset` and :func:`evaluate_routers`.
"""

from __future__ import annotations

import importlib

__all__ = ["evaluate_routers", "export_dataset"]


def __getattr__(name: str):
    """The API's names, imported on first use so that ``import nprouter`` stays light."""
    if name in __all__:
        return getattr(importlib.import_module("nprouter.api"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
