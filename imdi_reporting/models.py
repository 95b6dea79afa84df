"""Models that compose the goals, budget and settlement apps live here."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from goals.models import ReportingPeriod
from imdi_reporting.choices import ReportPart


class FrozenReport(models.Model):
    """Arkivert rapport: the PDF of a submitted period as it was sent, kept byte for byte.

    Each submission of a period gets a new version; a reopened and resubmitted period keeps
    its older versions.
    """

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("period")
    )
    part = models.CharField(_("part"), max_length=10, choices=ReportPart.choices)
    version = models.PositiveIntegerField(_("version"))
    submitted_at = models.DateTimeField(_("submitted at"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    pdf = models.BinaryField(_("PDF"))
    size = models.PositiveIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["period", "part", "-version"]
        verbose_name = _("frozen report")
        verbose_name_plural = _("frozen reports")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "part", "version"], name="imdi_reporting_frozenreport_version"
            ),
            models.UniqueConstraint(
                fields=["period", "part", "submitted_at"],
                name="imdi_reporting_frozenreport_submission",
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="imdi_reporting_frozenreport_version_positive"
            ),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="imdi_reporting_frozenreport_sha256_hex",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.part} v{self.version}"


# The form takes its limits from these fields, so form and database refuse the same.
FEEDBACK_NAME_MAX_LENGTH = 200
FEEDBACK_URL_MAX_LENGTH = 500
FEEDBACK_DESCRIPTION_MAX_LENGTH = 4000


class AccessibilityFeedback(models.Model):
    """Tilbakemelding om tilgjengelighet: a barrier a visitor reported from the
    accessibility statement, kept until an administrator has handled it.

    Name and e-mail are optional, so that a problem can be reported anonymously.
    """

    created = models.DateTimeField(_("created"), auto_now_add=True)
    name = models.CharField(_("name"), max_length=FEEDBACK_NAME_MAX_LENGTH, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    url = models.CharField(_("page address"), max_length=FEEDBACK_URL_MAX_LENGTH, blank=True)
    # TextField's max_length only reaches the form; the validator and the constraint hold
    # the model and the database to the same limit.
    description = models.TextField(
        _("description"),
        max_length=FEEDBACK_DESCRIPTION_MAX_LENGTH,
        validators=[MaxLengthValidator(FEEDBACK_DESCRIPTION_MAX_LENGTH)],
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed-in user"),
    )
    handled = models.BooleanField(_("handled"), default=False)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("accessibility feedback")
        verbose_name_plural = _("accessibility feedback reports")
        constraints = [
            models.CheckConstraint(
                condition=~Q(description=""),
                name="imdi_reporting_a11yfeedback_description_given",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("description"), FEEDBACK_DESCRIPTION_MAX_LENGTH),
                name="imdi_reporting_a11yfeedback_description_length",
            ),
        ]

    def __str__(self) -> str:
        when = f"{self.created:%Y-%m-%d %H:%M} " if self.created else ""
        return f"{when}{self.url or '-'}"


class ApiToken(models.Model):
    """API-nøkkel: a user's key for the REST API, sent as `Authorization: Token <key>`.

    The key itself is never stored: only its first characters (to find the row and to
    tell keys apart in lists) and its SHA-256. It is shown once, when created. A key
    expires, and its owner may revoke it; either way it is refused from then on.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8, db_index=True)
    key_hash = models.CharField(_("SHA-256 of the key"), max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["user", "-created_at", "-pk"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        constraints = [
            models.UniqueConstraint(fields=["key_hash"], name="imdi_reporting_apitoken_key_hash"),
            models.CheckConstraint(
                condition=Q(key_hash__regex=r"^[0-9a-f]{64}$"),
                name="imdi_reporting_apitoken_key_hash_hex",
            ),
            models.CheckConstraint(
                condition=Q(prefix__regex=r"^.{8}$"), name="imdi_reporting_apitoken_prefix_length"
            ),
            models.CheckConstraint(
                condition=~Q(name=""), name="imdi_reporting_apitoken_name_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_valid_at(self, moment) -> bool:
        return self.revoked_at is None and self.expires_at > moment


class ImportJob(models.Model):
    """A large admin import run by the task worker: the uploaded file until it has been
    read, how far the check has come, and the outcome (counts, or the problems) for the
    page that follows it."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        CHECKING = "checking", _("checking")
        SAVING = "saving", _("saving")
        DONE = "done", _("imported")
        FAILED = "failed", _("not imported")

    kind = models.CharField(_("table"), max_length=40)
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("file"), blank=True)
    agency_code = models.CharField(_("agency"), max_length=20, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="queued")
    rows_total = models.PositiveIntegerField(_("rows in the file"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows checked"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "checking", "saving", "done", "failed"]),
                name="imdi_reporting_importjob_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_state_display()})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
