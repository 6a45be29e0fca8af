"""Keeping API keys out of everything the runner writes: the store, logs, exports and error messages.

Keys are only ever read from the environment. :class:`Redactor` knows the values of the
environment variables that look like secrets (``*KEY*``, ``*TOKEN*``, ``*SECRET*``, ``*PASSWORD*``)
plus common key shapes (``sk-...``, ``Bearer ...``), and every text the runner stores or prints
passes through it, so a key echoed back by a server in an error body is removed before it lands.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import urlsplit, urlunsplit

REDACTED = "[redacted]"
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL", re.IGNORECASE)
_MIN_SECRET_LENGTH = 8
_KEY_SHAPES = re.compile(
    r"(?:\bsk-[A-Za-z0-9_\-]{8,}|\bBearer\s+[A-Za-z0-9_.\-]{8,}|\b(?:api[_-]?key|key)=[A-Za-z0-9_.\-]{8,})",
    re.IGNORECASE)


@dataclass(frozen=True)
class Redactor:
    """Removes known secret values and key-shaped strings from text."""

    secrets: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None, extra: tuple[str, ...] = ()) -> "Redactor":
        environ = os.environ if environ is None else environ
        values = {value for name, value in environ.items()
                  if _SECRET_NAME.search(name) and len(value) >= _MIN_SECRET_LENGTH}
        values.update(value for value in extra if value and len(value) >= _MIN_SECRET_LENGTH)
        return cls(tuple(sorted(values, key=len, reverse=True)))  # longest first: no partial leftovers

    def text(self, value: str | None) -> str | None:
        if not value:
            return value
        for secret in self.secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return _KEY_SHAPES.sub(REDACTED, value)

    def value(self, value: Any) -> Any:
        """Redact every string inside a JSON-like value."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        return value


def strip_url_credentials(url: str | None) -> str | None:
    """``https://user:pass@host/v1`` becomes ``https://host/v1``; query strings are dropped."""
    if not url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
