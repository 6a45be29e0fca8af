r"""Keeping API keys out of everything the runner writes: the store, logs, exports and error messages.

Keys are only ever read from the environment. :class:`Redactor` knows

* the value of every variable the run reads a credential from (``--api-key-env``, ``OPENAI_API_KEY``
  for a server, the provider's variables), whatever the variable is called and whatever characters
  the key holds;
* the values of every environment variable whose name looks like a secret (``*KEY*``, ``*TOKEN*``,
  ``*SECRET*``, ``*PASSWORD*``, ``*CREDENTIAL*``, ``*AUTH*``);
* common key shapes (``sk-...``, ``Bearer ...``, ``api_key=...``).

A known value is removed in every form a server or a JSON encoder may give it back in: as is,
JSON-escaped (with or without ``\/``) and percent-encoded. Every text the runner stores or prints
passes through it, so a key echoed back by a server in an error body or a reply is removed before
it lands.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit, urlunsplit

REDACTED = "[redacted]"
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH(?!OR)", re.IGNORECASE)
#: Values of secret-looking variables shorter than this are left alone (they would match ordinary text);
#: a variable the run reads its credential from is redacted from this length on.
_MIN_SECRET_LENGTH = 8
MIN_CREDENTIAL_LENGTH = 4
_KEY_CHARS = r"[A-Za-z0-9_.~+/=\-]"
_KEY_SHAPES = re.compile(
    rf"(?:\bsk-{_KEY_CHARS}{{8,}}|\bBearer\s+{_KEY_CHARS}{{8,}}|\b(?:api[_-]?key|key)=[A-Za-z0-9_.~+/%\-]{{8,}})",
    re.IGNORECASE)


def spellings(secret: str) -> set[str]:
    """The forms a secret may come back in: raw, JSON-escaped (also with escaped slashes), percent-encoded."""
    escaped = json.dumps(secret)[1:-1]
    ascii_escaped = json.dumps(secret, ensure_ascii=False)[1:-1]
    forms = {secret, escaped, ascii_escaped, escaped.replace("/", "\\/"), quote(secret, safe=""),
             quote_plus(secret, safe="")}
    return {form for form in forms if form}


@dataclass(frozen=True)
class Redactor:
    """Removes known secret values (in all their spellings) and key-shaped strings from text."""

    secrets: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None, extra: Iterable[str] = (),
                         credential_variables: Iterable[str] = ()) -> Redactor:
        """Secrets of ``environ``: secret-looking variables, the named credential variables, ``extra`` values."""
        environ = os.environ if environ is None else environ
        values = {value for name, value in environ.items()
                  if _SECRET_NAME.search(name) and len(value) >= _MIN_SECRET_LENGTH}
        values.update(environ[name] for name in credential_variables
                      if len(environ.get(name, "")) >= MIN_CREDENTIAL_LENGTH)
        values.update(value for value in extra if value and len(value) >= MIN_CREDENTIAL_LENGTH)
        forms = set().union(*(spellings(value) for value in values)) if values else set()
        return cls(tuple(sorted(forms, key=len, reverse=True)))  # longest first: no partial leftovers

    def text(self, value: str | None) -> str | None:
        """``value`` with every known secret and key-shaped string replaced."""
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
