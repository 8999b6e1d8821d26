"""The scene: everything a renderer draws, already positioned.

In: built by :func:`plakat.layout.build_scene`. Out: consumed by the renderers and by preflight.
All geometry is in EMU (see :mod:`plakat.units`), measured from the top-left corner of the trim
with y growing downwards; negative coordinates and those beyond the trim reach into the bleed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .color import Color
from .formats import EMU_PER_PX, screen_preset
from .units import EMU_PER_INCH, EMU_PER_MM

if TYPE_CHECKING:  # the scene is read by the spec's anchors, which the asset probe depends on
    from .assets import ImageInfo


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    w: int
    h: int

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    def inset(self, amount: int) -> Rect:
        return Rect(self.x + amount, self.y + amount, self.w - 2 * amount, self.h - 2 * amount)

    def inset_sides(self, insets: tuple[int, int, int, int]) -> Rect:
        """``self`` drawn in by (top, right, bottom, left)."""
        top, right, bottom, left = insets
        return Rect(self.x + left, self.y + top, self.w - left - right, self.h - top - bottom)

    def contains(self, other: Rect) -> bool:
        return self.x <= other.x and self.y <= other.y and other.right <= self.right and other.bottom <= self.bottom

    def overlaps(self, other: Rect) -> bool:
        return self.x < other.right and other.x < self.right and self.y < other.bottom and other.y < self.bottom


@dataclass(frozen=True)
class Fill:
    """A solid rectangle."""

    rect: Rect
    color: Color
    element: str


# An image sharper than this many times the recommended ppi is embedded reduced, keeping at least
# KEEP_FACTOR times the recommended ppi: the print gains nothing, renders lose time and memory.
OVERSIZED_FACTOR = 4
KEEP_FACTOR = 2
MAX_REDUCTION = 8  # JPEG decoders scale by 1/2, 1/4 and 1/8 while decoding


def embed_reduction(ppi: float, recommended_ppi: float) -> int:
    """The power-of-two factor by which an image showing ``ppi`` is embedded smaller (1: as it is)."""
    factor = 1
    if ppi <= OVERSIZED_FACTOR * recommended_ppi:
        return factor
    while factor < MAX_REDUCTION and ppi / (factor * 2) >= KEEP_FACTOR * recommended_ppi:
        factor *= 2
    return factor


@dataclass(frozen=True)
class PlacedImage:
    """An image shown through ``rect``: the source region ``crop`` (pixels: left, top, right,
    bottom, as displayed after EXIF orientation) is scaled to fill ``rect`` exactly. ``reduction``
    says the renderers embed the image that many times smaller on each side (1: its own pixels).
    A portrait has a ``focus``; a raster logo (an element) has none and may have a ``min_size``."""

    rect: Rect
    crop: tuple[float, float, float, float]
    image: ImageInfo
    element: str
    focus: tuple[int, int] | None  # where the focus point lands on the page, EMU; None for a logo
    reduction: int = 1
    min_size: int | None = None  # EMU; a logo drawn narrower or lower than this is too small

    @property
    def is_logo(self) -> bool:
        return self.focus is None

    @property
    def ppi(self) -> tuple[float, float]:
        """Effective resolution along x and y: source pixels per placed inch."""
        left, top, right, bottom = self.crop
        return ((right - left) * EMU_PER_INCH / self.rect.w, (bottom - top) * EMU_PER_INCH / self.rect.h)


@dataclass(frozen=True)
class Glyph:
    """One shaped glyph of a set line. ``char`` is the text it stands for: one character, a
    ligature's characters, or "" for a glyph that continues the cluster before it. ``x`` is where
    the glyph's origin sits on the page and ``advance`` how far it moves the pen, EMU; ``font`` is
    the font key it is drawn from (a fallback font for characters the line's font lacks), ``gid``
    its glyph id there, and ``rise`` a shift above the baseline (accents placed by the font)."""

    char: str
    x: int
    advance: int
    font: str = ""
    gid: int = 0
    rise: int = 0


@dataclass(frozen=True)
class TextLine:
    """One line of text, already broken and sized. ``x`` is the left end of the line's advance,
    ``baseline`` its baseline; ``box`` is the frame the line was fitted into; ``glyphs`` are its
    characters as the text module placed them."""

    text: str
    font: str
    size: float  # points
    x: int
    baseline: int
    width: int
    color: Color
    element: str
    box: Rect
    ascent: int = 0  # EMU above the baseline that glyphs may reach
    descent: int = 0  # EMU below it
    glyphs: tuple[Glyph, ...] = ()

    @property
    def ink(self) -> Rect:
        """The area the line's glyphs can cover."""
        return Rect(self.x, self.baseline - self.ascent, self.width, self.ascent + self.descent)


@dataclass(frozen=True)
class PlacedVector:
    """A vector logo (``kind`` ``svg`` or ``pdf``, the first page) shown through ``rect``: the region
    ``crop`` of the logo (points from its top-left corner: left, top, right, bottom) is scaled to
    fill ``rect`` exactly, uniformly; with ``fit: cover`` it is a part of the logo, clipped."""

    rect: Rect
    crop: tuple[float, float, float, float]
    size: tuple[float, float]  # the logo's own width and height, points
    path: Path
    kind: str
    element: str
    min_size: int | None = None


@dataclass(frozen=True)
class QrCode:
    """A QR code filling the square ``rect``: ``modules`` are its rows, quiet zone included, each a
    string of "1" (dark, drawn in ``color``) and "0" (light: the ``background``)."""

    rect: Rect
    modules: tuple[str, ...]
    color: Color
    background: Color
    element: str
    text: str
    min_size: int | None = None

    @property
    def module(self) -> float:
        """The side of one module, EMU."""
        return self.rect.w / len(self.modules)


SceneItem = Fill | PlacedImage | TextLine | PlacedVector | QrCode
# What the layout's elements: become; preflight checks their placement alike.
ELEMENT_ITEMS = (PlacedVector, QrCode)


@dataclass(frozen=True)
class LayoutNote:
    """Something the engine had to set anyway although it is wrong (text that overflows its frame
    at the minimum size, a character the font lacks); preflight turns these into errors."""

    code: str
    message: str
    element: str
    rect: Rect


@dataclass(frozen=True)
class Rules:
    """What preflight holds the scene to: the format's figures, overridden by the layout."""

    min_ppi: float
    recommended_ppi: float
    max_upscale: float
    required_bleed: int
    sheets: tuple[int, int] | None
    seam_clearance: int
    # Legibility (plakat.preflight.legibility); the defaults are PreflightSettings', so a scene
    # built without a layout is judged as one that states nothing.
    viewing_distance: int | None = None
    legibility_ratio: float = 300.0
    min_cap_height: int | None = None
    legibility_exempt: tuple[str, ...] = ("credit",)


@dataclass(frozen=True)
class Scene:
    title: str
    width: int  # trim
    height: int
    bleed: int
    safe: int
    background: Color
    items: tuple[SceneItem, ...]
    fonts: dict[str, Path]  # font key -> file, for every key a TextLine uses
    png_dpi: float
    format_name: str | None
    rules: Rules
    notes: tuple[LayoutNote, ...] = ()
    # (top, right, bottom, left) where a format's margin differs by side (a story's apps cover its
    # top and bottom); None: ``safe`` on every side
    safe_sides: tuple[int, int, int, int] | None = None

    @property
    def trim(self) -> Rect:
        return Rect(0, 0, self.width, self.height)

    @property
    def bleed_box(self) -> Rect:
        return Rect(-self.bleed, -self.bleed, self.width + 2 * self.bleed, self.height + 2 * self.bleed)

    @property
    def safe_box(self) -> Rect:
        return self.trim.inset_sides(self.safe_sides) if self.safe_sides else self.trim.inset(self.safe)

    def seams(self) -> tuple[list[int], list[int]]:
        """x positions of vertical and y positions of horizontal split lines between sheets."""
        if not self.rules.sheets:
            return [], []
        columns, rows = self.rules.sheets
        return (
            [self.width * i // columns for i in range(1, columns)],
            [self.height * j // rows for j in range(1, rows)],
        )

    def of_type(self, kind):
        return [item for item in self.items if isinstance(item, kind)]


def safe_margin_text(scene: Scene) -> str:
    """The safe margin as a reader of the format knows it: "50 mm", "64 px", or per side where the
    sides differ ("250 px top, 64 px right, 250 px bottom, 64 px left")."""
    screen = screen_preset(scene.format_name) is not None

    def shown(length: int) -> str:
        return f"{length / EMU_PER_PX:g} px" if screen else f"{length / EMU_PER_MM:g} mm"

    if scene.safe_sides and len(set(scene.safe_sides)) > 1:
        sides = zip(("top", "right", "bottom", "left"), scene.safe_sides)
        return ", ".join(f"{shown(length)} {side}" for side, length in sides)
    return shown(scene.safe)


# --- canonical form -----------------------------------------------------------------------------


def _mm(emu: float) -> float:
    """EMU to millimetres, rounded to 0.01 mm: finer than any printer, coarse enough to be stable."""
    return round(emu / EMU_PER_MM, 2)


def _rect_data(rect: Rect) -> dict:
    return {"x": _mm(rect.x), "y": _mm(rect.y), "w": _mm(rect.w), "h": _mm(rect.h)}


def _item_data(item: SceneItem) -> dict:
    if isinstance(item, Fill):
        return {"fill": item.element, "rect": _rect_data(item.rect), "color": str(item.color)}
    if isinstance(item, PlacedImage):
        return {
            "image": item.element,
            "file": item.image.path.name,
            "rect": _rect_data(item.rect),
            "crop_px": [round(v, 2) for v in item.crop],
            "focus": [_mm(v) for v in item.focus] if item.focus is not None else None,
            "reduction": item.reduction,
        } | ({"min_size": _mm(item.min_size)} if item.min_size is not None else {})
    if isinstance(item, PlacedVector):
        return {
            "vector": item.element,
            "kind": item.kind,
            "file": item.path.name,
            "rect": _rect_data(item.rect),
            "crop_pt": [round(v, 2) for v in item.crop],
            "size_pt": [round(v, 2) for v in item.size],
            "min_size": _mm(item.min_size) if item.min_size is not None else None,
        }
    if isinstance(item, QrCode):
        return {
            "qr": item.element,
            "text": item.text,
            "rect": _rect_data(item.rect),
            "color": str(item.color),
            "background": str(item.background),
            "modules": list(item.modules),
            "min_size": _mm(item.min_size) if item.min_size is not None else None,
        }
    return {
        "text": item.element,
        "line": item.text,
        "font": item.font,
        "size_pt": round(item.size, 2),
        "x": _mm(item.x),
        "baseline": _mm(item.baseline),
        "width": _mm(item.width),
        "color": str(item.color),
        "frame": _rect_data(item.box),
        "glyph_x": [_mm(glyph.x) for glyph in item.glyphs],
        "glyphs": " ".join(_glyph_data(glyph, item.font) for glyph in item.glyphs),
    }


def _glyph_data(glyph: Glyph, line_font: str) -> str:
    """A glyph as ``gid`` with its font key when that is a fallback and its text when that is not
    the one character it would be, so ligatures and fallbacks show in a diff."""
    shown = str(glyph.gid)
    if glyph.font and glyph.font != line_font:
        shown += f"@{glyph.font}"
    if len(glyph.char) != 1:
        shown += f"={glyph.char!r}"
    return shown


def scene_data(scene: Scene) -> dict:
    """The scene as plain data, lengths in mm rounded to 0.01 mm: every box, crop, image file and
    line of text, in drawing order. Golden files hold this, so a reviewer reads poster changes as a
    diff."""
    rules = scene.rules
    return {
        "title": scene.title,
        "format": scene.format_name,
        "trim_mm": [_mm(scene.width), _mm(scene.height)],
        "bleed_mm": _mm(scene.bleed),
        "safe_mm": _mm(scene.safe),
        **({"safe_sides_mm": [_mm(side) for side in scene.safe_sides]} if scene.safe_sides else {}),
        "png_dpi": scene.png_dpi,
        "fonts": {key: path.name for key, path in sorted(scene.fonts.items())},
        "rules": {
            "min_ppi": rules.min_ppi,
            "recommended_ppi": rules.recommended_ppi,
            "required_bleed_mm": _mm(rules.required_bleed),
            "sheets": list(rules.sheets) if rules.sheets else None,
            "seam_clearance_mm": _mm(rules.seam_clearance),
        },
        "items": [_item_data(item) for item in scene.items],
        "notes": [{"code": n.code, "element": n.element, "rect": _rect_data(n.rect)} for n in scene.notes],
    }
