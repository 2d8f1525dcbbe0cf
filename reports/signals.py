"""Marks what a write changes for the dashboard and reports (see reports.services).

Only marks are written here, in the writer's transaction (a rolled-back write
leaves none), whatever wrote the row: a service, the admin, a shell. Agreements
whose summary must be recomputed get a `PendingSummary` row, recomputed by
`summaries_refresh` outside the hot path of the write (which then moves
`SummaryState.generation` on); other writes that can change a figure (indicator
values, the catalogue, areas, agencies, lineage) move the generation on at once,
as do those of what only the agreement report shows (legal bases, signatories,
papers, attachments).
A figure also marks its (indicator, year) (`PendingIndicatorTotal`): its
whole-country total is recomputed once the write's service has committed
(`refresh_after_write`), or else before the next page reads it
(`indicator_totals_refresh`).

The generation of each province (`AreaGeneration`) keys a leader's or an editor's
pages: every write to an agreement reaches it through a mark (figures, legal bases,
signatories, papers and attachments mark their agreement too), whose refresh moves
on the provinces of the agreement's parties; a party that leaves a province moves
that one on at once. Writes to areas, agencies, lineage and the indicator catalogue
move the structure generation on, which every scope's key holds.
"""

import functools

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from agreements.models import (
    Agency,
    AgencyChange,
    Agreement,
    AgreementParty,
    AnnualPlan,
    Area,
    Attachment,
    ContentItem,
    ContributedPaper,
    Indicator,
    IndicatorValue,
    ItemAssessment,
    LegalBasis,
    PlanActivity,
    Review,
    Signatory,
)

from .models import IndicatorYearTotal
from .services import (
    areas_changed,
    indicator_totals_mark,
    summaries_changed,
    summaries_mark,
    summaries_mark_agency,
)


def _unless_raw(handler):
    """loaddata (a restore, a fixture) saves rows as they were, summary tables and
    their marks included: marking again would add rows the backup never had."""

    @functools.wraps(handler)
    def receiver(sender, **kwargs):
        if not kwargs.get("raw", False):
            handler(sender, **kwargs)

    return receiver


@_unless_raw
def _agreement(sender, instance, **kwargs):
    summaries_mark(agreement_ids=[instance.pk])


@_unless_raw
def _owner(sender, instance, **kwargs):
    summaries_mark(agreement_ids=[instance.agreement_id])


def _party_before(sender, instance, **kwargs):
    # A party moved to another agency may leave a province: its pages change too.
    if instance.pk and not kwargs.get("raw", False):
        instance._previous_area_id = (
            AgreementParty.objects.filter(pk=instance.pk)
            .values_list("agency_area_id", flat=True)
            .first()
        )


@_unless_raw
def _party(sender, instance, **kwargs):
    # Who is a party decides who sees the agreement and its indicator figures: the
    # provinces it leaves or joins (the refresh of the mark moves on those it is in).
    summaries_mark(agreement_ids=[instance.agreement_id])
    summaries_changed(indicators=True)
    areas_changed(area_ids=[instance.agency_area_id, getattr(instance, "_previous_area_id", None)])


@_unless_raw
def _assessment(sender, instance, **kwargs):
    item = instance._state.fields_cache.get("content_item")
    if item is None:
        item = ContentItem.objects.filter(pk=instance.content_item_id).only("agreement_id").first()
    summaries_mark(agreement_ids=[item.agreement_id if item else None])


@_unless_raw
def _activity(sender, instance, **kwargs):
    plan = instance._state.fields_cache.get("plan")
    if plan is None:
        plan = AnnualPlan.objects.filter(pk=instance.plan_id).only("agreement_id").first()
    summaries_mark(agreement_ids=[plan.agreement_id if plan else None])


def _lineage_before(sender, instance, **kwargs):
    # An edited change may name another predecessor: the old one's agreements too.
    if instance.pk:
        instance._previous_predecessor_id = (
            AgencyChange.objects.filter(pk=instance.pk)
            .values_list("predecessor_id", flat=True)
            .first()
        )


@_unless_raw
def _lineage(sender, instance, **kwargs):
    summaries_mark_agency(agency_id=instance.predecessor_id)
    previous = getattr(instance, "_previous_predecessor_id", None)
    if previous not in (None, instance.predecessor_id):
        summaries_mark_agency(agency_id=previous)
    summaries_changed(structure=True)


@_unless_raw
def _changed(sender, **kwargs):
    summaries_changed(structure=True)


@_unless_raw
def _shown(sender, instance, **kwargs):
    # No figure counts these, but the agreement report's body shows them and is
    # remembered by the generation (reports.selectors.documents.agreement_report_key);
    # the mark moves on the generation of the agreement's provinces when refreshed.
    summaries_changed()
    summaries_mark(agreement_ids=[_agreement_of(instance)])


def _agreement_of(instance):
    """The agreement a legal basis, signatory, paper or attachment belongs to (None
    when its owner is gone: the owner's own deletion marked it)."""
    if getattr(instance, "agreement_id", None):
        return instance.agreement_id
    owners = (
        ("party_id", AgreementParty),
        ("review_id", Review),
        ("plan_id", AnnualPlan),
    )
    for field, model in owners:
        owner = getattr(instance, field, None)
        if owner:
            return model.objects.filter(pk=owner).values_list("agreement_id", flat=True).first()
    return None


def _figure_before(sender, instance, **kwargs):
    # An edited figure may move to another indicator, year or agreement: the old
    # pair and agreement too.
    if instance.pk and not kwargs.get("raw", False):
        previous = (
            IndicatorValue.objects.filter(pk=instance.pk)
            .values_list("indicator_id", "year", "agreement_id")
            .first()
        )
        if previous is not None:
            instance._previous_pair = previous[:2]
            instance._previous_agreement_id = previous[2]


@_unless_raw
def _figure(sender, instance, **kwargs):
    pairs = [(instance.indicator_id, instance.year)]
    previous = getattr(instance, "_previous_pair", None)
    if previous is not None:
        pairs.append(previous)
    indicator_totals_mark(pairs)
    summaries_changed(indicators=True)
    # Its agreement's provinces, moved on when the mark is refreshed.
    summaries_mark(
        agreement_ids=[instance.agreement_id, getattr(instance, "_previous_agreement_id", None)]
    )


@_unless_raw
def _catalogue(sender, instance, **kwargs):
    # How the indicator's figures add up may have changed: every year it has.
    years = IndicatorYearTotal.objects.filter(indicator_id=instance.pk).values_list(
        "year", flat=True
    )
    indicator_totals_mark((instance.pk, year) for year in years)
    summaries_changed(structure=True)


def connect():
    for signal in (post_save, post_delete):
        signal.connect(_agreement, sender=Agreement, dispatch_uid="summary_agreement")
        signal.connect(_party, sender=AgreementParty, dispatch_uid="summary_party")
        for model in (ContentItem, Review, AnnualPlan):
            signal.connect(_owner, sender=model, dispatch_uid=f"summary_{model.__name__}")
        signal.connect(_assessment, sender=ItemAssessment, dispatch_uid="summary_assessment")
        signal.connect(_activity, sender=PlanActivity, dispatch_uid="summary_activity")
        signal.connect(_lineage, sender=AgencyChange, dispatch_uid="summary_lineage")
        # Figures, where they belong (areas, agencies) and how they add up (catalogue).
        for model in (Agency, Area):
            signal.connect(_changed, sender=model, dispatch_uid=f"changed_{model.__name__}")
        signal.connect(_figure, sender=IndicatorValue, dispatch_uid="changed_IndicatorValue")
        signal.connect(_catalogue, sender=Indicator, dispatch_uid="changed_Indicator")
        for model in (LegalBasis, Signatory, ContributedPaper, Attachment):
            signal.connect(_shown, sender=model, dispatch_uid=f"shown_{model.__name__}")
    pre_save.connect(_lineage_before, sender=AgencyChange, dispatch_uid="summary_lineage_before")
    pre_save.connect(_party_before, sender=AgreementParty, dispatch_uid="summary_party_before")
    pre_save.connect(_figure_before, sender=IndicatorValue, dispatch_uid="figure_before")
    m2m_changed.connect(
        _changed, sender=Area.successors.through, dispatch_uid="changed_area_successors"
    )
