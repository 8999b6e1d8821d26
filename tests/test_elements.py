"""elements: logos (raster, SVG, PDF) and QR codes: the layout format and its errors, placement,
the files drawn (read back with pikepdf, poppler and pdfium) and the findings."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pytest
import segno
from PIL import Image
from reportlab.lib.colors import CMYKColorSep
from reportlab.pdfgen.canvas import Canvas

from plakat.errors import LayoutInvalid
from plakat.pipeline import build, render
from plakat.preflight import check_scene, measure_ink
from plakat.preflight.files import check_pdfx
from plakat.scene import PlacedImage, PlacedVector, QrCode, scene_data
from plakat.units import EMU_PER_MM
from conftest import ROOT

LOGO = ROOT / "assets" / "logos" / "duisburg-ist-echt-standin.svg"
URL = "https://example.org/solidarisch"
HEAD = f"""\
title: Elements
size: {{width: 400mm, height: 300mm}}
bleed: 3mm
safe: 10mm
fonts:
  regular: {ROOT / "assets" / "fonts" / "NotoSans-Regular.ttf"}
grid:
  columns: 2
  rows: 1
  margins: {{top: 20mm, right: 20mm, bottom: 90mm, left: 20mm}}
captions:
  height: 30mm
  lines:
    - {{template: "{{name}}", font: regular, size: {{max: 40pt, min: 10pt}}}}
people:
  - {{name: Tamara, portrait: {ROOT / "portraits" / "tamara.jpg"}}}
output: {{png_dpi: 10}}
"""
ELEMENTS_LINE = HEAD.count("\n") + 1  # the line of "elements:"


def layout(tmp_path: Path, elements: str, extra: str = "") -> Path:
    """A 400 x 300 mm poster with one portrait and ``elements`` (YAML text under elements:), next to a
    copy of the stand-in logo (logo.svg)."""
    shutil.copy(LOGO, tmp_path / "logo.svg")
    path = tmp_path / "poster.yaml"
    path.write_text(HEAD + extra + "elements:\n" + elements, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(LayoutInvalid) as raised:
        build(path)
    return raised.value.lines()


def mm(value: float) -> int:
    return round(value * EMU_PER_MM)


def items(scene, kind):
    return [item for item in scene.items if isinstance(item, kind)]


def rgb_pdf_logo(path: Path, *, with_image: bool = False, spot: bool = False) -> Path:
    """A 200 x 100 pt logo PDF as design programs write one: RGB and gray fills."""
    canvas = Canvas(str(path), pagesize=(200, 100))
    canvas.setFillColorRGB(0.784, 0.063, 0.180)
    canvas.rect(0, 0, 200, 100, stroke=0, fill=1)
    canvas.setFillGray(1)
    canvas.circle(50, 50, 30, stroke=0, fill=1)
    if spot:
        canvas.setFillColor(CMYKColorSep(0, 1, 1, 0, spotName="HKS13"))
        canvas.rect(120, 20, 60, 60, stroke=0, fill=1)
    if with_image:
        canvas.drawImage(str(ROOT / "portraits" / "tamara.jpg"), 120, 20, 48, 60)
    canvas.showPage()
    canvas.save()
    return path


# --- the layout format ---------------------------------------------------------------------------


def test_element_errors_name_their_line(tmp_path):
    path = layout(
        tmp_path,
        "  - {image: logo.svg, qr: x, box: {x: 0, y: 0, width: 10mm}}\n"
        "  - {image: logo.svg, box: {x: 0, y: 0}}\n"
        "  - {qr: x, fit: cover, box: {x: 0, y: 0, width: 10mm}}\n"
        "  - {image: logo.svg, fitt: cover, box: {x: 0, y: 0, width: 10mm}}\n"
        "  - {image: logo.svg, box: {width: 10mm}}\n"
        "  - {qr: x, box: {x: 0, y: 0, width: 10mm, anchor: middle}}\n",
    )
    lines = "\n".join(problems(path))
    first = ELEMENTS_LINE + 1
    assert f"poster.yaml:{first}:5 elements[0]: an element needs exactly one of image:" in lines
    assert f"poster.yaml:{first + 1}:" in lines and "elements[1].box: give width or height" in lines
    assert f"poster.yaml:{first + 2}:5 elements[2]: fit does not apply to a QR code" in lines
    assert f"poster.yaml:{first + 3}:" in lines and "elements[3].fitt: unknown key: did you mean 'fit'?" in lines
    assert "elements[4].box: give x and y (from the trim's top-left), or anchor:" in lines
    assert "elements[5].box.anchor" in lines and "bottom-right" in lines


def test_missing_unsupported_and_unconvertible_files_are_refused_at_their_line(tmp_path):
    Image.new("RGB", (20, 10), "red").save(tmp_path / "logo.gif")
    (tmp_path / "text.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><text x="0" y="20">Hi</text></svg>'
    )
    (tmp_path / "gradient.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><defs><linearGradient id="g">'
        '<stop offset="0" stop-color="#f00"/><stop offset="1" stop-color="#00f"/></linearGradient></defs>'
        '<rect width="100" height="50" fill="url(#g)"/></svg>'
    )
    rgb_pdf_logo(tmp_path / "photo.pdf", with_image=True)
    rgb_pdf_logo(tmp_path / "spot.pdf", spot=True)
    names = ["missing.png", "logo.gif", "text.svg", "gradient.svg", "photo.pdf", "spot.pdf"]
    path = layout(tmp_path, "".join(f"  - image: {name}\n    box: {{x: 0, y: 0, width: 10mm}}\n" for name in names))
    lines = problems(path)
    assert len(lines) == len(names)
    for index, (name, line) in enumerate(zip(names, lines)):
        assert line.startswith(f"{path}:{ELEMENTS_LINE + 1 + 2 * index}:12 elements[{index}].image: "), line
        assert name in line
    assert "no such file" in lines[0]
    assert "GIF" in lines[1] and ".svg" in lines[1]
    assert "convert the text to outlines" in lines[2]
    assert "gradient" in lines[3]
    assert "image" in lines[4] and "SVG" in lines[4]
    assert "spot colour" in lines[5] and "CMYK PDF" in lines[5]


def test_a_text_too_long_for_any_qr_code_is_refused_at_its_line(tmp_path):
    path = layout(tmp_path, f"  - qr: {'x' * 3000}\n    box: {{x: 0, y: 0, width: 10mm}}\n")
    (line,) = problems(path)
    assert f"poster.yaml:{ELEMENTS_LINE + 1}:9 elements[0].qr: 3000 characters are too many" in line


# --- placement -----------------------------------------------------------------------------------


def test_anchored_box_takes_its_height_from_the_logo(tmp_path):
    path = layout(
        tmp_path,
        "  - {image: logo.svg, name: logo, box: {anchor: bottom-right, width: 120mm}}\n"
        "  - {image: logo.svg, box: {anchor: top-left, to: trim, x: 5mm, y: 7mm, height: 20mm}}\n"
        "  - {qr: x, box: {anchor: bottom, y: 4mm, width: 50mm}}\n",
    )
    scene = build(path).scene
    logo, corner = items(scene, PlacedVector)
    (qr,) = items(scene, QrCode)
    # the stand-in is 600 x 300 px (450 x 225 pt): a 120 mm wide logo is 60 mm high, in the safe area's corner
    assert (logo.rect.w, logo.rect.h) == (mm(120), mm(60))
    assert (logo.rect.right, logo.rect.bottom) == (mm(390), mm(290))
    assert logo.element == "logo" and logo.crop == (0, 0, 450, 225)
    assert (corner.rect.x, corner.rect.y, corner.rect.w, corner.rect.h) == (mm(5), mm(7), mm(40), mm(20))
    assert corner.element == "elements[1]"
    assert (qr.rect.w, qr.rect.h) == (mm(50), mm(50))
    assert (qr.rect.x, qr.rect.bottom) == (mm(175), mm(286))


def test_contain_centres_and_cover_fills_the_box(tmp_path):
    portrait = ROOT / "portraits" / "brigitte.jpg"  # 2400 x 3000 px
    path = layout(
        tmp_path,
        "  - {image: logo.svg, box: {x: 0mm, y: 0mm, width: 100mm, height: 100mm}}\n"
        "  - {image: logo.svg, fit: cover, box: {x: 0mm, y: 0mm, width: 100mm, height: 100mm}}\n"
        f"  - {{image: {portrait}, box: {{x: 200mm, y: 100mm, width: 100mm, height: 100mm}}}}\n"
        f"  - {{image: {portrait}, fit: cover, box: {{x: 200mm, y: 100mm, width: 100mm, height: 50mm}}}}\n"
        "  - {qr: x, box: {x: 0mm, y: 0mm, width: 100mm, height: 60mm}}\n",
    )
    scene = build(path).scene
    contain, cover = items(scene, PlacedVector)
    assert (contain.rect.x, contain.rect.y, contain.rect.w, contain.rect.h) == (0, mm(25), mm(100), mm(50))
    assert (cover.rect.x, cover.rect.y, cover.rect.w, cover.rect.h) == (0, 0, mm(100), mm(100))
    assert cover.crop == (112.5, 0, 337.5, 225)  # the middle 225 x 225 pt of the logo
    raster_contain, raster_cover = (item for item in items(scene, PlacedImage) if item.is_logo)
    assert (raster_contain.rect.x, raster_contain.rect.w, raster_contain.rect.h) == (mm(210), mm(80), mm(100))
    assert raster_contain.crop == (0, 0, 2400, 3000)
    assert (raster_cover.rect.w, raster_cover.rect.h) == (mm(100), mm(50))
    left, top, right, bottom = raster_cover.crop
    assert (right - left, bottom - top) == (2400, 1200) and top == 900
    (qr,) = items(scene, QrCode)
    assert (qr.rect.x, qr.rect.y, qr.rect.w, qr.rect.h) == (mm(20), 0, mm(60), mm(60))


def test_the_scene_holds_the_qr_matrix_and_the_logo(tmp_path):
    path = layout(
        tmp_path,
        f"  - {{qr: '{URL}', error_correction: h, color: '#14325c', box: {{x: 10mm, y: 10mm, width: 50mm}}}}\n"
        "  - {image: logo.svg, name: logo, box: {x: 100mm, y: 10mm, width: 60mm}}\n",
    )
    scene = build(path).scene
    (qr,) = items(scene, QrCode)
    matrix = segno.make_qr(URL, error="H", boost_error=False).matrix
    assert len(qr.modules) == len(matrix) + 8 and all(len(row) == len(qr.modules) for row in qr.modules)
    assert qr.modules[4][4:-4] == "".join("1" if v else "0" for v in matrix[0])
    assert set(qr.modules[0]) == {"0"}  # the quiet zone
    data = scene_data(scene)["items"]
    assert {"qr": "elements[0]", "text": URL, "color": "#14325c", "background": "#ffffff"}.items() <= data[-2].items()
    assert data[-1]["vector"] == "logo" and data[-1]["file"] == "logo.svg" and data[-1]["kind"] == "svg"


# --- findings ------------------------------------------------------------------------------------


def codes(findings, code):
    return [f for f in findings if f.code == code]


def test_elements_outside_the_safe_area_too_small_or_with_small_modules_are_warned_about(tmp_path):
    path = layout(
        tmp_path,
        "  - {image: logo.svg, name: edge, box: {x: 4mm, y: 200mm, width: 60mm}}\n"
        "  - {image: logo.svg, name: tiny, min_size: 40mm, box: {anchor: top-right, width: 60mm}}\n"
        "  - {qr: x, name: fine, box: {anchor: bottom-right, width: 30mm}}\n"
        f"  - {{qr: '{URL}', name: small, box: {{anchor: bottom-left, width: 12mm}}}}\n",
    )
    built = build(path)
    findings = check_scene(built.scene, built.assets.fonts)
    (outside,) = codes(findings, "element-outside-safe")
    assert outside.element == "edge" and outside.severity == "warning"
    assert "6.0 mm on the left" in outside.message and outside.measured == 6.0
    (small,) = codes(findings, "element-too-small")
    assert small.element == "tiny" and "30.0 mm" in small.message and small.required == 40
    # a version-3 code (29 modules, 37 with the quiet zone) 12 mm wide: 0.32 mm modules
    (module,) = codes(findings, "qr-module-too-small")
    assert module.element == "small" and module.measured == 0.32 and module.required == 0.5
    # seen from 5 m a module needs 5 mm: the 30 mm code's 21 + 8 modules are too small as well
    far = layout(tmp_path, path.read_text().split("elements:\n")[1], "preflight: {viewing_distance: 5m}\n")
    built = build(far)
    findings = check_scene(built.scene, built.assets.fonts)
    assert {f.element for f in codes(findings, "qr-module-too-small")} == {"fine", "small"}
    assert "to scan from 5 m" in codes(findings, "qr-module-too-small")[0].message


def test_a_raster_logo_gets_the_resolution_findings_of_a_portrait(tmp_path):
    Image.new("RGB", (60, 30), "#c8102e").save(tmp_path / "small.png")
    path = layout(tmp_path, "  - {image: small.png, name: pixels, box: {x: 50mm, y: 220mm, width: 100mm}}\n")
    built = build(path)
    findings = check_scene(built.scene, built.assets.fonts)
    (low,) = codes(findings, "resolution-too-low")
    assert low.element == "pixels" and "small.png" in low.message
    assert not codes(findings, "focus-outside-safe") and not codes(findings, "seam-through-face")


# --- the files -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Print PDF (with PNG) and screen PDF of a poster with an SVG logo, a PDF logo and a QR code."""
    folder = tmp_path_factory.mktemp("elements")
    rgb_pdf_logo(folder / "logo.pdf")
    path = layout(
        folder,
        "  - {image: logo.svg, name: svg, box: {anchor: bottom-right, width: 120mm}}\n"
        "  - {image: logo.pdf, name: pdf, box: {x: 220mm, y: 20mm, width: 100mm}}\n"
        f"  - {{qr: '{URL}', name: qr, box: {{anchor: bottom-left, width: 60mm}}}}\n",
    )
    printed = render(path, folder / "print")
    screen = render(path, folder / "screen", standard="screen")
    return path, printed, screen


def pdf_of(result) -> Path:
    return next(f.path for f in result.files if f.kind == "pdf")


def holders(page):
    """The page and every form XObject it draws."""
    found, waiting = [], [page]
    while waiting:
        holder = waiting.pop()
        found.append(holder)
        xobjects = holder.get("/Resources", {}).get("/XObject", {})
        waiting += [x for x in xobjects.values() if x.Subtype == "/Form"]
    return found


def operators(holder) -> list[str]:
    return [str(op) for _operands, op in pikepdf.parse_content_stream(holder)]


@pytest.mark.skipif(shutil.which("pdfimages") is None, reason="poppler-utils not installed")
def test_svg_and_pdf_logos_stay_vector(rendered):
    _path, printed, screen = rendered
    for result in (printed, screen):
        listing = subprocess.run(["pdfimages", "-list", str(pdf_of(result))], capture_output=True, text=True)
        assert len(listing.stdout.strip().splitlines()) == 3  # two header lines and the one portrait
    with pikepdf.open(pdf_of(printed)) as document:
        page = document.pages[0].obj
        drawn = operators(page)
        assert {"c", "re", "f"} <= set(drawn)  # the SVG's curves and the QR's rectangles


def test_the_pdf_logo_becomes_a_form_xobject(rendered):
    with pikepdf.open(pdf_of(rendered[1])) as document:
        page = document.pages[0].obj
        forms = {str(name): x for name, x in page.Resources.XObject.items() if x.Subtype == "/Form"}
        assert len(forms) == 1
        (name,) = forms
        assert name in [str(operands[0]) for operands, op in pikepdf.parse_content_stream(page) if str(op) == "Do"]
        drawn = set(operators(forms[name]))
        assert "re" in drawn and drawn & {"f", "f*"}


def test_in_print_every_logo_colour_is_cmyk_within_the_ink_limit(rendered):
    path, printed, _screen = rendered
    pdf = pdf_of(printed)
    with pikepdf.open(pdf) as document:
        for holder in holders(document.pages[0].obj):
            used = set(operators(holder))
            assert not used & {"rg", "RG", "g", "G"}, used
            assert "k" in used
    assert check_pdfx(pdf) == []
    highest, _where = measure_ink(pdf)
    assert 0 < highest <= 300.05
    assert not [f for f in printed.findings if f.severity == "error"]


def test_the_screen_pdf_keeps_the_svg_in_srgb(rendered):
    with pikepdf.open(pdf_of(rendered[2])) as document:
        page = document.pages[0].obj
        colours = {
            tuple(round(float(v) * 255) for v in operands)
            for operands, op in pikepdf.parse_content_stream(page)
            if str(op) == "rg"
        }
        assert "k" not in operators(page)
    assert {(0x14, 0x32, 0x5C), (0xC8, 0x10, 0x2E), (0xFF, 0xD2, 0x3F)} <= colours


@pytest.mark.parametrize("which", [1, 2])
def test_the_qr_code_in_the_file_shows_the_encoded_matrix(rendered, which):
    result = rendered[which]
    (qr,) = items(result.scene, QrCode)
    dpi = 40
    document = pdfium.PdfDocument(str(pdf_of(result)))
    picture = np.asarray(document[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
    document.close()
    bleed = result.scene.bleed
    count = len(qr.modules)
    expected = np.array([[c == "1" for c in row] for row in qr.modules])
    seen = np.zeros_like(expected)
    for row in range(count):
        for column in range(count):
            x = qr.rect.x + bleed + qr.rect.w * (column + 0.5) / count
            y = qr.rect.y + bleed + qr.rect.h * (row + 0.5) / count
            seen[row, column] = picture[int(y / EMU_PER_MM / 25.4 * dpi), int(x / EMU_PER_MM / 25.4 * dpi)] < 128
    assert (seen == expected).all()
    # and the modules are what segno encodes for the text
    matrix = np.array(segno.make_qr(URL, error="M", boost_error=False).matrix, dtype=bool)
    assert (expected[4:-4, 4:-4] == matrix).all()


def test_the_readme_example_places_the_stand_in_logo_and_a_qr_code(tmp_path, one_portrait_data, write_layout):
    import yaml

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("`elements:` places logos")[1].split("```yaml\n")[1].split("```")[0]
    one_portrait_data.update(yaml.safe_load(block))
    (tmp_path / "layouts").mkdir()
    (tmp_path / "assets").symlink_to(ROOT / "assets")
    path = write_layout(one_portrait_data, "layouts/poster.yaml")
    built = build(path)
    (logo,) = items(built.scene, PlacedVector)
    (qr,) = items(built.scene, QrCode)
    safe = built.scene.safe_box
    assert (logo.rect.right, logo.rect.bottom, logo.rect.w, logo.rect.h) == (safe.right, safe.bottom, mm(600), mm(300))
    assert qr.color.hex == "#14325c" and qr.rect.w == mm(400)
    findings = check_scene(built.scene, built.assets.fonts)
    assert not [f for f in findings if f.code.startswith(("element-", "qr-"))]
