from datetime import date

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from settlement.selectors import Disclosure

# Dates outside these years are typing errors, and far-off years overflow date arithmetic.
FIRST_YEAR, LAST_YEAR = 1990, 2200


class PeriodForm(forms.Form):
    """The period the settlement figures cover: settled from one date to another, and
    the stock in reception at the end date. What a reader may ask is bounded by their
    ``Disclosure`` (see settlement.selectors)."""

    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To and including"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, disclosure: Disclosure, **kwargs):
        super().__init__(*args, **kwargs)
        self.disclosure = disclosure

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if not start or not end:
            return data
        for day in (start, end):
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise forms.ValidationError(
                    _("Dates must lie in the years %(first)s to %(last)s.")
                    % {"first": FIRST_YEAR, "last": LAST_YEAR}
                )
        if start > end:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        for error in window_errors(self.disclosure, start=start, end=end):
            raise forms.ValidationError(error)
        return data


def window_errors(disclosure: Disclosure, *, start: date, end: date) -> list[str]:
    """Why this reader may not ask for this period (empty when they may); the API says
    the same."""
    errors = []
    if disclosure.until is not None and end > disclosure.until:
        errors.append(
            _("You see figures up to %(until)s, the end of the latest submitted period.")
            % {"until": formats.date_format(disclosure.until, "d.m.Y")}
        )
    if not disclosure.start_allowed(start=start, end=end):
        errors.append(_("Without exact figures the period starts on 1 January."))
    if not disclosure.end_allowed(end):
        errors.append(_("Without exact figures the period ends at the end of a month."))
    return errors
