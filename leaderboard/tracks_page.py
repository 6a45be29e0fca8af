"""The tracks page of the site: the plain, code and feedback tracks side by side (:mod:`npeval.tracks`)."""

from __future__ import annotations

import html
from pathlib import Path

from leaderboard import pages
from npeval.tracks import TRACKS_NOTE, side_by_side, tracks_to_show


def write_tracks_page(stores, out: Path, records=None) -> Path | None:
    """``tracks.html`` and ``tracks.csv`` in ``out`` when a store holds a code or feedback run, else nothing
    (``records``: the stores' records when already read, see :func:`npeval.tracks.tracks_to_show`)."""
    table = tracks_to_show(stores, records)
    if table is None:
        return None
    table.to_csv(out / "tracks.csv", index=False)
    wide = side_by_side(table)
    head = "".join(f"<th>{html.escape(str(column))}</th>" for column in wide.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(value))}</td>" for value in row) + "</tr>"
                   for row in wide.itertuples(index=False))
    content = (f"<h1>Tracks side by side</h1><p>{html.escape(TRACKS_NOTE)}</p>"
               f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
               '<p><a href="tracks.csv">tracks.csv</a> (every column, one row per track)</p>')
    path = out / "tracks.html"
    path.write_text(pages.page("Tracks side by side", content), encoding="utf-8")
    return path
