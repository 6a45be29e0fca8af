"""The sample viewer: every record of one or more run stores as a static folder that works offline.

Layout of the folder::

    index.html             the viewer: filters, a paginated list, one record in full
    viewer.css, viewer.js  its style and script
    data/manifest.js       the filter values, the record groups and where each record's data lives
    data/list-NNNNN.js     summary fields of LIST_CHUNK consecutive records
    data/detail-NNNNN.js   reply, reasoning, extracted answer, verdict, tokens, cost, latency of
                           consecutive records (a new file every DETAIL_BYTES or so)
    data/prompt-NNNNN.js   prompt texts by hash (each prompt once, however many records share it)

Records are written in one order, by (model, problem, level, status, code, seed, index, sample,
run), so that every combination of filter values is one contiguous *group* of records: the
manifest lists the groups, and a filtered page is found without reading any record. Opening one
record reads the manifest, one detail file and one prompt file, whatever the number of records.

Every data file is a script calling ``nppcViewer.receive(kind, number, data)``: a page opened
from ``file://`` may load scripts but not fetch files, so the folder needs no server. The data is
JSON with ``<``, ``>`` and ``&`` escaped, and the script shows every value as text.
"""

from __future__ import annotations

import heapq
import operator
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

from leaderboard.buildtime import build_time
from leaderboard.html import embed_json
from npeval import early, workers

FORMAT_VERSION = 1
SITE_VIEWER_WORKER = "leaderboard.viewer:site_viewer_job"
LIST_CHUNK = 500
DETAIL_BYTES = 400_000
DETAIL_MAX = 500
PROMPT_BYTES = 400_000
MESSAGE_PREVIEW = 140

_QUERY = """
SELECT r.model, r.problem, COALESCE(r.level, i.level) AS level, r.status, COALESCE(r.code, '') AS code,
       COALESCE(i.seed, -1) AS seed, COALESCE(i.instance_index, -1) AS instance_index, r.sample, r.run_id,
       r.instance_id, r.correct, r.message, r.prompt_hash, r.response_text, r.reasoning_text, r.answer_json,
       r.objective, r.finish_reason, r.prompt_tokens, r.completion_tokens, r.reasoning_tokens, r.latency_s,
       r.cost_usd, r.cost_source, r.attempts, r.started_at, r.finished_at, i.label, i.optimum, i.version
FROM records r LEFT JOIN instances i ON i.instance_id = r.instance_id
ORDER BY r.model, r.problem, COALESCE(r.level, i.level), r.status, COALESCE(r.code, ''), COALESCE(i.seed, -1),
         COALESCE(i.instance_index, -1), r.sample, r.run_id
"""


@dataclass(frozen=True)
class Viewer:
    """Where a written viewer is (its root and index) and how many records and groups it shows."""

    root: Path
    index: Path
    records: int
    groups: int
    files: int


_FIELDS = ("model", "problem", "level", "status", "code", "seed", "instance_index", "sample", "run_id", "instance_id",
           "correct", "message", "prompt_hash", "response_text", "reasoning_text", "answer_json", "objective",
           "finish_reason", "prompt_tokens", "completion_tokens", "reasoning_tokens", "latency_s", "cost_usd",
           "cost_source", "attempts", "started_at", "finished_at", "label", "optimum", "version")  # _QUERY's columns
_AT = {name: number for number, name in enumerate(_FIELDS)}  # rows are plain tuples: a column by its position
_GROUP = operator.itemgetter(*(_AT[name] for name in ("model", "problem", "level", "status", "code")))
_LISTED = operator.itemgetter(*(_AT[name] for name in ("seed", "instance_index", "sample", "correct",
                                                       "completion_tokens", "cost_usd", "latency_s")))
_TOKENS = operator.itemgetter(*(_AT[name] for name in ("prompt_tokens", "completion_tokens", "reasoning_tokens")))


def _sort_key(row: tuple) -> tuple:
    # The SQL order, with NULL levels first as SQLite sorts them.
    level = row[_AT["level"]]
    return (row[_AT["model"]], row[_AT["problem"]], level is not None, level if level is not None else 0,
            *(row[_AT[name]] for name in ("status", "code", "seed", "instance_index", "sample", "run_id")))


def _open(path: str) -> sqlite3.Connection:
    if not Path(path).is_file():
        raise FileNotFoundError(f"no run store at {path}")
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def _records(connections: list[tuple[int, sqlite3.Connection]]) -> Iterator[tuple[int, tuple]]:
    """Every record of every store, merged in the viewer's order, with the index of its store."""
    if len(connections) == 1:  # already in order: nothing to merge
        store, db = connections[0]
        for row in db.execute(_QUERY):
            yield store, row
        return
    streams = [((_sort_key(row), store, row) for row in db.execute(_QUERY)) for store, db in connections]
    for _, store, row in heapq.merge(*streams, key=lambda item: (item[0], item[1])):
        yield store, row


class _Index:
    """Values of one dimension (models, problems, ...) numbered in order of first sight."""

    def __init__(self) -> None:
        self.values: list[Any] = []
        self.numbers: dict[Any, int] = {}

    def __call__(self, value: Any) -> int:
        if value not in self.numbers:
            self.numbers[value] = len(self.values)
            self.values.append(value)
        return self.numbers[value]


@dataclass
class _Chunks:
    """Buffers one kind of data file and writes it when full."""

    out: Path
    kind: str
    max_bytes: int
    max_items: int
    written: int = 0
    items: list[str] = field(default_factory=list)
    size: int = 0

    def add(self, encoded: str) -> None:
        if self.items and (self.size + len(encoded) > self.max_bytes or len(self.items) >= self.max_items):
            self.flush()
        self.items.append(encoded)
        self.size += len(encoded)

    def flush(self) -> None:
        if not self.items:
            return
        write_data(self.out, self.kind, self.written, "[" + ",".join(self.items) + "]")
        self.written += 1
        self.items, self.size = [], 0


def write_data(out: Path, kind: str, number: int, payload: str) -> None:
    """One data file: a script handing ``payload`` (JSON text, already escaped) to the viewer."""
    text = f'nppcViewer.receive("{kind}",{number},{payload});\n'
    (out / f"{kind}-{number:05d}.js").write_text(text, encoding="utf-8")


def static_text(name: str) -> str:
    """A file of the site's ``static/`` folder (shipped inside the package)."""
    return (resources.files("leaderboard") / "static" / name).read_text(encoding="utf-8")


def write_viewer(stores: Iterable[str | Path], out: str | Path, title: str = "nppc samples",
                 back_link: str | None = None) -> Viewer:
    """Write the viewer of every record in ``stores`` into the folder ``out``; raise ValueError if there are none."""
    paths = [str(path) for path in stores]
    if not paths:
        raise ValueError("no run store given; pass at least one store file")
    out = Path(out)
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    for old in data.glob("*.js"):
        old.unlink()  # a rebuild must not leave files of a larger earlier build behind
    connections = [(number, _open(path)) for number, path in enumerate(paths)]
    try:
        manifest = _write_records(connections, data)
        prompts_missing = manifest.pop("_prompts_missing")
    finally:
        for _, db in connections:
            db.close()
    if not manifest["total"]:
        raise ValueError(f"the stores {', '.join(paths)} hold no records yet; run `nppc run` first")
    manifest.update({"format": FORMAT_VERSION, "title": title, "stores": paths, "prompts_missing": prompts_missing,
                     "built": build_time().isoformat(timespec="seconds")})
    write_data(data, "manifest", 0, embed_json(manifest))
    _write_page(out, title, back_link)
    files = sum(1 for _ in data.glob("*.js"))
    return Viewer(out, out / "index.html", manifest["total"], len(manifest["groups"]), files)


def start_site_viewer(stores: Iterable[str | Path], out: str | Path) -> workers.Worker | None:
    """The site's sample viewer (``out``/samples) written in a worker on a spare core while the site's analysis
    runs, when the stores are big enough to be worth it (:data:`npeval.early.PARALLEL_FROM` records); else None."""
    names = [str(path) for path in stores]
    if not early.worth_a_worker(names):
        return None
    return workers.start(SITE_VIEWER_WORKER, (names, Path(out) / "samples"), early.FIGURES_NEXT)


def finish_site_viewer(started: workers.Worker | None, stores: Iterable[str | Path], out: str | Path) -> Viewer:
    """The viewer :func:`start_site_viewer` wrote, or one written here (no worker, or the worker failed)."""
    written = workers.finish(started, "the sample viewer") if started is not None else workers.FAILED
    if written is workers.FAILED:
        return site_viewer_job(([str(store) for store in stores], Path(out) / "samples"))
    return written


def site_viewer_job(job: tuple[list[str], Path]) -> Viewer:
    """The site's sample viewer of ``(stores, folder)``, with its link back to the leaderboard."""
    stores, folder = job
    return write_viewer(stores, folder, title="nppc samples", back_link="../index.html")


def _write_records(connections: list[tuple[int, sqlite3.Connection]], data: Path) -> dict[str, Any]:
    """Write the list, detail and prompt files of every record; return the manifest's record part.

    A list file holds a fixed count of records, so each is encoded in one go (the JSON of a list is its items'
    JSON joined by commas); a detail file ends at a size, so details are encoded one by one.
    """
    models, problems, statuses, codes, runs = _Index(), _Index(), _Index(), _Index(), _Index()
    details = _Chunks(data, "detail", DETAIL_BYTES, DETAIL_MAX)
    prompts = _Chunks(data, "prompt", PROMPT_BYTES, 10_000)
    listed: list[list[Any]] = []
    list_files = 0
    groups: list[list[Any]] = []
    detail_starts: list[int] = []
    prompt_homes: dict[str, int] = {}
    missing_prompts = 0
    total = 0
    last_group: tuple = ()
    at_message, at_hash = _AT["message"], _AT["prompt_hash"]
    for store, row in _records(connections):
        if _GROUP(row) != last_group:
            last_group = _GROUP(row)
            model, problem, level, status, code = last_group
            group = [models(model), problems(problem), level, statuses(status), codes(code)]
            if not groups or groups[-1][:5] != group:
                groups.append(group + [total, 0])
        groups[-1][6] += 1
        run = runs((row[_AT["run_id"]], store, row[_AT["model"]]))
        digest = row[at_hash]
        if digest not in prompt_homes:
            text = connections[store][1].execute("SELECT prompt_text FROM prompts WHERE prompt_hash = ?",
                                                 (digest,)).fetchone()
            missing_prompts += text is None
            prompts.add(embed_json([digest, None if text is None else text[0]]))
            prompt_homes[digest] = prompts.written
        message = row[at_message] or ""
        if len(message) > MESSAGE_PREVIEW:
            message = message[:MESSAGE_PREVIEW - 1] + "\u2026"
        listed.append([*_LISTED(row), run, message])
        if len(listed) == LIST_CHUNK:
            write_data(data, "list", list_files, embed_json(listed))
            listed, list_files = [], list_files + 1
        before = details.written
        details.add(embed_json(_detail(row, run, prompt_homes[digest])))
        if details.written != before or not detail_starts:
            detail_starts.append(total)
        total += 1
    if listed:
        write_data(data, "list", list_files, embed_json(listed))
    details.flush()
    prompts.flush()
    return {"total": total, "list_chunk": LIST_CHUNK, "detail_starts": detail_starts, "groups": groups,
            "models": models.values, "problems": problems.values, "statuses": statuses.values, "codes": codes.values,
            "runs": [{"run_id": run_id, "store": store, "model": model} for run_id, store, model in runs.values],
            "_prompts_missing": missing_prompts}


def _detail(row: tuple, run: int, prompt_file: int) -> dict[str, Any]:
    at = _AT
    return {"run": run, "instance_id": row[at["instance_id"]], "prompt": [prompt_file, row[at["prompt_hash"]]],
            "response": row[at["response_text"]], "reasoning": row[at["reasoning_text"]],
            "answer": row[at["answer_json"]], "message": row[at["message"]], "objective": row[at["objective"]],
            "finish_reason": row[at["finish_reason"]], "tokens": list(_TOKENS(row)),
            "latency_s": row[at["latency_s"]], "cost_usd": row[at["cost_usd"]], "cost_source": row[at["cost_source"]],
            "attempts": row[at["attempts"]], "started_at": row[at["started_at"]],
            "finished_at": row[at["finished_at"]], "label": row[at["label"]], "optimum": row[at["optimum"]],
            "version": row[at["version"]]}


def _write_page(out: Path, title: str, back_link: str | None) -> None:
    (out / "viewer.css").write_text(static_text("base.css") + static_text("viewer.css"), encoding="utf-8")
    (out / "viewer.js").write_text(static_text("viewer.js"), encoding="utf-8")
    back = f'<a href="{escape(back_link)}">&larr; leaderboard</a> &middot; ' if back_link else ""
    (out / "index.html").write_text(f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="viewer.css">
<title>{escape(title)}</title>
</head>
<body>
<header><p class="crumbs">{back}<span id="built"></span></p><h1>{escape(title)}</h1></header>
<form id="filters" class="filters" aria-label="filters"></form>
<p class="hint">Click a row to read it in full; keys j / k move to the next / previous record. The address keeps the
filters and the record, so it can be shared.</p>
<p id="status" class="status" role="status">Loading the manifest&hellip;</p>
<noscript><p>The viewer needs JavaScript.</p></noscript>
<main class="panes">
<section class="list-pane" aria-label="records"><table id="records"><thead></thead><tbody></tbody></table>
<nav id="pager" class="pager" aria-label="pages"></nav></section>
<section id="detail" class="detail-pane" aria-label="record"></section>
</main>
<script src="viewer.js"></script>
</body>
</html>
""", encoding="utf-8")
