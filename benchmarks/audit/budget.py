"""A wall-clock budget that attacks poll cheaply."""

from __future__ import annotations

import time


class Deadline:
    """``seconds`` from now; :meth:`over` is true once they have passed."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.perf_counter() + seconds

    def over(self) -> bool:
        return time.perf_counter() > self.end

    def left(self) -> float:
        return max(0.0, self.end - time.perf_counter())
