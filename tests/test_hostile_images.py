"""Odd and hostile images, end to end through the CLI: every one ends in a correct render (exit 0,
the picture upright and in the right colours) or a clear refusal (exit 2, naming the layout line
and the file), never a traceback, a memory blow-up or a touched output.

The images are generated here, into a temporary folder: the large ones would not belong in git.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from plakat.cli import app
from plakat.scene import PlacedImage
from plakat.units import EMU_PER_INCH
from conftest import ONE_PORTRAIT, HAND_PLACED, STADTBIBLIOTHEK, cut_to_people, dump_layout, shipped_data

DPI = 5
runner = CliRunner()
# Upright test picture: four quadrants that tell every turn and mirror apart.
QUADRANTS = {"top-left": (220, 30, 30), "top-right": (30, 180, 30), "bottom-left": (30, 60, 220),
             "bottom-right": (240, 220, 40)}
# What a viewer applies to the stored pixels for each EXIF orientation; storing the inverse makes
# the displayed picture upright.
_STORED = {1: None, 2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
           4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_90,
           7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_270}


def quadrant_picture(width=1200, height=1500) -> Image.Image:
    image = Image.new("RGB", (width, height))
    w, h = width // 2, height // 2
    for (name, colour), (x, y) in zip(QUADRANTS.items(), [(0, 0), (w, 0), (0, h), (w, h)]):
        image.paste(colour, (x, y, x + w, y + h))
    return image


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


@pytest.fixture
def poster_with(one_portrait_data, write_layout, tmp_path):
    """Write the one-portrait billboard with its portrait replaced by ``path``; returns the layout path."""

    def make(path: Path, standard: str = "pdf/x-4") -> Path:
        data = one_portrait_data
        data["people"][0]["portrait"] = str(path)
        data["people"][0]["focus"] = [0.5, 0.5]
        data["output"] = {"png_dpi": DPI, "pdf": {"standard": standard}}
        return write_layout(data)

    return make


def render_ok(layout: Path, out: Path):
    """Render ``layout`` through the CLI; its PNG's pixels and its placed images by person."""
    result = run("render", layout, "--out", out)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    from plakat.pipeline import build

    scene = build(layout).scene
    png = np.asarray(Image.open(out / f"{layout.stem}.png").convert("RGB"), dtype=int)
    return png, {item.element: item for item in scene.of_type(PlacedImage)}


def render_gallery(folder: Path, pictures: dict, standard: str):
    """One billboard with a person per picture (each framed around its centre), rendered once for
    the tests of all of them: the PNG's pixels and each picture's placed image, by the picture's key."""
    data = shipped_data(HAND_PLACED)
    names = [person["name"] for person in data["people"]][:len(pictures)]
    assert len(names) == len(pictures), "more pictures than people"
    data = cut_to_people(data, *names)
    for person, path in zip(data["people"], pictures.values()):
        person["portrait"] = str(path)
        person["focus"] = [0.5, 0.5]
    data["output"] = {"png_dpi": DPI, "pdf": {"standard": standard}}
    png, placed = render_ok(dump_layout(data, folder / "gallery.yaml"), folder / "out")
    return png, {key: placed[name] for key, name in zip(pictures, names)}


def sample(png, item: PlacedImage, fx: float, fy: float) -> tuple[int, ...]:
    x = round((item.rect.x + item.rect.w * fx) * DPI / EMU_PER_INCH)
    y = round((item.rect.y + item.rect.h * fy) * DPI / EMU_PER_INCH)
    return tuple(int(v) for v in png[y, x])


def assert_upright(png, item):
    for name, (fx, fy) in {"top-left": (0.25, 0.25), "top-right": (0.75, 0.25), "bottom-left": (0.25, 0.75),
                           "bottom-right": (0.75, 0.75)}.items():
        assert sample(png, item, fx, fy) == pytest.approx(QUADRANTS[name], abs=30), name


def refused(layout: Path, out: Path, *expected: str):
    before = snapshot(out)
    result = run("render", layout, "--out", out)
    assert result.exit_code == 2, result.output
    assert f"{layout.name}:" in result.stderr and "people[0].portrait" in result.stderr
    for text in expected:
        assert text in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(out) == before
    return result


# --- every EXIF orientation, shown upright ----------------------------------------------------------

@pytest.fixture(scope="module")
def orientations(tmp_path_factory):
    """A billboard with one photo per EXIF orientation, rendered once."""
    folder = tmp_path_factory.mktemp("orientations")
    pictures = {}
    for orientation in range(1, 9):
        stored = quadrant_picture()
        if _STORED[orientation] is not None:
            stored = stored.transpose(_STORED[orientation])
        exif = Image.Exif()
        exif[0x0112] = orientation
        pictures[orientation] = folder / f"orientation-{orientation}.jpg"
        stored.save(pictures[orientation], quality=95, exif=exif)
    # the screen file is enough here: both files take their pixels from the same upright decode
    return render_gallery(folder, pictures, "screen")


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_is_shown_upright(orientations, orientation):
    png, placed = orientations
    item = placed[orientation]
    assert (item.image.width, item.image.height) == (1200, 1500)
    assert_upright(png, item)


# --- formats and colour modes that must simply work ------------------------------------------------

def _png16(path: Path, gray: bool) -> None:
    picture = np.asarray(quadrant_picture(), dtype=np.uint16) * 257
    if gray:
        luminance = np.asarray(quadrant_picture().convert("L"), dtype=np.uint16) * 257
        Image.fromarray(luminance).save(path)
    else:  # Pillow cannot write 16-bit RGB: write the PNG by hand
        height, width = picture.shape[:2]
        rows = b"".join(b"\x00" + picture[y].astype(">u2").tobytes() for y in range(height))

        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0))
                         + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _make(kind: str, path: Path) -> Path:
    picture = quadrant_picture()
    if kind == "cmyk-adobe.jpg":
        picture.convert("CMYK").save(path, quality=95)  # Pillow writes Adobe-inverted CMYK, as Photoshop does
    elif kind == "gray.jpg":
        picture.convert("L").save(path, quality=95)
    elif kind == "rgba.png":
        rgba = picture.convert("RGBA")
        rgba.putalpha(255)
        rgba.save(path)
    elif kind == "palette-transparent.png":
        palette = picture.convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
        palette.info["transparency"] = 255  # an unused index: transparency present, pixels opaque
        palette.save(path, transparency=255)
    elif kind == "gray16.png":
        _png16(path, gray=True)
    elif kind == "rgb16.png":
        _png16(path, gray=False)
    elif kind == "photo.webp":
        picture.save(path, quality=95)
    elif kind == "photo.tif":
        picture.save(path, compression="tiff_lzw")
    elif kind == "cmyk.tif":
        picture.convert("CMYK").save(path)
    return path


ODD_KINDS = ["cmyk-adobe.jpg", "gray.jpg", "rgba.png", "palette-transparent.png", "gray16.png", "rgb16.png",
             "photo.webp", "photo.tif", "cmyk.tif"]


@pytest.fixture(scope="module")
def odd_images(tmp_path_factory):
    """A billboard with one picture of every odd kind, rendered once: print PDF and PNG."""
    folder = tmp_path_factory.mktemp("odd")
    return render_gallery(folder, {kind: _make(kind, folder / f"in-{kind}") for kind in ODD_KINDS}, "pdf/x-4")


@pytest.mark.parametrize("kind", ODD_KINDS)
def test_odd_but_legitimate_images_render_upright_and_in_colour(odd_images, kind):
    png, placed = odd_images
    item = placed[kind]
    if kind.startswith("gray"):
        for name, (fx, fy) in {"top-left": (0.25, 0.25), "bottom-right": (0.75, 0.75)}.items():
            r, g, b = QUADRANTS[name]
            expected = 0.299 * r + 0.587 * g + 0.114 * b
            assert np.mean(sample(png, item, fx, fy)) == pytest.approx(expected, abs=30)
    elif kind.startswith("cmyk"):
        # naive CMYK values shown through the press profile: same hues, duller, never inverted
        top_left, bottom_left = sample(png, item, 0.25, 0.25), sample(png, item, 0.25, 0.75)
        assert top_left[0] > top_left[1] + 60 and top_left[0] > top_left[2] + 60  # red stays red
        assert bottom_left[2] > bottom_left[0] + 60  # blue stays blue
    else:
        assert_upright(png, item)


# --- refusals ---------------------------------------------------------------------------------------

def test_missing_image(poster_with, tmp_path):
    refused(poster_with(tmp_path / "nicht da.jpg"), tmp_path / "out", "no such file", "nicht da.jpg")


def test_zero_byte_image(poster_with, tmp_path):
    empty = tmp_path / "leer.jpg"
    empty.write_bytes(b"")
    refused(poster_with(empty), tmp_path / "out", "empty", "leer.jpg")


def test_text_file_named_jpg(poster_with, tmp_path):
    fake = tmp_path / "notiz.jpg"
    fake.write_text("Bitte Foto von Brigitte nachreichen.\n", encoding="utf-8")
    refused(poster_with(fake), tmp_path / "out", "not a readable image", "notiz.jpg")


def test_truncated_jpeg_keeps_the_previous_output(poster_with, tmp_path):
    good = tmp_path / "tamara.jpg"
    quadrant_picture().save(good, quality=95)
    out = tmp_path / "out"
    layout = poster_with(good)
    render_ok(layout, out)
    whole = good.read_bytes()
    good.write_bytes(whole[: len(whole) * 2 // 3])  # half-copied from a shared folder
    refused(layout, out, "tamara.jpg")


# --- memory: the bomb and the large photo, measured in a fresh process -------------------------------

def peak_rss_mb_of(*args: str) -> tuple[int, float, subprocess.CompletedProcess]:
    """Run ``plakat ARGS`` in a fresh interpreter whose only child is that run; return its exit
    code, its peak resident memory in MB and the completed process."""
    probe = ("import resource, subprocess, sys; "
             "done = subprocess.run([sys.executable, '-m', 'plakat', *sys.argv[1:]], capture_output=True, text=True); "
             "sys.stderr.write(done.stderr); sys.stdout.write(done.stdout); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
             "sys.exit(done.returncode)")
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=300)
    peak_kb = int(done.stderr.strip().splitlines()[-1])
    return done.returncode, peak_kb / 1024, done


def test_png_decompression_bomb_is_refused_quickly_in_small_memory(poster_with, tmp_path):
    bomb = tmp_path / "bomb.png"
    width = height = 60000  # 3.6 Gpx declared, about 10 GB once decoded

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * (width * 3)
    body = b"".join(compressor.compress(row) for _ in range(64)) + compressor.flush()
    bomb.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", body) + chunk(b"IEND", b""))
    out = tmp_path / "out"
    started = time.perf_counter()
    code, peak_mb, done = peak_rss_mb_of("render", str(poster_with(bomb)), "--out", str(out))
    seconds = time.perf_counter() - started
    assert code == 2, done.stderr
    assert "bomb.png" in done.stderr and "people[0].portrait" in done.stderr and "too many pixels" in done.stderr
    assert "Traceback" not in done.stderr
    assert seconds < 20 and peak_mb < 200
    assert not out.exists()


def test_a_100_megapixel_photo_renders_in_bounded_memory(poster_with, tmp_path):
    photo = tmp_path / "kamera 100 Mpx.jpg"
    width, height = 8400, 12000
    gradient = Image.linear_gradient("L").resize((width, height))
    radial = Image.radial_gradient("L").resize((width, height))
    Image.merge("RGB", (gradient, radial, gradient.transpose(Image.Transpose.FLIP_TOP_BOTTOM))).save(photo, quality=85)
    del gradient, radial
    out = tmp_path / "out"
    code, peak_mb, done = peak_rss_mb_of("render", str(poster_with(photo)), "--out", str(out))
    assert code == 0, done.stderr
    assert "embeds it 4x smaller" in done.stderr  # decoded at a quarter inside the JPEG decoder
    assert peak_mb < 400, f"peak {peak_mb:.0f} MB"
    with Image.open(out / f"{poster_with(photo).stem}.png") as png:
        assert png.size == (701, 496)
