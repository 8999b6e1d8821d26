"""The print file, item by item against PDF/X-4 and the shop's needs, read back with pikepdf (and
Ghostscript, poppler and pdfium where they can render or list it)."""

from __future__ import annotations

import json
import math
from pathlib import Path
import shutil
import subprocess

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageCms
from typer.testing import CliRunner

from plakat.cli import app
from plakat.cms import BUNDLED_DIR, ColourManager, limit_ink, load_output_profile
from plakat.color import parse_color
from plakat.pipeline import render
from plakat.scene import PlacedImage
from conftest import ROOT, STADTBIBLIOTHEK, cut_to_people, file_of

MM = 72 / 25.4
PROFILE_BYTES = (BUNDLED_DIR / "plakat-FOGRA39L-300.icc").read_bytes()
COLOUR_OPERATORS = {"k", "K", "rg", "RG", "g", "G", "cs", "CS", "sc", "SC", "scn", "SCN"}

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def print_pdf(shipped_print):
    """The shipped billboard's print file: nine CMYK portraits."""
    return file_of(shipped_print, "pdf")


@pytest.fixture(scope="module")
def screen_pdf(shipped_screen):
    return file_of(shipped_screen, "pdf")


@pytest.fixture(scope="module")
def one_portrait_pdf(one_portrait_print):
    """A print file with the same page, text and colours, and one CMYK portrait."""
    return file_of(one_portrait_print, "pdf")


def ink_totals(image) -> np.ndarray:
    """C+M+Y+K of every pixel of a CMYK image XObject, in 0..4*255."""
    pixels = np.asarray(pikepdf.PdfImage(image).as_pil_image())
    assert pixels.shape[2] == 4
    return np.einsum("yxc->yx", pixels, dtype=np.uint16)  # the sum over the inks, without a copy per ink


def walk(holder, seen=None):
    """Yield (holder, operands, operator) for a page and every form it draws, and the image XObjects."""
    seen = set() if seen is None else seen
    for operands, operator in pikepdf.parse_content_stream(holder):
        yield holder, operands, str(operator)
    for name, xobject in holder.get("/Resources", {}).get("/XObject", {}).items():
        if xobject.objgen in seen:
            continue
        seen.add(xobject.objgen)
        if xobject.Subtype == "/Form":
            yield from walk(xobject, seen)


def images(holder):
    found = []
    for name, xobject in holder.get("/Resources", {}).get("/XObject", {}).items():
        if xobject.Subtype == "/Image":
            found.append(xobject)
        else:
            found += images(xobject)
    return found


# --- identity ---------------------------------------------------------------------------------------

def test_version_and_identity(print_pdf):
    assert print_pdf.read_bytes().startswith(b"%PDF-1.6")
    with pikepdf.open(print_pdf) as pdf:
        assert pdf.pdf_version == "1.6"
        info = pdf.docinfo
        assert str(info.Title).startswith("Duisburg ist echt solidarisch")
        assert str(info.CreationDate).startswith("D:") and str(info.ModDate) == str(info.CreationDate)
        assert info.Trapped == pikepdf.Name("/False")
        assert str(info.GTS_PDFXVersion) == "PDF/X-4"
        assert len(pdf.trailer.ID) == 2 and len(bytes(pdf.trailer.ID[0])) == 16
        assert not pdf.is_encrypted
        assert "/OpenAction" not in pdf.Root and "/JavaScript" not in pdf.Root.get("/Names", {})
        assert "/Annots" not in pdf.pages[0].obj
        meta = pdf.open_metadata()
        assert meta["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        assert meta["pdf:Trapped"] == "False"
        assert meta["dc:title"] == str(info.Title)
        assert meta["xmpMM:DocumentID"].startswith("uuid:")
        assert meta["xmp:CreateDate"].startswith(str(info.CreationDate)[2:6])


def test_exactly_one_output_intent_with_the_embedded_cmyk_profile(print_pdf):
    with pikepdf.open(print_pdf) as pdf:
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1
        intent = intents[0]
        assert intent.S == "/GTS_PDFX" and intent.Type == "/OutputIntent"
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert str(intent.RegistryName) == "http://www.color.org"
        assert int(intent.DestOutputProfile.N) == 4
        icc = intent.DestOutputProfile.read_bytes()
        assert icc == PROFILE_BYTES
        assert icc[12:16] == b"prtr" and icc[16:20] == b"CMYK"


def test_boxes_nest_and_there_is_no_art_box(print_pdf):
    with pikepdf.open(print_pdf) as pdf:
        page = pdf.pages[0].obj
        media, bleed, trim = ([float(v) for v in page[k]] for k in ("/MediaBox", "/BleedBox", "/TrimBox"))
        assert "/ArtBox" not in page
    assert media[0] <= bleed[0] <= trim[0] and media[1] <= bleed[1] <= trim[1]
    assert trim[2] <= bleed[2] <= media[2] and trim[3] <= bleed[3] <= media[3]
    assert (trim[2] - trim[0]) / MM == pytest.approx(3560, abs=0.1)
    assert (trim[0] - bleed[0]) / MM == pytest.approx(10, abs=0.1)


# --- colour -----------------------------------------------------------------------------------------

def test_every_colour_and_image_is_cmyk(print_pdf):
    with pikepdf.open(print_pdf) as pdf:
        page = pdf.pages[0].obj
        operators = [op for _, _, op in walk(page)]
        assert "k" in operators
        assert not {"rg", "RG", "g", "G"} & set(operators)
        for image in images(page):
            assert image.ColorSpace == "/DeviceCMYK"
            assert [str(f) for f in pikepdf.Array(image.Filter)] == ["/DCTDecode"]
        assert len(images(page)) == 9
        assert "/Group" not in page  # no transparency to blend


def test_portraits_keep_their_resolution_and_stay_within_the_ink_limit(print_pdf):
    with pikepdf.open(print_pdf) as pdf:
        for image in images(pdf.pages[0].obj):
            assert (int(image.Width), int(image.Height)) == (2400, 3000)
            total = ink_totals(image)
            assert total.max() <= 300 * 255 / 100
            assert total.mean() < 250 * 255 / 100  # not inverted (that would be mostly ink)


def test_rgb_colours_go_through_the_profile(print_pdf):
    from plakat.layering import read_layered

    navy = parse_color(read_layered(STADTBIBLIOTHEK)[0]["bands"][0]["color"])
    expected = ColourManager(load_output_profile("FOGRA39", ROOT)).print_cmyk(navy)
    with pikepdf.open(print_pdf) as pdf:
        fills = {tuple(round(float(v), 4) for v in operands) for _, operands, op in walk(pdf.pages[0].obj)
                 if op == "k"}
    assert tuple(round(v, 4) for v in expected) in fills
    assert expected[3] > 0.3  # a real separation, not the naive 1 - rgb without black


def test_cmyk_colours_pass_unchanged_and_the_png_shows_them_as_printed(one_portrait_data, write_layout, tmp_path):
    data = one_portrait_data
    data["bands"][0]["color"] = "cmyk(0, 100, 100, 0)"
    data["output"] = {"png_dpi": 5}
    result = render(write_layout(data), tmp_path)
    pdf = next(f.path for f in result.files if f.kind == "pdf")
    with pikepdf.open(pdf) as document:
        fills = [tuple(float(v) for v in operands) for _, operands, op in walk(document.pages[0].obj) if op == "k"]
    assert (0.0, 1.0, 1.0, 0.0) in fills
    png = Image.open(next(f.path for f in result.files if f.kind == "png")).convert("RGB")
    band = png.getpixel((png.width // 2, 2))
    printed = ColourManager(load_output_profile("FOGRA39", ROOT)).screen_rgb(parse_color("cmyk(0,100,100,0)"))
    assert band == pytest.approx(tuple(round(v * 255) for v in printed), abs=2)
    assert band != (255, 0, 0)  # not the naive formula


def test_a_cmyk_colour_over_the_ink_limit_fails_check(one_portrait_data, write_layout):
    data = one_portrait_data
    data["bands"][0]["color"] = "cmyk(100, 100, 100, 100)"
    result = run("check", write_layout(data), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)["layouts"][0]
    assert report["pdf"]["max_ink"] == 400
    finding = next(f for f in report["findings"] if f["code"] == "ink-limit")
    assert finding["severity"] == "error" and finding["measured"] == 400 and finding["required"] == 300


def test_a_lower_ink_limit_holds_for_every_pixel(one_portrait_data, write_layout, tmp_path):
    data = one_portrait_data
    smaller = tmp_path / "portrait.jpg"  # the limit is per pixel: half the photo's size proves it as well
    Image.open(data["people"][0]["portrait"]).reduce(2).save(smaller, quality=95)
    data["people"][0]["portrait"] = str(smaller)
    data["output"] = {"png": False, "pdf": {"max_ink": "240%"}}
    result = render(write_layout(data), tmp_path)
    assert result.max_ink <= 240
    pdf = next(f.path for f in result.files if f.kind == "pdf")
    with pikepdf.open(pdf) as document:
        placed = images(document.pages[0].obj)
        assert len(placed) == 1
        for image in placed:
            total = ink_totals(image)
            assert total.max() <= 240 * 255 / 100
            assert total.max() > 230 * 255 / 100  # limited, not merely light: the shadows reach the limit
        for _, operands, op in walk(document.pages[0].obj):
            if op == "k":
                assert sum(float(v) for v in operands) <= 2.4 + 1e-6


def test_limit_ink_keeps_black_and_lowers_the_colours():
    pixels = np.array([[[255, 255, 255, 255], [100, 50, 20, 10], [200, 200, 200, 100]]], dtype=np.uint8)
    highest = limit_ink(pixels, 300)
    assert pixels[0, 1].tolist() == [100, 50, 20, 10]  # under the limit: untouched
    assert pixels[0, 0, 3] == 255 and pixels[0, 2, 3] == 100
    assert all(int(p.sum()) <= 765 for p in pixels[0].astype(int))
    assert highest <= 300


# --- the same scene in two standards ----------------------------------------------------------------

def test_screen_and_print_files_differ_only_in_colour(print_pdf, screen_pdf):
    def drawing(path):
        with pikepdf.open(path) as pdf:
            page = pdf.pages[0].obj
            boxes = [[round(float(v), 3) for v in page[k]] for k in ("/MediaBox", "/TrimBox", "/BleedBox")]
            ops = [(op, tuple(round(float(o), 3) if isinstance(o, (int, float, pikepdf.Object)) and
                              not isinstance(o, (pikepdf.Name, pikepdf.String, pikepdf.Array)) else str(o)
                              for o in operands if not isinstance(o, pikepdf.Name)))
                   for _, operands, op in walk(page) if op not in COLOUR_OPERATORS and op != "Do"]
            return boxes, ops, pdf.pdf_version
    print_boxes, print_ops, print_version = drawing(print_pdf)
    screen_boxes, screen_ops, screen_version = drawing(screen_pdf)
    assert print_boxes == screen_boxes
    assert print_ops == screen_ops
    assert (print_version, screen_version) == ("1.6", "1.4")
    with pikepdf.open(screen_pdf) as pdf:
        assert "/OutputIntents" not in pdf.Root
        spaces = {str(image.ColorSpace) for image in images(pdf.pages[0].obj)}
        assert spaces == {"/DeviceRGB"}
    text = [pdfium.PdfDocument(str(p))[0].get_textpage().get_text_range() for p in (print_pdf, screen_pdf)]
    assert text[0] == text[1] and "Brigitte" in text[0]


def test_png_stays_srgb_and_matches_the_design(shipped_print):
    result = shipped_print
    png = Image.open(next(f.path for f in result.files if f.kind == "png"))
    assert png.mode == "RGB" and png.info.get("srgb") is not None
    header = result.scene.items[1]
    assert png.getpixel((png.width // 2, 3)) == (header.color.r, header.color.g, header.color.b)


# --- marks, scale, huge pages -----------------------------------------------------------------------

def test_crop_marks_sit_outside_the_bleed_in_registration_colour(one_portrait_layout, tmp_path):
    result = run("render", one_portrait_layout, "--out", tmp_path, "--marks", "--png-dpi", "5")
    assert result.exit_code == 0, result.output
    with pikepdf.open(tmp_path / "one-portrait.pdf") as pdf:
        page = pdf.pages[0].obj
        media, bleed, trim = ([float(v) for v in page[k]] for k in ("/MediaBox", "/BleedBox", "/TrimBox"))
        spaces = page.Resources.ColorSpace
        registration = [s for s in spaces.values() if s[0] == "/Separation" and s[1] == "/All"]
        assert registration and registration[0][2] == "/DeviceCMYK"
        segments, width, start = [], None, None
        for _, operands, op in walk(page):
            if op == "w":
                width = float(operands[0])
            elif op == "m":
                start = tuple(float(v) for v in operands)
            elif op == "l":
                segments.append((start, tuple(float(v) for v in operands), width))
    assert (media[2] - bleed[2]) / MM > 6  # the MediaBox grew to hold the marks
    assert len(segments) == 8
    for (x0, y0), (x1, y1), line_width in segments:
        assert line_width == pytest.approx(0.25)
        assert math.hypot(x1 - x0, y1 - y0) / MM == pytest.approx(6, abs=0.01)
        for x, y in ((x0, y0), (x1, y1)):
            assert media[0] <= x <= media[2] and media[1] <= y <= media[3]
            assert not (bleed[0] < x < bleed[2] and bleed[1] < y < bleed[3])  # outside the BleedBox
        assert x0 == x1 and x0 in (trim[0], trim[2]) or y0 == y1 and y0 in (trim[1], trim[3])


def test_scaled_delivery_names_the_scale_and_keeps_ppi_judged_at_full_size(one_portrait_layout, tmp_path):
    result = run("render", one_portrait_layout, "--out", tmp_path, "--scale", "1:10", "--png-dpi", "5")
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "one-portrait_1-10.pdf"
    assert pdf.exists() and not (tmp_path / "one-portrait.pdf").exists()
    with pikepdf.open(pdf) as document:
        page = document.pages[0].obj
        trim = [float(v) for v in page.TrimBox]
        assert (trim[2] - trim[0]) / MM == pytest.approx(356, abs=0.01)
        assert (trim[0] - float(page.MediaBox[0])) / MM == pytest.approx(1, abs=0.01)  # bleed scaled too
        assert "1:10" in str(document.docinfo.Subject)
    check = json.loads(run("check", one_portrait_layout, "--scale", "1:10", "--json").stdout)["layouts"][0]
    assert check["ok"] and check["pdf"]["scale"] == 10
    if shutil.which("pdfimages"):
        listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True).stdout
        x_ppi = [int(line.split()[12]) for line in listing.splitlines()[2:]]
        assert x_ppi and all(1140 <= v <= 1160 for v in x_ppi)  # 115 ppi at full size, times ten


def test_bad_scale_is_a_clear_usage_error(tmp_path):
    result = run("render", STADTBIBLIOTHEK, "--out", tmp_path, "--scale", "10")
    assert result.exit_code == 2 and "1:10" in result.output and "Traceback" not in result.output


def test_pages_over_200_inches_carry_a_user_unit(one_portrait_data, write_layout, tmp_path):
    data = one_portrait_data
    data["format"] = "uk-48-sheet"
    data["output"] = {"png": False}
    result = render(write_layout(data), tmp_path, force=True)
    pdf = next(f.path for f in result.files if f.kind == "pdf")
    with pikepdf.open(pdf) as document:
        page = document.pages[0].obj
        unit = float(page.UserUnit)
        media = [float(v) for v in page.MediaBox]
        trim = [float(v) for v in page.TrimBox]
        assert document.pdf_version == "1.6"
    assert unit == 2 and max(media) <= 14400
    assert (trim[2] - trim[0]) * unit / MM == pytest.approx(6096, abs=0.1)
    bitmap = pdfium.PdfDocument(str(pdf))[0].render(scale=0.005).to_numpy()
    assert bitmap.std() > 10  # viewers show the poster, not a blank page


# --- profiles ---------------------------------------------------------------------------------------

def test_a_layout_can_name_the_shops_own_profile(one_portrait_data, write_layout, tmp_path):
    shop = tmp_path / "Druckerei Profil.icc"
    shop.write_bytes(PROFILE_BYTES)
    data = one_portrait_data
    data["output"] = {"png": False, "pdf": {"profile": str(shop)}}
    result = render(write_layout(data), tmp_path / "out")
    with pikepdf.open(next(f.path for f in result.files if f.kind == "pdf")) as pdf:
        intent = pdf.Root.OutputIntents[0]
        assert str(intent.OutputConditionIdentifier) == "Custom"
        assert intent.DestOutputProfile.read_bytes() == PROFILE_BYTES


@pytest.mark.parametrize("content, message", [
    (None, "no such profile"),
    (b"not a profile at all", "is not an ICC profile"),
    ("srgb", "not CMYK"),
])
def test_unusable_profiles_are_refused_with_the_line(stadtbibliothek_data, write_layout, tmp_path, content,
                                                     message):
    profile = tmp_path / "shop.icc"
    if content == "srgb":
        ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        profile.write_bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    elif content is not None:
        profile.write_bytes(content)
    data = stadtbibliothek_data
    data["output"] = {"pdf": {"profile": str(profile)}}
    layout = write_layout(data)
    result = run("render", layout, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert f"{layout.name}:" in result.stderr and "output.pdf.profile" in result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("field, value, message", [
    ("max_ink", "450%", "between 100% and 400%"),
    ("max_ink", "lots", "not a percentage"),
    ("scale", "1/10", "not a scale"),
    ("standard", "pdf/x-1a", "pdf/x-4"),
])
def test_bad_pdf_settings_are_refused(stadtbibliothek_data, write_layout, tmp_path, field, value, message):
    data = stadtbibliothek_data
    data["output"] = {"pdf": {field: value}}
    result = run("check", write_layout(data))
    assert result.exit_code == 2
    assert f"output.pdf.{field}" in result.stderr and message in result.stderr


# --- sources in other colour modes ------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["CMYK", "L"])
def test_cmyk_and_grayscale_portraits_look_right(one_portrait_data, write_layout, one_portrait_print, tmp_path,
                                                 mode):
    """The one portrait saved as CMYK or as gray looks, in the PNG, like the RGB original in the
    reference render of the same layout."""
    data = one_portrait_data
    source = Image.open(data["people"][0]["portrait"]).reduce(2)  # half the size: still 57 ppi on the page
    manager = ColourManager(load_output_profile("FOGRA39", ROOT))
    if mode == "CMYK":  # an Adobe-style CMYK JPEG (Pillow stores it inverted, as Photoshop does)
        converted = ImageCms.applyTransform(source, manager._to_print)
    else:
        converted = source.convert("L")
    portrait = tmp_path / f"portrait-{mode}.jpg"
    converted.save(portrait, "JPEG", quality=95)
    data["people"][0]["portrait"] = str(portrait)
    data["output"] = {"png_dpi": 10}
    result = render(write_layout(data), tmp_path / "out")
    # print file: CMYK, not inverted
    with pikepdf.open(next(f.path for f in result.files if f.kind == "pdf")) as pdf:
        placed = [i for i in images(pdf.pages[0].obj)]
        assert len(placed) == 1 and all(i.ColorSpace == "/DeviceCMYK" for i in placed)
    # PNG: the portrait looks like the RGB original, within what the print gamut changes
    png = np.asarray(Image.open(next(f.path for f in result.files if f.kind == "png")).convert("RGB"), dtype=float)
    reference = one_portrait_print
    original = np.asarray(Image.open(next(f.path for f in reference.files if f.kind == "png")).convert("RGB"),
                          dtype=float)
    assert png.shape == original.shape
    from plakat.units import EMU_PER_INCH
    frame = next(iter(result.scene.of_type(PlacedImage))).rect
    x0, y0 = (round(v * 10 / EMU_PER_INCH) for v in (frame.x, frame.y))
    x1, y1 = x0 + round(frame.w * 10 / EMU_PER_INCH) - 2, y0 + round(frame.h * 0.7 * 10 / EMU_PER_INCH)
    mine, theirs = png[y0 + 2:y1, x0 + 2:x1], original[y0 + 2:y1, x0 + 2:x1]
    if mode == "L":
        theirs = theirs.mean(axis=2, keepdims=True).repeat(3, axis=2)
    assert np.abs(mine - theirs).mean() < 12
    assert np.abs(mine - (255 - theirs)).mean() > 60  # an inverted CMYK would land here


# --- outside readers --------------------------------------------------------------------------------

@pytest.mark.skipif(not shutil.which("gs"), reason="Ghostscript not installed")
def test_ghostscript_renders_the_print_file_without_complaint(one_portrait_pdf, tmp_path):
    done = subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-dPDFSTOPONERROR",
                           "-dPDFSTOPONWARNING", "-sDEVICE=png16m", "-r3",
                           f"-sOutputFile={tmp_path / 'gs.png'}", str(one_portrait_pdf)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == "" and "Error" not in done.stdout
    pixels = np.asarray(Image.open(tmp_path / "gs.png").convert("RGB"), dtype=int)
    assert pixels.std() > 20
    navy = pixels[3, pixels.shape[1] // 2]
    assert navy[2] > navy[0] + 40  # the header is blue, not inverted


def test_print_file_is_deterministic_and_dated_by_source_date_epoch(stadtbibliothek_data, write_layout, tmp_path,
                                                                    monkeypatch):
    # two portraits: converted side by side, and named and listed in the file whatever their paths
    layout = write_layout(cut_to_people(stadtbibliothek_data, "Tamara", "Brigitte"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    first = render(layout, tmp_path / "a", png_dpi=5)
    monkeypatch.setenv("PLAKAT_CACHE_DIR", str(tmp_path / "another cache"))  # where files lie is no input
    second = render(layout, tmp_path / "b", png_dpi=5)
    paths = [next(f.path for f in r.files if f.kind == "pdf") for r in (first, second)]
    assert paths[0].read_bytes() == paths[1].read_bytes()
    with pikepdf.open(paths[0]) as pdf:
        assert str(pdf.docinfo.CreationDate).startswith("D:20251124")
        assert pdf.open_metadata()["xmp:ModifyDate"].startswith("2025-11-24")


def test_preflight_finds_broken_pdfx_files(print_pdf, tmp_path):
    from plakat.preflight import check_pdfx

    assert check_pdfx(print_pdf) == []
    broken = tmp_path / "broken.pdf"
    with pikepdf.open(print_pdf) as pdf:
        del pdf.Root.OutputIntents
        del pdf.docinfo.Trapped
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)")
        page = pdf.pages[0].obj
        page.Contents = pdf.make_stream(page.Contents.read_bytes() + b"\n1 0 0 rg\n")
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            del meta["pdfxid:GTS_PDFXVersion"]
        pdf.save(broken, force_version="1.4")
    codes = {f.code for f in check_pdfx(broken)}
    assert codes == {"pdfx-version", "pdfx-output-intent", "pdfx-metadata", "pdfx-forbidden", "pdfx-colour"}


def test_where_the_portraits_lie_does_not_change_a_byte(stadtbibliothek_data, write_layout, tmp_path):
    moved = tmp_path / "anderswo"
    moved.mkdir()
    data = cut_to_people(stadtbibliothek_data, "Tamara", "Brigitte")  # two, so their order counts too
    data["output"] = {"png": False, "pdf": {"standard": "screen"}}
    first = render(write_layout(data, "a.yaml"), tmp_path / "a")
    for person in data["people"]:
        source = Path(person["portrait"])
        (moved / source.name).write_bytes(source.read_bytes())
        person["portrait"] = str(moved / source.name)
    second = render(write_layout(data, "b.yaml"), tmp_path / "b")
    files = [next(f.path for f in r.files if f.kind == "pdf") for r in (first, second)]
    assert files[0].read_bytes() == files[1].read_bytes()
