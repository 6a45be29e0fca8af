"""The hardness and distinguishability audit: attack solve rates, yes/no separability by cheap features,
prompt sizes and exact-solver seconds, per problem and level.

Usage (from the repository root, so the checkout's npgym is used):
    python -m benchmarks.hardness --problems all --levels top,2x,max --count 10 --no-count 10 \
        --out benchmarks/results/hardness.jsonl --markdown benchmarks/results/hardness.md

For each problem and level, a mixed test set of ``count + no-count`` instances with a ``no-count``
share of no-instances is generated exactly as ``nppc generate`` makes one (seed ``--seed``; where no
no-instance can be made the slot holds a yes-instance, so "made" can be below "asked"). Every attack
of :mod:`benchmarks.audit.portfolio` gets ``--budget`` CPU seconds per yes-instance (one core, so a
shared machine does not shrink it); ``portfolio`` counts the instances any attack solved; ``random``
counts random answers accepted. The yes/no columns are the cross-validated accuracy of the best single
cheap feature of :mod:`benchmarks.audit.features`, of a depth-3 tree and of a logistic regression
over all of them, each fitted inside the training folds; the bold number is the best of the three, the
named feature is the one that leaks most in hindsight, and the chance level is what the same three
score on shuffled labels. ``prompt`` is the zero-shot prompt length in characters (median); solver
seconds are medians of the exact solver's wall seconds (one worker, a budget of ``--time-limit`` seconds of work) on the
yes-instances and of the proofs behind the no-instances.
Level names: 1, mid, top (the reference's), 2x (the first level at twice the top size: its first ladder
parameter, or the prompt length where that stops growing past the top, as numbers grow in digits), max (the highest
level whose prompt stays within ``--max-chars``), or numbers.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
import warnings
from pathlib import Path

import npgym
from benchmarks.audit.classify import separation
from benchmarks.audit.features import features
from benchmarks.audit.portfolio import attacks, run_attack
from npgym.prompt import build_prompt
from npgym.testset import NoInstanceWarning, PlantedBoundWarning, generate_testset, level_slots

MAX_CHARS = 30_000


def prompt_chars(instance: npgym.Instance) -> int:
    return len(build_prompt(instance))


def primary_size(problem_id: str, level: int) -> float:
    card = npgym.get_problem(problem_id).card
    return card.level_params(level)[card.params[0]]


def named_levels(problem_id: str, names: list[str], max_chars: int) -> list[int]:
    card = npgym.get_problem(problem_id).card
    top = card.top_level
    chosen = []
    for name in names:
        if name == "1":
            level = 1
        elif name == "mid":
            level = max(1, (top + 1) // 2)
        elif name == "top":
            level = top
        elif name.endswith("x") and name[:-1].isdigit():
            level = times_top_level(problem_id, int(name[:-1]))
        elif name == "max":
            level = largest_level_within(problem_id, max_chars)
        else:
            level = int(name)
        if level not in chosen:
            chosen.append(level)
    return chosen


def times_top_level(problem_id: str, factor: int, limit: int = 2000) -> int:
    """The first level whose size is ``factor`` times the top's: its first ladder parameter where that grows
    past the top, else (the number problems, which grow in digits) its seed-0 prompt length."""
    top = npgym.get_problem(problem_id).card.top_level
    if primary_size(problem_id, top + 20) > primary_size(problem_id, top):
        def size(level: int) -> float:
            return primary_size(problem_id, level)
    else:
        def size(level: int) -> float:
            return prompt_chars(npgym.generate(problem_id, level, seed=0))
    target, level = factor * size(top), top
    while size(level) < target and level < limit:
        level += 1
    return level


def largest_level_within(problem_id: str, max_chars: int, limit: int = 2000) -> int:
    """The highest level (>= top) whose seed-0 prompt has at most ``max_chars`` characters (sizes grow with level)."""
    top = npgym.get_problem(problem_id).card.top_level

    def fits(level: int) -> bool:
        return prompt_chars(npgym.generate(problem_id, level, seed=0)) <= max_chars

    if not fits(top):
        return top
    low, step = top, 1
    while low + step <= limit and fits(low + step):
        low, step = low + step, step * 2
    high = min(limit, low + step)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low


def audit_level(problem_id: str, level: int, count: int, no_count: int, budget: float, time_limit: float,
                seed: int, run_attacks: bool = True) -> dict:
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mixed = list(generate_testset([problem_id], [level], seed, count + no_count,
                                      no_fraction=no_count / (count + no_count), time_limit=time_limit,
                                      allow_fewer=True))
    fallbacks = sum(1 for w in caught if issubclass(w.category, NoInstanceWarning))
    yes = [i for i in mixed if i.label == "yes"]
    no = [i for i in mixed if i.label == "no"]
    portfolio = attacks(problem_id) if run_attacks else {}
    solved = {name: 0 for name in portfolio}
    any_solved = random_ok = 0
    problem = npgym.get_problem(problem_id)
    yes_seconds, yes_unknown = [], 0
    # whether the set made its yes-instances like its no-instances (the same rule the test set follows)
    tightened = level_slots(problem_id, level, seed, count + no_count, no_count / (count + no_count), False)[0]
    for position, instance in enumerate(yes):
        hit = False
        for name, attack in portfolio.items():
            if run_attack(attack, instance, budget, seed=position):
                solved[name] += 1
                hit = True
        any_solved += hit
        answer = problem.random_answer(instance.data, random.Random(position))
        random_ok += npgym.verify(instance, {"solution": answer}).ok
        seconds, unknown = _yes_solve(instance, time_limit, tightened)
        yes_seconds.append(seconds)
        yes_unknown += unknown
    no_seconds = [i.meta["effort"]["seconds"] for i in no]
    split = None
    if len(yes) >= 2 and len(no) >= 2:  # a level without no-instances has nothing to tell apart
        split = separation([features(problem_id, i.data) for i in yes], [features(problem_id, i.data) for i in no])
    return {
        "problem": problem_id, "version": problem.version, "level": level, "params": problem.level_params(level),
        "yes": len(yes),
        "distinct": len({i.id for i in mixed}) == len(mixed), "solved": solved, "portfolio": any_solved,
        "random": random_ok, "prompt_chars": statistics.median(prompt_chars(i) for i in mixed) if mixed else None,
        "solver_yes_s": statistics.median(yes_seconds) if yes_seconds else None, "solver_yes_unknown": yes_unknown,
        "no_made": len(no), "no_asked": no_count, "no_fallbacks": fallbacks,
        "planted_bounds": sum(1 for w in caught if issubclass(w.category, PlantedBoundWarning)),
        "solver_no_s": statistics.median(no_seconds) if no_seconds else None,
        "separation": None if split is None else {
            "best_feature": split.best_feature, "best_feature_accuracy": round(split.best_feature_accuracy, 3),
            "stump": round(split.stump_accuracy, 3), "tree": round(split.tree_accuracy, 3),
            "logistic": round(split.logistic_accuracy, 3),
            "accuracy": round(split.accuracy, 3), "chance": round(split.chance, 3)},
        "seconds": round(time.perf_counter() - started, 1),
    }


def _yes_solve(instance: npgym.Instance, time_limit: float, tightened: bool) -> tuple[float, bool]:
    """The exact solver's wall seconds on a yes-instance and whether it left it unknown. A mixed set already
    solved its yes-instances while labelling them (the effort is in the key); one without that effort there
    is one whose solve ran out of budget (it kept its planted form), so it is not solved twice."""
    effort = instance.meta.get("effort")
    if effort is not None:
        return effort["seconds"], False
    if tightened:
        return time_limit, True
    result = npgym.solve(instance, time_limit)
    return (result.effort.seconds if result.effort else time_limit), result.status == "unknown"


def markdown_table(rows: list[dict]) -> str:
    lines = []
    for problem_id in dict.fromkeys(row["problem"] for row in rows):
        mine = [row for row in rows if row["problem"] == problem_id]
        names = list(dict.fromkeys(name for row in mine for name in row["solved"]))
        lines.append(f"\n### {problem_id} (v{npgym.get_problem(problem_id).version})\n")
        lines.append("| level | params | prompt | " + " | ".join(names) + " | portfolio | random | yes/no acc "
                     "(feature in hindsight; stump, tree, logit; chance) | solver s yes | solver s no (made) |")
        lines.append("|---|---|---|" + "---|" * len(names) + "---|---|---|---|---|")
        for row in mine:
            n = row["yes"]
            params = ", ".join(f"{k}={v}" for k, v in row["params"].items())
            attack_cells = " | ".join(f"{row['solved'][name]}/{n}" if name in row["solved"] else "-" for name in names)
            split = row["separation"]
            acc = "-" if split is None else (f"**{split['accuracy']:.2f}** ({split['best_feature']} "
                                             f"{split['best_feature_accuracy']:.2f}; {split.get('stump', 0):.2f}, "
                                             f"{split['tree']:.2f}, "
                                             f"{split['logistic']:.2f}; {split['chance']:.2f})")
            yes_s = "-" if row["solver_yes_s"] is None else f"{row['solver_yes_s']:.2f}" + \
                (f" ({row['solver_yes_unknown']} unknown)" if row["solver_yes_unknown"] else "")
            no_s = "-" if row["solver_no_s"] is None else f"{row['solver_no_s']:.2f}"
            no_s += f" ({row['no_made']}/{row['no_asked']})"
            distinct = "" if row["distinct"] else " (repeats!)"
            portfolio = f"**{row['portfolio']}/{n}**{distinct}" if row["solved"] else "(features only)"
            lines.append(f"| {row['level']} | {params} | {row['prompt_chars']:.0f} | {attack_cells} | "
                         f"{portfolio} | {row['random']}/{n} | {acc} | {yes_s} | {no_s} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problems", default="all")
    parser.add_argument("--levels", default="top,2x,max", help="comma list of 1, mid, top, 2x, max or numbers")
    parser.add_argument("--count", type=int, default=10, help="yes-instances per level (default 10)")
    parser.add_argument("--no-count", type=int, default=10, help="no-instances per level (default 10)")
    parser.add_argument("--budget", type=float, default=2.0, help="seconds per attack and instance (default 2)")
    parser.add_argument("--time-limit", type=float, default=10.0, help="solver budget in seconds of work (default 10)")
    parser.add_argument("--max-chars", type=int, default=MAX_CHARS, help="prompt size of the 'max' level")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the audited instances (default 2026)")
    parser.add_argument("--features-only", action="store_true", help="skip the attacks (a quick yes/no check)")
    parser.add_argument("--out", help="append one JSON line per (problem, level) here")
    parser.add_argument("--markdown", help="write the tables here")
    parser.add_argument("--tables-from", nargs="+", metavar="JSONL",
                        help="audit nothing: write the tables of saved rows of the current versions (for a problem and "
                             "level, the last row of each kind, with attacks or features only, wins)")
    args = parser.parse_args()
    if args.tables_from:
        latest: dict[tuple, dict] = {}
        for path in args.tables_from:
            for line in Path(path).read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                if row.get("version", npgym.get_problem(row["problem"]).version) == npgym.get_problem(
                        row["problem"]).version:  # a row of an older version describes other instances
                    latest[(row["problem"], row["level"], bool(row["solved"]))] = row
        table = markdown_table([latest[key] for key in sorted(latest, key=lambda k: (k[0], k[1], not k[2]))])
        if args.markdown:
            Path(args.markdown).write_text(table, encoding="utf-8")
        print(table)
        return
    problems = npgym.problem_ids() if args.problems == "all" else args.problems.split(",")
    rows = []
    for problem_id in problems:
        for level in named_levels(problem_id, args.levels.split(","), args.max_chars):
            row = audit_level(problem_id, level, args.count, args.no_count, args.budget, args.time_limit, args.seed,
                              run_attacks=not args.features_only)
            rows.append(row)
            print(json.dumps(row), flush=True)
            if args.out:
                with open(args.out, "a", encoding="utf-8") as out:
                    out.write(json.dumps(row) + "\n")
    table = markdown_table(rows)
    if args.markdown:
        Path(args.markdown).write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
