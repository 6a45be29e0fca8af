"""API failures: one small classification, and the retry policy (jittered exponential backoff).

Error kinds (the ``code`` of an ``api_error`` record):

=============== ========================================================== =========
kind            what happened                                               retried
=============== ========================================================== =========
``rate_limit``  HTTP 429                                                    yes
``server``      HTTP 5xx, or a malformed reply from the server              yes
``timeout``     no reply within the request timeout                         yes
``connection``  the server could not be reached                             yes
``auth``        HTTP 401 / 403, or no key at all: a missing or wrong key    no, stops the run
``not_found``   HTTP 404: an unknown model or endpoint                      no, stops the run
``context``     the prompt does not fit the model's context window          no
``client``      any other 4xx: the request itself is wrong                  no
``internal``    an unexpected exception in the adapter                      no
=============== ========================================================== =========

LiteLLM wraps what went wrong (a refused connection, a reset, no network, a missing key) in an
``InternalServerError`` with a made-up status 500, so the kind is read from the whole chain of causes
first, and from the status code only when nothing in the chain says more.

Retries honour a ``Retry-After`` header (seconds or an HTTP date), capped at :attr:`RetryPolicy.max_delay`.
"""

from __future__ import annotations

import email.utils
import random
import re
import time
from dataclasses import dataclass
from typing import Any

RATE_LIMIT, SERVER, TIMEOUT, CONNECTION = "rate_limit", "server", "timeout", "connection"
AUTH, NOT_FOUND, CONTEXT, CLIENT, INTERNAL = "auth", "not_found", "context", "client", "internal"
RETRYABLE = frozenset({RATE_LIMIT, SERVER, TIMEOUT, CONNECTION})
RUN_WIDE = frozenset({AUTH, NOT_FOUND})  # every other request would fail the same way: stop the run

_TIMEOUTS = {"Timeout", "APITimeoutError", "TimeoutException", "TimeoutError", "ReadTimeout", "ConnectTimeout",
             "PoolTimeout", "WriteTimeout", "ServerTimeoutError"}
_CONNECTION = {"APIConnectionError", "ConnectError", "ConnectionError", "RemoteProtocolError", "ReadError",
               "ConnectionRefusedError", "ConnectionResetError", "ConnectionAbortedError", "BrokenPipeError",
               "ClientConnectorError", "ClientConnectionError", "ServerDisconnectedError", "ClientOSError",
               "gaierror", "NetworkError"}
_NO_KEY = re.compile(r"missing credentials|api_key client option must be set|no api key|api key (?:is )?(?:missing"
                     r"|not (?:set|provided|found))|missing \w+ api key", re.IGNORECASE)
_CONTEXT = re.compile(r"context (?:length|window|size)|maximum context|too many tokens|exceeds? the (?:available )?"
                      r"context|prompt is too long", re.IGNORECASE)
_NO_PROVIDER = re.compile(r"LLM Provider NOT provided", re.IGNORECASE)


class Interrupted(Exception):
    """A request ended because the run was stopped (a signal): it has no final result and no record."""


class ApiFailure(Exception):
    """A classified failure of one request: ``kind`` (see the module table), message, Retry-After seconds."""

    def __init__(self, kind: str, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """Whether asking again may succeed (rate limits, server errors, timeouts, lost connections)."""
        return self.kind in RETRYABLE


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts per request and the backoff between them (full jitter: a uniform draw up to the cap)."""

    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0

    def delay(self, attempt: int, failure: ApiFailure, rng: random.Random) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        if failure.retry_after is not None:
            return min(max(failure.retry_after, 0.0), self.max_delay)
        cap = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return rng.uniform(cap / 2, cap)


def classify(error: BaseException) -> ApiFailure:
    """Map a LiteLLM / OpenAI / httpx exception onto an :class:`ApiFailure` (no import of those packages)."""
    if isinstance(error, ApiFailure):
        return error
    chain = _causes(error)
    names = {cls.__name__ for link in chain for cls in type(link).__mro__}
    status = _status_code(error)
    text = " ".join(str(link) for link in chain)
    message = f"{type(error).__name__}: {error}"
    if names & _TIMEOUTS:
        kind = TIMEOUT
    elif status == 429 or "RateLimitError" in names:
        kind = RATE_LIMIT
    elif "ContextWindowExceededError" in names or (status in (400, 413, 422) and _CONTEXT.search(text)):
        kind = CONTEXT
    elif status in (401, 403) or names & {"AuthenticationError", "PermissionDeniedError"} or _NO_KEY.search(text):
        kind = AUTH
    elif status == 404 or "NotFoundError" in names or _NO_PROVIDER.search(text):
        kind = NOT_FOUND
    elif names & _CONNECTION:
        kind = CONNECTION
    elif status is not None and status >= 500:
        kind = SERVER
    elif status is not None and 400 <= status < 500:
        kind = CLIENT
    elif names & {"APIError", "InternalServerError", "ServiceUnavailableError", "JSONDecodeError"}:
        kind = SERVER
    else:
        kind = INTERNAL
    return ApiFailure(kind, message, _retry_after(error))


def _causes(error: BaseException) -> list[BaseException]:
    """``error`` and the exceptions it was raised from or during, outermost first."""
    chain: list[BaseException] = []
    link: BaseException | None = error
    while link is not None and all(link is not seen for seen in chain) and len(chain) < 20:
        chain.append(link)
        link = link.__cause__ or link.__context__
    return chain


def _status_code(error: BaseException) -> int | None:
    for holder in (error, getattr(error, "response", None)):
        status = getattr(holder, "status_code", None)
        if isinstance(status, int):
            return status
    return None


def _retry_after(error: BaseException) -> float | None:
    for headers in _header_sources(error):
        try:
            value = headers.get("retry-after") or headers.get("Retry-After")
        except AttributeError:
            continue
        if value is not None:
            return parse_retry_after(str(value))
    return None


def _header_sources(error: BaseException) -> list[Any]:
    sources = [getattr(error, "headers", None), getattr(error, "litellm_response_headers", None)]
    response = getattr(error, "response", None)
    sources.append(getattr(response, "headers", None))
    return [source for source in sources if source]


def parse_retry_after(value: str, now: float | None = None) -> float | None:
    """Seconds from a Retry-After value: a number of seconds or an HTTP date; None if unreadable."""
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)
