"""Translations: English for every one of our strings, and the Vietnamese overrides
of Django's and django-simple-history's own catalogues (see locale/README.md)."""

import ast
import gettext as gnu_gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

LOCALE = Path(settings.BASE_DIR) / "locale"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
VI_PO = LOCALE / "vi" / "LC_MESSAGES" / "django.po"
VI_OVERRIDES = LOCALE / "vi" / "overrides.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sd]|\{\w*\}")
KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$")


def read_po(path):
    """The entries of a PO file as dicts: msgid (with its msgctxt, as gettext keys
    it), msgid_plural, msgstr (a list), fuzzy. Enough for the files makemessages
    writes; obsolete entries are skipped."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry = {
            "msgctxt": None,
            "msgid": None,
            "msgid_plural": None,
            "msgstr": [],
            "fuzzy": False,
        }
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["fuzzy"] = entry["fuzzy"] or "fuzzy" in line
            elif line.startswith("#"):
                continue
            elif match := KEYWORD.match(line):
                key, text = match.group(1), ast.literal_eval(match.group(2))
                if key.startswith("msgstr"):
                    entry["msgstr"].append(text)
                else:
                    entry[key] = text
            elif line.startswith('"') and key:
                text = ast.literal_eval(line)
                if key.startswith("msgstr"):
                    entry["msgstr"][-1] += text
                else:
                    entry[key] += text
        if entry["msgid"]:  # not the header, not a comment-only block
            # The key gettext uses: a msgctxt is joined to its msgid by EOT.
            if entry["msgctxt"] is not None:
                entry["msgid"] = f"{entry['msgctxt']}\x04{entry['msgid']}"
            entries.append(entry)
    return entries


# --- our strings in English ------------------------------------------------------


@pytest.mark.parametrize(
    ("vietnamese", "english"),
    [
        ("Văn bản phối hợp", "Coordination agreements"),
        ("Quy chế phối hợp", "Coordination regulation"),
        ("Chương trình phối hợp", "Coordination program"),
        ("Cơ quan, đơn vị", "Agency"),
        ("Giao ban", "Liaison meeting"),
        ("Sơ kết giữa nhiệm kỳ", "Mid-term review"),
        ("Đăng nhập", "Log in"),
        ("kết quả đạt được", "results achieved"),
    ],
)
def test_key_strings_are_english_under_en(vietnamese, english):
    with translation.override("en"):
        assert gettext(vietnamese) == english


def test_plurals_are_english_under_en():
    with translation.override("en"):
        one = ngettext("%(counter)s văn bản", "%(counter)s văn bản", 1) % {"counter": 1}
        many = ngettext("%(counter)s văn bản", "%(counter)s văn bản", 3) % {"counter": 3}
    assert one == "1 agreement"
    assert many == "3 agreements"


def test_vietnamese_is_the_msgid_itself():
    with translation.override("vi"):
        assert gettext("Văn bản phối hợp") == "Văn bản phối hợp"
        assert ngettext("%(counter)s văn bản", "%(counter)s văn bản", 3) == "%(counter)s văn bản"


def test_login_page_is_english_with_the_language_cookie(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("login"))

    content = response.content.decode()
    assert response["Content-Language"] == "en"
    assert "Log in" in content
    assert "Password" in content
    assert "Đăng nhập" not in content


def test_login_page_is_vietnamese_without_the_cookie(client, db):
    response = client.get(reverse("login"))

    content = response.content.decode()
    assert response["Content-Language"] == "vi"
    assert "Đăng nhập" in content
    assert "Log in" not in content


# --- Django's and simple-history's strings in Vietnamese ----------------------------


@pytest.mark.parametrize(
    ("english", "vietnamese"),
    [
        ("History", "Lịch sử"),  # Django's own catalogue says "Bản ghi nhớ"
        ("Null characters are not allowed.", "Nội dung chứa ký tự không hợp lệ (NUL)."),
        ("Show counts", "Hiện số lượng"),
        ("Skip to main content", "Bỏ qua, đến nội dung chính"),
        ("Enter a whole number.", "Nhập một số nguyên."),
        (
            "Ensure this value is less than or equal to %(limit_value)s.",
            "Giá trị phải nhỏ hơn hoặc bằng %(limit_value)s.",
        ),
        ("Change reason", "Lý do thay đổi"),  # simple-history ships no Vietnamese
        # Not overridden: Django's Vietnamese is fine and still shows through.
        ("This field is required.", "Trường này là bắt buộc."),
        ("Enter a valid date.", "Nhập một ngày hợp lệ."),
    ],
)
def test_django_strings_are_vietnamese_under_vi(english, vietnamese):
    with translation.override("vi"):
        assert gettext(english) == vietnamese


def test_django_plurals_are_vietnamese_under_vi():
    with translation.override("vi"):
        errors = ngettext("Please correct the error below.", "Please correct the errors below.", 2)
        too_long = ngettext(
            "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
            5,
        )
    assert errors == "Vui lòng sửa các lỗi dưới đây."
    assert too_long == "Tối đa %(limit_value)d ký tự (hiện có %(show_value)d)."


def test_form_errors_use_the_overrides():
    field = forms.CharField()

    with translation.override("vi"), pytest.raises(forms.ValidationError) as raised:
        field.clean("a\x00bcd")

    assert raised.value.messages == ["Nội dung chứa ký tự không hợp lệ (NUL)."]


def test_overrides_are_merged_into_the_compiled_catalogue():
    """Every entry of vi/overrides.po reaches django.mo: the msgcat step of
    `make messages` was not forgotten, and the .mo was compiled afterwards."""
    overrides = read_po(VI_OVERRIDES)
    assert len(overrides) > 50
    with translation.override("vi"):
        for entry in overrides:
            if entry["msgid_plural"]:
                got = ngettext(entry["msgid"], entry["msgid_plural"], 2)
            else:
                got = gettext(entry["msgid"])
            assert got == entry["msgstr"][0], entry["msgid"]


# --- the catalogues themselves ------------------------------------------------------


def test_every_english_entry_is_translated_and_checked():
    entries = read_po(EN_PO)

    assert len(entries) > 400
    assert [e["msgid"] for e in entries if not all(e["msgstr"])] == []
    assert [e["msgid"] for e in entries if e["fuzzy"]] == []


def test_english_keeps_every_placeholder():
    for entry in read_po(EN_PO):
        expected = set(PLACEHOLDER.findall(entry["msgid"]))
        expected |= set(PLACEHOLDER.findall(entry["msgid_plural"] or ""))
        for text in entry["msgstr"]:
            assert set(PLACEHOLDER.findall(text)) == expected, entry["msgid"]


def test_english_has_both_plural_forms():
    plurals = [e for e in read_po(EN_PO) if e["msgid_plural"]]

    assert plurals
    assert all(len(e["msgstr"]) == 2 for e in plurals)


def test_vietnamese_has_nothing_fuzzy():
    assert [e["msgid"] for e in read_po(VI_PO) if e["fuzzy"]] == []


@pytest.mark.parametrize("language", ["en", "vi"])
def test_committed_mo_matches_its_po(language):
    """The .mo files are committed (servers may lack gettext): each must carry
    exactly the translations of its .po."""
    po = read_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as mo:
        catalogue = gnu_gettext.GNUTranslations(mo)._catalog
    for entry in po:
        if entry["fuzzy"] or not all(entry["msgstr"]):
            continue
        if entry["msgid_plural"]:
            for index, text in enumerate(entry["msgstr"]):
                assert catalogue.get((entry["msgid"], index)) == text, entry["msgid"]
        else:
            assert catalogue.get(entry["msgid"]) == entry["msgstr"][0], entry["msgid"]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt not installed")
@pytest.mark.parametrize("path", [EN_PO, VI_PO, VI_OVERRIDES], ids=["en", "vi", "vi-overrides"])
def test_msgfmt_accepts_the_catalogue(path):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    if path == EN_PO:
        assert "fuzzy" not in result.stderr
        assert "untranslated" not in result.stderr
