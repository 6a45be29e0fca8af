"""The code and feedback tracks end to end: real LiteLLM client, scripted server on loopback, real sandbox.

The scripted model of the code track writes a brute-force 3-SAT solver, runs it through the python
tool (or a fenced block), and answers by copying its program's output (``echo_last``), so a right
answer is only possible if the sandbox really ran the solver. Hostile tool calls of every kind go
through one run, which must finish with every record graded. The feedback track's scripted model
fixes its answer after the verifier's feedback, and is scored per turn.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sqlite3

import pytest

from npgym.engine import verify
from npgym.testset import write_testset
from nppc.cli import main
from npsolver.api import plan_run
from npsolver.episodes import WRONG_CLAIM_MESSAGE
from npsolver.sandbox import Limits
from npsolver.store import Store
from npsolver.tracks import TrackOptions

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("litellm") is None, reason="needs the api extra (litellm)"),
    pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap (apt-get install bubblewrap)")]

PLACEHOLDER_BASE = "http://127.0.0.1:9/v1"  # prompts and run ids do not depend on a loopback port
PLANTED = "planted-value-5e2a17c3"


def solver_code(instance) -> str:
    return f"""import itertools, json
n, clauses = {instance.data['n']}, {instance.data['clauses']}
for bits in itertools.product([False, True], repeat=n):
    if all(any(bits[abs(lit) - 1] == (lit > 0) for lit in clause) for clause in clauses):
        print(json.dumps({{"solution": list(bits)}}))
        break
else:
    print(json.dumps({{"solution": None}}))
"""


def code_plan(count: int, protocol: str, **options):
    track = TrackOptions("code", tool_protocol=protocol, **options)
    return plan_run("scripted-model", problems=["three_sat"], levels=[1], count=count, no_fraction=0.5,
                    api_base=PLACEHOLDER_BASE, track=track)


def run_args(server, store, *extra) -> list[str]:
    return ["run", "--model", "scripted-model", "--api-base", server.api_base, "--problems", "three_sat",
            "--levels", "1", "--no-fraction", "0.5", "--store", str(store), "--no-progress", "--timeout", "30",
            "--max-attempts", "2", "--retry-delay", "0.05", "--concurrency", "2", *extra]


def read_store(path):
    with Store(path, readonly=True) as store:
        records = {r["instance_id"]: r for r in store.records()}
        turns = store.turns()
        runs = store.runs()
    by_record: dict[str, list[dict]] = {}
    for turn in turns:
        by_record.setdefault(turn["instance_id"], []).append(turn)
    return records, by_record, runs


def test_a_model_that_writes_and_runs_a_solver_is_graded_through_the_sandbox(scripted_server, tmp_path):
    plan = code_plan(4, "tools")
    crashing = plan.tasks[3]
    script = {"by_conversation": {}}
    for task in plan.tasks:
        code = solver_code(task.instance) if task is not crashing else "raise RuntimeError('solver bug')"
        script["by_conversation"][task.prompt_hash] = [
            {"content": "Let me solve it with code.", "tool_calls": [{"name": "python", "arguments": {"code": code}}]},
            {"echo_last": True}]
    server = scripted_server(script)
    store = tmp_path / "runs.sqlite"
    assert main(run_args(server, store, "--count", "4", "--track", "code", "--tool-protocol", "tools")) == 0
    records, turns, [run] = read_store(store)
    assert run["run_id"] == plan.run_id and run["config"]["track_settings"]["sandbox"]["isolation"] == "bubblewrap"
    assert {t.instance.label for t in plan.tasks} == {"yes", "no"}
    for task in plan.tasks:
        record, steps = records[task.instance.id], turns[task.instance.id]
        assert (record["track"], record["turns"], record["tool_calls"]) == ("code", 2, 1)
        assert [s["role"] for s in steps] == ["assistant", "tool", "assistant"]
        call = json.loads(steps[0]["tool_calls_json"])[0]
        assert call["name"] == "python" and steps[1]["tool_call_id"] == call["id"]
        assert record["tool_wall_s"] == pytest.approx(steps[1]["wall_s"]) and steps[1]["cpu_s"] is not None
        assert record["prompt_tokens"] == 20 and record["completion_tokens"] == 40  # summed over both replies
        if task is crashing:
            assert steps[1]["exit_code"] == 1 and "solver bug" in steps[1]["stderr"]
            assert (record["status"], record["correct"], record["solved_turn"]) == ("parse_error", 0, None)
        else:
            assert steps[1]["exit_code"] == 0 and steps[1]["code"] == solver_code(task.instance)
            assert steps[1]["stdout"] in steps[2]["content"] and steps[1]["content"] == steps[2]["content"]
            assert (record["status"], record["code"], record["correct"], record["solved_turn"]) == \
                ("graded", "ok", 1, 2)
    requests = server.requests()
    assert {r["turn"]: r["tools"] for r in requests} == {0: ["python"], 1: ["python"]}
    assert all(r["last_role"] == ("tool" if r["turn"] else "user") for r in requests)


def test_the_fenced_protocol_runs_the_python_block_for_servers_without_tool_calling(scripted_server, tmp_path):
    plan = code_plan(2, "fenced")
    script = {"by_conversation": {task.prompt_hash: [
        {"content": f"A solver:\n```python\n{solver_code(task.instance)}```\n"}, {"echo_last": True}]
        for task in plan.tasks}}
    server = scripted_server(script)
    store = tmp_path / "runs.sqlite"
    assert main(run_args(server, store, "--count", "2", "--track", "code", "--tool-protocol", "fenced")) == 0
    records, turns, _ = read_store(store)
    assert all(r["correct"] == 1 and r["tool_calls"] == 1 for r in records.values())
    assert all([s["role"] for s in steps] == ["assistant", "user", "assistant"] for steps in turns.values())
    later = [r for r in server.requests() if r["turn"] == 1]
    assert later and all(r["tools"] == [] and r["last_content"].startswith("Output of your program:\nexit status 0")
                         for r in later)
    assert "```python" in plan.tasks[0].prompt and "You can run Python" in plan.tasks[0].prompt


def test_the_tool_call_limit_holds_and_the_last_reply_is_asked_without_tools(scripted_server, tmp_path):
    plan = code_plan(1, "tools", max_tool_calls=2)
    forever = {"content": "", "tool_calls": [{"name": "python", "arguments": {"code": "print(1)"}},
                                             {"name": "python", "arguments": {"code": "print(2)"}},
                                             {"name": "python", "arguments": {"code": "print(3)"}}]}
    server = scripted_server({"by_conversation": {plan.tasks[0].prompt_hash: [forever]}})
    store = tmp_path / "runs.sqlite"
    main(run_args(server, store, "--count", "1", "--track", "code", "--tool-protocol", "tools",
                  "--max-tool-calls", "2"))
    records, turns, _ = read_store(store)
    [record], [steps] = records.values(), turns.values()
    assert (record["tool_calls"], record["turns"], record["status"]) == (2, 2, "parse_error")
    tools = [s for s in steps if s["role"] == "tool"]
    assert [t["stdout"] for t in tools] == ["1\n", "2\n", None] and tools[2]["content"].startswith("not run")
    assert [r["tool_choice"] for r in server.requests()] == [None, "none"]
    assert server.requests()[1]["last_content"].startswith("You have used every code run")


HOSTILE = {
    "socket": "import socket\ntry:\n    socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
              "    print('CONNECTED')\nexcept OSError as error:\n    print('blocked', type(error).__name__)",
    "key file and passwd": "for path in [{keys!r}, {store!r}, '/etc/passwd']:\n    try:\n"
                           "        print('READ', open(path).read(80))\n    except OSError as error:\n"
                           "        print('refused', type(error).__name__)",
    "fork bomb": "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
    "64 GB": "data = bytearray(64 << 30)",
    "infinite loop": "while True:\n    pass",
    "write outside": "open({outside!r}, 'w').write('escaped')",
    "print 1 GB": "import sys\nchunk = b'x' * (1 << 20)\nfor _ in range(1024):\n    sys.stdout.buffer.write(chunk)",
    "environment": "import os\nprint(dict(os.environ))\nprint(open('/proc/1/environ', 'rb').read())",
}


def test_hostile_tool_calls_are_contained_and_the_run_goes_on(scripted_server, tmp_path, monkeypatch):
    monkeypatch.setenv("NPPC_PLANTED", PLANTED)
    plan = code_plan(len(HOSTILE), "tools", limits=Limits(cpu_s=2, wall_s=5.0, memory_bytes=512 << 20))
    testset, keys = tmp_path / "testset.jsonl", tmp_path / "keys.jsonl"
    write_testset(plan.targets, testset, key_path=keys)
    store, outside = tmp_path / "runs.sqlite", tmp_path / "escaped.txt"
    target = scripted_server({}, name="target")  # a real server on the host's loopback for the socket attack
    fills = {"port": target.port, "keys": str(keys), "store": str(store), "outside": str(outside)}
    script = {"by_conversation": {}}
    for task, code in zip(plan.tasks, HOSTILE.values()):
        answer = json.dumps({"solution": task.instance.certificate if task.instance.label == "yes" else None})
        script["by_conversation"][task.prompt_hash] = [
            {"tool_calls": [{"name": "python", "arguments": {"code": code.format(**fills)}}]},
            {"content": f"The tool did not help; my answer: {answer}"}]
    server = scripted_server(script, name="hostile")
    code = main(["run", "--model", "scripted-model", "--api-base", server.api_base, "--testset", str(testset),
                 "--keys", str(keys), "--store", str(store), "--no-progress", "--timeout", "60", "--concurrency", "2",
                 "--track", "code", "--tool-protocol", "tools", "--tool-cpu-seconds", "2", "--tool-wall-seconds", "5",
                 "--tool-memory-mb", "512"])
    assert code == 0
    records, turns, _ = read_store(store)
    assert len(records) == len(HOSTILE)
    assert all((r["status"], r["correct"]) == ("graded", 1) for r in records.values())  # the run went on
    runs = {name: next(s for s in turns[task.instance.id] if s["role"] == "tool")
            for task, name in zip(plan.tasks, HOSTILE)}
    assert "blocked" in runs["socket"]["stdout"] and "CONNECTED" not in runs["socket"]["stdout"]
    secrets = runs["key file and passwd"]["stdout"]
    assert secrets.count("refused") == 3 and "READ" not in secrets
    assert runs["fork bomb"]["limit_hit"] in ("cpu", "wall")
    assert runs["64 GB"]["exit_code"] == 1 and "MemoryError" in runs["64 GB"]["stderr"]
    assert runs["infinite loop"]["limit_hit"] in ("cpu", "wall") and runs["infinite loop"]["exit_code"] >= 128
    assert runs["write outside"]["exit_code"] == 1 and not outside.exists()
    assert runs["print 1 GB"]["limit_hit"] == "output" and len(runs["print 1 GB"]["stdout"]) == Limits().output_bytes
    assert "'PATH'" in runs["environment"]["stdout"] and PLANTED not in runs["environment"]["stdout"]
    with sqlite3.connect(store) as db:
        dump = "\n".join(db.iterdump())
    assert PLANTED not in dump


def feedback_script(plan):
    """Per instance: the replies of a model that learns from feedback, and the turn it solves on (or None)."""
    yes = [t for t in plan.tasks if t.instance.label == "yes"]
    no = [t for t in plan.tasks if t.instance.label == "no"]
    assert len(yes) >= 2 and len(no) >= 2

    def wrong(task):
        n = task.instance.data["n"]
        for bits in ([False] * n, [True] * n, [i % 2 == 0 for i in range(n)], [i % 2 == 1 for i in range(n)]):
            if not verify(task.instance, {"solution": bits}).ok:
                return json.dumps({"solution": bits})
        raise AssertionError("no wrong assignment found")

    def right(task):
        return json.dumps({"solution": task.instance.certificate if task.instance.label == "yes" else None})

    plans = [(yes[0], [wrong(yes[0]), right(yes[0])], 2),
             (yes[1], ['{"solution": null}', "no idea", right(yes[1])], 3),
             (no[0], [wrong(no[0]), right(no[0])], 2),
             (no[1], [wrong(no[1])], None)]
    return [(task, [{"content": text} for text in replies], solved) for task, replies, solved in plans]


def test_a_model_that_fixes_its_answer_after_feedback_is_scored_per_turn(scripted_server, tmp_path):
    plan = plan_run("scripted-model", problems=["three_sat"], levels=[1], count=4, no_fraction=0.5,
                    api_base=PLACEHOLDER_BASE, track=TrackOptions("feedback", turns=3))
    plain = plan_run("scripted-model", problems=["three_sat"], levels=[1], count=4, no_fraction=0.5,
                     api_base=PLACEHOLDER_BASE)
    assert [t.prompt for t in plan.tasks] == [t.prompt for t in plain.tasks]  # turn 1 is asked as on plain
    scripted = feedback_script(plan)
    server = scripted_server({"by_conversation": {t.prompt_hash: replies for t, replies, _ in scripted}})
    store = tmp_path / "runs.sqlite"
    main(run_args(server, store, "--count", "4", "--track", "feedback", "--turns", "3"))
    records, turns, _ = read_store(store)
    for task, _replies, solved in scripted:
        record = records[task.instance.id]
        assert record["solved_turn"] == solved and record["correct"] == (1 if solved else 0)
        assert record["turns"] == (solved or 3)
        assistant = [s for s in turns[task.instance.id] if s["role"] == "assistant"]
        assert [s["correct"] for s in assistant] == [0] * (record["turns"] - 1) + [record["correct"]]
    feedback = [r for r in server.requests() if r["turn"] > 0]
    assert feedback and all(r["last_role"] == "user" and r["last_content"].startswith("Your answer was checked")
                            for r in feedback)
    told = {r["conversation"]: [] for r in feedback}
    for r in sorted(feedback, key=lambda r: r["turn"]):
        told[r["conversation"]].append(r["last_content"])
    yes_a, yes_b, no_a, no_b = (task for task, _, _ in scripted)
    assert "Verdict: wrong_claim: " + WRONG_CLAIM_MESSAGE in told[yes_b.prompt_hash][0]
    assert "Verdict: no_json" in told[yes_b.prompt_hash][1]
    for task in (no_a, no_b):
        assert all("Verdict: constraint" in text for text in told[task.prompt_hash])
    for text in [text for texts in told.values() for text in texts]:
        assert "has one" not in text and "proved" not in text and "no solution exists" not in text.replace(
            WRONG_CLAIM_MESSAGE, "")
    for task in (yes_a, yes_b):
        assert all(json.dumps(task.instance.certificate) not in text for text in told[task.prompt_hash])

    from npeval.tracks import track_table  # the per-turn score, as the report shows it

    [row] = track_table([store]).to_dict("records")
    assert (row["track"], row["attempts"], row["correct"]) == ("feedback", 4, 3)
    assert (row["solved_by_turn_1"], row["solved_by_turn_2"], row["solved_by_turn_3"]) == (0.0, 0.5, 0.75)


def test_the_run_id_names_the_track_and_its_settings(tmp_path, capsys):
    def run_id(*extra):
        assert main(["run", "--model", "baseline/random", "--problems", "three_sat", "--levels", "1", "--count", "2",
                     "--store", str(tmp_path / "runs.sqlite"), "--dry-run", *extra]) == 0
        return capsys.readouterr().out.strip()

    plain = run_id()
    ids = [plain, run_id("--track", "code"), run_id("--track", "code", "--max-tool-calls", "3"),
           run_id("--track", "code", "--tool-cpu-seconds", "3"), run_id("--track", "code", "--tool-protocol", "tools"),
           run_id("--track", "feedback"), run_id("--track", "feedback", "--turns", "5")]
    assert len(set(ids)) == len(ids)
    assert run_id("--track", "plain", "--turns", "5", "--max-tool-calls", "2") == plain  # no track, no settings
    assert run_id("--track", "code", "--trust-code") == ids[1]  # trusting changes no output


def test_without_a_sandbox_the_code_track_stops_with_one_line_naming_the_flag(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    args = ["run", "--model", "baseline/exact", "--problems", "three_sat", "--levels", "1", "--count", "2",
            "--store", str(tmp_path / "runs.sqlite"), "--no-progress", "--track", "code"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--trust-code" in err and "bubblewrap" in err
    assert main([*args, "--trust-code"]) == 0
    capsys.readouterr()
    with Store(tmp_path / "runs.sqlite", readonly=True) as store:
        [run] = store.runs()
        assert run["config"]["track_settings"]["sandbox"]["isolation"] == "none"
        assert {r["correct"] for r in store.records()} == {1}


def test_the_feedback_track_needs_the_answer_key(tmp_path, capsys):
    plan = plan_run("baseline/random", problems=["three_sat"], levels=[1], count=2)
    testset = tmp_path / "testset.jsonl"
    write_testset(plan.targets, testset)
    assert main(["run", "--model", "baseline/random", "--testset", str(testset), "--store",
                 str(tmp_path / "runs.sqlite"), "--track", "feedback"]) == 2
    err = capsys.readouterr().err
    assert "--keys" in err and len(err.strip().splitlines()) == 1
