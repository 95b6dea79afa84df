"""The lock of a submitted report, as one guard in the model layer.

Everything a submitted period's report prints refuses to change (or, for the rows of its
budget year, is kept as printed in the report's snapshot), whatever the path: forms,
the admin (its change, add and delete pages, bulk delete and import), the API, services,
management commands and the shell all end in ``Model.save``, ``Model.delete`` (also when a
parent's delete cascades) or a ``QuerySet`` write, and each of those asks this module.

``LOCKS`` names, for every guarded model, how a row finds what locks it:

- ``PeriodLock``: a row of one reporting period (a status update, an accounts entry) is
  locked while its period is submitted or locked;
- ``YearLock``: a row of a budget year that the period reports print (a requirement's text,
  an activity, an indicator's target) is versioned, not frozen: a submitted report keeps
  what it printed in its stored snapshot (imdi_reporting ``ReportSnapshot``), so the row
  may still change for the later reports of the year, and the history records old -> new.
  It is locked once the year report (the period of the year that ends last) is submitted,
  and while a submitted period of its year has no snapshot of its current submission
  (submitted before snapshots existed: the row stays as that report printed it until its
  snapshot is taken);
- ``YearDateLock``: an appropriation of a budget year is locked when its date lies in a
  submitted period of its year (the accounts count it up to that period's end);
- ``DatedLock``: settlement data is locked as far as it is dated up to the end of its
  agency's latest submitted period (a case settled in August may still be recorded after
  the half year is submitted; what the half-year report counted may not change);
- ``OwnPeriodLock``: a submitted period's own dates, kind and year do not change; only the
  submit and reopen services change its state.

Each app registers its models with ``register_lock``; tests/security/test_locks.py fails
for any model of goals, budget and settlement that is neither registered nor named as free.

On PostgreSQL the check reads the period row ``FOR SHARE`` inside the write's transaction,
so a submission (which takes the row ``FOR UPDATE``) waits for edits in flight and edits
wait for the submission: no write is stamped after ``submitted_at``.

Only the fixture loader, which reproduces the already submitted 2006 report, may write
into a locked period, and only inside `allow_locked_period_writes()`.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from datetime import date
from functools import cache
from operator import attrgetter

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models, router, transaction
from django.db.models import Q
from django.db.models.signals import pre_delete, pre_save
from django.utils import timezone
from django.utils.translation import gettext as _

_locked_writes_allowed: ContextVar[bool] = ContextVar("locked_writes_allowed", default=False)
# Set while GuardedQuerySet.bulk_update runs: its rows were checked one by one, so the
# UPDATE it issues is not refused wholesale.
_rows_checked: ContextVar[bool] = ContextVar("rows_checked", default=False)

OPEN = "open"  # goals.choices.PeriodState.OPEN; goals.choices imports nothing from here


# The PostgreSQL triggers (migrations *_period_lock_triggers) let a write into a locked
# period through only while this setting is on in the writing transaction.
DATABASE_FLAG = "imdi.allow_locked_writes"


def _set_database_flag(on: bool) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [DATABASE_FLAG, "on" if on else ""])


@contextmanager
def allow_locked_period_writes() -> Iterator[None]:
    """For the fixture loader only: lets it write historic content into locked periods.

    It runs in a transaction of its own (a savepoint inside the caller's), so that the
    database's permission ends with it even when it fails."""
    outer = _locked_writes_allowed.get()
    token = _locked_writes_allowed.set(True)
    try:
        with transaction.atomic():
            _set_database_flag(True)
            yield
            _set_database_flag(outer)
    finally:
        _locked_writes_allowed.reset(token)


def locked_writes_allowed() -> bool:
    return _locked_writes_allowed.get()


class PeriodLockedError(ValidationError):
    """Raised by every write path when the period is submitted or locked."""

    def __init__(self, period: models.Model, message: str | None = None):
        self.period = period
        super().__init__(message or period_locked_message(period=period), code="period_locked")


def period_locked_message(*, period: models.Model) -> str:
    who = (
        period.submitted_by.get_full_name() or period.submitted_by.get_username()
        if (period.submitted_by)
        else _("unknown")
    )
    when = (
        timezone.localtime(period.submitted_at).strftime("%d.%m.%Y %H:%M")
        if (period.submitted_at)
        else _("unknown time")
    )
    return _(
        "The period %(period)s is locked since %(when)s by %(who)s; it accepts no changes."
    ) % {
        "period": period.slug,
        "when": when,
        "who": who,
    }


def _locked_error(period, message: str | None = None) -> PeriodLockedError:
    return PeriodLockedError(period, message=message)


def check_period_writable(period) -> None:
    if period.is_locked and not locked_writes_allowed():
        raise _locked_error(period)


def _period_model() -> type[models.Model]:
    # From the app registry: goals.models imports this module for its guarded managers.
    return apps.get_model("goals", "ReportingPeriod")


def locked_period(period_id: int | None):
    """The period if it is submitted or locked, else None. On PostgreSQL the row is read
    FOR SHARE, so the answer holds until the caller's transaction ends."""
    return first_locked_period([period_id])


def _periods_for_share(column: str, ids: list) -> list[tuple]:
    """(id, state) of the periods whose ``column`` is one of ``ids``, read FOR SHARE on
    PostgreSQL: a submission, which takes its period FOR UPDATE, waits for the caller's
    transaction, and the caller for a submission in flight."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, state FROM {_period_model()._meta.db_table} "  # noqa: S608
            f"WHERE {column} = ANY(%s) ORDER BY id FOR SHARE",
            [ids],
        )
        return cursor.fetchall()


def first_locked_period(period_ids: Iterable):
    """The first of the periods that is submitted or locked, else None (one query when none
    is; the rows are read FOR SHARE on PostgreSQL)."""
    ids = sorted({i for i in period_ids if i is not None})
    if not ids:
        return None
    ReportingPeriod = _period_model()
    if connection.vendor == "postgresql":
        ids = [pk for pk, state in _periods_for_share("id", ids) if state != OPEN]
        if not ids:
            return None
    query = ReportingPeriod.objects.select_related("budget_year__agency", "submitted_by")
    return query.filter(pk__in=ids).exclude(state=OPEN).order_by("end").first()


# Which of the given submitted periods keep what their report printed in a stored snapshot
# of their current submission (all parts). The reports app registers the answer (goals
# imports nothing of it); until it does, none does, and year rows lock as before snapshots.
_snapshot_lookups: list[Callable[[list], set[int]]] = []


def register_snapshot_lookup(lookup: Callable[[list], set[int]]) -> None:
    if lookup not in _snapshot_lookups:
        _snapshot_lookups.append(lookup)


def snapshotted_periods(periods: list) -> set[int]:
    """The ids of those of ``periods`` (submitted ones) whose snapshot is stored."""
    if not periods or not _snapshot_lookups:
        return set()
    return set.intersection(*(lookup(periods) for lookup in _snapshot_lookups))


def _follow(model, rows: list[dict], path: str) -> set:
    """The ids at the end of ``path`` ('period', 'table__period') from rows' values."""
    first, _sep, rest = path.partition("__")
    field = model._meta.get_field(first)
    ids = {row.get(field.attname) for row in rows if row} - {None}
    if not rest or not ids:
        return ids
    related = field.related_model._base_manager.filter(pk__in=ids)
    return set(related.values_list(rest, flat=True)) - {None}


@cache
def _attnames(model: type[models.Model]) -> tuple[tuple[str, ...], Callable]:
    names = tuple(field.attname for field in model._meta.concrete_fields)
    return names, attrgetter(*names)


def _values(obj: models.Model) -> dict:
    # One C call for all fields: a bulk write asks this of every row.
    names, get = _attnames(type(obj))
    values = get(obj)
    return dict(zip(names, values if len(names) > 1 else (values,), strict=True))


def _stored(obj: models.Model) -> dict | None:
    if obj.pk is None:
        return None
    names = [field.attname for field in obj._meta.concrete_fields]
    return type(obj)._base_manager.filter(pk=obj.pk).values(*names).first()


def _stored_rows(objs: list) -> list[dict]:
    pks = [obj.pk for obj in objs if obj.pk is not None]
    if not pks:
        return []
    model = type(objs[0])
    names = [field.attname for field in model._meta.concrete_fields]
    return list(model._base_manager.filter(pk__in=pks).values(*names))


def _rows(objs: list, *, deleting: bool) -> list[dict]:
    """What a write of ``objs`` touches: the rows as stored, and the rows as they will be.
    A save that changes nothing touches nothing (a loader saving what is there)."""
    stored = _stored_rows(objs)
    if deleting:
        return stored
    pk = objs[0]._meta.pk.attname
    by_pk = {row[pk]: row for row in stored}
    changed = [obj for obj in objs if obj.pk is None or by_pk.get(obj.pk) != _values(obj)]
    return [by_pk[obj.pk] for obj in changed if obj.pk in by_pk] + [_values(o) for o in changed]


class PeriodLock:
    """A row of one reporting period, reached by ``path``."""

    def __init__(self, path: str = "period"):
        self.path = path

    def check_many(self, objs: list, *, deleting: bool = False) -> None:
        if not objs:
            return
        ids = _follow(type(objs[0]), _rows(objs, deleting=deleting), self.path)
        period = first_locked_period(ids)
        if period is not None:
            raise _locked_error(period)

    def check(self, obj, *, deleting: bool = False) -> None:
        self.check_many([obj], deleting=deleting)

    def check_queryset(self, queryset, changes: dict | None) -> None:
        period = queryset.exclude(**{f"{self.path}__state": OPEN}).values_list(
            f"{self.path}__pk", flat=True
        )
        found = period.first()
        if found is None and changes and self.path.split("__")[0] in changes:
            target = changes[self.path.split("__")[0]]
            found = getattr(target, "pk", target) if self.path == "period" else None
        if found is not None and (period := locked_period(found)) is not None:
            raise _locked_error(period)


class YearLock:
    """A row of a budget year, reached by ``path``: locked once the year report (the period
    of the year that ends last) is submitted, or while a submitted period of the year has
    no snapshot of its current submission. A half year whose snapshot is stored keeps what
    it printed there, so the row may still change for the year report.

    ``event_dates`` name date fields that record when something happened (a deliverable's
    date met). The later periods of the year report them, so while the row is locked a
    change is still let through when both the old and the new date lie after the end of
    every submitted period: no submitted report can have printed either."""

    def __init__(self, path: str = "budget_year", *, event_dates: tuple[str, ...] = ()):
        self.path = path
        self.event_dates = event_dates

    def _only_later_events(self, objs: list, period) -> bool:
        if not self.event_dates or any(obj.pk is None for obj in objs):
            return False
        stored = {row["id"]: row for row in _stored_rows(objs)}
        last_end = max(
            _period_model()
            .objects.filter(budget_year_id=period.budget_year_id)
            .exclude(state=OPEN)
            .values_list("end", flat=True)
        )
        for obj in objs:
            before, after = stored.get(obj.pk), _values(obj)
            if before is None:
                return False
            changed = {name for name, value in after.items() if before[name] != value}
            if not changed <= set(self.event_dates):
                return False
            dates = [before[name] for name in changed] + [after[name] for name in changed]
            if any(value is not None and value <= last_end for value in dates):
                return False
        return True

    @staticmethod
    def _locking_period(year_ids: Iterable):
        """The first submitted period of the years (YearDateLock names it in its refusal)."""
        if not {i for i in year_ids if i is not None}:
            return None
        return (
            _period_model()
            .objects.select_related("budget_year__agency", "submitted_by")
            .filter(budget_year_id__in=[i for i in year_ids if i is not None])
            .exclude(state=OPEN)
            .order_by("end")
            .first()
        )

    @staticmethod
    def _year_locking_period(year_ids: Iterable):
        """The submitted period that locks the years' rows, else None: the year report once
        it is submitted, or a submitted period without a snapshot of its submission. One
        query when no period of the years is submitted, two when one is (three on
        PostgreSQL, where the years' periods are read FOR SHARE first, so that a write and
        a submission in flight wait for each other)."""
        ids = sorted({i for i in year_ids if i is not None})
        if not ids:
            return None
        ReportingPeriod = _period_model()
        if connection.vendor == "postgresql":
            _periods_for_share("budget_year_id", ids)
        year_end = (
            ReportingPeriod.objects.filter(budget_year=models.OuterRef("budget_year"))
            .order_by("-end")
            .values("end")[:1]
        )
        submitted = list(
            ReportingPeriod.objects.select_related("budget_year__agency", "submitted_by")
            .filter(budget_year_id__in=ids)
            .exclude(state=OPEN)
            .annotate(year_end=models.Subquery(year_end))
            .order_by("end")
        )
        if not submitted:
            return None
        kept = snapshotted_periods(submitted)
        for period in submitted:
            if period.end == period.year_end or period.pk not in kept:
                return period
        return None

    def _raise(self, obj_label: str, period) -> None:
        if period.year_end == period.end:
            message = _(
                "%(row)s belongs to %(year)s, whose year report %(period)s is submitted; "
                "the year is closed, so the row accepts no changes."
            )
        else:
            message = _(
                "%(row)s belongs to %(year)s, whose report %(period)s is submitted and has "
                "no stored copy of what it printed yet; the row accepts no changes until "
                "that report is opened once and its copy is stored."
            )
        raise _locked_error(
            period,
            message % {"row": obj_label, "year": period.budget_year, "period": period.slug},
        )

    def check_many(self, objs: list, *, deleting: bool = False) -> None:
        if not objs:
            return
        if self.path == "pk":
            ids = {obj.pk for obj in objs}
        else:
            ids = _follow(type(objs[0]), _rows(objs, deleting=deleting), self.path)
        period = self._year_locking_period(ids)
        if period is not None and not deleting and self._only_later_events(objs, period):
            return
        if period is not None:
            label = str(objs[0]) if len(objs) == 1 else objs[0]._meta.verbose_name_plural
            self._raise(label, period)

    def check(self, obj, *, deleting: bool = False) -> None:
        self.check_many([obj], deleting=deleting)

    def check_queryset(self, queryset, changes: dict | None) -> None:
        prefix = "" if self.path == "pk" else f"{self.path}__"
        years = set(queryset.values_list(f"{prefix}pk" if prefix else "pk", flat=True))
        head = self.path.split("__")[0]
        if changes and head in changes:
            years.add(getattr(changes[head], "pk", changes[head]))
        period = self._year_locking_period(years)
        if period is not None:
            self._raise(queryset.model._meta.verbose_name_plural, period)


class YearDateLock(YearLock):
    """A dated row of a budget year (an appropriation): locked when its date, or 1 January
    when it has none, lies in a submitted period of its year; a later allocation (RNB in
    the autumn) may still be added while the year report is open."""

    def __init__(self, path: str = "budget_year", dated_by: str = "date"):
        super().__init__(path)
        self.dated_by = dated_by

    def _raise(self, obj_label: str, period) -> None:
        raise _locked_error(
            period,
            _(
                "%(row)s belongs to %(year)s, whose report %(period)s is submitted; the "
                "report keeps what it printed, so the row accepts no changes."
            )
            % {"row": obj_label, "year": period.budget_year, "period": period.slug},
        )

    def check_many(self, objs: list, *, deleting: bool = False) -> None:
        """Every row as stored and as it will be, against the submitted periods of their
        years: two queries for a whole bulk write, not two per row."""
        if not objs:
            return
        pk = objs[0]._meta.pk.attname
        stored = {row[pk]: row for row in _stored_rows(objs)}
        rows = [(obj, stored.get(obj.pk)) for obj in objs]
        if not deleting:
            rows += [(obj, _values(obj)) for obj in objs]
        rows = [(obj, values) for obj, values in rows if values is not None]
        years = {values.get(f"{self.path}_id") for _obj, values in rows} - {None}
        periods = list(
            _period_model()
            .objects.filter(budget_year_id__in=years)
            .exclude(state=OPEN)
            .select_related("budget_year__agency", "submitted_by")
            .order_by("end")
        )
        for obj, values in rows:
            period = self._covering(periods, values)
            if period is not None:
                self._raise(str(obj), period)

    def _covering(self, periods: list, values: dict):
        """The first submitted period of the row's year that holds its date (1 January for
        a row without one)."""
        year_id, when = values.get(f"{self.path}_id"), values.get(self.dated_by)
        for period in periods:
            if period.budget_year_id != year_id:
                continue
            if when is None and (period.start.month, period.start.day) == (1, 1):
                return period
            if when is not None and period.start <= when <= period.end:
                return period
        return None

    def check(self, obj, *, deleting: bool = False) -> None:
        self.check_many([obj], deleting=deleting)

    def check_queryset(self, queryset, changes: dict | None) -> None:
        locked = _period_model().objects.filter(budget_year=models.OuterRef(self.path))
        locked = locked.exclude(state=OPEN)
        undated = locked.filter(start__month=1, start__day=1)
        dated = locked.filter(
            start__lte=models.OuterRef(self.dated_by), end__gte=models.OuterRef(self.dated_by)
        )
        condition = (Q(**{f"{self.dated_by}__isnull": True}) & models.Exists(undated)) | (
            models.Exists(dated)
        )
        if changes and ({self.dated_by, self.path, f"{self.path}_id"} & set(changes)):
            condition = models.Exists(locked)
        year_id = queryset.filter(condition).values_list(self.path, flat=True).first()
        if year_id is not None:
            self._raise(queryset.model._meta.verbose_name_plural, self._locking_period([year_id]))


def settlement_lock_ends(agency_ids: Iterable) -> dict:
    """Per agency, its latest submitted or locked period: settlement data dated up to that
    period's end is what its report counted."""
    periods = (
        _period_model()
        .objects.select_related("budget_year__agency", "submitted_by")
        .filter(budget_year__agency_id__in=[i for i in set(agency_ids) if i is not None])
        .exclude(state=OPEN)
        .order_by("end")
    )
    return {period.budget_year.agency_id: period for period in periods}


class DatedLock:
    """Settlement rows of an agency: what is dated up to the end of the agency's latest
    submitted period is locked. ``projection`` is what a row contributes to the reports up
    to a date (None: nothing); a write that changes it is refused."""

    agency_field = "agency_id"

    def __init__(self, *, dated_by: str, kind: str = "date", masked: tuple[str, ...] = ()):
        self.dated_by = dated_by
        self.kind = kind
        # Date fields whose values after the lock's end are the open period's business
        # (a case settled in August): they count as empty when a write is judged.
        self.masked = masked

    def _date(self, values: dict) -> date | None:
        value = values.get(self.dated_by)
        if value is not None and self.kind == "year":
            return date(value, 1, 1)
        return value

    def projection(self, values: dict | None, end: date):
        if values is None:
            return None
        dated = self._date(values)
        if dated is None or dated > end:
            return None
        return tuple(
            (name, None if name in self.masked and value is not None and value > end else value)
            for name, value in sorted(values.items())
            if name != "id"
        )

    def _raise(self, obj_label: str, period) -> None:
        raise _locked_error(
            period,
            _(
                "%(row)s is dated up to %(end)s, the end of the submitted report %(period)s; "
                "it accepts no changes."
            )
            % {"row": obj_label, "end": period.end.strftime("%d.%m.%Y"), "period": period.slug},
        )

    def check_many(self, objs: list, *, deleting: bool = False) -> None:
        if not objs:
            return
        model = type(objs[0])
        names = [field.attname for field in model._meta.concrete_fields]
        pks = [obj.pk for obj in objs if obj.pk is not None]
        stored = {row["id"]: row for row in model._base_manager.filter(pk__in=pks).values(*names)}
        agencies = {getattr(obj, self.agency_field) for obj in objs}
        agencies |= {row[self.agency_field] for row in stored.values()}
        ends = settlement_lock_ends(agencies)
        for obj in objs:
            before = stored.get(obj.pk)
            after = None if deleting else _values(obj)
            for row in (before, after):
                period = ends.get(row[self.agency_field]) if row else None
                if period is None:
                    continue
                old = self.projection(before, period.end)
                new = self.projection(after, period.end)
                if old != new:
                    self._raise(str(obj), period)

    def check(self, obj, *, deleting: bool = False) -> None:
        self.check_many([obj], deleting=deleting)

    def locked_q(self, ends: dict) -> Q:
        query = Q(pk__in=[])
        for agency_id, period in ends.items():
            bound = period.end.year if self.kind == "year" else period.end
            query |= Q(**{self.agency_field: agency_id, f"{self.dated_by}__lte": bound})
        return query

    def check_queryset(self, queryset, changes: dict | None) -> None:
        agencies = queryset.order_by().values_list(self.agency_field, flat=True).distinct()
        ends = settlement_lock_ends(agencies)
        if ends and changes and ({self.dated_by, "agency", self.agency_field} & set(changes)):
            # Moving rows in time or to another agency in bulk cannot be judged row by row
            # here; Model.save and bulk_update judge each row.
            self._raise(queryset.model._meta.verbose_name_plural, next(iter(ends.values())))
        locked = queryset.filter(self.locked_q(ends)).values_list(self.agency_field, flat=True)
        agency_id = locked.first()
        if agency_id is not None:
            self._raise(queryset.model._meta.verbose_name_plural, ends[agency_id])


# Fields of a submitted period that its state transitions change; everything else of it
# (its year, kind, dates and deadline) is printed in its report.
TRANSITION_FIELDS = ("state", "submitted_at", "submitted_by_id")


class OwnPeriodLock:
    """The reporting period itself: a submitted one keeps its year, kind, dates and deadline,
    and is not deleted. Submitting and reopening change only its state fields."""

    def check(self, obj, *, deleting: bool = False) -> None:
        stored = _stored(obj)
        if stored is None or stored["state"] == OPEN:
            return
        period = locked_period(obj.pk)
        if period is None:
            return
        if deleting:
            raise _locked_error(period)
        after = _values(obj)
        changed = {name for name, value in stored.items() if after[name] != value}
        if obj.state != OPEN:
            changed.discard("state")
        else:
            changed -= set(TRANSITION_FIELDS)
        if changed:
            raise _locked_error(period)

    def check_queryset(self, queryset, changes: dict | None) -> None:
        if changes is not None and set(changes) <= {"state", "submitted_at", "submitted_by"}:
            return
        pk = queryset.exclude(state=OPEN).values_list("pk", flat=True).first()
        if pk is not None and (period := locked_period(pk)) is not None:
            raise _locked_error(period)


LOCKS: dict[str, object] = {}


def register_lock(model: type[models.Model], rule) -> None:
    """Guard ``model``'s saves and deletes (a cascade from a parent included) with ``rule``;
    its manager must be a GuardedManager for QuerySet writes."""
    LOCKS[model._meta.label_lower] = rule
    uid = f"lock:{model._meta.label_lower}"
    pre_save.connect(_before_save, sender=model, dispatch_uid=uid, weak=False)
    pre_delete.connect(_before_delete, sender=model, dispatch_uid=uid, weak=False)


def lock_of(model) -> object | None:
    return LOCKS.get(model._meta.label_lower)


def _before_save(sender, instance, raw: bool = False, **kwargs) -> None:
    rule = lock_of(sender)
    if rule is not None and not raw and not locked_writes_allowed():
        rule.check(instance)


def _before_delete(sender, instance, **kwargs) -> None:
    rule = lock_of(sender)
    if rule is not None and not locked_writes_allowed():
        rule.check(instance, deleting=True)


def check_rows(model: type[models.Model], objs: list) -> None:
    """Refuse a bulk write of ``objs`` (new or changed rows of ``model``) that touches a
    locked row: what bulk_create and bulk_update ask, and what a write beside the ORM
    (goals.bulk) asks before its INSERT, in the write's transaction."""
    rule = lock_of(model)
    if rule is None or locked_writes_allowed() or not objs:
        return
    if hasattr(rule, "check_many"):
        rule.check_many(objs)
    else:
        for obj in objs:
            rule.check(obj)


class GuardedQuerySet(models.QuerySet):
    """QuerySet writes of a guarded model: update, delete, bulk_create and bulk_update
    refuse to touch a locked row, like Model.save and Model.delete."""

    def _check(self, changes: dict | None) -> None:
        rule = lock_of(self.model)
        if rule is not None and not locked_writes_allowed() and not _rows_checked.get():
            rule.check_queryset(self, changes)

    def _transaction(self):
        # The check and the write share a transaction: the caller's, or a new one in
        # autocommit. No savepoint is added, so a refusal leaves the caller's usable.
        if transaction.get_connection(self.db).in_atomic_block:
            return nullcontext()
        return transaction.atomic(using=self.db)

    def update(self, **kwargs):
        with self._transaction():
            self._check(kwargs)
            return super().update(**kwargs)

    def delete(self):
        with self._transaction():
            self._check(None)
            return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with self._transaction():
            check_rows(self.model, objs)
            return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        with self._transaction():
            check_rows(self.model, objs)
            token = _rows_checked.set(True)
            try:
                return super().bulk_update(objs, fields, batch_size=batch_size)
            finally:
                _rows_checked.reset(token)


GuardedManager = models.Manager.from_queryset(GuardedQuerySet)


class Guarded(models.Model):
    """A model under the lock: its manager's writes are guarded, and so are save and delete.

    The check runs in the write's transaction (a new one in autocommit), so on PostgreSQL
    the period row stays read FOR SHARE until the write is committed. A refused delete is
    refused before Django's deletion starts, so the caller's transaction stays usable."""

    objects = GuardedManager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        if transaction.get_connection(using).in_atomic_block:
            return super().save(*args, **kwargs)
        with transaction.atomic(using=using):
            return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        in_transaction = transaction.get_connection(using).in_atomic_block
        with nullcontext() if in_transaction else transaction.atomic(using=using):
            # Before Django's deletion opens its own block, where a refusal would spoil
            # the caller's transaction.
            _before_delete(type(self), self)
            return super().delete(*args, **kwargs)
