"""grid: {columns: auto}: the arrangement with the largest portraits, sheet-aligned where nearly as
good, the quote at the end of the last row beside its person. Geometry only, no drawing."""

import copy
import dataclasses
from types import SimpleNamespace

import pytest

from plakat.assets import ImageInfo
from plakat.errors import LayoutInvalid
from plakat.layout import LayoutProblems, page_of
from plakat.layout.build import typical_aspect
from plakat.layout.grid import Arrangement, PersonCell, QuoteCell, allocate_cells, choose_arrangement
from plakat.scene import Rect
from plakat.spec import load_layout
from plakat.units import mm
from conftest import STADTBIBLIOTHEK, cut_to_people


def auto(data: dict, quote_span: int | None = 3, **grid) -> dict:
    data["grid"] = {"columns": "auto", "gutter": "60mm", **grid}
    data["grid"].setdefault("margins", {"top": "440mm", "right": "100mm", "bottom": "440mm", "left": "100mm"})
    if quote_span is not None:
        data["grid"]["cells"] = [{"quote": "Brigitte", "column_span": quote_span}]
    return data


def fixed(data: dict) -> dict:
    """The 18/1's grid as it was placed by hand: 6 x 2, Brigitte and her quote in the second row."""
    data["grid"] = {
        "columns": 6,
        "rows": 2,
        "gutter": "60mm",
        "margins": {"top": "440mm", "right": "100mm", "bottom": "440mm", "left": "100mm"},
        "cells": [
            {"column": 3, "row": 2, "person": "Brigitte"},
            {"column": 4, "row": 2, "column_span": 3, "quote": "Brigitte"},
        ],
    }
    data["captions"]["height"] = "130mm"
    return data


def cells_of(data: dict, write_layout, aspect: float = 0.8):
    spec = load_layout(write_layout(data)).spec
    page = page_of(spec)
    return allocate_cells(spec, page, aspect), page


def shape(cells) -> tuple[int, int]:
    people = [cell.rect for cell in cells.cells if isinstance(cell, PersonCell)]
    return len({r.x for r in people}), len({r.y for r in cells.cells for r in [r.rect]})


def quote_and_neighbour(cells):
    quote = next(cell for cell in cells.cells if isinstance(cell, QuoteCell))
    before = cells.cells[cells.cells.index(quote) - 1]
    return quote, before


def check_tiling(cells, gutter):
    rects = [cell.rect for cell in cells.cells]
    for i, a in enumerate(rects):
        assert cells.area.contains(a)
        for b in rects[i + 1:]:
            assert not a.overlaps(b)
    rows = sorted({r.y for r in rects})
    for top, below in zip(rows, rows[1:]):
        assert below - (top + next(r.h for r in rects if r.y == top)) == gutter


def test_billboard_with_a_quote_gets_six_by_two_aligned_to_the_sheets(stadtbibliothek_data, write_layout):
    cells, page = cells_of(auto(stadtbibliothek_data), write_layout)
    assert cells.problems == [] and shape(cells) == (6, 2)
    quote, before = quote_and_neighbour(cells)
    assert quote.person.name == before.person.name == "Brigitte"
    # the quote takes the last three cells of row 2, Brigitte the one before it
    assert quote.rect.right == cells.area.right and quote.rect.bottom == cells.area.bottom
    assert quote.rect.x - before.rect.right == mm(60) and quote.rect.y == before.rect.y
    widths = {cell.rect.w for cell in cells.cells if isinstance(cell, PersonCell)}
    assert abs(quote.rect.w - (3 * min(widths) + 2 * mm(60))) <= 3
    names = [cell.person.name for cell in cells.cells if isinstance(cell, PersonCell)]
    assert names == ["Tamara", "Markus", "Verena", "Valentino", "Elif", "Jupp", "Marlon", "Jannine", "Brigitte"]
    check_tiling(cells, mm(60))
    assert page.rules.sheets == (2, 2)
    assert_gutters_on_splits(cells, page)


def test_the_same_cells_as_the_hand_placed_grid(stadtbibliothek_data, write_layout):
    """The shipped billboard places Brigitte and her quote by hand in a 6 x 2 grid: auto finds it."""
    hand_placed, _ = cells_of(fixed(copy.deepcopy(stadtbibliothek_data)), write_layout)
    automatic, _ = cells_of(auto(stadtbibliothek_data), write_layout)
    assert [(type(c), c.rect, c.person.name) for c in automatic.cells] == [
        (type(c), c.rect, c.person.name) for c in hand_placed.cells]


def assert_gutters_on_splits(cells, page):
    columns, rows = page.rules.sheets
    split_x = [page.width * i // columns for i in range(1, columns)]
    split_y = [page.height * j // rows for j in range(1, rows)]
    for split, edges in ((split_x, [(c.rect.x, c.rect.right) for c in cells.cells]),
                         (split_y, [(c.rect.y, c.rect.bottom) for c in cells.cells])):
        for line in split:
            assert all(not start < line < end for start, end in edges), "a split runs through a cell"
            right_of_gap = min(start for start, _ in edges if start > line)
            left_of_gap = max(end for _, end in edges if end < line)
            assert abs((left_of_gap + right_of_gap) / 2 - line) <= 2  # EMU: the gutter is centred on it


def test_lopsided_margins_are_evened_out_so_gutters_meet_the_splits(stadtbibliothek_data, write_layout):
    data = auto(stadtbibliothek_data, margins={"top": "400mm", "right": "100mm", "bottom": "480mm", "left": "160mm"})
    cells, page = cells_of(data, write_layout)
    assert shape(cells) == (6, 2)
    assert_gutters_on_splits(cells, page)
    # inside the area the layout gave
    assert cells.area.x >= mm(160) and cells.area.right <= mm(3460) and cells.area.y >= mm(400)


def test_sheet_alignment_wins_only_within_ten_percent():
    def candidate(score, aligned):
        return Arrangement(None, 0, score, aligned)

    assert choose_arrangement([candidate(100, 0), candidate(91, 2), candidate(95, 1)]).portrait_area == 91
    assert choose_arrangement([candidate(100, 0), candidate(89, 2)]).portrait_area == 100
    assert choose_arrangement([]) is None


def test_portrait_a1_and_a_square_page(stadtbibliothek_data, write_layout):
    for size in ({"format": "a1"}, {"size": {"width": "400mm", "height": "400mm"}}):
        data = {key: value for key, value in copy.deepcopy(stadtbibliothek_data).items()
                if key not in ("format", "safe", "bleed")}
        data = auto({**data, **size}, margins={"top": "15%", "bottom": "10%", "left": "4%", "right": "4%"},
                    gutter="1.5%")
        data["captions"]["height"] = "4%"
        data["preflight"].pop("sheets", None)
        cells, page = cells_of(data, write_layout)
        assert cells.problems == []
        columns, rows = shape(cells)
        assert (columns, rows) == (4, 3), size
        quote, before = quote_and_neighbour(cells)
        assert before.person.name == "Brigitte" and quote.rect.x - before.rect.right == page.width * 15 // 1000
        assert len([c for c in cells.cells if isinstance(c, PersonCell)]) == 9
        check_tiling(cells, page.height * 15 // 1000 if page.height < page.width else page.width * 15 // 1000)


def test_wide_page_takes_one_row(stadtbibliothek_data, write_layout):
    data = auto(stadtbibliothek_data)
    data["format"] = "uk-96-sheet"
    data["preflight"].pop("sheets", None)
    cells, _ = cells_of(data, write_layout)
    assert shape(cells) == (9, 1)
    quote, before = quote_and_neighbour(cells)
    assert before.person.name == "Brigitte" and quote.rect.right == cells.area.right


def test_the_portraits_aspect_ratio_decides(stadtbibliothek_data, write_layout):
    data = auto(stadtbibliothek_data, quote_span=None)
    tall, _ = cells_of(data, write_layout, aspect=0.5)
    wide, _ = cells_of(data, write_layout, aspect=2.0)
    assert shape(tall)[0] > shape(wide)[0]


def test_without_a_quote_the_last_row_may_stay_short(stadtbibliothek_data, write_layout):
    data = auto(cut_to_people(stadtbibliothek_data, "Tamara", "Markus", "Verena", "Elif", "Jupp"), quote_span=None)
    data["preflight"].pop("sheets", None)
    cells, _ = cells_of(data, write_layout)
    columns, rows = shape(cells)
    assert len(cells.cells) == 5 and columns * rows - 5 < columns


def test_typical_aspect_is_the_median_of_the_portraits(stadtbibliothek_data, write_layout):
    spec = load_layout(write_layout(stadtbibliothek_data)).spec
    image = ImageInfo(STADTBIBLIOTHEK, 2400, 3000, "JPEG", "RGB")
    images = {person.name: image for person in spec.people}
    images["Tamara"] = dataclasses.replace(image, width=6000)
    assert typical_aspect(spec, SimpleNamespace(images=images)) == pytest.approx(0.8)


def test_fixed_grid_ignores_the_aspect(stadtbibliothek_data, write_layout):
    a, _ = cells_of(fixed(stadtbibliothek_data), write_layout, aspect=0.3)
    b, _ = cells_of(fixed(stadtbibliothek_data), write_layout, aspect=3)
    assert a == b and a.cells[0].rect == Rect(mm(100), mm(440), mm(510), mm(790))


def test_no_arrangement_leaves_room_says_what_to_change(stadtbibliothek_data, write_layout):
    data = auto(stadtbibliothek_data)
    data["captions"]["height"] = "70%"
    cells, _ = cells_of(data, write_layout)
    assert cells.cells == [] and "lower captions.height" in cells.problems[0].message
    assert cells.problems[0].loc == ("grid",)


def test_tiny_fixed_cells_say_what_to_change(stadtbibliothek_data, write_layout):
    from plakat.assets import probe_assets
    from plakat.layout import build_scene

    data = fixed(cut_to_people(stadtbibliothek_data, "Brigitte"))
    data["grid"]["cells"] = [{"column": 1, "row": 1, "person": "Brigitte"}]
    data["captions"]["height"] = "40%"
    loaded = load_layout(write_layout(data))
    with pytest.raises(LayoutProblems) as raised:
        build_scene(loaded.spec, probe_assets(loaded))
    message = raised.value.problems[0].message
    assert "leaves no room for Brigitte's portrait" in message and "lower captions.height" in message


@pytest.mark.parametrize("grid, field, fragment", [
    ({"cells": [{"person": "Tamara"}]}, "grid.cells[0].person", "people take the cells in list order"),
    ({"cells": [{"quote": "Brigitte", "column": 2, "row": 1}]}, "grid.cells[0].column", "remove column"),
    ({"cells": [{"quote": "Brigitte", "row_span": 2}]}, "grid.cells[0].row_span", "one row"),
    ({"rows": 3}, "grid.rows", "columns: auto chooses the rows too"),
    ({"cells": [{"quote": "Brigitte"}, {"quote": "Brigitte"}]}, "grid.cells[1]", "one quote cell"),
])
def test_what_an_automatic_grid_refuses(stadtbibliothek_data, write_layout, grid, field, fragment):
    data = auto(stadtbibliothek_data, quote_span=None, **grid)
    with pytest.raises(LayoutInvalid) as raised:
        load_layout(write_layout(data))
    lines = raised.value.lines()
    assert any(f" {field}: " in line and fragment in line for line in lines), lines


def test_a_fixed_grid_needs_rows_and_placed_cells(stadtbibliothek_data, write_layout):
    data = fixed(stadtbibliothek_data)
    del data["grid"]["rows"]
    data["grid"]["cells"][1].pop("column")
    with pytest.raises(LayoutInvalid) as raised:
        load_layout(write_layout(data))
    joined = "\n".join(raised.value.lines())
    assert "grid.rows: give the number of rows" in joined
    assert "grid.cells[1]: give the cell's column and row" in joined
