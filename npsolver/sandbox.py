"""Run untrusted Python code (a model's tool call) in a sandbox, with hard limits, and say what happened.

Isolation is bubblewrap (``bwrap``, Debian's ``bubblewrap`` package), which builds the sandbox from
Linux namespaces:

* **no network**: a network namespace of its own, with nothing but its own loopback;
* **no files of the host**: a mount namespace whose root is read-only and holds only ``/usr`` (read
  only; ``/lib``, ``/lib64`` and ``/bin`` as the merged-usr links), a fresh ``/proc`` of its own pid
  namespace, a minimal read-only ``/dev``, and the working folder ``/work``: a fresh tmpfs of at most
  :attr:`Limits.disk_bytes` (``/tmp`` points to it). No ``/etc``, no home folder, no store, no answer
  key. An interpreter outside ``/usr`` has its installation folder added, read only;
* **no secrets**: the environment is empty but for ``PATH``, ``HOME``, ``TMPDIR`` and ``LANG``, and
  no host process is visible (pid namespace);
* **limits**: CPU seconds, address space, open files, file size and processes (``RLIMIT_NPROC``) are
  set inside the sandbox just before the code starts. ``RLIMIT_NPROC`` counts per user namespace, so
  each sandbox gets its own process budget; it is not enforced for uid 0, so when nppc runs as root
  the sandbox runs as ``nobody``. Wall time and output size are watched from outside: when one is
  exceeded the whole sandbox is killed (SIGKILL to bwrap's process group; ``--die-with-parent`` and the
  end of the pid namespace take every process inside with it).

Where bubblewrap is missing or cannot create namespaces, :func:`open_sandbox` refuses unless the
caller says the code is trusted (``--trust-code``): the code then runs as a plain process with the
same limits, an empty environment and a temporary working folder, but no isolation.

Every call starts in an empty folder: nothing persists between calls. The code is written to
``main.py`` in that folder and run with ``python -I``.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from npsolver.pipes import Watch

BUBBLEWRAP, UNISOLATED = "bubblewrap", "none"
CPU, WALL, OUTPUT = "cpu", "wall", "output"
TRUST_FLAG = "--trust-code"
NOBODY = 65534
WORK = "/work"
MAX_CODE_BYTES = 200_000
BACKSTOP_S = 5.0  # past the wall limit, the host kills a sandbox whose supervisor did not end it

# The supervisor, first inside the sandbox: it writes the code from stdin to main.py, runs it as a child in a
# process group of its own with the limits set, kills that group at the wall limit, and reports the child's wait
# status and CPU time on a pipe the child closed before it started (so the code cannot forge the report).
_SUPERVISOR = """
import json, os, resource, signal, sys, time
settings = json.loads(sys.argv[1])
code = sys.stdin.buffer.read()
with open("main.py", "wb") as handle:
    handle.write(code)
null = os.open(os.devnull, os.O_RDONLY)
os.dup2(null, 0)
os.close(null)
report = settings["report_fd"]
child = os.fork()
if child == 0:
    os.close(report)
    os.setpgid(0, 0)
    for name, soft, hard in settings["rlimits"]:
        resource.setrlimit(getattr(resource, name), (soft, hard))
    os.execv(sys.executable, [sys.executable, "-I", "main.py"])
timed_out = []
def stop(signum, frame):
    timed_out.append(True)
    os.killpg(child, signal.SIGKILL)
signal.signal(signal.SIGALRM, stop)
signal.setitimer(signal.ITIMER_REAL, settings["wall_s"])
_, status, usage = os.wait4(child, 0)
signal.setitimer(signal.ITIMER_REAL, 0)
try:
    os.killpg(child, signal.SIGKILL)
except OSError:
    pass
os.write(report, json.dumps({"status": status, "cpu_s": usage.ru_utime + usage.ru_stime,
                             "wall": bool(timed_out)}).encode())
"""


class SandboxUnavailable(RuntimeError):
    """No isolation could be set up, and the code was not declared trusted."""


@dataclass(frozen=True)
class Limits:
    """What one run of code may use; exceeding any of them ends it."""

    cpu_s: int = 10
    wall_s: float = 30.0
    memory_bytes: int = 1 << 30  # address space
    processes: int = 32
    output_bytes: int = 16_000  # per stream; more ends the program
    disk_bytes: int = 32 << 20  # the working folder (a tmpfs of this size; per file when unisolated)
    open_files: int = 256

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if value <= 0:
                raise ValueError(f"sandbox limit {name} must be positive, got {value}")

    def to_dict(self) -> dict[str, float]:
        """The limits by name, as recorded with the run."""
        return asdict(self)

    def rlimits(self) -> list[tuple[str, int, int]]:
        """(name, soft, hard) for the bootstrap; SIGXCPU at the soft CPU limit, SIGKILL a second later."""
        return [("RLIMIT_CPU", self.cpu_s, self.cpu_s + 1), ("RLIMIT_AS", self.memory_bytes, self.memory_bytes),
                ("RLIMIT_NPROC", self.processes, self.processes), ("RLIMIT_FSIZE", self.disk_bytes, self.disk_bytes),
                ("RLIMIT_NOFILE", self.open_files, self.open_files), ("RLIMIT_CORE", 0, 0)]


@dataclass(frozen=True)
class Execution:
    """What became of one run of code.

    ``exit_code`` follows the shell: 0..127 the program's own status, 128+N killed by signal N
    (SIGXCPU: the CPU limit; SIGKILL: a limit or the watchdog). ``limit`` names the limit that ended
    it (``cpu``, ``wall``, ``output``), None otherwise (memory shows as a MemoryError in stderr).
    ``cpu_s`` counts the processes that were reaped; ``stdout`` / ``stderr`` hold at most
    ``output_bytes`` each (decoded as UTF-8, bad bytes replaced).
    """

    exit_code: int
    limit: str | None
    stdout: str
    stderr: str
    stdout_bytes: int
    stderr_bytes: int
    cpu_s: float | None
    wall_s: float
    isolation: str

    @property
    def ok(self) -> bool:
        """Whether the code exited with 0 within every limit."""
        return self.exit_code == 0 and self.limit is None

    def report(self, max_chars: int | None = None) -> str:
        """The result as the model sees it: status line, then stdout and stderr (each truncated)."""
        status = f"exit status {self.exit_code}"
        if self.limit:
            status += f" (stopped: {self.limit} limit)"
        parts = [status]
        streams = (("stdout", self.stdout, self.stdout_bytes), ("stderr", self.stderr, self.stderr_bytes))
        for name, text, size in streams:
            if not text:
                continue
            if max_chars is not None and len(text) > max_chars:
                text = text[:max_chars]
            kept = len(text.encode("utf-8", "replace"))
            more = f"\n[... {size - kept} more bytes not shown]" if size > kept else ""
            parts.append(f"{name}:\n{text}{more}")
        return "\n".join(parts)


@dataclass(frozen=True)
class Sandbox:
    """Runs code under :class:`Limits`, isolated by bubblewrap or (trusted code only) not isolated."""

    limits: Limits
    isolation: str
    python: str
    bwrap: str | None = None

    def describe(self) -> dict[str, object]:
        """The isolation, interpreter and limits, as recorded with the run."""
        return {"isolation": self.isolation, "python": self.python, "python_version": python_version(self.python),
                "limits": self.limits.to_dict()}

    def visible_paths(self) -> list[Path]:
        """Host folders the code can read (everything else of the host is invisible to it)."""
        if self.isolation != BUBBLEWRAP:
            return [Path("/")]
        paths = [Path("/usr")]
        prefix = interpreter_prefix(self.python)
        if not _within(prefix, Path("/usr")):
            paths.append(prefix)
        return paths

    def exposes(self, path: str | Path) -> bool:
        """Whether the code could read ``path``."""
        target = Path(path).resolve()
        return any(_within(target, visible.resolve()) for visible in self.visible_paths())

    def run(self, code: str) -> Execution:
        """Run ``code`` once in a fresh empty folder; blocks until it ends or a limit ends it."""
        data = code.encode("utf-8", "replace")
        if len(data) > MAX_CODE_BYTES:
            return Execution(2, None, "", f"code too long: {len(data)} bytes (at most {MAX_CODE_BYTES})", 0,
                             0, 0.0, 0.0, self.isolation)
        if self.isolation == BUBBLEWRAP:
            return self._run(self._bwrap_command, data, cwd="/", home=WORK)
        folder = tempfile.mkdtemp(prefix="nppc-code-")
        try:
            return self._run(self._supervisor_command, data, cwd=folder, home=folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _supervisor_command(self, report_fd: int) -> list[str]:
        settings = {"report_fd": report_fd, "wall_s": self.limits.wall_s, "rlimits": self.limits.rlimits()}
        return [self.python, "-I", "-S", "-c", _SUPERVISOR, json.dumps(settings)]

    def _bwrap_command(self, report_fd: int) -> list[str]:
        if self.bwrap is None:
            raise SandboxUnavailable("bubblewrap isolation was chosen without the path of bwrap")
        command = [self.bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
                   "--new-session", "--ro-bind", "/usr", "/usr"]
        for link in ("lib", "lib64", "bin", "sbin"):
            host = Path("/") / link
            if host.is_symlink():
                command += ["--symlink", os.readlink(host), str(host)]
            elif host.is_dir():
                command += ["--ro-bind", str(host), str(host)]
        prefix = interpreter_prefix(self.python)
        if not _within(prefix, Path("/usr")):
            command += ["--ro-bind", str(prefix), str(prefix)]
        command += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev",
                    "--size", str(self.limits.disk_bytes), "--tmpfs", WORK, "--symlink", WORK, "/tmp",
                    "--chdir", WORK, "--remount-ro", "/", "--clearenv"]
        for name, value in sandbox_environment(WORK).items():
            command += ["--setenv", name, value]
        return command + ["--", *self._supervisor_command(report_fd)]

    def _run(self, command_for: Callable[[int], list[str]], code: bytes, cwd: str, home: str) -> Execution:
        started = time.monotonic()
        # RLIMIT_NPROC does not bind uid 0: as root, bubblewrap and the code run as nobody
        drop = os.geteuid() == 0 and self.isolation == BUBBLEWRAP
        report_read, report_write = os.pipe()
        try:
            process = subprocess.Popen(command_for(report_write), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, cwd=cwd, env=sandbox_environment(home),
                                       start_new_session=True, pass_fds=[report_write],
                                       user=NOBODY if drop else None, group=NOBODY if drop else None,
                                       extra_groups=[] if drop else None)
        finally:
            os.close(report_write)
        with os.fdopen(report_read, "rb") as report_pipe:
            watch = Watch(process, code, self.limits.output_bytes, report_pipe)
            # the supervisor enforces the wall limit; this deadline only catches a sandbox that ignores it
            backstop = watch.until_exit(started + self.limits.wall_s + BACKSTOP_S)
            if backstop:
                _kill_group(process)
            _, status = os.waitpid(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
            report = watch.report()
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream and not stream.closed:
                stream.close()
        return self._execution(report, process.returncode, watch, backstop, time.monotonic() - started)

    def _execution(self, report: dict | None, returncode: int, watch: Watch, backstop: bool,
                   wall: float) -> Execution:
        """The outcome from the supervisor's report; without one (the sandbox failed to start, or was
        killed), from the exit of the sandbox process itself."""
        if report is None:
            exit_code, cpu, limit = _shell_status(returncode), None, WALL if backstop else None
        else:
            exit_code = _shell_status(os.waitstatus_to_exitcode(report["status"]))
            cpu = round(report["cpu_s"], 4)
            limit = WALL if report["wall"] else None
            if limit is None and (exit_code == 128 + signal.SIGXCPU
                                  or exit_code == 128 + signal.SIGKILL and cpu >= self.limits.cpu_s):
                limit = CPU
        if watch.overflowed:
            limit = OUTPUT
        return Execution(exit_code, limit, watch.text("stdout"), watch.text("stderr"), watch.sizes["stdout"],
                         watch.sizes["stderr"], cpu, round(wall, 4), self.isolation)

    def check(self) -> str | None:
        """Why this sandbox cannot run code, or None when a trial run prints what it should."""
        try:
            result = self.run("print(6 * 7)")
        except OSError as error:
            return f"{type(error).__name__}: {error}"
        if result.exit_code != 0 or result.stdout.strip() != "42":
            detail = " ".join((result.stderr or result.stdout).split())[:300]
            return f"a trial run ended with exit status {result.exit_code}: {detail or 'no output'}"
        return None


def _shell_status(returncode: int) -> int:
    """A Popen return code as the shell shows it: killed by signal N is 128 + N."""
    return returncode if returncode >= 0 else 128 - returncode


def _kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the sandbox's process group (bwrap and whatever did not leave it)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def sandbox_environment(home: str) -> dict[str, str]:
    """The whole environment of sandboxed code: nothing from the runner's."""
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "TMPDIR": home, "LANG": "C.UTF-8"}


def interpreter_prefix(python: str) -> Path:
    """The installation folder of an interpreter (``.../bin/python3`` -> ``...``)."""
    return Path(python).resolve().parent.parent


@functools.cache
def python_version(python: str) -> str:
    """``major.minor`` of an interpreter (asked once)."""
    if Path(python).resolve() == Path(sys.executable).resolve():
        return f"{sys.version_info.major}.{sys.version_info.minor}"
    result = subprocess.run([python, "-I", "-S", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                            capture_output=True, text=True, timeout=30, env=sandbox_environment("/"))
    return result.stdout.strip() or "unknown"


def default_python() -> str:
    """The interpreter for sandboxed code: the system's (under /usr, readable by ``nobody``), else this one."""
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if os.access(candidate, os.X_OK):
            return candidate
    return sys.executable


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def open_sandbox(limits: Limits | None = None, trusted: bool = False, python: str | None = None) -> Sandbox:
    """A working sandbox: bubblewrap if it runs here; else, with ``trusted``, unisolated; else an error.

    The error is one line that says why there is no isolation and names :data:`TRUST_FLAG`.
    """
    limits = limits or Limits()
    python = python or default_python()
    bwrap = shutil.which("bwrap")
    if bwrap:
        sandbox = Sandbox(limits, BUBBLEWRAP, python, bwrap)
        problem = sandbox.check()
        if problem is None:
            return sandbox
        reason = f"bubblewrap cannot run code here ({problem})"
    else:
        reason = "bubblewrap (bwrap) is not installed (Debian: apt-get install bubblewrap)"
    if not trusted:
        raise SandboxUnavailable(f"the code track needs a sandbox, and {reason}; fix that, or pass {TRUST_FLAG} "
                                 "to run model code without isolation")
    sandbox = Sandbox(limits, UNISOLATED, sys.executable)
    problem = sandbox.check()
    if problem:
        raise SandboxUnavailable(f"model code cannot run even without isolation: {problem}")
    return sandbox

