from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    CENTRAL = "central", _("Central department")
    REGIONAL = "regional", _("Regional unit")


class LinearBasis(models.TextChoices):
    """How an agency measures linear spend (lineært forbruk) at a period's end."""

    MONTHS = "months", _("Whole months elapsed / 12")
    DAYS = "days", _("Days elapsed / days in the year")


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


class IndicatorDirection(models.TextChoices):
    INCREASE = "increase", _("Increase")
    DECREASE = "decrease", _("Decrease")
    AT_LEAST = "at_least", _("At least")
    AT_MOST = "at_most", _("At most")


class Status(models.TextChoices):
    """Goal attainment of an activity; shown as a colour and this text."""

    ACHIEVED = "achieved", _("Achieved")
    ON_TRACK = "on_track", _("On track")
    DEVIATION = "deviation", _("Deviation")
    NOT_STARTED = "not_started", _("Not started")


# Badge modifier per status (colour always goes together with the label).
STATUS_BADGE = {
    Status.ACHIEVED: "ok",
    Status.ON_TRACK: "ok",
    Status.DEVIATION: "bad",
    Status.NOT_STARTED: "warn",
}


class WorkflowState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    READY = "ready", _("Ready for approval")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


WORKFLOW_BADGE = {
    WorkflowState.DRAFT: "neutral",
    WorkflowState.READY: "warn",
    WorkflowState.RETURNED: "bad",
    WorkflowState.APPROVED: "ok",
}


class PeriodEventKind(models.TextChoices):
    """Every transition of a period and of its updates, for the period's event log."""

    SAVED = "saved", _("Saved")
    READY = "ready", _("Marked ready")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")
    SUBMITTED = "submitted", _("Submitted")
    REOPENED = "reopened", _("Reopened")
    LOCKED = "locked", _("Locked")


class NotificationKind(models.TextChoices):
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")
    SUBMITTED = "submitted", _("Period submitted")
    REOPENED = "reopened", _("Period reopened")
    FEEDBACK = "feedback", _("Comment")
    REPLY = "reply", _("Reply")
    REMINDER = "reminder", _("Reminder")


class ChangePath(models.TextChoices):
    """The way a change came in, as recorded in its history."""

    PAGE = "page", _("page")
    API = "api", _("API")
    ADMIN = "admin", _("admin")
    IMPORT = "import", _("import")
    COMMAND = "command", _("command")
    FIXTURE = "fixture", _("demo data")
    SYSTEM = "system", _("system")


class ChangeAction(models.TextChoices):
    CREATED = "created", _("created")
    CHANGED = "changed", _("changed")
    DELETED = "deleted", _("deleted")
