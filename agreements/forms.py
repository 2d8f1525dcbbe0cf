"""Forms of the staff workspace. They validate input; services do the writing."""

import unicodedata

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import uploads
from .models import (
    MAX_YEAR,
    MIN_YEAR,
    Agency,
    Agreement,
    AgreementParty,
    AnnualPlan,
    Area,
    Attachment,
    ContributedPaper,
    Indicator,
    IndicatorValue,
    ItemAssessment,
    PlanActivity,
    Review,
    Signatory,
)
from .text import nfc

# Long enough for any real report section, short enough to refuse a pasted book.
MAX_TEXT = 20000


class DateInput(forms.DateInput):
    """dd/mm/yyyy text input: works the same with or without JavaScript."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", **(attrs or {})},
            format="%d/%m/%Y",
        )


NUL_MESSAGE = _("Nội dung chứa ký tự không hợp lệ (NUL).")


def _nfc_first(to_python):
    def wrapped(value):
        value = to_python(value)
        # Plain NFC: NUL bytes stay, for the validator to refuse them with a message.
        return unicodedata.normalize("NFC", value) if isinstance(value, str) else value

    return wrapped


class CleanTextMixin:
    """NFC-normalise every text input and refuse NUL bytes and giant texts clearly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.validators = [
                ProhibitNullCharactersValidator(message=NUL_MESSAGE)
                if isinstance(v, ProhibitNullCharactersValidator)
                else v
                for v in field.validators
            ]
            if isinstance(field, forms.CharField):
                # NFC before the validators run, so max_length counts the text as it
                # will be stored: decomposed Vietnamese takes up to 3 code points a letter.
                field.to_python = _nfc_first(field.to_python)

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if isinstance(value, str):
                if "\x00" in value:
                    self.add_error(name, NUL_MESSAGE)
                    continue
                if len(value) > MAX_TEXT:
                    self.add_error(
                        name,
                        _("Nội dung quá dài (tối đa %(max)s ký tự).") % {"max": f"{MAX_TEXT:,}"},
                    )
                    continue
                cleaned[name] = nfc(value)
        return cleaned


def agency_choices(extra_ids=()):
    """Agencies a user may pick: active ones plus any already on the record."""
    return (
        Agency.objects.filter(
            Q(pk__in=Agency.objects.active().values("pk")) | Q(pk__in=list(extra_ids))
        )
        .select_related("area")
        .order_by("name")
    )


class VersionedModelForm(CleanTextMixin, forms.ModelForm):
    """Carries the version the user opened, so a stale save can be refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class AgreementForm(VersionedModelForm):
    class Meta:
        model = Agreement
        fields = [
            "kind",
            "number",
            "title",
            "signed_on",
            "place",
            "start_year",
            "end_year",
            "effective_from",
            "effective_until",
            "lifecycle",
            "supersedes",
            "purpose",
            "meeting_frequency",
            "information_exchange",
            "annual_review_required",
            "midterm_review_year",
            "final_review_year",
            "declared_item_count",
            "notes",
        ]
        widgets = {
            "signed_on": DateInput(),
            "effective_from": DateInput(),
            "effective_until": DateInput(),
            "title": forms.Textarea(attrs={"rows": 2}),
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "information_exchange": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, supersedes_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("start_year", "end_year", "midterm_review_year", "final_review_year"):
            self.fields[name].widget.attrs.update({"min": MIN_YEAR, "max": MAX_YEAR})
        if supersedes_queryset is not None:
            self.fields["supersedes"].queryset = supersedes_queryset


class PartyForm(CleanTextMixin, forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_("Cơ quan, đơn vị"))
    # A blank first choice keeps an untouched extra row empty (and so ignored).
    role = forms.ChoiceField(
        choices=[("", "---------"), *AgreementParty.Role.choices], label=_("Vai trò")
    )
    name_as_signed = forms.CharField(
        label=_("Tên trên văn bản"),
        max_length=300,
        required=False,
        help_text=_("Để trống để dùng tên hiện tại của cơ quan."),
    )
    signatory_prefix = forms.ChoiceField(
        choices=Signatory.Prefix.choices, required=False, label=_("Thẩm quyền ký")
    )
    signatory_on_behalf_of = forms.CharField(max_length=300, required=False, label=_("Thay mặt"))
    signatory_name = forms.CharField(max_length=200, required=False, label=_("Người ký"))
    signatory_position = forms.CharField(max_length=300, required=False, label=_("Chức vụ"))

    def __init__(self, *args, agency_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agency_queryset is not None:
            self.fields["agency"].queryset = agency_queryset


class SharedChoicesMixin:
    """Formset forms pick agencies from one queryset: build the options once.

    Each select would otherwise run its own query, one per row. The formset's
    `get_form_kwargs` passes the queryset to every form (and to the empty form).
    """

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        self._share_choices(form)
        return form

    def _share_choices(self, form):
        cache = self.__dict__.setdefault("_choice_cache", {})
        for name, field in form.fields.items():
            # Hidden ones (a model formset's `id`) never list their options.
            if isinstance(field, forms.ModelChoiceField) and not field.widget.is_hidden:
                if name not in cache:
                    cache[name] = list(field.choices)
                field.choices = cache[name]

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            **self.get_form_kwargs(None),
        )
        self.add_fields(form, None)
        self._share_choices(form)
        return form


class AgencyChoiceFormSet(SharedChoicesMixin, forms.BaseFormSet):
    def __init__(self, *args, agency_queryset=None, **kwargs):
        self.agency_queryset = agency_queryset
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"agency_queryset": self.agency_queryset}


class BasePartyFormSet(AgencyChoiceFormSet):
    def clean(self):
        if any(self.errors):
            return
        rows = [
            f.cleaned_data
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        agencies = [row["agency"].pk for row in rows]
        if len(agencies) != len(set(agencies)):
            raise ValidationError(_("Một cơ quan chỉ được nhập một lần trong các bên."))
        leads = [row for row in rows if row["role"] == AgreementParty.Role.LEAD]
        if len(leads) != 1:
            raise ValidationError(_("Văn bản phải có đúng một cơ quan chủ trì."))


PartyFormSet = forms.formset_factory(
    PartyForm, formset=BasePartyFormSet, extra=1, can_delete=True, max_num=50, validate_max=True
)


class LegalBasisForm(CleanTextMixin, forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    number = forms.CharField(label=_("Số, ký hiệu"), max_length=100)
    issued_on = forms.DateField(label=_("Ngày ban hành"), required=False, widget=DateInput())
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=300, required=False)
    title = forms.CharField(label=_("Trích yếu"), max_length=1000, required=False)


LegalBasisFormSet = forms.formset_factory(
    LegalBasisForm, extra=1, can_delete=True, max_num=50, validate_max=True
)


class ContentItemForm(CleanTextMixin, forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(
        label=_("Nội dung"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    description = forms.CharField(
        label=_("Mô tả chi tiết"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    lead_agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), required=False, label=_("Cơ quan chủ trì")
    )
    expected_result = forms.CharField(
        label=_("Kết quả dự kiến"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )

    def __init__(self, *args, agency_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agency_queryset is not None:
            self.fields["lead_agency"].queryset = agency_queryset


class BaseContentItemFormSet(AgencyChoiceFormSet):
    def ordered_rows(self):
        """Kept rows in the order the user asked for (ORDER field, then position)."""
        rows = []
        for position, form in enumerate(self.forms):
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            order = data.get("ORDER")
            rows.append((order if order is not None else position + 1, position, data))
        return [data for _order, _position, data in sorted(rows, key=lambda r: (r[0], r[1]))]


ContentItemFormSet = forms.formset_factory(
    ContentItemForm,
    formset=BaseContentItemFormSet,
    extra=1,
    can_delete=True,
    can_order=True,
    max_num=200,
    validate_max=True,
)


class ReviewForm(VersionedModelForm):
    class Meta:
        model = Review
        fields = [
            "kind",
            "title",
            "period_from",
            "period_to",
            "held_on",
            "place",
            "chaired_by",
            "attended_by",
            *Review.NARRATIVE_FIELDS,
        ]
        widgets = {
            "period_from": DateInput(),
            "period_to": DateInput(),
            "held_on": DateInput(),
            "chaired_by": forms.Textarea(attrs={"rows": 2}),
            "attended_by": forms.Textarea(attrs={"rows": 2}),
            **{name: forms.Textarea(attrs={"rows": 5}) for name in Review.NARRATIVE_FIELDS},
        }


class PaperForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = ContributedPaper
        fields = ["title", "presenter", "position"]


PaperFormSet = forms.modelformset_factory(
    ContributedPaper, form=PaperForm, extra=1, can_delete=True, max_num=100, validate_max=True
)


class AssessmentForm(CleanTextMixin, forms.Form):
    """One row per content item; leaving progress empty means "not assessed here"."""

    content_item = forms.IntegerField(widget=forms.HiddenInput)
    progress = forms.ChoiceField(
        choices=[("", "—"), *ItemAssessment.Progress.choices], required=False, label=_("Tiến độ")
    )
    comment = forms.CharField(
        required=False, label=_("Nhận xét"), widget=forms.Textarea(attrs={"rows": 1})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("comment") and not cleaned.get("progress"):
            self.add_error("progress", _("Chọn tiến độ cho nội dung có nhận xét."))
        return cleaned


AssessmentFormSet = forms.formset_factory(AssessmentForm, extra=0, max_num=200)


class IndicatorValueForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = IndicatorValue
        fields = ["indicator", "year", "area", "agency", "value", "denominator", "note"]
        widgets = {"note": forms.TextInput()}

    def __init__(self, *args, agreement=None, agency_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agreement is not None:
            self.instance.agreement = agreement
        self.fields["indicator"].queryset = Indicator.objects.filter(is_active=True)
        if agency_queryset is not None:
            self.fields["agency"].queryset = agency_queryset
        self.fields["area"].queryset = Area.objects.all()

    def clean(self):
        cleaned = super().clean()
        indicator = cleaned.get("indicator")
        if indicator and indicator.needs_denominator and cleaned.get("denominator") is None:
            self.add_error("denominator", _("Chỉ tiêu này cần nhập mẫu số."))
        if not cleaned.get("area") and not cleaned.get("agency") and indicator:
            self.add_error("area", _("Cần chọn địa bàn hoặc cơ quan, đơn vị."))
        return cleaned


class AgreementRowsFormSet(SharedChoicesMixin, forms.BaseModelFormSet):
    """Rows that belong to one agreement and pick from its agencies."""

    def __init__(self, *args, agreement=None, agency_queryset=None, **kwargs):
        self.agreement = agreement
        self.agency_queryset = agency_queryset
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"agreement": self.agreement, "agency_queryset": self.agency_queryset}


IndicatorValueFormSet = forms.modelformset_factory(
    IndicatorValue,
    form=IndicatorValueForm,
    formset=AgreementRowsFormSet,
    extra=1,
    can_delete=True,
    max_num=200,
    validate_max=True,
)


def kept_instances(formset):
    """Model instances a model formset keeps: existing rows not deleted, plus new
    rows the user filled in (the instances carry the cleaned values)."""
    kept = []
    for form in formset.forms:
        if formset.can_delete and formset._should_delete_form(form):
            continue
        if form.instance.pk or form.has_changed():
            kept.append(form.instance)
    return kept


class ReturnReviewForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(
        label=_("Lý do trả lại"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class PlanForm(VersionedModelForm):
    class Meta:
        model = AnnualPlan
        fields = ["year", "number", "issued_on", "summary"]
        widgets = {"issued_on": DateInput(), "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs.update({"min": MIN_YEAR, "max": MAX_YEAR})


class ActivityForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = PlanActivity
        fields = ["content_item", "activity", "responsible_agency", "deadline", "done_on"]
        widgets = {
            "activity": forms.Textarea(attrs={"rows": 2}),
            "deadline": DateInput(),
            "done_on": DateInput(),
        }

    def __init__(self, *args, agreement=None, agency_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agreement is not None:
            self.fields["content_item"].queryset = agreement.items.all()
        if agency_queryset is not None:
            self.fields["responsible_agency"].queryset = agency_queryset


ActivityFormSet = forms.modelformset_factory(
    PlanActivity,
    form=ActivityForm,
    formset=AgreementRowsFormSet,
    extra=1,
    can_delete=True,
    max_num=300,
    validate_max=True,
)


class ActivityDoneForm(forms.Form):
    done_on = forms.DateField(required=False, widget=DateInput(), label=_("Ngày hoàn thành"))


class AttachmentForm(CleanTextMixin, forms.Form):
    title = forms.CharField(label=_("Tiêu đề"), max_length=500)
    kind = forms.ChoiceField(label=_("Loại tệp"), choices=Attachment.Kind.choices)
    file = forms.FileField(
        label=_("Tệp"),
        help_text=_("PDF, DOC, DOCX, XLS, XLSX, ODT, JPEG hoặc PNG."),
        max_length=255,
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        try:
            self.content_type = uploads.check(
                uploaded, max_bytes=settings.ATTACHMENT_MAX_MB * 1024 * 1024
            )
        except uploads.RejectedFile as rejected:
            raise ValidationError(str(rejected)) from None
        return uploaded
