"""Models that compose the goals, budget and settlement apps live here."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from goals.models import Agency, Ministry, OrganisationalUnit, ReportingPeriod
from imdi_reporting.choices import ReportPart
from imdi_reporting.roles import Role


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


class ReportSnapshot(models.Model):
    """Øyeblikksbilde av rapporten: the body of a submitted period's report as it was when
    the period was submitted, rendered in Norwegian bokmål like the PDF.

    Taken inside the submission's transaction, one per part; the web page of the submitted
    period shows it and the frozen PDF is made from it, so both carry the same text and
    figures whatever changes later (a requirement's text edited for the year report, a
    renamed unit). A resubmission is a new row; older ones are kept.
    """

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("period")
    )
    part = models.CharField(_("part"), max_length=10, choices=ReportPart.choices)
    submitted_at = models.DateTimeField(_("submitted at"))
    # The document's title and author (its <title> and <meta name="author">), as printed.
    title = models.CharField(_("title"), max_length=500)
    agency_name = models.CharField(_("agency"), max_length=300)
    html = models.TextField(_("report body (HTML)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["period", "part", "-submitted_at"]
        verbose_name = _("report snapshot")
        verbose_name_plural = _("report snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "part", "submitted_at"],
                name="imdi_reporting_reportsnapshot_submission",
            ),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="imdi_reporting_reportsnapshot_sha256_hex",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.part} {self.submitted_at:%Y-%m-%d %H:%M}"


class OpenDataSnapshot(models.Model):
    """Publiserte åpne data: the CSV tables of a submitted period's open data package as
    they were when the period was submitted (file name -> CSV text).

    Taken with the report snapshot, inside the submission's transaction, so that a text of
    the year edited for the year report later never changes what the half year published.
    The package's metadata (datapackage.json, dcat.jsonld) is written around these files
    at each download. A resubmission is a new row; older ones are kept.
    """

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("period")
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    files = models.JSONField(_("CSV files"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["period", "-submitted_at"]
        verbose_name = _("open data snapshot")
        verbose_name_plural = _("open data snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "submitted_at"],
                name="imdi_reporting_opendatasnapshot_submission",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.submitted_at:%Y-%m-%d %H:%M}"


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


class SsoRoleMapping(models.Model):
    """Rolle fra innlogging: which role, and where, a user of the single sign-on gets.

    A user who signs in through the organisation's identity provider (OpenID Connect) gets
    access only when one of their claims matches a row here: the claim (e.g. ``groups`` or
    ``roles``) holds the value, or lists it. An administrator maintains the rows in the
    admin; the role and place are set again at every login, so a changed or deleted row
    takes effect the next time the user signs in.
    """

    claim = models.CharField(
        _("claim"),
        max_length=100,
        default="groups",
        help_text=_("Name of the claim in the identity token, e.g. groups or roles."),
    )
    value = models.CharField(
        _("value"),
        max_length=200,
        help_text=_("The claim's value (or one of its values), e.g. a group's object id."),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    ministry = models.ForeignKey(
        Ministry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ministry"),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    unit = models.ForeignKey(
        OrganisationalUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisational unit"),
    )

    class Meta:
        ordering = ["claim", "value"]
        verbose_name = _("single sign-on role mapping")
        verbose_name_plural = _("single sign-on role mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "value"], name="imdi_reporting_ssorolemapping_claim_value"
            ),
            models.CheckConstraint(
                condition=(Q(ministry__isnull=False) & Q(agency__isnull=True))
                | (Q(ministry__isnull=True) & Q(agency__isnull=False)),
                name="imdi_reporting_ssorolemapping_ministry_xor_agency",
            ),
            models.CheckConstraint(
                condition=Q(unit__isnull=True) | Q(agency__isnull=False),
                name="imdi_reporting_ssorolemapping_unit_needs_agency",
            ),
            models.CheckConstraint(
                condition=~Q(value="") & ~Q(claim=""),
                name="imdi_reporting_ssorolemapping_claim_and_value_given",
            ),
        ]

    def __str__(self) -> str:
        place = self.unit or self.agency or self.ministry
        return f"{self.claim}={self.value} → {self.role} ({place})"

    def clean(self) -> None:
        super().clean()
        if self.unit_id is not None and self.agency_id != self.unit.agency_id:
            raise ValidationError(
                {
                    "unit": _("Mapping %(claim)s=%(value)s: %(unit)s is a unit of %(other)s.")
                    % {
                        "claim": self.claim,
                        "value": self.value,
                        "unit": self.unit,
                        "other": self.unit.agency,
                    }
                }
            )
        if self.role == Role.MINISTRY_READER and self.ministry_id is None:
            raise ValidationError(
                {
                    "ministry": _(
                        "Mapping %(claim)s=%(value)s: a ministry reader needs a ministry."
                    )
                    % {"claim": self.claim, "value": self.value}
                }
            )


class SsoIdentity(models.Model):
    """Innlogget identitet: the identity provider's subject that a user signed in as.

    Users of the single sign-on are found by issuer and subject, never by e-mail or
    username, so that an identity provider cannot take over a local account.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sso_identity",
        verbose_name=_("user"),
    )
    issuer = models.CharField(_("issuer"), max_length=300)
    subject = models.CharField(_("subject"), max_length=255)

    class Meta:
        ordering = ["issuer", "subject"]
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="imdi_reporting_ssoidentity_issuer_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} @ {self.issuer}"


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
