"""Golden files: what the shipped posters look like.

For each shipped layout, tests/golden/ holds the scene as canonical JSON (every box, crop, image
file and line of text, in mm to 0.01 mm), compared exactly, and a 10 dpi PNG of the trim,
compared with a tolerance. After an intended change, regenerate them and read the JSON diff:

    python -m pytest tests/test_golden.py --regenerate-goldens

A failing PNG comparison leaves NAME.actual.png and NAME.diff.png beside the golden file.
"""

from __future__ import annotations

import dataclasses
import difflib
import json

import numpy as np
import pytest
from PIL import Image

from plakat.delivery import SCREEN
from plakat.pipeline import build
from plakat.render.pdf import write_pdf
from plakat.render.png import write_png
from plakat.scene import Fill, PlacedImage, PlacedVector, QrCode, Rect, TextLine, scene_data
from plakat.units import mm
from conftest import LAYOUTS, ROOT

GOLDEN = ROOT / "tests" / "golden"
SHIPPED = sorted(path.stem for path in LAYOUTS.glob("*.yaml"))
PNG_DPI = 10
# pixels differing by more than NOISE levels in any channel count as changed
NOISE = 8
MAX_CHANGED_SHARE = 0.002
MAX_DIFFERENCE = 64


def canonical(scene) -> str:
    return json.dumps(scene_data(scene), indent=1, ensure_ascii=False, sort_keys=True) + "\n"


@pytest.fixture(scope="module")
def built():
    return {name: build(LAYOUTS / f"{name}.yaml") for name in SHIPPED}


def test_every_shipped_layout_has_goldens():
    assert SHIPPED == ["24-1-a59", "a1-rathaus", "clp-hauptbahnhof", "social-feed", "social-story", "stadtbibliothek"]


@pytest.mark.parametrize("name", SHIPPED)
def test_scene_matches_its_golden_json(built, name, regenerate_goldens):
    golden = GOLDEN / f"{name}.scene.json"
    actual = canonical(built[name].scene)
    if regenerate_goldens:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(), "golden", "actual", lineterm="")
        pytest.fail(
            f"{name}: the scene differs from {golden.name} (regenerate with --regenerate-goldens if "
            "the change is intended):\n" + "\n".join(list(diff)[:80])
        )


def _moved(item, by: int):
    if isinstance(item, (Fill, PlacedImage, PlacedVector, QrCode)):
        rect = item.rect
        return dataclasses.replace(item, rect=Rect(rect.x + by, rect.y, rect.w, rect.h))
    glyphs = tuple(dataclasses.replace(glyph, x=glyph.x + by) for glyph in item.glyphs)
    return dataclasses.replace(item, baseline=item.baseline + by, glyphs=glyphs)


@pytest.mark.parametrize("name", SHIPPED)
def test_the_golden_json_notices_any_box_moved_by_1mm(built, name):
    scene = built[name].scene
    golden = canonical(scene)
    for index, item in enumerate(scene.items):
        items = list(scene.items)
        items[index] = _moved(item, mm(1))
        assert canonical(dataclasses.replace(scene, items=tuple(items))) != golden, item


@pytest.mark.parametrize("name", SHIPPED)
def test_png_matches_its_golden_within_tolerance(built, name, tmp_path, regenerate_goldens):
    scene = built[name].scene
    pdf, png = tmp_path / "screen.pdf", tmp_path / "poster.png"
    write_pdf(scene, pdf, built[name].colours(SCREEN), SCREEN)
    write_png(pdf, scene, png, PNG_DPI)
    golden = GOLDEN / f"{name}.png"
    if regenerate_goldens:
        golden.write_bytes(png.read_bytes())
    with Image.open(png) as image:
        actual = np.asarray(image.convert("RGB"), dtype=np.int16)
    with Image.open(golden) as image:
        expected = np.asarray(image.convert("RGB"), dtype=np.int16)
    actual_path, diff_path = GOLDEN / f"{name}.actual.png", GOLDEN / f"{name}.diff.png"
    if actual.shape != expected.shape:
        actual_path.write_bytes(png.read_bytes())
        pytest.fail(
            f"{name}: {actual.shape[1]} x {actual.shape[0]} px, golden {expected.shape[1]} x "
            f"{expected.shape[0]} px; see {actual_path.name}"
        )
    difference = np.abs(actual - expected).max(axis=2)
    changed = float((difference > NOISE).mean())
    largest = int(difference.max())
    if changed > MAX_CHANGED_SHARE or largest > MAX_DIFFERENCE:
        actual_path.write_bytes(png.read_bytes())
        Image.fromarray(np.where(difference > NOISE, 255, difference * 8).clip(0, 255).astype(np.uint8)).save(diff_path)
        pytest.fail(
            f"{name}: {changed:.2%} of pixels differ by more than {NOISE} (at most "
            f"{MAX_CHANGED_SHARE:.2%}), largest difference {largest} (at most {MAX_DIFFERENCE}); see "
            f"{actual_path.name} and {diff_path.name}"
        )
    actual_path.unlink(missing_ok=True)
    diff_path.unlink(missing_ok=True)
