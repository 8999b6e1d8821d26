"""Poster furniture: headline, brand line, hashtag and credit, each a text block in its own box.

In: a :class:`~plakat.spec.TextBlock`, the page and a :class:`~plakat.text.Typesetter`. Out: the
block's background and its set lines, or the problem that makes the box impossible.
"""

from __future__ import annotations

from ..errors import Problem
from ..scene import Fill, SceneItem
from ..spec import TextBlock
from ..text import LineToSet, SetStyle, Typesetter, points
from .page import Page, box_rect

UNBROKEN_BLOCKS = frozenset({"headline", "brand", "hashtag"})


def text_block(name: str, block: TextBlock, page: Page, setter: Typesetter) -> tuple[list[SceneItem], list[Problem]]:
    box = box_rect(block.box)
    if box.w <= 0 or box.h <= 0:
        return [], [Problem((name, "box"), "width and height must be greater than 0")]
    items: list[SceneItem] = []
    if block.background is not None:
        items.append(Fill(page.bleed_out(box), block.background, name))
    inner = box.inset(block.padding)
    # Free text such as the credit may break words; the headline, brand and hashtag keep theirs.
    style = SetStyle.of(block, hyphenate=name not in UNBROKEN_BLOCKS)
    fitted = setter.fit(
        block.text,
        style,
        block.size.min,
        block.size.max,
        inner,
        points(inner.h),
        block.line_height,
        block.max_lines,
        name,
        f"the {name} {block.text!r}",
        f"enlarge {name}.box, lower {name}.size.min or shorten the text",
        block.align,
    )
    items += setter.set_lines(
        [LineToSet(line, style, fitted.size, block.color) for line in fitted.lines],
        inner,
        block.align,
        block.valign,
        block.line_height,
        name,
    )
    return items, []
