"""When a site is built: one clock for every page and data file of a build, so rebuilds can be byte-identical."""

from __future__ import annotations

import os
from datetime import datetime, timezone


def build_time() -> datetime:
    """When the board is built: ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) if it is set, so that
    two builds of the same stores are byte-identical, else now (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return datetime.now(timezone.utc)
    try:
        return datetime.fromtimestamp(int(epoch), timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise SystemExit(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix time in whole seconds: set it to one "
                         "(for example $(git log -1 --format=%ct)) or unset it") from None
