"""Writes through the API: the same services, and so the same rules, as the pages.

Every write goes through goals.services, which checks the period lock, the permission and
the unit (ANSV), and the version for optimistic concurrency. Their refusals map to:

- the period is submitted or locked: 423 Locked, `detail` with since when and by whom;
- a stale `version`: 409 Conflict, `detail` and `current` (the newer version as stored);
- not allowed (role or unit): 403, `detail` with the reason;
- anything else the service refuses: 400 with the message.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.response import Response

from goals.api.scope import scoped
from goals.choices import Status
from goals.models import (
    ANSWER_MAX_LENGTH,
    NARRATIVE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    parse_period_slug,
)
from goals.selectors import get_period, periods_visible_to
from goals.services import ConflictError, PeriodLockedError


class PeriodLocked(exceptions.APIException):
    status_code = 423
    default_code = "period_locked"
    default_detail = "The period is locked."


def _messages(error: DjangoValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return {
            field: [str(m) for e in errors for m in e.messages]
            for field, errors in error.error_dict.items()
        }
    return {"detail": " ".join(str(m) for m in error.messages)}


def call_service(function, *, conflict_serializer, context, **kwargs):
    """Run a service and turn its refusals into the API's status codes."""
    try:
        return function(**kwargs)
    except PeriodLockedError as exc:
        raise PeriodLocked(" ".join(exc.messages)) from exc
    except ConflictError as exc:
        raise Conflict(
            detail=" ".join(exc.messages),
            current=conflict_serializer(exc.current, context=context).data,
        ) from exc
    except PermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc
    except DjangoValidationError as exc:
        raise exceptions.ValidationError(_messages(exc)) from exc
    except IntegrityError as exc:
        # Two first saves of one entry at once: the database keeps one, the other is told
        # to read it and send its version, like any stale write.
        raise CreatedMeanwhile from exc


class CreatedMeanwhile(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Someone saved this entry at the same time; read it and send its version."
    default_code = "conflict"


class Conflict(Exception):
    """A stale version; answered with 409 and the stored version by `handle_conflict`."""

    def __init__(self, *, detail: str, current: dict):
        super().__init__(detail)
        self.detail = detail
        self.current = current


class ConflictHandlingMixin:
    def handle_exception(self, exc):
        if isinstance(exc, Conflict):
            return Response(
                {"detail": exc.detail, "code": "conflict", "current": exc.current},
                status=status.HTTP_409_CONFLICT,
            )
        return super().handle_exception(exc)


class ModelPermissionForWrites(permissions.BasePermission):
    """Reads for every authenticated user; writes need the view's `write_permission`
    (the services then check the unit and the period)."""

    message = "Your role may not change this."

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        needed = getattr(view, "write_permissions", {}).get(view.action, ())
        return any(request.user.has_perm(p) for p in needed) if needed else True


@extend_schema_field({"type": "string", "pattern": r"^[0-9]{4}(-(T1|H1|T2))?$"})
class PeriodKeyField(serializers.Field):
    """A period key (2006-H1) resolved to a period the caller may read."""

    default_error_messages = {
        "invalid": "A period key such as 2006-H1 or 2006.",
        "unknown": "No reporting period you may read has this key.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text", "The period's key with its agency code, e.g. ABC-2006-H1 or ABC-2006."
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or parse_period_slug(data) is None:
            self.fail("invalid")
        period = get_period(slug=data, user=self.context["request"].user)
        if period is None:
            self.fail("unknown")
        return period

    def to_representation(self, value):
        return value.slug


@extend_schema_field({"type": "integer", "minimum": 1})
class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """An id of something in an agency the caller reads."""

    def __init__(self, *, scope, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scope(self.context["request"].user)


class StrictCharField(serializers.CharField):
    """Text only: a number sent for a text field is a client error, not text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only: "3" and true are refused."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictDecimalField(serializers.DecimalField):
    """A decimal as a JSON string ("440.5"), as the responses give it; no floats."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictDateField(serializers.DateField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("A date as text, YYYY-MM-DD.")
        return super().to_internal_value(data)


VERSION_HELP = (
    "The version you read (0 for a new entry). A stale version is refused with 409 and the "
    "stored version in `current`."
)


def version_field() -> StrictIntegerField:
    return StrictIntegerField(min_value=0, max_value=2**31 - 1, help_text=VERSION_HELP)


def optional_text(max_length: int, help_text: str) -> StrictCharField:
    """A text field that may be left out or empty; it is then stored as ''."""
    return StrictCharField(
        required=False, allow_blank=True, max_length=max_length, default="", help_text=help_text
    )


class StatusUpdateInput(serializers.Serializer):
    version = version_field()
    status = serializers.ChoiceField(choices=Status.choices, help_text="Goal attainment.")
    attainment = StrictCharField(
        allow_blank=True,
        max_length=ANSWER_MAX_LENGTH,
        help_text="Goal attainment (måloppnåelse) in words.",
    )
    deviation = optional_text(ANSWER_MAX_LENGTH, "Deviation and remarks.")
    measures_done = optional_text(ANSWER_MAX_LENGTH, "Measures carried out.")
    measures_planned = optional_text(ANSWER_MAX_LENGTH, "Measures planned.")


class ReturnInput(serializers.Serializer):
    reason = StrictCharField(
        max_length=REASON_MAX_LENGTH,
        help_text="Why the update goes back to its unit; the editor sees it.",
    )


class NarrativeInput(serializers.Serializer):
    version = version_field()
    status = StrictCharField(
        allow_blank=True,
        max_length=NARRATIVE_MAX_LENGTH,
        help_text="Status of the requirement, in words.",
    )
    measures_done = optional_text(NARRATIVE_MAX_LENGTH, "Measures carried out.")
    next_priorities = optional_text(NARRATIVE_MAX_LENGTH, "Priorities for the next period.")


class IndicatorValueInput(serializers.Serializer):
    version = version_field()
    value = StrictDecimalField(
        max_digits=15, decimal_places=2, help_text='The measured value, e.g. "440" or "6.1".'
    )
    measured_on = StrictDateField(
        required=False, allow_null=True, default=None, help_text="When it was measured."
    )


def _activities(user):
    from goals.models import Activity

    return scoped(Activity.objects.all(), user, "budget_year__")


def _requirements(user):
    from goals.models import ResultRequirement

    return scoped(ResultRequirement.objects.all(), user, "main_goal__budget_year__")


def _indicators(user):
    from goals.models import Indicator

    return scoped(Indicator.objects.all(), user, "budget_year__")


def _feedback(user):
    from goals.models import Feedback

    return Feedback.objects.filter(period__in=periods_visible_to(user=user))


class StatusUpdateCreateInput(StatusUpdateInput):
    activity = VisibleRelatedField(scope=_activities, help_text="The activity's id.")
    period = PeriodKeyField()


class NarrativeCreateInput(NarrativeInput):
    requirement = VisibleRelatedField(scope=_requirements, help_text="The requirement's id.")
    period = PeriodKeyField()


class IndicatorValueCreateInput(IndicatorValueInput):
    indicator = VisibleRelatedField(scope=_indicators, help_text="The indicator's id.")
    period = PeriodKeyField()


class FeedbackInput(serializers.Serializer):
    requirement = VisibleRelatedField(scope=_requirements, help_text="The requirement's id.")
    period = PeriodKeyField()
    text = StrictCharField(max_length=ANSWER_MAX_LENGTH, help_text="The comment or reply.")
    parent = VisibleRelatedField(
        scope=_feedback,
        required=False,
        allow_null=True,
        default=None,
        help_text="The comment this replies to; empty for a new comment (ministry only).",
    )


class DeliverableMetInput(serializers.Serializer):
    period = PeriodKeyField(help_text="The open period the date is reported in, e.g. ABC-2006.")
    met_on = StrictDateField(allow_null=True, help_text="The date it was met; null: not met.")
