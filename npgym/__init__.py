"""npgym: the nppc problem engine.

Generate reproducible instances of NP-complete problems, verify answers exactly and solve instances
with a SAT or CP solver::

    import npgym
    inst = npgym.generate("vertex_cover", level=3, seed=1)
    print(npgym.render(inst))
    npgym.verify(inst, {"solution": inst.certificate})   # Verdict(ok=True, code='ok', ...)
"""

from npgym.cards import Card, ParamError, load_card
from npgym.contract import ContractError, ContractReport, check_problem
from npgym.datasets import create_dataset, score_answer
from npgym.engine import check_solution, generate, generate_from_params, render, solve, verify
from npgym.extract import Extraction, extract_answer
from npgym.instance import CANARY, Instance
from npgym.problem import Effort, Planted, Problem, SolveResult
from npgym.registry import get_problem, problem_ids, register
from npgym.verdict import CODES, Reject, Verdict

__all__ = [
    "CANARY", "CODES", "Card", "ContractError", "ContractReport", "Effort", "Extraction", "Instance", "ParamError",
    "Planted", "Problem", "Reject", "SolveResult", "Verdict", "check_problem", "check_solution", "create_dataset",
    "extract_answer", "generate", "generate_from_params", "get_problem", "load_card", "problem_ids", "register",
    "render", "score_answer", "solve", "verify",
]
