"""Answer extraction: find the final ``{"solution": ...}`` in a model's raw text.

Real model output is messy, so the extractor is tolerant where tolerance cannot change the meaning:
fenced or bare JSON, nested lists and objects, Python-style ``True``/``False``/``None``, single
quotes and trailing commas. It takes the **last** solution object **outside** the reasoning
(``<think>`` blocks are set apart first, and a reply that only answers inside its reasoning has no
answer). When no solution object exists, the last fenced JSON value is taken as the solution itself.

Only the model's own words count. Given the prompt, text the reply copied from it is set aside
first: an answer-like span counts as copied when it sits inside a stretch of the reply that also
occurs in the prompt (compared with runs of whitespace collapsed) and that stretch reaches at least
:data:`COPY_CONTEXT` characters beyond the span, so an echoed example, format line or instruction is
never taken as the model's answer, while a short answer that happens to equal text in the prompt
still is.

Failing to extract is reported with its own error code, never confused with a wrong answer:
``no_json`` (nothing that looks like an answer), ``bad_json`` (something answer-like that does not
parse, or a ``{"solution"`` that is never closed), ``no_solution_key`` (JSON objects, none with a
``solution`` key) and ``copied`` (the only answers in the reply were copied from the prompt).
"""

from __future__ import annotations

import ast
import bisect
import json
import re
from dataclasses import dataclass
from typing import Any

from npgym.canonical import assert_json_native

NO_JSON, BAD_JSON, NO_SOLUTION_KEY, COPIED = "no_json", "bad_json", "no_solution_key", "copied"
EXTRACTION_ERRORS = (NO_JSON, BAD_JSON, NO_SOLUTION_KEY, COPIED)
#: Characters of copied text around an answer-like span that mark the span as part of an echo.
COPY_CONTEXT = 24
_SHINGLE = 16

_THINK = re.compile(r"<(think|thinking|reasoning)>(.*?)(?:</\1>|$)", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_-]*)[ \t]*\n?(.*?)```", re.DOTALL)
_UNCLOSED_ANSWER = re.compile(r"\{\s*[\"']?solution\b", re.IGNORECASE)
_SOLUTION_WORD = re.compile(r"solution", re.IGNORECASE)
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
        """Whether an answer object was found."""
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


def extract_answer(text: Any, reasoning: str | None = None, prompt: str | None = None) -> Extraction:
    """Extract the final answer object from ``text`` (a model's visible reply to ``prompt``)."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    content, reasoning = split_reasoning(text, reasoning)
    copied = CopiedText(prompt, content) if prompt else None
    parsed_any, saw_candidate, saw_copy = False, False, False
    for start, end in _candidates(content):
        if copied is not None and copied.covers(start, end):
            saw_copy = saw_copy or bool(_SOLUTION_WORD.search(content, start, end))
            continue
        saw_candidate = True
        value = loads_lenient(content[start:end])
        if value is _FAILED:
            continue
        parsed_any = True
        solution_key = _solution_key(value)
        if solution_key is not None:
            return Extraction({"solution": value[solution_key]}, None, "solution object", reasoning, content)
    fenced = _fences(content)
    for start, end, body in reversed(fenced):
        value = loads_lenient(body)
        if value is _FAILED or isinstance(value, dict):
            continue
        if copied is not None and copied.covers(start, end):
            saw_copy = True
            continue
        return Extraction({"solution": value}, None, "fenced value taken as the solution", reasoning, content)
    if saw_copy:
        return Extraction(None, COPIED, "the only answers in the reply are copied from the prompt", reasoning,
                          content)
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


def _fences(text: str) -> list[tuple[int, int, str]]:
    """Fenced blocks as (start, end, body) in order of appearance."""
    return [(m.start(), m.end(), m.group(2).strip()) for m in _FENCE.finditer(text)]


class CopiedText:
    """Where a reply repeats its prompt: stretches of the reply that also occur in the prompt.

    Both texts are compared with every run of whitespace collapsed to one space (an echo often
    re-wraps lines). A stretch is a union of overlapping :data:`_SHINGLE`-character pieces of the
    reply that occur in the prompt.
    """

    def __init__(self, prompt: str, reply: str):
        flat_prompt, _ = _collapse_whitespace(prompt)
        flat_reply, self._origin = _collapse_whitespace(reply)
        pieces = {flat_prompt[i:i + _SHINGLE] for i in range(len(flat_prompt) - _SHINGLE + 1)}
        self._runs: list[tuple[int, int]] = []  # copied stretches, as [start, end) in the flat reply
        for i in range(len(flat_reply) - _SHINGLE + 1):
            if flat_reply[i:i + _SHINGLE] in pieces:
                if self._runs and i <= self._runs[-1][1]:
                    self._runs[-1] = (self._runs[-1][0], i + _SHINGLE)
                else:
                    self._runs.append((i, i + _SHINGLE))

    def covers(self, start: int, end: int) -> bool:
        """Whether reply[start:end] lies in a copied stretch reaching COPY_CONTEXT characters beyond it."""
        flat_start, flat_end = self._flat(start), self._flat(end)
        for run_start, run_end in self._runs:
            if run_start <= flat_start and flat_end <= run_end:
                return (run_end - run_start) - (flat_end - flat_start) >= COPY_CONTEXT
        return False

    def _flat(self, position: int) -> int:
        """The flat-text index of the first character at or after ``position`` in the reply."""
        return bisect.bisect_left(self._origin, position)


def _collapse_whitespace(text: str) -> tuple[str, list[int]]:
    """``text`` with each whitespace run as one space, and each kept character's index in ``text``."""
    chars: list[str] = []
    origin: list[int] = []
    previous_space = False
    for index, char in enumerate(text):
        space = char.isspace()
        if space and previous_space:
            continue
        chars.append(" " if space else char)
        origin.append(index)
        previous_space = space
    return "".join(chars), origin


def _candidates(text: str) -> list[tuple[int, int]]:
    """Brace-balanced ``{...}`` spans, last-ending first and outermost first among equal ends.

    Spans are found twice, once ignoring braces inside double-quoted strings (``{"solution": "{"}``)
    and once counting every brace (prose with a stray quote), and the two sets are merged.
    """
    spans = _brace_spans(text, strings=True) | _brace_spans(text, strings=False)
    ordered = sorted(spans, key=lambda span: (-span[1], span[0]))
    return ordered[:_MAX_CANDIDATES]


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
