"""What a run asks: the target instances, their in-context examples and prompts, and the run's identity.

Targets come from npgym (:func:`generate_targets`) or from a published test set. The K examples of
a target are instances ``0..K-1`` of the same problem and parameters under a seed derived from the
target's own (seed, index) and the word "examples" (:func:`example_seed`): a stream independent of
the targets, so changing K changes no target, and the examples for K=2 extend those for K=1.

The run id hashes everything that changes what the model is asked or how it answers (model, API
base, sampling, shots, samples, prompt template, the exact target instances), so the same command
names the same run and resumes it. A server on loopback is named without its port, and
``any_address`` leaves host and port out entirely (:func:`identity_address`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from npgym.canonical import content_hash
from npgym.engine import DEFAULT_TIME_LIMIT, generate_from_params
from npgym.instance import Instance
from npgym.prompt import TEMPLATE_VERSION, build_prompt
from npgym.testset import generate_testset
from npsolver.adapters import Adapter, Sampling
from npsolver.secrets import strip_url_credentials


@dataclass(frozen=True)
class Task:
    """One request of a run: an instance, its prompt, and which sample of that instance it is."""

    instance: Instance
    prompt: str
    prompt_hash: str
    sample: int

    @property
    def key(self) -> tuple[str, int]:
        """The (instance id, sample) a record of this task is stored under."""
        return self.instance.id, self.sample

    def with_prompt(self, text: str) -> Task:
        """The same request with another prompt (a track's)."""
        return Task(self.instance, text, prompt_hash(text), self.sample)


def generate_targets(problems: Sequence[str], levels: Sequence[int], seeds: Sequence[int], count: int,
                     no_fraction: float = 0.0, tight: bool = False,
                     time_limit: float = DEFAULT_TIME_LIMIT) -> list[Instance]:
    """``count`` instances per (problem, level, seed), with an exact share of proved no-instances."""
    if count < 1:
        raise ValueError(f"--count must be at least 1, got {count}")
    targets: list[Instance] = []
    for seed in seeds:
        targets.extend(generate_testset(problems, levels, seed, count, no_fraction, tight, time_limit))
    return unique(targets)


def unique(instances: Iterable[Instance]) -> list[Instance]:
    """Instances in order with repeats (same id) dropped."""
    return list({instance.id: instance for instance in instances}.values())


def example_seed(target: Instance) -> int:
    """The seed of the example stream of ``target``: a hash of its id and the word "examples".

    The id, not the seed and index: those are part of the answer key, and a test set read without its
    key must get the same prompts as with it.
    """
    digest = hashlib.sha256(f"examples:{target.id}".encode()).digest()
    return int.from_bytes(digest[:6], "big")


def examples_for(target: Instance, shots: int) -> list[Instance]:
    """The ``shots`` solved examples shown before ``target`` (same problem, parameters and level)."""
    seed = example_seed(target)
    return [generate_from_params(target.problem, target.params, seed, index, level=target.level)
            for index in range(shots)]


def prompt_hash(text: str) -> str:
    """A short content hash of a prompt, the key its text is stored under."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def build_tasks(targets: Sequence[Instance], shots: int, samples: int) -> list[Task]:
    """Every (target, sample) request with its prompt; a prompt is built once per target."""
    if shots < 0:
        raise ValueError(f"--shots must be >= 0, got {shots}")
    if samples < 1:
        raise ValueError(f"--samples must be at least 1, got {samples}")
    tasks: list[Task] = []
    for target in targets:
        text = build_prompt(target, examples_for(target, shots))
        digest = prompt_hash(text)
        tasks.extend(Task(target, text, digest, sample) for sample in range(samples))
    return tasks


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]", "0.0.0.0"})


def in_shard(task: Task, part: int, parts: int) -> bool:
    """Whether ``task`` belongs to shard ``part`` of ``parts`` (from 1): a stable hash of its key, not its order."""
    digest = hashlib.sha256(f"{task.instance.id}:{task.sample}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % parts == part - 1


def identity_address(api_base: str | None, any_address: bool = False) -> str | None:
    """The part of an API base that names the model server in a run id.

    A server on this machine (loopback) is named without its port, which is usually a free one picked
    at start; with ``any_address`` no host or port is named at all (the same model served elsewhere).
    """
    if not api_base:
        return None
    parts = urlsplit(strip_url_credentials(api_base) or "")
    if any_address:
        host = "any-address"
    elif (parts.hostname or "") in LOOPBACK_HOSTS:
        host = "loopback"
    else:
        return strip_url_credentials(api_base)
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


def run_identity(model: str, api_base: str | None, sampling: Sampling, shots: int, samples: int,
                 targets: Sequence[Instance], any_address: bool = False) -> dict[str, Any]:
    """Everything that changes a run's outputs; its hash is the run id."""
    return {"model": model, "api_base": identity_address(api_base, any_address), "sampling": sampling.to_dict(),
            "shots": shots, "samples": samples, "prompt_template": TEMPLATE_VERSION,
            "instances": content_hash(sorted(target.id for target in targets)), "instance_count": len(targets)}


def run_id_of(identity: dict[str, Any]) -> str:
    """The run id: a hash of everything that changes what the run records."""
    return "run-" + content_hash(identity, length=16)


class PlannedRun:
    """The model and run id of a run plan (a dataclass with an ``adapter`` and an ``identity`` field)."""

    adapter: Adapter
    identity: dict[str, Any]

    @property
    def model(self) -> str:
        """The model string the run asks."""
        return self.adapter.model

    @property
    def run_id(self) -> str:
        """The run id (see :func:`run_id_of`)."""
        return run_id_of(self.identity)
