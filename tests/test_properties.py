"""No lost data: property-based tests over every form of the staff workspace (issue 6).

Every form is posted through its real view with the test client, logged in as a real
user, with input drawn by hypothesis: Vietnamese text, decomposed (NFD) text, control
characters and NUL, huge and malformed numbers, malformed dates, giant strings,
forged management forms, ids of objects that do not exist or belong to another agency.
For every example:

1. no response is a server error (the test client re-raises what would have been a
   500; the input is in the failure message and in hypothesis's report);
2. a redirect means "saved": the database then holds exactly the input, stripped and
   NFC-normalised as the forms document, with its audit record, and the page the
   redirect leads to renders;
3. any other response wrote nothing: every row of every table of the agreements app,
   history tables included, is unchanged (and no file was left in MEDIA_ROOT);
4. every stored text is NFC and holds no NUL.

Each example runs in its own transaction (`hypothesis.extra.django.TestCase`), so
examples never see each other's writes. Examples are derandomized, so CI tests the
same inputs on every run; set PROPERTY_EXAMPLES=5 (a multiplier) for a deeper search.
"""

import datetime
import os
import re
import shutil
import string
import tempfile
import unicodedata
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

from django import forms as django_forms
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client, override_settings
from django.urls import resolve, reverse
from django.utils import translation
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from agreements.forms import MAX_TEXT
from agreements.models import (
    MAX_YEAR,
    MIN_YEAR,
    Agreement,
    AnnualPlan,
    Attachment,
    ContributedPaper,
    IndicatorValue,
    ItemAssessment,
    LegalBasis,
    PlanActivity,
    Review,
    UserProfile,
    UserSession,
)
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    AgreementPartyFactory,
    AreaFactory,
    ContentItemFactory,
    IndicatorFactory,
    ProfileFactory,
    ReviewFactory,
)

ON_POSTGRESQL = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
PASSWORD = "mat-khau-thu-nghiem-2026"  # what tests.factories.UserFactory sets
SCALE = max(1, int(os.environ.get("PROPERTY_EXAMPLES", "1")))
# Shrinking a failure to a minimal input can take minutes here (each example is a
# full request); PROPERTY_SHRINK=0 reports the first failing input as found.
PHASES = [p for p in Phase if os.environ.get("PROPERTY_SHRINK", "1") != "0" or p != Phase.shrink]


def examples(n):
    return settings(
        max_examples=n * SCALE,
        deadline=None,
        derandomize=True,
        phases=PHASES,
        database=None,
        print_blob=False,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    )


# --- strategies -------------------------------------------------------------------

VIETNAMESE = "ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵĐ"
LETTERS = VIETNAMESE + VIETNAMESE.upper() + string.ascii_letters + string.digits
PUNCTUATION = " .,;:-/()\"'&<>%!?#@*+=[]{}|~`^$"
# Everything but NUL that a paste from Word, a PDF or a terminal can bring along.
CONTROLS = "\t\n\r\x01\x08\x0b\x0c\x1b\x1f\x7f\x85\xa0\u200b\u200d\u2028\u2029\ufeff"
# Characters whose NFC form is longer than themselves (composition exclusions).
EXPANDING = "\u0958\ufb1d\ufb2c\u0344\u0f73"

_CHARS = st.one_of(
    st.sampled_from(LETTERS),
    st.sampled_from(PUNCTUATION),
    st.sampled_from(CONTROLS),
    st.characters(codec="utf-8", exclude_characters="\x00", exclude_categories=("Cs",)),
)


def nfc(value):
    return unicodedata.normalize("NFC", value)


def nfd(value):
    return unicodedata.normalize("NFD", value)


def stored(value):
    """What a form stores for a text input: stripped (Django's CharField), then NFC."""
    return nfc(value.strip())


def _repeat(unit, size):
    return (unit * (size // len(unit) + 1))[:size]


def _fits(max_size):
    def check(value):
        kept = value.strip()
        return len(kept) <= max_size and len(nfc(kept)) <= max_size

    return check


def text(max_size, *, required=False, giant=False):
    """Text a user may legitimately type: any character but NUL, in NFC or NFD, within
    the field's limit both as typed and as stored."""
    short = st.text(_CHARS, max_size=min(max_size, 40))
    variants = [short, short.map(nfd)]
    if giant:
        unit = st.text(_CHARS, min_size=1, max_size=8)
        variants.append(
            st.builds(_repeat, st.one_of(unit, unit.map(nfd)), st.integers(max_size - 30, max_size))
        )
    strategy = st.one_of(*variants)
    if required:
        strategy = st.builds(str.__add__, st.sampled_from(LETTERS), strategy)
    return strategy.map(lambda v: v if _fits(max_size)(v) else v.strip()[:max_size]).filter(
        _fits(max_size)
    )


def choice(model_choices, *, blank=False):
    values = [value for value in model_choices.values if value or blank]
    return st.sampled_from(values)


NASTY_NUMBERS = [
    "9" * 40,
    "-1",
    "-0",
    "1e309",
    "-1e309",
    "1E-400",
    "0E+1000000",
    "NaN",
    "sNaN",
    "Infinity",
    "2021.5",
    "2021.0",
    " 2021 ",
    "２０２２",
    "٢٠٢٢",
    "0x7E5",
    "1_000",
    "2021\x00",
    "99999999999999.99",
    "",
    "abc",
]
MALFORMED_DATES = [
    "31/02/2024",
    "00/00/0000",
    "2024-13-01",
    "29/02/2023",
    "32/01/2024",
    "1/1/1",
    "01/01/0001",
    "31/12/9999",
    "9999-99-99",
    "30/08/2021 10:00",
    "30.08.2021",
    "٣٠/٠٨/٢٠٢١",
    "30/08/2021\x00",
    "-1/-1/-1",
    "NaN",
    "",
]
MANAGEMENT_VALUES = ["abc", "-1", "100000", "", "1.5", "9" * 40, "0"]

any_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
giant_text = st.builds(
    _repeat,
    st.one_of(st.text(_CHARS, min_size=1, max_size=8), st.sampled_from(["\x00", EXPANDING])),
    st.integers(1_000, 100_000),
)
hostile_text = st.one_of(
    text(300),
    text(300).map(nfd),
    any_text,
    st.builds(lambda a, b: f"{a}\x00{b}", text(20), text(20)),
    st.text(st.sampled_from(EXPANDING + VIETNAMESE), max_size=30),
    giant_text,
)
numberish = st.one_of(
    st.sampled_from(NASTY_NUMBERS),
    st.integers(-(2**70), 2**70).map(str),
    st.integers(MIN_YEAR - 5, MAX_YEAR + 5).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)


def dmy(day):
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


dates = st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 12, 31))
dateish = st.one_of(
    st.sampled_from(MALFORMED_DATES), st.dates().map(dmy), st.dates().map(str), any_text
)


def optional_date(*, after=None):
    low = after or datetime.date(1900, 1, 1)
    return st.none() | st.dates(low, datetime.date(2100, 12, 31))


def years(low=MIN_YEAR, high=MAX_YEAR):
    return st.integers(low, high)


def fmt(value):
    """How a browser posts a value: dates dd/mm/yyyy, None empty."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return dmy(value)
    return str(value)


def formset(prefix, rows, *, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


@st.composite
def mutated(draw, payload, *, extra_keys=(), forged_ids=()):
    """`payload` with a few keys replaced by hostile values or removed."""
    data = dict(payload)
    keys = sorted({*data, *extra_keys})
    value = st.one_of(
        hostile_text,
        numberish,
        dateish,
        st.sampled_from(["", "0", "-1", "9" * 40, "on", "lead", *map(str, forged_ids)]),
    )
    for key in draw(st.lists(st.sampled_from(keys), min_size=1, max_size=4, unique=True)):
        if key.endswith(("TOTAL_FORMS", "INITIAL_FORMS")):
            replacement = st.sampled_from(MANAGEMENT_VALUES) | value
        else:
            replacement = value
        if draw(st.integers(0, 5)) == 0:
            data.pop(key, None)
        else:
            data[key] = draw(replacement)
    return data


# --- checks -----------------------------------------------------------------------


def _agreements_models():
    return list(apps.get_app_config("agreements").get_models(include_auto_created=True))


def snapshot():
    """Every row of every table of the agreements app, history included; not the
    sessions, whose expiry any request may renew."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values_list())
        for model in _agreements_models()
        if model is not UserSession
    }


def assert_text_clean():
    """Property 4: every stored text is NFC and free of NUL."""
    for model in _agreements_models():
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and f.name != "search_key"
        ]
        if not names:
            continue
        for row in model._default_manager.values_list("pk", *names):
            for name, value in zip(names, row[1:], strict=True):
                if value is None:
                    continue
                assert "\x00" not in value, f"NUL stored in {model.__name__}.{name} #{row[0]}"
                assert value == nfc(value), f"non-NFC text in {model.__name__}.{name} #{row[0]}"


def _sort_key(row):
    """Rows with None in them sort (None last) instead of raising TypeError."""
    return tuple((value is None, value) for value in row)


def _short(data):
    """The input, with giant values abbreviated, for failure messages."""
    if not isinstance(data, dict):
        return data
    return {
        k: (f"{v[:40]!r}… ({len(v)} chars)" if isinstance(v, str) and len(v) > 120 else v)
        for k, v in data.items()
    }


def call(client, method, url, data=None, **extra):
    """Property 1: a request through the real stack that must not be a server error."""
    try:
        response = getattr(client, method)(url, data or {}, **extra)
    except Exception as error:  # the test client re-raises the exception of a 500
        raise AssertionError(
            f"server error on {method.upper()} {url}: {error!r}\ninput: {_short(data)!r}"
        ) from error
    assert response.status_code < 500, (
        f"{response.status_code} on {method.upper()} {url}\ninput: {_short(data)!r}"
    )
    return response


def saved_pk(response):
    return int(resolve(urlparse(response["Location"]).path).kwargs["pk"])


def form_errors(response):
    context = response.context
    if context is None:
        return response.status_code
    errors = {}
    for key in ("form", "parties", "legal_bases", "items", "papers", "assessments", "values"):
        if key not in context:
            continue
        bound = context[key]
        if hasattr(bound, "non_form_errors"):
            errors[key] = [bound.non_form_errors(), *bound.errors]
        else:
            errors[key] = bound.errors
    return errors


def parse(field, value):
    """What a non-text form field makes of `value` (Django's own parsing, in Vietnamese)."""
    with translation.override("vi"):
        return field.clean(value)


_DATE = django_forms.DateField(required=False)
_INT = django_forms.IntegerField(required=False)


class WorkspaceTestCase(TestCase):
    """Fixture data shared by every example: two agencies of one province, one of
    another, an editor of the first, and objects of the other agency to forge ids of."""

    @classmethod
    def setUpTestData(cls):
        cls.area = AreaFactory(name="Tỉnh Lai Châu", code="12")
        cls.other_area = AreaFactory(name="Tỉnh Nghệ An", code="40")
        cls.agency = AgencyFactory(name="Ban Dân vận Tỉnh ủy Lai Châu", area=cls.area)
        cls.partner = AgencyFactory(name="Đảng đoàn HĐND tỉnh Lai Châu", area=cls.area)
        cls.third = AgencyFactory(name="Ủy ban MTTQ Việt Nam tỉnh Lai Châu", area=cls.area)
        cls.stranger = AgencyFactory(name="Ban Dân vận Tỉnh ủy Nghệ An", area=cls.other_area)
        cls.editor = ProfileFactory(agency=cls.agency, role=UserProfile.Role.EDITOR).user
        cls.leader = ProfileFactory(
            agency=AgencyFactory(name="Tỉnh ủy Lai Châu", area=cls.area),
            role=UserProfile.Role.LEADER,
        ).user
        # Someone else's agreement, with an item: ids an attacker might forge.
        cls.foreign = AgreementFactory(lead_agency=cls.stranger, title="Của tỉnh khác")
        AgreementPartyFactory(agreement=cls.foreign, agency=cls.stranger, role="lead")
        cls.foreign_item = ContentItemFactory(agreement=cls.foreign, number=1)
        cls.foreign_review = ReviewFactory(agreement=cls.foreign)
        cls.foreign_plan = AnnualPlan.objects.create(agreement=cls.foreign, year=2022)
        # The agency's own agreement, with parties, legal bases and three items.
        cls.agreement = AgreementFactory(
            lead_agency=cls.agency, title="Chương trình phối hợp 2021 - 2026"
        )
        AgreementPartyFactory(agreement=cls.agreement, agency=cls.agency, role="lead")
        AgreementPartyFactory(agreement=cls.agreement, agency=cls.partner, role="partner")
        for n in (1, 2):
            LegalBasis.objects.create(agreement=cls.agreement, number=f"{n}-QĐ/TW", order=n)
        cls.items = [
            ContentItemFactory(agreement=cls.agreement, number=n, title=f"Nội dung số {n}")
            for n in (1, 2, 3)
        ]
        cls.count = IndicatorFactory(code="doi-thoai", name="Số cuộc đối thoại", kind="count")
        cls.ratio = IndicatorFactory(code="than-thien", name="Xã thân thiện", kind="ratio")
        cls.retired = IndicatorFactory(code="cu", name="Chỉ tiêu cũ", is_active=False)

    # Who needs a session; signing in costs one Argon2 hash each, so only these.
    signed_in = ("editor",)

    def setUp(self):
        # Sign in through the real login form once per test; every example reuses the
        # session (its rows predate the example's transaction). force_login is not
        # used: its bare request has no address, which django-axes then fails to
        # store on PostgreSQL.
        self.sessions = {}
        for role in self.signed_in:
            user = getattr(self, role)
            client = Client()
            response = client.post(
                reverse("login"), {"username": user.username, "password": PASSWORD}
            )
            assert response.status_code == 302, f"cannot sign in as {role}"
            self.sessions[user.pk] = client.cookies[django_settings.SESSION_COOKIE_NAME].value

    def setup_example(self):
        # Each example gets its own transaction and its own test client.
        super().setup_example()
        if self.signed_in:
            self.login(getattr(self, self.signed_in[0]))

    @property
    def forged_ids(self):
        missing = 10**6
        return [
            missing,
            self.foreign.pk,
            self.foreign_item.pk,
            self.foreign_review.pk,
            self.foreign_plan.pk,
            self.stranger.pk,
            self.retired.pk,
        ]

    def login(self, user):
        self.client.cookies[django_settings.SESSION_COOKIE_NAME] = self.sessions[user.pk]

    def post_and_check(self, url, data, **extra):
        """Properties 1, 3, 4 for one POST; returns the response for property 2."""
        before = snapshot()
        response = call(self.client, "post", url, data, **extra)
        if response.status_code == 302 and self._is_save(response):
            follow = call(self.client, "get", response["Location"])
            assert follow.status_code == 200, f"saved page answers {follow.status_code}"
        else:
            assert snapshot() == before, f"refused ({response.status_code}) but rows changed"
        assert_text_clean()
        return response

    def _is_save(self, response):
        return "/accounts/login/" not in response["Location"]


# --- the agreement page -------------------------------------------------------------


@st.composite
def agreement_main(draw, *, supersedes_ids):
    start = draw(st.none() | years())
    end = draw(st.none() | years(start or MIN_YEAR))
    review_years = years(start, end + 1) if start and end else years()
    effective_from = draw(optional_date())
    values = {
        "kind": draw(choice(Agreement.Kind)),
        "number": draw(text(100)),
        "title": draw(text(1000, required=True, giant=True)),
        "signed_on": draw(optional_date()),
        "place": draw(text(200)),
        "start_year": start,
        "end_year": end,
        "effective_from": effective_from,
        "effective_until": draw(optional_date(after=effective_from)),
        "lifecycle": draw(choice(Agreement.Lifecycle)),
        "supersedes": draw(st.sampled_from([None, *supersedes_ids])),
        "purpose": draw(text(MAX_TEXT, giant=True)),
        "meeting_frequency": draw(choice(Agreement.Frequency, blank=True)),
        "information_exchange": draw(text(MAX_TEXT)),
        "annual_review_required": draw(st.booleans()),
        "midterm_review_year": draw(st.none() | review_years),
        "final_review_year": draw(st.none() | review_years),
        "declared_item_count": draw(st.none() | st.integers(0, 200)),
        "notes": draw(text(MAX_TEXT)),
    }
    data = {k: fmt(v) for k, v in values.items() if k != "annual_review_required"}
    if values["annual_review_required"]:
        data["annual_review_required"] = "on"
    expected = dict(values)
    for name in ("number", "title", "place", "purpose", "information_exchange", "notes"):
        expected[name] = stored(values[name])
    expected["supersedes_id"] = expected.pop("supersedes")
    return data, expected


@st.composite
def party_rows(draw, *, own, others, existing=()):
    """Rows of the parties formset: the user's agency always takes part, one lead.

    On an edit page the stored parties come first, as rendered; the user may tick
    DELETE on any of them but their own agency. New parties follow.
    """
    layout = []  # (agency, deleted)
    for agency in existing:
        layout.append((agency, agency != own and draw(st.booleans())))
    candidates = [a for a in others if a not in existing]
    new = draw(st.lists(st.sampled_from(candidates), max_size=2, unique=True))
    if not existing:
        new = draw(st.permutations([own, *new]))
    layout += [(agency, False) for agency in new]
    lead = draw(st.sampled_from([agency for agency, deleted in layout if not deleted]))
    rows, expected = [], []
    for agency, deleted in layout:
        signatory = {
            "signatory_prefix": draw(st.sampled_from(["", "T/M", "K/T", "TL", "TUQ"])),
            "signatory_on_behalf_of": draw(text(300)),
            "signatory_name": draw(st.just("") | text(200, required=True)),
            "signatory_position": draw(text(300)),
        }
        row = {
            "agency": str(agency.pk),
            "role": "lead" if agency == lead else "partner",
            "name_as_signed": draw(text(300)),
            **signatory,
        }
        rows.append(row)
        if deleted:
            row["DELETE"] = "on"
            continue
        expected.append(
            {
                "agency_id": agency.pk,
                "role": row["role"],
                "name_as_signed": stored(row["name_as_signed"]) or agency.name,
                "signatory": (
                    (
                        signatory["signatory_prefix"],
                        stored(signatory["signatory_on_behalf_of"]),
                        stored(signatory["signatory_name"]),
                        stored(signatory["signatory_position"]),
                    )
                    if stored(signatory["signatory_name"])
                    else None
                ),
            }
        )
    # Rows the page rendered but the user left alone are ignored.
    rows += [{"agency": "", "role": "", "signatory_prefix": ""}] * draw(st.integers(0, 1))
    return rows, expected, lead


@st.composite
def basis_rows(draw, *, existing_ids=()):
    rows, expected = [], []
    for basis_id in existing_ids:
        row = {"id": str(basis_id), **draw(_basis_fields())}
        if draw(st.booleans()):
            row["DELETE"] = "on"
        rows.append(row)
    for _ in range(draw(st.integers(0, 3))):
        row = draw(_basis_fields())
        if draw(st.integers(0, 4)) == 0:
            row["DELETE"] = "on"
        rows.append(row)
    for row in rows:
        if "DELETE" not in row:
            expected.append(
                (
                    int(row["id"]) if row.get("id") else None,
                    stored(row["number"]),
                    parse(_DATE, row["issued_on"]),
                    stored(row["issuer"]),
                    stored(row["title"]),
                )
            )
    rows += [{}] * draw(st.integers(0, 1))
    return rows, expected


@st.composite
def _basis_fields(draw):
    return {
        "number": draw(text(100, required=True)),
        "issued_on": fmt(draw(optional_date())),
        "issuer": draw(text(300)),
        "title": draw(text(1000)),
    }


@st.composite
def item_rows(draw, *, agencies, existing_ids=()):
    """Rows of the items formset: existing items kept, edited, moved or deleted, and
    new ones, with ORDER values that may tie or be missing."""
    rows = []
    for item_id in existing_ids:
        rows.append({"id": str(item_id), **draw(_item_fields(agencies))})
    rows += [draw(_item_fields(agencies)) for _ in range(draw(st.integers(0, 5)))]
    kept = []
    for position, row in enumerate(rows):
        row["ORDER"] = draw(st.sampled_from(["", str(position + 1)]) | st.integers(-3, 9).map(str))
        if draw(st.integers(0, 4)) == 0:
            row["DELETE"] = "on"
            continue
        order = int(row["ORDER"]) if row["ORDER"] else position + 1
        kept.append((order, position, row))
    expected = [
        (
            int(row["id"]) if row.get("id") else None,
            stored(row["title"]),
            stored(row["description"]),
            stored(row["expected_result"]),
            int(row["lead_agency"]) if row["lead_agency"] else None,
        )
        for _order, _position, row in sorted(kept, key=lambda k: (k[0], k[1]))
    ]
    rows += [{}] * draw(st.integers(0, 1))
    return rows, expected


@st.composite
def _item_fields(draw, agencies):
    return {
        "title": draw(text(1000, required=True)),
        "description": draw(text(MAX_TEXT, giant=True)),
        "lead_agency": draw(st.sampled_from(["", *(str(a.pk) for a in agencies)])),
        "expected_result": draw(text(MAX_TEXT)),
    }


class AgreementPageTests(WorkspaceTestCase):
    def agreement_payload(self, data, *, existing=None):
        agencies = [self.partner, self.third, self.stranger]
        supersedes = [] if existing else [self.agreement.pk]
        main, expected = data.draw(agreement_main(supersedes_ids=supersedes), label="fields")
        stored_parties = (
            [p.agency for p in existing.parties.order_by("order", "id")] if existing else []
        )
        parties, expected["parties"], lead = data.draw(
            party_rows(own=self.agency, others=agencies, existing=stored_parties),
            label="parties",
        )
        bases, expected["bases"] = data.draw(
            basis_rows(existing_ids=[b.pk for b in existing.legal_bases.all()] if existing else []),
            label="legal bases",
        )
        items, expected["items"] = data.draw(
            item_rows(
                agencies=[self.agency, *agencies],
                existing_ids=[i.pk for i in existing.items.all()] if existing else [],
            ),
            label="items",
        )
        expected["lead_agency_id"] = lead.pk
        # INITIAL_FORMS as the page renders them: one own-agency row on a new agreement.
        initial = len(stored_parties) if existing else 1
        payload = {
            **main,
            "version": str(existing.version) if existing else "",
            **formset("parties", parties, initial=initial),
            **formset("bases", bases, initial=existing.legal_bases.count() if existing else 0),
            **formset("items", items, initial=existing.items.count() if existing else 0),
        }
        return payload, expected

    def assert_reads_back(self, pk, expected, *, version):
        agreement = Agreement.objects.get(pk=pk)
        for name, value in expected.items():
            if name not in {"parties", "bases", "items"}:
                assert getattr(agreement, name) == value, name
        assert agreement.version == version
        parties = [
            {
                "agency_id": party.agency_id,
                "role": party.role,
                "name_as_signed": party.name_as_signed,
                "signatory": next(
                    (
                        (s.prefix, s.on_behalf_of, s.name, s.position)
                        for s in party.signatories.all()
                    ),
                    None,
                ),
            }
            for party in agreement.parties.order_by("order", "id")
        ]
        assert parties == expected["parties"]
        bases = list(
            agreement.legal_bases.order_by("order", "id").values_list(
                "pk", "number", "issued_on", "issuer", "title"
            )
        )
        assert [b[1:] for b in bases] == [e[1:] for e in expected["bases"]]
        for (pk_stored, *_), (pk_expected, *_) in zip(bases, expected["bases"], strict=True):
            assert pk_expected in (None, pk_stored), "an edited legal basis changed identity"
        items = list(
            agreement.items.order_by("number").values_list(
                "pk", "number", "title", "description", "expected_result", "lead_agency_id"
            )
        )
        assert [i[1] for i in items] == list(range(1, len(items) + 1))
        assert [(i[2], i[3], i[4], i[5]) for i in items] == [e[1:] for e in expected["items"]]
        for stored_item, expected_item in zip(items, expected["items"], strict=True):
            assert expected_item[0] in (None, stored_item[0]), "an edited item changed identity"
        audit = agreement.history.first()
        assert audit.history_user_id == self.editor.pk
        assert (audit.title, audit.version) == (agreement.title, agreement.version)

    @examples(25)
    @given(data=st.data())
    def test_a_new_agreement_reads_back_exactly(self, data):
        payload, expected = self.agreement_payload(data)
        response = self.post_and_check(reverse("agreements:agreement_create"), payload)
        assert response.status_code == 302, form_errors(response)
        self.assert_reads_back(saved_pk(response), expected, version=1)

    @examples(20)
    @given(data=st.data())
    def test_an_edited_agreement_reads_back_exactly(self, data):
        existing = Agreement.objects.get(pk=self.agreement.pk)
        payload, expected = self.agreement_payload(data, existing=existing)
        url = reverse("agreements:agreement_update", args=[existing.pk])
        response = self.post_and_check(url, payload)
        assert response.status_code == 302, form_errors(response)
        self.assert_reads_back(existing.pk, expected, version=existing.version + 1)

    @examples(40)
    @given(data=st.data())
    def test_hostile_input_on_the_agreement_page(self, data):
        edit = data.draw(st.booleans(), label="edit")
        existing = Agreement.objects.get(pk=self.agreement.pk) if edit else None
        payload, _expected = self.agreement_payload(data, existing=existing)
        payload = data.draw(
            mutated(
                payload,
                extra_keys=["add_row", "items-0-id", "bases-0-id", "parties-0-agency"],
                forged_ids=[*self.forged_ids, *(i.pk for i in self.items)],
            ),
            label="hostile payload",
        )
        url = (
            reverse("agreements:agreement_update", args=[existing.pk])
            if edit
            else reverse("agreements:agreement_create")
        )
        response = self.post_and_check(url, payload)
        event(f"status {response.status_code}")
        if response.status_code == 302:
            self.assert_main_fields(saved_pk(response), payload)

    def test_decomposed_text_is_measured_as_it_is_stored(self):
        self.login(self.editor)
        title = _repeat("Tăng cường công tác dân vận của hệ thống chính trị, ", 1000)
        assert len(nfd(title)) > 1000
        payload = {
            "kind": "program",
            "title": nfd(title),
            "lifecycle": "signed",
            "version": "",
            **formset("parties", [{"agency": str(self.agency.pk), "role": "lead"}], initial=1),
            **formset("bases", []),
            **formset("items", []),
        }
        response = self.post_and_check(reverse("agreements:agreement_create"), payload)
        assert response.status_code == 302, form_errors(response)
        assert Agreement.objects.get(pk=saved_pk(response)).title == stored(title)

    def assert_main_fields(self, pk, payload):
        """Of a hostile input that was saved, the main fields read back exactly."""
        agreement = Agreement.objects.get(pk=pk)
        for name in ("number", "title", "place", "purpose", "information_exchange", "notes"):
            assert getattr(agreement, name) == stored(payload.get(name, "")), name
        for name in ("signed_on", "effective_from", "effective_until"):
            assert getattr(agreement, name) == parse(_DATE, payload.get(name, "")), name
        for name in ("start_year", "end_year", "midterm_review_year", "final_review_year"):
            assert getattr(agreement, name) == parse(_INT, payload.get(name, "")), name


# --- the review page ---------------------------------------------------------------


@st.composite
def review_main(draw):
    period_from = draw(optional_date())
    values = {
        "kind": draw(choice(Review.Kind)),
        "title": draw(text(500)),
        "period_from": period_from,
        "period_to": draw(optional_date(after=period_from)),
        "held_on": draw(optional_date()),
        "place": draw(text(500)),
        "chaired_by": draw(text(MAX_TEXT)),
        "attended_by": draw(text(MAX_TEXT)),
        **{name: draw(text(MAX_TEXT, giant=name == "results")) for name in Review.NARRATIVE_FIELDS},
    }
    expected = {
        k: stored(v) if k not in {"kind", "period_from", "period_to", "held_on"} else v
        for k, v in values.items()
    }
    return {k: fmt(v) for k, v in values.items()}, expected


@st.composite
def paper_rows(draw, *, existing_ids=()):
    rows = []
    for paper_id in existing_ids:
        rows.append({"id": str(paper_id), **draw(_paper_fields())})
    rows += [draw(_paper_fields()) for _ in range(draw(st.integers(0, 3)))]
    for row in rows:
        if draw(st.integers(0, 4)) == 0:
            row["DELETE"] = "on"
    expected = [
        (stored(r["title"]), stored(r["presenter"]), stored(r["position"]))
        for r in rows
        if "DELETE" not in r
    ]
    rows += [{}] * draw(st.integers(0, 1))
    return rows, expected


@st.composite
def _paper_fields(draw):
    return {
        "title": draw(text(1000, required=True)),
        "presenter": draw(text(200)),
        "position": draw(text(300)),
    }


@st.composite
def assessment_rows(draw, *, items):
    rows, expected = [], {}
    for item in items:
        progress = draw(st.sampled_from(["", *ItemAssessment.Progress.values]))
        comment = draw(text(MAX_TEXT)) if progress else ""
        rows.append({"content_item": str(item.pk), "progress": progress, "comment": comment})
        if progress:
            expected[item.pk] = (progress, stored(comment))
    return rows, expected


AMOUNT_MAX = Decimal("999999999999.99")
amounts = st.decimals(min_value=0, max_value=AMOUNT_MAX, places=2, allow_nan=False)


@st.composite
def value_rows(draw, *, indicators, agencies, areas, existing_ids=()):
    rows = []
    for value_id in existing_ids:
        rows.append({"id": str(value_id), **draw(_value_fields(indicators, agencies, areas))})
    rows += [
        draw(_value_fields(indicators, agencies, areas)) for _ in range(draw(st.integers(0, 2)))
    ]
    for row in rows:
        if draw(st.integers(0, 4)) == 0:
            row["DELETE"] = "on"
    expected = [
        (
            int(r["indicator"]),
            int(r["year"]),
            int(r["area"]) if r["area"] else None,
            int(r["agency"]) if r["agency"] else None,
            Decimal(r["value"]),
            Decimal(r["denominator"]) if r["denominator"] else None,
            stored(r["note"]),
        )
        for r in rows
        if "DELETE" not in r
    ]
    rows += [{}] * draw(st.integers(0, 1))
    return rows, expected


@st.composite
def _value_fields(draw, indicators, agencies, areas):
    indicator = draw(st.sampled_from(indicators))
    value = draw(amounts)
    if indicator.needs_denominator or draw(st.booleans()):
        extra = draw(amounts)
        denominator = str(max(min(value + extra, AMOUNT_MAX), Decimal("0.01")))
    else:
        denominator = ""
    area = draw(st.sampled_from(["", *(str(a.pk) for a in areas)]))
    agency = draw(st.sampled_from([*(str(a.pk) for a in agencies), *([""] if area else [])]))
    return {
        "indicator": str(indicator.pk),
        "year": str(draw(years())),
        "area": area,
        "agency": agency,
        "value": draw(st.sampled_from([str, "{:f}".format, "{:E}".format]))(value),
        "denominator": denominator,
        "note": draw(text(MAX_TEXT)),
    }


class ReviewPageTests(WorkspaceTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.review = ReviewFactory(agreement=cls.agreement, title="Hội nghị năm 2022")
        ContributedPaper.objects.create(review=cls.review, title="Tham luận cũ")
        ItemAssessment.objects.create(
            review=cls.review, content_item=cls.items[0], progress="done", comment="Tốt"
        )
        IndicatorValue.objects.create(
            indicator=cls.count,
            agreement=cls.agreement,
            review=cls.review,
            year=2022,
            agency=cls.agency,
            value=12,
        )

    def review_payload(self, data, *, existing=None):
        main, expected = data.draw(review_main(), label="fields")
        papers, expected["papers"] = data.draw(
            paper_rows(existing_ids=[p.pk for p in existing.papers.all()] if existing else []),
            label="papers",
        )
        assessments, expected["assessments"] = data.draw(
            assessment_rows(items=self.items), label="assessments"
        )
        values, expected["values"] = data.draw(
            value_rows(
                indicators=[self.count, self.ratio],
                agencies=[self.agency, self.partner, self.stranger],
                areas=[self.area, self.other_area],
                existing_ids=[v.pk for v in existing.indicator_values.all()] if existing else [],
            ),
            label="indicator values",
        )
        payload = {
            **main,
            "version": str(existing.version) if existing else "",
            **formset("papers", papers, initial=existing.papers.count() if existing else 0),
            **formset("assessments", assessments, initial=len(assessments)),
            **formset(
                "values", values, initial=existing.indicator_values.count() if existing else 0
            ),
        }
        return payload, expected

    def assert_reads_back(self, pk, expected, *, version):
        review = Review.objects.get(pk=pk)
        assert (review.agreement_id, review.status, review.version) == (
            self.agreement.pk,
            "draft",
            version,
        )
        for name, value in expected.items():
            if name not in {"papers", "assessments", "values"}:
                assert getattr(review, name) == value, name
        papers = list(
            review.papers.order_by("order", "id").values_list("title", "presenter", "position")
        )
        assert papers == expected["papers"]
        assessments = {a.content_item_id: (a.progress, a.comment) for a in review.assessments.all()}
        assert assessments == expected["assessments"]
        values = review.indicator_values.values_list(
            "indicator_id", "year", "area_id", "agency_id", "value", "denominator", "note"
        )
        assert sorted(values, key=_sort_key) == sorted(expected["values"], key=_sort_key)
        assert all(v.agreement_id == self.agreement.pk for v in review.indicator_values.all())
        audit = review.history.first()
        assert audit.history_user_id == self.editor.pk
        assert (audit.results, audit.version) == (review.results, review.version)

    @examples(20)
    @given(data=st.data())
    def test_a_new_review_reads_back_exactly(self, data):
        payload, expected = self.review_payload(data)
        url = reverse("agreements:review_create", args=[self.agreement.pk])
        response = self.post_and_check(url, payload)
        assert response.status_code == 302, form_errors(response)
        self.assert_reads_back(saved_pk(response), expected, version=1)

    @examples(15)
    @given(data=st.data())
    def test_an_edited_review_reads_back_exactly(self, data):
        existing = Review.objects.get(pk=self.review.pk)
        payload, expected = self.review_payload(data, existing=existing)
        url = reverse("agreements:review_update", args=[existing.pk])
        response = self.post_and_check(url, payload)
        assert response.status_code == 302, form_errors(response)
        self.assert_reads_back(existing.pk, expected, version=existing.version + 1)

    @examples(35)
    @given(data=st.data())
    def test_hostile_input_on_the_review_page(self, data):
        edit = data.draw(st.booleans(), label="edit")
        existing = Review.objects.get(pk=self.review.pk) if edit else None
        payload, _expected = self.review_payload(data, existing=existing)
        payload = data.draw(
            mutated(
                payload,
                extra_keys=["add_row", "papers-0-id", "values-0-id", "assessments-0-content_item"],
                forged_ids=[*self.forged_ids, *(i.pk for i in self.items)],
            ),
            label="hostile payload",
        )
        url = (
            reverse("agreements:review_update", args=[existing.pk])
            if edit
            else reverse("agreements:review_create", args=[self.agreement.pk])
        )
        response = self.post_and_check(url, payload)
        event(f"status {response.status_code}")
        if response.status_code == 302:
            review = Review.objects.get(pk=saved_pk(response))
            assert review.agreement_id == self.agreement.pk
            for name in ("title", "place", "chaired_by", "attended_by", *Review.NARRATIVE_FIELDS):
                assert getattr(review, name) == stored(payload.get(name, "")), name
            for name in ("period_from", "period_to", "held_on"):
                assert getattr(review, name) == parse(_DATE, payload.get(name, "")), name
            # Figures and assessments never attach to another agreement's rows.
            assert not review.indicator_values.exclude(agreement=self.agreement).exists()
            assert not review.assessments.exclude(content_item__agreement=self.agreement).exists()


# --- the annual plan page ----------------------------------------------------------


@st.composite
def activity_rows(draw, *, items, agencies, existing_ids=()):
    rows = []
    for activity_id in existing_ids:
        rows.append({"id": str(activity_id), **draw(_activity_fields(items, agencies))})
    rows += [draw(_activity_fields(items, agencies)) for _ in range(draw(st.integers(0, 3)))]
    for row in rows:
        if draw(st.integers(0, 4)) == 0:
            row["DELETE"] = "on"
    expected = [
        (
            int(r["content_item"]) if r["content_item"] else None,
            stored(r["activity"]),
            int(r["responsible_agency"]) if r["responsible_agency"] else None,
            parse(_DATE, r["deadline"]),
            parse(_DATE, r["done_on"]),
        )
        for r in rows
        if "DELETE" not in r
    ]
    rows += [{}] * draw(st.integers(0, 1))
    return rows, expected


@st.composite
def _activity_fields(draw, items, agencies):
    return {
        "content_item": draw(st.sampled_from(["", *(str(i.pk) for i in items)])),
        "activity": draw(text(MAX_TEXT, required=True, giant=True)),
        "responsible_agency": draw(st.sampled_from(["", *(str(a.pk) for a in agencies)])),
        "deadline": fmt(draw(optional_date())),
        "done_on": fmt(draw(optional_date())),
    }


class PlanPageTests(WorkspaceTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.plan = AnnualPlan.objects.create(agreement=cls.agreement, year=2023, number="1/KH")
        PlanActivity.objects.create(
            plan=cls.plan, activity="Hoạt động cũ", content_item=cls.items[0]
        )

    def plan_payload(self, data, *, existing=None):
        year = data.draw(years().filter(lambda y: existing or y != 2023), label="year")
        values = {
            "year": year,
            "number": data.draw(text(100), label="number"),
            "issued_on": data.draw(optional_date(), label="issued_on"),
            "summary": data.draw(text(MAX_TEXT, giant=True), label="summary"),
        }
        rows, activities = data.draw(
            activity_rows(
                items=self.items,
                agencies=[self.agency, self.partner, self.stranger],
                existing_ids=[a.pk for a in existing.activities.all()] if existing else [],
            ),
            label="activities",
        )
        payload = {
            **{k: fmt(v) for k, v in values.items()},
            "version": str(existing.version) if existing else "",
            **formset("activities", rows, initial=existing.activities.count() if existing else 0),
        }
        expected = {
            "year": year,
            "number": stored(values["number"]),
            "issued_on": values["issued_on"],
            "summary": stored(values["summary"]),
            "activities": activities,
        }
        return payload, expected

    def assert_reads_back(self, pk, expected, *, version):
        plan = AnnualPlan.objects.get(pk=pk)
        assert (plan.agreement_id, plan.version) == (self.agreement.pk, version)
        for name in ("year", "number", "issued_on", "summary"):
            assert getattr(plan, name) == expected[name], name
        activities = plan.activities.values_list(
            "content_item_id", "activity", "responsible_agency_id", "deadline", "done_on"
        )
        assert sorted(activities, key=_sort_key) == sorted(expected["activities"], key=_sort_key)
        audit = plan.history.first()
        assert audit.history_user_id == self.editor.pk
        assert (audit.summary, audit.version) == (plan.summary, plan.version)

    @examples(20)
    @given(data=st.data())
    def test_a_new_plan_reads_back_exactly(self, data):
        payload, expected = self.plan_payload(data)
        response = self.post_and_check(
            reverse("agreements:plan_create", args=[self.agreement.pk]), payload
        )
        assert response.status_code == 302, form_errors(response)
        self.assert_reads_back(saved_pk(response), expected, version=1)

    @examples(15)
    @given(data=st.data())
    def test_an_edited_plan_reads_back_exactly(self, data):
        existing = AnnualPlan.objects.get(pk=self.plan.pk)
        payload, expected = self.plan_payload(data, existing=existing)
        url = reverse("agreements:plan_update", args=[existing.pk])
        response = self.post_and_check(url, payload)
        assert response.status_code == 302, form_errors(response)
        self.assert_reads_back(existing.pk, expected, version=existing.version + 1)

    @examples(30)
    @given(data=st.data())
    def test_hostile_input_on_the_plan_page(self, data):
        edit = data.draw(st.booleans(), label="edit")
        existing = AnnualPlan.objects.get(pk=self.plan.pk) if edit else None
        payload, _expected = self.plan_payload(data, existing=existing)
        payload = data.draw(
            mutated(
                payload,
                extra_keys=["add_row", "activities-0-id", "activities-0-content_item"],
                forged_ids=self.forged_ids,
            ),
            label="hostile payload",
        )
        url = (
            reverse("agreements:plan_update", args=[existing.pk])
            if edit
            else reverse("agreements:plan_create", args=[self.agreement.pk])
        )
        response = self.post_and_check(url, payload)
        event(f"status {response.status_code}")
        if response.status_code == 302:
            plan = AnnualPlan.objects.get(pk=saved_pk(response))
            assert plan.agreement_id == self.agreement.pk
            assert plan.number == stored(payload.get("number", ""))
            assert plan.summary == stored(payload.get("summary", ""))
            assert plan.issued_on == parse(_DATE, payload.get("issued_on", ""))
            assert (
                not plan.activities.exclude(content_item=None)
                .exclude(content_item__agreement=self.agreement)
                .exists()
            )


# --- the small forms: review workflow, archive, activity done --------------------


class WorkflowFormTests(WorkspaceTestCase):
    signed_in = ("editor", "leader")

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.submitted = ReviewFactory(agreement=cls.agreement, status="submitted")
        cls.plan = AnnualPlan.objects.create(agreement=cls.agreement, year=2023)
        cls.activity = PlanActivity.objects.create(plan=cls.plan, activity="Giám sát")

    @examples(30)
    @given(
        version=st.one_of(st.just("1"), numberish, any_text),
        reason=st.one_of(text(5000, required=True, giant=True), hostile_text),
    )
    def test_the_return_reason_reads_back_exactly(self, version, reason):
        self.login(self.leader)
        url = reverse("agreements:review_return", args=[self.submitted.pk])
        before = snapshot()
        response = call(self.client, "post", url, {"version": version, "reason": reason})
        assert response.status_code == 302
        review = Review.objects.get(pk=self.submitted.pk)
        expected = stored(reason).strip()
        # The view reads the version with int(); the form also wants a valid reason.
        accepted = (
            _python_int(version) == 1
            and _parses(django_forms.IntegerField(), version)
            and "\x00" not in reason
            and len(reason.strip()) <= 5000
            and expected
        )
        if accepted:
            assert review.status == "draft", "a valid return was refused"
            assert review.returned_reason == expected
            assert review.history.first().history_user_id == self.leader.pk
        else:
            assert review.status == "submitted"
            assert snapshot() == before
        assert_text_clean()

    @examples(15)
    @given(version=st.one_of(st.just("1"), numberish, any_text))
    def test_archive_and_submit_with_any_version(self, version):
        for name, pk in (
            ("agreements:review_submit", ReviewFactory(agreement=self.agreement).pk),
            ("agreements:agreement_archive", self.agreement.pk),
        ):
            before = snapshot()
            response = call(self.client, "post", reverse(name, args=[pk]), {"version": version})
            assert response.status_code == 302
            if _python_int(version) != 1:
                assert snapshot() == before

    @examples(20)
    @given(done_on=st.one_of(dates.map(dmy), dateish))
    def test_marking_an_activity_done_with_any_date(self, done_on):
        before = snapshot()
        url = reverse("agreements:activity_done", args=[self.activity.pk])
        response = call(self.client, "post", url, {"done_on": done_on})
        assert response.status_code == 302
        activity = PlanActivity.objects.get(pk=self.activity.pk)
        if _parses(_DATE, done_on) and parse(_DATE, done_on):
            assert activity.done_on == parse(_DATE, done_on)
        elif not _parses(_DATE, done_on):
            assert snapshot() == before
        assert_text_clean()


def _python_int(value):
    try:
        return int(value)
    except ValueError:
        return None


def _parses(field, value):
    try:
        parse(field, value)
    except django_forms.ValidationError:
        return False
    return True


# --- attachments ------------------------------------------------------------------

PDF = b"%PDF-1.4\n"
PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff\xe0"
SAFE_NAME = st.text(st.sampled_from(LETTERS + " -_()"), min_size=1, max_size=60).filter(
    lambda n: n.strip() and n == n.strip()
)


@st.composite
def accepted_file(draw):
    magic, extension, content_type = draw(
        st.sampled_from(
            [
                (PDF, ".pdf", "application/pdf"),
                (PNG, ".png", "image/png"),
                (PNG, ".PNG", "image/png"),
                (JPEG, ".jpg", "image/jpeg"),
                (JPEG, ".jpeg", "image/jpeg"),
            ]
        )
    )
    name = draw(st.one_of(SAFE_NAME, SAFE_NAME.map(nfd))) + extension
    return name, magic + draw(st.binary(max_size=4096)), content_type


@st.composite
def any_file(draw):
    stem = draw(st.one_of(SAFE_NAME, any_text, giant_text.map(lambda t: t[:400]), st.just("")))
    extension = draw(
        st.sampled_from(["", ".pdf", ".exe", ".html", ".docx", ".xls", ".png", ".PDF", ".svg"])
    )
    head = draw(st.sampled_from([b"", PDF, PNG, JPEG, b"PK\x03\x04", b"<html>", b"MZ"]))
    return stem + extension, head + draw(st.binary(max_size=2048))


class AttachmentTests(WorkspaceTestCase):
    @classmethod
    def setUpClass(cls):
        cls.media = Path(tempfile.mkdtemp(prefix="props-media-"))
        cls._media_override = override_settings(MEDIA_ROOT=cls.media, ATTACHMENT_MAX_MB=1)
        cls._media_override.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._media_override.disable()
        shutil.rmtree(cls.media, ignore_errors=True)

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.review = ReviewFactory(agreement=cls.agreement)
        cls.plan = AnnualPlan.objects.create(agreement=cls.agreement, year=2023)

    def setup_example(self):
        super().setup_example()
        shutil.rmtree(self.media, ignore_errors=True)
        self.media.mkdir()

    def owner_url(self, data):
        name, pk = data.draw(
            st.sampled_from(
                [
                    ("agreements:agreement_attachment_create", self.agreement.pk),
                    ("agreements:review_attachment_create", self.review.pk),
                    ("agreements:plan_attachment_create", self.plan.pk),
                ]
            ),
            label="owner",
        )
        return reverse(name, args=[pk])

    def files(self):
        return sorted(p for p in self.media.rglob("*") if p.is_file())

    @examples(20)
    @given(data=st.data())
    def test_an_accepted_upload_reads_back_exactly(self, data):
        url = self.owner_url(data)
        title = data.draw(text(500, required=True), label="title")
        kind = data.draw(choice(Attachment.Kind), label="kind")
        name, content, content_type = data.draw(accepted_file(), label="file")
        payload = {"title": title, "kind": kind, "file": SimpleUploadedFile(name, content)}
        response = self.post_and_check(url, payload)
        assert response.status_code == 302, form_errors(response)
        attachment = Attachment.objects.get()
        assert (attachment.title, attachment.kind) == (stored(title), kind)
        assert (attachment.original_name, attachment.content_type) == (nfc(name), content_type)
        assert attachment.size == len(content)
        with attachment.file.open("rb") as handle:
            assert handle.read() == content
        # Stored under a generated name: nothing of the user's name reaches the disk.
        assert re.fullmatch(r"attachments/\d{4}/\d{2}/[0-9a-f]{32}\.[a-z]+", attachment.file.name)
        assert attachment.history.first().history_user_id == self.editor.pk
        download = call(
            self.client, "get", reverse("agreements:attachment_download", args=[attachment.pk])
        )
        assert download["Content-Disposition"].startswith("attachment")
        assert b"".join(download.streaming_content) == content

    @examples(35)
    @given(data=st.data())
    def test_any_upload_is_stored_whole_or_not_at_all(self, data):
        url = self.owner_url(data)
        name, content = data.draw(st.one_of(any_file(), accepted_file().map(lambda f: f[:2])))
        payload = {
            "title": data.draw(st.one_of(text(500, required=True), hostile_text), label="title"),
            "kind": data.draw(st.one_of(choice(Attachment.Kind), any_text), label="kind"),
        }
        if data.draw(st.integers(0, 9), label="file given") > 0:
            payload["file"] = SimpleUploadedFile(name, content)
        response = self.post_and_check(url, payload)
        event(f"status {response.status_code}")
        if response.status_code == 302:
            attachment = Attachment.objects.get()
            with attachment.file.open("rb") as handle:
                assert handle.read() == content
            assert attachment.title == stored(payload["title"])
            assert "/" not in attachment.original_name and "\\" not in attachment.original_name
            assert self.files() == [Path(attachment.file.path)]
        else:
            assert self.files() == [], "a refused upload left a file behind"


# --- login and the agreement list ---------------------------------------------------


class LoginFormTests(WorkspaceTestCase):
    USERNAME = "cán_bộ_nhập_liệu"
    PASSWORD = "Mật khẩu thử nghiệm 2026"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        user = get_user_model().objects.create_user(cls.USERNAME, password=cls.PASSWORD)
        ProfileFactory(user=user, agency=cls.agency)

    signed_in = ()  # anonymous

    @examples(25)
    @given(
        username=st.one_of(
            st.sampled_from([USERNAME, nfd(USERNAME), f"  {USERNAME} ", USERNAME.upper()]),
            hostile_text,
        ),
        password=st.one_of(st.just(PASSWORD), hostile_text),
        extra=st.dictionaries(
            st.sampled_from(["next", "remember", "csrfmiddlewaretoken", "x"]), hostile_text
        ),
    )
    def test_any_login_input_either_logs_in_or_is_refused(self, username, password, extra):
        before = snapshot()
        payload = {**extra, "username": username, "password": password}
        response = call(self.client, "post", reverse("login"), payload)
        matches = (
            "\x00" not in username
            and unicodedata.normalize("NFKC", username.strip()) == self.USERNAME
            and password == self.PASSWORD
        )
        if matches:
            assert response.status_code == 302, "the right credentials were refused"
            assert "_auth_user_id" in self.client.session
        else:
            assert response.status_code in {200, 403, 429}
            assert "_auth_user_id" not in self.client.session
        assert snapshot() == before

    def test_a_username_longer_than_any_account_is_refused_not_a_server_error(self):
        response = call(
            Client(), "post", reverse("login"), {"username": "a" * 256, "password": "x"}
        )
        assert response.status_code == 200


LIST_PARAMS = ["q", "kind", "status", "period", "year", "agency", "area", "signed_year", "sort"]


class AgreementListFilterTests(WorkspaceTestCase):
    @examples(40)
    @given(data=st.data())
    def test_any_filter_input_narrows_the_visible_list(self, data):
        sensible = {
            "kind": choice(Agreement.Kind),
            "status": choice(Agreement.Status),
            "period": st.sampled_from(["2021-2026", "2021-", "2026-2021", "-", "2021-abc"]),
            "agency": st.sampled_from([str(self.agency.pk), str(self.stranger.pk)]),
            "area": st.sampled_from([str(self.area.pk), str(self.other_area.pk)]),
            "sort": st.sampled_from(["title", "-signed_on", "period", "-status", "--kind"]),
            "page": st.sampled_from(["1", "2", "last", "0", "-1"]),
        }
        params = {}
        for name in data.draw(st.lists(st.sampled_from([*LIST_PARAMS, "page"]), unique=True)):
            params[name] = data.draw(
                st.one_of(sensible.get(name, text(50)), text(50), hostile_text, numberish, dateish),
                label=name,
            )
        before = snapshot()
        response = call(self.client, "get", reverse("agreements:agreement_list"), params)
        assert response.status_code in {200, 404}
        assert snapshot() == before
        if response.status_code == 200:
            visible = set(Agreement.objects.for_user(self.editor).values_list("pk", flat=True))
            shown = {a.pk for a in response.context["object_list"]}
            assert shown <= visible, "a filter widened what the user may see"
