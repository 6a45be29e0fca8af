"""Optional: a judge model classifies the reasoning of wrong answers, through LiteLLM.

The judge reads the problem as the model saw it, the model's reasoning and answer, and the
verifier's verdict, and names the first error it sees, from :data:`TAXONOMY`. Its replies are
stored per response in a side SQLite file (table ``judgements``, keyed by run, instance, sample and
judge model), so a rerun judges only what is new and the run stores are never written to.

LiteLLM is imported only here and only when judging, with ``LITELLM_LOCAL_MODEL_COST_MAP=True``
(unless the user set it) so that the import does not reach for the network. A failed call is stored
as ``judge_error`` with the exception's type only: provider messages can echo credentials.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

import pandas as pd

from npeval.data import TEXT_COLUMNS, Board
from npsolver.store import Store

TAXONOMY = {
    "misread_instance": "uses a fact the instance does not state, or misreads one it does (a wrong edge list, "
                        "a wrong bound, a wrong clause)",
    "violated_constraint": "reads the instance right but builds an answer that breaks one of its constraints "
                           "without noticing",
    "arithmetic_slip": "a wrong sum, count or comparison (a tour length, a cover size) that changes the answer",
    "premature_commitment": "settles on a partial answer early and never revisits it, though a check would have "
                            "shown it failing",
    "hallucinated_element": "names a vertex, variable, city, edge or element that does not exist in the instance",
    "gave_up": "stops reasoning, guesses, or says the instance is too large to solve",
    "other": "none of the above, or no reasoning to judge",
}
JUDGE_ERROR, UNPARSED = "judge_error", "unparsed"
MAX_TEXT = 12_000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS judgements (
    run_id TEXT NOT NULL, instance_id TEXT NOT NULL, sample INTEGER NOT NULL, judge_model TEXT NOT NULL,
    category TEXT NOT NULL, rationale TEXT, raw_reply TEXT, created_at REAL NOT NULL,
    PRIMARY KEY (run_id, instance_id, sample, judge_model)
);
"""


def judge_prompt(problem_text: str, record: dict[str, Any]) -> str:
    """The prompt asking a judge model to classify a wrong answer's reasoning error."""
    categories = "\n".join(f"- {name}: {meaning}" for name, meaning in TAXONOMY.items())
    reasoning = (record.get("reasoning_text") or "")[-MAX_TEXT:]
    response = (record.get("response_text") or "")[-MAX_TEXT:]
    return (f"A model answered this problem wrongly.\n\n### Problem\n{problem_text[:MAX_TEXT]}\n\n"
            f"### Model reasoning\n{reasoning or '(none)'}\n\n### Model answer\n{response or '(none)'}\n\n"
            f"### Verifier\ncode {record.get('code')}: {record.get('message') or ''}\n\n"
            f"Classify the first reasoning error into exactly one category:\n{categories}\n\n"
            'Reply with one JSON object: {"category": "<name>", "rationale": "<one sentence>"}')


def parse_judgement(reply: str) -> tuple[str, str]:
    """(category, rationale) from the judge's reply; ``unparsed`` when it names no known category."""
    for candidate in reversed(re.findall(r"\{.*?\}", reply or "", re.DOTALL)):
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict) and value.get("category") in TAXONOMY:
            return value["category"], str(value.get("rationale", ""))[:500]
    return UNPARSED, ""


def _litellm():
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    return litellm


def judge_wrong_answers(board: Board, judge_model: str, side_path: str | Path, limit: int | None = None,
                        **completion_kwargs: Any) -> pd.DataFrame:
    """Judge wrong attempts not yet judged by ``judge_model`` (at most ``limit``); return all judgements."""
    litellm = _litellm()
    side = sqlite3.connect(side_path, isolation_level=None)
    side.executescript(_SCHEMA)
    done = {tuple(row) for row in side.execute(
        "SELECT run_id, instance_id, sample FROM judgements WHERE judge_model = ?", (judge_model,))}
    wrong = board.attempts[board.attempts["outcome"] == "wrong"].sort_values(["model", "run_id", "instance_id",
                                                                             "sample"])
    keys = zip(wrong["run_id"], wrong["instance_id"], wrong["sample"])
    todo = wrong[[key not in done for key in keys]].iloc[slice(limit)]
    texts = pd.concat([pd.DataFrame(columns=list(TEXT_COLUMNS)), *board.texts(todo)]).astype(object)
    texts = texts.where(texts.notna(), None)
    prompts: dict[tuple[str, str], str] = {}
    for record in todo.join(texts).to_dict("records"):
        key = (record["store"], record["prompt_hash"])
        if key not in prompts:
            with Store(record["store"], readonly=True) as store:
                prompts[key] = store.prompt(record["prompt_hash"]) or "(prompt not stored)"
        messages = [{"role": "user", "content": judge_prompt(prompts[key], record)}]
        try:
            reply = litellm.completion(model=judge_model, messages=messages, temperature=0, **completion_kwargs)
            raw = reply.choices[0].message.content or ""
            category, rationale = parse_judgement(raw)
        except Exception as error:  # any provider failure: keep going, keep no message (it may hold a key)
            raw, category, rationale = "", JUDGE_ERROR, type(error).__name__
        side.execute("INSERT OR REPLACE INTO judgements VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     (record["run_id"], record["instance_id"], int(record["sample"]), judge_model, category,
                      rationale, raw[:4000], time.time()))
    table = read_judgements(side)
    side.close()
    return table


def read_judgements(side: sqlite3.Connection | str | Path) -> pd.DataFrame:
    """Every judgement in a judgements database (a path or an open connection)."""
    if isinstance(side, (str, Path)):
        with sqlite3.connect(side) as connection:
            return read_judgements(connection)
    return pd.read_sql_query("SELECT * FROM judgements ORDER BY run_id, instance_id, sample", side)


def judgement_shares(board: Board, judgements: pd.DataFrame) -> pd.DataFrame:
    """Share of each judged category per (model, level)."""
    if judgements.empty:
        return pd.DataFrame(columns=["judge_model", "model", "level", "category", "count", "share"])
    keys = board.records[["run_id", "instance_id", "sample", "model", "level"]]
    joined = judgements.merge(keys, on=["run_id", "instance_id", "sample"], how="inner")
    counts = joined.groupby(["judge_model", "model", "level", "category"]).size().rename("count").reset_index()
    counts["share"] = counts["count"] / counts.groupby(["judge_model", "model", "level"])["count"].transform("sum")
    return counts
