from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.choices import (
    PeriodEventKind,
    PeriodState,
    Status,
    WorkflowState,
)
from goals.history import as_text, change_context
from goals.models import (
    Activity,
    Agency,
    Feedback,
    Indicator,
    IndicatorValue,
    Ministry,
    OrganisationalUnit,
    OtherReportingTopic,
    PeriodEvent,
    PriorityItem,
    ReportingPeriod,
    RequirementNarrative,
    ResultRequirement,
    SpecialReportingRequirement,
    StatusUpdate,
    UserProfile,
)


class PeriodLockedError(ValidationError):
    """Raised by every write path when the period is submitted or locked."""

    def __init__(self, period: ReportingPeriod):
        self.period = period
        super().__init__(period_locked_message(period=period), code="period_locked")


def period_locked_message(*, period: ReportingPeriod) -> str:
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


def ensure_period_is_open(*, period: ReportingPeriod) -> None:
    if period.is_locked:
        raise PeriodLockedError(period)


@transaction.atomic
def set_user_profile(
    *,
    user,
    ministry: Ministry | None = None,
    agency: Agency | None = None,
    unit: OrganisationalUnit | None = None,
) -> UserProfile:
    if unit is not None and agency is not None and unit.agency_id != agency.pk:
        raise ValidationError(
            {
                "unit": _("The unit %(unit)s does not belong to %(agency)s.")
                % {"unit": unit, "agency": agency}
            }
        )
    profile, _created = UserProfile.objects.update_or_create(
        user=user, defaults={"ministry": ministry, "agency": agency, "unit": unit}
    )
    return profile


# --- Workflow: status updates, narratives and indicator values --------------------------------


class ConflictError(ValidationError):
    """A save based on a stale version: someone else saved in between. Carries the newer
    object so the page can show its text; nothing is overwritten."""

    def __init__(self, current):
        self.current = current
        who = current.updated_by.get_full_name() if current.updated_by else _("someone")
        super().__init__(
            _(
                "%(who)s saved a newer version (version %(version)s) while you were editing. "
                "Your text was not saved; compare it with theirs below and save again."
            )
            % {"who": who, "version": current.version},
            code="conflict",
        )


def responsible_unit_of(*, parent) -> OrganisationalUnit | None:
    """The ANSV unit that answers for an activity's or indicator's parent; None means
    agency-wide."""
    if isinstance(parent, ResultRequirement):
        return parent.responsible_unit
    if isinstance(parent, SpecialReportingRequirement):
        if parent.responsible_unit_id or parent.requirement_id is None:
            return parent.responsible_unit
        return parent.requirement.responsible_unit
    if isinstance(parent, OtherReportingTopic):
        return parent.responsible_unit
    if isinstance(parent, PriorityItem):
        return parent.area.responsible_unit
    return None


def requirement_of(*, parent) -> ResultRequirement | None:
    if isinstance(parent, ResultRequirement):
        return parent
    if isinstance(parent, SpecialReportingRequirement):
        return parent.requirement
    return None


def may_edit(*, user, unit: OrganisationalUnit | None, agency: Agency) -> bool:
    """Approvers edit everything of their agency; editors only what their unit answers for."""
    profile = getattr(user, "profile", None)
    if profile is None or profile.agency_id != agency.pk:
        return bool(user.is_superuser)
    if user.has_perm("goals.approve_statusupdate"):
        return True
    if unit is None:
        return True
    return profile.unit_id == unit.pk


def _ensure_may_edit(*, user, parent, period: ReportingPeriod, permission: str) -> None:
    ensure_period_is_open(period=period)
    if not user.has_perm(permission):
        raise PermissionDenied(_("You may not change this."))
    unit = responsible_unit_of(parent=parent)
    if not may_edit(user=user, unit=unit, agency=period.budget_year.agency):
        raise PermissionDenied(
            _("Only %(unit)s (ANSV) or an approver may change the reporting on %(what)s.")
            % {"unit": unit.code if unit else period.budget_year.agency.code, "what": parent}
        )


def record_event(*, period: ReportingPeriod, kind: str, user, subject: str = "", reason: str = ""):
    """One line of the period's event log (goals.models.PeriodEvent)."""
    return PeriodEvent.objects.create(
        period=period, kind=kind, actor=user, subject=subject[:200], reason=reason
    )


def update_subject(*, update: StatusUpdate) -> str:
    """How the event log names an update: its requirement or section and its form row."""
    parent = update.activity.parent
    return _("%(parent)s, row %(position)s") % {
        "parent": getattr(parent, "code", None) or getattr(parent, "letter", "") or parent,
        "position": update.activity.position,
    }


def _save_versioned(
    *, model, lookup: dict, values: dict, version: int, user, period, subject="", extra=None
):
    """Create or update under optimistic concurrency: `version` is what the caller read
    (0 for a new object). Every changed field is recorded."""
    current = (
        model.objects.select_for_update(of=("self",)).select_related("updated_by").filter(**lookup)
    )
    obj = current.first()
    if obj is None and version != 0:
        raise ValidationError(_("This entry no longer exists."), code="missing")
    if obj is not None and obj.version != version:
        raise ConflictError(obj)
    if obj is None:
        obj = model(**lookup, version=0)
        before = dict.fromkeys(values, "")
    else:
        before = {name: getattr(obj, name) for name in values}
    values = {**values, **(extra or {})}
    changes = [
        name
        for name, value in values.items()
        if as_text(before.get(name, getattr(obj, name, None))) != as_text(value)
    ]
    if obj.pk is not None and not changes:
        return obj
    for name, value in values.items():
        setattr(obj, name, value)
    obj.version += 1
    obj.updated_by = user
    with change_context(user=user):
        obj.save()  # goals.history records each changed field
    record_event(period=period, kind=PeriodEventKind.SAVED, user=user, subject=subject or str(obj))
    return obj


@transaction.atomic
def save_status_update(
    *,
    user,
    activity: Activity,
    period: ReportingPeriod,
    version: int,
    attainment: str,
    status: str,
    deviation: str = "",
    measures_done: str = "",
    measures_planned: str = "",
) -> StatusUpdate:
    """Save an activity's status update as a draft."""
    if activity.budget_year_id != period.budget_year_id:
        raise ValidationError(_("The activity does not belong to this period's year."))
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    parent = activity.parent
    _ensure_may_edit(
        user=user, parent=parent, period=period, permission="goals.change_statusupdate"
    )
    return _save_versioned(
        model=StatusUpdate,
        lookup={"activity": activity, "period": period},
        values={
            "attainment": attainment,
            "status": status,
            "deviation": deviation,
            "measures_done": measures_done,
            "measures_planned": measures_planned,
        },
        # Any edit sends the update back to draft; a returned update keeps its reason.
        extra={"state": WorkflowState.DRAFT},
        version=version,
        user=user,
        period=period,
        subject=_("%(parent)s, row %(position)s")
        % {"parent": getattr(parent, "code", None) or parent, "position": activity.position},
    )


def _transition(*, user, update: StatusUpdate, state: str, reason: str = "") -> StatusUpdate:
    """Move an update to another workflow state. A transition is not a new version of the
    text: the version and who saved it last stay as they are, so "last saved by" keeps
    naming the author; the change is in the history and the period's event log."""
    update = (
        StatusUpdate.objects.select_for_update(of=("self",))
        .select_related("period__budget_year__agency", "period__submitted_by", "activity")
        .get(pk=update.pk)
    )
    ensure_period_is_open(period=update.period)
    update.state = state
    if reason:
        update.return_reason = reason
    with change_context(user=user):
        update.save(update_fields=["state", "return_reason"])
    record_event(
        period=update.period,
        kind=TRANSITION_EVENTS[state],
        user=user,
        subject=update_subject(update=update),
        reason=reason,
    )
    return update


TRANSITION_EVENTS = {
    WorkflowState.READY: PeriodEventKind.READY,
    WorkflowState.RETURNED: PeriodEventKind.RETURNED,
    WorkflowState.APPROVED: PeriodEventKind.APPROVED,
}


@transaction.atomic
def mark_ready(*, user, update: StatusUpdate) -> StatusUpdate:
    """The editor declares the update ready for the approver."""
    _ensure_may_edit(
        user=user,
        parent=update.activity.parent,
        period=update.period,
        permission="goals.change_statusupdate",
    )
    if update.state not in (WorkflowState.DRAFT, WorkflowState.RETURNED):
        raise ValidationError(_("Only a draft or returned update can be marked ready."))
    return _transition(user=user, update=update, state=WorkflowState.READY)


def _ensure_approver(*, user, period: ReportingPeriod) -> None:
    ensure_period_is_open(period=period)
    profile = getattr(user, "profile", None)
    same_agency = profile is not None and profile.agency_id == period.budget_year.agency_id
    if not user.has_perm("goals.approve_statusupdate") or not (same_agency or user.is_superuser):
        raise PermissionDenied(_("Only an approver may return or approve status updates."))


@transaction.atomic
def return_update(*, user, update: StatusUpdate, reason: str) -> StatusUpdate:
    """Send an update back to its unit with a reason the editor sees."""
    _ensure_approver(user=user, period=update.period)
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for returning the update.")})
    if update.state not in (WorkflowState.READY, WorkflowState.APPROVED):
        raise ValidationError(
            _("Only an update that is ready or approved can be returned; this one is %(state)s.")
            % {"state": update.get_state_display().lower()}
        )
    return _transition(user=user, update=update, state=WorkflowState.RETURNED, reason=reason)


def approval_refusal(*, user, update: StatusUpdate) -> str | None:
    """Why ``user`` may not approve ``update``, or None. Approval starts from "ready", and
    four eyes see every text: whoever saved its latest version cannot approve it."""
    if update.state != WorkflowState.READY:
        return _(
            "%(subject)s is %(state)s: only an update marked ready for approval can be approved."
        ) % {"subject": update_subject(update=update), "state": update.get_state_display().lower()}
    if update.updated_by_id == user.pk:
        return _(
            "%(subject)s: you saved its latest version, so another approver must approve it."
        ) % {"subject": update_subject(update=update)}
    return None


@transaction.atomic
def approve_update(*, user, update: StatusUpdate) -> StatusUpdate:
    _ensure_approver(user=user, period=update.period)
    update = StatusUpdate.objects.select_for_update(of=("self",)).get(pk=update.pk)
    refusal = approval_refusal(user=user, update=update)
    if refusal:
        raise ValidationError(refusal, code="not_approvable")
    return _transition(user=user, update=update, state=WorkflowState.APPROVED)


@transaction.atomic
def approve_updates(*, user, period: ReportingPeriod, update_ids: list[int]) -> list[StatusUpdate]:
    """Approve several updates of a period at once, all or nothing: if any one may not be
    approved (four eyes, not ready), none is, and the message names each refused one."""
    _ensure_approver(user=user, period=period)
    updates = list(
        StatusUpdate.objects.select_for_update(of=("self",))
        .filter(period=period, pk__in=update_ids)
        .select_related("activity")
        .order_by("activity__position")
    )
    if not updates:
        raise ValidationError(_("Choose the updates to approve."), code="none_chosen")
    if len(updates) != len(set(update_ids)):
        raise ValidationError(_("Some of the chosen updates are not in this period."))
    refusals = [r for u in updates if (r := approval_refusal(user=user, update=u))]
    if refusals:
        raise ValidationError(
            [_("Nothing was approved."), *refusals],
            code="not_approvable",
        )
    return [_transition(user=user, update=u, state=WorkflowState.APPROVED) for u in updates]


@transaction.atomic
def save_requirement_narrative(
    *,
    user,
    requirement: ResultRequirement,
    period: ReportingPeriod,
    version: int,
    status: str,
    measures_done: str = "",
    next_priorities: str = "",
) -> RequirementNarrative:
    _ensure_may_edit(
        user=user,
        parent=requirement,
        period=period,
        permission="goals.change_requirementnarrative",
    )
    return _save_versioned(
        model=RequirementNarrative,
        lookup={"requirement": requirement, "period": period},
        values={
            "status": status,
            "measures_done": measures_done,
            "next_priorities": next_priorities,
        },
        version=version,
        user=user,
        period=period,
        subject=_("Narrative %(code)s") % {"code": requirement.code},
    )


@transaction.atomic
def save_indicator_value(
    *,
    user,
    indicator: Indicator,
    period: ReportingPeriod,
    version: int,
    value: Decimal,
    measured_on: date | None = None,
) -> IndicatorValue:
    if not isinstance(value, Decimal):
        raise ValidationError({"value": _("The value must be a decimal number.")})
    parent = indicator.parent
    _ensure_may_edit(
        user=user, parent=parent, period=period, permission="goals.change_indicatorvalue"
    )
    return _save_versioned(
        model=IndicatorValue,
        lookup={"indicator": indicator, "period": period},
        values={"value": value, "measured_on": measured_on},
        version=version,
        user=user,
        period=period,
        subject=_("Indicator %(name)s") % {"name": indicator.name},
    )


@transaction.atomic
def submit_period(*, user, period: ReportingPeriod, include_unapproved: bool = False):
    """Send the period to the ministry; this locks it. Unapproved updates block submission
    unless the approver explicitly includes them."""
    period = ReportingPeriod.objects.select_for_update(of=("self",)).get(pk=period.pk)
    ensure_period_is_open(period=period)
    if not user.has_perm("goals.submit_period"):
        raise PermissionDenied(_("Only an approver may submit the period."))
    pending = (
        StatusUpdate.objects.filter(period=period).exclude(state=WorkflowState.APPROVED).count()
    )
    if pending and not include_unapproved:
        raise ValidationError(
            _(
                "%(count)s status updates are not approved. Approve them, or confirm that "
                "the period is submitted with them as they are."
            )
            % {"count": pending},
            code="unapproved",
        )
    period.state = PeriodState.SUBMITTED
    period.submitted_at = timezone.now()
    period.submitted_by = user
    period.save(update_fields=["state", "submitted_at", "submitted_by"])
    PeriodEvent.objects.create(
        period=period,
        kind=PeriodEventKind.SUBMITTED,
        actor=user,
        reason=_("Submitted with %(count)s unapproved updates.") % {"count": pending}
        if pending
        else "",
    )
    return period


@transaction.atomic
def reopen_period(*, user, period: ReportingPeriod, reason: str) -> ReportingPeriod:
    period = ReportingPeriod.objects.select_for_update(of=("self",)).get(pk=period.pk)
    if not user.has_perm("goals.reopen_period"):
        raise PermissionDenied(_("Only an approver may reopen the period."))
    if not period.is_locked:
        raise ValidationError(_("The period is already open."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for reopening the period.")})
    period.state = PeriodState.OPEN
    period.submitted_at = None
    period.submitted_by = None
    period.save(update_fields=["state", "submitted_at", "submitted_by"])
    PeriodEvent.objects.create(
        period=period, kind=PeriodEventKind.REOPENED, actor=user, reason=reason
    )
    return period


@transaction.atomic
def add_feedback(
    *,
    user,
    requirement: ResultRequirement,
    period: ReportingPeriod,
    text: str,
    parent: Feedback | None = None,
) -> Feedback:
    """The ministry comments on a requirement in a period; the directorate replies."""
    if not text.strip():
        raise ValidationError({"text": _("Write a comment.")})
    from goals.selectors import periods_visible_to

    if not periods_visible_to(user=user).filter(pk=period.pk).exists():
        raise PermissionDenied(_("You cannot see this period."))
    if parent is None:
        if not user.has_perm("goals.add_feedback"):
            raise PermissionDenied(_("Only the ministry may comment."))
    else:
        if not user.has_perm("goals.reply_feedback"):
            raise PermissionDenied(_("Only the directorate may reply."))
        if parent.requirement_id != requirement.pk or parent.period_id != period.pk:
            raise ValidationError(_("The reply must belong to the same comment thread."))
        parent = parent.parent or parent
    return Feedback.objects.create(
        requirement=requirement, period=period, author=user, text=text, parent=parent
    )


# --- A new year from last year ---------------------------------------------------------------
# The copying is long and apart from the rest, so it lives in goals.rollover; callers use it
# from here like every other write.
from goals.rollover import create_next_year as create_next_year  # noqa: E402
