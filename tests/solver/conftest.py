"""Fixtures for the runner tests: a real scripted OpenAI-compatible server on 127.0.0.1, in a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class ScriptedServer:
    port: int
    log_path: Path
    process: subprocess.Popen

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def requests(self) -> list[dict]:
        return [json.loads(line) for line in self.log_path.read_text().splitlines() if line.strip()]


def start_server(tmp_path: Path, script: dict, name: str = "server") -> ScriptedServer:
    script_path = tmp_path / f"{name}-script.json"
    script_path.write_text(json.dumps(script))
    log_path = tmp_path / f"{name}-requests.jsonl"
    log_path.touch()
    process = subprocess.Popen([sys.executable, "-m", "npsolver.testserver", "--script", str(script_path),
                                "--log", str(log_path)], stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if not line.startswith("READY"):
        process.kill()
        raise RuntimeError(f"the scripted server did not start: {line!r}")
    return ScriptedServer(int(line.split()[1]), log_path, process)


def stop_server(server: ScriptedServer) -> None:
    os.kill(server.process.pid, signal.SIGTERM)
    server.process.wait(timeout=10)
    server.process.stdout.close()


@pytest.fixture
def scripted_server(tmp_path):
    """A factory: ``scripted_server(script)`` starts a server; every server is stopped by its pid afterwards."""
    started: list[ScriptedServer] = []

    def start(script: dict, name: str = "server") -> ScriptedServer:
        server = start_server(tmp_path, script, name)
        started.append(server)
        return server

    yield start
    for server in started:
        stop_server(server)
