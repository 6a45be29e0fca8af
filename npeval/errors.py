"""The error taxonomy: what became of every record, as shares per level.

Every record falls in exactly one category, named ``kind:code``:
    ``ok``                  graded correct
    ``verdict:<code>``      graded wrong, with the verifier's code (constraint, bound, shape, range,
                            duplicate, type, wrong_claim, no_answer, ...; see ``npgym.verdict``)
    ``parse:<code>``        no answer could be extracted (no_json, bad_json, no_solution_key, copied)
    ``truncated``           the reply hit the token limit before an answer
    ``refusal``             the model declined
    ``api:<code>``          every API attempt failed (rate_limit, server, timeout, ...): missing data,
                            shown so that it is never silently dropped, but not an error of the model
Shares are over all records of the group (api errors included), so each group sums to 1.
"""

from __future__ import annotations

import pandas as pd

from npeval.data import Board

KINDS = {"graded": "verdict", "parse_error": "parse", "truncated": "truncated", "refusal": "refusal",
         "api_error": "api"}


def categorise(records: pd.DataFrame) -> pd.Series:
    """Each record's error category: ``kind:code`` (truncated and refusal alone), ``ok`` if correct."""
    kind = records["status"].map(KINDS).fillna("other")
    code = records["code"].fillna("unknown").astype(str)
    category = kind + ":" + code
    category = category.where(~kind.isin(["truncated", "refusal"]), kind)
    return category.where(~records["is_correct"], "ok")


def error_taxonomy(board: Board, by_problem: bool = False) -> pd.DataFrame:
    """Count and share of each category per (model, level), or per (model, problem, level)."""
    records = board.records[board.records["level"].notna()].copy()
    records["category"] = categorise(records)
    keys = ["model", "problem", "level"] if by_problem else ["model", "level"]
    counts = records.groupby(keys + ["category"]).size().rename("count").reset_index()
    counts["share"] = counts["count"] / counts.groupby(keys)["count"].transform("sum")
    counts["kind"] = counts["category"].str.split(":").str[0]
    return counts
