"""Exact lengths.

In: length strings from layout files such as ``"3560mm"``, ``"2.5 m"``, ``"0.5in"``, ``"12pt"`` or
``"300px@150dpi"``. Out: :class:`Length`, an ``int`` counting English Metric Units (EMU).

One EMU is 1/914400 inch, so millimetres (36000 EMU), points (12700 EMU) and inches are all whole
numbers of it: geometry stays exact integer arithmetic until a renderer converts to its own unit.
"""

from __future__ import annotations

import re
from fractions import Fraction

EMU_PER_INCH = 914400
EMU_PER_MM = 36000
EMU_PER_PT = 12700

_UNIT_EMU = {
    "mm": Fraction(EMU_PER_MM),
    "cm": Fraction(EMU_PER_MM * 10),
    "m": Fraction(EMU_PER_MM * 1000),
    "in": Fraction(EMU_PER_INCH),
    "pt": Fraction(EMU_PER_PT),
}

_LENGTH_RE = re.compile(
    r"^\s*(?P<number>[+-]?(\d+(\.\d*)?|\.\d+))\s*"
    r"(?P<unit>mm|cm|m|in|pt|px\s*@\s*(?P<dpi>\d+(\.\d*)?)\s*dpi)\s*$"
)

_PERCENT_RE = re.compile(r"^\s*(?P<number>[+-]?(\d+(\.\d*)?|\.\d+))\s*%\s*$")

MAX_LENGTH_TEXT = 100  # characters: no sensible length is longer

UNITS_HELP = "a number with a unit: mm, cm, m, in, pt or px@DPI (e.g. 3560mm, 2.52m, 12pt, 600px@150dpi)"


class Length(int):
    """A length in EMU. Arithmetic with ints stays exact; use the properties to leave the unit."""

    __slots__ = ()

    @property
    def mm(self) -> float:
        return self / EMU_PER_MM

    @property
    def pt(self) -> float:
        return self / EMU_PER_PT

    @property
    def inches(self) -> float:
        return self / EMU_PER_INCH

    def __repr__(self) -> str:
        return f"Length({format_length(self)})"


MAX_LENGTH = Length(1_000_000 * EMU_PER_MM)  # 1 km: no poster, nor any part of one, is larger


def mm(value: float | int | Fraction | str) -> Length:
    return Length(round(Fraction(value) * EMU_PER_MM))


def pt(value: float | int | Fraction | str) -> Length:
    return Length(round(Fraction(value) * EMU_PER_PT))


def inches(value: float | int | Fraction | str) -> Length:
    return Length(round(Fraction(value) * EMU_PER_INCH))


def parse_length(text: str) -> Length:
    """Parse ``"12.5mm"`` and friends; raise ValueError with a message a designer can act on."""
    if not isinstance(text, str):
        raise ValueError(f"expected {UNITS_HELP}, got {text!r}")
    if len(text) > MAX_LENGTH_TEXT:
        raise ValueError(f"{text[:20]!r}... ({len(text)} characters) is not a length: write {UNITS_HELP}")
    match = _LENGTH_RE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a length: write {UNITS_HELP}")
    number = Fraction(match["number"])
    unit = match["unit"]
    if unit.startswith("px"):
        dpi = Fraction(match["dpi"])
        if dpi <= 0:
            raise ValueError(f"{text!r}: dpi must be greater than 0")
        return Length(round(number * EMU_PER_INCH / dpi))
    return Length(round(number * _UNIT_EMU[unit]))


def parse_percent(text: object) -> Fraction | None:
    """``"5%"`` -> 5; None for anything that is not a percentage."""
    if not isinstance(text, str) or len(text) > MAX_LENGTH_TEXT:
        return None
    match = _PERCENT_RE.match(text)
    return Fraction(match["number"]) if match else None


def format_length(value: int) -> str:
    """Millimetres to the micrometre, trimmed of useless zeros: 3560mm, 12.7mm, 0.353mm.

    Exact for any integer (no float on the way), so parse_length(format_length(x)) is within half a
    micrometre (18 EMU) of x, and equal to it for whole micrometres."""
    micrometres = round(Fraction(int(value), EMU_PER_MM) * 1000)
    whole, fraction = divmod(abs(micrometres), 1000)
    text = f"{whole}.{fraction:03d}".rstrip("0").rstrip(".")
    return f"{'-' if micrometres < 0 else ''}{text}mm"


def pixels(length: int, dpi: float) -> int:
    """Whole device pixels that ``length`` covers at ``dpi``."""
    return round(Fraction(length) * Fraction(dpi) / EMU_PER_INCH)
