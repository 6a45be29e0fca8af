"""The plain, code and feedback tracks side by side, per model, problem and level, on the same instances.

:func:`track_table` reads run stores (records and instances only) and returns one row per (model,
problem, level, track). Where a model ran several tracks on a (problem, level), every track's row
counts only the instances all of them answered (an attempt: a final record), so the numbers compare.

Columns

``instances``            instances in the comparison (shared by the model's tracks at that level)
``attempts``, ``correct`` final records and correct answers on those instances (all samples)
``accuracy``             correct / attempts; on the feedback track: solved within its turns
``solved_by_turn_T``     share of attempts solved by reply T (feedback: the per-turn score; plain: T=1
                         only; code: empty, since its replies are code runs, not new answers)
``tokens_per_solved``    prompt + completion tokens of all attempts / correct
``tool_calls_per_solved`` code runs of all attempts / correct
``seconds_per_solved``   model seconds plus code-run wall seconds of all attempts / correct
``solver_seconds``       the reference line: mean seconds of ``baseline/exact`` on the same instances
                         (its plain records), else the solver time kept with the instances; empty when
                         neither is known

A ``*_per_solved`` value is empty when nothing was solved.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from npsolver.store import FINAL_STATUSES, Store

TRACK_ORDER = ("plain", "code", "feedback")
EXACT = "baseline/exact"


def load_track_records(paths: Iterable[str | Path]) -> tuple[pd.DataFrame, dict[str, dict]]:
    """Final records of every store (with their track; NULL is plain) and the instances, merged."""
    rows, instances = [], {}
    for path in paths:
        with Store(path, readonly=True) as store:
            rows.extend(store.records(with_text=False))
            instances.update(store.instances())
    records = pd.DataFrame(rows)
    if records.empty:
        return records, instances
    records = records[records["status"].isin(FINAL_STATUSES)].copy()
    records["track"] = records["track"].fillna("plain")
    records["turns"] = records["turns"].fillna(1)
    records["correct"] = records["correct"].fillna(0).astype(int)
    records["tokens"] = records["prompt_tokens"].fillna(0) + records["completion_tokens"].fillna(0)
    records["seconds"] = records["latency_s"].fillna(0) + records["tool_wall_s"].fillna(0)
    records["tool_calls"] = records["tool_calls"].fillna(0)
    return records, instances


def track_table(paths: Iterable[str | Path]) -> pd.DataFrame:
    """One row per (model, problem, level, track); see the module docstring for the columns."""
    records, instances = load_track_records(paths)
    if records.empty:
        return pd.DataFrame(columns=["model", "problem", "level", "track", "instances", "attempts", "correct",
                                     "accuracy"])
    reference = _solver_seconds(records, instances)
    max_turns = int(records.loc[records["track"] == "feedback", "turns"].max()) \
        if (records["track"] == "feedback").any() else 1
    rows = []
    for (model, problem, level), cell in records.groupby(["model", "problem", "level"], sort=True):
        shared = set.intersection(*(set(group["instance_id"]) for _, group in cell.groupby("track")))
        for track in sorted(cell["track"].unique(), key=_track_rank):
            chosen = cell[(cell["track"] == track) & cell["instance_id"].isin(shared)]
            rows.append(_row(model, problem, level, track, chosen, max_turns,
                             _mean(reference.get(i) for i in sorted(shared))))
    return pd.DataFrame(rows)


def _row(model: str, problem: str, level: int, track: str, chosen: pd.DataFrame, max_turns: int,
         solver_seconds: float | None) -> dict:
    attempts, correct = len(chosen), int(chosen["correct"].sum())
    row = {"model": model, "problem": problem, "level": int(level), "track": track,
           "instances": chosen["instance_id"].nunique(), "attempts": attempts, "correct": correct,
           "accuracy": correct / attempts if attempts else None}
    for turn in range(1, max_turns + 1):
        if track == "feedback" or (track == "plain" and turn == 1):
            solved = chosen["solved_turn"].notna() & (chosen["solved_turn"].fillna(0) <= turn) \
                if track == "feedback" else chosen["correct"] == 1
            row[f"solved_by_turn_{turn}"] = float(solved.sum()) / attempts if attempts else None
        else:
            row[f"solved_by_turn_{turn}"] = None
    for name, column in (("tokens_per_solved", "tokens"), ("tool_calls_per_solved", "tool_calls"),
                         ("seconds_per_solved", "seconds")):
        row[name] = float(chosen[column].sum()) / correct if correct else None
    row["solver_seconds"] = solver_seconds
    return row


def _track_rank(track: str) -> tuple[int, str]:
    return (TRACK_ORDER.index(track) if track in TRACK_ORDER else len(TRACK_ORDER), track)


def _solver_seconds(records: pd.DataFrame, instances: dict[str, dict]) -> dict[str, float]:
    """Seconds of the exact solver per instance: baseline/exact's plain records, else the stored solve effort."""
    seconds = {}
    for instance_id, record in instances.items():
        effort = (record.get("meta") or {}).get("effort") or {}
        if isinstance(effort.get("seconds"), (int, float)):
            seconds[instance_id] = float(effort["seconds"])
    exact = records[(records["model"] == EXACT) & (records["track"] == "plain") & records["latency_s"].notna()]
    seconds.update(exact.groupby("instance_id")["latency_s"].mean().to_dict())
    return seconds


def _mean(values: Iterable[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return sum(known) / len(known) if known else None


def side_by_side(table: pd.DataFrame) -> pd.DataFrame:
    """One row per (model, problem, level): each track's accuracy, cost per solved instance, the solver line."""
    if table.empty:
        return table
    turns = sorted(int(c.rsplit("_", 1)[1]) for c in table.columns if c.startswith("solved_by_turn_"))
    rows = []
    for (model, problem, level), cell in table.groupby(["model", "problem", "level"], sort=True):
        by_track = {row["track"]: row for row in cell.to_dict("records")}
        row = {"model": model, "problem": problem, "level": level,
               "instances": max(r["instances"] for r in by_track.values())}
        for track in TRACK_ORDER:
            found = by_track.get(track)
            if track == "feedback" and found:
                row[track] = " / ".join(_number(found.get(f"solved_by_turn_{t}")) for t in turns
                                        if found.get(f"solved_by_turn_{t}") is not None)
            else:
                row[track] = _number(found["accuracy"]) if found else ""
        for label, column, digits in (("tokens/solved", "tokens_per_solved", 0),
                                      ("seconds/solved", "seconds_per_solved", 3)):
            row[label] = " / ".join(_number(by_track[t][column], digits) if t in by_track else "-"
                                    for t in TRACK_ORDER)
        row["tool calls/solved (code)"] = _number(by_track["code"]["tool_calls_per_solved"], 1) \
            if "code" in by_track else ""
        row["exact solver s"] = _number(cell["solver_seconds"].iloc[0], 3)
        rows.append(row)
    return pd.DataFrame(rows)


def _number(value, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "n/a"
    return f"{value:.{digits}f}"


TRACKS_NOTE = ("Accuracy per track on the instances every track of the model answered; feedback: solved by reply "
               "1 / 2 / ... ; tokens and seconds per solved instance in the order plain / code / feedback (`-`: not "
               "run, `n/a`: nothing solved); seconds = model time + code-run time; the exact solver's seconds are "
               "the reference line. Definitions: npeval.tracks.")


def tracks_markdown(table: pd.DataFrame) -> str:
    """The side-by-side table in Markdown, with its note."""
    wide = side_by_side(table)
    if wide.empty:
        return "_(no records)_\n"
    lines = ["| " + " | ".join(wide.columns) + " |", "|" + "---|" * len(wide.columns)]
    lines += ["| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |" for row in wide.itertuples(index=False)]
    return TRACKS_NOTE + "\n\n" + "\n".join(lines) + "\n"


def tracks_to_show(paths: Iterable[str | Path], records: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """:func:`track_table` of the stores, or None when no store holds a code or feedback run.

    ``records``: the stores' records when already read (a board's, with their ``track``); a board without a
    track run then costs no second read of the stores.
    """
    if records is not None and "track" in records and records["track"].fillna("plain").eq("plain").all():
        return None
    table = track_table(paths)
    if table.empty or set(table["track"]) <= {"plain"}:
        return None
    return table


def write_track_report(paths: Iterable[str | Path], out: str | Path, records: pd.DataFrame | None = None
                       ) -> str | None:
    """``tables/tracks.csv`` (long) and ``tracks.md`` (side by side) in ``out``, when a store holds a
    code or feedback run; returns the Markdown section for the summary, or None (``records``: see
    :func:`tracks_to_show`)."""
    table = tracks_to_show(paths, records)
    if table is None:
        return None
    out = Path(out)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "tables" / "tracks.csv", index=False)
    markdown = tracks_markdown(table)
    (out / "tracks.md").write_text("# Tracks side by side\n\n" + markdown, encoding="utf-8")
    return "\n## Tracks side by side (plain, code, feedback)\n\n" + markdown
