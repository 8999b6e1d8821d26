"""Screen formats (social media): presets in pixels, PNG of exactly that size, JPEG on request, no
print file, and preflight worded in pixels."""

from __future__ import annotations

import json
import struct

import pytest
from conftest import ROOT
from PIL import Image, JpegImagePlugin
from typer.testing import CliRunner

from plakat.cli import app
from plakat.errors import LayoutInvalid
from plakat.formats import EMU_PER_PX, PRESETS, find_preset
from plakat.pipeline import check, proof, render
from plakat.preflight import read_jpeg_header, read_png_header
from plakat.units import EMU_PER_INCH, parse_length

SCREENS = [preset for preset in PRESETS if preset.is_screen]
runner = CliRunner()


def px(count: float) -> str:
    return f"{count:g}px@72dpi"


def screen_layout(format_name: str, **changes) -> dict:
    """A small campaign picture on a screen preset: a band with the headline, one portrait with its
    caption, all inside the preset's safe margin."""
    preset = find_preset(format_name)
    assert preset.pixels is not None
    width, height = preset.pixels
    safe = preset.safe // EMU_PER_PX
    inner = width - 2 * safe
    head = round(height * 0.16)
    caption = round(height * 0.12)
    data = {
        "title": "Duisburg ist echt solidarisch",
        "format": format_name,
        "background": "#f2ede4",
        "fonts": {
            "regular": str(ROOT / "assets/fonts/NotoSans-Regular.ttf"),
            "black": str(ROOT / "assets/fonts/NotoSans-Black.ttf"),
        },
        "bands": [{"box": {"x": 0, "y": 0, "width": px(width), "height": px(safe + head + 10)}, "color": "#14325c"}],
        "headline": {
            "text": "Duisburg ist echt solidarisch",
            # the box a little inside the safe area: the ink of a line reaches the font's ascender
            "box": {"x": px(safe), "y": px(safe + 16), "width": px(inner), "height": px(head - 32)},
            "font": "black",
            "size": {"max": 90, "min": 18},
            "color": "#ffffff",
            "valign": "middle",
        },
        "grid": {
            "columns": 1,
            "rows": 1,
            "box": {
                "x": px(safe),
                "y": px(safe + head + 20),
                "width": px(inner),
                "height": px(height - 2 * safe - head - 20),
            },
        },
        "captions": {
            "height": px(caption),
            "padding": px(6),
            "color": "#14325c",
            "lines": [
                {"template": "{name}, {age}", "font": "black", "size": {"max": 48, "min": 18}},
                {"template": "{role}", "font": "regular", "size": {"max": 36, "min": 18}},
            ],
        },
        "people": [
            {
                "name": "Brigitte",
                "age": 81,
                "role": "Rentnerin",
                "portrait": str(ROOT / "portraits/brigitte.jpg"),
                "focus": [0.5, 0.387],
            }
        ],
    }
    data.update(changes)
    return data


def png_is_srgb(path) -> bool:
    """An sRGB chunk before the image data, read by hand."""
    with open(path, "rb") as file:
        file.read(8)
        while header := file.read(8):
            length, kind = struct.unpack(">I4s", header)
            if kind == b"sRGB":
                return True
            if kind == b"IDAT":
                return False
            file.seek(length + 4, 1)
    return False


# --- presets ------------------------------------------------------------------------------------


def test_screen_presets_are_exact_pixels_at_72_dpi():
    assert {p.name for p in SCREENS} >= {"social-square", "social-portrait", "social-story", "social-landscape"}
    for preset in SCREENS:
        assert preset.kind == "screen" and preset.pixels is not None
        width, height = preset.pixels
        assert find_preset(f"{width}x{height}") is preset
        assert preset.width == width * EMU_PER_INCH // 72 and preset.height == height * EMU_PER_INCH // 72
        assert preset.width % EMU_PER_PX == 0 and preset.bleed == 0 and preset.png_dpi == 72
        assert preset.sheets is None and 0 < preset.safe * 2 < min(preset.width, preset.height)
        assert (preset.min_ppi, preset.recommended_ppi) == (36, 72)
    assert all(p.kind == "print" and p.pixels is None for p in PRESETS if not p.is_screen)
    assert find_preset("1080x1920").name == "social-story"


# --- rendering ----------------------------------------------------------------------------------


@pytest.mark.parametrize("preset", SCREENS, ids=lambda p: p.name)
def test_screen_preset_renders_its_exact_pixel_size(preset, write_layout, tmp_path):
    layout = write_layout(screen_layout(preset.name), "post.yaml")
    result = render(layout, tmp_path / "out", png_dpi=10)  # a screen ignores another resolution
    assert [f.kind for f in result.files] == ["png"], "no PDF unless the layout asks for one"
    assert not (tmp_path / "out" / "post.pdf").exists()
    png = tmp_path / "out" / "post.png"
    width, height, dpi = read_png_header(png)
    assert (width, height) == preset.pixels and dpi == pytest.approx(72, abs=0.01)
    with Image.open(png) as image:
        assert image.size == preset.pixels and image.mode == "RGB"
    assert png_is_srgb(png)
    assert not [f for f in result.findings if f.severity != "info"], result.findings


def test_jpeg_on_request_is_srgb_and_deterministic(write_layout, tmp_path):
    layout = write_layout(screen_layout("social-landscape", output={"jpeg": True}), "link.yaml")
    first = render(layout, tmp_path / "a")
    assert [f.kind for f in first.files] == ["png", "jpeg"]
    jpeg = tmp_path / "a" / "link.jpg"
    with Image.open(jpeg) as image:
        assert image.format == "JPEG" and image.size == (1200, 628) and image.mode == "RGB"
        assert image.info.get("icc_profile") and image.info["icc_profile"][16:20] == b"RGB "
        assert image.info["dpi"] == pytest.approx((72, 72))
        assert JpegImagePlugin.get_sampling(image) == 0  # 4:4:4: every component at full size
        pixels = image.convert("RGB")
    with Image.open(tmp_path / "a" / "link.png") as png:
        # the same picture: quality 90 stays close to the PNG's pixels
        diff = [abs(a - b) for a, b in zip(png.tobytes()[::97], pixels.tobytes()[::97])]
        assert sum(diff) / len(diff) < 4
    header = read_jpeg_header(jpeg)
    assert (header.width, header.height, header.components) == (1200, 628, 3)
    second = render(layout, tmp_path / "b")
    for name in ("link.png", "link.jpg"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert [f.kind for f in second.files] == ["png", "jpeg"]


def test_jpeg_alone_and_for_a_print_format(one_portrait_poster, write_layout, tmp_path):
    alone = write_layout(screen_layout("social-square", output={"png": False, "jpeg": True}), "square.yaml")
    result = render(alone, tmp_path / "screen")
    assert [f.kind for f in result.files] == ["jpeg"]
    with Image.open(tmp_path / "screen" / "square.jpg") as image:
        assert image.size == (1080, 1080)
    # a print format's JPEG is a preview at the PNG's size, next to the print PDF
    printed = render(one_portrait_poster, tmp_path / "print", jpeg=True)
    assert [f.kind for f in printed.files] == ["pdf", "png", "jpeg"]
    png_size = read_png_header(tmp_path / "print" / "one-portrait.png")[:2]
    with Image.open(tmp_path / "print" / "one-portrait.jpg") as image:
        assert image.size == png_size and image.info.get("icc_profile")


def test_review_pdf_on_request_has_no_bleed(write_layout, tmp_path):
    import pikepdf

    layout = write_layout(screen_layout("social-square", output={"pdf": {"standard": "screen"}}), "review.yaml")
    result = render(layout, tmp_path)
    assert [f.kind for f in result.files] == ["pdf", "png"]
    assert result.pdf is not None and result.pdf.standard == "screen" and result.pdf.page_mm == (381.0, 381.0)
    with pikepdf.open(tmp_path / "review.pdf") as document:
        page = document.pages[0].obj
        assert [float(v) for v in page.MediaBox] == [0, 0, 1080, 1080] == [float(v) for v in page.TrimBox]
        assert "/OutputIntents" not in document.Root


# --- what a screen format refuses ---------------------------------------------------------------


def test_pdfx_request_on_a_screen_is_refused_at_its_line(write_layout, tmp_path):
    data = screen_layout("social-story", bleed="3mm", output={"pdf": {"standard": "pdf/x-4", "marks": True}})
    layout = write_layout(data, "story.yaml")
    with pytest.raises(LayoutInvalid) as refused:
        render(layout, tmp_path)
    lines = refused.value.lines()
    text = layout.read_text().splitlines()
    standard = next(line for line in lines if "output.pdf.standard" in line)
    number = int(standard.split(":")[1])
    assert "standard: pdf/x-4" in text[number - 1]
    assert "no PDF/X-4" in standard and "standard: screen" in standard
    assert any("bleed" in line and "no bleed" in line for line in lines)
    assert any("output.pdf.marks" in line for line in lines)
    assert not (tmp_path / "story.png").exists()


def test_defaults_left_in_place_are_no_request(write_layout, tmp_path):
    """pdf: true and settings other than the standard take the screen standard: an RGB review PDF."""
    layout = write_layout(screen_layout("social-square", output={"pdf": True}), "square.yaml")
    result = render(layout, tmp_path)
    assert result.pdf is not None and result.pdf.standard == "screen"


def test_cli_pdf_standard_pdfx_on_a_screen_layout_is_a_usage_error(write_layout, tmp_path):
    layout = write_layout(screen_layout("social-square"), "square.yaml")
    result = runner.invoke(app, ["render", str(layout), "--out", str(tmp_path), "--pdf-standard", "pdf/x-4"])
    assert result.exit_code == 2
    assert "screen format" in result.output and "PDF/X-4" in result.output


# --- preflight ----------------------------------------------------------------------------------


def test_check_and_proof_work_on_a_screen_layout(write_layout, tmp_path):
    layout = write_layout(screen_layout("social-portrait"), "portrait.yaml")
    checked = check(layout)
    assert checked.pdf.standard == "screen" and checked.max_ink is None
    assert not [f for f in checked.findings if f.code.startswith(("pdfx", "ink", "bleed"))]
    target, findings = proof(layout, tmp_path, 600)
    with Image.open(target) as image:
        assert image.width == 600
    assert [f.code for f in findings] == [f.code for f in checked.findings]


def test_legibility_on_screen_in_pixels(write_layout):
    data = screen_layout("social-square")
    data["credit"] = {
        "text": "Bildnachweis: Duisburg Kontor GmbH",
        "box": {"x": px(64), "y": px(1000), "width": px(600), "height": px(14)},
        "font": "regular",
        "size": {"max": 9, "min": 9},
    }
    data["preflight"] = {"legibility_exempt": []}
    checked = check(write_layout(data, "square.yaml"))
    small = [f for f in checked.findings if f.code == "text-too-small"]
    assert [f.element for f in small] == ["credit"]
    message = small[0].message
    assert "px cap height" in message and "12 px" in message and "social-square default" in message
    assert " mm" not in message
    # the credit is exempt by default, as on print formats
    data.pop("preflight")
    assert not [f for f in check(write_layout(data, "square.yaml")).findings if f.code == "text-too-small"]


def test_resolution_on_screen_in_pixels(write_layout, tmp_path):
    small = tmp_path / "small.jpg"
    with Image.open(ROOT / "portraits/brigitte.jpg") as image:
        image.resize((240, 300)).save(small)  # on a frame of about 950 px: about 0.25 px per px
    data = screen_layout("social-square")
    data["people"][0]["portrait"] = str(small)
    findings = check(write_layout(data, "square.yaml")).findings
    [low] = [f for f in findings if f.code == "resolution-too-low"]
    assert "image px per screen px" in low.message and "upscaled" in low.message
    assert "below the minimum 0.5: it is upscaled" in low.message


# --- formats --json -----------------------------------------------------------------------------


def test_formats_json_lists_every_preset_with_its_kind():
    result = runner.invoke(app, ["formats", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)["formats"]
    assert [entry["name"] for entry in data] == [preset.name for preset in PRESETS]
    kinds = {entry["name"]: entry["kind"] for entry in data}
    assert kinds["18/1"] == "print" and kinds["social-story"] == "screen"
    story = next(entry for entry in data if entry["name"] == "social-story")
    assert story["pixels"] == [1080, 1920] and story["bleed_mm"] == 0 and story["safe_px"] == 250
    assert "1080x1920" in story["aliases"] and story["png_dpi"] == 72
    billboard = next(entry for entry in data if entry["name"] == "18/1")
    assert billboard["trim_mm"] == [3560, 2520] and billboard["pixels"] is None and billboard["sheets"] == [2, 2]
    keys = {"name", "title", "kind", "aliases", "trim_mm", "pixels", "bleed_mm", "safe_mm", "safe_px", "safe_sides_px", "min_ppi",
            "recommended_ppi", "png_dpi", "sheets", "min_cap_height_px", "notes"}
    assert all(set(entry) == keys for entry in data)
    table = runner.invoke(app, ["formats"]).output
    assert "1080 x 1920 px" in table and "screen" in table


def test_png_check_names_the_preset_size(write_layout, tmp_path):
    from plakat.preflight import check_png
    from plakat.spec import load_layout

    layout = write_layout(screen_layout("social-square"), "square.yaml")
    spec = load_layout(layout).spec
    wrong = tmp_path / "wrong.png"
    Image.new("RGB", (1079, 1080)).save(wrong, dpi=(72, 72))
    [hit] = check_png(spec, wrong, 72)
    assert hit.code == "png-size" and "social-square is 1080 x 1080 px" in hit.message


def test_px_lengths_are_exact():
    assert parse_length("1080px@72dpi") == 1080 * 12700 == find_preset("1080x1080").width


def test_jpeg_check_finds_a_wrong_size_and_a_missing_profile(write_layout, tmp_path):
    from plakat.preflight import check_jpeg
    from plakat.render.jpeg import srgb_profile
    from plakat.spec import load_layout

    spec = load_layout(write_layout(screen_layout("social-portrait"), "portrait.yaml")).spec
    good, small, bare, grey = (tmp_path / f"{name}.jpg" for name in ("good", "small", "bare", "grey"))
    Image.new("RGB", (1080, 1350)).save(good, icc_profile=srgb_profile())
    Image.new("RGB", (1080, 1080)).save(small, icc_profile=srgb_profile())
    Image.new("RGB", (1080, 1350)).save(bare)
    Image.new("L", (1080, 1350)).save(grey)
    assert check_jpeg(spec, good, 72) == []
    [wrong] = check_jpeg(spec, small, 72)
    assert wrong.code == "jpeg-size" and "1080 x 1080 px, not 1080 x 1350 px" in wrong.message
    assert [f.code for f in check_jpeg(spec, bare, 72)] == ["jpeg-colour"]
    assert [f.code for f in check_jpeg(spec, grey, 72)] == ["jpeg-colour", "jpeg-colour"]
    assert [f.code for f in check_jpeg(spec, tmp_path / "missing.jpg", 72)] == ["jpeg-size"]
