"""Preflight of the written files, read back with readers of its own.

In: the validated layout (:class:`~plakat.spec.Layout`), the :class:`~plakat.delivery.PdfOptions`
the print file was asked for, and the paths of a written PDF, PNG and JPEG. Out:
:class:`FileChecks`: the findings, and the highest total ink found in the print file.

What the files should be is computed here from the layout and its format preset (trim, bleed,
marks, scale, page limit), never taken from the code that wrote them: a box the writer computes
wrongly fails here. The PDF is read with pikepdf, its CMYK images decoded with Pillow, the PNG
header and the JPEG's markers parsed by hand. A screen format's PNG and JPEG must have exactly the
preset's pixel size.
"""

from __future__ import annotations

import hashlib
import io
import math
import struct
import threading
import zlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pikepdf
from PIL import Image

from ..delivery import (
    MARK_GAP_MM,
    MARK_LENGTH_MM,
    MAX_PAGE_UNITS,
    SCREEN,
    PdfOptions,
    mark_offset_mm,
)
from ..findings import Finding, finding
from ..formats import CUSTOM, find_preset
from ..imagefiles import PNG_SIGNATURE
from ..pdfobjects import embedded_font_file, operations, resources
from ..spec import Layout
from ..units import EMU_PER_MM, pixels

PT_PER_MM = 72 / 25.4
BOX_TOLERANCE_MM = 0.1  # on the poster


@dataclass(frozen=True)
class ExpectedPage:
    """The page a layout asks for, in mm at full size: trim and bleed; the trim also exactly (EMU),
    and a screen format's size in pixels."""

    width_mm: float
    height_mm: float
    bleed_mm: float
    width: int = 0  # EMU
    height: int = 0
    screen_pixels: tuple[int, int] | None = None
    format_name: str | None = None

    @classmethod
    def of(cls, spec: Layout) -> ExpectedPage:
        preset = find_preset(spec.format) if spec.format is not None else CUSTOM
        width, height = (spec.size.width, spec.size.height) if spec.size is not None else (preset.width, preset.height)
        bleed = spec.bleed if spec.bleed is not None else preset.bleed
        return cls(
            width / EMU_PER_MM,
            height / EMU_PER_MM,
            bleed / EMU_PER_MM,
            width,
            height,
            preset.pixels if preset.is_screen else None,
            spec.format,
        )

    def pixels_at(self, dpi: float) -> tuple[int, int]:
        """The trim in whole pixels at ``dpi``."""
        return pixels(self.width, dpi), pixels(self.height, dpi)

    def boxes(self, options: PdfOptions) -> tuple[int, dict[str, tuple[float, float, float, float]]]:
        """/UserUnit and the MediaBox, BleedBox and TrimBox (PDF units) of the delivered file."""
        bleed = self.bleed_mm / options.scale
        margin = mark_offset_mm(bleed) + MARK_LENGTH_MM + MARK_GAP_MM if options.marks else bleed
        trim_w, trim_h = self.width_mm / options.scale, self.height_mm / options.scale
        media_w, media_h = trim_w + 2 * margin, trim_h + 2 * margin
        user_unit = max(1, math.ceil(max(media_w, media_h) * PT_PER_MM / MAX_PAGE_UNITS - 1e-9))
        unit = PT_PER_MM / user_unit

        def box(inset: float) -> tuple[float, float, float, float]:
            return inset * unit, inset * unit, (media_w - inset) * unit, (media_h - inset) * unit

        return user_unit, {"/MediaBox": box(0), "/BleedBox": box(margin - bleed), "/TrimBox": box(margin)}


@dataclass(frozen=True)
class FileChecks:
    findings: list[Finding]
    max_ink: float | None  # highest total ink in the print file, percent; None for a screen PDF


def check_files(
    spec: Layout,
    pdf: Path | None,
    png: Path | None,
    png_dpi: float | None,
    options: PdfOptions = SCREEN,
    jpeg: Path | None = None,
) -> FileChecks:
    """Every check of the written files; ``options`` say what the PDF was asked to be."""
    findings: list[Finding] = []
    max_ink = None
    if pdf is not None:
        findings += check_pdf(spec, pdf, options)
        if options.is_print:
            findings += check_pdfx(pdf)
            max_ink, where = measure_ink(pdf)
            findings += check_ink(max_ink, where, options.max_ink)
    if png is not None and png_dpi is not None:
        findings += check_png(spec, png, png_dpi)
    if jpeg is not None and png_dpi is not None:
        findings += check_jpeg(spec, jpeg, png_dpi)
    return FileChecks(findings, max_ink)


def check_pdf(spec: Layout, path: Path, options: PdfOptions = SCREEN) -> list[Finding]:
    """Page boxes and /UserUnit as the layout asks for them, no ArtBox, every font embedded."""
    findings = []
    user_unit, expected = ExpectedPage.of(spec).boxes(options)
    tolerance = BOX_TOLERANCE_MM * PT_PER_MM / options.scale / user_unit
    with pikepdf.open(path) as document:
        page = document.pages[0].obj
        stated_unit = float(page.get("/UserUnit", 1))
        if abs(stated_unit - user_unit) > 1e-6:
            findings.append(
                finding("pdf-boxes", f"{path.name}: /UserUnit is {stated_unit:g}, expected {user_unit}", "page")
            )
        for key, box in expected.items():
            actual = [float(v) for v in page.get(key, [])]
            if len(actual) != 4 or any(abs(a - b) > tolerance for a, b in zip(actual, box)):
                findings.append(
                    finding(
                        "pdf-boxes",
                        f"{path.name}: {key[1:]} is {actual or 'missing'}, expected {[round(v, 2) for v in box]}",
                        "page",
                    )
                )
        if "/ArtBox" in page:
            findings.append(finding("pdf-boxes", f"{path.name}: has an ArtBox next to its TrimBox", "page"))
        fonts = resources(page, "/Font")
        for key in fonts:
            font = fonts[key]
            if embedded_font_file(font) is None:
                findings.append(
                    finding("font-not-embedded", f"{path.name}: font {font.get('/BaseFont')} is not embedded", str(key))
                )
    return findings


# --- ink ----------------------------------------------------------------------------------------

_CMYK_OPERATORS = {"k", "K"}
# with four operands these set CMYK: plakat's print file has no other four-component colour space
_COMPONENT_OPERATORS = {"sc", "scn", "SC", "SCN"}


def _content_holders(page: Any) -> list[Any]:
    """The page and every form XObject it draws (a PDF logo, forms inside it), each once."""
    found, seen, waiting = [], set(), [page]
    while waiting:
        holder = waiting.pop()
        if holder.objgen != (0, 0) and holder.objgen in seen:
            continue
        seen.add(holder.objgen)
        found.append(holder)
        waiting += [x for x in resources(holder, "/XObject").values() if x.get("/Subtype") == pikepdf.Name.Form]
    return found


def measure_ink(path: Path) -> tuple[float, str]:
    """The highest total ink (C+M+Y+K, percent) of any colour the page sets and any pixel of its
    CMYK images, and what reached it. Registration colour (the crop marks) is not counted: it lies
    outside the poster."""
    highest, where = 0.0, "page"
    with pikepdf.open(path) as document:
        holders = _content_holders(document.pages[0].obj)
        for holder in holders:
            for operands, operator in operations(holder):
                if operator in _CMYK_OPERATORS or (operator in _COMPONENT_OPERATORS and len(operands) == 4):
                    inks = [float(v) * 100 for v in operands]
                    if sum(inks) > highest:
                        highest = sum(inks)
                        where = "the colour cmyk({:g}, {:g}, {:g}, {:g})".format(*(round(v, 1) for v in inks))
        cmyk_images = [
            (name, xobject)
            for holder in holders
            for name, xobject in resources(holder, "/XObject").items()
            if xobject.get("/Subtype") == pikepdf.Name.Image and xobject.get("/ColorSpace") == pikepdf.Name.DeviceCMYK
        ]
        # pikepdf reads each stream here, just before it is needed: decoding and summing release the
        # GIL, so two threads share them, and no more than two images are held at a time
        with ThreadPoolExecutor(max_workers=2) as pool:
            waiting: deque[tuple[str, Any, Future[float]]] = deque()
            for name, xobject in cmyk_images:
                if len(waiting) == 2:
                    highest, where = _higher(highest, where, *waiting.popleft())
                waiting.append((name, xobject, pool.submit(_image_ink, _encoded_image(xobject))))
            while waiting:
                highest, where = _higher(highest, where, *waiting.popleft())
    return round(highest, 1), where


def _higher(highest: float, where: str, name: str, xobject: Any, ink: Future[float]) -> tuple[float, str]:
    if ink.result() > highest:
        return ink.result(), f"a pixel of the {xobject.Width} x {xobject.Height} px image {name}"
    return highest, where


def _encoded_image(xobject: Any) -> bytes | Image.Image:
    """A JPEG's bytes as stored (decoded later, off the main thread), or any other image decoded."""
    filters = xobject.get("/Filter")
    if isinstance(filters, pikepdf.Array) and len(filters) == 1:
        filters = filters[0]
    if filters == pikepdf.Name.DCTDecode:
        return bytes(xobject.read_raw_bytes())
    return pikepdf.PdfImage(xobject).as_pil_image()


def _image_ink(encoded: bytes | Image.Image) -> float:
    if isinstance(encoded, bytes):
        return _jpeg_ink(hashlib.sha256(encoded).digest(), encoded)
    return _image_pixels_ink(encoded if encoded.mode == "CMYK" else encoded.convert("CMYK"))


_jpeg_inks: dict[bytes, float] = {}
_jpeg_inks_lock = threading.Lock()


def _jpeg_ink(digest: bytes, encoded: bytes) -> float:
    """The highest total ink of a CMYK JPEG; remembered by content, since checking the same
    portraits again (check, then render) would decode the same bytes again."""
    known = _jpeg_inks.get(digest)
    if known is not None:
        return known
    # Pillow undoes Adobe's inverted CMYK itself, as a /Decode [1 0 ...] array asks
    with Image.open(io.BytesIO(encoded)) as image:
        image.load()
        ink = _image_pixels_ink(image if image.mode == "CMYK" else image.convert("CMYK"))
    with _jpeg_inks_lock:
        _jpeg_inks[digest] = ink
        while len(_jpeg_inks) > 256:
            del _jpeg_inks[next(iter(_jpeg_inks))]
    return ink


def _image_pixels_ink(image: Image.Image) -> float:
    """The highest C+M+Y+K of a CMYK image, read out 256 rows at a time (no full-size copy). A
    pixel's four bytes are one 32-bit word: adding its bytes pairwise within the word, then the
    two halves, sums all of them in a few passes over the words."""
    image.load()
    highest = 0
    for top in range(0, image.height, 256):
        words = np.frombuffer(image.crop((0, top, image.width, min(image.height, top + 256))).tobytes(), np.uint32)
        pairs = (words & 0x00FF00FF) + ((words >> 8) & 0x00FF00FF)
        highest = max(highest, int(((pairs & 0xFFFF) + (pairs >> 16)).max(initial=0)))
    return highest / 255 * 100


def check_ink(max_ink: float, where: str, limit: float) -> list[Finding]:
    """The highest total ink against the layout's limit. (Within the limit it is no finding: the
    check report shows it beside the lowest ppi.)"""
    if max_ink <= limit + 0.05:
        return []
    return [
        finding(
            "ink-limit",
            f"total ink reaches {max_ink:g} % in {where}, over the {limit:g} % limit: "
            "lower that colour's inks or raise max_ink",
            "page",
            max_ink,
            limit,
        )
    ]


# --- PDF/X-4 ------------------------------------------------------------------------------------


def _pdf_problems(document) -> dict[str, list[str]]:
    """Every PDF/X-4 requirement a file breaks, by finding code; read with pikepdf, independently of
    how the file was written."""
    problems: dict[str, list[str]] = {
        code: [] for code in ("pdfx-version", "pdfx-output-intent", "pdfx-metadata", "pdfx-colour", "pdfx-forbidden")
    }
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
    if holder.objgen in seen and holder.objgen != (0, 0):
        return
    seen.add(holder.objgen)
    group = holder.get("/Group")
    if (
        group is not None
        and group.get("/S") == pikepdf.Name.Transparency
        and "/CS" in group
        and group.CS not in (pikepdf.Name.DeviceCMYK,)
    ):
        problems.append(f"a transparency group blends in {group.CS}, not in the output intent's CMYK")
    for operands, operator in operations(holder):
        if operator in _RGB_OPERATORS:
            problems.append(f"a colour is set in DeviceRGB ({' '.join(str(o) for o in operands)} {operator})")
            break
        if operator in ("cs", "CS") and operands and operands[0] == pikepdf.Name.DeviceRGB:
            problems.append(f"a colour space is set to DeviceRGB (/DeviceRGB {operator})")
            break
    for name, space in resources(holder, "/ColorSpace").items():
        family = space[0] if isinstance(space, pikepdf.Array) else space
        base = space[2] if isinstance(space, pikepdf.Array) and family == pikepdf.Name.Separation else family
        if base not in (pikepdf.Name.DeviceCMYK, pikepdf.Name.DeviceGray):
            problems.append(f"colour space {name} is {base}, not CMYK")
    for name, xobject in resources(holder, "/XObject").items():
        if xobject.get("/Subtype") == pikepdf.Name.Image:
            space = xobject.get("/ColorSpace")
            if space not in (pikepdf.Name.DeviceCMYK,):
                problems.append(f"image {name} is in {space}, not the output intent's CMYK")
        elif xobject.get("/Subtype") == pikepdf.Name.Form:
            _colour_problems(xobject, problems, seen)


def check_pdfx(path: Path) -> list[Finding]:
    """PDF/X-4 requirements of a written print file, one finding per broken requirement."""
    with pikepdf.open(path) as document:
        problems = _pdf_problems(document)
    return [
        finding(code, f"{path.name}: {message}", "pdf")
        for code, messages in problems.items()
        for message in dict.fromkeys(messages)
    ]


def read_png_header(path: Path) -> tuple[int, int, float | None]:
    """Width, height and dpi (from pHYs) without decoding pixels, whatever the size."""
    with open(path, "rb") as file:
        if file.read(8) != PNG_SIGNATURE:
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


def check_png(spec: Layout, path: Path, dpi: float) -> list[Finding]:
    """The PNG shows the trim the layout asks for at ``dpi`` and says so in its pHYs chunk; a screen
    format's PNG has exactly the preset's pixel size."""
    page = ExpectedPage.of(spec)
    expected = page.pixels_at(dpi)
    try:
        width, height, stated = read_png_header(path)
    except (OSError, ValueError, struct.error, zlib.error) as error:
        return [finding("png-size", f"{path.name}: unreadable ({error})", "png")]
    findings = []
    if page.screen_pixels is not None and (width, height) != page.screen_pixels:
        findings.append(
            finding(
                "png-size",
                f"{path.name} is {width} x {height} px; {page.format_name} is "
                f"{page.screen_pixels[0]} x {page.screen_pixels[1]} px",
                "png",
            )
        )
    elif (width, height) != expected:
        findings.append(
            finding(
                "png-size",
                f"{path.name} is {width} x {height} px; the trim at {dpi:g} dpi is {expected[0]} x {expected[1]} px",
                "png",
            )
        )
    if stated is None or abs(stated - dpi) > 0.05:
        findings.append(
            finding("png-dpi", f"{path.name} states {stated and round(stated, 2)} dpi, not {dpi:g}", "png", stated, dpi)
        )
    return findings


# JPEG start-of-frame markers (baseline, extended, progressive, lossless ...; not DHT, JPG or DAC)
_SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_ICC_SIGNATURE = b"ICC_PROFILE\x00"


@dataclass(frozen=True)
class JpegHeader:
    width: int
    height: int
    components: int
    icc: bytes | None  # the embedded profile, its APP2 pieces joined in order


def read_jpeg_header(path: Path) -> JpegHeader:
    """Size, number of colour components and the embedded ICC profile, from the markers before the
    image data, without decoding it."""
    with open(path, "rb") as file:
        data = file.read(1 << 20)  # the markers before the first scan lie at the start
    if data[:2] != b"\xff\xd8":
        raise ValueError(f"{path.name} is not a JPEG")
    position, pieces, frame = 2, {}, None
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            raise ValueError(f"{path.name}: no marker at byte {position}")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        segment = data[position + 4 : position + 2 + length]
        if marker == 0xE2 and segment.startswith(_ICC_SIGNATURE):
            pieces[segment[12]] = segment[14:]
        elif marker in _SOF_MARKERS:
            _precision, height, width, components = struct.unpack(">BHHB", segment[:6])
            frame = (width, height, components)
        elif marker == 0xDA:  # start of scan: the header is over
            break
        position += 2 + length
    if frame is None:
        raise ValueError(f"{path.name}: no frame header")
    icc = b"".join(pieces[index] for index in sorted(pieces)) if pieces else None
    return JpegHeader(*frame, icc)


def check_jpeg(spec: Layout, path: Path, dpi: float) -> list[Finding]:
    """The JPEG has the PNG's pixel size (a screen format's exactly), three components, and embeds
    an RGB ICC profile."""
    page = ExpectedPage.of(spec)
    expected = page.screen_pixels or page.pixels_at(dpi)
    try:
        header = read_jpeg_header(path)
    except (OSError, ValueError, struct.error, IndexError) as error:
        return [finding("jpeg-size", f"{path.name}: unreadable ({error})", "jpeg")]
    findings = []
    if (header.width, header.height) != expected:
        findings.append(
            finding(
                "jpeg-size",
                f"{path.name} is {header.width} x {header.height} px, not {expected[0]} x {expected[1]} px",
                "jpeg",
            )
        )
    if header.components != 3:
        findings.append(
            finding("jpeg-colour", f"{path.name} has {header.components} colour components, not RGB", "jpeg")
        )
    if header.icc is None or header.icc[16:20] != b"RGB ":
        findings.append(finding("jpeg-colour", f"{path.name} embeds no RGB (sRGB) ICC profile", "jpeg"))
    return findings
