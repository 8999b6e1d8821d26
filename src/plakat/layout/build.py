"""All parts of the layout engine into one scene.

In: a :class:`~plakat.spec.Layout` and its :class:`~plakat.assets.Assets`. Out: the
:class:`~plakat.scene.Scene` in drawing order (background, bands, portraits with captions, quote
cells, furniture, then the elements: logos and QR codes on top), or
:class:`~plakat.layout.page.LayoutProblems` listing every problem found.
"""

from __future__ import annotations

import statistics

from ..assets import Assets
from ..errors import Problem
from ..hyphenation import hyphenator
from ..scene import Fill, Scene, SceneItem
from ..spec import Layout
from ..text import Typesetter
from .elements import place_elements
from .furniture import text_block
from .grid import DEFAULT_PORTRAIT_ASPECT, PersonCell, QuoteCell, allocate_cells
from .page import LayoutProblems, box_rect, page_of, page_problems
from .portraits import portraits_with_captions
from .quotes import quote_cell


def typical_aspect(spec: Layout, assets: Assets) -> float:
    """The median width / height of the people's portraits, as shown (EXIF orientation applied)."""
    aspects = [image.width / image.height for p in spec.people if (image := assets.images.get(p.name)) and image.height]
    return statistics.median(aspects) if aspects else DEFAULT_PORTRAIT_ASPECT


def smallest_portrait(spec: Layout, assets: Assets) -> tuple[int, int] | None:
    """The fewest pixels across and down of any person's portrait, as shown; None without any."""
    images = [image for p in spec.people if (image := assets.images.get(p.name))]
    return (min(i.width for i in images), min(i.height for i in images)) if images else None


def build_scene(spec: Layout, assets: Assets) -> Scene:
    page = page_of(spec)
    problems: list[Problem] = page_problems(page, spec)
    if problems:
        raise LayoutProblems(problems)
    setter = Typesetter(
        assets.fonts,
        spec.fallback,
        # The patterns are read (100 ms) only when some text needs them.
        lambda word: hyphenator(spec.language).breaks(word),
        protected=frozenset(person.name for person in spec.people),
    )
    items: list[SceneItem] = [Fill(page.bleed_out(page.trim), spec.background, "background")]
    items += [
        Fill(page.bleed_out(box_rect(band.box)), band.color, f"bands[{index}]") for index, band in enumerate(spec.bands)
    ]
    grid = allocate_cells(spec, page, typical_aspect(spec, assets), smallest_portrait(spec, assets))
    problems += grid.problems
    if not problems:
        people = [cell for cell in grid.cells if isinstance(cell, PersonCell)]
        placed, problems = portraits_with_captions(people, spec.captions, assets.images, page, setter)
        items += placed
        for cell in grid.cells:
            if isinstance(cell, QuoteCell):
                assert spec.quotes is not None  # the spec refuses quote cells without a quote style
                items += quote_cell(cell, spec.quotes, page, setter)
    for name, block in spec.text_blocks.items():
        placed, block_problems = text_block(name, block, page, setter)
        items += placed
        problems += block_problems
    placed, element_problems = place_elements(spec.elements, assets.elements, page)
    items += placed
    problems += element_problems
    if problems:
        raise LayoutProblems(problems)
    return Scene(
        title=spec.title or "",
        width=page.width,
        height=page.height,
        bleed=page.bleed,
        safe=page.safe,
        safe_sides=page.safe_sides,
        background=spec.background,
        items=tuple(items),
        fonts={key: assets.fonts[key].path for key in sorted(setter.used_fonts)},
        png_dpi=page.png_dpi,
        format_name=page.format_name,
        rules=page.rules,
        notes=tuple(setter.notes),
    )
