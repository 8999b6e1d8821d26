"""Property-based tests of the layout engine's invariants over random grids, sizes and images."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plakat.assets import Assets, ImageInfo, load_font_metrics
from plakat.layout import LayoutProblems, build_scene, page_of
from plakat.layout.grid import allocate_cells
from plakat.layout.portraits import cover_crop
from plakat.scene import PlacedImage, Rect
from plakat.spec import Layout
from plakat.units import parse_length
from conftest import ROOT

FONT = load_font_metrics(ROOT / "assets" / "fonts" / "NotoSans-Regular.ttf")
NAMES = [f"P{i}" for i in range(12)]


def layout(columns, rows, gap_mm, width_mm, height_mm, people, caption_mm):
    return Layout.model_validate({
        "size": {"width": f"{width_mm}mm", "height": f"{height_mm}mm"},
        "fonts": {"regular": "font.ttf"},
        "grid": {"columns": columns, "rows": rows, "gutter": f"{gap_mm}mm",
                 "margins": {"top": "20mm", "left": "13mm", "right": "7mm", "bottom": "31mm"}},
        "captions": {"height": f"{caption_mm}mm",
                     "lines": [{"template": "{name}", "font": "regular", "size": {"max": 30, "min": 0.5}}]},
        "people": [{"name": n, "portrait": f"{n}.jpg", "focus": [0.3, 0.7]} for n in NAMES[:people]],
    })


@st.composite
def grids(draw):
    columns = draw(st.integers(1, 6))
    rows = draw(st.integers(1, 4))
    return dict(columns=columns, rows=rows, gap_mm=draw(st.integers(0, 40)),
                width_mm=draw(st.integers(400, 4000)), height_mm=draw(st.integers(400, 3000)),
                people=draw(st.integers(1, min(12, columns * rows))), caption_mm=draw(st.integers(1, 60)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grids(), st.lists(st.tuples(st.integers(50, 5000), st.integers(50, 5000)), min_size=12, max_size=12))
def test_cells_stay_in_the_area_never_overlap_and_keep_gutters(params, image_sizes):
    spec = layout(**params)
    images = {name: ImageInfo(Path(f"{name}.jpg"), w, h, "JPEG", "RGB") for name, (w, h) in zip(NAMES, image_sizes)}
    try:
        scene = build_scene(spec, Assets(images, {"regular": FONT}))
    except LayoutProblems as problems:
        # the only acceptable refusals: no room for the grid, captions or text
        assert all(("fit" in p.message or "no room" in p.message) for p in problems.problems), problems
        return
    grid = allocate_cells(spec, page_of(spec))
    cells = [cell.rect for cell in grid.cells]
    assert len(cells) == params["people"]
    for i, cell in enumerate(cells):
        assert grid.area.contains(cell) and cell.w > 0 and cell.h > 0
        for other in cells[i + 1:]:
            assert not cell.overlaps(other)
    gap = parse_length(f"{params['gap_mm']}mm")
    same_row = sorted((c for c in cells if c.y == cells[0].y), key=lambda c: c.x)
    for left, right in zip(same_row, same_row[1:]):
        assert right.x - left.right == gap
    for item in scene.of_type(PlacedImage):
        left, top, right, bottom = item.crop
        assert 0 <= left <= right <= item.image.width + 1e-6
        assert 0 <= top <= bottom <= item.image.height + 1e-6


@given(st.integers(10, 20000), st.integers(10, 20000), st.integers(1, 10**7), st.integers(1, 10**7),
       st.floats(0, 1), st.floats(0, 1))
def test_cover_crop_fills_the_frame_and_keeps_the_focus_in_view(width, height, frame_w, frame_h, fx, fy):
    image = ImageInfo(Path("x.jpg"), width, height, "JPEG", "RGB")
    left, top, right, bottom = cover_crop(image, Rect(0, 0, frame_w, frame_h), (fx, fy))
    assert -1e-6 <= left <= right <= width + 1e-6 and -1e-6 <= top <= bottom <= height + 1e-6
    assert (right - left) / (bottom - top) == pytest.approx(frame_w / frame_h, rel=1e-6)
    assert right - left == pytest.approx(width, rel=1e-9) or \
        bottom - top == pytest.approx(height, rel=1e-9)  # as large as the image allows
    assert left - 1e-6 <= fx * width <= right + 1e-6 and top - 1e-6 <= fy * height <= bottom + 1e-6
