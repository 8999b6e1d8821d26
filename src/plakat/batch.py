"""Many layouts at once: which files a folder stands for, and one layout's render as plain data.

In: paths of layout files and folders (:func:`layout_files`); a layout path, an output folder and
:class:`RenderOptions` (:func:`render_one`); a list of layouts and a number of worker processes
(:func:`render_many`). Out: the layout files in order; a :class:`RenderSummary` per layout (files
written, findings, error lines, exit code: picklable, so a worker process, a Dask or a Ray task can
send it back), yielded in the order of the layouts. Nothing here prints or exits: the CLI does.

Workers are processes, not threads: pdfium, which rasterises the PNG, may only run in one thread of
a process. This process renders alongside them (in its main thread). They are started fresh
(``spawn``), so none inherits a pdfium or a thread pool half-way through something from its parent.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .delivery import PdfReport
from .errors import LayoutInvalid, PlakatError, PreflightFailed
from .findings import Finding
from .layering import MAX_LAYOUT_BYTES
from .output import remove_debris
from .render.png import DEFAULT_COMPRESS_LEVEL
from .spec import PdfStandard
from .units import EMU_PER_MM
from .yamlsource import YamlProblem, load_yaml

LAYOUT_SUFFIXES = (".yaml", ".yml")
# A layout of its own names its page; a file without either key only holds shared content.
PAGE_KEYS = ("format", "size")
# Each worker a fresh interpreter. forkserver had two workers ready 0.1-0.3 s sooner on two cores,
# but its server keeps the environment of its first start (PLAKAT_CACHE_DIR set later is not seen).
START_METHOD = "spawn"


class NoLayouts(PlakatError):
    """A folder given on the command line holds no layout file."""


class SameOutput(PlakatError):
    """Two layouts would write the same output files."""


class WorkerLost(PlakatError):
    """A worker process ended without an answer (killed, out of memory): not the layout's fault."""

    exit_code = 70


# --- which files ---------------------------------------------------------------------------------


def has_own_page(path: Path) -> bool:
    """False only for a file that parses as a mapping with neither ``format`` nor ``size`` at its
    top level: a campaign file of shared people, texts and fonts. A file that cannot be read or
    parsed, and anything that is not a regular file, counts as a layout, so that rendering it
    reports what is wrong."""
    if not path.is_file():  # a pipe or a device: never opened here (a pipe would wait for a writer)
        return True
    try:
        with open(path, "rb") as file:
            raw = file.read(MAX_LAYOUT_BYTES + 1)
        if len(raw) > MAX_LAYOUT_BYTES:
            return True
        data, _source = load_yaml(raw.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, YamlProblem):
        return True
    return not isinstance(data, dict) or any(key in data for key in PAGE_KEYS)


def layout_files(paths: Sequence[Path | str]) -> list[Path]:
    """The layouts ``paths`` stand for, each once, in the order given: a file as it is (even one
    without a page: its error will say so); a folder as its own ``.yaml``/``.yml`` files sorted by
    name, without subfolders, hidden files and files without ``format`` or ``size``
    (:func:`has_own_page`). A path that does not exist is passed on for its error. Raises
    :class:`NoLayouts` for a folder with no layout in it."""
    chosen: list[Path] = []
    seen: set[Path] = set()
    for given in map(Path, paths):
        if given.is_dir():
            found = [
                entry
                for entry in sorted(given.iterdir(), key=lambda entry: entry.name)
                if entry.suffix.lower() in LAYOUT_SUFFIXES and not entry.name.startswith(".") and not entry.is_dir()
            ]
            layouts = [entry for entry in found if has_own_page(entry)]
            if not layouts:
                what = (
                    f"its {len(found)} YAML file(s) have no format or size of their own (shared content only)"
                    if found
                    else "it has no .yaml or .yml file"
                )
                raise NoLayouts(f"{given}: no layout in this folder: {what}; subfolders are not searched")
        else:
            layouts = [given]
        for layout in layouts:
            key = layout.resolve()
            if key not in seen:
                seen.add(key)
                chosen.append(layout)
    return chosen


def check_distinct_names(layouts: Sequence[Path], out_dir: Path) -> None:
    """Outputs are named after the layout file: two layouts of the same name (from two folders)
    would overwrite each other, in an order that depends on which finishes last."""
    first: dict[str, Path] = {}
    for layout in layouts:
        other = first.setdefault(layout.stem, layout)
        if other is not layout:
            raise SameOutput(
                f"{other} and {layout} would both write {out_dir / layout.stem}.*: "
                "rename one, or render them into different --out folders"
            )


# --- one layout ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderOptions:
    """The command line's choices for ``plakat render``; None means the layout's own."""

    png_dpi: float | None = None
    force: bool = False
    compress_level: int = DEFAULT_COMPRESS_LEVEL
    standard: PdfStandard | None = None
    scale: int | None = None
    marks: bool | None = None
    jpeg: bool | None = None  # True: also a JPEG; None: as the layout says
    wait: bool = True  # for another render of the same name into the same folder; False: fail at once


@dataclass(frozen=True)
class WrittenFileSummary:
    path: Path
    kind: str  # "pdf", "png" or "jpeg"
    bytes: int
    pixels: tuple[int, int] | None
    seconds: float


@dataclass(frozen=True)
class RenderSummary:
    """What rendering one layout came to, as plain data.

    ``failure`` is None when the files were written, ``"invalid"`` for a layout that cannot be read
    (``errors`` holds its ``file:line:col field: message`` lines), ``"preflight"`` when preflight
    found errors (``findings`` has them; nothing was written), ``"error"`` for an unusable asset or
    output folder (``errors`` holds the message)."""

    layout: Path
    exit_code: int  # 0 written, 1 preflight errors, 2 invalid input
    failure: Literal["invalid", "preflight", "error"] | None
    errors: tuple[str, ...]
    findings: tuple[Finding, ...]
    files: tuple[WrittenFileSummary, ...]
    page_mm: tuple[float, float] | None  # trim size
    bleed_mm: float | None
    pdf: PdfReport | None
    max_ink: float | None
    seconds: float


def render_one(
    layout: Path,
    out_dir: Path,
    options: RenderOptions = RenderOptions(),
    progress: Callable[[str, int, int], None] | None = None,
    waiting: Callable[[str], None] | None = None,
) -> RenderSummary:
    """Render ``layout`` into ``out_dir`` (:func:`plakat.pipeline.render`) and summarise it. A
    function of its arguments and the files they name: any process may run it, and the same
    arguments give the same files. Errors a user can fix become a summary; anything else (a bug,
    Ctrl-C) is raised. ``waiting`` is called with a line when another render of the same name
    holds the output lock (:mod:`plakat.locks`) and this one waits for it."""
    from .pipeline import render

    started = time.perf_counter()

    def failed(
        failure: Literal["invalid", "preflight", "error"],
        code: int,
        errors: Sequence[str] = (),
        findings: Sequence[Finding] = (),
    ) -> RenderSummary:
        seconds = time.perf_counter() - started
        return RenderSummary(layout, code, failure, tuple(errors), tuple(findings), (), None, None, None, None, seconds)

    try:
        result = render(
            layout,
            out_dir,
            png_dpi=options.png_dpi,
            force=options.force,
            compress_level=options.compress_level,
            standard=options.standard,
            scale=options.scale,
            marks=options.marks,
            jpeg=options.jpeg,
            progress=progress,
            wait=options.wait,
            waiting=waiting,
        )
    except LayoutInvalid as error:
        return failed("invalid", error.exit_code, errors=error.lines())
    except PreflightFailed as error:
        return failed("preflight", error.exit_code, findings=error.args[0])
    except PlakatError as error:
        return failed("error", error.exit_code, errors=[str(error)])
    scene = result.scene
    files = tuple(WrittenFileSummary(f.path, f.kind, f.bytes, f.pixels, f.seconds) for f in result.files)
    return RenderSummary(
        layout,
        0,
        None,
        (),
        tuple(result.findings),
        files,
        (scene.width / EMU_PER_MM, scene.height / EMU_PER_MM),
        scene.bleed / EMU_PER_MM,
        result.pdf,
        result.max_ink,
        time.perf_counter() - started,
    )


# --- many layouts in worker processes -----------------------------------------------------------

_busy = False
_stopping = False


def _stop_here(signum, frame):
    """In a worker: an interrupt ends the layout being rendered (its temporary files are removed on
    the way out) and every one after it; an idle worker waits for the pool to close it. Only the
    first interrupt is raised: Ctrl-C reaches a worker from the terminal and again from the parent,
    and the second must not cut short the clean-up the first started."""
    global _stopping
    first, _stopping = not _stopping, True
    if _busy and first:
        raise KeyboardInterrupt


def _worker_start() -> None:
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _stop_here)


def _render_in_worker(
    layout: Path, out_dir: Path, options: RenderOptions, waiting: Callable[[str], None] | None
) -> RenderSummary:
    global _busy
    if _stopping:
        raise KeyboardInterrupt
    _busy = True
    try:
        return render_one(layout, out_dir, options, waiting=waiting)
    finally:
        _busy = False


def default_jobs() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def render_many(
    layouts: Sequence[Path],
    out_dir: Path,
    options: RenderOptions,
    jobs: int,
    finished: Callable[[RenderSummary], None] | None = None,
    waiting: Callable[[str], None] | None = None,
) -> Iterator[RenderSummary]:
    """Render ``layouts`` ``jobs`` at a time: this process and ``jobs - 1`` worker processes take
    the next layout whenever they are free. Yield the summaries in the order of ``layouts``, each
    as soon as it and all before it are done. ``finished`` is called in this process whenever any
    layout is done (for a progress bar). ``waiting`` is as for :func:`render_one`; it must be
    picklable (a module-level function), since workers call it in their own process.

    This process renders too because it has paid for its imports, fonts and profiles already: a
    worker costs about a second of CPU before its first layout, which on two cores is a tenth of
    a six-layout run. Workers get one layout at a time, so an interrupt (KeyboardInterrupt here)
    stops exactly the layouts in hand: each process removes its temporary files before the
    interrupt is raised again here."""
    context = multiprocessing.get_context(START_METHOD)
    pending = list(range(len(layouts)))  # taken from the front, under ``lock``
    done: dict[int, RenderSummary] = {}
    lock = threading.Condition()
    lost: list[str] = []
    pool = ProcessPoolExecutor(jobs - 1, mp_context=context, initializer=_worker_start)

    def take() -> int | None:
        with lock:
            return pending.pop(0) if pending else None

    def record(index: int, summary: RenderSummary) -> None:
        with lock:
            done[index] = summary
            lock.notify_all()

    def feed_workers() -> None:
        """Keep every worker busy with one layout until none is left (runs in a thread: it only
        waits on futures, so pdfium stays in this process's main thread)."""
        running: dict[Future, int] = {}
        try:
            while True:
                while len(running) < jobs - 1 and (index := take()) is not None:
                    running[pool.submit(_render_in_worker, layouts[index], out_dir, options, waiting)] = index
                if not running:
                    return
                ready, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in ready:
                    index = running.pop(future)
                    try:
                        record(index, future.result())
                    except BrokenProcessPool:
                        with lock:
                            gone = [index, *running.values(), *pending]
                            pending.clear()
                            lost.extend(str(layouts[i]) for i in gone)
                            # the temporary files of a worker killed outright: its pid no longer runs
                            remove_debris(out_dir)
                            lock.notify_all()
                        return
        except CancelledError:  # the pool was stopped: this process is being interrupted
            return

    feeder = threading.Thread(target=feed_workers, name="plakat-workers", daemon=True)
    feeder.start()
    yielded = 0
    try:
        while yielded < len(layouts):
            index = take()
            if index is not None:
                record(index, render_one(layouts[index], out_dir, options, waiting=waiting))
            else:
                with lock:
                    while yielded not in done and not lost:
                        lock.wait()
            if lost:
                raise WorkerLost(
                    f"a worker process ended without finishing ({', '.join(lost)}): killed, or out of memory? "
                    "Try a lower --jobs"
                )
            with lock:
                ready = []
                while yielded in done:
                    ready.append(done.pop(yielded))
                    yielded += 1
            for summary in ready:
                if finished:
                    finished(summary)
                yield summary
    except BaseException:
        with lock:
            pending.clear()
        _stop(pool)
        raise
    feeder.join()
    pool.shutdown(wait=True)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Interrupt every worker (each cleans up as on Ctrl-C) and wait until they have exited."""
    for process in list((pool._processes or {}).values()):
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)
