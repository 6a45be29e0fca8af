"""Our engine against the reference NPPC code: generation and verification at the reference's top level.

Both sides make instances of the same size: our top level is the reference's for every problem but 3-SAT,
which is compared at the reference's 80 clauses over 80 variables (``EQUAL_SIZE``), not at our 341.

Usage: python benchmarks/engine_vs_reference.py [--reference DIR] [--problems all] [--repeats 15] [--batch 20]
                                                [--with-id] [--record benchmarks/results/reference_speed.json]
       python benchmarks/engine_vs_reference.py --hot --reference DIR [--problems all] [--repeats 15] [--batch 20]
                                                [--passes 5]

DIR (or the ``NPPC_REFERENCE`` environment variable) is a checkout of github.com/SMU-DIGA/nppc in a scratch
folder, e.g. ``git clone https://github.com/SMU-DIGA/nppc /tmp/nppc-reference``; it is read, never copied
into this project. Each repetition times a batch of ``--batch`` generations and then the verification of each
instance's planted answer (round-tripped through JSON, as a model's answer would be), for the reference and
for us in alternating order, in one process; the table shows per-call medians over ``--repeats`` repetitions
and the ratio reference / ours (above 1: we are faster). Without a checkout, or for a problem the reference
cannot run here (Set Packing and Set Splitting crash on Python 3.11+), the reference side comes from the
recorded numbers in ``benchmarks/results/reference_speed.json`` and is marked "recorded".
The exit status lists the problems whose generation or verification ratio is below 1. An instance's id (the
hash of its canonical JSON) is computed on first use, which a generate-then-verify loop never asks for;
``--with-id`` adds it to our generation time, as a test set that writes every id pays it.

``--hot`` measures verification as a training loop calls it: each side generates ``--batch`` instances
once (the same seeds for both), then each repetition verifies that same batch ``--passes`` times over,
warm, for the reference and for us in alternating order; the table shows the per-call minimum over
``--repeats`` repetitions (the least disturbed by other load) and the ratio reference / ours. It needs a
checkout (there are no recorded hot numbers); a problem the reference cannot run is listed as such.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks are scripts, run from anywhere

import npgym  # noqa: E402

from scale import chosen_problems  # noqa: E402

RECORDED = Path(__file__).resolve().parent / "results" / "reference_speed.json"

#: our problem id -> (the reference's module in npgym/npc, its name in configs.PROBLEM_LEVELS)
REFERENCE_MODULES = {
    "three_sat": ("three_sat", "3-Satisfiability (3-SAT)"),
    "vertex_cover": ("vertex_cover", "Vertex Cover"),
    "clique": ("clique", "Clique"),
    "independent_set": ("independent_set", "Independent Set"),
    "partition": ("partition", "Partition"),
    "subset_sum": ("subset_sum", "Subset Sum"),
    "set_packing": ("set_packing", "Set Packing"),
    "set_splitting": ("set_splitting", "Set Splitting"),
    "shortest_common_superstring": ("shortest_common_superstring", "Shortest Common Superstring"),
    "quadratic_diophantine": ("quad_diop_equ", "Quadratic Diophantine Equations"),
    "quadratic_congruences": ("quadratic_congruence", "Quadratic Congruences"),
    "three_dimensional_matching": ("three_dimension_matching", "3-Dimensional Matching (3DM)"),
    "tsp": ("tsp", "Travelling Salesman (TSP)"),
    "dominating_set": ("domninating_set", "Dominating Set"),
    "hitting_string": ("hitting_string", "Hitting String"),
    "hamiltonian_cycle": ("hamiltonian_cycle", "Hamiltonian Cycle"),
    "bin_packing": ("bin_packing", "Bin Packing"),
    "exact_cover_by_3_sets": ("x3c", "Exact Cover by 3-Sets (X3C)"),
    "minimum_cover": ("minimum_cover", "Minimum Cover"),
    "three_colouring": ("graph_three_colorability", "Graph 3-Colourability (3-COL)"),
    "clustering": ("clustering", "Clustering"),
    "betweenness": ("betweenness", "Betweenness"),
    "minimum_sum_of_squares": ("min_sum_square", "Minimum Sum of Squares"),
    "bandwidth": ("bandwidth", "Bandwidth"),
    "max_leaf_spanning_tree": ("max_leaf_span_tree", "Maximum Leaf Spanning Tree"),
}


class ReferenceSide:
    """The reference's generator and verifier of one problem at its top level, loaded from a checkout."""

    def __init__(self, checkout: Path, problem_id: str):
        module_name, level_name = REFERENCE_MODULES[problem_id]
        configs = _load(checkout / "npgym" / "configs.py", "nppc_reference_configs")
        levels = configs.PROBLEM_LEVELS[level_name]
        self.params = levels[max(levels)]
        # loaded by file path under a private name: bare names such as "tsp" would clash with other packages;
        # several modules generate (and print) an instance at import, hence the silenced stdout
        self.module = _load(checkout / "npgym" / "npc" / f"{module_name}.py", f"nppc_reference_{module_name}")

    def generate(self, seed: int):
        random.seed(seed)
        _seed_numpy(seed)
        instance, solution = self.module.generate_instance(**self.params)
        return instance, json.loads(json.dumps(solution))

    def verify(self, case) -> bool:
        instance, solution = case
        return bool(self.module.verify_solution(instance, solution)[0])


#: our parameters at the reference's top-level size, where our top level differs from it: our 3-SAT ladder puts
#: 4.26 clauses per variable (the satisfiability threshold), the reference one (80 variables, 80 clauses)
EQUAL_SIZE = {"three_sat": {"variables": 80, "ratio": 1.0}}


class OurSide:
    """Our generator and verifier of one problem at the reference's top-level size: our top level, or the
    parameters :data:`EQUAL_SIZE` gives where our top level is larger."""

    def __init__(self, problem_id: str, with_id: bool = False):
        self.problem_id, self.with_id = problem_id, with_id
        self.level = npgym.get_problem(problem_id).card.top_level
        self.params = EQUAL_SIZE.get(problem_id)

    def generate(self, seed: int):
        if self.params is None:
            instance = npgym.generate(self.problem_id, self.level, seed)
        else:
            instance = npgym.generate_from_params(self.problem_id, self.params, seed, level=self.level)
        if self.with_id:
            instance.id  # noqa: B018 - the content hash (and JSON check) a test set pays, computed on first use
        return instance, {"solution": json.loads(json.dumps(instance.certificate))}

    def verify(self, case) -> bool:
        instance, answer = case
        return npgym.verify(instance, answer).ok


def _load(path: Path, name: str):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    random.seed(0)
    with contextlib.redirect_stdout(io.StringIO()):
        spec.loader.exec_module(module)
    sys.modules[name] = module
    return module


def _seed_numpy(seed: int) -> None:
    try:
        import numpy
    except ImportError:  # only Bin Packing and 3-COL of the reference use numpy
        return
    numpy.random.seed(seed)


def time_batch(side, seeds: list[int]) -> tuple[float, float]:
    """Per-call seconds of generating an instance for each seed, then of verifying each planted answer."""
    started = time.perf_counter()
    cases = [side.generate(seed) for seed in seeds]
    generated = time.perf_counter()
    verdicts = [side.verify(case) for case in cases]
    verified = time.perf_counter()
    if not all(verdicts):
        raise RuntimeError(f"{type(side).__name__} rejected a planted answer (seeds {seeds})")
    return (generated - started) / len(seeds), (verified - generated) / len(seeds)


def interleaved(names: list[str], repeats: int) -> Iterator[tuple[int, str]]:
    """(repetition, side) for every side in every repetition, the order reversed every other repetition, so
    neither side always runs first."""
    for repeat in range(repeats):
        for name in names if repeat % 2 == 0 else reversed(names):
            yield repeat, name


def compare(sides: dict[str, object], repeats: int, batch: int) -> dict[str, dict[str, float]]:
    """Median per-call generate / verify seconds of each side, the sides' batches interleaved."""
    times: dict[str, dict[str, list[float]]] = {name: {"generate": [], "verify": []} for name in sides}
    for repeat, name in interleaved(list(sides), repeats):
        generate, verify = time_batch(sides[name], list(range(repeat * batch, (repeat + 1) * batch)))
        times[name]["generate"].append(generate)
        times[name]["verify"].append(verify)
    return {name: {step: statistics.median(values) for step, values in steps.items()}
            for name, steps in times.items()}


def time_hot(side, cases: list, passes: int) -> float:
    """Per-call seconds of verifying the same ``cases`` ``passes`` times over."""
    started = time.perf_counter()
    for _ in range(passes):
        for case in cases:
            side.verify(case)
    return (time.perf_counter() - started) / (passes * len(cases))


def compare_hot(sides: dict[str, object], repeats: int, batch: int, passes: int) -> dict[str, float]:
    """Minimum per-call verify seconds of each side over the repetitions, on one batch generated once."""
    cases = {name: [side.generate(seed) for seed in range(batch)] for name, side in sides.items()}
    for name, side in sides.items():
        if not all(side.verify(case) for case in cases[name]):
            raise RuntimeError(f"{type(side).__name__} rejected a planted answer (seeds 0..{batch - 1})")
    times: dict[str, list[float]] = {name: [] for name in sides}
    for _, name in interleaved(list(sides), repeats):
        times[name].append(time_hot(sides[name], cases[name], passes))
    return {name: min(values) for name, values in times.items()}


def hot_main(args, checkout: Path) -> None:
    """The ``--hot`` table: warm per-call verify times of both sides and their ratio."""
    print(f"# reference: {checkout}; load: {os.getloadavg()[0]:.2f}; hot verify: min over {args.repeats} "
          f"repetitions of {args.passes} passes over {args.batch} instances per side")
    print("| problem | ref verify | our verify | ratio |")
    print("|---|---|---|---|")
    below = []
    for problem_id in chosen_problems(args.problems):
        ours = OurSide(problem_id)
        try:
            reference = runnable_reference(checkout, problem_id)
        except Exception as failure:  # the reference's own bugs (e.g. random.sample on a set on 3.11+)
            print(f"| {problem_id} | fails here ({type(failure).__name__}) | | |", flush=True)
            continue
        with contextlib.redirect_stdout(io.StringIO()):  # some reference modules print as they go
            best = compare_hot({"reference": reference, "ours": ours}, args.repeats, args.batch, args.passes)
        ratio = best["reference"] / best["ours"]
        print(f"| {problem_id} | {fmt(best['reference'])} | {fmt(best['ours'])} | {ratio:.2f} |", flush=True)
        if ratio < 1:
            below.append(problem_id)
    if below:
        sys.exit(f"hot verify ratio below 1: {', '.join(below)}")


def runnable_reference(checkout: Path, problem_id: str) -> ReferenceSide:
    """The reference's side of one problem, once it has generated an instance here (else its own exception)."""
    reference = ReferenceSide(checkout, problem_id)
    reference.generate(0)
    return reference


def reference_checkout(option: str | None) -> Path | None:
    """The reference checkout named by ``--reference`` or ``NPPC_REFERENCE``, if it exists."""
    location = option or os.environ.get("NPPC_REFERENCE")
    if not location:
        return None
    checkout = Path(location)
    if not (checkout / "npgym" / "configs.py").is_file():
        sys.exit(f"--reference {checkout}: not a checkout of github.com/SMU-DIGA/nppc (no npgym/configs.py); "
                 "clone it there or drop the option to compare with the recorded numbers")
    return checkout


def recorded_numbers() -> dict[str, dict[str, float]]:
    return json.loads(RECORDED.read_text(encoding="utf-8"))["problems"]


def fmt(seconds: float) -> str:
    if seconds < 1e-5:  # the quick verifiers take a fraction of a microsecond
        return f"{seconds * 1e6:.2f}µs"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f}µs"
    return f"{seconds * 1e3:.2f}ms"


def measure_problem(problem_id: str, checkout: Path | None, recorded: dict, repeats: int,
                    batch: int, with_id: bool = False) -> tuple[dict[str, float], dict[str, float], str]:
    """(reference seconds, our seconds, where the reference's numbers come from) for one problem."""
    ours = OurSide(problem_id, with_id)
    if checkout is not None:
        try:
            reference = runnable_reference(checkout, problem_id)
        except Exception as failure:  # the reference's own bugs (e.g. random.sample on a set on 3.11+)
            print(f"# {problem_id}: the reference fails here ({type(failure).__name__}: {failure}); "
                  "using the recorded numbers", file=sys.stderr)
        else:
            medians = compare({"reference": reference, "ours": ours}, repeats, batch)
            return medians["reference"], medians["ours"], "measured"
    if problem_id not in recorded:
        raise KeyError(f"{problem_id}: no recorded reference numbers in {RECORDED}")
    medians = compare({"ours": ours}, repeats, batch)
    return recorded[problem_id], medians["ours"], recorded[problem_id].get("source", "recorded")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference", help="a checkout of github.com/SMU-DIGA/nppc (default: $NPPC_REFERENCE)")
    parser.add_argument("--problems", default="all")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--batch", type=int, default=20, help="calls per timed batch")
    parser.add_argument("--record", type=Path, help="write the measured reference numbers to this JSON file")
    parser.add_argument("--with-id", action="store_true",
                        help="our generation also computes each id (hashed on first use, as a test set does)")
    parser.add_argument("--hot", action="store_true", help="time verification only, warm (see above)")
    parser.add_argument("--passes", type=int, default=5, help="with --hot: passes over the batch per repetition")
    args = parser.parse_args()
    checkout = reference_checkout(args.reference)
    if args.hot:
        if checkout is None:
            sys.exit("--hot needs a reference checkout (--reference or NPPC_REFERENCE): no hot numbers are recorded")
        hot_main(args, checkout)
        return
    recorded = recorded_numbers() if RECORDED.is_file() else {}
    print(f"# reference: {checkout or f'recorded numbers ({RECORDED.name})'}; load: {os.getloadavg()[0]:.2f}; "
          f"{args.repeats} x {args.batch} calls per side")
    print("| problem | reference | ref generate | our generate | ratio | ref verify | our verify | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    below, measured = [], {}
    for problem_id in chosen_problems(args.problems):
        reference, ours, source = measure_problem(problem_id, checkout, recorded, args.repeats, args.batch,
                                                  args.with_id)
        if source == "measured":
            measured[problem_id] = reference
        ratios = {step: reference[step] / ours[step] for step in ("generate", "verify")}
        print(f"| {problem_id} | {source} | {fmt(reference['generate'])} | {fmt(ours['generate'])} "
              f"| {ratios['generate']:.2f} | {fmt(reference['verify'])} | {fmt(ours['verify'])} "
              f"| {ratios['verify']:.2f} |", flush=True)
        below += [f"{problem_id} ({step})" for step, ratio in ratios.items() if ratio < 1]
    if args.record:
        write_record(args.record, measured, args.repeats, args.batch)
    if below:
        sys.exit(f"ratio below 1: {', '.join(below)}")


def write_record(path: Path, measured: dict[str, dict[str, float]], repeats: int, batch: int) -> None:
    """Merge freshly measured reference medians into the recorded file (other problems keep their entries)."""
    existing = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"problems": {}}
    existing["problems"].update(measured)
    existing["how"] = (f"python benchmarks/engine_vs_reference.py --reference <checkout of SMU-DIGA/nppc at "
                       f"25a3741> --record ...: per-call medians of {repeats} batches of {batch}, top level, "
                       f"Python {sys.version.split()[0]}, load {os.getloadavg()[0]:.2f}")
    path.write_text(json.dumps(existing, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
