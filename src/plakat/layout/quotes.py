"""Quote cells: a person's quote set as large as its cell allows, with an attribution below.

In: a :class:`~plakat.layout.grid.QuoteCell`, the layout's quote style, the page and a
:class:`~plakat.text.Typesetter`. Out: the cell's background and its set lines.
"""

from __future__ import annotations

from ..scene import Fill, Rect, SceneItem
from ..spec import QuoteStyle
from ..templates import fill
from ..text import LineToSet, SetStyle, Typesetter, emu, points
from .grid import QuoteCell
from .page import Page
from .portraits import person_values


def quote_cell(cell: QuoteCell, style: QuoteStyle, page: Page, setter: Typesetter) -> list[SceneItem]:
    person = cell.person
    element = f"quote of {person.name}"
    items: list[SceneItem] = []
    if style.background is not None:
        items.append(Fill(page.bleed_out(cell.rect), style.background, element))
    inner = cell.rect.inset(style.padding)
    attribution: LineToSet | None = None
    attribution_height = 0
    if style.attribution is not None:
        line = style.attribution
        text = fill(line.template, person_values(person))
        attribution_style = SetStyle.of(line)
        size = setter.fit(
            text,
            attribution_style,
            line.size.min,
            line.size.max,
            inner,
            line.size.max * style.line_height,
            style.line_height,
            1,
            element,
            f"the attribution of {person.name}'s quote",
            "lower quotes.attribution.size.min",
            style.align,
        ).size
        attribution_height = emu(size * style.line_height * 1.5)
        attribution = LineToSet(text, attribution_style, size, line.color or style.color)
    text = fill(style.template, {**person_values(person), "quote": person.quote or ""})
    body_frame = Rect(inner.x, inner.y, inner.w, inner.h - attribution_height)
    body_style = SetStyle.of(style, hyphenate=True)
    body = setter.fit(
        text,
        body_style,
        style.size.min,
        style.size.max,
        body_frame,
        points(body_frame.h),
        style.line_height,
        None,
        element,
        f"{person.name}'s quote",
        "shorten it, lower quotes.size.min or give the cell more room",
        style.align,
    )
    items += setter.set_lines(
        [LineToSet(line, body_style, body.size, style.color) for line in body.lines],
        body_frame,
        style.align,
        "top",
        style.line_height,
        element,
    )
    if attribution is not None:
        items += setter.set_lines(
            [attribution],
            Rect(inner.x, inner.bottom - attribution_height, inner.w, attribution_height),
            style.align,
            "bottom",
            style.line_height,
            element,
        )
    return items
