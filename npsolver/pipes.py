"""Pumping a sandboxed process's pipes: code in on stdin, output kept up to a limit, the supervisor's report."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import time
from typing import BinaryIO


class Watch:
    """Feeds the code to stdin, keeps output up to the limit, and reads the supervisor's report.

    Past the output limit it closes its ends of stdout and stderr: the code's next write fails
    (EPIPE), and the supervisor's wall limit ends a program that carries on regardless.
    """

    def __init__(self, process: subprocess.Popen[bytes], code: bytes, output_bytes: int, report_pipe: BinaryIO):
        if process.stdin is None or process.stdout is None or process.stderr is None:
            raise ValueError("Watch needs a process started with stdin, stdout and stderr all subprocess.PIPE")
        self.stdin, self.stdout, self.stderr = process.stdin, process.stdout, process.stderr
        self.code, self.output_bytes, self.report_pipe = code, output_bytes, report_pipe
        self.kept = {"stdout": bytearray(), "stderr": bytearray()}
        self.sizes = {"stdout": 0, "stderr": 0}
        self.report_bytes = bytearray()
        self.overflowed = False

    def until_exit(self, deadline: float) -> bool:
        """Pump the pipes until the report, stdout and stderr have all closed; True if ``deadline`` passed first."""
        selector = selectors.DefaultSelector()
        streams = {self.stdout.fileno(): "stdout", self.stderr.fileno(): "stderr",
                   self.report_pipe.fileno(): "report"}
        for fd in (*streams, self.stdin.fileno()):
            os.set_blocking(fd, False)
        for fd in streams:
            selector.register(fd, selectors.EVENT_READ)
        stdin = self.stdin.fileno()
        selector.register(stdin, selectors.EVENT_WRITE)
        pending = memoryview(self.code)
        try:
            while any(fd in selector.get_map() for fd in streams):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return True
                for key, _ in selector.select(timeout=min(remaining, 1.0)):
                    if key.fd == stdin:
                        pending = self._feed(selector, pending)
                        continue
                    chunk = _read(key.fd)
                    if chunk is None:
                        continue
                    if not chunk:
                        selector.unregister(key.fd)
                    elif streams[key.fd] == "report":
                        self.report_bytes += chunk
                    elif self._keep(streams[key.fd], chunk):
                        self._stop_output(selector)
            return False
        finally:
            selector.close()

    def _feed(self, selector: selectors.BaseSelector, pending: memoryview) -> memoryview:
        try:
            written = os.write(self.stdin.fileno(), pending)
        except BlockingIOError:
            return pending
        except BrokenPipeError:
            written = len(pending)
        pending = pending[written:]
        if not len(pending):
            selector.unregister(self.stdin.fileno())
            self.stdin.close()
        return pending

    def _keep(self, name: str, chunk: bytes) -> bool:
        """Keep what fits under the output limit; True once a stream has produced more than the limit."""
        self.sizes[name] += len(chunk)
        room = self.output_bytes - len(self.kept[name])
        if room > 0:
            self.kept[name] += chunk[:room]
        return self.sizes[name] > self.output_bytes

    def _stop_output(self, selector: selectors.BaseSelector) -> None:
        self.overflowed = True
        for stream in (self.stdout, self.stderr):
            if stream.fileno() in selector.get_map():
                selector.unregister(stream.fileno())
            stream.close()

    def report(self) -> dict | None:
        """The supervisor's report, or None when it never wrote one (the sandbox was killed)."""
        try:
            return json.loads(bytes(self.report_bytes))
        except ValueError:
            return None

    def text(self, name: str) -> str:
        """What was kept of stream ``name``, decoded (undecodable bytes replaced)."""
        return bytes(self.kept[name]).decode("utf-8", "replace")


def _read(fd: int) -> bytes | None:
    """The next chunk of a pipe; b"" at its end, None when nothing is there yet."""
    try:
        return os.read(fd, 65536)
    except BlockingIOError:
        return None
    except OSError:
        return b""
