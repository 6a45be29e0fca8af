"""A budget of CPU seconds that attacks poll cheaply.

Process CPU time, not wall time: the attacks are single-threaded, so this is "seconds on one core" and
stays fair when the machine is shared (a wall-clock budget would shrink with the load).
"""

from __future__ import annotations

import time

from npgym.modroots import OutOfBudget


class Deadline:
    """``seconds`` of this process's CPU time from now; :meth:`over` is true once they are used."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.process_time() + seconds
        self.steps = 0

    def over(self) -> bool:
        return time.process_time() > self.end

    def tick(self, steps: int = 1) -> None:
        """``steps`` steps of a search that takes a step callback (npgym's root finders): raises
        :class:`~npgym.modroots.OutOfBudget` once the seconds are used, reading the clock every 4096 steps."""
        before, self.steps = self.steps, self.steps + steps
        if before // 4096 != self.steps // 4096 and self.over():
            raise OutOfBudget

    def left(self) -> float:
        return max(0.0, self.end - time.process_time())
