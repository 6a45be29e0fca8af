"""Error classification, backoff with Retry-After, and redaction of secrets."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from npsolver.errors import ApiFailure, RetryPolicy, classify, parse_retry_after
from npsolver.secrets import REDACTED, Redactor, strip_url_credentials


class FakeResponse:
    def __init__(self, status_code: int, headers: dict | None = None):
        self.status_code = status_code
        self.headers = headers or {}


def error_of(name: str, status: int | None = None, headers: dict | None = None) -> Exception:
    """An exception whose class name and response look like a provider's (classification uses only those)."""
    error = type(name, (Exception,), {})("boom")
    if status is not None:
        error.response = FakeResponse(status, headers)
    return error


@pytest.mark.parametrize("error, kind, retryable", [
    (error_of("RateLimitError", 429, {"retry-after": "3"}), "rate_limit", True),
    (error_of("InternalServerError", 500), "server", True),
    (error_of("APIStatusError", 503), "server", True),
    (error_of("Timeout"), "timeout", True),
    (error_of("APIConnectionError"), "connection", True),
    (error_of("AuthenticationError", 401), "auth", False),
    (error_of("NotFoundError", 404), "not_found", False),
    (error_of("ContextWindowExceededError", 400), "context", False),
    (error_of("BadRequestError", 400), "client", False),
    (ValueError("a bug"), "internal", False),
])
def test_classification(error, kind, retryable):
    failure = classify(error)
    assert (failure.kind, failure.retryable) == (kind, retryable)


def test_retry_after_is_honoured_and_capped():
    policy = RetryPolicy(max_attempts=5, base_delay=1.0, max_delay=30.0)
    rng = random.Random(0)
    assert classify(error_of("RateLimitError", 429, {"retry-after": "3"})).retry_after == 3.0
    assert policy.delay(1, ApiFailure("rate_limit", "", retry_after=3.0), rng) == 3.0
    assert policy.delay(1, ApiFailure("rate_limit", "", retry_after=999.0), rng) == 30.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None


@given(st.integers(1, 12), st.integers(0, 2**32))
def test_backoff_is_jittered_exponential_and_capped(attempt, seed):
    policy = RetryPolicy(base_delay=0.5, max_delay=20.0)
    delay = policy.delay(attempt, ApiFailure("server", ""), random.Random(seed))
    cap = min(20.0, 0.5 * 2 ** (attempt - 1))
    assert cap / 2 <= delay <= cap


def test_redaction_of_environment_secrets_and_key_shapes():
    redactor = Redactor.from_environment({"OPENAI_API_KEY": "abc123456789xyz", "HOME": "/root/long/path",
                                          "SHORT_TOKEN": "abc"})
    text = "key abc123456789xyz; Authorization: Bearer zzzzzzzzzzzz; sk-live-0123456789abcdef; home /root/long/path"
    clean = redactor.text(text)
    assert "abc123456789xyz" not in clean and "zzzzzzzzzzzz" not in clean and "0123456789abcdef" not in clean
    assert clean.count(REDACTED) == 3 and "/root/long/path" in clean
    assert redactor.value({"a": ["abc123456789xyz"]}) == {"a": [REDACTED]}
    assert strip_url_credentials("https://user:pw@host.example:8443/v1?key=secret") == "https://host.example:8443/v1"
