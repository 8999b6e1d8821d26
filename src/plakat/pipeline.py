"""The whole path from layout file to files on disk.

In: a layout path and output options. Out: :class:`RenderResult` listing the files written and the
preflight findings; or a :class:`~plakat.errors.PlakatError`. Stages run one way:
load and validate -> probe assets -> build the scene -> preflight -> draw the print PDF -> draw a
screen PDF and rasterise it into the PNG (and the JPEG, from the same pixels) -> check the files ->
move them into place together.

A screen format (social media) writes its PNG at exactly the preset's pixel size (72 dpi, whatever
``png_dpi`` the command line gives), a JPEG when asked, and a PDF only when the layout asks for
one, as an RGB review PDF; check and proof judge it with the screen standard, so no PDF/X finding
applies.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

from .assets import Assets, probe_assets
from .cms import ColourManager
from .delivery import (
    SCREEN,
    PdfOptions,
    PdfReport,
    jpeg_file_name,
    pdf_file_name,
    pdf_options,
    screen_of,
    writes_pdf,
)
from .errors import PreflightFailed, Problem
from .findings import Finding, has_errors, sort_findings
from .formats import SCREEN_DPI
from .layout import LayoutProblems, build_scene
from .layout.elements import element_name
from .locks import output_lock
from .memory import release_freed_memory
from .output import AtomicOutputs, remove_debris
from .preflight import check_files, check_scene
from .render.jpeg import JpegCanvas
from .render.pdf import PreparedImages, write_pdf
from .render.png import DEFAULT_COMPRESS_LEVEL, png_size, write_png
from .render.proof import write_proof
from .scene import Scene, TextLine
from .spec import LoadedLayout, PdfStandard, load_layout


@dataclass(frozen=True)
class WrittenFile:
    path: Path
    kind: str
    bytes: int
    pixels: tuple[int, int] | None
    seconds: float


@dataclass(frozen=True)
class RenderResult:
    layout: LoadedLayout
    scene: Scene
    findings: list[Finding]
    files: list[WrittenFile]
    pdf: PdfReport | None = None
    max_ink: float | None = None  # the print file's highest total ink, as preflight read it


@dataclass(frozen=True)
class Built:
    layout: LoadedLayout
    assets: Assets
    scene: Scene

    def colours(self, options: PdfOptions) -> ColourManager:
        assert self.assets.profile is not None  # probe_assets always loads one
        return ColourManager(self.assets.profile, options.max_ink)


def build(path: Path) -> Built:
    """Layout file to scene; LayoutInvalid (with file, line and column) for anything wrong."""
    loaded = load_layout(path)
    assets = probe_assets(loaded)
    try:
        return Built(loaded, assets, build_scene(loaded.spec, assets))
    except LayoutProblems as problems:
        raise loaded.invalid(problems.problems) from None


def scene_findings(built: Built) -> list[Finding]:
    """The scene's preflight. An image that cannot be decoded, or a font whose outlines for the
    layout's text cannot be read, is invalid input rather than a finding: it is refused with the
    layout line that names it."""
    findings = check_scene(built.scene, built.assets.fonts)
    unreadable = [f for f in findings if f.code == "image-unreadable"]
    spec = built.layout.spec
    places: dict[str, tuple[str | int, ...]] = {
        element_name(element, i): ("elements", i, "image") for i, element in enumerate(spec.elements)
    }
    places.update({person.name: ("people", i, "portrait") for i, person in enumerate(spec.people)})
    problems = [Problem(places[f.element], f.message) for f in unreadable if f.element in places]
    used: dict[str, str] = {}
    for line in built.scene.of_type(TextLine):
        for glyph in line.glyphs:
            used[glyph.font or line.font] = used.get(glyph.font or line.font, "") + glyph.char
    for key, text in used.items():
        metrics = built.assets.fonts[key]
        broken = metrics.damaged(text)
        if broken:
            shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in broken[:5])
            problems.append(
                Problem(
                    ("fonts", key),
                    f"{metrics.source or metrics.path} is damaged: the outlines of {shown} cannot be "
                    "read; copy or download the font file again",
                )
            )
    if problems:
        raise built.layout.invalid(problems)
    return findings


@dataclass(frozen=True)
class CheckResult:
    built: Built
    findings: list[Finding]
    pdf: PdfReport
    max_ink: float | None  # the print file's highest total ink, as preflight read it


def _preflight_with_pdf(built: Built, pdf: Path, options: PdfOptions) -> CheckResult:
    """Scene checks, then draw ``pdf`` and check it too."""
    findings = scene_findings(built)
    report = write_pdf(built.scene, pdf, built.colours(options), options, preview=True)
    checked = check_files(built.layout.spec, pdf, None, None, options)
    return CheckResult(built, sort_findings(findings + checked.findings), report, checked.max_ink)


def check(
    path: Path, *, standard: PdfStandard | None = None, scale: int | None = None, marks: bool | None = None
) -> CheckResult:
    """Every preflight check, the print PDF's included (drawn into a scratch folder)."""
    built = build(path)
    options = pdf_options(built.layout.spec, standard, scale, marks)
    with tempfile.TemporaryDirectory(prefix="plakat-check-") as scratch:
        return _preflight_with_pdf(built, Path(scratch) / "check.pdf", options)


def proof(
    path: Path, out_dir: Path, width_px: int = 2400, *, standard: PdfStandard | None = None, scale: int | None = None
) -> tuple[Path, list[Finding]]:
    """Preflight exactly as :func:`check` does for the same options, then draw OUT/<stem>.proof.png:
    the page (from a screen PDF) with its lines, frames and findings."""
    built = build(path)
    options = pdf_options(built.layout.spec, standard, scale)
    target = out_dir / f"{Path(path).stem}.proof.png"
    with tempfile.TemporaryDirectory(prefix="plakat-proof-") as scratch, AtomicOutputs() as outputs:
        findings = _preflight_with_pdf(built, Path(scratch) / "check.pdf", options).findings
        screen = Path(scratch) / "screen.pdf"
        write_pdf(built.scene, screen, built.colours(SCREEN), SCREEN, preview=True)
        write_proof(built.scene, screen, findings, outputs.temporary_for(target), width_px)
        outputs.commit()
    return target, findings


# A PNG (or JPEG) larger than this many bytes of pixels is drawn before the portraits' conversion
# for print starts, not beside it: so large a picture needs the photos at full size in pdfium
# (the 18/1 at 100 dpi and more), and both at once would pass 400 MB.
OVERLAP_RASTER_BYTES = 128 << 20


def render(
    path: Path,
    out_dir: Path,
    *,
    png_dpi: float | None = None,
    force: bool = False,
    compress_level: int = DEFAULT_COMPRESS_LEVEL,
    standard: PdfStandard | None = None,
    scale: int | None = None,
    marks: bool | None = None,
    jpeg: bool | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    wait: bool = True,
    waiting: Callable[[str], None] | None = None,
) -> RenderResult:
    """Preflight, then write OUT/<stem>.pdf (the print file, named with its scale when not 1:1),
    OUT/<stem>.png (sRGB, rasterised from a screen PDF of the same scene) and, when ``jpeg`` or
    the layout's ``output.jpeg`` asks, OUT/<stem>.jpg of the same pixels: all or none.

    Writing holds the lock of OUT/<stem> (:func:`plakat.locks.output_lock`: with ``wait`` it calls
    ``waiting`` once and waits for another render of that name, without it raises OutputBusy) and
    first removes the temporary files that dead renders left in OUT (:func:`remove_debris`)."""
    built = build(path)
    loaded, scene = built.layout, built.scene
    output = loaded.spec.output
    options = pdf_options(loaded.spec, standard, scale, marks)
    colours = built.colours(options)
    # a screen format is its pixel size: no other resolution applies
    dpi = SCREEN_DPI if screen_of(loaded.spec) is not None else png_dpi or scene.png_dpi
    want_jpeg = output.jpeg if jpeg is None else jpeg
    stem = Path(path).stem
    pdf_final, png_final = out_dir / pdf_file_name(stem, options.scale), out_dir / f"{stem}.png"
    # The PNG and JPEG are for screens: drawn from sRGB design colours, never from CMYK numbers, so
    # from a screen PDF of their own unless the delivered PDF is one.
    raster_from_pdf = writes_pdf(loaded.spec) and not (options.is_print or options.scale != 1 or options.marks)
    written: list[tuple[Path, str, tuple[int, int] | None, float]] = []
    with tempfile.TemporaryDirectory(prefix="plakat-images-") as scratch, ExitStack() as stack:
        images = None
        print_after_raster = writes_pdf(loaded.spec) and not raster_from_pdf
        raster_width, raster_height = png_size(scene, dpi)
        small_raster = not (output.png or want_jpeg) or 3 * raster_width * raster_height <= OVERLAP_RASTER_BYTES
        if print_after_raster and small_raster:
            # The portraits' conversion for print starts now, one at a time while the scene's checks
            # and the screen side (PNG, JPEG) use the other core, on all threads once the PNG is written.
            images = stack.enter_context(PreparedImages(scene, colours, options, Path(scratch), at_first=1))
        findings = scene_findings(built)
        if has_errors(findings) and not force:
            raise PreflightFailed(findings)
        stack.enter_context(output_lock(out_dir, stem, wait=wait, waiting=waiting))
        outputs = stack.enter_context(AtomicOutputs())
        remove_debris(out_dir)
        pdf_temp, report = None, None
        png_temp = jpeg_temp = None

        def write_print_pdf() -> None:
            nonlocal pdf_temp, report
            pdf_temp = outputs.temporary_for(pdf_final)
            started = time.perf_counter()
            if progress:
                progress("pdf", 0, 1)
            report = write_pdf(scene, pdf_temp, colours, options, images=images)
            if progress:
                progress("pdf", 1, 1)
            written.append((pdf_final, "pdf", None, time.perf_counter() - started))

        if raster_from_pdf:
            write_print_pdf()
        if output.png or want_jpeg:
            started = time.perf_counter()
            canvas = None
            if want_jpeg:
                jpeg_final = out_dir / jpeg_file_name(stem)
                jpeg_temp = outputs.temporary_for(jpeg_final)
                canvas = JpegCanvas(*png_size(scene, dpi), dpi)  # refuses a size JPEG cannot hold, before drawing
            if output.png:
                png_temp = outputs.temporary_for(png_final)
            raster_source = pdf_temp
            if not raster_from_pdf:
                raster_source = outputs.temporary_for(out_dir / f"{stem}.screen.pdf", keep=False)
                write_pdf(scene, raster_source, colours, replace(SCREEN, image_dpi=dpi), preview=True)
            assert raster_source is not None
            if png_temp is not None:
                pixels = write_png(
                    raster_source,
                    scene,
                    png_temp,
                    dpi,
                    level=compress_level,
                    progress=(lambda done, total: progress("png", done, total)) if progress else None,
                    strip_sink=canvas.add if canvas is not None else None,
                )
                written.append((png_final, "png", pixels, time.perf_counter() - started))
                release_freed_memory()  # pdfium's and the compressors' buffers, before the print PDF
            if canvas is not None and jpeg_temp is not None:
                if png_temp is not None:  # the PNG's time includes the drawing: this is the encoding
                    started = time.perf_counter()
                else:
                    canvas.draw(raster_source, scene)
                pixels = canvas.save(jpeg_temp)
                written.append((jpeg_final, "jpeg", pixels, time.perf_counter() - started))
        if print_after_raster:
            if images is None:
                images = stack.enter_context(PreparedImages(scene, colours, options, Path(scratch)))
            images.use_all_threads()
            write_print_pdf()
        checked = check_files(
            loaded.spec, pdf_temp, png_temp, dpi, options if pdf_temp is not None else SCREEN, jpeg=jpeg_temp
        )
        findings = sort_findings(findings + checked.findings)
        if has_errors(checked.findings) and not force:
            raise PreflightFailed(findings)
        outputs.commit()
    order = ("pdf", "png", "jpeg")  # as they are listed, whichever was drawn first
    files = [
        WrittenFile(final, kind, final.stat().st_size, pixels, seconds)
        for final, kind, pixels, seconds in sorted(written, key=lambda entry: order.index(entry[1]))
    ]
    return RenderResult(loaded, scene, findings, files, report, checked.max_ink)
