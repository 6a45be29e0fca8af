"""API failures: one small classification, and the retry policy (jittered exponential backoff).

Error kinds (the ``code`` of an ``api_error`` record):

=============== ========================================================== =========
kind            what happened                                               retried
=============== ========================================================== =========
``rate_limit``  HTTP 429                                                    yes
``server``      HTTP 5xx, or a malformed reply from the server              yes
``timeout``     no reply within the request timeout                         yes
``connection``  the server could not be reached                             yes
``auth``        HTTP 401 / 403: a missing or wrong key                      no
``not_found``   HTTP 404: an unknown model or endpoint                      no
``context``     the prompt does not fit the model's context window          no
``client``      any other 4xx: the request itself is wrong                  no
``internal``    an unexpected exception in the adapter                      no
=============== ========================================================== =========

Retries honour a ``Retry-After`` header (seconds or an HTTP date), capped at :attr:`RetryPolicy.max_delay`.
"""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass
from typing import Any

RATE_LIMIT, SERVER, TIMEOUT, CONNECTION = "rate_limit", "server", "timeout", "connection"
AUTH, NOT_FOUND, CONTEXT, CLIENT, INTERNAL = "auth", "not_found", "context", "client", "internal"
RETRYABLE = frozenset({RATE_LIMIT, SERVER, TIMEOUT, CONNECTION})


class ApiFailure(Exception):
    """A classified failure of one request: ``kind`` (see the module table), message, Retry-After seconds."""

    def __init__(self, kind: str, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
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
    names = {cls.__name__ for cls in type(error).__mro__}
    status = _status_code(error)
    message = f"{type(error).__name__}: {error}"
    if names & {"Timeout", "APITimeoutError", "TimeoutException", "TimeoutError", "ReadTimeout"}:
        kind = TIMEOUT
    elif status == 429 or "RateLimitError" in names:
        kind = RATE_LIMIT
    elif "ContextWindowExceededError" in names:
        kind = CONTEXT
    elif status in (401, 403) or names & {"AuthenticationError", "PermissionDeniedError"}:
        kind = AUTH
    elif status == 404 or "NotFoundError" in names:
        kind = NOT_FOUND
    elif status is not None and status >= 500:
        kind = SERVER
    elif status is not None and 400 <= status < 500:
        kind = CLIENT
    elif names & {"APIConnectionError", "ConnectError", "ConnectionError", "RemoteProtocolError"}:
        kind = CONNECTION
    elif names & {"APIError", "InternalServerError", "ServiceUnavailableError", "JSONDecodeError"}:
        kind = SERVER
    else:
        kind = INTERNAL
    return ApiFailure(kind, message, _retry_after(error))


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
