"""Vietnamese text helpers: NFC normalisation and the diacritics-free search key."""

import unicodedata

import pytest
from django.utils import translation

from agreements.text import figure, fold, nfc, shorten

NFC_PHRASE = "Dân vận khéo"
NFD_PHRASE = unicodedata.normalize("NFD", NFC_PHRASE)


def test_the_nfd_fixture_really_is_decomposed():
    # Guards the other tests: if both spellings were equal they would prove nothing.
    assert NFD_PHRASE != NFC_PHRASE
    assert len(NFD_PHRASE) > len(NFC_PHRASE)
    assert not unicodedata.is_normalized("NFC", NFD_PHRASE)


def test_nfc_composes_decomposed_input():
    result = nfc(NFD_PHRASE)
    assert result == NFC_PHRASE
    assert unicodedata.is_normalized("NFC", result)


def test_nfc_strips_nul_characters():
    assert nfc("Dân\x00 vận\x00") == "Dân vận"


def test_nfc_strips_nul_from_decomposed_input():
    assert nfc(NFD_PHRASE + "\x00") == NFC_PHRASE


def test_nfc_leaves_composed_text_alone():
    assert nfc("31B-QCPH/BDV-ĐĐHĐND") == "31B-QCPH/BDV-ĐĐHĐND"


@pytest.mark.parametrize("value", [None, 2026, b"bytes"])
def test_nfc_returns_non_strings_unchanged(value):
    assert nfc(value) is value


@pytest.mark.parametrize("text", [NFC_PHRASE, NFD_PHRASE, "DÂN VẬN KHÉO", "dan van kheo"])
def test_fold_drops_diacritics_and_case(text):
    assert fold(text) == "dan van kheo"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đ", "d"),
        ("đ", "d"),
        ("ĐĐHĐND", "ddhdnd"),
        ("Đảng đoàn", "dang doan"),
        ("31B-QCPH/BDV-ĐĐHĐND", "31b-qcph/bdv-ddhdnd"),
    ],
)
def test_fold_turns_d_with_stroke_into_d(text, expected):
    assert fold(text) == expected


def test_fold_collapses_and_trims_whitespace():
    assert fold("  Dân \t vận\n\nkhéo  ") == "dan van kheo"


def test_fold_joins_parts_and_skips_empty_ones():
    assert fold("19/KH-UBND", "", None, "Kế hoạch Dân vận") == "19/kh-ubnd ke hoach dan van"


def test_fold_of_nothing_is_empty():
    assert fold() == ""
    assert fold("", None) == ""
    assert fold("   ") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Quốc phòng – an ninh", "quoc phong – an ninh"),
        ("Ủy ban MTTQ tỉnh", "uy ban mttq tinh"),
        ("Hòa Bình", "hoa binh"),
        ("Lạng Sơn", "lang son"),
        ("Nghệ An", "nghe an"),
    ],
)
def test_fold_handles_every_vietnamese_tone_and_vowel_mark(text, expected):
    assert fold(text) == expected


def test_fold_drops_nul_characters_like_nfc():
    assert fold("Dân\x00 vận khéo") == "dan van kheo"


def test_figures_are_written_as_the_office_writes_them_in_both_languages():
    # "." for thousands, "," for decimals; the English interface keeps the office's
    # formats (dinvan/formats/en).
    for language in ("vi", "en"):
        with translation.override(language):
            assert figure(11813046) == "11.813.046"
            assert figure(4.06, 1) == "4,1"
            assert figure(86095.6) == "86.096"
            assert figure(999) == "999"


@pytest.mark.parametrize(
    "text",
    ["", "Quy chế", "x" * 80, "x" * 81, "Quy chế phối hợp " * 10, NFD_PHRASE * 7, NFD_PHRASE * 20],
)
@pytest.mark.parametrize("length", [1, 10, 80])
def test_shorten_cuts_as_django_truncator_does(text, length):
    from django.utils.text import Truncator

    assert shorten(text, length) == Truncator(text).chars(length)
