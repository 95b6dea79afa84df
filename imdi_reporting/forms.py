from django import forms
from django.utils.translation import gettext_lazy as _

from imdi_reporting.choices import STATUS_FILTER_CHOICES
from imdi_reporting.models import AccessibilityFeedback


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


class AccessibilityFeedbackForm(forms.ModelForm):
    """A barrier reported from the accessibility statement; only the description is required.

    The lengths come from the model's fields, so the form refuses what the database would.
    """

    class Meta:
        model = AccessibilityFeedback
        fields = ["description", "url", "name", "email"]
        labels = {
            "description": _("What is the problem?"),
            "url": _("Page address (optional)"),
            "name": _("Name (optional)"),
            "email": _("E-mail (optional)"),
        }
        help_texts = {
            "description": _(
                "Describe what you tried to do, what happened, and which aids you use "
                "(screen reader, magnifier, keyboard only) if it matters."
            ),
            "url": _("The address of the page where you met the problem."),
            "email": _("Only if you want an answer."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"


class ApiTokenForm(forms.Form):
    """A new API key: only its name; the key is made by the server."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the key is for, e.g. the script or system that uses it."),
    )


class EmailNotificationsForm(forms.Form):
    """Whether a person gets their notifications by e-mail as well as in the app."""

    email = forms.BooleanField(label=_("Send me the notifications by e-mail too"), required=False)
