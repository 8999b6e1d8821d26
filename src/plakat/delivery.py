"""The files as delivered: what the PDF writer is asked for and what preflight holds it to.

In: the layout's ``output`` settings and the command line's overrides. Out: :class:`PdfOptions`
(standard, marks, scale, ink limit, JPEG quality of the converted images), whether a PDF is
written at all, the files' names, and the fixed facts of a delivered page (crop mark size and
distance, the PDF page limit). The PDF renderer and preflight both read these; neither imports
the other.

A layout on a screen preset (``plakat formats``: kind screen) delivers a PNG at the preset's pixel
size, a JPEG when asked, and a PDF only when ``output.pdf`` asks for one: always the RGB review
PDF (``standard: screen``), never PDF/X-4, crop marks or a scale.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import PlakatError
from .formats import FormatPreset, screen_preset
from .spec import DEFAULT_JPEG_QUALITY, DEFAULT_MAX_INK, PRINT_STANDARD, Layout, PdfSettings, PdfStandard

# A PDF page side may not exceed 14,400 units (200 in); /UserUnit makes a unit larger than 1/72 in.
MAX_PAGE_UNITS = 14400
# Crop marks: 0.25 pt lines, 6 mm long, starting 1 mm beyond the bleed and at least 3 mm from the
# trim; the page reaches 1 mm past their ends. Lengths in mm at the delivered size.
MARK_LENGTH_MM = 6.0
MARK_WIDTH_PT = 0.25
MARK_GAP_MM = 1.0
MARK_MIN_OFFSET_MM = 3.0


@dataclass(frozen=True)
class PdfOptions:
    standard: PdfStandard = PRINT_STANDARD
    marks: bool = False
    scale: int = 1  # 1:N
    max_ink: float = DEFAULT_MAX_INK
    jpeg_quality: int = DEFAULT_JPEG_QUALITY  # the print file's converted images
    # A screen PDF drawn only into a PNG of this many dpi embeds its images no sharper than the PNG
    # shows them (halved while they keep one pixel per PNG pixel): pdfium then decodes and holds
    # a quarter or less of the pixels. None: every image at its own resolution.
    image_dpi: float | None = None

    @property
    def is_print(self) -> bool:
        return self.standard == PRINT_STANDARD


SCREEN = PdfOptions("screen")


def screen_of(spec: Layout) -> FormatPreset | None:
    """The layout's screen preset, or None for a print format or a custom size."""
    return screen_preset(spec.format)


def writes_pdf(spec: Layout) -> bool:
    """Whether the layout delivers a PDF: print formats unless ``pdf: false``; screen formats only
    when ``output.pdf`` is given."""
    if spec.output.pdf is None:
        return False
    return screen_of(spec) is None or "pdf" in spec.output.model_fields_set


def pdf_options(
    spec: Layout, standard: PdfStandard | None = None, scale: int | None = None, marks: bool | None = None
) -> PdfOptions:
    """The layout's print settings (their defaults for ``pdf: false``), with the command line's
    overrides. A screen format always gets the screen standard at 1:1 without marks: the command
    line's scale and marks do not apply to it, and asking it for PDF/X-4 is an error."""
    screen = screen_of(spec)
    if screen is not None:
        if standard == PRINT_STANDARD:
            raise PlakatError(
                f"{screen.name} is a screen format: it has no PDF/X-4 print file; leave out --pdf-standard "
                "(or give screen), or use a print format"
            )
        return PdfOptions("screen", False, 1, spec.output.pdf.max_ink if spec.output.pdf else DEFAULT_MAX_INK)
    settings = spec.output.pdf or PdfSettings()
    return PdfOptions(
        standard or settings.standard,
        settings.marks if marks is None else marks,
        scale or settings.scale,
        settings.max_ink,
        settings.jpeg_quality,
    )


@dataclass(frozen=True)
class PdfReport:
    """How a PDF came out: options, /UserUnit and the page size as delivered."""

    standard: str
    scale: int
    marks: bool
    user_unit: int
    page_mm: tuple[float, float]  # MediaBox as delivered, in mm


def pdf_file_name(stem: str, scale: int) -> str:
    """``stadtbibliothek.pdf``, or ``stadtbibliothek_1-10.pdf`` for a file delivered at 1:10."""
    return f"{stem}.pdf" if scale == 1 else f"{stem}_1-{scale}.pdf"


def jpeg_file_name(stem: str) -> str:
    return f"{stem}.jpg"


def mark_offset_mm(bleed_mm: float) -> float:
    """Where crop marks start, from the trim: beyond the bleed, so trimming never leaves a piece."""
    return max(bleed_mm + MARK_GAP_MM, MARK_MIN_OFFSET_MM)
