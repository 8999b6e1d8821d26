from fractions import Fraction

import pytest

from plakat.units import EMU_PER_INCH, EMU_PER_MM, EMU_PER_PT, format_length, mm, parse_length, pixels, pt


@pytest.mark.parametrize("text, emu", [
    ("3560mm", 3560 * EMU_PER_MM),
    ("356cm", 3560 * EMU_PER_MM),
    ("3.56m", 3560 * EMU_PER_MM),
    ("1in", EMU_PER_INCH),
    ("72pt", EMU_PER_INCH),
    ("0.5 in", EMU_PER_INCH // 2),
    ("150px@150dpi", EMU_PER_INCH),
    (" 12.5mm ", 450000),
    ("-3mm", -3 * EMU_PER_MM),
])
def test_lengths_parse_exactly(text, emu):
    assert parse_length(text) == emu


def test_inch_millimetre_and_point_agree_exactly():
    assert parse_length("25.4mm") == parse_length("1in") == parse_length("72pt")
    assert mm(Fraction(254, 10)) == pt(72)


@pytest.mark.parametrize("text", ["12", "12 px", "mm", "12furlongs", "1,5mm", ""])
def test_bad_lengths_say_how_to_write_them(text):
    with pytest.raises(ValueError) as raised:
        parse_length(text)
    assert "mm" in str(raised.value)


def test_zero_dpi_is_refused():
    with pytest.raises(ValueError, match="dpi must be greater than 0"):
        parse_length("12px@0dpi")


def test_format_and_pixels():
    assert format_length(mm(3560)) == "3560mm"
    assert format_length(parse_length("0.5in")) == "12.7mm"
    assert pixels(mm(3560), 50) == 7008  # 3560 / 25.4 * 50 = 7007.87
    assert parse_length("1pt") == EMU_PER_PT
