"""Rendered files, read back with independent readers: pikepdf, pypdfium2, Pillow, poppler."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image

from plakat.pipeline import render
from plakat.units import EMU_PER_PT, mm
from conftest import CLP, ROOT, cut_to_people, shipped_data

MM = 72 / 25.4


@pytest.fixture(scope="module")
def rendered(shipped_print):
    """The shipped billboard at 10 dpi (PDF identical to the full one; the PNG small)."""
    return shipped_print


def pdf_path(result):
    return next(f.path for f in result.files if f.kind == "pdf")


def png_path(result):
    return next(f.path for f in result.files if f.kind == "png")


def test_page_boxes(rendered):
    with pikepdf.open(pdf_path(rendered)) as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0].obj
        media = [float(v) for v in page.MediaBox]
        trim = [float(v) for v in page.TrimBox]
        bleed = [float(v) for v in page.BleedBox]
        assert "/ArtBox" not in page
    assert media[0] == media[1] == 0
    assert media[2] / MM == pytest.approx(3560 + 20, abs=0.1)
    assert media[3] / MM == pytest.approx(2520 + 20, abs=0.1)
    assert trim[0] / MM == pytest.approx(10, abs=0.1) and trim[1] / MM == pytest.approx(10, abs=0.1)
    assert (trim[2] - trim[0]) / MM == pytest.approx(3560, abs=0.1)
    assert (trim[3] - trim[1]) / MM == pytest.approx(2520, abs=0.1)
    assert bleed == media


def test_fonts_embedded_as_subsets(rendered):
    with pikepdf.open(pdf_path(rendered)) as pdf:
        fonts = pdf.pages[0].obj.Resources.Font
        names = []
        for key in fonts.keys():
            font = fonts[key]
            assert font.Subtype == "/Type0" and font.Encoding == "/Identity-H"
            descriptor = font.DescendantFonts[0].FontDescriptor
            assert "/FontFile2" in descriptor, f"{font.BaseFont} not embedded"
            assert "/ToUnicode" in font  # text stays text
            names.append(str(font.BaseFont))
    assert all("+" in name for name in names)  # subset tag
    assert not any("Helvetica" in name for name in names)
    assert {n.split("+")[1] for n in names} == {"NotoSans-Black", "NotoSans-Bold", "NotoSans-Regular"}


@pytest.fixture(scope="module")
def rendered_screen(shipped_screen):
    """The shipped billboard as a screen (RGB) PDF."""
    return shipped_screen


def test_portrait_jpegs_are_embedded_byte_for_byte_in_the_screen_pdf(rendered_screen):
    rendered = rendered_screen
    originals = {hashlib.sha256((ROOT / "portraits" / f).read_bytes()).hexdigest()
                 for f in ("tamara.jpg", "marlon.jpg", "brigitte.jpg")}
    found = set()
    with pikepdf.open(pdf_path(rendered)) as pdf:
        xobjects = pdf.pages[0].obj.Resources.XObject
        for key in xobjects.keys():
            image = xobjects[key]
            assert image.Subtype == "/Image"
            assert [str(f) for f in pikepdf.Array(image.Filter)] == ["/DCTDecode"]
            found.add(hashlib.sha256(image.read_raw_bytes()).hexdigest())
    assert originals <= found
    assert len(found) == 9


def test_text_is_real_text_with_german_typography(rendered):
    document = pdfium.PdfDocument(str(pdf_path(rendered)))
    text = document[0].get_textpage().get_text_range()
    document.close()
    for expected in ("Duisburg ist echt", "solidarisch", "DUISBURG IST ECHT", "#duisburgistechtsolidarisch",
                     "Bildnachweis: Duisburg Kontor GmbH", "Intensivkrankenschwester", "Caféinhaberin",
                     "Kindergartenkind", "Brigitte, 81", "„Meine", "überstanden.", "Problem.“"):
        assert expected in text


def test_png_size_dpi_and_colour_information(rendered):
    with Image.open(png_path(rendered)) as image:
        assert image.size == (round(3560 / 25.4 * 10), round(2520 / 25.4 * 10))
        assert image.mode == "RGB"
        assert image.info["dpi"][0] == pytest.approx(10, abs=0.01)
        assert image.info.get("srgb") == 0
        image.load()  # decodes completely: the streamed file is well-formed


def test_png_is_the_pdf_drawn(rendered):
    """Sample the PNG where the scene says things are."""
    scene = rendered.scene
    with Image.open(png_path(rendered)) as image:
        pixels = np.asarray(image)

    def at(x_emu, y_emu):
        return tuple(int(v) for v in pixels[round(y_emu * 10 / 914400), round(x_emu * 10 / 914400)])

    header = scene.items[1]
    assert at(mm(20), mm(20)) == (header.color.r, header.color.g, header.color.b)
    assert at(scene.width // 2, mm(450)) == (0xf2, 0xed, 0xe4)  # background between header and grid
    from plakat.scene import Fill
    caption = next(i for i in scene.items if isinstance(i, Fill) and i.element == "caption of Tamara")
    assert at(caption.rect.right - mm(5), caption.rect.bottom - mm(5)) == (255, 255, 255)


def test_rendering_is_deterministic(write_layout, tmp_path):
    """The city-light poster, with two portraits converted side by side: the same PDF and PNG bytes
    every time."""
    layout = write_layout(cut_to_people(shipped_data(CLP), "Tamara", "Brigitte"))
    first = render(layout, tmp_path / "a", png_dpi=10)
    second = render(layout, tmp_path / "b", png_dpi=10)
    for a, b in zip(first.files, second.files):
        assert a.path.read_bytes() == b.path.read_bytes(), a.kind


def test_source_date_epoch_sets_the_dates(one_portrait_data, write_layout, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    one_portrait_data["output"] = {"png": False}
    result = render(write_layout(one_portrait_data), tmp_path)
    with pikepdf.open(pdf_path(result)) as pdf:
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20231114")
        assert str(pdf.docinfo["/Title"]).startswith("Duisburg ist echt solidarisch")


def test_strips_join_without_seams(one_portrait_clp_layout, tmp_path):
    """The strip renderer gives the same pixels as one whole-page render, of a print file."""
    from plakat.pipeline import build
    from plakat.render.pdf import write_pdf
    from plakat.render.png import write_png

    scene = build(one_portrait_clp_layout).scene
    write_pdf(scene, tmp_path / "p.pdf")
    write_png(tmp_path / "p.pdf", scene, tmp_path / "strips.png", 15, strip_rows=37)
    write_png(tmp_path / "p.pdf", scene, tmp_path / "whole.png", 15, strip_rows=100000)
    strips = np.asarray(Image.open(tmp_path / "strips.png")).astype(int)
    whole = np.asarray(Image.open(tmp_path / "whole.png")).astype(int)
    assert strips.shape == whole.shape
    differing = np.any(strips != whole, axis=2)
    assert differing.mean() < 0.001
    assert np.abs(strips - whole).max() <= 32


poppler = pytest.mark.skipif(shutil.which("pdfimages") is None, reason="poppler-utils not installed")


@poppler
def test_poppler_sees_fonts_embedded_and_ppi_as_the_scene_says(rendered):
    fonts = subprocess.run(["pdffonts", str(pdf_path(rendered))], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows and all(row.split()[-5:-3] == ["yes", "yes"] for row in rows)
    listing = subprocess.run(["pdfimages", "-list", str(pdf_path(rendered))], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    from plakat.scene import PlacedImage
    expected = sorted(round(min(i.ppi)) for i in rendered.scene.of_type(PlacedImage))
    measured = sorted(int(row.split()[12]) for row in listing)
    assert len(measured) == 9
    assert all(abs(a - b) <= 1 for a, b in zip(measured, expected))


@poppler
def test_pdfinfo_page_size(rendered):
    info = subprocess.run(["pdfinfo", "-box", str(pdf_path(rendered))], capture_output=True, text=True,
                          check=True).stdout
    trim = next(line for line in info.splitlines() if line.startswith("TrimBox"))
    x0, y0, x1, y1 = (float(v) for v in trim.split()[1:])
    assert (x1 - x0) * 25.4 / 72 == pytest.approx(3560, abs=0.1)
    assert (y1 - y0) * EMU_PER_PT == pytest.approx(mm(2520), rel=1e-6)
