"""Preflight: pure checks over the scene and the written files, returning findings.

In: a :class:`~plakat.scene.Scene` (its :class:`~plakat.scene.Rules` carry the format's and the
layout's thresholds), the font metrics, and for :func:`check_files` the paths of a written PDF and
PNG. Out: a list of :class:`Finding`, each with a severity, a stable code, a message, the element
it concerns and, where useful, what was measured, what is required and where on the canvas (mm
from the top-left corner of the trim). The CLI decides what findings cost.

Codes (stable; the README lists them with their meaning):
resolution-too-low, resolution-below-recommended, image-upscaled, image-oversized,
bleed-too-small, bleed-missing, text-outside-trim, text-outside-safe, focus-outside-safe,
seam-through-text, seam-through-face, text-overflow, glyph-missing, font-not-embeddable,
image-unreadable, image-colour-mode, image-orientation, pdf-boxes, font-not-embedded,
png-size, png-dpi, ink-limit, pdfx-version, pdfx-output-intent, pdfx-metadata,
pdfx-colour, pdfx-forbidden.
"""

from __future__ import annotations

import struct
import warnings
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from PIL import Image

from .assets import FontMetrics
from .render.pdf import PageGeometry, PdfOptions, PdfReport
from .scene import OVERSIZED_FACTOR, Fill, PlacedImage, Rect, Scene, TextLine
from .units import EMU_PER_INCH, EMU_PER_MM, EMU_PER_PT

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

# Modes a PDF and every RIP show alike; others are converted on the way in.
PLAIN_MODES = {"RGB", "L"}


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    message: str
    element: str
    measured: float | None = None
    required: float | None = None
    position_mm: tuple[float, float] | None = None

    def to_json(self) -> dict:
        data = asdict(self)
        if self.position_mm is not None:
            data["position_mm"] = {"x": self.position_mm[0], "y": self.position_mm[1]}
        return data


def _at(x: int, y: int) -> tuple[float, float]:
    return round(x / EMU_PER_MM, 1), round(y / EMU_PER_MM, 1)


def _centre(rect: Rect) -> tuple[float, float]:
    return _at(rect.x + rect.w // 2, rect.y + rect.h // 2)


def check_scene(scene: Scene, fonts: dict[str, FontMetrics]) -> list[Finding]:
    """Every check that needs no written file."""
    findings = [*check_resolution(scene), *check_bleed(scene), *check_safe_zone(scene),
                *check_seams(scene, fonts), *check_text(scene, fonts), *check_images(scene)]
    return sort_findings(findings)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])


def has_errors(findings: list[Finding], strict: bool = False) -> bool:
    return any(f.severity == "error" or (strict and f.severity == "warning") for f in findings)


# --- resolution ---------------------------------------------------------------------------------

def check_resolution(scene: Scene) -> list[Finding]:
    """Effective ppi along both axes (source pixels across the visible crop per placed inch)."""
    rules = scene.rules
    findings = []
    for item in scene.of_type(PlacedImage):
        ppi_x, ppi_y = item.ppi
        ppi = min(ppi_x, ppi_y)
        where = _centre(item.rect)
        name = item.image.path.name
        shown = f"{ppi_x:.0f} x {ppi_y:.0f} ppi" if round(ppi_x) != round(ppi_y) else f"{ppi:.0f} ppi"
        if ppi < rules.min_ppi:
            findings.append(Finding("error", "resolution-too-low",
                                    f"{item.element}: {name} shows {shown}, below the minimum {rules.min_ppi:g} ppi: "
                                    "use a larger image or a smaller frame", item.element, round(ppi, 1),
                                    rules.min_ppi, where))
        elif ppi < rules.recommended_ppi:
            findings.append(Finding("warning", "resolution-below-recommended",
                                    f"{item.element}: {name} shows {shown}, below the recommended "
                                    f"{rules.recommended_ppi:g} ppi", item.element, round(ppi, 1),
                                    rules.recommended_ppi, where))
        native = item.image.dpi or 72
        if native / ppi > rules.max_upscale:
            findings.append(Finding("info", "image-upscaled",
                                    f"{item.element}: {name} is shown at {native / ppi * 100:.0f} % of its own "
                                    f"{native:g} dpi (the layout allows {rules.max_upscale * 100:.0f} %)",
                                    item.element, round(native / ppi, 2), rules.max_upscale, where))
        if ppi > OVERSIZED_FACTOR * rules.recommended_ppi:
            outcome = (f"plakat embeds it {item.reduction}x smaller on each side" if item.reduction > 1
                       else "a smaller file renders faster")
            findings.append(Finding("info", "image-oversized",
                                    f"{item.element}: {name} shows {ppi:.0f} ppi, more than {OVERSIZED_FACTOR}x the "
                                    f"{rules.recommended_ppi:g} ppi needed; {outcome}",
                                    item.element, round(ppi, 1), rules.recommended_ppi, where))
    return findings


# --- bleed and safe zone ------------------------------------------------------------------------

def check_bleed(scene: Scene) -> list[Finding]:
    findings = []
    required = scene.rules.required_bleed
    if scene.bleed < required:
        findings.append(Finding("error", "bleed-too-small",
                                f"bleed is {scene.bleed / EMU_PER_MM:g} mm; {scene.format_name} needs at least "
                                f"{required / EMU_PER_MM:g} mm", "page",
                                scene.bleed / EMU_PER_MM, required / EMU_PER_MM))
    # Anything that reaches the trim edge must go on to the bleed edge, or trimming leaves a sliver.
    bleed = scene.bleed_box
    for item in scene.items:
        if not isinstance(item, (Fill, PlacedImage)):
            continue
        rect = item.rect
        short = []
        if bleed.x < rect.x <= 0:
            short.append("left")
        if bleed.y < rect.y <= 0:
            short.append("top")
        if scene.width <= rect.right < bleed.right:
            short.append("right")
        if scene.height <= rect.bottom < bleed.bottom:
            short.append("bottom")
        if short:
            findings.append(Finding("error", "bleed-missing",
                                    f"{item.element} reaches the trim but stops short of the bleed on the "
                                    f"{', '.join(short)}: extend it {scene.bleed / EMU_PER_MM:g} mm past the trim",
                                    item.element, position_mm=_centre(rect)))
    return findings


def check_safe_zone(scene: Scene) -> list[Finding]:
    """Text (the brand line included) and each portrait's focus point inside the safe area."""
    findings = []
    safe, trim = scene.safe_box, scene.trim
    for line in scene.of_type(TextLine):
        ink = line.ink
        if not trim.contains(ink):
            findings.append(Finding("error", "text-outside-trim",
                                    f"{line.element}: {line.text!r} runs past the trim and will be cut off",
                                    line.element, position_mm=_centre(ink)))
        elif not safe.contains(ink):
            findings.append(Finding("warning", "text-outside-safe",
                                    f"{line.element}: {line.text!r} lies outside the {scene.safe / EMU_PER_MM:g} mm "
                                    "safe margin", line.element, position_mm=_centre(ink)))
    for item in scene.of_type(PlacedImage):
        x, y = item.focus
        if not (safe.x <= x <= safe.right and safe.y <= y <= safe.bottom):
            findings.append(Finding("warning", "focus-outside-safe",
                                    f"{item.element}: the focus point lies outside the safe margin",
                                    item.element, position_mm=_at(x, y)))
    return findings


# --- sheet seams --------------------------------------------------------------------------------

def _glyph_spans(line: TextLine, metrics: FontMetrics) -> list[tuple[str, int, int]]:
    """Each visible character of a line with its left and right edge (EMU)."""
    spans, x = [], line.x
    for char in line.text:
        advance = round(metrics.width(char, line.size) * EMU_PER_PT)
        if not char.isspace():
            spans.append((char, x, x + advance))
        x += advance
    return spans


def check_seams(scene: Scene, fonts: dict[str, FontMetrics]) -> list[Finding]:
    """Text and faces near the lines where the print shop splits the poster into sheets."""
    columns_at, rows_at = scene.seams()
    if not columns_at and not rows_at:
        return []
    clearance = scene.rules.seam_clearance
    findings = []
    reported: set[tuple[str, int]] = set()

    def report(code: str, element: str, message: str, x: int, y: int, key: int):
        if (element, key) not in reported:
            reported.add((element, key))
            findings.append(Finding("warning", code, message, element, position_mm=_at(x, y)))

    for line in scene.of_type(TextLine):
        ink = line.ink
        for seam_y in rows_at:
            if ink.y - clearance < seam_y < ink.bottom + clearance:
                report("seam-through-text", line.element,
                       f"{line.element}: {line.text!r} lies within {clearance / EMU_PER_MM:g} mm of the "
                       f"horizontal sheet split at {seam_y / EMU_PER_MM:g} mm", ink.x + ink.w // 2, seam_y, -seam_y)
        for seam_x in columns_at:
            if line.element.startswith("caption of"):
                hit = ink.x - clearance < seam_x < ink.right + clearance
                what = repr(line.text)
            else:
                near = [c for c, left, right in _glyph_spans(line, fonts[line.font])
                        if left - clearance < seam_x < right + clearance]
                hit, what = bool(near), f"the glyph {near[0]!r} of {line.text!r}" if near else ""
            if hit:
                report("seam-through-text", line.element,
                       f"{line.element}: {what} lies within {clearance / EMU_PER_MM:g} mm of the vertical "
                       f"sheet split at {seam_x / EMU_PER_MM:g} mm", seam_x, ink.y + ink.h // 2, seam_x)
    for item in scene.of_type(PlacedImage):
        x, y = item.focus
        for seam_x in columns_at:
            if abs(x - seam_x) < clearance:
                report("seam-through-face", item.element,
                       f"{item.element}: the focus point is {abs(x - seam_x) / EMU_PER_MM:.0f} mm from the vertical "
                       f"sheet split at {seam_x / EMU_PER_MM:g} mm", seam_x, y, seam_x)
        for seam_y in rows_at:
            if abs(y - seam_y) < clearance:
                report("seam-through-face", item.element,
                       f"{item.element}: the focus point is {abs(y - seam_y) / EMU_PER_MM:.0f} mm from the "
                       f"horizontal sheet split at {seam_y / EMU_PER_MM:g} mm", x, seam_y, -seam_y)
    return findings


# --- text and fonts -----------------------------------------------------------------------------

def check_text(scene: Scene, fonts: dict[str, FontMetrics]) -> list[Finding]:
    findings = [Finding("error", note.code, note.message, note.element, position_mm=_centre(note.rect))
                for note in scene.notes]
    for key, path in scene.fonts.items():
        if not fonts[key].embedding_allowed:
            findings.append(Finding("error", "font-not-embeddable",
                                    f"font {key!r} ({path.name}) forbids embedding (OS/2 fsType): a print PDF "
                                    "must embed every font; choose another font", key))
    return findings


# --- images -------------------------------------------------------------------------------------

def check_images(scene: Scene) -> list[Finding]:
    findings = []
    seen: set[Path] = set()
    for item in scene.of_type(PlacedImage):
        info = item.image
        where = _centre(item.rect)
        if info.path not in seen:
            seen.add(info.path)
            problem = _decode_problem(info.path)
            if problem:
                findings.append(Finding("error", "image-unreadable",
                                        f"{item.element}: {info.path.name} cannot be decoded ({problem}): "
                                        "export it again", item.element, position_mm=where))
        if info.mode not in PLAIN_MODES:
            findings.append(Finding("info", "image-colour-mode",
                                    f"{item.element}: {info.path.name} is {info.format} in mode {info.mode}; "
                                    "plakat converts it (8 bit, alpha flattened onto white) through the "
                                    "output profile for print and to sRGB for the screen",
                                    item.element, position_mm=where))
        if info.orientation != 1:
            findings.append(Finding("info", "image-orientation",
                                    f"{item.element}: {info.path.name} is stored turned (EXIF orientation "
                                    f"{info.orientation}); plakat shows it upright", item.element, position_mm=where))
    return findings


def _decode_problem(path: Path) -> str | None:
    """Decode the whole file (JPEGs at a reduced scale: every byte is still read)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.format == "JPEG":
                    image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
                image.load()
    except Exception as error:  # Pillow raises many kinds for broken files
        return str(error) or type(error).__name__
    return None


# --- written files ------------------------------------------------------------------------------

def check_files(scene: Scene, pdf: Path | None, png: Path | None, png_dpi: float | None,
                pdf_report: PdfReport | None = None, max_ink: float | None = None) -> list[Finding]:
    """Check the written files; ``pdf_report`` says how the PDF was made (standard, scale, marks)."""
    findings = []
    if pdf is not None:
        options = PdfOptions(pdf_report.standard, pdf_report.marks, pdf_report.scale) if pdf_report \
            else PdfOptions("screen")
        findings += check_pdf(scene, pdf, options)
        if options.is_print:
            findings += check_pdfx(pdf)
            if pdf_report is not None and max_ink is not None:
                findings += check_ink(pdf_report, max_ink)
    if png is not None and png_dpi is not None:
        findings += check_png(scene, png, png_dpi)
    return findings


def check_ink(report: PdfReport, max_ink: float) -> list[Finding]:
    """The highest total ink the print file uses, against the layout's limit. (Within the limit it
    is no finding: the check report shows it beside the lowest ppi.)"""
    if report.max_ink is None or report.max_ink <= max_ink + 0.05:
        return []
    where = f" ({report.max_ink_element})" if report.max_ink_element else ""
    return [Finding("error", "ink-limit", f"total ink reaches {report.max_ink:g} %{where}, over the "
                                          f"{max_ink:g} % limit: lower that colour's inks or raise max_ink",
                    report.max_ink_element or "page", report.max_ink, max_ink)]


def check_pdf(scene: Scene, path: Path, options: PdfOptions = PdfOptions("screen")) -> list[Finding]:
    import pikepdf

    findings = []
    geometry = PageGeometry(scene, options.scale, options.marks)
    tolerance = 0.1 * 72 / 25.4 / geometry.scale / geometry.user_unit  # 0.1 mm on the poster
    expected = {"/MediaBox": (0, 0, geometry.width, geometry.height), "/BleedBox": geometry.bleed_box,
                "/TrimBox": geometry.trim_box}
    with pikepdf.open(path) as document:
        page = document.pages[0].obj
        stated_unit = float(page.get("/UserUnit", 1))
        if abs(stated_unit - geometry.user_unit) > 1e-6:
            findings.append(Finding("error", "pdf-boxes", f"{path.name}: /UserUnit is {stated_unit:g}, expected "
                                                          f"{geometry.user_unit}", "page"))
        for key, box in expected.items():
            actual = [float(v) for v in page.get(key, [])]
            if len(actual) != 4 or any(abs(a - b) > tolerance for a, b in zip(actual, box)):
                findings.append(Finding("error", "pdf-boxes",
                                        f"{path.name}: {key[1:]} is {actual or 'missing'}, expected "
                                        f"{[round(v, 2) for v in box]}", "page"))
        if "/ArtBox" in page:
            findings.append(Finding("error", "pdf-boxes", f"{path.name}: has an ArtBox next to its TrimBox", "page"))
        fonts = page.get("/Resources", {}).get("/Font", {})
        for key in fonts.keys():
            font = fonts[key]
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0] if descendants else font).get("/FontDescriptor")
            if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                findings.append(Finding("error", "font-not-embedded",
                                        f"{path.name}: font {font.get('/BaseFont')} is not embedded", str(key)))
    return findings


def _pdf_problems(document) -> dict[str, list[str]]:
    """Every PDF/X-4 requirement a file breaks, by finding code; read with pikepdf, independently of
    how the file was written."""
    import pikepdf

    problems: dict[str, list[str]] = {code: [] for code in
                                      ("pdfx-version", "pdfx-output-intent", "pdfx-metadata", "pdfx-colour",
                                       "pdfx-forbidden")}
    if tuple(int(p) for p in document.pdf_version.split(".")) < (1, 6):
        problems["pdfx-version"].append(f"PDF {document.pdf_version}; PDF/X-4 is PDF 1.6")
    intents = [i for i in document.Root.get("/OutputIntents", []) if i.get("/S") == pikepdf.Name.GTS_PDFX]
    if len(intents) != 1:
        problems["pdfx-output-intent"].append(f"{len(intents)} GTS_PDFX output intents; exactly one is required")
    for intent in intents:
        profile = intent.get("/DestOutputProfile")
        if profile is None:
            problems["pdfx-output-intent"].append("the output intent embeds no ICC profile")
        else:
            header = profile.read_bytes()[:20]
            if int(profile.get("/N", 0)) != 4 or header[16:20] != b"CMYK" or header[12:16] != b"prtr":
                problems["pdfx-output-intent"].append("the output intent's profile is not a CMYK output profile")
        if not str(intent.get("/OutputConditionIdentifier", "")):
            problems["pdfx-output-intent"].append("the output intent has no OutputConditionIdentifier")
    info = document.docinfo
    for key in ("/Title", "/CreationDate", "/ModDate"):
        if not str(info.get(key, "")):
            problems["pdfx-metadata"].append(f"Info has no {key[1:]}")
    if info.get("/Trapped") not in (pikepdf.Name("/True"), pikepdf.Name("/False")):
        problems["pdfx-metadata"].append("Info /Trapped is neither /True nor /False")
    if "/ID" not in document.trailer:
        problems["pdfx-metadata"].append("no document ID")
    with document.open_metadata() as meta:
        if meta.get("pdfxid:GTS_PDFXVersion") != "PDF/X-4":
            problems["pdfx-metadata"].append("XMP pdfxid:GTS_PDFXVersion is not PDF/X-4")
    if document.is_encrypted:
        problems["pdfx-forbidden"].append("the file is encrypted")
    if "/JavaScript" in document.Root.get("/Names", {}) or "/OpenAction" in document.Root:
        problems["pdfx-forbidden"].append("the file carries JavaScript or an open action")
    for page in document.pages:
        page_obj = page.obj
        bleed = [float(v) for v in page_obj.get("/BleedBox", page_obj.MediaBox)]
        for annotation in page_obj.get("/Annots", []):
            x0, y0, x1, y1 = (float(v) for v in annotation.get("/Rect", [0, 0, 0, 0]))
            if x1 > bleed[0] and x0 < bleed[2] and y1 > bleed[1] and y0 < bleed[3]:
                problems["pdfx-forbidden"].append("an annotation lies inside the bleed")
        _colour_problems(page_obj, problems["pdfx-colour"], set())
    return problems


_RGB_OPERATORS = {"rg", "RG"}


def _colour_problems(holder, problems: list[str], seen: set) -> None:
    """Walk a page or form: RGB operators, non-CMYK images and colour spaces, RGB blending groups."""
    import pikepdf

    if holder.objgen in seen and holder.objgen != (0, 0):
        return
    seen.add(holder.objgen)
    group = holder.get("/Group")
    if group is not None and group.get("/S") == pikepdf.Name.Transparency and "/CS" in group \
            and group.CS not in (pikepdf.Name.DeviceCMYK,):
        problems.append(f"a transparency group blends in {group.CS}, not in the output intent's CMYK")
    for operands, operator in pikepdf.parse_content_stream(holder):
        if str(operator) in _RGB_OPERATORS:
            problems.append(f"a colour is set in DeviceRGB ({' '.join(str(o) for o in operands)} {operator})")
            break
    resources = holder.get("/Resources", {})
    for name, space in resources.get("/ColorSpace", {}).items():
        family = space[0] if isinstance(space, pikepdf.Array) else space
        base = space[2] if isinstance(space, pikepdf.Array) and family == pikepdf.Name.Separation else family
        if base not in (pikepdf.Name.DeviceCMYK, pikepdf.Name.DeviceGray):
            problems.append(f"colour space {name} is {base}, not CMYK")
    for name, xobject in resources.get("/XObject", {}).items():
        if xobject.get("/Subtype") == pikepdf.Name.Image:
            space = xobject.get("/ColorSpace")
            if space not in (pikepdf.Name.DeviceCMYK,):
                problems.append(f"image {name} is in {space}, not the output intent's CMYK")
        elif xobject.get("/Subtype") == pikepdf.Name.Form:
            _colour_problems(xobject, problems, seen)


def check_pdfx(path: Path) -> list[Finding]:
    """PDF/X-4 requirements of a written print file, one finding per broken requirement."""
    import pikepdf

    with pikepdf.open(path) as document:
        problems = _pdf_problems(document)
    return [Finding("error", code, f"{path.name}: {message}", "pdf")
            for code, messages in problems.items() for message in dict.fromkeys(messages)]


def read_png_header(path: Path) -> tuple[int, int, float | None]:
    """Width, height and dpi (from pHYs) without decoding pixels, whatever the size."""
    with open(path, "rb") as file:
        if file.read(8) != b"\x89PNG\r\n\x1a\n":
            raise ValueError(f"{path.name} is not a PNG")
        width = height = 0
        dpi = None
        while True:
            header = file.read(8)
            if len(header) < 8:
                break
            length, kind = struct.unpack(">I4s", header)
            if kind == b"IDAT":
                break
            data = file.read(length)
            file.read(4)
            if kind == b"IHDR":
                width, height = struct.unpack(">II", data[:8])
            elif kind == b"pHYs":
                per_unit_x, _per_unit_y, unit = struct.unpack(">IIB", data)
                dpi = per_unit_x * 0.0254 if unit == 1 else None
    return width, height, dpi


def check_png(scene: Scene, path: Path, dpi: float) -> list[Finding]:
    expected = (round(scene.width * dpi / EMU_PER_INCH), round(scene.height * dpi / EMU_PER_INCH))
    try:
        width, height, stated = read_png_header(path)
    except (OSError, ValueError, struct.error, zlib.error) as error:
        return [Finding("error", "png-size", f"{path.name}: unreadable ({error})", "png")]
    findings = []
    if (width, height) != expected:
        findings.append(Finding("error", "png-size", f"{path.name} is {width} x {height} px; the trim at {dpi:g} dpi "
                                                     f"is {expected[0]} x {expected[1]} px", "png"))
    if stated is None or abs(stated - dpi) > 0.05:
        findings.append(Finding("error", "png-dpi", f"{path.name} states {stated and round(stated, 2)} dpi, "
                                                    f"not {dpi:g}", "png", stated, dpi))
    return findings
