"""Tracks: the same instances asked three ways.

``plain``     one prompt, one reply (the default; runs made before tracks existed are plain)
``code``      the model may run Python in a sandbox before it answers (:func:`npsolver.episodes.code_episode`)
``feedback``  after a wrong or unparsable answer the model is told the verdict and answers again, up to
              ``turns`` replies (:func:`npsolver.episodes.feedback_episode`)

A track's settings are part of the run id (:meth:`CodeTrack.identity`, :meth:`FeedbackTrack.identity`);
the plain track adds nothing, so plain run ids are those of runs made before tracks existed. The code
track needs a sandbox (:func:`npsolver.sandbox.open_sandbox`) and refuses to run without isolation
unless the code is declared trusted (``--trust-code``).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from npgym.cliargs import positive, positive_float
from npgym.instance import UNSETTLED
from npsolver.adapters import Request
from npsolver.episodes import FENCED, TOOLS, Episode, code_episode, feedback_episode
from npsolver.sandbox import BUBBLEWRAP, TRUST_FLAG, Limits, Sandbox, SandboxUnavailable, open_sandbox

PLAIN, CODE, FEEDBACK = "plain", "code", "feedback"
TRACKS = (PLAIN, CODE, FEEDBACK)
AUTO = "auto"
PROTOCOLS = (AUTO, TOOLS, FENCED)
CODE_TRACK_VERSION = "nppc-code-1"  # the wording of the tool section and of the messages around runs
FEEDBACK_VERSION = "nppc-feedback-1"  # the wording of the feedback

_TOOL_SECTION = {
    TOOLS: "You can run Python {python} programs with the `python` tool, up to {runs} times.",
    FENCED: "You can run Python {python} programs, up to {runs} times: reply with the program in one fenced code "
            "block that starts with ```python and you get back its output in the next message.",
}
_TOOL_RULES = ("Each run starts in a fresh, empty folder, has no network, and may use {cpu} CPU seconds, "
               "{memory} MB of memory and {output} bytes of output per stream; you get back its exit status, "
               "stdout and stderr. When you are done, give your final answer as described above{fenced}.")


@dataclass(frozen=True)
class TrackOptions:
    """What the user asked for: the track and its settings (see the module docstring)."""

    track: str = PLAIN
    max_tool_calls: int = 8
    turns: int = 3
    tool_protocol: str = AUTO
    limits: Limits = field(default_factory=Limits)
    trust_code: bool = False

    def __post_init__(self) -> None:
        if self.track not in TRACKS:
            raise ValueError(f"--track {self.track!r}: choose one of {', '.join(TRACKS)}")
        if self.tool_protocol not in PROTOCOLS:
            raise ValueError(f"--tool-protocol {self.tool_protocol!r}: choose one of {', '.join(PROTOCOLS)}")
        if self.max_tool_calls < 1:
            raise ValueError(f"--max-tool-calls must be at least 1, got {self.max_tool_calls}")
        if self.turns < 1:
            raise ValueError(f"--turns must be at least 1, got {self.turns}")


@dataclass(frozen=True)
class CodeTrack:
    """The code track: the model may run Python in a sandbox before it answers."""

    sandbox: Sandbox
    protocol: str
    max_tool_calls: int
    name: str = CODE

    def identity(self) -> dict[str, Any]:
        """What of the track changes a run's records (part of the run id)."""
        described = self.sandbox.describe()
        return {"track": CODE, "track_version": CODE_TRACK_VERSION, "tool_protocol": self.protocol,
                "max_tool_calls": self.max_tool_calls, "sandbox_limits": described["limits"],
                "sandbox_python": described["python_version"]}

    def describe(self) -> dict[str, Any]:
        """The identity plus the sandbox's settings, for the run record."""
        return {**self.identity(), "sandbox": self.sandbox.describe()}

    def prompt(self, prompt: str) -> str:
        """The prompt with the tool's rules and limits added."""
        limits = self.sandbox.limits
        python = self.sandbox.describe()["python_version"]
        rules = _TOOL_RULES.format(cpu=limits.cpu_s, memory=limits.memory_bytes >> 20, output=limits.output_bytes,
                                   fenced=", without a python block" if self.protocol == FENCED else "")
        section = _TOOL_SECTION[self.protocol].format(python=python, runs=self.max_tool_calls)
        return f"{prompt}\n## Running code\n\n{section} {rules}\n"

    async def run(self, adapter, request: Request) -> Episode:
        """One episode: the model, its tool calls and their runs, until an answer."""
        return await code_episode(adapter, request, self.sandbox, self.protocol, self.max_tool_calls)


@dataclass(frozen=True)
class FeedbackTrack:
    """The feedback track: a wrong answer is told what failed and asked again, up to ``turns`` times."""

    turns: int
    name: str = FEEDBACK

    def identity(self) -> dict[str, Any]:
        """What of the track changes a run's records (part of the run id)."""
        return {"track": FEEDBACK, "track_version": FEEDBACK_VERSION, "turns": self.turns}

    def describe(self) -> dict[str, Any]:
        """The identity, for the run record."""
        return self.identity()

    def prompt(self, prompt: str) -> str:
        """The prompt unchanged: the first turn is asked as on the plain track."""
        return prompt  # the first turn is asked exactly as on the plain track

    async def run(self, adapter, request: Request) -> Episode:
        """One episode: ask, grade, give the verifier's message back, up to ``turns`` turns."""
        return await feedback_episode(adapter, request, self.turns)


Track = CodeTrack | FeedbackTrack


def prepare_track(options: TrackOptions, adapter, targets: Sequence) -> Track | None:
    """The track to run (None for plain), checked against the instances; one-line ``ValueError`` if it cannot run."""
    if options.track == PLAIN:
        return None
    if options.track == FEEDBACK:
        unkeyed = sum(1 for target in targets if target.label == UNSETTLED)
        if unkeyed:
            raise ValueError(f"the feedback track grades every reply, and {unkeyed} instances have no answer key: "
                             "pass the key file with --keys")
        return FeedbackTrack(options.turns)
    try:
        sandbox = open_sandbox(options.limits, trusted=options.trust_code)
    except SandboxUnavailable as error:
        raise ValueError(str(error)) from None
    return CodeTrack(sandbox, resolve_protocol(options.tool_protocol, adapter), options.max_tool_calls)


def resolve_protocol(protocol: str, adapter) -> str:
    """``auto``: tool calls where LiteLLM knows the model takes tools, else fenced code."""
    if protocol != AUTO:
        return protocol
    supports = getattr(adapter, "supports_tools", None)
    return TOOLS if supports and supports() else FENCED


def check_hidden(track: Track | None, paths: Sequence[str | None]) -> None:
    """Refuse a code track whose sandbox could read one of ``paths`` (the store, the test set, its key)."""
    if not isinstance(track, CodeTrack) or track.sandbox.isolation != BUBBLEWRAP:
        return  # unisolated code was declared trusted
    for path in paths:
        if path and track.sandbox.exposes(path):
            raise ValueError(f"{path} lies in a folder the code sandbox can read ({track.sandbox.isolation}); "
                             f"move it elsewhere (e.g. under your home folder)")


def add_track_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``nppc run`` options of the tracks."""
    group = parser.add_argument_group("tracks (all part of the run id, except --trust-code)")
    group.add_argument("--track", choices=TRACKS, default=PLAIN,
                       help="plain (one reply), code (the model may run Python in a sandbox first), or feedback "
                            "(told the verdict, the model answers again up to --turns times); default plain")
    group.add_argument("--max-tool-calls", type=positive, default=8, help="code track: runs per instance (8)")
    group.add_argument("--tool-protocol", choices=PROTOCOLS, default=AUTO,
                       help="code track: OpenAI-style tool calls, or fenced ```python blocks for servers without "
                            "tool calling; auto = tools where LiteLLM knows the model takes them, else fenced")
    group.add_argument("--turns", type=positive, default=3, help="feedback track: replies per instance (3)")
    group.add_argument("--tool-cpu-seconds", type=positive, default=10, help="code track: CPU seconds per run (10)")
    group.add_argument("--tool-wall-seconds", type=positive_float, default=30.0,
                       help="code track: wall seconds per run (30)")
    group.add_argument("--tool-memory-mb", type=positive, default=1024, help="code track: memory per run (1024 MB)")
    group.add_argument(TRUST_FLAG, action="store_true",
                       help="code track: where no sandbox works (bubblewrap), run the model's code without "
                            "isolation (limits and a temporary folder only); only for code you trust")


def track_options(args: argparse.Namespace) -> TrackOptions:
    """The track options the command-line arguments give."""
    limits = Limits(cpu_s=args.tool_cpu_seconds, wall_s=args.tool_wall_seconds,
                    memory_bytes=args.tool_memory_mb << 20)
    return TrackOptions(args.track, args.max_tool_calls, args.turns, args.tool_protocol, limits, args.trust_code)
