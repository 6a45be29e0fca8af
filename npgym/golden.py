"""Golden instance ids: the committed proof that generation did not change while a problem's version stayed.

``golden_ids.json`` (beside this module) maps, per problem, its version and a few slots (level, seed, index)
to the id of the yes-instance generated there. Ids are content hashes of the instance, so a changed id means
changed instances. Only planted yes-instances are made (no solver call), which keeps the check fast.
Regenerate the file after a deliberate change (with a version bump) by::

    python -m npgym.golden --write
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from npgym.engine import generate
from npgym.problem import Problem
from npgym.registry import get_problem, problem_ids

GOLDEN_PATH = Path(__file__).with_name("golden_ids.json")
#: the (seed, index) slots generated at every golden level
SLOTS = ((0, 0), (7, 3))
REGENERATE = "python -m npgym.golden --write"


def golden_levels(problem: Problem) -> list[int]:
    """Levels 1 to 3, the top of the reference ladder, and the first level past it (its growth rules)."""
    top = problem.card.top_level
    return sorted({1, 2, 3, top, top + 1})


def slot_key(level: int, seed: int, index: int) -> str:
    """The key a golden id is stored under."""
    return f"level {level} seed {seed} index {index}"


def current_ids(problem_id: str) -> dict:
    """The version of ``problem_id`` and the ids its golden slots generate now."""
    problem = get_problem(problem_id)
    ids = {slot_key(level, seed, index): generate(problem_id, level, seed, index).id
           for level in golden_levels(problem) for seed, index in SLOTS}
    return {"version": problem.version, "ids": ids}


def read_golden(path: Path = GOLDEN_PATH) -> dict:
    """The pinned instance ids of each problem, as the golden ids file holds them."""
    return json.loads(path.read_text(encoding="utf-8"))


def write_golden(path: Path = GOLDEN_PATH) -> dict:
    """Generate every registered problem's golden ids and write them to ``path``."""
    golden = {problem_id: current_ids(problem_id) for problem_id in problem_ids()}
    path.write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return golden


def differences(problem_id: str, golden: dict) -> list[str]:
    """What is wrong between the golden entry of ``problem_id`` and what generation gives now ([] if nothing)."""
    now = current_ids(problem_id)
    module = f"npgym/problems/{problem_id}.py"
    if problem_id not in golden:
        return [f"{problem_id} has no golden ids: regenerate them with `{REGENERATE}` and commit npgym/golden_ids.json"]
    pinned = golden[problem_id]
    if pinned["version"] != now["version"]:
        return [f"{problem_id} is at version {now['version']} but its golden ids are of version {pinned['version']}: "
                f"regenerate them with `{REGENERATE}` and commit npgym/golden_ids.json with the bump"]
    changed = sorted({_level_of(slot) for slot, instance_id in now["ids"].items()
                      if pinned["ids"].get(slot) != instance_id})
    return [f"{problem_id} level {level} changed its instances but kept version {now['version']}: bump `version` "
            f"in {module} and its card, then regenerate with `{REGENERATE}`; if the change was intended to keep "
            f"instances, it is a bug" for level in changed]


def _level_of(slot: str) -> int:
    return int(slot.split()[1])


def main(argv: list[str] | None = None) -> int:
    """``python -m npgym.golden``: check the golden ids, or rewrite them with ``--write``."""
    parser = argparse.ArgumentParser(prog="python -m npgym.golden", description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="regenerate npgym/golden_ids.json")
    args = parser.parse_args(argv)
    if args.write:
        golden = write_golden(GOLDEN_PATH)
        print(f"wrote {sum(len(entry['ids']) for entry in golden.values())} golden ids of {len(golden)} problems "
              f"to {GOLDEN_PATH}")
        return 0
    golden = read_golden(GOLDEN_PATH)
    problems = problem_ids()
    unknown = sorted(set(golden) - set(problems))
    failures = [line for problem_id in problems for line in differences(problem_id, golden)]
    failures += [f"{problem_id} has golden ids but is not registered: regenerate with `{REGENERATE}`"
                 for problem_id in unknown]
    for line in failures:
        print(line, file=sys.stderr)
    print(f"{len(problems)} problems checked against {GOLDEN_PATH.name}: {len(failures)} differences")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
