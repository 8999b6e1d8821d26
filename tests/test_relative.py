"""Relative geometry: percentages of the page and anchored boxes, resolved before validation."""

import copy

import pytest

from plakat.errors import LayoutInvalid
from plakat.relative import ANCHORS, resolve_relative
from plakat.scene import Rect
from plakat.spec import load_layout
from plakat.units import EMU_PER_PT, Length, mm
from conftest import HAND_PLACED, STADTBIBLIOTHEK, dump_layout, shipped_data

W, H = mm(3560), mm(2520)  # 18/1
SAFE = mm(50)


def resolved(data: dict) -> dict:
    out, problems = resolve_relative(data)
    assert problems == []
    return out


def page(**more) -> dict:
    return {"format": "18/1", **more}


def problems_of(path) -> list[str]:
    with pytest.raises(LayoutInvalid) as raised:
        load_layout(path)
    return raised.value.lines()


def line_of(text: str, fragment: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_percentages_of_width_height_and_shorter_side():
    data = page(
        safe="2%",
        bands=[{"box": {"x": "10%", "y": "5%", "width": "50%", "height": "25%"}, "color": "#000"}],
        grid={"gutter": "1%", "column_gap": "1%", "row_gap": "1%",
              "margins": {"left": "1%", "right": "2%", "top": "1%", "bottom": "2%"}},
        captions={"height": "4%", "padding": "0.5%", "lines": [{"size": {"max": "2%", "min": "1%"}}]},
        headline={"padding": "1%", "size": {"max": "10%", "min": "5%"}},
        quotes={"padding": "1%", "size": {"max": "3%", "min": "1%"}, "attribution": {"size": {"max": "2%", "min": "1%"}}},
    )
    out = resolved(data)
    assert out["safe"] == mm(50.4)
    assert out["bands"][0]["box"] == {"x": mm(356), "y": mm(126), "width": mm(1780), "height": mm(630)}
    assert all(isinstance(v, Length) for v in out["bands"][0]["box"].values())
    grid = out["grid"]
    assert (grid["gutter"], grid["column_gap"], grid["row_gap"]) == (mm(25.2), mm(35.6), mm(25.2))
    assert grid["margins"] == {"left": mm(35.6), "right": mm(71.2), "top": mm(25.2), "bottom": mm(50.4)}
    assert out["captions"]["height"] == mm(100.8) and out["captions"]["padding"] == mm(12.6)
    assert out["headline"]["padding"] == mm(25.2) and out["quotes"]["padding"] == mm(25.2)
    # font sizes: points of the shorter side (2520 mm)
    assert out["headline"]["size"]["max"] == pytest.approx(mm(252) / EMU_PER_PT)
    assert isinstance(out["headline"]["size"]["max"], float)
    assert out["captions"]["lines"][0]["size"]["min"] == pytest.approx(mm(25.2) / EMU_PER_PT)
    assert out["quotes"]["attribution"]["size"]["max"] == pytest.approx(mm(50.4) / EMU_PER_PT)


def test_shorter_side_of_a_portrait_page_and_a_custom_size():
    out = resolved({"format": "a1", "grid": {"gutter": "1%"}, "captions": {"padding": "10%"}})
    assert out["grid"]["gutter"] == mm(5.94) and out["captions"]["padding"] == mm(59.4)
    out = resolved({"size": {"width": "1000mm", "height": "400mm"}, "bands": [{"box": {"x": "-1%", "y": 0,
                                                                                      "width": "100%", "height": "50%"}}]})
    assert out["bands"][0]["box"] == {"x": mm(-10), "y": 0, "width": mm(1000), "height": mm(200)}


def test_absolute_layouts_and_other_percentages_are_left_alone():
    data = shipped_data(HAND_PLACED)
    data["headline"]["text"] = "100%"
    data["output"]["pdf"] = {"max_ink": "300%"}
    before = copy.deepcopy(data)
    assert resolved(data) == before
    assert data == before  # the input is not changed


@pytest.mark.parametrize("anchor", ANCHORS)
@pytest.mark.parametrize("to", ["safe", "trim"])
def test_anchors_on_safe_area_and_trim(anchor, to):
    area = Rect(0, 0, W, H) if to == "trim" else Rect(SAFE, SAFE, W - 2 * SAFE, H - 2 * SAFE)
    width, height, inset_x, inset_y = mm(1000), mm(500), mm(20), mm(30)
    box = {"anchor": anchor, "width": "1000mm", "height": "500mm", "x": "20mm", "y": "30mm"}
    if to == "trim":
        box["to"] = "trim"
    out = resolved(page(headline={"box": box}))["headline"]["box"]
    expected_x = {"left": area.x + inset_x, "right": area.right - width - inset_x}
    expected_y = {"top": area.y + inset_y, "bottom": area.bottom - height - inset_y}
    horizontal = next((side for side in ("left", "right") if side in anchor), "centre")
    vertical = next((side for side in ("top", "bottom") if side in anchor), "centre")
    x = expected_x.get(horizontal, area.x + (area.w - width) // 2 + inset_x)
    y = expected_y.get(vertical, area.y + (area.h - height) // 2 + inset_y)
    assert out == {"x": x, "y": y, "width": width, "height": height}


def test_anchored_box_with_percentages_and_no_insets():
    out = resolved(page(brand={"box": {"anchor": "bottom-right", "to": "trim", "width": "50%", "height": "10%"}}))
    assert out["brand"]["box"] == {"x": mm(1780), "y": mm(2268), "width": mm(1780), "height": mm(252)}
    out = resolved(page(safe="0", grid={"box": {"anchor": "center", "width": "50%", "height": "50%"}}))
    assert out["grid"]["box"] == {"x": mm(890), "y": mm(630), "width": mm(1780), "height": mm(1260)}


def test_element_boxes_keep_their_anchor_when_a_side_is_left_to_the_element():
    box = {"anchor": "top-right", "to": "trim", "x": "1%", "y": "2%", "width": "10%"}
    out = resolved(page(elements=[{"box": box}]))["elements"][0]["box"]
    assert out == {"anchor": "top-right", "to": "trim", "x": mm(35.6), "y": mm(50.4), "width": mm(356)}


def test_anchored_box_without_its_size_is_refused_at_the_box():
    _, problems = resolve_relative(page(headline={"box": {"anchor": "top", "width": "10%"}},
                                        bands=[{"box": {"anchor": "middle", "width": "1m", "height": "1m"}}]))
    assert [(p.loc, p.message) for p in problems if p.loc[0] == "headline"] == [
        (("headline", "box"), "an anchored box needs its size: give width and height (missing: height)")]
    bad_anchor = next(p for p in problems if p.loc[0] == "bands")
    assert bad_anchor.loc == ("bands", 0, "box", "anchor") and "bottom-right" in bad_anchor.message


def test_errors_point_at_their_lines(stadtbibliothek_data, write_layout):
    data = stadtbibliothek_data
    data["bleed"] = "1%"  # no percentages here
    data["grid"]["gutter"] = "abc%"
    data["captions"]["height"] = "0%"  # resolved to 0, refused by the caption rule at the same line
    data["headline"]["box"] = {"anchor": "top-left", "width": "45%"}
    data["hashtag"]["box"] = {"anchor": "top-right", "width": "45%", "height": "5%", "to": "bleed"}
    path = write_layout(data)
    text = path.read_text(encoding="utf-8")
    lines = problems_of(path)
    assert len(lines) == 5, lines

    def reported(field: str, fragment: str) -> str:
        return next(line for line in lines if f" {field}: " in line and fragment in line)

    bleed = reported("bleed", "allowed only for a box's x, y, width and height")
    assert bleed.startswith(f"{path}:{line_of(text, 'bleed: 1%')}:")
    assert reported("grid.gutter", "'abc%' is not a percentage").startswith(f"{path}:{line_of(text, 'gutter:')}:")
    assert reported("captions.height", "greater than 0").startswith(f"{path}:{line_of(text, 'height: 0%')}:")
    # a block is pointed at by its key's line: box: stands just above the anchor
    box_line = line_of(text, "anchor: top-left") - 1
    assert reported("headline.box", "give width and height").startswith(f"{path}:{box_line}:")
    assert reported("hashtag.box.to", "safe (the default) or trim").startswith(f"{path}:{line_of(text, 'to: bleed')}:")


def test_bare_yaml_percentages_load(write_layout):
    text = HAND_PLACED.read_text(encoding="utf-8")
    text = text.replace("gutter: 60mm", "gutter: 2.380952381%").replace("safe: 50mm", "safe: 2%")
    text = text.replace("size: {max: 480pt, min: 200pt}", "size: {max: 5%, min: 2%}")
    for name in ("../../assets", "../../portraits"):
        text = text.replace(name, str(HAND_PLACED.parent / name))
    spec = load_layout(write_layout(text)).spec
    assert spec.grid.gutter == mm(60) and spec.safe == mm(50.4)
    assert spec.headline.size.max == pytest.approx(mm(126) / EMU_PER_PT)


def test_an_unknown_format_is_reported_once_without_complaints_about_percentages(stadtbibliothek_data, write_layout):
    data = stadtbibliothek_data
    data["format"] = "18-2"
    data["grid"]["gutter"] = "2%"
    data["headline"]["box"] = {"anchor": "top-left", "width": "45%", "height": "10%"}
    lines = problems_of(write_layout(data))
    assert len(lines) == 1 and " format: unknown format '18-2'" in lines[0]


def test_layout_with_relative_geometry_renders_the_same_cells(stadtbibliothek_data, tmp_path):
    """The shipped billboard written with percentages and anchors gives the same geometry."""
    absolute = stadtbibliothek_data
    relative = copy.deepcopy(absolute)
    relative["grid"]["margins"] = {"top": "17.4603174603%", "bottom": "17.4603174603%",
                                   "left": "2.808988764%", "right": "2.808988764%"}
    relative["bands"][1]["box"] = {"anchor": "bottom", "to": "trim", "width": "100%", "height": "400mm"}
    relative["credit"]["box"] = {"anchor": "bottom-right", "x": "50mm", "y": "30mm", "width": "1620mm",
                                 "height": "50mm"}
    a = load_layout(dump_layout(absolute, tmp_path / "a.yaml")).spec
    b = load_layout(dump_layout(relative, tmp_path / "b.yaml")).spec
    assert b.grid.margins == a.grid.margins
    assert b.bands == a.bands and b.credit == a.credit


def test_json_schema_knows_percentages_and_anchors():
    import re

    from plakat.spec import json_schema

    schema = json_schema()
    box = schema["$defs"]["Box"]
    assert box["properties"]["anchor"]["enum"] == list(ANCHORS) and box["required"] == ["width", "height"]
    for node in (box["properties"]["x"], schema["$defs"]["Grid"]["properties"]["gutter"], schema["properties"]["safe"]):
        patterns = [branch.get("pattern", "") for branch in node["anyOf"]]
        assert any(re.match(pattern, "2.5%") for pattern in patterns if pattern)
    bleed = schema["properties"]["bleed"]
    assert not any(re.match(branch.get("pattern", "^$"), "2.5%") for branch in bleed["anyOf"])


def test_a_bad_percentage_in_an_anchored_box_is_named_at_its_key():
    _, problems = resolve_relative(page(brand={"box": {"anchor": "left", "x": "5 %%", "width": "10%", "height": "1m"}}))
    assert [(p.loc, p.message) for p in problems] == [
        (("brand", "box", "x"), "'5 %%' is not a percentage: write a number and %, e.g. 5%")]
