from django import forms
from django.utils.translation import gettext_lazy as _

from imdi_reporting.selectors import STATUS_FILTER_CHOICES


class OverviewFilterForm(forms.Form):
    """The overview's filters, sent by GET; choices come from the period's own data."""

    period = forms.ChoiceField(label=_("Period"), required=False)
    main_goal = forms.ChoiceField(label=_("Main goal"), required=False)
    unit = forms.ChoiceField(label=_("Responsible unit (ANSV)"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *STATUS_FILTER_CHOICES],
    )

    def __init__(self, *args, periods, main_goals, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [
            (p.slug, f"{p.budget_year.agency.code}: {p.get_kind_display()} {p.budget_year.year}")
            for p in periods
        ]
        self.fields["main_goal"].choices = [("", _("All main goals"))] + [
            (g.code, f"{g.code} {g.title}") for g in main_goals
        ]
        self.fields["unit"].choices = [("", _("All units"))] + [
            (u.code, f"{u.code}: {u.name}") for u in units
        ]


class ApiTokenForm(forms.Form):
    """A new API key: only its name; the key is made by the server."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the key is for, e.g. the script or system that uses it."),
    )
