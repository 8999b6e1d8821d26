"""The layout engine: a pure function from a validated layout and asset metadata to a scene.

In: :class:`~plakat.spec.Layout` and :class:`~plakat.assets.Assets` (image sizes, font metrics).
Out: :class:`~plakat.scene.Scene` with every box placed, every portrait cropped and every line of
text broken and sized; or :class:`LayoutProblems` naming what does not fit. No drawing, no files.
"""

from __future__ import annotations

import dataclasses

import math
from dataclasses import dataclass

from .assets import Assets, FontMetrics, ImageInfo
from .color import Color
from .errors import Loc, Problem
from .formats import find_preset
from .scene import Fill, LayoutNote, PlacedImage, Rect, Rules, Scene, TextLine, embed_reduction
from .spec import Box, CaptionLine, Layout, Person, TextBlock
from .units import EMU_PER_INCH, EMU_PER_PT, Length, format_length, mm

# For a custom size: the DIN poster figures (3 mm bleed) and a modest safe margin
_CUSTOM_BLEED = mm(3)
_CUSTOM_SAFE = mm(10)
_CUSTOM_MIN_PPI, _CUSTOM_RECOMMENDED_PPI, _CUSTOM_PNG_DPI = 72, 150, 100


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


# One arc minute: the finest detail an eye resolves is distance / 3438.
ARC_MINUTE_PPI_INCHES = 3438


def page_of(spec: Layout) -> Page:
    """Trim, bleed, safe margin and preflight rules: the preset's, overridden by the layout."""
    settings = spec.preflight
    if spec.format is not None:
        preset = find_preset(spec.format)
        width, height, bleed, safe = preset.width, preset.height, preset.bleed, preset.safe
        name, min_ppi, rec_ppi, dpi = preset.name, preset.min_ppi, preset.recommended_ppi, preset.png_dpi
        required_bleed, sheets = preset.bleed, preset.sheets
    else:
        width, height = spec.size.width, spec.size.height
        bleed, safe, name = _CUSTOM_BLEED, _CUSTOM_SAFE, None
        min_ppi, rec_ppi, dpi = _CUSTOM_MIN_PPI, _CUSTOM_RECOMMENDED_PPI, _CUSTOM_PNG_DPI
        required_bleed, sheets = Length(0), None
    min_ppi = settings.min_ppi or min_ppi
    if settings.recommended_ppi is not None:
        rec_ppi = settings.recommended_ppi
    elif settings.viewing_distance:
        rec_ppi = round(ARC_MINUTE_PPI_INCHES / (settings.viewing_distance / EMU_PER_INCH), 1)
    if settings.sheets is not None:
        sheets = (settings.sheets.columns, settings.sheets.rows)
    rules = Rules(min_ppi=min_ppi, recommended_ppi=max(min_ppi, rec_ppi), max_upscale=settings.max_upscale,
                  required_bleed=required_bleed, sheets=sheets if sheets != (1, 1) else None,
                  seam_clearance=settings.seam_clearance)
    return Page(width, height, spec.bleed if spec.bleed is not None else bleed,
                spec.safe if spec.safe is not None else safe, name, spec.output.png_dpi or dpi, rules)


def build_scene(spec: Layout, assets: Assets) -> Scene:
    builder = _SceneBuilder(spec, assets)
    return builder.build()


# --- text ---------------------------------------------------------------------------------------

def wrap_words(text: str, metrics: FontMetrics, size: float, width: float,
               overflow: bool = False) -> list[str] | None:
    """Greedy line breaking at spaces (and at explicit newlines); None if one word is too wide,
    unless ``overflow`` lets it stand on a line of its own."""
    lines: list[str] = []
    space = metrics.width(" ", size)
    for paragraph in text.split("\n"):
        current, current_width = "", 0.0
        for word in paragraph.split():
            word_width = metrics.width(word, size)
            if word_width > width and not overflow:
                return None
            if current and current_width + space + word_width <= width:
                current, current_width = f"{current} {word}", current_width + space + word_width
            else:
                if current:
                    lines.append(current)
                current, current_width = word, word_width
        lines.append(current)
    return lines


def fit_text(text: str, metrics: FontMetrics, min_size: float, max_size: float, width: float,
             height: float, line_height: float, max_lines: int | None) -> tuple[float, list[str]] | None:
    """The largest size in [min_size, max_size] (0.1 pt steps) at which ``text`` fits the frame
    (points); None if it does not fit even at ``min_size``."""

    def fits(size: float) -> list[str] | None:
        lines = wrap_words(text, metrics, size, width)
        if lines is None or (max_lines is not None and len(lines) > max_lines):
            return None
        return lines if len(lines) * size * line_height <= height + 1e-9 else None

    if (lines := fits(max_size)) is not None:
        return max_size, lines
    if fits(min_size) is None:
        return None
    # Fitting is monotonic in the size: smaller text never needs more lines. Bisect, then round down.
    low, high = min_size, max_size
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if fits(middle) is not None else (low, middle)
    size = max(min_size, math.floor(low * 10) / 10)
    return size, fits(size)


def _pt(value: Length | int) -> float:
    return value / EMU_PER_PT


def _emu(points: float) -> int:
    return round(points * EMU_PER_PT)


def _box_rect(box: Box) -> Rect:
    return Rect(box.x, box.y, box.width, box.height)


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


class _SceneBuilder:
    def __init__(self, spec: Layout, assets: Assets):
        self.spec = spec
        self.assets = assets
        self.page = page_of(spec)
        self.items: list = []
        self.problems: list[Problem] = []
        self.notes: list[LayoutNote] = []
        self.used_fonts: set[str] = set()

    # edges of the trim that an element touching them is carried across, into the bleed
    def _bleed_out(self, rect: Rect) -> Rect:
        bleed, page = self.page.bleed, self.page
        x0 = -bleed if rect.x <= 0 else rect.x
        y0 = -bleed if rect.y <= 0 else rect.y
        x1 = page.width + bleed if rect.right >= page.width else rect.right
        y1 = page.height + bleed if rect.bottom >= page.height else rect.bottom
        return Rect(x0, y0, x1 - x0, y1 - y0)

    def build(self) -> Scene:
        page = self.page
        self._check_page()
        if self.problems:
            raise LayoutProblems(self.problems)
        self.items.append(Fill(self._bleed_out(Rect(0, 0, page.width, page.height)), self.spec.background,
                               "background"))
        for index, band in enumerate(self.spec.bands):
            self.items.append(Fill(self._bleed_out(_box_rect(band.box)), band.color, f"bands[{index}]"))
        area, cells = self._grid()
        if not self.problems:
            self._place_cells(cells)
        for name, block in self.spec.text_blocks.items():
            self._text_block(name, block)
        if self.problems:
            raise LayoutProblems(self.problems)
        return Scene(
            title=self.spec.title or "",
            width=page.width, height=page.height, bleed=page.bleed, safe=page.safe,
            background=self.spec.background,
            items=tuple(self.items),
            fonts={key: self.assets.fonts[key].path for key in sorted(self.used_fonts)},
            cells=tuple(rect for rect, _ in cells),
            grid_area=area,
            png_dpi=page.png_dpi, format_name=page.format_name, rules=page.rules, notes=tuple(self.notes),
        )

    def _check_page(self):
        page = self.page
        where: Loc = ("size",) if self.spec.size is not None else ("format",)
        if page.width <= 0 or page.height <= 0:
            self.problems.append(Problem(where, "width and height must be greater than 0"))
            return
        if page.bleed < 0:
            self.problems.append(Problem(("bleed",), "bleed cannot be negative"))
        elif page.bleed * 2 >= min(page.width, page.height):
            self.problems.append(Problem(("bleed",), f"bleed {format_length(page.bleed)} is larger than half the "
                                                     "page: bleed is a few millimetres around the trim"))
        if page.safe < 0 or page.safe * 2 >= min(page.width, page.height):
            self.problems.append(Problem(("safe",), f"safe margin {format_length(page.safe)} leaves no room on "
                                                    "the page"))

    # --- grid ---------------------------------------------------------------------------------

    def _grid(self) -> tuple[Rect, list[tuple[Rect, object]]]:
        grid, page = self.spec.grid, self.page
        if grid.box is not None:
            area = _box_rect(grid.box)
        elif grid.margins is not None:
            m = grid.margins
            area = Rect(m.left, m.top, page.width - m.left - m.right, page.height - m.top - m.bottom)
        else:
            area = Rect(0, 0, page.width, page.height).inset(page.safe)
        column_gap = next((g for g in (grid.column_gap, grid.gutter) if g is not None), Length(0))
        row_gap = next((g for g in (grid.row_gap, grid.gutter) if g is not None), Length(0))
        free_w = area.w - (grid.columns - 1) * column_gap
        free_h = area.h - (grid.rows - 1) * row_gap
        if area.w <= 0 or area.h <= 0 or free_w <= 0 or free_h <= 0 or column_gap < 0 or row_gap < 0:
            self.problems.append(Problem(("grid",), f"{grid.columns} columns x {grid.rows} rows with these gaps do "
                                                    f"not fit the grid area ({format_length(area.w)} x "
                                                    f"{format_length(area.h)}): fewer cells, smaller gaps or a "
                                                    "larger area"))
            return area, []

        # Integer division spreads the remainder over the cells; every gap stays exactly the gutter.
        def x_edge(i: int) -> int:
            return area.x + (i * free_w) // grid.columns + i * column_gap

        def y_edge(j: int) -> int:
            return area.y + (j * free_h) // grid.rows + j * row_gap

        def cell_rect(column: int, row: int, columns: int = 1, rows: int = 1) -> Rect:
            x0, y0 = x_edge(column), y_edge(row)
            return Rect(x0, y0, x_edge(column + columns) - column_gap - x0, y_edge(row + rows) - row_gap - y0)

        taken: dict[tuple[int, int], int] = {}
        placed: list[tuple[int, int, Rect, object]] = []
        people = {p.name: p for p in self.spec.people}
        named: set[str] = set()
        for index, cell in enumerate(grid.cells):
            loc: Loc = ("grid", "cells", index)
            slots = [(cell.column - 1 + i, cell.row - 1 + j) for j in range(cell.row_span)
                     for i in range(cell.column_span)]
            clash = [taken[s] for s in slots if s in taken]
            if clash:
                self.problems.append(Problem(loc, f"overlaps grid.cells[{clash[0]}]"))
                continue
            if cell.person is not None:
                if cell.person in named:
                    self.problems.append(Problem((*loc, "person"), f"{cell.person} already has a cell"))
                    continue
                named.add(cell.person)
                content = people[cell.person]
            else:
                content = ("quote", people[cell.quote])
            taken.update({s: index for s in slots})
            placed.append((cell.row - 1, cell.column - 1,
                           cell_rect(cell.column - 1, cell.row - 1, cell.column_span, cell.row_span), content))
        free = [(column, row) for row in range(grid.rows) for column in range(grid.columns)
                if (column, row) not in taken]
        unplaced = [p for p in self.spec.people if p.name not in named]
        if len(unplaced) > len(free):
            self.problems.append(Problem(("people",), f"{len(unplaced)} people to place but only {len(free)} free "
                                                      f"cells in the {grid.columns}x{grid.rows} grid: add columns "
                                                      "or rows, or remove people"))
            return area, []
        for person, (column, row) in zip(unplaced, free):
            placed.append((row, column, cell_rect(column, row), person))
        placed.sort(key=lambda entry: (entry[0], entry[1]))
        return area, [(rect, content) for _row, _column, rect, content in placed]

    def _place_cells(self, cells):
        portraits = [(rect, c) for rect, c in cells if isinstance(c, Person)]
        self._portraits(portraits)
        for rect, content in cells:
            if isinstance(content, tuple):
                self._quote_cell(rect, content[1])

    # --- portraits and captions ---------------------------------------------------------------

    def _portraits(self, portraits: list[tuple[Rect, Person]]):
        captions = self.spec.captions
        frames: list[tuple[Person, Rect, Rect]] = []
        for cell, person in portraits:
            if captions.height >= cell.h:
                self.problems.append(Problem(("captions", "height"), f"caption height {format_length(captions.height)} "
                                                                      f"leaves no room for {person.name}'s portrait "
                                                                      f"in a {format_length(cell.h)} high cell"))
                return
            band = Rect(cell.x, cell.bottom - captions.height, cell.w, captions.height)
            image_rect = cell if captions.placement == "overlay" else Rect(cell.x, cell.y, cell.w, cell.h - captions.height)
            frames.append((person, image_rect, band))

        # Size every caption line for every person first, so a uniform size can be shared.
        sizes: dict[tuple[str, int], float] = {}
        line_count = len(captions.lines)
        slot_weights = [line.size.max for line in captions.lines]
        for person, _image_rect, band in frames:
            inner = band.inset(captions.padding)
            for number, line in enumerate(captions.lines):
                text = self._caption_text(line, person)
                slot_height = _pt(inner.h) * slot_weights[number] / sum(slot_weights)
                sizes[(person.name, number)] = self._fit(
                    text, line.font, line.size.min, line.size.max, inner, slot_height, captions.line_height, 1,
                    f"caption of {person.name}",
                    f"caption line {number + 1} of {person.name}",
                    f"lower captions.lines[{number}].size.min, widen the cells or raise captions.height")[0]
        if captions.uniform and frames:
            for number in range(line_count):
                shared = min(sizes[(person.name, number)] for person, _, _ in frames)
                for person, _, _ in frames:
                    sizes[(person.name, number)] = shared

        for person, image_rect, band in frames:
            image = self.assets.images[person.name]
            shown = self._bleed_out(image_rect)
            crop = cover_crop(image, shown, person.focus)
            focus_x = shown.x + round((person.focus[0] * image.width - crop[0]) / (crop[2] - crop[0]) * shown.w)
            focus_y = shown.y + round((person.focus[1] * image.height - crop[1]) / (crop[3] - crop[1]) * shown.h)
            placed = PlacedImage(shown, crop, image, person.name, (focus_x, focus_y))
            reduction = embed_reduction(min(placed.ppi), self.page.rules.recommended_ppi)
            self.items.append(dataclasses.replace(placed, reduction=reduction) if reduction > 1 else placed)
            if captions.background is not None:
                self.items.append(Fill(self._bleed_out(band), captions.background, f"caption of {person.name}"))
            inner = band.inset(captions.padding)
            lines = [(self._caption_text(line, person), line.font, sizes[(person.name, n)],
                      line.color or captions.color) for n, line in enumerate(captions.lines)]
            self._set_lines(lines, inner, captions.align, "middle", captions.line_height, f"caption of {person.name}")

    @staticmethod
    def _caption_text(line: CaptionLine, person: Person) -> str:
        return line.template.format(name=person.name, age="" if person.age is None else person.age,
                                    role=person.role).strip()

    def _quote_cell(self, cell: Rect, person: Person):
        style = self.spec.quotes
        element = f"quote of {person.name}"
        if style.background is not None:
            self.items.append(Fill(self._bleed_out(cell), style.background, element))
        inner = cell.inset(style.padding)
        attribution_height = 0
        if style.attribution is not None:
            line = style.attribution
            text = self._caption_text(line, person)
            size, _ = self._fit(text, line.font, line.size.min, line.size.max, inner,
                                line.size.max * style.line_height, style.line_height, 1, element,
                                f"the attribution of {person.name}'s quote", "lower quotes.attribution.size.min")
            attribution_height = _emu(size * style.line_height * 1.5)
            attribution = (text, line.font, size, line.color or style.color)
        text = style.template.format(quote=person.quote, name=person.name, age=person.age, role=person.role)
        body_frame = Rect(inner.x, inner.y, inner.w, inner.h - attribution_height)
        size, body = self._fit(text, style.font, style.size.min, style.size.max, body_frame, _pt(body_frame.h),
                               style.line_height, None, element, f"{person.name}'s quote",
                               "shorten it, lower quotes.size.min or give the cell more room")
        self._set_lines([(text_line, style.font, size, style.color) for text_line in body], body_frame,
                        style.align, "top", style.line_height, element)
        if style.attribution is not None:
            self._set_lines([attribution], Rect(inner.x, inner.bottom - attribution_height, inner.w,
                                                attribution_height),
                            style.align, "bottom", style.line_height, element)

    # --- furniture ------------------------------------------------------------------------------

    def _text_block(self, name: str, block: TextBlock):
        box = _box_rect(block.box)
        if box.w <= 0 or box.h <= 0:
            self.problems.append(Problem((name, "box"), "width and height must be greater than 0"))
            return
        if block.background is not None:
            self.items.append(Fill(self._bleed_out(box), block.background, name))
        inner = box.inset(block.padding)
        size, lines = self._fit(block.text, block.font, block.size.min, block.size.max, inner, _pt(inner.h),
                                block.line_height, block.max_lines, name, f"the {name} {block.text!r}",
                                f"enlarge {name}.box, lower {name}.size.min or shorten the text")
        self._set_lines([(line, block.font, size, block.color) for line in lines], inner, block.align,
                        block.valign, block.line_height, name)

    def _fit(self, text: str, font: str, min_size: float, max_size: float, frame: Rect, height: float,
             line_height: float, max_lines: int | None, element: str, what: str, advice: str) -> tuple[float, list[str]]:
        """Fit ``text`` into ``frame`` (``height`` points tall); when it cannot fit, set it at the
        minimum size anyway and leave a note, so preflight can show where it overflows."""
        metrics = self._font(font, text, element, frame)
        fitted = fit_text(text, metrics, min_size, max_size, _pt(frame.w), height, line_height, max_lines)
        if fitted is not None:
            return fitted
        self.notes.append(LayoutNote(
            "text-overflow", f"{what} does not fit its {format_length(frame.w)} x "
                             f"{format_length(_emu(height))} frame even at {min_size:g}pt: {advice}",
            element, frame))
        return min_size, wrap_words(text, metrics, min_size, _pt(frame.w), overflow=True)

    def _font(self, key: str, text: str, element: str, frame: Rect) -> FontMetrics:
        metrics = self.assets.fonts[key]
        self.used_fonts.add(key)
        missing = metrics.missing(text)
        if missing:
            shown = " ".join(f"{c!r} (U+{ord(c):04X})" for c in missing)
            self.notes.append(LayoutNote("glyph-missing", f"{element}: font {key!r} ({metrics.path.name}) has no "
                                                          f"glyph for {shown}: choose a font that covers it or "
                                                          "change the text", element, frame))
        return metrics

    def _set_lines(self, lines: list[tuple[str, str, float, Color]], frame: Rect, align: str, valign: str,
                   line_height: float, element: str):
        """Stack lines in ``frame``: each line is ``size * line_height`` tall with its glyphs'
        ascent-plus-descent centred in that pitch."""
        total = sum(_emu(size * line_height) for _, _, size, _ in lines)
        top = {"top": frame.y, "middle": frame.y + (frame.h - total) // 2, "bottom": frame.bottom - total}[valign]
        for text, font, size, color in lines:
            metrics = self.assets.fonts[font]
            pitch = _emu(size * line_height)
            glyph_height = _emu(size * (metrics.ascent + metrics.descent))
            baseline = top + (pitch - glyph_height) // 2 + _emu(size * metrics.ascent)
            width = _emu(metrics.width(text, size))
            x = {"left": frame.x, "center": frame.x + (frame.w - width) // 2, "right": frame.right - width}[align]
            self.items.append(TextLine(text, font, size, x, baseline, width, color, element, frame,
                                       _emu(size * metrics.ascent), _emu(size * metrics.descent)))
            top += pitch
