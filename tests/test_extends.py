"""extends: shared files under a layout. Deep merge, lists replaced, later files win, paths
relative to the file that names them, and every error at the file, line and column it was written."""

from __future__ import annotations

from pathlib import Path

import pytest

from plakat.errors import LayoutInvalid
from plakat.layering import read_layered
from plakat.spec import load_layout

ROOT = Path(__file__).resolve().parent.parent
PORTRAIT = ROOT / "portraits" / "brigitte.jpg"
FONT = ROOT / "assets" / "fonts" / "NotoSans-Regular.ttf"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def campaign(tmp_path) -> Path:
    """A shared file one folder down, naming its portrait and font relative to itself."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "portrait.jpg").write_bytes(PORTRAIT.read_bytes())
    (tmp_path / "assets" / "sans.ttf").write_bytes(FONT.read_bytes())
    return write(
        tmp_path / "layouts" / "campaign" / "shared.yaml",
        """\
background: "#f2ede4"
fonts:
  regular: ../../assets/sans.ttf
captions:
  height: 40mm
  color: "#14325c"
  lines:
    - {template: "{name}, {age}", font: regular, size: {max: 40pt, min: 10pt}}
grid: {columns: 1, rows: 1}
people:
  - {name: Brigitte, age: 81, role: Rentnerin, portrait: ../../assets/portrait.jpg}
""",
    )


def test_layout_extends_a_shared_file_and_overrides_deeply(campaign):
    layout = write(
        campaign.parent.parent / "poster.yaml",
        """\
extends: campaign/shared.yaml
size: {width: 400mm, height: 500mm}
captions:
  color: "#c8102e"
""",
    )
    loaded = load_layout(layout)
    spec = loaded.spec
    assert str(spec.captions.color) == "#c8102e"  # the layout's own value wins
    assert spec.captions.height.mm == 40  # ... and the rest of the mapping is kept
    assert spec.people[0].role == "Rentnerin"
    # paths written in the shared file resolve against its folder
    assert loaded.resolve(spec.people[0].portrait) == (campaign.parent.parent.parent / "assets" / "portrait.jpg")
    assert loaded.resolve(spec.fonts["regular"].file).is_file()
    assert [p.name for p in loaded.source.paths] == ["shared.yaml", "poster.yaml"]


def test_lists_are_replaced_and_later_files_win(campaign, tmp_path):
    second = write(
        campaign.parent / "roles.yaml",
        """\
people:
  - {name: Brigitte, age: 81, role: Oma, portrait: ../../assets/portrait.jpg}
captions:
  height: 50mm
""",
    )
    layout = write(
        campaign.parent.parent / "poster.yaml",
        f"""\
extends: [campaign/shared.yaml, {second.relative_to(campaign.parent.parent)}]
size: {{width: 400mm, height: 500mm}}
""",
    )
    spec = load_layout(layout).spec
    assert [p.role for p in spec.people] == ["Oma"]
    assert spec.captions.height.mm == 50
    assert len(spec.captions.lines) == 1  # from the first file, untouched by the second


def test_changing_the_shared_file_changes_every_layout(campaign):
    layouts = [
        write(campaign.parent.parent / f"{name}.yaml", f"extends: campaign/shared.yaml\nsize: {size}\n")
        for name, size in (("wide", "{width: 800mm, height: 400mm}"), ("tall", "{width: 400mm, height: 800mm}"))
    ]
    campaign.write_text(campaign.read_text(encoding="utf-8").replace("Rentnerin", "Ehrenamtliche"), encoding="utf-8")
    assert {load_layout(layout).spec.people[0].role for layout in layouts} == {"Ehrenamtliche"}


def test_an_error_in_the_shared_file_names_that_file_line_and_column(campaign):
    campaign.write_text(campaign.read_text(encoding="utf-8").replace("height: 40mm", "height: 40"), encoding="utf-8")
    layout = write(campaign.parent.parent / "poster.yaml", "extends: campaign/shared.yaml\nformat: a1\n")
    with pytest.raises(LayoutInvalid) as caught:
        load_layout(layout)
    [line] = caught.value.lines()
    assert line.startswith(f"{campaign}:5:11 captions.height:"), line
    assert "no unit" in line


def test_an_error_in_the_layout_names_the_layout(campaign):
    layout = write(
        campaign.parent.parent / "poster.yaml",
        "extends: campaign/shared.yaml\nformat: a1\ncaptions:\n  height: -3mm\n",
    )
    with pytest.raises(LayoutInvalid) as caught:
        load_layout(layout)
    assert caught.value.lines()[0].startswith(f"{layout}:4:11 captions.height:")


def test_a_missing_value_points_at_the_file_that_holds_the_mapping(campaign):
    """A required key missing from a merged mapping is reported where the mapping was written."""
    layout = write(
        campaign.parent.parent / "poster.yaml",
        "extends: campaign/shared.yaml\nformat: a1\ncaptions:\n  lines:\n    - {template: x, font: regular}\n",
    )
    with pytest.raises(LayoutInvalid) as caught:
        load_layout(layout)
    assert any(line.startswith(f"{layout}:5:") and "size" in line for line in caught.value.lines())


@pytest.mark.parametrize(
    "value, message",
    [
        ("campaign/nothere.yaml", "no such file: campaign/nothere.yaml"),
        ("[]", "expected a file name"),
        ("3", "expected a file name"),
    ],
)
def test_bad_extends_is_reported_at_its_line(campaign, value, message):
    layout = write(campaign.parent.parent / "poster.yaml", f"format: a1\nextends: {value}\n")
    with pytest.raises(LayoutInvalid) as caught:
        load_layout(layout)
    [line] = caught.value.lines()
    assert line.startswith(f"{layout}:2:10 extends"), line
    assert message in line


def test_files_that_extend_each_other_are_refused(tmp_path):
    a = write(tmp_path / "a.yaml", "extends: b.yaml\nformat: a1\n")
    write(tmp_path / "b.yaml", "extends: a.yaml\n")
    with pytest.raises(LayoutInvalid) as caught:
        load_layout(a)
    text = caught.value.render()
    assert "extends itself (a.yaml -> b.yaml -> a.yaml)" in text
    assert text.startswith(f"{tmp_path / 'b.yaml'}:1:10")


def test_a_syntax_error_in_the_shared_file_names_it(campaign):
    campaign.write_text("people: [\n", encoding="utf-8")
    layout = write(campaign.parent.parent / "poster.yaml", "extends: campaign/shared.yaml\nformat: a1\n")
    with pytest.raises(LayoutInvalid) as caught:
        load_layout(layout)
    assert caught.value.render().startswith(f"{campaign}:")


def test_read_layered_records_the_owner_of_each_value(campaign):
    layout = write(
        campaign.parent.parent / "poster.yaml",
        "extends: campaign/shared.yaml\nsize: {width: 400mm, height: 500mm}\ncaptions: {color: white}\n",
    )
    data, source = read_layered(layout)
    assert "extends" not in data
    assert source.locate(("captions", "color"))[0] == layout
    assert source.locate(("captions", "height")) == (campaign, 5, 11)
    assert source.locate(("people", 0, "role"))[0] == campaign
    assert source.locate(("size", "width"))[0] == layout
