from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportPart(models.TextChoices):
    FULL = "full", _("Half-year report")
    FORM = "form", _("Reporting form")
    ACCOUNTS = "accounts", _("Accounts report")
