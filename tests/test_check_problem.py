"""The public contract checker: it passes a sound problem, names what a broken one gets wrong, and
picks up a problem that another package registers through the ``nppc.problems`` entry-point group."""

from __future__ import annotations

import sys
import textwrap
from dataclasses import replace

import pytest

import npgym
from npgym.problems.vertex_cover import VertexCover
from npgym.registry import _PROBLEMS


class _Copy(VertexCover):
    """Vertex cover under another id, with its card renamed: a stand-in for a problem of another package."""

    id = "vertex_cover_copy"

    @property
    def card(self):
        return replace(npgym.load_card("vertex_cover"), id=self.id)


class _AcceptsAnything(_Copy):
    id = "vertex_cover_accepts_anything"

    def check(self, data, solution):
        return 0


class _RaisingVerifier(_Copy):
    id = "vertex_cover_raising"

    def check(self, data, solution):
        return len(solution[0])  # TypeError / IndexError on odd answers


class _UndeclaredRange(_Copy):
    id = "vertex_cover_undeclared"

    @property
    def card(self):
        card = super().card
        return replace(card, ranges={name: declared for name, declared in card.ranges.items() if name != "degree"})


@pytest.fixture(autouse=True)
def forget_test_problems():
    yield
    for problem_id in [p for p in _PROBLEMS if p.startswith("vertex_cover_") or p == "entry_point_cover"]:
        del _PROBLEMS[problem_id]


def test_a_sound_problem_from_outside_passes():
    report = npgym.check_problem(_Copy())
    assert report.ok and len(report.checks) >= 9


@pytest.mark.parametrize("broken, failing", [(_AcceptsAnything, "wrong and odd answers are rejected with a code"),
                                             (_RaisingVerifier, "wrong and odd answers are rejected with a code")])
def test_a_broken_problem_is_reported_with_the_check_it_fails(broken, failing):
    with pytest.raises(npgym.ContractError, match=failing):
        npgym.check_problem(broken())
    report = npgym.check_problem(broken(), raise_on_failure=False)
    assert not report.ok and failing in {check.name for check in report.failures}


def test_an_entry_point_registers_a_problem_of_another_package(tmp_path, monkeypatch):
    """A real (if tiny) installed distribution on sys.path: its entry point is found by importlib.metadata."""
    (tmp_path / "outside_problems.py").write_text(textwrap.dedent("""
        from dataclasses import replace
        import npgym
        from npgym.problems.vertex_cover import VertexCover

        class EntryPointCover(VertexCover):
            id = "entry_point_cover"

            @property
            def card(self):
                return replace(npgym.load_card("vertex_cover"), id=self.id)
    """))
    info = tmp_path / "outside_problems-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: outside-problems\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[nppc.problems]\nentry_point_cover = outside_problems:EntryPointCover\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "entry_point_cover" in npgym.problem_ids()
    instance = npgym.generate("entry_point_cover", 2, seed=1)
    assert npgym.verify(instance, {"solution": instance.certificate}).ok
    assert npgym.check_problem("entry_point_cover").ok
    sys.modules.pop("outside_problems", None)


def test_a_card_without_a_range_for_a_ladder_parameter_fails_the_contract():
    report = npgym.check_problem(_UndeclaredRange(), raise_on_failure=False)
    [card_check] = [check for check in report.checks if check.name == "card matches the problem"]
    assert not card_check.ok
    assert card_check.detail.startswith("problems/vertex_cover_undeclared.toml declares no range for degree: add it "
                                        "under [params]")
