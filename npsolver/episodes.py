"""Multi-turn episodes: a model that runs code before it answers, and a model that answers again after feedback.

An episode is one task of a run on the code or feedback track. It ends with one final reply, which
the runner grades like any other; everything before it is kept as turns (:class:`TurnRecord`) and
written with the record in one transaction. An API failure anywhere fails the whole episode, which is
then retried from the start like any failed request.

**Code** (:func:`code_episode`): the model may run Python up to ``max_tool_calls`` times, through
OpenAI-style tool calls (``tools``) or, for servers without tool calling, by replying with a fenced
```` ```python ```` block (``fenced``). Each run goes through the :class:`~npsolver.sandbox.Sandbox`;
its exit status and (truncated) output go back to the model. The first reply without a run, or the
reply after the last allowed run, is the final answer. Only the model's own words are graded: an
answer its code printed counts once the model writes it in its reply.

**Feedback** (:func:`feedback_episode`): after a wrong or unparsable answer the model is told the
verdict code and message and answers again, up to ``turns`` replies. The feedback depends on the
answer and the instance's data only, never on the answer key (:func:`feedback_text`).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from npgym.verdict import WRONG_CLAIM
from npsolver.adapters import MISSING, Completion, Request
from npsolver.grading import Outcome, grade_reply
from npsolver.records import Status, TurnRecord
from npsolver.sandbox import Execution, Sandbox

TOOLS, FENCED = "tools", "fenced"
PYTHON_TOOL = {"type": "function", "function": {
    "name": "python",
    "description": "Run a Python program and get back its exit status, stdout and stderr. Each run starts in a "
                   "fresh, empty folder without network access.",
    "parameters": {"type": "object", "properties": {"code": {"type": "string", "description": "the whole program"}},
                   "required": ["code"]}}}
_PYTHON_FENCE = re.compile(r"```[ \t]*(?:python3?|py)[ \t]*\n(.*?)```", re.DOTALL | re.IGNORECASE)
WRONG_CLAIM_MESSAGE = "the claim that no solution exists is wrong"
FEEDBACK = ("Your answer was checked and is not accepted.\nVerdict: {code}: {message}\n"
            "Try again: end your reply with the JSON answer object on its own line, in the format given above.")


@dataclass
class Episode:
    """The replies, code runs and messages of one episode, and its final reply."""

    grading_prompt: str  # what the final reply answers: copies of it are not the model's words
    steps: list[dict[str, Any]] = field(default_factory=list)
    replies: list[Completion] = field(default_factory=list)
    runs: list[Execution] = field(default_factory=list)
    tool_calls: int = 0

    @property
    def final(self) -> Completion:
        """The last reply, with tokens, cost and model latency summed over every reply."""
        last = self.replies[-1]
        costs = [reply.cost for reply in self.replies if reply.cost is not None]
        sources = {reply.cost_source for reply in self.replies}
        return replace(last, prompt_tokens=_total(r.prompt_tokens for r in self.replies),
                       completion_tokens=_total(r.completion_tokens for r in self.replies),
                       reasoning_tokens=_total(r.reasoning_tokens for r in self.replies),
                       cost=sum(costs) if len(costs) == len(self.replies) else None,
                       cost_source=sources.pop() if len(sources) == 1 else MISSING,
                       latency=sum(reply.latency for reply in self.replies))

    def record_fields(self, track: str) -> dict[str, Any]:
        """The episode's fields of the run record: track, turns and tool use."""
        cpu = [run.cpu_s for run in self.runs if run.cpu_s is not None]
        return {"track": track, "turns": len(self.replies), "tool_calls": self.tool_calls,
                "tool_cpu_s": round(sum(cpu), 4) if len(cpu) == len(self.runs) else None,
                "tool_wall_s": round(sum(run.wall_s for run in self.runs), 4)}

    def reply(self, completion: Completion, outcome: Outcome | None = None) -> None:
        """Add a model reply (and the outcome of grading it, on the feedback track)."""
        self.replies.append(completion)
        self.steps.append({
            "role": "assistant", "content": completion.text, "reasoning_text": completion.reasoning,
            "tool_calls_json": json.dumps([call.to_message()["function"] | {"id": call.id}
                                           for call in completion.tool_calls]) if completion.tool_calls else None,
            "finish_reason": completion.finish_reason, "prompt_tokens": completion.prompt_tokens,
            "completion_tokens": completion.completion_tokens, "reasoning_tokens": completion.reasoning_tokens,
            "latency_s": round(completion.latency, 6),
            **({"status": outcome.status.value, "correct": outcome.correct, "verdict_code": outcome.code}
               if outcome else {})})

    def ran(self, code: str, run: Execution, shown: str, call_id: str | None, role: str) -> None:
        """Add a run of the model's code and what the model was shown of it."""
        self.runs.append(run)
        self.steps.append({"role": role, "content": shown, "tool_call_id": call_id, "code": code,
                           "stdout": run.stdout, "stderr": run.stderr, "exit_code": run.exit_code,
                           "limit_hit": run.limit, "cpu_s": run.cpu_s, "wall_s": run.wall_s})

    def said(self, role: str, content: str, call_id: str | None = None) -> None:
        """Add a message to the model (a tool result or feedback)."""
        self.steps.append({"role": role, "content": content, "tool_call_id": call_id})

    def turn_records(self, run_id: str, instance_id: str, sample: int,
                     clean: Callable[[str | None], str | None]) -> list[TurnRecord]:
        """The steps as rows of the ``turns`` table; every text passes through ``clean`` (the redactor)."""
        rows, turn = [], 0
        for step_number, step in enumerate(self.steps):
            turn += step["role"] == "assistant"
            texts = {name: clean(step.get(name)) for name in ("content", "reasoning_text", "code", "stdout",
                                                              "stderr", "tool_calls_json")}
            rows.append(TurnRecord(run_id, instance_id, sample, step_number, max(turn, 1), **{**step, **texts}))
        return rows


def _total(values) -> int | None:
    known = [value for value in values if value is not None]
    return sum(known) if known else None


async def code_episode(adapter, request: Request, sandbox: Sandbox, protocol: str, max_tool_calls: int) -> Episode:
    """The model runs code (at most ``max_tool_calls`` times) and then answers; see the module docstring."""
    episode = Episode(request.prompt)
    messages: list[dict[str, Any]] = [{"role": "user", "content": request.prompt}]
    while True:
        spent = episode.tool_calls >= max_tool_calls
        if protocol == TOOLS:
            reply = await adapter.chat(request, messages, [PYTHON_TOOL], "none" if spent else None)
            episode.reply(reply)
            if spent or not reply.tool_calls:
                return episode
            await _run_tool_calls(episode, messages, reply, sandbox, max_tool_calls)
        else:
            reply = await adapter.chat(request, messages)
            episode.reply(reply)
            blocks = _PYTHON_FENCE.findall(reply.text or "")
            if spent or not blocks:
                return episode
            code = blocks[-1]
            episode.tool_calls += 1
            run = await asyncio.to_thread(sandbox.run, code)
            shown = f"Output of your program:\n{run.report()}\n{_runs_left(episode, max_tool_calls)}"
            messages += [{"role": "assistant", "content": reply.text}, {"role": "user", "content": shown}]
            episode.ran(code, run, shown, None, "user")


async def _run_tool_calls(episode: Episode, messages: list[dict[str, Any]], reply: Completion, sandbox: Sandbox,
                          max_tool_calls: int) -> None:
    """Run each call of ``reply`` (every call counts, runnable or not) and answer each in ``messages``."""
    messages.append({"role": "assistant", "content": reply.text or None,
                     "tool_calls": [call.to_message() for call in reply.tool_calls]})
    for call in reply.tool_calls:
        if episode.tool_calls >= max_tool_calls:
            shown = f"not run: all {max_tool_calls} runs are used"
            episode.said("tool", shown, call.id)
        else:
            episode.tool_calls += 1
            code, problem = _tool_code(call.name, call.arguments)
            if problem:
                episode.said("tool", problem, call.id)
                shown = problem
            else:
                run = await asyncio.to_thread(sandbox.run, code)
                shown = run.report()
                episode.ran(code, run, shown, call.id, "tool")
        messages.append({"role": "tool", "tool_call_id": call.id, "content": shown})
    if episode.tool_calls >= max_tool_calls:
        note = _runs_left(episode, max_tool_calls)
        messages.append({"role": "user", "content": note})
        episode.said("user", note)


def _tool_code(name: str, arguments: str) -> tuple[str, str | None]:
    """The program of a tool call, or why it cannot run."""
    if name != "python":
        return "", f"unknown tool {name!r}: the only tool is python"
    try:
        value = json.loads(arguments or "")
    except ValueError:
        value = None
    if not isinstance(value, dict) or not isinstance(value.get("code"), str):
        return "", "not run: the python tool takes a JSON object whose code field is the program text"
    return value["code"], None


def _runs_left(episode: Episode, max_tool_calls: int) -> str:
    left = max_tool_calls - episode.tool_calls
    if left > 0:
        return f"You may run code {left} more time{'s' if left > 1 else ''}."
    return "You have used every code run: give your final answer now, as described above."


async def feedback_episode(adapter, request: Request, turns: int) -> Episode:
    """The model answers up to ``turns`` times, told after each rejected answer what is wrong with it."""
    episode = Episode(request.prompt)
    messages: list[dict[str, Any]] = [{"role": "user", "content": request.prompt}]
    for turn in range(1, turns + 1):
        reply = await adapter.chat(request, messages)
        outcome = grade_reply(request.instance, reply.text, reply.reasoning, reply.finish_reason,
                              episode.grading_prompt)
        episode.reply(reply, outcome)
        if outcome.correct or outcome.status == Status.VERIFIER_ERROR or turn == turns:
            return episode
        feedback = feedback_text(outcome)
        messages += [{"role": "assistant", "content": reply.text}, {"role": "user", "content": feedback}]
        episode.said("user", feedback)
        episode.grading_prompt += "\n" + feedback
    return episode


def feedback_text(outcome: Outcome) -> str:
    """What the model is told about a rejected answer: its verdict code and the verifier's message.

    A verifier checks an answer against the instance's data only, so its message cannot carry the
    answer key; the one verdict that looks at the key, a wrong "no solution" claim, is told only
    that the claim is wrong.
    """
    message = WRONG_CLAIM_MESSAGE if outcome.code == WRONG_CLAIM else outcome.message
    return FEEDBACK.format(code=outcome.code, message=" ".join((message or "").split()))
