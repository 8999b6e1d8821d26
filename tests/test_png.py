"""The streamed PNG writer: strips against one whole-page render, byte-identical output with any
number of compression threads, a well-formed zlib stream and chunks, size limits, interruption."""

from __future__ import annotations

import random
import struct
import threading
import zlib
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from plakat.errors import OutputError
from plakat.pipeline import SCREEN, build
from plakat.render import png
from plakat.render.pdf import write_pdf
from plakat.render.png import (MAX_PNG_SIDE, PngStreamWriter, _adler32_combine, rasterise, strip_rows_for,
                               write_png)
from plakat.units import EMU_PER_INCH


@pytest.fixture(scope="module")
def poster(one_portrait_clp_layout, tmp_path_factory):
    """The city-light poster (a portrait, text, flat colour) as the screen PDF a PNG is drawn from."""
    scene = build(one_portrait_clp_layout).scene
    pdf = tmp_path_factory.mktemp("png") / "poster.pdf"
    write_pdf(scene, pdf, options=SCREEN)
    return pdf, scene


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    found, at = [], 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        assert struct.unpack(">I", data[at + 8 + length:at + 12 + length])[0] == zlib.crc32(kind + body), kind
        found.append((kind, body))
        at += 12 + length
    return found


def test_strips_match_one_whole_page_render(poster, tmp_path):
    pdf, scene = poster
    write_png(pdf, scene, tmp_path / "strips.png", 15, strip_rows=50, workers=2)
    whole = next(rasterise(pdf, scene, 15, strip_rows=10**9)).astype(int)  # one bitmap, one pdfium call
    with Image.open(tmp_path / "strips.png") as image:
        strips = np.asarray(image).astype(int)
    assert strips.shape == whole.shape == (1033, 700, 3)
    differing = np.any(strips != whole, axis=2)
    # anti-aliasing at strip seams only: measured 0.004 % of pixels, by at most 1/255
    assert differing.mean() < 0.0002
    assert np.abs(strips - whole).max() <= 32


def test_compression_threads_do_not_change_a_byte(poster, tmp_path, monkeypatch):
    pdf, scene = poster
    monkeypatch.setattr(png, "BAND_BYTES", 10_000)  # 8 rows a band: many bands per strip
    outputs = []
    for workers in (0, 1, 3):
        target = tmp_path / f"w{workers}.png"
        write_png(pdf, scene, target, 8, strip_rows=40, workers=workers)
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    write_png(pdf, scene, tmp_path / "again.png", 8, strip_rows=40, workers=2)
    assert (tmp_path / "again.png").read_bytes() == outputs[0]


def test_chunks_stream_and_pixels(poster, tmp_path, monkeypatch):
    pdf, scene = poster
    monkeypatch.setattr(png, "BAND_BYTES", 30_000)
    target = tmp_path / "p.png"
    assert write_png(pdf, scene, target, 12, strip_rows=64, level=6) == (560, 827)
    found = chunks(target.read_bytes())
    kinds = [kind for kind, _ in found]
    assert kinds[:5] == [b"IHDR", b"sRGB", b"gAMA", b"pHYs", b"IDAT"] and kinds[-1] == b"IEND"
    assert set(kinds[4:-1]) == {b"IDAT"}
    assert struct.unpack(">IIBBBBB", found[0][1]) == (560, 827, 8, 2, 0, 0, 0)
    assert found[1][1] == b"\x00"  # sRGB, perceptual
    x, y, unit = struct.unpack(">IIB", found[3][1])
    assert x == y == round(12 / 0.0254) and unit == 1
    stream = b"".join(body for kind, body in found if kind == b"IDAT")
    raw = zlib.decompress(stream)  # one valid zlib stream, adler32 included
    assert len(raw) == 827 * (560 * 3 + 1)
    assert set(raw[::560 * 3 + 1]) == {2}  # every row Up-filtered
    with Image.open(target) as image:
        assert image.info["dpi"][0] == pytest.approx(12, abs=0.02)  # pHYs counts whole pixels per metre
        assert image.info.get("srgb") == 0
        pixels = np.asarray(image)
    assert np.array_equal(pixels, np.concatenate(list(rasterise(pdf, scene, 12, strip_rows=64))))


def test_stream_writer_alone_round_trips_at_every_level(tmp_path):
    rng = np.random.default_rng(5)
    picture = rng.integers(0, 256, (57, 33, 3), dtype=np.uint8)
    picture[20:40] = 200  # flat rows too
    for level in (0, 1, 6, 9):
        with open(tmp_path / "s.png", "wb") as file:
            writer = PngStreamWriter(file, 33, 57, 72, level)
            for start in range(0, 57, 10):
                writer.write_rows(picture[start:start + 10])
            writer.close()
        with Image.open(tmp_path / "s.png") as image:
            assert np.array_equal(np.asarray(image), picture), level


def test_adler32_of_pieces_combines_to_the_whole():
    rng = random.Random(3)
    data = bytes(rng.getrandbits(8) for _ in range(5000)) + bytes(70000)
    for _ in range(20):
        cut = rng.randrange(len(data) + 1)
        first, second = data[:cut], data[cut:]
        assert _adler32_combine(zlib.adler32(first), zlib.adler32(second), len(second)) == zlib.adler32(data)


def fake_scene(width_px: int, height_px: int, dpi: float = 1) -> SimpleNamespace:
    """Just what the size checks read: trim and bleed in EMU."""
    return SimpleNamespace(width=width_px * EMU_PER_INCH // dpi, height=height_px * EMU_PER_INCH // dpi, bleed=0)


def test_a_side_longer_than_png_allows_is_refused_before_anything_is_drawn(tmp_path):
    target = tmp_path / "huge.png"
    with pytest.raises(OutputError, match=r"more than a PNG can hold .*2147483647 px a side.*lower --png-dpi"):
        write_png(tmp_path / "no.pdf", fake_scene(MAX_PNG_SIDE + 1, 10), target, 1)
    with pytest.raises(OutputError, match="more than a PNG can hold"):
        write_png(tmp_path / "no.pdf", fake_scene(800_000_000, 10), target, 1)  # a row of 2.4 GB
    with pytest.raises(OutputError, match=r"raise --png-dpi"):
        write_png(tmp_path / "no.pdf", fake_scene(3560, 2520), target, 0.0001)
    assert not target.exists()


def test_stored_output_over_4_gib_is_refused_before_anything_is_drawn(tmp_path):
    # 18/1 at 400 dpi: 6.7 GB of pixels, which level 0 stores as they are
    target = tmp_path / "huge.png"
    with pytest.raises(OutputError, match=r"larger than 4 GiB.*--png-compression"):
        write_png(tmp_path / "no.pdf", fake_scene(56063, 39685), target, 400, level=0)
    assert not target.exists()


def test_output_growing_past_the_limit_is_stopped_with_a_clear_message(tmp_path):
    noise = np.random.default_rng(1).integers(0, 256, (200, 100, 3), dtype=np.uint8)
    with open(tmp_path / "n.png", "wb") as file:
        writer = PngStreamWriter(file, 100, 200, 72, 1, max_bytes=20_000)
        with pytest.raises(OutputError, match=r"100 x 200 px\) would be larger than"):
            writer.write_rows(noise)
            writer.close()


def test_an_interrupt_stops_the_threads_and_leaves_no_file(poster, tmp_path, monkeypatch):
    pdf, scene = poster
    monkeypatch.setattr(png, "BAND_BYTES", 5_000)
    calls = []

    def interrupt(done, total):
        calls.append((done, total))
        raise KeyboardInterrupt

    target = tmp_path / "cut.png"
    with pytest.raises(KeyboardInterrupt):
        write_png(pdf, scene, target, 8, strip_rows=30, workers=2, progress=interrupt)
    assert calls == [(30, 551)]
    assert not target.exists()
    assert not [t for t in threading.enumerate() if t.name.startswith("plakat-png")]


def test_progress_reports_every_strip(poster, tmp_path):
    pdf, scene = poster
    seen = []
    write_png(pdf, scene, tmp_path / "p.png", 8, strip_rows=100, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(100, 551), (200, 551), (300, 551), (400, 551), (500, 551), (551, 551)]


@pytest.mark.parametrize("dpi", [50, 150, 300, 2400])
def test_strips_stay_small_at_billboard_widths(dpi):
    width = round(3560 / 25.4 * dpi)  # 18/1
    rows = strip_rows_for(width)
    assert rows * width * 3 <= png.MAX_STRIP_BYTES
    if dpi <= 300:
        assert rows >= png.MIN_STRIP_ROWS
