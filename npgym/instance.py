"""The Instance record: what a model sees, how it was made, and its answer key kept apart.

An instance is a pure function of (problem id, version, parameters, seed, index). Its ``id`` is the
content hash of the canonical JSON of what a public record shows (problem, version, level,
parameters and data), so two machines that generate the same instance give it the same id, a
tampered record is detected on load, and the id says nothing that the data does not.

The record also carries ``card_hash``, the content hash of the problem card it was made from, so a
result can be traced to the exact prompt text and ladder. The id leaves it out on purpose: a reworded
statement changes the prompt, not the instance, and must not rename every instance (the golden ids in
:mod:`npgym.golden` pin the ids). An edited ``card_hash`` is therefore not detected on load.

On disk an instance is one JSON line. A public line holds only :data:`PUBLIC_FIELDS`: what identifies
the instance and what a model sees. Everything else is the answer key (:data:`KEY_FIELDS`): the label,
certificate and optimum, the solver's effort and attempt counts (``meta``), and also ``seed`` and
``index``, because anyone who knows them can regenerate the planted yes-instance of that slot and
compare. The key is written only when asked for; the :data:`CANARY` string lets training-data
pipelines find and drop published test sets.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from npgym.canonical import assert_json_native, canonical_json, content_hash, native_json, text_hash

CANARY = "NPPC-CANARY-3f9a1c2e-do-not-train-on-nppc-test-sets"
YES, NO, UNSETTLED = "yes", "no", "unknown"
#: the fields of a public test-set line, in this order
PUBLIC_FIELDS = ("canary", "id", "problem", "version", "card_hash", "level", "params", "data")
#: the fields only the answer key holds (with the id that joins it to its public line)
KEY_FIELDS = ("seed", "index", "label", "certificate", "optimum", "meta")


def without_timing(meta: dict[str, Any]) -> dict[str, Any]:
    """``meta`` without the solver's wall seconds, which differ from machine to machine."""
    effort = meta.get("effort")
    if not isinstance(effort, dict) or "seconds" not in effort:
        return meta
    return {**meta, "effort": {name: value for name, value in effort.items() if name != "seconds"}}


class _ContentId:
    """The ``id`` field: the one a record gave, or the content hash computed on first use and kept.

    Hashing is deferred because a generate-then-verify loop never reads the id, while a large instance's
    canonical JSON costs as much as drawing it. The first computation also checks that params, data and
    certificate are JSON-native (one serialisation does both), so a test set, which writes every id, still
    refuses a non-native instance before anything is written.
    """

    def __get__(self, instance: Instance | None, owner: type | None = None) -> str:
        if instance is None:
            return ""  # the field's default, read by the dataclass machinery
        known = instance.__dict__.get("_id")
        if not known:
            known = instance.__dict__["_id"] = instance._hash_checked()
        return known

    def __set__(self, instance: Instance, value: str) -> None:
        instance.__dict__["_id"] = value


@dataclass(frozen=True)
class Instance:
    """One generated instance (see the module docstring)."""

    problem: str
    version: int
    level: int | None
    seed: int | None  # None when only the public record was read
    index: int | None
    params: dict[str, Any]
    data: dict[str, Any]
    label: str = UNSETTLED
    certificate: Any = None
    optimum: int | float | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False)  # timings differ between runs
    card_hash: str = ""  # the content hash of the card it was made from ("" in records older than the field)
    id: str = _ContentId()  # type: ignore[assignment]  # computed on first use (see _ContentId)

    def __init__(self, problem: str, version: int, level: int | None, seed: int | None, index: int | None,
                 params: dict[str, Any], data: dict[str, Any], label: str = UNSETTLED, certificate: Any = None,
                 optimum: int | float | None = None, meta: dict[str, Any] | None = None, card_hash: str = "",
                 id: str = "") -> None:  # noqa: A002 - the field's name
        """The fields above, set in one update of the record's dict: the frozen dataclass's own ``__init__``
        sets them one ``object.__setattr__`` at a time, which costs as much as drawing a small instance."""
        self.__dict__.update({"problem": problem, "version": version, "level": level, "seed": seed, "index": index,
                              "params": params, "data": data, "label": label, "certificate": certificate,
                              "optimum": optimum, "meta": {} if meta is None else meta, "card_hash": card_hash,
                              "_id": id})

    def _hash_checked(self) -> str:
        """The content hash, after checking that every part is JSON-native (TypeError names the first that
        is not)."""
        content = self._content()
        text = native_json(content)  # one serialisation both checks params and data and gives the id
        if text is None:
            assert_json_native(self.params, "params")
            assert_json_native(self.data, "data")
            text = canonical_json(content)
        assert_json_native(self.certificate, "certificate")
        return text_hash(text)

    def content_id(self) -> str:
        """The id the instance's content hashes to (equal to ``id`` unless a record was altered)."""
        return content_hash(self._content())

    def _content(self) -> dict[str, Any]:
        """What the id hashes: everything a public record shows but the id itself."""
        return {"problem": self.problem, "version": self.version, "level": self.level,
                "params": self.params, "data": self.data}

    def with_key(self, **changes: Any) -> Instance:
        """A copy with answer-key or metadata fields changed (the id stays: the data did not change)."""
        if "certificate" in changes:
            assert_json_native(changes["certificate"], "certificate")
        return replace(self, **changes)

    def to_record(self, with_key: bool = False) -> dict[str, Any]:
        """The JSON line of this instance: the public fields, and the answer key only with ``with_key``."""
        record = {"canary": CANARY, "id": self.id, "problem": self.problem, "version": self.version,
                  "card_hash": self.card_hash, "level": self.level, "params": self.params, "data": self.data}
        if with_key:
            record.update(self.key_record())
        return record

    def key_record(self) -> dict[str, Any]:
        """The answer key of this instance (without its id).

        It holds only what follows from the instance's arguments: the solver's work counters, not its
        seconds, so two machines (or a Ray cluster and one process) write byte-identical key files.
        """
        return {"seed": self.seed, "index": self.index, "label": self.label, "certificate": self.certificate,
                "optimum": self.optimum, "meta": without_timing(self.meta)}

    @classmethod
    def from_record(cls, record: dict[str, Any], key: dict[str, Any] | None = None) -> Instance:
        """Rebuild an instance from its JSON line (and an optional separate key); checks the id."""
        fields = {name: record[name] for name in ("problem", "version", "level", "params", "data")}
        fields["card_hash"] = record.get("card_hash", "")
        answer_key = {name: record[name] for name in KEY_FIELDS if name in record}
        answer_key.update({name: key[name] for name in KEY_FIELDS if key and name in key})
        answer_key.setdefault("seed", None)
        answer_key.setdefault("index", None)
        answer_key["meta"] = dict(answer_key.get("meta") or {})
        instance = cls(**fields, **answer_key)
        if record.get("id") and record["id"] != instance.id:
            raise ValueError(f"instance {record['id']} does not match its content (hash {instance.id}); "
                             "the record was edited or comes from another npgym version")
        return instance
