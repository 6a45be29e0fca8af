"""Model adapters: one small async interface, a typed :class:`Completion` back.

* :class:`LiteLLMAdapter`: any hosted provider string (``openai/gpt-4o``, ``anthropic/...``), or any
  OpenAI-compatible server (llama.cpp, vLLM, Ollama) through ``api_base``; LiteLLM is imported only
  here, lazily, with ``LITELLM_LOCAL_MODEL_COST_MAP=True`` unless the user set it.
* :class:`BaselineAdapter`: ``baseline/exact`` (the exact solver), ``baseline/heuristic`` and
  ``baseline/random``; no network, cost 0, and they answer in the same JSON format as a model so
  their replies go through the same extraction and grading.

Besides :meth:`Adapter.complete` (one prompt), both have ``chat(request, messages, tools, tool_choice)``
for multi-turn episodes (:mod:`npsolver.episodes`): the whole conversation so far in, one reply
back, with the model's tool calls when tools were offered.

An adapter makes one attempt per call and raises :class:`npsolver.errors.ApiFailure` on failure;
retries belong to the runner, so every adapter gets the same policy. :func:`make_adapter` picks the
adapter by model prefix from a registry (:func:`register_adapter`; ``baseline/`` is registered here),
and hands every other model string to LiteLLM.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from npgym.canonical import derive_rng
from npgym.engine import solve
from npgym.instance import Instance
from npgym.problem import SAT, UNSAT
from npgym.registry import get_problem
from npgym.solvers import stop_all_solves
from npsolver.errors import INTERNAL, SERVER, ApiFailure, Interrupted, classify
from npsolver.secrets import strip_url_credentials

BASELINE_PREFIX = "baseline/"
BASELINES = ("baseline/exact", "baseline/heuristic", "baseline/random")
LOCAL_SERVER_KEY = "sk-no-key-required"  # OpenAI-compatible local servers accept any key
#: Providers whose only credential is an API key in one environment variable: a missing one is an error.
KEY_ONLY_PROVIDERS = frozenset({"openai", "anthropic", "gemini", "mistral", "groq", "deepseek", "together_ai",
                                "fireworks_ai", "openrouter", "cohere", "xai", "perplexity", "cerebras"})
BILLED, PRICED, FREE, MISSING = "billed", "priced", "free", "missing"


@dataclass(frozen=True)
class Sampling:
    """Every sampling parameter sent to the model (None: the provider's default, not sent)."""

    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    seed: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Every sampling setting, as recorded with the run."""
        return asdict(self)

    def request_params(self) -> dict[str, Any]:
        """The settings that are set, as request parameters (unset ones are left to the server)."""
        return {name: value for name, value in asdict(self).items() if value is not None}


@dataclass(frozen=True)
class Request:
    """One call: the prompt, and the instance it asks about (baselines answer from it directly)."""

    prompt: str
    instance: Instance
    sample: int = 0


@dataclass(frozen=True)
class ToolCall:
    """A function call the model asked for: ``arguments`` is the JSON text it wrote."""

    id: str
    name: str
    arguments: str

    def to_message(self) -> dict[str, Any]:
        """The call as an OpenAI chat message's ``tool_calls`` entry."""
        return {"id": self.id, "type": "function", "function": {"name": self.name, "arguments": self.arguments}}


@dataclass(frozen=True)
class Completion:
    """A model's reply with its accounting; ``cost`` is None when unknown (``cost_source`` says why)."""

    text: str
    reasoning: str | None = None
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    reasoning_tokens: int | None = None
    cost: float | None = None
    cost_source: str = MISSING
    latency: float = 0.0
    tool_calls: tuple[ToolCall, ...] = ()


class Adapter(Protocol):
    """What the runner needs of a model: describe itself, name its key variables, prepare, complete."""

    model: str

    def describe(self) -> dict[str, Any]:
        """The adapter's settings for the run record (never a key)."""

    def credential_variables(self) -> list[str]:
        """The environment variables this adapter reads a key from (their values are redacted everywhere)."""

    def prepare(self) -> None:
        """Load what the first call needs (slow imports), before any request is timed."""

    async def complete(self, request: Request) -> Completion:
        """One attempt; raises ApiFailure on failure."""


AdapterFactory = Callable[[str, Sampling, "str | None", "str | None", float], Adapter]
_ADAPTERS: dict[str, AdapterFactory] = {}  # model prefix -> factory; the longest matching prefix wins


def register_adapter(prefix: str, factory: AdapterFactory) -> None:
    """Route model strings starting with ``prefix`` to ``factory(model, sampling, api_base, api_key_env, timeout)``."""
    _ADAPTERS[prefix] = factory


def make_adapter(model: str, sampling: Sampling, api_base: str | None = None, api_key_env: str | None = None,
                 timeout: float = 300.0) -> Adapter:
    """The adapter for a model string: a registered prefix's, else LiteLLM (see the module docstring)."""
    prefixes = sorted((p for p in _ADAPTERS if model.startswith(p)), key=len, reverse=True)
    factory = _ADAPTERS[prefixes[0]] if prefixes else LiteLLMAdapter
    return factory(model, sampling, api_base, api_key_env, timeout)


def is_baseline(model: str) -> bool:
    """Whether ``model`` names one of the built-in baselines (they are marked as such on every board)."""
    return str(model).startswith(BASELINE_PREFIX)


def _baseline(model: str, sampling: Sampling, api_base: str | None, api_key_env: str | None,
              timeout: float) -> BaselineAdapter:
    if model not in BASELINES:
        raise ValueError(f"unknown baseline {model!r}; choose one of {', '.join(BASELINES)}")
    if api_base:
        raise ValueError("baselines run locally: drop --api-base")
    return BaselineAdapter(model)


class BaselineAdapter:
    """The built-in answerers: exact solver, problem heuristic, random answer of the right shape."""

    def __init__(self, model: str):
        self.model = model
        self.kind = model[len(BASELINE_PREFIX):]
        self.interrupted = False

    def interrupt(self) -> None:
        """End the solves in progress: their tasks then have no result (and get no record)."""
        self.interrupted = True
        stop_all_solves()

    def describe(self) -> dict[str, Any]:
        """The adapter's settings for the run record: which baseline answers."""
        return {"adapter": "baseline", "baseline": self.kind}

    def credential_variables(self) -> list[str]:
        """None: a baseline needs no key."""
        return []

    def prepare(self) -> None:
        """Nothing to start: a baseline answers in process."""
        pass

    async def complete(self, request: Request) -> Completion:
        """The baseline's answer to the first turn of ``request``."""
        return await self._reply(request, turn=0)

    async def chat(self, request: Request, messages: list[dict[str, Any]], tools: list[dict] | None = None,
                   tool_choice: str | None = None) -> Completion:
        """A baseline never calls tools; on a later turn it answers afresh (a new random draw)."""
        return await self._reply(request, turn=sum(1 for message in messages if message["role"] == "assistant"))

    async def _reply(self, request: Request, turn: int) -> Completion:
        started = time.perf_counter()
        try:
            if self.kind == "exact":  # the solver can take seconds: keep the event loop free
                text = await asyncio.to_thread(self._answer, request.instance, turn)
            else:
                text = self._answer(request.instance, turn)
        except Interrupted:
            raise
        except Exception as error:  # a broken heuristic must fail one record, not the run
            raise ApiFailure(INTERNAL, f"{self.model} failed: {type(error).__name__}: {error}") from None
        return Completion(text=text, finish_reason="stop", cost=0.0, cost_source=FREE,
                          latency=time.perf_counter() - started)

    def _answer(self, instance: Instance, turn: int = 0) -> str:
        if self.kind == "exact":
            result = solve(instance)
            if result.status == SAT:
                return json.dumps({"solution": result.certificate})
            if result.status == UNSAT:
                return json.dumps({"solution": None})
            if self.interrupted:
                raise Interrupted("the run was stopped during the solve")
            return "The exact solver ran out of time on this instance."
        problem = get_problem(instance.problem)
        salt = f"baseline-{self.kind}" + (f"-turn-{turn}" if turn else "")
        rng = derive_rng(instance.id, salt)  # the seed and index may be unknown (no key)
        data = instance.data
        solution = problem.heuristic(data, rng) if self.kind == "heuristic" else problem.random_answer(data, rng)
        return json.dumps({"solution": solution})


class LiteLLMAdapter:
    """Hosted providers and OpenAI-compatible servers through ``litellm.acompletion``."""

    def __init__(self, model: str, sampling: Sampling, api_base: str | None, api_key_env: str | None,
                 timeout: float):
        self.model = model
        self.sampling = sampling
        self.api_base = api_base.rstrip("/") if api_base else None
        self.timeout = timeout
        # a served model name goes through LiteLLM's OpenAI-compatible route
        self.route = model if not self.api_base or model.startswith(("openai/", "hosted_vllm/")) else f"openai/{model}"
        self.api_key_env = api_key_env
        if api_key_env and not os.environ.get(api_key_env):
            raise ValueError(f"--api-key-env names {api_key_env}, which is not set in the environment")
        self._litellm = None

    def describe(self) -> dict[str, Any]:
        """The route, server, key variable name and timeout for the run record (never the key)."""
        return {"adapter": "litellm", "route": self.route, "api_base": strip_url_credentials(self.api_base),
                "api_key_env": self.api_key_env, "timeout_s": self.timeout}

    def credential_variables(self) -> list[str]:
        """The environment variables a key may come from, so the redactor knows their values."""
        if self.api_key_env:
            return [self.api_key_env]
        return ["OPENAI_API_KEY"] if self.api_base else []  # providers' own variables match the secret names

    def _api_key(self) -> str | None:
        if self.api_key_env:
            return os.environ[self.api_key_env]
        if self.api_base:
            return os.environ.get("OPENAI_API_KEY") or LOCAL_SERVER_KEY
        return None  # LiteLLM reads the provider's own variable

    def supports_tools(self) -> bool:
        """Whether LiteLLM knows this model to take OpenAI-style tools (a served model: not known, False)."""
        if self.api_base:
            return False
        try:
            return bool(self._client().supports_function_calling(model=self.route))
        except Exception:  # noqa: BLE001 - an unmapped model raises
            return False

    def prepare(self) -> None:
        """Import LiteLLM; for a hosted model, check its provider is known and its key is set (one-line errors)."""
        litellm = self._client()
        if self.api_base:
            return
        try:
            _, provider, _, _ = litellm.get_llm_provider(self.route)
        except Exception:  # noqa: BLE001 - LiteLLM raises BadRequestError for an unknown provider
            raise ValueError(f"--model {self.model}: LiteLLM knows no provider for it; write provider/model "
                             "(e.g. openai/gpt-4o-mini, anthropic/claude-3-5-haiku-latest), or give --api-base for "
                             "a served model") from None
        missing = litellm.validate_environment(model=self.route).get("missing_keys") or []
        if missing and provider in KEY_ONLY_PROVIDERS:
            raise ValueError(f"--model {self.model} needs {' and '.join(missing)} in the environment, and it is not "
                             "set: export it (keys are read from the environment only and never stored)")
        if missing:
            print(f"warning: {self.model} may need {', '.join(missing)} in the environment", file=sys.stderr)

    def _client(self):
        if self._litellm is None:
            os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
            import litellm

            litellm.suppress_debug_info = True
            self._litellm = litellm
        return self._litellm

    async def complete(self, request: Request) -> Completion:
        """One chat completion of the prompt as a single user message."""
        return await self.chat(request, [{"role": "user", "content": request.prompt}])

    async def chat(self, request: Request, messages: list[dict[str, Any]], tools: list[dict] | None = None,
                   tool_choice: str | None = None) -> Completion:
        """One chat completion of ``messages`` (with ``tools`` offered, if any) through LiteLLM."""
        litellm = self._client()
        params = dict(model=self.route, messages=messages, timeout=self.timeout, num_retries=0, max_retries=0,
                      drop_params=True, **self.sampling.request_params())
        if tools:
            params["tools"] = tools
            if tool_choice:
                params["tool_choice"] = tool_choice
        if self.api_base:
            params["api_base"] = self.api_base
        key = self._api_key()
        if key:
            params["api_key"] = key
        started = time.perf_counter()
        try:
            response = await litellm.acompletion(**params)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            raise classify(error) from None
        return parse_response(response, time.perf_counter() - started)


def parse_response(response: Any, latency: float) -> Completion:
    """A LiteLLM ``ModelResponse`` as a :class:`Completion`."""
    choices = getattr(response, "choices", None) or []
    if not choices:
        raise ApiFailure(SERVER, "the reply has no choices")
    message = choices[0].message
    usage = getattr(response, "usage", None)
    details = getattr(usage, "completion_tokens_details", None)
    cost, source = _cost(response, usage)
    return Completion(
        text=message.content or "",
        reasoning=getattr(message, "reasoning_content", None) or None,
        finish_reason=choices[0].finish_reason,
        prompt_tokens=getattr(usage, "prompt_tokens", None),
        completion_tokens=getattr(usage, "completion_tokens", None),
        reasoning_tokens=getattr(details, "reasoning_tokens", None),
        cost=cost, cost_source=source, latency=latency, tool_calls=_tool_calls(message))


def _tool_calls(message: Any) -> tuple[ToolCall, ...]:
    calls = []
    for number, call in enumerate(getattr(message, "tool_calls", None) or []):
        function = getattr(call, "function", None)
        arguments = getattr(function, "arguments", None)
        calls.append(ToolCall(str(getattr(call, "id", None) or f"call-{number}"), str(getattr(function, "name", "")),
                              arguments if isinstance(arguments, str) else json.dumps(arguments)))
    return tuple(calls)


def _cost(response: Any, usage: Any) -> tuple[float | None, str]:
    billed = getattr(usage, "cost", None)
    if isinstance(billed, (int, float)) and not isinstance(billed, bool):
        return float(billed), BILLED
    hidden = getattr(response, "_hidden_params", None) or {}
    priced = hidden.get("response_cost") if isinstance(hidden, dict) else None
    if isinstance(priced, (int, float)) and not isinstance(priced, bool):
        return float(priced), PRICED
    return None, MISSING


register_adapter(BASELINE_PREFIX, _baseline)
