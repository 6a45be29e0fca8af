"""Reasoning errors found without a judge model: regular expressions checked against the instance.

Each detector favours precision over recall: it flags only what it can check exactly.

``hallucinated``   elements named that the instance does not have. Graph problems (data with ``n`` and
                   ``edges``): "vertex 12" / "nodes 3, 9 and 14" with an id outside 0..n-1, and
                   "edge 3-9" / "edges (3, 9)" naming a pair that is not an edge. TSP-style data
                   (``distances``): "city 12" outside 0..n-1. CNF data (``clauses``): "variable 9" or
                   "x9" outside 1..n. An answer the verifier rejected with code ``range`` counts too.
                   For other data shapes the detector does not apply (NaN, not 0).
``false_arithmetic``  statements "a + b = c", "a - b = c", "a * b = c" (chains like "1 + 2 + 3 = 6"
                   too) whose two sides differ, allowing for the rounding of a decimal result. A
                   statement inside a longer expression ("x - 2 + 3 = 1") is skipped, and so is an
                   unspaced "3-5" (a range or an edge, not a subtraction).
``contradiction``  the last conclusion in the reasoning ("no solution exists" / "is unsatisfiable",
                   or "found a valid cover" / "all clauses are satisfied") disagrees with the final
                   answer (a list, or ``null``). Conditional phrases ("if no solution exists") are skipped.
``gave_up``        phrases of giving up ("I cannot", "too many combinations", "I'll just guess", ...).
``stopped_early``  the reply was truncated (status ``truncated`` or finish_reason ``length``).
The text searched is the reasoning and the response together.
"""

from __future__ import annotations

import ast
import functools
import json
import operator
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from npeval.data import Board

_NUMBER = r"\d+(?:\.\d+)?"
_LIST = r"(\d+(?:\s*(?:,|and|or|&)\s*\d+)*)"
_NOUNS = {
    "graph": r"vert(?:ex|ices)|nodes?",
    "cities": r"cit(?:y|ies)|nodes?",
    "cnf": r"variables?|vars?",
}
_EDGE_LIST = re.compile(r"\bedges?\s*:?\s*((?:[(\[{]?\s*\d+\s*(?:--|-|–|,)\s*\d+\s*[)\]}]?(?:\s*(?:,|;|and)\s*)?)+)",
                        re.IGNORECASE)
_PAIR = re.compile(r"(\d+)\s*(?:--|-|–|,)\s*(\d+)")
_CNF_X = re.compile(r"(?<![\w])x_?(\d+)\b", re.IGNORECASE)
_CHAIN = re.compile(rf"(?<![\w.])-?{_NUMBER}(?:\s*[-+*×·]\s*{_NUMBER})+\s*(?<![<>!=])=(?!=)\s*-?{_NUMBER}(?!\.?\d)")
_BEFORE_CHAIN = re.compile(r"[\w)]\s*[-+*×·/^]\s*$")
_AFTER_CHAIN = re.compile(r"^\s*[-+*×·/^(]\s*\d")
_NONE_CLAIM_PHRASES = (
    r"no\s+(?:valid\s+|such\s+|possible\s+)?(?:solution|assignment|colou?ring|cover|tour|cycle|set|partition)s?"
    r"(?:\s+(?:exists?|is\s+possible))?", r"is\s+(?:unsatisfiable|impossible)", r"are\s+(?:unsatisfiable|impossible)",
    r"not\s+(?:possible|satisfiable|colou?rable)", r"cannot\s+be\s+(?:satisfied|colou?red|covered)",
    r"does\s*n[o']t\s+exist")
_FOUND_CLAIM_PHRASES = (
    r"found\s+(?:a|the)\s+(?:valid\s+)?(?:solution|assignment|colou?ring|cover|tour|cycle)",
    *(rf"{thing}\s+is\s+valid" for thing in ("solution", "assignment", "colou?ring", "cover", "tour")),
    r"this\s+works", r"satisfies\s+all", r"all\s+(?:clauses|edges|constraints)\s+are\s+(?:satisfied|covered)")
_HYPOTHETICAL = re.compile(r"\b(?:if|whether|unless|check|need\s+to|must|to\s+find|or)\b[^.!?\n]{0,30}$", re.IGNORECASE)
_GIVE_UP_PHRASES = (
    r"i\s+cannot", r"i\s+can(?:'|no)?t", r"i\s+am\s+unable", r"i'm\s+unable",
    r"unable\s+to\s+(?:solve|find|determine|check|verify)",
    r"too\s+many\s+(?:combinations|possibilities|cases|options|steps|to\s+(?:check|enumerate|try))",
    r"too\s+(?:large|big|complex|long)\s+to", r"give\s+up", r"giving\s+up", r"i(?:'ll|\s+will)\s+(?:just\s+)?guess",
    r"best\s+guess", r"random\s+guess", r"not\s+feasible\s+to", r"would\s+take\s+too\s+long")


def _phrases(phrases: tuple[str, ...]) -> re.Pattern:
    """Any of ``phrases`` (each starting with a letter) as whole words, case-insensitively. A lookahead for the
    phrases' first letters lets the search skip every other word at once: the matches are the same."""
    assert all(phrase[0].isalpha() for phrase in phrases)
    first = "".join(sorted({phrase[0] for phrase in phrases}))
    return re.compile(rf"\b(?=[{first}])(?:{'|'.join(phrases)})\b", re.IGNORECASE)


_GIVE_UP = _phrases(_GIVE_UP_PHRASES)
_NONE_CLAIM = _phrases(_NONE_CLAIM_PHRASES)
_FOUND_CLAIM = _phrases(_FOUND_CLAIM_PHRASES)
_NOUN_LETTERS = {"graph": "nv", "cities": "cn", "cnf": "v"}  # the first letters of each shape's nouns: see _phrases
_ELEMENTS = {shape: re.compile(rf"\b(?=[{_NOUN_LETTERS[shape]}])(?:{nouns})\s+{_LIST}", re.IGNORECASE)
             for shape, nouns in _NOUNS.items()}
_DIGITS = re.compile(r"\d+")
_RANGE = re.compile(r"\d-\d")
_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}


@dataclass
class Findings:
    """What the detectors found in one record (examples are short quotes, at most three each)."""

    hallucinated: list[str] | None = field(default_factory=list)  # None: no detector for this data shape
    false_arithmetic: list[str] = field(default_factory=list)
    contradiction: str = ""
    gave_up: list[str] = field(default_factory=list)
    stopped_early: bool = False


def data_shape(data: dict[str, Any]) -> str | None:
    """Which element vocabulary ``data`` has (cnf, graph or distances), or None when no detector applies."""
    if "clauses" in data:
        return "cnf"
    if "edges" in data and "n" in data:
        return "graph"
    if "distances" in data:
        return "cities"
    return None


_DETECTED_DATA = ("json_type(record_json, '$.data'), json_type(record_json, '$.data.n'), "
                  "json_extract(record_json, '$.data.n'), json_type(record_json, '$.data.clauses'), "
                  "json_type(record_json, '$.data.edges'), json_type(record_json, '$.data.distances'), "
                  "json_array_length(record_json, '$.data.distances'), record_json")


class _LazyEdges:
    """An instance's edges, parsed from its record when first iterated (when a text names an edge)."""

    def __init__(self, record_json: str):
        self.record_json = record_json

    def __iter__(self):
        return iter(json.loads(self.record_json)["data"]["edges"])


def detected_data(board: Board) -> dict[str, dict[str, Any] | None]:
    """Every stored instance's data as far as :func:`detect` reads it, by instance id: its ``n``, whether it has
    ``clauses``, its ``edges`` (parsed only when a text names an edge) and the length of its ``distances``, read
    with SQLite's JSON functions instead of parsing each record (most of the text search's time on a board of
    big instances). Data of another form, or an SQLite without JSON functions, is parsed as a whole."""
    try:
        rows = list(board.instance_rows(_DETECTED_DATA))
    except sqlite3.OperationalError:  # no JSON functions in this SQLite
        return dict(board.instance_data())
    data: dict[str, dict[str, Any] | None] = {}
    for key, kind, n_kind, n, clauses, edges, distances, length, record in rows:
        if kind != "object" or n_kind not in (None, "integer") or edges not in (None, "array") or \
                distances not in (None, "array"):
            data[key] = json.loads(record).get("data")  # not the usual form: as it is
            continue
        facts: dict[str, Any] = {} if n_kind is None else {"n": n}
        if clauses is not None:
            facts["clauses"] = None  # only whether it is there is read
        if edges is not None:
            facts["edges"] = _LazyEdges(record)
        if distances is not None:
            facts["distances"] = range(length)  # only its length is read
        data[key] = facts
    return data


def hallucinated_elements(text: str, data: dict[str, Any]) -> list[str] | None:
    """The elements ``text`` names that the instance does not have (None if its shape has no check)."""
    shape = data_shape(data)
    if shape is None:
        return None
    n = int(data.get("n", len(data.get("distances", []))))
    low, high = (1, n) if shape == "cnf" else (0, n - 1)
    found = []
    for match in _ELEMENTS[shape].finditer(text):
        found += [f"{match.group(0).split()[0]} {v}" for v in _DIGITS.findall(match.group(1))
                  if not low <= int(v) <= high]
    if shape == "cnf":
        found += [f"x{v}" for v in _CNF_X.findall(text) if not low <= int(v) <= high]
    if shape == "graph":
        edges = None  # built only for a text that names edges
        for match in _EDGE_LIST.finditer(text):
            edges = edges if edges is not None else {frozenset(edge) for edge in data["edges"]}
            for a, b in _PAIR.findall(match.group(1)):
                if frozenset((int(a), int(b))) not in edges:
                    found.append(f"edge {a}-{b}")
    return found


@functools.lru_cache(maxsize=1 << 14)  # replies repeat their sums; parsing is most of this detector's time
def _evaluate(expression: str) -> float | None:
    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        raise ValueError("not plain arithmetic")

    try:
        return walk(ast.parse(expression.replace("×", "*").replace("·", "*"), mode="eval").body)
    except (SyntaxError, ValueError, RecursionError):
        return None


_RUN = re.compile(r"[\d\s.+*×·-]*")  # every character a statement (a _CHAIN match) has but its "="


def _statements(text: str):
    """``_CHAIN.finditer(text)``, searched only around each "=": a statement is one run of :data:`_RUN`'s
    characters through one "=", so each "=" is searched for from the start of the run before it (or the end of
    the last match, as finditer goes on from there) to the end of the run after it. The matches are the same;
    the rest of a long reply (a JSON answer's numbers) is never scanned."""
    def run_end(string: str, start: int) -> int:
        run = _RUN.match(string, start)  # never None: the run may be empty
        return start if run is None else run.end()

    backwards = text[::-1]  # the run before a "=" is the run after it in the reversed text
    last, at = 0, text.find("=")
    while at >= 0:
        reversed_at = len(text) - at
        start = max(last, at - (run_end(backwards, reversed_at) - reversed_at))
        match = _CHAIN.search(text, start, run_end(text, at + 1))  # its lookaheads stop inside the run
        if match is not None:
            last = match.end()
            yield match
        at = text.find("=", at + 1)


def false_arithmetic(text: str) -> list[str]:
    """The arithmetic statements in ``text`` whose two sides differ."""
    if "=" not in text:
        return []
    found = []
    for match in _statements(text):
        if _BEFORE_CHAIN.search(text[max(0, match.start() - 40):match.start()]) or \
                _AFTER_CHAIN.match(text[match.end():match.end() + 40]):
            continue
        if _RANGE.search(match.group(0)):
            continue  # "1-3" and "0-1" are ranges and edges, not subtractions
        left, right = match.group(0).rsplit("=", 1)
        value = _evaluate(left)
        if value is None:
            continue
        stated = right.strip()
        decimals = len(stated.split(".")[1]) if "." in stated else 0
        tolerance = 0.5 * 10 ** -decimals if decimals else 1e-9
        if abs(value - float(stated)) > tolerance:
            found.append(" ".join(match.group(0).split()))
    return found


def _claims(pattern: re.Pattern, text: str) -> list[int]:
    return [m.start() for m in pattern.finditer(text)
            if not _HYPOTHETICAL.search(text[max(0, m.start() - 40):m.start()])]


def contradiction(text: str, answer_json: str | None) -> str:
    """Why the reasoning's last conclusion disagrees with the final answer, or "" when it does not."""
    if not answer_json:
        return ""
    none_at, found_at = _claims(_NONE_CLAIM, text), _claims(_FOUND_CLAIM, text)
    if not none_at and not found_at:
        return ""  # nothing concluded: the answer need not be read
    try:
        solution = json.loads(answer_json).get("solution")
    except (ValueError, AttributeError):
        return ""
    concludes_none = max(none_at, default=-1) > max(found_at, default=-1)
    if concludes_none and solution is not None:
        return "reasoning concludes no solution exists, but the answer gives one"
    if not concludes_none and solution is None:
        return "reasoning concludes it found a solution, but the answer claims none exists"
    return ""


def _text(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    return value if isinstance(value, str) else ""  # pandas gives NaN for NULL


def detect(record: dict[str, Any], data: dict[str, Any] | None) -> Findings:
    """Every detector's findings for one record (``data``: its instance, None if unknown)."""
    reasoning, response = _text(record, "reasoning_text"), _text(record, "response_text")
    text = "\n".join(part for part in (reasoning, response) if part)
    conclusion_text = reasoning or response
    hallucinated = hallucinated_elements(text, data) if data is not None else None
    if record.get("code") == "range":
        hallucinated = (hallucinated or []) + ["answer: out-of-range element"]
    return Findings(
        hallucinated=hallucinated, false_arithmetic=false_arithmetic(text),
        contradiction=contradiction(conclusion_text, _text(record, "answer_json")),
        gave_up=[" ".join(m.group(0).split()).lower() for m in _GIVE_UP.finditer(text)],
        stopped_early=record.get("status") == "truncated" or _text(record, "finish_reason") == "length")


def detect_all(board: Board, findings: pd.DataFrame) -> pd.DataFrame:
    """One row of findings per attempt, with the record's key, level and outcome.

    ``findings`` is :func:`npeval.findings.text_findings` of the board: one row per attempt.
    """
    attempts = board.attempts
    table = attempts[["run_id", "instance_id", "sample", "model", "problem", "level", "outcome"]].copy()
    for column in ("hallucinated", "false_arithmetic", "contradiction", "gave_up", "stopped_early", "examples"):
        table[column] = findings[column].to_numpy()
    table["hallucinated"] = table["hallucinated"].astype(float)
    table["false_arithmetic"] = table["false_arithmetic"].astype(int)
    for column in ("contradiction", "gave_up", "stopped_early"):
        table[column] = table[column].astype(bool)
    return table.reset_index(drop=True)


def detector_summary(findings: pd.DataFrame) -> pd.DataFrame:
    """Share of attempts flagged by each detector, per (model, level, outcome)."""
    flagged = findings.assign(hallucinated=findings["hallucinated"].gt(0).where(findings["hallucinated"].notna()),
                              false_arithmetic=findings["false_arithmetic"] > 0)
    return flagged.groupby(["model", "level", "outcome"]).agg(
        n=("run_id", "size"), hallucinated=("hallucinated", "mean"), false_arithmetic=("false_arithmetic", "mean"),
        contradiction=("contradiction", "mean"), gave_up=("gave_up", "mean"),
        stopped_early=("stopped_early", "mean")).reset_index()
