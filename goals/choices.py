from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    CENTRAL = "central", _("Central department")
    REGIONAL = "regional", _("Regional unit")


class PeriodKind(models.TextChoices):
    """Reporting periods of a budget year; the value is the suffix of the period's slug."""

    FIRST_TERTIAL = "T1", _("1st tertial")
    HALF_YEAR = "H1", _("Half year")
    SECOND_TERTIAL = "T2", _("2nd tertial")
    YEAR = "Y", _("Year")


class PeriodState(models.TextChoices):
    OPEN = "open", _("Open")
    SUBMITTED = "submitted", _("Submitted")
    LOCKED = "locked", _("Locked")
