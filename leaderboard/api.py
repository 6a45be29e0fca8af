"""The Python API of ``nppc leaderboard build`` and ``nppc view``: the static site and the sample viewer."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from npeval.api import DEFAULT_BOOTSTRAP, DEFAULT_SEED, analyse

if TYPE_CHECKING:
    from leaderboard.build import Site
    from leaderboard.viewer import Viewer


def build_leaderboard(stores: Iterable[str | Path], out: str | Path, *, model_cards: Iterable[str | Path] = (),
          samples: bool = True, bootstrap: int = DEFAULT_BOOTSTRAP, seed: int = DEFAULT_SEED,
          markers: Iterable[str] | None = None) -> Site:
    """``nppc leaderboard build``: the whole site of the stores in ``out`` (open ``out/index.html``).

    Model cards are read first, so a bad card fails before the analysis; ``samples=False`` leaves out the
    sample viewer. The analysis is the report's (same cache), so building after a report recomputes nothing.
    """
    from leaderboard.modelcards import read_cards
    from leaderboard.viewer import start_site_viewer
    from npeval.workers import stopped_on_error

    model_cards = list(model_cards)
    for path in model_cards:
        read_cards(path)
    stores = [str(store) for store in stores]
    sample_viewer = start_site_viewer(stores, out) if samples else None  # needs no analysis: on a spare core now
    with stopped_on_error(sample_viewer):  # no site: its viewer is not wanted either
        analysis = analyse(stores, bootstrap=bootstrap, seed=seed, markers=markers)
        from leaderboard.build import build_site  # after the workers started: pandas and matplotlib take a second

        return build_site(analysis, out, card_files=model_cards, samples=samples, sample_viewer=sample_viewer)


def build_viewer(stores: Iterable[str | Path], out: str | Path | None = None) -> Viewer:
    """``nppc view``: an offline viewer of every record of the stores (default folder: STORE-viewer)."""
    from leaderboard.viewer import write_viewer

    paths = [Path(store) for store in stores]
    folder = Path(out) if out else paths[0].with_name(paths[0].stem + "-viewer")
    return write_viewer(paths, folder, title=f"nppc samples: {', '.join(path.name for path in paths)}")
