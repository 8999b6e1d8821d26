import dataclasses
import unicodedata

import pytest

from plakat.hyphenation import DATA_DIR, Break, Hyphenator, hyphenator

# Dictionary (Duden, reformed spelling 2006+) break points: "-" a valid point the patterns may
# leave out, "|" a point they must find (compound and prefix boundaries, where a wrong or missing
# break hurts most). A point with fewer than 2 letters before or 3 after is valid in the dictionary
# but never given here, so "-" is the right mark for it.
DICTIONARY = [
    "In-ten-siv|kran-ken|schwes-ter",
    # Duden writes Ra|dio without a break between i and o (a syllable reading would allow Ra-di-o):
    # Duden's form is the one taken, so "Radi-omoderatorin" counts as wrong
    "Ra-dio|mo-de-ra-to-rin",
    "Toi-let-ten|pa-pier",
    "Ge-ne-ra-ti-on",
    "Feu-er|wehr|mann",
    "Kin-der|gar-ten|kind",
    "Ca-fé|in-ha-be-rin",
    "Heb-am-me",
    "Rent-ne-rin",
    "Mu-si-ker",
    "Co-me-di-an",
    "so-li-da-risch",
    "Fort|schritt",
    "Deutsch|land",
    # Bi-b-lio-thek: Duden allows both Bi-bliothek and Bib-liothek
    "Stadt|bi-b-lio-thek",
    "Düs-sel-dor-fer",
    "Stra-ße",
    "Stra-ßen|bahn",
    "Schiff|fahrt",
    "Zu-cker",
    "Öf-fent-lich-keit",
    "Fuß|gän-ger|zo-ne",
    "Über|gän-ge",
    "Bür-ger|meis-te-rin",
    "Haupt|bahn|hof",
    "Kran-ken|pfle-ger",
    "Apo-the-ke-rin",
    "Pä-d-a-go-gin",
    # words where a wrong split reads as another word: Urin-stinkt, Er-blasser, Altbauer-haltung
    "Ur|in-s-tinkt",
    "Erb|las-ser",
    "Alt|bau|er-hal-tung",
]


def split(entry: str) -> tuple[str, set[int], set[int]]:
    """The word, its valid break points and the required ones, as indices into the word."""
    word, valid, required = "", set(), set()
    for char in entry:
        if char in "-|":
            valid.add(len(word))
            if char == "|":
                required.add(len(word))
        else:
            word += char
    return word, valid, required


def rebuild(token: str, breaks: tuple[Break, ...]) -> str:
    """The token with "=" where a hyphen would be added and "/" at a break without one."""
    out, last = [], 0
    for b in breaks:
        out += [token[last : b.index], "=" if b.hyphen else "/"]
        last = b.index
    return "".join([*out, token[last:]])


@pytest.fixture(scope="module")
def german() -> Hyphenator:
    return hyphenator("de")


@pytest.fixture(scope="module")
def patterns() -> list[str]:
    return (DATA_DIR / "hyph-de-1996.pat.txt").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("entry", DICTIONARY)
def test_only_dictionary_breaks_and_the_compound_boundaries(german, entry):
    word, valid, required = split(entry)
    breaks = german.breaks(word)
    points = {b.index for b in breaks}
    assert all(b.hyphen for b in breaks)
    assert points <= valid, f"{word}: wrong breaks at {sorted(points - valid)} (dictionary: {entry})"
    assert required <= points, f"{word}: missing breaks at {sorted(required - points)} (dictionary: {entry})"


def test_the_errors_of_other_german_dictionaries_are_not_made(german):
    assert german.breaks("Fortschritt") == (Break(4, True),)
    assert german.breaks("Deutschland") == (Break(7, True),)


def test_at_least_two_letters_before_and_three_after(german, patterns):
    for word in ("Abend", "Ofen", "Ecke", "Oase", "Straße"):
        assert german.breaks(word) == ()
    for entry in DICTIONARY:
        word = split(entry)[0]
        for b in german.breaks(word):
            assert b.index >= 2 and len(word) - b.index >= 3, word
    # the patterns themselves would break these: the minimum is what holds them together
    loose = Hyphenator(patterns, left=1, right=2)
    assert {b.index for b in loose.breaks("Straße")} == {4}
    assert {b.index for b in loose.breaks("Hebamme")} == {3, 5}
    assert {b.index for b in german.breaks("Hebamme")} == {3}


def test_capitalisation_does_not_matter(german):
    expected = german.breaks("deutschland")
    assert expected
    assert german.breaks("Deutschland") == german.breaks("DEUTSCHLAND") == expected
    assert german.breaks("STADTBIBLIOTHEK") == german.breaks("stadtbibliothek")


def test_umlauts_and_sharp_s_decomposed_or_not(german):
    assert [b.index for b in german.breaks("Düsseldorfer")] == [3, 6, 9]
    assert [b.index for b in german.breaks("Straßenbahn")] == [4, 7]
    # u + combining diaeresis: one letter more in the string, the same breaks in the word
    decomposed = unicodedata.normalize("NFD", "Düsseldorfer")
    assert [b.index for b in german.breaks(decomposed)] == [4, 7, 10]


@pytest.mark.parametrize(
    "token, expected",
    [
        ("„Hoffnung,“", "„Hoff=nung,“"),
        ("(Hebamme)", "(Heb=amme)"),
        ("Deutschland!", "Deutsch=land!"),
        # punctuation does not count towards the three letters after a break
        ("(Straße)", "(Straße)"),
        ("„Ab", "„Ab"),
    ],
)
def test_punctuation_around_a_token(german, token, expected):
    assert rebuild(token, german.breaks(token)) == expected


@pytest.mark.parametrize(
    "token, expected",
    [
        ("Duisburg-Nord", "Duis=burg-/Nord"),
        ("Tee-Ei", "Tee-/Ei"),
        ("Kranken-Schwester", "Kran=ken-/Schwes=ter"),
        ("Lehrer/innen", "Leh=rer//in=nen"),
        ("A4-Format", "A4-/For=mat"),
        ("Berlin–Hamburg", "Ber=lin–/Ham=burg"),
        # the minimum holds inside each part, whatever follows the hyphen
        ("Straße-Nord", "Straße-/Nord"),
        # after the slash, not between the two marks
        ("Ost-/Westdeutschland", "Ost-//West=deutsch=land"),
        ("Ost-", "Ost-"),
        ("-Nord", "-Nord"),
        ("Nord\u2011Süd", "Nord\u2011Süd"),
    ],
)
def test_explicit_hyphens_and_slashes_break_without_an_added_hyphen(german, token, expected):
    assert rebuild(token, german.breaks(token)) == expected


def test_soft_hyphens_are_the_only_hyphenated_breaks(german):
    token = "Heb\u00adam\u00adme"
    assert german.breaks(token) == (Break(4, True), Break(7, True))
    # the patterns would break Hebamme after Heb, not after Hebam
    assert german.breaks("Hebam\u00adme") == (Break(6, True),)
    assert german.breaks("Duisburg-Nord\u00adwest") == (Break(9, False), Break(14, True))
    assert german.breaks("\u00adHebamme\u00ad") == ()


@pytest.mark.parametrize("token", ["2024", "10.000", "2020/21", "…", "—", "1-2"])
def test_no_letters_no_breaks(german, token):
    assert german.breaks(token) == ()


def test_exceptions_override_the_patterns(patterns):
    assert Hyphenator(patterns).breaks("Wachstube") == ()
    own = Hyphenator(patterns, exceptions=["Wach-stu-be"])
    assert own.breaks("Wachstube") == (Break(4, True),)
    assert own.breaks("„Wachstube“") == (Break(5, True),)


def test_unknown_language_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown language 'fr': plakat hyphenates de"):
        hyphenator("fr")


def test_one_hyphenator_per_language_and_breaks_are_values(german):
    assert hyphenator("de") is german
    brk = german.breaks("Fortschritt")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        brk.index = 3  # type: ignore[misc]
