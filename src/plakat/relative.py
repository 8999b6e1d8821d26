"""Positions and sizes relative to the page.

In: the raw data of a layout file (plain dicts and lists, before validation) whose lengths may be
percentages of the page (``"5%"``) and whose boxes may be anchored (``anchor: bottom-right``). Out:
the same data with every such value replaced by an absolute one (a :class:`~plakat.units.Length`,
or points for a font size) and the problems found, each at the key path of the value, so the
file's source map still points at the right line. :func:`anchored_rect` places one box: an anchor
name such as ``bottom-right``, the area it refers to (the trim or the safe area), a box's size and
its insets give the box's rectangle on the page, EMU from the top-left of the trim.

What a percentage is of:

- the page width: ``x``, ``width`` (of any box), grid margins ``left``/``right``, ``column_gap``;
- the page height: ``y``, ``height``, grid margins ``top``/``bottom``, ``row_gap``, ``captions.height``;
- the shorter side: ``gutter``, every ``padding``, ``safe`` and font sizes (``size: {max, min}``).

A percentage anywhere else is left as it is, for validation to refuse with a message saying where
percentages are allowed.

A mapping under a key named ``box`` with ``anchor:`` (and ``to: safe`` or ``trim``) needs
``width`` and ``height`` and becomes a plain box; ``x`` and ``y`` are insets. Under ``elements`` a
box that leaves out a side (the element's own aspect ratio gives it) keeps its anchor for the
element to place.
"""

from __future__ import annotations

import contextlib
import copy
import typing
from typing import Literal

from .errors import Loc, Problem
from .formats import CUSTOM, find_preset
from .scene import Rect
from .units import EMU_PER_PT, MAX_LENGTH, UNITS_HELP, Length, mm, parse_length, parse_percent

Anchor = Literal["top-left", "top", "top-right", "left", "center", "right", "bottom-left", "bottom", "bottom-right"]
ANCHORS: tuple[str, ...] = typing.get_args(Anchor)
AnchorArea = Literal["safe", "trim"]
ANCHOR_AREAS: tuple[str, ...] = typing.get_args(AnchorArea)

# What a percentage is of: the page's width, its height, or its shorter side (lengths), or the
# shorter side in points (font sizes).
Basis = Literal["width", "height", "short", "font"]

# A page whose size the layout does not give in a usable way (an unknown format, a size with a bad
# length): relative values are resolved against it only so that validation goes on and reports the
# format or size problem itself; such a layout is always refused.
_STAND_IN = (mm(1000), mm(1000), Length(0))

_BOX_BASIS: dict[str, Basis] = {"x": "width", "width": "width", "y": "height", "height": "height"}
_MARGIN_BASIS: dict[str, Basis] = {"left": "width", "right": "width", "top": "height", "bottom": "height"}

_BOX_KEYS = {"anchor", "to", "x", "y", "width", "height"}

# Where the text blocks keep a font size range
_SIZED = {"headline", "brand", "hashtag", "credit", "quotes"}


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


def percent_basis(loc: Loc) -> Basis | None:
    """What a percentage at ``loc`` (a key path into the layout) is of; None where none is allowed."""
    if not loc:
        return None
    last = loc[-1]
    if loc == ("safe",):
        return "short"
    if "padding" in loc[-2:]:
        return "short"
    if len(loc) >= 2 and loc[-2] == "box":
        return _BOX_BASIS.get(str(last))
    if len(loc) >= 2 and loc[-2] == "size" and last in ("max", "min"):
        owner = loc[:-2]
        if (
            (len(owner) == 1 and owner[0] in _SIZED)
            or owner == ("quotes", "attribution")
            or (len(owner) == 3 and owner[0] == "captions" and owner[1] == "lines")
        ):
            return "font"
        return None
    if loc[0] == "grid":
        if loc == ("grid", "gutter"):
            return "short"
        if loc == ("grid", "column_gap"):
            return "width"
        if loc == ("grid", "row_gap"):
            return "height"
        if len(loc) == 3 and loc[1] == "margins":
            return _MARGIN_BASIS.get(str(last))
    if loc == ("captions", "height"):
        return "height"
    return None


def _length(value: object) -> Length:
    """An absolute length as the layout writes it; ValueError with the layout's wording otherwise."""
    if isinstance(value, Length):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value == 0:
            return Length(0)
        raise ValueError(f"{value} has no unit: write {UNITS_HELP}")
    if not isinstance(value, str):
        raise ValueError(f"expected {UNITS_HELP}, got {value!r}")
    if value.strip().endswith("%"):  # a percentage would have been resolved already
        raise ValueError(f"{value!r} is not a percentage: write a number and %, e.g. 5%")
    return parse_length(value)


class _Page:
    """Trim and safe area of the page a layout's data describes."""

    def __init__(self, data: dict):
        self.sides: tuple[Length, Length, Length, Length] | None = None
        width, height, safe = self._measure(data)
        self.width, self.height = width, height
        self.short = min(width, height)
        given_safe = data.get("safe")
        percent = parse_percent(given_safe)
        if given_safe is not None:
            self.sides = None  # the layout's own margin, the same on every side
        if percent is not None:
            safe = Length(round(percent * self.short / 100))
        elif given_safe is not None:
            # a bad margin is validation's to report; the preset's stands in meanwhile
            with contextlib.suppress(ValueError):
                safe = _length(given_safe)
        self.safe = safe

    def _measure(self, data: dict) -> tuple[Length, Length, Length]:
        name, size = data.get("format"), data.get("size")
        if isinstance(name, str):
            try:
                preset = find_preset(name)
            except KeyError:
                pass
            else:
                self.sides = preset.safe_sides
                return preset.width, preset.height, preset.safe
        if isinstance(size, dict):
            try:
                width, height = _length(size.get("width")), _length(size.get("height"))
            except ValueError:
                pass
            else:
                if width > 0 and height > 0:
                    return width, height, CUSTOM.safe
        return _STAND_IN

    def basis(self, basis: Basis) -> int:
        return {"width": self.width, "height": self.height}.get(basis, self.short)

    def area(self, name: str) -> Rect:
        trim = Rect(0, 0, self.width, self.height)
        if name == "trim":
            return trim
        return trim.inset_sides(self.sides) if self.sides else trim.inset(self.safe)


def resolve_relative(data: dict) -> tuple[dict, list[Problem]]:
    """``data`` with every percentage and anchored box made absolute, and the problems found."""
    page = _Page(data)
    problems: list[Problem] = []

    def resolve(value: object, loc: Loc) -> object:
        if isinstance(value, dict):
            resolved = {key: resolve(item, (*loc, key)) for key, item in value.items()}
            if loc and loc[-1] == "box" and "anchor" in resolved:
                return _anchored_box(resolved, loc, page, problems)
            return resolved
        if isinstance(value, list):
            return [resolve(item, (*loc, index)) for index, item in enumerate(value)]
        percent = parse_percent(value)
        basis = percent_basis(loc) if percent is not None else None
        if percent is None or basis is None:
            return value
        if basis == "font":
            return float(percent * page.short / 100 / EMU_PER_PT)
        length = Length(round(percent * page.basis(basis) / 100))
        if abs(length) > MAX_LENGTH:
            problems.append(Problem(loc, f"{value!r} is more than 1 km: check the number"))
            return value
        return length

    resolved = resolve(copy.deepcopy(data), ())
    assert isinstance(resolved, dict)  # a mapping stays a mapping
    return resolved, problems


def _anchored_box(box: dict, loc: Loc, page: _Page, problems: list[Problem]) -> dict:
    """An anchored box as plain x, y, width and height; under ``elements`` a box without width or
    height keeps its anchor for the element, whose own aspect ratio gives the missing side."""
    missing = [key for key in ("width", "height") if key not in box]
    if loc[:1] == ("elements",) and (missing or set(box) - _BOX_KEYS):
        return box  # the element checks and places it
    found: list[Problem] = []
    anchor, area = box.get("anchor"), box.get("to", "safe")
    if anchor not in ANCHORS:
        found.append(Problem((*loc, "anchor"), f"{anchor!r} is not an anchor: use one of {', '.join(ANCHORS)}"))
    if area not in ANCHOR_AREAS:
        found.append(Problem((*loc, "to"), f"{area!r} is not an area: use safe (the default) or trim"))
    if missing:
        found.append(
            Problem(loc, f"an anchored box needs its size: give width and height (missing: {', '.join(missing)})")
        )
    unknown = sorted(set(box) - _BOX_KEYS)
    found += [
        Problem((*loc, key), "unknown key: an anchored box has anchor, to, x, y, width and height", key_position=True)
        for key in unknown
    ]
    values: dict[str, Length] = {}
    for key in ("x", "y", "width", "height"):
        try:
            values[key] = _length(box.get(key, 0))
        except ValueError as error:
            found.append(Problem((*loc, key), str(error)))
    for key in ("width", "height"):
        if key in values and key not in missing and values[key] <= 0:
            found.append(Problem((*loc, key), "must be greater than 0"))
    problems.extend(found)
    if found:
        # reported here; a stand-in box keeps validation from reporting the same box again
        return {"x": Length(0), "y": Length(0), "width": Length(1), "height": Length(1)}
    rect = anchored_rect(str(anchor), page.area(str(area)), values["width"], values["height"], values["x"], values["y"])
    return {"x": Length(rect.x), "y": Length(rect.y), "width": Length(rect.w), "height": Length(rect.h)}
