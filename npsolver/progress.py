"""A one-line progress display on stderr: done / total, accuracy so far, tokens, cost, errors.

On a terminal the line redraws in place (at most a few times a second); otherwise a line is printed
every ``interval`` seconds, so CI logs stay short.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import TextIO


@dataclass
class Tally:
    """Running totals of a run, updated once per finished record."""

    total: int
    skipped: int = 0
    done: int = 0
    correct: int = 0
    graded: int = 0
    api_errors: int = 0
    tokens: int = 0
    cost: float = 0.0
    cost_unknown: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    failures: dict[str, tuple[int, str]] = field(default_factory=dict)  # api error kind: (count, first message)

    def add(self, status: str, correct: int | None, tokens: int, cost: float | None, code: str | None = None,
            message: str | None = None) -> None:
        """Count one finished record."""
        status = str(status)  # a Status member counts under its plain name
        self.done += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status == "api_error":
            count, first = self.failures.get(code or "unknown", (0, message or ""))
            self.failures[code or "unknown"] = (count + 1, first)
        if correct is not None:
            self.graded += 1
            self.correct += correct
        if status == "api_error":
            self.api_errors += 1
        self.tokens += tokens
        if cost is None:
            self.cost_unknown += 1
        else:
            self.cost += cost

    def line(self) -> str:
        """The progress line: records done, accuracy, tokens, cost and API errors so far."""
        finished = self.skipped + self.done
        accuracy = f"{100 * self.correct / self.graded:5.1f}%" if self.graded else "    -"
        cost = f"${self.cost:.4f}" + ("+?" if self.cost_unknown else "")
        return (f"{finished}/{self.total} done (resumed {self.skipped}) | acc {accuracy} | "
                f"{self.tokens} tok | {cost} | api errors {self.api_errors}")


class Progress:
    """Prints the tally every ``interval`` seconds (in place on a terminal) while a run goes."""

    def __init__(self, tally: Tally, stream: TextIO | None = None, interval: float = 10.0, enabled: bool = True):
        self.tally = tally
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.live = enabled and self.stream.isatty()
        self.interval = 0.2 if self.live else interval
        self._last = 0.0

    def update(self, force: bool = False) -> None:
        """Print the tally if ``interval`` has passed since the last time (always with ``force``)."""
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        if self.live:
            self.stream.write("\r" + self.tally.line() + "\x1b[K")
        else:
            self.stream.write(self.tally.line() + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Print the final tally and end the line."""
        self.update(force=True)
        if self.live:
            self.stream.write("\n")
            self.stream.flush()
