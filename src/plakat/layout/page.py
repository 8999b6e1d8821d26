"""The page: trim, bleed, safe margin and the rules preflight applies.

In: a :class:`~plakat.spec.Layout`. Out: :class:`Page` (the preset's figures overridden by the
layout's) and the problems that make a page impossible. A screen preset's page is its pixels at
72 dpi, exactly, with no bleed and no sheets (the spec refuses a layout that sets them).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Loc, Problem
from ..formats import CUSTOM, find_preset
from ..scene import Rect, Rules
from ..spec import Box, Layout
from ..units import EMU_PER_INCH, Length, format_length

# One arc minute: the finest detail an eye resolves is distance / 3438.
ARC_MINUTE_PPI_INCHES = 3438


class LayoutProblems(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


@dataclass(frozen=True)
class Page:
    width: Length
    height: Length
    bleed: Length
    safe: Length
    format_name: str | None
    png_dpi: float
    rules: Rules
    safe_sides: tuple[int, int, int, int] | None = None  # top, right, bottom, left where they differ

    @property
    def trim(self) -> Rect:
        return Rect(0, 0, self.width, self.height)

    @property
    def safe_box(self) -> Rect:
        return self.trim.inset_sides(self.safe_sides) if self.safe_sides else self.trim.inset(self.safe)

    def bleed_out(self, rect: Rect) -> Rect:
        """``rect`` carried across every trim edge it touches, out to the bleed edge."""
        x0 = -self.bleed if rect.x <= 0 else rect.x
        y0 = -self.bleed if rect.y <= 0 else rect.y
        x1 = self.width + self.bleed if rect.right >= self.width else rect.right
        y1 = self.height + self.bleed if rect.bottom >= self.height else rect.bottom
        return Rect(x0, y0, x1 - x0, y1 - y0)


def box_rect(box: Box) -> Rect:
    return Rect(box.x, box.y, box.width, box.height)


def page_of(spec: Layout) -> Page:
    """Trim, bleed, safe margin and preflight rules: the preset's, overridden by the layout."""
    settings = spec.preflight
    if spec.format is not None:
        preset = find_preset(spec.format)
        width, height, required_bleed = preset.width, preset.height, preset.bleed
    else:
        assert spec.size is not None  # the spec gives format or size
        preset = CUSTOM
        width, height, required_bleed = spec.size.width, spec.size.height, Length(0)
    min_ppi = settings.min_ppi or preset.min_ppi
    rec_ppi = preset.recommended_ppi
    # A screen is read at arm's length whatever the poster's readers do: its rules are in pixels,
    # so a viewing distance that a shared campaign file or a print layout states does not apply.
    viewing_distance = None if preset.is_screen else settings.viewing_distance
    if settings.recommended_ppi is not None:
        rec_ppi = settings.recommended_ppi
    elif viewing_distance:
        rec_ppi = round(ARC_MINUTE_PPI_INCHES / (viewing_distance / EMU_PER_INCH), 1)
    sheets = preset.sheets
    if settings.sheets is not None:
        sheets = (settings.sheets.columns, settings.sheets.rows)
    rules = Rules(
        min_ppi=min_ppi,
        recommended_ppi=max(min_ppi, rec_ppi),
        max_upscale=settings.max_upscale,
        required_bleed=required_bleed,
        sheets=sheets if sheets != (1, 1) else None,
        seam_clearance=settings.seam_clearance,
        viewing_distance=viewing_distance,
        legibility_ratio=settings.legibility_ratio,
        min_cap_height=settings.min_cap_height,
        legibility_exempt=settings.legibility_exempt,
    )
    return Page(
        width,
        height,
        spec.bleed if spec.bleed is not None else preset.bleed,
        spec.safe if spec.safe is not None else preset.safe,
        preset.name if spec.format is not None else None,
        spec.output.png_dpi or preset.png_dpi,
        rules,
        None if spec.safe is not None or spec.format is None else preset.safe_sides,
    )


def page_problems(page: Page, spec: Layout) -> list[Problem]:
    """What makes the page itself impossible: no area, a bleed or safe margin larger than the page."""
    where: Loc = ("size",) if spec.size is not None else ("format",)
    if page.width <= 0 or page.height <= 0:
        return [Problem(where, "width and height must be greater than 0")]
    problems = []
    if page.bleed < 0:
        problems.append(Problem(("bleed",), "bleed cannot be negative"))
    elif page.bleed * 2 >= min(page.width, page.height):
        problems.append(
            Problem(
                ("bleed",),
                f"bleed {format_length(page.bleed)} is larger than half the "
                "page: bleed is a few millimetres around the trim",
            )
        )
    if page.safe < 0 or page.safe * 2 >= min(page.width, page.height):
        problems.append(Problem(("safe",), f"safe margin {format_length(page.safe)} leaves no room on the page"))
    return problems
