"""Text setting: measuring, line breaking, fitting and placing lines of text in a frame.

In: text, the :class:`~plakat.assets.FontMetrics` of the layout's fonts, a size range and a frame
(EMU). Out: :class:`~plakat.scene.TextLine` objects that carry every glyph with its position, and
:class:`~plakat.scene.LayoutNote` objects for text set although it is wrong (it overflows its frame
at the minimum size, or its font lacks a character). What is measured here is what the renderers
draw and what preflight checks: nobody measures text again.

Text is set from the fonts' advance widths, without kerning, exactly as the PDF draws it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .assets import FontMetrics
from .color import Color
from .scene import Glyph, LayoutNote, Rect, TextLine
from .spec import Align, VAlign
from .units import EMU_PER_PT, format_length


def points(value: int) -> float:
    return value / EMU_PER_PT


def emu(value: float) -> int:
    return round(value * EMU_PER_PT)


def break_lines(text: str, metrics: FontMetrics, size: float, width: float, overflow: bool = False) -> list[str] | None:
    """Greedy line breaking at spaces (and at explicit newlines) for a line ``width`` points wide;
    None if one word is too wide, unless ``overflow`` lets it stand on a line of its own."""
    lines: list[str] = []
    space = metrics.width(" ", size)
    for paragraph in text.split("\n"):
        current, current_width = "", 0.0
        for word in paragraph.split():
            word_width = metrics.width(word, size)
            if word_width > width and not overflow:
                return None
            if current and current_width + space + word_width <= width:
                current, current_width = f"{current} {word}", current_width + space + word_width
            else:
                if current:
                    lines.append(current)
                current, current_width = word, word_width
        lines.append(current)
    return lines


def fit_text(
    text: str,
    metrics: FontMetrics,
    min_size: float,
    max_size: float,
    width: float,
    height: float,
    line_height: float,
    max_lines: int | None,
) -> tuple[float, list[str]] | None:
    """The largest size in [min_size, max_size] (0.1 pt steps) at which ``text`` fits the frame
    (points); None if it does not fit even at ``min_size``."""

    def fits(size: float) -> list[str] | None:
        lines = break_lines(text, metrics, size, width)
        if lines is None or (max_lines is not None and len(lines) > max_lines):
            return None
        return lines if len(lines) * size * line_height <= height + 1e-9 else None

    if (lines := fits(max_size)) is not None:
        return max_size, lines
    if fits(min_size) is None:
        return None
    # Fitting is monotonic in the size: smaller text never needs more lines. Bisect, then round down.
    low, high = min_size, max_size
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if fits(middle) is not None else (low, middle)
    size = max(min_size, math.floor(low * 10) / 10)
    fitted = fits(size)
    assert fitted is not None  # size >= min_size, which fits
    return size, fitted


@dataclass(frozen=True)
class LineToSet:
    """One line of a block before it is placed: its text, font key, size (pt) and colour."""

    text: str
    font: str
    size: float
    color: Color


@dataclass(frozen=True)
class Fitted:
    size: float
    lines: list[str]


class Typesetter:
    """Fits and sets text with the layout's fonts, collecting the notes and the font keys used."""

    def __init__(self, fonts: dict[str, FontMetrics]):
        self.fonts = fonts
        self.notes: list[LayoutNote] = []
        self.used_fonts: set[str] = set()

    def fit(
        self,
        text: str,
        font: str,
        min_size: float,
        max_size: float,
        frame: Rect,
        height: float,
        line_height: float,
        max_lines: int | None,
        element: str,
        what: str,
        advice: str,
    ) -> Fitted:
        """Fit ``text`` into ``frame`` (``height`` points tall); when it cannot fit, set it at the
        minimum size anyway and leave a note, so preflight can show where it overflows."""
        metrics = self._font(font, text, element, frame)
        fitted = fit_text(text, metrics, min_size, max_size, points(frame.w), height, line_height, max_lines)
        if fitted is not None:
            return Fitted(*fitted)
        self.notes.append(
            LayoutNote(
                "text-overflow",
                f"{what} does not fit its {format_length(frame.w)} x "
                f"{format_length(emu(height))} frame even at {min_size:g}pt: {advice}",
                element,
                frame,
            )
        )
        return Fitted(min_size, break_lines(text, metrics, min_size, points(frame.w), overflow=True) or [])

    def _font(self, key: str, text: str, element: str, frame: Rect) -> FontMetrics:
        metrics = self.fonts[key]
        self.used_fonts.add(key)
        missing = metrics.missing(text)
        if missing:
            shown = " ".join(f"{c!r} (U+{ord(c):04X})" for c in missing)
            self.notes.append(
                LayoutNote(
                    "glyph-missing",
                    f"{element}: font {key!r} ({metrics.path.name}) has no "
                    f"glyph for {shown}: choose a font that covers it or "
                    "change the text",
                    element,
                    frame,
                )
            )
        return metrics

    def set_lines(
        self, lines: list[LineToSet], frame: Rect, align: Align, valign: VAlign, line_height: float, element: str
    ) -> list[TextLine]:
        """Stack lines in ``frame``: each line is ``size * line_height`` tall with its glyphs'
        ascent-plus-descent centred in that pitch."""
        total = sum(emu(line.size * line_height) for line in lines)
        top = {"top": frame.y, "middle": frame.y + (frame.h - total) // 2, "bottom": frame.bottom - total}[valign]
        placed = []
        for line in lines:
            metrics = self.fonts[line.font]
            self.used_fonts.add(line.font)
            pitch = emu(line.size * line_height)
            glyph_height = emu(line.size * (metrics.ascent + metrics.descent))
            baseline = top + (pitch - glyph_height) // 2 + emu(line.size * metrics.ascent)
            width = emu(metrics.width(line.text, line.size))
            x = {"left": frame.x, "center": frame.x + (frame.w - width) // 2, "right": frame.right - width}[align]
            placed.append(
                TextLine(
                    line.text,
                    line.font,
                    line.size,
                    x,
                    baseline,
                    width,
                    line.color,
                    element,
                    frame,
                    emu(line.size * metrics.ascent),
                    emu(line.size * metrics.descent),
                    _glyphs(line.text, metrics, line.size, x),
                )
            )
            top += pitch
        return placed


def _glyphs(text: str, metrics: FontMetrics, size: float, x: int) -> tuple[Glyph, ...]:
    """Every character of a line with its left edge and advance (EMU), from the same advance widths
    that measured the line."""
    glyphs, pen = [], 0.0
    for char in text:
        advance = metrics.width(char, size)
        left = x + emu(pen)
        pen += advance
        glyphs.append(Glyph(char, left, x + emu(pen) - left))
    return tuple(glyphs)
