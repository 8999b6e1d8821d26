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


# --- properties -------------------------------------------------------------------------------

from hypothesis import example, given, settings
from hypothesis import strategies as st

from plakat.units import Length

UNIT_EMU = {"mm": Fraction(EMU_PER_MM), "cm": Fraction(EMU_PER_MM * 10), "m": Fraction(EMU_PER_MM * 1000),
            "in": Fraction(EMU_PER_INCH), "pt": Fraction(EMU_PER_PT)}
SPACE = st.sampled_from(["", " ", "  ", "\t", " \t "])


@st.composite
def decimals(draw) -> str:
    """A decimal number as a designer writes it: 12, 12.5, .5, 12., -3, +0.25."""
    sign = draw(st.sampled_from(["", "-", "+"]))
    whole = draw(st.integers(0, 10**7))
    digits = draw(st.integers(0, 6))
    fraction = draw(st.integers(0, 10**digits - 1)) if digits else None
    shape = draw(st.sampled_from(["whole", "point", "both", "leading"]))
    if shape == "whole" or fraction is None:
        return f"{sign}{whole}"
    if shape == "point":
        return f"{sign}{whole}."
    if shape == "leading":
        return f"{sign}.{fraction:0{digits}d}"
    return f"{sign}{whole}.{fraction:0{digits}d}"


@settings(max_examples=150)  # every unit still meets every shape of number several times
@given(decimals(), st.sampled_from(sorted(UNIT_EMU)), SPACE, SPACE, SPACE)
def test_every_unit_parses_exactly_with_any_spacing(number, unit, before, between, after):
    assert parse_length(f"{before}{number}{between}{unit}{after}") == round(Fraction(number) * UNIT_EMU[unit])


@settings(max_examples=100)
@given(decimals(), st.integers(1, 4800), st.sampled_from(["", ".", ".5"]), SPACE, SPACE)
def test_pixels_at_a_resolution_parse_exactly(number, dpi, dpi_fraction, between, around_at):
    dpi_text = f"{dpi}{dpi_fraction}"
    text = f"{number}{between}px{around_at}@{around_at}{dpi_text}{around_at}dpi"
    assert parse_length(text) == round(Fraction(number) * EMU_PER_INCH / Fraction(dpi_text))


@given(st.integers(-10**9, 10**9))
def test_units_agree_with_each_other(n):
    assert parse_length(f"{n}in") == parse_length(f"{n * 72}pt")
    assert parse_length(f"{n * 10}in") == parse_length(f"{n * 254}mm") == parse_length(f"{n * 25.4:.1f}cm")
    assert parse_length(f"{n}m") == parse_length(f"{n * 100}cm") == parse_length(f"{n * 1000}mm")
    assert parse_length(f"{n}px@72dpi") == parse_length(f"{n}pt")


@given(st.integers(-10**15, 10**15))
@example(0)
@example(18)  # half a micrometre
@example(-18)
def test_format_then_parse_is_within_half_a_micrometre(emu):
    text = format_length(emu)
    assert text.endswith("mm") and " " not in text and text != "-0mm"
    assert abs(parse_length(text) - emu) <= EMU_PER_MM // 2000  # 18 EMU


@given(st.integers(-10**12, 10**12))
def test_whole_micrometres_round_trip_exactly(micrometres):
    emu = micrometres * (EMU_PER_MM // 1000)
    assert parse_length(format_length(emu)) == emu
    assert format_length(parse_length(format_length(emu))) == format_length(emu)


@given(st.integers(-10**400, 10**400))
def test_format_length_never_fails_on_any_integer(emu):
    assert format_length(Length(emu)).endswith("mm")


@settings(max_examples=150)  # besides the explicit examples below, which always run
@given(st.one_of(st.text(), st.text(alphabet="0123456789.+-@ \tmcinptxd,e_"), st.text(min_size=90, max_size=300)))
@example("1" * 5000 + "mm")
@example("0." + "0" * 5000 + "1mm")
@example("12px@0dpi")
@example("12px@0.0dpi")
@example("nan mm")
@example("inf in")
@example("1e5mm")
@example("1_000mm")
@example("12mm\x00")
@example("\u0661\u0662mm")  # Arabic-Indic digits
def test_garbage_is_refused_with_value_error_and_nothing_else(text):
    try:
        length = parse_length(text)
    except ValueError as error:
        assert str(error)
    else:
        assert isinstance(length, Length)


@given(st.one_of(st.text(alphabet=st.characters(blacklist_categories=["Nd"])),  # no digit at all
                 decimals().map(str.strip),  # a number without a unit
                 st.tuples(decimals(), st.text(alphabet="abfghjklnoqrsuvwyz", min_size=1)).map("".join)))
def test_text_without_a_number_or_a_unit_is_refused(text):
    with pytest.raises(ValueError, match="is not a length"):
        parse_length(text)


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.binary(), st.lists(st.integers())))
def test_non_text_is_refused_with_value_error(value):
    try:
        parse_length(value)
    except ValueError as error:
        assert "mm" in str(error)
    else:
        raise AssertionError(f"{value!r} was accepted")
