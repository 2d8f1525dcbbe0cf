"""What reviews the agreements owe on a given day: the rules behind "due" and "overdue".

An *obligation* is a review or liaison meeting an agreement should hold for one
period. It is listed while it is unfulfilled and either overdue or coming due.

Which agreements owe anything
    Only live agreements whose derived status on `on` is *in force* or *expired*.
    Drafts, agreements ended early, superseded ones (a term is closed by the final
    review held with the next signing) and archived ones owe nothing. An expired
    agreement owes only its final review, and only while its end year is ≥
    `on.year - 1`.

Annual review (when `annual_review_required`)
    One per completed calendar year Y of the term: first year (start year, else the
    signing year) ≤ Y ≤ min(end year, `on.year - 1`), and only Y ≥ `on.year - 2`
    (older years are history, not tasks). Due on 31/03 of Y + 1: a yearly review is
    held in December or in the first quarter of the next year. Fulfilled by an
    annual, mid-term or final review that was submitted or approved (a draft, even
    one the leader returned, fulfils nothing) whose period covers Y, or, when it has
    no period, that was held between 01/12/Y and 31/03/(Y + 1).

Mid-term review (when `midterm_review_year` M is set)
    Due on 31/12/M, listed from 01/10/M, and only while M ≥ `on.year - 2`.
    Fulfilled by a submitted or approved mid-term review held in M or M + 1, or
    whose period ends in M.

Final review (when the agreement has an end year E; `final_review_year` overrides)
    Due on 31/12/E, listed from 01/10/E. Fulfilled by a submitted or approved final
    review held from 01/10/(E - 1) on (a term is often closed a few months early,
    together with the signing of the next one).

Liaison meetings (at `meeting_frequency`: monthly, quarterly, six-monthly, yearly;
    nothing for "when needed" or unspecified)
    Every period of the current and the previous calendar year that has begun by
    `on` and whose middle day falls within the term (the agreement was in force for
    at least half of it: signed on 01/03, the first quarter is not owed, the year
    is). Due on the last day of the period. Fulfilled by any review of any kind and
    status held within the period: a meeting is simply held.

Due and overdue
    Overdue: `on` is after the due date. Due: not overdue and the due date is at
    most 90 days away (mid-term and final reviews: from 01/10 of their year). So
    on 31/03/2024 the review of 2023 is due, on 01/04/2024 it is overdue; on
    31/12/2023 the review of 2023 is not listed yet, on 01/01/2024 it is due.

Who is responsible
    The lead agency or, when a recorded change (merger, renaming, split) took it
    over by `on`, the agency that continues it today: the end of the chain of
    successors (for a split, the first successor recorded).

Queries: one for the agreements (with their lead agency), one for their reviews,
one for the agency lineage (recursive) and one for the responsible agencies when
any was taken over, whatever the number of agreements. The agreement page, which
has read its agreement and reviews already, asks only for the last two
(`agreement_obligations`).
"""

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from agreements.models import Agency, Agreement, Review

OWING = (Agreement.Status.IN_FORCE, Agreement.Status.EXPIRED)
REVIEW_FIELDS = ("kind", "status", "held_on", "period_from", "period_to")
DUE_HORIZON_DAYS = 90
HISTORY_YEARS = 2
DONE = {Review.Status.SUBMITTED, Review.Status.APPROVED}
ANNUAL_KINDS = {Review.Kind.ANNUAL, Review.Kind.MIDTERM, Review.Kind.FINAL}
MONTHS_PER_PERIOD = {
    Agreement.Frequency.MONTHLY: 1,
    Agreement.Frequency.QUARTERLY: 3,
    Agreement.Frequency.SIX_MONTHLY: 6,
    Agreement.Frequency.YEARLY: 12,
}


@dataclass(frozen=True)
class Obligation:
    """A review or liaison meeting an agreement owes for one period."""

    agreement: Agreement
    kind: str
    period_label: str
    period_from: datetime.date
    period_to: datetime.date
    due_on: datetime.date
    overdue: bool
    responsible: Agency
    create_url: str

    @property
    def kind_label(self):
        return Review.Kind(self.kind).label

    @property
    def title(self):
        """A name for the review to enter, e.g. "Đánh giá năm 2022", "Giao ban Quý 3/2023"."""
        return _title(self.kind, self.period_label, self.period_from.year)


@dataclass(frozen=True)
class _Owed:
    """An obligation before it is checked against the reviews held."""

    kind: str
    label: str
    period_from: datetime.date
    period_to: datetime.date
    due_on: datetime.date
    opens_on: datetime.date


def review_obligations(*, agreements, on: datetime.date) -> list[Obligation]:
    """The unfulfilled reviews and meetings of `agreements` that are due or overdue on
    `on`, sorted by due date. `agreements` is an Agreement queryset, already scoped
    to what the user may see."""
    owing = agreements.live().with_status(on=on).filter(status_value__in=OWING)
    rows = list(owing.select_related("lead_agency").order_by("pk"))
    if not rows:
        return []
    reviews = defaultdict(list)
    held = (
        Review.objects.filter(agreement__in=owing.values("pk"))
        .order_by()
        .values("agreement_id", *REVIEW_FIELDS)
    )
    for review in held:
        reviews[review["agreement_id"]].append(review)
    responsible = _responsible_agencies({a.lead_agency_id for a in rows}, on=on)

    found = []
    for agreement in rows:
        found += _unfulfilled(agreement, reviews[agreement.pk], on=on, responsible=responsible)
    found.sort(key=lambda o: (o.due_on, o.agreement.pk, o.period_from, o.kind))
    return found


def agreement_obligations(agreement, *, reviews, on: datetime.date) -> list[Obligation]:
    """`review_obligations` of one agreement the page has already read: annotated
    `with_status(on=on)`, with its lead agency, and all its `reviews` (Review rows).
    Only the lineage of the lead agency is queried."""
    if agreement.archived_at is not None or agreement.status_value not in OWING:
        return []
    held = [{field: getattr(review, field) for field in REVIEW_FIELDS} for review in reviews]
    responsible = _responsible_agencies({agreement.lead_agency_id}, on=on)
    found = _unfulfilled(agreement, held, on=on, responsible=responsible)
    found.sort(key=lambda o: (o.due_on, o.period_from, o.kind))
    return found


def _unfulfilled(agreement, reviews, *, on, responsible):
    return [
        _obligation(agreement, owed, on=on, responsible=responsible)
        for owed in _owed(agreement, on=on)
        if on >= owed.opens_on and not _fulfilled(owed, reviews)
    ]


def _obligation(agreement, owed, *, on, responsible):
    return Obligation(
        agreement=agreement,
        kind=owed.kind,
        period_label=owed.label,
        period_from=owed.period_from,
        period_to=owed.period_to,
        due_on=owed.due_on,
        overdue=on > owed.due_on,
        responsible=responsible.get(agreement.lead_agency_id, agreement.lead_agency),
        create_url=_create_url(agreement, owed),
    )


def _first_year(agreement):
    if agreement.start_year:
        return agreement.start_year
    return agreement.signed_on.year if agreement.signed_on else None


def _term_bounds(agreement):
    """First and last day of the term (the last may be None: open-ended)."""
    first_year = _first_year(agreement)
    starts = [datetime.date(first_year, 1, 1)] if first_year else []
    signed = agreement.effective_from or agreement.signed_on
    if signed:
        starts.append(signed)
    start = max(starts) if starts else None
    end = agreement.effective_until
    if end is None and agreement.end_year:
        end = datetime.date(agreement.end_year, 12, 31)
    return start, end


def _owed(agreement, *, on):
    """Every obligation the rules give `agreement` around `on`, fulfilled or not."""
    first_year = _first_year(agreement)
    final_year = agreement.final_review_year or agreement.end_year
    if agreement.status_value == Agreement.Status.EXPIRED:
        if agreement.end_year and agreement.end_year >= on.year - 1:
            yield from _final(agreement, final_year, first_year)
        return
    oldest = on.year - HISTORY_YEARS
    if agreement.annual_review_required and first_year:
        last = on.year - 1
        if agreement.end_year:
            last = min(last, agreement.end_year)
        for year in range(max(first_year, oldest), last + 1):
            yield _Owed(
                kind=Review.Kind.ANNUAL,
                label=_("Năm %(year)s") % {"year": year},
                period_from=datetime.date(year, 1, 1),
                period_to=datetime.date(year, 12, 31),
                due_on=datetime.date(year + 1, 3, 31),
                opens_on=datetime.date(year + 1, 1, 1),
            )
    midterm = agreement.midterm_review_year
    if midterm and midterm >= oldest:
        yield _Owed(
            kind=Review.Kind.MIDTERM,
            label=_("Sơ kết giữa nhiệm kỳ %(year)s") % {"year": midterm},
            period_from=datetime.date(first_year or midterm, 1, 1),
            period_to=datetime.date(midterm, 12, 31),
            due_on=datetime.date(midterm, 12, 31),
            opens_on=datetime.date(midterm, 10, 1),
        )
    yield from _final(agreement, final_year, first_year)
    yield from _liaison(agreement, on=on)


def _final(agreement, final_year, first_year):
    if not final_year:
        return
    yield _Owed(
        kind=Review.Kind.FINAL,
        label=_("Tổng kết %(period)s") % {"period": agreement.period_label or final_year},
        period_from=datetime.date(first_year or final_year, 1, 1),
        period_to=datetime.date(final_year, 12, 31),
        due_on=datetime.date(final_year, 12, 31),
        opens_on=datetime.date(final_year, 10, 1),
    )


def _liaison(agreement, *, on):
    for year in (on.year - 1, on.year):
        for owed in _liaison_of_year(agreement, year):
            if owed.period_from <= on:
                yield owed


def _period_label(months, first_month, year):
    if months == 1:
        return _("Tháng %(month)s/%(year)s") % {"month": first_month, "year": year}
    if months == 3:
        return _("Quý %(quarter)s/%(year)s") % {"quarter": (first_month + 2) // 3, "year": year}
    if months == 6:
        if first_month == 1:
            return _("6 tháng đầu năm %(year)s") % {"year": year}
        return _("6 tháng cuối năm %(year)s") % {"year": year}
    return _("Năm %(year)s") % {"year": year}


def _fulfilled(owed, reviews):
    return any(_fulfils(review, owed) for review in reviews)


def _fulfils(review, owed):
    held_on = review["held_on"]
    if owed.kind == Review.Kind.LIAISON:
        return held_on is not None and owed.period_from <= held_on <= owed.period_to
    if review["status"] not in DONE:
        return False
    kind = review["kind"]
    if owed.kind == Review.Kind.ANNUAL:
        if kind not in ANNUAL_KINDS:
            return False
        year = owed.period_from.year
        period_from = review["period_from"] or review["period_to"]
        period_to = review["period_to"] or review["period_from"]
        if period_from:
            return period_from.year <= year <= period_to.year
        return held_on is not None and datetime.date(year, 12, 1) <= held_on <= datetime.date(
            year + 1, 3, 31
        )
    if owed.kind == Review.Kind.MIDTERM:
        if kind != Review.Kind.MIDTERM:
            return False
        year = owed.due_on.year
        if held_on is not None and year <= held_on.year <= year + 1:
            return True
        return review["period_to"] is not None and review["period_to"].year == year
    if owed.kind == Review.Kind.FINAL:
        if kind != Review.Kind.FINAL:
            return False
        when = held_on or review["period_to"]
        return when is not None and when >= datetime.date(owed.due_on.year - 1, 10, 1)
    return False


def _title(kind, label, year):
    if kind == Review.Kind.ANNUAL:
        return _("Đánh giá năm %(year)s") % {"year": year}
    if kind == Review.Kind.LIAISON:
        return _("Giao ban %(period)s") % {"period": label}
    return label


def _create_url(agreement, owed):
    query = urlencode(
        {
            "kind": owed.kind,
            "period_from": owed.period_from.isoformat(),
            "period_to": owed.period_to.isoformat(),
            "title": _title(owed.kind, owed.label, owed.period_from.year),
        }
    )
    return f"{reverse('agreements:review_create', args=[agreement.pk])}?{query}"


def _responsible_agencies(agency_ids, *, on):
    """{lead agency id: the agency that continues it on `on`} for those taken over.

    The recorded changes along the way come in one recursive query; a chain ends at
    an agency with no further successor (an "ended" change has none), and of two
    successors (a split) the first recorded continues it.
    """
    next_of, agencies = {}, {}
    for predecessor, successor in Agency.objects.takeovers(agency_ids, on=on):
        next_of.setdefault(predecessor, successor.pk)
        agencies[successor.pk] = successor
    if not next_of:
        return {}
    last = {}
    for agency_id in agency_ids:
        current, seen = agency_id, {agency_id}
        while current in next_of and next_of[current] not in seen:
            current = next_of[current]
            seen.add(current)
        if current != agency_id:
            last[agency_id] = current
    return {lead: agencies[current] for lead, current in last.items()}


# --- Stored obligations (reports.models.ObligationSummary) ------------------------


@dataclass(frozen=True)
class Candidate:
    """An obligation `_owed` gives on some days: when the agreement is in force on a
    day of a year in `owed_from_year`–`owed_to_year` (None: any later year), or
    expired on a day of a year up to `expired_to_year` (None: never)."""

    owed: _Owed
    owed_from_year: int
    owed_to_year: int | None
    expired_to_year: int | None


def candidate_obligations(agreement, *, years):
    """Every obligation the rules above give `agreement` on any day whose year is in
    `years` (first, last), with the years it is given for. The same rules as
    `_owed`, with `on` left open: `ObligationSummary.objects.owed(on)` applies the
    rest (opened by `on`, status and year of `on`)."""
    first, last = years
    first_year = _first_year(agreement)
    final_year = agreement.final_review_year or agreement.end_year
    if agreement.annual_review_required and first_year:
        # Year Y is owed from 1/1/(Y + 1) while Y ≥ on.year - 2.
        top = last - 1
        if agreement.end_year:
            top = min(top, agreement.end_year)
        for year in range(max(first_year, first - HISTORY_YEARS), top + 1):
            owed = _Owed(
                kind=Review.Kind.ANNUAL,
                label="",
                period_from=datetime.date(year, 1, 1),
                period_to=datetime.date(year, 12, 31),
                due_on=datetime.date(year + 1, 3, 31),
                opens_on=datetime.date(year + 1, 1, 1),
            )
            yield Candidate(owed, year + 1, year + HISTORY_YEARS, None)
    midterm = agreement.midterm_review_year
    if midterm and midterm >= first - HISTORY_YEARS:
        owed = _Owed(
            kind=Review.Kind.MIDTERM,
            label="",
            period_from=datetime.date(first_year or midterm, 1, 1),
            period_to=datetime.date(midterm, 12, 31),
            due_on=datetime.date(midterm, 12, 31),
            opens_on=datetime.date(midterm, 10, 1),
        )
        yield Candidate(owed, 0, midterm + HISTORY_YEARS, None)
    for owed in _final(agreement, final_year, first_year):
        expired_to = agreement.end_year + 1 if agreement.end_year else None
        yield Candidate(owed, 0, None, expired_to)
    for year in range(first - 1, last + 1):
        for owed in _liaison_of_year(agreement, year):
            yield Candidate(owed, year, year + 1, None)


def _liaison_of_year(agreement, year):
    """The liaison periods of `year` the agreement owes whatever the day: those whose
    middle day falls within the term (`_liaison` also needs the period begun)."""
    months = MONTHS_PER_PERIOD.get(agreement.meeting_frequency)
    if not months:
        return
    term_start, term_end = _term_bounds(agreement)
    for first_month in range(1, 13, months):
        start = datetime.date(year, first_month, 1)
        last_month = first_month + months - 1
        end = datetime.date(year, last_month, calendar.monthrange(year, last_month)[1])
        middle = start + (end - start) / 2
        if (term_start and term_start > middle) or (term_end and term_end < middle):
            continue
        yield _Owed(
            kind=Review.Kind.LIAISON,
            label=_period_label(months, first_month, year),
            period_from=start,
            period_to=end,
            due_on=end,
            opens_on=max(start, end - datetime.timedelta(days=DUE_HORIZON_DAYS)),
        )


def unfulfilled_candidates(agreement, reviews, *, years):
    """The candidates no review in `reviews` (dicts as read in `review_obligations`)
    fulfils: what `ObligationSummary` stores for the agreement."""
    return [
        c for c in candidate_obligations(agreement, years=years) if not _fulfilled(c.owed, reviews)
    ]


def obligation_label(kind, period_from, period_to, agreement):
    """The label `_owed` gives, rebuilt from a stored obligation (stored rows hold no
    text, so the page is in the reader's language)."""
    if kind == Review.Kind.ANNUAL:
        return _("Năm %(year)s") % {"year": period_from.year}
    if kind == Review.Kind.MIDTERM:
        return _("Sơ kết giữa nhiệm kỳ %(year)s") % {"year": period_to.year}
    if kind == Review.Kind.FINAL:
        return _("Tổng kết %(period)s") % {"period": agreement.period_label or period_to.year}
    months = (period_to.year - period_from.year) * 12 + period_to.month - period_from.month + 1
    return _period_label(months, period_from.month, period_from.year)


def stored_obligations(rows, *, on):
    """Obligation objects for ObligationSummary rows (with `summary__agreement__lead_agency`
    selected), as `review_obligations` would give them on `on`."""
    rows = list(rows)
    if not rows:
        return []
    leads = {row.summary.agreement.lead_agency_id for row in rows}
    responsible = _responsible_agencies(leads, on=on)
    found = []
    for row in rows:
        agreement = row.summary.agreement
        owed = _Owed(
            kind=row.kind,
            label=obligation_label(row.kind, row.period_from, row.period_to, agreement),
            period_from=row.period_from,
            period_to=row.period_to,
            due_on=row.due_on,
            opens_on=row.opens_on,
        )
        found.append(_obligation(agreement, owed, on=on, responsible=responsible))
    return found
