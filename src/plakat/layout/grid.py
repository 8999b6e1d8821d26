"""The grid: its area on the page and the cells that hold people and quotes.

In: a :class:`~plakat.spec.Layout` and its :class:`~plakat.layout.page.Page`. Out: the grid area
and its cells in reading order, each a :class:`PersonCell` or a :class:`QuoteCell`; or the problems
that keep the cells from fitting. Cells the layout places by hand come first; every other person
fills the free cells in reading order.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Loc, Problem
from ..scene import Rect
from ..spec import Layout, Person
from ..units import Length, format_length
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


def grid_area(spec: Layout, page: Page) -> Rect:
    grid = spec.grid
    if grid.box is not None:
        return box_rect(grid.box)
    if grid.margins is not None:
        m = grid.margins
        return Rect(m.left, m.top, page.width - m.left - m.right, page.height - m.top - m.bottom)
    return page.trim.inset(page.safe)


def allocate_cells(spec: Layout, page: Page) -> Cells:
    """Every cell of the grid with what it holds, in reading order (row by row)."""
    grid = spec.grid
    area = grid_area(spec, page)
    column_gap = next((g for g in (grid.column_gap, grid.gutter) if g is not None), Length(0))
    row_gap = next((g for g in (grid.row_gap, grid.gutter) if g is not None), Length(0))
    free_w = area.w - (grid.columns - 1) * column_gap
    free_h = area.h - (grid.rows - 1) * row_gap
    if area.w <= 0 or area.h <= 0 or free_w <= 0 or free_h <= 0:
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

    # Integer division spreads the remainder over the cells; every gap stays exactly the gutter.
    def x_edge(i: int) -> int:
        return area.x + (i * free_w) // grid.columns + i * column_gap

    def y_edge(j: int) -> int:
        return area.y + (j * free_h) // grid.rows + j * row_gap

    def cell_rect(column: int, row: int, columns: int = 1, rows: int = 1) -> Rect:
        x0, y0 = x_edge(column), y_edge(row)
        return Rect(x0, y0, x_edge(column + columns) - column_gap - x0, y_edge(row + rows) - row_gap - y0)

    problems: list[Problem] = []
    taken: dict[tuple[int, int], int] = {}
    placed: list[tuple[int, int, Cell]] = []
    people = {p.name: p for p in spec.people}
    named: set[str] = set()
    for index, cell in enumerate(grid.cells):
        loc: Loc = ("grid", "cells", index)
        slots = [(cell.column - 1 + i, cell.row - 1 + j) for j in range(cell.row_span) for i in range(cell.column_span)]
        clash = [taken[s] for s in slots if s in taken]
        if clash:
            problems.append(Problem(loc, f"overlaps grid.cells[{clash[0]}]"))
            continue
        rect = cell_rect(cell.column - 1, cell.row - 1, cell.column_span, cell.row_span)
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
        placed.append((row, column, PersonCell(cell_rect(column, row), person)))
    placed.sort(key=lambda entry: (entry[0], entry[1]))
    return Cells(area, [content for _row, _column, content in placed], problems)
