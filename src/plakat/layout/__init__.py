"""The layout engine: a pure function from a validated layout and asset metadata to a scene.

In: :class:`~plakat.spec.Layout` and :class:`~plakat.assets.Assets` (image sizes, font metrics).
Out: :class:`~plakat.scene.Scene` with every box placed, every portrait cropped and every line of
text broken, sized and set; or :class:`LayoutProblems` naming what does not fit. No drawing, no
files.

- :mod:`.page`: trim, bleed, safe margin and preflight rules from the preset and the layout
- :mod:`.grid`: the grid area and its cells, each holding a person or a quote
- :mod:`.portraits`: cropping portraits into their frames, and their captions
- :mod:`.quotes`: quote cells
- :mod:`.furniture`: headline, brand line, hashtag and credit
- :mod:`.elements`: logos and QR codes in boxes, drawn on top
- :mod:`.build`: all of these into one scene
"""

from .build import build_scene
from .page import LayoutProblems, Page, page_of

__all__ = ["LayoutProblems", "Page", "build_scene", "page_of"]
