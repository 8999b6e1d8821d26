"""Colours as layouts write them.

In: ``"#1d3c6e"``, ``"#fff"`` or a few names. Out: :class:`Color`, an sRGB triple of 0-255 ints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEX_RE = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_NAMES = {"white": "#ffffff", "black": "#000000"}


@dataclass(frozen=True)
class Color:
    r: int
    g: int
    b: int

    @property
    def hex(self) -> str:
        return f"#{self.r:02x}{self.g:02x}{self.b:02x}"

    @property
    def unit_rgb(self) -> tuple[float, float, float]:
        return self.r / 255, self.g / 255, self.b / 255

    def __str__(self) -> str:
        return self.hex


def parse_color(value) -> Color:
    if isinstance(value, Color):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a colour such as \"#1d3c6e\", got {value!r}")
    text = _NAMES.get(value.strip().lower(), value.strip())
    match = _HEX_RE.match(text)
    if not match:
        raise ValueError(f"{value!r} is not a colour: write \"#rrggbb\" (e.g. \"#1d3c6e\"), "
                         "\"#rgb\", white or black; quote it, since # starts a YAML comment")
    digits = match[1]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return Color(int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


BLACK = Color(0, 0, 0)
WHITE = Color(255, 255, 255)
