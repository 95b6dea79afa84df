from django.db import models
from django.utils.translation import gettext_lazy as _

from goals.choices import Status


class ReportPart(models.TextChoices):
    FULL = "full", _("Half-year report")
    FORM = "form", _("Reporting form")
    ACCOUNTS = "accounts", _("Accounts report")


# The status of a requirement is the worst status of its activities' updates, in this
# order from worst to best.
STATUS_SEVERITY = [Status.DEVIATION, Status.NOT_STARTED, Status.ON_TRACK, Status.ACHIEVED]
NOT_REPORTED = "not_reported"
STATUS_FILTER_CHOICES = [
    *((status, Status(status).label) for status in STATUS_SEVERITY),
    (NOT_REPORTED, _("Not reported")),
]
