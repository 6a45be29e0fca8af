"""Answer extraction: find the final ``{"solution": ...}`` in a model's raw text.

Real model output is messy, so the extractor is tolerant where tolerance cannot change the meaning:
fenced or bare JSON, nested lists and objects, Python-style ``True``/``False``/``None``, single
quotes and trailing commas. It takes the **last** solution object **outside** the reasoning
(``<think>`` blocks are set apart first, and a reply that only answers inside its reasoning has no
answer). When no solution object exists, the last fenced JSON value is taken as the solution itself.

Failing to extract is reported with its own error code, never confused with a wrong answer:
``no_json`` (nothing that looks like an answer), ``bad_json`` (something answer-like that does not
parse, or a ``{"solution"`` that is never closed) and ``no_solution_key`` (JSON objects, none with a ``solution`` key).
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from typing import Any

from npgym.canonical import assert_json_native

NO_JSON, BAD_JSON, NO_SOLUTION_KEY = "no_json", "bad_json", "no_solution_key"
EXTRACTION_ERRORS = (NO_JSON, BAD_JSON, NO_SOLUTION_KEY)

_THINK = re.compile(r"<(think|thinking|reasoning)>(.*?)(?:</\1>|$)", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_-]*)[ \t]*\n?(.*?)```", re.DOTALL)
_UNCLOSED_ANSWER = re.compile(r"\{\s*[\"']?solution\b", re.IGNORECASE)
_TRAILING_COMMA = re.compile(r",\s*([\]}])")
_JSON_WORDS = re.compile(r"\b(true|false|null)\b")
_PYTHON_WORDS = {"true": "True", "false": "False", "null": "None"}
_MAX_CANDIDATES = 400
_MAX_LITERAL = 200_000


@dataclass(frozen=True)
class Extraction:
    """What was found in a reply: the answer object (or None), an error code, and the reasoning."""

    answer: dict[str, Any] | None
    error: str | None
    detail: str
    reasoning: str | None
    content: str

    @property
    def ok(self) -> bool:
        return self.answer is not None


def split_reasoning(text: str, reasoning: str | None = None) -> tuple[str, str | None]:
    """Separate ``<think>`` blocks from the visible reply; merge with a provider's reasoning field."""
    parts = [reasoning] if reasoning else []
    lower = text.lower()
    if "</think>" in lower and "<think>" not in lower:  # some servers strip only the opening tag
        cut = lower.rindex("</think>")
        parts.append(text[:cut])
        text = text[cut + len("</think>"):]
    parts.extend(match.group(2) for match in _THINK.finditer(text))
    content = _THINK.sub("", text)
    joined = "\n".join(part.strip() for part in parts if part and part.strip())
    return content, joined or None


def extract_answer(text: Any, reasoning: str | None = None) -> Extraction:
    """Extract the final answer object from ``text`` (a model's visible reply)."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    content, reasoning = split_reasoning(text, reasoning)
    parsed_any, saw_candidate = False, False
    for candidate in _candidates(content):
        saw_candidate = True
        value = loads_lenient(candidate)
        if value is _FAILED:
            continue
        parsed_any = True
        solution_key = _solution_key(value)
        if solution_key is not None:
            return Extraction({"solution": value[solution_key]}, None, "solution object", reasoning, content)
    fenced = [body for _, body in _fences(content)]
    for body in reversed(fenced):
        value = loads_lenient(body)
        if value is not _FAILED and not isinstance(value, dict):
            return Extraction({"solution": value}, None, "fenced value taken as the solution", reasoning, content)
    if parsed_any:
        return Extraction(None, NO_SOLUTION_KEY, 'JSON found, but no object with a "solution" key', reasoning, content)
    if saw_candidate or fenced:
        return Extraction(None, BAD_JSON, "an answer-like object was found but does not parse", reasoning, content)
    if _UNCLOSED_ANSWER.search(content):
        return Extraction(None, BAD_JSON, "an answer object is opened but never closed", reasoning, content)
    return Extraction(None, NO_JSON, "no JSON object in the reply", reasoning, content)


def _solution_key(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    for key in value:
        if isinstance(key, str) and key.strip().lower() == "solution":
            return key
    return None


def _fences(text: str) -> list[tuple[str, str]]:
    return [(m.group(1).lower(), m.group(2).strip()) for m in _FENCE.finditer(text)]


def _candidates(text: str) -> list[str]:
    """Brace-balanced ``{...}`` spans, last-ending first and outermost first among equal ends.

    Spans are found twice, once ignoring braces inside double-quoted strings (``{"solution": "{"}``)
    and once counting every brace (prose with a stray quote), and the two sets are merged.
    """
    spans = _brace_spans(text, strings=True) | _brace_spans(text, strings=False)
    ordered = sorted(spans, key=lambda span: (-span[1], span[0]))
    return [text[start:end] for start, end in ordered[:_MAX_CANDIDATES]]


def _brace_spans(text: str, strings: bool) -> set[tuple[int, int]]:
    stack: list[int] = []
    spans: set[tuple[int, int]] = set()
    in_string = escaped = False
    for position, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char in '"\n':  # JSON strings hold no raw newline: a stray quote ends at the line
                in_string = False
        elif char == '"' and strings and stack:
            in_string = True
        elif char == "{":
            stack.append(position)
        elif char == "}" and stack:
            spans.add((stack.pop(), position + 1))
    return spans


_FAILED = object()


def loads_lenient(text: str) -> Any:
    """Parse JSON, forgiving trailing commas, Python literals and single quotes; ``_FAILED`` if hopeless."""
    text = text.strip()
    for attempt in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            return json.loads(attempt)
        except (ValueError, RecursionError):
            pass
    if len(text) > _MAX_LITERAL:
        return _FAILED
    try:
        value = ast.literal_eval(_JSON_WORDS.sub(lambda m: _PYTHON_WORDS[m.group(0)], _TRAILING_COMMA.sub(r"\1", text)))
        value = _jsonify(value)
        assert_json_native(value)
        return value
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _FAILED


def _jsonify(value: Any) -> Any:
    """Turn a Python literal into JSON-native values: tuples become lists; sets and bytes fail."""
    if isinstance(value, (list, tuple)):
        return [_jsonify(item) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("non-string key")
        return {key: _jsonify(item) for key, item in value.items()}
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(f"{type(value).__name__} is not JSON")
