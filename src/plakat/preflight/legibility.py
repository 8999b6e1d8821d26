"""Legibility from a distance: is every line of text large enough to read where the poster hangs?

In: a :class:`~plakat.scene.Scene`, whose :class:`~plakat.scene.Rules` carry the layout's viewing
distance, legibility ratio, explicit minimum cap height and exempt text, and the font metrics (cap
height in em, from OS/2 sCapHeight, 0.7 em for a font that gives none). Out: one ``text-too-small``
warning per element that has a line whose cap height (size x the font's cap height) lies below
the minimum: ``min_cap_height`` if the layout gives one, else ``viewing_distance /
legibility_ratio``. The finding names the smallest such line and sits at its centre; with neither
setting there is no check, except on a screen preset, whose own smallest cap height in pixels
(``min_cap_height_px``, 12 px for posts and stories) applies. On a screen format the message gives
cap heights in pixels (at 72 dpi a pixel is a point); measured and required stay in mm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..assets import FontMetrics
from ..findings import Finding, finding
from ..formats import EMU_PER_PX, screen_preset
from ..scene import Rect, Scene, TextLine
from ..units import EMU_PER_MM, EMU_PER_PT


@dataclass(frozen=True)
class Minimum:
    """The smallest cap height text may have, and where that figure comes from."""

    cap_height: int  # EMU
    viewing_distance: int | None  # EMU
    source: str  # "distance / 300", "preflight.min_cap_height" or "the social-story default"
    screen: bool = False  # lengths in the message in pixels


def minimum_cap_height(scene: Scene) -> Minimum | None:
    """The layout's minimum cap height, or None when it states neither a distance nor a minimum."""
    rules = scene.rules
    screen = screen_preset(scene.format_name)
    on_screen = screen is not None
    if rules.min_cap_height is not None:
        return Minimum(rules.min_cap_height, rules.viewing_distance, "preflight.min_cap_height", on_screen)
    if rules.viewing_distance is None:
        if screen is not None and screen.min_cap_height_px:
            return Minimum(screen.min_cap_height_px * EMU_PER_PX, None, f"the {screen.name} default", True)
        return None
    return Minimum(
        round(rules.viewing_distance / rules.legibility_ratio),
        rules.viewing_distance,
        f"distance / {rules.legibility_ratio:g}",
        on_screen,
    )


def group_of(element: str) -> str:
    """The name under which ``legibility_exempt`` lists an element: captions and quotes go as a whole."""
    if element.startswith("caption of "):
        return "captions"
    if element.startswith("quote of "):
        return "quotes"
    return element


def cap_height(line: TextLine, fonts: dict[str, FontMetrics]) -> int:
    """Height of the line's capitals on the page, EMU."""
    return round(line.size * fonts[line.font].cap_height * EMU_PER_PT)


def check_legibility(scene: Scene, fonts: dict[str, FontMetrics]) -> list[Finding]:
    minimum = minimum_cap_height(scene)
    if minimum is None:
        return []
    exempt = set(scene.rules.legibility_exempt)
    too_small: dict[str, list[tuple[int, TextLine]]] = {}
    for line in scene.of_type(TextLine):
        if not line.text.strip() or group_of(line.element) in exempt:
            continue
        height = cap_height(line, fonts)
        if height < minimum.cap_height:
            too_small.setdefault(line.element, []).append((height, line))
    findings = []
    for element, lines in too_small.items():
        # One finding per element: the lines of a caption or a quote share one remedy.
        height, line = min(lines, key=lambda pair: pair[0])
        findings.append(
            finding(
                "text-too-small",
                _message(element, line, len(lines), height, minimum, fonts[line.font].cap_height),
                element,
                round(height / EMU_PER_MM, 2),
                round(minimum.cap_height / EMU_PER_MM, 2),
                _centre(line.ink),
            )
        )
    return findings


def _message(element: str, line: TextLine, count: int, height: int, minimum: Minimum, cap_em: float) -> str:
    have, need = _two_px(height, minimum.cap_height) if minimum.screen else _two_mm(height, minimum.cap_height)
    which = f"{line.text!r}" + (f" (the smallest of its {count} lines that are too small)" if count > 1 else "")
    where = f"read from {minimum.viewing_distance / EMU_PER_MM / 1000:g} m " if minimum.viewing_distance else ""
    points = math.ceil(minimum.cap_height / (cap_em * EMU_PER_PT))
    closer = (
        "lower preflight.min_cap_height"
        if minimum.source == "preflight.min_cap_height"
        else "set preflight.viewing_distance to their distance"
    )
    size = f"{points} pt (= {points} px at 72 dpi)" if minimum.screen else f"{points} pt"
    fix = (
        f"Set it at {size} or more ({_size_key(element)}: raise min, and max if it is lower); shorten "
        "the text or give it more room if it then does not fit"
    )
    if minimum.screen:
        small_print = (
            "lower preflight.min_cap_height"
            if minimum.source == "preflight.min_cap_height"
            else "list it in preflight.legibility_exempt or set preflight.min_cap_height (e.g. 10px@72dpi)"
        )
        return (
            f"{element}: {which} has a cap height of {have}; on screen it needs at least {need} cap height "
            f"({minimum.source}). {fix}; or, if it is small print, {small_print}"
        )
    return (
        f"{element}: {which} has a cap height of {have}; {where}it needs at least {need} cap height "
        f"({minimum.source}). {fix}; or, if readers stand closer, {closer}"
    )


def _size_key(element: str) -> str:
    """Where the layout sets the size of the element's text."""
    group = group_of(element)
    if group == "captions":
        return "that line's size in captions.lines"
    if group == "quotes":
        return "quotes.size, or quotes.attribution.size for the attribution"
    return f"{group}.size"


def _two_mm(a: int, b: int) -> tuple[str, str]:
    """Two lengths in mm with as few decimals as tell them apart (a cap height just below the
    minimum must not read as equal to it)."""
    a_mm, b_mm = a / EMU_PER_MM, b / EMU_PER_MM
    for decimals in (0, 1, 2):
        if round(a_mm, decimals) != round(b_mm, decimals):
            break
    return f"{a_mm:.{decimals}f} mm", f"{b_mm:.{decimals}f} mm"


def _two_px(a: int, b: int) -> tuple[str, str]:
    """Two lengths in screen pixels, with a decimal when whole pixels would not tell them apart."""
    a_px, b_px = a / EMU_PER_PX, b / EMU_PER_PX
    decimals = 0 if round(a_px) != round(b_px) else 1
    return f"{a_px:.{decimals}f} px", f"{b_px:.{decimals}f} px"


def _centre(rect: Rect) -> tuple[float, float]:
    return round((rect.x + rect.w / 2) / EMU_PER_MM, 1), round((rect.y + rect.h / 2) / EMU_PER_MM, 1)
