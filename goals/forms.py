from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from goals.choices import Status
from goals.letter_schema import MAX_FILE_BYTES
from goals.models import (
    ANSWER_MAX_LENGTH,
    NARRATIVE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    BudgetYear,
)


class StatusUpdateForm(forms.Form):
    """An activity's status update; `version` is what the editor read."""

    attainment = forms.CharField(
        label=_("Goal attainment"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=ANSWER_MAX_LENGTH,
    )
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    deviation = forms.CharField(
        label=_("Deviation and remarks"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=ANSWER_MAX_LENGTH,
    )
    measures_done = forms.CharField(
        label=_("Measures carried out"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=ANSWER_MAX_LENGTH,
    )
    measures_planned = forms.CharField(
        label=_("Measures planned"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=ANSWER_MAX_LENGTH,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=REASON_MAX_LENGTH
    )


class NewYearForm(forms.Form):
    allocation_letter_date = forms.DateField(
        label=_("Date of the new allocation letter"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class SubmitPeriodForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for submitting the period as it is"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


class FeedbackForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=ANSWER_MAX_LENGTH,
    )
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)


class NarrativeForm(forms.Form):
    """The requirement's narrative for the period (part II); `version` is what was read."""

    measures_done = forms.CharField(
        label=_("Measures carried out"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=NARRATIVE_MAX_LENGTH,
    )
    status = forms.CharField(
        label=_("Status"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        max_length=NARRATIVE_MAX_LENGTH,
    )
    next_priorities = forms.CharField(
        label=_("Priorities for the next period"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=NARRATIVE_MAX_LENGTH,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class LetterUploadForm(forms.Form):
    """An allocation letter file and the budget year it is for."""

    file = forms.FileField(
        label=_("Allocation letter (XLSX or YAML)"),
        help_text=_("The format is described in docs/tildelingsbrev.md."),
    )
    budget_year = forms.ModelChoiceField(
        label=_("Budget year"), queryset=BudgetYear.objects.select_related("agency")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB.") % {"limit": MAX_FILE_BYTES // 2**20}
            )
        if Path(upload.name).suffix.lower() not in (".xlsx", ".yaml", ".yml"):
            raise forms.ValidationError(_("Upload an .xlsx workbook or a .yaml file."))
        return upload


class LetterConfirmForm(forms.Form):
    """Confirms a previewed import; the token names the stored upload (signed)."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=500)
    budget_year = forms.ModelChoiceField(
        queryset=BudgetYear.objects.select_related("agency"), widget=forms.HiddenInput
    )


class DeliverableMetForm(forms.Form):
    """The date a deliverable was met; empty when it has not been."""

    deliverable = forms.IntegerField(widget=forms.HiddenInput)
    met_on = forms.DateField(
        label=_("Met on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
