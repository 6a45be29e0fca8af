"""Markdown that stays text: escaping for Markdown *and* HTML, and aligned tables that read in a terminal.

Markdown viewers that allow raw HTML (markdown-it with ``html=True``, many documentation builders)
would run ``<img src=x onerror=...>`` written into a report. :func:`escape_text` makes any string
inert: ``< >`` and an ``&`` that would start an entity become entities (which every Markdown renderer
shows as the characters), inline
Markdown punctuation is backslash-escaped, line breaks become spaces, and a character that could
start a block (a heading, a list, a setext underline) is escaped too.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Sequence

WIDTH = 100
_INLINE = re.compile(r"([\\`*\[\]|~!])")
_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")  # intraword _ is never emphasis
_BLOCK_START = re.compile(r"^(\s*)([#+=-]|\d+(?=[.)]))")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")  # an & that would start an entity; a lone & is shown as it is


def escape_text(value: object) -> str:
    """``value`` as Markdown that renders as exactly its text (line breaks as spaces), never as markup."""
    text = re.sub(r"[\r\n\t\f\v\x00]+", " ", str(value))
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE.sub(r"\\\1", text)
    text = _UNDERSCORE.sub(r"\\_", text)
    match = _BLOCK_START.match(text)
    if match:
        start = match.end(1)
        if text[start].isdigit():  # "1." would start a list: escape the dot or bracket after the number
            end = match.end(2)
            text = text[:end] + "\\" + text[end:]
        else:
            text = text[:start] + "\\" + text[start:]
    return text


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], right: Iterable[int] = ()) -> str:
    """A Markdown table with padded columns; cells must already be escaped; ``right`` = right-aligned columns."""
    rows = [list(row) for row in rows]
    if not rows:
        return "_(none)_\n"
    right = set(right)
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    widths = [max(width, 3) for width in widths]

    def line(cells: Sequence[str]) -> str:
        padded = [str(c).rjust(w) if i in right else str(c).ljust(w) for i, (c, w) in enumerate(zip(cells, widths))]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if i in right else ("-" * (w + 2)) for i, w in enumerate(widths)) + "|"
    return "\n".join([line(headers), rule, *(line(row) for row in rows)]) + "\n"


def _escape_line_start(line: str) -> str:
    match = _BLOCK_START.match(line)
    if not match:
        return line
    end = match.end(2) if line[match.end(1)].isdigit() else match.end(1)
    return line[:end] + "\\" + line[end:]


def bullet(text: str) -> str:
    """A list item of escaped text wrapped at :data:`WIDTH`; a continuation line never starts a block."""
    # leading spaces dropped: four after the marker would make the item an indented code block
    lines = textwrap.wrap(text.lstrip(), WIDTH - 2, break_long_words=False, break_on_hyphens=False) or [""]
    return "- " + "\n  ".join([lines[0], *(_escape_line_start(line) for line in lines[1:])]) + "\n"


def prose(text: str) -> str:
    """Our own sentences wrapped at :data:`WIDTH` (never pass escaped user text: a wrap could start a block)."""
    return textwrap.fill(" ".join(text.split()), WIDTH) + "\n"
