"""The print conversion's fast paths give what the plain ones give, and hold the ink limit.

Ink sums as 32-bit words against numpy's plain sum; ink limiting against a per-pixel reference;
the decoded-JPEG check skipped only for photos far below the limit; a PNG's screen PDF carrying
its photos no sharper than the PNG shows them.
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

import plakat.cms as cms
from plakat.cms import (
    DEFAULT_PROFILE,
    ColourManager,
    ink_totals,
    jpeg_ink_margin,
    limit_ink,
    load_output_profile,
    total_ink_max,
)
from plakat.delivery import SCREEN
from plakat.pipeline import build
from plakat.render.pdf import write_pdf
from plakat.scene import PlacedImage


def test_ink_totals_are_the_plain_sums_of_the_four_inks():
    pixels = np.random.default_rng(1).integers(0, 256, (257, 301, 4), dtype=np.uint8)
    pixels[0, 0] = 255  # the largest total, 1020, must not wrap
    expected = pixels.astype(np.int64).sum(axis=2).ravel()
    assert np.array_equal(ink_totals(pixels).astype(np.int64), expected)
    assert total_ink_max(pixels) == pytest.approx(1020 / 255 * 100)


def test_limit_ink_matches_a_per_pixel_reference():
    pixels = np.random.default_rng(2).integers(0, 256, (300, 300, 4), dtype=np.uint8)
    reference = pixels.astype(np.float64).reshape(-1, 4)
    limit = 300 / 100 * 255
    for row in reference:
        if row.sum() > limit:
            black = min(row[3], limit)
            colour = row[:3].sum()
            factor = max(limit - black, 0) / colour if colour > 0 else 0
            row[:3] = np.floor(row[:3] * factor)
            row[3] = black
    highest = limit_ink(pixels, 300)
    assert np.array_equal(pixels.reshape(-1, 4), reference.astype(np.uint8))
    assert highest == pytest.approx(reference.sum(axis=1).max() / 255 * 100)
    assert highest <= 300


def test_the_margin_trusted_shrinks_to_none_with_the_quality():
    assert jpeg_ink_margin(95) == jpeg_ink_margin(90) == 40
    assert jpeg_ink_margin(80) == 90
    assert jpeg_ink_margin(74) is None and jpeg_ink_margin(50) is None


def _photo(path: Path, level: int, spread: int = 12) -> Path:
    """A noisy grey photo around ``level`` (0 black .. 255 white), the same every time."""
    noise = np.random.default_rng(level).normal(level, spread, (240, 180, 3))
    image = Image.fromarray(np.clip(noise, 0, 255).astype(np.uint8), "RGB")
    image.save(path, quality=92) if path.suffix == ".jpg" else image.save(path)
    return path


@pytest.fixture
def converted(tmp_path, monkeypatch):
    """Convert a file for print without the cache; the result's decoded highest total ink (read
    here with Pillow and numpy) and how often the conversion decoded its own JPEG."""
    monkeypatch.setenv("PLAKAT_CACHE_DIR", "off")
    colours = ColourManager(load_output_profile(DEFAULT_PROFILE, Path(".")), 300)
    decodes = []
    measure = cms.jpeg_total_ink_max
    monkeypatch.setattr(cms, "jpeg_total_ink_max", lambda data: decodes.append(1) or measure(data))

    def convert(source: Path) -> tuple[float, int]:
        decodes.clear()
        result = colours.print_image(source, tmp_path, 1, 90)
        with Image.open(result.path) as image:
            pixels = np.asarray(image, dtype=np.int64)
        return pixels.sum(axis=2).max() / 255 * 100, len(decodes)

    return convert


def test_a_light_photo_is_not_decoded_again(converted, tmp_path):
    highest, decodes = converted(_photo(tmp_path / "light.jpg", 170))
    assert decodes == 0
    assert highest < 300 - 40


def test_a_dark_photo_is_decoded_and_held_to_the_limit(converted, tmp_path):
    highest, decodes = converted(_photo(tmp_path / "dark.jpg", 8, spread=10))
    assert decodes >= 1
    assert 280 < highest <= 300  # limited, not merely light


def test_a_graphic_is_always_decoded_again(converted, tmp_path):
    highest, decodes = converted(_photo(tmp_path / "light.png", 170))
    assert decodes >= 1
    assert highest < 300


def test_a_pngs_screen_pdf_carries_its_photos_no_sharper_than_the_png(tmp_path):
    built = build(Path("layouts/stadtbibliothek.yaml"))
    colours = built.colours(SCREEN)
    full, smaller = tmp_path / "full.pdf", tmp_path / "smaller.pdf"
    write_pdf(built.scene, full, colours, SCREEN, preview=True)
    write_pdf(built.scene, smaller, colours, dataclasses.replace(SCREEN, image_dpi=20), preview=True)

    def widths(path: Path) -> list[int]:
        with pikepdf.open(path) as pdf:
            xobjects = pdf.pages[0].obj.Resources.XObject
            return sorted(int(xobjects[name].Width) for name in xobjects if xobjects[name].Subtype == "/Image")

    # halved while at least one image pixel stays behind every PNG pixel, at most 8 times
    expected = []
    for item in built.scene.items:
        if isinstance(item, PlacedImage):
            factor = 1
            while factor < 8 and min(item.ppi) / (factor * 2) >= 20:
                factor *= 2
            expected.append(-(-item.image.width // factor))
    assert widths(full) == sorted(item.image.width for item in built.scene.items if isinstance(item, PlacedImage))
    assert widths(smaller) == sorted(expected)
    assert widths(smaller) != widths(full)


def test_jpeg_total_ink_max_reads_what_was_saved():
    pixels = np.full((64, 64, 4), 40, np.uint8)
    pixels[10, 10] = (200, 200, 200, 150)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "CMYK").save(buffer, "JPEG", quality=100)
    with Image.open(io.BytesIO(buffer.getvalue())) as image:
        expected = np.asarray(image, dtype=np.int64).sum(axis=2).max() / 255 * 100
    assert cms.jpeg_total_ink_max(buffer.getvalue()) == pytest.approx(expected)


def test_a_small_png_is_drawn_beside_the_conversions_a_large_one_before_them(
    one_portrait_poster, tmp_path, monkeypatch
):
    """The print conversions start beside a small PNG; a PNG over the limit is drawn alone first,
    so the two peaks of memory never add up. Either way the files are the same, byte for byte."""
    import plakat.pipeline as pipeline

    events: list[str] = []
    prepared, drawn = pipeline.PreparedImages, pipeline.write_png

    class Recorded(prepared):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs):
            events.append("conversions")
            super().__init__(*args, **kwargs)

    def recorded_png(*args, **kwargs):
        events.append("png")
        return drawn(*args, **kwargs)

    monkeypatch.setattr(pipeline, "PreparedImages", Recorded)
    monkeypatch.setattr(pipeline, "write_png", recorded_png)
    monkeypatch.setenv("PLAKAT_CACHE_DIR", "off")
    files = {}
    for limit, order in ((128 << 20, ["conversions", "png"]), (0, ["png", "conversions"])):
        events.clear()
        monkeypatch.setattr(pipeline, "OVERLAP_RASTER_BYTES", limit)
        out = tmp_path / f"limit-{limit}"
        result = pipeline.render(one_portrait_poster, out)
        assert [f.kind for f in result.files] == ["pdf", "png"]
        assert events == order
        files[limit] = [(out / name).read_bytes() for name in ("one-portrait.pdf", "one-portrait.png")]
    assert files[128 << 20] == files[0]


def test_a_review_pdf_never_saves_a_photo_as_jpeg_again(one_portrait_data, write_layout, tmp_path):
    """A JPEG the review PDF cannot carry byte for byte (here: turned by EXIF) goes in losslessly;
    only the PNG's own screen PDF saves photos as JPEG again."""
    photo = tmp_path / "turned.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (300, 400), (200, 120, 90)).save(photo, quality=92, exif=exif)
    one_portrait_data["people"][0]["portrait"] = str(photo)
    built = build(write_layout(one_portrait_data))
    colours = built.colours(SCREEN)

    def filters(options) -> list[str]:
        target = tmp_path / "screen.pdf"
        write_pdf(built.scene, target, colours, options, preview=True)
        with pikepdf.open(target) as pdf:
            xobjects = pdf.pages[0].obj.Resources.XObject
            return [str(xobjects[name].get("/Filter")) for name in xobjects if xobjects[name].Subtype == "/Image"]

    assert "DCTDecode" not in " ".join(filters(SCREEN))
    assert "DCTDecode" in " ".join(filters(dataclasses.replace(SCREEN, image_dpi=10)))
