"""PDF renderer.

In: a :class:`~plakat.scene.Scene` and a target path. Out: a one-page PDF whose MediaBox is trim plus
bleed, with TrimBox and BleedBox set, fonts embedded as subsets, text as real text and portrait JPEGs
carried byte for byte (the crop is a clipping path, not a resample).

Bytes depend only on the scene: dates come from SOURCE_DATE_EPOCH (or a fixed epoch) and the
document ID from the content, so the same layout renders to the same file.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

from PIL import Image, ImageOps
from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from .. import __version__
from ..errors import AssetError, OutputError
from ..scene import Fill, PlacedImage, Rect, Scene, TextLine
from ..units import EMU_PER_MM, EMU_PER_PT

# A PDF page side may not exceed 14,400 units (200 in) without /UserUnit.
MAX_PAGE_PT = 14400


@contextlib.contextmanager
def _plain_streams():
    # ASCII85 wrapping makes embedded JPEGs 25 % larger and many times slower to write.
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def font_name(path: Path) -> str:
    """A name for the font that depends only on its bytes, so PDFs are the same on every machine."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
    return f"{path.stem}-{digest}"


def _register(path: Path) -> str:
    name = font_name(path)
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(path)))
    return name


class _Page:
    """Converts scene coordinates (EMU, top-left of the trim, y down) to PDF points (y up)."""

    def __init__(self, scene: Scene):
        self.bleed = scene.bleed
        self.width_pt = (scene.width + 2 * scene.bleed) / EMU_PER_PT
        self.height_pt = (scene.height + 2 * scene.bleed) / EMU_PER_PT

    def x(self, x: float) -> float:
        return (x + self.bleed) / EMU_PER_PT

    def y(self, y: float) -> float:
        return self.height_pt - (y + self.bleed) / EMU_PER_PT

    def rect(self, rect: Rect) -> tuple[float, float, float, float]:
        """Left, bottom, width, height in points."""
        return self.x(rect.x), self.y(rect.bottom), rect.w / EMU_PER_PT, rect.h / EMU_PER_PT


def write_pdf(scene: Scene, target: Path) -> None:
    page = _Page(scene)
    if max(page.width_pt, page.height_pt) > MAX_PAGE_PT:
        side = (max(scene.width, scene.height) + 2 * scene.bleed) / EMU_PER_MM
        raise OutputError(f"the page is {side:.0f} mm on its long side; PDF pages end at 5080 mm (200 in). "
                          "Deliver it scaled (e.g. 1:10): set size: to a tenth and multiply ppi needs by 10")
    fonts = {key: _register(path) for key, path in scene.fonts.items()}
    with _plain_streams():
        canvas = Canvas(str(target), pagesize=(page.width_pt, page.height_pt), invariant=1, pageCompression=1,
                        initialFontName=next(iter(fonts.values()), None) or "Helvetica")
        canvas.setTitle(scene.title)
        canvas.setCreator(f"plakat {__version__}")
        canvas.setSubject(f"{scene.format_name or 'custom'} {scene.width / EMU_PER_MM:g} x "
                          f"{scene.height / EMU_PER_MM:g} mm, bleed {scene.bleed / EMU_PER_MM:g} mm")
        bleed_pt = scene.bleed / EMU_PER_PT
        canvas.setBleedBox((0, 0, page.width_pt, page.height_pt))
        canvas.setTrimBox((bleed_pt, bleed_pt, page.width_pt - bleed_pt, page.height_pt - bleed_pt))
        for item in scene.items:
            if isinstance(item, Fill):
                _fill(canvas, page, item)
            elif isinstance(item, PlacedImage):
                _image(canvas, page, item)
            elif isinstance(item, TextLine):
                _text(canvas, page, item, fonts[item.font])
        canvas.showPage()
        canvas.save()


def _fill(canvas: Canvas, page: _Page, item: Fill) -> None:
    canvas.setFillColorRGB(*item.color.unit_rgb)
    canvas.rect(*page.rect(item.rect), stroke=0, fill=1)


def _image(canvas: Canvas, page: _Page, item: PlacedImage) -> None:
    left, top, right, bottom = item.crop
    scale_x = item.rect.w / (right - left)  # EMU per source pixel
    scale_y = item.rect.h / (bottom - top)
    info = item.image
    full = Rect(item.rect.x - left * scale_x, item.rect.y - top * scale_y,
                info.width * scale_x, info.height * scale_y)
    canvas.saveState()
    clip = canvas.beginPath()
    clip.rect(*page.rect(item.rect))
    canvas.clipPath(clip, stroke=0, fill=0)
    try:
        source = str(info.path) if info.embeds_unchanged else ImageReader(_upright_rgb(info.path))
    except OSError as error:
        raise AssetError(f"{item.element}: {info.path} cannot be decoded ({error}): export it again") from None
    canvas.drawImage(source, *page.rect(full))
    canvas.restoreState()


def _upright_rgb(path: Path) -> Image.Image:
    """Pixels for images a PDF cannot carry as they are: turned upright and made RGB."""
    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)
        if image.mode in ("RGBA", "LA", "P", "PA"):
            image = image.convert("RGBA")
            flat = Image.new("RGB", image.size, (255, 255, 255))
            flat.paste(image, mask=image.getchannel("A"))
            return flat
        return image.convert("RGB")


def _text(canvas: Canvas, page: _Page, item: TextLine, name: str) -> None:
    canvas.setFillColorRGB(*item.color.unit_rgb)
    canvas.setFont(name, item.size)
    canvas.drawString(page.x(item.x), page.y(item.baseline), item.text)
