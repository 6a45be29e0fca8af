"""Imports flow one way: npgym <- npsolver <- npeval <- leaderboard, nprouter beside npeval, nppc on top.

Every import statement counts, the lazy ones inside functions too: a package that reaches up, even only
when one command runs, drags the layers above it into the one below.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: what each package may import from the project (itself included)
ALLOWED = {
    "npgym": {"npgym"},
    "npsolver": {"npgym", "npsolver"},
    "npeval": {"npgym", "npsolver", "npeval"},
    "leaderboard": {"npgym", "npsolver", "npeval", "leaderboard"},
    "nprouter": {"npgym", "npsolver", "nprouter"},
    "nppc": {"npgym", "npsolver", "npeval", "leaderboard", "nprouter", "nppc"},
}


def project_imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every import of a project package in the file at ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(node.lineno, name.split(".")[0]) for name in names if name.split(".")[0] in ALLOWED]
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_no_module_imports_a_package_above_it(package):
    upward = [f"{path.relative_to(ROOT)}:{line} imports {name}"
              for path in sorted((ROOT / package).rglob("*.py"))
              for line, name in project_imports(path) if name not in ALLOWED[package]]
    assert not upward, "imports that flow upward:\n" + "\n".join(upward)


def test_the_scan_sees_lazy_imports(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from leaderboard.build import x\n    import npeval.stats\n")
    assert project_imports(module) == [(2, "leaderboard"), (3, "npeval")]
