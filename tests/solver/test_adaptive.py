"""Adaptive runs: decisions from stored answers, the decision log, stopping, resuming, replaying."""

from __future__ import annotations

import dataclasses
import sqlite3
import zlib

import pytest

from nppc.cli import main
from npsolver import plan_adaptive, run_adaptive
from npsolver.adaptive import BUDGET, WIDTH, decision, execute_adaptive, replay
from npsolver.adaptive_log import AdaptiveLog
from npsolver.ceiling import Prior
from npsolver.errors import CLIENT, ApiFailure
from npsolver.store import Store

MODEL = "baseline/synthetic:ceiling=5.5,slope=1.5"
PROBLEMS = ["vertex_cover", "three_dimensional_matching"]
OPTIONS = dict(problems=PROBLEMS, max_level=30, progress=False)


def logged_steps(store) -> list[tuple]:
    with sqlite3.connect(store) as db:
        return db.execute("SELECT problem, step, level, instance_ids, calls, ceiling, ci_low, ci_high "
                          "FROM adaptive_steps ORDER BY problem, step").fetchall()


def logged_results(store) -> list[tuple]:
    with sqlite3.connect(store) as db:
        return db.execute("SELECT problem, stop_reason, calls, steps, ceiling, ci_low, ci_high "
                          "FROM adaptive_results ORDER BY problem").fetchall()


def test_an_adaptive_run_finds_the_ceiling_and_logs_every_decision(tmp_path):
    store = tmp_path / "runs.sqlite"
    result = run_adaptive(MODEL, store, **OPTIONS)
    assert result.complete and not result.stopped
    with Store(store) as opened:
        records = list(opened.run_records(result.run_id))
        steps = AdaptiveLog(opened).steps(result.run_id)
    assert len(records) == result.calls == sum(step.calls for step in steps)
    for problem, outcome in result.outcomes.items():
        assert outcome.stop_reason in (WIDTH, BUDGET) and outcome.calls <= 180
        assert outcome.posterior["ci_low"] - 1 <= 5.5 <= outcome.posterior["ci_high"] + 1
        mine = [step for step in steps if step.problem == problem]
        assert [step.step for step in mine] == list(range(len(mine))) and len(mine) == outcome.steps
        assert {(r.instance_id, r.level) for r in records if r.problem == problem} == \
            {(i, step.level) for step in mine for i in step.instance_ids}
        assert all(step.level == min(step.candidates, key=lambda lv: (step.candidates[lv], lv)) for step in mine)
    first = decision(Prior(top=10, max_level=30), {}, 10)
    assert steps[0].level == first[1] and steps[0].posterior == pytest.approx(first[0])
    assert replay(store, result.run_id) == []


def test_replay_catches_a_decision_the_answers_do_not_support(tmp_path):
    store = tmp_path / "runs.sqlite"
    result = run_adaptive(MODEL, store, **OPTIONS)
    with sqlite3.connect(store) as db:
        db.execute("UPDATE adaptive_steps SET level = level + 3 WHERE problem = ? AND step = 2", (PROBLEMS[0],))
        db.execute("UPDATE records SET correct = 1 - correct WHERE instance_id IN (SELECT value FROM adaptive_steps, "
                   "json_each(instance_ids) WHERE problem = ? AND step = 0)", (PROBLEMS[1],))
    mismatches = replay(store, result.run_id)
    assert (PROBLEMS[0], 2) in {(m.problem, m.step) for m in mismatches}
    assert any(m.problem == PROBLEMS[1] and m.step == 1 for m in mismatches)


def test_the_budget_caps_the_calls_and_a_larger_budget_continues_the_same_run(tmp_path):
    short, extended, fresh = tmp_path / "short.sqlite", tmp_path / "extended.sqlite", tmp_path / "fresh.sqlite"
    first = run_adaptive(MODEL, extended, budget=35, **OPTIONS)
    assert all(o.stop_reason == BUDGET and o.calls == 30 for o in first.outcomes.values())
    again = run_adaptive(MODEL, extended, budget=35, **OPTIONS)
    assert again.rounds == [] and again.outcomes == first.outcomes  # nothing left to do: nothing asked
    more = run_adaptive(MODEL, extended, budget=90, **OPTIONS)
    assert more.run_id == first.run_id
    reference = run_adaptive(MODEL, fresh, budget=90, **OPTIONS)
    assert logged_steps(extended) == logged_steps(fresh) and logged_results(extended) == logged_results(fresh)
    assert more.outcomes == reference.outcomes
    run_adaptive(MODEL, short, budget=35, **OPTIONS)
    assert logged_steps(short) == [row for row in logged_steps(fresh) if row[1] < 3]


def test_the_run_id_names_the_decision_rule_not_the_stopping_rule():
    base = plan_adaptive(MODEL, problems=PROBLEMS).run_id
    assert plan_adaptive(MODEL, problems=PROBLEMS, budget=500, ceiling_width=0.5).run_id == base
    assert plan_adaptive(MODEL, problems=PROBLEMS, batch=5).run_id != base
    assert plan_adaptive(MODEL, problems=PROBLEMS, max_level=50).run_id != base
    assert plan_adaptive(MODEL, problems=PROBLEMS[:1]).run_id != base


class FailsSomeCallsOnce:
    """The synthetic model, except that the first calls on some instances fail with a non-retried error."""

    def __init__(self, inner, fail_every: int):
        self.inner, self.fail_every, self.failed = inner, fail_every, set()
        self.model = inner.model

    def __getattr__(self, name):
        return getattr(self.inner, name)

    async def complete(self, request):
        key = (request.instance.id, request.sample)
        if zlib.crc32(request.instance.id.encode()) % self.fail_every == 0 and key not in self.failed:
            self.failed.add(key)
            raise ApiFailure(CLIENT, "scripted failure")
        return await self.inner.complete(request)


def test_a_round_with_failed_calls_stops_and_the_rerun_finishes_it_with_the_same_decisions(tmp_path):
    flaky, clean = tmp_path / "flaky.sqlite", tmp_path / "clean.sqlite"
    plan = plan_adaptive(MODEL, problems=PROBLEMS, max_level=30)
    failing = dataclasses.replace(plan, adapter=FailsSomeCallsOnce(plan.adapter, fail_every=7))
    stopped = execute_adaptive(failing, flaky, progress=False)
    assert stopped.stopped and "no final record" in stopped.stopped and not stopped.complete
    with sqlite3.connect(flaky) as db:
        assert db.execute("SELECT COUNT(*) FROM records WHERE status = 'api_error'").fetchone()[0] > 0
    for _ in range(20):  # each rerun finishes more of the round; a bound, so a run that never ends fails here
        result = execute_adaptive(failing, flaky, progress=False)
        if result.complete:
            break
    assert result.complete
    reference = execute_adaptive(plan, clean, progress=False)
    assert logged_steps(flaky) == logged_steps(clean) and result.outcomes == reference.outcomes


def run_cli(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_line_runs_adaptively_and_prints_each_ceiling(tmp_path, capsys):
    store = tmp_path / "runs.sqlite"
    code, out, _ = run_cli(capsys, "run", "--adaptive", "--model", MODEL, "--problems", PROBLEMS[0], "--store",
                           str(store), "--max-level", "30", "--no-progress")
    assert code == 0
    assert f"{PROBLEMS[0]}: ceiling" in out and "calls in" in out
    assert len(logged_results(store)) == 1


@pytest.mark.parametrize("args, complaint", [
    (["--levels", "1-3"], "drop --levels"),
    (["--tight"], "drop --tight"),
    (["--no-fraction", "1.5"], "--no-fraction must be in [0, 1]"),
    (["--shard", "1/2"], "drop --shard"),
])
def test_bad_adaptive_input_is_a_one_line_error(tmp_path, capsys, args, complaint):
    code, _, err = run_cli(capsys, "run", "--adaptive", "--model", MODEL, "--problems", PROBLEMS[0], "--store",
                           str(tmp_path / "s.sqlite"), *args)
    assert code == 2 and complaint in err and len(err.strip().splitlines()) == 1


def test_an_adaptive_run_without_problems_says_what_to_give(tmp_path, capsys):
    code, _, err = run_cli(capsys, "run", "--adaptive", "--model", MODEL, "--store", str(tmp_path / "s.sqlite"))
    assert code == 2 and "--adaptive needs --problems" in err


@pytest.mark.parametrize("flag", ["--budget", "--batch", "--max-level", "--ceiling-width"])
def test_adaptive_limits_must_be_positive(tmp_path, capsys, flag):
    with pytest.raises(SystemExit):
        main(["run", "--adaptive", "--model", MODEL, "--problems", PROBLEMS[0], "--store",
              str(tmp_path / "s.sqlite"), flag, "0"])
    assert flag in capsys.readouterr().err
