"""PDF renderer.

In: a :class:`~plakat.scene.Scene`, a target path, a :class:`~plakat.cms.ColourManager` and
:class:`PdfOptions` (standard, crop marks, scale). Out: a one-page PDF and a :class:`PdfReport`.

Two standards come from the same drawing code and differ only in colour and metadata:

- ``pdf/x-4`` (for print): PDF 1.6 with one GTS_PDFX output intent embedding the CMYK output
  profile, every colour and every image in that profile's CMYK (portraits converted and re-encoded
  once as high-quality JPEGs, total ink limited), XMP with pdfxid:GTS_PDFXVersion, /Trapped /False.
- ``screen``: plain sRGB for review; RGB JPEGs are carried byte for byte.

Both: MediaBox is trim plus bleed (plus room for crop marks when asked), TrimBox and BleedBox set,
no ArtBox, fonts embedded as subsets, text as real text, crops as clipping paths. A scale of 1:N
draws every length N times smaller. A page still over 200 inches is written with /UserUnit.

Bytes depend only on the inputs: dates come from SOURCE_DATE_EPOCH (or a fixed epoch) and the
document ID from the content, so the same layout renders to the same file.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import itertools
import math
import os
import tempfile
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
from reportlab import rl_config
from reportlab.graphics import renderPDF
from reportlab.lib.colors import CMYKColorSep
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from .. import __version__
from ..assets import ImageInfo
from ..cms import DEFAULT_PROFILE, ColourManager, PrintImage, load_output_profile
from ..color import Color
from ..delivery import (
    MARK_GAP_MM,
    MARK_LENGTH_MM,
    MARK_WIDTH_PT,
    MAX_PAGE_UNITS,
    PdfOptions,
    PdfReport,
    mark_offset_mm,
)
from ..errors import AssetError
from ..logos import LogoProblem, pdf_logo_extent, pdf_logo_form, recoloured_svg
from ..memory import release_freed_memory
from ..pdfobjects import embedded_font_file, operations, resources
from ..scene import MAX_REDUCTION, Fill, PlacedImage, PlacedVector, QrCode, Rect, Scene, TextLine
from ..units import EMU_PER_MM, EMU_PER_PT, mm
from .pdffonts import FontProgram, PlacedGlyph, embed, prepare_subset, show_glyphs

FIXED_EPOCH = 946684800  # 2000-01-01, when SOURCE_DATE_EPOCH is not set


def document_epoch() -> int:
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else FIXED_EPOCH


@contextlib.contextmanager
def _plain_streams():
    # ASCII85 wrapping makes embedded JPEGs 25 % larger and many times slower to write.
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


@functools.lru_cache(maxsize=32)
def _font_program(path: Path, size: int, mtime: int) -> FontProgram:
    del size, mtime  # part of the cache key: a font file replaced in place is read again
    return FontProgram.from_file(path)


def font_program(path: Path) -> FontProgram:
    stat = path.stat()
    return _font_program(path, stat.st_size, stat.st_mtime_ns)


class _Text:
    """The text of the page: one font resource per font file (keys that name the same file share
    it), and for each the text every used glyph stands for (its ToUnicode entry)."""

    def __init__(self, scene: Scene, preview: bool):
        self.preview = preview
        files = sorted(set(scene.fonts.values()))
        self.programs = {path: font_program(path) for path in files}
        self.resource_of = {path: f"/T{index}" for index, path in enumerate(files)}
        self.file_of = dict(scene.fonts)
        self.glyph_texts: dict[Path, dict[int, str]] = {path: {} for path in files}

    def operators(self, line: TextLine, geometry: PageGeometry) -> str:
        size = geometry.length(line.size * EMU_PER_PT)
        drawn = []
        for font, run in itertools.groupby(line.glyphs, key=lambda glyph: glyph.font or line.font):
            path = self.file_of[font]
            glyphs = list(run)
            texts = self.glyph_texts[path]
            for glyph in glyphs:
                if glyph.char and not texts.get(glyph.gid):
                    texts[glyph.gid] = glyph.char
                texts.setdefault(glyph.gid, "")
            placed = [
                PlacedGlyph(glyph.gid, geometry.x(glyph.x), geometry.y(line.baseline - glyph.rise)) for glyph in glyphs
            ]
            drawn.append(show_glyphs(self.resource_of[path], size, placed, self.programs[path]))
        return "\n".join(drawn)

    def prepare_subsets(self) -> None:
        """Make the font subsets :meth:`embed` will need for the operators made so far, ahead of time."""
        for path, texts in self.glyph_texts.items():
            if texts:
                prepare_subset(self.programs[path], texts)

    def embed(self, pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
        fonts = {}
        for path, texts in self.glyph_texts.items():
            if not texts:
                continue
            try:
                fonts[self.resource_of[path]] = embed(pdf, self.programs[path], texts, preview=self.preview)
            except ValueError as error:
                raise AssetError(
                    f"{error}: a PDF that leaves this machine cannot carry it, whatever --force says; "
                    "choose another font"
                ) from None
        return pikepdf.Dictionary(fonts)


class PageGeometry:
    """Scene coordinates (EMU at 1:1, top-left of the trim, y down) to PDF units (y up), at 1:N,
    with room for marks, and /UserUnit when the page would pass 200 inches."""

    def __init__(self, scene: Scene, scale: int = 1, marks: bool = False):
        self.scale = scale
        self.bleed = scene.bleed / scale  # EMU in the delivered file
        # Marks start beyond the bleed, so trimming never leaves a piece of one on the poster.
        self.mark_offset = mm(mark_offset_mm(self.bleed / EMU_PER_MM)) if marks else 0
        self.margin = self.mark_offset + mm(MARK_LENGTH_MM + MARK_GAP_MM) if marks else self.bleed
        width = scene.width / scale + 2 * self.margin
        height = scene.height / scale + 2 * self.margin
        self.user_unit = max(1, math.ceil(max(width, height) / EMU_PER_PT / MAX_PAGE_UNITS))
        self.emu_per_unit = EMU_PER_PT * self.user_unit
        self.width = width / self.emu_per_unit
        self.height = height / self.emu_per_unit
        self.trim_w = scene.width / scale / self.emu_per_unit
        self.trim_h = scene.height / scale / self.emu_per_unit

    def length(self, emu: float) -> float:
        return emu / self.scale / self.emu_per_unit

    def file_length(self, emu: float) -> float:
        """A length meant at the delivered size (marks), not the poster's."""
        return emu / self.emu_per_unit

    def x(self, x: float) -> float:
        return (x / self.scale + self.margin) / self.emu_per_unit

    def y(self, y: float) -> float:
        return self.height - (y / self.scale + self.margin) / self.emu_per_unit

    def rect(self, rect: Rect) -> tuple[float, float, float, float]:
        """Left, bottom, width, height in PDF units."""
        return self.x(rect.x), self.y(rect.bottom), self.length(rect.w), self.length(rect.h)

    @property
    def trim_box(self) -> tuple[float, float, float, float]:
        m = self.margin / self.emu_per_unit
        return m, m, self.width - m, self.height - m

    @property
    def bleed_box(self) -> tuple[float, float, float, float]:
        m = (self.margin - self.bleed) / self.emu_per_unit
        return m, m, self.width - m, self.height - m


class _Painter:
    """Sets colours in the file's colour space."""

    def __init__(self, canvas: Canvas, colours: ColourManager, is_print: bool):
        self.canvas = canvas
        self.colours = colours
        self.is_print = is_print

    def fill(self, color: Color) -> None:
        if self.is_print:
            self.canvas.setFillColorCMYK(*self.colours.print_cmyk(color))
        else:
            self.canvas.setFillColorRGB(*self.colours.screen_rgb(color))

    def recolour(self, space: str, values: tuple[float, ...]) -> tuple[str, tuple[float, ...]]:
        """A logo's colour as this file sets it: CMYK through the output profile (ink-limited) in
        print, sRGB on screen; CMYK given in a logo passes to print unchanged."""
        if space == "cmyk":
            if self.is_print:
                return space, values
            return "rgb", self.colours.screen_rgb(Color(cmyk=tuple(v * 100 for v in values)))  # type: ignore[arg-type]
        if space == "gray":
            values = (values[0],) * 3
        if not self.is_print:
            return "rgb", values
        r, g, b = (min(255, max(0, round(v * 255))) for v in values)
        return "cmyk", self.colours.print_cmyk(Color(rgb=(r, g, b)))


def default_colours() -> ColourManager:
    return ColourManager(load_output_profile(DEFAULT_PROFILE, Path(".")))


def write_pdf(
    scene: Scene,
    target: Path,
    colours: ColourManager | None = None,
    options: PdfOptions | None = None,
    *,
    preview: bool = False,
    images: PreparedImages | None = None,
) -> PdfReport:
    """Draw ``scene`` into ``target``. ``preview`` marks a file that stays on this machine (a
    preflight scratch file, the source of a PNG), which may carry fonts whose licence forbids
    embedding in a file that is passed on. ``images``: the scene's images already being prepared
    for these ``options`` (else they are prepared here)."""
    options = options or PdfOptions()
    colours = colours or default_colours()
    geometry = PageGeometry(scene, options.scale, options.marks)
    text = _Text(scene, preview)
    with contextlib.ExitStack() as stack:
        stack.enter_context(_plain_streams())
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="plakat-pdf-")))
        if images is None:
            images = stack.enter_context(PreparedImages(scene, colours, options, scratch))
        # the text's work (glyph runs, font subsets) is done while the images are still being made
        operators = {id(item): text.operators(item, geometry) for item in scene.of_type(TextLine)}
        text.prepare_subsets()
        # drawn into a file, not memory: pikepdf then copies the images' data from it as it saves
        drawn = scratch / "drawn.pdf"
        canvas = Canvas(
            str(drawn),
            pagesize=(geometry.width, geometry.height),
            invariant=1,
            pageCompression=1,
        )
        painter = _Painter(canvas, colours, options.is_print)
        pdf_logos: dict[Path, str] = {}
        canvas.setBleedBox(geometry.bleed_box)
        canvas.setTrimBox(geometry.trim_box)
        for item in scene.items:
            if isinstance(item, Fill):
                painter.fill(item.color)
                canvas.rect(*geometry.rect(item.rect), stroke=0, fill=1)
            elif isinstance(item, PlacedImage):
                _image(canvas, geometry, item, images.source((item.image.path, item.reduction)))
            elif isinstance(item, TextLine):
                painter.fill(item.color)
                canvas.addLiteral(operators[id(item)])
            elif isinstance(item, QrCode):
                _qr_code(canvas, geometry, painter, item)
            elif isinstance(item, PlacedVector):
                _vector(canvas, geometry, painter, item, pdf_logos)
        if options.marks:
            _crop_marks(canvas, geometry, options.is_print)
        canvas.showPage()
        canvas.save()
        recolour = painter.recolour
        del canvas, painter  # reportlab's document holds every image's data until it is dropped
        _finish(drawn, target, scene, options, geometry, colours, text, pdf_logos, recolour)
    unit_mm = geometry.emu_per_unit / EMU_PER_MM
    return PdfReport(
        options.standard,
        options.scale,
        options.marks,
        geometry.user_unit,
        (round(geometry.width * unit_mm, 3), round(geometry.height * unit_mm, 3)),
    )


# Three threads for two cores: Pillow's JPEG encoder holds the GIL, so with two one core idles
# while a thread encodes; a third keeps littleCMS busy meanwhile (the PDF/X-4 alone of nine photos:
# 2.5 s instead of 3.0 s, medians of three).
IMAGE_THREADS = 3


class PreparedImages:
    """The images of a scene made ready for one PDF with ``options``: converted to the output
    profile for print (see :meth:`ColourManager.print_image`), or for a screen PDF decoded smaller
    where its PNG needs fewer pixels. The work starts at once on IMAGE_THREADS threads (littleCMS,
    the JPEG decoder and numpy release the GIL), so a caller can do other work meanwhile and hand
    this to :func:`write_pdf`; files it makes are kept in ``scratch`` until the PDF is written.

    ``at_first``: how many images are prepared at a time until :meth:`use_all_threads` (a caller
    that needs a core and memory meanwhile gives 1); None: IMAGE_THREADS from the start. Leaving
    the ``with`` block cancels what has not started."""

    def __init__(
        self,
        scene: Scene,
        colours: ColourManager,
        options: PdfOptions,
        scratch: Path,
        *,
        at_first: int | None = None,
    ):
        placed = scene.of_type(PlacedImage)
        wanted = list(dict.fromkeys((item.image.path, item.reduction) for item in placed))
        infos = {item.image.path: item.image for item in placed}
        # an image placed twice for a PNG is embedded for the sharper of its places
        smaller: dict[tuple[Path, int], int] = {}
        if options.image_dpi:
            for item in placed:
                key = (item.image.path, item.reduction)
                smaller[key] = min(smaller.get(key, MAX_REDUCTION), _screen_reduction(item, options))

        self._turns = threading.Semaphore(IMAGE_THREADS)
        self._held = IMAGE_THREADS - at_first if at_first is not None else 0
        for _ in range(self._held):
            self._turns.acquire()

        def prepare(number: int, key: tuple[Path, int]) -> object:
            with self._turns:
                return _prepare_image(colours, options, scratch, number, infos[key[0]], smaller.get(key, key[1]))

        self._pool = ThreadPoolExecutor(
            max_workers=min(IMAGE_THREADS, max(1, len(wanted))), thread_name_prefix="plakat-image"
        )
        self._pending = {key: self._pool.submit(prepare, number, key) for number, key in enumerate(wanted)}
        self._fetched: set[tuple[Path, int]] = set()

    def source(self, key: tuple[Path, int]) -> object:
        """What to hand reportlab for one (image, reduction) of the scene, once it is ready."""
        ready = self._pending[key].result()
        self._fetched.add(key)
        if len(self._fetched) == len(self._pending):
            release_freed_memory()  # the conversions' full-size buffers, before the PDF is assembled
        return ready

    def use_all_threads(self) -> None:
        """From now on, prepare IMAGE_THREADS images at a time."""
        if self._held:
            self._turns.release(self._held)
            self._held = 0

    def __enter__(self) -> PreparedImages:
        return self

    def __exit__(self, *exc_info) -> None:
        self.use_all_threads()  # a preparation waiting for its turn would never end otherwise
        self._pool.shutdown(wait=True, cancel_futures=True)


def _prepare_image(
    colours: ColourManager, options: PdfOptions, scratch: Path, number: int, info: ImageInfo, reduction: int
) -> object:
    path = info.path
    try:
        if options.is_print:
            converted: PrintImage = colours.print_image(path, scratch, reduction, options.jpeg_quality)
            return str(converted.path)
        if info.embeds_unchanged and reduction == 1:
            return str(path)
        image = colours.screen_image(path, reduction)
        if info.format == "JPEG" and options.image_dpi:
            # a photo for a PNG only: JPEG again, at a quality no screen shows and without chroma
            # subsampling, instead of reportlab's far slower and larger Flate (a delivered review
            # PDF keeps the lossless Flate)
            smaller = scratch / f"screen-{number}.jpg"
            image.save(smaller, "JPEG", quality=95, subsampling=0)
            return str(smaller)
        return ImageReader(image)
    except (OSError, ValueError) as error:
        raise AssetError(f"{path} cannot be decoded ({error}): export it again") from None


def _screen_reduction(item: PlacedImage, options: PdfOptions) -> int:
    """How many times smaller on each side ``item`` can be embedded for a PNG of
    ``options.image_dpi``: halved while at least one image pixel stays behind every PNG pixel."""
    ppi = min(item.ppi) / item.reduction
    factor = item.reduction
    while factor < MAX_REDUCTION and ppi / 2 >= (options.image_dpi or 0):
        factor, ppi = factor * 2, ppi / 2
    return factor


def _image(canvas: Canvas, geometry: PageGeometry, item: PlacedImage, source) -> None:
    left, top, right, bottom = item.crop
    scale_x = item.rect.w / (right - left)  # EMU per source pixel
    scale_y = item.rect.h / (bottom - top)
    info = item.image
    full = Rect(
        round(item.rect.x - left * scale_x),
        round(item.rect.y - top * scale_y),
        round(info.width * scale_x),
        round(info.height * scale_y),
    )
    canvas.saveState()
    clip = canvas.beginPath()
    clip.rect(*geometry.rect(item.rect))
    canvas.clipPath(clip, stroke=0, fill=0)
    canvas.drawImage(source, *geometry.rect(full))
    canvas.restoreState()


def _qr_code(canvas: Canvas, geometry: PageGeometry, painter: _Painter, item: QrCode) -> None:
    """The background square, then the dark modules as one path of rectangles, each a horizontal
    run of dark modules, so neighbours leave no hairline between them."""
    painter.fill(item.background)
    canvas.rect(*geometry.rect(item.rect), stroke=0, fill=1)
    painter.fill(item.color)
    count = len(item.modules)
    path = canvas.beginPath()
    for row, modules in enumerate(item.modules):
        top = item.rect.y + item.rect.h * row / count
        bottom = item.rect.y + item.rect.h * (row + 1) / count
        column = 0
        for dark, run in itertools.groupby(modules):
            length = len(list(run))
            if dark == "1":
                left = item.rect.x + item.rect.w * column / count
                right = item.rect.x + item.rect.w * (column + length) / count
                x0, y0 = geometry.x(left), geometry.y(bottom)
                path.rect(x0, y0, geometry.x(right) - x0, geometry.y(top) - y0)
            column += length
    canvas.drawPath(path, stroke=0, fill=1)


def _vector(
    canvas: Canvas, geometry: PageGeometry, painter: _Painter, item: PlacedVector, pdf_logos: dict[Path, str]
) -> None:
    """An SVG drawn as paths, or a PDF logo's form XObject (added to the page when it is
    finished), scaled so ``item.crop`` fills ``item.rect``, clipped to it."""
    left, top, right, _bottom = item.crop
    scale = geometry.length(item.rect.w) / (right - left)  # PDF units per logo point
    # the logo's own top-left corner in PDF units (y up)
    origin_x = geometry.x(item.rect.x) - left * scale
    origin_y = geometry.y(item.rect.y) + top * scale
    canvas.saveState()
    clip = canvas.beginPath()
    clip.rect(*geometry.rect(item.rect))
    canvas.clipPath(clip, stroke=0, fill=0)
    if item.kind == "svg":
        try:
            drawing = recoloured_svg(item.path, painter.recolour)
        except LogoProblem as error:
            raise AssetError(str(error)) from None
        canvas.translate(origin_x, origin_y - item.size[1] * scale)
        canvas.scale(scale, scale)
        renderPDF.draw(drawing, canvas, 0, 0)
    else:
        if item.path not in pdf_logos:
            pdf_logos[item.path] = "/Fm" + hashlib.sha256(item.path.read_bytes()).hexdigest()[:24]
        try:
            extent_x, extent_y, _width, _height = pdf_logo_extent(item.path)
        except LogoProblem as error:
            raise AssetError(str(error)) from None
        bottom_y = origin_y - item.size[1] * scale
        # the form draws from its extent's lower-left corner, which goes to the logo's
        canvas.addLiteral(
            f"{scale:.6f} 0 0 {scale:.6f} {origin_x:.4f} {bottom_y:.4f} cm "
            f"1 0 0 1 {-extent_x:.4f} {-extent_y:.4f} cm {pdf_logos[item.path]} Do"
        )
    canvas.restoreState()


def _crop_marks(canvas: Canvas, geometry: PageGeometry, is_print: bool) -> None:
    """Eight 0.25 pt lines in the trim's prolongation, beyond the bleed, in registration colour."""
    if is_print:
        canvas.setStrokeColor(CMYKColorSep(1, 1, 1, 1, spotName="All"))
    else:
        canvas.setStrokeColorRGB(0, 0, 0)
    canvas.setLineWidth(MARK_WIDTH_PT / geometry.user_unit)
    left, bottom, right, top = geometry.trim_box
    offset = geometry.file_length(geometry.mark_offset)
    length = geometry.file_length(mm(MARK_LENGTH_MM))
    for x, y in ((left, bottom), (left, top), (right, bottom), (right, top)):
        out_x = -1 if x == left else 1
        out_y = -1 if y == bottom else 1
        canvas.line(x + out_x * offset, y, x + out_x * (offset + length), y)
        canvas.line(x, y + out_y * offset, x, y + out_y * (offset + length))


def _name_images_by_content(pdf: pikepdf.Pdf, page: pikepdf.Dictionary) -> None:
    """reportlab names an image after its file's path, which would put the cache folder's location
    into the bytes of the PDF; name each after its content instead."""
    images = resources(page, "/XObject")
    if not images:
        return
    renames = {
        name: pikepdf.Name("/Im" + hashlib.sha256(images[name].read_raw_bytes()).hexdigest()[:24]) for name in images
    }
    drawing = [
        (operands if operator != "Do" else [renames.get(str(operands[0]), operands[0])], pikepdf.Operator(operator))
        for operands, operator in operations(page)
    ]
    page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(drawing))
    page.Resources.XObject = pikepdf.Dictionary({str(renames[name]): images[name] for name in images})


def _add_pdf_logos(pdf: pikepdf.Pdf, page: pikepdf.Dictionary, logos: dict[Path, str], recolour) -> None:
    if not logos:
        return
    if "/XObject" not in page.Resources:
        page.Resources.XObject = pikepdf.Dictionary()
    for path, name in logos.items():
        try:
            form, _extent = pdf_logo_form(pdf, path, recolour)
        except LogoProblem as error:
            raise AssetError(str(error)) from None
        page.Resources.XObject[name] = form


def _replace_fonts(pdf: pikepdf.Pdf, page: pikepdf.Dictionary, text: _Text) -> None:
    """The page's fonts are plakat's own; reportlab's canvas names its default font (Helvetica,
    never embedded, never used for a glyph) when it opens the page: that goes."""
    ours = text.embed(pdf)
    drawing = [
        (operands, pikepdf.Operator(operator))
        for operands, operator in operations(page)
        if not (operator == "Tf" and str(operands[0]) not in ours)
    ]
    page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(drawing))
    if ours:
        page.Resources.Font = ours
    elif "/Font" in page.Resources:
        del page.Resources["/Font"]


def _content_digest(page: pikepdf.Dictionary, title: str) -> str:
    """A digest of what the page shows: drawing, images and fonts, not where their files were."""
    digest = hashlib.sha256(title.encode())
    digest.update(page.Contents.read_bytes())
    for name in sorted(resources(page, "/XObject").keys()):
        digest.update(name.encode())
    fonts = resources(page, "/Font")
    for name in sorted(fonts.keys()):
        program = embedded_font_file(fonts[name])
        if program is not None:
            digest.update(program.read_raw_bytes())
    return digest.hexdigest()


def _pdf_date(moment: datetime.datetime) -> str:
    return moment.strftime("D:%Y%m%d%H%M%S+00'00'")


def _finish(
    drawn: Path,
    target: Path,
    scene: Scene,
    options: PdfOptions,
    geometry: PageGeometry,
    colours: ColourManager,
    text: _Text,
    pdf_logos: dict[Path, str] | None = None,
    recolour=None,
) -> None:
    """Metadata, output intent and /UserUnit on the drawn page, saved with a content-derived ID;
    PDF logos added as form XObjects under the names the page's drawing gave them."""
    moment = datetime.datetime.fromtimestamp(document_epoch(), datetime.UTC)
    title = scene.title
    subject = (
        f"{scene.format_name or 'custom'} {scene.width / EMU_PER_MM:g} x {scene.height / EMU_PER_MM:g} mm, "
        f"bleed {scene.bleed / EMU_PER_MM:g} mm, scale 1:{options.scale}"
    )
    with pikepdf.open(drawn) as pdf:
        page = pdf.pages[0].obj
        _name_images_by_content(pdf, page)
        _add_pdf_logos(pdf, page, pdf_logos or {}, recolour)
        _replace_fonts(pdf, page, text)
        document_id = f"uuid:{uuid.UUID(_content_digest(page, title)[:32])}"
        if geometry.user_unit != 1:
            page.UserUnit = geometry.user_unit
        info = pdf.docinfo
        info.Title = title
        info.Subject = subject
        info.Creator = f"plakat {__version__}"
        info.Producer = f"plakat {__version__} (ReportLab, pikepdf)"
        info.CreationDate = info.ModDate = _pdf_date(moment)
        info.Trapped = pikepdf.Name("/False")
        for unused in ("/Author", "/Keywords"):
            if unused in info:
                del info[unused]
        if options.is_print:
            profile = colours.profile
            info.GTS_PDFXVersion = "PDF/X-4"
            icc = pdf.make_stream(profile.data)
            icc.N = 4
            intent = pikepdf.Dictionary(
                Type=pikepdf.Name.OutputIntent,
                S=pikepdf.Name.GTS_PDFX,
                OutputConditionIdentifier=profile.identifier,
                OutputCondition=profile.condition,
                Info=profile.description,
                DestOutputProfile=icc,
            )
            if profile.registry:
                intent.RegistryName = profile.registry
            pdf.Root.OutputIntents = pikepdf.Array([intent])
        iso = moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["dc:title"] = title
            meta["dc:format"] = "application/pdf"
            meta["xmp:CreateDate"] = meta["xmp:ModifyDate"] = meta["xmp:MetadataDate"] = iso
            meta["xmp:CreatorTool"] = str(info.Creator)
            meta["pdf:Producer"] = str(info.Producer)
            meta["pdf:Trapped"] = "False"
            meta["xmpMM:DocumentID"] = document_id
            meta["xmpMM:InstanceID"] = document_id
            meta["xmpMM:VersionID"] = "1"
            meta["xmpMM:RenditionClass"] = "default"
            if options.is_print:
                meta["pdfxid:GTS_PDFXVersion"] = "PDF/X-4"
        version = "1.6" if options.is_print or geometry.user_unit != 1 else "1.4"
        pdf.save(target, deterministic_id=True, force_version=version, fix_metadata_version=False)
