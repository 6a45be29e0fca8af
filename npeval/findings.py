"""What each attempt's reply text shows: its aha markers and its reasoning-error detections, in one pass.

The text of the attempts is streamed from the stores as Arrow blocks (:meth:`npeval.data.Board.text_blocks`).
Findings depend on a record's content: instance id, status, code, finish reason, reasoning, response and
extracted answer. Records of equal content are found by dictionary-encoding the columns of each block (in
Arrow and pandas, not Python), so only one record per distinct content reaches Python; it is fingerprinted
by a 128-bit BLAKE2b hash of its content, keyed by the marker list and :data:`VERSION`. Findings are
computed once per fingerprint and kept in the per-record cache (:func:`npeval.cache.findings_path`), so
unchanged records are never searched again. Bump :data:`VERSION` when a detector changes.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from npeval import cache, detectors, early, markers, workers
from npeval.data import Board, load_attempts

VERSION = 2
COLUMNS = ("aha", "markers", "has_text", "hallucinated", "false_arithmetic", "contradiction", "gave_up",
           "stopped_early", "examples")
_TEXT = ("reasoning_text", "response_text", "answer_json")
_META = ("instance_id", "status", "code", "finish_reason")
_RECORD_FIELDS = (*_META, *_TEXT)
_SCHEMA = ("CREATE TABLE IF NOT EXISTS findings (fingerprint BLOB PRIMARY KEY, aha INTEGER, markers TEXT, "
           "has_text INTEGER, hallucinated REAL, false_arithmetic INTEGER, contradiction INTEGER, gave_up INTEGER, "
           "stopped_early INTEGER, examples TEXT)")
_LOOKUP_CHUNK = 900
NO_TEXT = {"aha": 0, "markers": "", "has_text": False, "false_arithmetic": 0, "contradiction": False,
           "gave_up": False, "stopped_early": False, "examples": ""}


def text_findings(board: Board, pattern: re.Pattern, cache_file: Path | None = None) -> pd.DataFrame:
    """One row of :data:`COLUMNS` per attempt of ``board`` (indexed like ``board.attempts``)."""
    if board.attempts.empty:
        return pd.DataFrame(columns=COLUMNS, index=board.attempts.index)
    return _expand(board, *_distinct_findings(board, pattern, cache_file))


class Search:
    """:func:`text_findings` under way: on a big board in a worker on a spare core (:mod:`npeval.early`), while
    the caller computes what needs no text; else here, when :meth:`result` is asked for.

    ``started`` is a worker :func:`npeval.early.start_search` started before the board was read; without one, a
    big board starts its worker here.
    """

    def __init__(self, board: Board, pattern: re.Pattern, started: workers.Worker | None = None):
        self.board, self.pattern, self.worker = board, pattern, started
        if started is None and len(board.attempts) >= early.PARALLEL_FROM and workers.spare_cores() > 0:
            self.worker = workers.start(early.WORKER, (_slim(board), pattern), early.FIGURES_NEXT)

    def result(self) -> pd.DataFrame:
        """The findings, the same wherever they were computed: a worker's only if it read this very board (a
        run may have written records in between) with this pattern."""
        found = workers.finish(self.worker, "the text findings") if self.worker is not None else workers.FAILED
        if found is not workers.FAILED:
            pattern, keys, distinct, codes = found
            if pattern == self.pattern.pattern and _same_attempts(keys, _attempt_keys(self.board)):
                return _expand(self.board, distinct, codes)
        return text_findings(self.board, self.pattern)


def search_job(job: tuple) -> tuple[str, tuple[np.ndarray, np.ndarray], pd.DataFrame, np.ndarray]:
    """A worker's side of :class:`Search`: the pattern searched, the attempts' (store, rowid) keys, the distinct
    findings and each attempt's row in them, for ``(board, pattern)`` or for ``(store paths, pattern or marker
    list or None)``, whose board the worker reads itself."""
    given, wanted = job
    pattern = wanted if isinstance(wanted, re.Pattern) else markers.marker_pattern(
        markers.DEFAULT_MARKERS if wanted is None else wanted)
    board = given if isinstance(given, Board) else load_attempts(given, _META)
    return (pattern.pattern, _attempt_keys(board), *_distinct_findings(board, pattern, None))


def _slim(board: Board) -> Board:
    """``board`` with only what the text search reads of its attempts (sent to a worker)."""
    columns = ["rowid", "store", "is_attempt", "level", *_META]
    return replace(board, records=board.attempts[columns], instance_facts=board.instance_facts.iloc[:0],
                   cells=board.cells.iloc[:0])


def _attempt_keys(board: Board) -> tuple[np.ndarray, np.ndarray]:
    attempts = board.attempts
    return attempts["store"].to_numpy(dtype=object), attempts["rowid"].to_numpy()


def _same_attempts(left: tuple[np.ndarray, np.ndarray], right: tuple[np.ndarray, np.ndarray]) -> bool:
    return all(map(np.array_equal, left, right))


def _expand(board: Board, distinct: pd.DataFrame, codes: np.ndarray) -> pd.DataFrame:
    """One row per attempt from the findings of each distinct content (``codes``: each attempt's row)."""
    table = distinct.reindex(codes).set_axis(board.attempts.index)
    return table.fillna(NO_TEXT)  # records rewritten since the board was read: as replies without text


def _distinct_findings(board: Board, pattern: re.Pattern, cache_file: Path | None) -> tuple[pd.DataFrame,
                                                                                            np.ndarray]:
    """The findings of each distinct record content among the attempts, and each attempt's row in them (-1: its
    record was rewritten since the board was read)."""
    attempts = board.attempts
    known = _FindingsStore(cache_file if cache_file is not None else cache.findings_path())
    key = hashlib.blake2b(f"{VERSION}\0{pattern.pattern}".encode(), digest_size=16).digest()
    meta = [pd.factorize(attempts[name].to_numpy(dtype=object)) for name in _META]  # (codes, values); None: -1
    codes = np.full(len(attempts), -1)      # per attempt: its row in `distinct`
    seen: dict[tuple, int] = {}             # record content -> row in `distinct`
    distinct: list[tuple] = []              # the findings of each distinct record content
    data: dict[str, Any] | None = None
    for positions, table in board.text_blocks(attempts, _TEXT):
        keys = [column_codes[positions] for column_codes, _ in meta] + [_codes(table.column(name)) for name in _TEXT]
        inverse, first = _distinct_rows(keys)
        contents = _contents(meta, positions[first], table.take(first))
        fresh = {hashlib.blake2b(repr(content).encode(), digest_size=16, key=key).digest(): content
                 for content in dict.fromkeys(content for content in contents if content not in seen)}
        found = known.get(list(fresh))
        missing = {fingerprint: content for fingerprint, content in fresh.items() if fingerprint not in found}
        if missing and data is None:
            data = detectors.detected_data(board)
        lookup = data if data is not None else {}
        new = {fingerprint: findings_of(dict(zip(_RECORD_FIELDS, content)), lookup.get(content[0]), pattern)
               for fingerprint, content in missing.items()}
        known.put(new)
        found.update(new)
        for fingerprint, content in fresh.items():
            seen[content] = len(distinct)
            distinct.append(found[fingerprint])
        codes[positions] = np.array([seen[content] for content in contents])[inverse]
    known.close()
    return pd.DataFrame(distinct, columns=COLUMNS), codes


def _codes(column) -> np.ndarray:
    """An integer per value of an Arrow text column, equal for equal texts (-1 for NULL)."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column.combine_chunks() if hasattr(column, "combine_chunks") else column)
    return encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _distinct_rows(keys: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """For rows given as integer key columns (values >= -1): each row's distinct-row number, and the first
    row of each distinct row."""
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    for column in keys:  # stays below the row count, so the product never overflows
        combined = pd.factorize(combined * (int(column.max()) + 2) + (column + 1))[0]
    return combined, np.unique(combined, return_index=True)[1]


def _contents(meta: list[tuple[np.ndarray, np.ndarray]], positions: np.ndarray, texts) -> list[tuple]:
    """The :data:`_RECORD_FIELDS` of the attempts at ``positions`` (NULL as None), their texts in ``texts``."""
    columns = [[None if code < 0 else values[code] for code in column_codes[positions]]
               for column_codes, values in meta]
    columns += [texts.column(name).to_pylist() for name in _TEXT]
    return list(zip(*columns))


def findings_of(record: dict[str, Any], data: dict[str, Any] | None, pattern: re.Pattern) -> tuple:
    """The :data:`COLUMNS` of one record (its text fields, status, code and finish reason)."""
    text = markers.marker_text(record.get("reasoning_text"), record.get("response_text"))
    found = [" ".join(m.lower().split()) for m in pattern.findall(text)]
    result = detectors.detect(record, data)
    examples = "; ".join((result.hallucinated or [])[:3] + result.false_arithmetic[:3]
                         + ([result.contradiction] if result.contradiction else []) + result.gave_up[:2])
    return (len(found), markers.MARKER_SEPARATOR.join(found), bool(text.strip()),
            np.nan if result.hallucinated is None else float(len(result.hallucinated)),
            len(result.false_arithmetic), bool(result.contradiction), bool(result.gave_up), result.stopped_early,
            examples)


class _FindingsStore:
    """The per-record findings cache (a SQLite table), or an in-memory stand-in when the cache is off."""

    def __init__(self, path: Path | None):
        self.db = None
        if path is not None:
            try:
                self.db = sqlite3.connect(path, timeout=30)
                self.db.execute(_SCHEMA)
            except sqlite3.Error:
                self.db = None  # an unusable cache is no cache: findings are recomputed

    def get(self, fingerprints: list[bytes]) -> dict[bytes, tuple]:
        if self.db is None or not fingerprints:
            return {}
        wanted, found = fingerprints, {}
        for start in range(0, len(wanted), _LOOKUP_CHUNK):
            chunk = wanted[start:start + _LOOKUP_CHUNK]
            for row in self.db.execute(f"SELECT * FROM findings WHERE fingerprint IN ({', '.join('?' * len(chunk))})",
                                       chunk):
                hallucinated = np.nan if row[4] is None else row[4]
                found[row[0]] = (row[1], row[2], bool(row[3]), hallucinated, row[5], bool(row[6]), bool(row[7]),
                                 bool(row[8]), row[9])
        return found

    def put(self, new: dict[bytes, tuple]) -> None:
        if self.db is None or not new:
            return
        rows = [(key, *(None if isinstance(v, float) and np.isnan(v) else v for v in value))
                for key, value in new.items()]
        with self.db:
            self.db.executemany(f"INSERT OR REPLACE INTO findings VALUES ({', '.join('?' * (1 + len(COLUMNS)))})", rows)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
