"""Aha moments: self-correction markers counted on word boundaries, by level and correctness.

The reference counted the substring "wait", so "await" and "awaiting" counted. Here a marker
matches only as whole words, case-insensitively, and the words of a multi-word marker may be
separated by any whitespace. The text searched is the reasoning (``reasoning_text``) when the record
has any, else the visible response. The marker list is configurable (``--markers`` on the command
line); :data:`DEFAULT_MARKERS` is the default.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from npeval.data import Board

DEFAULT_MARKERS = (
    "wait", "hmm", "actually", "let me re-check", "let me recheck", "let me double-check", "let me double check",
    "let me verify", "on second thought", "i made a mistake", "that's wrong", "that is wrong", "oops",
    "let me reconsider", "scratch that",
)
MARKER_SEPARATOR = "\n"  # between the markers found in one record (no marker holds a newline)


def marker_pattern(markers: Iterable[str]) -> re.Pattern:
    """One regex matching any marker as whole words (longest first, so phrases win over their prefix).

    The pattern's text depends only on the set of markers (ties in length sorted by text), so it names the same
    findings in every process (it salts the findings cache, :mod:`npeval.findings`).
    """
    words = sorted({marker.strip().lower() for marker in markers if marker.strip()}, key=lambda w: (-len(w), w))
    if not words:
        raise ValueError("the aha-marker list is empty; give at least one marker")
    bodies = [r"\s+".join(re.escape(word) for word in marker.split()) for marker in words]
    # a lookahead for the markers' first characters lets the search skip other words at once (the same matches)
    first = "".join(re.escape(character) for character in sorted({marker[0] for marker in words}))
    return re.compile(rf"(?<!\w)(?=[{first}])(?:" + "|".join(bodies) + r")(?!\w)", re.IGNORECASE)


def count_markers(text: str | None, pattern: re.Pattern) -> int:
    """How often ``pattern`` matches ``text`` (0 for no text)."""
    return len(pattern.findall(text)) if text else 0


def marker_text(reasoning: str | None, response: str | None) -> str:
    """The text searched for markers: the reasoning when it has any, else the response."""
    if isinstance(reasoning, str) and reasoning.strip():
        return reasoning
    return response if isinstance(response, str) else ""


def analysed_text(records: pd.DataFrame) -> pd.Series:
    """:func:`marker_text` of each record."""
    return pd.Series([marker_text(r, s) for r, s in zip(records["reasoning_text"], records["response_text"])],
                     index=records.index, dtype=object)


def aha_by_level(board: Board, findings: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per (model, problem, level, outcome) mean and total counts, per-marker totals by model).

    ``findings`` is :func:`npeval.findings.text_findings` of the board: one row per attempt.
    """
    attempts = board.attempts
    aha = findings["aha"].astype(int).to_numpy()
    counts = pd.DataFrame({"model": attempts["model"], "problem": attempts["problem"],
                           "level": attempts["level"].astype(int), "outcome": attempts["outcome"], "aha": aha,
                           "has_text": findings["has_text"].astype(bool).to_numpy(), "has_aha": aha > 0})
    table = counts.groupby(["model", "problem", "level", "outcome"]).agg(
        n=("aha", "size"), with_text=("has_text", "sum"), total_aha=("aha", "sum"), mean_aha=("aha", "mean"),
        share_with_aha=("has_aha", "mean")).reset_index()
    return table, marker_counts(attempts["model"], findings["markers"])


def marker_counts(models: pd.Series, found: pd.Series) -> pd.DataFrame:
    """How often each model's attempts hold each marker (``found``: each attempt's markers, joined by
    :data:`MARKER_SEPARATOR`). Each distinct ``found`` text is split once and weighed by its attempts."""
    found_codes, found_texts = pd.factorize(found.to_numpy(dtype=object))
    pairs = pd.DataFrame({"model": pd.Series(models.to_numpy(dtype=object), dtype=object), "found": found_codes})
    pairs = pairs[found_codes >= 0].groupby(["model", "found"]).size().rename("attempts").reset_index()
    pairs = pairs[pairs["found"].map(lambda code: found_texts[code] != "")]
    if pairs.empty:
        return pd.DataFrame({"model": pd.Series([], dtype=object), "marker": pd.Series([], dtype=object),
                             "count": pd.Series([], dtype="int64")})
    exploded = pairs.assign(marker=[found_texts[code].split(MARKER_SEPARATOR) for code in pairs["found"]])
    exploded = exploded.explode("marker")
    per_marker = exploded.groupby(["model", "marker"])["attempts"].sum().rename("count").reset_index()
    return per_marker.astype({"count": "int64"})
