from django import forms
from django.utils.translation import gettext_lazy as _


class PeriodForm(forms.Form):
    """The period the settlement figures cover: settled from one date to another, and
    the stock in reception at the end date."""

    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To and including"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        return data
