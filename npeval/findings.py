"""What each attempt's reply text shows: its aha markers and its reasoning-error detections, in one pass.

The text of the attempts is streamed from the stores (:meth:`npeval.data.Board.texts`); each record is
fingerprinted by everything its findings depend on (instance id, status, code, finish reason,
reasoning, response, extracted answer, the marker list and :data:`VERSION`). Findings are computed
once per distinct fingerprint and kept in the per-record cache (:func:`npeval.cache.findings_path`),
so unchanged records are never searched again. Bump :data:`VERSION` when a detector changes.
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


def text_findings(board: Board, pattern: re.Pattern, cache_file: Path | None = None) -> pd.DataFrame:
    """One row of :data:`COLUMNS` per attempt of ``board`` (indexed like ``board.attempts``)."""
    attempts = board.attempts
    if attempts.empty:
        return pd.DataFrame(columns=COLUMNS, index=attempts.index)
    cache_file = cache_file if cache_file is not None else cache.findings_path()
    known = _FindingsStore(cache_file)
    data: dict[str, Any] | None = None
    salt = f"{VERSION}\0{pattern.pattern}".encode()
    meta = attempts[["instance_id", "status", "code", "finish_reason"]].astype(object).where(
        attempts[["instance_id", "status", "code", "finish_reason"]].notna(), "")
    blocks = []
    for texts in board.texts(attempts, _TEXT):
        texts = texts.astype(object).where(texts.notna(), None)
        rows = meta.loc[texts.index]
        fields = list(zip(rows["instance_id"], rows["status"], rows["code"], rows["finish_reason"],
                          texts["reasoning_text"], texts["response_text"], texts["answer_json"]))
        prints = [_fingerprint(salt, *values) for values in fields]
        found = known.get(set(prints))
        new = {}
        for fingerprint, values in zip(prints, fields):
            if fingerprint not in found:
                if data is None:
                    data = board.instance_data()
                record = dict(zip(_RECORD_FIELDS, values))
                new[fingerprint] = found[fingerprint] = findings_of(record, data.get(record["instance_id"]), pattern)
        known.put(new)
        blocks.append(pd.DataFrame([found[p] for p in prints], columns=COLUMNS, index=texts.index))
    known.close()
    return pd.concat(blocks).loc[attempts.index]


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


def _fingerprint(salt: bytes, *fields: Any) -> bytes:
    digest = hashlib.blake2b(salt, digest_size=16)
    for value in fields:
        digest.update(b"\0\1" if value is None else b"\0" + str(value).encode("utf-8", "surrogatepass"))
    return digest.digest()


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

    def get(self, fingerprints: set[bytes]) -> dict[bytes, tuple]:
        if self.db is None or not fingerprints:
            return {}
        wanted, found = list(fingerprints), {}
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
