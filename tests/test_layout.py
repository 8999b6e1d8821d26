"""Geometry on the layout model: no drawing involved."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plakat.assets import ImageInfo, probe_assets
from plakat.layout import LayoutProblems, build_scene, page_of
from plakat.layout.grid import PersonCell, QuoteCell, allocate_cells
from plakat.layout.portraits import cover_crop
from plakat.scene import Fill, PlacedImage, Rect, TextLine
from plakat.spec import load_layout
from plakat.units import mm
from conftest import HAND_PLACED, STADTBIBLIOTHEK, assert_breaks_are_german


def scene_of(path):
    loaded = load_layout(path)
    return build_scene(loaded.spec, probe_assets(loaded))


def problems_of(path) -> str:
    loaded = load_layout(path)
    with pytest.raises(LayoutProblems) as raised:
        build_scene(loaded.spec, probe_assets(loaded))
    return "\n".join(p.message for p in raised.value.problems)


@pytest.fixture(scope="module")
def billboard():
    return scene_of(STADTBIBLIOTHEK)


@pytest.fixture(scope="module")
def grid():
    spec = load_layout(HAND_PLACED).spec
    return allocate_cells(spec, page_of(spec))


def test_trim_bleed_and_cells(billboard, grid):
    assert (billboard.width, billboard.height, billboard.bleed) == (mm(3560), mm(2520), mm(10))
    assert grid.problems == [] and len(grid.cells) == 10
    assert [type(cell) for cell in grid.cells].count(QuoteCell) == 1
    assert [cell.person.name for cell in grid.cells if isinstance(cell, PersonCell)] == [
        "Tamara", "Markus", "Verena", "Valentino", "Elif", "Jupp", "Marlon", "Jannine", "Brigitte"]
    for cell in grid.cells:
        assert grid.area.contains(cell.rect)


def test_gutters_are_exact_and_cells_tile_the_area(grid):
    area, cells = grid.area, [cell.rect for cell in grid.cells]
    rows = sorted({c.y for c in cells})
    columns = sorted({c.x for c in cells})
    assert len(rows) == 2 and len(columns) == 6
    first_row = sorted((c for c in cells if c.y == rows[0]), key=lambda c: c.x)
    for left, right in zip(first_row, first_row[1:]):
        assert right.x - left.right == mm(60)
    assert first_row[0].x == area.x and first_row[-1].right == area.right
    widths = {c.w for c in first_row}
    assert max(widths) - min(widths) <= 1  # EMU: remainder spread over cells
    column = sorted((c for c in cells if c.x == columns[0]), key=lambda c: c.y)
    assert column[1].y - column[0].bottom == mm(60)
    assert column[0].y == area.y and column[-1].bottom == area.bottom


def test_no_two_cells_overlap(grid):
    cells = [cell.rect for cell in grid.cells]
    for i, a in enumerate(cells):
        for b in cells[i + 1:]:
            assert not a.overlaps(b)


def test_people_fill_cells_in_order_and_named_cells_win(billboard):
    images = billboard.of_type(PlacedImage)
    assert [i.element for i in images] == ["Tamara", "Markus", "Verena", "Valentino", "Elif",
                                           "Jupp", "Marlon", "Jannine", "Brigitte"]
    brigitte = images[-1]
    quote = [t for t in billboard.of_type(TextLine) if t.element == "quote of Brigitte"]
    assert quote and min(t.box.x for t in quote) > brigitte.rect.right
    assert quote[0].text.startswith("„Meine")
    assert any(t.text.endswith("Problem.“") for t in quote)


def test_crops_keep_aspect_and_stay_inside_the_image(billboard):
    for image in billboard.of_type(PlacedImage):
        left, top, right, bottom = image.crop
        assert 0 <= left < right <= image.image.width
        assert 0 <= top < bottom <= image.image.height
        assert (right - left) / (bottom - top) == pytest.approx(image.rect.w / image.rect.h, rel=1e-9)
        assert min(image.ppi) > billboard.rules.min_ppi


def image(width, height):
    return ImageInfo(path=None, width=width, height=height, format="JPEG", mode="RGB")


@pytest.mark.parametrize("focus", [(0.5, 0.5), (0.3, 0.6), (0.8, 0.2), (0.0, 1.0)])
def test_cover_crop_centres_the_focus_when_it_can(focus):
    rect = Rect(0, 0, 1000, 1000)
    crop = cover_crop(image(4000, 2000), rect, focus)  # wide image in a square box: crops left/right
    assert crop[1] == 0 and crop[3] == 2000 and crop[2] - crop[0] == 2000
    centre = (crop[0] + crop[2]) / 2
    wanted = focus[0] * 4000
    if 1000 <= wanted <= 3000:
        assert centre == pytest.approx(wanted)
    else:  # clamped at the edge: as close as the image allows
        assert centre == (1000 if wanted < 1000 else 3000)


def test_focus_point_lands_where_the_crop_puts_it(billboard):
    for item in billboard.of_type(PlacedImage):
        assert item.rect.x <= item.focus[0] <= item.rect.right
        assert item.rect.y <= item.focus[1] <= item.rect.bottom


def test_captions_shrink_long_words_and_share_one_size(billboard):
    captions = [t for t in billboard.of_type(TextLine) if t.element.startswith("caption of")]
    roles = [t for t in captions if t.font == "regular"]
    assert {t.text for t in roles} >= {"Intensivkrankenschwester", "Kindergartenkind", "Caféinhaberin"}
    assert len({t.size for t in roles}) == 1  # uniform
    for line in captions:
        assert line.box.x <= line.x and line.x + line.width <= line.box.right


def test_text_never_leaves_its_box(billboard):
    """Only hanging punctuation may stand outside: the letters after it start on the box's edge."""
    from plakat.text import HANGS_LEFT

    for line in billboard.of_type(TextLine):
        left = line.glyphs[1].x if line.text[0] in HANGS_LEFT and line.x < line.box.x else line.x
        assert line.box.x <= left and line.x + line.width <= line.box.right, line


def test_things_touching_the_trim_extend_into_the_bleed(billboard):
    background = billboard.items[0]
    assert isinstance(background, Fill) and background.rect == billboard.bleed_box
    header = billboard.items[1]
    assert header.rect.x == -billboard.bleed and header.rect.y == -billboard.bleed
    assert header.rect.right == billboard.width + billboard.bleed


def test_edge_portrait_reaches_the_bleed(stadtbibliothek_data, write_layout):
    data = stadtbibliothek_data
    data["grid"]["margins"] = {"top": "0mm", "left": "0mm", "right": "0mm", "bottom": "0mm"}
    scene = scene_of(write_layout(data))
    first = scene.of_type(PlacedImage)[0]
    assert first.rect.x == -scene.bleed and first.rect.y == -scene.bleed


def notes_of(path) -> list:
    return list(scene_of(path).notes)


def test_overflow_names_the_person(stadtbibliothek_data, write_layout):
    data = stadtbibliothek_data
    data["people"][0]["role"] = "Donaudampfschifffahrtsgesellschaftskapitänsmützenträgerin"
    data["captions"]["lines"][1]["size"] = {"max": "110pt", "min": "100pt"}
    notes = notes_of(write_layout(data))
    assert [n.code for n in notes] == ["text-overflow"]
    assert "of Tamara does not fit" in notes[0].message and "size.min" in notes[0].message
    assert notes[0].element == "caption of Tamara"


def test_text_that_fits_leaves_no_note(billboard):
    assert billboard.notes == ()


def test_missing_glyph_is_noted(stadtbibliothek_data, write_layout):
    data = stadtbibliothek_data
    data["people"][0]["name"] = "Tamara 🙂"
    data["grid"]["cells"] = []
    notes = notes_of(write_layout(data))
    assert [n.code for n in notes] == ["glyph-missing"]
    assert "has a glyph for '🙂' (U+1F642)" in notes[0].message


def test_german_and_wider_latin_need_no_extra_font(stadtbibliothek_data, write_layout):
    data = stadtbibliothek_data
    data["grid"]["cells"] = []
    data["people"][0]["name"] = "Jürgen Groß"
    data["people"][1]["name"] = "Zoë"
    data["people"][2]["name"] = "Łukasz"
    data["people"][3]["name"] = "Nguyễn"
    texts = {t.text for t in scene_of(write_layout(data)).of_type(TextLine)}
    assert {"Jürgen Groß, 32", "Zoë, 49", "Łukasz, 28", "Nguyễn, 42"} <= texts


def test_more_people_than_cells(stadtbibliothek_data, write_layout):
    data = stadtbibliothek_data
    data["grid"]["rows"] = 1
    data["grid"]["cells"] = []
    assert "9 people to place but only 6 free cells" in problems_of(write_layout(data))


def test_grid_that_cannot_fit(stadtbibliothek_data, write_layout):
    data = stadtbibliothek_data
    data["grid"]["gutter"] = "1000mm"
    assert "do not fit the grid area" in problems_of(write_layout(data))


def test_bleed_larger_than_page(stadtbibliothek_data, write_layout):
    data = stadtbibliothek_data
    data["bleed"] = "2m"
    assert "larger than half the page" in problems_of(write_layout(data))


@given(st.floats(1, 5000), st.floats(1, 500))
def test_embed_reduction_only_for_oversized_images_and_keeps_twice_the_recommended_ppi(ppi, recommended):
    from plakat.scene import KEEP_FACTOR, MAX_REDUCTION, OVERSIZED_FACTOR, embed_reduction

    factor = embed_reduction(ppi, recommended)
    assert factor in (1, 2, 4, 8) and factor <= MAX_REDUCTION
    if ppi <= OVERSIZED_FACTOR * recommended:
        assert factor == 1
    else:
        assert ppi / factor >= KEEP_FACTOR * recommended
        assert factor == MAX_REDUCTION or ppi / (factor * 2) < KEEP_FACTOR * recommended


def test_font_metrics_are_read_once_per_file_version(tmp_path):
    import os
    import shutil

    from plakat.assets import load_font_metrics
    from conftest import ROOT

    font = tmp_path / "brand.ttf"
    shutil.copy(ROOT / "assets/fonts/NotoSans-Regular.ttf", font)
    first = load_font_metrics(font)
    assert load_font_metrics(font) is first
    shutil.copy(ROOT / "assets/fonts/NotoSans-Black.ttf", font)  # the designer swaps the file
    os.utime(font, ns=(1, 1))
    swapped = load_font_metrics(font)
    assert swapped is not first and swapped.advance_width("W", 100) != first.advance_width("W", 100)


def test_a_quote_in_a_narrow_cell_breaks_at_valid_german_points(stadtbibliothek_data, write_layout):
    """Quotes hyphenate by default: in a one-column cell the quote breaks words where German
    allows it rather than shrinking, and no name is ever broken."""
    data = stadtbibliothek_data
    data["grid"]["cells"] = [{"column": 3, "row": 2, "person": "Brigitte"}, {"column": 4, "row": 2, "quote": "Brigitte"}]
    data["people"][6]["quote"] = "Intensivkrankenschwestern und Radiomoderatorinnen halten zusammen."
    lines = [t.text for t in scene_of(write_layout(data)).of_type(TextLine) if t.element == "quote of Brigitte"]
    assert assert_breaks_are_german(lines[:-1]) > 0, lines  # the last line is the attribution
    assert lines[-1] == "– Brigitte, 81, Rentnerin"


def test_a_feature_the_font_lacks_is_refused_at_its_line(stadtbibliothek_data, write_layout):
    data = stadtbibliothek_data
    data["headline"]["features"] = {"ss01": True, "liga": False, "tnum": True}
    from plakat.errors import LayoutInvalid

    with pytest.raises(LayoutInvalid) as refused:
        scene_of(write_layout(data))
    problems = str(refused.value)
    assert "headline.features.ss01" in problems and "no OpenType feature 'ss01'" in problems
    assert "smcp" in problems  # what the font offers instead
    assert "liga" not in problems.split("offers")[0] and "features.tnum" not in problems
