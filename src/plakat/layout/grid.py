"""The grid: its area on the page and the cells that hold people and quotes.

In: a :class:`~plakat.spec.Layout` and its :class:`~plakat.layout.page.Page`. Out: the grid area
and its cells in reading order, each a :class:`PersonCell` or a :class:`QuoteCell`; or the problems
that keep the cells from fitting. Cells the layout places by hand come first; every other person
fills the free cells in reading order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from ..errors import Loc, Problem
from ..scene import Rect
from ..spec import AUTO_QUOTE_SPAN, Grid, Layout, Person
from ..spec import Cell as CellSpec
from ..units import EMU_PER_INCH, Length, format_length
from .page import Page, box_rect


@dataclass(frozen=True)
class PersonCell:
    """A cell showing a person's portrait with its caption."""

    rect: Rect
    person: Person


@dataclass(frozen=True)
class QuoteCell:
    """A cell filled with a person's quote."""

    rect: Rect
    person: Person


Cell = PersonCell | QuoteCell


@dataclass(frozen=True)
class Cells:
    area: Rect
    cells: list[Cell]
    problems: list[Problem]


# Portraits are usually 4:5; used when no image says otherwise
DEFAULT_PORTRAIT_ASPECT = 4 / 5
# An arrangement whose gutters lie on the sheet splits wins if its portraits are at least this
# large a share of the best arrangement's.
SHEET_ALIGNED_SHARE = 0.9


def grid_area(spec: Layout, page: Page) -> Rect:
    grid = spec.grid
    if grid.box is not None:
        return box_rect(grid.box)
    if grid.margins is not None:
        m = grid.margins
        return Rect(m.left, m.top, page.width - m.left - m.right, page.height - m.top - m.bottom)
    return page.safe_box


def grid_gaps(grid: Grid) -> tuple[Length, Length]:
    """The gap between columns and the gap between rows."""
    column_gap = next((g for g in (grid.column_gap, grid.gutter) if g is not None), Length(0))
    row_gap = next((g for g in (grid.row_gap, grid.gutter) if g is not None), Length(0))
    return column_gap, row_gap


@dataclass(frozen=True)
class _Lattice:
    """``columns`` x ``rows`` equal cells in ``area``, every gap exactly the gutter."""

    area: Rect
    columns: int
    rows: int
    column_gap: int
    row_gap: int

    @property
    def fits(self) -> bool:
        return self.area.w > 0 and self.area.h > 0 and self.free_w > 0 and self.free_h > 0

    @property
    def free_w(self) -> int:
        return self.area.w - (self.columns - 1) * self.column_gap

    @property
    def free_h(self) -> int:
        return self.area.h - (self.rows - 1) * self.row_gap

    # Integer division spreads the remainder over the cells; every gap stays exactly the gutter.
    def x_edge(self, i: int) -> int:
        return self.area.x + (i * self.free_w) // self.columns + i * self.column_gap

    def y_edge(self, j: int) -> int:
        return self.area.y + (j * self.free_h) // self.rows + j * self.row_gap

    def cell_rect(self, column: int, row: int, columns: int = 1, rows: int = 1) -> Rect:
        x0, y0 = self.x_edge(column), self.y_edge(row)
        return Rect(
            x0, y0, self.x_edge(column + columns) - self.column_gap - x0, self.y_edge(row + rows) - self.row_gap - y0
        )


def allocate_cells(
    spec: Layout,
    page: Page,
    portrait_aspect: float = DEFAULT_PORTRAIT_ASPECT,
    smallest_portrait: tuple[int, int] | None = None,
) -> Cells:
    """Every cell of the grid with what it holds, in reading order (row by row).

    ``portrait_aspect`` (width / height of the people's typical portrait) and ``smallest_portrait``
    (the fewest pixels any portrait has across and down) matter only to a grid with
    ``columns: auto``: it chooses its arrangement by the first and keeps its portraits no larger
    than the second allows at the page's minimum ppi."""
    grid = spec.grid
    area = grid_area(spec, page)
    column_gap, row_gap = grid_gaps(grid)
    if grid.automatic:
        # A template serves formats whose safe margins differ (a story's is a fifth of its width):
        # an automatic grid keeps to the safe area whatever its margins say.
        safe = page.safe_box
        x0, y0 = max(area.x, safe.x), max(area.y, safe.y)
        area = Rect(x0, y0, min(area.right, safe.right) - x0, min(area.bottom, safe.bottom) - y0)
        return _automatic_cells(spec, page, area, column_gap, row_gap, portrait_aspect, smallest_portrait)
    assert isinstance(grid.columns, int) and isinstance(grid.rows, int)  # the spec refuses a fixed grid without rows
    lattice = _Lattice(area, grid.columns, grid.rows, column_gap, row_gap)
    if not lattice.fits:
        return Cells(
            area,
            [],
            [
                Problem(
                    ("grid",),
                    f"{grid.columns} columns x {grid.rows} rows with these gaps do "
                    f"not fit the grid area ({format_length(area.w)} x "
                    f"{format_length(area.h)}): fewer cells, smaller gaps or a "
                    "larger area",
                )
            ],
        )

    problems: list[Problem] = []
    taken: dict[tuple[int, int], int] = {}
    placed: list[tuple[int, int, Cell]] = []
    people = {p.name: p for p in spec.people}
    named: set[str] = set()
    for index, cell in enumerate(grid.cells):
        loc: Loc = ("grid", "cells", index)
        assert cell.column is not None and cell.row is not None  # the spec refuses cells without a place here
        span = cell.columns_spanned
        slots = [(cell.column - 1 + i, cell.row - 1 + j) for j in range(cell.row_span) for i in range(span)]
        clash = [taken[s] for s in slots if s in taken]
        if clash:
            problems.append(Problem(loc, f"overlaps grid.cells[{clash[0]}]"))
            continue
        rect = lattice.cell_rect(cell.column - 1, cell.row - 1, span, cell.row_span)
        content: Cell
        if cell.person is not None:
            if cell.person in named:
                problems.append(Problem((*loc, "person"), f"{cell.person} already has a cell"))
                continue
            named.add(cell.person)
            content = PersonCell(rect, people[cell.person])
        else:
            assert cell.quote is not None  # a cell holds a person or a quote
            content = QuoteCell(rect, people[cell.quote])
        taken.update({s: index for s in slots})
        placed.append((cell.row - 1, cell.column - 1, content))
    free = [(column, row) for row in range(grid.rows) for column in range(grid.columns) if (column, row) not in taken]
    unplaced = [p for p in spec.people if p.name not in named]
    if len(unplaced) > len(free):
        problems.append(
            Problem(
                ("people",),
                f"{len(unplaced)} people to place but only {len(free)} free "
                f"cells in the {grid.columns}x{grid.rows} grid: add columns "
                "or rows, or remove people",
            )
        )
        return Cells(area, [], problems)
    for person, (column, row) in zip(unplaced, free):
        placed.append((row, column, PersonCell(lattice.cell_rect(column, row), person)))
    placed.sort(key=lambda entry: (entry[0], entry[1]))
    return Cells(area, [content for _row, _column, content in placed], problems)


# --- columns: auto ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arrangement:
    """One way to lay out an automatic grid: its lattice, the cells the quote takes at the end of
    the last row (0 without a quote), the area of the largest portrait a cell shows (EMU squared)
    and on how many axes (0-2) the gutters lie on the sheet splits."""

    lattice: _Lattice
    quote_cells: int
    portrait_area: float
    sheet_aligned: int


def portrait_area(cell_w: int, image_h: int, aspect: float) -> float:
    """Area of the largest rectangle of ``aspect`` (width / height) inside ``cell_w`` x ``image_h``."""
    if cell_w <= 0 or image_h <= 0:
        return 0.0
    width = min(cell_w, image_h * aspect)
    return width * (width / aspect)


def _aligned_span(start: int, span: int, count: int, gap: int, length: int, sheets: int) -> tuple[int, int] | None:
    """Start and extent of ``count`` cells along one axis of a page ``length`` long, split into
    ``sheets`` parts at ``length * i // sheets``, so that a gap between cells is centred on every
    split line; None when the cells do not divide among the sheets or cannot do so within the given
    extent."""
    if sheets <= 1 or count % sheets:
        return None
    splits = [length * i // sheets for i in range(1, sheets)]
    if len(splits) == 1:
        # one split: the grid symmetric about it puts the middle gap on it
        half = min(splits[0] - start, start + span - splits[0])
        return (splits[0] - half, 2 * half) if half > 0 else None
    # several splits fix the pitch of the cells (one sheet's width per count / sheets cells)
    per_sheet = count // sheets
    pitch = Fraction(splits[-1] - splits[0], per_sheet * (len(splits) - 1))
    new_start = round(splits[0] - per_sheet * pitch + Fraction(gap, 2))
    new_span = round(pitch * count - gap)
    if new_start < start or new_start + new_span > start + span:
        return None
    return new_start, new_span


def arrangements(
    people: int,
    quote_span: int | None,
    area: Rect,
    column_gap: int,
    row_gap: int,
    caption_height: int,
    caption_below: bool,
    aspect: float,
    page: Page,
    largest_portrait: tuple[int, int] | None = None,
) -> list[Arrangement]:
    """Every arrangement of ``people`` portraits (and a quote of at least ``quote_span`` cells) whose
    cells are taller than the caption, each also in the variants whose gutters lie on the sheet
    splits. A caption below the portrait takes its height from the portrait; an overlay does not.
    Where a portrait would be larger than ``largest_portrait`` (width, height, EMU: the most its
    pixels cover at the minimum ppi), the grid is drawn in around its centre until it is not."""
    needed = people + (quote_span or 0)
    sheets = page.rules.sheets or (1, 1)
    found: list[Arrangement] = []
    for columns in range(1, min(needed, 100) + 1):
        rows = math.ceil(needed / columns)
        trailing = columns * rows - people
        if rows > 100 or (quote_span is not None and not quote_span <= trailing <= columns):
            continue
        horizontal = [(area.x, area.w, 0)]
        vertical = [(area.y, area.h, 0)]
        if (span := _aligned_span(area.x, area.w, columns, column_gap, page.width, sheets[0])) is not None:
            horizontal.append((*span, 1))
        if (span := _aligned_span(area.y, area.h, rows, row_gap, page.height, sheets[1])) is not None:
            vertical.append((*span, 1))
        for x, w, aligned_x in horizontal:
            for y, h, aligned_y in vertical:
                lattice = _Lattice(Rect(x, y, w, h), columns, rows, column_gap, row_gap)
                if not lattice.fits:
                    continue
                # the smallest cell (the remainder of the division goes to some cells)
                cell_w, cell_h = lattice.free_w // columns, lattice.free_h // rows
                if cell_h <= caption_height:
                    continue
                if largest_portrait is not None:
                    lattice = _within_resolution(lattice, caption_height if caption_below else 0, largest_portrait)
                    cell_w, cell_h = lattice.free_w // columns, lattice.free_h // rows
                score = portrait_area(cell_w, cell_h - caption_height if caption_below else cell_h, aspect)
                if score > 0:
                    found.append(
                        Arrangement(lattice, trailing if quote_span is not None else 0, score, aligned_x + aligned_y)
                    )
    return found


# A portrait kept within the image's resolution stays this much below the limit, so that the
# cells' rounding never tips it under the minimum ppi.
RESOLUTION_HEADROOM = 0.99


def _within_resolution(lattice: _Lattice, caption_height: int, largest_portrait: tuple[int, int]) -> _Lattice:
    """``lattice`` drawn in around its centre so that no portrait frame (a cell less its caption)
    is wider or taller than ``largest_portrait``; as it is when none is."""
    cell_w = lattice.free_w // lattice.columns
    image_h = lattice.free_h // lattice.rows - caption_height
    shrink = min(1.0, largest_portrait[0] / cell_w, largest_portrait[1] / image_h)
    if shrink >= 1.0:
        return lattice
    shrink *= RESOLUTION_HEADROOM
    new_cell_w, new_image_h = math.floor(cell_w * shrink), math.floor(image_h * shrink)
    width = lattice.columns * new_cell_w + (lattice.columns - 1) * lattice.column_gap
    height = lattice.rows * (new_image_h + caption_height) + (lattice.rows - 1) * lattice.row_gap
    area = lattice.area
    # centred in the old area: an area symmetric about a sheet split stays so
    inner = Rect(area.x + (area.w - width) // 2, area.y + (area.h - height) // 2, width, height)
    return _Lattice(inner, lattice.columns, lattice.rows, lattice.column_gap, lattice.row_gap)


def choose_arrangement(candidates: list[Arrangement]) -> Arrangement | None:
    """The largest portraits, except that one nearly as large (SHEET_ALIGNED_SHARE) whose gutters
    lie on more sheet splits wins."""
    if not candidates:
        return None
    best = max(candidate.portrait_area for candidate in candidates)
    near = [c for c in candidates if c.portrait_area >= SHEET_ALIGNED_SHARE * best]
    return max(near, key=lambda c: (c.sheet_aligned, c.portrait_area))


def _automatic_cells(
    spec: Layout,
    page: Page,
    area: Rect,
    column_gap: int,
    row_gap: int,
    aspect: float,
    smallest_portrait: tuple[int, int] | None,
) -> Cells:
    quote_spec: CellSpec | None = next((cell for cell in spec.grid.cells if cell.quote is not None), None)
    quote_span = None if quote_spec is None else quote_spec.column_span or AUTO_QUOTE_SPAN
    caption_height = spec.captions.height
    people = list(spec.people)
    chosen = choose_arrangement(
        arrangements(
            len(people),
            quote_span,
            area,
            column_gap,
            row_gap,
            caption_height,
            spec.captions.placement == "below",
            aspect,
            page,
            None
            if smallest_portrait is None
            else (
                round(smallest_portrait[0] * EMU_PER_INCH / page.rules.min_ppi),
                round(smallest_portrait[1] * EMU_PER_INCH / page.rules.min_ppi),
            ),
        )
    )
    if chosen is None:
        what = f"{len(people)} people" + (f" and a quote of at least {quote_span} cells" if quote_span else "")
        return Cells(
            area,
            [],
            [
                Problem(
                    ("grid",),
                    f"no arrangement of {what} leaves room for a portrait above a "
                    f"{format_length(caption_height)} caption in the grid area "
                    f"({format_length(area.w)} x {format_length(area.h)}): lower captions.height or the "
                    "gutter, or enlarge the grid area (margins or box)",
                )
            ],
        )
    lattice = chosen.lattice
    cells: list[Cell] = []
    if quote_spec is not None:
        quoted = next(person for person in people if person.name == quote_spec.quote)
        people = [person for person in people if person is not quoted] + [quoted]
    for index, person in enumerate(people):
        row, column = divmod(index, lattice.columns)
        cells.append(PersonCell(lattice.cell_rect(column, row), person))
    if quote_spec is not None:
        row, column = divmod(len(people), lattice.columns)
        cells.append(QuoteCell(lattice.cell_rect(column, row, chosen.quote_cells), quoted))
    return Cells(lattice.area, cells, [])
