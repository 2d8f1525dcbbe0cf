"""Summary tables: figures derived from the agreements, kept up to date on write.

The dashboard and the reports count over the whole country (200,000 agreements,
2 million content items, 570,000 reviews). Counting those rows on every page view
takes seconds; these tables hold, per agreement, what the pages count, so that a
page adds up one narrow row per agreement instead.

They are derived data only: `reports.services.summaries_rebuild` recomputes them
from scratch (`manage.py refresh_report_summaries`), and every write marks the
agreements it touches (`PendingSummary`, written in the writer's transaction by
`reports.signals`), whose rows are recomputed before the next page is read
(`reports.services.summaries_refresh`). Figures that depend on the day (in force,
due, overdue) are decided when the page is read, from dates stored here.

No foreign-key constraints: `generate_data --replace` deletes generated agreements
with plain DELETEs, and derived rows must never block that.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agreements.models import Agency, Agreement, Indicator, Review

from .querysets import AgreementSummaryQuerySet, ObligationSummaryQuerySet


class SummaryState(models.Model):
    """The one row saying whether the summary tables can be trusted.

    `complete` is set by a full rebuild (or by the migration on an empty
    database); `years_from`–`years_to` are the years (of the day a page is read)
    for which the review obligations were materialised. The generations key the
    snapshots (reports.snapshots): `generation` moves on with every write that can
    change a figure, `indicator_generation` only with those that can change an
    indicator total (figures, the catalogue, areas, agencies, parties, archiving),
    `structure_generation` only with those that change the areas, the agencies,
    their lineage or the catalogue of indicators (what page views remember between
    writes: a leader's areas, an editor's lineage, the indicators), not with a
    figure.
    """

    complete = models.BooleanField(_("đầy đủ"), default=False)
    generation = models.PositiveBigIntegerField(
        _("thế hệ dữ liệu"),
        default=0,
        help_text=_("Tăng lên sau mỗi lần ghi làm thay đổi số liệu của trang tổng quan, báo cáo."),
    )
    indicator_generation = models.PositiveBigIntegerField(
        _("thế hệ số liệu chỉ tiêu"),
        default=0,
        help_text=_("Tăng lên mỗi khi số liệu chỉ tiêu hoặc phạm vi của chúng thay đổi."),
    )
    structure_generation = models.PositiveBigIntegerField(
        _("thế hệ danh mục"),
        default=0,
        help_text=_(
            "Tăng lên mỗi khi địa bàn, cơ quan, quá trình sáp nhập hoặc danh mục chỉ tiêu thay đổi."
        ),
    )
    years_from = models.PositiveSmallIntegerField(_("từ năm"), null=True, blank=True)
    years_to = models.PositiveSmallIntegerField(_("đến năm"), null=True, blank=True)
    built_at = models.DateTimeField(_("tính lại toàn bộ lúc"), null=True, blank=True)
    indicator_totals_built = models.BooleanField(
        _("đã tính tổng chỉ tiêu toàn quốc"),
        default=False,
        help_text=_("Bảng tổng chỉ tiêu theo năm (IndicatorYearTotal) đã được tính lại toàn bộ."),
    )

    class Meta:
        verbose_name = _("trạng thái bảng tổng hợp")
        verbose_name_plural = _("trạng thái bảng tổng hợp")

    def __str__(self):
        return f"{self.years_from}–{self.years_to} ({self.complete})"


class PendingSummary(models.Model):
    """An agreement whose summary rows must be recomputed (one row per write; a
    refresh deletes exactly the rows it has read, so a mark made meanwhile stays)."""

    agreement_id = models.BigIntegerField(_("mã văn bản"))

    class Meta:
        verbose_name = _("văn bản chờ tổng hợp lại")
        verbose_name_plural = _("văn bản chờ tổng hợp lại")

    def __str__(self):
        return str(self.agreement_id)


class AgreementSummary(models.Model):
    """What the pages count about one agreement, and the dates its status on any
    day follows from (see `AgreementQuerySet.with_status`)."""

    agreement = models.OneToOneField(
        Agreement,
        verbose_name=_("văn bản phối hợp"),
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="summary",
    )
    kind = models.CharField(_("loại văn bản"), max_length=20)
    # The agreement's number, by which lists of agreements break ties: the dashboard
    # ranks this year's expiring agreements on these rows alone (at national scale
    # 27,000 of them were joined to their agreements for it, 70 ms).
    number = models.CharField(_("số, ký hiệu"), max_length=100, blank=True, default="")
    lead_agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan chủ trì"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    live = models.BooleanField(_("chưa lưu trữ"))
    lifecycle = models.CharField(_("tình trạng văn bản"), max_length=10)
    signed_on = models.DateField(_("ngày ký"), null=True)
    start_year = models.PositiveSmallIntegerField(_("từ năm"), null=True)
    end_year = models.PositiveSmallIntegerField(_("đến năm"), null=True)
    effective_until = models.DateField(_("hiệu lực đến ngày"), null=True)
    supersedes_id = models.BigIntegerField(_("thay thế văn bản"), null=True)
    superseded_on = models.DateField(
        _("bị thay thế từ ngày"),
        null=True,
        help_text=_("Ngày ký sớm nhất của văn bản thay thế đã ký; 01/01/0001 nếu không ghi ngày."),
    )
    has_successor = models.BooleanField(_("có văn bản kế tiếp"), default=False)
    party_changed_on = models.DateField(
        _("cơ quan ký thay đổi từ ngày"),
        null=True,
        help_text=_("Ngày sớm nhất một bên ký bị sáp nhập, đổi tên, chia tách, kết thúc."),
    )
    items = models.PositiveIntegerField(_("số nội dung"), default=0)
    items_not_started = models.PositiveIntegerField(_("chưa triển khai"), default=0)
    items_in_progress = models.PositiveIntegerField(_("đang thực hiện"), default=0)
    items_done = models.PositiveIntegerField(_("hoàn thành"), default=0)
    items_behind = models.PositiveIntegerField(_("chậm tiến độ"), default=0)
    reviews_done = models.PositiveIntegerField(_("số lần đã đánh giá"), default=0)

    objects = AgreementSummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("tổng hợp văn bản")
        verbose_name_plural = _("tổng hợp văn bản")
        indexes = [
            models.Index(fields=["lead_agency"], name="summary_lead_idx"),
            models.Index(fields=["supersedes_id"], name="summary_supersedes_idx"),
            models.Index(
                fields=["effective_until", "end_year"],
                name="summary_live_dates_idx",
                condition=Q(live=True, lifecycle="signed"),
            ),
        ]

    def __str__(self):
        return str(self.agreement_id)


def _agreement_summary(*, related_name):
    """The agreement a derived row belongs to, in a column named `agreement_id`."""
    return models.ForeignKey(
        AgreementSummary,
        verbose_name=_("văn bản phối hợp"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_column="agreement_id",
        related_name=related_name,
    )


class ObligationSummary(models.Model):
    """A review or liaison meeting an agreement owes and has not held, for the years
    of `SummaryState`. Whether it is listed on a day `on` is decided when read: it
    has opened (`opens_on` ≤ `on`), and the agreement is in force on `on` with
    `owed_from_year` ≤ `on.year` ≤ `owed_to_year` (empty: no limit), or expired on
    `on` with `on.year` ≤ `expired_to_year`.

    Rows exist only for live, signed agreements, and only while they can be listed
    on some day of those years; they carry the dates of the agreement's status
    (`superseded_on`, `effective_until`, `end_year`, copies of its summary's, and
    rewritten with it), so what is owed on a day is read from this table alone."""

    summary = _agreement_summary(related_name="obligations")
    kind = models.CharField(_("hình thức"), max_length=20, choices=Review.Kind.choices)
    period_from = models.DateField(_("kỳ từ ngày"))
    period_to = models.DateField(_("kỳ đến ngày"))
    due_on = models.DateField(_("hạn"))
    opens_on = models.DateField(_("bắt đầu nhắc từ ngày"))
    owed_from_year = models.PositiveSmallIntegerField(_("phải làm từ năm"))
    owed_to_year = models.PositiveSmallIntegerField(_("phải làm đến năm"), null=True)
    expired_to_year = models.PositiveSmallIntegerField(
        _("khi hết hiệu lực, phải làm đến năm"), null=True
    )
    superseded_on = models.DateField(_("văn bản bị thay thế từ ngày"), null=True)
    effective_until = models.DateField(_("văn bản có hiệu lực đến ngày"), null=True)
    end_year = models.PositiveSmallIntegerField(_("văn bản có hiệu lực đến năm"), null=True)

    objects = ObligationSummaryQuerySet.as_manager()
    # Scope.filter: the whole country's rows need no check of the agreement.
    live_agreements_only = True

    class Meta:
        verbose_name = _("việc đánh giá phải làm")
        verbose_name_plural = _("việc đánh giá phải làm")
        indexes = [
            models.Index(fields=["summary"], name="obligation_agreement_idx"),
            models.Index(fields=["due_on", "summary"], name="obligation_due_idx"),
        ]

    def __str__(self):
        return f"{self.summary_id} {self.kind} {self.period_from}–{self.period_to}"


class OpenActivity(models.Model):
    """A plan activity with a deadline and not done yet, with its agreement: counting
    the late ones of the agreements in force needs neither the plans nor the
    activities done. Stored only for agreements that can be in force on a day of
    the years of `SummaryState` (live, signed, neither superseded nor expired
    before them)."""

    activity_id = models.BigIntegerField(_("mã hoạt động"), primary_key=True)
    summary = _agreement_summary(related_name="open_activities")
    deadline = models.DateField(_("thời hạn"))

    class Meta:
        verbose_name = _("hoạt động chưa hoàn thành")
        verbose_name_plural = _("hoạt động chưa hoàn thành")
        indexes = [
            models.Index(fields=["deadline", "summary"], name="open_activity_due_idx"),
            models.Index(fields=["summary"], name="open_activity_agreement_idx"),
        ]

    def __str__(self):
        return f"{self.activity_id} ({self.deadline})"


class AreaGeneration(models.Model):
    """How many writes have touched the agreements of one province since this table
    began: `area_id` is a root of the areas' tree (a province, or one of the
    provinces merged in 2025), or NO_AREA for parties whose agency has no area.

    A leader's or an editor's pages show the agreements a party of which lies in
    their area or is their agency: every write to such an agreement moves on the
    generation of its parties' provinces (reports.services.areas_changed), and the
    pages of a scope are keyed by the sum over the scope's provinces with the
    structure generation (`scope_generation`), so that one province's writes leave
    another's pages remembered. Rows are never deleted (no foreign key): a scope's
    sum never goes back to a value it had."""

    NO_AREA = 0

    area_id = models.BigIntegerField(_("địa bàn"), primary_key=True)
    generation = models.PositiveBigIntegerField(_("thế hệ"), default=0)

    class Meta:
        verbose_name = _("thế hệ dữ liệu theo tỉnh")
        verbose_name_plural = _("thế hệ dữ liệu theo tỉnh")

    def __str__(self):
        return f"{self.area_id} #{self.generation}"


class ReportSnapshot(models.Model):
    """What a page computed from the summary tables for one question (`key`, a
    digest of its scoped query, filters, day and language) while
    `SummaryState.generation` was `generation`. Every write that can change a figure
    moves the generation on (in the writer's transaction), so an older snapshot is
    never read: the figures stay exact. `payload` is pickled by the app itself."""

    key = models.CharField(_("khóa"), max_length=64)
    generation = models.PositiveBigIntegerField(_("thế hệ"))
    payload = models.BinaryField(_("nội dung"))
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("ảnh chụp số liệu")
        verbose_name_plural = _("ảnh chụp số liệu")
        constraints = [
            # One answer per question: a newer generation's answer replaces the
            # older one in the same statement (reports.snapshots.remembered).
            models.UniqueConstraint(fields=["key"], name="report_snapshot_one_per_key"),
        ]

    def __str__(self):
        return f"{self.key[:12]} #{self.generation}"


class IndicatorYearTotal(models.Model):
    """One indicator's figure for one year over the whole country (the values of
    every live agreement), as `indicator_totals` adds it up: what the admin's
    dashboard and indicator report show without filters. Adding up the 6 million
    values of a national deployment takes seconds; a new figure changes one
    (indicator, year), which alone is recomputed (`PendingIndicatorTotal`).
    Only read while `SummaryState.indicator_totals_built` is set."""

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("chỉ tiêu"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    value = models.DecimalField(_("giá trị"), max_digits=24, decimal_places=2, null=True)
    denominator = models.DecimalField(_("mẫu số"), max_digits=24, decimal_places=2, null=True)
    percentage = models.DecimalField(_("tỷ lệ (%)"), max_digits=24, decimal_places=2, null=True)
    count = models.PositiveIntegerField(_("số bản ghi"))

    class Meta:
        verbose_name = _("tổng chỉ tiêu theo năm")
        verbose_name_plural = _("tổng chỉ tiêu theo năm")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="indicator_year_total"),
        ]

    def __str__(self):
        return f"{self.indicator_id} {self.year}"


class PendingIndicatorTotal(models.Model):
    """An (indicator, year) whose `IndicatorYearTotal` must be recomputed: written in
    the transaction of the write that changed one of its figures (a refresh deletes
    exactly the marks it has read, so a mark made meanwhile stays)."""

    indicator_id = models.BigIntegerField(_("mã chỉ tiêu"))
    year = models.PositiveSmallIntegerField(_("năm"))

    class Meta:
        verbose_name = _("tổng chỉ tiêu chờ tính lại")
        verbose_name_plural = _("tổng chỉ tiêu chờ tính lại")

    def __str__(self):
        return f"{self.indicator_id} {self.year}"
