from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from goals.locking import DatedLock, Guarded, register_lock
from goals.models import Agency
from settlement.choices import CaseCategory, Sex, SpecialLegalGround
from settlement.stock_sql import SPANS

DATE_FIELDS = ("permit_date", "ready_date", "searched_out_date", "arrived_date", "settled_date")


def case_problems(values: dict) -> list[tuple[str, str]]:
    """What is wrong with one case's values (field, reason); the database enforces the same
    rules as constraints."""
    problems = []
    dates = {name: values.get(name) for name in DATE_FIELDS}
    permit, ready, searched = dates["permit_date"], dates["ready_date"], dates["searched_out_date"]
    arrived, settled = dates["arrived_date"], dates["settled_date"]
    if permit:
        for name in ("ready_date", "searched_out_date", "settled_date", "arrived_date"):
            if dates[name] and dates[name] < permit:
                problems.append((name, "is before the permit date"))
    if settled and searched and settled < searched:
        problems.append(("settled_date", "is before the searched-out date"))
    if settled and ready and settled < ready:
        problems.append(("settled_date", "is before the ready-for-settlement date"))
    if arrived and values.get("category") != CaseCategory.TRANSFER_REFUGEE:
        problems.append(("arrived_date", "only transfer refugees (OFF) have an arrival date"))
    if settled and not values.get("municipality"):
        problems.append(("municipality", "a settled case needs a municipality"))
    return problems


class AgencyModuleRows(Guarded):
    """Rows of the settlement module (bosetting): each belongs to one agency, and only an
    agency with the module (Agency.has_settlement) may own them."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.agency_id and not self.agency.has_settlement:
            raise ValidationError(
                {
                    "agency": _("%(agency)s does not have the settlement module.")
                    % {"agency": self.agency.code}
                }
            )


class County(models.Model):
    """Fylke: a county as of 2006, identified by its two-digit number."""

    code = models.CharField(_("county number"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("county (fylke)")
        verbose_name_plural = _("counties (fylker)")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{2}$"), name="settlement_county_code_two_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Municipality(models.Model):
    """Kommune: a municipality with its four-digit kommunenummer; the first two digits
    are the county's number."""

    code = models.CharField(_("municipality number"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=100)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("county")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("municipality (kommune)")
        verbose_name_plural = _("municipalities (kommuner)")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{4}$"),
                name="settlement_municipality_code_four_digits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SettlementCase(AgencyModuleRows):
    """Bosettingssak: one person to be settled, pseudonymised.

    The case key is random; the case holds no name and no national identity number, only
    what the statistics need.
    """

    case_key = models.CharField(_("case key"), max_length=32)
    category = models.CharField(_("category"), max_length=30, choices=CaseCategory.choices)
    nationality = models.CharField(_("nationality"), max_length=60)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    family_group_key = models.CharField(_("family group key"), max_length=32, blank=True)
    family_size = models.PositiveSmallIntegerField(_("family size"), default=1)
    permit_date = models.DateField(
        _("permit date (vedtak om opphold or innreisetillatelse)"), db_index=True
    )
    ready_date = models.DateField(_("ready for settlement"), null=True, blank=True, db_index=True)
    searched_out_date = models.DateField(_("searched out (utsøkt)"), null=True, blank=True)
    arrived_date = models.DateField(_("arrived in Norway (OFF)"), null=True, blank=True)
    settled_date = models.DateField(_("settled"), null=True, blank=True, db_index=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("municipality"),
    )
    special_legal_ground = models.CharField(
        _("special legal ground"),
        max_length=30,
        choices=SpecialLegalGround.choices,
        blank=True,
        default=SpecialLegalGround.NONE,
    )

    class Meta:
        ordering = ["agency", "case_key"]
        verbose_name = _("settlement case")
        verbose_name_plural = _("settlement cases")
        # Every statistic filters on the agency first, so the indexes lead with it.
        indexes = [
            models.Index(fields=["agency", "settled_date"], name="settlement_case_agency_settled"),
            # After the three leading columns, the dates and the legal ground the statistics
            # of a period read, so that those settled in it per category (their waits, OFF
            # under a special rule, family reunification) are counted from the index alone
            # (index-only scans). (As key columns rather than INCLUDE, which SQLite has not.)
            models.Index(
                fields=[
                    "agency",
                    "category",
                    "settled_date",
                    "ready_date",
                    "searched_out_date",
                    "permit_date",
                    "arrived_date",
                    "special_legal_ground",
                ],
                name="settlement_case_cat_cover",
            ),
            models.Index(
                fields=["agency", "municipality", "settled_date"],
                name="settlement_case_muni_settled",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "case_key"], name="settlement_settlementcase_unique_key"
            ),
            models.CheckConstraint(
                condition=Q(ready_date__isnull=True) | Q(ready_date__gte=F("permit_date")),
                name="settlement_settlementcase_ready_after_permit",
            ),
            models.CheckConstraint(
                condition=Q(searched_out_date__isnull=True)
                | Q(searched_out_date__gte=F("permit_date")),
                name="settlement_settlementcase_searched_after_permit",
            ),
            models.CheckConstraint(
                condition=Q(settled_date__isnull=True) | Q(settled_date__gte=F("permit_date")),
                name="settlement_settlementcase_settled_after_permit",
            ),
            models.CheckConstraint(
                condition=Q(settled_date__isnull=True)
                | Q(searched_out_date__isnull=True)
                | Q(settled_date__gte=F("searched_out_date")),
                name="settlement_settlementcase_settled_after_searched",
            ),
            models.CheckConstraint(
                condition=Q(settled_date__isnull=True)
                | Q(ready_date__isnull=True)
                | Q(settled_date__gte=F("ready_date")),
                name="settlement_settlementcase_settled_after_ready",
            ),
            models.CheckConstraint(
                condition=Q(arrived_date__isnull=True)
                | (
                    Q(category=CaseCategory.TRANSFER_REFUGEE)
                    & Q(arrived_date__gte=F("permit_date"))
                ),
                name="settlement_settlementcase_arrival_only_off",
            ),
            models.CheckConstraint(
                condition=Q(settled_date__isnull=True) | Q(municipality__isnull=False),
                name="settlement_settlementcase_settled_has_municipality",
            ),
            models.CheckConstraint(
                condition=Q(category__in=CaseCategory.values),
                name="settlement_settlementcase_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(sex__in=Sex.values), name="settlement_settlementcase_sex_valid"
            ),
            models.CheckConstraint(
                condition=Q(special_legal_ground__in=SpecialLegalGround.values),
                name="settlement_settlementcase_special_ground_valid",
            ),
            models.CheckConstraint(
                condition=Q(family_size__gte=1), name="settlement_settlementcase_family_size"
            ),
            models.CheckConstraint(
                condition=Q(birth_year__gte=1890) & Q(birth_year__lte=2200),
                name="settlement_settlementcase_birth_year_plausible",
            ),
        ]
        permissions = [
            ("view_exact_figures", "Can see settlement counts below the suppression threshold"),
        ]

    def __str__(self) -> str:
        return self.case_key

    def clean(self) -> None:
        problems: dict[str, list[str]] = {}
        try:
            super().clean()
        except ValidationError as error:
            # Report the agency together with the date rules, not one after the other.
            problems.update(error.message_dict)
        values = {name: getattr(self, name) for name in DATE_FIELDS}
        values["category"] = self.category
        values["municipality"] = self.municipality_id
        for name, reason in case_problems(values):
            problems.setdefault(name, []).append(reason)
        if problems:
            raise ValidationError(problems)


class MunicipalPlaces(AgencyModuleRows):
    """Anmodning og vedtak: places a municipality was asked to provide (anmodning) and
    agreed to provide (vedtak) for settling refugees in a year."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="places",
        verbose_name=_("municipality"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    requested = models.PositiveIntegerField(_("places requested (anmodning)"))
    accepted = models.PositiveIntegerField(_("places accepted (vedtak)"))

    class Meta:
        ordering = ["agency", "year", "municipality"]
        verbose_name = _("municipal places")
        verbose_name_plural = _("municipal places")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "municipality", "year"],
                name="settlement_municipalplaces_unique_year",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1990) & Q(year__lte=2200),
                name="settlement_municipalplaces_plausible_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year}"


class Forecast(AgencyModuleRows):
    """Prognose: how many persons are expected to be settled in a year by a cut-off date."""

    year = models.PositiveSmallIntegerField(_("year"))
    cut_off_date = models.DateField(_("cut-off date"))
    persons = models.PositiveIntegerField(_("persons"))

    class Meta:
        ordering = ["agency", "year", "cut_off_date"]
        verbose_name = _("forecast (prognose)")
        verbose_name_plural = _("forecasts (prognoser)")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "cut_off_date"], name="settlement_forecast_unique_cut_off"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1990) & Q(year__lte=2200),
                name="settlement_forecast_plausible_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.cut_off_date}: {self.persons}"


class StockChange(models.Model):
    """Beholdningsendring: by how many persons one stock of an agency's cases (ready in
    reception, over the limit, OFF not arrived, ...) changes on a day, in a month or in a
    year; for those ready in reception also per value of a breakdown (a nationality, a
    birth year, a municipality).

    Derived from the cases by database triggers in the writing transaction, whatever
    writes them (settlement.stock_sql); the application only reads it. A stock at a date
    is the sum of its changes up to the date (selectors.stock_figures), so that the stocks
    are read from a few thousand rows rather than counted over every case waiting."""

    # No index of their own on the two keys: the unique key leads with the agency, and a
    # municipality is not deleted while cases name it.
    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("agency"),
    )
    span = models.CharField(_("span"), max_length=5)
    day = models.DateField(_("day"))
    stock = models.CharField(_("stock"), max_length=30)
    dimension = models.CharField(_("dimension"), max_length=20, blank=True)
    value = models.CharField(_("value"), max_length=60, blank=True)
    # The municipality of the value, for the breakdown by county: the key above is never
    # null (an upsert finds no null), this column lets the read join the county.
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("municipality"),
    )
    change = models.IntegerField(_("change"))

    class Meta:
        verbose_name = _("stock change (beholdningsendring)")
        verbose_name_plural = _("stock changes (beholdningsendringer)")
        constraints = [
            # The triggers' upsert key; a stock is read as one range of it per span.
            models.UniqueConstraint(
                fields=["agency", "span", "day", "stock", "dimension", "value"],
                name="settlement_stockchange_key",
            ),
            models.CheckConstraint(
                condition=Q(span__in=SPANS),
                name="settlement_stockchange_span_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stock} {self.dimension}={self.value} {self.span} {self.day}: {self.change}"


# What the agency's submitted reports counted stays as it was (goals.locking): a case from
# its permit date, with the later dates it had by the report's end; a forecast by its
# cut-off date; a year's places from the year's start. Counties and municipalities are the
# national reference lists.
register_lock(SettlementCase, DatedLock(dated_by="permit_date", masked=DATE_FIELDS))
register_lock(Forecast, DatedLock(dated_by="cut_off_date"))
register_lock(MunicipalPlaces, DatedLock(dated_by="year", kind="year"))
