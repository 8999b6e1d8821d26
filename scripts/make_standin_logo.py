#!/usr/bin/env python3
"""Generate the stand-in logo for the "Duisburg ist echt solidarisch" campaign.

The campaign's real logo belongs to its owner and is not part of this repository. This script
draws a clearly marked placeholder: a navy card with a yellow sun, a red bar and the words
"LOGO STAND-IN" and "Duisburg ist echt", in the brand colours #14325c, #c8102e, #ffd23f and white.

In:   nothing but the optional output path
      (default: ``assets/logos/duisburg-ist-echt-standin.svg`` next to ``scripts/``).
      The words are outlined from the project's Noto Sans Black, so the SVG holds only paths and
      needs no font.
Out:  one SVG, 600 x 300 (points), deterministic: the same bytes on every run.

Usage:  python scripts/make_standin_logo.py [OUTPUT_SVG]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
FONT = ROOT / "assets" / "fonts" / "NotoSans-Black.ttf"
TARGET = ROOT / "assets" / "logos" / "duisburg-ist-echt-standin.svg"
NAVY, RED, YELLOW, WHITE = "#14325c", "#c8102e", "#ffd23f", "#ffffff"
WIDTH, HEIGHT = 600, 300


def outlined(font: TTFont, text: str, x: float, baseline: float, size: float) -> str:
    """SVG path data of ``text`` set at ``size`` from (x, baseline), y down; plain advances."""
    glyph_set = font.getGlyphSet()
    cmap = font.getBestCmap()
    scale = size / font["head"].unitsPerEm
    pen = SVGPathPen(glyph_set, ntos=lambda v: f"{v:.2f}".rstrip("0").rstrip("."))
    for char in text:
        name = cmap[ord(char)]
        glyph_set[name].draw(TransformPen(pen, (scale, 0, 0, -scale, x, baseline)))
        x += glyph_set[name].width * scale
    return pen.getCommands()


def text_width(font: TTFont, text: str, size: float) -> float:
    glyph_set, cmap = font.getGlyphSet(), font.getBestCmap()
    return sum(glyph_set[cmap[ord(c)]].width for c in text) * size / font["head"].unitsPerEm


def make_svg() -> str:
    font = TTFont(FONT)
    big, small = 62, 34
    left = 255
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}">',
            "  <title>LOGO STAND-IN: a placeholder, not the campaign's logo</title>",
            f'  <rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" rx="24" fill="{NAVY}"/>',
            f'  <circle cx="130" cy="150" r="90" fill="{YELLOW}"/>',
            f'  <rect x="40" y="190" width="180" height="40" fill="{RED}"/>',
            f'  <path fill="{WHITE}" d="{outlined(font, "LOGO", left, 100, big)}"/>',
            f'  <path fill="{WHITE}" d="{outlined(font, "STAND-IN", left, 168, big)}"/>',
            f'  <rect x="{left}" y="184" width="{text_width(font, "STAND-IN", big):.0f}" height="10" fill="{RED}"/>',
            f'  <path fill="{YELLOW}" d="{outlined(font, "Duisburg ist echt", left, 240, small)}"/>',
            f'  <rect x="12" y="12" width="{WIDTH - 24}" height="{HEIGHT - 24}" rx="16" fill="none" '
            f'stroke="{WHITE}" stroke-width="4" stroke-dasharray="18 10"/>',
            "</svg>",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", nargs="?", type=Path, default=TARGET)
    target = parser.parse_args().target
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(make_svg(), encoding="utf-8")
    print(target)


if __name__ == "__main__":
    main()
