"""Model cards: what a submitter says about each model (provider, size, weights, release date, reasoning effort).

A card file is optional, TOML or JSON, passed with ``nppc leaderboard build --model-cards FILE``::

    card_version = 1

    [[model]]
    id = "openai/gpt-4o-mini"          # the model id exactly as in the run store (required)
    provider = "OpenAI"
    parameters = "unknown"             # a number (8e9) or text ("8B", "unknown")
    weights = "closed"                 # open | closed
    release_date = "2024-07-18"        # YYYY-MM-DD
    reasoning_effort = "none"          # as the provider names it: none, low, medium, high, a token budget ...
    url = "https://example.org/model"  # shown as text with a link
    notes = "any remark"

Classical baselines (``baseline/...``) get a built-in card; a card file may override it.
"""

from __future__ import annotations

import datetime
import json
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from npsolver.adapters import is_baseline

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

CARD_VERSION = 1
WEIGHTS = ("open", "closed")
FIELDS = ("id", "provider", "parameters", "weights", "release_date", "reasoning_effort", "url", "notes")


@dataclass(frozen=True)
class ModelCard:
    """What is known of a model beyond its answers: provider, size, weights, release, reasoning effort."""

    id: str
    provider: str | None = None
    parameters: str | None = None
    weights: str | None = None
    release_date: str | None = None
    reasoning_effort: str | None = None
    url: str | None = None
    notes: str | None = None
    source: str = "built-in"
    card_version: int = CARD_VERSION

    def to_dict(self) -> dict[str, Any]:
        """The card's fields by name."""
        return asdict(self)


def baseline_card(model: str) -> ModelCard:
    """The card of one of nppc's classical baselines (not a language model)."""
    return ModelCard(id=model, provider="nppc", parameters="none (a classical algorithm)", reasoning_effort="none",
                     notes="a classical baseline shipped with nppc: not a language model")


def parameters_text(value: Any) -> str:
    """``8e9`` -> ``"8B"``, ``2.7e8`` -> ``"270M"``; text stays as it is."""
    if isinstance(value, bool):
        raise ValueError(f"parameters must be a number or text, not {value!r}")
    if isinstance(value, (int, float)):
        for size, unit in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
            if value >= size:
                return f"{value / size:.3g}{unit}"
        return f"{value:g}"
    return str(value)


def _card(entry: Any, source: str, version: int) -> ModelCard:
    where = f"model card {source}"
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: each [[model]] entry must be a table of fields, got {entry!r}")
    model = entry.get("id")
    if not isinstance(model, str) or not model:
        raise ValueError(f"{where}: an entry has no id; give each [[model]] the model id as in the run store")
    unknown = sorted(set(entry) - set(FIELDS))
    if unknown:
        raise ValueError(f"{where}: model {model!r}: unknown field {unknown[0]!r}; allowed: {', '.join(FIELDS)}")
    values: dict[str, Any] = {}
    for name in FIELDS[1:]:
        value = entry.get(name)
        if value is None:
            continue
        if name == "parameters":
            value = parameters_text(value)
        elif name == "release_date":
            value = _date(value, where, model)
        elif not isinstance(value, str):
            raise ValueError(f"{where}: model {model!r}: {name} must be text, got {value!r}")
        if name == "weights" and value not in WEIGHTS:
            raise ValueError(f"{where}: model {model!r}: weights must be 'open' or 'closed', got {value!r}")
        values[name] = value
    return ModelCard(id=model, source=source, card_version=version, **values)


def _date(value: Any, where: str, model: str) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()[:10]
    try:
        return datetime.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ValueError(f"{where}: model {model!r}: release_date must be YYYY-MM-DD, got {value!r}") from None


def read_cards(path: str | Path) -> list[ModelCard]:
    """The cards of one file (TOML, or JSON when it ends in .json); ValueError names what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no model card file at {path}")
    text = path.read_text(encoding="utf-8")
    try:
        document = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"model card {path}: not valid {'JSON' if path.suffix == '.json' else 'TOML'}: {error}") \
            from None
    unknown = sorted(set(document) - {"card_version", "model"})
    if unknown:
        raise ValueError(f"model card {path}: unknown top-level field {unknown[0]!r}; use card_version and [[model]]")
    version = document.get("card_version", CARD_VERSION)
    if version != CARD_VERSION:
        raise ValueError(f"model card {path}: card_version {version!r} is not supported; this nppc reads version "
                         f"{CARD_VERSION}")
    entries = document.get("model", [])
    if not isinstance(entries, list):
        raise ValueError(f"model card {path}: 'model' must be a list of [[model]] entries")
    return [_card(entry, str(path), version) for entry in entries]


def cards_for(models: Iterable[str], cards: Iterable[ModelCard] = ()) -> dict[str, ModelCard | None]:
    """The card of every model: from ``cards`` (a later one wins), else built-in for baselines, else None."""
    given = {card.id: card for card in cards}
    return {model: given.get(model) or (baseline_card(model) if is_baseline(model) else None) for model in models}
