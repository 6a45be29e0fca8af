"""What a new user hits in the first hour, through the real ``nppc`` command and the real LiteLLM client.

A missing key, an unknown provider, a refused or reset connection, a rejected key, an unknown model,
a prompt over the context window: each ends in its own failure kind, retried only when a retry can
help, and summarised on the console with a message and what to do. SIGINT and SIGTERM stop a run
cleanly and say how to resume; a server on another loopback port resumes the same run; answer keys
given late grade the stored replies again; and a key in a variable of any name, echoed back by the
server, reaches no file and no output.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from nppc.cli import main
from npsolver.plan import identity_address
from npsolver.secrets import spellings
from npsolver.store import Store

pytestmark = pytest.mark.skipif(importlib.util.find_spec("litellm") is None, reason="needs the api extra (litellm)")


def nppc(*args: str, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nppc.cli", *args], capture_output=True, text=True, timeout=timeout,
                          env=env or {**os.environ})


def served_run(server, store: Path, *extra: str, count: int = 4) -> list[str]:
    return ["run", "--model", "scripted-model", "--api-base", server.api_base, "--problems", "three_sat",
            "--levels", "1", "--count", str(count), "--store", str(store), "--no-progress", "--timeout", "5",
            "--max-attempts", "3", "--retry-delay", "0.01", *extra]


def records(store: Path) -> list[dict]:
    with Store(store, readonly=True) as opened:
        return opened.records()


# -- failures a user can act on ----------------------------------------------------------------------

@pytest.mark.slow
def test_a_hosted_model_without_its_key_fails_at_once_in_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    result = nppc("run", "--model", "openai/gpt-4o-mini", "--problems", "three_sat", "--levels", "1",
                  "--store", str(tmp_path / "r.sqlite"), env=env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("nppc run: error: --model openai/gpt-4o-mini needs "
                                                             "OPENAI_API_KEY in the environment")
    assert "Traceback" not in result.stderr and not (tmp_path / "r.sqlite").exists()


@pytest.mark.slow
def test_a_model_string_without_a_provider_fails_at_once_in_one_line(tmp_path):
    result = nppc("run", "--model", "foo/model", "--problems", "three_sat", "--levels", "1",
                  "--store", str(tmp_path / "r.sqlite"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--model foo/model: LiteLLM knows no provider for it" in result.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ResettingServer:
    """Accepts a connection, reads a little, and resets it (RST): what a crashing proxy does."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                client, _ = self.socket.accept()
            except OSError:
                return
            client.recv(64)
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()


@pytest.mark.parametrize("where", ["refused", "reset"])
def test_connection_failures_are_connection_retried_and_summarised(tmp_path, capsys, where):
    port = free_port() if where == "refused" else ResettingServer().port
    store = tmp_path / "r.sqlite"
    code = main(["run", "--model", "m", "--api-base", f"http://127.0.0.1:{port}/v1", "--problems", "three_sat",
                 "--levels", "1", "--count", "2", "--store", str(store), "--no-progress", "--max-attempts", "2",
                 "--retry-delay", "0.01"])
    err = capsys.readouterr().err
    assert code == 1
    assert [(r["code"], r["attempts"]) for r in records(store)] == [("connection", 2)] * 2
    assert "api errors: 2 x connection, e.g. " in err and "rerun the same command to resume" in err


@pytest.mark.parametrize("status, kind, stops", [(401, "auth", True), (403, "auth", True), (404, "not_found", True),
                                                 (400, "context", False)])
def test_rejections_are_not_retried_and_the_shared_ones_stop_the_run(scripted_server, tmp_path, capsys, status,
                                                                     kind, stops):
    message = "This model's maximum context length is 2048 tokens" if kind == "context" else f"error {status}"
    server = scripted_server({"default": {"status": status, "message": message}})
    store = tmp_path / "r.sqlite"
    code = main(served_run(server, store, "--concurrency", "1", count=5))
    err = capsys.readouterr().err
    assert code == 1
    done = records(store)
    assert all(r["code"] == kind and r["attempts"] == 1 for r in done)
    assert len(done) == (1 if stops else 5)
    assert f"api errors: {len(done)} x {kind}" in err
    assert ("stopped: " + kind in err) == stops
    assert "0 of 5 records are final; 5 have none yet" in err and "rerun the same command to resume" in err


# -- secrets ------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_key_in_any_variable_with_any_characters_reaches_no_file_and_no_output(scripted_server, tmp_path):
    """The server quotes the Authorization header in error bodies and in replies; nothing of it may land."""
    key = "Zq+" + os.urandom(9).hex() + "/x=" + os.urandom(6).hex() + "=="
    tasks_script = {"default": {"echo_auth_reply": "you are"},
                    "by_prompt": {}}
    server = scripted_server(tasks_script)
    errors = scripted_server({"default": {"status": 500, "echo_auth": "upstream rejected"}}, name="errors")
    env = {**os.environ, "NPPC_LLM_PASS": key}
    store = tmp_path / "runs.sqlite"
    outputs = []
    for target in (server, errors):
        result = nppc(*served_run(target, store, "--api-key-env", "NPPC_LLM_PASS", "--model", f"m-{target.port}"),
                      env=env)
        outputs += [result.stdout, result.stderr]
    for fmt in ("jsonl", "csv", "parquet"):
        result = nppc("export", "--store", str(store), "--format", fmt, "--out", str(tmp_path / f"export.{fmt}"),
                      env=env)
        assert result.returncode == 0, result.stderr
        outputs += [result.stdout, result.stderr]
    for command in (("report", "--out", str(tmp_path / "report")), ("leaderboard", "build", "--out",
                                                                    str(tmp_path / "site"))):
        result = nppc(*command, "--store", str(store), "--bootstrap", "50", env=env, timeout=600)
        assert result.returncode == 0, result.stderr
        outputs += [result.stdout, result.stderr]
    texts = [r["response_text"] for r in records(store)] + [r["message"] for r in records(store)]
    assert any("you are Bearer [redacted]" in (t or "") for t in texts)  # the echo happened, and was redacted
    files = b"".join(path.read_bytes() for path in tmp_path.rglob("*") if path.is_file())
    for form in spellings(key) | {key[3:-2]}:
        assert form.encode() not in files, f"{form!r} is in a file"
        assert all(form not in text for text in outputs), f"{form!r} was printed"


# -- interruption ---------------------------------------------------------------------------------------

def start_run(args: list[str], env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "nppc.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env or {**os.environ})


def wait_for_records(store: Path, at_least: int, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
                if db.execute("SELECT COUNT(*) FROM records").fetchone()[0] >= at_least:
                    return
        except sqlite3.OperationalError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"fewer than {at_least} records appeared")


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_the_run_cleanly_and_the_same_command_resumes(scripted_server, tmp_path, signum):
    server = scripted_server({"default": {"content": '{"solution": null}', "delay": 0.4}})
    store = tmp_path / "r.sqlite"
    args = served_run(server, store, "--concurrency", "2", count=30)
    process = start_run(args)
    wait_for_records(store, 3, process)
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signum
    assert "Traceback" not in err and "rerun the same command to resume" in err
    assert f"{signal.Signals(signum).name}: starting no new requests" in err
    first = records(store)
    assert 3 <= len(first) < 30 and all(r["status"] == "graded" for r in first)
    assert f"{len(first)} of 30 records are final" in err
    result = nppc(*args)
    assert result.returncode == 0, result.stderr
    assert f"{len(first)} already done" in result.stdout
    again = records(store)
    assert len(again) == 30 == len({r["instance_id"] for r in again})


@pytest.mark.slow
def test_sigint_during_exact_solves_stops_in_seconds_without_a_crash(tmp_path):
    """CP-SAT's own SIGINT handler used to abort the process in C++; solves in flight are ended instead."""
    store = tmp_path / "r.sqlite"
    process = start_run(["run", "--model", "baseline/exact", "--problems", "tsp", "--levels", "30", "--count", "4",
                         "--time-limit", "60", "--store", str(store), "--no-progress", "--concurrency", "2"])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not store.exists():
        time.sleep(0.2)
    time.sleep(4)  # the instances are generated and the solves have started
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=45)  # well under the 60 s the solves would take
    assert process.returncode == 130, err
    assert "terminate called" not in err and "Traceback" not in err
    assert "rerun the same command to resume" in err
    assert all(r["status"] == "graded" and r["correct"] == 1 for r in records(store))  # no half-solved record


# -- resume -----------------------------------------------------------------------------------------------

def test_the_same_model_on_another_loopback_port_resumes_the_run(scripted_server, tmp_path, capsys):
    reply = {"default": {"content": '{"solution": null}'}}
    first, second = scripted_server(reply, name="a"), scripted_server(reply, name="b")
    store = tmp_path / "r.sqlite"
    assert main(served_run(first, store)) == 0
    assert main(served_run(second, store)) == 0
    assert "0 new records, 4 already done" in capsys.readouterr().out
    assert not second.requests()


def test_any_address_leaves_host_and_port_out_of_the_run_id():
    assert identity_address("http://10.0.0.5:8000/v1") != identity_address("http://10.0.0.6:9000/v1")
    assert identity_address("http://10.0.0.5:8000/v1", True) == identity_address("http://10.0.0.6:9000/v1/", True)
    assert identity_address("http://127.0.0.1:41234/v1") == identity_address("http://localhost:8080/v1")
    assert identity_address("http://user:pw@10.0.0.5/v1?key=k") == "http://10.0.0.5/v1"


def test_keys_given_late_grade_the_stored_claims_without_asking_again(scripted_server, tmp_path, capsys):
    testset, keys = tmp_path / "t.jsonl", tmp_path / "k.jsonl"
    assert main(["generate", "--problems", "three_sat", "--levels", "1", "--count", "4", "--no-fraction", "0.5",
                 "--out", str(testset), "--key-out", str(keys)]) == 0
    server = scripted_server({"default": {"content": '{"solution": null}'}})
    store = tmp_path / "r.sqlite"
    args = ["run", "--model", "m", "--api-base", server.api_base, "--testset", str(testset), "--store", str(store),
            "--no-progress"]
    assert main(args) == 0
    assert {r["code"] for r in records(store)} == {"unsettled"}
    asked = len(server.requests())
    assert main([*args, "--keys", str(keys)]) == 0
    assert len(server.requests()) == asked
    graded = records(store)
    assert sorted(r["code"] for r in graded) == ["ok", "ok", "wrong_claim", "wrong_claim"]
    assert "(4 stored replies graded again)" in capsys.readouterr().out
    with Store(store, readonly=True) as opened:
        assert {i["label"] for i in opened.instances().values()} == {"yes", "no"}


# -- bad input --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, says", [
    (["run", "--model", "baseline/random", "--problems", "three_sat", "--levels", "1", "--store", "{file}/r.sqlite"],
     "is a file, not a folder"),
    (["run", "--model", "baseline/random", "--problems", "three_sat", "--levels", "1", "--store", "{file}"],
     "is not a run store"),
    (["report", "--store", "{empty}", "--out", "{tmp}/rep"], "is not a run store (an empty or other SQLite file"),
    (["report", "--store", "{file}", "--out", "{tmp}/rep"], "is not a run store (file is not a database)"),
    (["leaderboard", "build", "--store", "{missing}", "--out", "{tmp}/site"], "no run store at"),
    (["export", "--store", "{file}", "--out", "{tmp}/e.jsonl"], "is not a run store"),
    (["generate", "--problems", "three_sat", "--levels", "1", "--count", "0", "--out", "{tmp}/x.jsonl"],
     "argument --count: must be at least 1, got 0"),
    (["generate", "--problems", "three_sat", "--levels", "1", "--count", "-3", "--out", "{tmp}/x.jsonl"],
     "argument --count: must be at least 1, got -3"),
    (["run", "--model", "baseline/random", "--testset", "{missing}", "--store", "{tmp}/r.sqlite"], "no such file"),
    (["run", "--model", "baseline/random", "--problems", "three_sat", "--levels", "1", "--max-tokens", "0",
      "--store", "{tmp}/r.sqlite"], "argument --max-tokens: must be at least 1"),
    (["run", "--model", "baseline/random", "--problems", "three_sat", "--levels", "1", "--timeout", "-1",
      "--store", "{tmp}/r.sqlite"], "argument --timeout: must be above 0"),
])
def test_bad_input_gets_one_line_naming_it_and_a_nonzero_exit(tmp_path, args, says):
    (tmp_path / "ts.jsonl").write_text('{"problem": "three_sat"}\n')
    (tmp_path / "empty.sqlite").touch()
    names = {"file": tmp_path / "ts.jsonl", "empty": tmp_path / "empty.sqlite", "missing": tmp_path / "nope.sqlite",
             "tmp": tmp_path}
    result = nppc(*[arg.format(**names) for arg in args])
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr and says in lines[-1] and lines[-1].startswith("nppc ")
    assert not (tmp_path / "x.jsonl").exists()
