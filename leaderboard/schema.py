"""The documented schema of ``leaderboard.json`` / ``leaderboard.csv``: one source for both files and ``schema.md``."""

from __future__ import annotations

SCHEMA_VERSION = 1

TOP_LEVEL = {
    "schema_version": "version of this schema (an integer; bumped when a field changes meaning)",
    "generated_at": "UTC time the board was built (ISO 8601)",
    "nppc_version": "version of the nppc package that built the board",
    "stores": "the run-store files merged into the board",
    "model_card_files": "the model-card files given to the build (see leaderboard.modelcards)",
    "records, api_errors": "records on the board, and how many of them are API errors (missing, not wrong)",
    "testset": "the board's test set: seeds, distinct instances and hash (sha256 of the sorted instance ids, 16 hex)",
    "problem_info": "per problem: display name, suite (core / extension), family, short label, card versions",
    "problem_pages": "per problem: its page under problems/",
    "groups": "problems grouped by suite and by family (the board's column groups)",
    "notes": "warnings about the data: records without instances, mixed card versions, unused model cards",
    "bootstrap": "replicates, seed and confidence level of every interval",
    "problems": "problem ids on the board (columns of the per-problem fields)",
    "definitions": "the definition of every number (the same text as below)",
    "columns": "this field list",
    "board_columns": "the board table's columns before the problem columns, left to right: key, label, kind (how "
                     "board.js draws the cell), field (the row field it shows and sorts by) and first_sort (the "
                     "order of the first click: scores read best-first), and marks_partial where a partial row is "
                     "starred",
    "rows": "one row per model, best IQM first",
    "adaptive": "only when a run is adaptive: one row per (model, problem, design) with the fitted ceiling level, "
                "its 95% interval, calls and stop reason (npeval.adaptive; shown on adaptive.html)",
}

COLUMNS = {
    "rank": "1 + the number of models with a higher IQM (ties share a rank; models without data last)",
    "model": "model id as recorded by the runner (text; shown as text, never as markup)",
    "is_baseline": "true for classical baselines (ids starting with `baseline/`)",
    "iqm, iqm_low, iqm_high": "interquartile mean of the run x task accuracies and its 95% CI",
    "mean, mean_low, mean_high": "mean over tasks (problem, level) of the per-task mean accuracy over seeds, with CI",
    "median, median_low, median_high": "median over tasks of the per-task mean accuracy, with CI",
    "optimality_gap, optimality_gap_low, optimality_gap_high": "1 - mean over tasks of mean(min(score, 1)); lower is "
                                                               "better",
    "tasks, board_tasks": "tasks (problem, level) the model has data for / tasks on the whole board",
    "partial": "true if any of the model's cells has fewer attempts than expected (or none)",
    "coverage": "the model's coverage in words: complete, or which tasks it has and what is missing",
    "page": "the model's page under models/",
    "weights, card": "open / closed weights (null when no card says) and the model card: provider, parameters, "
                     "weights, release_date, reasoning_effort, url, notes, source file, card_version "
                     "(CSV: card_<field>)",
    "testset": "the instances the model answered: seeds, count, hash and problem card versions "
               "(CSV: testset_hash, testset_seeds)",
    "attempts": "graded-or-failed answers (status graded, parse_error, truncated, refusal)",
    "api_errors": "records whose every API attempt failed: missing data, not counted as wrong",
    "missing": "expected attempts that the model lacks (api errors and never-run instances)",
    "mean_completion_tokens": "mean completion tokens per attempt (attempts with a reported count)",
    "cost_per_correct_usd": "known cost / correct answers among attempts with a known cost; null when unknown",
    "cost_coverage": "share of attempts with a known cost (0 = cost unknown)",
    "problems.<id>.accuracy, ci_low, ci_high": "mean over the problem's levels of the level accuracy, with CI "
                                               "(CSV: acc_<id>, acc_<id>_low, acc_<id>_high)",
    "problems.<id>.ceiling, ceiling_low, ceiling_high": "highest level L with accuracy >= 50% at every level <= L "
                                                        "(lowest level - 1 if the lowest fails), with the 2.5/97.5 "
                                                        "bootstrap percentiles (CSV: ceiling_<id>, ...)",
    "problems.<id>.censored": "the model passes the highest level evaluated: its true ceiling may be higher",
    "problems.<id>.partial": "some level of this problem is partial or missing for the model",
    "problems.<id>.levels_missing": "levels of this problem the model has no attempt on",
    "runs": "the runs behind the row: run_id, store file, package_version, git_commit, prompt_template, created_at, "
            "updated_at, first_answer_at, last_answer_at (UTC, ISO 8601), config "
            "(CSV: run_ids, stores, package_versions, git_commits, run_created_at joined by `;`)",
}

#: the board table's columns before the problem columns, the one list board.js builds its table from (it reads
#: them from the page's embedded board); an ``interval`` column also shows ``<field>_low`` and ``<field>_high``,
#: and ``marks_partial`` stars the cell of a model with partial data
BOARD_COLUMNS = [
    {"key": "rank", "label": "#", "kind": "rank", "field": "rank", "first_sort": "ascending"},
    {"key": "model", "label": "Model", "kind": "model", "field": "model", "first_sort": "ascending"},
    {"key": "iqm", "label": "IQM [95% CI]", "kind": "interval", "field": "iqm", "first_sort": "descending",
     "marks_partial": True},
    {"key": "mean", "label": "Mean", "kind": "interval", "field": "mean", "first_sort": "descending"},
    {"key": "cost", "label": "$ / correct", "kind": "cost", "field": "cost_per_correct_usd", "first_sort": "ascending"},
    {"key": "tokens", "label": "Tokens / answer", "kind": "tokens", "field": "mean_completion_tokens",
     "first_sort": "ascending"},
]

DEFINITIONS = {
    "accuracy": "correct / attempts; an attempt is a record with a final status (graded, parse_error, truncated, "
                "refusal). API errors are missing, not wrong.",
    "task": "one (problem, level); a run is one seed; a stratum is one (model, task, seed)",
    "bootstrap": "each replicate resamples every stratum's instances with replacement (an instance keeps all its "
                 "samples); intervals are the 2.5 and 97.5 percentiles of the replicate statistic",
    "iqm": "25% trimmed mean over all (task, seed) accuracies of the model (rliable's IQM)",
    "probability_of_improvement": "P(X > Y): per common task, Mann-Whitney P(x > y) + 0.5 P(x = y) over seed "
                                  "accuracies, averaged over tasks (in the report tables, not the board)",
    "expected": "distinct instances of the task on the board x the model's samples per instance",
}


def schema_markdown() -> str:
    """schema.md: what every field of leaderboard.json and leaderboard.csv means."""
    lines = [f"# leaderboard.json / leaderboard.csv, schema version {SCHEMA_VERSION}", "",
             "## Top-level fields of leaderboard.json", ""]
    lines += [f"- `{name}`: {meaning}" for name, meaning in TOP_LEVEL.items()]
    lines += ["", "## Row fields (leaderboard.csv has one column per scalar field)", ""]
    lines += [f"- `{name}`: {meaning}" for name, meaning in COLUMNS.items()]
    lines += ["", "## Definitions", ""]
    lines += [f"- **{name}**: {meaning}" for name, meaning in DEFINITIONS.items()]
    lines += ["", "Missing numbers are `null` in JSON and empty in CSV; they are never written as 0.", ""]
    return "\n".join(lines)
