"""Laying out and saving the figures of :mod:`npeval.plots`, in worker processes when there are many.

Files
    Every figure is written as PNG; as SVG too when asked (``nppc report --svg``): each format is one
    more full draw. A figure is laid out once (constrained layout) and then drawn once per file, where
    ``savefig`` alone would lay it out twice per file. A figure redrawn for other data (one kept per
    layout, see :func:`npeval.plots.mark_changing`) has its unchanging part drawn once, into a backdrop:
    each PNG after that is the backdrop with the changing artists drawn over it, the same pixels as a
    full draw (nothing unchanging is drawn over them; a test compares). A PNG is opaque RGB, zlib level
    :data:`PNG_LEVEL`, encoded on a thread (:class:`PngWriter`) while the next figure is drawn.
Processes
    A board with at least :data:`PARALLEL_FROM` figures is drawn on this core and every spare one
    (:func:`npeval.workers.spare_cores`; at most :data:`MAX_PROCESSES`): this process and a worker
    (:mod:`npeval.workers`) on each spare core take batches of a few figures of one kind as each is free, so
    that they end together whatever else this process had to do first. A worker is sent the tables the
    figures read (not the records) once. A batch whose worker fails is drawn here. Files and names do not
    depend on the number of processes.
"""

from __future__ import annotations

import sys
import threading
import uuid
import weakref
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from operator import attrgetter
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from npeval import plots, workers
from npeval.analysis import Analysis
from npeval.plots import Figures, Omitted

PNG, SVG = "png", "svg"
DPI = 110
PNG_LEVEL = 1  # zlib level: at 6 (the default) encoding took longer than drawing; files grow about 10%
PARALLEL_FROM = 16  # figures; fewer are drawn here (a worker costs about a second of imports)
MAX_PROCESSES = 4
BATCH = 2  # figures handed out at a time: small, so that the processes end together
HELP_FROM = 3  # batches of another process's kind left, from which a free process helps with them
FAILED = "failed: "
WORKER = "npeval.render:draw_share"  # what a worker process runs (npeval.workers)


def save(figure: Figure, out: Path, name: str, formats: Iterable[str] = (PNG,),
         writer: PngWriter | None = None) -> list[Path]:
    """Write ``figure`` as ``out/name.<format>`` for each format; returns the paths. A PNG is encoded by
    ``writer`` when given (on its thread: call its :meth:`PngWriter.wait`), else here."""
    if not isinstance(figure.canvas, FigureCanvasAgg):
        FigureCanvasAgg(figure)
    engine = figure.get_layout_engine()
    if engine is not None:
        engine.execute(figure)
        figure.set_layout_engine(None)  # keep this layout: savefig would compute it again twice per file
    paths = []
    for extension in formats:
        path = out / f"{name}.{extension}"
        if extension == PNG:
            pixels = _pixels(figure)
            if writer is None:
                write_png(pixels, path)
            else:
                writer.write(pixels, path)
        else:
            figure.savefig(path, dpi=DPI)
        paths.append(path)
    return paths


def write_png(pixels: np.ndarray, path: Path) -> None:
    """``pixels`` (rows x columns x RGB) as a PNG file at :data:`DPI`, compressed fast (:data:`PNG_LEVEL`)."""
    Image.fromarray(pixels, "RGB").save(path, format=PNG, dpi=(DPI, DPI), compress_level=PNG_LEVEL,
                                        pnginfo=_PNG_INFO)


_PNG_INFO = PngInfo()
_PNG_INFO.add_text("Software", f"Matplotlib version{matplotlib.__version__}, https://matplotlib.org/")


class PngWriter:
    """Encodes PNG files on one thread while the caller draws the next figure (zlib runs without the GIL)."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="png")
        self.pending: dict[Path, Future] = {}

    def write(self, pixels: np.ndarray, path: Path) -> None:
        """Write ``pixels`` to ``path`` (see :func:`write_png`), soon."""
        self.pending[path] = self.pool.submit(write_png, pixels, path)

    def wait(self) -> dict[Path, BaseException]:
        """Wait for every file; those that failed (removed) and why."""
        failed = {path: error for path, future in self.pending.items() if (error := future.exception()) is not None}
        self.pool.shutdown()
        for path in failed:
            path.unlink(missing_ok=True)
        return failed


_BACKDROPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # figure -> (pixels, artists drawn over)


def _pixels(figure: Figure) -> np.ndarray:
    """The RGB pixels of ``figure`` drawn at :data:`DPI` (what ``savefig`` draws; the background is opaque).

    A figure redrawn for other data (:func:`npeval.plots.changing_artists`) has its unchanging part drawn
    only the first time, into a backdrop; after that the backdrop is restored and the changing part drawn."""
    canvas = figure.canvas
    assert isinstance(canvas, FigureCanvasAgg), "save gave the figure an Agg canvas"
    figure.set_dpi(DPI)
    changing = plots.changing_artists(figure)
    kept = _BACKDROPS.get(figure)
    if changing is None:
        canvas.draw()
    elif kept is None:
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
    if kept is not None:
        renderer = canvas.get_renderer()
        for artist in kept[1]:
            artist.draw(renderer)
    return np.array(canvas.buffer_rgba())[:, :, :3]  # a copy: the canvas is drawn again for the next figure


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
    count = default_processes(len(names)) if processes is None else max(1, processes)
    batches = _Batches(names, count)
    outcomes: dict[str, list | str] = {}
    helpers = _start_helpers(analysis, batches, count - 1, out, formats, outcomes)
    if meanwhile is not None:
        meanwhile()
    reuse: dict = {}
    mine: set[str] = set()
    while (batch := batches.take(mine)) is not None:
        outcomes.update(draw_some(analysis, batch, out, formats, reuse))
    for helper in helpers:
        helper.join()
    while (batch := batches.take()) is not None:  # what the helpers left, or gave back when their worker failed
        outcomes.update(draw_some(analysis, batch, out, formats, reuse))
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


class _Batches:
    """The figures still to draw, in batches of at most :data:`BATCH` figures of one kind (accuracy, errors, ...),
    taken by this process and by each worker as each is free, so that whoever is faster draws more.

    The first figure of a kind costs several of the next (its figure is built and laid out, then redrawn for
    each next one; see :mod:`npeval.plots`), so a process keeps to the kinds it has begun, then begins a kind
    no one has, and only then helps with another's kind, when at least :data:`HELP_FROM` batches of it are left.
    """

    def __init__(self, names: list[str], processes: int):
        by_kind: dict[str, list[str]] = {}
        for name in names:
            by_kind.setdefault(_kind(name), []).append(name)
        size = BATCH if processes > 1 else len(names) or 1
        biggest_first = sorted(by_kind.items(), key=lambda item: (-len(item[1]), item[0]))
        self.pending = {kind: deque(members[start:start + size] for start in range(0, len(members), size))
                        for kind, members in biggest_first}
        self.begun: set[str] = set()
        self.lock = threading.Lock()

    def take(self, mine: set[str] | None = None) -> list[str] | None:
        """The next batch for a process that has begun the kinds ``mine`` (updated), or None when there is none
        it should draw. Without ``mine``, any batch: what is left when the others are done."""
        with self.lock:
            left = {kind: batches for kind, batches in self.pending.items() if batches}
            if mine is None:
                kind = next(iter(left), None)
            else:
                kind = next((k for k in left if k in mine), None) or next((k for k in left if k not in self.begun),
                                                                         None)
                if kind is None:
                    helped = max(left, key=lambda k: len(left[k]), default=None)
                    kind = helped if helped is not None and len(left[helped]) >= HELP_FROM else None
            if kind is None:
                return None
            if mine is not None:
                mine.add(kind)
            self.begun.add(kind)
            return left[kind].popleft()

    def give_back(self, batch: list[str]) -> None:
        with self.lock:
            self.pending[_kind(batch[0])].append(batch)


def _kind(name: str) -> str:
    """A figure's kind: its name's first word (accuracy_three_sat -> accuracy)."""
    return name.split("_", 1)[0]


def _start_helpers(analysis: Analysis, batches: _Batches, count: int, out: Path, formats: tuple[str, ...],
                   outcomes: dict) -> list[threading.Thread]:
    """Start ``count`` workers, each on a first batch, and a thread per worker that hands it the next batch until
    none is left (a batch whose worker failed goes back, for this process)."""
    key = uuid.uuid4().hex  # the tables are sent once; later batches name them by this key
    tables = figure_tables(analysis) if count else None
    helpers = []
    for _ in range(count):
        mine: set[str] = set()
        batch = batches.take(mine)
        if batch is None:
            break
        worker = workers.start(WORKER, (key, tables, batch, out, formats))
        helper = threading.Thread(target=_help, args=(worker, batch, mine, batches, key, out, formats, outcomes),
                                  daemon=True)
        helper.start()
        helpers.append(helper)
    return helpers


def _help(worker: workers.Worker, batch: list[str], mine: set[str], batches: _Batches, key: str, out: Path,
          formats: tuple[str, ...], outcomes: dict) -> None:
    """A helper thread: take each result of ``worker`` and send it the next batch of the kinds it draws."""
    while True:
        drawn = workers.finish(worker, "figures", keep=True)
        if drawn is workers.FAILED:
            batches.give_back(batch)
            return
        outcomes.update(drawn)
        next_batch = batches.take(mine)
        if next_batch is None:
            workers.release(worker)
            return
        batch = next_batch
        worker = workers.send(worker, WORKER, (key, None, batch, out, formats))


def draw_some(analysis: Analysis, names: list[str], out: Path, formats: tuple[str, ...],
              reuse: dict | None = None) -> dict[str, list | str]:
    """Draw the figures ``names`` in order: name -> its paths, or why it was left out (``failed: ...`` if it
    raised). ``reuse`` keeps figures to redraw between calls (see :func:`npeval.plots.figure_jobs`)."""
    jobs = plots.figure_jobs(analysis)
    reuse = {} if reuse is None else reuse
    outcomes: dict[str, list | str] = {}
    writer = PngWriter()
    for name in names:
        try:
            outcomes[name] = save(jobs[name](reuse), out, name, formats, writer)
        except Omitted as reason:
            outcomes[name] = str(reason)
        except Exception as error:  # noqa: BLE001 - a figure is never worth the whole report
            outcomes[name] = f"{FAILED}{type(error).__name__}: {error}"
    failed = writer.wait()
    for name, drawn in outcomes.items():
        if isinstance(drawn, str):
            continue
        why = next((failed[path] for path in drawn if path in failed), None)
        if why is not None:
            for path in drawn:
                path.unlink(missing_ok=True)
            outcomes[name] = f"{FAILED}{type(why).__name__}: {why}"
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


_DRAWING: dict[str, tuple[Analysis, dict]] = {}  # in a worker: the tables and kept figures of its batches


def draw_share(job: tuple) -> dict[str, list | str]:
    """A worker's batch: :func:`draw_some` of ``(key, tables, names, out, formats)`` (see :mod:`npeval.workers`);
    a batch after the first sends no tables (None) and is drawn from those sent with its ``key``."""
    key, tables, names, out, formats = job
    if tables is not None:
        _DRAWING.clear()
        _DRAWING[key] = (tables, {})
    analysis, reuse = _DRAWING[key]
    return draw_some(analysis, names, out, formats, reuse)
