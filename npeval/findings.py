"""What each attempt's reply text shows: its aha markers and its reasoning-error detections, in one pass.

The text of the attempts is streamed from the stores (:meth:`npeval.data.Board.texts`); each record is
fingerprinted by a 128-bit hash (computed by pandas in C) of everything its findings depend on
(instance id, status, code, finish reason, reasoning, response, extracted answer), salted with the
marker list and :data:`VERSION`. Findings are computed once per distinct fingerprint and kept in the
per-record cache (:func:`npeval.cache.findings_path`), so unchanged records are never searched again.
Bump :data:`VERSION` when a detector changes.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from npeval import cache, detectors, markers
from npeval.data import Board

VERSION = 1
COLUMNS = ("aha", "markers", "has_text", "hallucinated", "false_arithmetic", "contradiction", "gave_up",
           "stopped_early", "examples")
_TEXT = ("reasoning_text", "response_text", "answer_json")
_RECORD_FIELDS = ("instance_id", "status", "code", "finish_reason", *_TEXT)
_SCHEMA = ("CREATE TABLE IF NOT EXISTS findings (fingerprint BLOB PRIMARY KEY, aha INTEGER, markers TEXT, "
           "has_text INTEGER, hallucinated REAL, false_arithmetic INTEGER, contradiction INTEGER, gave_up INTEGER, "
           "stopped_early INTEGER, examples TEXT)")
_LOOKUP_CHUNK = 900
_HASH_KEYS = ("nppc-findings-a1", "nppc-findings-b2")  # two 16-byte siphash keys: one 128-bit content hash
NO_TEXT = {"aha": 0, "markers": "", "has_text": False, "false_arithmetic": 0, "contradiction": False,
           "gave_up": False, "stopped_early": False, "examples": ""}


def text_findings(board: Board, pattern: re.Pattern, cache_file: Path | None = None) -> pd.DataFrame:
    """One row of :data:`COLUMNS` per attempt of ``board`` (indexed like ``board.attempts``)."""
    attempts = board.attempts
    if attempts.empty:
        return pd.DataFrame(columns=COLUMNS, index=attempts.index)
    cache_file = cache_file if cache_file is not None else cache.findings_path()
    known = _FindingsStore(cache_file)
    data: dict[str, Any] | None = None
    salt = hashlib.blake2b(f"{VERSION}\0{pattern.pattern}".encode(), digest_size=8).digest()
    position = pd.Series(np.arange(len(attempts)), index=attempts.index)
    meta = attempts[list(_RECORD_FIELDS[:4])]
    codes = np.full(len(attempts), -1)      # per attempt: its row in `distinct`
    seen: dict[tuple[int, int], int] = {}   # content hash -> row in `distinct`
    distinct: list[tuple] = []              # the findings of each distinct record content
    for texts in board.texts(attempts, _TEXT):
        rows = position.loc[texts.index].to_numpy()
        key = pd.concat([meta.iloc[rows].reset_index(drop=True), texts.reset_index(drop=True)], axis=1)
        hashes, first, inverse = np.unique(_content_hashes(key), axis=0, return_index=True, return_inverse=True)
        hashes = [tuple(pair) for pair in hashes.tolist()]
        fresh = {pair: (salt + _bytes(pair), row) for pair, row in zip(hashes, first) if pair not in seen}
        cached = known.get([fingerprint for fingerprint, _ in fresh.values()])
        missing = [(fingerprint, row) for fingerprint, row in fresh.values() if fingerprint not in cached]
        if missing and data is None:
            data = board.instance_data()
        records = key.iloc[[row for _, row in missing]].to_dict("records")
        new = {}
        for (fingerprint, _), record in zip(missing, records):
            record = {name: None if _missing(value) else value for name, value in record.items()}
            new[fingerprint] = findings_of(record, data.get(record["instance_id"]), pattern)
        known.put(new)
        cached.update(new)
        for pair, (fingerprint, _) in fresh.items():
            seen[pair] = len(distinct)
            distinct.append(cached[fingerprint])
        codes[rows] = np.array([seen[pair] for pair in hashes])[inverse.ravel()]
    known.close()
    table = pd.DataFrame(distinct, columns=COLUMNS).reindex(codes).set_axis(attempts.index)
    return table.fillna(NO_TEXT)  # records rewritten since the board was read: as replies without text


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


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _content_hashes(key: pd.DataFrame) -> np.ndarray:
    """A 128-bit hash of each row of ``key`` (two 64-bit hashes with different keys), computed in C."""
    return np.stack([pd.util.hash_pandas_object(key, index=False, hash_key=hash_key).to_numpy()
                     for hash_key in _HASH_KEYS], axis=1)


def _bytes(pair: tuple[int, int]) -> bytes:
    return pair[0].to_bytes(8, "little") + pair[1].to_bytes(8, "little")


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
