"""Text setting: shaping, hyphenation, line breaking, fitting and placing lines in a frame.

In: text, a :class:`SetStyle`, the layout's fonts (:class:`~plakat.assets.FontMetrics`), its
fallback chain and hyphenation, a size range and a frame (EMU). Out:
:class:`~plakat.scene.TextLine` objects that carry every shaped glyph with its font, glyph id and
position, and :class:`~plakat.scene.LayoutNote` objects for text set although it is wrong (it
overflows its frame at the minimum size, or no font of the chain has a character). What is
measured here is exactly what the renderers draw and what preflight checks: every width comes from
the same HarfBuzz shaping (:mod:`plakat.shaping`) that yields the glyphs.

Line breaking is greedy at spaces and, where the style allows, at German hyphenation points (at
most two hyphenated lines in a row, never in a person's name); ``balance`` then narrows the
measure to the smallest one that keeps the number of lines, so the lines come out nearly equal.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .assets import FontMetrics
from .color import Color
from .hyphenation import Break
from .scene import Glyph, LayoutNote, Rect, TextLine
from .shaping import Shaped, Shaper, ShapingStyle
from .spec import Align, VAlign
from .units import EMU_PER_PT, format_length

# A hyphenated break is only taken when the line without the word would stay looser than this:
# a nearly full line is left as it is rather than cut a word for a few letters (InDesign's
# hyphenation zone, for ragged text).
HYPHENATION_ZONE = 0.85
MAX_HYPHENATED_IN_A_ROW = 2
# Broken words cost reading ease; they are worth it only when the block gets visibly larger.
HYPHENATION_GAIN = 1.02
HYPHEN = "-"
SOFT_HYPHEN = "\u00ad"
# Hanging punctuation: opening marks hang into the left margin, closing marks, stops and hyphens
# into the right one, each by its full advance.
HANGS_LEFT = frozenset("„“”‚‘’\"'«»‹›([")
HANGS_RIGHT = frozenset(".,-‐–—:;“”‘’\"'»«›‹)]")


def points(value: int) -> float:
    return value / EMU_PER_PT


def emu(value: float) -> int:
    return round(value * EMU_PER_PT)


Hyphenation = Callable[[str], Sequence[Break]]


@dataclass(frozen=True)
class SetStyle:
    """How a piece of text is set: its font, OpenType features, tracking (1/1000 em), and whether
    it may be hyphenated, balanced and hang its punctuation."""

    font: str
    features: tuple[tuple[str, bool | int], ...] = ()
    tracking: float = 0.0
    hyphenate: bool = False
    balance: bool = False
    hang_punctuation: bool = False

    @classmethod
    def of(cls, style: object, hyphenate: bool = False) -> SetStyle:
        """The set style of a spec text style, caption line or quote style; ``hyphenate`` is the
        default for its role when the style does not say."""
        chosen = getattr(style, "hyphenate", None)
        return cls(
            font=style.font,  # type: ignore[attr-defined]
            features=tuple(sorted(getattr(style, "features", {}).items())),
            tracking=float(getattr(style, "tracking", 0.0)),
            hyphenate=hyphenate if chosen is None else chosen,
            balance=bool(getattr(style, "balance", False)),
            hang_punctuation=bool(getattr(style, "hang_punctuation", False)),
        )


@dataclass(frozen=True)
class LineToSet:
    """One line of a block before it is placed: its text, style, size (pt) and colour."""

    text: str
    style: SetStyle
    size: float
    color: Color


@dataclass(frozen=True)
class Fitted:
    size: float
    lines: list[str]


Measure = Callable[[str], float]


def break_lines(
    text: str,
    measure: Measure,
    width: float,
    hyphenation: Hyphenation | None = None,
    overflow: bool = False,
) -> list[str] | None:
    """Greedy line breaking at spaces, explicit newlines and (with ``hyphenation``) hyphenation
    points, for lines ``width`` wide as ``measure`` counts them; None if a word is too wide and
    cannot be broken, unless ``overflow`` lets it stand on a line of its own."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split()
        current = ""
        hyphenated_in_a_row = 0
        position = 0
        while position < len(words):
            word = words[position]
            candidate = f"{current} {word}" if current else word
            if measure(candidate) <= width:
                current, position = candidate, position + 1
                continue
            split = None
            loose = not current or measure(current) < HYPHENATION_ZONE * width
            if hyphenation is not None and hyphenated_in_a_row < MAX_HYPHENATED_IN_A_ROW and loose:
                split = _split(current, word, hyphenation(word), measure, width)
            if split is not None:
                line, rest, hyphenated = split
                lines.append(line)
                hyphenated_in_a_row = hyphenated_in_a_row + 1 if hyphenated else 0
                words[position] = rest
                current = ""
            elif current:
                lines.append(current)
                hyphenated_in_a_row = 0
                current = ""
            elif overflow:
                current, position = word, position + 1
            else:
                return None
        lines.append(current)
    # Soft hyphens only mark where a word may break; the lines show none of them.
    return [line.replace(SOFT_HYPHEN, "") for line in lines]


def _split(
    current: str, word: str, breaks: Sequence[Break], measure: Measure, width: float
) -> tuple[str, str, bool] | None:
    """The longest head of ``word`` (with its hyphen) that still fits after ``current``."""
    for found in sorted(breaks, key=lambda b: -b.index):
        head = word[: found.index] + (HYPHEN if found.hyphen else "")
        line = f"{current} {head}" if current else head
        if measure(line) <= width:
            return line, word[found.index :], found.hyphen
    return None


def balanced(text: str, lines: list[str], measure: Measure, width: float, hyphenation: Hyphenation | None) -> list[str]:
    """The same text in the same number of lines at the narrowest measure that allows it: lines
    of nearly equal width, no lone word at the end."""
    if len(lines) < 2:
        return lines
    low, high = max(measure(line) for line in lines) / 2, width
    best = lines
    for _ in range(24):
        middle = (low + high) / 2
        trial = break_lines(text, measure, middle, hyphenation)
        if trial is not None and len(trial) <= len(lines):
            best, high = trial, middle
        else:
            low = middle
    return best


def hang(line: str, style: SetStyle, align: Align, shaped: Shaped) -> tuple[float, float]:
    """How far (em) the line's first and last marks hang out of the frame on the aligned side."""
    if not style.hang_punctuation or not shaped.glyphs:
        return 0.0, 0.0
    left = shaped.glyphs[0].advance if align == "left" and line[:1] in HANGS_LEFT else 0.0
    right = shaped.glyphs[-1].advance if align == "right" and line[-1:] in HANGS_RIGHT else 0.0
    return left, right


class Typesetter:
    """Fits and sets text with the layout's fonts, fallback chain and hyphenation, collecting the
    notes and the font keys used."""

    def __init__(
        self,
        fonts: dict[str, FontMetrics],
        fallback: Sequence[str] = (),
        hyphenation: Hyphenation | None = None,
        protected: frozenset[str] = frozenset(),
    ):
        self.fonts = fonts
        self.fallback = tuple(fallback)
        self.shaper = Shaper(fonts)
        self._hyphenation = hyphenation
        self.protected = frozenset(word.casefold() for word in protected)
        self.notes: list[LayoutNote] = []
        self.used_fonts: set[str] = set()

    def shaping(self, style: SetStyle) -> ShapingStyle:
        return ShapingStyle(style.font, self.fallback, style.features, style.tracking)

    def measure(self, style: SetStyle, size: float, align: Align = "left") -> Measure:
        """Width in points of a line as it will be set; hanging marks do not count."""
        shaping = self.shaping(style)

        def width(line: str) -> float:
            shaped = self.shaper.shape(line, shaping)
            left, right = hang(line, style, align, shaped)
            return (shaped.width - left - right) * size

        return width

    def hyphenation(self, style: SetStyle) -> Hyphenation | None:
        if not style.hyphenate or self._hyphenation is None:
            return None
        hyphenate = self._hyphenation

        def breaks(word: str) -> Sequence[Break]:
            bare = word.strip(string.punctuation + "„“”‚‘’«»‹›–—")
            return () if bare.casefold() in self.protected else hyphenate(word)

        return breaks

    def fit(
        self,
        text: str,
        style: SetStyle,
        min_size: float,
        max_size: float,
        frame: Rect,
        height: float,
        line_height: float,
        max_lines: int | None,
        element: str,
        what: str,
        advice: str,
        align: Align = "left",
    ) -> Fitted:
        """The largest size in [min_size, max_size] (0.1 pt steps) at which ``text`` fits
        ``frame`` (``height`` points tall); when it cannot fit, it is set at the minimum size anyway
        and a note left, so preflight can show where it overflows."""
        self._check_glyphs(text, style, element, frame)
        width = points(frame.w)

        def fitting(hyphenation: Hyphenation | None) -> tuple[float, list[str]] | None:
            def fits(size: float) -> list[str] | None:
                lines = break_lines(text, self.measure(style, size, align), width, hyphenation)
                if lines is None or (max_lines is not None and len(lines) > max_lines):
                    return None
                return lines if len(lines) * size * line_height <= height + 1e-9 else None

            return _largest_fitting(fits, min_size, max_size)

        # Words are broken only where that lets the block stand visibly larger (2 %): a quote that
        # fits at about its size unbroken keeps its words whole.
        hyphenation = self.hyphenation(style)
        fitted = whole = fitting(None)
        if whole is not None and whole[0] >= max_size:
            hyphenation = None  # nothing to gain: it already stands at its largest size
        if hyphenation is not None:
            broken = fitting(hyphenation)
            if broken is not None and (whole is None or broken[0] >= whole[0] * HYPHENATION_GAIN):
                fitted = broken
            else:
                hyphenation = None
        if fitted is None:
            self.notes.append(
                LayoutNote(
                    "text-overflow",
                    f"{what} does not fit its {format_length(frame.w)} x "
                    f"{format_length(emu(height))} frame even at {min_size:g}pt: {advice}",
                    element,
                    frame,
                )
            )
            measure = self.measure(style, min_size, align)
            return Fitted(min_size, break_lines(text, measure, width, hyphenation, overflow=True) or [])
        size, lines = fitted
        if style.balance:
            lines = balanced(text, lines, self.measure(style, size, align), width, hyphenation)
        return Fitted(size, lines)

    def _check_glyphs(self, text: str, style: SetStyle, element: str, frame: Rect) -> None:
        shaped = self.shaper.shape(" ".join(text.split()), self.shaping(style))
        missing = shaped.missing()
        if not missing:
            return
        shown = " ".join(f"{c!r} (U+{ord(c):04X})" for c in missing)
        chain = [style.font, *self.fallback]
        names = ", ".join(f"{key!r} ({self.fonts[key].shown_name})" for key in chain)
        self.notes.append(
            LayoutNote(
                "glyph-missing",
                f"{element}: no font of {names} has a glyph for {shown}: add a font that covers it "
                "to fallback, or change the text",
                element,
                frame,
            )
        )

    def set_lines(
        self,
        lines: list[LineToSet],
        frame: Rect,
        align: Align,
        valign: VAlign,
        line_height: float,
        element: str,
    ) -> list[TextLine]:
        """Stack lines in ``frame``: each line is ``size * line_height`` tall with its font's
        ascent-plus-descent centred in that pitch."""
        total = sum(emu(line.size * line_height) for line in lines)
        top = {"top": frame.y, "middle": frame.y + (frame.h - total) // 2, "bottom": frame.bottom - total}[valign]
        placed = []
        for line in lines:
            metrics = self.fonts[line.style.font]
            shaped = self.shaper.shape(line.text, self.shaping(line.style))
            used = {glyph.font for glyph in shaped.glyphs} | {line.style.font}
            self.used_fonts |= used
            ascent = max(self.fonts[key].ascent for key in used)
            descent = max(self.fonts[key].descent for key in used)
            pitch = emu(line.size * line_height)
            glyph_height = emu(line.size * (metrics.ascent + metrics.descent))
            baseline = top + (pitch - glyph_height) // 2 + emu(line.size * metrics.ascent)
            width = emu(shaped.width * line.size)
            hang_left, hang_right = hang(line.text, line.style, align, shaped)
            x = {
                "left": frame.x - emu(hang_left * line.size),
                "center": frame.x + (frame.w - width) // 2,
                "right": frame.right - width + emu(hang_right * line.size),
            }[align]
            placed.append(
                TextLine(
                    line.text,
                    line.style.font,
                    line.size,
                    x,
                    baseline,
                    width,
                    line.color,
                    element,
                    frame,
                    emu(line.size * ascent),
                    emu(line.size * descent),
                    _glyphs(shaped, line.size, x),
                )
            )
            top += pitch
        return placed


def _largest_fitting(
    fits: Callable[[float], list[str] | None], min_size: float, max_size: float
) -> tuple[float, list[str]] | None:
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


def _glyphs(shaped: Shaped, size: float, x: int) -> tuple[Glyph, ...]:
    """The shaped glyphs on the page: origins and advances in EMU from the same shaping that
    measured the line."""
    return tuple(
        Glyph(
            glyph.text,
            x + emu(glyph.x * size),
            emu(glyph.advance * size),
            glyph.font,
            glyph.gid,
            emu(glyph.y_offset * size),
        )
        for glyph in shaped.glyphs
    )
