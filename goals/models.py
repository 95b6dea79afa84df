import operator
import re
from functools import reduce
from typing import NamedTuple

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from goals.choices import (
    STATUS_BADGE,
    ChangeAction,
    ChangePath,
    IndicatorDirection,
    LinearBasis,
    NotificationKind,
    PeriodEventKind,
    PeriodKind,
    PeriodState,
    Status,
    UnitKind,
    WorkflowState,
)
from goals.locking import (
    Guarded,
    OwnPeriodLock,
    PeriodLock,
    YearLock,
    register_lock,
)
from goals.tenancy import TenantRow, check_references


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


AGENCY_CODE_PATTERN = r"^[A-Za-z][A-Za-z0-9]*$"


class Agency(models.Model):
    """Virksomhet: an agency (direktorat) that reports to its ministry.

    The code is part of every period's address (``ABC-2006-H1``), so it holds letters
    and digits only. Modules and conventions that differ between agencies are settings
    here, never code.
    """

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        validators=[
            RegexValidator(
                AGENCY_CODE_PATTERN,
                _("The code holds letters and digits only and starts with a letter."),
            )
        ],
        help_text=_("Letters and digits, e.g. ABC; part of every address of its periods."),
    )
    name = models.CharField(_("name"), max_length=200)
    ministry = models.ForeignKey(
        Ministry, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("ministry")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    has_settlement = models.BooleanField(
        _("settlement module (bosetting)"),
        default=False,
        help_text=_("The agency reports settlement of refugees (cases, places, forecasts)."),
    )
    linear_basis = models.CharField(
        _("basis of linear spend"),
        max_length=10,
        choices=LinearBasis.choices,
        default=LinearBasis.MONTHS,
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder days before the deadline"),
        default=7,
        help_text=_(
            "Units with unanswered form rows are reminded this many days before a period's "
            "deadline (send_reminders)."
        ),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=AGENCY_CODE_PATTERN), name="goals_agency_code_format"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class OrganisationalUnit(TenantRow):
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
    # Empty until the user picks a language; then it follows them to every device.
    language = models.CharField(_("language"), max_length=8, blank=True, choices=settings.LANGUAGES)
    email_notifications = models.BooleanField(_("notifications by e-mail"), default=True)
    # Kept with the profile, which every page reads anyway, so the header's count costs no
    # query; the notification services keep it in step with the rows.
    unread_notifications = models.PositiveIntegerField(_("unread notifications"), default=0)

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

    def clean(self) -> None:
        super().clean()
        if self.unit_id is not None and self.agency_id != self.unit.agency_id:
            raise ValidationError(
                {
                    "unit": _("%(unit)s is a unit of %(other)s, not of %(agency)s.")
                    % {"unit": self.unit, "other": self.unit.agency, "agency": self.agency}
                }
            )


class BudgetYear(Guarded):
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
    settlement_requirement = models.ForeignKey(
        "ResultRequirement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("settlement figures reported under"),
        help_text=_("The result requirement whose report carries the settlement figures."),
    )

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

    def clean(self) -> None:
        super().clean()
        check_references(self)


class ReportingPeriod(Guarded, TenantRow):
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
        return f"{self.budget_year.agency} {self.short_slug}"

    @property
    def short_slug(self) -> str:
        """The period within its agency: '2006-H1', or '2006' for the year report."""
        year = self.budget_year.year
        return str(year) if self.kind == PeriodKind.YEAR else f"{year}-{self.kind}"

    @property
    def slug(self) -> str:
        """The period's address, unique across agencies: 'ABC-2006-H1', 'ABC-2006'."""
        return f"{self.budget_year.agency.code}-{self.short_slug}"

    @property
    def is_locked(self) -> bool:
        return self.state != PeriodState.OPEN


class PeriodKey(NamedTuple):
    """A parsed period address; ``agency`` is None for the short form ('2006-H1')."""

    agency: str | None
    year: int
    kind: str


def parse_period_slug(slug: str) -> PeriodKey | None:
    """'ABC-2006-H1' -> ('ABC', 2006, 'H1'); '2006' -> (None, 2006, 'Y'); else None."""
    agency = None
    head, sep, rest = slug.partition("-")
    if sep and head[:1].isalpha():
        if not re.fullmatch(AGENCY_CODE_PATTERN, head):
            return None
        agency, slug = head, rest
    year_part, _, kind = slug.partition("-")
    if not year_part.isdigit() or len(year_part) != 4:
        return None
    kind = kind or PeriodKind.YEAR
    if kind not in PeriodKind.values or (kind == PeriodKind.YEAR and "-" in slug):
        return None
    return PeriodKey(agency, int(year_part), kind)


def _unit_fk(verbose_name, *, null: bool = True) -> models.ForeignKey:
    return models.ForeignKey(
        OrganisationalUnit,
        on_delete=models.PROTECT,
        null=null,
        blank=null,
        related_name="+",
        verbose_name=verbose_name,
    )


class PriorityArea(Guarded, TenantRow):
    """Satsingsområde: the year's priority area of the allocation letter (part I)."""

    budget_year = models.ForeignKey(
        BudgetYear, on_delete=models.PROTECT, related_name="priority_areas"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    title = models.TextField(_("title"))
    # Empty means the whole agency is responsible (ANSV: the agency's code).
    responsible_unit = _unit_fk(_("responsible unit (ANSV)"))

    class Meta:
        ordering = ["budget_year", "position"]
        verbose_name = _("priority area")
        verbose_name_plural = _("priority areas")
        constraints = [
            models.UniqueConstraint(
                fields=["budget_year", "position"], name="goals_priorityarea_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return self.title[:80]


class PriorityItem(Guarded, TenantRow):
    """Satsingsområdets punkt a-c."""

    area = models.ForeignKey(PriorityArea, on_delete=models.CASCADE, related_name="items")
    letter = models.CharField(_("letter"), max_length=2)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["area", "letter"]
        verbose_name = _("priority item")
        verbose_name_plural = _("priority items")
        constraints = [
            models.UniqueConstraint(fields=["area", "letter"], name="goals_priorityitem_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.letter}) {self.text[:60]}"


class MainGoal(Guarded, TenantRow):
    """Hovedmål: HM1-HM3 of the allocation letter."""

    budget_year = models.ForeignKey(BudgetYear, on_delete=models.PROTECT, related_name="main_goals")
    code = models.CharField(_("code"), max_length=20)
    title = models.TextField(_("title"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["budget_year", "position", "code"]
        verbose_name = _("main goal")
        verbose_name_plural = _("main goals")
        constraints = [
            models.UniqueConstraint(fields=["budget_year", "code"], name="goals_maingoal_unique"),
        ]

    def __str__(self) -> str:
        return self.code


class ResultRequirement(Guarded, TenantRow):
    """Resultatkrav: what the ministry requires under a main goal, with its ANSV unit."""

    main_goal = models.ForeignKey(MainGoal, on_delete=models.PROTECT, related_name="requirements")
    code = models.CharField(_("code"), max_length=20)
    text = models.TextField(_("text"))
    responsible_unit = _unit_fk(_("responsible unit (ANSV)"), null=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["main_goal__position", "position", "code"]
        verbose_name = _("result requirement")
        verbose_name_plural = _("result requirements")
        constraints = [
            models.UniqueConstraint(
                fields=["main_goal", "code"], name="goals_resultrequirement_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Deliverable(Guarded, TenantRow):
    """Leveranse: a dated deliverable of a result requirement."""

    requirement = models.ForeignKey(
        ResultRequirement, on_delete=models.CASCADE, related_name="deliverables"
    )
    due = models.DateField(_("due"))
    title = models.CharField(_("title"), max_length=300)
    met_on = models.DateField(
        _("met on"),
        null=True,
        blank=True,
        help_text=_("The date the deliverable was delivered; empty while it is not."),
    )

    class Meta:
        ordering = ["requirement", "due", "title"]
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "due", "title"], name="goals_deliverable_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement} {self.due}"


class SpecialReportingRequirement(Guarded, TenantRow):
    """Særskilt rapportering: tied to a result requirement or directly to a main goal."""

    budget_year = models.ForeignKey(
        BudgetYear, on_delete=models.PROTECT, related_name="special_reporting"
    )
    code = models.CharField(_("code"), max_length=20)
    text = models.TextField(_("text"))
    requirement = models.ForeignKey(
        ResultRequirement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="special_reporting",
    )
    main_goal = models.ForeignKey(
        MainGoal, on_delete=models.CASCADE, null=True, blank=True, related_name="special_reporting"
    )
    responsible_unit = _unit_fk(_("responsible unit (ANSV)"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["budget_year", "position", "code"]
        verbose_name = _("special reporting requirement")
        verbose_name_plural = _("special reporting requirements")
        constraints = [
            models.UniqueConstraint(fields=["budget_year", "code"], name="goals_special_unique"),
            models.CheckConstraint(
                condition=(Q(requirement__isnull=False) & Q(main_goal__isnull=True))
                | (Q(requirement__isnull=True) & Q(main_goal__isnull=False)),
                name="goals_special_requirement_xor_main_goal",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class OtherReportingTopic(Guarded, TenantRow):
    """Annen rapportering: målloven, sykefravær, likestilling, grønn stat, IT, budsjett."""

    budget_year = models.ForeignKey(
        BudgetYear, on_delete=models.PROTECT, related_name="other_reporting"
    )
    code = models.SlugField(_("code"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    responsible_unit = _unit_fk(_("responsible unit (ANSV)"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["budget_year", "position", "code"]
        verbose_name = _("other reporting topic")
        verbose_name_plural = _("other reporting topics")
        constraints = [
            models.UniqueConstraint(
                fields=["budget_year", "code"], name="goals_otherreportingtopic_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title


PARENT_FIELDS = ("requirement", "priority_item", "special", "other_topic")


def exactly_one_parent(name: str) -> models.CheckConstraint:
    """A check that exactly one of the four parent foreign keys is set."""
    options = []
    for chosen in PARENT_FIELDS:
        clause = Q(**{f"{chosen}__isnull": False})
        for other in PARENT_FIELDS:
            if other != chosen:
                clause &= Q(**{f"{other}__isnull": True})
        options.append(clause)
    return models.CheckConstraint(condition=reduce(operator.or_, options), name=name)


class ParentedModel(Guarded, TenantRow):
    """Something of the reporting form that hangs under exactly one of four parents."""

    budget_year = models.ForeignKey(BudgetYear, on_delete=models.PROTECT, related_name="+")
    requirement = models.ForeignKey(
        ResultRequirement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="%(class)ss",
        verbose_name=_("result requirement"),
    )
    priority_item = models.ForeignKey(
        PriorityItem,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="%(class)ss",
        verbose_name=_("priority item"),
    )
    special = models.ForeignKey(
        SpecialReportingRequirement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="%(class)ss",
        verbose_name=_("special reporting requirement"),
    )
    other_topic = models.ForeignKey(
        OtherReportingTopic,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="%(class)ss",
        verbose_name=_("other reporting topic"),
    )

    class Meta:
        abstract = True

    @property
    def parent(self):
        return self.requirement or self.priority_item or self.special or self.other_topic

    @property
    def parent_key(self) -> str:
        """The fixture notation: requirement:R1-1, priority:a, special:HM1-S1, other:it."""
        if self.requirement_id:
            return f"requirement:{self.requirement.code}"
        if self.priority_item_id:
            return f"priority:{self.priority_item.letter}"
        if self.special_id:
            return f"special:{self.special.code}"
        return f"other:{self.other_topic.code}"


class Activity(ParentedModel):
    """Aktivitet: one row of the reporting form (part V), with its indicator text.

    Activities belong to the budget year, so every period of the year reports on the
    same rows; the answers are StatusUpdates per period.
    """

    position = models.PositiveIntegerField(_("position"))
    activity = models.TextField(_("activity"), blank=True)
    indicator_text = models.TextField(_("indicator"), blank=True)

    class Meta:
        ordering = ["budget_year", "position"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(
                fields=["budget_year", "position"], name="goals_activity_unique_position"
            ),
            exactly_one_parent("goals_activity_exactly_one_parent"),
        ]

    def __str__(self) -> str:
        return self.activity[:80]


class Indicator(ParentedModel):
    """Indikator: a quantitative indicator with target, target date and direction."""

    code = models.SlugField(_("code"), max_length=60)
    activity = models.ForeignKey(
        Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="indicators"
    )
    name = models.CharField(_("name"), max_length=300)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    target = models.DecimalField(
        _("target value"), max_digits=15, decimal_places=2, null=True, blank=True
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    direction = models.CharField(_("direction"), max_length=10, choices=IndicatorDirection.choices)
    baseline = models.DecimalField(
        _("baseline"), max_digits=15, decimal_places=2, null=True, blank=True
    )
    baseline_text = models.CharField(_("baseline (text)"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["budget_year", "position", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["budget_year", "code"], name="goals_indicator_unique"),
            exactly_one_parent("goals_indicator_exactly_one_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class PeriodBoundModel(Guarded, TenantRow):
    """Content that belongs to a reporting period and freezes with it."""

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("period")
    )

    class Meta:
        abstract = True


# Limits of the texts people write, the same in the pages' forms, the admin and the API
# (all read them from here): far above any real answer, low enough that a report with
# every field full still renders in seconds.
ANSWER_MAX_LENGTH = 20_000
NARRATIVE_MAX_LENGTH = 50_000
REASON_MAX_LENGTH = 5_000


def bounded_text(verbose_name, max_length: int, **kwargs) -> models.TextField:
    """A TextField held to ``max_length``: its max_length alone only reaches the form
    widget; the validator holds the admin and every full_clean to it too."""
    return models.TextField(
        verbose_name, max_length=max_length, validators=[MaxLengthValidator(max_length)], **kwargs
    )


class VersionedAnswer(PeriodBoundModel):
    """An answer edited by people: versioned for optimistic concurrency."""

    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class IndicatorValue(VersionedAnswer):
    """Måleverdi: an indicator's measured value in a period."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField(_("value"), max_digits=15, decimal_places=2)
    measured_on = models.DateField(_("measured on"), null=True, blank=True)

    class Meta:
        ordering = ["indicator", "period"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"], name="goals_indicatorvalue_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.value}"


class StatisticalTable(ParentedModel, PeriodBoundModel):
    """Statistikktabell: counts by category (Tab. 1); totals and shares are computed."""

    code = models.SlugField(_("code"), max_length=60)
    title = models.CharField(_("title"), max_length=300)
    columns = models.JSONField(_("columns"), default=list)
    # Categories such as "with right and duty" and "of those, in training" overlap, and a
    # sum over them means nothing; only a table whose rows part the whole gets a sum row.
    rows_summable = models.BooleanField(
        _("rows may be summed"),
        default=False,
        help_text=_("Tick when the rows are categories that do not overlap."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["period", "position", "code"]
        verbose_name = _("statistical table")
        verbose_name_plural = _("statistical tables")
        constraints = [
            models.UniqueConstraint(fields=["period", "code"], name="goals_table_unique"),
            exactly_one_parent("goals_table_exactly_one_parent"),
        ]

    def __str__(self) -> str:
        return self.title


class StatisticalTableRow(Guarded, TenantRow):
    """Tabellrad: a label and one whole-number count per column of its table."""

    table = models.ForeignKey(StatisticalTable, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveSmallIntegerField(_("position"))
    label = models.CharField(_("label"), max_length=300)
    values = models.JSONField(_("values"), default=list)

    class Meta:
        ordering = ["table", "position"]
        verbose_name = _("statistical table row")
        verbose_name_plural = _("statistical table rows")
        constraints = [
            models.UniqueConstraint(fields=["table", "position"], name="goals_tablerow_unique"),
        ]

    def __str__(self) -> str:
        return self.label


class StatusUpdate(VersionedAnswer):
    """Statusoppdatering: an activity's goal attainment (måloppnåelse) in a period."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="updates")
    attainment = bounded_text(_("goal attainment"), ANSWER_MAX_LENGTH, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    deviation = bounded_text(_("deviation and remarks"), ANSWER_MAX_LENGTH, blank=True)
    measures_done = bounded_text(_("measures carried out"), ANSWER_MAX_LENGTH, blank=True)
    measures_planned = bounded_text(_("measures planned"), ANSWER_MAX_LENGTH, blank=True)
    state = models.CharField(
        _("workflow state"),
        max_length=10,
        choices=WorkflowState.choices,
        default=WorkflowState.DRAFT,
    )
    return_reason = bounded_text(_("reason for return"), REASON_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["period", "activity__position"]
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "period"], name="goals_statusupdate_unique"
            ),
            models.CheckConstraint(
                condition=~Q(state=WorkflowState.RETURNED) | ~Q(return_reason=""),
                name="goals_statusupdate_returned_has_reason",
            ),
        ]
        permissions = [("approve_statusupdate", "Can return and approve status updates")]

    def __str__(self) -> str:
        return f"{self.activity} ({self.period_id})"

    @property
    def status_badge(self) -> dict:
        return {"label": self.get_status_display(), "css": STATUS_BADGE[self.status]}


class RequirementNarrative(VersionedAnswer):
    """Rapportering på resultatkrav: the prose of part II for a requirement in a period."""

    requirement = models.ForeignKey(
        ResultRequirement, on_delete=models.CASCADE, related_name="narratives"
    )
    status = bounded_text(_("status"), NARRATIVE_MAX_LENGTH, blank=True)
    measures_done = bounded_text(_("measures carried out"), NARRATIVE_MAX_LENGTH, blank=True)
    next_priorities = bounded_text(
        _("priorities for the next period"), NARRATIVE_MAX_LENGTH, blank=True
    )

    class Meta:
        ordering = ["period", "requirement"]
        verbose_name = _("requirement narrative")
        verbose_name_plural = _("requirement narratives")
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "period"], name="goals_narrative_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement} ({self.period_id})"


class SpecialReportingAnswer(VersionedAnswer):
    """Svar på særskilt rapportering in a period."""

    special = models.ForeignKey(
        SpecialReportingRequirement, on_delete=models.CASCADE, related_name="answers"
    )
    text = bounded_text(_("text"), NARRATIVE_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["period", "special"]
        verbose_name = _("special reporting answer")
        verbose_name_plural = _("special reporting answers")
        constraints = [
            models.UniqueConstraint(
                fields=["special", "period"], name="goals_specialanswer_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.special} ({self.period_id})"


class OtherReportingAnswer(VersionedAnswer):
    """Svar på annen rapportering (part III) in a period."""

    topic = models.ForeignKey(OtherReportingTopic, on_delete=models.CASCADE, related_name="answers")
    text = bounded_text(_("text"), NARRATIVE_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["period", "topic"]
        verbose_name = _("other reporting answer")
        verbose_name_plural = _("other reporting answers")
        constraints = [
            models.UniqueConstraint(fields=["topic", "period"], name="goals_otheranswer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.period_id})"


class PeriodReport(PeriodBoundModel):
    """Rapportens faste tekster: front page, reading guide, parts I and IV of a period."""

    front_page_title = models.CharField(_("front page title"), max_length=300, blank=True)
    front_page_heading = models.CharField(_("front page heading"), max_length=300, blank=True)
    front_page_introduction = models.TextField(_("introduction"), blank=True)
    reading_guide = models.TextField(_("reading guide"), blank=True)
    reading_guide_place_date = models.CharField(_("place and date"), max_length=100, blank=True)
    reading_guide_signatory_name = models.CharField(_("signed by"), max_length=200, blank=True)
    reading_guide_signatory_title = models.CharField(
        _("signatory's title"), max_length=200, blank=True
    )
    priority_area_narrative = models.TextField(_("priority area narrative"), blank=True)
    resource_priorities = models.TextField(_("resource priorities"), blank=True)

    class Meta:
        verbose_name = _("period report texts")
        verbose_name_plural = _("period report texts")
        constraints = [
            models.UniqueConstraint(fields=["period"], name="goals_periodreport_unique"),
        ]

    def __str__(self) -> str:
        return str(self.period)


class CoverLetter(PeriodBoundModel):
    """Oversendelsesbrev: the letter that sends the period's report to the ministry."""

    their_reference = models.CharField(_("their reference"), max_length=100, blank=True)
    our_reference = models.CharField(_("our reference"), max_length=100, blank=True)
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"))
    closing = models.TextField(_("closing"), blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    case_officers = models.CharField(_("case officers"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("cover letter")
        verbose_name_plural = _("cover letters")
        constraints = [
            models.UniqueConstraint(fields=["period"], name="goals_coverletter_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class CoverLetterSignatory(Guarded, TenantRow):
    """Underskriver of a cover letter."""

    letter = models.ForeignKey(CoverLetter, on_delete=models.CASCADE, related_name="signatories")
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)

    class Meta:
        ordering = ["letter", "position"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        constraints = [
            models.UniqueConstraint(fields=["letter", "position"], name="goals_signatory_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Feedback(TenantRow):
    """Tilbakemelding: the ministry's comment on a requirement in a period, or a reply.

    Comments stay possible after submission: reading the submitted report is when the
    ministry comments.
    """

    requirement = models.ForeignKey(
        ResultRequirement, on_delete=models.CASCADE, related_name="feedback"
    )
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = bounded_text(_("text"), ANSWER_MAX_LENGTH)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        permissions = [("reply_feedback", "Can reply to the ministry's feedback")]

    def __str__(self) -> str:
        return f"{self.requirement} {self.created_at:%Y-%m-%d}"


class ChangeRecord(TenantRow):
    """Endringslogg: one changed field of a row that a report or dashboard shows, old ->
    new, with who, when and the path it came through (goals.history records it)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    # Denormalised so that the requirement's page lists its history in one query.
    requirement = models.ForeignKey(
        ResultRequirement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="change_records",
    )
    # Empty for rows of the year (requirement texts, indicator targets) and of no period.
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The page that lists the change, when it is not a requirement's ('budget.post:7').
    anchor = models.CharField(_("shown on"), max_length=80, blank=True, db_index=True)
    action = models.CharField(
        _("action"), max_length=10, choices=ChangeAction.choices, default=ChangeAction.CHANGED
    )
    path = models.CharField(
        _("path"), max_length=10, choices=ChangePath.choices, default=ChangePath.SYSTEM
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    field = models.CharField(_("field"), max_length=60)
    old = models.TextField(_("old value"), blank=True)
    new = models.TextField(_("new value"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("change record")
        verbose_name_plural = _("change records")
        indexes = [models.Index(fields=["content_type", "object_id"], name="goals_change_object")]

    def __str__(self) -> str:
        return f"{self.field}: {self.old[:20]} -> {self.new[:20]}"


class PeriodEvent(TenantRow):
    """Periodehendelse: a transition of the period (submitted, reopened, locked) or of one
    of its updates (saved, ready, returned, approved), by whom, when and why. Kept for as
    long as the period exists: a period with events cannot be deleted."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=10, choices=PeriodEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # What the event concerns, when it is not the whole period ('R1-3, rad 12').
    subject = models.CharField(_("concerns"), max_length=200, blank=True)
    reason = bounded_text(_("reason"), REASON_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("period event")
        verbose_name_plural = _("period events")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=PeriodEventKind.REOPENED) | ~Q(reason=""),
                name="goals_periodevent_reopen_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(kind=PeriodEventKind.RETURNED) | ~Q(reason=""),
                name="goals_periodevent_return_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.kind}"


class CacheGeneration(models.Model):
    """The current generation of an agency's data: part of the key of every cached roll-up
    of the agency, replaced by each write, so that no cached figure outlives the data it
    was computed from. A random token rather than a counter: a rolled-back write leaves no
    number behind that a later write could reuse."""

    agency = models.OneToOneField(
        Agency, on_delete=models.CASCADE, related_name="+", verbose_name=_("agency")
    )
    token = models.CharField(_("token"), max_length=32)

    class Meta:
        verbose_name = _("cache generation")
        verbose_name_plural = _("cache generations")

    def __str__(self) -> str:
        return f"{self.agency_id}: {self.token}"


# What locks each row of the letter and the report (goals.locking). Ministries, agencies,
# units and user profiles belong to no report; feedback is written after submission by
# design; the change records and period events are the history of the lock itself.
for _model in (
    IndicatorValue,
    StatisticalTable,
    StatusUpdate,
    RequirementNarrative,
    SpecialReportingAnswer,
    OtherReportingAnswer,
    PeriodReport,
    CoverLetter,
):
    register_lock(_model, PeriodLock("period"))
register_lock(StatisticalTableRow, PeriodLock("table__period"))
register_lock(CoverLetterSignatory, PeriodLock("letter__period"))
register_lock(ReportingPeriod, OwnPeriodLock())
register_lock(BudgetYear, YearLock("pk"))
for _model in (
    PriorityArea,
    MainGoal,
    SpecialReportingRequirement,
    OtherReportingTopic,
    Activity,
    Indicator,
):
    register_lock(_model, YearLock("budget_year"))
register_lock(PriorityItem, YearLock("area__budget_year"))
register_lock(ResultRequirement, YearLock("main_goal__budget_year"))
register_lock(Deliverable, YearLock("requirement__main_goal__budget_year", event_dates=("met_on",)))


class Notification(models.Model):
    """Varsel: an event of the reporting workflow that a person should know about, shown in
    the app and, unless they turned it off, sent by e-mail. ``key`` names a reminder so the
    same reminder is never sent twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("text"))
    url = models.CharField(_("address"), max_length=300, blank=True)
    key = models.CharField(_("key"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"],
                condition=~Q(key=""),
                name="goals_notification_unique_key",
            ),
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="goals_notif_user_read")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.created_at:%Y-%m-%d}"
