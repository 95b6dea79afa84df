"""Which agency and budget year a row belongs to, and the check that its references agree.

One installation serves many agencies year after year. A row reaches its agency through
its foreign keys (a requirement through its main goal's budget year, a status update
through its period); ``SCOPE_PATHS`` names that way for every row of the allocation
letter and the report. ``check_references`` refuses a row whose other references lead to
another agency or another year, with a message naming both; models call it from
``clean()``, so the admin and every form refuses such a row before it is saved.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

# model label -> the foreign key path to what carries the scope: an agency, a budget year
# or a reporting period (which carries its budget year).
SCOPE_PATHS: dict[str, str] = {
    "goals.organisationalunit": "agency",
    "goals.reportingperiod": "budget_year",
    "goals.priorityarea": "budget_year",
    "goals.priorityitem": "area",
    "goals.maingoal": "budget_year",
    "goals.resultrequirement": "main_goal",
    "goals.deliverable": "requirement",
    "goals.specialreportingrequirement": "budget_year",
    "goals.otherreportingtopic": "budget_year",
    "goals.activity": "budget_year",
    "goals.indicator": "budget_year",
    "goals.statisticaltable": "budget_year",
    "goals.statisticaltablerow": "table",
    "goals.indicatorvalue": "period",
    "goals.statusupdate": "period",
    "goals.requirementnarrative": "period",
    "goals.specialreportinganswer": "period",
    "goals.otherreportinganswer": "period",
    "goals.periodreport": "period",
    "goals.coverletter": "period",
    "goals.coverlettersignatory": "letter",
    "goals.feedback": "period",
    "goals.changerecord": "period",
    "goals.periodevent": "period",
}


@dataclass(frozen=True)
class Scope:
    agency_id: int
    agency_code: str
    budget_year_id: int | None = None
    year: int | None = None

    def __str__(self) -> str:
        return self.agency_code if self.year is None else f"{self.agency_code} {self.year}"


def register_scope(label: str, path: str) -> None:
    """Let another app (budget, settlement) name the way from its rows to their scope."""
    SCOPE_PATHS[label] = path


def scope_of(obj: models.Model | None) -> Scope | None:
    """The agency (and budget year, where the row has one) that ``obj`` belongs to."""
    if obj is None:
        return None
    label = obj._meta.label_lower
    if label == "goals.agency":
        return Scope(obj.pk, obj.code)
    if label == "goals.budgetyear":
        return Scope(obj.agency_id, obj.agency.code, obj.pk, obj.year)
    path = SCOPE_PATHS.get(label)
    if path is None:
        return None
    target = obj
    for part in path.split("__"):
        target = getattr(target, part, None)
        if target is None:
            return None
    return scope_of(target)


def agency_path(model: type[models.Model]) -> str | None:
    """The ORM path from ``model`` to its agency, for select_related: 'main_goal__budget_year
    __agency' for a requirement; None for a model outside the tenancy."""
    label = model._meta.label_lower
    if label == "goals.agency":
        return ""
    if label == "goals.budgetyear":
        return "agency"
    path = SCOPE_PATHS.get(label)
    if path is None:
        return None
    target = model
    for part in path.split("__"):
        target = target._meta.get_field(part).related_model
    rest = agency_path(target)
    if rest is None:
        return None
    return f"{path}__{rest}" if rest else path


def scoped_label(obj: models.Model) -> str:
    """How a choice names a row in the admin: 'ABC 2006 R1-1', 'ABC ADM'."""
    scope = scope_of(obj)
    return f"{scope} {obj}" if scope is not None else str(obj)


def check_references(obj: models.Model) -> None:
    """Refuse a row whose foreign keys lead to another agency or another budget year than
    the row itself (its first scope path)."""
    own = scope_of(obj)
    if own is None:
        return
    errors: dict[str, str] = {}
    for field in obj._meta.concrete_fields:
        if not field.many_to_one or getattr(obj, field.attname) is None:
            continue
        other = scope_of(getattr(obj, field.name))
        if other is None:
            continue
        if other.agency_id != own.agency_id:
            errors[field.name] = _("%(target)s belongs to %(other)s, not to %(own)s.") % {
                "target": getattr(obj, field.name),
                "other": other.agency_code,
                "own": own.agency_code,
            }
        elif other.year is not None and own.year is not None and other.year != own.year:
            errors[field.name] = _("%(target)s belongs to %(other)s, not to %(own)s.") % {
                "target": getattr(obj, field.name),
                "other": other,
                "own": own,
            }
    if errors:
        raise ValidationError(errors)


class TenantRow(models.Model):
    """A row that belongs to one agency (and year); its references must agree."""

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        check_references(self)


class ScopedChoicesMixin:
    """Admin: every choice of a row of the tenancy names its agency and year, so that
    'R1-1' of two agencies or two years can be told apart; one query per dropdown."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        model = db_field.related_model
        path = agency_path(model)
        if path is not None and "queryset" not in kwargs:
            kwargs["queryset"] = (
                model._default_manager.select_related(path) if path else model._default_manager
            )
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if path is not None and field is not None:
            field.label_from_instance = scoped_label
        return field
