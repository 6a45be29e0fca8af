"""Pieces shared by every page of the site: the page shell, the navigation, escaped JSON, links to samples.

Every piece of data put into HTML here goes through ``html.escape``; data handed to a script goes
through :func:`embed_json`, which cannot close its ``<script>`` element.
"""

from __future__ import annotations

import hashlib
import json
import re
from html import escape
from typing import Any
from urllib.parse import urlencode

NAV = (("index.html", "Leaderboard"), ("problems/index.html", "Problems"), ("models/index.html", "Models"),
       ("samples/index.html", "Samples"), ("runs.html", "Runs"), ("schema.md", "Data & schema"))


try:  # the analysis extra's JSON encoder: about ten times faster on the viewer's records (nppc view works without)
    import orjson
except ImportError:  # pragma: no cover - depends on the extras installed
    orjson = None  # type: ignore[assignment]

_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
_UNSAFE = re.compile("[<>&\u2028\u2029]")  # what could end a script element or a JavaScript line
_ESCAPES = {char: f"\\u{ord(char):04x}" for char in "<>&\u2028\u2029"}


def compact_json(value: Any) -> str:
    """``value`` as compact JSON text (no spaces, non-ASCII as it is), with orjson when it is installed. The
    texts may differ in how a float is written (``1e-05`` or ``0.00001``), never in the value read back. What
    orjson cannot write (an integer past 64 bits, a lone surrogate) is written by the standard library."""
    if orjson is not None:
        try:
            return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
        except TypeError:  # orjson.JSONEncodeError is a TypeError
            pass
    return _ENCODER.encode(value)


def embed_json(value: Any) -> str:
    r"""JSON that cannot close its ``<script>`` element or open a comment: ``< > &`` become ``\u`` escapes."""
    text = compact_json(value)
    if "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text and "\u2029" not in text:
        return text  # the usual case: five fast scans, no copy
    return _UNSAFE.sub(lambda match: _ESCAPES[match.group()], text)


def model_page_name(model: str) -> str:
    """A file name for a model's page: readable, and unique even when two names slug alike."""
    from npeval.plots import slug  # here, so that the viewer (nppc view) needs no analysis extra

    return f"{slug(model)[:48]}-{hashlib.sha256(model.encode()).hexdigest()[:8]}.html"


def samples_link(depth: int = 0, **filters: Any) -> str:
    """The viewer's address with its filters set (model=..., problem=..., level=..., status=..., code=...)."""
    query = urlencode({key: value for key, value in filters.items() if value is not None})
    return "../" * depth + "samples/index.html" + (f"#{query}" if query else "")


def nav(current: str, depth: int) -> str:
    """The site's navigation bar, ``current`` marked, for a page ``depth`` folders below the root."""
    up = "../" * depth
    links = "".join(
        f'<a href="{up}{href}"{" aria-current=page" if href == current else ""}>{escape(label)}</a>'
        for href, label in NAV)
    return f'<nav class="site-nav" aria-label="site">{links}</nav>'


def page(title: str, body: str, depth: int = 0, current: str = "") -> str:
    """A complete HTML page around ``body``, its links relative to ``depth`` folders below the root."""
    up = "../" * depth
    return (f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<link rel="icon" href="data:,">\n<link rel="stylesheet" href="{up}board.css">\n'
            f"<title>{escape(title)}</title>\n</head>\n<body>\n{nav(current, depth)}\n{body}\n</body>\n</html>\n")


def figure(path: str, caption: str) -> str:
    """A figure that opens at full size when clicked."""
    return (f'<figure><a href="{escape(path)}"><img src="{escape(path)}" alt="{escape(caption)}" loading="lazy"></a>'
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def number(value: Any, digits: int = 2, missing: str = "n/a") -> str:
    """``value`` with ``digits`` decimals, or ``missing`` for None and NaN."""
    if value is None or value != value:  # None or NaN
        return missing
    return f"{float(value):.{digits}f}"


def interval(value: Any, low: Any, high: Any, digits: int = 2) -> str:
    """``value [low, high]`` with ``digits`` decimals, or n/a."""
    if value is None or value != value:
        return "n/a"
    return f"{number(value, digits)} [{number(low, digits)}, {number(high, digits)}]"
