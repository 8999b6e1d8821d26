"""Reading PDF objects with pikepdf: the few lookups both the PDF writer's finishing step and
preflight's reader make.

In: pikepdf pages, forms and font dictionaries. Out: plain Python values (resource dictionaries,
content-stream operations, embedded font programs), typed loosely, as pikepdf's objects are.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pikepdf

FONT_FILE_KEYS = ("/FontFile", "/FontFile2", "/FontFile3")


def resources(holder: Any, kind: str) -> Any:
    """The ``kind`` resources (``/Font``, ``/XObject``, ``/ColorSpace``) of a page or form; {} if none."""
    return holder.get("/Resources", {}).get(kind, {})


def operations(holder: Any) -> Iterator[tuple[list[Any], str]]:
    """The content stream of a page or form as (operands, operator name) pairs."""
    for instruction in pikepdf.parse_content_stream(holder):
        yield list(instruction.operands), str(instruction.operator)


def embedded_font_file(font: Any) -> Any:
    """The embedded font program of a PDF font dictionary, or None when it is not embedded."""
    descendants = font.get("/DescendantFonts")
    descriptor = (descendants[0] if descendants else font).get("/FontDescriptor")
    if descriptor is None:
        return None
    return next((descriptor[key] for key in FONT_FILE_KEYS if key in descriptor), None)
