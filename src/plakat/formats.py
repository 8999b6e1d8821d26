"""Format presets.

In: a preset name from a layout (``18/1``, ``clp-4/1``, ``a0``, ``social-story``, ``1080x1080`` ...).
Out: :class:`FormatPreset` with its kind (print or screen), trim size, default bleed and safe margin,
resolution thresholds and the default PNG resolution; a screen preset also has its size in pixels.

Sizes and thresholds follow the print facts the project keeps with its sources: trim sizes from
media owners' sheets, resolution from the trade rules (billboards: data at 1:10 and 300 dpi, i.e.
30 ppi at full size; posters up to A0: 150-300 dpi). Where no source gives a figure (bleed of an
18/1, whose overlap the print shop adds), the default is a cautious choice a layout can override.

Screen presets (social media) are sizes in pixels. Their trim is those pixels at 72 dpi, which is a
whole number of EMU (1 px = 914400 / 72 = 12700 EMU = 1 pt), so the PNG at 72 dpi has exactly the
preset's pixel size. They have no bleed (nothing is trimmed) and no sheets; their resolution
thresholds are 1 image pixel per screen pixel (72 ppi, recommended) and 0.5 (36 ppi, minimum).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Literal

from .units import EMU_PER_INCH, EMU_PER_MM, Length, mm

Kind = Literal["print", "screen"]
SCREEN_DPI = 72  # a screen preset's pixels are points: its PNG is drawn at 72 dpi
EMU_PER_PX = EMU_PER_INCH // SCREEN_DPI  # 12700, exact


@dataclass(frozen=True)
class FormatPreset:
    name: str
    title: str
    width: Length
    height: Length
    bleed: Length
    safe: Length
    min_ppi: float
    recommended_ppi: float
    png_dpi: int
    notes: str = ""
    aliases: tuple[str, ...] = field(default=())
    sheets: tuple[int, int] | None = None  # columns x rows of parts the print shop prints and pastes
    kind: Kind = "print"
    pixels: tuple[int, int] | None = None  # a screen preset's size in pixels (width, height)
    min_cap_height_px: int | None = None  # a screen preset's default smallest cap height
    safe_sides: tuple[Length, Length, Length, Length] | None = None  # top, right, bottom, left, where they differ

    @property
    def is_screen(self) -> bool:
        return self.kind == "screen"

    @property
    def safe_insets(self) -> tuple[Length, Length, Length, Length]:
        """The safe margin on each side: top, right, bottom, left."""
        return self.safe_sides or (self.safe, self.safe, self.safe, self.safe)


def _preset(name, title, w, h, bleed, safe, min_ppi, rec_ppi, png_dpi, notes="", aliases=(), sheets=None):
    return FormatPreset(
        name, title, mm(w), mm(h), mm(bleed), mm(safe), min_ppi, rec_ppi, png_dpi, notes, tuple(aliases), sheets
    )


def px(count: int) -> Length:
    """``count`` screen pixels as a length: exact, since a pixel at 72 dpi is 12700 EMU."""
    return Length(count * EMU_PER_PX)


def _screen(name, title, w_px, h_px, safe_px, cap_px, notes, aliases):
    """``safe_px`` is one margin, or (top, right, bottom, left) where the apps cover sides unequally."""
    sides = (px(safe_px[0]), px(safe_px[1]), px(safe_px[2]), px(safe_px[3])) if isinstance(safe_px, tuple) else None
    return FormatPreset(
        name,
        title,
        px(w_px),
        px(h_px),
        Length(0),
        px(max(safe_px) if isinstance(safe_px, tuple) else safe_px),
        SCREEN_DPI // 2,
        SCREEN_DPI,
        SCREEN_DPI,
        notes,
        (f"{w_px}x{h_px}", *aliases),
        None,
        "screen",
        (w_px, h_px),
        cap_px,
        sides,
    )


# Billboards: 10 mm bleed is the banner figure; paper stretches 1.5-2 % when pasted wet, so the
# safe margin is about 2 % of the short side.
# fmt: off
# kept as a table: one preset per entry, its figures side by side in _preset's order
PRESETS: tuple[FormatPreset, ...] = (
    _preset("18/1", "18/1 Großfläche", 3560, 2520, 10, 50, 30, 50, 50,
            "printed in 4 or 6 parts; the print shop adds the pasting overlap",
            ("grossflaeche", "großfläche", "18-1"), sheets=(2, 2)),
    _preset("mega-light-18/1", "Mega-Light 18/1 (backlit)", 3560, 2520, 10, 75, 30, 50, 50,
            "visible area 3416 x 2442 mm: about 72 mm in left/right and 39 mm top/bottom",
            ("mega-light", "megalight"), sheets=(2, 2)),
    _preset("24/1", "24/1", 5040, 2380, 10, 50, 30, 50, 40,
            "also seen as 4760 x 2520 mm: override with size:", ("24-1",)),
    _preset("8/1", "8/1", 1680, 2380, 10, 40, 30, 60, 75, "", ("8-1",)),
    _preset("clp-4/1", "City-Light-Poster 4/1", 1185, 1750, 3, 20, 72, 150, 100,
            "one piece, backlit; visible area about 1160 x 1720 mm",
            ("clp", "city-light-poster", "4/1")),
    _preset("a0", "DIN A0 poster", 841, 1189, 3, 4, 150, 300, 150),
    _preset("a1", "DIN A1 poster", 594, 841, 3, 4, 150, 300, 150),
    _preset("a2", "DIN A2 poster", 420, 594, 3, 4, 150, 300, 150),
    _preset("a3", "DIN A3 poster", 297, 420, 3, 4, 150, 300, 150),
    _preset("a4", "DIN A4 poster", 210, 297, 3, 4, 150, 300, 150),
    _preset("uk-48-sheet", "UK 48-sheet", 6096, 3048, 10, 50, 30, 45, 30,
            "wider than a PDF page may be at 1:1 (5080 mm)", ("48-sheet",)),
    _preset("uk-96-sheet", "UK 96-sheet", 12192, 3048, 10, 50, 30, 45, 20,
            "wider than a PDF page may be at 1:1 (5080 mm)", ("96-sheet",)),
    _preset("us-bulletin", "US bulletin 14 x 48 ft", 14630, 4267, 12.7, 25.4, 30, 30, 20,
            "0.5 in bleed, 1 in safe; wider than a PDF page may be at 1:1 (5080 mm)",
            ("bulletin", "14x48")),
    # Screens. Safe margins are where the apps draw over the picture (Meta's guidance for
    # Stories: keep the top and bottom 14 %, 250 px of 1920, free of text and logos; feed posts
    # lose little but rounded corners and the edges of small previews, 64 px kept clear). A story
    # keeps the feed's 64 px at its sides.
    # Smallest cap height: a 1080 px post fills a phone's width, about 390 pt, so 12 px of cap
    # height shows as about 4.3 pt, that of 6 pt type, the least anyone reads on a phone; a
    # 1200 px link preview is shown narrower (about 360-550 pt), hence 16 px.
    _screen("social-square", "Social media post, square 1:1", 1080, 1080, 64, 12,
            "feed post; apps round its corners and show it small in grids", ("square",)),
    _screen("social-portrait", "Social media post, portrait 4:5", 1080, 1350, 64, 12,
            "the tallest feed post", ("portrait-post",)),
    _screen("social-story", "Story / Reel, 9:16 full screen", 1080, 1920, (250, 64, 250, 64), 12,
            "profile and time cover the top 250 px, reply bar and buttons the bottom 250 px; Reels "
            "cover up to 35 % at the bottom with the caption: keep text in the upper middle there",
            ("story", "reel", "social-reel")),
    _screen("social-landscape", "Link preview / landscape 1.91:1", 1200, 628, 40, 16,
            "link previews and landscape posts; shown narrow, some apps crop it nearer 2:1",
            ("link-preview", "og-image")),
)
# fmt: on

_BY_NAME = {key: preset for preset in PRESETS for key in (preset.name, *preset.aliases)}


def find_preset(name: str) -> FormatPreset:
    """The preset called ``name`` (case-insensitive); KeyError with suggestions otherwise."""
    key = name.strip().lower()
    if key in _BY_NAME:
        return _BY_NAME[key]
    close = difflib.get_close_matches(key, list(_BY_NAME), n=3, cutoff=0.5)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    raise KeyError(
        f"unknown format {name!r}: {hint}known formats: "
        + ", ".join(p.name for p in PRESETS)
        + " (or give size: {width, height})"
    )


# A layout with its own size: the DIN poster figures (3 mm bleed), a modest safe margin and
# resolution thresholds for posters seen from close by. Its trim comes from the layout.
CUSTOM = _preset("custom", "custom size", 0, 0, 3, 10, 72, 150, 100)


def screen_preset(format_name: str | None) -> FormatPreset | None:
    """The screen preset a scene or layout names, or None for a print format or a custom size."""
    if format_name is None:
        return None
    try:
        preset = find_preset(format_name)
    except KeyError:
        return None
    return preset if preset.is_screen else None


def preset_data(preset: FormatPreset) -> dict:
    """One preset as plain data for ``plakat formats --json``; keys are stable, lengths in mm to the
    micrometre, a screen's sizes also in pixels."""

    def in_mm(length: int) -> float:
        return round(length / EMU_PER_MM, 3)

    def in_px(length: int) -> int | None:
        return length // EMU_PER_PX if preset.is_screen else None

    return {
        "name": preset.name,
        "title": preset.title,
        "kind": preset.kind,
        "aliases": list(preset.aliases),
        "trim_mm": [in_mm(preset.width), in_mm(preset.height)],
        "pixels": list(preset.pixels) if preset.pixels else None,
        "bleed_mm": in_mm(preset.bleed),
        "safe_mm": in_mm(preset.safe),
        "safe_px": in_px(preset.safe),
        "safe_sides_px": [in_px(side) for side in preset.safe_sides] if preset.safe_sides else None,
        "min_ppi": preset.min_ppi,
        "recommended_ppi": preset.recommended_ppi,
        "png_dpi": preset.png_dpi,
        "sheets": list(preset.sheets) if preset.sheets else None,
        "min_cap_height_px": preset.min_cap_height_px,
        "notes": preset.notes,
    }
