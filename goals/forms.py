from django import forms
from django.utils.translation import gettext_lazy as _

from goals.choices import Status


class StatusUpdateForm(forms.Form):
    """An activity's status update; `version` is what the editor read."""

    attainment = forms.CharField(
        label=_("Goal attainment"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    deviation = forms.CharField(
        label=_("Deviation and remarks"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    measures_done = forms.CharField(
        label=_("Measures carried out"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    measures_planned = forms.CharField(
        label=_("Measures planned"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class NewYearForm(forms.Form):
    allocation_letter_date = forms.DateField(
        label=_("Date of the new allocation letter"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class SubmitPeriodForm(forms.Form):
    include_unapproved = forms.BooleanField(
        label=_("Submit even though some updates are not approved"), required=False
    )


class FeedbackForm(forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)


class NarrativeForm(forms.Form):
    """The requirement's narrative for the period (part II); `version` is what was read."""

    measures_done = forms.CharField(
        label=_("Measures carried out"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    status = forms.CharField(
        label=_("Status"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    next_priorities = forms.CharField(
        label=_("Priorities for the next period"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
