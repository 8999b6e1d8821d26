"""Colours as layouts write them.

In: ``"#1d3c6e"``, ``"#fff"``, ``white``/``black`` or ``"cmyk(0, 100, 100, 0)"`` (percent of each ink).
Out: :class:`Color`, either an sRGB triple of 0-255 ints or a CMYK quadruple of percentages. Turning
one into the other needs an output profile: that is :mod:`plakat.cms`'s job, not this module's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEX_RE = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_CMYK_RE = re.compile(r"^cmyk\(\s*([^,()]+),\s*([^,()]+),\s*([^,()]+),\s*([^,()]+)\)$", re.IGNORECASE)
_NAMES = {"white": "#ffffff", "black": "#000000"}
COLOR_HELP = (
    'write "#rrggbb" (e.g. "#1d3c6e"), "#rgb", white, black or "cmyk(0, 100, 100, 0)" in percent; '
    "quote it, since # starts a YAML comment"
)


@dataclass(frozen=True)
class Color:
    """An sRGB colour (``rgb``) or a colour in the print's CMYK inks (``cmyk``, percent); never both."""

    rgb: tuple[int, int, int] | None = None
    cmyk: tuple[float, float, float, float] | None = None

    def __post_init__(self):
        if (self.rgb is None) == (self.cmyk is None):
            raise ValueError("a colour is either rgb or cmyk")

    @property
    def is_cmyk(self) -> bool:
        return self.cmyk is not None

    @property
    def r(self) -> int:
        return self._rgb[0]

    @property
    def g(self) -> int:
        return self._rgb[1]

    @property
    def b(self) -> int:
        return self._rgb[2]

    @property
    def _rgb(self) -> tuple[int, int, int]:
        if self.rgb is None:
            raise ValueError(f"{self} is a CMYK colour: convert it through the output profile")
        return self.rgb

    @property
    def hex(self) -> str:
        return "#{:02x}{:02x}{:02x}".format(*self._rgb)

    def __str__(self) -> str:
        if self.cmyk:
            return "cmyk({:g}, {:g}, {:g}, {:g})".format(*self.cmyk)
        return self.hex


def rgb(r: int, g: int, b: int) -> Color:
    return Color(rgb=(r, g, b))


def parse_color(value) -> Color:
    if isinstance(value, Color):
        return value
    if not isinstance(value, str):
        raise ValueError(f'expected a colour such as "#1d3c6e", got {value!r}: {COLOR_HELP}')
    text = _NAMES.get(value.strip().lower(), value.strip())
    cmyk = _CMYK_RE.match(text)
    if cmyk:
        inks = []
        for part in cmyk.groups():
            try:
                ink = float(part.strip().rstrip("%"))
            except ValueError:
                raise ValueError(
                    f"{value!r}: {part.strip()!r} is not a number; "
                    "write cmyk(C, M, Y, K) in percent, e.g. cmyk(0, 100, 100, 0)"
                ) from None
            if not 0 <= ink <= 100:
                raise ValueError(f"{value!r}: each ink is a percentage from 0 to 100")
            inks.append(ink)
        c, m, y, k = inks
        return Color(cmyk=(c, m, y, k))
    match = _HEX_RE.match(text)
    if not match:
        raise ValueError(f"{value!r} is not a colour: {COLOR_HELP}")
    digits = match[1]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return rgb(int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


BLACK = rgb(0, 0, 0)
WHITE = rgb(255, 255, 255)
