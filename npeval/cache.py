"""The analysis cache: work that ``nppc report`` and ``nppc leaderboard build`` share, keyed by content.

Where: ``$NPPC_CACHE_DIR``, else ``$XDG_CACHE_HOME/nppc``, else ``~/.cache/nppc``; ``NPPC_CACHE_DIR=off``
turns it off. What:

``analysis/<key>/analysis.pickle``  a whole :class:`npeval.analysis.Analysis`; the key hashes the stores'
                                   bytes (database and write-ahead log), the analysis settings and the source
                                   of ``npeval`` itself, so any change to the data or the code misses
``analysis/<key>/plots/``           the analysis' figures, drawn once and copied by whoever needs them
``findings.sqlite``                 per-record text findings (:mod:`npeval.findings`), by a fingerprint of the
                                   record's content, so a grown store only reads the new records' findings

Only the newest :data:`KEEP` analyses are kept. A cache entry that cannot be read is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

KEEP = 6
OFF = "off"


def cache_root() -> Path | None:
    """The cache folder, or None when the cache is turned off."""
    configured = os.environ.get("NPPC_CACHE_DIR")
    if configured:
        return None if configured == OFF else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nppc"


def _file_digest(path: Path, digest) -> None:
    with open(path, "rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)


def content_key(stores: Iterable[str | Path], settings: dict[str, Any]) -> str:
    """A hex key of the stores' bytes, the ``settings`` and the source code of npeval."""
    digest = hashlib.blake2b(digest_size=16)
    for store in stores:
        for path in (Path(store), Path(f"{store}-wal")):
            digest.update(b"\0file\0")
            if path.exists():
                _file_digest(path, digest)
    digest.update(repr(sorted(settings.items())).encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode())
        _file_digest(source, digest)
    return digest.hexdigest()


def entry(key: str) -> Path | None:
    """The folder of one analysis in the cache (created), or None when the cache is off."""
    root = cache_root()
    if root is None:
        return None
    folder = root / "analysis" / key
    folder.mkdir(parents=True, exist_ok=True)
    os.utime(folder)
    return folder


def load(folder: Path | None) -> Any | None:
    """The object pickled in ``folder``, or None when there is none (or it cannot be read)."""
    if folder is None or not (folder / "analysis.pickle").exists():
        return None
    try:
        with open(folder / "analysis.pickle", "rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None


def save(folder: Path | None, value: Any) -> None:
    """Pickle ``value`` into ``folder`` atomically, then drop all but the newest :data:`KEEP` entries."""
    if folder is None:
        return
    partial = folder / "analysis.pickle.partial"
    with open(partial, "wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(folder / "analysis.pickle")
    entries = sorted((path for path in folder.parent.iterdir() if path.is_dir()), key=lambda p: p.stat().st_mtime)
    for stale in entries[:-KEEP]:
        shutil.rmtree(stale, ignore_errors=True)


def findings_path() -> Path | None:
    """The per-record findings database, or None when the cache is off."""
    root = cache_root()
    if root is None:
        return None
    root.mkdir(parents=True, exist_ok=True)
    return root / "findings.sqlite"
