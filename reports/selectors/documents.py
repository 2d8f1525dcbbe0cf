"""Reads for the document reports: one agreement in full, one review as a report.

Each selector returns everything its page and its DOCX show, so the builders in
`reports/documents/` run no query. The number of queries is fixed whatever the
number of items, reviews, plans, activities or figures.
"""

import datetime

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    Window,
)
from django.db.models.functions import Coalesce, ExtractYear, RowNumber
from django.utils import timezone

from agreements.models import (
    AgencyChange,
    AgreementParty,
    Attachment,
    IndicatorValue,
    ItemAssessment,
    PlanActivity,
    Review,
)

from ..snapshots import settled_part


def agreement_report_key(*, agreement) -> dict:
    """What identifies the body of `agreement`'s report page, for
    `reports.snapshots.remembered_part`: the agreement, the day (statuses and overdue
    activities move with it) and the language (in the key), and the generation. The
    body shows nothing of the reader (whoever may open the page sees the same), and
    every write of what it shows moves the generation on (`reports.signals`: the
    agreement and what it owns, parties and signatories, legal bases, items and
    assessments, plans and activities, reviews and papers, figures, attachments,
    agencies, areas, lineage, the catalogue). None while a write waits for its
    summaries: rendered afresh."""
    return settled_part("agreement_report", agreement.pk, timezone.localdate())


def agreement_report(*, agreement, on: datetime.date | None = None) -> dict:
    """One agreement in full, for the agreement report and its DOCX.

    `agreement` comes from a scoped queryset with `with_status()` and
    `select_related("lead_agency__area", "lead_agency__parent", "supersedes")`.
    Activities are overdue when not done and their deadline is before `on` (today).
    """
    on = on or timezone.localdate()
    parties = _parties(agreement)
    items = list(agreement.items.select_related("lead_agency").order_by("number"))
    years, matrix = _assessment_matrix(agreement=agreement, items=items)
    declared = agreement.declared_item_count or 0
    return {
        "agreement": agreement,
        "issuer": agreement.lead_agency,
        "on": on,
        "status": agreement.status,
        "parties": parties,
        "signers": _signers(agreement, parties),
        "recipients": _recipients(agreement, parties),
        "legal_bases": list(agreement.legal_bases.all()),
        "items": items,
        "missing_item_count": max(declared - len(items), 0),
        "years": years,
        "matrix": matrix,
        "plans": _plans(agreement=agreement, on=on),
        "reviews": list(
            agreement.reviews.prefetch_related("papers").order_by(
                F("held_on").asc(nulls_last=True), "id"
            )
        ),
        "indicator_values": list(
            IndicatorValue.objects.filter(agreement=agreement)
            .select_related("indicator", "area", "agency")
            .order_by("indicator__order", "indicator__code", "year", "id")
        ),
        "attachments": list(
            Attachment.objects.filter(
                Q(agreement=agreement)
                | Q(review__agreement=agreement)
                | Q(plan__agreement=agreement)
            )
            .select_related("review", "plan")
            .order_by("uploaded_at", "id")
        ),
        "predecessor": agreement.supersedes,
        "successors": list(agreement.superseded_by.filter(archived_at__isnull=True)),
    }


def review_report(*, review, on: datetime.date | None = None) -> dict:
    """One review laid out as the report a province sends upward.

    `review` comes from a scoped queryset with
    `select_related("agreement__lead_agency__area", "agreement__lead_agency__parent")`.
    The report is dated the day the review was held, or `on` (today) if unknown.
    """
    agreement = review.agreement
    parties = _parties(agreement, changes=False)
    values = list(
        review.indicator_values.select_related("indicator", "area", "agency").order_by(
            "indicator__order", "indicator__code", "year", "id"
        )
    )
    previous = _previous_year_values(agreement=agreement, values=values)
    return {
        "review": review,
        "agreement": agreement,
        "issuer": agreement.lead_agency,
        "on": review.held_on or on or timezone.localdate(),
        "period": review_period(review),
        "sections": [_section(review, name) for name in Review.NARRATIVE_FIELDS],
        "figures": [
            {"value": value, "previous": previous.get(_figure_key(value, value.year - 1))}
            for value in values
        ],
        "assessments": list(
            review.assessments.select_related("content_item").order_by("content_item__number")
        ),
        "papers": list(review.papers.all()),
        "signers": _signers(agreement, parties),
        "recipients": _recipients(agreement, parties),
    }


def _section(review, name):
    """One narrative section: its label and its text, a paragraph per line typed."""
    text = getattr(review, name)
    return {
        "name": name,
        "label": Review._meta.get_field(name).verbose_name,
        "text": text,
        "paragraphs": [line.strip() for line in text.splitlines() if line.strip()],
    }


def review_period(review) -> dict:
    """What period a review reports on, for the subject line.

    {"kind": "year", "year": 2023} for a whole calendar year, {"kind": "years",
    "start": 2016, "end": 2021} for whole years, {"kind": "dates", "start": date,
    "end": date} otherwise; without a period, a mid-term or final review covers the
    agreement's term ("years"); anything else has no period ({"kind": ""}).
    """
    start, end = review.period_from, review.period_to
    if start and end:
        whole = (start.month, start.day) == (1, 1) and (end.month, end.day) == (12, 31)
        if whole and start.year == end.year:
            return {"kind": "year", "year": start.year}
        if whole:
            return {"kind": "years", "start": start.year, "end": end.year}
        return {"kind": "dates", "start": start, "end": end}
    agreement = review.agreement
    if (
        review.kind in {Review.Kind.MIDTERM, Review.Kind.FINAL}
        and agreement.start_year
        and agreement.end_year
        and agreement.end_year > agreement.start_year
    ):
        return {"kind": "years", "start": agreement.start_year, "end": agreement.end_year}
    return {"kind": ""}


# --- Parts ----------------------------------------------------------------------


def _parties(agreement, *, changes=True):
    """Parties with their signatories and, for the report, what became of the agency."""
    parties = AgreementParty.objects.filter(agreement=agreement).select_related("agency")
    prefetch = ["signatories"]
    if changes:
        prefetch.append(
            Prefetch(
                "agency__changes_out",
                queryset=AgencyChange.objects.select_related("successor"),
            )
        )
    return list(parties.prefetch_related(*prefetch).order_by("order", "id"))


def _signing_party(agreement, parties):
    """The party that signs the report: the lead agency's, else the first lead party."""
    leads = [p for p in parties if p.role == AgreementParty.Role.LEAD]
    own = [p for p in leads if p.agency_id == agreement.lead_agency_id] or leads
    return own[0] if own else None


def _signers(agreement, parties):
    """Who signs the report: the lead party's signatories as recorded on the agreement."""
    party = _signing_party(agreement, parties)
    return list(party.signatories.all()) if party else []


def _recipients(agreement, parties):
    """The other parties receive the report, under the names they signed with."""
    party = _signing_party(agreement, parties)
    return [p.name_as_signed for p in parties if p != party]


def _assessment_matrix(*, agreement, items):
    """Items × years: in each cell the latest assessment of the item in that year.

    The year is that of the review's date (held on, else the end of its period).
    The latest assessment per item and year is picked in the database (a window
    function, SQLite ≥ 3.25 and PostgreSQL), so one query whatever the history.
    """
    when = Coalesce("review__held_on", "review__period_to")
    latest = (
        ItemAssessment.objects.filter(review__agreement=agreement)
        .annotate(
            year=ExtractYear(when),
            rank=Window(
                RowNumber(),
                partition_by=[F("content_item_id"), ExtractYear(when)],
                order_by=[F("review__held_on").desc(nulls_last=True), F("review_id").desc()],
            ),
        )
        .filter(year__isnull=False, rank=1)
        .values("content_item_id", "year", "progress", "comment")
    )
    cells = {(row["content_item_id"], row["year"]): row for row in latest}
    years = sorted({year for _, year in cells})
    labels = dict(ItemAssessment.Progress.choices)
    matrix = []
    for item in items:
        row = []
        for year in years:
            cell = cells.get((item.pk, year))
            if cell is not None:
                cell = {**cell, "label": labels.get(cell["progress"], cell["progress"])}
            row.append(cell)
        matrix.append({"item": item, "cells": row})
    return years, matrix


def _plans(*, agreement, on):
    overdue = Q(done_on__isnull=True, deadline__lt=on)
    activities = (
        PlanActivity.objects.select_related("content_item", "responsible_agency")
        .annotate(is_overdue=ExpressionWrapper(overdue, output_field=BooleanField()))
        .order_by(F("deadline").asc(nulls_last=True), "id")
    )
    return list(
        agreement.plans.annotate(
            activity_count=Count("activities"),
            done_count=Count("activities", filter=Q(activities__done_on__isnull=False)),
            overdue_count=Count(
                "activities",
                filter=Q(activities__done_on__isnull=True, activities__deadline__lt=on),
            ),
        )
        .prefetch_related(Prefetch("activities", queryset=activities))
        .order_by("year")
    )


def _figure_key(value, year):
    return (value.indicator_id, value.area_id, value.agency_id, year)


def _previous_year_values(*, agreement, values):
    """For each figure, the same agreement's figure for the same indicator and area or
    agency in the year before, if one was recorded (the latest record, when several
    reviews recorded it). One query."""
    if not values:
        return {}
    wanted = {_figure_key(value, value.year - 1) for value in values}
    candidates = (
        IndicatorValue.objects.filter(
            agreement=agreement,
            indicator_id__in={key[0] for key in wanted},
            year__in={key[3] for key in wanted},
        )
        .select_related("indicator")
        .order_by("id")
    )
    found = {}
    for candidate in candidates:
        key = _figure_key(candidate, candidate.year)
        if key in wanted:
            found[key] = candidate
    return found
