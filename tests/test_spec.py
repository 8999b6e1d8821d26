"""Layout files: validation, and errors that name file, line, column and field."""

import re

import pytest

from plakat.errors import LayoutInvalid
from plakat.spec import json_schema, load_layout
from conftest import HAND_PLACED, STADTBIBLIOTHEK


def problems_of(path) -> list[str]:
    with pytest.raises(LayoutInvalid) as raised:
        load_layout(path)
    return raised.value.lines()


def test_shipped_layout_loads():
    loaded = load_layout(STADTBIBLIOTHEK)
    spec = loaded.spec
    assert [p.name for p in spec.people] == ["Tamara", "Markus", "Verena", "Valentino", "Elif", "Jupp",
                                             "Brigitte", "Marlon", "Jannine"]
    assert spec.people[6].quote.startswith("Meine Generation hat viele Krisen überstanden.")
    assert loaded.resolve(spec.people[0].portrait).exists()


def test_every_error_reported_at_once_with_line_and_column(write_layout):
    text = HAND_PLACED.read_text(encoding="utf-8")
    text = text.replace("gutter: 60mm", "gutte: 60mm").replace("columns: 6", "columns: five") \
               .replace("bleed: 10mm", "bleed: 10")
    path = write_layout(text)
    lines = problems_of(path)
    assert len(lines) == 3
    joined = "\n".join(lines)
    assert f"{path}:6:8 bleed: 10 has no unit" in joined
    assert "grid.columns" in joined and "'five'" in joined
    assert "grid.gutte: unknown key: did you mean 'gutter'?" in joined
    gutter_line = text.splitlines().index("  gutte: 60mm") + 1
    assert f"{path}:{gutter_line}:3 grid.gutte" in joined


@pytest.mark.parametrize("content, expected", [
    ("", "the file is empty"),
    ("format: 18/1\n\tgrid: {}\n", "not tabs"),
    ("format: [18/1\n", "YAML syntax error"),
    ("x: !!python/object:os.system {}\n", "is not allowed"),
    ("- a\n- b\n", "a layout is a mapping"),
    ("format: 18/1\nformat: a0\n", "appears twice"),
    ("when: 2024-01-01\n", "put it in quotes"),
])
def test_broken_yaml_is_reported_with_a_place(write_layout, content, expected):
    path = write_layout(content)
    lines = problems_of(path)
    assert expected in lines[0]
    assert re.match(rf"{re.escape(str(path))}:\d+:\d+", lines[0])


def test_anchor_bomb_is_refused(write_layout):
    rows = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level, name in enumerate("bcdefgh"):
        previous = "abcdefgh"[level]
        rows.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    lines = problems_of(write_layout("\n".join(rows) + "\n"))
    assert "expands to more than" in lines[0]


def test_non_utf8_bytes(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: Düsseldorfer Straße\n".encode("latin-1"))
    assert "is not UTF-8" in problems_of(path)[0]
    assert f"{path}:1:" in problems_of(path)[0]


def test_folder_and_missing_file(tmp_path):
    assert "is a folder" in problems_of(tmp_path)[0]
    assert "no such file" in problems_of(tmp_path / "nope.yaml")[0]


def test_cross_references(stadtbibliothek_data, write_layout):
    data = stadtbibliothek_data
    data["format"] = "18/2"
    data["captions"]["lines"][0]["font"] = "blak"
    data["grid"]["cells"][1]["quote"] = "Brigite"
    data["people"].append(dict(data["people"][0]))
    joined = "\n".join(problems_of(write_layout(data)))
    assert "format: unknown format '18/2': did you mean '18/1'" in joined
    assert "captions.lines[0].font: unknown font 'blak': did you mean 'black'?" in joined
    assert "grid.cells[1].quote: unknown person 'Brigite': did you mean 'Brigitte'?" in joined
    assert "people[9].name: 'Tamara' is listed twice" in joined


def test_missing_required_key(stadtbibliothek_data, write_layout):
    del stadtbibliothek_data["grid"]["columns"]
    lines = problems_of(write_layout(stadtbibliothek_data))
    assert any("grid.columns: required key 'columns' is missing" in line for line in lines)


def test_size_range_order_and_focus_range(stadtbibliothek_data, write_layout):
    data = stadtbibliothek_data
    data["headline"]["size"] = {"max": "20pt", "min": "40pt"}
    data["people"][0]["focus"] = [0.5, 1.5]
    joined = "\n".join(problems_of(write_layout(data)))
    assert "headline.size: min (40pt) is larger than max (20pt)" in joined
    assert "people[0]: focus [0.5, 1.5] must lie within" in joined


def test_json_schema_describes_the_format():
    schema = json_schema()
    assert {"format", "grid", "people", "captions", "fonts"} <= set(schema["properties"])
    assert schema["$defs"]["Person"]["additionalProperties"] is False
    # a layout takes keys from the files it extends: the schema names extends and requires nothing
    assert "extends" in schema["properties"] and "required" not in schema
