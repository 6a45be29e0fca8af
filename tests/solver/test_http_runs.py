"""Runs against a real OpenAI-compatible HTTP server on loopback, through the real LiteLLM client.

The server (``npsolver.testserver``, in a subprocess) serves scripted replies per prompt: correct
answers, malformed JSON, 429 with Retry-After, 500s, a reply slower than the timeout, a truncated
reply, reasoning_content, a refusal, a 400, and an unparseable body. Every record must end with the
right status and code, retries must happen per request only, and a rerun must retry only the
requests that still have no final record.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from nppc.cli import main
from npsolver.plan import build_tasks, generate_targets
from npsolver.store import Store

# find_spec, not importorskip: importing LiteLLM here would bypass the adapter's offline cost-map setting
pytestmark = pytest.mark.skipif(importlib.util.find_spec("litellm") is None, reason="needs the api extra (litellm)")

PROBLEMS, LEVELS, COUNT = ["three_sat", "vertex_cover"], [1], 6


def run_args(server, store, *extra: str) -> list[str]:
    return ["run", "--model", "scripted-model", "--api-base", server.api_base, "--problems", ",".join(PROBLEMS),
            "--levels", "1", "--count", str(COUNT), "--store", str(store), "--no-progress", "--timeout", "1",
            "--max-attempts", "3", "--retry-delay", "0.05", "--concurrency", "4", *extra]


def answer(instance) -> str:
    return json.dumps({"solution": instance.certificate})


def scripted_plan():
    """(instance, script) per task, with the status / code / attempts each must end with."""
    tasks = build_tasks(generate_targets(PROBLEMS, LEVELS, [0], COUNT), shots=1, samples=1)
    assert len(tasks) == 12
    ok = lambda t: {"content": f"Here it is.\n```json\n{answer(t.instance)}\n```"}  # noqa: E731
    cases = [
        (lambda t: [ok(t)], "graded", "ok", 1),
        (lambda t: [{"content": '{"solution": [1, 2'}], "parse_error", "bad_json", 1),
        (lambda t: [{"status": 429, "headers": {"Retry-After": "1"}}, ok(t)], "graded", "ok", 2),
        (lambda t: [{"status": 500}, {"status": 503}, ok(t)], "graded", "ok", 3),
        (lambda t: [{"delay": 3, **ok(t)}, ok(t)], "graded", "ok", 2),
        (lambda t: [{"content": "Let me think step by step about", "finish_reason": "length",
                     "usage": {"completion_tokens": 64}}], "truncated", "length", 1),
        (lambda t: [{"reasoning_content": 'maybe {"solution": null}', "content": answer(t.instance),
                     "usage": {"reasoning_tokens": 7}}], "graded", "ok", 1),
        (lambda t: [{"status": 500}], "api_error", "server", 3),
        (lambda t: [{"content": "I'm sorry, but I can't help with that."}], "refusal", "refusal", 1),
        (lambda t: [{"status": 400, "message": "bad request"}], "api_error", "client", 1),
        (lambda t: [{"raw": "this is not json"}, ok(t)], "graded", "ok", 2),
        (lambda t: [{"content": "True story: {'solution': None,}"}], "graded", "wrong_claim", 1),
    ]
    script = {"by_prompt": {}}
    expected = {}
    for task, (replies, status, code, attempts) in zip(tasks, cases):
        script["by_prompt"][task.prompt_hash] = replies(task)
        expected[task.instance.id] = (status, code, attempts)
    return tasks, script, expected


def test_every_scripted_failure_is_classified_and_only_failures_are_retried(scripted_server, tmp_path, capsys):
    tasks, script, expected = scripted_plan()
    server = scripted_server(script)
    store_path = tmp_path / "runs.sqlite"
    assert main(run_args(server, store_path)) == 1  # two tasks still have no final record
    with Store(store_path, readonly=True) as store:
        records = {r["instance_id"]: r for r in store.records()}
        runs = store.runs()
    assert {key: (r["status"], r["code"], r["attempts"]) for key, r in records.items()} == expected
    reasoning = next(r for r in records.values() if r["reasoning_tokens"] == 7)
    assert reasoning["reasoning_text"] == 'maybe {"solution": null}' and reasoning["correct"] == 1
    for record in records.values():
        assert record["cost_usd"] is None and record["cost_source"] == "missing"  # a local server has no price
        if record["status"] != "api_error":
            assert record["prompt_tokens"] == 10 and record["completion_tokens"] in (20, 64)
            assert record["response_text"] is not None and record["latency_s"] >= 0
        else:
            assert record["correct"] is None and record["response_text"] is None
            assert "scripted error 500" in record["message"] or "bad request" in record["message"]
    [run] = runs
    assert run["config"]["sampling"] == {"max_tokens": None, "temperature": None, "top_p": None, "seed": None}
    assert run["config"]["api_base"] == server.api_base and run["package_version"]

    rate_limited = next(t.prompt_hash for t in tasks if script["by_prompt"][t.prompt_hash][0].get("status") == 429)
    times = [r["time"] for r in server.requests() if r["prompt_hash"] == rate_limited]
    assert len(times) == 2 and times[1] - times[0] >= 0.9  # Retry-After: 1 beats the 0.05 s backoff

    first_requests = len(server.requests())
    assert main(run_args(server, store_path)) == 1  # the same command resumes the same run
    again = server.requests()[first_requests:]
    failing = {t.prompt_hash for t in tasks if expected[t.instance.id][0] == "api_error"}
    assert {r["prompt_hash"] for r in again} == failing  # finished records were not asked again
    assert len(again) == 3 + 1  # the 500 prompt three times, the 400 prompt once
    with Store(store_path, readonly=True) as store:
        assert len(store.records()) == len(tasks)
        assert len(store.runs()) == 1
    capsys.readouterr()


def test_sampling_parameters_reach_the_server_and_the_run_id(scripted_server, tmp_path):
    server = scripted_server({"default": {"content": '{"solution": null}'}})
    store_path = tmp_path / "runs.sqlite"
    assert main(run_args(server, store_path, "--max-tokens", "77", "--temperature", "0.3", "--count", "1")) == 0
    assert main(run_args(server, store_path, "--max-tokens", "78", "--temperature", "0.3", "--count", "1")) == 0
    assert [r["max_tokens"] for r in server.requests()] == [77, 77, 78, 78]
    with Store(store_path, readonly=True) as store:
        runs = store.runs()
    assert len(runs) == 2  # a sampling parameter changes the run id
    assert runs[0]["config"]["sampling"]["max_tokens"] == 77 and runs[0]["config"]["sampling"]["temperature"] == 0.3


@pytest.mark.slow
def test_an_api_key_reaches_no_file_and_no_output(scripted_server, tmp_path):
    """The server quotes the key back in its 401 body, as providers do; it must be redacted everywhere."""
    key = "sk-test-" + os.urandom(12).hex()
    server = scripted_server({"default": {"status": 401, "echo_auth": "Incorrect API key provided"}})
    store_path = tmp_path / "runs.sqlite"
    env = {**os.environ, "OPENAI_API_KEY": key, "MY_SERVICE_TOKEN": "tok-" + key[8:]}
    args = run_args(server, store_path, "--count", "2")
    result = subprocess.run([sys.executable, "-m", "nppc.cli", *args], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1, result.stderr
    outputs = [result.stdout, result.stderr]
    for fmt in ("jsonl", "csv"):
        out = tmp_path / f"export.{fmt}"
        exported = subprocess.run([sys.executable, "-m", "nppc.cli", "export", "--store", str(store_path),
                                   "--format", fmt, "--out", str(out)], env=env, capture_output=True, text=True)
        assert exported.returncode == 0, exported.stderr
        outputs += [exported.stdout, exported.stderr, out.read_text()]
    with Store(store_path, readonly=True) as store:
        messages = [r["message"] for r in store.records()]
    assert messages and all("Incorrect API key provided" in m and "[redacted]" in m for m in messages)
    files = b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.is_file())
    for secret in (key, key[8:]):
        assert secret.encode() not in files
        assert all(secret not in text for text in outputs)


def test_max_cost_stops_cleanly_and_counts_the_whole_run(scripted_server, tmp_path, capsys):
    """A priced model name (LiteLLM's price table) behind the local server gives every reply a known cost."""
    server = scripted_server({"default": {"content": '{"solution": null}'}})
    store_path = tmp_path / "runs.sqlite"
    args = ["run", "--model", "openai/gpt-4o-mini", "--api-base", server.api_base, "--problems", "three_sat",
            "--levels", "1", "--count", "8", "--store", str(store_path), "--no-progress", "--concurrency", "1"]

    def records():
        with Store(store_path, readonly=True) as store:
            return store.records()

    assert main([*args, "--max-cost", "1e-9"]) == 1
    [first] = records()  # the first reply already exceeds the limit: nothing else starts
    unit = first["cost_usd"]
    assert unit > 0 and first["cost_source"] == "priced"
    assert main([*args, "--max-cost", str(unit * 3.5)]) == 1
    assert len(records()) == 4  # the budget counts the earlier invocation's cost too
    assert all(r["status"] == "graded" for r in records())
    assert main([*args, "--max-cost", str(unit * 3.5)]) == 1 and len(records()) == 4
    assert main([*args, "--max-cost", "1"]) == 0 and len(records()) == 8
    assert "--max-cost reached" in capsys.readouterr().err


def test_a_verifier_error_is_recorded_and_graded_again_on_resume_without_asking(scripted_server, tmp_path,
                                                                                 monkeypatch, capsys):
    """Fault injection (a mock): the real verifiers do not raise, so one is made to for the first run."""
    tasks = build_tasks(generate_targets(PROBLEMS, LEVELS, [0], 2), shots=1, samples=1)
    script = {"by_prompt": {t.prompt_hash: [{"content": "<think>hmm</think>" + answer(t.instance),
                                             "reasoning_content": "provider thoughts"}] for t in tasks}}
    server = scripted_server(script)
    store_path = tmp_path / "runs.sqlite"
    args = run_args(server, store_path, "--count", "2")

    def broken(*_args):
        raise RuntimeError("verifier bug")

    monkeypatch.setattr("npsolver.grading.verify", broken)
    assert main(args) == 1  # the run goes on and reports the records as unfinished
    with Store(store_path, readonly=True) as store:
        first = store.records()
    assert [(r["status"], r["code"], r["correct"]) for r in first] == [("verifier_error", "verifier_error", None)] * 4
    assert all("verifier bug" in r["message"] for r in first)
    asked = len(server.requests())
    monkeypatch.undo()
    assert main(args) == 0
    assert len(server.requests()) == asked  # graded from the stored replies
    with Store(store_path, readonly=True) as store:
        again = {r["instance_id"]: r for r in store.records()}
    assert all(r["status"] == "graded" and r["correct"] == 1 for r in again.values())
    for before in first:
        after = again[before["instance_id"]]
        assert after["reasoning_text"] == before["reasoning_text"] == "provider thoughts\nhmm"
        assert (after["prompt_tokens"], after["started_at"]) == (before["prompt_tokens"], before["started_at"])
    assert "0 tokens" in capsys.readouterr().out.splitlines()[-2]


@pytest.mark.parametrize("echo", ["full", "tail"])
def test_a_server_that_echoes_the_prompt_earns_nothing(scripted_server, tmp_path, echo):
    """Small models repeat their prompt; JSON copied from it (examples, format lines) is never graded as theirs."""
    server = scripted_server({"default": {"echo": echo}})
    store_path = tmp_path / "runs.sqlite"
    args = ["run", "--model", "echo-model", "--api-base", server.api_base, "--problems",
            "vertex_cover,three_sat,subset_sum,partition", "--levels", "2-3", "--count", "3", "--shots", "1",
            "--store", str(store_path), "--no-progress", "--timeout", "5"]
    assert main(args) == 0
    with Store(store_path, readonly=True) as store:
        records = store.records()
    assert len(records) == 24
    assert sum(r["correct"] for r in records) == 0
    assert {r["code"] for r in records} <= {"copied", "no_json", "bad_json", "no_solution_key"}
    assert any(r["code"] == "copied" for r in records)
