import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from goals import generations
from goals.choices import (
    NotificationKind,
    PeriodEventKind,
    PeriodState,
    Status,
    WorkflowState,
)
from goals.history import as_text, change_context
from goals.locking import PeriodLockedError
from goals.mail import mail_after_commit
from goals.models import (
    Activity,
    Agency,
    CacheGeneration,
    Deliverable,
    Feedback,
    Indicator,
    IndicatorValue,
    Ministry,
    Notification,
    OrganisationalUnit,
    PeriodEvent,
    ReportingPeriod,
    RequirementNarrative,
    ResultRequirement,
    StatusUpdate,
    UserProfile,
)
from goals.selectors import periods_visible_to, submission_check
from goals.structure import may_edit, responsible_unit_of


def bump_generation(*, agency_id: int | None) -> None:
    """Retire every cached roll-up of the agency (of all agencies when None): called by the
    writes that bypass the model signals (bulk_create, queryset update) and, through the
    signals, by every save and delete. Inside the writer's transaction, so a reader that
    sees the new token also sees the new data; a reader that still sees the old token
    stores under a key that no later request asks for."""
    generations.retire(agency_id=agency_id)


def start_generation(*, agency: Agency) -> None:
    """The first generation of a new agency (its roll-ups are cached from then on)."""
    CacheGeneration.objects.get_or_create(agency=agency, defaults={"token": uuid.uuid4().hex})


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


def set_user_language(*, user, language: str) -> None:
    """Remembers the user's interface language; users without a profile keep the cookie."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language: %(code)s") % {"code": language}})
    UserProfile.objects.filter(user=user).update(language=language)


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
    update = _transition(user=user, update=update, state=WorkflowState.RETURNED, reason=reason)
    notify_transition(actor=user, update=update)
    return update


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
    update = _transition(user=user, update=update, state=WorkflowState.APPROVED)
    notify_transition(actor=user, update=update)
    return update


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
def submit_period(*, user, period: ReportingPeriod, reason: str = ""):
    """Send the period to the ministry; this locks it. While anything is incomplete
    (unanswered rows, unapproved updates, missing narratives, consistency warnings) the
    approver must give a
    reason, which the event log keeps."""
    period = ReportingPeriod.objects.select_for_update(of=("self",)).get(pk=period.pk)
    ensure_period_is_open(period=period)
    if not user.has_perm("goals.submit_period"):
        raise PermissionDenied(_("Only an approver may submit the period."))
    check = submission_check(period=period)
    if not check.is_complete and not reason.strip():
        raise ValidationError(
            {
                "reason": _(
                    "%(unanswered)s form rows are not answered, %(unapproved)s status updates "
                    "are not approved, %(narratives)s requirements have no narrative and "
                    "%(warnings)s have a status that contradicts their evidence. Give a reason "
                    "for submitting the period as it is."
                )
                % {
                    "unanswered": len(check.unanswered),
                    "unapproved": len(check.unapproved),
                    "narratives": len(check.missing_narratives),
                    "warnings": len(check.warnings),
                }
            },
            code="incomplete",
        )
    period.state = PeriodState.SUBMITTED
    period.submitted_at = timezone.now()
    period.submitted_by = user
    period.save(update_fields=["state", "submitted_at", "submitted_by"])
    PeriodEvent.objects.create(
        period=period, kind=PeriodEventKind.SUBMITTED, actor=user, reason=reason.strip()
    )
    notify_period(actor=user, period=period)
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
    notify_period(actor=user, period=period, reason=reason)
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
    feedback = Feedback.objects.create(
        requirement=requirement, period=period, author=user, text=text, parent=parent
    )
    notify_feedback(actor=user, feedback=feedback)
    return feedback


# --- Notifications ---------------------------------------------------------------------------


def _staff(*, agency: Agency, unit: OrganisationalUnit | None = None) -> QuerySet:
    """The agency's unit editors: of one unit, or of every unit."""
    users = get_user_model().objects.filter(is_active=True, profile__agency=agency)
    if unit is not None:
        return users.filter(profile__unit=unit)
    return users.filter(profile__unit__isnull=False)


def _approvers(*, agency: Agency) -> QuerySet:
    return get_user_model().objects.filter(
        is_active=True,
        profile__agency=agency,
        groups__permissions__codename="approve_statusupdate",
    )


def _ministry_readers(*, agency: Agency) -> QuerySet:
    return get_user_model().objects.filter(is_active=True, profile__ministry_id=agency.ministry_id)


@dataclass(frozen=True)
class NotificationText:
    """A notification's message, translated for each person into the language they chose
    (their profile), not the language of whoever caused it."""

    message: str
    values: dict

    def for_user(self, user) -> str:
        profile = getattr(user, "profile", None)
        with translation.override(getattr(profile, "language", "") or settings.LANGUAGE_CODE):
            return _(self.message) % self.values


def notify(
    *,
    users: QuerySet,
    kind: str,
    text: NotificationText,
    url: str = "",
    period: ReportingPeriod | None = None,
    key: str = "",
    actor=None,
) -> list[Notification]:
    """Tell each user in the app, and by e-mail unless they turned it off. The actor is
    not told of their own act; a keyed notification (a reminder) reaches a user once."""
    users = users.distinct().select_related("profile")
    if actor is not None:
        users = users.exclude(pk=actor.pk)
    if key:
        users = users.exclude(notifications__key=key)
    users = list(users)
    texts = {u.pk: text.for_user(u) for u in users}
    created = Notification.objects.bulk_create(
        Notification(user=u, kind=kind, text=texts[u.pk], url=url, period=period, key=key)
        for u in users
    )
    UserProfile.objects.filter(user__in=users).update(
        unread_notifications=F("unread_notifications") + 1
    )
    link = f"{settings.SITE_URL}{url}" if url else ""
    mails = [
        (
            settings.EMAIL_SUBJECT_PREFIX + texts[u.pk].splitlines()[0][:120],
            f"{texts[u.pk]}\n\n{link}".strip(),
            settings.DEFAULT_FROM_EMAIL,
            [u.email],
        )
        for u in users
        if u.email and getattr(getattr(u, "profile", None), "email_notifications", True)
    ]
    mail_after_commit(mails)
    return created


def _update_url(update: StatusUpdate) -> str:
    return reverse("goals:edit-status-update", args=[update.period.slug, update.activity.position])


def notify_transition(*, actor, update: StatusUpdate) -> None:
    """Returned or approved: the unit that answers for the row hears of it."""
    agency = update.period.budget_year.agency
    unit = responsible_unit_of(parent=update.activity.parent)
    values = {
        "who": actor.get_full_name() or actor.get_username(),
        "what": str(update.activity)[:60],
        "period": update.period.slug,
        "reason": update.return_reason,
    }
    if update.state == WorkflowState.RETURNED:
        kind = NotificationKind.RETURNED
        text = NotificationText(
            gettext_noop("%(who)s returned “%(what)s” (%(period)s): %(reason)s"), values
        )
    else:
        kind = NotificationKind.APPROVED
        text = NotificationText(gettext_noop("%(who)s approved “%(what)s” (%(period)s)."), values)
    users = _staff(agency=agency, unit=unit) if unit else _staff(agency=agency)
    notify(
        users=users,
        kind=kind,
        text=text,
        url=_update_url(update),
        period=update.period,
        actor=actor,
    )


def notify_period(*, actor, period: ReportingPeriod, reason: str = "") -> None:
    """Submitted or reopened: the ministry and the agency's editors hear of it."""
    agency = period.budget_year.agency
    values = {"agency": agency.code, "period": period.slug, "reason": reason}
    if period.state == PeriodState.OPEN:
        kind = NotificationKind.REOPENED
        text = NotificationText(gettext_noop("%(agency)s reopened %(period)s: %(reason)s"), values)
        url = reverse("goals:my-requirements")
    else:
        kind = NotificationKind.SUBMITTED
        text = NotificationText(
            gettext_noop("%(agency)s submitted %(period)s to the ministry."), values
        )
        url = reverse("reports:full", kwargs={"slug": period.slug})
    users = _ministry_readers(agency=agency) | _staff(agency=agency)
    notify(users=users, kind=kind, text=text, url=url, period=period, actor=actor)


def notify_feedback(*, actor, feedback: Feedback) -> None:
    """A comment reaches the approvers and the unit that answers; a reply its comment's author."""
    period = feedback.period
    agency = period.budget_year.agency
    requirement = feedback.requirement
    url = reverse("goals:requirement-detail", args=[period.slug, requirement.code]) + "#feedback"
    values = {
        "who": actor.get_full_name() or actor.get_username(),
        "code": requirement.code,
        "period": period.slug,
        "text": feedback.text[:200],
    }
    if feedback.parent_id is None:
        kind = NotificationKind.FEEDBACK
        text = NotificationText(
            gettext_noop("%(who)s commented on %(code)s (%(period)s): %(text)s"), values
        )
        users = _approvers(agency=agency) | _staff(agency=agency, unit=requirement.responsible_unit)
    else:
        kind = NotificationKind.REPLY
        text = NotificationText(
            gettext_noop("%(who)s replied on %(code)s (%(period)s): %(text)s"), values
        )
        users = get_user_model().objects.filter(pk=feedback.parent.author_id, is_active=True)
    notify(users=users, kind=kind, text=text, url=url, period=period, actor=actor)


def send_reminders(*, today: date) -> int:
    """Remind each unit with unanswered form rows when an open period's deadline is within
    its agency's ``reminder_days``; each person gets a period's reminder once. Returns the
    number of notifications made."""
    sent = 0
    periods = ReportingPeriod.objects.filter(state=PeriodState.OPEN, deadline__gte=today)
    for period in periods.select_related("budget_year__agency"):
        agency = period.budget_year.agency
        if (period.deadline - today).days > agency.reminder_days:
            continue
        missing: dict[OrganisationalUnit, int] = {}
        for activity in submission_check(period=period, warnings=False).unanswered:
            if activity.unit is not None:
                missing[activity.unit] = missing.get(activity.unit, 0) + 1
        for unit, count in missing.items():
            text = NotificationText(
                gettext_noop(
                    "Reminder: %(unit)s has %(count)s unanswered form rows in %(period)s; "
                    "the deadline is %(deadline)s."
                ),
                {
                    "unit": unit.code,
                    "count": count,
                    "period": period.slug,
                    "deadline": period.deadline.strftime("%d.%m.%Y"),
                },
            )
            with transaction.atomic():
                sent += len(
                    notify(
                        users=_staff(agency=agency, unit=unit),
                        kind=NotificationKind.REMINDER,
                        text=text,
                        url=reverse("goals:my-requirements"),
                        period=period,
                        key=f"reminder:{period.pk}:{unit.pk}",
                    )
                )
    return sent


@transaction.atomic
def mark_notifications_read(*, user) -> int:
    """Everything the user has been told is read; returns how many were unread."""
    count = Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    UserProfile.objects.filter(user=user).update(unread_notifications=0)
    return count


def set_email_notifications(*, user, enabled: bool) -> None:
    UserProfile.objects.filter(user=user).update(email_notifications=enabled)


# --- A new year from last year ---------------------------------------------------------------
# The copying is long and apart from the rest, so it lives in goals.rollover; callers use it
# from here like every other write.
from goals.rollover import create_next_year as create_next_year  # noqa: E402


@transaction.atomic
def set_deliverable_met(
    *, user, deliverable: Deliverable, period: ReportingPeriod, met_on: date | None
) -> Deliverable:
    """Record the date a deliverable was met (None: not met), as reported in the open
    period `period`: a date in the budget year, no later than the period's end or today.
    A submitted period keeps it as its stored report gave it."""
    deliverable = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
    requirement = deliverable.requirement
    _ensure_may_edit(
        user=user, parent=requirement, period=period, permission="goals.change_statusupdate"
    )
    if requirement.main_goal.budget_year_id != period.budget_year_id:
        raise ValidationError(_("The deliverable does not belong to this period's year."))
    latest = min(period.end, timezone.localdate())
    first = date(period.budget_year.year, 1, 1)
    if met_on is not None and not first <= met_on <= latest:
        raise ValidationError(
            {
                "met_on": _(
                    "%(deliverable)s: the date met must lie in %(year)s and no later than "
                    "%(latest)s."
                )
                % {
                    "deliverable": deliverable.title,
                    "year": period.budget_year.year,
                    "latest": f"{latest:%d.%m.%Y}",
                }
            }
        )
    if deliverable.met_on == met_on:
        return deliverable
    # The save records the change in the history (goals.history), as every write does.
    deliverable.met_on = met_on
    deliverable.save(update_fields=["met_on"])
    return deliverable
