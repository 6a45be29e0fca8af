"""The Instance record: what a model sees, how it was made, and its answer key kept apart.

An instance is a pure function of (problem id, version, parameters, seed, index). Its ``id`` is the
content hash of the canonical JSON of exactly those facts plus the data, so two machines that
generate the same instance give it the same id, and a tampered record is detected on load.

On disk an instance is one JSON line. The answer key (``label``, ``certificate``, ``optimum``) is
written only when asked for, so a published test set holds nothing a model could copy; the
:data:`CANARY` string lets training-data pipelines find and drop published test sets.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from npgym.canonical import assert_json_native, content_hash

CANARY = "NPPC-CANARY-3f9a1c2e-do-not-train-on-nppc-test-sets"
YES, NO, UNSETTLED = "yes", "no", "unknown"
KEY_FIELDS = ("label", "certificate", "optimum")


@dataclass(frozen=True)
class Instance:
    """One generated instance (see the module docstring)."""

    problem: str
    version: int
    level: int | None
    seed: int
    index: int
    params: dict[str, Any]
    data: dict[str, Any]
    label: str = UNSETTLED
    certificate: Any = None
    optimum: int | float | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False)  # timings differ between runs
    id: str = ""

    def __post_init__(self) -> None:
        assert_json_native(self.params, "params")
        assert_json_native(self.data, "data")
        assert_json_native(self.certificate, "certificate")
        if not self.id:
            object.__setattr__(self, "id", self.content_id())

    def content_id(self) -> str:
        return content_hash({"problem": self.problem, "version": self.version, "params": self.params,
                             "seed": self.seed, "index": self.index, "data": self.data})

    def with_key(self, **changes: Any) -> "Instance":
        """A copy with answer-key or metadata fields changed (the id stays: the data did not change)."""
        return replace(self, **changes)

    def to_record(self, with_key: bool = False) -> dict[str, Any]:
        """The JSON line of this instance; the answer key only with ``with_key``."""
        record = {"canary": CANARY, "id": self.id, "problem": self.problem, "version": self.version,
                  "level": self.level, "seed": self.seed, "index": self.index, "params": self.params,
                  "data": self.data, "meta": self.meta}
        if with_key:
            record.update(self.key_record())
        return record

    def key_record(self) -> dict[str, Any]:
        return {"label": self.label, "certificate": self.certificate, "optimum": self.optimum}

    @classmethod
    def from_record(cls, record: dict[str, Any], key: dict[str, Any] | None = None) -> "Instance":
        """Rebuild an instance from its JSON line (and an optional separate key); checks the id."""
        fields = {name: record[name] for name in
                  ("problem", "version", "level", "seed", "index", "params", "data")}
        answer_key = {name: record[name] for name in KEY_FIELDS if name in record}
        answer_key.update({name: key[name] for name in KEY_FIELDS if key and name in key})
        instance = cls(**fields, **answer_key, meta=dict(record.get("meta") or {}))
        if record.get("id") and record["id"] != instance.id:
            raise ValueError(f"instance {record['id']} does not match its content (hash {instance.id}); "
                             "the record was edited or comes from another npgym version")
        return instance
