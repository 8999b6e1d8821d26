"""Positions and sizes relative to the page.

In: an anchor name such as ``bottom-right``, the area it refers to (the trim or the safe area), a
box's size and its insets. Out: the box's rectangle on the page, EMU from the top-left of the trim.
"""

from __future__ import annotations

import typing
from typing import Literal

from .scene import Rect

Anchor = Literal["top-left", "top", "top-right", "left", "center", "right", "bottom-left", "bottom", "bottom-right"]
ANCHORS: tuple[str, ...] = typing.get_args(Anchor)
AnchorArea = Literal["safe", "trim"]


def anchored_rect(anchor: str, area: Rect, width: int, height: int, inset_x: int = 0, inset_y: int = 0) -> Rect:
    """A ``width`` x ``height`` box whose named corner or edge sits at the same corner or edge of
    ``area``. Insets move it inwards from the edges it is anchored to; on a centred axis they move
    it right or down."""
    vertical, _, horizontal = anchor.partition("-") if "-" in anchor else (anchor, "", anchor)
    if horizontal == "left":
        x = area.x + inset_x
    elif horizontal == "right":
        x = area.right - width - inset_x
    else:
        x = area.x + (area.w - width) // 2 + inset_x
    if vertical == "top":
        y = area.y + inset_y
    elif vertical == "bottom":
        y = area.bottom - height - inset_y
    else:
        y = area.y + (area.h - height) // 2 + inset_y
    return Rect(x, y, width, height)
