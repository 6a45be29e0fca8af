"""Laying out and saving the figures of :mod:`npeval.plots`, in worker processes when there are many.

Files
    Every figure is written as PNG; as SVG too when asked (``nppc report --svg``): each format is one
    more full draw. A figure is laid out once (constrained layout) and then drawn once per file, where
    ``savefig`` alone would lay it out twice per file. A figure redrawn for other data (one kept per
    layout, see :func:`npeval.plots.mark_changing`) has its unchanging part drawn once, into a backdrop:
    each PNG after that is the backdrop with the changing artists drawn over it, the same pixels as a
    full draw (nothing unchanging is drawn over them; a test compares).
Processes
    A board with at least :data:`PARALLEL_FROM` figures is drawn on this core and every spare one
    (:func:`npeval.workers.spare_cores`; at most :data:`MAX_PROCESSES`): this process draws one share and
    a worker (:mod:`npeval.workers`) on each spare core another, sent the tables the figures read (not the
    records). Each share holds about as much of every kind of figure. A worker that fails has its share
    drawn here. Files and names do not depend on the number of processes.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable, Iterable
from dataclasses import replace
from operator import attrgetter
from pathlib import Path

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imsave

from npeval import plots, workers
from npeval.analysis import Analysis
from npeval.plots import Figures, Omitted

PNG, SVG = "png", "svg"
DPI = 110
PARALLEL_FROM = 16  # figures; fewer are drawn here (a worker costs about a second of imports)
MAX_PROCESSES = 4
FAILED = "failed: "
WORKER = "npeval.render:draw_share"  # what a worker process runs (npeval.workers)


def save(figure: Figure, out: Path, name: str, formats: Iterable[str] = (PNG,)) -> list[Path]:
    """Write ``figure`` as ``out/name.<format>`` for each format; returns the paths."""
    if not isinstance(figure.canvas, FigureCanvasAgg):
        FigureCanvasAgg(figure)
    engine = figure.get_layout_engine()
    if engine is not None:
        engine.execute(figure)
        figure.set_layout_engine(None)  # keep this layout: savefig would compute it again twice per file
    paths = []
    for extension in formats:
        path = out / f"{name}.{extension}"
        changing = plots.changing_artists(figure)
        if extension == PNG and changing is not None:
            _save_frame(figure, changing, path)
        else:
            figure.savefig(path, dpi=DPI)
        paths.append(path)
    return paths


_BACKDROPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # figure -> (pixels, artists drawn over)


def _save_frame(figure: Figure, changing: tuple[Artist, ...], path: Path) -> None:
    """``figure.savefig(path, dpi=DPI)`` as PNG, the unchanging part drawn only for the figure's first file."""
    canvas = figure.canvas
    assert isinstance(canvas, FigureCanvasAgg), "save gave the figure an Agg canvas"
    kept = _BACKDROPS.get(figure)
    if kept is None:
        figure.set_dpi(DPI)
        over = _drawn_over(figure, set(changing))
        for artist in over:
            artist.set_animated(True)  # a draw that is not a save leaves animated artists out
        try:
            canvas.draw()
        finally:
            for artist in over:
                artist.set_animated(False)
        kept = _BACKDROPS[figure] = (canvas.copy_from_bbox(figure.bbox), over)
    else:
        canvas.restore_region(kept[0])
    renderer = canvas.get_renderer()
    for artist in kept[1]:
        artist.draw(renderer)
    imsave(path, canvas.buffer_rgba(), format=PNG, origin="upper", dpi=figure.dpi)  # as savefig writes it


def _drawn_over(figure: Figure, changing: set[Artist]) -> list[Artist]:
    """The ``changing`` artists and every artist a full draw puts after them in their axes (or, for the figure's
    own artists, in the figure), in draw order: what is drawn over the backdrop."""
    over: list[Artist] = []
    parents: list[Axes | Figure] = [*figure.axes, figure]
    for parent in parents:
        children = [child for child in parent.get_children()
                    if child is not parent.patch and (parent is not figure or not isinstance(child, Axes))]
        ordered = sorted(children, key=attrgetter("zorder"))  # as Axes.draw and Figure.draw order them
        first = next((index for index, child in enumerate(ordered) if child in changing), None)
        if first is not None:
            over += ordered[first:]
    return over


def draw_figures(analysis: Analysis, out: Path, formats: Iterable[str] = (PNG,), processes: int | None = None,
                 meanwhile: Callable[[], object] | None = None) -> Figures:
    """Every figure of ``analysis`` in ``out``: those drawn and, for the others, why not (a failed figure is
    reported on stderr and skipped, never fatal). ``processes``: how many to draw in (default: see the module);
    ``meanwhile``: other work for this process, done once the workers are started and before its own share."""
    out.mkdir(parents=True, exist_ok=True)
    formats = tuple(formats)
    names = list(plots.figure_jobs(analysis))
    for name in names:
        for extension in (PNG, SVG):
            (out / f"{name}.{extension}").unlink(missing_ok=True)  # an omitted figure must not keep an old file
    shares = _shares(names, default_processes(len(names)) if processes is None else max(1, processes))
    started = [workers.start(WORKER, (figure_tables(analysis), share, out, formats)) for share in shares[1:]]
    if meanwhile is not None:
        meanwhile()
    outcomes = draw_some(analysis, shares[0], out, formats)
    for worker, share in zip(started, shares[1:]):
        drawn = workers.finish(worker, "figures")
        outcomes.update(draw_some(analysis, share, out, formats) if drawn is workers.FAILED else drawn)
    figures = Figures()
    for name in names:
        drawn = outcomes[name]
        if isinstance(drawn, str):
            figures.omitted[name] = drawn
            if drawn.startswith(FAILED):
                print(f"figure {name} skipped: {drawn[len(FAILED):]}", file=sys.stderr)
        else:
            figures.paths[name] = drawn
    return figures


def draw_some(analysis: Analysis, names: list[str], out: Path, formats: tuple[str, ...]) -> dict[str, list | str]:
    """Draw the figures ``names`` in order: name -> its paths, or why it was left out (``failed: ...`` if it
    raised)."""
    jobs = plots.figure_jobs(analysis)
    reuse: dict = {}
    outcomes: dict[str, list | str] = {}
    for name in names:
        try:
            outcomes[name] = save(jobs[name](reuse), out, name, formats)
        except Omitted as reason:
            outcomes[name] = str(reason)
        except Exception as error:  # noqa: BLE001 - a figure is never worth the whole report
            outcomes[name] = f"{FAILED}{type(error).__name__}: {error}"
    return outcomes


def figure_tables(analysis: Analysis) -> Analysis:
    """``analysis`` without what no figure reads (the records and the per-record tables): what workers get."""
    board = analysis.board
    slim = replace(board, records=board.records.iloc[:0], instance_facts=board.instance_facts.iloc[:0])
    return replace(analysis, board=slim, reasoning_findings=analysis.reasoning_findings.iloc[:0],
                   improvement=analysis.improvement.iloc[:0], cache_folder=None)


def default_processes(figures: int) -> int:
    """How many processes draw ``figures`` figures: one for a few, else this one and the spare cores (capped)."""
    if figures < PARALLEL_FROM:
        return 1
    return max(1, min(1 + workers.spare_cores(), MAX_PROCESSES))


def _shares(names: list[str], processes: int) -> list[list[str]]:
    """``names`` dealt out by kind (accuracy, errors, ...), so every process gets about as much of each kind and
    keeps one kind's figures together (an errors figure is redrawn on the previous one, see plots)."""
    kind = lambda name: name.split("_", 1)[0]  # noqa: E731
    ordered = sorted(names, key=kind)  # stable: report order within a kind
    return [share for share in (ordered[start::processes] for start in range(processes)) if share] or [[]]


def draw_share(job: tuple) -> dict[str, list | str]:
    """A worker's share: :func:`draw_some` of ``(analysis, names, out, formats)`` (see :mod:`npeval.workers`)."""
    analysis, names, out, formats = job
    return draw_some(analysis, names, out, formats)
