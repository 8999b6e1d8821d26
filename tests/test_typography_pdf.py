"""Typography as the written PDF carries it, read back with independent readers (pdfium's text
page, poppler's pdftotext): what the layout measured is what the file draws."""

from __future__ import annotations

import ctypes
import shutil
import subprocess

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from conftest import file_of

from plakat.scene import TextLine
from plakat.units import EMU_PER_PT


def pdf_lines(path):
    """Every line of text in the PDF as (text, origins), read with pdfium: the characters in
    order and the x of each character's origin, in EMU at the poster's size."""
    with pikepdf.open(path) as pdf:
        unit = float(pdf.pages[0].obj.get("/UserUnit", 1))
    document = pdfium.PdfDocument(path)
    try:
        page = document[0]
        text = page.get_textpage()
        lines: dict[int, list[tuple[str, float]]] = {}
        x, y = ctypes.c_double(), ctypes.c_double()
        for index in range(text.count_chars()):
            char = chr(pdfium_c.FPDFText_GetUnicode(text.raw, index))
            if char in "\r\n" or pdfium_c.FPDFText_IsGenerated(text.raw, index):
                continue
            pdfium_c.FPDFText_GetCharOrigin(text.raw, index, ctypes.byref(x), ctypes.byref(y))
            lines.setdefault(round(y.value * 10), []).append((char, x.value * unit * EMU_PER_PT))
        text.close()
        page.close()
    finally:
        document.close()
    return [("".join(c for c, _ in chars), [o for _, o in chars]) for chars in lines.values()]


def origins_of(text, groups):
    """The origins of ``text`` where it stands in one of the PDF's baselines (several captions may
    share one)."""
    for joined, origins in groups:
        start = joined.find(text)
        if start >= 0:
            return origins[start : start + len(text)]
    raise AssertionError(f"{text!r} is not in the PDF")


def test_every_line_is_as_wide_in_the_pdf_as_the_layout_measured_it(shipped_print):
    """From the first glyph's origin to the last one's, each line of the shipped billboard is
    within 0.2 % of the layout's figure: kerning, ligatures and tracking are drawn as measured."""
    groups = pdf_lines(file_of(shipped_print, "pdf"))
    checked = 0
    for line in shipped_print.scene.of_type(TextLine):
        origins = origins_of(line.text, groups)
        laid_out = line.glyphs[-1].x - line.glyphs[0].x
        drawn = origins[-1] - origins[0]
        assert drawn == pytest.approx(laid_out, rel=0.002), line.text
        checked += 1
    assert checked == len(list(shipped_print.scene.of_type(TextLine))) > 20


def test_kerning_is_visible_in_the_pdf(shipped_print):
    """In "Tamara" the a after T sits closer than T's plain advance: the kern pair is in the file."""
    line = next(t for t in shipped_print.scene.of_type(TextLine) if t.text.startswith("Tamara"))
    origins = origins_of(line.text, pdf_lines(file_of(shipped_print, "pdf")))
    # the layout's font metrics without kerning: T's advance in Noto Sans Black is 0.616 em
    plain_advance = 0.616 * line.size * EMU_PER_PT
    assert origins[1] - origins[0] < plain_advance - 0.05 * line.size * EMU_PER_PT


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext is not installed")
def test_pdftotext_finds_every_name_role_and_the_quote(shipped_print):
    text = subprocess.run(
        ["pdftotext", "-layout", str(file_of(shipped_print, "pdf")), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = " ".join(text.split())
    for person in shipped_print.layout.spec.people:
        assert person.name in words and person.role in words
    assert "Toilettenpapier" in words and "#duisburgistechtsolidarisch" in words
    assert "„Meine Generation" in words and "Bildnachweis: Duisburg Kontor GmbH" in words
