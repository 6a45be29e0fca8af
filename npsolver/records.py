"""The run record: one graded (or failed) request, typed, and the single source of the store's columns.

Every field carries its SQLite column type and a line of documentation in its metadata; the store's
``records`` table, its column list, the exports and the analysis all derive from :class:`RunRecord`,
so a column is added in one place.

Record status (:class:`Status`), one per record:

``graded``          an answer was extracted and verified (``correct`` is 1 or 0, ``code`` the verdict code)
``parse_error``     no answer could be extracted (``code``: no_json / bad_json / no_solution_key / copied);
                    correct = 0
``truncated``       the reply hit the token limit (finish_reason "length") before an answer; correct = 0
``refusal``         the model declined to answer; correct = 0
``api_error``       every attempt failed (``code``: the failure kind of :mod:`npsolver.errors`); correct is
                    NULL: not a graded record, retried on resume
``verifier_error``  the answer was extracted but the verifier raised (a bug in nppc, not the model's
                    fault); correct is NULL: not graded; on resume the stored reply is graded again
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any


class Status(str, enum.Enum):
    """What became of one request (see the module docstring)."""

    GRADED = "graded"
    PARSE_ERROR = "parse_error"
    TRUNCATED = "truncated"
    REFUSAL = "refusal"
    API_ERROR = "api_error"
    VERIFIER_ERROR = "verifier_error"

    def __str__(self) -> str:
        return self.value

    @property
    def final(self) -> bool:
        """A final record needs no retry: the model answered and the answer was judged."""
        return self in FINAL_STATUSES

    @property
    def attempted(self) -> bool:
        """Counts in an accuracy's denominator (api and verifier errors are missing, not wrong)."""
        return self.final


FINAL_STATUSES = frozenset({Status.GRADED, Status.PARSE_ERROR, Status.TRUNCATED, Status.REFUSAL})


def column(sql: str, doc: str = "", default: Any = None) -> Any:
    """A record field: its SQLite type and documentation travel in the field's metadata."""
    return field(default=default, metadata={"sql": sql, "doc": doc})


@dataclass(frozen=True)
class RunRecord:
    """One row of the ``records`` table: (run, instance, sample) with its reply, verdict and accounting."""

    run_id: str = column("TEXT NOT NULL REFERENCES runs(run_id)")
    instance_id: str = column("TEXT NOT NULL REFERENCES instances(instance_id)")
    sample: int = column("INTEGER NOT NULL")
    model: str = column("TEXT NOT NULL")
    problem: str = column("TEXT NOT NULL")
    problem_version: int = column("INTEGER NOT NULL")
    level: int | None = column("INTEGER")
    prompt_hash: str = column("TEXT NOT NULL")
    status: Status = column("TEXT NOT NULL", "graded / parse_error / truncated / refusal / api_error / verifier_error")
    correct: int | None = column("INTEGER", "1 / 0; NULL for api_error and verifier_error")
    code: str | None = column("TEXT", "verdict code, extraction error, or API error kind")
    message: str | None = column("TEXT")
    response_text: str | None = column("TEXT")
    reasoning_text: str | None = column("TEXT")
    finish_reason: str | None = column("TEXT")
    answer_json: str | None = column("TEXT", 'the extracted {"solution": ...} object, as JSON')
    objective: float | None = column("REAL", "the answer's objective value, when well formed")
    prompt_tokens: int | None = column("INTEGER")
    completion_tokens: int | None = column("INTEGER")
    reasoning_tokens: int | None = column("INTEGER")
    latency_s: float | None = column("REAL")
    cost_usd: float | None = column("REAL", "NULL when unknown")
    cost_source: str | None = column("TEXT", "billed / priced / free (baselines) / missing")
    attempts: int = column("INTEGER NOT NULL DEFAULT 1", default=1)
    started_at: float | None = column("REAL")
    finished_at: float | None = column("REAL")
    # the track (npsolver.tracks); NULL in stores written before tracks existed, which are plain
    track: str | None = column("TEXT", "plain / code / feedback")
    turns: int | None = column("INTEGER", "model replies in the episode (1 on the plain track)")
    solved_turn: int | None = column("INTEGER", "the first reply (1-based) whose answer was correct; NULL if none")
    tool_calls: int | None = column("INTEGER", "code runs the model asked for (code track)")
    tool_cpu_s: float | None = column("REAL", "CPU seconds of the model's code, summed over its runs")
    tool_wall_s: float | None = column("REAL", "wall seconds of the model's code, summed over its runs")

    def __post_init__(self) -> None:
        if not isinstance(self.status, Status):
            object.__setattr__(self, "status", Status(self.status))

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> RunRecord:
        """A record from a store row (extra keys, such as the store's file name, are left out)."""
        present = set(row.keys())  # a sqlite3.Row's "in" looks at values, not column names
        return cls(**{name: row[name] for name in RECORD_COLUMNS if name in present})

    def to_row(self) -> dict[str, Any]:
        """The record as column values (the status as its string)."""
        row = asdict(self)
        row["status"] = self.status.value
        return row

    @property
    def tokens(self) -> int:
        """Prompt plus completion tokens (unknown counts as 0)."""
        return (self.prompt_tokens or 0) + (self.completion_tokens or 0)


RECORD_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(RunRecord))
#: Columns added after the first store format: an older store gets them (NULL) when opened for writing.
LATER_COLUMNS = ("track", "turns", "solved_turn", "tool_calls", "tool_cpu_s", "tool_wall_s")
TEXT_COLUMNS = ("response_text", "reasoning_text", "answer_json")  # large: left out where text is not needed


@dataclass(frozen=True)
class TurnRecord:
    """One row of the ``turns`` table: one message of a multi-turn episode (code or feedback track).

    The first prompt is in ``prompts``; then, in ``step`` order, every reply of the model
    (``assistant``: its text, tool calls, tokens and, on the feedback track, the grade of its answer),
    every run of its code (``tool``: code, output, exit status, limit, CPU and wall seconds) and every
    message sent back to it (``user``: code output without tool calling, or the verifier's feedback).
    """

    run_id: str = column("TEXT NOT NULL")
    instance_id: str = column("TEXT NOT NULL")
    sample: int = column("INTEGER NOT NULL")
    step: int = column("INTEGER NOT NULL", "order of the message in the episode, from 0")
    turn: int = column("INTEGER NOT NULL", "the model reply (1-based) this message answers or belongs to")
    role: str = column("TEXT NOT NULL", "assistant / tool / user")
    content: str | None = column("TEXT", "the message text (for a tool: the output as the model saw it)")
    reasoning_text: str | None = column("TEXT")
    tool_calls_json: str | None = column("TEXT", "an assistant's tool calls: [{id, name, arguments}]")
    tool_call_id: str | None = column("TEXT")
    code: str | None = column("TEXT", "the code that was run")
    stdout: str | None = column("TEXT", "kept stdout (at most the sandbox's output limit)")
    stderr: str | None = column("TEXT")
    exit_code: int | None = column("INTEGER", "0..127 the program's status, 128+N killed by signal N")
    limit_hit: str | None = column("TEXT", "cpu / wall / output, when a limit ended the run")
    cpu_s: float | None = column("REAL")
    wall_s: float | None = column("REAL")
    status: str | None = column("TEXT", "feedback track: the grade of this reply's answer")
    correct: int | None = column("INTEGER")
    verdict_code: str | None = column("TEXT")
    finish_reason: str | None = column("TEXT")
    prompt_tokens: int | None = column("INTEGER")
    completion_tokens: int | None = column("INTEGER")
    reasoning_tokens: int | None = column("INTEGER")
    latency_s: float | None = column("REAL")

    def to_row(self) -> dict[str, Any]:
        """The turn as a row of the ``turns`` table."""
        return asdict(self)


TURN_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(TurnRecord))


def table_sql(name: str, record_type: type, key: str) -> str:
    """``CREATE TABLE`` for a record dataclass whose fields carry their SQL types."""
    lines = []
    for f in fields(record_type):
        doc = f"  -- {f.metadata['doc']}" if f.metadata.get("doc") else ""
        lines.append(f"    {f.name} {f.metadata['sql']},{doc}")
    lines.append(f"    PRIMARY KEY ({key})")
    return f"CREATE TABLE IF NOT EXISTS {name} (\n" + "\n".join(lines) + "\n);"


def records_table_sql() -> str:
    """``CREATE TABLE records`` from :class:`RunRecord`'s fields."""
    return table_sql("records", RunRecord, "run_id, instance_id, sample")


def turns_table_sql() -> str:
    """``CREATE TABLE turns`` from :class:`TurnRecord`'s fields."""
    return table_sql("turns", TurnRecord, "run_id, instance_id, sample, step")
