"""Format presets.

In: a preset name from a layout (``18/1``, ``clp-4/1``, ``a0`` ...). Out: :class:`FormatPreset` with
trim size, default bleed and safe margin, resolution thresholds and the default PNG resolution.

Sizes and thresholds follow the print facts the project keeps with its sources: trim sizes from
media owners' sheets, resolution from the trade rules (billboards: data at 1:10 and 300 dpi, i.e.
30 ppi at full size; posters up to A0: 150-300 dpi). Where no source gives a figure (bleed of an
18/1, whose overlap the print shop adds), the default is a cautious choice a layout can override.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from .units import Length, mm


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


def _preset(name, title, w, h, bleed, safe, min_ppi, rec_ppi, png_dpi, notes="", aliases=(), sheets=None):
    return FormatPreset(
        name, title, mm(w), mm(h), mm(bleed), mm(safe), min_ppi, rec_ppi, png_dpi, notes, tuple(aliases), sheets
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
