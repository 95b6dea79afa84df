"""Complete history: every change of a row that a report or dashboard shows, on every path.

Who changes what, and through which path, is the *change context*: a web request sets it
(``ChangeContextMiddleware``: page, API, admin or admin import), commands and imports set
it with ``change_context(path=...)``, and services name the acting user with
``change_context(user=...)``. Model signals then record one ``ChangeRecord`` per changed
field (old -> new) for every registered model, whatever saved it: a form, the admin, an
import, the API or a shell. Writes that bypass the signals (``bulk_create``,
``bulk_update``) call ``record_created`` or ``record_object_changes`` themselves.

Loading the demo fixtures is the data's origin, not a change of it, and records nothing.
"""

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import wraps
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from goals import models as m
from goals.choices import ChangeAction, ChangePath, PeriodEventKind, PeriodState, WorkflowState
from goals.generations import retired_once
from goals.inserts import RowInserter

# Bookkeeping of every versioned answer: the version number and who/when saved it last are
# not content, and the change record itself names who and when.
NOT_CONTENT = frozenset({"version", "updated_by", "updated_at"})


@dataclass(frozen=True)
class ChangeContext:
    """Who is changing data, and through which path (page, API, admin, import, command)."""

    path: str = ChangePath.SYSTEM
    user: Any = None
    source: str = ""
    request: Any = None

    @property
    def actor(self):
        if self.user is not None:
            return self.user
        user = getattr(self.request, "user", None)
        return user if user is not None and user.is_authenticated else None


_NO_CONTEXT = ChangeContext()
_context: ContextVar[ChangeContext | None] = ContextVar("change_context", default=None)


def current_change_context() -> ChangeContext:
    return _context.get() or _NO_CONTEXT


@contextmanager
def change_context(*, path: str | None = None, user=None, source: str | None = None, request=None):
    """Run a block as ``user`` through ``path``; what is not given is kept from the
    surrounding context (a service names the user, the request already named the path)."""
    current = current_change_context()
    changes = {}
    if path is not None:
        changes["path"] = path
    if user is not None:
        changes["user"] = user
    if source is not None:
        changes["source"] = source[:200]
    if request is not None:
        changes["request"] = request
    token = _context.set(replace(current, **changes))
    try:
        yield
    finally:
        _context.reset(token)


@dataclass(frozen=True)
class HistorySpec:
    """How the history of one model is kept: which requirement, period and page it belongs
    to (so that the page lists it in one query), and rules applied before a save."""

    requirement: Callable[[Any], int | None] = lambda obj: None
    period: Callable[[Any], int | None] = lambda obj: getattr(obj, "period_id", None)
    anchor: Callable[[Any], str] = lambda obj: ""
    exclude: frozenset = frozenset()
    before_save: tuple = field(default_factory=tuple)
    after_save: tuple = field(default_factory=tuple)
    # What ``requirement`` and ``str()`` follow, fetched once for many rows created in bulk.
    prefetch: tuple = field(default_factory=tuple)


_REGISTRY: dict[type[models.Model], HistorySpec] = {}


def register_history(model: type[models.Model], **spec) -> None:
    """Keep the history of ``model``; called by each app's ``ready()``."""
    _REGISTRY[model] = HistorySpec(**spec)
    uid = f"history-{model._meta.label_lower}"
    pre_save.connect(_before_save, sender=model, dispatch_uid=f"{uid}-pre-save")
    post_save.connect(_after_save, sender=model, dispatch_uid=f"{uid}-post-save")
    pre_delete.connect(_before_delete, sender=model, dispatch_uid=f"{uid}-pre-delete")
    post_delete.connect(_after_delete, sender=model, dispatch_uid=f"{uid}-post-delete")


def is_recorded(model: type[models.Model]) -> bool:
    return model in _REGISTRY


def _recording() -> bool:
    return current_change_context().path != ChangePath.FIXTURE


def _content_fields(model: type[models.Model], spec: HistorySpec) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key
        and f.name not in NOT_CONTENT
        and f.name not in spec.exclude
        and not getattr(f, "auto_now", False)
        and not getattr(f, "auto_now_add", False)
    ]


def stored_values(obj: models.Model) -> dict[str, Any] | None:
    """The row as the database holds it now, field by field (one query)."""
    model = type(obj)
    names = [f.attname for f in _content_fields(model, _REGISTRY.get(model, HistorySpec()))]
    return model._base_manager.filter(pk=obj.pk).values(*names).first()


def _values(obj: models.Model, spec: HistorySpec) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in _content_fields(type(obj), spec)}


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if type(value) is str:
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _same(field: models.Field, old: Any, new: Any) -> bool:
    if field.is_relation:
        return old == new
    try:
        return field.to_python(old) == field.to_python(new)
    except ValidationError:  # a value that does not parse is simply a change
        return as_text(old) == as_text(new)


def _display(field: models.Field, value: Any, names: dict) -> str:
    """A foreign key by what it names ('VEST', '0651.60'), not by its id; ``names`` keeps
    those already looked up."""
    if field.is_relation and value is not None:
        key = (field.related_model, value)
        if key not in names:
            target = field.related_model._base_manager.filter(pk=value).first()
            names[key] = str(target) if target is not None else str(value)
        return names[key]
    return as_text(value)


def _before_save(sender, instance, raw=False, **kwargs) -> None:
    if raw or not _recording():
        return
    spec = _REGISTRY[sender]
    before = None if instance._state.adding or instance.pk is None else stored_values(instance)
    instance._history_before = before
    for rule in spec.before_save:
        rule(instance=instance, before=before)


def _after_save(sender, instance, created=False, raw=False, **kwargs) -> None:
    if raw or not _recording():
        return
    before = instance.__dict__.pop("_history_before", None)
    spec = _REGISTRY[sender]
    for rule in spec.after_save:
        rule(instance=instance, before=before)
    if before is None:
        m.ChangeRecord.objects.bulk_create(_created_records(instance, spec, {}))
        return
    fields = {f.attname: f for f in _content_fields(sender, spec)}
    changes = {
        name: (before.get(name), value)
        for name, value in _values(instance, spec).items()
        if not _same(fields[name], before.get(name), value)
    }
    _write(instance, spec, fields, changes, ChangeAction.CHANGED)


def _created_changes(instance, spec: HistorySpec, names: dict) -> tuple[dict, dict]:
    """A new row's fields and their values (old empty). A foreign key is named by the
    object the row already holds, else by its id: creating many rows costs no lookups."""
    fields = {f.attname: f for f in _content_fields(type(instance), spec)}
    changes = {}
    for name, value in _values(instance, spec).items():
        field = fields[name]
        if field.is_relation and value is not None:
            cached = field.get_cached_value(instance, default=None)
            names[(field.related_model, value)] = str(cached) if cached is not None else str(value)
        if as_text(value) != "":
            changes[name] = (None, value)
    return fields, changes


def _created_records(instance, spec: HistorySpec, names: dict) -> list:
    """A new row, field by field."""
    fields, changes = _created_changes(instance, spec, names)
    return _records(instance, spec, fields, changes, ChangeAction.CREATED, names)


def _listing(instance, columns: list[tuple[str, str, Any]], names: dict) -> str:
    """A new row's fields as one text ('label: Linje 1; amount: 1000'), the empty ones left
    out. ``columns`` are (attname, name, related model or None) of its content fields. A
    foreign key is named by the object the row already holds, else by its id: creating
    many rows costs no lookups."""
    parts = []
    cache = instance._state.fields_cache
    for attname, name, related in columns:
        value = getattr(instance, attname)
        if value is None:
            continue
        if related is not None:
            cached = cache.get(name)
            if cached is None:
                text = str(value)
            else:
                key = (related, value)
                text = names[key] if key in names else names.setdefault(key, str(cached))
        else:
            text = value if type(value) is str else as_text(value)
            if text == "":
                continue
        parts.append(f"{name}: {text}")
    return "; ".join(parts)


def _before_delete(sender, instance, **kwargs) -> None:
    if _recording():
        instance._history_deleted = _values(instance, _REGISTRY[sender])


def _after_delete(sender, instance, **kwargs) -> None:
    before = instance.__dict__.pop("_history_deleted", None)
    if before is None or not _recording():
        return
    spec = _REGISTRY[sender]
    fields = {f.attname: f for f in _content_fields(sender, spec)}
    changes = {name: (value, None) for name, value in before.items() if as_text(value) != ""}
    _write(instance, spec, fields, changes, ChangeAction.DELETED)


def _write(instance, spec: HistorySpec, fields: dict, changes: dict, action: str) -> None:
    records = _records(instance, spec, fields, changes, action, {})
    if records:
        m.ChangeRecord.objects.bulk_create(records)


def _records(instance, spec, fields: dict, changes: dict, action: str, names: dict) -> list:
    if not changes:
        return []
    common = _common(instance, spec, action)
    return [
        m.ChangeRecord(
            field=fields[name].name,
            old=_display(fields[name], old, names),
            new=_display(fields[name], new, names),
            **common,
        )
        for name, (old, new) in changes.items()
    ]


def _common(instance, spec: HistorySpec, action: str) -> dict:
    """What every record of one row's change shares: the row, where it is shown, and who
    changed it through which path."""
    context = current_change_context()
    return {
        "content_type": ContentType.objects.get_for_model(type(instance)),
        "object_id": instance.pk,
        "object_repr": str(instance)[:200],
        "requirement_id": spec.requirement(instance),
        "period_id": spec.period(instance),
        "anchor": spec.anchor(instance),
        "action": action,
        "path": context.path,
        "source": context.source,
        "changed_by": context.actor,
    }


# The columns of a ChangeRecord as record_created writes them.
RECORD_COLUMNS = (
    "content_type_id",
    "object_id",
    "object_repr",
    "requirement_id",
    "period_id",
    "anchor",
    "action",
    "path",
    "source",
    "field",
    "old",
    "new",
    "changed_by_id",
    "changed_at",
)


def record_created(objects: Iterable[models.Model]) -> None:
    """For ``bulk_create`` and the other writes that send no signals: one record a new row,
    whose new value lists its fields ('label: Linje 1; amount: 1000'), so that an import
    of 100 000 rows writes 100 000 records, not one per field. The records go in as
    tuples (goals.bulk): no model instance a record."""
    if not _recording():
        return
    by_model: dict[type, list] = {}
    for obj in objects:
        if type(obj) in _REGISTRY:
            by_model.setdefault(type(obj), []).append(obj)
    context = current_change_context()
    common = (str(ChangeAction.CREATED), str(context.path), context.source, "", "")
    actor = context.actor
    tail = (getattr(actor, "pk", None), timezone.now())
    names: dict = {}
    rows = []
    for model, group in by_model.items():
        spec = _REGISTRY[model]
        if spec.prefetch:
            models.prefetch_related_objects(group, *spec.prefetch)
        columns = [
            (f.attname, f.name, f.related_model if f.is_relation else None)
            for f in _content_fields(model, spec)
        ]
        content_type = ContentType.objects.get_for_model(model).pk
        for obj in group:
            listed = _listing(obj, columns, names)
            if listed:
                where = (spec.requirement(obj), spec.period(obj), spec.anchor(obj))
                rows.append((content_type, obj.pk, str(obj)[:200], *where, *common, listed, *tail))
    if rows:
        RowInserter(m.ChangeRecord, RECORD_COLUMNS).insert(rows)


def record_object_changes(obj: models.Model, before: dict[str, Any]) -> None:
    """For ``bulk_update``, which sends no signals: ``before`` holds the stored values of
    the fields about to change (attname -> value); ``obj`` carries the new ones."""
    record_changes([(obj, before)])


def record_changes(changed: Iterable[tuple[models.Model, dict[str, Any]]]) -> None:
    """``record_object_changes`` for a whole ``bulk_update`` batch: the records of every
    row are written together, and a foreign key's name is looked up once for the batch."""
    if not _recording():
        return
    names: dict = {}
    records = []
    for obj, before in changed:
        spec = _REGISTRY.get(type(obj))
        if spec is None:
            continue
        fields = {f.attname: f for f in _content_fields(type(obj), spec)}
        changes = {
            name: (old, getattr(obj, name))
            for name, old in before.items()
            if name in fields and not _same(fields[name], old, getattr(obj, name))
        }
        records.extend(_records(obj, spec, fields, changes, ChangeAction.CHANGED, names))
    if records:
        m.ChangeRecord.objects.bulk_create(records, batch_size=1000)


@contextmanager
def loading_fixtures() -> Iterator[None]:
    """The demo data's origin: nothing is recorded while it is loaded, and the roll-ups
    of what it loads are retired once, at its end."""
    with change_context(path=ChangePath.FIXTURE, source="fixtures"), retired_once():
        yield


def fixture_loader(function):
    """Decorates a loader of the demo fixtures: what it loads is not recorded as changes."""

    @wraps(function)
    def load(*args, **kwargs):
        with loading_fixtures():
            return function(*args, **kwargs)

    return load


# --- What goals keeps the history of ---------------------------------------------------------

# The text of a status update; editing any of it after approval is a new version to approve.
UPDATE_CONTENT = ("attainment", "status", "deviation", "measures_done", "measures_planned")


def edited_update_returns_to_draft(*, instance, before: dict | None) -> None:
    """An approved (or ready) status update whose text changes, by any path, the admin
    included, is a draft again: the approval was of the old text."""
    if before is None or instance.state not in (WorkflowState.APPROVED, WorkflowState.READY):
        return
    if before.get("state") != instance.state:
        return  # the transition itself (ready -> approved) is not an edit
    edited = (as_text(before.get(n)) != as_text(getattr(instance, n)) for n in UPDATE_CONTENT)
    if any(edited):
        instance.state = WorkflowState.DRAFT


def period_lock_is_logged(*, instance, before: dict | None) -> None:
    """A period that becomes locked, by whatever path, says so in its event log."""
    actor = current_change_context().actor
    was = before.get("state") if before else None
    if instance.state == PeriodState.LOCKED and was != PeriodState.LOCKED and actor is not None:
        m.PeriodEvent.objects.create(period=instance, kind=PeriodEventKind.LOCKED, actor=actor)


def _parent_requirement(obj) -> int | None:
    if getattr(obj, "requirement_id", None):
        return obj.requirement_id
    if getattr(obj, "special_id", None):
        return obj.special.requirement_id
    return None


def register_goals_history() -> None:
    def via(name: str) -> Callable[[Any], int | None]:
        def requirement(obj) -> int | None:
            return _parent_requirement(getattr(obj, name)) if getattr(obj, f"{name}_id") else None

        return requirement

    period_anchor = lambda obj: f"goals.period:{obj.pk}"  # noqa: E731
    year_level = {"period": lambda obj: None}
    for model in (m.Ministry, m.Agency, m.OrganisationalUnit, m.BudgetYear, m.PriorityArea):
        register_history(model, **year_level)
    register_history(
        m.ReportingPeriod,
        period=lambda obj: obj.pk,
        anchor=period_anchor,
        after_save=(period_lock_is_logged,),
    )
    register_history(m.PriorityItem, **year_level)
    register_history(m.MainGoal, **year_level)
    register_history(m.ResultRequirement, requirement=lambda obj: obj.pk, **year_level)
    register_history(m.Deliverable, requirement=lambda obj: obj.requirement_id, **year_level)
    register_history(m.SpecialReportingRequirement, requirement=_parent_requirement, **year_level)
    register_history(m.OtherReportingTopic, **year_level)
    parented = {"requirement": _parent_requirement, "prefetch": ("special",)}
    register_history(m.Activity, **parented, **year_level)
    register_history(m.Indicator, **parented, **year_level)
    register_history(m.IndicatorValue, requirement=via("indicator"))
    register_history(m.StatisticalTable, **parented)
    register_history(
        m.StatisticalTableRow,
        requirement=via("table"),
        period=lambda obj: obj.table.period_id,
    )
    register_history(
        m.StatusUpdate,
        requirement=via("activity"),
        before_save=(edited_update_returns_to_draft,),
    )
    register_history(m.RequirementNarrative, requirement=lambda obj: obj.requirement_id)
    register_history(
        m.SpecialReportingAnswer,
        requirement=lambda obj: obj.special.requirement_id,
    )
    register_history(m.OtherReportingAnswer)
    register_history(m.PeriodReport)
    register_history(m.CoverLetter)
    register_history(m.CoverLetterSignatory, period=lambda obj: obj.letter.period_id)
    register_history(m.Feedback, requirement=lambda obj: obj.requirement_id)


class RecordedCommand:
    """Mixin for management commands that write: their changes are recorded as made by
    the command (``change_path``), named by the command's name."""

    change_path = ChangePath.COMMAND

    def execute(self, *args, **options):
        name = type(self).__module__.rsplit(".", 1)[-1]
        with change_context(path=self.change_path, source=name):
            return super().execute(*args, **options)
