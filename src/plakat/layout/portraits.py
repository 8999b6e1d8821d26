"""Portraits and their captions.

In: the person cells, the layout's caption style, image metadata and a
:class:`~plakat.text.Typesetter`. Out: for each person a placed, cropped image, the caption's
background and its set lines; problems when the caption leaves no room for the portrait.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..assets import ImageInfo
from ..errors import Problem
from ..scene import Fill, PlacedImage, Rect, SceneItem, embed_reduction
from ..spec import Captions, Person
from ..templates import fill
from ..text import LineToSet, SetStyle, Typesetter, points
from ..units import format_length
from .grid import PersonCell
from .page import Page


def person_values(person: Person) -> dict[str, str]:
    """What a template's fields stand for; a missing age or role is empty, never "None"."""
    return {"name": person.name, "age": "" if person.age is None else str(person.age), "role": person.role}


def cover_crop(image: ImageInfo, rect: Rect, focus: tuple[float, float]) -> tuple[float, float, float, float]:
    """The largest source region with ``rect``'s aspect ratio, centred on ``focus`` (0..1) as far
    as the image edges allow."""
    box_aspect = rect.w / rect.h
    if image.width / image.height > box_aspect:
        crop_w, crop_h = image.height * box_aspect, float(image.height)
    else:
        crop_w, crop_h = float(image.width), image.width / box_aspect
    left = min(max(focus[0] * image.width - crop_w / 2, 0.0), image.width - crop_w)
    top = min(max(focus[1] * image.height - crop_h / 2, 0.0), image.height - crop_h)
    return left, top, left + crop_w, top + crop_h


def place_portrait(image: ImageInfo, shown: Rect, person: Person, page: Page) -> PlacedImage:
    """``image`` filling ``shown``, cropped around the person's focus point; embedded reduced when it
    is far sharper than the page needs."""
    crop = cover_crop(image, shown, person.focus)
    focus_x = shown.x + round((person.focus[0] * image.width - crop[0]) / (crop[2] - crop[0]) * shown.w)
    focus_y = shown.y + round((person.focus[1] * image.height - crop[1]) / (crop[3] - crop[1]) * shown.h)
    placed = PlacedImage(shown, crop, image, person.name, (focus_x, focus_y))
    reduction = embed_reduction(min(placed.ppi), page.rules.recommended_ppi)
    return dataclasses.replace(placed, reduction=reduction) if reduction > 1 else placed


@dataclass(frozen=True)
class _Frame:
    person: Person
    image: Rect
    caption: Rect


def portraits_with_captions(
    cells: list[PersonCell], captions: Captions, images: dict[str, ImageInfo], page: Page, setter: Typesetter
) -> tuple[list[SceneItem], list[Problem]]:
    frames: list[_Frame] = []
    for cell in cells:
        rect, person = cell.rect, cell.person
        if captions.height >= rect.h:
            return [], [
                Problem(
                    ("captions", "height"),
                    f"caption height {format_length(captions.height)} leaves no "
                    f"room for {person.name}'s portrait in a "
                    f"{format_length(rect.h)} high cell: lower captions.height (e.g. a percentage of the "
                    "page height such as 5%), use fewer rows or give the grid more height",
                )
            ]
        band = Rect(rect.x, rect.bottom - captions.height, rect.w, captions.height)
        image = rect if captions.placement == "overlay" else Rect(rect.x, rect.y, rect.w, rect.h - captions.height)
        frames.append(_Frame(person, image, band))
    sizes = _caption_sizes(frames, captions, setter)
    items: list[SceneItem] = []
    for frame in frames:
        person = frame.person
        element = f"caption of {person.name}"
        items.append(place_portrait(images[person.name], page.bleed_out(frame.image), person, page))
        if captions.background is not None:
            items.append(Fill(page.bleed_out(frame.caption), captions.background, element))
        lines = [
            LineToSet(
                fill(line.template, person_values(person)),
                SetStyle.of(line),
                sizes[(person.name, number)],
                line.color or captions.color,
            )
            for number, line in enumerate(captions.lines)
        ]
        items += setter.set_lines(
            lines, frame.caption.inset(captions.padding), captions.align, "middle", captions.line_height, element
        )
    return items, []


def _caption_sizes(frames: list[_Frame], captions: Captions, setter: Typesetter) -> dict[tuple[str, int], float]:
    """The size of every caption line of every person; with ``uniform``, one size per line number
    (the smallest that any person's caption needs)."""
    sizes: dict[tuple[str, int], float] = {}
    slot_weights = [line.size.max for line in captions.lines]
    for frame in frames:
        person = frame.person
        inner = frame.caption.inset(captions.padding)
        for number, line in enumerate(captions.lines):
            slot_height = points(inner.h) * slot_weights[number] / sum(slot_weights)
            sizes[(person.name, number)] = setter.fit(
                fill(line.template, person_values(person)),
                SetStyle.of(line),
                line.size.min,
                line.size.max,
                inner,
                slot_height,
                captions.line_height,
                1,
                f"caption of {person.name}",
                f"caption line {number + 1} of {person.name}",
                f"lower captions.lines[{number}].size.min, widen the cells or raise captions.height",
                captions.align,
            ).size
    if captions.uniform and frames:
        for number in range(len(captions.lines)):
            shared = min(sizes[(frame.person.name, number)] for frame in frames)
            for frame in frames:
                sizes[(frame.person.name, number)] = shared
    return sizes
