from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from goals.choices import PeriodKind, PeriodState, UnitKind


class Ministry(models.Model):
    """Departement: the ministry that owns agencies and writes their allocation letters."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("ministry")
        verbose_name_plural = _("ministries")

    def __str__(self) -> str:
        return self.code

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class Agency(models.Model):
    """Virksomhet: an agency (direktorat) that reports to its ministry."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    ministry = models.ForeignKey(
        Ministry, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("ministry")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.code


class OrganisationalUnit(models.Model):
    """Enhet: an organisational unit of an agency (ADM, KOMM, NE, PAKS, VEST, ...)."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="units", verbose_name=_("agency")
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)

    class Meta:
        ordering = ["agency", "code"]
        verbose_name = _("organisational unit")
        verbose_name_plural = _("organisational units")
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="goals_unit_unique_code"),
        ]

    def __str__(self) -> str:
        return self.code


class UserProfile(models.Model):
    """Brukerprofil: where a user works, a ministry or an agency and one of its units."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    ministry = models.ForeignKey(
        Ministry, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("ministry")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("agency")
    )
    unit = models.ForeignKey(
        OrganisationalUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("organisational unit"),
    )

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")
        constraints = [
            models.CheckConstraint(
                condition=(Q(ministry__isnull=False) & Q(agency__isnull=True))
                | (Q(ministry__isnull=True) & Q(agency__isnull=False)),
                name="goals_userprofile_ministry_xor_agency",
            ),
            models.CheckConstraint(
                condition=Q(unit__isnull=True) | Q(agency__isnull=False),
                name="goals_userprofile_unit_needs_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.unit or self.agency or self.ministry})"


class BudgetYear(models.Model):
    """Budsjettår: an agency's year, with the allocation letter (tildelingsbrev) and vision."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="years", verbose_name=_("agency")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    allocation_letter_date = models.DateField(_("allocation letter date"))
    allocation_letter_reference = models.CharField(
        _("allocation letter reference"), max_length=100, blank=True
    )
    vision = models.CharField(_("vision"), max_length=300, blank=True)

    class Meta:
        ordering = ["agency", "year"]
        verbose_name = _("budget year")
        verbose_name_plural = _("budget years")
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="goals_budgetyear_unique"),
            models.CheckConstraint(
                condition=Q(year__gte=1990) & Q(year__lte=2200),
                name="goals_budgetyear_plausible_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.year}"


class ReportingPeriod(models.Model):
    """Rapporteringsperiode: 1. tertial, halvår, 2. tertial or år, with its own state.

    Open periods accept status updates; submitting sends the period to the ministry
    and freezes it. A submitted or locked period accepts no change by any path.
    """

    budget_year = models.ForeignKey(
        BudgetYear, on_delete=models.PROTECT, related_name="periods", verbose_name=_("budget year")
    )
    kind = models.CharField(_("kind"), max_length=2, choices=PeriodKind.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    deadline = models.DateField(_("submission deadline"))
    state = models.CharField(
        _("state"), max_length=10, choices=PeriodState.choices, default=PeriodState.OPEN
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )

    class Meta:
        ordering = ["budget_year", "end", "start"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(
                fields=["budget_year", "kind"], name="goals_period_unique_kind_per_year"
            ),
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="goals_period_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("end")), name="goals_period_deadline_after_end"
            ),
            models.CheckConstraint(
                condition=Q(state=PeriodState.OPEN) | Q(submitted_at__isnull=False),
                name="goals_period_submitted_has_time",
            ),
        ]
        permissions = [
            ("submit_period", "Can submit a reporting period to the ministry"),
            ("reopen_period", "Can reopen a submitted reporting period"),
            ("view_draft_period", "Can see periods that are not yet submitted"),
        ]

    def __str__(self) -> str:
        return f"{self.budget_year.agency} {self.slug}"

    @property
    def slug(self) -> str:
        year = self.budget_year.year
        return str(year) if self.kind == PeriodKind.YEAR else f"{year}-{self.kind}"

    @property
    def is_locked(self) -> bool:
        return self.state != PeriodState.OPEN
