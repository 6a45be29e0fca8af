"""leaderboard: the static leaderboard site and the offline sample viewer of run stores.

The Python API of ``nppc leaderboard build`` and ``nppc view``: :func:`build_leaderboard` and :func:`build_viewer`.
"""

from __future__ import annotations

import importlib

__all__ = ["build_leaderboard", "build_viewer"]


def __getattr__(name: str):
    """The API's names, imported on first use so that ``import leaderboard`` stays light."""
    if name in __all__:
        return getattr(importlib.import_module("leaderboard.api"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
