"""Caption, quote and attribution templates: checked at their line, filled without "None"."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from plakat.cli import app
from plakat.pipeline import build
from plakat.scene import TextLine
from plakat.templates import PERSON_FIELDS, QUOTE_FIELDS, fill, template_problem

runner = CliRunner()


@pytest.mark.parametrize(
    "template, values, expected",
    [
        ("{name}, {age}", {"name": "Marlon", "age": "5"}, "Marlon, 5"),
        ("{name}, {age}", {"name": "Marlon", "age": ""}, "Marlon"),
        ("– {name}, {age}, {role}", {"name": "Brigitte", "age": "", "role": "Rentnerin"}, "– Brigitte, Rentnerin"),
        ("– {name}, {age}, {role}", {"name": "Brigitte", "age": "81", "role": ""}, "– Brigitte, 81"),
        ("{age}, {name}", {"name": "Brigitte", "age": ""}, "Brigitte"),
        ("{name} ({age})", {"name": "Brigitte", "age": ""}, "Brigitte"),
        ("{name} ({age})", {"name": "Brigitte", "age": "81"}, "Brigitte (81)"),
        ("„{quote}“", {"quote": "Toilettenpapier war nie ein Problem."}, "„Toilettenpapier war nie ein Problem.“"),
        ("{role}", {"role": ""}, ""),
    ],
)
def test_fill_leaves_out_empty_fields_with_their_separator(template, values, expected):
    assert fill(template, values) == expected


@pytest.mark.parametrize(
    "template, known, expected",
    [
        (
            "„{quot}“",
            QUOTE_FIELDS,
            "unknown field {quot}: did you mean {quote}? known fields: {quote}, {name}, {age}, {role}",
        ),
        ("{nmae}, {age}", PERSON_FIELDS, "did you mean {name}?"),
        ("{quote}", PERSON_FIELDS, "unknown field {quote}"),
        ("{}", PERSON_FIELDS, "a field needs a name"),
        ("{name", PERSON_FIELDS, "a literal brace as {{"),
        ("{age:03d}", PERSON_FIELDS, "without ':' or '!'"),
    ],
)
def test_template_problems_name_the_field_and_the_known_ones(template, known, expected):
    assert expected in template_problem(template, known)


@pytest.mark.parametrize(
    "key, template, field",
    [
        (("quotes", "template"), "„{quot}“", "quotes.template"),
        (("quotes", "attribution", "template"), "– {nam}", "quotes.attribution.template"),
        (("captions", "lines", 1, "template"), "{rolle}", "captions.lines[1].template"),
    ],
)
def test_a_template_typo_exits_2_at_its_line(stadtbibliothek_data, write_layout, tmp_path, key, template, field):
    data = stadtbibliothek_data
    target = data
    for part in key[:-1]:
        target = target[part]
    target[key[-1]] = template
    path = write_layout(data)
    result = runner.invoke(app, ["render", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    line = next(
        number for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if template in text
    )
    assert f"{path}:{line}:" in result.output and f"{field}: unknown field" in result.output
    assert "known fields:" in result.output and "internal error" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_person_without_an_age_never_prints_none(stadtbibliothek_data, write_layout):
    data = stadtbibliothek_data
    brigitte = next(person for person in data["people"] if person["name"] == "Brigitte")
    del brigitte["age"]
    data["quotes"]["template"] = "„{quote}“ ({name}, {age})"
    texts = [line.text for line in build(write_layout(data)).scene.of_type(TextLine)]
    assert not any("None" in text for text in texts)
    assert "Brigitte" in texts and "Brigitte," not in texts  # caption "{name}, {age}"
    assert "– Brigitte, Rentnerin" in texts  # attribution "– {name}, {age}, {role}"
    quote = " ".join(
        line.text
        for line in build(write_layout(data)).scene.of_type(TextLine)
        if line.element == "quote of Brigitte" and not line.text.startswith("–")
    )
    assert quote.endswith("Problem.“ (Brigitte)")
