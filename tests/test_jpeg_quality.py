"""output.pdf.jpeg_quality: validated at its line, carried to the print conversion and its cache
entry, and written as CMYK JPEGs without chroma subsampling (read back with pikepdf and Pillow)."""

from __future__ import annotations

import io

import pikepdf
import pytest
from PIL import Image
from typer.testing import CliRunner

from plakat import cache
from plakat.cli import app
from plakat.cms import ColourManager, load_output_profile
from plakat.delivery import pdf_options
from plakat.pipeline import render
from plakat.spec import DEFAULT_JPEG_QUALITY, load_layout
from conftest import ROOT, file_of

runner = CliRunner()


@pytest.mark.parametrize("value, message", [
    (40, "from 50 to 100"),
    (101, "from 50 to 100"),
    ("high", "integer"),
    (92.5, "integer"),
])
def test_a_bad_quality_is_refused_at_its_line(one_portrait_data, write_layout, value, message):
    data = one_portrait_data
    data["output"] = {"pdf": {"jpeg_quality": value}}
    layout = write_layout(data)
    line = next(n for n, text in enumerate(layout.read_text().splitlines(), 1) if "jpeg_quality" in text)
    result = runner.invoke(app, ["check", str(layout)])
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert f"{layout.name}:{line}:" in result.stderr
    assert "output.pdf.jpeg_quality" in result.stderr and message in result.stderr


def test_the_quality_reaches_the_pdf_options(one_portrait_data, write_layout):
    data = one_portrait_data
    assert pdf_options(load_layout(write_layout(data)).spec).jpeg_quality == DEFAULT_JPEG_QUALITY
    data["output"] = {"pdf": {"jpeg_quality": 70}}
    assert pdf_options(load_layout(write_layout(data)).spec).jpeg_quality == 70


def _images(holder) -> list:
    """The image XObjects of a page, also those inside forms."""
    found = []
    for xobject in holder.get("/Resources", {}).get("/XObject", {}).values():
        found += [xobject] if xobject.Subtype == "/Image" else _images(xobject)
    return found


@pytest.fixture
def small_portrait(one_portrait_data, tmp_path):
    """Brigitte's portrait a third of its size: the quality shows at any size."""
    path = tmp_path / "portrait.jpg"
    Image.open(one_portrait_data["people"][0]["portrait"]).reduce(3).save(path, quality=95)
    return path


def test_qualities_have_their_own_cache_entries(small_portrait, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("PLAKAT_CACHE_DIR", str(folder))
    manager = ColourManager(load_output_profile("FOGRA39", ROOT))
    low = manager.print_image(small_portrait, tmp_path, quality=60).path.read_bytes()
    high = manager.print_image(small_portrait, tmp_path, quality=95).path.read_bytes()
    assert len(low) < 0.7 * len(high)
    assert len(cache.entries(folder)) == 2
    # asked again, each quality finds its own entry, not the other's
    assert manager.print_image(small_portrait, tmp_path, quality=60).path.read_bytes() == low
    assert manager.print_image(small_portrait, tmp_path, quality=95).path.read_bytes() == high
    assert len(cache.entries(folder)) == 2


def test_the_print_file_carries_the_quality_without_chroma_subsampling(
    one_portrait_data, small_portrait, write_layout, tmp_path
):
    data = one_portrait_data
    data["people"][0]["portrait"] = str(small_portrait)
    data["output"] = {"png": False, "pdf": {"jpeg_quality": 60}}
    pdf = file_of(render(write_layout(data), tmp_path / "out"), "pdf")
    with pikepdf.open(pdf) as document:
        streams = [image.read_raw_bytes() for image in _images(document.pages[0].obj)]
    assert len(streams) == 1 and streams[0].startswith(b"\xff\xd8")
    manager = ColourManager(load_output_profile("FOGRA39", ROOT))
    expected = manager._convert_for_print(io.BytesIO(small_portrait.read_bytes()), 1, 60)[0]
    default = manager._convert_for_print(io.BytesIO(small_portrait.read_bytes()), 1, DEFAULT_JPEG_QUALITY)[0]
    assert streams[0] == expected and len(streams[0]) < len(default)
    with Image.open(io.BytesIO(streams[0])) as embedded:
        assert embedded.mode == "CMYK"
        # the frame header's sampling factors: every one of the four components at full resolution
        assert len(embedded.layer) == 4 and all(h == v == 1 for _, h, v, _ in embedded.layer)
