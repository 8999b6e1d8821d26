"""The command line: a thin typer app.

In: arguments. Out: files via :mod:`plakat.pipeline`, messages on the terminal and exit codes:
0 written, 1 preflight errors, 2 invalid layout, missing asset or usage error, 130 interrupted,
70 internal error (a bug in plakat).
This is the only module that turns errors into messages and exit codes.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__
from .delivery import PdfReport
from .errors import LayoutInvalid, PlakatError, PreflightFailed
from .findings import Finding
from .formats import PRESETS
from .render.png import DEFAULT_COMPRESS_LEVEL
from .spec import PRINT_STANDARD
from .units import EMU_PER_MM

if TYPE_CHECKING:
    from .batch import RenderSummary

app = typer.Typer(
    name="plakat",
    help="Turn YAML layouts into print-ready billboard and poster PDFs and PNGs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# emoji=False: rich would otherwise print "poster.yaml:100:3" with an emoji for ":100:"
out = Console(highlight=False, soft_wrap=True, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


class PdfStandardChoice(StrEnum):
    x4 = "pdf/x-4"
    screen = "screen"


def _scale(value: str) -> int:
    """--scale 1:10 -> 10; a usage error with the layout's wording otherwise."""
    from .spec import _to_scale

    try:
        return _to_scale(value)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


_LAYOUTS_HELP = "Layout files (YAML), or folders: their layouts, sorted by name."

# check and proof judge the same print file, so they take the same options
CheckedStandard = Annotated[
    PdfStandardChoice | None,
    typer.Option("--pdf-standard", help="Check the print file as pdf/x-4 or screen; default: the layout's."),
]
CheckedScale = Annotated[
    int | None,
    typer.Option("--scale", help="Check the file delivered at this scale.", parser=_scale, metavar="<1:N>"),
]


def _version(value: bool):
    if value:
        out.print(f"plakat {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool | None, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = None,
):
    """plakat renders layouts/NAME.yaml to out/NAME.pdf and out/NAME.png."""


def _print_findings(findings: Sequence[Finding]) -> None:
    style = {"error": "bold red", "warning": "yellow", "info": "cyan"}
    for finding in findings:
        err.print(f"[{style[finding.severity]}]{finding.severity}[/] {finding.code}: {finding.message}", markup=True)


def _reporter(progress: Progress, name: str) -> Callable[[str, int, int], None]:
    """A progress callback for the pipeline: one bar per stage (PDF, PNG) of the layout ``name``."""
    tasks: dict[str, TaskID] = {}

    def report(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(f"{name}: {stage.upper()}", total=total)
        progress.update(tasks[stage], completed=done, total=total)

    return report


def _fail(error: PlakatError, layout: Path | None = None) -> typer.Exit:
    if isinstance(error, LayoutInvalid):
        for line in error.lines():
            err.print(line, markup=False)
        err.print("nothing was written", style="dim")
    elif isinstance(error, PreflightFailed):
        _print_findings(error.args[0])
        where = f"{layout}: " if layout is not None else ""
        err.print(
            f"{where}preflight found errors: nothing was written (fix them, or pass --force to write anyway)",
            markup=False,
        )
    else:
        err.print(f"error: {error}", markup=False)
    return typer.Exit(error.exit_code)


def _interruptible(command):
    """Ctrl-C or SIGTERM during a command: one line and exit code 130 (the files were cleaned up by then)."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except KeyboardInterrupt:
            err.print("interrupted: no partial files were left behind", markup=False)
            raise typer.Exit(130) from None

    return run


@app.command()
@_interruptible
def render(
    layouts: Annotated[list[Path], typer.Argument(help=_LAYOUTS_HELP, show_default=False)],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the PDF and PNG.")] = Path("out"),
    png_dpi: Annotated[
        float | None, typer.Option("--png-dpi", min=1, max=2400, help="PNG resolution; default: the format's.")
    ] = None,
    compress_level: Annotated[
        int,
        typer.Option(
            "--png-compression", min=0, max=9, help="Deflate (zlib-ng) level for the PNG: 1 fast ... 9 small."
        ),
    ] = DEFAULT_COMPRESS_LEVEL,
    force: Annotated[bool, typer.Option("--force", help="Write even when preflight finds errors.")] = False,
    pdf_standard: Annotated[
        PdfStandardChoice | None,
        typer.Option("--pdf-standard", help="pdf/x-4 (CMYK print file) or screen (RGB); default: the layout's."),
    ] = None,
    scale: Annotated[
        int | None,
        typer.Option(
            "--scale",
            help="Deliver the PDF scaled, e.g. 1:10 (file name gets _1-10); default: the layout's.",
            parser=_scale,
            metavar="<1:N>",
        ),
    ] = None,
    marks: Annotated[
        bool | None, typer.Option("--marks/--no-marks", help="Crop marks outside the bleed; default: the layout's.")
    ] = None,
    jpeg: Annotated[
        bool, typer.Option("--jpeg", help="Also OUT/<name>.jpg: the PNG's pixels as an sRGB JPEG (quality 90).")
    ] = False,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            min=0,
            help="Render this many layouts at once, each in a process of its own; 0: one per CPU.",
        ),
    ] = 1,
    no_wait: Annotated[
        bool,
        typer.Option(
            "--no-wait",
            help="When another render is writing the same name into OUT, exit 2 at once instead of waiting for it.",
        ),
    ] = False,
):
    """Render each layout to OUT/<name>.pdf and OUT/<name>.png after a preflight."""
    from .batch import RenderOptions, default_jobs, render_many, render_one

    chosen = _chosen(layouts, out_dir)
    options = RenderOptions(
        png_dpi=png_dpi,
        force=force,
        compress_level=compress_level,
        standard=pdf_standard.value if pdf_standard else None,
        scale=scale,
        marks=marks,
        jpeg=jpeg or None,
        wait=not no_wait,
    )
    jobs = min(jobs or default_jobs(), len(chosen))
    worst = 0
    if jobs <= 1:
        for layout in chosen:
            with _progress() as progress:
                summary = render_one(
                    layout, out_dir, options, progress=_reporter(progress, layout.name), waiting=_say_waiting
                )
            worst = max(worst, _print_summary(summary))
        raise typer.Exit(worst)
    # The bar redirects stdout through itself: shown only where both go to the same terminal.
    with _progress(shown=err.is_terminal and out.is_terminal) as progress:
        task = progress.add_task(f"{len(chosen)} layouts in {jobs} processes", total=len(chosen))
        try:
            for summary in render_many(
                chosen, out_dir, options, jobs, finished=lambda _: progress.advance(task), waiting=_say_waiting
            ):
                worst = max(worst, _print_summary(summary))
        except PlakatError as error:  # a worker was lost: the layouts it had are named
            progress.stop()
            raise _fail(error) from None
    raise typer.Exit(worst)


def _say_waiting(line: str) -> None:
    """The one line a render prints when another render of the same name holds the folder's lock
    (module-level: worker processes of ``-j`` call it too)."""
    err.print(line, markup=False)


def _progress(shown: bool | None = None) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not (err.is_terminal if shown is None else shown),
    )


def _print_summary(summary: RenderSummary) -> int:
    """The messages for one rendered layout, as they always were; returns its exit code."""
    if summary.failure == "invalid":
        for line in summary.errors:
            err.print(line, markup=False)
        err.print("nothing was written", style="dim")
    elif summary.failure == "preflight":
        _print_findings(summary.findings)
        err.print(
            f"{summary.layout}: preflight found errors: nothing was written "
            "(fix them, or pass --force to write anyway)",
            markup=False,
        )
    elif summary.failure == "error":
        for line in summary.errors:
            err.print(f"error: {line}", markup=False)
    else:
        _print_findings(summary.findings)
        assert summary.page_mm is not None and summary.bleed_mm is not None
        size = f"{summary.page_mm[0]:g} x {summary.page_mm[1]:g} mm"
        for file in summary.files:
            detail = (
                f"{file.pixels[0]} x {file.pixels[1]} px"
                if file.pixels
                else f"+ {summary.bleed_mm:g} mm bleed, {_pdf_kind(summary.pdf, summary.max_ink)}"
            )
            out.print(
                f"wrote {file.path}  {size}  {detail}  {file.bytes / 1e6:.1f} MB  {file.seconds:.1f} s", markup=False
            )
    return summary.exit_code


@app.command()
@_interruptible
def check(
    layouts: Annotated[list[Path], typer.Argument(help=_LAYOUTS_HELP, show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable report on stdout.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too.")] = False,
    pdf_standard: CheckedStandard = None,
    scale: CheckedScale = None,
):
    """Preflight layouts without writing output: exit 0 clean, 1 errors (or warnings with --strict),
    2 invalid input."""
    from .findings import has_errors
    from .pipeline import check as check_layout

    layouts = _chosen(layouts)
    report, worst = [], 0
    for layout in layouts:
        try:
            checked = check_layout(layout, standard=pdf_standard.value if pdf_standard else None, scale=scale)
        except LayoutInvalid as error:
            report.append({"layout": str(layout), "ok": False, "invalid": error.lines(), "findings": []})
            if not as_json:
                _fail(error)
            worst = 2
            continue
        except PlakatError as error:
            report.append({"layout": str(layout), "ok": False, "invalid": [str(error)], "findings": []})
            if not as_json:
                _fail(error)
            worst = 2
            continue
        findings = checked.findings
        failed = has_errors(findings, strict)
        worst = max(worst, 1 if failed else 0)
        pdf = {**dataclasses.asdict(checked.pdf), "max_ink": checked.max_ink}
        report.append(
            {"layout": str(layout), "ok": not failed, "pdf": pdf, "findings": [f.to_json() for f in findings]}
        )
        if not as_json:
            _print_report(layout, checked.built.scene, findings, failed, _pdf_kind(checked.pdf, checked.max_ink))
    if as_json:
        out.print(json.dumps({"strict": strict, "layouts": report}, indent=2, ensure_ascii=False), markup=False)
    raise typer.Exit(worst)


def _chosen(paths: list[Path], out_dir: Path | None = None) -> list[Path]:
    """The layouts that files and folders stand for; a folder without any is a usage error, and so
    are two layouts that would write the same files into ``out_dir``."""
    from .batch import check_distinct_names, layout_files

    try:
        chosen = layout_files(paths)
        if out_dir is not None:
            check_distinct_names(chosen, out_dir)
    except PlakatError as error:
        raise _fail(error) from None
    return chosen


def _pdf_kind(report: PdfReport | None, max_ink: float | None) -> str:
    if report is None:
        return "no PDF"
    kind = "PDF/X-4" if report.standard == PRINT_STANDARD else "screen PDF (RGB)"
    if report.scale != 1:
        kind += f" at 1:{report.scale}"
    if report.user_unit != 1:
        kind += f", /UserUnit {report.user_unit}"
    if max_ink is not None:
        kind += f", max ink {max_ink:g} %"
    return kind


def _print_report(layout: Path, scene, findings: list[Finding], failed: bool, pdf_kind: str) -> None:
    from .scene import PlacedImage

    images = scene.of_type(PlacedImage)
    lowest = min((min(i.ppi) for i in images), default=0)
    verdict = "[bold red]FAIL[/]" if failed else "[bold green]OK[/]"
    out.print(
        f"{verdict} {layout}  {scene.format_name or 'custom'} {scene.width / EMU_PER_MM:g} x "
        f"{scene.height / EMU_PER_MM:g} mm, {len(images)} images, lowest {lowest:.0f} ppi" + f", {pdf_kind}"
    )
    if not findings:
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("severity", "code", "element", "where (mm)", "message"):
        table.add_column(column, overflow="fold")
    style = {"error": "bold red", "warning": "yellow", "info": "cyan"}
    for finding in findings:
        where = f"{finding.position_mm[0]:g}, {finding.position_mm[1]:g}" if finding.position_mm else ""
        table.add_row(
            f"[{style[finding.severity]}]{finding.severity}[/]", finding.code, finding.element, where, finding.message
        )
    Console(highlight=False, emoji=False, width=None if out.is_terminal else 200).print(table)


@app.command()
@_interruptible
def proof(
    layouts: Annotated[list[Path], typer.Argument(help=_LAYOUTS_HELP, show_default=False)],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the proof image.")] = Path("out"),
    width: Annotated[int, typer.Option("--width", min=400, max=20000, help="Width of the proof in pixels.")] = 2400,
    pdf_standard: CheckedStandard = None,
    scale: CheckedScale = None,
):
    """Draw OUT/<name>.proof.png: the poster with trim, bleed, safe and split lines, portrait frames,
    focus points, effective ppi and every preflight finding marked where it occurs: the findings
    `plakat check` reports for the same options."""
    from .pipeline import proof as proof_layout

    layouts = _chosen(layouts, out_dir)
    worst = 0
    for layout in layouts:
        try:
            target, findings = proof_layout(
                layout, out_dir, width, standard=pdf_standard.value if pdf_standard else None, scale=scale
            )
        except PlakatError as error:
            worst = max(worst, _fail(error, layout).exit_code)
            continue
        counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "info")}
        out.print(
            f"wrote {target}  {counts['error']} errors, {counts['warning']} warnings, {counts['info']} info",
            markup=False,
        )
    raise typer.Exit(worst)


@app.command()
def watch(
    layout: Annotated[Path, typer.Argument(help="The layout file (YAML) to show.", show_default=False)],
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to serve on; 0: any free one.")] = 8765,
    host: Annotated[
        str, typer.Option("--host", help="Address to serve on; anything but loopback lets others see the page.")
    ] = "127.0.0.1",
    open_browser: Annotated[bool, typer.Option("--open", help="Open the page in the browser.")] = False,
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help='Folder the page\'s "Write PDF + PNG" writes into.')
    ] = Path("out"),
):
    """Serve a live preview of LAYOUT at http://127.0.0.1:8765/: the poster with its lines, portrait
    frames and findings, drawn again whenever the layout or a file it uses is saved."""
    from .watch import Watch, is_loopback, report_renders

    if not layout.is_file():
        err.print(f"{layout}: no such layout file: check the path", markup=False)
        raise typer.Exit(2)
    if not is_loopback(host):
        err.print(
            f"warning: serving on {host}: anyone who can reach this machine can see the poster and write its files",
            markup=False,
        )
    try:
        session = Watch(layout, out_dir, host, port)
    except OSError as error:
        err.print(f"error: cannot serve on {host}:{port} ({error.strerror}): try another --port", markup=False)
        raise typer.Exit(2) from None
    try:
        session.start()
        out.print(f"watching {layout} at {session.url}  (Ctrl-C stops)", markup=False)
        if open_browser:
            import webbrowser

            webbrowser.open(session.url)
        report_renders(session.service, lambda line: out.print(line, markup=False))
    except KeyboardInterrupt:
        session.stop()
        err.print("stopped watching", markup=False)
        raise typer.Exit(130) from None
    session.stop()


@app.command()
def formats(
    as_json: Annotated[bool, typer.Option("--json", help="Print every preset as JSON on stdout.")] = False,
):
    """List the format presets (print and screen) with trim, pixel size, bleed, safe margin and
    resolution thresholds."""
    from .formats import preset_data

    if as_json:
        data = {"formats": [preset_data(preset) for preset in PRESETS]}
        out.print(json.dumps(data, indent=2, ensure_ascii=False), markup=False)
        return
    table = Table(box=None, header_style="bold")
    columns = ("format", "kind", "name", "trim (mm)", "pixels", "bleed", "safe", "min ppi", "recommended", "PNG dpi")
    for column in columns:
        table.add_column(column)
    for preset in PRESETS:
        row = preset_data(preset)
        table.add_row(
            preset.name,
            preset.kind,
            preset.title,
            f"{row['trim_mm'][0]:g} x {row['trim_mm'][1]:g}",
            f"{preset.pixels[0]} x {preset.pixels[1]} px" if preset.pixels else "",
            f"{preset.bleed.mm:g} mm",
            f"{row['safe_px']} px" if preset.is_screen else f"{preset.safe.mm:g} mm",
            f"{preset.min_ppi:g}",
            f"{preset.recommended_ppi:g}",
            f"{preset.png_dpi}",
        )
    # piped output has no width of its own; rows must not fold there
    Console(highlight=False, width=None if out.is_terminal else 160).print(table)


@app.command()
def font(
    path: Annotated[Path, typer.Argument(help="A font file: .ttf, .otf, variable font or .ttc/.otc collection.")],
    index: Annotated[int | None, typer.Option("--index", help="Which font of a collection (0-based).")] = None,
):
    """Describe a font as a layout names it: outlines, collection members, variation axes, named
    instances, embedding permission and OpenType features."""
    from .fonts import FontProblem, describe_font

    try:
        font = describe_font(path, index)
    except FontProblem as problem:
        err.print(f"{problem}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    kinds = {"truetype": "TrueType outlines", "cff": "PostScript (CFF) outlines", "cff2": "CFF2 outlines"}
    lines = [f"{font.name}: {kinds[font.outlines]}, {font.glyphs} glyphs"]
    for number, member in enumerate(font.members):
        lines.append(f"  font {number}: {member}{'   <- shown' if number == font.index else ''}")
    for axis in font.axes:
        lines.append(f"  axis {axis.describe()}  {axis.name}")
    if font.instances:
        lines.append("  named instances: " + ", ".join(instance.describe() for instance in font.instances))
    permission = _embedding(font.fs_type)
    lines.append(f"  embedding: {permission}")
    lines.append("  features: " + (" ".join(font.features) or "none"))
    entry = str(path)
    if font.members:
        entry = f"{{file: {path}, index: {font.index}}}"
    elif font.axes:
        pinned = ", ".join(f"{axis.tag}: {axis.default:g}" for axis in font.axes)
        entry = f"{{file: {path}, axes: {{{pinned}}}}}"
    lines.append(f"  in a layout:  fonts: {{brand: {entry}}}")
    out.print("\n".join(lines), markup=False, highlight=False)


def _embedding(fs_type: int) -> str:
    if fs_type & 0x000F == 0x0002:
        return "forbidden (OS/2 fsType 0x0002, restricted licence): plakat cannot deliver a PDF with it"
    if fs_type & 0x0200:
        return "bitmaps only (OS/2 fsType 0x0200): plakat cannot deliver a PDF with it"
    if fs_type & 0x0100:
        return "allowed, but not as a subset (fsType 0x0100): embedded whole"
    return "allowed, as a subset"


@app.command()
def init(
    name: Annotated[str, typer.Argument(help="Name of the new layout (NAME.yaml).", show_default=False)],
    format_name: Annotated[
        str, typer.Option("--format", "-f", help="A preset of plakat formats, e.g. 18/1, clp, a1, 1080x1350.")
    ],
    folder: Annotated[Path, typer.Option("--dir", help="Folder to write the layout into.")] = Path("."),
    campaign: Annotated[
        Path | None,
        typer.Option("--campaign", help="A shared campaign file to extend; default: the one in DIR/campaign/."),
    ] = None,
):
    """Write a starting layout that renders as it is: extending the campaign file where there is
    one, or with stand-in people, portraits and fonts; every section explained in comments."""
    from .starter import init_layout

    try:
        written = init_layout(name, format_name, folder, campaign)
    except PlakatError as error:
        raise _fail(error) from None
    layout = written[0]
    extra = f" and {len(written) - 1} stand-in files in {written[1].parent}" if len(written) > 1 else ""
    out.print(f"wrote {layout}{extra}", markup=False)
    out.print(f"render it:  plakat render {layout}      preview it:  plakat watch {layout}", markup=False)


@app.command()
def schema():
    """Print the JSON Schema of the layout format (for editors)."""
    from .spec import json_schema

    out.print(json.dumps(json_schema(), indent=2, ensure_ascii=False), markup=False)


cache_app = typer.Typer(
    help="Look into or empty the conversion cache (converted portraits and fonts).", no_args_is_help=True
)
app.add_typer(cache_app, name="cache")


def _cache_folder() -> Path:
    from .cache import cache_dir

    folder = cache_dir()
    if folder is None:
        err.print("the conversion cache is off (PLAKAT_CACHE_DIR=off)", markup=False)
        raise typer.Exit(0)
    return folder


@cache_app.command("info")
def cache_info(
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.")] = False,
):
    """Show the cache folder, its entries by kind, their size, the limit and the oldest and newest use."""
    from .cache import summary

    try:
        found = summary(_cache_folder())
    except PlakatError as error:
        raise _fail(error) from None
    if as_json:
        out.print(json.dumps(found, indent=2), markup=False)
        return
    out.print(f"folder      {found['folder']}", markup=False)
    for kind, counted in found["kinds"].items():
        out.print(f"{kind:<12}{counted['entries']}  {counted['bytes'] / 1e6:.1f} MB", markup=False)
    share = found["bytes"] / found["limit"] * 100 if found["limit"] else 0
    out.print(
        f"total       {found['entries']} entries  {found['bytes'] / 1e6:.1f} MB of {found['limit'] / 1e6:.0f} MB "
        f"({share:.0f} %)",
        markup=False,
    )
    if found["entries"]:
        out.print(f"oldest use  {found['oldest_use']}\nnewest use  {found['newest_use']}", markup=False)


@cache_app.command("clear")
def cache_clear():
    """Remove plakat's entries from the cache folder (nothing else there, and no file a render is
    writing right now)."""
    from .cache import clear

    folder = _cache_folder()
    count, size = clear(folder)
    out.print(f"removed {count} files, {size / 1e6:.1f} MB, from {folder}", markup=False)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGTERM, _interrupt)
    if hasattr(signal, "SIGHUP"):  # the terminal closed: clean up as for Ctrl-C
        signal.signal(signal.SIGHUP, _interrupt)
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted: no partial files were left behind")
        sys.exit(130)
    except Exception as error:  # a bug in plakat, not the user's doing
        if os.environ.get("PLAKAT_DEBUG"):
            raise
        err.print(
            f"internal error: {type(error).__name__}: {error} (set PLAKAT_DEBUG=1 for details and report it)",
            markup=False,
        )
        sys.exit(70)
