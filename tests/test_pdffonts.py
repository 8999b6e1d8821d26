"""Fonts embedded as Type0/CIDFontType2 and glyphs drawn at exact positions, read back with pikepdf,
fontTools, pdfium and poppler. Text is shaped with HarfBuzz (kerning and ligatures on), so glyph
ids and positions are those the layout engine hands over."""

from __future__ import annotations

import ctypes
import io
import re
import shutil
import subprocess
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
import uharfbuzz as hb
from conftest import ROOT
from fontTools.ttLib import TTFont
from hypothesis import given, settings
from hypothesis import strategies as st

from plakat.render.pdffonts import FontProgram, PlacedGlyph, embed, show_glyphs

FONT = ROOT / "assets" / "fonts" / "NotoSans-Regular.ttf"
FONT_GLYPHS = 3317  # NotoSans-Regular's maxp.numGlyphs
SAMPLE = "Die Auflage fliegt „Größe“ – Straße"
SAMPLE_2 = "Äpfel, Öfen und Übermut: wir fliegen"
KERNED = "Ta Va Te Jo"
poppler = pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")


@pytest.fixture(scope="module")
def program() -> FontProgram:
    return FontProgram.from_file(FONT)


@dataclass
class Line:
    """A shaped line: its glyphs where HarfBuzz put them, and the text each glyph stands for."""

    size: float
    glyphs: list[PlacedGlyph]
    texts: list[str]


@pytest.fixture(scope="module")
def hb_font() -> hb.Font:
    return hb.Font(hb.Face(FONT.read_bytes()))


def shape(hb_font: hb.Font, text: str, size: float, x: float, y: float) -> Line:
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(hb_font, buffer, {"kern": True, "liga": True})
    scale = size / hb_font.face.upem
    infos, positions = buffer.glyph_infos, buffer.glyph_positions
    ends = [info.cluster for info in infos[1:]] + [len(text)]
    glyphs, texts = [], []
    for info, position, end in zip(infos, positions, ends):
        glyphs.append(PlacedGlyph(info.codepoint, x + position.x_offset * scale, y + position.y_offset * scale))
        texts.append(text[info.cluster : end] if end > info.cluster else "")
        x += position.x_advance * scale
    return Line(size, glyphs, texts)


def glyph_texts(*lines: Line) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for line in lines:
        for glyph, text in zip(line.glyphs, line.texts):
            assert mapping.setdefault(glyph.gid, text) == text, "one glyph standing for two texts"
    return mapping


def build(program: FontProgram, *lines: Line, page: tuple[float, float] = (600, 200)) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    font = embed(pdf, program, glyph_texts(*lines))
    content = "".join(show_glyphs("F1", line.size, line.glyphs, program) for line in lines)
    pdf.pages.append(
        pikepdf.Page(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Page,
                MediaBox=[0, 0, *page],
                Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                Contents=pikepdf.Stream(pdf, content.encode("ascii")),
            )
        )
    )
    return pdf


def save(pdf: pikepdf.Pdf, path: Path | None = None) -> bytes:
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    if path is not None:
        path.write_bytes(out.getvalue())
    return out.getvalue()


def the_font(pdf: pikepdf.Pdf) -> pikepdf.Object:
    return pdf.pages[0].Resources.Font.F1


def font_files(pdf: pikepdf.Pdf) -> list[pikepdf.Object]:
    return [obj for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary) and "/FontFile2" in obj]


def pdfium_chars(data: bytes) -> list[tuple[str, float, float]]:
    """Every character pdfium's text page finds (generated ones left out), with its origin."""
    document = pdfium.PdfDocument(data)
    textpage = document[0].get_textpage()
    chars = []
    for index in range(textpage.count_chars()):
        if pdfium.raw.FPDFText_IsGenerated(textpage.raw, index):
            continue
        x, y = ctypes.c_double(), ctypes.c_double()
        assert pdfium.raw.FPDFText_GetCharOrigin(textpage.raw, index, ctypes.byref(x), ctypes.byref(y))
        chars.append((chr(pdfium.raw.FPDFText_GetUnicode(textpage.raw, index)), x.value, y.value))
    return chars


def expected_chars(*lines: Line) -> list[tuple[str, float, float]]:
    """The characters in drawing order, each at the origin of the glyph it belongs to."""
    return [(char, g.x, g.y) for line in lines for g, text in zip(line.glyphs, line.texts) for char in text]


def assert_origins(data: bytes, *lines: Line, tolerance: float = 0.01) -> None:
    found, wanted = pdfium_chars(data), expected_chars(*lines)
    assert [c for c, _, _ in found] == [c for c, _, _ in wanted]
    for (char, x, y), (_, want_x, want_y) in zip(found, wanted):
        assert abs(x - want_x) < tolerance and abs(y - want_y) < tolerance, (char, x, y, want_x, want_y)


# --- the font as poppler and pikepdf see it -----------------------------------------------------


@poppler
def test_pdffonts_lists_an_embedded_cid_truetype_subset(program, hb_font, tmp_path):
    path = tmp_path / "sample.pdf"
    pdf = build(program, shape(hb_font, SAMPLE, 24, 50, 100))
    save(pdf, path)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    assert len(rows) == 1
    assert re.match(r"[A-Z]{6}\+NotoSans-Regular\s+CID TrueType\s+Identity-H\s+yes yes yes\s", rows[0]), rows[0]


def test_one_font_file_much_smaller_than_the_font(program, hb_font):
    pdf = build(program, shape(hb_font, SAMPLE, 24, 50, 100))
    descriptors = font_files(pdf)
    assert len(descriptors) == 1
    font_file = descriptors[0].FontFile2
    assert font_file.Filter == pikepdf.Name.FlateDecode
    subset = font_file.read_bytes()
    assert int(font_file.Length1) == len(subset)
    assert len(subset) < FONT.stat().st_size / 20
    assert len(font_file.read_raw_bytes()) < FONT.stat().st_size / 100


def test_dictionaries_and_subset_agree_with_the_font(program, hb_font):
    line = shape(hb_font, SAMPLE, 24, 50, 100)
    pdf = build(program, line)
    font = the_font(pdf)
    assert font.Subtype == "/Type0" and font.Encoding == "/Identity-H"
    cid_font = font.DescendantFonts[0]
    assert cid_font.Subtype == "/CIDFontType2" and cid_font.CIDToGIDMap == "/Identity"
    info = cid_font.CIDSystemInfo
    assert (str(info.Registry), str(info.Ordering), int(info.Supplement)) == ("Adobe", "Identity", 0)
    descriptor = cid_font.FontDescriptor
    assert descriptor.FontName == cid_font.BaseFont == font.BaseFont
    for key in ("/Flags", "/FontBBox", "/ItalicAngle", "/Ascent", "/Descent", "/CapHeight", "/StemV"):
        assert key in descriptor

    original = TTFont(FONT)
    subset = TTFont(io.BytesIO(descriptor.FontFile2.read_bytes()))
    used = {g.gid for g in line.glyphs}
    widths = pdf_widths(cid_font)
    assert len(widths) < len(used), "the most common width is /DW, not repeated in /W"
    order, subset_order = original.getGlyphOrder(), subset.getGlyphOrder()
    assert subset["maxp"].numGlyphs == max(used) + 1
    for gid in used:
        advance = original["hmtx"][order[gid]][0]
        # the same glyph at the same id, with the width /W gives it (PDF/A asks for that agreement)
        assert subset["hmtx"][subset_order[gid]][0] == advance == widths.get(gid, float(cid_font.DW))
        assert subset["glyf"][subset_order[gid]].numberOfContours == original["glyf"][order[gid]].numberOfContours
    assert not {"GSUB", "GPOS", "GDEF", "DSIG", "fpgm", "prep"} & set(subset.keys())
    # no clock in the bytes: the subset keeps the font's own dates
    assert (subset["head"].created, subset["head"].modified) == (original["head"].created, original["head"].modified)


def pdf_widths(cid_font: pikepdf.Object) -> dict[int, float]:
    widths: dict[int, float] = {}
    items = list(cid_font.W)
    index = 0
    while index < len(items):
        first, rest = int(items[index]), items[index + 1]
        if isinstance(rest, pikepdf.Array):
            widths.update({first + k: float(w) for k, w in enumerate(rest)})
            index += 2
        else:
            widths.update({gid: float(items[index + 2]) for gid in range(first, int(rest) + 1)})
            index += 3
    return widths


def test_subset_tag_names_the_subset(program, hb_font):
    def base_font(text: str) -> str:
        pdf = build(program, shape(hb_font, text, 24, 50, 100))
        return str(the_font(pdf).BaseFont)

    assert base_font(SAMPLE) == base_font(SAMPLE)
    assert base_font(SAMPLE) != base_font(SAMPLE_2)


# --- text --------------------------------------------------------------------------------------


def ligature_words(line: Line) -> list[str]:
    return [text for text in line.texts if len(text) > 1]


def test_the_samples_use_ligature_glyphs(hb_font):
    """Without ligature glyphs the text tests would not prove the ToUnicode mapping of one glyph
    to several characters."""
    assert ligature_words(shape(hb_font, SAMPLE, 24, 0, 0)) == ["fl", "fl"]
    assert ligature_words(shape(hb_font, SAMPLE_2, 24, 0, 0)) == ["fl"]


@poppler
def test_pdftotext_reads_the_exact_text(program, hb_font, tmp_path):
    path = tmp_path / "text.pdf"
    save(build(program, shape(hb_font, SAMPLE, 24, 50, 120), shape(hb_font, SAMPLE_2, 18, 50, 80)), path)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert text.strip("\f\n").split("\n") == [SAMPLE, SAMPLE_2]


def test_pdfium_reads_the_exact_text(program, hb_font):
    data = save(build(program, shape(hb_font, SAMPLE, 24, 50, 120), shape(hb_font, SAMPLE_2, 18, 50, 80)))
    text = pdfium.PdfDocument(data)[0].get_textpage().get_text_range()
    assert text.split("\r\n") == [SAMPLE, SAMPLE_2]


def test_to_unicode_blocks_and_continuations(program):
    texts = {gid: chr(0x4E00 + gid) for gid in range(1, 251)}
    texts[251] = ""  # the second glyph of a cluster stands for nothing of its own
    texts[252] = "\U0001d11e"  # outside the BMP: a surrogate pair
    texts[253] = "ffi"
    pdf = pikepdf.new()
    cmap = embed(pdf, program, texts).ToUnicode.read_bytes().decode("ascii")
    sizes = [int(n) for n in re.findall(r"(\d+) beginbfchar", cmap)]
    assert sizes == [100, 100, 52]
    blocks = re.findall(r"beginbfchar\n(.*?)endbfchar", cmap, re.S)
    pairs = re.findall(r"<([0-9A-F]{4})> <([0-9A-F]+)>", "".join(blocks))
    mapping = {int(code, 16): bytes.fromhex(dest).decode("utf-16-be") for code, dest in pairs}
    assert mapping == {gid: text for gid, text in texts.items() if text}
    assert "<00FC> <D834DD1E>" in cmap


# --- positions ---------------------------------------------------------------------------------


def test_kerned_pairs_land_where_harfbuzz_put_them(program, hb_font):
    line = shape(hb_font, KERNED, 40, 30, 100)
    kerned = [
        a.gid
        for a, b in zip(line.glyphs, line.glyphs[1:])
        if abs((b.x - a.x) - program.widths[a.gid] * line.size / 1000) > 1e-9
    ]
    assert len(kerned) >= 3, "the sample is meant to be kerned"
    operators = show_glyphs("F1", line.size, line.glyphs, program)
    assert re.search(r">-?\d+(\.\d+)?<", operators), operators
    assert_origins(save(build(program, line)), line)


def test_large_size_far_out_on_a_billboard_page(program, hb_font):
    big = shape(hb_font, "Ta Auflage", 900, 10_000.25, 7_000.125)
    small = shape(hb_font, "fliegt", 0.5, 13_000.3333, 13_000.6667)
    assert_origins(save(build(program, big, small, page=(14_400, 14_400))), big, small)


def test_raised_glyphs_and_new_lines_within_one_show(program, hb_font):
    line = shape(hb_font, "m2 Auflage", 30, 40, 100)
    raised = [PlacedGlyph(g.gid, g.x, g.y + 12 if i == 1 else g.y) for i, g in enumerate(line.glyphs)]
    second = shape(hb_font, "Jo", 30, 40, 50)
    glyphs = Line(30, raised + second.glyphs, line.texts + second.texts)
    operators = show_glyphs("F1", 30, glyphs.glyphs, program)
    assert operators.count("BT") == 1 and operators.count(" Tf") == 1
    assert operators.count(" Td") == 1 and operators.count(" Tm") == 3
    assert_origins(save(build(program, glyphs)), glyphs)


def test_fonts_of_2048_units_per_em(tmp_path):
    """Advances that are no whole number of 1/1000 em: /W holds whole numbers (pdfium drops the
    fraction of any other), the TJ adjustments the rest."""
    font = TTFont(FONT)
    font["head"].unitsPerEm = 2048  # the same outlines, a smaller em: widths like 293.457
    path = tmp_path / "NotoSans-2048.ttf"
    font.save(path)
    program = FontProgram.from_file(path)
    assert program.units_per_em == 2048
    hb_font = hb.Font(hb.Face(path.read_bytes()))
    lines = shape(hb_font, SAMPLE, 37.3, 20.7, 150), shape(hb_font, KERNED, 1200, 3000.5, 9000)
    assert_origins(save(build(program, *lines, page=(14_400, 14_400))), *lines)


def test_pdfium_draws_the_text(program, hb_font):
    line = shape(hb_font, SAMPLE, 24, 50, 100)
    bitmap = pdfium.PdfDocument(save(build(program, line)))[0].render(scale=1, grayscale=True).to_numpy()
    if bitmap.ndim == 3:
        bitmap = bitmap[..., 0]
    assert bitmap.shape[:2] == (200, 600)
    text_band = bitmap[200 - 100 - 20 : 200 - 100 + 8, 45:550]
    assert (text_band < 100).sum() > 500
    assert (bitmap[:60] > 250).all() and (bitmap[140:] > 250).all()


def replay(operators: str, program: FontProgram) -> list[tuple[int, float, float]]:
    """Glyph origins as a PDF reader computes them from the operators show_glyphs writes."""
    tokens = re.findall(r"\[|\]|<[0-9A-F]*>|/\S+|[-\d.]+|[A-Za-z]+", operators)
    stack: list[str] = []
    line = (0.0, 0.0)
    pen, size, placed = 0.0, 0.0, []
    array: list[str] | None = None
    for token in tokens:
        if token == "[":
            array = []
        elif token == "]":
            stack.append("array")
        elif array is not None and token != "TJ":
            array.append(token)
        elif token == "Tf":
            size = float(stack[-1])
        elif token == "Td":
            line = (line[0] + float(stack[-2]), line[1] + float(stack[-1]))
            pen = line[0]
        elif token == "Tm":
            line = (float(stack[-2]), float(stack[-1]))
            pen = line[0]
        elif token == "TJ":
            for item in array or []:
                if item.startswith("<"):
                    for start in range(1, len(item) - 1, 4):
                        gid = int(item[start : start + 4], 16)
                        placed.append((gid, pen, line[1]))
                        pen += program.widths[gid] * size / 1000
                else:
                    pen -= float(item) * size / 1000
            array = None
        elif token not in ("BT", "ET"):
            stack.append(token)
    return placed


NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d*[1-9])?")


@settings(max_examples=200, deadline=None)
@given(
    size=st.floats(0.5, 2000),
    start=st.tuples(st.floats(0, 14_400), st.floats(0, 14_400)),
    steps=st.lists(
        st.tuples(st.integers(1, FONT_GLYPHS - 1), st.floats(-50, 50), st.sampled_from([0.0, 0.0, 0.0, 3.3, -700.0])),
        min_size=1,
        max_size=30,
    ),
)
def test_every_origin_lands_within_a_thousandth(program, size, start, steps):
    x, y = start
    glyphs = []
    for gid, kern, rise in steps:
        glyphs.append(PlacedGlyph(gid, x, y + rise))
        x += program.widths[gid] * size / 1000 + kern
    operators = show_glyphs("/F1", size, glyphs, program)
    placed = replay(operators, program)
    assert [gid for gid, _, _ in placed] == [g.gid for g in glyphs]
    for (_, px, py), glyph in zip(placed, glyphs):
        assert abs(px - glyph.x) <= 0.001 and abs(py - glyph.y) <= 0.001
    for number in re.findall(r"(?<![0-9A-F<])-?[\d.]+", operators):
        assert NUMBER.fullmatch(number) and number != "-0", number
    assert max(len(line) for line in operators.splitlines()) <= 255


def test_long_lines_are_wrapped_in_the_stream(program, hb_font):
    line = shape(hb_font, " ".join([SAMPLE, SAMPLE_2, KERNED] * 4), 10, 20, 100)
    operators = show_glyphs("F1", line.size, line.glyphs, program)
    assert operators.count("TJ") == 1 and operators.count("\n") > 10
    assert max(len(text) for text in operators.splitlines()) <= 255
    placed = replay(operators, program)
    assert all(abs(x - g.x) <= 0.001 for (_, x, _), g in zip(placed, line.glyphs)) and len(placed) == len(line.glyphs)
    unkerned = [PlacedGlyph(68, 20 + i * program.widths[68] * 0.01, 50) for i in range(100)]
    operators = show_glyphs("F1", 10, unkerned, program)
    assert max(len(text) for text in operators.splitlines()) <= 255
    assert [gid for gid, _, _ in replay(operators, program)] == [68] * 100


def test_show_glyphs_is_compact_when_nothing_is_kerned(program):
    widths = program.widths
    glyphs = [PlacedGlyph(36, 100, 50), PlacedGlyph(37, 100 + widths[36] * 0.012, 50)]
    assert show_glyphs("F2", 12, glyphs, program) == "BT\n/F2 12 Tf\n100 50 Td\n[<00240025>]TJ\nET\n"
    assert show_glyphs("F2", 12, [], program) == ""
    assert "\n0 0 Td\n" in show_glyphs("F2", 1e3, [PlacedGlyph(36, -0.0002, 1e-9)], program)


def test_show_glyphs_refuses_what_it_cannot_draw(program):
    with pytest.raises(ValueError):
        show_glyphs("F1", 0, [PlacedGlyph(36, 0, 0)], program)
    with pytest.raises(ValueError):
        show_glyphs("F1", 12, [PlacedGlyph(FONT_GLYPHS, 0, 0)], program)
    with pytest.raises(ValueError):
        embed(pikepdf.new(), program, {FONT_GLYPHS: "x"})


# --- determinism and embedding permissions -----------------------------------------------------


def test_two_runs_give_the_same_bytes(hb_font):
    def run() -> bytes:
        program = FontProgram.from_file(FONT)
        return save(build(program, shape(hb_font, SAMPLE, 24, 50, 120), shape(hb_font, SAMPLE_2, 18, 50, 80)))

    assert run() == run()


def font_with_fs_type(tmp_path: Path, fs_type: int) -> Path:
    font = TTFont(FONT)
    font["OS/2"].fsType = fs_type
    path = tmp_path / f"NotoSans-fsType-{fs_type:04x}.ttf"
    font.save(path)
    return path


def test_no_subsetting_embeds_the_whole_font(hb_font, tmp_path):
    path = font_with_fs_type(tmp_path, 0x0100)
    program = FontProgram.from_file(path)
    pdf = build(program, shape(hb_font, SAMPLE, 24, 50, 100))
    descriptor = font_files(pdf)[0]
    embedded = descriptor.FontFile2.read_bytes()
    assert embedded == path.read_bytes()
    assert TTFont(io.BytesIO(embedded))["maxp"].numGlyphs == FONT_GLYPHS
    assert str(descriptor.FontName) == "/NotoSans-Regular", "a whole font carries no subset tag"


@pytest.mark.parametrize("fs_type", [0x0002, 0x0200, 0x0202])
def test_fonts_that_forbid_embedding_are_refused(hb_font, tmp_path, fs_type):
    program = FontProgram.from_file(font_with_fs_type(tmp_path, fs_type))
    with pytest.raises(ValueError, match="may not be embedded"):
        embed(pikepdf.new(), program, {36: "A"})


def test_preview_and_print_fonts_are_subset(tmp_path):
    program = FontProgram.from_file(font_with_fs_type(tmp_path, 0x0004))
    pdf = pikepdf.new()
    assert re.fullmatch(r"/[A-Z]{6}\+NotoSans-Regular", str(embed(pdf, program, {36: "A"}).BaseFont))


def test_not_a_truetype_outline_font(tmp_path):
    path = tmp_path / "not-a-font.ttf"
    path.write_bytes(b"this is no font at all")
    with pytest.raises(ValueError, match="not a usable font"):
        FontProgram.from_file(path)


def test_subset_of_forty_glyphs_is_small_and_quick(program, hb_font):
    line = shape(hb_font, "Öffentliche Stadtbibliothek: Größe, Qualität & Zukunft – jetzt!", 24, 0, 0)
    texts = glyph_texts(line)
    assert len(texts) >= 30
    texts.update({gid: "" for gid in range(1000, 1000 + 40 - len(texts))})
    assert len(texts) == 40
    pdf = pikepdf.new()
    started = time.perf_counter()
    font = embed(pdf, program, texts)
    elapsed = time.perf_counter() - started
    font_file = font.DescendantFonts[0].FontDescriptor.FontFile2
    print(
        f"40-glyph subset of {FONT.name}: {elapsed * 1000:.1f} ms, "
        f"{int(font_file.Length1)} bytes ({len(font_file.read_raw_bytes())} compressed)"
    )
    assert len(zlib.decompress(font_file.read_raw_bytes())) < 40_000
