"""Argument types shared by every ``nppc`` subcommand (they live in the lowest package, so every CLI can use them)."""

from __future__ import annotations

import argparse


def int_list(text: str) -> list[int]:
    """Parse ``"1-3,7"`` into ``[1, 2, 3, 7]`` (order kept, duplicates dropped)."""
    values: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if "-" in part[1:]:
                lo, hi = part.split("-", 1) if not part.startswith("-") else (part, part)
                values.extend(range(int(lo), int(hi) + 1))
            else:
                values.append(int(part))
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a list of integers or ranges like 1-5,8: {text!r}") from None
    return list(dict.fromkeys(values))


def name_list(text: str) -> list[str]:
    """Parse ``"a,b"`` into ``["a", "b"]``."""
    return [part.strip() for part in text.split(",") if part.strip()]


def problem_list(text: str) -> list[str]:
    """Problem ids from ``"all"``, ``"core"`` or a comma list."""
    from npgym.registry import problem_ids

    if text.strip() == "all":
        return problem_ids()
    if text.strip() == "core":
        from npgym.suites import CORE

        return list(CORE)
    return name_list(text)


def positive(text: str) -> int:
    """An integer of at least 1 (counts, samples, concurrency)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def positive_float(text: str) -> float:
    """A number above 0 (seconds)."""
    value = _number(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be above 0, got {text}")
    return value


def non_negative_float(text: str) -> float:
    """A number of at least 0 (a cost, a temperature, a delay)."""
    value = _number(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be at least 0, got {text}")
    return value


def package_version() -> str:
    """The installed nppc distribution's version, from its metadata."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nppc")
    except PackageNotFoundError:
        return "0+unknown"


def shard_spec(text: str) -> tuple[int, int]:
    """Parse ``"2/4"`` (part 2 of 4, counting from 1) into ``(2, 4)``."""
    try:
        part, parts = (int(piece) for piece in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a shard like 1/4 (part/parts, counting from 1): {text!r}") from None
    if not 1 <= part <= parts:
        raise argparse.ArgumentTypeError(f"a shard's part must be from 1 to its number of parts, got {text!r}")
    return part, parts
