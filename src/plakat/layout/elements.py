"""Elements: logos and QR codes placed in their boxes.

In: the layout's ``elements:``, the logo files' kinds and sizes (:class:`~plakat.assets.ElementFile`)
and the page. Out: one scene item per element (a :class:`~plakat.scene.PlacedImage` for a raster
logo, a :class:`~plakat.scene.PlacedVector` for an SVG or PDF, a :class:`~plakat.scene.QrCode`),
or the problems that make an element impossible. A box may leave out its width or height: it
follows the element's own aspect ratio, known only here.
"""

from __future__ import annotations

import dataclasses

import segno

from ..assets import ElementFile
from ..color import BLACK, WHITE
from ..errors import Problem
from ..relative import anchored_rect
from ..scene import PlacedImage, PlacedVector, QrCode, Rect, SceneItem, embed_reduction
from ..spec import Element, ElementBox
from .page import Page
from .portraits import cover_crop

QUIET_ZONE = 4  # modules of background around a QR code, as ISO/IEC 18004 requires


def element_name(element: Element, index: int) -> str:
    return element.name or f"elements[{index}]"


def element_box(box: ElementBox, aspect: float, page: Page) -> Rect:
    """The box on the page: a missing width or height follows ``aspect`` (width / height)."""
    if box.width is not None and box.height is not None:
        width, height = int(box.width), int(box.height)
    elif box.width is not None:
        width, height = int(box.width), round(box.width / aspect)
    else:
        assert box.height is not None  # the spec asks for one of them
        width, height = round(box.height * aspect), int(box.height)
    if box.anchor is None:
        assert box.x is not None and box.y is not None  # the spec asks for both without an anchor
        return Rect(int(box.x), int(box.y), width, height)
    area = page.trim if box.to == "trim" else page.safe_box
    return anchored_rect(box.anchor, area, width, height, int(box.x or 0), int(box.y or 0))


def contained(box: Rect, aspect: float) -> Rect:
    """The largest rectangle of ``aspect`` inside ``box``, centred in it."""
    if box.w / box.h > aspect:
        width = round(box.h * aspect)
        return Rect(box.x + (box.w - width) // 2, box.y, width, box.h)
    height = round(box.w / aspect)
    return Rect(box.x, box.y + (box.h - height) // 2, box.w, height)


def qr_modules(text: str, level: str) -> tuple[str, ...]:
    """The QR code's rows with the quiet zone, "1" for a dark module. Raises ValueError when the
    text does not fit any QR code at that error correction level."""
    try:
        code = segno.make_qr(text, error=level, boost_error=False)
    except segno.DataOverflowError:
        raise ValueError(
            f"{len(text)} characters are too many for a QR code at error correction {level}: "
            "shorten the text (a short web address) or lower error_correction"
        ) from None
    return tuple("".join("1" if dark else "0" for dark in row) for row in code.matrix_iter(border=QUIET_ZONE))


def place_elements(
    elements: list[Element], files: dict[int, ElementFile], page: Page
) -> tuple[list[SceneItem], list[Problem]]:
    items: list[SceneItem] = []
    problems: list[Problem] = []
    for index, element in enumerate(elements):
        name = element_name(element, index)
        if element.qr is not None:
            try:
                modules = qr_modules(element.qr, element.error_correction or "M")
            except ValueError as error:
                problems.append(Problem(("elements", index, "qr"), f"{error}"))
                continue
            box = element_box(element.box, 1.0, page)
            if box.w <= 0 or box.h <= 0:
                problems.append(Problem(("elements", index, "box"), "the box has no area"))
                continue
            items.append(
                QrCode(
                    contained(box, 1.0),
                    modules,
                    element.color or BLACK,
                    element.background or WHITE,
                    name,
                    element.qr,
                    element.min_size,
                )
            )
            continue
        file = files[index]
        box = element_box(element.box, file.aspect, page)
        if box.w <= 0 or box.h <= 0:
            problems.append(Problem(("elements", index, "box"), "the box has no area"))
            continue
        cover = element.fit == "cover"
        if file.image is not None:
            image = file.image
            shown = box if cover else contained(box, file.aspect)
            crop = (
                cover_crop(image, shown, (0.5, 0.5)) if cover else (0.0, 0.0, float(image.width), float(image.height))
            )
            placed = PlacedImage(shown, crop, image, name, None, min_size=element.min_size)
            reduction = embed_reduction(min(placed.ppi), page.rules.recommended_ppi)
            items.append(dataclasses.replace(placed, reduction=reduction) if reduction > 1 else placed)
            continue
        shown = box if cover else contained(box, file.aspect)
        crop = _cover_region(file, shown) if cover else (0.0, 0.0, file.width, file.height)
        items.append(PlacedVector(shown, crop, (file.width, file.height), file.path, file.kind, name, element.min_size))
    return items, problems


def _cover_region(file: ElementFile, box: Rect) -> tuple[float, float, float, float]:
    """The centred part of the logo with the box's aspect ratio (points from its top-left)."""
    aspect = box.w / box.h
    if file.aspect > aspect:
        width = file.height * aspect
        left = (file.width - width) / 2
        return left, 0.0, left + width, file.height
    height = file.width / aspect
    top = (file.height - height) / 2
    return 0.0, top, file.width, top + height
